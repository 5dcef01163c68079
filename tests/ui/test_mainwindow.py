"""The main window: navigation by role, lazy pages, actions that follow the page and the role, saved state."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QWidget

from models.i18n import gettext

from ui.context import AppContext
from ui.mainwindow import MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

KINDS = {
    "reports": "report",
    "children": "person",
    "households": "household",
    "cases": "case",
    "referrals": "referral",
    "kdd_meetings": "kdd_meeting",
}


class FakePage(QWidget):
    """Stands for the pages other modules make: counts what the window asks of it."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.record_kind = KINDS.get(key)
        self.calls: list[str] = []

    def refresh(self) -> None:
        self.calls.append("refresh")

    def focus_search(self) -> None:
        self.calls.append("focus_search")

    def save_state(self) -> None:
        self.calls.append("save_state")


class PrintablePage(FakePage):
    def print_view(self) -> None:
        self.calls.append("print_view")


def fake_factory(ctx: AppContext, key: str) -> QWidget:
    return PrintablePage(key) if key == "referrals" else FakePage(key)


Opened = list[tuple[str, uuid.UUID | None]]
MakeWindow = Callable[[AppContext], tuple[MainWindow, Opened]]


@pytest.fixture
def make_window(qtbot: QtBot) -> MakeWindow:
    def make(ctx: AppContext) -> tuple[MainWindow, Opened]:
        opened: Opened = []
        window = MainWindow(
            ctx,
            page_factory=fake_factory,
            form_opener=lambda _ctx, kind, record_id, _parent: opened.append((kind, record_id)),
        )
        qtbot.add_widget(window)
        window.show()
        return window, opened

    return make


def keys(window: MainWindow) -> list[str]:
    return [section.key for section in window.sections]


def test_an_administrator_sees_every_section(ctx: AppContext, make_window: MakeWindow) -> None:
    window, _opened = make_window(ctx)

    assert keys(window) == [
        "home",
        "reports",
        "children",
        "households",
        "cases",
        "referrals",
        "kdd_meetings",
        "exchange",
        "admin",
    ]
    assert window.navigation.item(0).text() == gettext("Home")


@pytest.mark.parametrize(
    ("role", "sees_admin"), [("read_only", False), ("specialist", False), ("head", True)]
)
def test_administration_is_shown_only_to_roles_that_administer(
    ctx_as: Callable[[str], AppContext], make_window: MakeWindow, role: str, sees_admin: bool
) -> None:
    window, _opened = make_window(ctx_as(role))

    assert ("admin" in keys(window)) is sees_admin
    assert "cases" in keys(window)


@pytest.mark.parametrize(("role", "sees_exchange"), [("read_only", False), ("specialist", True)])
def test_data_exchange_is_shown_only_to_roles_that_exchange_data(
    ctx_as: Callable[[str], AppContext], make_window: MakeWindow, role: str, sees_exchange: bool
) -> None:
    window, _opened = make_window(ctx_as(role))

    assert ("exchange" in keys(window)) is sees_exchange


def test_pages_are_made_when_first_shown(ctx: AppContext, make_window: MakeWindow) -> None:
    window, _opened = make_window(ctx)
    assert list(window.created_pages()) == ["home"]

    window.show_section("cases")

    assert list(window.created_pages()) == ["home", "cases"]
    page = window.current_page()
    assert isinstance(page, FakePage)
    assert page.key == "cases"
    assert window.stack.currentWidget() is page


def test_new_record_follows_the_page_and_opens_an_empty_form(
    ctx: AppContext, make_window: MakeWindow
) -> None:
    window, opened = make_window(ctx)
    assert not window.new_action.isEnabled()  # the home page creates nothing

    window.show_section("cases")
    assert window.new_action.isEnabled()
    assert window.new_action.shortcut().toString() == "Ctrl+N"
    window.new_action.trigger()

    assert opened == [("case", None)]


def test_new_record_is_disabled_for_a_read_only_user(
    ctx_as: Callable[[str], AppContext], make_window: MakeWindow
) -> None:
    window, opened = make_window(ctx_as("read_only"))

    for key in KINDS:
        window.show_section(key)
        assert not window.new_action.isEnabled(), key
    window.new_action.trigger()
    assert opened == []


