"""Records the model tests set up: children written as the system, their cases opened by the services."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from models.base import Record
from models.database import Database
from models.orm import Case, Person
from models.services.base import Actor
from models.services.cases import CaseInput, Registered, open_case


def add_as_system(db: Database, *records: object) -> None:
    """Write *records* directly, as the system (no service, no permission check)."""
    with db.session() as session:
        session.info["system"] = True
        session.add_all(records)
        session.commit()


def add_child(db: Database, last: str = "Үсөнбаева", first: str = "Ңурзат") -> uuid.UUID:
    """A registered girl born on 1 February 2015."""
    child = Person(last_name=last, first_name=first, sex="F", birth_date=date(2015, 2, 1), is_child=True)
    add_as_system(db, child)
    return child.id


def child_case(
    db: Database,
    actor: Actor,
    opened_on: date,
    categories: Sequence[str] = ("not_in_school",),
    *,
    child_id: uuid.UUID | None = None,
    risk_code: str | None = None,
    worker_id: uuid.UUID | None = None,
) -> Registered:
    """A case opened by *actor* for *child_id* (by default a new child from :func:`add_child`)."""
    child_id = child_id or add_child(db)
    return open_case(db, actor, CaseInput(child_id, opened_on, categories, risk_code, worker_id))


def close_as_system(db: Database, case_id: uuid.UUID, closed_on: date | None = None) -> None:
    """Mark a case closed directly, without the closure workflow."""
    with db.session() as session:
        session.info["system"] = True
        case = session.get(Case, case_id)
        assert case is not None
        case.status = "closed"
        case.closed_on = closed_on
        session.commit()


def stored_version(db: Database, model: type[Record], record_id: uuid.UUID) -> int:
    """The version of the record as stored now."""
    with db.reading() as session:
        record = session.get(model, record_id)
        assert record is not None
        return record.version
