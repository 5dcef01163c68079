"""The shared layout: paragraphs that do not fit where they fall."""

from __future__ import annotations

from reportlab.platypus import Spacer

from reports.language import Texts
from reports.layout import BOTTOM_MARGIN, TOP_MARGIN, build, para

from tests.reports.pdf import pages_text

PAGE_HEIGHT = 841.89  # A4


def test_a_paragraph_with_room_for_one_line_at_the_foot_of_a_page_moves_whole_to_the_next() -> None:
    room = PAGE_HEIGHT - TOP_MARGIN - BOTTOM_MARGIN
    sentence = "Ёлкин Пётр и Үсөнбаева Ңурзат приглашены на заседание комиссии. "
    story = [Spacer(1, room - 20), para(sentence * 6), para(sentence * 6)]
    document = build(story, Texts("ru"), title="Ёлкин")
    pages = [" ".join(page.split()) for page in pages_text(document.pdf)]
    assert document.pages == 2
    assert "Ёлкин" not in pages[0]
    assert pages[1].count("Үсөнбаева Ңурзат приглашены") == 12
