"""Any register view as a spreadsheet: XLSX for people, CSV for Russian-locale Excel.

The export reads the same :class:`~models.registers.RegisterQuery` as the register page (its
filters and sort), every matching row: the ordered ids in one statement, then the rows in
blocks (:func:`models.registers.rows_by_ids`), written as they come. The XLSX states on top
what it holds (register, office, time of export, filters), then a frozen header row with an
autofilter; dates are real dates shown ДД.ММ.ГГГГ, numbers are numbers. The CSV is UTF-8
with a BOM, semicolons and CRLF, so that Excel set to Russian opens it as is; its first line is
the header (Excel, and any import, takes the first line for the column names), so the filters
are stated only in the XLSX.

The XLSX is written with XlsxWriter, row by row in constant memory: openpyxl takes about 23 s for
the cells of 100,000 children alone, most of the 30 s the whole export may take.

Text that a spreadsheet would take for a formula (starting with = + - @, a tab or a CR) is
neutralised: a text cell with Excel's "quote prefix" in XLSX, a leading apostrophe in CSV.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain, islice
from operator import attrgetter
from pathlib import Path
from typing import IO, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.database import Database
from models.errors import DomainError
from models.files import StagedFile
from models.i18n import N_, _, current_language, translator
from models.orm import AdminUnit, ReferenceItem, User
from models.papers import office_header
from models.permissions import Permission
from models.registers import (
    CASE_STATUS_LABELS,
    KDD_STATUS_LABELS,
    REFERRAL_STATUS_LABELS,
    REGISTERS,
    REPORT_DECISION_LABELS,
    ColumnSpec,
    IdSnapshot,
    RegisterQuery,
    RegisterRow,
    check_category_codes,
    columns,
    default_sort,
    filters,
    ordered_ids,
    rows_by_ids,
)
from models.services.base import Actor, audit, require, unit_of_work
from models.validation import format_date

Format = Literal["xlsx", "csv"]
FORMATS: tuple[Format, ...] = ("xlsx", "csv")
Cell = str | int | date | datetime | None

# What each register is called on top of its spreadsheet, and its sheet's (short) name.
REGISTER_TITLES = {
    "children": N_("Register of children in difficult life situations"),
    "reports": N_("Journal of reports"),
    "cases": N_("Register of cases"),
    "households": N_("Register of households"),
    "referrals": N_("Register of referrals"),
    "kdd_meetings": N_("Register of KDD meetings"),
}
_SHEET_NAMES = {
    "children": N_("Children"),
    "reports": N_("Report log"),
    "cases": N_("Cases"),
    "households": N_("Households"),
    "referrals": N_("Referrals"),
    "kdd_meetings": N_("KDD meetings"),
}
# The status filter of each register: the labels of its codes and its name on the filter bar.
_STATUS_LABELS = {
    "children": CASE_STATUS_LABELS,
    "reports": REPORT_DECISION_LABELS,
    "cases": CASE_STATUS_LABELS,
    "referrals": REFERRAL_STATUS_LABELS,
    "kdd_meetings": KDD_STATUS_LABELS,
}
_STATUS_TITLES = {"reports": N_("Decision")}
# What "only open" means in each register, and the column whose date the date range bounds.
_ONLY_OPEN = {
    "children": N_("With an open case"),
    "reports": N_("Pending decision"),
    "cases": N_("Open cases only"),
    "referrals": N_("Awaiting reply"),
    "kdd_meetings": N_("Planned"),
}
_DATE_COLUMNS = {
    "children": "registered_on",
    "reports": "received_at",
    "cases": "opened_on",
    "referrals": "issued_on",
    "kdd_meetings": "meeting_date",
}
_BLOCK = 1000
EXCEL_MAX_ROWS = 1_048_576
_HEADING_ROWS = 5  # the heading's four lines and the header (see _heading)
_SEPARATOR = " · "
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
_MIN_WIDTH = 8
_MAX_WIDTH = 60
_HEADER_WIDTH = 18  # a longer column title wraps in its header row


class ExportCancelled(DomainError):
    """The user cancelled the export; no file was written."""


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: the number of data rows, the file and its size in bytes."""

    rows: int
    path: Path
    size: int


