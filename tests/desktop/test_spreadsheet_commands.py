"""``bala-korgoo export-register``: a register to XLSX or CSV, filtered by the options, and its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from models.database import copy_sqlite, open_database
from models.i18n import gettext
from models.registers import RegisterQuery, count
from models.services.users import add_user, authenticate

from desktop import cli

DEMO_ADMIN = ("admin", "demo-admin-1")  # models.demo.DEMO_USERS
HEADER_ROW = 5


@pytest.fixture(autouse=True)
def _logs_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Crash logs go to the test's folder, never to the user's data directory."""
    monkeypatch.setattr(cli, "log_file", lambda: tmp_path / "data" / "logs" / "bala-korgoo.log")


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "office.sqlite"
    assert cli.run(["--db", str(path), "demo", "--children", "30", "--seed", "5"]) == 0
    return path


@pytest.fixture
def office(demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "office.sqlite"
    copy_sqlite(demo_template, path)
    monkeypatch.setenv("BALAKORGOO_PASSWORD", DEMO_ADMIN[1])
    return path


def _count(path: Path, query: RegisterQuery) -> int:
    db = open_database(path, create=False)
    try:
        with db.reading() as session:
            return count(session, query)
    finally:
        db.dispose()


def _export(office: Path, *args: str) -> int:
    return cli.run(["--db", str(office), "export-register", *args, "--user", DEMO_ADMIN[0]])


def test_the_whole_register_goes_to_xlsx_and_the_file_is_named(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "дети.xlsx"
    assert _export(office, "children", "--out", str(out)) == 0
    rows = _count(office, RegisterQuery("children"))
    sheet = load_workbook(out).active
    assert sheet is not None and sheet.max_row == HEADER_ROW + rows
    assert str(out) in capsys.readouterr().out


def test_csv_is_chosen_by_the_extension_and_the_status_filter_applies(office: Path, tmp_path: Path) -> None:
    out = tmp_path / "случаи.csv"
    assert _export(office, "cases", "--status", "open", "--out", str(out)) == 0
    lines = out.read_bytes().decode("utf-8-sig").split("\r\n")
    assert len([line for line in lines if line]) == 1 + _count(office, RegisterQuery("cases", only_open=True))


def test_an_unknown_status_is_refused_and_writes_nothing(
    office: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "дети.xlsx"
    assert _export(office, "children", "--status", "lost", "--out", str(out)) == 1
    assert "lost" in capsys.readouterr().err
    assert not out.exists()


def test_a_role_without_export_is_refused(
    office: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = open_database(office, create=False)
    try:
        add_user(db, authenticate(db, *DEMO_ADMIN), "reader", "Ёлкин Usenova", "read_only", "reader-Пароль-1")
    finally:
        db.dispose()
    monkeypatch.setenv("BALAKORGOO_PASSWORD", "reader-Пароль-1")
    out = tmp_path / "дети.xlsx"
    code = cli.run(
        ["--db", str(office), "export-register", "children", "--out", str(out), "--user", "reader"]
    )
    assert code == 1
    assert gettext("export data") in capsys.readouterr().err
    assert not out.exists()
