"""``bala-korgoo --self-test``: one line per check, exit 0 only when everything the program needs works."""

from __future__ import annotations

from pathlib import Path

import pytest

from PySide6.QtWidgets import QApplication

from models.errors import DatabaseRefused
from models.i18n import _, gettext

from desktop import selftest
from desktop.main import main

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support (propagateSizeHints|raise)")


def lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().out.splitlines()


def test_every_check_passes_and_is_reported_on_its_own_line(
    qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--self-test"]) == 0

    out = lines(capsys)
    assert [line.split(":")[0] for line in out[:-1]] == [
        f"ok    {gettext(check.title)}" for check in selftest.CHECKS
    ]
    assert out[-1] == gettext("Self-test passed.")
    assert any(selftest.KYRGYZ_SAMPLE in line for line in out)
    assert any("qtbase_ru" in line for line in out)  # Qt's own dialogs are translated


def test_a_missing_font_fails_the_self_test_and_names_the_file(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(selftest, "font_files", lambda: [tmp_path / "LiberationSerif-Regular.ttf"])

    assert main(["--self-test"]) == 1

    out = lines(capsys)
    fonts = gettext("PDF in the bundled fonts")
    assert f"FAIL  {fonts}: LiberationSerif-Regular.ttf" in out
    assert all(line.startswith("ok") for line in out if ":" in line and fonts not in line)
    assert out[-1].startswith(gettext("Self-test failed."))


def test_when_no_database_can_be_made_the_checks_that_need_one_say_they_were_skipped(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise DatabaseRefused(_("There is no database at {path}.", path="X:/office.sqlite"))

    monkeypatch.setattr(selftest, "open_database", refuse)

    assert main(["--self-test"]) == 1

    out = lines(capsys)
    failed = [line for line in out if line.startswith("FAIL")]
    assert failed[0] == "FAIL  " + gettext("database created through the migrations") + ": " + str(
        _("There is no database at {path}.", path="X:/office.sqlite")
    )
    skipped = gettext("skipped: the database check failed")
    assert sum(line.endswith(skipped) for line in failed) == 3  # records, the form, sign-in
    assert f"ok    {gettext('PDF in the bundled fonts')}: {selftest.KYRGYZ_SAMPLE}" in out


def test_an_unexpected_error_in_a_check_is_reported_with_where_it_happened(
    qapp: QApplication, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_work: selftest.Workspace) -> str:
        raise KeyError("qtbase")

    monkeypatch.setattr(selftest, "CHECKS", (selftest.Check("translations", broken),))

    assert selftest.run_self_test([]) == 1

    expected = f"FAIL  {gettext('translations')}: KeyError: 'qtbase' (test_selftest.py:"
    assert lines(capsys)[0].startswith(expected)
