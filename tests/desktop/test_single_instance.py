"""One copy of the desktop client per database file: a second is refused with a message, not risked."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from PySide6.QtCore import QLockFile, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWizard

from models.errors import DatabaseRefused

from desktop import gui, session

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


@pytest.fixture
def data(qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The data directory (UI state, log) of the test, never the user's."""
    folder = tmp_path / "data"
    monkeypatch.setattr(gui, "data_dir", lambda: folder)
    monkeypatch.setattr(gui, "log_file", lambda: folder / "logs" / "bala-korgoo.log")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    return folder


def held_by_another_copy(database: Path) -> QLockFile:
    """The lock the first copy of the program holds on *database*."""
    lock = QLockFile(str(database) + gui.LOCK_SUFFIX)
    lock.setStaleLockTime(0)
    assert lock.tryLock(0)
    return lock


def test_a_database_open_in_another_copy_is_refused_and_left_untouched(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "Үсөнбаева office.sqlite"
    first = held_by_another_copy(database)
    shown: list[str] = []

    def fake_exec(box: QMessageBox) -> int:
        shown.append(f"{box.text()}\n{box.informativeText()}")
        return 0

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    try:
        assert gui.run_gui(str(database), "ru") == 1
    finally:
        first.unlock()

    assert len(shown) == 1
    assert str(database) in shown[0]
    assert str(os.getpid()) in shown[0]  # which program holds it
    assert not database.exists()  # not created, not migrated
    assert "database refused" in (data / "logs" / "bala-korgoo.log").read_text(encoding="utf-8")


def test_the_lock_is_released_when_the_session_ends(
    data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "office.sqlite"
    held: list[bool] = []

    def cancel_the_setup(wizard: QWizard) -> None:
        held.append(not QLockFile(str(database) + gui.LOCK_SUFFIX).tryLock(0))
        wizard.reject()

    def show_then_cancel(wizard: QWizard) -> None:  # once the event loop runs
        QTimer.singleShot(0, lambda: cancel_the_setup(wizard))

    monkeypatch.setattr(session.SetupWizard, "show", show_then_cancel)

    assert gui.run_gui(str(database), "ru") == 0

    assert held == [True]  # while the client ran

    again = gui.lock_database(database)
    assert again is not None
    again.unlock()


def test_the_lock_of_a_program_that_crashed_is_taken_over(tmp_path: Path) -> None:
    database = tmp_path / "office.sqlite"
    crashed = textwrap.dedent(
        f"""
        import os
        from PySide6.QtCore import QLockFile, QTimer
        lock = QLockFile({str(database) + gui.LOCK_SUFFIX!r})
        assert lock.tryLock(0)
        os._exit(0)  # ends without releasing it, as a crash or a power cut would
        """
    )
    subprocess.run([sys.executable, "-c", crashed], check=True)
    assert (tmp_path / ("office.sqlite" + gui.LOCK_SUFFIX)).exists()

    lock = gui.lock_database(database)

    assert lock is not None
    lock.unlock()


def test_the_same_file_by_another_path_is_the_same_database(tmp_path: Path) -> None:
    (tmp_path / "office").mkdir()
    first = gui.lock_database(tmp_path / "office" / "db.sqlite")
    assert first is not None
    try:
        with pytest.raises(DatabaseRefused):
            gui.lock_database(tmp_path / "office" / ".." / "office" / "db.sqlite")
    finally:
        first.unlock()


def test_a_database_server_is_shared_by_design_and_not_locked() -> None:
    assert gui.lock_database("postgresql://bala@192.168.1.10/office") is None
