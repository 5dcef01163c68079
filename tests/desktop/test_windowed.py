"""The windowed Windows executable has no console (stdout and stderr are None): nothing is lost or crashes."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from models.i18n import _

from desktop import cli
from desktop import main as entry


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts shown in a message box."""
    texts: list[str] = []
    monkeypatch.setattr(entry, "show_message_box", texts.append)
    return texts


def without_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """stdout and stderr as a windowed executable has them (in the test itself: pytest's capture
    puts its own streams back after the fixtures)."""
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)


def test_a_refusal_is_shown_in_a_message_box(
    shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_console(monkeypatch)
    budget = tmp_path / "Үсөнбаева.sqlite"
    budget.write_text("Budget 2026;Q1;Q2\n", encoding="utf-8")

    assert entry.main(["--db", str(budget), "status"]) == 1

    assert shown == [str(_("{path} is not a Bala Korgoo database file.", path=str(budget)))]
    assert sys.stdout is None and sys.stderr is None  # as the program found them


def test_a_crash_names_the_log_in_a_message_box(
    shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_console(monkeypatch)
    log = tmp_path / "logs" / "bala-korgoo.log"
    monkeypatch.setattr(cli, "log_file", lambda: log)

    def broken(_args: object) -> int:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(cli, "_cmd_status", broken)

    assert entry.main(["status"]) == 1

    assert len(shown) == 1 and str(log) in shown[0]
    assert "RuntimeError: disk on fire" in log.read_text(encoding="utf-8")


def test_output_of_a_command_that_succeeds_goes_nowhere_and_shows_nothing(
    shown: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    without_console(monkeypatch)
    assert entry.main(["--help"]) == 0

    assert shown == []


def test_with_a_console_nothing_is_shown_in_a_box(
    shown: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    budget = tmp_path / "budget.sqlite"
    budget.write_text("Budget 2026;Q1;Q2\n", encoding="utf-8")

    assert entry.main(["--db", str(budget), "status"]) == 1

    assert shown == []
    assert str(budget) in capsys.readouterr().err
