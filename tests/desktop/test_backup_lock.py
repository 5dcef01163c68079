"""``bala-korgoo restore`` takes the lock the desktop program holds: never a restore under an open program."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from PySide6.QtCore import QLockFile

from models.i18n import gettext

from desktop import cli
from desktop.dblock import LOCK_SUFFIX
from desktop.main import main

from tests.conftest import ADMIN_PASSWORD
from tests.desktop.test_cli import INIT, folder_state


@pytest.fixture
def office(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An office database with a backup of it at ``backup.sqlite``; the password in the environment."""
    monkeypatch.setattr(cli, "log_file", lambda: tmp_path / "data" / "logs" / "bala-korgoo.log")
    monkeypatch.setenv(cli.ENV_PASSWORD, ADMIN_PASSWORD)
    database = tmp_path / "Үсөнбаева office.sqlite"
    assert main(["--db", str(database), *INIT]) == 0
    assert (
        main(["--db", str(database), "backup", "--user", "admin", "--out", str(tmp_path / "backup.sqlite")])
        == 0
    )
    return database


def restore(database: Path, backup: Path) -> int:
    return main(["--db", str(database), "restore", "--user", "admin", str(backup)])


def test_restore_is_refused_while_the_program_holds_the_database(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    program = QLockFile(str(office) + LOCK_SUFFIX)  # what the desktop program holds while it runs
    program.setStaleLockTime(0)
    assert program.tryLock(0)
    before = folder_state(tmp_path)
    capsys.readouterr()
    try:
        code = restore(office, tmp_path / "backup.sqlite")
    finally:
        program.unlock()

    err = capsys.readouterr().err
    assert code == 1
    message = gettext(
        "The program is open on this database ({path}: process {pid} on the computer {host}); "
        "close it first. Nothing was changed."
    )
    assert err.startswith(message.split("{path}")[0])
    assert str(office) in err and str(os.getpid()) in err
    before.pop(office.name + LOCK_SUFFIX, None)
    assert folder_state(tmp_path) == before  # nothing replaced, nothing kept aside


def test_restore_is_refused_while_another_process_holds_the_database(office: Path, tmp_path: Path) -> None:
    holder = textwrap.dedent(
        f"""
        import sys
        from PySide6.QtCore import QLockFile
        lock = QLockFile({str(office) + LOCK_SUFFIX!r})
        lock.setStaleLockTime(0)
        assert lock.tryLock(0)
        print("locked", flush=True)
        sys.stdin.readline()
        lock.unlock()
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", holder], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "locked"
        refused = restore(office, tmp_path / "backup.sqlite")
    finally:
        process.communicate("\n", timeout=30)

    assert refused == 1
    assert not list(tmp_path.glob("*.replaced-*"))
    assert restore(office, tmp_path / "backup.sqlite") == 0  # the program closed: allowed


def test_restore_goes_ahead_when_no_program_holds_the_database_and_releases_the_lock(
    office: Path, tmp_path: Path
) -> None:
    assert restore(office, tmp_path / "backup.sqlite") == 0

    assert list(tmp_path.glob("*.replaced-*"))  # the old database kept beside it
    after = QLockFile(str(office) + LOCK_SUFFIX)
    assert after.tryLock(0)  # released when the command ended
    after.unlock()


def test_a_backup_needs_no_lock_and_runs_while_the_program_is_open(office: Path, tmp_path: Path) -> None:
    program = QLockFile(str(office) + LOCK_SUFFIX)
    program.setStaleLockTime(0)
    assert program.tryLock(0)
    try:
        code = main(
            ["--db", str(office), "backup", "--user", "admin", "--out", str(tmp_path / "nightly.sqlite")]
        )
    finally:
        program.unlock()

    assert code == 0
    assert (tmp_path / "nightly.sqlite").is_file()
