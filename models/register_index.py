"""The derived ``child_register`` table: rebuilt for the children a flush touched.

Each row is a live child with one ТЖС category of the child's current (not deleted) case,
with the case's status, worker and opening date and the child's name keys. It is derived
data: rebuilt from persons, cases and case_categories, never edited, never exported.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from typing import cast

from sqlalchemy import Select, Table, delete, false, insert, select
from sqlalchemy.orm import Session

from models.orm import Case, ChildRegisterEntry, Person, case_categories

_COLUMNS = [
    "child_id",
    "category_id",
    "case_id",
    "status",
    "worker_id",
    "district_id",
    "opened_on",
    "last_name_key",
    "first_name_key",
]
_BATCH = 500
_TABLE = cast(Table, ChildRegisterEntry.__table__)


def _source() -> Select[tuple[object, ...]]:
    return (
        select(
            Person.id,
            case_categories.c.category_id,
            Case.id,
            Case.status,
            Case.worker_id,
            Person.district_id,
            Case.opened_on,
            Person.last_name_key,
            Person.first_name_key,
        )
        .select_from(Person)
        .join(Case, Case.id == Person.current_case_id)
        .join(case_categories, case_categories.c.case_id == Case.id)
        .where(Person.is_child != false(), Person.deleted_at.is_(None), Case.deleted_at.is_(None))
    )


def refresh(session: Session, child_ids: Collection[uuid.UUID]) -> None:
    """Rebuild the rows of these children in the session's transaction."""
    ids = list(child_ids)
    for start in range(0, len(ids), _BATCH):
        chunk = ids[start : start + _BATCH]
        session.execute(delete(_TABLE).where(_TABLE.c.child_id.in_(chunk)))
        session.execute(insert(_TABLE).from_select(_COLUMNS, _source().where(Person.id.in_(chunk))))


def rebuild_all(session: Session) -> None:
    """Rebuild the whole table (after a bulk load, or to repair it)."""
    session.execute(delete(_TABLE))
    session.execute(insert(_TABLE).from_select(_COLUMNS, _source()))
