"""The documented format: the manifest and every line a real export writes match the JSON Schemas."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from models.base import Record
from models.database import Database
from models.exchange import format as fmt
from models.exchange.writer import _Reader, _snapshot, _SqliteReader, export_package
from models.orm import Base
from models.services.base import Actor


def validator(name: str) -> Draft202012Validator:
    schema = json.loads((fmt.SCHEMA_DIR / name).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def validate_package(path: Path, depersonalized: bool) -> int:
    """Validate the manifest and every line of the package at *path*; returns the number of lines."""
    checked = 0
    with zipfile.ZipFile(path) as archive:
        validator("manifest.schema.json").validate(json.loads(archive.read(fmt.MANIFEST_MEMBER)))
        for record_type in fmt.RECORD_TYPES:
            suffix = ".depersonalized" if depersonalized else ""
            lines = validator(f"{record_type}{suffix}.schema.json")
            for number, line in enumerate(archive.read(fmt.member_name(record_type)).splitlines(), 1):
                errors = sorted(lines.iter_errors(json.loads(line)), key=str)
                assert not errors, f"{record_type} line {number}: {errors[0].message}"
                checked += 1
    return checked


@pytest.mark.parametrize("depersonalized", [False, True], ids=["personal", "depersonalised"])
def test_every_line_and_the_manifest_of_a_full_package_match_the_schemas(
    office_db: Database, office_admin: Actor, tmp_path: Path, depersonalized: bool
) -> None:
    made = export_package(
        office_db, office_admin, tmp_path, full=True, depersonalized=depersonalized, plaintext=True
    )
    assert validate_package(made.path, depersonalized) == sum(
        c["records"] + c["deleted"] for c in made.counts.values()
    )


def test_schemas_refuse_a_line_with_an_unknown_field(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    made = export_package(office_db, office_admin, tmp_path, plaintext=True)
    with zipfile.ZipFile(made.path) as archive:
        line = json.loads(archive.read(fmt.member_name("persons")).splitlines()[0])
    line["data"]["last_name_key"] = "usenbaeva"
    assert not validator("persons.schema.json").is_valid(line)


def test_schema_file_exists_for_every_record_type_and_variant() -> None:
    names = {path.name for path in fmt.SCHEMA_DIR.glob("*.schema.json")}
    expected = {"manifest.schema.json"}
    for record_type in fmt.RECORD_TYPES:
        expected |= {f"{record_type}.schema.json", f"{record_type}.depersonalized.schema.json"}
    assert names == expected


def test_every_table_has_a_role_in_the_format() -> None:
    """A new table must be made a record type, a sub-record, an association or be declared local."""
    associations = {a.table for assocs in fmt.ASSOCIATIONS.values() for a in assocs}
    known = set(fmt.travelling_tables()) | associations | fmt.NOT_TRAVELLING
    assert set(Base.metadata.tables) == known
    records = {
        mapper.class_.__tablename__ for mapper in Base.registry.mappers if issubclass(mapper.class_, Record)
    }
    assert records == set(fmt.travelling_tables())


def test_every_travelling_table_has_a_depersonalised_whitelist() -> None:
    assert set(fmt.DEPERSONALIZED_COLUMNS) == set(fmt.travelling_tables())
    for table_name, columns in fmt.DEPERSONALIZED_COLUMNS.items():
        assert columns <= set(fmt.table(table_name).columns.keys()), table_name


def comparable(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(lines, key=lambda line: line["id"])


@pytest.mark.parametrize("depersonalized", [False, True], ids=["personal", "depersonalised"])
def test_lines_built_in_sqlite_equal_the_lines_built_in_python(
    office_db: Database, depersonalized: bool
) -> None:
    """SQLite builds the lines itself for speed; PostgreSQL's are built in Python: both must agree."""
    from datetime import date

    conn = _snapshot(office_db)
    try:
        today = date(2026, 12, 7)
        in_sqlite, in_python = (
            _SqliteReader(conn, depersonalized, today),
            _Reader(conn, depersonalized, today),
        )
        for record_type in fmt.RECORD_TYPES:
            fast = [json.loads(line) for batch in in_sqlite.encoded(record_type, None) for line, _ in batch]
            slow = [json.loads(line) for batch in in_python.encoded(record_type, None) for line, _ in batch]
            assert comparable(fast) == comparable(slow), record_type
            ids = [row[0] for row in conn.exec_driver_sql(f'SELECT id FROM "{record_type}" LIMIT 3')]
            chosen = [json.loads(line) for batch in in_sqlite.encoded(record_type, ids) for line, _ in batch]
            assert comparable(chosen) == comparable(
                [line for line in slow if line["id"] in {fmt.uuid_text(i) for i in ids}]
            )
    finally:
        conn.rollback()
        conn.close()
