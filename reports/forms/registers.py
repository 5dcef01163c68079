"""Register printouts: the journal of reports, the children in ТЖС and the referrals, on landscape A4.

What prints is what the register page shows: the desktop client passes its own query in
``Target.options``: ``{"name": "children", "query": <models.registers.RegisterQuery>, "columns":
["full_name", …]}`` (the query carries the filters and the sort; "columns", optional, are the
visible column keys in the page's order). The command passes ``name`` and optional ``status``,
``category``, ``from``, ``to`` and ``search`` (see :func:`models.papers.registers.query_from_options`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, LongTable, Paragraph, Spacer, Table, TableStyle

from models.database import Database
from models.errors import DomainError
from models.i18n import N_, _
from models.papers.registers import (
    PRINTABLE_REGISTERS,
    RegisterPrintout,
    query_from_options,
    register_printout,
)
from models.registers import RegisterQuery
from models.services.base import Actor

from reports.catalog import FormSpec, Made, Option, Target
from reports.fonts import BOLD, REGULAR
from reports.language import Texts, date_text
from reports.layout import (
    GRID,
    HEADER_FILL,
    Rendered,
    SignatureLine,
    build,
    content_width,
    letterhead,
    para,
    signatures,
    styles,
    text,
    title,
)

TITLE = N_("Register printout")

# The width of each column in points, for the 729 points between the margins of landscape A4
# (scaled to fit; "place" is the row's place on the printout): dates and PINs on one line.
_WIDTHS: dict[str, dict[str, float]] = {
    "children": {
        "place": 22, "full_name": 100, "sex": 40, "birth_date": 50, "age": 34, "pin": 66, "district": 58,
        "case_number": 42, "case_status": 60, "categories": 120, "worker": 82, "registered_on": 50,
    },
    "reports": {
        "place": 22, "number": 44, "received_at": 64, "source": 80, "reporter": 110, "anonymous": 44,
        "urgent": 44, "decision": 70, "worker": 90, "children": 160,
    },
    "referrals": {
        "place": 22, "number": 44, "issued_on": 52, "child": 110, "organisation": 130, "service": 130,
        "reply_due": 52, "reply_received_on": 52, "overdue": 48, "status": 68,
    },
}  # fmt: skip
_DEFAULT_WIDTH = 60
# Columns whose values have a known short width (they never need to wrap).
_SHORT_TYPES = frozenset({"date", "int", "bool"})
_SHORT_KEYS = frozenset({"pin", "number", "case_number"})


def render(printout: RegisterPrintout, t: Texts) -> Rendered:
    """The register's rows in a table whose header repeats on every page, its filters above, counts below."""
    story: list[Flowable] = [*letterhead(printout.office, t)]
    story += title(t.lines(printout.title), subtitle=t("as of {date}", date=date_text(printout.as_of)))
    story += _conditions(printout, t)
    story.append(Spacer(1, 4))
    story.append(_rows(printout, t))
    story += [Spacer(1, 8), *_counts(printout, t)]
    position = printout.prepared_by.position or t("Prepared by")
    story.append(signatures(t, [SignatureLine(position, printout.prepared_by.name)], wide=True))
    heading = " / ".join(t.each(printout.title))
    return build(story, t, title=heading, wide=True, footer_note=heading)


def _conditions(printout: RegisterPrintout, t: Texts) -> list[Flowable]:
    """The filters and the sort, as one line each: the reader knows which part of the register this is."""
    if printout.filters:
        described = "; ".join(
            f"{t(line.label)}: {t.value(line.value)}" if line.value else t(line.label)
            for line in printout.filters
        )
    else:
        described = t("none, the whole register")
    order = t("descending") if printout.descending else t("ascending")
    return [
        _labelled(t("Filters"), described),
        _labelled(t("Sorted by"), f"{t(printout.sort.header)} ({order})"),
    ]


def _labelled(label: str, value: str) -> Paragraph:
    return para(f"<b>{text(label)}:</b> {text(value)}", "small", markup=True)


def _rows(printout: RegisterPrintout, t: Texts) -> Table:
    """The table of rows. Cells of a known short width (dates, numbers, PINs) are plain strings: the
    table draws them without a paragraph each, which halves the time a long printout takes."""
    specs = printout.columns
    widths = _WIDTHS[printout.register]
    points = [widths["place"], *(widths.get(spec.key, _DEFAULT_WIDTH) for spec in specs)]
    headers = ["№", *(t(spec.header) for spec in specs)]
    cell = compact_style()
    fixed = [spec.type in _SHORT_TYPES or spec.key in _SHORT_KEYS for spec in specs]
    rows: list[list[Any]] = []
    for place, row in enumerate(printout.rows, start=1):
        values = [printout.cell(spec, row) for spec in specs]
        rows.append(
            [
                str(place),
                *(v if short else Paragraph(text(v), cell) for v, short in zip(values, fixed, strict=True)),
            ]
        )
    right = [0, *(column for column, spec in enumerate(specs, start=1) if spec.type == "int")]
    label = t("Total: {count}", count=printout.total)
    total = Paragraph(f"<b>{text(label)}</b>", cell)
    return compact_table(headers, rows, points, right_columns=right, total=total)