def export_register(
    db: Database,
    actor: Actor,
    register: str,
    path: Path,
    fmt: Format,
    query: RegisterQuery | None = None,
    *,
    columns: Sequence[str] | None = None,
    lang: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> ExportResult:
    """Write every row of *register* matching *query* (its filters and sort) to *path*, whole or not at all.

    *query* None exports the whole register in its default order; its offset and limit are
    ignored. *columns* are the column keys in the order wanted (all the register's when None);
    *lang* the language of titles, codes and reference names (the UI's when None). *progress*
    gets (rows written, rows in all) after each block; *cancelled* returning True stops the
    export with :class:`ExportCancelled`. Needs :attr:`Permission.EXPORT`; the export is audited
    ("register.export") with the register, the format, the row count and the filters' names.
    """
    if register not in REGISTERS:
        raise DomainError(
            _(
                "Unknown register {name}; the registers are: {names}.",
                name=register,
                names=", ".join(REGISTERS),
            )
        )
    if fmt not in FORMATS:
        raise DomainError(_("Unknown format {format}; choose xlsx or csv.", format=fmt))
    require(actor, Permission.EXPORT)
    lang = lang or current_language()
    query = dataclasses.replace(query or RegisterQuery(register), offset=0, lang=lang)
    if query.register != register:
        raise ValueError(f"the query is of the {query.register} register, not {register}")
    specs = _chosen_columns(register, columns)
    try:
        with StagedFile(path) as staged:
            with db.reading() as session:
                ids = ordered_ids(session, query)
                rows = _rows(session, query, ids, progress, cancelled)
                table = _Table(specs, lang, rows)
                if fmt == "xlsx":
                    _check_fits_a_sheet(len(ids))
                    _write_xlsx(
                        staged.file, table, _heading(session, actor, query, lang, len(ids)), register, lang
                    )
                else:
                    _write_csv(staged.file, table)
                size = staged.file.tell()
            with unit_of_work(db, actor, Permission.EXPORT) as session:
                audit(
                    session,
                    actor,
                    "register.export",
                    details=_audit_details(query, fmt, table.count),
                )
                session.flush()
                staged.publish()
    except OSError as exc:
        raise DomainError(
            _("The file {path} could not be written: {error}", path=str(path), error=exc.strerror or str(exc))
        ) from None
    return ExportResult(table.count, path, size)


def register_query(
    db: Database,
    register: str,
    *,
    search: str = "",
    statuses: Sequence[str] = (),
    categories: Sequence[str] = (),
    date_from: date | None = None,
    date_to: date | None = None,
) -> RegisterQuery:
    """The query of a register with filters given as codes (the command's options); bad ones are refused.

    The status ``open`` stands for "only open" (an open case, a pending decision …), ``overdue``
    for the referrals whose reply is overdue.
    """
    if register not in REGISTERS:
        raise DomainError(
            _(
                "Unknown register {name}; the registers are: {names}.",
                name=register,
                names=", ".join(REGISTERS),
            )
        )
    supported = filters(register)
    wanted = list(statuses)
    flags = {flag: flag in wanted for flag in ("open", "overdue")}
    codes = [code for code in wanted if code not in flags]
    known_statuses = list(_STATUS_LABELS.get(register, {}))
    unknown = [code for code in codes if code not in known_statuses]
    if (flags["overdue"] and "overdue" not in supported) or (flags["open"] and "only_open" not in supported):
        unknown += [flag for flag, on in flags.items() if on]
    offered = ["open", *known_statuses] if "only_open" in supported else known_statuses
    if "overdue" in supported:
        offered.append("overdue")
    if unknown and not offered:
        raise DomainError(_("The register {name} has no statuses to filter by.", name=register))
    if unknown:
        raise DomainError(
            _(
                "Unknown status {codes}; the statuses of this register are: {known}.",
                codes=", ".join(unknown),
                known=", ".join(offered),
            )
        )
    if categories:
        if "categories" not in supported:
            raise DomainError(_("The register {name} has no categories to filter by.", name=register))
        with db.reading() as session:
            check_category_codes(session, categories)
    if (date_from or date_to) and "date_range" not in supported:
        raise DomainError(_("The register {name} has no dates to filter by.", name=register))
    if date_from and date_to and date_from > date_to:
        raise DomainError(_("The period starts after it ends: check the dates."))
    return RegisterQuery(
        register,
        search=search,
        statuses=tuple(codes),
        categories=tuple(categories),
        date_from=date_from,
        date_to=date_to,
        only_open=flags["open"],
        overdue=flags["overdue"],
    )


def filter_lines(session: Session, query: RegisterQuery, lang: str) -> list[str]:
    """The filters *query* sets, as "name: value" lines in *lang*, in the order of the page's filter bar."""
    gettext = translator(lang)
    register = query.register
    lines: list[str] = []

    def line(label: str, value: str = "") -> None:
        lines.append(f"{gettext(label)}: {value}" if value else gettext(label))

    if query.search.strip():
        line(N_("Search"), query.search.strip())
    if query.categories:
        names = session.execute(
            select(ReferenceItem.name_en, ReferenceItem.name_ru, ReferenceItem.name_ky)
            .where(ReferenceItem.kind == "tjs_category", ReferenceItem.code.in_(query.categories))
            .order_by(ReferenceItem.sort_order, ReferenceItem.code)
        ).all()
        line(N_("Categories"), "; ".join({"ru": ru, "ky": ky}.get(lang, en) for en, ru, ky in names))
    if query.statuses:
        labels = _STATUS_LABELS.get(register, {})
        title = _STATUS_TITLES.get(register, N_("Status"))
        line(title, ", ".join(gettext(labels[code]) if code in labels else code for code in query.statuses))
    if query.worker_id is not None:
        worker = session.get(User, query.worker_id)
        line(N_("Social worker"), worker.full_name if worker else "")
    if query.district_id is not None:
        unit = session.get(AdminUnit, query.district_id)
        line(N_("District"), (unit.name_ky if lang == "ky" else unit.name_ru) if unit else "")
    if query.date_from is not None or query.date_to is not None:
        date_spec = next(spec for spec in columns(register) if spec.key == _DATE_COLUMNS[register])
        line(date_spec.header, _period(gettext, query.date_from, query.date_to))
    if query.only_open:
        line(_ONLY_OPEN[register])
    if query.overdue:
        line(N_("Overdue replies only"))
    if query.urgent_only:
        line(N_("Urgent only"))
    return lines


def sheet_name(register: str, lang: str) -> str:
    """The register's short name in *lang*, fit for a sheet or a file name (no [ ] : * ? / \\)."""
    return translator(lang)(_SHEET_NAMES[register]).translate(_INVALID_IN_SHEET_NAMES)[:31]


def neutralised(text: str) -> str:
    """*text* as a CSV cell that no spreadsheet runs as a formula: a leading apostrophe if needed."""
    return "'" + text if text.startswith(_DANGEROUS_START) else text


# --- reading ----------------------------------------------------------------------------


def _chosen_columns(register: str, keys: Sequence[str] | None) -> list[ColumnSpec]:
    specs = columns(register)
    if not keys:
        return specs
    by_key = {spec.key: spec for spec in specs}
    return [by_key[key] for key in keys if key in by_key] or specs


def _rows(
    session: Session,
    query: RegisterQuery,
    ids: IdSnapshot,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> Iterator[RegisterRow]:
    """The rows of *ids*, read a block at a time; reports progress and stops when cancelled."""
    total = len(ids)
    for start in range(0, total, _BLOCK):
        if cancelled is not None and cancelled():
            raise ExportCancelled(_("The export was cancelled; no file was written."))
        yield from rows_by_ids(session, query, ids[start : start + _BLOCK])
        if progress is not None:
            progress(min(start + _BLOCK, total), total)
    if cancelled is not None and cancelled():
        raise ExportCancelled(_("The export was cancelled; no file was written."))


class _Table:
    """The chosen columns of the rows as typed cells: text, numbers, dates, local date-times."""

    def __init__(self, specs: Sequence[ColumnSpec], lang: str, rows: Iterator[RegisterRow]) -> None:
        self.specs = list(specs)
        self.headers = [spec.title(lang) for spec in self.specs]
        self._cells = [_cell_reader(spec, lang) for spec in self.specs]
        self._rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[list[Cell]]:
        cells = self._cells
        for row in self._rows:
            self.count += 1
            yield [cell(row) for cell in cells]


def _cell_reader(spec: ColumnSpec, lang: str) -> Callable[[RegisterRow], Cell]:
    """How one column's cell is made from a row, decided once per column."""
    get = attrgetter(spec.key)
    gettext = translator(lang)
    if spec.type == "bool":
        yes, no = gettext(N_("Yes")), gettext(N_("No"))
        return lambda row: None if get(row) is None else (yes if get(row) else no)
    if spec.type == "datetime":
        return lambda row: None if get(row) is None else get(row).astimezone().replace(tzinfo=None)
    if spec.labels is not None:
        labels = {code: gettext(label) for code, label in spec.labels.items()}
        return lambda row: None if get(row) is None else labels.get(get(row), get(row))
    return get


def _period(gettext: Callable[[str], str], start: date | None, end: date | None) -> str:
    if start is not None and end is not None:
        return gettext(N_("from {start} to {end}")).format(start=format_date(start), end=format_date(end))
    if start is not None:
        return gettext(N_("from {start}")).format(start=format_date(start))
    assert end is not None
    return gettext(N_("until {end}")).format(end=format_date(end))


def _heading(session: Session, actor: Actor, query: RegisterQuery, lang: str, total: int) -> list[str]:
    """The four lines on top of the sheet: register; office; time of export and row count; filters and sort.

    Few lines, since they stay frozen above the header with it: a laptop screen keeps room for rows.
    """
    gettext = translator(lang)
    office = office_header(session)
    department = office.department.ky if lang == "ky" else office.department.ru
    district = office.district.ky if lang == "ky" else office.district.ru
    now = datetime.now().astimezone()
    key, descending = (query.sort, query.descending) if query.sort else default_sort(query.register)
    sort_spec = next(spec for spec in columns(query.register) if spec.key == key)
    shown = filter_lines(session, query, lang)
    direction = gettext(N_("descending") if descending else N_("ascending"))
    return [
        gettext(REGISTER_TITLES[query.register]),
        ", ".join(part for part in (department, district) if part),
        _SEPARATOR.join(
            (
                gettext(N_("Exported on {date} at {time} by {user}")).format(
                    date=format_date(now.date()),
                    time=now.strftime("%H:%M"),
                    user=actor.full_name or actor.username,
                ),
                gettext(N_("Rows: {count}")).format(count=total),
            )
        ),
        _SEPARATOR.join(
            (
                gettext(N_("Filters: {filters}")).format(
                    filters="; ".join(shown) if shown else gettext(N_("none"))
                ),
                f"{gettext(N_('Sorted by'))}: {sort_spec.title(lang)}, {direction}",
            )
        ),
    ]


def _audit_details(query: RegisterQuery, fmt: Format, rows: int) -> dict[str, object]:
    """The export as the audit log keeps it: names of filters and codes, never a searched name or ПИН."""
    details: dict[str, object] = {
        "register": query.register,
        "format": fmt,
        "rows": rows,
        "filters": query.used_filters(),
    }
    if query.statuses:
        details["statuses"] = list(query.statuses)
    if query.categories:
        details["categories"] = list(query.categories)
    if query.sort:
        details["sort"] = query.sort
    return details


# --- CSV --------------------------------------------------------------------------------


def _write_csv(fh: IO[bytes], table: _Table) -> None:
    """UTF-8 with a BOM, semicolons, CRLF; the header on the first line, as Excel expects it."""
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="", write_through=False)
    writer = csv.writer(text, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralised(header) for header in table.headers])
    for cells in table:
        writer.writerow([_csv_text(value) for value in cells])
    text.flush()
    text.detach()


