"""The statistical report as a spreadsheet (XLSX): the same figures as the PDF, one sheet per table.

Each sheet has a header row (frozen, bold), the figures as numbers and the dates as dates, so
that the Ministry's staff can add them up across districts; the columns are wide enough to read.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from models.i18n import N_
from models.papers.statistics import NamedCount, Statistics

from reports.forms.statistics import TITLE, breakdown_titles, breakdown_values
from reports.language import Texts

Cell = str | int | date | None

_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="E6E6E6")
_MAX_WIDTH = 60
_HEADER_WIDTH = 18  # a longer column title wraps in its (frozen, taller) header row
_INVALID_IN_TITLES = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def statistics_xlsx(stats: Statistics, lang: str) -> bytes:
    """The workbook of *stats* in *lang* (ky, ru or both), as the bytes of an .xlsx file."""
    t = Texts(lang)
    book = Workbook()
    summary = book.active
    assert summary is not None
    _fill(
        summary,
        _title(t, N_("Cases and reports")),
        [t("Indicator"), t("Value")],
        [
            [" / ".join(t.each(TITLE)), t.value(stats.office.department)],
            [t("Period start"), stats.start],
            [t("Period end"), stats.end],
            [t("Cases open at the start of the period"), stats.open_at_start],
            [t("Cases opened in the period"), stats.opened],
            [t("Cases closed in the period"), stats.closed],
            [t("Cases open at the end of the period"), stats.open_at_end],
            [t("Reports received in the period"), stats.reports_received],
        ],
    )
    children: list[list[Cell]] = [[t.value(r.label), *breakdown_values(r.children)] for r in stats.categories]
    children.append([t("All children served (each child once)"), *breakdown_values(stats.children)])
    children.append([t("of them, with a case opened in the period"), *breakdown_values(stats.new_children)])
    _fill(
        book.create_sheet(),
        _title(t, N_("Children")),
        [t("Category"), *breakdown_titles(t)],
        children,
        totals=2,
    )
    reasons: list[list[Cell]] = _named(stats.closure_reasons, t)
    reasons.append([t("Total"), stats.closures])
    _fill(
        book.create_sheet(),
        _title(t, N_("Closure reasons")),
        [t("Closure reason"), t("Count")],
        reasons,
        totals=1,
    )
    outcomes: list[list[Cell]] = [
        [t("Child outcomes"), t.value(row.label), row.count] for row in stats.child_outcomes
    ]
    outcomes += [[t("Family outcomes"), t.value(row.label), row.count] for row in stats.family_outcomes]
    _fill(book.create_sheet(), _title(t, N_("Outcomes")), [t("Kind"), t("Outcome"), t("Count")], outcomes)
    partners: list[list[Cell]] = [
        [t.value(row.organisation), row.issued, row.replied, row.awaiting, row.overdue]
        for row in stats.partners
    ]
    total = stats.partners_total
    partners.append([t("Total"), total.issued, total.replied, total.awaiting, total.overdue])
    _fill(
        book.create_sheet(),
        _title(t, N_("Referrals")),
        [
            t("Organisation"),
            t("Issued"),
            t("Reply received"),
            t("Awaiting reply, not yet due"),
            t("Reply overdue"),
        ],
        partners,
        totals=1,
    )
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def _title(t: Texts, msgid: str) -> str:
    """A sheet's name in the document's first language (Excel allows 31 characters, no slashes)."""
    return t.each(msgid)[0].translate(_INVALID_IN_TITLES)[:31]


def _named(counts: Sequence[NamedCount], t: Texts) -> list[list[Cell]]:
    return [[t.value(row.label), row.count] for row in counts]


def _fill(
    sheet: Worksheet, name: str, header: Sequence[str], rows: Sequence[Sequence[Cell]], totals: int = 0
) -> None:
    """*rows* under a bold, frozen *header*; the last *totals* rows bold and shaded; columns sized."""
    sheet.title = name
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = _BOLD
        cell.fill = _FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in rows:
        sheet.append(list(row))
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            if isinstance(cell.value, date):
                cell.number_format = "DD.MM.YYYY"
    for index in range(sheet.max_row - totals + 1, sheet.max_row + 1):
        for cell in sheet[index]:
            cell.font = _BOLD
            cell.fill = _FILL
    sheet.freeze_panes = "A2"
    for column, title_text in enumerate(header, start=1):
        values = [row[column - 1] for row in rows if column - 1 < len(row)]
        longest = max([min(len(title_text), _HEADER_WIDTH), *(_width(value) for value in values)])
        sheet.column_dimensions[get_column_letter(column)].width = min(_MAX_WIDTH, longest + 2)


def _width(value: Cell) -> int:
    return 10 if isinstance(value, date) else len(str(value if value is not None else ""))
