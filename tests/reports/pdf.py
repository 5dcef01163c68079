"""Reading the documents back as a reader or a PDF tool would: their text, fonts and where text sits."""

from __future__ import annotations

import io
from dataclasses import dataclass

from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTComponent, LTContainer
from pypdf import PdfReader


def pages_text(pdf: bytes) -> list[str]:
    """The extractable text of each page."""
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages]


def text(pdf: bytes) -> str:
    """All the text, with line breaks and runs of spaces reduced to single spaces (labels wrap)."""
    return " ".join(" ".join(pages_text(pdf)).split())


def fonts(pdf: bytes) -> dict[str, bool]:
    """Every font the pages use, by base name, and whether its glyphs are embedded in the file."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page.get("/Resources")
        font_dict = resources.get_object().get("/Font") if resources else None
        if not font_dict:
            continue
        for ref in font_dict.get_object().values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor is not None else {}
            embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
            found[str(font["/BaseFont"])] = embedded
    return found


@dataclass(frozen=True)
class Placed:
    page: int
    char: str
    x0: float
    y0: float
    x1: float
    y1: float


def chars_outside(pdf: bytes, margin: float = 0.0) -> list[Placed]:
    """The characters that are not wholly inside their page box, shrunk by *margin* points on each side."""
    outside: list[Placed] = []
    for number, page in enumerate(extract_pages(io.BytesIO(pdf)), start=1):
        x_max, y_max = page.width - margin, page.height - margin
        for char in _chars(page):
            if (
                char.x0 < margin - 0.5
                or char.y0 < margin - 0.5
                or char.x1 > x_max + 0.5
                or char.y1 > y_max + 0.5
            ):
                outside.append(Placed(number, char.get_text(), char.x0, char.y0, char.x1, char.y1))
    return outside


def _chars(item: LTComponent) -> list[LTChar]:
    if isinstance(item, LTChar):
        return [item]
    if isinstance(item, LTContainer):
        return [char for child in item for char in _chars(child)]
    return []