def test_a_kdd_secretary_creates_meetings_but_not_cases(
    ctx_as: Callable[[str], AppContext], make_window: MakeWindow
) -> None:
    window, _opened = make_window(ctx_as("kdd_secretary"))

    window.show_section("kdd_meetings")
    assert window.new_action.isEnabled()
    window.show_section("cases")
    assert not window.new_action.isEnabled()


def test_an_open_request_of_a_page_opens_the_form(ctx: AppContext, make_window: MakeWindow) -> None:
    _window, opened = make_window(ctx)
    record = uuid.uuid4()

    ctx.open_record("person", record)

    assert opened == [("person", record)]


def test_refresh_search_and_print_go_to_the_current_page(
    qtbot: QtBot, ctx: AppContext, make_window: MakeWindow
) -> None:
    window, _opened = make_window(ctx)
    window.show_section("cases")
    assert not window.print_action.isEnabled()  # this page has nothing to print
    with qtbot.wait_active(window):
        window.activateWindow()

    qtbot.keyClick(window, Qt.Key.Key_F5)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    cases = window.current_page()
    assert isinstance(cases, FakePage)
    assert cases.calls == ["refresh", "focus_search"]

    window.show_section("referrals")
    assert window.print_action.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    referrals = window.current_page()
    assert isinstance(referrals, FakePage)
    assert referrals.calls == ["print_view"]


def test_the_status_bar_names_the_user_the_role_and_the_database(
    ctx: AppContext, make_window: MakeWindow
) -> None:
    window, _opened = make_window(ctx)

    assert "admin" in window.user_label.text()
    assert "Администратор" in window.role_label.text()
    assert ctx.db.describe() in window.database_label.text()


def test_a_page_that_cannot_be_made_is_reported_in_its_place(ctx: AppContext, qtbot: QtBot) -> None:
    def broken(_ctx: AppContext, key: str) -> QWidget:
        if key == "cases":
            raise RuntimeError("no such page")
        return FakePage(key)

    window = MainWindow(ctx, page_factory=broken)
    qtbot.add_widget(window)

    window.show_section("cases")

    assert window.current_page() is not None
    assert not window.new_action.isEnabled()


def test_sign_out_is_asked_of_the_launcher(qtbot: QtBot, ctx: AppContext, make_window: MakeWindow) -> None:
    window, _opened = make_window(ctx)

    with qtbot.wait_signal(window.sign_out_requested):
        window.sign_out_action.trigger()


def test_size_position_and_pane_width_persist_and_pages_save_their_state(
    qtbot: QtBot, ctx: AppContext, make_window: MakeWindow
) -> None:
    first, _opened = make_window(ctx)
    first.resize(QSize(760, 540))
    first.move(QPoint(20, 30))
    first.splitter.setSizes([250, 500])
    first.show_section("households")
    pane = first.splitter.sizes()[0]
    households = first.created_pages()["households"]
    assert isinstance(households, FakePage)

    with qtbot.wait_signal(first.closed):
        first.close()

    assert households.calls == ["save_state"]
    second, _opened = make_window(ctx)
    assert second.size() == QSize(760, 540)
    assert second.pos() == QPoint(20, 30)
    assert second.splitter.sizes()[0] == pane


class StubbornForm(QWidget):
    """A record form whose user answers "Cancel" to the unsaved-changes question."""

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        event.ignore()


def test_the_window_stays_open_while_a_form_keeps_unsaved_changes(
    qtbot: QtBot, ctx: AppContext, make_window: MakeWindow
) -> None:
    window, _opened = make_window(ctx)
    form = StubbornForm(window, Qt.WindowType.Window)
    form.show()
    closed: list[bool] = []
    window.closed.connect(lambda: closed.append(True))

    assert not window.close()

    assert window.isVisible() and form.isVisible()
    assert closed == []


def test_closing_the_window_closes_its_forms(qtbot: QtBot, ctx: AppContext, make_window: MakeWindow) -> None:
    window, _opened = make_window(ctx)
    form = QWidget(window, Qt.WindowType.Window)
    form.show()

    assert window.close()

    assert not form.isVisible()


def test_the_default_factory_makes_the_real_pages(qtbot: QtBot, ctx: AppContext) -> None:
    window = MainWindow(ctx)
    qtbot.add_widget(window)

    for section in window.sections:
        page = window.page(section.key)
        assert type(page).__module__.startswith(("ui.home", "ui.registers", "ui.admin", "ui.exchange")), (
            section.key
        )
        assert page.record_kind == KINDS.get(section.key), section.key  # type: ignore[attr-defined]
    window.close()
