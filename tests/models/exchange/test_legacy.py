"""Legacy registers: Excel and CSV files as offices keep them, read, previewed, imported whole or not."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from models.audit import verify_chain
from models.database import Database
from models.errors import PermissionDenied
from models.exchange.legacy import (
    ColumnMapping,
    ImportRefused,
    LegacyFileError,
    import_register,
    preview,
    problem_text,
    propose_mapping,
    read_date,
    read_table,
)
from models.orm import AuditEntry, Household, Person, Report
from models.services.base import Actor
from models.services.people import register_adult
from models.services.users import add_user, authenticate
from models.validation import PersonInput

from tests.conftest import USER_PASSWORD
from tests.models.helpers import add_child

TODAY = date(2026, 12, 7)

WINDOWS_1251_ROWS = [
    "Реестр детей в трудной жизненной ситуации;;;;;;",
    "Сокулукский район, на 01.12.2026;;;;;;",
    "Фамилия;Имя;Отчество;Дата рождения;ПИН;Пол;Район",
    "Асанова;Айгерим;Бакытовна;01.02.2015;;ж;Сокулукский район",
    "Ёлкин;Иван;;03.04.16;;м;Сокулукский",
    "Иванова;Мария;;2017-05-06;;Ж;41708222",
    "Петров;Петр;;42736;;м;",
]


def _cp1251_csv(path: Path, lines: list[str]) -> Path:
    path.write_bytes("\r\n".join(lines).encode("cp1251") + b"\r\n")
    return path


def _children(db: Database) -> list[tuple[str, str, date | None]]:
    with db.reading() as session:
        rows = session.execute(
            select(Person.last_name, Person.first_name, Person.birth_date).order_by(Person.last_name)
        ).all()
    return [(row.last_name, row.first_name, row.birth_date) for row in rows]


def _count(db: Database, model: type[object]) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_windows_1251_semicolon_csv_is_read_with_its_title_lines_skipped(tmp_path: Path) -> None:
    table = read_table(_cp1251_csv(tmp_path / "реестр.csv", WINDOWS_1251_ROWS))
    assert (table.encoding, table.separator, table.header_row) == ("Windows-1251", ";", 3)
    assert table.headers[:4] == ("Фамилия", "Имя", "Отчество", "Дата рождения")
    assert [row.number for row in table.rows] == [4, 5, 6, 7]


def test_mixed_date_formats_and_district_names_and_codes_are_read(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    table = read_table(_cp1251_csv(tmp_path / "реестр.csv", WINDOWS_1251_ROWS))
    checked = preview(db, admin, table, propose_mapping(table, "children"))
    births = [row.record.birth_date for row in checked.rows if row.record is not None]  # type: ignore[union-attr]
    assert births == [date(2015, 2, 1), date(2016, 4, 3), date(2017, 5, 6), date(2017, 1, 1)]
    assert [row.values.get("district") for row in checked.rows] == [
        "Сокулукский район",
        "Сокулукский",
        "41708222",
        None,
    ]
    assert checked.valid == 4, [problem_text(row) for row in checked.rows]


def test_a_two_digit_year_is_put_in_the_century_that_is_not_in_the_future() -> None:
    assert read_date("05.06.26", today=TODAY) == date(2026, 6, 5)
    assert read_date("25.12.26", today=TODAY) == date(1926, 12, 25)
    assert read_date("01.01.99", today=TODAY) == date(1999, 1, 1)
    assert read_date(45000) == date(2023, 3, 15)
    assert read_date(datetime(2014, 3, 8, 0, 0)) == date(2014, 3, 8)


def test_kyrgyz_headers_of_a_utf8_bom_csv_propose_the_mapping_and_keep_kyrgyz_letters(tmp_path: Path) -> None:
    text = (
        "Фамилиясы,Аты,Атасынын аты,Туулган күнү,ЖИН,Жынысы,Дареги,Белгисиз\n"
        "Үсөнбаева,Ңурзат,Бакыт кызы,01.02.2015,10102201500123,кыз,с. Сокулук,x\n"
    )
    path = tmp_path / "балдар.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    table = read_table(path)
    mapping = propose_mapping(table, "children")
    assert (table.encoding, table.separator) == ("UTF-8 BOM", ",")
    assert mapping.columns == {
        0: "last_name",
        1: "first_name",
        2: "patronymic",
        3: "birth_date",
        4: "pin",
        5: "sex",
        6: "address_text",
    }
    assert table.rows[0].cells[:2] == ("Үсөнбаева", "Ңурзат")


def test_an_xlsx_register_with_title_rows_and_real_date_cells(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Дети"
    sheet.append(["Реестр детей ТЖС"])
    sheet.append([])
    sheet.append(["ФИО", "Дата рождения", "ПИН", "Школа"])
    sheet.append(["Үсөнова Өмүр Ңурланович", datetime(2014, 3, 8), 20803201400456, "Школа № 3"])
    sheet.append(["Usenova Aigul", "08.03.2013", None, None])
    workbook.save(tmp_path / "реестр.xlsx")

    table = read_table(tmp_path / "реестр.xlsx")
    checked = preview(db, admin, table, propose_mapping(table, "children"))
    first, second = checked.rows
    assert (table.sheet, table.header_row) == ("Дети", 3)
    assert first.values == {
        "full_name": "Үсөнова Өмүр Ңурланович",
        "birth_date": "08.03.2014",
        "pin": "20803201400456",
        "school": "Школа № 3",
    }
    assert (first.record.last_name, first.record.patronymic, first.record.sex) == (  # type: ignore[union-attr]
        "Үсөнова",
        "Ңурланович",
        "M",
    )
    assert second.valid and second.record.first_name == "Aigul"  # type: ignore[union-attr]


def test_each_row_gets_its_own_problems(tmp_path: Path, db: Database, admin: Actor) -> None:
    lines = [
        "Фамилия;Имя;Дата рождения;ПИН;Район",
        "Асанова;Айгерим;01.02.2015;10102201500123;",  # valid
        "Бекова;Айым;01.02.2015;30102201500123;",  # bad sex digit
        "Исаева;Айжан;31.02.2015;;",  # impossible date
        ";Азамат;01.02.2015;;",  # no last name
        "Осмонов;Нурбек;01.02.2015;;Нарнийский район",  # unknown district
        "?сенова;Айпери;01.02.2015;;",  # a Kyrgyz letter lost in Windows-1251
    ]
    table = read_table(_cp1251_csv(tmp_path / "реестр.csv", lines))
    checked = preview(db, admin, table, propose_mapping(table, "children"))
    texts = {row.number: problem_text(row) for row in checked.rows}
    assert texts[2] == ""
    assert "первая цифра должна быть 1 (женский пол) или 2 (мужской пол)" in texts[3]
    assert "«31.02.2015» — не дата" in texts[4]
    assert "Фамилия: обязательное поле." in texts[5]
    assert "неизвестный район «Нарнийский район»" in texts[6]
    assert "«?»" in texts[7]
    assert (checked.valid, checked.invalid) == (1, 5)


def test_a_child_already_registered_or_listed_twice_is_a_probable_duplicate(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    add_child(db)  # Үсөнбаева Ңурзат, born 01.02.2015
    path = tmp_path / "балдар.csv"
    path.write_text(
        "Фамилия;Имя;Дата рождения\nҮсөнбаева;Ңурзат;01.02.2015\nАсанова;Айгерим;05.05.2016\n"
        "АСАНОВА;айгерим;2016-05-05\n",
        encoding="utf-8",
    )
    table = read_table(path)
    checked = preview(db, admin, table, propose_mapping(table, "children"))
    texts = [problem_text(row) for row in checked.rows]
    assert "Вероятно, уже зарегистрирован(а): Үсөнбаева Ңурзат, 01.02.2015 г. р." in texts[0]
    assert texts[1] == ""
    assert "Тот же ребёнок, что в строке 3." in texts[2]
    assert checked.duplicates == 2


def test_an_import_with_a_bad_row_writes_nothing(tmp_path: Path, db: Database, admin: Actor) -> None:
    lines = [*WINDOWS_1251_ROWS, "Сидоров;;01.01.2015;;м;"]
    table = read_table(_cp1251_csv(tmp_path / "реестр.csv", lines))
    persons, entries = _count(db, Person), _count(db, AuditEntry)
    with pytest.raises(ImportRefused) as refused:
        import_register(db, admin, table, propose_mapping(table, "children"))
    assert [row.number for row in refused.value.rows] == [8]
    assert str(refused.value) == "Строк с ошибками: 1. Ничего не импортировано."
    assert (_count(db, Person), _count(db, AuditEntry)) == (persons, entries)
    assert not (tmp_path / "реестр.skipped.csv").exists()


def test_a_clean_import_writes_every_child_in_one_audited_transaction(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    table = read_table(_cp1251_csv(tmp_path / "реестр.csv", WINDOWS_1251_ROWS))
    result = import_register(db, admin, table, propose_mapping(table, "children"))
    assert len(result.ids) == 4 and not result.skipped
    assert _children(db) == [
        ("Ёлкин", "Иван", date(2016, 4, 3)),
        ("Асанова", "Айгерим", date(2015, 2, 1)),
        ("Иванова", "Мария", date(2017, 5, 6)),
        ("Петров", "Петр", date(2017, 1, 1)),
    ]
    with db.reading() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(5)).all()
        summary = session.scalar(select(AuditEntry.details).where(AuditEntry.action == "register.import"))
        assert verify_chain(session) == []
    assert actions == ["register.import", *["person.create"] * 4]
    assert json.loads(summary or "{}")["imported"] == 4


def test_skip_invalid_imports_the_valid_rows_and_reports_the_others(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    lines = [*WINDOWS_1251_ROWS, "Сидоров;;01.01.2015;;м;", "=HYPERLINK(1);Ислам;31.02.2015;;м;"]
    table = read_table(_cp1251_csv(tmp_path / "реестр.csv", lines))
    result = import_register(db, admin, table, propose_mapping(table, "children"), skip_invalid=True)
    assert len(result.ids) == 4
    assert result.report_path == tmp_path / "реестр.skipped.csv"
    report = result.report_path.read_bytes()
    assert report.startswith(b"\xef\xbb\xbf")
    lines_out = report.decode("utf-8-sig").splitlines()
    assert lines_out[0].split(";")[0] == "Строка" and lines_out[0].endswith("Ошибки")
    assert lines_out[1].startswith("8;Сидоров;;") and "Имя: обязательное поле." in lines_out[1]
    assert lines_out[2].startswith("9;'=HYPERLINK(1);Ислам")
    assert len(_children(db)) == 4


def test_the_skipped_rows_can_go_to_a_chosen_xlsx_file(tmp_path: Path, db: Database, admin: Actor) -> None:
    lines = [*WINDOWS_1251_ROWS, "Сидоров;;01.01.2015;;м;"]
    table = read_table(_cp1251_csv(tmp_path / "реестр.csv", lines))
    target = tmp_path / "пропущено.xlsx"
    import_register(
        db, admin, table, propose_mapping(table, "children"), skip_invalid=True, report_path=target
    )
    sheet = load_workbook(target).active
    assert sheet is not None
    assert [cell.value for cell in sheet[2]][:3] == ["8", "Сидоров", None]


def test_a_mapping_saved_to_a_file_loads_back_the_same(tmp_path: Path) -> None:
    mapping = ColumnMapping("children", {0: "last_name", 2: "first_name", 5: "birth_date"})
    mapping.save(tmp_path / "mapping.json")
    assert ColumnMapping.load(tmp_path / "mapping.json") == mapping


def test_a_mapping_file_naming_an_unknown_field_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mapping.json").write_text(json.dumps({"register": "children", "columns": {"0": "salary"}}))
    with pytest.raises(LegacyFileError):
        ColumnMapping.load(tmp_path / "mapping.json")


def test_a_csv_in_another_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "реестр.csv"
    path.write_bytes("Фамилия;Имя\nҮсөнбаева;Ңурзат\n".encode("utf-16"))
    with pytest.raises(LegacyFileError) as refused:
        read_table(path)
    assert "ни UTF-8, ни Windows-1251" in str(refused.value)


def test_a_damaged_workbook_is_refused(tmp_path: Path) -> None:
    (tmp_path / "реестр.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(LegacyFileError):
        read_table(tmp_path / "реестр.xlsx")


def test_households_are_imported_with_their_district(tmp_path: Path, db: Database, admin: Actor) -> None:
    path = tmp_path / "семьи.csv"
    path.write_text(
        "Район;Адрес;Количество членов семьи;Пособия\n"
        "Сокулук району;с. Сокулук, ул. Манаса 1;5;үй-бүлөгө көмөк\n",
        encoding="utf-8",
    )
    table = read_table(path, register="households")
    result = import_register(db, admin, table, propose_mapping(table, "households"))
    with db.reading() as session:
        household = session.get(Household, result.ids[0])
        assert household is not None
        assert (household.members_count, household.benefits) == (5, "үй-бүлөгө көмөк")


HOUSEHOLD_ROWS = [
    "Реестр семей в трудной жизненной ситуации;;;;;;",
    "Район;Адрес;ФИО главы семьи;Дата рождения;ПИН;Кем приходится ребенку;Дети",
    "Сокулукский район;с. Сокулук, ул. Манаса 1;Ёлкина Ольга Петровна;15.02.1985;11502198500011;Мать;"
    "Ёлкин Иван (01.02.2015), Иванова Мария",
    "Сокулукский район;с. Сокулук, ул. Манаса 1, кв. 2;Ёлкина Ольга Петровна;15.02.1985;;мать;",
]


def _members(db: Database, household_id: object) -> list[tuple[str, bool, str | None, bool]]:
    """(last name, is a child, relation code, is a caregiver) of each member, in order."""
    with db.reading() as session:
        household = session.get(Household, household_id)
        assert household is not None
        return [
            (m.person.last_name, m.person.is_child, m.relation.code if m.relation else None, m.is_caregiver)
            for m in sorted(household.members, key=lambda m: m.position)
        ]


def test_a_household_comes_with_its_head_and_its_registered_children(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    add_child(db, "Ёлкин", "Иван")
    add_child(db, "Иванова", "Мария")
    table = read_table(_cp1251_csv(tmp_path / "семьи.csv", HOUSEHOLD_ROWS), register="households")
    mapping = propose_mapping(table, "households")
    assert set(mapping.columns.values()) >= {"head_full_name", "head_birth_date", "head_pin", "head_relation"}

    result = import_register(db, admin, table, mapping)

    assert _members(db, result.ids[0]) == [
        ("Ёлкина", False, "mother", True),
        ("Ёлкин", True, "child", False),
        ("Иванова", True, "child", False),
    ]
    assert _members(db, result.ids[1]) == [("Ёлкина", False, "mother", True)]
    with db.reading() as session:
        heads = session.scalars(select(Person).where(Person.is_child.is_(False))).all()
        assert [(p.first_name, p.patronymic, p.pin, p.sex, p.address_text) for p in heads] == [
            ("Ольга", "Петровна", "11502198500011", "F", "с. Сокулук, ул. Манаса 1")
        ]  # registered once, for both rows


def test_a_head_registered_already_is_added_not_registered_again(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    add_child(db, "Ёлкин", "Иван")
    mother = register_adult(
        db, admin, PersonInput(last_name="Ёлкина", first_name="Ольга", birth_date=date(1985, 2, 15))
    ).id
    table = read_table(_cp1251_csv(tmp_path / "семьи.csv", HOUSEHOLD_ROWS[:3]), register="households")
    mapping = propose_mapping(table, "households")

    checked = preview(db, admin, table, mapping)
    assert any("Ёлкина Ольга" in str(warning) for warning in checked.rows[0].warnings)
    with pytest.raises(ImportRefused) as refused:  # Иванова Мария is not registered
        import_register(db, admin, table, mapping)
    assert "Иванова Мария" in problem_text(refused.value.rows[0])
    assert _count(db, Household) == 0

    add_child(db, "Иванова", "Мария")
    result = import_register(db, admin, table, mapping)
    with db.reading() as session:
        household = session.get(Household, result.ids[0])
        assert household is not None
        assert [m.person_id for m in household.members if not m.person.is_child] == [mother]
    assert _count(db, Person) == 3


def test_reports_are_linked_to_registered_children(tmp_path: Path, db: Database, admin: Actor) -> None:
    child_id = add_child(db)
    path = tmp_path / "сообщения.csv"
    path.write_text(
        "Дата поступления;Источник;Заявитель;Категория;Фамилия;Имя;Дата рождения\n"
        "05.11.26;Школа, социальный педагог;Бекова А.;not_in_school;Үсөнбаева;Ңурзат;01.02.2015\n"
        "06.11.2026;Соседи;Орозов Т.;Дети улицы;Токтогулов;Бакыт;01.01.2014\n",
        encoding="utf-8",
    )
    table = read_table(path, register="reports")
    result = import_register(db, admin, table, propose_mapping(table, "reports"), skip_invalid=True)
    with db.reading() as session:
        report = session.get(Report, result.ids[0])
        assert report is not None
        assert [c.id for c in report.children] == [child_id]
        assert report.received_at.astimezone().date() == date(2026, 11, 5)
    assert "Токтогулов Бакыт не зарегистрирован" in problem_text(result.skipped[0])


def test_a_role_without_the_import_permission_is_refused(tmp_path: Path, db: Database, admin: Actor) -> None:
    add_user(db, admin, "aibek", "Тест Айбек", "specialist", USER_PASSWORD)
    specialist = authenticate(db, "aibek", USER_PASSWORD)
    table = read_table(_cp1251_csv(tmp_path / "реестр.csv", WINDOWS_1251_ROWS))
    with pytest.raises(PermissionDenied):
        import_register(db, specialist, table, propose_mapping(table, "children"))
    assert _count(db, Person) == 0


def test_an_import_stopped_after_some_rows_were_written_leaves_nothing(
    tmp_path: Path, db: Database, admin: Actor
) -> None:
    table = read_table(_cp1251_csv(tmp_path / "реестр.csv", WINDOWS_1251_ROWS))
    entries = _count(db, AuditEntry)

    def stop_at_third(done: int, total: int) -> None:
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        import_register(db, admin, table, propose_mapping(table, "children"), progress=stop_at_third)
    assert (_count(db, Person), _count(db, AuditEntry)) == (0, entries)


def test_a_chosen_sheet_is_read_and_a_missing_one_is_named(tmp_path: Path) -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.title = "Свод"
    first.append(["Итого", 2])
    households = workbook.create_sheet("Семьи")
    households.append(["Район", "Адрес"])
    households.append(["Сокулукский район", "с. Сокулук"])
    workbook.save(tmp_path / "реестр.xlsx")

    table = read_table(tmp_path / "реестр.xlsx", sheet="Семьи", register="households")
    assert (table.sheets, table.headers, len(table.rows)) == (("Свод", "Семьи"), ("Район", "Адрес"), 1)
    with pytest.raises(LegacyFileError) as refused:
        read_table(tmp_path / "реестр.xlsx", sheet="Дети")
    assert str(refused.value) == "В книге нет листа «Дети»; её листы: Свод, Семьи."


def test_a_tab_separated_utf8_file_is_read_with_its_separator(tmp_path: Path) -> None:
    path = tmp_path / "реестр.txt"
    path.write_text("Фамилия\tИмя\tАдрес\nЁлкин\tUsenova\tг. Бишкек, ул. Токтогула, 5\n", encoding="utf-8")
    table = read_table(path)
    assert (table.encoding, table.separator) == ("UTF-8", "\t")
    assert table.rows[0].cells == ("Ёлкин", "Usenova", "г. Бишкек, ул. Токтогула, 5")
