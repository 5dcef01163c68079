"""Register spreadsheets: the XLSX people open (heading, frozen header, autofilter, real dates) and the CSV
for Russian-locale Excel, with formulas neutralised, every filtered row, and nothing written when refused."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import select

from models.database import Database
from models.errors import DomainError, PermissionDenied
from models.exchange.spreadsheets import ExportCancelled, export_register, register_query
from models.i18n import translator
from models.orm import AuditEntry, Person
from models.registers import RegisterQuery, count
from models.services.base import Actor

from tests.conftest import make_user
from tests.models.helpers import add_as_system

HEADER_ROW = 5  # four heading lines, then the header
DANGEROUS = ("=1+2", "+Иванов", "-Петров", "@Асанов", "\tТабов")


def _sheet(path: Path) -> Worksheet:
    sheet = load_workbook(path).active
    assert isinstance(sheet, Worksheet)
    return sheet


def _column(sheet: Worksheet, title: str) -> int:
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    return headers.index(title) + 1


def _add_dangerous_children(db: Database) -> None:
    add_as_system(
        db,
        *(
            Person(last_name=name, first_name="Ңурзат", sex="F", birth_date=date(2015, 2, 1), is_child=True)
            for name in DANGEROUS
        ),
    )


def test_xlsx_has_the_heading_on_top_then_a_frozen_header_with_an_autofilter(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "дети.xlsx"
    result = export_register(office_db, office_admin, "children", path, "xlsx")
    sheet = _sheet(path)
    assert sheet["A1"].value == "Реестр детей, находящихся в трудной жизненной ситуации"
    assert sheet["A2"].value is not None and "Сокулук" in str(sheet["A2"].value)
    assert str(sheet["A3"].value).startswith("Выгружено")
    assert str(sheet["A4"].value).startswith("Фильтры: нет · Сортировка: ФИО")
    assert sheet.cell(HEADER_ROW, 1).value == "ФИО"
    assert sheet.freeze_panes == f"A{HEADER_ROW + 1}"
    last_column = sheet.cell(HEADER_ROW, sheet.max_column).column_letter
    assert sheet.auto_filter.ref == f"A{HEADER_ROW}:{last_column}{HEADER_ROW + result.rows}"


def test_xlsx_dates_are_dates_shown_dd_mm_yyyy_and_ages_are_numbers(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "дети.xlsx"
    export_register(
        office_db,
        office_admin,
        "children",
        path,
        "xlsx",
        RegisterQuery("children", search="Үсөнбаева Ңурзат"),
    )
    sheet = _sheet(path)
    born = sheet.cell(HEADER_ROW + 1, _column(sheet, "Дата рождения"))
    assert born.value == datetime(2015, 2, 1)
    assert born.number_format == "DD.MM.YYYY"
    age = sheet.cell(HEADER_ROW + 1, _column(sheet, "Возраст")).value
    assert isinstance(age, int)
    assert sheet.cell(HEADER_ROW + 1, _column(sheet, "ФИО")).value == "Үсөнбаева Ңурзат Ёлкиновна"


def test_xlsx_times_of_reports_are_date_times_shown_with_the_hour(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "сообщения.xlsx"
    export_register(office_db, office_admin, "reports", path, "xlsx")
    sheet = _sheet(path)
    received = sheet.cell(HEADER_ROW + 1, _column(sheet, "Поступило"))
    assert isinstance(received.value, datetime)
    assert received.number_format == "DD.MM.YYYY HH:MM"


def test_xlsx_column_widths_fit_the_content_within_bounds(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "дети.xlsx"
    export_register(office_db, office_admin, "children", path, "xlsx")
    sheet = _sheet(path)
    widths = {key: dim.width for key, dim in sheet.column_dimensions.items()}
    name_letter = sheet.cell(HEADER_ROW, _column(sheet, "ФИО")).column_letter
    sex_letter = sheet.cell(HEADER_ROW, _column(sheet, "Пол")).column_letter
    assert widths[name_letter] > widths[sex_letter]
    assert all(8 <= width <= 60 for width in widths.values())


def test_xlsx_states_the_filters_in_force_in_the_users_language(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "дети.xlsx"
    query = RegisterQuery("children", statuses=("monitoring",), date_from=date(2025, 1, 1))
    export_register(office_db, office_admin, "children", path, "xlsx", query, lang="ky")
    filters = str(_sheet(path)["A4"].value)
    gettext = translator("ky")
    assert filters.startswith(gettext("Filters: {filters}").format(filters=""))
    assert gettext("Monitoring") in filters
    assert "01.01.2025" in filters


def test_xlsx_holds_every_row_the_filters_find_not_a_page(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    query = RegisterQuery("children", only_open=True, limit=5)
    with office_db.reading() as session:
        expected = count(session, query)
    assert expected > 5
    path = tmp_path / "дети.xlsx"
    result = export_register(office_db, office_admin, "children", path, "xlsx", query)
    assert result.rows == expected
    assert _sheet(path).max_row == HEADER_ROW + expected


def test_xlsx_keeps_the_sort_of_the_view(office_db: Database, office_admin: Actor, tmp_path: Path) -> None:
    path = tmp_path / "дети.xlsx"
    query = RegisterQuery("children", sort="birth_date", descending=True)
    export_register(office_db, office_admin, "children", path, "xlsx", query)
    sheet = _sheet(path)
    column = _column(sheet, "Дата рождения")
    born = [
        row[0]
        for row in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=column, max_col=column, values_only=True)
    ]
    known = [day for day in born if day is not None]
    assert known == sorted(known, reverse=True)


def test_xlsx_writes_formula_like_names_as_text_that_excel_does_not_evaluate(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    _add_dangerous_children(office_db)
    path = tmp_path / "дети.xlsx"
    export_register(
        office_db, office_admin, "children", path, "xlsx", RegisterQuery("children", search="Ңурзат")
    )
    sheet = _sheet(path)
    column = _column(sheet, "ФИО")
    cells = {
        str(cell.value): cell
        for (cell,) in sheet.iter_rows(min_row=HEADER_ROW + 1, min_col=column, max_col=column)
    }
    for name in DANGEROUS:
        cell = cells[f"{name} Ңурзат"]
        assert cell.data_type == "s"
        assert cell.quotePrefix


def test_csv_prefixes_formula_like_names_with_an_apostrophe(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    _add_dangerous_children(office_db)
    path = tmp_path / "дети.csv"
    export_register(
        office_db, office_admin, "children", path, "csv", RegisterQuery("children", search="Ңурзат")
    )
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline=""), delimiter=";"))
    names = {row[0] for row in rows[1:]}
    assert {f"'{name} Ңурзат" for name in DANGEROUS} <= names


def test_csv_is_utf8_with_bom_semicolons_crlf_header_first_and_keeps_kyrgyz_letters(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "дети.csv"
    result = export_register(office_db, office_admin, "children", path, "csv")
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode("utf-8").split("\r\n")
    assert lines[0].split(";")[:3] == ["ФИО", "Пол", "Дата рождения"]
    assert len([line for line in lines if line]) == result.rows + 1
    assert any(line.startswith("Үсөнбаева Ңурзат Ёлкиновна;Женский;01.02.2015;") for line in lines)


def test_every_register_exports(office_db: Database, office_admin: Actor, tmp_path: Path) -> None:
    for register in ("reports", "cases", "households", "referrals", "kdd_meetings"):
        path = tmp_path / f"{register}.xlsx"
        result = export_register(office_db, office_admin, register, path, "xlsx")
        with office_db.reading() as session:
            assert result.rows == count(session, RegisterQuery(register)), register
        assert _sheet(path).max_row == HEADER_ROW + result.rows


def test_the_export_is_audited_without_personal_data(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "дети.csv"
    export_register(
        office_db, office_admin, "children", path, "csv", RegisterQuery("children", search="Үсөнбаева Ңурзат")
    )
    with office_db.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "register.export")).one()
    details = json.loads(entry.details)
    assert details["register"] == "children" and details["format"] == "csv" and details["rows"] == 1
    assert details["filters"] == ["search"]
    assert "Үсөнбаева" not in entry.details


def test_a_role_without_export_writes_no_file(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    worker = make_user(office_db, office_admin, "worker", "social_worker")
    path = tmp_path / "дети.xlsx"
    with pytest.raises(PermissionDenied):
        export_register(office_db, worker, "children", path, "xlsx")
    assert not path.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".дети")]


def test_a_cancelled_export_leaves_the_old_file_untouched(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    path = tmp_path / "дети.xlsx"
    path.write_bytes(b"the old file")
    with pytest.raises(ExportCancelled):
        export_register(office_db, office_admin, "children", path, "xlsx", cancelled=lambda: True)
    assert path.read_bytes() == b"the old file"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_progress_reaches_the_number_of_rows(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    seen: list[tuple[int, int]] = []
    result = export_register(
        office_db,
        office_admin,
        "children",
        tmp_path / "дети.csv",
        "csv",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[-1] == (result.rows, result.rows)


def test_register_query_refuses_an_unknown_status(office_db: Database) -> None:
    with pytest.raises(DomainError) as caught:
        register_query(office_db, "children", statuses=["lost"])
    assert "lost" in str(caught.value) and "monitoring" in str(caught.value)
