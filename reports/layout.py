"""The building blocks every document shares: page, letterhead, title, fields, tables, signatures.

Documents are ReportLab Platypus stories: text is set in paragraphs that wrap (a 300-character
name breaks over lines instead of running off the page), tables repeat their header row on each
page and split between rows, and every page carries "page N of M". All text a user typed is
escaped before it reaches a paragraph, so a "<" or "&" in a name prints as typed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from models.i18n import N_
from models.papers import OfficeHeader

from reports.fonts import BOLD, ITALIC, REGULAR, register_fonts, reuse_subsets, seed_fonts
from reports.language import Texts

MINISTRY = N_("MINISTRY OF LABOUR, SOCIAL SECURITY AND MIGRATION OF THE KYRGYZ REPUBLIC")
PRODUCER = "Bala Korgoo"

LEFT_MARGIN = 25 * mm
RIGHT_MARGIN = 15 * mm
TOP_MARGIN = 15 * mm
BOTTOM_MARGIN = 18 * mm
GRID = colors.Color(0.35, 0.35, 0.35)
HEADER_FILL = colors.Color(0.9, 0.9, 0.9)


@functools.cache
def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of all documents, set in the bundled serif."""
    register_fonts()
    body = ParagraphStyle("body", fontName=REGULAR, fontSize=11, leading=13.5, alignment=TA_JUSTIFY)
    return {
        "body": body,
        "left": ParagraphStyle("left", parent=body, alignment=TA_LEFT),
        "center": ParagraphStyle("center", parent=body, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "small": ParagraphStyle("small", parent=body, fontSize=9, leading=11, alignment=TA_LEFT),
        "small_center": ParagraphStyle(
            "small_center", parent=body, fontSize=8, leading=9.5, alignment=TA_CENTER
        ),
        "caption": ParagraphStyle(
            "caption", parent=body, fontName=ITALIC, fontSize=7.5, leading=9, alignment=TA_CENTER
        ),
        "letterhead": ParagraphStyle(
            "letterhead", parent=body, fontName=BOLD, fontSize=9.5, leading=11.5, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "title", parent=body, fontName=BOLD, fontSize=13, leading=16, alignment=TA_CENTER, spaceAfter=2
        ),
        "subtitle": ParagraphStyle("subtitle", parent=body, fontSize=11, leading=13.5, alignment=TA_CENTER),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD,
            fontSize=11.5,
            leading=14,
            spaceBefore=8,
            spaceAfter=3,
            alignment=TA_LEFT,
        ),
        "label": ParagraphStyle("label", parent=body, fontSize=9.5, leading=11.5, alignment=TA_LEFT),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9.5, leading=11.5, alignment=TA_LEFT),
        "cell_head": ParagraphStyle(
            "cell_head", parent=body, fontName=BOLD, fontSize=9, leading=11, alignment=TA_CENTER
        ),
        "cell_center": ParagraphStyle(
            "cell_center", parent=body, fontSize=10, leading=12, alignment=TA_CENTER
        ),
        "cell_right": ParagraphStyle(
            "cell_right", parent=body, fontSize=9.5, leading=11.5, alignment=TA_RIGHT
        ),
    }


def text(value: Any) -> str:
    """Typed text made safe for a paragraph: escaped, line breaks kept."""
    return escape(str(value if value is not None else "")).replace("\n", "<br/>")


def para(value: Any, style: str = "body", *, markup: bool = False) -> Paragraph:
    """A paragraph of *value*; *markup* True only for text built here (never for typed text)."""
    source = str(value) if markup else text(value)
    paragraph = _Paragraph(source, styles()[style], frags=list(_parsed(source, style)))
    paragraph.key = (source, style)
    return paragraph


@functools.lru_cache(maxsize=1024)
def _parsed(source: str, style: str) -> tuple[Any, ...]:
    """The fragments ReportLab parses a paragraph's text into, parsed once per text and style: the
    same labels and sentences recur in every document of a batch, and layout only reads them."""
    return tuple(Paragraph(source, styles()[style]).frags)


# The lines of a paragraph of plain text (one font) by its text, style and width, kept across
# documents as ReportLab broke them; cleared when it grows past _WRAPS_KEPT entries.
_WRAPS: dict[tuple[str, str, float], tuple[Any, ...]] = {}
_WRAPS_KEPT = 2048


