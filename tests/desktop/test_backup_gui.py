"""The desktop session and backups: a backup when the window closes, and restoring from the backups tab."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtWidgets import QApplication, QMessageBox

from models.backups import Occasion, backups_folder, list_backups, make_backup
from models.database import Database
from models.orm import AuditEntry, Person
from models.services.base import Actor

from ui.context import AppContext
from ui.exchange.backups import request_restore
from ui.mainwindow import MainWindow

from desktop import session

from tests.conftest import ADMIN_PASSWORD
from tests.models.helpers import add_child
from tests.ui.test_mainwindow import fake_factory

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


def _window_with_plain_pages(ctx: AppContext) -> MainWindow:
    return MainWindow(ctx, page_factory=fake_factory)


@pytest.fixture
def launcher(
    qtbot: QtBot, sqlite_db: Database, sqlite_admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[session.Launcher]:
    """A launcher on a set-up office, with the administrator signed in and the main window open."""
    monkeypatch.setattr(session, "MainWindow", _window_with_plain_pages)
    monkeypatch.setattr(QMessageBox, "exec", lambda _box: 0)
    state = QSettings(str(tmp_path / "ui-state.ini"), QSettings.Format.IniFormat)
    result = session.Launcher(sqlite_db, state)
    result.start()
    login = result.login
    assert login is not None
    login.username.setText("admin")
    login.password.setText(ADMIN_PASSWORD)
    login.sign_in_button.click()
    qtbot.wait_until(lambda: result.window is not None)
    yield result
    for widget in (result.wizard, result.login, result.window):
        if widget is not None:
            widget.close()
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()
    result.db.dispose()
    gc.unfreeze()  # signing in froze the objects of the time (keep_out_of_collections)
    gc.unfreeze()


def last_audit(database: Database) -> AuditEntry:
    with database.reading() as session:
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry is not None
    return entry


def test_closing_the_window_makes_a_backup_before_the_session_ends(
    qtbot: QtBot, launcher: session.Launcher, sqlite_db: Database
) -> None:
    window = launcher.window
    assert window is not None and sqlite_db.path is not None

    with qtbot.wait_signal(launcher.finished, timeout=20_000):
        window.close()

    backups = list_backups(backups_folder(sqlite_db.path), sqlite_db.path.stem)
    assert len(backups) == 1
    entry = last_audit(sqlite_db)
    assert (entry.action, entry.username) == ("backup.auto", "admin")


def test_closing_during_the_daily_backup_waits_for_it_and_then_the_exit_backup(
    qtbot: QtBot, launcher: session.Launcher, sqlite_db: Database
) -> None:
    window, ctx = launcher.window, launcher.ctx
    assert window is not None and ctx is not None and sqlite_db.path is not None
    launcher.start_backup(Occasion.DAILY, ctx.actor)
    assert launcher.backing_up()

    with qtbot.wait_signal(launcher.finished, timeout=20_000):
        window.close()

    assert not launcher.backing_up()
    assert list_backups(backups_folder(sqlite_db.path), sqlite_db.path.stem)
    assert last_audit(sqlite_db).action == "backup.auto"


def test_signing_out_backs_up_in_the_background_and_shows_the_sign_in_at_once(
    qtbot: QtBot, launcher: session.Launcher, sqlite_db: Database
) -> None:
    window = launcher.window
    assert window is not None and sqlite_db.path is not None

    window.sign_out_action.trigger()

    assert launcher.login is not None and launcher.login.isVisible()
    qtbot.wait_until(lambda: launcher.backup_task is None)
    assert len(list_backups(backups_folder(sqlite_db.path), sqlite_db.path.stem)) == 1


def test_a_restore_asked_for_by_the_tab_replaces_the_database_and_signs_in_again(
    qtbot: QtBot, launcher: session.Launcher, sqlite_db: Database, sqlite_admin: Actor
) -> None:
    add_child(sqlite_db, "Үсөнбаева", "Ңурзат")
    backup = make_backup(sqlite_db, sqlite_admin).path
    add_child(sqlite_db, "Ёлкин", "Айбек")  # after the backup: gone once it is restored
    assert launcher.window is not None and launcher.ctx is not None and sqlite_db.path is not None

    request_restore(launcher.ctx, backup)
    launcher.window.close()
    qtbot.wait_until(lambda: launcher.login is not None and launcher.login.isVisible(), timeout=20_000)

    assert launcher.db is not sqlite_db
    with launcher.db.reading() as session:
        assert sorted(session.scalars(select(Person.last_name))) == ["Үсөнбаева"]
    assert last_audit(launcher.db).action == "restore"
    assert list(sqlite_db.path.parent.glob("*.replaced-*"))  # the replaced database is kept
    # No exit backup of the database that was being replaced.
    assert len(list_backups(backups_folder(sqlite_db.path), sqlite_db.path.stem)) == 1
