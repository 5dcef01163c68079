"""Session hooks that every write passes through.

Before a flush: refuse writes from a session no service has claimed (``session.info["actor"]``
or ``session.info["system"]``), refuse hard deletes of travelling records, stamp
authorship and timestamps, and refresh normalized name keys. After a flush: one change-log
row per inserted, updated or soft-deleted travelling record, in the same transaction.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.orm import Session, UOWTransaction

from models import names, register_index
from models.base import Record, utcnow
from models.orm import Case, ChangeLogEntry, Person

ACTOR_KEY = "actor"
SYSTEM_KEY = "system"


class UnauthorisedWrite(RuntimeError):
    """A programming error: something tried to write around the services."""


def _actor_id(session: Session) -> uuid.UUID | None:
    actor = session.info.get(ACTOR_KEY)
    return getattr(actor, "user_id", None)


def _before_flush(session: Session, _ctx: UOWTransaction, _instances: Any) -> None:
    records_new = [o for o in session.new if isinstance(o, Record)]
    records_dirty = [o for o in session.dirty if isinstance(o, Record) and session.is_modified(o)]
    if not (records_new or records_dirty or session.deleted):
        return
    if ACTOR_KEY not in session.info and not session.info.get(SYSTEM_KEY):
        raise UnauthorisedWrite("writes go through models.services (no acting user on this session)")
    for obj in session.deleted:
        if isinstance(obj, Record):
            raise UnauthorisedWrite(f"{type(obj).__name__} records are soft-deleted, never removed")
    now = utcnow()
    actor_id = _actor_id(session)
    for obj in records_new:
        if obj.__dict__.get("created_at") is None:  # kept when given (records imported from a package)
            obj.created_at = now
        obj.updated_at = now
        obj.created_by = obj.created_by or actor_id
        obj.updated_by = actor_id or obj.updated_by
    for obj in records_dirty:
        obj.updated_at = now
        obj.updated_by = actor_id or obj.updated_by
    for obj in records_new + records_dirty:
        if isinstance(obj, Person):
            names.refresh_person_keys(obj)


def _after_flush(session: Session, _ctx: UOWTransaction) -> None:
    rows = []
    now = utcnow()
    for obj in session.new:
        if isinstance(obj, Record):
            rows.append(
                {"table_name": obj.__tablename__, "record_id": obj.id, "operation": "I", "changed_at": now}
            )
    for obj in session.dirty:
        if isinstance(obj, Record) and session.is_modified(obj):
            history = _deleted_now(obj)
            rows.append(
                {
                    "table_name": obj.__tablename__,
                    "record_id": obj.id,
                    "operation": "D" if history else "U",
                    "changed_at": now,
                }
            )
    if rows:
        session.execute(insert(ChangeLogEntry), rows)
    children = _children_touched(session)
    if children:
        register_index.refresh(session, children)


def _children_touched(session: Session) -> set[uuid.UUID]:
    """Children whose row in the derived children register may have changed in this flush."""
    touched: set[uuid.UUID] = set()
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Person) and obj.is_child:
            touched.add(obj.id)
        elif isinstance(obj, Person) and obj in session.dirty:
            touched.add(obj.id)  # no longer a child: its rows go
        elif isinstance(obj, Case):
            touched.add(obj.child_id)
    return touched


def _deleted_now(obj: Record) -> bool:
    from sqlalchemy import inspect

    added = list(inspect(obj).attrs.deleted_at.history.added)
    return bool(added) and added[0] is not None


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "after_flush", _after_flush)
    _installed = True
