"""The fonts every document is set in: Liberation Serif, bundled (SIL OFL 1.1, see fonts/LICENSE.txt).

Liberation Serif has the metrics of Times New Roman, the face of official papers, and carries
Cyrillic with the Kyrgyz letters Ң ң Ө ө Ү ү, and №, «», —. ReportLab embeds a subset of each face
in every PDF (ASCII, the Cyrillic alphabet and the characters used), so the text stays extractable
and prints the same on every PC; the subsets are made once per process (see below).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

FONT_DIR = Path(__file__).with_name("fonts")
FAMILY = "LiberationSerif"
REGULAR = "LiberationSerif"
BOLD = "LiberationSerif-Bold"
ITALIC = "LiberationSerif-Italic"
BOLD_ITALIC = "LiberationSerif-BoldItalic"

_FILES = {
    REGULAR: "LiberationSerif-Regular.ttf",
    BOLD: "LiberationSerif-Bold.ttf",
    ITALIC: "LiberationSerif-Italic.ttf",
    BOLD_ITALIC: "LiberationSerif-BoldItalic.ttf",
}


def font_files() -> list[Path]:
    """The bundled font files (the build copies them; the self-test checks them)."""
    return [FONT_DIR / name for name in _FILES.values()]


@functools.cache
def register_fonts() -> str:
    """Register the bundled faces with ReportLab once; returns the family name for styles."""
    for name, file_name in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / file_name)))
    addMapping(FAMILY, 0, 0, REGULAR)
    addMapping(FAMILY, 1, 0, BOLD)
    addMapping(FAMILY, 0, 1, ITALIC)
    addMapping(FAMILY, 1, 1, BOLD_ITALIC)
    return FAMILY


# --- the same subset in every document ----------------------------------------------------------------
#
# ReportLab embeds in each PDF a subset of each face it uses, made and compressed anew for every
# document: most of the time of saving a one-page notice. Our documents first give each face every
# Cyrillic letter (with the Kyrgyz ones) and the signs they print, so that the subset of a face is the
# same in every document (ASCII is always in it); the subset and its compressed stream are then made
# once per process. A document with a rarer character gets a subset of its own, made as usual.

_ALPHABET = "".join(map(chr, range(0x410, 0x450))) + "ЁёҢңӨөҮү№«»—–…’‘“”„•·°§"
_CACHED = 32  # subsets (and compressed streams) kept: a few per face


def seed_fonts(doc: pdfdoc.PDFDocument) -> None:
    """Give every bundled face its characters in the one order in *doc* (before any text is drawn)."""
    for name in _FILES:
        pdfmetrics.getFont(name).splitString(_ALPHABET, doc)


def reuse_subsets(doc: pdfdoc.PDFDocument) -> None:
    """Before *doc* is written: its bundled faces write their subsets from the process's cache."""
    ours = {pdfmetrics.getFont(name) for name in _FILES}
    doc.delayedFonts = [_CachedFont(font) if font in ours else font for font in doc.delayedFonts]


@functools.lru_cache(maxsize=_CACHED)
def _subset(face: TTFontFace, subset: tuple[int, ...]) -> bytes:
    return bytes(face.makeSubset(list(subset)))


class _CachedFlate(pdfdoc.PDFStreamFilterZCompress):
    """ReportLab's Flate filter, remembering the compressed font subsets."""

    @functools.lru_cache(maxsize=_CACHED)  # noqa: B019 - one instance for the whole process
    def encode(self, text: bytes) -> bytes:
        return bytes(super().encode(text))


_FLATE = _CachedFlate()


class _CachedFace:
    """A face whose subsets come from :func:`_subset`; everything else is the face's own."""

    def __init__(self, face: TTFontFace) -> None:
        self._face = face

    def __getattr__(self, name: str) -> Any:
        return getattr(self._face, name)

    def makeSubset(self, subset: list[int]) -> bytes:  # noqa: N802 - ReportLab's name
        return _subset(self._face, tuple(subset))

    def addSubsetObjects(self, doc: pdfdoc.PDFDocument, fontname: str, subset: list[int]) -> Any:  # noqa: N802
        reference = TTFontFace.addSubsetObjects(self, doc, fontname, subset)
        stream = doc.idToObject.get(f"fontFile:{self._face.filename}({fontname})")
        if isinstance(stream, pdfdoc.PDFStream) and stream.filters == [pdfdoc.PDFZCompress]:
            stream.filters = [_FLATE]
        return reference


class _CachedFont:
    """A bundled font as a document is written: ReportLab's own objects, from a :class:`_CachedFace`,
    with the widths and the ToUnicode map of a subset written once per process too."""

    def __init__(self, font: TTFont) -> None:
        self._font = font
        self.face = _CachedFace(font.face)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._font, name)

    def addObjects(self, doc: pdfdoc.PDFDocument) -> None:  # noqa: N802 - ReportLab's name
        state = self._font.state.get(doc)
        subsets = range(len(state.subsets)) if state else range(0)
        names = [self._font.getSubsetInternalName(n, doc)[1:] for n in subsets]  # "/F1+0" → "F1+0"
        TTFont.addObjects(self, doc)
        for name in names:
            font = doc.idToObject.get(name)
            if not isinstance(font, pdfdoc.PDFTrueTypeFont) or not isinstance(font.Widths, pdfdoc.PDFArray):
                continue
            font.Widths = _widths(tuple(font.Widths.sequence))
            cmap = doc.idToObject.get(f"toUnicodeCMap:{font.BaseFont}")
            if isinstance(cmap, pdfdoc.PDFStream) and cmap.filters == [pdfdoc.PDFZCompress]:
                cmap.filters = [_FLATE]


class _Formatted(pdfdoc.PDFObject):
    """A PDF value written once (a subset's widths) and copied into each document as it is."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: pdfdoc.PDFDocument) -> bytes:
        return self.data


@functools.lru_cache(maxsize=_CACHED)
def _widths(widths: tuple[float, ...]) -> _Formatted:
    return _Formatted(pdfdoc.PDFArray(list(widths)).format(None))
