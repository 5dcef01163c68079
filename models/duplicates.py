"""Finding persons already registered who may be the one being entered.

The ПИН is not unique and names are spelled many ways (Cyrillic, Kyrgyz letters, passport
Latin), so nothing here refuses a save: the form shows the candidates, strongest first.
Each query is an equality on an indexed column (``pin``, ``birth_date``, or the name keys);
the spelling comparison runs in Python over the few persons born on the same day.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from models.names import full_name, name_key
from models.orm import Person
from models.validation import normalize_pin

SAME_PIN = "same_pin"
SAME_NAME_AND_BIRTH_DATE = "same_name_and_birth_date"
SIMILAR_NAME_SAME_BIRTH_DATE = "similar_name_same_birth_date"
SAME_NAME = "same_name"

_WEIGHTS = {SAME_PIN: 100, SAME_NAME_AND_BIRTH_DATE: 70, SIMILAR_NAME_SAME_BIRTH_DATE: 40, SAME_NAME: 25}
_SAME_PATRONYMIC_BONUS = 5
SIMILAR_RATIO = 0.8
SIMILAR_DISTANCE = 1
# Persons born on one day, read to compare spellings; far more than any office holds.
_MAX_SAME_DAY = 5000
_MAX_SAME_NAME = 200


@dataclass(frozen=True)
class DuplicateCandidate:
    """A registered person who may be the one being entered, with why (reason codes) and how strongly."""

    person_id: uuid.UUID
    full_name: str
    birth_date: date | None
    pin: str | None
    score: int
    reasons: tuple[str, ...]


def levenshtein(a: str, b: str) -> int:
    """The edit distance between two strings (insertions, deletions, substitutions)."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def key_similarity(a: str, b: str) -> float:
    """How alike two name keys are, 0..1; 0 unless they are close (ratio ≥ 0.8 or one edit apart)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    ratio = SequenceMatcher(None, a, b).ratio()
    if ratio >= SIMILAR_RATIO:
        return ratio
    if min(len(a), len(b)) >= 3 and levenshtein(a, b) <= SIMILAR_DISTANCE:
        return max(ratio, SIMILAR_RATIO)
    return 0.0


def name_similarity(last_key: str, first_key: str, other_last: str, other_first: str) -> float:
    """Similarity of two (last, first) key pairs, also trying the names the other way round."""
    as_typed = min(key_similarity(last_key, other_last), key_similarity(first_key, other_first))
    swapped = min(key_similarity(last_key, other_first), key_similarity(first_key, other_last))
    return max(as_typed, swapped)


_COLUMNS = (
    Person.id,
    Person.last_name,
    Person.first_name,
    Person.patronymic,
    Person.birth_date,
    Person.pin,
    Person.last_name_key,
    Person.first_name_key,
    Person.patronymic_key,
)


@dataclass
class _Found:
    row: Any  # a result row of _COLUMNS
    reasons: list[str] = field(default_factory=list)
    score: float = 0.0

    def add(self, reason: str, score: float) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
            self.score += score


def find_duplicates(
    session: Session,
    *,
    last_name: str,
    first_name: str,
    patronymic: str | None = None,
    birth_date: date | None = None,
    pin: str | None = None,
    exclude_id: uuid.UUID | None = None,
    is_child: bool | None = True,
    limit: int = 10,
) -> list[DuplicateCandidate]:
    """Registered, not deleted persons (children by default) who may be the person described.

    Ranked by score: the same ПИН, then the same name and date of birth, then a close
    spelling with the same date of birth, then the same name where a date of birth is missing.
    """

    live: list[ColumnElement[bool]] = [Person.deleted_at.is_(None)]
    if is_child is not None:
        live.append(Person.is_child == is_child)
    if exclude_id is not None:
        live.append(Person.id != exclude_id)

    def rows(*criteria: ColumnElement[bool], at_most: int) -> Sequence[Any]:
        return session.execute(select(*_COLUMNS).where(*criteria, *live).limit(at_most)).all()

    found: dict[uuid.UUID, _Found] = {}

    def note(row: Any, reason: str, score: float) -> None:
        found.setdefault(row.id, _Found(row)).add(reason, score)

    pin_digits = normalize_pin(pin) if pin else ""
    if pin_digits:
        for row in rows(Person.pin == pin_digits, at_most=_MAX_SAME_NAME):
            note(row, SAME_PIN, _WEIGHTS[SAME_PIN])

    last_key, first_key = name_key(last_name), name_key(first_name)
    if last_key and first_key and birth_date is not None:
        for row in rows(Person.birth_date == birth_date, at_most=_MAX_SAME_DAY):
            if (row.last_name_key, row.first_name_key) == (last_key, first_key):
                note(row, SAME_NAME_AND_BIRTH_DATE, _WEIGHTS[SAME_NAME_AND_BIRTH_DATE])
                continue
            similarity = name_similarity(last_key, first_key, row.last_name_key, row.first_name_key)
            if similarity > 0:
                note(
                    row,
                    SIMILAR_NAME_SAME_BIRTH_DATE,
                    _WEIGHTS[SIMILAR_NAME_SAME_BIRTH_DATE] + 20 * similarity,
                )
    if last_key and first_key:
        same_name = [Person.last_name_key == last_key, Person.first_name_key == first_key]
        if birth_date is not None:
            same_name.append(Person.birth_date.is_(None))
        for row in rows(*same_name, at_most=_MAX_SAME_NAME):
            note(row, SAME_NAME, _WEIGHTS[SAME_NAME])

    patronymic_key = name_key(patronymic)
    candidates = []
    for entry in found.values():
        row = entry.row
        score = entry.score
        if patronymic_key and patronymic_key == row.patronymic_key and entry.reasons != [SAME_PIN]:
            score += _SAME_PATRONYMIC_BONUS
        name = full_name(row.last_name, row.first_name, row.patronymic)
        candidates.append(
            DuplicateCandidate(row.id, name, row.birth_date, row.pin, round(score), tuple(entry.reasons))
        )
    candidates.sort(key=lambda c: (-c.score, c.full_name, str(c.person_id)))
    return candidates[:limit]
