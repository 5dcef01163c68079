"""The home page's figures: my open cases, overdue items, open cases by status and category, caseload.

Read-only queries for the signed-in user, counted in SQL with the same Core code on SQLite
and PostgreSQL; lists are capped and come with their totals. Deadlines are office settings
(migration 0002 seeds the defaults) and every due date is computed from them here:

- initial assessment: N working days (Monday to Friday) after the case was opened. The clock
  starts at the case's opening, not at the report's receipt: the assessment belongs to the case,
  a case may be opened without a report, and the time from receipt to the decision on a report
  is the report journal's business;
- comprehensive assessment: N calendar days after the case was opened;
- plan review: N months after the last review of an approved plan, or after its approval when it
  was never reviewed;
- plan action: the due date of an action of an approved plan not done yet (planned or in
  progress);
- referral reply: the referral's reply due date, or N days after it was issued when none was set;
- КДД decision: the decision's deadline, or N days after the meeting when none was set.

An item is overdue from the day after its due date, and only while its case is open. The date
columns the records carry themselves (``due_date`` of an assessment, ``review_date`` of a plan)
are not read: a changed setting applies to every case at once.

SQL cannot add working days or months the same way on both engines, so each rule is turned
into a cut-off in Python: the latest start date whose due date is already past (due dates never
decrease as the start date grows). The rows shown get their exact due dates in Python.

Each kind of overdue item is read in the order of its due dates (per part where one SQL order
cannot follow them) by walking an index of migration 0007, which stops after the first rows
instead of sorting them all. The count is a read of its own, from wherever the items are dense
(one's own open cases, or the records of the whole office), and stops past OVERDUE_COUNT_CAP: an
office with more overdue items of a kind is told "more than" that many, which keeps the page fast
at 100,000 children. The partial indexes' predicates (migrations 0006 and 0007) are the ones
written here.
"""

from __future__ import annotations

import calendar
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, false, func, null, or_, select
from sqlalchemy.orm import Session, aliased

from models.database import Database
from models.i18n import N_, current_language, translator
from models.names import full_name
from models.orm import (
    CASE_STATUSES,
    Case,
    ComprehensiveAssessment,
    InitialAssessment,
    KddAgendaItem,
    KddDecision,
    KddMeeting,
    Person,
    Plan,
    PlanAction,
    PlanReview,
    ReferenceItem,
    Referral,
    User,
    case_categories,
)
from models.permissions import CASE_WORK_ROLES, Permission
from models.registers import CASE_STATUS_LABELS
from models.services.base import Actor, require
from models.settings import get_setting

DEFAULT_LIMIT = 100
OVERDUE_COUNT_CAP = 1000
"""The overdue items of a kind are counted up to this many; past it the page says "more than"."""
OPEN_STATUSES = tuple(status for status in CASE_STATUSES if status != "closed")
OPEN_ACTION_STATUSES = ("planned", "in_progress")

OVERDUE_KINDS = (
    "initial_assessment",
    "comprehensive_assessment",
    "plan_review",
    "plan_action",
    "referral_reply",
    "kdd_decision",
)
OVERDUE_LABELS = {
    "initial_assessment": N_("Initial assessment not done"),
    "comprehensive_assessment": N_("Comprehensive assessment not done"),
    "plan_review": N_("Plan review overdue"),
    "plan_action": N_("Plan action not done"),
    "referral_reply": N_("No reply to a referral"),
    "kdd_decision": N_("КДД decision not executed"),
}


# --- deadlines ------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadlineSettings:
    """The office's deadlines (settings ``deadline.*``); the defaults are those of migration 0002."""

    initial_assessment_working_days: int = 3
    comprehensive_assessment_days: int = 30
    plan_review_months: int = 3
    referral_reply_days: int = 10
    kdd_decision_days: int = 30

    @classmethod
    def read(cls, session: Session) -> DeadlineSettings:
        """The settings of the database; a missing or unreadable value falls back to its default."""
        defaults = cls()

        def number(key: str, default: int) -> int:
            value = get_setting(session, f"deadline.{key}", default)
            try:
                return max(0, int(value))
            except (TypeError, ValueError):
                return default

        return cls(
            initial_assessment_working_days=number(
                "initial_assessment_working_days", defaults.initial_assessment_working_days
            ),
            comprehensive_assessment_days=number(
                "comprehensive_assessment_days", defaults.comprehensive_assessment_days
            ),
            plan_review_months=number("plan_review_months", defaults.plan_review_months),
            referral_reply_days=number("referral_reply_days", defaults.referral_reply_days),
            kdd_decision_days=number("kdd_decision_days", defaults.kdd_decision_days),
        )

    def initial_assessment_due(self, opened_on: date) -> date:
        return add_working_days(opened_on, self.initial_assessment_working_days)

    def comprehensive_assessment_due(self, opened_on: date) -> date:
        return opened_on + timedelta(days=self.comprehensive_assessment_days)

    def plan_review_due(self, last_review_or_approval: date) -> date:
        return add_months(last_review_or_approval, self.plan_review_months)

    def referral_reply_due(self, reply_due: date | None, issued_on: date | None) -> date | None:
        if reply_due is not None:
            return reply_due
        return None if issued_on is None else issued_on + timedelta(days=self.referral_reply_days)

    def kdd_decision_due(self, deadline: date | None, meeting_date: date) -> date:
        return deadline if deadline is not None else meeting_date + timedelta(days=self.kdd_decision_days)


