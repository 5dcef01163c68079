"""Visits through the services: dates, observations, the worker, deleting a mistake, closed cases."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.database import Database
from models.errors import DomainError, PermissionDenied, StaleRecord, ValidationFailed
from models.orm import AuditEntry, Case, Visit
from models.services.base import Actor
from models.services.visits import (
    AUDIT_LABELS,
    VisitInput,
    delete_visit,
    list_visits,
    record_visit,
    update_visit,
    visit_workers,
)

from tests.conftest import make_user
from tests.models.helpers import child_case, close_as_system, stored_version

TODAY = date.today()
VISIT = VisitInput(
    TODAY - timedelta(days=2),
    "home",
    participants="Мать Үсөнбаева Айгүл, бабушка",
    observations="В доме тепло, продукты есть.\nРебёнок ходит в школу.",
    next_visit_date=TODAY + timedelta(days=28),
)


@pytest.fixture
def case_id(db: Database, admin: Actor) -> uuid.UUID:
    return child_case(db, admin, TODAY - timedelta(days=30)).id


def _version(db: Database, visit_id: uuid.UUID) -> int:
    return stored_version(db, Visit, visit_id)


def test_a_social_worker_records_a_visit_as_its_worker(
    db: Database, admin: Actor, case_id: uuid.UUID
) -> None:
    worker = make_user(db, admin, "asel", "social_worker")
    visit_id = record_visit(db, worker, case_id, VISIT)
    [row] = list_visits(db, admin, case_id)
    assert row.id == visit_id
    assert (row.data.worker_id, row.worker_name, row.author_id) == (
        worker.user_id,
        "Тест asel",
        worker.user_id,
    )
    assert row.data.observations == VISIT.observations
    with db.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.entity_id == visit_id)).one()
        case = session.get(Case, case_id)
        assert case is not None
    assert entry.action == "visit.create" and entry.action in AUDIT_LABELS
    assert json.loads(entry.details)["number"] == case.number


def test_a_visit_is_checked(db: Database, admin: Actor, case_id: uuid.UUID) -> None:
    bad = VisitInput(TODAY + timedelta(days=1), "street", observations=" ", next_visit_date=TODAY)
    with pytest.raises(ValidationFailed) as caught:
        record_visit(db, admin, case_id, bad)
    assert {p.field for p in caught.value.problems} == {
        "visit_date",
        "kind",
        "observations",
        "next_visit_date",
    }
    with pytest.raises(ValidationFailed) as caught:
        record_visit(db, admin, case_id, replace(VISIT, next_visit_date=VISIT.visit_date))
    assert caught.value.for_field("next_visit_date")
    assert list_visits(db, admin, case_id) == []


def test_visits_are_listed_latest_first_and_updated_with_their_version(
    db: Database, admin: Actor, case_id: uuid.UUID
) -> None:
    older = record_visit(
        db, admin, case_id, replace(VISIT, visit_date=TODAY - timedelta(days=20), kind="office")
    )
    newer = record_visit(db, admin, case_id, VISIT)
    assert [row.id for row in list_visits(db, admin, case_id)] == [newer, older]
    version = _version(db, older)
    assert (
        update_visit(db, admin, older, replace(VISIT, visit_date=TODAY - timedelta(days=19)), version)
        == version + 1
    )
    with pytest.raises(StaleRecord):
        update_visit(db, admin, older, VISIT, version)


def test_only_the_author_or_a_head_deletes_a_visit(db: Database, admin: Actor, case_id: uuid.UUID) -> None:
    author = make_user(db, admin, "asel", "social_worker")
    other = make_user(db, admin, "bakyt", "specialist")
    head = make_user(db, admin, "head", "head")
    first = record_visit(db, author, case_id, VISIT)
    second = record_visit(db, author, case_id, VISIT)
    with pytest.raises(PermissionDenied):
        delete_visit(db, other, first, _version(db, first))
    delete_visit(db, author, first, _version(db, first))
    delete_visit(db, head, second, _version(db, second))
    assert list_visits(db, admin, case_id) == []
    with db.reading() as session:
        assert all(v.deleted_at is not None for v in session.scalars(select(Visit)))  # tombstones stay


def test_a_closed_case_takes_no_visits(db: Database, admin: Actor, case_id: uuid.UUID) -> None:
    visit_id = record_visit(db, admin, case_id, VISIT)
    close_as_system(db, case_id)
    with pytest.raises(DomainError):
        record_visit(db, admin, case_id, VISIT)
    with pytest.raises(DomainError):
        update_visit(db, admin, visit_id, VISIT, _version(db, visit_id))


def test_a_kdd_secretary_cannot_record_visits(db: Database, admin: Actor, case_id: uuid.UUID) -> None:
    secretary = make_user(db, admin, "secretary", "kdd_secretary")
    with pytest.raises(PermissionDenied):
        record_visit(db, secretary, case_id, VISIT)


def test_the_workers_who_may_visit_include_social_workers(db: Database, admin: Actor) -> None:
    worker = make_user(db, admin, "asel", "social_worker")
    make_user(db, admin, "secretary", "kdd_secretary")
    ids = [choice.value for choice in visit_workers(db, admin)]
    assert worker.user_id in ids and admin.user_id in ids
    assert len(ids) == 2
