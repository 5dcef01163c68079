"""The Russian and Kyrgyz catalogs are complete and keep every placeholder of the source text."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from models import i18n
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


@pytest.fixture
def locale_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The shipped catalogs copied to *tmp_path*, read from there (the cache emptied before and after)."""
    folder = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, folder)
    monkeypatch.setattr(i18n, "LOCALE_DIR", folder)
    i18n.translations.cache_clear()
    yield folder
    i18n.translations.cache_clear()


def test_the_built_programs_compiled_catalog_reads_as_the_source_one(locale_copy: Path) -> None:
    po_path = i18n.catalog_path("ru")
    po_path.with_suffix(".mo").write_bytes(i18n.compile_catalog(po_path, "ru"))
    po_path.unlink()  # as in the built program, which ships the .mo only

    ru = i18n.translations("ru")

    assert ru.gettext("Sign in") == "Войти"
    assert [ru.ngettext("{count} page", "{count} pages", n) for n in (1, 3, 5)] == [
        "{count} страница",
        "{count} страницы",
        "{count} страниц",
    ]


def test_a_compiled_catalog_older_than_its_source_is_not_read(locale_copy: Path) -> None:
    po_path = i18n.catalog_path("ky")
    mo_path = po_path.with_suffix(".mo")
    mo_path.write_bytes(i18n.compile_catalog(po_path, "ru"))  # stale: says another language's words
    os.utime(mo_path, (time.time() - 3600, time.time() - 3600))

    assert i18n.translations("ky").gettext("Sign in") == "Кирүү"
