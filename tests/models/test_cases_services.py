"""Reports and cases through the services: numbering, validation, permissions, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.database import Database
from models.errors import PermissionDenied, ValidationFailed
from models.orm import AuditEntry, Case, ChangeLogEntry, Person, Report
from models.services.base import Actor
from models.services.cases import (
    CaseInput,
    ReportInput,
    assign_worker,
    decide_report,
    open_case,
    register_report,
)

from tests.conftest import make_user


def _child(db: Database, last: str = "Үсөнбаева", first: str = "Ңурзат") -> Person:
    with db.session() as session:
        session.info["system"] = True
        person = Person(last_name=last, first_name=first, sex="F", birth_date=date(2015, 2, 1), is_child=True)
        session.add(person)
        session.commit()
        return person


def _count(db: Database, model: type) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_reports_are_numbered_per_year_in_order(db: Database, admin: Actor) -> None:
    child = _child(db)
    received = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    first = register_report(
        db,
        admin,
        ReportInput(
            received,
            "school",
            reporter_name="Социальный педагог",
            child_ids=[child.id],
            category_codes=["not_in_school"],
        ),
    )
    second = register_report(
        db, admin, ReportInput(received + timedelta(hours=1), "hotline_111", anonymous=True)
    )
    assert (first.number, second.number) == ("1/2026", "2/2026")
    with db.reading() as session:
        report = session.get(Report, first.id)
        assert report is not None
        assert [c.last_name for c in report.children] == ["Үсөнбаева"]
        assert [c.code for c in report.categories] == ["not_in_school"]


def test_a_report_needs_a_reporter_unless_anonymous(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        register_report(db, admin, ReportInput(datetime(2026, 3, 1, tzinfo=UTC), "neighbour"))
    assert caught.value.for_field("reporter_name")
    assert _count(db, Report) == 0


def test_opening_a_case_numbers_it_and_links_child_and_report(db: Database, admin: Actor) -> None:
    child = _child(db)
    report = register_report(
        db,
        admin,
        ReportInput(
            datetime(2026, 5, 2, 8, tzinfo=UTC), "police", reporter_name="Инспектор ИДН", child_ids=[child.id]
        ),
    )
    case = open_case(
        db,
        admin,
        CaseInput(
            child.id,
            date(2026, 5, 3),
            ["labour_migrants", "neglect"],
            "high",
            worker_id=admin.user_id,
            report_id=report.id,
        ),
    )
    assert case.number == "1/2026"
    with db.reading() as session:
        stored = session.get(Case, case.id)
        assert stored is not None
        assert sorted(c.code for c in stored.categories) == ["labour_migrants", "neglect"]
        assert stored.status == "registered"
        person = session.get(Person, child.id)
        assert person is not None and person.current_case_id == case.id
        linked = session.get(Report, report.id)
        assert linked is not None and linked.case_id == case.id and linked.decision == "open_case"
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions[-1] == "case.open"
        assert (
            session.scalar(
                select(func.count())
                .select_from(ChangeLogEntry)
                .where(ChangeLogEntry.table_name == "cases", ChangeLogEntry.record_id == case.id)
            )
            == 1
        )


def test_a_case_needs_a_category_and_a_known_risk(db: Database, admin: Actor) -> None:
    child = _child(db)
    with pytest.raises(ValidationFailed) as caught:
        open_case(db, admin, CaseInput(child.id, date(2026, 5, 3), [], "catastrophic"))
    assert {p.field for p in caught.value.problems} == {"categories", "risk"}
    assert _count(db, Case) == 0


def test_a_read_only_user_cannot_open_a_case_or_register_a_report(db: Database, admin: Actor) -> None:
    viewer = make_user(db, admin, "viewer", "read_only")
    child = _child(db)
    before = _count(db, AuditEntry)
    with pytest.raises(PermissionDenied):
        open_case(db, viewer, CaseInput(child.id, date(2026, 5, 3), ["other"]))
    with pytest.raises(PermissionDenied):
        register_report(db, viewer, ReportInput(datetime(2026, 3, 1, tzinfo=UTC), anonymous=True))
    assert (_count(db, Case), _count(db, Report), _count(db, AuditEntry)) == (0, 0, before)


def test_only_the_head_assigns_workers(db: Database, admin: Actor) -> None:
    specialist = make_user(db, admin, "aizada", "specialist")
    head = make_user(db, admin, "head", "head")
    child = _child(db)
    case = open_case(db, specialist, CaseInput(child.id, date(2026, 5, 3), ["other"]))
    with pytest.raises(PermissionDenied):
        assign_worker(db, specialist, case.id, specialist.user_id)  # type: ignore[arg-type]
    assign_worker(db, head, case.id, specialist.user_id)  # type: ignore[arg-type]
    with db.reading() as session:
        stored = session.get(Case, case.id)
        assert stored is not None and stored.worker_id == specialist.user_id


def test_a_decision_cannot_predate_the_report(db: Database, admin: Actor) -> None:
    report = register_report(db, admin, ReportInput(datetime(2026, 5, 2, 8, tzinfo=UTC), anonymous=True))
    with pytest.raises(ValidationFailed) as caught:
        decide_report(db, admin, report.id, "no_grounds", date(2026, 5, 1))
    assert caught.value.for_field("decision_date")
    decide_report(db, admin, report.id, "no_grounds", date(2026, 5, 4), "Факты не подтвердились")
    with db.reading() as session:
        stored = session.get(Report, report.id)
        assert stored is not None and stored.decision == "no_grounds"