class _Paragraph(Paragraph):
    """ReportLab's paragraph, remembering how it wraps: a table wraps the paragraphs of its cells to
    measure the rows and again, at the same width, to draw them, and the same labels and sentences
    wrap the same way in every document of a batch."""

    key: tuple[str, str] | None = None  # the text and style of a paragraph made by :func:`para`
    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 - ReportLab's names
        # ReportLab drops the lines of a paragraph it pushes whole onto the next page: wrap anew then.
        if self._wrapped is None or self._wrapped[0] != availWidth or "blPara" not in self.__dict__:
            self._wrapped = (availWidth, self._wrap(availWidth, availHeight))
        return self._wrapped[1]

    def _wrap(self, width: float, height: float) -> tuple[float, float]:
        key = (*self.key, width) if self.key is not None else None
        found = _WRAPS.get(key) if key is not None else None
        if found is not None:
            self.width, self.height, self.blPara, self._wrapWidths, self._width_max = found
            return self.width, self.height
        size = super().wrap(width, height)
        # Only lines of one font: ReportLab draws them from the lines alone (other paragraphs keep
        # their state in the paragraph itself).
        if key is not None and self.blPara.kind == 0:
            if len(_WRAPS) >= _WRAPS_KEPT:
                _WRAPS.clear()
            _WRAPS[key] = (self.width, self.height, self.blPara, self._wrapWidths, self._width_max)
        return size


def _style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """A table style in the bundled font (ReportLab's default Helvetica would not be embedded)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), REGULAR), *commands])


# --- page ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """A finished PDF and its number of pages."""

    pdf: bytes
    pages: int


class _NumberedCanvas(Canvas):
    """A canvas that holds the pages back until the end, to print "page N of M" on each."""

    def __init__(self, *args: Any, footer: Callable[[Canvas, int, int], None], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._pages: list[dict[str, Any]] = []
        seed_fonts(self._doc)

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._footer(self, number, total)
            super().showPage()
        reuse_subsets(self._doc)
        super().save()


class _Output:
    def __init__(self) -> None:
        self.data = b""
        self.pages = 0

    def write(self, data: bytes) -> None:
        self.data += data


def build(
    story: Sequence[Flowable],
    t: Texts,
    *,
    title: str,
    wide: bool = False,
    footer_note: str = "",
) -> Rendered:
    """Lay *story* out on A4 (landscape when *wide*) with "page N of M" at the foot of each page."""
    register_fonts()
    page_size = landscape(A4) if wide else A4
    pages: list[int] = []

    def footer(canvas: Canvas, number: int, total: int) -> None:
        pages.append(total)
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(colors.Color(0.3, 0.3, 0.3))
        y = BOTTOM_MARGIN / 2
        canvas.drawRightString(
            page_size[0] - RIGHT_MARGIN, y, t("Page {page} of {pages}", page=number, pages=total)
        )
        if footer_note:
            canvas.drawString(LEFT_MARGIN, y, footer_note)
        canvas.restoreState()

    output = _Output()
    doc = BaseDocTemplate(
        output,
        pagesize=page_size,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=PRODUCER,
        creator=PRODUCER,
        subject=title,
        lang={"ky": "ky-KG", "ru": "ru-RU"}.get(t.lang, "ky-KG"),
        initialFontName=REGULAR,
        initialFontSize=11,
    )
    frame = Frame(
        doc.leftMargin,
        doc.bottomMargin,
        doc.width,
        doc.height,
        id="page",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    doc.build(list(story), canvasmaker=functools.partial(_NumberedCanvas, footer=footer))
    return Rendered(output.data, pages[0] if pages else 0)


def content_width(wide: bool = False) -> float:
    """The width between the margins."""
    page_width = landscape(A4)[0] if wide else A4[0]
    return float(page_width - LEFT_MARGIN - RIGHT_MARGIN)


# --- letterhead and title ----------------------------------------------------------------


def letterhead(office: OfficeHeader, t: Texts) -> list[Flowable]:
    """The Ministry and the department in Kyrgyz (left) and Russian (right), a rule, the address."""
    width = content_width()

    def side(lang: str) -> list[Flowable]:
        department = office.department.ky if lang == "ky" else office.department.ru
        parts = [para(t.one(lang, MINISTRY).upper(), "letterhead")]
        if department:
            parts.append(para(department, "letterhead"))
        return parts

    head = Table([[side("ky"), "", side("ru")]], colWidths=[width * 0.46, width * 0.08, width * 0.46])
    head.setStyle(
        _style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    rule = Table([[""]], colWidths=[width], rowHeights=[3])
    rule.setStyle(
        _style(
            [
                ("LINEABOVE", (0, 0), (-1, -1), 1.2, colors.black),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.black),
            ]
        )
    )
    story: list[Flowable] = [head, Spacer(1, 3), rule]
    phone = t("tel. {phone}", phone=office.phone) if office.phone else ""
    contact = ", ".join(part for part in (office.address, phone) if part)
    if contact:
        story.append(para(contact, "small_center"))
    story.append(Spacer(1, 6))
    return story


def outgoing_number(t: Texts, number: str | None, day_text: str) -> Flowable:
    """The "№ … from …" line under the letterhead of an outgoing paper."""
    label = t("Outgoing № {number} of {date}", number=number or "________", date=day_text)
    return para(label, "left")


def title(texts: Sequence[str], subtitle: str = "") -> list[Flowable]:
    """The document's title in capitals, one line per language (``t.lines(…)``), and an optional subtitle."""
    story: list[Flowable] = [para(line.upper(), "title") for line in texts]
    if subtitle:
        story.append(para(subtitle, "subtitle"))
    story.append(Spacer(1, 6))
    return story


