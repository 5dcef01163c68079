"""Export from a register page: the filtered, sorted view as shown goes to XLSX or CSV, off the GUI thread."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from openpyxl import load_workbook
from pytestqt.qtbot import QtBot

from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from models.database import copy_sqlite, open_database
from models.demo import generate
from models.i18n import gettext
from models.registers import RegisterQuery, columns, count
from models.services import users
from models.services.users import add_user, authenticate

from ui.context import AppContext
from ui.registers import RegisterPage, export

AS_OF = date(2026, 11, 1)
HEADER_ROW = 5
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def _background_work_ends() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        db = open_database(path)
        generate(db, 60, seed=17, as_of=AS_OF)
        db.dispose()
    return path


@pytest.fixture
def demo_ctx(demo_template: Path, tmp_path: Path, ui_state: QSettings) -> Iterator[AppContext]:
    path = tmp_path / "demo.sqlite"
    copy_sqlite(demo_template, path)
    db = open_database(path, create=False)
    context = AppContext(db, authenticate(db, "admin", "demo-admin-1"), ui_state)
    yield context
    QThreadPool.globalInstance().waitForDone()
    context.deleteLater()
    db.dispose()


def _page(qtbot: QtBot, ctx: AppContext, register: str = "children") -> RegisterPage:
    page = RegisterPage(ctx, register)
    qtbot.add_widget(page)
    with qtbot.wait_signals([page.loaded, page.filter_bar.choices_loaded], timeout=10_000):
        page.resize(1366, 768)
        page.show()
    return page


def _choose(monkeypatch: pytest.MonkeyPatch, target: Path) -> list[Path]:
    """Stand in for the user in the save dialog: *target* is chosen; the suggested paths are kept."""
    suggested: list[Path] = []

    def ask(_parent: QWidget, proposed: Path, _fmt: str) -> Path:
        suggested.append(proposed)
        return target

    monkeypatch.setattr(export, "ask_export_path", ask)
    return suggested


def _export(qtbot: QtBot, page: RegisterPage, fmt: str) -> str:
    assert page.export_button is not None
    menu = page.export_button.menu()
    action = next(a for a in menu.actions() if a.data() == fmt)
    with qtbot.wait_signal(page.exported, timeout=20_000) as blocker:
        action.trigger()
    return str(blocker.args[0])


def test_the_export_action_writes_the_filtered_view_to_xlsx(
    qtbot: QtBot, demo_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, demo_ctx)
    assert page.filter_bar.only_open is not None
    with qtbot.wait_signal(page.loaded, timeout=10_000):
        page.filter_bar.only_open.setChecked(True)
    target = tmp_path / "открытые.xlsx"
    suggested = _choose(monkeypatch, target)
    assert _export(qtbot, page, "xlsx") == str(target)
    with demo_ctx.db.reading() as session:
        expected = count(session, RegisterQuery("children", only_open=True))
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet.max_row == HEADER_ROW + expected
    assert gettext("With an open case") in str(sheet["A4"].value)
    assert suggested[0].name.startswith(gettext("Children")) and suggested[0].suffix == ".xlsx"


def test_the_export_has_the_shown_columns_in_the_shown_order(
    qtbot: QtBot, demo_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _page(qtbot, demo_ctx, "cases")
    page.set_column_visible("risk", False)
    target = tmp_path / "случаи.csv"
    _choose(monkeypatch, target)
    _export(qtbot, page, "csv")
    header = target.read_bytes().decode("utf-8-sig").split("\r\n")[0].split(";")
    by_key = {spec.key: spec for spec in columns("cases")}
    shown = [by_key[key].title() for key in page.shown_columns()]
    assert header == shown
    assert gettext("Risk level") not in header


def test_a_role_without_export_has_no_export_button(qtbot: QtBot, demo_ctx: AppContext) -> None:
    admin = demo_ctx.actor
    add_user(demo_ctx.db, admin, "worker", "Үсөнбаева Ңурзат", "social_worker", "worker-Пароль-1")
    worker_ctx = AppContext(
        demo_ctx.db, authenticate(demo_ctx.db, "worker", "worker-Пароль-1"), demo_ctx.state
    )
    page = _page(qtbot, worker_ctx)
    assert page.export_button is None
    worker_ctx.deleteLater()
