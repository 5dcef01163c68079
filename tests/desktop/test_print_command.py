"""``bala-korgoo print``: the forms it lists, a referral written to a PDF, and refusals that write nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from models.database import Database
from models.orm import AuditEntry
from models.services.base import Actor
from models.services.reference import OrganisationInput, add_organisation

from desktop import cli
from desktop.main import main

from tests.conftest import ADMIN_PASSWORD
from tests.models.helpers import child_case
from tests.reports.conftest import TODAY, PrintOffice, add_named_child, issued_referral
from tests.reports.pdf import text


@pytest.fixture
def office(
    sqlite_db: Database, sqlite_admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> PrintOffice:
    monkeypatch.setenv("BALAKORGOO_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setattr(cli, "log_file", lambda: tmp_path / "logs" / "bala-korgoo.log")
    child_id = add_named_child(sqlite_db)
    case = child_case(sqlite_db, sqlite_admin, TODAY, child_id=child_id)
    organisation_id = add_organisation(
        sqlite_db,
        sqlite_admin,
        OrganisationInput("Школа № 3 им. Токтогула", "Токтогул атындагы № 3 мектеп", "school"),
    )
    return PrintOffice(sqlite_db, sqlite_admin, child_id, case.id, case.number, organisation_id)


def _print(tmp_path: Path, *args: str) -> int:
    return main(["--db", str(tmp_path / "office.sqlite"), "print", *args])


def test_print_list_names_every_form_and_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["print", "--list"]) == 0
    out = capsys.readouterr().out
    assert "referral  —  Направление" in out
    assert "--number 12/2026" in out and "исходящий № направления" in out


def test_a_referral_is_written_in_the_asked_language_and_the_print_is_recorded(
    office: PrintOffice, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, number = issued_referral(office)
    out = tmp_path / "направление.pdf"
    code = _print(
        tmp_path, "referral", "--number", number, "--lang", "ky", "--out", str(out), "--user", "admin"
    )
    assert code == 0, capsys.readouterr().err
    # --lang ky is the language of the messages as well as of the document.
    assert f"{out}: Жолдомо № {number}, 1 барак." in capsys.readouterr().out
    found = text(out.read_bytes())
    assert "ЖОЛДОМО" in found and "НАПРАВЛЕНИЕ" not in found and "Үсөнбаева Ңурзат" in found
    with office.db.reading() as session:
        assert session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "document.save")
        ).all() == ["document.save"]


def test_an_unknown_number_is_refused_and_no_file_is_written(
    office: PrintOffice, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing.pdf"
    assert _print(tmp_path, "referral", "--number", "77/2026", "--out", str(out), "--user", "admin") == 1
    assert "Направления № 77/2026 нет." in capsys.readouterr().err
    assert not out.exists()


def test_a_folder_that_cannot_be_written_leaves_no_file_and_no_print_record(
    office: PrintOffice, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, number = issued_referral(office)
    out = tmp_path / "нет такой папки" / "r.pdf"
    assert _print(tmp_path, "referral", "--number", number, "--out", str(out), "--user", "admin") == 1
    assert "не удалось записать" in capsys.readouterr().err
    assert not out.parent.exists()
    with office.db.reading() as session:
        assert session.scalars(select(AuditEntry).where(AuditEntry.action.like("document.%"))).all() == []


def test_a_wrong_document_language_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        _print(tmp_path, "referral", "--number", "1/2026", "--lang", "en", "--out", "x.pdf", "--user", "a")
        == 2
    )
    assert "--lang" in capsys.readouterr().err


def test_statistics_go_to_a_workbook_when_the_file_ends_in_xlsx(
    office: PrintOffice, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "отчёт.xlsx"
    period = ["--from", f"01.01.{TODAY.year}", "--to", TODAY.strftime("%d.%m.%Y")]
    code = _print(tmp_path, "statistics", *period, "--lang", "ru", "--out", str(out), "--user", "admin")
    assert code == 0, capsys.readouterr().err
    book = load_workbook(out)
    values = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "Открыто случаев за период" in values
    assert (
        _print(
            tmp_path, "referral", "--number", "1/2026", "--out", str(tmp_path / "r.xlsx"), "--user", "admin"
        )
        == 1
    )
    assert "только в PDF" in capsys.readouterr().err


def test_starting_the_program_does_not_load_the_documents_code() -> None:
    """Only a ``print`` command loads ReportLab and the forms: the desktop program starts without them."""
    code = (
        "import sys; from desktop import cli, gui; import ui.mainwindow; cli.build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith(('reports', 'reportlab'))))"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "[]"
