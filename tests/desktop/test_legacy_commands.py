"""``bala-korgoo import-register``: a dry run writing nothing, imports whole or not at all, and refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.database import Database
from models.orm import AuditEntry, Person
from models.services.base import Actor

from desktop import cli
from desktop.main import main

from tests.conftest import ADMIN_PASSWORD

REGISTER = (
    "Реестр детей ТЖС\r\n"
    "Фамилия;Имя;Дата рождения;Пол\r\n"
    "Асанова;Айгерим;01.02.2015;ж\r\n"
    "Ёлкин;Иван;03.04.16;м\r\n"
    "Сидоров;;31.02.2015;м\r\n"
)


@pytest.fixture
def office(
    sqlite_db: Database, sqlite_admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Database:
    monkeypatch.setenv("BALAKORGOO_PASSWORD", ADMIN_PASSWORD)
    monkeypatch.setattr(cli, "log_file", lambda: tmp_path / "logs" / "bala-korgoo.log")
    return sqlite_db


def _register(tmp_path: Path, text: str = REGISTER) -> Path:
    path = tmp_path / "реестр.csv"
    path.write_bytes(text.encode("cp1251"))
    return path


def _import(tmp_path: Path, *args: str) -> int:
    return main(["--db", str(tmp_path / "office.sqlite"), "import-register", *args, "--user", "admin"])


def _state(db: Database) -> tuple[int, int]:
    """Persons, and audit entries other than sign-ins (each command signs in)."""
    with db.reading() as session:
        persons = session.scalar(select(func.count()).select_from(Person)) or 0
        entries = (
            session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action != "login"))
            or 0
        )
    return persons, entries


def test_a_dry_run_shows_the_reading_the_mapping_and_the_problems_and_writes_nothing(
    office: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _state(office)
    code = _import(tmp_path, str(_register(tmp_path)), "--register", "children", "--dry-run")
    out = capsys.readouterr().out
    assert code == 0
    assert "кодировка Windows-1251, разделитель — точка с запятой; заголовок в строке 2" in out
    assert "1. «Фамилия» → Фамилия" in out
    assert "Строка 5: Дата рождения: «31.02.2015» — не дата. Имя: обязательное поле." in out
    assert "Строк: 3; без ошибок: 2; с ошибками: 1; вероятных дублей: 0." in out
    assert _state(office) == before


def test_a_register_with_a_bad_row_is_refused_whole(
    office: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _state(office)
    code = _import(tmp_path, str(_register(tmp_path)), "--register", "children")
    assert code == 1
    assert "Строк с ошибками: 1. Ничего не импортировано." in capsys.readouterr().err
    assert _state(office) == before


def test_skip_invalid_imports_the_valid_rows_and_names_the_report(
    office: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _import(tmp_path, str(_register(tmp_path)), "--register", "children", "--skip-invalid")
    out = capsys.readouterr().out
    assert code == 0
    assert "Импортировано: 2." in out
    assert str(tmp_path / "реестр.skipped.csv") in out
    assert _state(office)[0] == 2


def test_a_saved_mapping_is_used_on_the_next_run(
    office: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _register(tmp_path)
    mapping = tmp_path / "mapping.json"
    assert (
        _import(tmp_path, str(source), "--register", "children", "--dry-run", "--save-mapping", str(mapping))
        == 0
    )
    saved = json.loads(mapping.read_text(encoding="utf-8"))
    saved["columns"] = {"0": "first_name", "1": "last_name", "2": "birth_date"}
    mapping.write_text(json.dumps(saved), encoding="utf-8")
    capsys.readouterr()
    assert (
        _import(tmp_path, str(source), "--register", "children", "--mapping", str(mapping), "--dry-run") == 0
    )
    out = capsys.readouterr().out
    assert "1. «Фамилия» → Имя" in out and "4. «Пол» → не импортируется" in out


def test_a_csv_in_an_unexpected_encoding_is_refused(
    office: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _state(office)
    path = tmp_path / "реестр.csv"
    path.write_bytes(REGISTER.encode("utf-16"))
    assert _import(tmp_path, str(path), "--register", "children") == 1
    assert "ни UTF-8, ни Windows-1251" in capsys.readouterr().err
    assert _state(office) == before


def test_an_unreadable_workbook_is_refused(
    office: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "реестр.xlsx"
    path.write_bytes(b"not a workbook")
    assert _import(tmp_path, str(path), "--register", "children") == 1
    assert "не читаемая книга Excel" in capsys.readouterr().err
