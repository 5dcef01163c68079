"""The case status workflow through the services: transitions, closure, reopening, transfers."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.dashboard import add_months
from models.database import Database
from models.errors import DomainError, PermissionDenied, StaleRecord, ValidationFailed
from models.orm import (
    AdminUnit,
    AuditEntry,
    Case,
    ChangeLogEntry,
    Closure,
    InitialAssessment,
    Plan,
    ReferenceItem,
)
from models.reference import districts
from models.services.base import Actor
from models.services.cases import assign_worker
from models.services.checks import require_open_case
from models.services.workflow import (
    AUDIT_LABELS,
    ClosureInput,
    allowed_transitions,
    approve_closure,
    change_status,
    reject_closure,
    reopen_case,
    request_closure,
    transfer_out,
)
from models.settings import office_district_id, put_setting

from tests.conftest import make_user
from tests.models.helpers import add_as_system, child_case

OPENED = date(2026, 3, 2)


def _case(db: Database, actor: Actor) -> uuid.UUID:
    return child_case(db, actor, OPENED, ["neglect"], worker_id=actor.user_id).id


def _stored(db: Database, case_id: uuid.UUID) -> Case:
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        session.expunge(case)
        return case


def _version(db: Database, case_id: uuid.UUID) -> int:
    return _stored(db, case_id).version


def _move(db: Database, actor: Actor, case_id: uuid.UUID, status: str) -> int:
    return change_status(db, actor, case_id, status, _version(db, case_id))


def _closure(**changes: object) -> ClosureInput:
    values: dict[str, object] = {
        "closed_on": date.today(),
        "reason_code": "goals_achieved",
        "outcome_codes": ["guardianship", "child_allowance"],
        "final_assessment": "Ребёнок посещает школу, семья получает пособие «үй-бүлөгө көмөк».",
    }
    values.update(changes)
    return ClosureInput(**values)  # type: ignore[arg-type]


def _actions(db: Database) -> list[str]:
    with db.reading() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_the_case_moves_along_the_workflow_when_its_preconditions_hold(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    _move(db, admin, case_id, "assessment")
    with pytest.raises(DomainError) as caught:
        _move(db, admin, case_id, "planning")
    assert "первичной оценки" in str(caught.value)
    add_as_system(db, InitialAssessment(case_id=case_id, visit_date=OPENED, completed_on=OPENED))
    _move(db, admin, case_id, "planning")
    with pytest.raises(DomainError) as caught:
        _move(db, admin, case_id, "implementation")
    assert "approved" in caught.value.message.msgid
    add_as_system(db, Plan(case_id=case_id, start_date=OPENED, status="approved"))
    _move(db, admin, case_id, "implementation")
    _move(db, admin, case_id, "monitoring")
    _move(db, admin, case_id, "implementation")
    assert _stored(db, case_id).status == "implementation"
    with db.reading() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.status")).all()
        assert [json.loads(e.details)["to"] for e in entries] == [
            "assessment",
            "planning",
            "implementation",
            "monitoring",
            "implementation",
        ]
    assert "case.status" in AUDIT_LABELS


def test_a_case_is_never_closed_by_a_status_change(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    with pytest.raises(DomainError) as caught:
        _move(db, admin, case_id, "closed")
    assert "approved by the department head" in caught.value.message.msgid
    with pytest.raises(DomainError) as caught:
        _move(db, admin, case_id, "monitoring")  # not a step from "registered"
    assert "cannot change" in caught.value.message.msgid
    assert _stored(db, case_id).status == "registered"


def test_the_moves_offered_say_why_a_move_is_not_possible_yet(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    _move(db, admin, case_id, "assessment")
    reader = make_user(db, admin, "reader", "read_only")
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        moves = allowed_transitions(session, admin, case)
        assert [(m.to_status, m.refused is not None) for m in moves] == [("planning", True)]
        assert allowed_transitions(session, reader, case) == []


def test_closure_needs_a_reason_an_outcome_and_a_final_assessment(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    with pytest.raises(ValidationFailed) as caught:
        request_closure(
            db,
            admin,
            case_id,
            _closure(reason_code=None, outcome_codes=[], final_assessment=" "),
            _version(db, case_id),
        )
    assert {p.field for p in caught.value.problems} == {"reason", "outcomes", "final_assessment"}
    with pytest.raises(ValidationFailed) as caught:
        request_closure(
            db, admin, case_id, _closure(closed_on=OPENED - timedelta(days=1)), _version(db, case_id)
        )
    assert caught.value.for_field("closed_on")


def test_a_closure_request_waits_for_the_head_and_the_approval_closes_the_case(
    db: Database, admin: Actor
) -> None:
    specialist = make_user(db, admin, "specialist", "specialist")
    head = make_user(db, admin, "head", "head")
    case_id = _case(db, specialist)
    put_setting_for(db, "deadline.follow_up_months", 4)
    closure_id = request_closure(db, specialist, case_id, _closure(), _version(db, case_id))
    assert _stored(db, case_id).status == "registered"  # waiting: still open
    with db.reading() as session:
        closure = session.get(Closure, closure_id)
        assert closure is not None and closure.approved_by_id is None
        assert closure.follow_up_date == add_months(date.today(), 4)
        assert sorted(o.code for o in closure.outcomes) == ["child_allowance", "guardianship"]
    with pytest.raises(DomainError):  # one request at a time
        request_closure(db, specialist, case_id, _closure(), _version(db, case_id))
    with pytest.raises(PermissionDenied):
        approve_closure(db, specialist, case_id, _version(db, case_id))
    approve_closure(db, head, case_id, _version(db, case_id))
    case = _stored(db, case_id)
    assert (case.status, case.closed_on) == ("closed", date.today())
    with db.reading() as session:
        closure = session.get(Closure, closure_id)
        assert closure is not None and closure.approved_by_id == head.user_id
    assert _actions(db)[-2:] == ["closure.request", "closure.approve"]


def put_setting_for(db: Database, key: str, value: object) -> None:
    with db.session() as session:
        session.info["system"] = True
        put_setting(session, key, value)
        session.commit()


def test_a_rejected_closure_is_withdrawn_and_the_case_stays_open(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    closure_id = request_closure(db, admin, case_id, _closure(), _version(db, case_id))
    with pytest.raises(ValidationFailed) as caught:
        reject_closure(db, admin, case_id, "", _version(db, case_id))
    assert caught.value.for_field("note")
    reject_closure(db, admin, case_id, "Цели плана не достигнуты", _version(db, case_id))
    with db.reading() as session:
        closure = session.get(Closure, closure_id)
        assert closure is not None and closure.deleted_at is not None
    assert _stored(db, case_id).status == "registered"
    with pytest.raises(DomainError):
        approve_closure(db, admin, case_id, _version(db, case_id))
    request_closure(db, admin, case_id, _closure(), _version(db, case_id))  # a new request is possible


def test_a_closed_case_refuses_new_work_until_reopened(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    request_closure(db, admin, case_id, _closure(), _version(db, case_id))
    approve_closure(db, admin, case_id, _version(db, case_id))
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        with pytest.raises(DomainError) as caught:
            require_open_case(session, case)
        assert caught.value.message.msgid == "The case {number} is closed; reopen it first."
        assert caught.value.message.params == {"number": case.number}
    with pytest.raises(DomainError):
        request_closure(db, admin, case_id, _closure(), _version(db, case_id))
    with pytest.raises(ValidationFailed):
        reopen_case(db, admin, case_id, "  ", _version(db, case_id))
    reopen_case(db, admin, case_id, "Повторное сообщение из школы", _version(db, case_id))
    case = _stored(db, case_id)
    assert (case.status, case.closed_on, case.reopened_count) == ("assessment", None, 1)
    with db.reading() as session:
        kept = session.scalars(select(Closure).where(Closure.case_id == case_id)).all()
        assert len(kept) == 1 and kept[0].deleted_at is None and kept[0].approved_by_id is not None
    with pytest.raises(DomainError):
        reopen_case(db, admin, case_id, "ещё раз", _version(db, case_id))


def test_the_head_transfers_a_case_out_to_another_district(db: Database, admin: Actor) -> None:
    head = make_user(db, admin, "head", "head")
    specialist = make_user(db, admin, "specialist", "specialist")
    case_id = _case(db, specialist)
    with db.reading() as session:
        own = office_district_id(session)
        other = next(unit for unit in districts(session) if unit.id != own)
        other_id, other_name = other.id, other.name_ru
    with pytest.raises(PermissionDenied):
        transfer_out(db, specialist, case_id, other_id, None, _version(db, case_id))
    assert own is not None
    with pytest.raises(ValidationFailed):
        transfer_out(db, head, case_id, own, None, _version(db, case_id))
    with db.reading() as session:
        seq_before = session.scalar(select(ChangeLogEntry.seq).order_by(ChangeLogEntry.seq.desc()).limit(1))
    transfer_out(db, head, case_id, other_id, "Семья переехала", _version(db, case_id))
    case = _stored(db, case_id)
    assert (case.status, case.transferred_to_id, case.closed_on) == ("closed", other_id, date.today())
    with db.reading() as session:
        closure = session.scalars(select(Closure).where(Closure.case_id == case_id)).one()
        assert session.get(AdminUnit, other_id) is not None
        reason = session.get(ReferenceItem, closure.reason_id)
        assert reason is not None and reason.code == "moved_away"
        assert closure.approved_by_id == head.user_id
        changed = session.scalars(
            select(ChangeLogEntry.table_name).where(ChangeLogEntry.seq > (seq_before or 0))
        ).all()
        assert "cases" in changed and "closures" in changed  # the next upload package carries them
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.transfer_out")).one()
        assert json.loads(entry.details)["district_name"] == other_name


def test_a_stale_version_is_refused(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    version = _version(db, case_id)
    change_status(db, admin, case_id, "assessment", version)
    with pytest.raises(StaleRecord):
        change_status(db, admin, case_id, "assessment", version)


def test_the_head_assigns_and_unassigns_a_case_work_worker(db: Database, admin: Actor) -> None:
    head = make_user(db, admin, "head", "head")
    social = make_user(db, admin, "social", "social_worker")
    secretary = make_user(db, admin, "secretary", "kdd_secretary")
    case_id = _case(db, admin)
    assign_worker(db, head, case_id, social.user_id, _version(db, case_id))
    assert _stored(db, case_id).worker_id == social.user_id
    with pytest.raises(ValidationFailed) as caught:
        assign_worker(db, head, case_id, secretary.user_id, _version(db, case_id))
    assert caught.value.for_field("worker")
    assign_worker(db, head, case_id, None, _version(db, case_id))
    assert _stored(db, case_id).worker_id is None
    with db.reading() as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "case.assign").order_by(AuditEntry.id.desc())
        ).first()
        assert entry is not None and json.loads(entry.details)["to"] is None
