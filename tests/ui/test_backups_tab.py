"""The backups tab: "Back up now" lists the new file, settings are saved, verification, restore request."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from PySide6.QtCore import QSettings, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton

from models.backups import BackupSettings, get_backup_settings, make_backup
from models.database import Database
from models.i18n import gettext

from ui.context import AppContext
from ui.exchange.backups import BackupsTab, requested_restore

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture(autouse=True)
def _background_work_ends() -> Iterator[None]:
    yield
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()


@pytest.fixture
def boxes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes are answered by Cancel (or as a test says) and their texts recorded."""
    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(f"{box.text()}\n{box.informativeText()}")
        return int(QMessageBox.StandardButton.Cancel)

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return shown


def loaded_tab(qtbot: QtBot, ctx: AppContext) -> BackupsTab:
    tab = BackupsTab(ctx)
    qtbot.add_widget(tab)
    tab.resize(1100, 700)
    tab.show()
    qtbot.wait_until(lambda: not tab.is_loading())
    return tab


def cell(tab: BackupsTab, row: int, column: int) -> str:
    return str(tab.model.index(row, column).data(Qt.ItemDataRole.DisplayRole))


def test_back_up_now_lists_the_new_backup(qtbot: QtBot, ctx: AppContext) -> None:
    tab = loaded_tab(qtbot, ctx)
    assert tab.model.rowCount() == 0

    tab.backup_button.click()
    qtbot.wait_until(lambda: tab.model.rowCount() == 1 and not tab.is_loading())

    backup = tab.model.row_at(0)
    assert backup.path.is_file()
    assert gettext("Backup made: {file} ({size}).").split("{file}")[0] in tab.bar.text()
    assert backup.path.name in tab.bar.text()
    assert cell(tab, 0, 2) == gettext("Data folder")
    assert cell(tab, 0, 3) == gettext("checked when made")
    made = backup.made_at.astimezone()
    assert cell(tab, 0, 0) == f"{made:%d.%m.%Y %H:%M}"  # ДД.ММ.ГГГГ ЧЧ:ММ
    assert gettext("Last backup: {moment}.").split("{moment}")[0] in tab.summary.text()


def test_settings_are_saved(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stick = tmp_path / "Ёлкин USB"
    stick.mkdir()
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getExistingDirectory", lambda *_args: str(stick))
    tab = loaded_tab(qtbot, ctx)

    tab.choose_button.click()
    tab.daily_spin.setValue(10)
    tab.weekly_spin.setValue(6)
    tab.save_button.click()

    assert get_backup_settings(ctx.db, ctx.actor) == BackupSettings(str(stick), 10, 6)
    assert tab.bar.text() == gettext("The settings are saved.")


def test_a_relative_extra_folder_is_refused_under_its_field(qtbot: QtBot, ctx: AppContext) -> None:
    tab = loaded_tab(qtbot, ctx)

    tab.folder_edit.setText("backups")
    tab.save_button.click()

    assert tab.fields.error_text("backups.folder")
    assert get_backup_settings(ctx.db, ctx.actor) == BackupSettings()


def test_a_backup_made_to_a_missing_extra_folder_says_so_in_the_tab(
    qtbot: QtBot, ctx: AppContext, tmp_path: Path
) -> None:
    tab = loaded_tab(qtbot, ctx)
    tab.folder_edit.setText(str(tmp_path / "E-drive"))
    tab.save_button.click()

    tab.backup_button.click()
    qtbot.wait_until(lambda: tab.model.rowCount() == 1 and not tab.is_loading())

    assert str(tmp_path / "E-drive") in tab.bar.text()
    assert str(tmp_path / "E-drive") in tab.summary.text()


def test_a_changed_backup_fails_verification(qtbot: QtBot, ctx: AppContext, boxes: list[str]) -> None:
    outcome = make_backup(ctx.db, ctx.actor)
    data = bytearray(outcome.path.read_bytes())
    data[5000] ^= 0xFF
    outcome.path.write_bytes(bytes(data))
    tab = loaded_tab(qtbot, ctx)

    tab.verify_button.click()
    qtbot.wait_until(lambda: cell(tab, 0, 3).startswith(gettext("FAILED: {reason}").split("{reason}")[0]))

    assert boxes and outcome.path.name in boxes[0]


def test_restore_verifies_asks_and_closes_the_window_with_the_request(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = make_backup(ctx.db, ctx.actor)
    asked: list[str] = []

    def agree(box: QMessageBox) -> int:
        asked.append(box.text())
        restore = next(
            b for b in box.buttons() if box.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
        )
        restore.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", agree)
    tab = loaded_tab(qtbot, ctx)

    tab.restore_button.click()
    qtbot.wait_until(lambda: not tab.isVisible())

    assert requested_restore(ctx) == outcome.path
    made = outcome.last.made_at.astimezone()
    assert f"{made:%d.%m.%Y %H:%M}" in asked[0]


def test_cancelling_the_restore_changes_nothing(qtbot: QtBot, ctx: AppContext, boxes: list[str]) -> None:
    make_backup(ctx.db, ctx.actor)
    tab = loaded_tab(qtbot, ctx)

    tab.restore_button.click()
    qtbot.wait_until(lambda: len(boxes) == 1)

    assert tab.isVisible()
    assert requested_restore(ctx) is None


def test_a_head_backs_up_but_neither_restores_nor_changes_the_settings(
    qtbot: QtBot, ctx_as: Callable[[str], AppContext]
) -> None:
    tab = loaded_tab(qtbot, ctx_as("head"))

    assert tab.backup_button.isVisible()
    assert not tab.restore_button.isVisible() and not tab.restore_file_button.isVisible()
    assert not tab.save_button.isEnabled() and not tab.folder_edit.isEnabled()


def test_a_postgresql_database_gets_an_explanation_instead_of_backups(
    qtbot: QtBot, ctx: AppContext, ui_state: QSettings
) -> None:
    url = make_url("postgresql+psycopg://bala@192.168.1.10/office")
    server = Database(create_engine(url), url)  # never connected: the tab reads nothing from it
    tab = BackupsTab(AppContext(server, ctx.actor, ui_state))
    qtbot.add_widget(tab)

    texts = [label.text() for label in tab.findChildren(QLabel)]

    assert any("pg_dump" in text and "192.168.1.10" in text for text in texts)
    assert not tab.is_loading()
    assert tab.findChildren(QPushButton) == []  # nothing to back up or restore here