def add_working_days(start: date, days: int) -> date:
    """The day *days* working days after *start*; Saturdays and Sundays are not counted."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def add_months(start: date, months: int) -> date:
    """The same day *months* months later, or the last day of that month when it is shorter."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def latest_overdue_start(as_of: date, due_of: Callable[[date], date]) -> date:
    """The latest start date whose due date (``due_of``, never decreasing, never before the start) is past.

    A record that started on or before this day is overdue on *as_of*; one that started later is not.
    """
    span = 1
    while due_of(as_of - timedelta(days=span)) >= as_of:
        span *= 2
    overdue, not_overdue = as_of - timedelta(days=span), as_of
    while (not_overdue - overdue).days > 1:
        middle = overdue + (not_overdue - overdue) // 2
        if due_of(middle) < as_of:
            overdue = middle
        else:
            not_overdue = middle
    return overdue


def _day_start_utc(day: date) -> datetime:
    """The first instant of a local calendar day (the office computer's time zone), in UTC."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def _local_day(moment: datetime) -> date:
    return moment.astimezone().date()


# --- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCase:
    """One of my open cases; *next_deadline* is the earliest due date of its pending work (None: none)."""

    case_id: uuid.UUID
    number: str
    child: str | None
    status: str
    status_label: str
    risk: str | None
    opened_on: date
    next_deadline: date | None


@dataclass(frozen=True)
class OpenCases:
    rows: list[OpenCase]
    total: int


@dataclass(frozen=True)
class OverdueItem:
    """Something past its deadline; *record_kind* and *record_id* name the form that deals with it."""

    kind: str
    case_id: uuid.UUID | None
    case_number: str | None
    child: str | None
    due: date
    days_overdue: int
    record_kind: str
    record_id: uuid.UUID


@dataclass(frozen=True)
class OverdueGroup:
    """The overdue items of one kind: the most overdue first, capped, and how many there are.

    *total* counts them up to :data:`OVERDUE_COUNT_CAP` (or the list's limit when it is larger);
    *capped* says there are more than *total*.
    """

    kind: str
    items: list[OverdueItem]
    total: int
    capped: bool = False


@dataclass(frozen=True)
class Count:
    """How many open cases have a status or a category (*code*), with its name in the asked language."""

    code: str
    label: str
    count: int


@dataclass(frozen=True)
class WorkerLoad:
    """A worker's open cases; *worker_id* None is the row of cases nobody is responsible for."""

    worker_id: uuid.UUID | None
    name: str | None
    open_cases: int
    active: bool


@dataclass(frozen=True)
class Dashboard:
    """Everything the home page shows, for one scope: the user's own cases or the whole office."""

    as_of: date
    whole_office: bool
    my_cases: OpenCases
    overdue: list[OverdueGroup]
    by_status: list[Count]
    by_category: list[Count]
    caseload: list[WorkerLoad]

    @property
    def overdue_total(self) -> int:
        """The overdue items counted; more than this when :attr:`overdue_capped`."""
        return sum(group.total for group in self.overdue)

    @property
    def overdue_capped(self) -> bool:
        return any(group.capped for group in self.overdue)

    @property
    def open_total(self) -> int:
        return sum(count.count for count in self.by_status)


# --- public queries -------------------------------------------------------------------


def load_dashboard(
    db: Database,
    actor: Actor,
    *,
    whole_office: bool = False,
    as_of: date | None = None,
    lang: str | None = None,
    limit: int = DEFAULT_LIMIT,
) -> Dashboard:
    """All the figures of the home page in one read.

    *whole_office* (the department head and the administrator, and the users with no cases of
    their own: see :func:`office_wide_only`) counts every case of the office; otherwise only the
    cases the user is responsible for. The caseload always covers
    the office.
    """
    _check(actor, whole_office)
    day = as_of or date.today()
    language = lang or current_language()
    with db.reading() as session:
        deadlines = DeadlineSettings.read(session)
        return Dashboard(
            as_of=day,
            whole_office=whole_office,
            my_cases=_my_open_cases(session, actor, deadlines, language, limit),
            overdue=_overdue(session, actor, whole_office, day, deadlines, limit),
            by_status=_by_status(session, actor, whole_office, language),
            by_category=_by_category(session, actor, whole_office, language),
            caseload=_caseload(session),
        )


def my_open_cases(
    db: Database, actor: Actor, *, lang: str | None = None, limit: int = DEFAULT_LIMIT
) -> OpenCases:
    """The open cases *actor* is responsible for, newest first (at most *limit*), with their total."""
    _check(actor, False)
    with db.reading() as session:
        deadlines = DeadlineSettings.read(session)
        return _my_open_cases(session, actor, deadlines, lang or current_language(), limit)


def overdue_items(
    db: Database,
    actor: Actor,
    *,
    whole_office: bool = False,
    as_of: date | None = None,
    limit: int = DEFAULT_LIMIT,
) -> list[OverdueGroup]:
    """The overdue items of *actor*'s cases (or of the whole office), one group per kind."""
    _check(actor, whole_office)
    with db.reading() as session:
        deadlines = DeadlineSettings.read(session)
        return _overdue(session, actor, whole_office, as_of or date.today(), deadlines, limit)


def open_cases_by_status(
    db: Database, actor: Actor, *, whole_office: bool = False, lang: str | None = None
) -> list[Count]:
    """Open cases per status, every open status in workflow order (zeros included)."""
    _check(actor, whole_office)
    with db.reading() as session:
        return _by_status(session, actor, whole_office, lang or current_language())


def open_cases_by_category(
    db: Database, actor: Actor, *, whole_office: bool = False, lang: str | None = None
) -> list[Count]:
    """Open cases per ТЖС category (a case counts once in each of its categories)."""
    _check(actor, whole_office)
    with db.reading() as session:
        return _by_category(session, actor, whole_office, lang or current_language())


def caseload(db: Database, actor: Actor) -> list[WorkerLoad]:
    """Open cases per worker of the office, and the row of unassigned cases."""
    _check(actor, False)
    with db.reading() as session:
        return _caseload(session)


def office_wide_only(actor: Actor) -> bool:
    """Whether *actor* has no cases of their own to look at (a КДД secretary, a read-only user).

    Their home page shows the whole office; case workers see their own cases, and the head and
    the administrator choose.
    """
    return actor.role not in CASE_WORK_ROLES and not actor.can(Permission.CASE_ASSIGN)


def _check(actor: Actor, whole_office: bool) -> None:
    require(actor, Permission.READ)
    if whole_office and not office_wide_only(actor):
        require(actor, Permission.CASE_ASSIGN)


# --- building blocks ------------------------------------------------------------------


def _open_case_conditions(actor: Actor, whole_office: bool, cases: Any = Case) -> list[ColumnElement[bool]]:
    """The live open cases in scope; *cases* is the case table or an alias of it."""
    # The open statuses listed (not "!= closed"), so that ix_cases_status_worker_cover serves.
    where: list[ColumnElement[bool]] = [cases.deleted_at.is_(None), cases.status.in_(OPEN_STATUSES)]
    if not whole_office:
        where.append(cases.worker_id == actor.user_id if actor.user_id is not None else false())
    return where


def _number(case_no: int | None, case_year: int | None) -> str | None:
    return None if case_no is None else f"{case_no}/{case_year}"


def _ref_name(item: Any, lang: str) -> Any:
    return {"ru": item.name_ru, "ky": item.name_ky}.get(lang, item.name_en)


def _my_open_cases(
    session: Session, actor: Actor, deadlines: DeadlineSettings, lang: str, limit: int
) -> OpenCases:
    where = _open_case_conditions(actor, False)
    total = int(session.execute(select(func.count()).select_from(Case).where(*where)).scalar_one())
    # The page's ids first, from the cases alone; the names and labels then for those ids only.
    page = (
        select(Case.id)
        .where(*where)
        .order_by(Case.opened_on.desc(), Case.case_year.desc(), Case.case_no.desc())
        .limit(limit)
    )
    ids = list(session.scalars(page))
    if not ids:
        return OpenCases([], total)
    child = aliased(Person, name="child")
    risk = aliased(ReferenceItem, name="risk")
    stmt = (
        select(
            Case.id,
            Case.case_no,
            Case.case_year,
            Case.status,
            Case.opened_on,
            child.last_name,
            child.first_name,
            child.patronymic,
            _ref_name(risk, lang).label("risk"),
        )
        .outerjoin(child, and_(child.id == Case.child_id, child.deleted_at.is_(None)))
        .outerjoin(risk, risk.id == Case.risk_level_id)
        .where(Case.id.in_(ids))
    )
    found = {r.id: r for r in session.execute(stmt)}
    raw = [found[case_id] for case_id in ids]
    next_due = _next_deadlines(session, {r.id: r.opened_on for r in raw}, deadlines)
    status_label = translator(lang)
    rows = [
        OpenCase(
            case_id=r.id,
            number=f"{r.case_no}/{r.case_year}",
            child=full_name(r.last_name, r.first_name, r.patronymic) or None,
            status=r.status,
            status_label=status_label(CASE_STATUS_LABELS[r.status]),
            risk=r.risk,
            opened_on=r.opened_on,
            next_deadline=next_due.get(r.id),
        )
        for r in raw
    ]
    return OpenCases(rows, total)


def _next_deadlines(
    session: Session, opened: dict[uuid.UUID, date], deadlines: DeadlineSettings
) -> dict[uuid.UUID, date]:
    """The earliest due date of the pending work of each case (the same rules as the overdue items)."""
    if not opened:
        return {}
    ids = list(opened)
    dues: dict[uuid.UUID, list[date]] = {case_id: [] for case_id in ids}
    for model, due_of in (
        (InitialAssessment, deadlines.initial_assessment_due),
        (ComprehensiveAssessment, deadlines.comprehensive_assessment_due),
    ):
        done = set(
            session.scalars(
                select(model.case_id).where(
                    model.case_id.in_(ids), model.deleted_at.is_(None), model.completed_on.is_not(None)
                )
            )
        )
        for case_id in ids:
            if case_id not in done:
                dues[case_id].append(due_of(opened[case_id]))
    reviewed = last_review()
    for plan in session.execute(
        select(Plan.case_id, Plan.approved_at, Plan.start_date, reviewed.label("last_review")).where(
            Plan.case_id.in_(ids), Plan.deleted_at.is_(None), Plan.status == "approved"
        )
    ):
        dues[plan.case_id].append(
            plan_review_due(deadlines, plan.approved_at, plan.start_date, plan.last_review)
        )
    for action in session.execute(
        select(Plan.case_id, PlanAction.due_date)
        .join(Plan, Plan.id == PlanAction.plan_id)
        .where(Plan.case_id.in_(ids), *plan_action_pending())
    ):
        dues[action.case_id].append(action.due_date)
    for referral in session.execute(
        select(Referral.case_id, Referral.reply_due, Referral.issued_on).where(
            Referral.case_id.in_(ids), *referral_pending()
        )
    ):
        due = deadlines.referral_reply_due(referral.reply_due, referral.issued_on)
        if due is not None:
            dues[referral.case_id].append(due)
    for decision in session.execute(
        select(KddAgendaItem.case_id, KddDecision.deadline, KddMeeting.meeting_date)
        .join(KddAgendaItem, KddAgendaItem.id == KddDecision.item_id)
        .join(KddMeeting, KddMeeting.id == KddAgendaItem.meeting_id)
        .where(KddAgendaItem.case_id.in_(ids), *kdd_pending())
    ):
        dues[decision.case_id].append(deadlines.kdd_decision_due(decision.deadline, decision.meeting_date))
    return {case_id: min(found) for case_id, found in dues.items() if found}


def last_review() -> Any:
    """The date of the latest live review of the plan in the enclosing query (a correlated subquery)."""
    return (
        select(func.max(PlanReview.review_date))
        .where(PlanReview.plan_id == Plan.id, PlanReview.deleted_at.is_(None))
        .scalar_subquery()
    )


def plan_review_due(
    deadlines: DeadlineSettings, approved_at: datetime | None, start_date: date, last_review: date | None
) -> date:
    """When an approved plan is due for review: months after its last review, or after its approval."""
    approved = _local_day(approved_at) if approved_at is not None else start_date
    return deadlines.plan_review_due(max(approved, last_review) if last_review else approved)


def plan_action_pending() -> list[ColumnElement[bool]]:
    """Actions of approved plans still to be done (a superseded plan's actions live on in its revision)."""
    return [
        Plan.deleted_at.is_(None),
        Plan.status == "approved",
        PlanAction.deleted_at.is_(None),
        # Written out in the SQL (not bound), as the partial index of pending actions says it.
        PlanAction.status.in_(
            bindparam("open_action", OPEN_ACTION_STATUSES, expanding=True, literal_execute=True)
        ),
        PlanAction.due_date.is_not(None),
    ]


def referral_pending() -> list[ColumnElement[bool]]:
    """Issued referrals still waiting for their reply."""
    return [
        Referral.deleted_at.is_(None),
        Referral.status == "issued",
        Referral.reply_received_on.is_(None),
    ]


def kdd_pending() -> list[ColumnElement[bool]]:
    """КДД decisions not executed yet, of meetings not cancelled."""
    return [
        KddDecision.deleted_at.is_(None),
        KddDecision.done_on.is_(None),
        KddAgendaItem.deleted_at.is_(None),
        KddMeeting.deleted_at.is_(None),
        KddMeeting.status != "cancelled",
    ]


# --- overdue items --------------------------------------------------------------------


# Aliases made once (making one costs as much as a query here).
_SCOPE = aliased(Case, name="scope")
_LATER_REVIEW = aliased(PlanReview, name="later")


@dataclass(frozen=True)
class _Part:
    """Overdue items of one kind whose due dates follow one SQL order.

    *rows* selects them; *order* walks an index of migration 0007 in the order of their due dates
    (ties by case number), so that reading the first rows stops early instead of sorting them all;
    *due* gives a row's exact due date. The first rows of each part, merged, are the most overdue of
    the kind.
    """

    rows: Select[Any]
    order: list[Any]
    due: Callable[[Any], date]


@dataclass(frozen=True)
class _Kind:
    """The overdue items of one kind: its *parts* for the first rows, and *counted*, one row per item.

    *counted* is read in whatever order the database finds them fastest, up to one past the cap.
    """

    parts: list[_Part]
    counted: Select[Any]


def _overdue(
    session: Session,
    actor: Actor,
    whole_office: bool,
    as_of: date,
    deadlines: DeadlineSettings,
    limit: int,
) -> list[OverdueGroup]:
    kinds = {
        "initial_assessment": _assessment_overdue(
            InitialAssessment, actor, whole_office, as_of, deadlines.initial_assessment_due
        ),
        "comprehensive_assessment": _assessment_overdue(
            ComprehensiveAssessment, actor, whole_office, as_of, deadlines.comprehensive_assessment_due
        ),
        "plan_review": _plan_review_overdue(actor, whole_office, as_of, deadlines),
        "plan_action": _plan_action_overdue(actor, whole_office, as_of),
        "referral_reply": _referral_overdue(actor, whole_office, as_of, deadlines),
        "kdd_decision": _kdd_overdue(actor, whole_office, as_of, deadlines),
    }
    cap = max(limit, OVERDUE_COUNT_CAP)
    found: dict[str, tuple[int, list[tuple[date, Any]]]] = {}
    for name in OVERDUE_KINDS:
        kind = kinds[name]
        dated = [
            (part.due(row), row)
            for part in kind.parts
            for row in session.execute(part.rows.order_by(*part.order).limit(limit))
        ]
        first = kind.counted.limit(cap + 1).subquery("counted")
        found[name] = (int(session.execute(select(func.count()).select_from(first)).scalar_one()), dated)
    names = _child_names(session, {row.child_id for _, rows in found.values() for _, row in rows})
    record_kinds = {"referral_reply": "referral", "kdd_decision": "kdd_meeting"}
    groups: list[OverdueGroup] = []
    for name in OVERDUE_KINDS:
        counted, dated = found[name]
        # Each part is in order; merged, the most overdue of all come first.
        dated.sort(key=lambda pair: (pair[0], pair[1].case_year or 0, pair[1].case_no or 0))
        items = [
            OverdueItem(
                kind=name,
                case_id=row.case_id,
                case_number=_number(row.case_no, row.case_year),
                child=names.get(row.child_id),
                due=due,
                days_overdue=(as_of - due).days,
                record_kind=record_kinds.get(name, "case"),
                record_id=row.record_id,
            )
            for due, row in dated[:limit]
        ]
        groups.append(OverdueGroup(name, items, min(counted, cap), capped=counted > cap))
    return groups


def _child_names(session: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = [child_id for child_id in ids if child_id is not None]
    if not wanted:
        return {}
    stmt = select(Person.id, Person.last_name, Person.first_name, Person.patronymic).where(
        Person.id.in_(wanted), Person.deleted_at.is_(None)
    )
    return {row.id: full_name(row.last_name, row.first_name, row.patronymic) for row in session.execute(stmt)}


def _item_columns(record_id: Any, child_id: Any) -> list[Any]:
    return [
        record_id.label("record_id"),
        Case.id.label("case_id"),
        Case.case_no,
        Case.case_year,
        child_id.label("child_id"),
    ]


def _in_open_case(actor: Actor, whole_office: bool, case_id: Any) -> ColumnElement[bool]:
    """Whether *case_id* is an open case in scope: a correlated EXISTS that looks the case up by its key.

    Not conditions on the joined case: those would let the planner start from the open cases (an
    index on their status) and sort all their records, where walking the records' due-date index and
    looking each case up stops after the first rows.
    """
    return (
        select(_SCOPE.id)
        .where(_SCOPE.id == case_id, *_open_case_conditions(actor, whole_office, _SCOPE))
        .exists()
    )


def _case_scope(actor: Actor, whole_office: bool, case_id: Any) -> ColumnElement[bool]:
    """For records that may have no case: mine are those of my open cases; the office adds the caseless."""
    open_case = _in_open_case(actor, whole_office, case_id)
    return or_(case_id.is_(None), open_case) if whole_office else open_case


def _counted(
    stmt: Select[Any], actor: Actor, whole_office: bool, case_id: Any, *, caseless: bool = False
) -> Select[Any]:
    """*stmt* (records of one kind, overdue) kept to those of open cases in scope, for the count.

    One's own are read from one's open cases (an index range) and their records; the office's from
    the records, each case looked up: either way the side where overdue items are dense. *caseless*:
    the office's include the records without a case.
    """
    if whole_office:
        return stmt.where(
            _case_scope(actor, True, case_id) if caseless else _in_open_case(actor, True, case_id)
        )
    return stmt.join(Case, Case.id == case_id).where(*_open_case_conditions(actor, False))


def _assessment_overdue(
    model: type[InitialAssessment] | type[ComprehensiveAssessment],
    actor: Actor,
    whole_office: bool,
    as_of: date,
    due_of: Callable[[date], date],
) -> _Kind:
    """Open cases opened long enough ago without a completed assessment; the item opens the case."""
    cutoff = latest_overdue_start(as_of, due_of)
    # The column named, not "*", so that the partial index answers it alone.
    completed = (
        select(model.case_id)
        .where(model.case_id == Case.id, model.deleted_at.is_(None), model.completed_on.is_not(None))
        .exists()
    )
    # Open as the partial indexes of open cases by opening say it ("!= closed", the same cases as
    # the open statuses listed), so that the cases are walked in the order of their opening.
    where = [Case.deleted_at.is_(None), Case.status != "closed", Case.opened_on <= cutoff, ~completed]
    if not whole_office:
        where.append(Case.worker_id == actor.user_id if actor.user_id is not None else false())
    rows = select(*_item_columns(Case.id, Case.child_id), Case.opened_on).where(*where)
    order = [Case.opened_on, Case.case_year, Case.case_no]
    return _Kind([_Part(rows, order, lambda row: due_of(row.opened_on))], select(Case.id).where(*where))


def _plan_review_overdue(actor: Actor, whole_office: bool, as_of: date, deadlines: DeadlineSettings) -> _Kind:
    """Approved plans of open cases not approved nor reviewed since the cut-off; the item opens the case.

    Three parts: the plans never reviewed in the order of their approval, those whose approval
    time is unknown in the order of their start, and the reviewed ones in the order of their last
    review (read from the reviews: each plan's latest live one). A plan whose last review is dated
    before its approval is due from the approval: it is read early in its part (counted all the
    same, and placed by its true due date among the rows read).
    """
    cutoff = latest_overdue_start(as_of, deadlines.plan_review_due)
    approved = [Plan.deleted_at.is_(None), Plan.status == "approved"]
    approved_in_time = Plan.approved_at < _day_start_utc(cutoff + timedelta(days=1))
    started_in_time = and_(Plan.approved_at.is_(None), Plan.start_date <= cutoff)  # approval time unknown
    approved_by_cutoff = or_(approved_in_time, started_in_time)
    in_scope = _in_open_case(actor, whole_office, Plan.case_id)

    def due(row: Any) -> date:
        return plan_review_due(deadlines, row.approved_at, row.start_date, row.last_review)

    def reviews(*where: ColumnElement[bool]) -> Any:
        return select(PlanReview.plan_id).where(
            PlanReview.plan_id == Plan.id, PlanReview.deleted_at.is_(None), *where
        )

    never_reviewed = (
        select(*_item_columns(Case.id, Case.child_id), Plan.approved_at, Plan.start_date)
        .add_columns(null().label("last_review"))
        .select_from(Plan)
        .join(Case, Case.id == Plan.case_id)
        .where(*approved, ~reviews().exists(), in_scope)
    )
    later = _LATER_REVIEW
    superseded = (
        select(later.plan_id)
        .where(
            later.plan_id == PlanReview.plan_id,
            later.deleted_at.is_(None),
            or_(
                later.review_date > PlanReview.review_date,
                and_(later.review_date == PlanReview.review_date, later.id > PlanReview.id),
            ),
        )
        .exists()
    )
    reviewed = (
        select(*_item_columns(Case.id, Case.child_id), Plan.approved_at, Plan.start_date)
        .add_columns(PlanReview.review_date.label("last_review"))
        .select_from(PlanReview)
        .join(Plan, Plan.id == PlanReview.plan_id)
        .join(Case, Case.id == Plan.case_id)
        .where(
            PlanReview.deleted_at.is_(None),
            PlanReview.review_date <= cutoff,
            ~superseded,
            *approved,
            approved_by_cutoff,
            in_scope,
        )
    )
    ties = [Case.case_year, Case.case_no]
    parts = [
        _Part(never_reviewed.where(approved_in_time), [Plan.approved_at, *ties], due),
        _Part(never_reviewed.where(started_in_time), [Plan.start_date, *ties], due),
        _Part(reviewed, [PlanReview.review_date, *ties], due),
    ]
    # Counted from the plans: approved by the cut-off and not reviewed after it.
    not_reviewed_since = ~reviews(PlanReview.review_date > cutoff).exists()
    counted = select(Plan.id).where(*approved, approved_by_cutoff, not_reviewed_since)
    return _Kind(parts, _counted(counted, actor, whole_office, Plan.case_id))


def _plan_action_overdue(actor: Actor, whole_office: bool, as_of: date) -> _Kind:
    """Actions of approved plans of open cases, not done by their due date; the item opens the case."""
    where = [*plan_action_pending(), PlanAction.due_date < as_of]
    rows = (
        select(*_item_columns(Case.id, Case.child_id), PlanAction.due_date)
        .select_from(PlanAction)
        .join(Plan, Plan.id == PlanAction.plan_id)
        .join(Case, Case.id == Plan.case_id)
        .where(*where, _in_open_case(actor, whole_office, Plan.case_id))
    )
    order = [PlanAction.due_date, Case.case_year, Case.case_no]
    # The plan's id (not the action's) is in the index of pending actions: counted from it alone.
    counted = select(PlanAction.plan_id).join(Plan, Plan.id == PlanAction.plan_id).where(*where)
    return _Kind(
        [_Part(rows, order, lambda row: row.due_date)], _counted(counted, actor, whole_office, Plan.case_id)
    )


def _referral_overdue(actor: Actor, whole_office: bool, as_of: date, deadlines: DeadlineSettings) -> _Kind:
    """Issued referrals without a reply past their reply date; the item opens the referral.

    Two parts: those with a reply date in its order, those without in the order of issue.
    """
    reply_days = timedelta(days=deadlines.referral_reply_days)
    cutoff = latest_overdue_start(as_of, lambda issued: issued + reply_days)
    dated = Referral.reply_due < as_of
    undated = and_(Referral.reply_due.is_(None), Referral.issued_on <= cutoff)
    rows = (
        select(*_item_columns(Referral.id, func.coalesce(Referral.child_id, Case.child_id)))
        .add_columns(Referral.reply_due, Referral.issued_on)
        .select_from(Referral)
        .outerjoin(Case, Case.id == Referral.case_id)
        .where(*referral_pending(), _case_scope(actor, whole_office, Referral.case_id))
    )

    def due(row: Any) -> date:
        found = deadlines.referral_reply_due(row.reply_due, row.issued_on)
        assert found is not None  # the query asks for a reply date or an issue date
        return found

    ties = [Case.case_year, Case.case_no]
    parts = [
        _Part(rows.where(dated), [Referral.reply_due, *ties], due),
        _Part(rows.where(undated), [Referral.issued_on, *ties], due),
    ]
    counted = select(Referral.id).where(*referral_pending(), or_(dated, undated))
    return _Kind(parts, _counted(counted, actor, whole_office, Referral.case_id, caseless=True))


def _kdd_overdue(actor: Actor, whole_office: bool, as_of: date, deadlines: DeadlineSettings) -> _Kind:
    """КДД decisions not executed past their deadline; the item opens the meeting.

    Two parts: those with a deadline in its order, those without in the order of the meetings.
    """
    decision_days = timedelta(days=deadlines.kdd_decision_days)
    cutoff = latest_overdue_start(as_of, lambda held: held + decision_days)
    with_deadline = KddDecision.deadline < as_of
    without = and_(KddDecision.deadline.is_(None), KddMeeting.meeting_date <= cutoff)
    decisions = (
        select(KddDecision.id)
        .join(KddAgendaItem, KddAgendaItem.id == KddDecision.item_id)
        .join(KddMeeting, KddMeeting.id == KddAgendaItem.meeting_id)
    )
    rows = (
        decisions.with_only_columns(
            *_item_columns(KddMeeting.id, func.coalesce(KddAgendaItem.child_id, Case.child_id)),
            KddDecision.deadline,
            KddMeeting.meeting_date,
        )
        .outerjoin(Case, Case.id == KddAgendaItem.case_id)
        .where(*kdd_pending(), _case_scope(actor, whole_office, KddAgendaItem.case_id))
    )

    def due(row: Any) -> date:
        return deadlines.kdd_decision_due(row.deadline, row.meeting_date)

    ties = [Case.case_year, Case.case_no]
    parts = [
        _Part(rows.where(with_deadline), [KddDecision.deadline, *ties], due),
        _Part(rows.where(without), [KddMeeting.meeting_date, *ties], due),
    ]
    # Few (a meeting's decisions, not a case's work): counted from the decisions in either scope.
    in_scope = _case_scope(actor, whole_office, KddAgendaItem.case_id)
    return _Kind(parts, decisions.where(*kdd_pending(), or_(with_deadline, without), in_scope))


# --- counts ---------------------------------------------------------------------------


def _by_status(session: Session, actor: Actor, whole_office: bool, lang: str) -> list[Count]:
    stmt = (
        select(Case.status, func.count())
        .where(*_open_case_conditions(actor, whole_office))
        .group_by(Case.status)
    )
    counts = dict(session.execute(stmt).all())
    label = translator(lang)
    return [Count(code, label(CASE_STATUS_LABELS[code]), int(counts.get(code, 0))) for code in OPEN_STATUSES]


def _by_category(session: Session, actor: Actor, whole_office: bool, lang: str) -> list[Count]:
    counted = (
        select(case_categories.c.category_id, func.count().label("n"))
        .join(Case, Case.id == case_categories.c.case_id)
        .where(*_open_case_conditions(actor, whole_office))
        .group_by(case_categories.c.category_id)
        .subquery()
    )
    stmt = (
        select(ReferenceItem.code, _ref_name(ReferenceItem, lang), func.coalesce(counted.c.n, 0))
        .outerjoin(counted, counted.c.category_id == ReferenceItem.id)
        .where(
            ReferenceItem.kind == "tjs_category",
            ReferenceItem.deleted_at.is_(None),
            or_(ReferenceItem.active.is_(True), counted.c.n > 0),
        )
        .order_by(ReferenceItem.sort_order, ReferenceItem.code)
    )
    return [Count(code, name, int(n)) for code, name, n in session.execute(stmt)]


def _caseload(session: Session) -> list[WorkerLoad]:
    """Active users who may be responsible for cases (even with none), anyone else holding open cases,
    and the unassigned."""
    # Grouped by status too: the groups then follow the index of open cases, without a sort.
    counts: dict[uuid.UUID | None, int] = defaultdict(int)
    for _status, worker_id, n in session.execute(
        select(Case.status, Case.worker_id, func.count())
        .where(Case.deleted_at.is_(None), Case.status.in_(OPEN_STATUSES))
        .group_by(Case.status, Case.worker_id)
    ):
        counts[worker_id] += int(n)
    users = session.execute(select(User.id, User.full_name, User.role_code, User.active, User.deleted_at))
    loads: list[WorkerLoad] = []
    for user_id, name, role, active, deleted_at in users:
        live = bool(active) and deleted_at is None
        if user_id in counts or (live and role in CASE_WORK_ROLES):
            loads.append(WorkerLoad(user_id, name, counts.get(user_id, 0), live))
    loads.sort(key=lambda load: (load.name or "").casefold())
    loads.append(WorkerLoad(None, None, counts.get(None, 0), True))
    return loads
