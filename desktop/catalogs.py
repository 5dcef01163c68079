"""Translation catalogs: extract the marked strings and merge them into the ru and ky catalogs.

    uv run python -m desktop.catalogs update   # refresh models/locale/*.pot and *.po
    uv run python -m desktop.catalogs check    # list missing or fuzzy translations (exit 1 if any)

Strings are marked with ``_``, ``N_``, ``gettext`` and ``ngettext`` in desktop/, ui/, models/
and reports/; the catalogs live in models/locale so that models/ and reports/ can render
messages and documents in any language without importing the desktop layer.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from models.i18n import DOMAIN, LOCALE_DIR

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("desktop", "ui", "models", "reports")
# "t" and "lines" are reports.language.Texts: t("…") and t.lines("…") in the documents' layout code.
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "t": None, "lines": None}
TRANSLATED = ("ru", "ky")


def extract() -> Catalog:
    """Every marked string of the program, with where it is used."""
    template = Catalog(project="Bala Korgoo", domain=DOMAIN, charset="utf-8")
    for folder in SOURCE_DIRS:
        base = ROOT / folder
        if not base.exists():
            continue
        for filename, lineno, message, comments, context in extract_from_dir(
            str(base), method_map=[("**.py", "python")], keywords=KEYWORDS, comment_tags=("Translators:",)
        ):
            template.add(
                message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments, context=context
            )
    return template


def _po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def load(lang: str) -> Catalog:
    path = _po_path(lang)
    if not path.exists():
        return Catalog(locale=lang, domain=DOMAIN, project="Bala Korgoo", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def update() -> None:
    template = extract()
    LOCALE_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALE_DIR / f"{DOMAIN}.pot").open("wb") as fh:
        write_po(fh, template, width=100, omit_header=False, sort_output=True)
    for lang in TRANSLATED:
        catalog = load(lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path = _po_path(lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True, include_previous=False)


def problems(lang: str) -> Iterator[str]:
    """Marked strings that the catalog of *lang* lacks, leaves empty or marks fuzzy."""
    catalog = load(lang)
    for message in extract():
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None:
            yield f"{lang}: missing: {message.id!r}"
        elif found.fuzzy:
            yield f"{lang}: fuzzy: {message.id!r}"
        elif not _translated(found.string):
            yield f"{lang}: untranslated: {message.id!r}"


def _translated(string: str | tuple[str, ...] | list[str] | None) -> bool:
    if string is None:
        return False
    if isinstance(string, str):
        return bool(string)
    return bool(string) and all(string)


def main(argv: list[str]) -> int:
    if argv[:1] == ["update"]:
        update()
        return 0
    if argv[:1] == ["check"]:
        found = [p for lang in TRANSLATED for p in problems(lang)]
        for line in found:
            print(line)
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
