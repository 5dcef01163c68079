"""Reports and cases through the services: numbering, validation, permissions, audit."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.database import Database
from models.errors import PermissionDenied, StaleRecord, ValidationFailed
from models.orm import AuditEntry, Case, ChangeLogEntry, Person, Report
from models.services.base import Actor
from models.services.cases import (
    CaseInput,
    ReportInput,
    assign_worker,
    decide_report,
    get_case,
    get_report,
    open_case,
    open_cases_for_report,
    register_report,
    update_case,
    update_report,
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
        assign_worker(db, specialist, case.id, specialist.user_id)
    assign_worker(db, head, case.id, specialist.user_id)
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


def _actions(db: Database) -> list[str]:
    with db.reading() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_report_is_read_back_for_its_form_and_the_view_is_audited(db: Database, admin: Actor) -> None:
    child = _child(db)
    received = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    data = ReportInput(
        received,
        "school",
        "phone",
        reporter_name="Социальный педагог",
        reporter_contact="0555 123 456",
        concern="Ребёнок не ходит в школу",
        urgent=True,
        category_codes=["not_in_school"],
        child_ids=[child.id],
        assigned_worker_id=admin.user_id,
    )
    report = register_report(db, admin, data)
    details = get_report(db, admin, report.id)
    assert details.number == "1/2026"
    assert details.data == replace(data, category_codes=("not_in_school",), child_ids=(child.id,))
    assert [(c.id, c.full_name) for c in details.children] == [(child.id, "Үсөнбаева Ңурзат")]
    assert (details.decision, details.cases) == ("pending", [])
    assert _actions(db)[-1] == "report.view"


def test_a_report_is_updated_keeping_its_number(db: Database, admin: Actor) -> None:
    child = _child(db)
    other = _child(db, "Ёлкин", "Артём")
    report = register_report(
        db, admin, ReportInput(datetime(2026, 3, 1, tzinfo=UTC), "school", reporter_name="Педагог")
    )
    version = get_report(db, admin, report.id).version
    new_version = update_report(
        db,
        admin,
        report.id,
        ReportInput(
            datetime(2026, 3, 2, tzinfo=UTC),
            "police",
            anonymous=True,
            reporter_name="ignored when anonymous",
            child_ids=[child.id, other.id],
            category_codes=["neglect"],
        ),
        version,
    )
    details = get_report(db, admin, report.id)
    assert details.version == new_version > version
    assert (details.number, details.data.source_code, details.data.reporter_name) == (
        "1/2026",
        "police",
        None,
    )
    assert sorted(c.full_name for c in details.children) == ["Ёлкин Артём", "Үсөнбаева Ңурзат"]
    assert details.data.category_codes == ("neglect",)
    with db.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "report.update")).one()
        assert {"children", "categories", "source_type_id", "anonymous"} <= set(
            json.loads(entry.details)["fields"]
        )
    with pytest.raises(StaleRecord):
        update_report(db, admin, report.id, details.data, version)


def test_a_report_update_is_validated_like_a_new_report(db: Database, admin: Actor) -> None:
    report = register_report(db, admin, ReportInput(datetime(2026, 3, 1, tzinfo=UTC), anonymous=True))
    with pytest.raises(ValidationFailed) as caught:
        update_report(db, admin, report.id, ReportInput(datetime(2026, 3, 1, tzinfo=UTC), "nowhere"), 1)
    assert {p.field for p in caught.value.problems} == {"source", "reporter_name"}


def test_deciding_to_open_a_case_opens_one_per_child_with_the_reports_categories(
    db: Database, admin: Actor
) -> None:
    nurzat = _child(db)
    artyom = _child(db, "Ёлкин", "Артём")
    report = register_report(
        db,
        admin,
        ReportInput(
            datetime(2026, 5, 2, 8, tzinfo=UTC),
            "police",
            reporter_name="Инспектор ИДН",
            child_ids=[nurzat.id, artyom.id],
            category_codes=["neglect"],
            assigned_worker_id=admin.user_id,
        ),
    )
    opened = open_cases_for_report(db, admin, report.id, date(2026, 5, 3), "Семья в ТЖС", expected_version=1)
    assert sorted(case.number for case in opened) == ["1/2026", "2/2026"]
    details = get_report(db, admin, report.id)
    assert (details.decision, details.decision_date, details.decision_note) == (
        "open_case",
        date(2026, 5, 3),
        "Семья в ТЖС",
    )
    assert sorted(c.child_name for c in details.cases) == ["Ёлкин Артём", "Үсөнбаева Ңурзат"]
    case = get_case(db, admin, opened[0].id)
    assert (case.category_codes, case.worker_id, case.report_number) == (
        ("neglect",),
        admin.user_id,
        "1/2026",
    )
    # Deciding again opens no second case for the same children.
    assert open_cases_for_report(db, admin, report.id, date(2026, 5, 3)) == []
    assert _count(db, Case) == 2


def test_a_case_is_not_opened_from_a_report_without_children_or_categories(
    db: Database, admin: Actor
) -> None:
    report = register_report(db, admin, ReportInput(datetime(2026, 5, 2, 8, tzinfo=UTC), anonymous=True))
    with pytest.raises(ValidationFailed) as caught:
        open_cases_for_report(db, admin, report.id, date(2026, 5, 3))
    assert {p.field for p in caught.value.problems} == {"children", "categories"}
    assert _count(db, Case) == 0


def test_a_social_worker_cannot_open_cases_from_a_report(db: Database, admin: Actor) -> None:
    child = _child(db)
    report = register_report(
        db,
        admin,
        ReportInput(
            datetime(2026, 5, 2, 8, tzinfo=UTC),
            anonymous=True,
            child_ids=[child.id],
            category_codes=["other"],
        ),
    )
    with pytest.raises(PermissionDenied):
        open_cases_for_report(
            db, make_user(db, admin, "worker", "social_worker"), report.id, date(2026, 5, 3)
        )
    assert _count(db, Case) == 0


def test_a_case_is_read_back_for_its_form_and_updates_return_the_new_version(
    db: Database, admin: Actor
) -> None:
    child = _child(db)
    case = open_case(db, admin, CaseInput(child.id, date(2026, 5, 3), ["neglect"], "high", summary="Итог"))
    details = get_case(db, admin, case.id)
    assert (details.number, details.child.full_name, details.status) == (
        "1/2026",
        "Үсөнбаева Ңурзат",
        "registered",
    )
    assert (details.category_codes, details.risk_code, details.summary) == (("neglect",), "high", "Итог")
    assert _actions(db)[-1] == "case.view"
    version = update_case(db, admin, case.id, expected_version=details.version, risk_code="")
    assert version > details.version
    assert get_case(db, admin, case.id).risk_code is None
