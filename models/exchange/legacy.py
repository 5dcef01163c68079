"""Legacy registers: children, households and reports kept in Excel workbooks and CSV files (DOMAIN.md §7).

Reading a file gives a :class:`SourceTable` (the encoding and separator of a CSV detected, title
lines above the header skipped). A :class:`ColumnMapping` says which column fills which field; one
is proposed from the Russian or Kyrgyz headers and can be edited and saved as JSON. The
:func:`preview` shows each row's values and problems without writing; :func:`import_register`
writes the rows through the services (``register_child``, ``create_household``,
``register_report``) inside one database transaction, so an import is all-or-nothing.
"""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, update
from sqlalchemy.orm import Session, sessionmaker

from models import files
from models.database import Database
from models.duplicates import SAME_NAME_AND_BIRTH_DATE, SAME_PIN, find_duplicates
from models.errors import DomainError, ValidationFailed
from models.exchange.legacy_columns import (
    FIELDS,
    REGISTER_LABELS,
    REGISTERS,
    field_for_header,
    header_key,
)
from models.files import StagedFile
from models.i18n import Message, _, gettext
from models.names import name_key
from models.orm import AdminUnit, AuditHead, ReferenceItem
from models.permissions import Permission
from models.reference import districts, items
from models.services.base import Actor, audit, require, unit_of_work
from models.services.cases import ReportInput, register_report
from models.services.people import (
    add_household_member,
    create_household,
    possible_duplicates,
    register_adult,
    register_child,
)
from models.validation import (
    HouseholdInput,
    PersonInput,
    complete_from_pin,
    format_date,
    local_today,
    person_warnings,
    validate_household,
    validate_person,
)

Cell = str | int | float | date | datetime | None

CSV_SEPARATORS = (";", ",", "\t")
UTF8_BOM = b"\xef\xbb\xbf"
_HEADER_SCAN_ROWS = 15
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_TEXT = re.compile(r"^\d{5}(\.0+)?$")
_DOTTED = re.compile(r"^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2})?)?$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?::\d{2})?$")
_LIST_SPLIT = re.compile(r"[;,/\n]+")

_FEMALE = {"ж", "жен", "женский", "f", "female", "к", "кыз", "кыз бала", "аял", "1"}
_MALE = {"м", "муж", "мужской", "m", "male", "э", "эр", "эркек", "уул", "уул бала", "2"}
_YES = {"да", "ооба", "yes", "y", "1", "+", "true", "x", "х", "v"}
_NO = {"нет", "жок", "no", "n", "0", "-", "false"}


class LegacyFileError(DomainError):
    """The file cannot be read as a register: missing, damaged, an unknown encoding or format."""


class ImportRefused(DomainError):
    """Rows have problems and the import was all-or-nothing: nothing was written."""

    def __init__(self, message: Message, rows: Sequence[RowPreview]) -> None:
        super().__init__(message)
        self.rows = list(rows)


# --- reading files ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceRow:
    """One data row of the file: its number as a spreadsheet shows it, and its cells."""

    number: int
    cells: tuple[Cell, ...]

    def cell(self, column: int) -> Cell:
        return self.cells[column] if column < len(self.cells) else None


@dataclass(frozen=True)
class SourceTable:
    """A register read from a file: how it was read (encoding, separator, sheet), its header and rows."""

    path: Path
    kind: str  # "csv" or "xlsx"
    headers: tuple[str, ...]
    header_row: int
    rows: tuple[SourceRow, ...]
    encoding: str | None = None
    separator: str | None = None
    sheet: str | None = None
    sheets: tuple[str, ...] = ()

    def describe(self) -> str:
        """How the file was read, for people: the encoding and separator, or the sheet."""
        if self.kind == "csv":
            return str(
                _(
                    "CSV, encoding {encoding}, separator {separator}",
                    encoding=self.encoding,
                    separator=separator_name(self.separator or ";"),
                )
            )
        return str(_("Excel workbook, sheet «{sheet}»", sheet=self.sheet))


def separator_name(separator: str) -> str:
    names = {";": gettext("semicolon"), ",": gettext("comma"), "\t": gettext("tab")}
    return names.get(separator, separator)


def read_table(path: Path, *, sheet: str | None = None, register: str = "children") -> SourceTable:
    """Read a CSV or XLSX register, skipping title lines above the header (found by *register*'s headers)."""
    if not path.is_file():
        raise LegacyFileError(_("There is no file {path}.", path=str(path)))
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, sheet, register)
    if suffix in (".csv", ".txt"):
        return _read_csv(path, register)
    if suffix == ".xls":
        raise LegacyFileError(
            _("{path}: old Excel files (.xls) cannot be read; save it as .xlsx or CSV.", path=path.name)
        )
    raise LegacyFileError(_("{path}: only .xlsx and .csv files can be imported.", path=path.name))


