"""The derived children register follows every service write that changes what it derives from."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from sqlalchemy import select

from models import register_index
from models.database import Database
from models.orm import Case, ChildRegisterEntry
from models.registers import ChildRow, RegisterQuery, fetch_page
from models.services.base import Actor
from models.services.cases import CaseInput, assign_worker, open_case, update_case
from models.services.people import get_person, register_child, update_person
from models.validation import PersonInput

from tests.conftest import make_user


def _names(db: Database, **filters: object) -> list[str]:
    with db.reading() as session:
        page = fetch_page(session, RegisterQuery("children", **filters))  # type: ignore[arg-type]
        return [row.full_name for row in page.rows if isinstance(row, ChildRow)]


def _child(db: Database, admin: Actor, last: str, first: str) -> uuid.UUID:
    data = PersonInput(last_name=last, first_name=first, sex="F", birth_date=date(2016, 4, 9), is_child=True)
    return register_child(db, admin, data).id


def test_category_and_status_filters_follow_the_services(db: Database, admin: Actor) -> None:
    nurzat = _child(db, admin, "Үсөнбаева", "Ңурзат")
    alyona = _child(db, admin, "Ёлкина", "Алёна")
    case = open_case(db, admin, CaseInput(nurzat, date(2026, 2, 1), ["labour_migrants"], "high"))
    open_case(db, admin, CaseInput(alyona, date(2026, 2, 2), ["labour_migrants", "neglect"]))
    assert _names(db, categories=("labour_migrants",), statuses=("registered",)) == [
        "Ёлкина Алёна",
        "Үсөнбаева Ңурзат",
    ]
    assert _names(db, categories=("neglect",)) == ["Ёлкина Алёна"]

    with db.reading() as session:
        version = session.scalars(select(Case.version).where(Case.id == case.id)).one()
    update_case(db, admin, case.id, expected_version=version, category_codes=["no_documents"])
    assert _names(db, categories=("labour_migrants",)) == ["Ёлкина Алёна"]
    assert _names(db, categories=("no_documents",)) == ["Үсөнбаева Ңурзат"]

    worker = make_user(db, admin, "aizada", "specialist")
    assign_worker(db, admin, case.id, worker.user_id)
    assert _names(db, categories=("no_documents",), worker_id=worker.user_id) == ["Үсөнбаева Ңурзат"]

    details = get_person(db, admin, nurzat)
    update_person(db, admin, nurzat, replace(details.data, last_name="Usonbaeva"), details.version)
    assert _names(db, categories=("no_documents",)) == ["Usonbaeva Ңурзат"]


def test_a_full_rebuild_gives_the_same_rows(db: Database, admin: Actor) -> None:
    child = _child(db, admin, "Usenova", "Nurgul")
    open_case(db, admin, CaseInput(child, date(2026, 3, 1), ["orphans", "disability"]))

    def rows() -> list[tuple[object, ...]]:
        with db.reading() as session:
            return sorted(
                (tuple(r) for r in session.execute(select(ChildRegisterEntry.__table__)).all()), key=repr
            )

    kept = rows()
    assert len(kept) == 2
    with db.session() as session:
        session.info["system"] = True
        register_index.rebuild_all(session)
        session.commit()
    assert rows() == kept
