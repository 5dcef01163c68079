"""The home page: figures loaded in the background, overdue items that open their record, scopes."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QModelIndex, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QTableView

from models import dashboard
from models.database import Database
from models.i18n import gettext
from models.services.base import Actor
from models.services.cases import CaseInput, open_case
from models.services.people import register_child
from models.validation import PersonInput, local_today

from ui import home
from ui.context import AppContext
from ui.home import STATE_WHOLE_OFFICE, HomePage

# Showing a top-level widget on the offscreen platform warns that it cannot pass size hints on.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def _background_reads_end() -> Iterator[None]:
    """No load of the page outlives its test (and its database)."""
    yield
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()


def _case(
    db: Database,
    admin: Actor,
    worker: Actor | None = None,
    *,
    days_ago: int = 20,
    last: str = "Үсөнбаева",
    first: str = "Ңурзат",
) -> uuid.UUID:
    child = register_child(
        db,
        admin,
        PersonInput(last_name=last, first_name=first, sex="F", birth_date=local_today() - timedelta(3000)),
    )
    return open_case(
        db,
        admin,
        CaseInput(
            child.id,
            local_today() - timedelta(days=days_ago),
            category_codes=("labour_migrants",),
            risk_code="high",
            worker_id=worker.user_id if worker else None,
        ),
    ).id


def _loaded_page(qtbot: QtBot, ctx: AppContext, *, show: bool = False) -> HomePage:
    page = HomePage(ctx)
    qtbot.add_widget(page)
    if show:
        page.resize(1366, 768)
        page.show()
        qtbot.wait_exposed(page)
    qtbot.wait_until(lambda: not page.is_loading() and page.groups_model.rowCount() > 0)
    return page


def _totals(page: HomePage) -> dict[str, int]:
    model = page.groups_model
    return {
        model.index(row, 0).data(Qt.ItemDataRole.UserRole + 2): int(model.index(row, 1).data())
        for row in range(model.rowCount())
    }


def _labels(view: QTableView) -> dict[str, str]:
    model = view.model()
    return {model.index(row, 0).data(): model.index(row, 1).data() for row in range(model.rowCount())}


def _double_click(qtbot: QtBot, view: QTableView, index: QModelIndex) -> None:
    view.scrollTo(index)
    centre = view.visualRect(index).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)  # a double-click follows a click
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def test_the_page_says_it_is_loading_then_shows_the_figures(
    qtbot: QtBot, ctx: AppContext, sqlite_admin: Actor
) -> None:
    _case(ctx.db, sqlite_admin)
    _case(ctx.db, sqlite_admin, last="Ёлкин", first="Артём", days_ago=1)
    page = HomePage(ctx)
    qtbot.add_widget(page)
    assert page.status_label.text() == gettext("Loading…")
    qtbot.wait_until(lambda: not page.is_loading() and page.groups_model.rowCount() > 0)
    assert page.status_label.text() == ""
    # The administrator sees the whole office: one case is 20 days old, the other one day.
    assert _totals(page)["initial_assessment"] == 1
    assert _labels(page.status_view)[gettext("Registered")] == "2"
    assert _labels(page.caseload_view)[gettext("Not assigned")] == "2"
    assert "2" in page.status_box.title()
    assert page.caseload_box.isVisibleTo(page)
    red = page.groups_model.index(0, 1).data(Qt.ItemDataRole.ForegroundRole)
    assert red is not None  # the count of a kind with overdue items is red


def test_a_count_past_the_cap_says_more_than(
    qtbot: QtBot, ctx: AppContext, sqlite_admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _case(ctx.db, sqlite_admin)
    _case(ctx.db, sqlite_admin, last="Ёлкин", first="Артём", days_ago=25)
    # Counting stops at one item, one shown: two overdue initial assessments are "more than 1".
    monkeypatch.setattr(dashboard, "OVERDUE_COUNT_CAP", 1)
    monkeypatch.setattr(home, "load_dashboard", partial(dashboard.load_dashboard, limit=1))
    page = _loaded_page(qtbot, ctx)
    more = gettext("more than {count}").format(count="1")
    assert page.groups_model.index(0, 1).data() == more
    assert page.groups_model.index(0, 1).data(Qt.ItemDataRole.UserRole + 4) == 1
    assert page.overdue_box.title() == gettext("Overdue in the office: {count}").format(count=more)
    assert page.overdue_note.text() == gettext(
        "The {shown} most overdue of more than {total} are shown."
    ).format(shown=1, total="1")
    assert page.items_model.index(0, 1).data() == "Ёлкин Артём"  # the most overdue


def test_double_click_on_an_overdue_item_opens_its_case(
    qtbot: QtBot, ctx: AppContext, sqlite_admin: Actor
) -> None:
    case_id = _case(ctx.db, sqlite_admin)
    page = _loaded_page(qtbot, ctx, show=True)
    assert page.items_model.rowCount() == 1  # the first kind with something overdue is chosen
    with qtbot.wait_signal(ctx.open_requested) as blocker:
        _double_click(qtbot, page.items_view, page.items_model.index(0, 1))
    assert blocker.args == ["case", case_id]


def test_a_specialist_sees_his_own_cases_without_a_scope_choice(
    qtbot: QtBot, ctx_as: Callable[[str], AppContext], sqlite_admin: Actor
) -> None:
    specialist = ctx_as("specialist")
    mine = _case(specialist.db, sqlite_admin, specialist.actor)
    _case(specialist.db, sqlite_admin, last="Usenova", first="Aida")  # nobody's
    page = _loaded_page(qtbot, specialist, show=True)
    assert page.mine_button.isHidden() and page.office_button.isHidden()
    assert not page.caseload_box.isVisibleTo(page)
    assert _totals(page)["initial_assessment"] == 1
    assert page.cases_model.rowCount() == 1
    index = page.cases_view.model().index(0, 1)
    assert index.data() == "Үсөнбаева Ңурзат"
    with qtbot.wait_signal(specialist.open_requested) as blocker:
        _double_click(qtbot, page.cases_view, index)
    assert blocker.args == ["case", mine]


def test_a_kdd_secretary_sees_the_whole_office_and_no_cases_of_her_own(
    qtbot: QtBot, ctx_as: Callable[[str], AppContext], sqlite_admin: Actor
) -> None:
    secretary = ctx_as("kdd_secretary")
    specialist = ctx_as("specialist")
    _case(secretary.db, sqlite_admin, specialist.actor)
    _case(secretary.db, sqlite_admin, last="Ёлкин", first="Артём")  # nobody's
    page = _loaded_page(qtbot, secretary, show=True)
    assert page.mine_button.isHidden() and page.office_button.isHidden()
    assert not page.cases_box.isVisibleTo(page)
    assert page.caseload_box.isVisibleTo(page)
    assert _totals(page)["initial_assessment"] == 2


def test_the_head_switches_between_the_office_and_his_own_cases(
    qtbot: QtBot, ctx_as: Callable[[str], AppContext], sqlite_admin: Actor
) -> None:
    head = ctx_as("head")
    _case(head.db, sqlite_admin)
    page = _loaded_page(qtbot, head, show=True)
    assert page.office_button.isChecked()
    assert _totals(page)["initial_assessment"] == 1
    with qtbot.wait_signal(page.loaded):
        qtbot.mouseClick(page.mine_button, Qt.MouseButton.LeftButton)
    assert _totals(page)["initial_assessment"] == 0  # the head is responsible for no case
    assert not page.caseload_box.isVisibleTo(page)
    page.save_state()
    assert head.state.value(STATE_WHOLE_OFFICE) in (False, "false")
    again = _loaded_page(qtbot, head)
    assert again.mine_button.isChecked()


def test_saved_records_reload_the_page_once_after_a_burst(
    qtbot: QtBot, ctx: AppContext, sqlite_admin: Actor
) -> None:
    page = _loaded_page(qtbot, ctx, show=True)
    assert _totals(page)["initial_assessment"] == 0
    loads: list[None] = []
    page.loaded.connect(lambda: loads.append(None))
    _case(ctx.db, sqlite_admin)
    with qtbot.wait_signal(page.loaded, timeout=5000):
        ctx.announce_change("person")
        ctx.announce_change("case")
    assert _totals(page)["initial_assessment"] == 1
    assert len(loads) == 1
    assert not page.refresh_timer.isActive() and not page.is_loading()  # no second load follows


def test_a_hidden_page_reloads_when_shown_again(qtbot: QtBot, ctx: AppContext, sqlite_admin: Actor) -> None:
    page = _loaded_page(qtbot, ctx)  # never shown
    _case(ctx.db, sqlite_admin)
    with qtbot.wait_signal(page.refresh_timer.timeout):
        ctx.announce_change("case")
    assert not page.is_loading()  # nobody sees it: it waits
    assert _totals(page)["initial_assessment"] == 0
    with qtbot.wait_signal(page.loaded):
        page.show()
    assert _totals(page)["initial_assessment"] == 1


def test_the_models_pass_the_model_tester(
    qtbot: QtBot, ctx: AppContext, sqlite_admin: Actor, qtmodeltester: ModelTester
) -> None:
    _case(ctx.db, sqlite_admin, ctx.actor)
    page = _loaded_page(qtbot, ctx)
    for model in (
        page.cases_model,
        page.groups_model,
        page.items_model,
        page.status_model,
        page.category_model,
        page.caseload_model,
    ):
        qtmodeltester.check(model)