def decode_csv(data: bytes, path: Path) -> tuple[str, str]:
    """The text of a CSV file and its encoding: UTF-8 with BOM, UTF-8, or Windows-1251, tried in turn."""
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM) :].decode("utf-8"), "UTF-8 BOM"
        except UnicodeDecodeError:
            raise _bad_encoding(path) from None
    if b"\x00" in data:
        raise _bad_encoding(path)  # UTF-16 (Excel's "Unicode text") or not text at all
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1251"), "Windows-1251"
    except UnicodeDecodeError:
        raise _bad_encoding(path) from None


def _bad_encoding(path: Path) -> LegacyFileError:
    return LegacyFileError(
        _(
            "{path}: the text is neither UTF-8 nor Windows-1251; save the file from Excel as "
            "«CSV UTF-8» and import it again.",
            path=path.name,
        )
    )


def detect_separator(text: str) -> str:
    """The separator of CSV *text*: the one splitting most first lines into equally many fields."""
    sample = [line for line in text.splitlines()[:30] if line.strip()]
    best, best_score = ";", 0
    for separator in CSV_SEPARATORS:
        counts: dict[int, int] = {}
        for fields_ in csv.reader(sample, delimiter=separator):
            if len(fields_) > 1:
                counts[len(fields_)] = counts.get(len(fields_), 0) + 1
        score = max(counts.values(), default=0)
        if score > best_score:
            best, best_score = separator, score
    return best


def _read_csv(path: Path, register: str) -> SourceTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LegacyFileError(
            _("{path} cannot be read: {error}", path=str(path), error=exc.strerror or str(exc))
        ) from None
    text, encoding = decode_csv(data, path)
    separator = detect_separator(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=separator))
    rows = [SourceRow(i, tuple(c.strip() or None for c in record)) for i, record in enumerate(records, 1)]
    return _table(path, "csv", rows, register, encoding=encoding, separator=separator)


def _read_xlsx(path: Path, sheet: str | None, register: str) -> SourceTable:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError):
        raise LegacyFileError(_("{path} is not a readable Excel workbook.", path=path.name)) from None
    try:
        names = tuple(workbook.sheetnames)
        if sheet is not None and sheet not in names:
            raise LegacyFileError(
                _(
                    "The workbook has no sheet «{sheet}»; its sheets: {sheets}.",
                    sheet=sheet,
                    sheets=", ".join(names),
                )
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        rows = [
            SourceRow(i, tuple(_xlsx_cell(value) for value in values))
            for i, values in enumerate(worksheet.iter_rows(values_only=True), 1)
        ]
        title = worksheet.title
    finally:
        workbook.close()
    return _table(path, "xlsx", rows, register, sheet=title, sheets=names)


def _xlsx_cell(value: Any) -> Cell:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float | date | datetime) or value is None:
        return value
    return str(value)


def _table(path: Path, kind: str, rows: list[SourceRow], register: str, **how: Any) -> SourceTable:
    rows = [row for row in rows if any(c is not None for c in row.cells)]
    if not rows:
        raise LegacyFileError(_("{path} holds no rows.", path=path.name))
    header = _header_row(rows, register)
    width = max(len(row.cells) for row in rows)
    headers = tuple(cell_text(header.cell(i)) for i in range(width))
    data = tuple(row for row in rows if row.number > header.number)
    return SourceTable(path, kind, headers, header.number, data, **how)


def _header_row(rows: list[SourceRow], register: str) -> SourceRow:
    """The row naming most of *register*'s fields; else the first with two or more filled cells."""
    scanned = rows[:_HEADER_SCAN_ROWS]
    scores = [
        sum(1 for c in row.cells if isinstance(c, str) and field_for_header(register, c)) for row in scanned
    ]
    if max(scores) > 0:
        return scanned[scores.index(max(scores))]
    return next((row for row in scanned if sum(c is not None for c in row.cells) >= 2), rows[0])


def cell_text(value: Cell) -> str:
    """A cell as text: dates as ДД.ММ.ГГГГ, whole numbers without a fraction (a ПИН stored as a number)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_date(value.date()) if value.time() == time() else value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


# --- dates and values ------------------------------------------------------------------------


def read_date(value: Cell, *, today: date | None = None) -> date | None:
    """A date from a cell: a date cell, an Excel serial number, ДД.ММ.ГГГГ, ДД.ММ.ГГ or ГГГГ-ММ-ДД.

    A two-digit year is put in the century that keeps the date from being in the future.
    Raises ``ValueError`` for text that is not a real date.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return _serial_date(float(value))
    text = value.strip()
    if _SERIAL_TEXT.match(text):
        return _serial_date(float(text))
    dotted = _DOTTED.match(text)
    if dotted:
        day, month, year_text = dotted.groups()
        year = int(year_text)
        if len(year_text) == 2:
            year = _century(year, int(month), int(day), today or local_today())
        return date(year, int(month), int(day))
    iso = _ISO.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        return date(year, month, day)
    raise ValueError(text)


