"""Choices for forms and filters: reference lists, districts, workers and partner organisations.

Each choice is a stored value (a code or an id) with its label in the reader's language.
Only live, active entries are offered; a form showing an older record keeps its own value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.i18n import current_language
from models.orm import AdminUnit, Organisation, ReferenceItem, User
from models.permissions import CASE_WORK_ROLES
from models.reference import districts, items

V = TypeVar("V")


@dataclass(frozen=True)
class Choice(Generic[V]):
    """One entry of a list to choose from: the stored *value* and the *label* people read."""

    value: V
    label: str


def _name(row: ReferenceItem | AdminUnit | Organisation, lang: str) -> str:
    if lang == "ky" and row.name_ky:
        return row.name_ky
    if lang == "en" and isinstance(row, ReferenceItem) and row.name_en:
        return row.name_en
    return row.name_ru


# The Kyrgyz Cyrillic alphabet (the Russian one with Ң, Ө, Ү in their places); Ё sorts with Е.
_KYRGYZ_ALPHABET = "абвгдежзийклмнңоөпрстуүфхцчшщъыьэюя"
_ALPHABET_ORDER = {ord(letter): chr(0x100 + i) for i, letter in enumerate(_KYRGYZ_ALPHABET)}
_ALPHABET_ORDER[ord("ё")] = _ALPHABET_ORDER[ord("е")]


def alphabetical(label: str) -> str:
    """A sort key in the order of the Kyrgyz alphabet, case-blind (databases sort by code point)."""
    return label.casefold().translate(_ALPHABET_ORDER)


def reference_choices(session: Session, kind: str, lang: str | None = None) -> list[Choice[str]]:
    """The active entries of one reference list (see :data:`models.reference.KINDS`), by code."""
    lang = lang or current_language()
    return [Choice(item.code, _name(item, lang)) for item in items(session, kind)]


def district_choices(session: Session, lang: str | None = None) -> list[Choice[uuid.UUID]]:
    """The districts and cities valid today, by id, in alphabetical order of the label."""
    lang = lang or current_language()
    choices = [Choice(unit.id, _name(unit, lang)) for unit in districts(session)]
    return sorted(choices, key=lambda choice: alphabetical(choice.label))


def worker_choices(session: Session) -> list[Choice[uuid.UUID]]:
    """Active users who may be responsible for a case (:data:`CASE_WORK_ROLES`), alphabetically by name."""
    users = session.execute(
        select(User.id, User.full_name, User.username).where(
            User.active.is_(True), User.deleted_at.is_(None), User.role_code.in_(CASE_WORK_ROLES)
        )
    )
    return sorted(
        (Choice(u.id, u.full_name or u.username) for u in users), key=lambda c: alphabetical(c.label)
    )


def organisation_choices(session: Session, lang: str | None = None) -> list[Choice[uuid.UUID]]:
    """The partner organisations of the directory that are still active, by id."""
    lang = lang or current_language()
    rows = session.scalars(
        select(Organisation).where(Organisation.active.is_(True), Organisation.deleted_at.is_(None))
    )
    return sorted((Choice(org.id, _name(org, lang)) for org in rows), key=lambda c: alphabetical(c.label))
