"""The reads of the case workspace: the header with its due items, the people, the history, the documents."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import func, select

from models.dashboard import add_working_days
from models.database import Database
from models.i18n import translator
from models.orm import (
    AuditEntry,
    Household,
    HouseholdMember,
    InitialAssessment,
    KddAgendaItem,
    KddDecision,
    KddMeeting,
    Organisation,
    Person,
    Plan,
    PlanAction,
    Referral,
)
from models.registers import CASE_STATUS_LABELS
from models.services.base import Actor
from models.services.casefile import (
    assignable_workers,
    case_documents,
    case_header,
    case_history,
    case_people,
)
from models.services.cases import AUDIT_LABELS as CASES_LABELS
from models.services.cases import assign_worker, update_case
from models.services.documents import PrintedRecord, record_print
from models.services.workflow import AUDIT_LABELS as WORKFLOW_LABELS
from models.services.workflow import ClosureInput, change_status, request_closure
from models.settings import office_district_id, put_setting

from tests.conftest import make_user
from tests.models.helpers import add_as_system, child_case


def _setting(db: Database, key: str, value: object) -> None:
    with db.session() as session:
        session.info["system"] = True
        put_setting(session, key, value)
        session.commit()


def _case(db: Database, actor: Actor, opened: date) -> uuid.UUID:
    return child_case(db, actor, opened, ["neglect"], risk_code="high", worker_id=actor.user_id).id


def _views(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).where(AuditEntry.action == "case.view")) or 0


def test_the_header_names_the_case_and_its_next_deadline(db: Database, admin: Actor) -> None:
    opened = date.today() - timedelta(days=10)
    case_id = _case(db, admin, opened)
    header = case_header(db, admin, case_id)
    assert header.child_name == "Үсөнбаева Ңурзат"
    assert header.child_age is not None and header.child_age >= 10
    assert len(header.categories) == 1
    assert header.risk is not None and header.status == "registered"
    assert header.worker_name == "Администратор Офиса"
    next_due = header.next_deadline
    assert next_due is not None and next_due.kind == "initial_assessment"
    assert next_due.due == add_working_days(opened, 3) and next_due.overdue
    assert [m.to_status for m in header.moves] == ["assessment"]
    assert _views(db) == 1
    case_header(db, admin, case_id, audit_view=False)
    assert _views(db) == 1


def test_the_due_items_follow_the_deadline_settings(db: Database, admin: Actor) -> None:
    opened = date.today() - timedelta(days=10)
    case_id = _case(db, admin, opened)
    _setting(db, "deadline.initial_assessment_working_days", 10)
    header = case_header(db, admin, case_id, audit_view=False)
    assert header.next_deadline is not None and header.next_deadline.kind == "initial_assessment"
    assert header.next_deadline.due == add_working_days(opened, 10)
    assert header.next_deadline.overdue == (header.next_deadline.due < date.today())


def test_the_due_items_cover_plans_referrals_and_kdd_decisions(db: Database, admin: Actor) -> None:
    opened = date.today() - timedelta(days=40)
    case_id = _case(db, admin, opened)
    with db.reading() as session:
        district = office_district_id(session)
    assert district is not None
    organisation = Organisation(name_ru="Школа № 5", name_ky="№ 5 мектеп")
    plan = Plan(case_id=case_id, start_date=opened, status="approved")
    meeting = KddMeeting(district_id=district, meeting_year=2026, meeting_no=1, meeting_date=opened)
    add_as_system(
        db,
        InitialAssessment(case_id=case_id, completed_on=opened),
        organisation,
        plan,
        meeting,
    )
    item = KddAgendaItem(meeting_id=meeting.id, case_id=case_id, title="Вопрос о семье")
    add_as_system(
        db,
        PlanAction(
            plan_id=plan.id, description="Устроить в школу", due_date=date.today() + timedelta(days=3)
        ),
        Referral(
            district_id=district,
            case_id=case_id,
            organisation_id=organisation.id,
            status="issued",
            out_year=2026,
            out_no=7,
            issued_on=opened,
            reply_due=date.today() - timedelta(days=1),
        ),
        item,
    )
    add_as_system(db, KddDecision(item_id=item.id, text="Обеспечить посещение школы", deadline=date.today()))
    header = case_header(db, admin, case_id, audit_view=False)
    kinds = [d.kind for d in header.due_items]
    assert kinds[0] == "comprehensive_assessment"
    assert set(kinds) == {
        "comprehensive_assessment",
        "plan_review",
        "plan_action",
        "referral_reply",
        "kdd_decision",
    }
    referral = next(d for d in header.due_items if d.kind == "referral_reply")
    assert referral.overdue and "7/2026" in referral.label and referral.record_kind == "referral"
    decision = next(d for d in header.due_items if d.kind == "kdd_decision")
    assert decision.record_kind == "kdd_meeting" and decision.record_id == meeting.id and not decision.overdue
    assert [d.due for d in header.due_items] == sorted(d.due for d in header.due_items)


def test_the_header_shows_a_pending_closure_and_no_due_items_once_closed(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin, date.today() - timedelta(days=5))
    header = case_header(db, admin, case_id, audit_view=False)
    request_closure(
        db,
        admin,
        case_id,
        ClosureInput(date.today(), "goals_achieved", ["guardianship"], "Цели достигнуты"),
        header.version,
    )
    header = case_header(db, admin, case_id, audit_view=False)
    assert header.pending_closure is not None and header.pending_closure.requested_by == "Администратор Офиса"
    assert header.pending_closure.outcomes and header.pending_closure.reason


def test_the_history_lists_views_and_changes_readably(db: Database, admin: Actor) -> None:
    head = make_user(db, admin, "head", "head")
    case_id = _case(db, admin, date.today() - timedelta(days=3))
    header = case_header(db, admin, case_id)
    version = update_case(
        db, admin, case_id, expected_version=header.version, risk_code="low", summary="Пособие"
    )
    version = assign_worker(db, head, case_id, head.user_id, version)
    change_status(db, admin, case_id, "assessment", version)
    history = case_history(db, admin, case_id)
    assert [h.action for h in history] == [
        "case.status",
        "case.assign",
        "case.update",
        "case.view",
        "case.open",
    ]
    status, assign, update, view, opened = history
    ru = translator("ru")
    assert status.label == ru(WORKFLOW_LABELS["case.status"])
    assert (
        status.details == f"{ru(CASE_STATUS_LABELS['registered'])} → {ru(CASE_STATUS_LABELS['assessment'])}"
    )
    assert assign.label == ru(CASES_LABELS["case.assign"])
    assert assign.details == "Администратор Офиса → Тест head"
    assert ru("Risk level") in update.details and ru("Summary") in update.details
    assert view.who == "Администратор Офиса" and view.record
    assert opened.at.tzinfo is not None and opened.at <= history[0].at


def test_the_history_is_limited_and_newest_first(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin, date.today())
    for _ in range(4):
        case_header(db, admin, case_id)
    history = case_history(db, admin, case_id, limit=3)
    assert len(history) == 3 and [h.id for h in history] == sorted((h.id for h in history), reverse=True)


def test_the_documents_are_the_print_entries_of_the_case(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin, date.today())
    record_print(
        db,
        admin,
        form="child-card",
        records=[PrintedRecord("cases", case_id)],
        number="1/2026",
        language="ky",
        pages=1,
    )
    documents = case_documents(db, admin, case_id)
    assert [(d.document, d.number, d.language, d.who) for d in documents] == [
        ("Регистрационная карта ребёнка", "1/2026", "Кыргызский", "Администратор Офиса")
    ]
    history = case_history(db, admin, case_id)
    assert [(e.label, e.details) for e in history if e.action == "document.print"] == [
        ("Документ напечатан", "Регистрационная карта ребёнка; Кыргызский")
    ]


def test_the_people_tab_reads_the_child_and_the_household(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin, date.today())
    header = case_header(db, admin, case_id, audit_view=False)
    mother = Person(last_name="Үсөнбаева", first_name="Айгүл", sex="F", is_child=False, phone="0700 123 456")
    household = Household(address_text="с. Сокулук, ул. Ленина 5")
    add_as_system(db, mother, household)
    add_as_system(
        db,
        HouseholdMember(household_id=household.id, person_id=header.child_id, position=1),
        HouseholdMember(household_id=household.id, person_id=mother.id, position=0, is_caregiver=True),
    )
    people = case_people(db, admin, case_id)
    assert people.household_id == household.id
    assert [m.name for m in people.members] == ["Үсөнбаева Айгүл", "Үсөнбаева Ңурзат"]
    assert people.members[0].caregiver and people.members[0].phone == "0700 123 456"
    assert dict(people.child_fields)[translator("ru")("Sex")] == translator("ru")("female")


def test_only_case_work_roles_are_offered_as_workers(db: Database, admin: Actor) -> None:
    make_user(db, admin, "social", "social_worker")
    make_user(db, admin, "secretary", "kdd_secretary")
    names = [choice.label for choice in assignable_workers(db, admin)]
    assert names == ["Тест social"]
