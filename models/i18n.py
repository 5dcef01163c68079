"""Translations: Babel catalogs shipped in ``models/locale``, read straight from the ``.po`` files.

The built program ships them compiled (``.mo``, made by the PyInstaller spec): those are read with
the standard library's :mod:`gettext`, so the sign-in window shows without loading Babel. A ``.mo``
older than its ``.po`` (a catalog edited since) is ignored.

Source strings are English. ``_`` makes a lazy :class:`Message` that is rendered in whatever
language the reader needs (the UI's, or a document's), ``N_`` only marks a string for
extraction, and :func:`translator` gives a gettext function for one explicit language.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "bala_korgoo"
LANGUAGES = ("ru", "ky", "en")
DEFAULT_LANGUAGE = "ru"

_current_language = DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Choose the language in which messages render by default (the UI's language)."""
    global _current_language
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    _current_language = lang


def current_language() -> str:
    return _current_language


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The catalog of *lang*; English (the source language) is the identity."""
    po_path = catalog_path(lang)
    mo_path = po_path.with_suffix(".mo")
    if lang == "en":
        return NullTranslations()
    if mo_path.exists() and (not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime):
        with mo_path.open("rb") as fh:
            return GNUTranslations(fh)
    if not po_path.exists():
        return NullTranslations()
    return GNUTranslations(io.BytesIO(compile_catalog(po_path, lang)))


def catalog_path(lang: str) -> Path:
    """The ``.po`` catalog of *lang* (its compiled ``.mo``, where there is one, lies beside it)."""
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalog(po_path: Path, lang: str) -> bytes:
    """The ``.mo`` bytes of the catalog *po_path* (Babel is loaded only here)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po_path.open("rb") as fh:
        catalog = read_po(fh, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def translator(lang: str) -> Callable[[str], str]:
    """A gettext function for one language, independent of the UI's current language."""
    return translations(lang).gettext


def gettext(msgid: str) -> str:
    return translations(_current_language).gettext(msgid)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current_language).ngettext(singular, plural, n)


def N_(msgid: str) -> str:  # noqa: N802 - the conventional gettext marker name
    """Mark a string for extraction without translating it now."""
    return msgid


class Message:
    """A translatable message with named parameters, rendered when it is shown."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: Mapping[str, Any] | None = None) -> None:
        self.msgid = msgid
        self.params = dict(params or {})

    def render(self, lang: str | None = None) -> str:
        text = translations(lang or _current_language).gettext(self.msgid)
        if not self.params:
            return text
        rendered = {
            key: value.render(lang) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        return text.format(**rendered)

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"Message({self.msgid!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Message) and (self.msgid, self.params) == (other.msgid, other.params)

    def __hash__(self) -> int:
        return hash(self.msgid)


def _(msgid: str, **params: Any) -> Message:
    """A lazy translatable message; ``{name}`` placeholders are filled from *params*."""
    return Message(msgid, params)