def _csv_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, int):
        return str(value)
    return neutralised(value)


# --- XLSX -------------------------------------------------------------------------------

_INVALID_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))
# Widths are counted as the file stores them (Excel's cell padding included); XlsxWriter takes pixels.
_PIXELS_PER_CHARACTER = 7  # the digit width of Calibri 11, the workbook's font
# Text is stored as given: never taken for a formula, a link or a number.
_WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def _write_xlsx(fh: IO[bytes], table: _Table, heading: Sequence[str], register: str, lang: str) -> None:
    """The workbook: one sheet with *heading* on top, then the header row (frozen, with an autofilter).

    Rows go to the sheet as they come (XlsxWriter's constant memory mode); the column widths are
    fitted to the first block, read before the first row is written.
    """
    import xlsxwriter

    header_row = len(heading)  # zero-based: the row under the heading
    assert header_row + 1 == _HEADING_ROWS
    rows = iter(table)
    first_block = list(islice(rows, _BLOCK))
    try:
        # Closed on failure too, which releases XlsxWriter's temporary files; the partial file is deleted.
        with xlsxwriter.Workbook(fh, _WORKBOOK_OPTIONS) as book:
            title = book.add_format({"bold": True, "font_size": 13})
            header = book.add_format(
                {"bold": True, "bg_color": "#E6E6E6", "bottom": 1, "valign": "vcenter", "text_wrap": True}
            )
            day = book.add_format({"num_format": "DD.MM.YYYY"})
            moment = book.add_format({"num_format": "DD.MM.YYYY HH:MM"})
            quoted = book.add_format({"num_format": "@", "quote_prefix": True})
            sheet = book.add_worksheet(sheet_name(register, lang))
            for column, width in enumerate(_widths(table.headers, first_block)):
                sheet.set_column_pixels(column, column, round(width * _PIXELS_PER_CHARACTER))
            sheet.freeze_panes(header_row + 1, 0)
            sheet.set_landscape()
            sheet.set_paper(9)  # A4
            sheet.set_margins(left=0.5, right=0.5)
            sheet.fit_to_pages(1, 0)
            sheet.repeat_rows(header_row)
            for number, line in enumerate(heading):
                if line:
                    sheet.write_string(number, 0, line, title if number == 0 else None)
            for column, text in enumerate(table.headers):
                sheet.write_string(header_row, column, text, header)
            last = header_row
            for cells in chain(first_block, rows):
                last += 1
                for column, value in enumerate(cells):
                    if value is None or value == "":
                        continue
                    if isinstance(value, str):
                        sheet.write_string(
                            last, column, value, quoted if value.startswith(_DANGEROUS_START) else None
                        )
                    elif isinstance(value, datetime):
                        sheet.write_datetime(last, column, value, moment)
                    elif isinstance(value, date):
                        sheet.write_datetime(last, column, value, day)
                    else:
                        sheet.write_number(last, column, value)
            sheet.autofilter(header_row, 0, last, len(table.headers) - 1)
    except xlsxwriter.exceptions.FileCreateError as exc:
        raise exc.args[0] from None  # the OSError of writing the package, reported as any other


def _check_fits_a_sheet(rows: int) -> None:
    if rows > EXCEL_MAX_ROWS - _HEADING_ROWS:
        raise DomainError(
            _("The register has {count} rows, more than an Excel sheet holds; export it as CSV.", count=rows)
        )


def _widths(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> list[float]:
    """Column widths (in characters) fitted to the header and the first rows, within bounds."""
    widths: list[float] = []
    for index, header in enumerate(headers):
        longest = min(len(header), _HEADER_WIDTH)
        for cells in rows:
            longest = max(longest, _shown_length(cells[index]))
        widths.append(float(min(_MAX_WIDTH, max(_MIN_WIDTH, longest + 2))))
    return widths


def _shown_length(value: Cell) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return len(str(value))