@functools.cache
def compact_style(alignment: str = "left") -> ParagraphStyle:
    """The cells of long tables: smaller than the forms' cells, so that a register row takes a line or two."""
    cell = styles()["cell"]
    if alignment == "right":
        return ParagraphStyle("compact_right", parent=cell, fontSize=8, leading=9.5, alignment=TA_RIGHT)
    if alignment == "head":
        return ParagraphStyle(
            "compact_head", parent=cell, fontName=BOLD, fontSize=7.5, leading=9, alignment=TA_CENTER
        )
    return ParagraphStyle("compact", parent=cell, fontSize=8, leading=9.5)


def compact_table(
    headers: Sequence[str],
    rows: list[list[Any]],
    points: Sequence[float],
    *,
    right_columns: Sequence[int] = (),
    total: Paragraph | None = None,
) -> Table:
    """A full-width landscape grid with tight padding, its header repeated on every page.

    *points* are the columns' widths, scaled to the page; cells are paragraphs or plain strings (which
    never wrap: for values of a known short width), right-aligned in *right_columns*; *total* fills the
    first two cells of a shaded last row. The layout's data_table pads for forms of a few rows: on a
    register of a dozen columns, its padding would break dates and numbers over two lines. A LongTable
    splits over pages without measuring the remaining rows again at every page.
    """
    scale = content_width(wide=True) / sum(points)
    head = compact_style("head")
    data: list[list[Any]] = [[Paragraph(text(header), head) for header in headers], *rows]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("LEADING", (0, 0), (-1, -1), 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        *(("ALIGN", (column, 1), (column, -1), "RIGHT") for column in right_columns),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 1.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    if total is not None:
        data.append([total, *("" for _ in points[1:])])
        commands += [
            ("SPAN", (0, -1), (1, -1)),
            ("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL),
            ("LINEABOVE", (0, -1), (-1, -1), 1, GRID),
        ]
    table = LongTable(
        data, colWidths=[width * scale for width in points], repeatRows=1, hAlign="LEFT", splitInRow=30
    )
    table.setStyle(TableStyle(commands))
    return table


def _counts(printout: RegisterPrintout, t: Texts) -> list[Flowable]:
    """The rows counted by status, the total, then what the register flags (urgent, overdue)."""
    rows = [[t.value(line.label), str(line.count)] for line in printout.counts]
    rows.append([t("Total"), str(printout.total)])
    rows += [[t.value(line.label), str(line.count)] for line in printout.flagged]
    head = [t(printout.status_title), t("Count")]
    return [small_table(head, rows, [0.34, 0.1], shaded=[len(printout.counts)])]


def small_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    shares: Sequence[float],
    *,
    wide: bool = False,
    shaded: Sequence[int] = (),
) -> Table:
    """A grid of labels (first column) and figures (the other columns, right-aligned), on the left.

    *shares* are of the width between the margins (landscape when *wide*), so a few counts need not
    span the page as the layout's data_table does; the rows *shaded* (0: the first below the
    header) are totals. The header repeats when the table splits over pages.
    """
    width = content_width(wide)
    data: list[list[Any]] = [[para(header, "cell_head") for header in headers]]
    data += [
        [para(value, "cell_right" if column else "cell") for column, value in enumerate(row)] for row in rows
    ]
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (-1, -1), REGULAR),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for row in shaded:
        commands += [
            ("BACKGROUND", (0, row + 1), (-1, row + 1), HEADER_FILL),
            ("LINEABOVE", (0, row + 1), (-1, row + 1), 1, GRID),
        ]
    table = Table(data, colWidths=[width * share for share in shares], repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def _query(db: Database, target: Target) -> tuple[RegisterQuery, Sequence[str] | None]:
    options = target.options
    query = options.get("query")
    if isinstance(query, RegisterQuery):
        return query, options.get("columns")
    return query_from_options(db, options), None


def _make(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    query, shown = _query(db, target)
    if query.register not in PRINTABLE_REGISTERS:
        raise DomainError(_("The register {name} is not printed.", name=query.register))
    # The rows' reference names in the document's language; a bilingual printout's in the state language.
    printout = register_printout(db, actor, query, t.languages[0], shown)
    return Made(render(printout, t), None, ())


FORMS = [
    FormSpec(
        "register",
        TITLE,
        _make,
        options=(
            Option(
                "name", N_("the register: children, reports or referrals"), "children", PRINTABLE_REGISTERS
            ),
            Option(
                "--status",
                N_("status codes, comma-separated (open: only open ones; overdue: overdue referrals)"),
                "open",
                required=False,
            ),
            Option("--category", N_("category codes, comma-separated"), "not_in_school", required=False),
            Option("--from", N_("first day of the period (DD.MM.YYYY)"), "01.01.2026", required=False),
            Option("--to", N_("last day of the period (DD.MM.YYYY)"), "30.06.2026", required=False),
            Option("--search", N_("name, PIN or number to search for"), "Usenova", required=False),
        ),
        wide=True,
        order=80,
    )
]
