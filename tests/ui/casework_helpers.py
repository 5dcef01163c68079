"""Cases for the tests of the case-work tabs: a child's case opened, or closed without the workflow."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from models.database import Database
from models.orm import Case, Person
from models.services.base import Actor
from models.services.cases import CaseInput, open_case


def open_child_case(
    db: Database, actor: Actor, opened_on: date, categories: Sequence[str], *, sex: str | None = None
) -> uuid.UUID:
    """Register the girl Үсөнбаева Ңурзат (born 1.2.2015) and open her case on *opened_on*."""
    with db.session() as session:
        session.info["system"] = True
        child = Person(
            last_name="Үсөнбаева", first_name="Ңурзат", sex=sex, birth_date=date(2015, 2, 1), is_child=True
        )
        session.add(child)
        session.commit()
        child_id = child.id
    return open_case(db, actor, CaseInput(child_id, opened_on, list(categories))).id


def close_case(db: Database, case_id: uuid.UUID) -> None:
    """Mark a case closed directly, without the closure workflow."""
    with db.session() as session:
        session.info["system"] = True
        case = session.get(Case, case_id)
        assert case is not None
        case.status = "closed"
        session.commit()