def _serial_date(serial: float) -> date:
    if not 1 <= serial < 2958466:  # Excel's days from 1900-01-01 to 9999-12-31
        raise ValueError(str(serial))
    return _EXCEL_EPOCH + timedelta(days=int(serial))


def _century(year: int, month: int, day: int, today: date) -> int:
    try:
        recent = date(2000 + year, month, day)
    except ValueError:
        return 2000 + year  # not a real date either way; date() then says so
    return 2000 + year if recent <= today else 1900 + year


# --- the column mapping ----------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column (0-based) fills which field of *register*; unmapped columns are not imported."""

    register: str
    columns: dict[int, str]

    def save(self, path: Path) -> None:
        """Write the mapping as JSON (whole or not at all), to reuse with ``--mapping``."""
        payload = {"register": self.register, "columns": {str(k): v for k, v in sorted(self.columns.items())}}
        write_atomically(path, json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8"))

    @classmethod
    def load(cls, path: Path) -> ColumnMapping:
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            register = payload["register"]
            columns = {int(k): str(v) for k, v in payload["columns"].items()}
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            raise LegacyFileError(_("{path} is not a column mapping file.", path=str(path))) from None
        mapping = cls(register, columns)
        mapping.check()
        return mapping

    def check(self) -> None:
        """Refuse a mapping to an unknown register or field, or one field filled from two columns."""
        if self.register not in REGISTERS:
            raise LegacyFileError(_("Unknown register {register}.", register=self.register))
        known = FIELDS[self.register]
        for name in self.columns.values():
            if name not in known:
                raise LegacyFileError(_("The register has no field {field}.", field=name))
        names = list(self.columns.values())
        for name in names:
            if names.count(name) > 1:
                raise LegacyFileError(
                    _("Two columns are mapped to the field «{field}».", field=gettext(known[name]))
                )

    def column_of(self, name: str) -> int | None:
        return next((column for column, mapped in self.columns.items() if mapped == name), None)


def propose_mapping(table: SourceTable, register: str) -> ColumnMapping:
    """A mapping from the headers: each column whose header names a field, the first such column per field."""
    columns: dict[int, str] = {}
    for index, header in enumerate(table.headers):
        name = field_for_header(register, header)
        if name and name not in columns.values():
            columns[index] = name
    return ColumnMapping(register, columns)


def field_label(register: str, name: str) -> str:
    return gettext(FIELDS[register][name])


# --- the preview -----------------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdRecord:
    """A household row: the household, its head (new, or registered already) and its registered children."""

    household: HouseholdInput
    head: PersonInput | None = None
    head_id: uuid.UUID | None = None
    relation_code: str | None = None
    child_ids: tuple[uuid.UUID, ...] = ()


@dataclass(frozen=True)
class RowPreview:
    """A row as it would be imported: its values for people, its problems (which stop it) and warnings."""

    number: int
    values: dict[str, str]
    problems: tuple[Message, ...] = ()
    warnings: tuple[Message, ...] = ()
    duplicate: bool = False
    record: PersonInput | HouseholdRecord | ReportInput | None = None

    @property
    def valid(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class Preview:
    """Every data row of a file read with one mapping."""

    table: SourceTable
    mapping: ColumnMapping
    rows: tuple[RowPreview, ...]

    @property
    def valid(self) -> int:
        return sum(1 for row in self.rows if row.valid)

    @property
    def invalid(self) -> int:
        return len(self.rows) - self.valid

    @property
    def duplicates(self) -> int:
        return sum(1 for row in self.rows if row.duplicate)

    def fields(self) -> list[str]:
        """The mapped fields, in the register's order."""
        mapped = set(self.mapping.columns.values())
        return [name for name in FIELDS[self.mapping.register] if name in mapped]


@dataclass
class _Lookups:
    """Reference data read once per preview: districts, categories, report sources and channels by key."""

    districts: dict[str, uuid.UUID]
    references: dict[str, dict[str, str]]

    @classmethod
    def read(cls, session: Session) -> _Lookups:
        units: dict[str, uuid.UUID] = {}
        for unit in districts(session):
            for key in _unit_keys(unit):
                units.setdefault(key, unit.id)
        references = {
            kind: {key: item.code for item in items(session, kind) for key in _item_keys(item)}
            for kind in ("tjs_category", "report_source", "report_channel", "relation_type")
        }
        return cls(units, references)


_UNIT_WORDS = {"район", "району", "р н", "г", "город", "шаары", "ш"}


def _unit_keys(unit: AdminUnit) -> set[str]:
    keys = {header_key(unit.name_ru), header_key(unit.name_ky)}
    if unit.code:
        keys.add(unit.code)
    return keys | {_short_unit_key(key) for key in keys}


def _short_unit_key(key: str) -> str:
    """«сокулукский район» and «г бишкек» without the word for district or city."""
    words = [w for w in key.split() if w not in _UNIT_WORDS]
    return " ".join(words) or key


def _item_keys(item: ReferenceItem) -> set[str]:
    return {header_key(text) for text in (item.code, item.name_ru, item.name_ky, item.name_en or "") if text}


def _text(row: SourceRow, mapping: ColumnMapping, name: str) -> str | None:
    column = mapping.column_of(name)
    if column is None:
        return None
    text = cell_text(row.cell(column)).strip()
    return text or None


class _RowReader:
    """Reads one row's fields, collecting a problem for each value that cannot be read."""

    def __init__(self, row: SourceRow, mapping: ColumnMapping, lookups: _Lookups, today: date) -> None:
        self.row = row
        self.mapping = mapping
        self.lookups = lookups
        self.today = today
        self.problems: list[Message] = []
        self.values: dict[str, str] = {}

    def text(self, name: str) -> str | None:
        value = _text(self.row, self.mapping, name)
        if value is not None:
            self.values[name] = value
        return value

    def date(self, name: str) -> date | None:
        column = self.mapping.column_of(name)
        if column is None:
            return None
        raw = self.row.cell(column)
        try:
            day = read_date(raw, today=self.today)
        except ValueError:
            self.values[name] = cell_text(raw)
            self.problems.append(
                _("{field}: «{text}» is not a date.", field=self.label(name), text=cell_text(raw))
            )
            return None
        if day is not None:
            self.values[name] = format_date(day)
        return day

    def label(self, name: str) -> str:
        return field_label(self.mapping.register, name)

    def choice(self, name: str, table: Mapping[str, str]) -> str | None:
        text = self.text(name)
        if text is None:
            return None
        value = table.get(header_key(text))
        if value is None:
            self.problems.append(_("{field}: unknown value «{text}».", field=self.label(name), text=text))
        return value

    def flag(self, name: str) -> bool:
        text = self.text(name)
        if text is None or header_key(text) in _NO:
            return False
        if header_key(text) in _YES:
            return True
        self.problems.append(_("{field}: «{text}» is neither yes nor no.", field=self.label(name), text=text))
        return False

    def district(self) -> uuid.UUID | None:
        text = self.text("district")
        if text is None:
            return None
        key = header_key(text)
        unit = self.lookups.districts.get(key) or self.lookups.districts.get(_short_unit_key(key))
        if unit is None:
            self.problems.append(_("District: unknown district «{text}».", text=text))
        return unit

    def name_parts(self, prefix: str = "") -> tuple[str, str, str | None]:
        """Last, first and patronymic: from their own columns, or split from a full-name column."""
        last = self.text(f"{prefix}last_name")
        first = self.text(f"{prefix}first_name")
        patronymic = self.text(f"{prefix}patronymic")
        whole = self.text(f"{prefix}full_name")
        if whole and not (last or first):
            parts = whole.split()
            last = parts[0]
            first = parts[1] if len(parts) > 1 else None
            patronymic = patronymic or (" ".join(parts[2:]) or None)
        return last or "", first or "", patronymic

    def lost_letters(self, *names: str | None) -> None:
        """A «?» in a name: a Kyrgyz letter (Ң, Ө, Ү) that Windows-1251 cannot hold, lost in the CSV."""
        if any(name and "?" in name for name in names):
            self.problems.append(
                _(
                    "Name: contains «?», probably a Kyrgyz letter (Ң, Ө, Ү) lost when the file was "
                    "saved as Windows-1251 CSV; save it as «CSV UTF-8» or .xlsx."
                )
            )


def _sex(reader: _RowReader) -> str | None:
    text = reader.text("sex")
    if text is None:
        return None
    key = header_key(text)
    if key in _FEMALE:
        return "F"
    if key in _MALE:
        return "M"
    reader.problems.append(_("Sex: «{text}» is neither female nor male.", text=text))
    return None


def _child_row(session: Session, reader: _RowReader) -> RowPreview:
    last, first, patronymic = reader.name_parts()
    reader.lost_letters(last, first, patronymic)
    disability = reader.text("disability_notes")
    documents = reader.text("documents_notes")
    data = PersonInput(
        last_name=last,
        first_name=first,
        patronymic=patronymic,
        sex=_sex(reader),
        birth_date=reader.date("birth_date"),
        pin=reader.text("pin"),
        birth_cert_series=reader.text("birth_cert_series"),
        birth_cert_number=reader.text("birth_cert_number"),
        birth_cert_date=reader.date("birth_cert_date"),
        citizenship=reader.text("citizenship"),
        district_id=reader.district(),
        address_text=reader.text("address_text"),
        school=reader.text("school"),
        school_class=reader.text("school_class"),
        disability=disability is not None,
        disability_notes=disability,
        documents_missing=documents is not None,
        documents_notes=documents,
        languages=reader.text("languages"),
        phone=reader.text("phone"),
        notes=reader.text("notes"),
        is_child=True,
    )
    data = complete_from_pin(data.normalized(), today=reader.today)
    problems = reader.problems + [p.message for p in validate_person(data, today=reader.today)]
    warnings = [
        p.message
        for p in person_warnings(data, today=reader.today)
        if not (p.field == "birth_date" and "birth_date" in reader.values)  # there, but not a date
    ]
    duplicate = False
    if data.last_name and data.first_name:
        candidates = possible_duplicates(session, data)
        for candidate in candidates[:3]:
            duplicate = True
            born = format_date(candidate.birth_date) if candidate.birth_date else "—"
            if SAME_NAME_AND_BIRTH_DATE in candidate.reasons:
                problems.append(
                    _(
                        "Probably already registered: {name}, born {born}.",
                        name=candidate.full_name,
                        born=born,
                    )
                )
            elif SAME_PIN in candidate.reasons:
                warnings.append(_("The same ПИН is registered for {name}.", name=candidate.full_name))
            else:
                warnings.append(
                    _(
                        "A similar child is registered: {name}, born {born}.",
                        name=candidate.full_name,
                        born=born,
                    )
                )
    return RowPreview(reader.row.number, reader.values, tuple(problems), tuple(warnings), duplicate, data)


def _household_row(session: Session, reader: _RowReader) -> RowPreview:
    count_text = reader.text("members_count")
    members: int | None = None
    if count_text is not None:
        try:
            members = int(float(count_text.replace(",", ".")))
        except ValueError:
            reader.problems.append(_("Number of members: «{text}» is not a number.", text=count_text))
    data = HouseholdInput(
        district_id=reader.district(),
        address_text=reader.text("address_text"),
        housing=reader.text("housing"),
        income_sources=reader.text("income_sources"),
        benefits=reader.text("benefits"),
        members_count=members,
        notes=reader.text("notes"),
    ).normalized()
    reader.problems += [p.message for p in validate_household(data)]
    if not any(getattr(data, name) for name in ("address_text", "district_id", "notes", "housing")):
        reader.problems.append(_("The row names neither an address nor a district."))
    warnings: list[Message] = []
    head, head_id = _household_head(session, reader, data, warnings)
    relation = reader.choice("head_relation", reader.lookups.references["relation_type"])
    children = tuple(_household_children(session, reader))
    record = HouseholdRecord(data, head, head_id, relation, children)
    problems = tuple(reader.problems)
    return RowPreview(reader.row.number, reader.values, problems, tuple(warnings), False, record)


def _household_head(
    session: Session, reader: _RowReader, household: HouseholdInput, warnings: list[Message]
) -> tuple[PersonInput | None, uuid.UUID | None]:
    """The head of the family the row names: an adult registered already (same ПИН, or same name and
    date of birth), or a new one to register with the household's district and address."""
    last, first, patronymic = reader.name_parts("head_")
    birth_date = reader.date("head_birth_date")
    pin = reader.text("head_pin")
    phone = reader.text("head_phone")
    if not (last or first or patronymic or pin or birth_date or phone):
        return None, None
    reader.lost_letters(last, first, patronymic)
    data = PersonInput(
        last_name=last,
        first_name=first,
        patronymic=patronymic,
        birth_date=birth_date,
        pin=pin,
        district_id=household.district_id,
        address_text=household.address_text,
        phone=phone,
        is_child=False,
    )
    data = complete_from_pin(data.normalized(), today=reader.today)
    problems = [p.message for p in validate_person(data, today=reader.today)]
    reader.problems.extend(_("Head of the family: {problem}", problem=p) for p in problems)
    if problems:
        return data, None
    found = [
        c
        for c in possible_duplicates(session, data)
        if SAME_NAME_AND_BIRTH_DATE in c.reasons
        or (SAME_PIN in c.reasons and name_key(c.full_name).startswith(name_key(data.last_name)))
    ]
    if len(found) == 1:
        warnings.append(
            _(
                "Head of the family: {name} is registered already and is added to the household.",
                name=found[0].full_name,
            )
        )
        return None, found[0].person_id
    if found:
        reader.problems.append(
            _(
                "Head of the family: several registered people match {name}.",
                name=" ".join(p for p in (last, first, patronymic) if p),
            )
        )
    return data, None


_CHILD_BORN = re.compile(r"\(?\s*(\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2})\s*\)?")


def _household_children(session: Session, reader: _RowReader) -> list[uuid.UUID]:
    """The registered children a row lists («Асанова Айгүл 12.03.2015; Асанов Бакыт»), each found by
    name (and date of birth when given); a child not found is a problem: the children register comes first."""
    listed = reader.text("children")
    found: list[uuid.UUID] = []
    for part in re.split(r"[;,\n]+", listed or ""):
        born_match = _CHILD_BORN.search(part)
        birth_date = None
        if born_match is not None:
            try:
                birth_date = read_date(born_match.group(1), today=reader.today)
            except ValueError:
                reader.problems.append(
                    _(
                        "{field}: «{text}» is not a date.",
                        field=reader.label("children"),
                        text=born_match.group(1),
                    )
                )
                continue
            part = part[: born_match.start()] + part[born_match.end() :]
        words = part.split()
        if not words:
            continue
        name = " ".join(words)
        if len(words) < 2:
            reader.problems.append(
                _("Children of the family: «{name}» needs a last and a first name.", name=name)
            )
            continue
        candidates = find_duplicates(
            session,
            last_name=words[0],
            first_name=words[1],
            patronymic=" ".join(words[2:]) or None,
            birth_date=birth_date,
        )
        if birth_date is not None:
            matches = [c for c in candidates if SAME_NAME_AND_BIRTH_DATE in c.reasons]
        else:
            matches = [c for c in candidates if c.score >= 25]
        if len(matches) == 1 and matches[0].person_id not in found:
            found.append(matches[0].person_id)
        elif len(matches) > 1:
            reader.problems.append(
                _(
                    "Children of the family: several registered children match {name}; "
                    "add the date of birth.",
                    name=name,
                )
            )
        elif not matches:
            reader.problems.append(
                _(
                    "Children of the family: {name} is not registered; import the children register first.",
                    name=name,
                )
            )
    return found


def _received_at(reader: _RowReader) -> datetime | None:
    day = reader.date("received_at")
    time_text = reader.text("received_time")
    at = time()
    if time_text is not None:
        match = _TIME.match(time_text)
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            reader.problems.append(_("Time received: «{text}» is not a time.", text=time_text))
        else:
            at = time(int(match.group(1)), int(match.group(2)))
    if day is None:
        if "received_at" not in reader.values:  # else it is there but not a date, already said
            reader.problems.append(_("Date received: required."))
        return None
    moment = datetime.combine(day, at).astimezone()
    if day > reader.today:
        reader.problems.append(_("Date received: cannot be in the future."))
    return moment


def _report_child(session: Session, reader: _RowReader) -> list[uuid.UUID]:
    """The registered child the row names (by name and date of birth, or by ПИН alone), if it names one."""
    last, first, patronymic = reader.name_parts("child_")
    birth_date = reader.date("child_birth_date")
    pin = reader.text("child_pin")
    if not (last or first or pin):
        return []
    candidates = find_duplicates(
        session, last_name=last, first_name=first, patronymic=patronymic, birth_date=birth_date, pin=pin
    )
    if last and first and birth_date:
        matches = [c for c in candidates if SAME_NAME_AND_BIRTH_DATE in c.reasons]
    elif pin:
        matches = [c for c in candidates if SAME_PIN in c.reasons]
    else:
        matches = [c for c in candidates if c.score >= 25]
    if len(matches) == 1:
        return [matches[0].person_id]
    name = " ".join(p for p in (last, first, patronymic) if p) or pin or ""
    if matches:
        reader.problems.append(_("Child: several registered children match {name}.", name=name))
    else:
        reader.problems.append(
            _("Child: {name} is not registered; import the children register first.", name=name)
        )
    return []


def _report_row(session: Session, reader: _RowReader) -> RowPreview:
    received_at = _received_at(reader)
    categories = reader.text("categories")
    codes = []
    for part in _LIST_SPLIT.split(categories or ""):
        if part.strip():
            code = reader.lookups.references["tjs_category"].get(header_key(part))
            if code is None:
                reader.problems.append(_("Categories: unknown category «{text}».", text=part.strip()))
            elif code not in codes:
                codes.append(code)
    anonymous = reader.flag("anonymous")
    reporter = reader.text("reporter_name")
    if not anonymous and not reporter:
        reader.problems.append(_("Reporter: give the name, or mark the report as anonymous."))
    data = ReportInput(
        received_at=received_at or datetime.now().astimezone(),
        source_code=reader.choice("source", reader.lookups.references["report_source"]),
        channel_code=reader.choice("channel", reader.lookups.references["report_channel"]),
        reporter_name=reporter,
        reporter_contact=reader.text("reporter_contact"),
        reporter_agency=reader.text("reporter_agency"),
        anonymous=anonymous,
        concern=reader.text("concern"),
        urgent=reader.flag("urgent"),
        category_codes=tuple(codes),
        child_ids=tuple(_report_child(session, reader)),
    )
    return RowPreview(reader.row.number, reader.values, tuple(reader.problems), (), False, data)


def _same_child_key(row: RowPreview) -> tuple[str, str, date] | None:
    data = row.record
    if not isinstance(data, PersonInput) or data.birth_date is None:
        return None
    return name_key(data.last_name), name_key(data.first_name), data.birth_date


def _mark_repeats(rows: list[RowPreview]) -> list[RowPreview]:
    """A child listed twice in the file: the later rows get a problem naming the first."""
    first_row: dict[tuple[str, str, date], int] = {}
    marked = []
    for row in rows:
        key = _same_child_key(row)
        if key is not None and key in first_row:
            problem = _("The same child as in row {row}.", row=first_row[key])
            row = replace(row, problems=(*row.problems, problem), duplicate=True)
        elif key is not None:
            first_row[key] = row.number
        marked.append(row)
    return marked


def preview(db: Database, actor: Actor, table: SourceTable, mapping: ColumnMapping) -> Preview:
    """Each row's values and problems as :func:`import_register` would find them; writes nothing."""
    require(actor, Permission.IMPORT)
    mapping.check()
    today = local_today()
    with db.reading() as session:
        lookups = _Lookups.read(session)
        rows = []
        for source in table.rows:
            reader = _RowReader(source, mapping, lookups, today)
            if mapping.register == "children":
                rows.append(_child_row(session, reader))
            elif mapping.register == "households":
                rows.append(_household_row(session, reader))
            else:
                rows.append(_report_row(session, reader))
    return Preview(table, mapping, tuple(_mark_repeats(rows)))


def problem_text(row: RowPreview, lang: str | None = None) -> str:
    """The row's problems, then its warnings, in one line."""
    return " ".join(m.render(lang) for m in (*row.problems, *row.warnings))


# --- the import ------------------------------------------------------------------------------


class _OneTransaction(Database):
    """The database seen through one connection in one transaction: each service's commit is a savepoint.

    The services open and commit their own unit of work; here those commits only release a
    savepoint, and the import commits (or rolls back) everything once at the end.
    """

    def __init__(self, db: Database, connection: Connection) -> None:
        super().__init__(db.engine, db.url)
        self._sessions = sessionmaker(
            bind=connection, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )


@contextmanager
def _one_transaction(db: Database) -> Iterator[Database]:
    with db.engine.connect() as connection:
        transaction = connection.begin()
        try:
            # A write first: SQLite's driver begins the transaction only before a write, and a
            # savepoint opened outside a transaction would commit on its own release.
            connection.execute(update(AuditHead).where(AuditHead.id == 1).values(last_id=AuditHead.last_id))
            yield _OneTransaction(db, connection)
            transaction.commit()
        except BaseException:
            transaction.rollback()
            raise


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: the new records' ids, the rows skipped, and where they were reported."""

    register: str
    ids: list[uuid.UUID]
    skipped: list[RowPreview] = field(default_factory=list)
    report_path: Path | None = None


def _write_row(
    db: Database, actor: Actor, row: RowPreview, heads: dict[tuple[str, ...], uuid.UUID]
) -> uuid.UUID:
    """Register the row's record through its service; returns the new record's id.

    *heads* are the heads of families registered by earlier rows of this import, by ПИН and by name
    and date of birth: a head named on two rows is registered once.
    """
    record = row.record
    if isinstance(record, PersonInput):
        return register_child(db, actor, record).id
    if isinstance(record, HouseholdRecord):
        household_id = create_household(db, actor, record.household)
        head_id = record.head_id
        if head_id is None and record.head is not None:
            keys = _head_keys(record.head)
            head_id = next((heads[k] for k in keys if k in heads), None)
            if head_id is None:
                head_id = register_adult(db, actor, record.head).id
                heads.update(dict.fromkeys(keys, head_id))
        if head_id is not None:
            add_household_member(db, actor, household_id, head_id, record.relation_code, is_caregiver=True)
        for child_id in record.child_ids:
            if child_id != head_id:
                add_household_member(db, actor, household_id, child_id, "child")
        return household_id
    assert isinstance(record, ReportInput)  # a valid row always has its record
    return register_report(db, actor, record).id


def _head_keys(person: PersonInput) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    if person.pin:
        keys.append(("pin", person.pin, name_key(person.last_name)))
    if person.birth_date is not None:
        keys.append(
            ("name", name_key(person.last_name), name_key(person.first_name), person.birth_date.isoformat())
        )
    return keys


def default_report_path(source: Path) -> Path:
    """Where the skipped rows go unless the user chooses: beside the source file."""
    return source.with_name(f"{source.stem}.skipped.csv")


def import_register(
    db: Database,
    actor: Actor,
    table: SourceTable,
    mapping: ColumnMapping,
    *,
    skip_invalid: bool = False,
    report_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Write the rows through the services in one transaction.

    All-or-nothing by default: any row with a problem (in the preview, or refused by a service)
    and nothing is written (:class:`ImportRefused` lists the rows). With *skip_invalid* the valid
    rows are written and the others saved to *report_path* (default: beside the source file).
    *progress* gets (rows done, rows in all); an exception it raises stops and rolls back everything.
    """
    require(actor, Permission.IMPORT)
    checked = preview(db, actor, table, mapping)
    invalid = [row for row in checked.rows if not row.valid]
    if invalid and not skip_invalid:
        raise _refused(invalid)
    ids: list[uuid.UUID] = []
    skipped = list(invalid)
    total = len(checked.rows)
    target = (report_path or default_report_path(table.path)) if skip_invalid else None
    staged: StagedFile | None = None
    heads: dict[tuple[str, ...], uuid.UUID] = {}
    try:
        with _one_transaction(db) as batch:
            for done, row in enumerate(checked.rows, 1):
                if row.valid:
                    try:
                        ids.append(_write_row(batch, actor, row, heads))
                    except ValidationFailed as exc:
                        refused = replace(row, problems=tuple(p.message for p in exc.problems))
                        if not skip_invalid:
                            raise _refused([refused]) from None
                        skipped.append(refused)
                if progress is not None:
                    progress(done, total)
            skipped.sort(key=lambda r: r.number)
            with unit_of_work(batch, actor, Permission.IMPORT) as session:
                audit(
                    session,
                    actor,
                    "register.import",
                    details={
                        "register": mapping.register,
                        "file": table.path.name,
                        "rows": total,
                        "imported": len(ids),
                        "skipped": len(skipped),
                    },
                )
            if target is not None and skipped:
                staged = _staged(target, skipped_report(checked, skipped, target))
        if staged is not None:
            try:
                staged.publish()
            except OSError as exc:
                raise _cannot_write(staged.path, exc) from None
    finally:
        if staged is not None and not staged.published:
            staged.discard()
    return ImportResult(mapping.register, ids, skipped, target if skipped else None)


def _refused(rows: list[RowPreview]) -> ImportRefused:
    return ImportRefused(_("Rows with problems: {count}. Nothing was imported.", count=len(rows)), rows)


# --- the report of skipped rows --------------------------------------------------------------


def _neutral(text: str) -> str:
    """A value a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def skipped_report(checked: Preview, skipped: Sequence[RowPreview], path: Path) -> bytes:
    """The skipped rows with their values and problems in the user's language: CSV, or XLSX by *path*."""
    table = checked.table
    source_rows = {row.number: row for row in table.rows}
    header = [gettext("Row"), *table.headers, gettext("Problems")]
    lines = [
        [
            str(row.number),
            *(_neutral(cell_text(source_rows[row.number].cell(i))) for i in range(len(table.headers))),
            _neutral(problem_text(row)),
        ]
        for row in skipped
    ]
    if path.suffix.lower() == ".xlsx":
        return _xlsx_bytes(header, lines)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(lines)
    return UTF8_BOM + buffer.getvalue().encode("utf-8")


def _xlsx_bytes(header: list[str], lines: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(gettext("Skipped rows")[:31])
    sheet.append(header)
    for line in lines:
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cannot_write(path: Path, error: OSError) -> LegacyFileError:
    return LegacyFileError(
        _("The file {path} could not be written: {error}", path=str(path), error=error.strerror or str(error))
    )


def _staged(path: Path, data: bytes) -> StagedFile:
    """*data* in a synced file beside *path*, to be published over it once the import is committed."""
    try:
        staged = StagedFile(path)
    except OSError as exc:
        raise _cannot_write(path, exc) from None
    try:
        staged.file.write(data)
        staged.file.flush()
    except OSError as exc:
        staged.discard()
        raise _cannot_write(path, exc) from None
    return staged


def write_atomically(path: Path, data: bytes) -> None:
    """Write *data* to *path* whole or not at all."""
    try:
        files.write_atomically(path, data)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def register_label(register: str) -> str:
    return gettext(REGISTER_LABELS[register])