def heading(label: str) -> Flowable:
    """A section heading (``t("…")``)."""
    return para(label, "heading")


# --- fields and tables ---------------------------------------------------------------------


def fields(rows: Sequence[tuple[str, Any]], *, label_share: float = 0.34, wide: bool = False) -> Table:
    """Label and value pairs, the value wrapping in its column; an empty value leaves a line to fill in."""
    width = content_width(wide)
    data = [
        [para(label, "label"), para(value if value not in (None, "") else "", "cell")]
        for label, value in rows
    ]
    table = Table(
        data, colWidths=[width * label_share, width * (1 - label_share)], hAlign="LEFT", splitInRow=30
    )
    table.setStyle(
        _style(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (1, 0), (1, -1), 0.4, GRID),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def data_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: Sequence[float],
    *,
    wide: bool = False,
    right_columns: Sequence[int] = (),
    total: Sequence[Any] | None = None,
) -> Table:
    """A grid with a header row repeated on every page; cells wrap; *widths* are shares of the page width."""
    width = content_width(wide)
    scale = width / sum(widths)

    def cell(column: int, value: Any) -> Any:
        if isinstance(value, Flowable):
            return value
        return para(value, "cell_right" if column in right_columns else "cell")

    data: list[list[Any]] = [[para(header, "cell_head") for header in headers]]
    data += [[cell(column, value) for column, value in enumerate(row)] for row in rows]
    commands: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if total is not None:
        data.append([cell(column, value) for column, value in enumerate(total)])
        commands += [
            ("BACKGROUND", (0, -1), (-1, -1), HEADER_FILL),
            ("LINEABOVE", (0, -1), (-1, -1), 1, GRID),
        ]
    table = Table(
        data, colWidths=[share * scale for share in widths], repeatRows=1, hAlign="LEFT", splitInRow=30
    )
    table.setStyle(_style(commands))
    return table


# --- signatures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignatureLine:
    """One signature row: what the signer is (position or role), the name, and lines to sign and date."""

    position: str
    name: str


def signatures(t: Texts, rows: Sequence[SignatureLine], *, wide: bool = False) -> Flowable:
    """Per signer: the position, then lines for the signature, the name and the date, captioned below."""
    width = content_width(wide)
    data: list[list[Any]] = []
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    caption = [para(t("signature"), "caption"), para(t("full name"), "caption"), para(t("date"), "caption")]
    for index, row in enumerate(rows):
        top = 2 * index
        data.append([para(row.position, "label"), "", "", para(row.name, "cell_center"), "", ""])
        data.append(["", caption[0], "", caption[1], "", caption[2]])
        commands += [("TOPPADDING", (0, top), (-1, top), 8), ("NOSPLIT", (0, top), (-1, top + 1))]
        commands += [("LINEBELOW", (column, top), (column, top), 0.5, colors.black) for column in (1, 3, 5)]
    shares = (0.3, 0.18, 0.03, 0.33, 0.03, 0.13)
    table = Table(data, colWidths=[width * share for share in shares], hAlign="LEFT")
    table.setStyle(_style(commands))
    return table


def cut_line(t: Texts) -> Flowable:
    """The dashed line along which the reply slip is torn off."""
    width = content_width()
    table = Table([[para(t("cut here"), "caption")]], colWidths=[width])
    table.setStyle(_style([("LINEABOVE", (0, 0), (-1, 0), 0.8, colors.black, None, (4, 3))]))
    return table


def blank_lines(count: int) -> Flowable:
    """Ruled lines to write on by hand."""
    width = content_width()
    table = Table([[""] for _ in range(count)], colWidths=[width], rowHeights=[16] * count)
    table.setStyle(_style([("LINEBELOW", (0, 0), (-1, -1), 0.4, GRID)]))
    return table
