"""Name keys for search and duplicate finding.

A name typed in Kyrgyz or Russian Cyrillic, or in a passport's Latin spelling, is reduced
to one comparable Latin skeleton: case-folded, ё→е, Kyrgyz letters to their base vowels
and consonants (Ү→u, Ө→o, Ң→n), Cyrillic transliterated, Latin variants folded (zh→j,
dzh→dj, kh→h, y→i, diacritics dropped), doubled letters collapsed. So Үсөнбаева, Усонбаева and
Usonbaeva share the key ``usonbaeva``, and Ёлкин and елкин share ``elkin``.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

_CYRILLIC = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "j",
    "з": "z",
    "и": "i",
    "й": "i",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "n",
    "о": "o",
    "ө": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ү": "u",
    "ф": "f",
    "х": "h",
    "һ": "h",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": "",
    "ы": "i",
    "ь": "",
    "э": "e",
    "ю": "iu",
    "я": "ia",
    "ә": "a",
    "ғ": "g",
    "қ": "k",
    "ұ": "u",
    "і": "i",
    "ї": "i",
    "є": "e",
    "ў": "u",
}
_TABLE = str.maketrans(_CYRILLIC)
# Order matters: longer Latin spellings first.
_LATIN_FOLDS = (
    ("shch", "sh"),
    ("dzh", "dj"),
    ("zh", "j"),
    ("kh", "h"),
    ("y", "i"),
    ("w", "v"),
    ("q", "k"),
    ("x", "ks"),
)
_NON_LETTERS = re.compile(r"[^a-z]+")
_DOUBLES = re.compile(r"(.)\1+")


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def name_key(text: str | None) -> str:
    """The comparable skeleton of one name part or a search word (empty for nothing)."""
    if not text:
        return ""
    lowered = unicodedata.normalize("NFC", text).casefold().translate(_TABLE)
    latin = _NON_LETTERS.sub("", _strip_marks(lowered))
    while True:  # fold until stable, so that a key is its own key
        folded = latin
        for src, dst in _LATIN_FOLDS:
            folded = folded.replace(src, dst)
        folded = _DOUBLES.sub(r"\1", folded)
        if folded.startswith("ie"):
            folded = folded[1:]  # Yelena / Елена
        if folded == latin:
            return folded
        latin = folded


def query_keys(query: str) -> list[str]:
    """The keys of each word of a search query, empty words dropped."""
    return [k for k in (name_key(word) for word in re.split(r"[\s,;]+", query)) if k]


class _NamedPerson(Protocol):
    last_name: str
    first_name: str
    patronymic: str | None
    last_name_key: str
    first_name_key: str
    patronymic_key: str


def refresh_person_keys(person: _NamedPerson) -> None:
    person.last_name_key = name_key(person.last_name)
    person.first_name_key = name_key(person.first_name)
    person.patronymic_key = name_key(person.patronymic)


def full_name(last_name: str | None, first_name: str | None, patronymic: str | None = None) -> str:
    """A name as people write it: the parts present, separated by spaces ("" for none)."""
    return " ".join(part for part in (last_name, first_name, patronymic) if part)


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with *prefix* (keys are a–z only)."""
    return prefix + "{"  # "{" sorts right after "z"
