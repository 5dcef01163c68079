"""The home page's figures: overdue items by the deadline settings, counts and caseload, by scope.

Cases are opened through the services. Assessments, plans, referrals and КДД decisions have no
write services yet (issue 4), so their rows are written as models/demo.py writes them: in a
unit of work of the system actor, which keeps the change log and the audit as a service would.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from models import dashboard
from models.base import Record
from models.dashboard import (
    DeadlineSettings,
    OverdueGroup,
    add_months,
    add_working_days,
    latest_overdue_start,
)
from models.database import Database
from models.errors import PermissionDenied
from models.orm import (
    Case,
    ComprehensiveAssessment,
    InitialAssessment,
    KddAgendaItem,
    KddDecision,
    KddMeeting,
    Organisation,
    Plan,
    PlanAction,
    PlanReview,
    Referral,
)
from models.permissions import Permission
from models.services.base import SYSTEM, Actor, unit_of_work
from models.services.cases import CaseInput, assign_worker, open_case
from models.services.people import register_child
from models.settings import office_district_id, put_setting
from models.validation import PersonInput

from tests.conftest import make_user

FRIDAY = date(2025, 3, 7)
MONDAY = date(2025, 3, 10)


@dataclass
class Office:
    db: Database
    admin: Actor
    head: Actor
    usenova: Actor  # a specialist
    yolkin: Actor  # another specialist


@pytest.fixture
def office(db: Database, admin: Actor) -> Office:
    return Office(
        db,
        admin,
        make_user(db, admin, "head", "head"),
        make_user(db, admin, "usenova", "specialist"),
        make_user(db, admin, "yolkin", "specialist"),
    )


def _case(
    office: Office,
    opened_on: date,
    worker: Actor | None,
    *,
    last: str = "Үсөнбаева",
    first: str = "Ңурзат",
    categories: tuple[str, ...] = ("labour_migrants",),
    risk: str | None = "medium",
) -> uuid.UUID:
    child = register_child(
        office.db,
        office.admin,
        PersonInput(last_name=last, first_name=first, sex="F", birth_date=date(2015, 2, 1)),
    )
    return open_case(
        office.db,
        office.admin,
        CaseInput(
            child.id,
            opened_on,
            category_codes=categories,
            risk_code=risk,
            worker_id=worker.user_id if worker else None,
        ),
    ).id


def _write(db: Database, *rows: Record) -> None:
    """Rows that have no write service yet (assessments, plans, referrals, КДД), as the system actor."""
    with unit_of_work(db, SYSTEM, Permission.SETTINGS_WRITE) as session:
        session.add_all(rows)


def _set_status(db: Database, case_id: uuid.UUID, status: str) -> None:
    with unit_of_work(db, SYSTEM, Permission.SETTINGS_WRITE) as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.status = status


def _group(groups: list[OverdueGroup], kind: str) -> OverdueGroup:
    return next(group for group in groups if group.kind == kind)


def _overdue(office: Office, actor: Actor, as_of: date, *, whole_office: bool = False) -> list[OverdueGroup]:
    return dashboard.overdue_items(office.db, actor, whole_office=whole_office, as_of=as_of)


# --- deadline arithmetic ----------------------------------------------------------------


def test_working_days_skip_the_weekend() -> None:
    assert add_working_days(FRIDAY, 3) == date(2025, 3, 12)  # Mon, Tue, Wed
    assert add_working_days(MONDAY, 3) == date(2025, 3, 13)
    assert add_working_days(date(2025, 3, 8), 1) == MONDAY  # from a Saturday
    assert add_working_days(FRIDAY, 0) == FRIDAY


def test_months_end_on_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 15), 12) == date(2026, 1, 15)


@pytest.mark.parametrize("days", [0, 1, 3, 7, 12])
def test_the_overdue_cut_off_agrees_with_the_due_dates(days: int) -> None:
    def due_of(start: date) -> date:
        return add_working_days(start, days)

    for offset in range(40):
        as_of = date(2025, 2, 20) + timedelta(days=offset)
        cutoff = latest_overdue_start(as_of, due_of)
        assert due_of(cutoff) < as_of
        assert due_of(cutoff + timedelta(days=1)) >= as_of


def test_deadline_settings_are_read_from_the_office_settings(office: Office) -> None:
    with office.db.reading() as session:
        assert DeadlineSettings.read(session) == DeadlineSettings(3, 30, 3, 10, 30)
    with unit_of_work(office.db, SYSTEM, Permission.SETTINGS_WRITE) as session:
        put_setting(session, "deadline.initial_assessment_working_days", 5)
        put_setting(session, "deadline.plan_review_months", "не число")
    with office.db.reading() as session:
        assert DeadlineSettings.read(session) == DeadlineSettings(5, 30, 3, 10, 30)


# --- overdue items ----------------------------------------------------------------------


def test_initial_assessment_counts_working_days_across_the_weekend(office: Office) -> None:
    friday_case = _case(office, FRIDAY, office.usenova)
    _case(office, MONDAY, office.usenova, last="Ёлкин", first="Артём")
    wednesday = _group(_overdue(office, office.usenova, date(2025, 3, 12)), "initial_assessment")
    assert wednesday.total == 0  # three calendar days have passed, but only three working days
    thursday = _group(_overdue(office, office.usenova, date(2025, 3, 13)), "initial_assessment")
    assert thursday.total == 1
    [item] = thursday.items
    assert (item.case_id, item.due, item.days_overdue) == (friday_case, date(2025, 3, 12), 1)
    assert (item.record_kind, item.record_id) == ("case", friday_case)
    assert item.child == "Үсөнбаева Ңурзат"
    assert item.case_number == "1/2025"


def test_a_completed_initial_assessment_is_not_overdue(office: Office) -> None:
    case_id = _case(office, FRIDAY, office.usenova)
    _write(office.db, InitialAssessment(case_id=case_id, visit_date=date(2025, 3, 14)))
    assert _group(_overdue(office, office.usenova, date(2025, 3, 20)), "initial_assessment").total == 1
    _write(office.db, InitialAssessment(case_id=case_id, completed_on=date(2025, 3, 14)))
    assert _group(_overdue(office, office.usenova, date(2025, 3, 20)), "initial_assessment").total == 0


def test_the_working_days_setting_moves_the_deadline(office: Office) -> None:
    _case(office, FRIDAY, office.usenova)
    with unit_of_work(office.db, SYSTEM, Permission.SETTINGS_WRITE) as session:
        put_setting(session, "deadline.initial_assessment_working_days", 5)
    assert _group(_overdue(office, office.usenova, date(2025, 3, 14)), "initial_assessment").total == 0
    [item] = _group(_overdue(office, office.usenova, date(2025, 3, 17)), "initial_assessment").items
    assert item.due == date(2025, 3, 14)


def test_comprehensive_assessment_is_due_in_calendar_days(office: Office) -> None:
    case_id = _case(office, date(2025, 1, 1), office.usenova)
    _write(office.db, InitialAssessment(case_id=case_id, completed_on=date(2025, 1, 3)))
    groups = _overdue(office, office.usenova, date(2025, 2, 5))
    assert _group(groups, "initial_assessment").total == 0
    [item] = _group(groups, "comprehensive_assessment").items
    assert (item.due, item.days_overdue) == (date(2025, 1, 31), 5)
    _write(office.db, ComprehensiveAssessment(case_id=case_id, completed_on=date(2025, 2, 4)))
    assert _group(_overdue(office, office.usenova, date(2025, 2, 5)), "comprehensive_assessment").total == 0


def _assessed(
    office: Office, opened_on: date, worker: Actor, *, last: str = "Үсөнбаева", first: str = "Ңурзат"
) -> uuid.UUID:
    case_id = _case(office, opened_on, worker, last=last, first=first)
    _write(
        office.db,
        InitialAssessment(case_id=case_id, completed_on=opened_on),
        ComprehensiveAssessment(case_id=case_id, completed_on=opened_on),
    )
    return case_id


def test_plan_review_is_due_months_after_the_last_review_or_the_approval(office: Office) -> None:
    case_id = _assessed(office, date(2024, 9, 1), office.usenova)
    plan = Plan(
        case_id=case_id,
        status="approved",
        start_date=date(2024, 10, 10),
        approved_at=datetime(2024, 10, 15, 9, 0, tzinfo=UTC),
    )
    _write(office.db, plan, Plan(case_id=case_id, status="draft", start_date=date(2024, 10, 1)))
    [item] = _group(_overdue(office, office.usenova, date(2025, 3, 12)), "plan_review").items
    approved_day = datetime(2024, 10, 15, 9, 0, tzinfo=UTC).astimezone().date()
    assert item.due == add_months(approved_day, 3)
    assert (item.record_kind, item.record_id) == ("case", case_id)
    _write(office.db, PlanReview(plan_id=plan.id, review_date=date(2025, 1, 10)))
    assert _group(_overdue(office, office.usenova, date(2025, 3, 12)), "plan_review").total == 0
    [item] = _group(_overdue(office, office.usenova, date(2025, 4, 11)), "plan_review").items
    assert (item.due, item.days_overdue) == (date(2025, 4, 10), 1)


def _organisation(office: Office) -> uuid.UUID:
    org = Organisation(name_ru="СШ № 3 им. Токтогула", name_ky="Токтогул атындагы № 3 ОМ")
    _write(office.db, org)
    return org.id


def _referral(office: Office, case_id: uuid.UUID | None, org_id: uuid.UUID, **values: object) -> Referral:
    with office.db.reading() as session:
        district = office_district_id(session)
    referral = Referral(district_id=district, case_id=case_id, organisation_id=org_id, **values)
    _write(office.db, referral)
    return referral


def test_a_referral_without_a_reply_is_overdue_after_its_reply_date(office: Office) -> None:
    case_id = _assessed(office, date(2025, 2, 1), office.usenova)
    org = _organisation(office)
    late = _referral(
        office, case_id, org, status="issued", issued_on=date(2025, 2, 15), reply_due=date(2025, 3, 1)
    )
    no_date = _referral(office, case_id, org, status="issued", issued_on=date(2025, 2, 20))
    _referral(
        office,
        case_id,
        org,
        status="replied",
        issued_on=date(2025, 2, 15),
        reply_due=date(2025, 2, 25),
        reply_received_on=date(2025, 2, 24),
    )
    _referral(office, case_id, org, status="draft", reply_due=date(2025, 2, 25))
    group = _group(_overdue(office, office.usenova, date(2025, 3, 12)), "referral_reply")
    assert group.total == 2
    assert [(i.record_kind, i.record_id, i.due, i.days_overdue) for i in group.items] == [
        ("referral", late.id, date(2025, 3, 1), 11),
        ("referral", no_date.id, date(2025, 3, 2), 10),  # issued + 10 days (the setting)
    ]
    assert group.items[0].child == "Үсөнбаева Ңурзат"


def test_a_kdd_decision_not_executed_by_its_deadline_is_overdue(office: Office) -> None:
    case_id = _assessed(office, date(2024, 12, 1), office.usenova)
    with office.db.reading() as session:
        district = office_district_id(session)
        case = session.get(Case, case_id)
        assert case is not None and district is not None
        child_id = case.child_id
    meeting = KddMeeting(
        district_id=district, meeting_year=2025, meeting_no=1, meeting_date=date(2025, 1, 20), status="held"
    )
    item = KddAgendaItem(meeting=meeting, case_id=case_id, child_id=child_id, title="О посещении школы")
    _write(
        office.db,
        meeting,
        item,
        KddDecision(item=item, text="Обязать мать", deadline=date(2025, 2, 20)),
        KddDecision(item=item, text="Выполнено", deadline=date(2025, 2, 10), done_on=date(2025, 2, 9)),
        KddDecision(item=item, text="Без срока"),
    )
    # Without a deadline, a decision is due 30 days after the meeting (the setting): on 19.02.
    group = _group(_overdue(office, office.usenova, date(2025, 2, 20)), "kdd_decision")
    assert [item.due for item in group.items] == [date(2025, 2, 19)]
    group = _group(_overdue(office, office.usenova, date(2025, 3, 12)), "kdd_decision")
    assert [(i.due, i.record_kind, i.record_id) for i in group.items] == [
        (date(2025, 2, 19), "kdd_meeting", meeting.id),
        (date(2025, 2, 20), "kdd_meeting", meeting.id),
    ]


def test_a_specialist_sees_his_own_items_and_the_head_the_office(office: Office) -> None:
    mine = _case(office, FRIDAY, office.usenova)
    theirs = _case(office, FRIDAY, office.yolkin, last="Ёлкин", first="Артём")
    nobodys = _case(office, FRIDAY, None, last="Usenova", first="Aida")
    as_of = date(2025, 3, 20)

    def cases(groups: list[OverdueGroup]) -> set[uuid.UUID | None]:
        return {item.case_id for item in _group(groups, "initial_assessment").items}

    assert cases(_overdue(office, office.usenova, as_of)) == {mine}
    assert cases(_overdue(office, office.yolkin, as_of)) == {theirs}
    assert cases(_overdue(office, office.head, as_of)) == set()  # the head has no cases of his own
    assert cases(_overdue(office, office.head, as_of, whole_office=True)) == {mine, theirs, nobodys}
    assert cases(_overdue(office, office.admin, as_of, whole_office=True)) == {mine, theirs, nobodys}
    with pytest.raises(PermissionDenied):
        _overdue(office, office.usenova, as_of, whole_office=True)


def test_users_with_no_cases_of_their_own_see_the_whole_office(office: Office) -> None:
    mine = _case(office, FRIDAY, office.usenova)
    nobodys = _case(office, FRIDAY, None, last="Usenova", first="Aida")
    as_of = date(2025, 3, 20)
    for role in ("kdd_secretary", "read_only"):
        viewer = make_user(office.db, office.admin, f"viewer_{role}", role)
        groups = _overdue(office, viewer, as_of, whole_office=True)
        assert {item.case_id for item in _group(groups, "initial_assessment").items} == {mine, nobodys}
    social_worker = make_user(office.db, office.admin, "worker", "social_worker")
    with pytest.raises(PermissionDenied):
        _overdue(office, social_worker, as_of, whole_office=True)


def test_closed_cases_have_no_overdue_items(office: Office) -> None:
    case_id = _case(office, FRIDAY, office.usenova)
    _set_status(office.db, case_id, "closed")
    groups = _overdue(office, office.head, date(2025, 6, 1), whole_office=True)
    assert sum(group.total for group in groups) == 0


def test_the_list_is_capped_most_overdue_first_and_the_total_counts_all(office: Office) -> None:
    for day in (3, 1, 2):
        _case(office, date(2025, 1, day), office.usenova, first=f"Айгүл{day}")
    groups = dashboard.overdue_items(office.db, office.usenova, as_of=date(2025, 3, 1), limit=2)
    group = _group(groups, "initial_assessment")
    assert group.total == 3
    assert [item.child for item in group.items] == ["Үсөнбаева Айгүл1", "Үсөнбаева Айгүл2"]


def test_plan_reviews_of_every_kind_are_merged_and_capped_in_order(office: Office) -> None:
    approved = _assessed(office, date(2024, 1, 5), office.usenova, first="Айгүл1")
    unknown_approval = _assessed(office, date(2024, 1, 5), office.usenova, first="Айгүл2")
    reviewed = _assessed(office, date(2024, 1, 5), office.usenova, first="Айгүл3")
    late_review = Plan(case_id=reviewed, status="approved", start_date=date(2024, 2, 1))
    _write(
        office.db,
        Plan(
            case_id=approved,
            status="approved",
            start_date=date(2024, 3, 1),
            approved_at=datetime(2024, 3, 4, 6, 0, tzinfo=UTC),
        ),
        Plan(case_id=unknown_approval, status="approved", start_date=date(2024, 2, 20)),
        late_review,
    )
    _write(
        office.db,
        PlanReview(plan_id=late_review.id, review_date=date(2024, 3, 1)),
        PlanReview(plan_id=late_review.id, review_date=date(2024, 2, 10)),
    )
    approved_day = datetime(2024, 3, 4, 6, 0, tzinfo=UTC).astimezone().date()
    expected = sorted(
        [
            (add_months(approved_day, 3), approved),
            (date(2024, 5, 20), unknown_approval),
            (date(2024, 6, 1), reviewed),
        ]
    )
    groups = dashboard.overdue_items(office.db, office.usenova, as_of=date(2024, 7, 1), limit=2)
    group = _group(groups, "plan_review")
    assert group.total == 3
    assert [(item.due, item.case_id) for item in group.items] == expected[:2]
    group = _group(_overdue(office, office.head, date(2024, 7, 1), whole_office=True), "plan_review")
    assert [(item.due, item.case_id) for item in group.items] == expected


def test_the_office_has_the_referrals_without_a_case_and_those_of_open_cases(office: Office) -> None:
    mine = _assessed(office, date(2025, 2, 1), office.usenova)
    theirs = _assessed(office, date(2025, 2, 1), office.yolkin, last="Ёлкин", first="Артём")
    closed = _assessed(office, date(2025, 2, 1), office.yolkin, last="Usenova", first="Aida")
    _set_status(office.db, closed, "closed")
    with office.db.reading() as session:
        case = session.get(Case, theirs)
        assert case is not None
        their_child = case.child_id
    org = _organisation(office)
    due = {"status": "issued", "issued_on": date(2025, 2, 15), "reply_due": date(2025, 3, 1)}
    of_mine = _referral(office, mine, org, **due)
    of_theirs = _referral(office, theirs, org, **due)
    _referral(office, closed, org, **due)
    caseless = _referral(office, None, org, child_id=their_child, status="issued", issued_on=date(2025, 2, 1))
    as_of = date(2025, 3, 12)
    group = _group(_overdue(office, office.usenova, as_of), "referral_reply")
    assert (group.total, [item.record_id for item in group.items]) == (1, [of_mine.id])
    group = _group(_overdue(office, office.head, as_of, whole_office=True), "referral_reply")
    assert group.total == 3
    assert [(item.record_id, item.case_number is None, item.child) for item in group.items] == [
        (caseless.id, True, "Ёлкин Артём"),  # issued + 10 days: 11.02
        (of_mine.id, False, "Үсөнбаева Ңурзат"),
        (of_theirs.id, False, "Ёлкин Артём"),  # the same due date: in the order of the case numbers
    ]


# --- my cases, counts, caseload ---------------------------------------------------------


def test_my_open_cases_are_listed_with_their_next_deadline(office: Office) -> None:
    recent = _case(office, MONDAY, office.usenova, risk="high")
    older = _assessed(office, date(2025, 1, 1), office.usenova, last="Ёлкин", first="Артём")
    closed = _case(office, FRIDAY, office.usenova)
    _set_status(office.db, closed, "closed")
    _case(office, FRIDAY, office.yolkin)
    result = dashboard.my_open_cases(office.db, office.usenova)
    assert result.total == 2
    assert [row.case_id for row in result.rows] == [recent, older]
    first, second = result.rows
    assert (first.child, first.status, first.risk) == ("Үсөнбаева Ңурзат", "registered", "Высокий")
    assert first.next_deadline == date(2025, 3, 13)  # the initial assessment
    assert second.next_deadline is None  # both assessments done, no plan yet
    assert dashboard.my_open_cases(office.db, office.usenova, lang="ky").rows[0].risk == "Жогору"


def test_counts_by_status_and_category_cover_open_cases(office: Office) -> None:
    _case(office, FRIDAY, office.usenova, categories=("labour_migrants", "not_in_school"))
    second = _case(office, FRIDAY, office.yolkin, categories=("labour_migrants",))
    closed = _case(office, FRIDAY, office.usenova, categories=("not_in_school",))
    _set_status(office.db, second, "assessment")
    _set_status(office.db, closed, "closed")
    statuses = dashboard.open_cases_by_status(office.db, office.head, whole_office=True)
    assert [(c.code, c.count) for c in statuses] == [
        ("registered", 1),
        ("assessment", 1),
        ("planning", 0),
        ("implementation", 0),
        ("monitoring", 0),
    ]
    categories = {
        c.code: c.count for c in dashboard.open_cases_by_category(office.db, office.head, whole_office=True)
    }
    assert categories["labour_migrants"] == 2
    assert categories["not_in_school"] == 1
    assert categories["orphans"] == 0
    mine = {c.code: c.count for c in dashboard.open_cases_by_category(office.db, office.usenova)}
    assert (mine["labour_migrants"], mine["not_in_school"]) == (1, 1)


def test_caseload_counts_open_cases_per_worker_with_the_unassigned(office: Office) -> None:
    _case(office, FRIDAY, office.usenova)
    _case(office, FRIDAY, office.usenova)
    moved = _case(office, FRIDAY, None)
    _case(office, FRIDAY, None)
    closed = _case(office, FRIDAY, office.yolkin)
    _set_status(office.db, closed, "closed")
    assign_worker(office.db, office.head, moved, office.yolkin.user_id)
    loads = {load.worker_id: load.open_cases for load in dashboard.caseload(office.db, office.usenova)}
    assert loads[office.usenova.user_id] == 2
    assert loads[office.yolkin.user_id] == 1
    assert loads[office.head.user_id] == 0  # may work on cases, has none
    assert loads[None] == 1
    assert office.admin.user_id not in loads  # administers the program, is nobody's case worker
    social_worker = make_user(office.db, office.admin, "worker", "social_worker")
    assert social_worker.user_id in {load.worker_id for load in dashboard.caseload(office.db, office.head)}


def test_the_dashboard_reads_everything_in_one_call(office: Office) -> None:
    _case(office, FRIDAY, office.usenova)
    board = dashboard.load_dashboard(office.db, office.head, whole_office=True, as_of=date(2025, 3, 20))
    assert board.whole_office and board.as_of == date(2025, 3, 20)
    assert board.open_total == 1
    assert board.overdue_total == 1  # the initial assessment; the comprehensive one is due on 06.04
    assert board.my_cases.total == 0
    assert sum(load.open_cases for load in board.caseload) == 1


def test_an_action_of_the_approved_plan_not_done_by_its_date_is_overdue(office: Office) -> None:
    case_id = _assessed(office, date(2025, 1, 10), office.usenova)
    approved = Plan(case_id=case_id, status="approved", start_date=date(2025, 2, 1))
    draft = Plan(case_id=case_id, status="draft", start_date=date(2025, 2, 1))
    _write(office.db, approved, draft)
    _write(
        office.db,
        PlanAction(plan_id=approved.id, description="Восстановить свидетельство", due_date=date(2025, 3, 1)),
        PlanAction(plan_id=approved.id, description="Школа", due_date=date(2025, 3, 1), status="done"),
        PlanAction(plan_id=approved.id, description="Без срока"),
        PlanAction(plan_id=draft.id, description="Черновик", due_date=date(2025, 2, 2)),
    )
    assert _group(_overdue(office, office.usenova, date(2025, 3, 1)), "plan_action").total == 0
    [item] = _group(_overdue(office, office.usenova, date(2025, 3, 4)), "plan_action").items
    assert (item.due, item.days_overdue, item.record_kind, item.record_id) == (
        date(2025, 3, 1),
        3,
        "case",
        case_id,
    )
    assert _group(_overdue(office, office.yolkin, date(2025, 3, 4)), "plan_action").total == 0
    assert (
        _group(_overdue(office, office.head, date(2025, 3, 4), whole_office=True), "plan_action").total == 1
    )
    [mine] = dashboard.my_open_cases(office.db, office.usenova).rows
    assert mine.next_deadline == date(2025, 3, 1)  # before the plan's review (01.05.2025)


# --- capped counts and index walks ------------------------------------------------------


def test_counting_stops_past_the_cap_and_says_so(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard, "OVERDUE_COUNT_CAP", 2)
    for day in (3, 1):
        _case(office, date(2025, 1, day), office.usenova, first=f"Айгүл{day}")
    as_of = date(2025, 3, 1)
    group = _group(
        dashboard.overdue_items(office.db, office.usenova, as_of=as_of, limit=1), "initial_assessment"
    )
    assert (group.total, group.capped) == (2, False)  # exactly the cap: still exact
    _case(office, date(2025, 1, 2), office.usenova, first="Айгүл2")
    board = dashboard.load_dashboard(office.db, office.usenova, as_of=as_of, limit=1)
    group = _group(board.overdue, "initial_assessment")
    assert (group.total, group.capped) == (2, True)  # three: more than two
    assert [item.child for item in group.items] == ["Үсөнбаева Айгүл1"]  # still the most overdue
    assert board.overdue_capped
    assert not _group(board.overdue, "plan_action").capped


def test_the_cap_counts_every_part_of_a_kind(office: Office, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dashboard, "OVERDUE_COUNT_CAP", 2)
    case_id = _assessed(office, date(2025, 2, 1), office.usenova)
    org = _organisation(office)
    _referral(office, case_id, org, status="issued", issued_on=date(2025, 2, 10), reply_due=date(2025, 3, 1))
    _referral(office, case_id, org, status="issued", issued_on=date(2025, 2, 11))  # no reply date
    as_of = date(2025, 3, 12)
    group = _group(dashboard.overdue_items(office.db, office.usenova, as_of=as_of, limit=1), "referral_reply")
    assert (group.total, group.capped) == (2, False)
    assert [item.due for item in group.items] == [date(2025, 2, 21)]  # issued + 10 days, before 01.03
    _referral(office, case_id, org, status="issued", issued_on=date(2025, 2, 12))
    group = _group(dashboard.overdue_items(office.db, office.usenova, as_of=as_of, limit=1), "referral_reply")
    assert (group.total, group.capped) == (2, True)


def test_a_reviewed_plan_counts_once_by_its_latest_live_review(office: Office) -> None:
    case_id = _assessed(office, date(2024, 1, 5), office.usenova)
    plan = Plan(
        case_id=case_id,
        status="approved",
        start_date=date(2024, 2, 1),
        approved_at=datetime(2024, 2, 1, 6, 0, tzinfo=UTC),
    )
    _write(office.db, plan)
    withdrawn = PlanReview(
        plan_id=plan.id, review_date=date(2024, 6, 1), deleted_at=datetime(2024, 6, 2, tzinfo=UTC)
    )
    _write(
        office.db,
        PlanReview(plan_id=plan.id, review_date=date(2024, 3, 1)),
        PlanReview(plan_id=plan.id, review_date=date(2024, 4, 1)),
        PlanReview(plan_id=plan.id, review_date=date(2024, 4, 1)),  # the same day twice
        withdrawn,
    )
    for actor, whole in ((office.usenova, False), (office.head, True)):
        group = _group(_overdue(office, actor, date(2024, 8, 1), whole_office=whole), "plan_review")
        assert (group.total, [(item.case_id, item.due) for item in group.items]) == (
            1,
            [(case_id, date(2024, 7, 1))],  # three months after 01.04, the deleted review not counted
        )


def test_a_changed_review_setting_applies_to_the_reviewed_plans_at_once(office: Office) -> None:
    case_id = _assessed(office, date(2024, 1, 5), office.usenova)
    plan = Plan(case_id=case_id, status="approved", start_date=date(2024, 2, 1))
    _write(office.db, plan)
    _write(office.db, PlanReview(plan_id=plan.id, review_date=date(2024, 3, 1)))
    as_of = date(2024, 7, 1)
    assert _group(_overdue(office, office.usenova, as_of), "plan_review").total == 1  # due 01.06
    with unit_of_work(office.db, SYSTEM, Permission.SETTINGS_WRITE) as session:
        put_setting(session, "deadline.plan_review_months", 6)
    assert _group(_overdue(office, office.usenova, as_of), "plan_review").total == 0  # due 01.09
