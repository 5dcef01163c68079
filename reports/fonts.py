"""The fonts every document is set in: Liberation Serif, bundled (SIL OFL 1.1, see fonts/LICENSE.txt).

Liberation Serif has the metrics of Times New Roman, the face of official papers, and carries
Cyrillic with the Kyrgyz letters Ң ң Ө ө Ү ү, and №, «», —. ReportLab embeds the glyphs used
(a subset) in every PDF, so the text stays extractable and prints the same on every PC.
"""

from __future__ import annotations

import functools
from pathlib import Path

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

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
