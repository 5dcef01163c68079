"""The language of one document: Kyrgyz, Russian, or both with Kyrgyz first.

A document never follows the UI's language: it takes its words from the translation catalogs
through a translator per language (:func:`models.i18n.translator`), chosen when printing.
Layout code writes its literal texts as ``t("…")`` or ``t.lines("…")`` (the catalogs' extractor
knows both); a text kept in a constant is marked with ``N_``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from models.i18n import translator
from models.papers import DOCUMENT_LANGUAGES, Bilingual
from models.validation import format_date


class Texts:
    """The words of a document in *lang*: ``ky``, ``ru`` or ``both`` (bilingual, Kyrgyz first)."""

    def __init__(self, lang: str) -> None:
        if lang not in DOCUMENT_LANGUAGES:
            raise ValueError(f"unknown document language {lang!r}; expected one of {DOCUMENT_LANGUAGES}")
        self.lang = lang
        self.languages: tuple[str, ...] = ("ky", "ru") if lang == "both" else (lang,)

    @property
    def bilingual(self) -> bool:
        return len(self.languages) > 1

    def each(self, msgid: str, **params: Any) -> list[str]:
        """*msgid* in each language of the document, Kyrgyz first."""
        return [_format(translator(lang)(msgid), params) for lang in self.languages]

    def __call__(self, msgid: str, **params: Any) -> str:
        """A short text (a label, a column head): both languages on one line, "кыргызча / по-русски"."""
        return " / ".join(_unique(self.each(msgid, **params)))

    def lines(self, msgid: str, **params: Any) -> list[str]:
        """A longer text (a title, a sentence): one line or paragraph per language."""
        return _unique(self.each(msgid, **params))

    def value(self, value: Bilingual) -> str:
        """A value known in both languages (a reference name, an organisation) in the document's."""
        found = [getattr(value, lang) or value.ru or value.ky for lang in self.languages]
        return " / ".join(_unique(found))

    def one(self, lang: str, msgid: str, **params: Any) -> str:
        """*msgid* in one given language (the letterhead is always in both, side by side)."""
        return _format(translator(lang)(msgid), params)


def date_text(day: date | None) -> str:
    """A date as documents print it (ДД.ММ.ГГГГ), or a blank line to fill in by hand."""
    return format_date(day) if day else "____________"


def _format(text: str, params: dict[str, Any]) -> str:
    return text.format(**params) if params else text


def _unique(texts: Sequence[str]) -> list[str]:
    """The texts without repeats: a name typed once is the same in both languages."""
    found: list[str] = []
    for text in texts:
        if text and text not in found:
            found.append(text)
    return found
