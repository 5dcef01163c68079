"""The Russian and Kyrgyz catalogs are complete and keep every placeholder of the source text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from models.i18n import Message, translator

from desktop import catalogs

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_every_marked_string_is_translated(lang: str) -> None:
    missing = list(catalogs.problems(lang))
    assert not missing, (
        "\n".join(missing[:40]) + f"\n… {len(missing)} in all; run `uv run python -m desktop.catalogs update`"
    )


# gettext("…") with a literal inside an f-string's braces: the catalog extractor does not see it.
LITERAL_IN_FSTRING = re.compile(r"""\bf(["']).*\{\s*(?:gettext|ngettext|_|N_)\(\s*["']""")


def test_no_marked_literal_hides_inside_an_f_string() -> None:
    root = Path(__file__).resolve().parent.parent
    hidden = [
        f"{path.relative_to(root)}:{number}"
        for package in ("desktop", "ui", "models", "reports")
        for path in sorted((root / package).rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if LITERAL_IN_FSTRING.search(line)
    ]
    assert not hidden, hidden


@pytest.mark.parametrize("lang", catalogs.TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    catalog = catalogs.load(lang)
    wrong = []
    for message in catalog:
        if not message.id or not isinstance(message.id, str) or not isinstance(message.string, str):
            continue
        if message.string and set(PLACEHOLDER.findall(message.id)) != set(
            PLACEHOLDER.findall(message.string)
        ):
            wrong.append(message.id)
    assert not wrong, wrong


def test_messages_render_in_the_language_asked_for() -> None:
    message = Message("There is no database at {path}.", {"path": "C:/data/office.sqlite"})
    assert message.render("en") == "There is no database at C:/data/office.sqlite."
    assert "C:/data/office.sqlite" in message.render("ru")
    assert message.render("ru") != message.render("en")
    assert message.render("ky") not in (message.render("en"), message.render("ru"))


def test_a_document_language_is_independent_of_the_ui_language() -> None:
    assert translator("ky")("Read only") != translator("ru")("Read only")
