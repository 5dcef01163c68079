"""Case plans (ИПЗР for the child, the plan of work with the family): drafting, approval, revisions.

A plan is drafted with its goals and actions (:func:`save_plan` writes the whole form at once),
approved by the department head, and then frozen: a change needs a revision
(:func:`revise_plan`), a new draft that copies the approved version and replaces it once it is
approved itself. Every version stays. On an approved plan the work goes on without a revision:
the progress of the actions (:func:`record_action_progress`) and periodic reviews
(:func:`add_review`).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.dashboard import DeadlineSettings
from models.database import Database
from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import N_, _, current_language
from models.orm import (
    ACTION_STATUSES,
    Case,
    Organisation,
    Plan,
    PlanAction,
    PlanGoal,
    PlanReview,
    ReferenceItem,
    Referral,
    User,
)
from models.permissions import Permission
from models.services.base import Actor, audit, audit_changes, changed_fields, get_live, require, unit_of_work
from models.services.checks import clean_text, live_open_case, not_in_future
from models.services.workflow import advance
from models.validation import local_today

PLAN_KINDS = ("child", "family")
PLAN_KIND_LABELS = {"child": N_("Child protection plan (ИПЗР)"), "family": N_("Family plan")}
PLAN_STATUS_LABELS = {"draft": N_("Draft"), "approved": N_("Approved"), "superseded": N_("Superseded")}
ACTION_STATUS_LABELS = {
    "planned": N_("Planned"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "not_done": N_("Not done"),
}
# Actions still to be done; past their due date they are overdue.
OPEN_ACTION_STATUSES = ("planned", "in_progress")

AUDIT_LABELS: dict[str, str] = {
    "plan.create": N_("Plan drawn up"),
    "plan.update": N_("Plan changed"),
    "plan.approve": N_("Plan approved"),
    "plan.supersede": N_("Plan replaced by a newer version"),
    "plan.revise": N_("Plan revision started"),
    "plan.review": N_("Plan reviewed"),
    "plan.action_progress": N_("Plan action progress recorded"),
    "plan.delete": N_("Draft plan deleted"),
}


class PlanLocked(DomainError):
    """The plan cannot change: it is approved (make a revision) or superseded."""


# --- input ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalInput:
    """A goal of the plan form; *id* None for a new goal."""

    text: str
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class ActionInput:
    """An action of the plan form; *id* None for a new action.

    *goal* is the index of the goal it serves in :attr:`PlanInput.goals` (None: no goal).
    """

    description: str
    id: uuid.UUID | None = None
    goal: int | None = None
    need: str | None = None
    service_code: str | None = None
    organisation_id: uuid.UUID | None = None
    responsible_person: str | None = None
    due_date: date | None = None
    status: str = "planned"
    result: str | None = None


@dataclass(frozen=True)
class PlanInput:
    """The plan form: its values, and its goals and actions in the order shown.

    *review_date* None takes the default of the office's deadlines (N months after the start).
    """

    start_date: date
    kind: str = "child"
    review_date: date | None = None
    child_participated: bool = False
    family_participated: bool = False
    notes: str | None = None
    goals: Sequence[GoalInput] = ()
    actions: Sequence[ActionInput] = ()


@dataclass(frozen=True)
class ReviewInput:
    """A periodic review: *next_review_date* None takes the default of the office's deadlines."""

    review_date: date
    changes: str
    reviewer_id: uuid.UUID | None = None
    next_review_date: date | None = None


@dataclass(frozen=True)
class PlanRef:
    """A plan written: its id and its version (to send back with the next change)."""

    id: uuid.UUID
    version: int


# --- output ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSummary:
    """One version of a plan in the list of a case's plans."""

    id: uuid.UUID
    version: int
    kind: str
    plan_no: int
    revision: int
    status: str
    start_date: date
    review_date: date | None
    approved_at: datetime | None
    previous_id: uuid.UUID | None


@dataclass(frozen=True)
class GoalView:
    id: uuid.UUID
    text: str


@dataclass(frozen=True)
class ActionView:
    """An action as the plan shows it; *goal* is the index of its goal in :attr:`PlanDetails.goals`."""

    id: uuid.UUID
    version: int
    goal: int | None
    need: str | None
    service_code: str | None
    service_label: str
    description: str
    organisation_id: uuid.UUID | None
    organisation_name: str
    responsible_person: str | None
    due_date: date | None
    status: str
    result: str | None
    overdue: bool
    referrals: int


@dataclass(frozen=True)
class ReviewView:
    id: uuid.UUID
    review_date: date
    reviewer_id: uuid.UUID | None
    reviewer_name: str
    changes: str | None
    next_review_date: date | None


@dataclass(frozen=True)
class PlanDetails:
    """One version of a plan with its goals, actions, reviews and approval."""

    id: uuid.UUID
    version: int
    case_id: uuid.UUID
    case_number: str
    case_closed: bool
    kind: str
    plan_no: int
    revision: int
    previous_id: uuid.UUID | None
    status: str
    start_date: date
    review_date: date | None
    child_participated: bool
    family_participated: bool
    notes: str | None
    approved_by_name: str | None
    approved_at: datetime | None
    goals: tuple[GoalView, ...]
    actions: tuple[ActionView, ...]
    reviews: tuple[ReviewView, ...]
    # The draft revision of this (approved) plan, if one is being drafted.
    revision_draft_id: uuid.UUID | None

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


# --- checks ---------------------------------------------------------------------------


def _require_draft(plan: Plan) -> None:
    if plan.status == "approved":
        raise PlanLocked(_("The plan is approved; make a revision to change it."))
    if plan.status == "superseded":
        raise PlanLocked(_("This version of the plan was replaced by a newer one; it can only be viewed."))


def _plan_and_case(
    session: Session, plan_id: uuid.UUID, expected_version: int | None = None
) -> tuple[Plan, Case]:
    plan = get_live(session, Plan, plan_id, for_version=expected_version)
    return plan, live_open_case(session, plan.case_id)


def _live_goals(plan: Plan) -> list[PlanGoal]:
    return [goal for goal in plan.goals if goal.deleted_at is None]


def _live_actions(plan: Plan) -> list[PlanAction]:
    return [action for action in plan.actions if action.deleted_at is None]


def _draft_of_kind(session: Session, case_id: uuid.UUID, kind: str) -> Plan | None:
    return session.scalar(
        select(Plan).where(
            Plan.case_id == case_id, Plan.kind == kind, Plan.status == "draft", Plan.deleted_at.is_(None)
        )
    )


def _checked_header(session: Session, case: Case, data: PlanInput, problems: list[FieldProblem]) -> date:
    """Checks the plan's own fields; returns its review date (the default when none was given)."""
    if data.kind not in PLAN_KINDS:
        problems.append(FieldProblem("kind", _("Kind: choose a child or a family plan.")))
    if data.start_date < case.opened_on:
        problems.append(
            FieldProblem("start_date", _("Start date: cannot be earlier than the opening of the case."))
        )
    review_date = data.review_date
    if review_date is None:
        review_date = DeadlineSettings.read(session).plan_review_due(data.start_date)
    elif review_date <= data.start_date:
        problems.append(FieldProblem("review_date", _("Review date: must be after the start date.")))
    return review_date


@dataclass(frozen=True)
class _CheckedAction:
    data: ActionInput
    service: ReferenceItem | None


def _checked_rows(
    session: Session, plan: Plan | None, data: PlanInput, problems: list[FieldProblem]
) -> list[_CheckedAction]:
    """Checks the goals and actions of the form; each problem names its row."""
    stored_goals = {g.id for g in _live_goals(plan)} if plan else set()
    stored_actions = {a.id: a for a in _live_actions(plan)} if plan else {}
    for index, goal in enumerate(data.goals):
        row = index + 1
        if not goal.text.strip():
            problems.append(FieldProblem(f"goals.{index}.text", _("Goal {row}: write the goal.", row=row)))
        if goal.id is not None and goal.id not in stored_goals:
            problems.append(
                FieldProblem(f"goals.{index}", _("Goal {row}: it is no longer in this plan.", row=row))
            )
    codes = {a.service_code for a in data.actions if a.service_code}
    services = {
        item.code: item
        for item in session.scalars(
            select(ReferenceItem).where(
                ReferenceItem.kind == "service_type",
                ReferenceItem.code.in_(codes),
                ReferenceItem.deleted_at.is_(None),
            )
        )
    }
    org_ids = {a.organisation_id for a in data.actions if a.organisation_id}
    organisations = {
        org.id: org for org in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
    }
    checked = []
    for index, action in enumerate(data.actions):
        row = index + 1

        def problem(name: str, message: str, **params: object) -> None:
            problems.append(FieldProblem(f"actions.{index}.{name}", _(message, row=row, **params)))  # noqa: B023

        stored = stored_actions.get(action.id) if action.id is not None else None
        if action.id is not None and stored is None:
            problem("id", N_("Action {row}: it is no longer in this plan."))
        if not action.description.strip():
            problem("description", N_("Action {row}: describe the action."))
        if action.goal is not None and not 0 <= action.goal < len(data.goals):
            problem("goal", N_("Action {row}: the goal it serves is not in the plan."))
        if action.due_date is not None and action.due_date < data.start_date:
            problem("due_date", N_("Action {row}: due date before the plan's start."))
        if action.status not in ACTION_STATUSES:
            problem("status", N_("Action {row}: unknown status {status}."), status=action.status)
        service = None
        if action.service_code:
            service = services.get(action.service_code)
            if service is None:
                problem("service_code", N_("Action {row}: unknown service {code}."), code=action.service_code)
        if action.organisation_id is not None:
            organisation = organisations.get(action.organisation_id)
            kept = stored is not None and stored.organisation_id == action.organisation_id
            if (
                organisation is None
                or organisation.deleted_at is not None
                or not (organisation.active or kept)
            ):
                problem("organisation_id", N_("Action {row}: the organisation is not in the directory."))
        checked.append(_CheckedAction(action, service))
    return checked


def _write_rows(
    session: Session, plan: Plan, rows: Sequence[_CheckedAction], goals: Sequence[GoalInput]
) -> list[str]:
    """Writes the goals and actions of the form onto *plan* in their order; which of the two changed."""
    changed = False
    now = utcnow()
    stored_goals = {g.id: g for g in _live_goals(plan)}
    goal_rows: list[PlanGoal] = []
    for position, goal in enumerate(goals):
        record = stored_goals.pop(goal.id) if goal.id is not None else None
        if record is None:
            record = PlanGoal(plan=plan, position=position, text=goal.text.strip())
            session.add(record)
            changed = True
        else:
            record.position = position
            record.text = goal.text.strip()
            changed = changed or bool(changed_fields(record))
        goal_rows.append(record)
    for removed in stored_goals.values():
        removed.deleted_at = now
        changed = True
    session.flush()  # the new goals get their ids
    goals_changed, changed = changed, False

    stored_actions = {a.id: a for a in _live_actions(plan)}
    for position, row in enumerate(rows):
        data = row.data
        record_action = stored_actions.pop(data.id) if data.id is not None else None
        if record_action is None:
            record_action = PlanAction(plan=plan)
            session.add(record_action)
            changed = True
        record_action.position = position
        record_action.goal_id = goal_rows[data.goal].id if data.goal is not None else None
        record_action.need = clean_text(data.need)
        record_action.service_type_id = row.service.id if row.service else None
        record_action.description = data.description.strip()
        record_action.organisation_id = data.organisation_id
        record_action.responsible_person = clean_text(data.responsible_person)
        record_action.due_date = data.due_date
        record_action.status = data.status
        record_action.result = clean_text(data.result)
        changed = changed or bool(changed_fields(record_action))
    for removed_action in stored_actions.values():
        removed_action.deleted_at = now
        changed = True
    return (["goals"] if goals_changed else []) + (["actions"] if changed else [])


def _refuse_removing_referred(session: Session, plan: Plan, data: PlanInput) -> None:
    """An action a referral was made from stays in the plan (the referral points at it)."""
    kept = {a.id for a in data.actions if a.id is not None}
    removed = {a.id: a for a in _live_actions(plan) if a.id not in kept}
    if not removed:
        return
    referred = set(
        session.scalars(
            select(Referral.plan_action_id).where(
                Referral.case_id == plan.case_id,  # indexed; plan_action_id is not
                Referral.plan_action_id.in_(list(removed)),
                Referral.deleted_at.is_(None),
            )
        )
    )
    if referred:
        problems = [
            FieldProblem(
                "actions",
                _(
                    "The action «{description}» has a referral; it cannot be removed from the plan.",
                    description=removed[action_id].description,
                ),
            )
            for action_id in referred
            if action_id is not None
        ]
        raise ValidationFailed(problems)


def _plan_details(plan: Plan, case: Case) -> dict[str, object]:
    return {"number": case.number, "plan_no": plan.plan_no, "revision": plan.revision, "kind": plan.kind}


# --- writes ---------------------------------------------------------------------------


def create_plan(db: Database, actor: Actor, case_id: uuid.UUID, data: PlanInput) -> PlanRef:
    """Draw up a new plan for a case (the next plan № of the case); the case moves on to planning."""
    with unit_of_work(db, actor, Permission.PLAN_WRITE) as session:
        case = live_open_case(session, case_id)
        problems: list[FieldProblem] = []
        review_date = _checked_header(session, case, data, problems)
        rows = _checked_rows(session, None, data, problems)
        if data.kind in PLAN_KINDS and _draft_of_kind(session, case.id, data.kind) is not None:
            problems.append(
                FieldProblem("kind", _("Kind: a draft plan of this kind exists already; finish it first."))
            )
        if problems:
            raise ValidationFailed(problems)
        last_no = session.scalar(
            select(func.max(Plan.plan_no)).where(Plan.case_id == case.id, Plan.deleted_at.is_(None))
        )
        plan = Plan(
            case_id=case.id,
            kind=data.kind,
            plan_no=(last_no or 0) + 1,
            revision=1,
            status="draft",
            start_date=data.start_date,
            review_date=review_date,
            child_participated=data.child_participated,
            family_participated=data.family_participated,
            notes=clean_text(data.notes),
        )
        session.add(plan)
        session.flush()
        _write_rows(session, plan, rows, data.goals)
        audit(session, actor, "plan.create", plan, details=_plan_details(plan, case))
        advance(session, actor, case, "planning")
        session.flush()
        return PlanRef(plan.id, plan.version)


def save_plan(db: Database, actor: Actor, plan_id: uuid.UUID, data: PlanInput, expected_version: int) -> int:
    """Save the form of a draft plan with its goals and actions in their order; returns the new version.

    Goals and actions without an id are added, those left out are removed. The kind of a plan
    does not change.
    """
    with unit_of_work(db, actor, Permission.PLAN_WRITE) as session:
        plan, case = _plan_and_case(session, plan_id, expected_version)
        _require_draft(plan)
        problems: list[FieldProblem] = []
        if data.kind != plan.kind:
            problems.append(FieldProblem("kind", _("Kind: the kind of a plan cannot change.")))
        review_date = _checked_header(session, case, data, problems)
        rows = _checked_rows(session, plan, data, problems)
        if problems:
            raise ValidationFailed(problems)
        _refuse_removing_referred(session, plan, data)
        plan.start_date = data.start_date
        plan.review_date = review_date
        plan.child_participated = data.child_participated
        plan.family_participated = data.family_participated
        plan.notes = clean_text(data.notes)
        fields = changed_fields(plan)
        rows_changed = _write_rows(session, plan, rows, data.goals)
        if rows_changed:
            fields += rows_changed
            plan.updated_at = utcnow()  # the plan's version counts changes of its rows too
        return audit_changes(session, actor, "plan.update", plan, _plan_details(plan, case), fields)


def _approval_problems(plan: Plan) -> list[FieldProblem]:
    problems = []
    if not _live_goals(plan):
        problems.append(FieldProblem("goals", _("Goals: the plan needs at least one goal to be approved.")))
    actions = _live_actions(plan)
    if not actions:
        problems.append(
            FieldProblem("actions", _("Actions: the plan needs at least one action to be approved."))
        )
    for index, action in enumerate(actions):
        row = index + 1
        if action.organisation_id is None and not action.responsible_person:
            problems.append(
                FieldProblem(
                    f"actions.{index}.responsible",
                    _("Action {row}: name the responsible organisation or person.", row=row),
                )
            )
        if action.due_date is None:
            problems.append(
                FieldProblem(f"actions.{index}.due_date", _("Action {row}: give a due date.", row=row))
            )
    return problems


def approve_plan(db: Database, actor: Actor, plan_id: uuid.UUID, expected_version: int) -> int:
    """Approve a draft plan (the department head); returns its new version.

    The plan is frozen from now on; an older approved plan of the same kind is superseded, and
    the case moves on to implementation.
    """
    with unit_of_work(db, actor, Permission.PLAN_APPROVE) as session:
        plan, case = _plan_and_case(session, plan_id, expected_version)
        _require_draft(plan)
        problems = _approval_problems(plan)
        if problems:
            raise ValidationFailed(problems)
        older = session.scalars(
            select(Plan).where(
                Plan.case_id == case.id,
                Plan.kind == plan.kind,
                Plan.status == "approved",
                Plan.id != plan.id,
                Plan.deleted_at.is_(None),
            )
        ).all()
        for old in older:
            old.status = "superseded"
            audit(
                session,
                actor,
                "plan.supersede",
                old,
                details={**_plan_details(old, case), "by": str(plan.id)},
            )
        plan.status = "approved"
        plan.approved_by_id = actor.user_id
        plan.approved_at = utcnow()
        audit(session, actor, "plan.approve", plan, details=_plan_details(plan, case))
        advance(session, actor, case, "implementation")
        session.flush()
        return plan.version


def revise_plan(db: Database, actor: Actor, plan_id: uuid.UUID) -> PlanRef:
    """Start a revision of an approved plan: a new draft with its goals and actions (same plan №).

    The approved plan stays in force until the revision is approved.
    """
    with unit_of_work(db, actor, Permission.PLAN_WRITE) as session:
        plan, case = _plan_and_case(session, plan_id)
        if plan.status != "approved":
            raise PlanLocked(_("Only an approved plan can be revised."))
        if _draft_of_kind(session, case.id, plan.kind) is not None:
            raise PlanLocked(_("A draft of this plan is being prepared already; finish or delete it first."))
        last_revision = session.scalar(
            select(func.max(Plan.revision)).where(
                Plan.case_id == case.id, Plan.plan_no == plan.plan_no, Plan.deleted_at.is_(None)
            )
        )
        revision = Plan(
            case_id=case.id,
            kind=plan.kind,
            plan_no=plan.plan_no,
            revision=(last_revision or plan.revision) + 1,
            previous_id=plan.id,
            status="draft",
            start_date=plan.start_date,
            review_date=plan.review_date,
            child_participated=plan.child_participated,
            family_participated=plan.family_participated,
            notes=plan.notes,
        )
        session.add(revision)
        session.flush()
        goal_ids: dict[uuid.UUID, uuid.UUID] = {}
        for position, goal in enumerate(_live_goals(plan)):
            copy = PlanGoal(plan_id=revision.id, position=position, text=goal.text)
            session.add(copy)
            session.flush()
            goal_ids[goal.id] = copy.id
        for position, action in enumerate(_live_actions(plan)):
            session.add(
                PlanAction(
                    plan_id=revision.id,
                    goal_id=goal_ids.get(action.goal_id) if action.goal_id else None,
                    position=position,
                    need=action.need,
                    service_type_id=action.service_type_id,
                    description=action.description,
                    organisation_id=action.organisation_id,
                    responsible_person=action.responsible_person,
                    due_date=action.due_date,
                    status=action.status,
                    result=action.result,
                )
            )
        audit(
            session,
            actor,
            "plan.revise",
            revision,
            details={**_plan_details(revision, case), "previous": str(plan.id)},
        )
        session.flush()
        return PlanRef(revision.id, revision.version)


def delete_draft(db: Database, actor: Actor, plan_id: uuid.UUID, expected_version: int) -> None:
    """Delete a draft plan (a revision given up, a plan drawn up by mistake); approved ones stay."""
    with unit_of_work(db, actor, Permission.PLAN_WRITE) as session:
        plan, case = _plan_and_case(session, plan_id, expected_version)
        _require_draft(plan)
        _refuse_removing_referred(session, plan, PlanInput(plan.start_date))
        now = utcnow()
        for row in [*_live_goals(plan), *_live_actions(plan)]:
            row.deleted_at = now
        plan.deleted_at = now
        audit(session, actor, "plan.delete", plan, details=_plan_details(plan, case))


def record_action_progress(
    db: Database, actor: Actor, action_id: uuid.UUID, status: str, result: str | None, expected_version: int
) -> int:
    """Record the status and result of an action of an approved plan (the work of implementing it).

    Its content (what, who, when) changes only through a revision. Returns the action's new version.
    """
    with unit_of_work(db, actor, Permission.PLAN_WRITE) as session:
        action = get_live(session, PlanAction, action_id, for_version=expected_version)
        plan, case = _plan_and_case(session, action.plan_id)
        if plan.status == "draft":
            raise PlanLocked(_("The plan is a draft; change the action in the plan and save it."))
        if plan.status == "superseded":
            _require_draft(plan)
        if status not in ACTION_STATUSES:
            raise ValidationFailed([FieldProblem("status", _("Status: choose one of the statuses."))])
        action.status = status
        action.result = clean_text(result)
        fields = changed_fields(action)
        if fields:
            position = _live_actions(plan).index(action) + 1
            audit(
                session,
                actor,
                "plan.action_progress",
                plan,
                details={
                    **_plan_details(plan, case),
                    "action": position,
                    "action_id": str(action.id),
                    "status": status,
                    "fields": fields,
                },
            )
        session.flush()
        return action.version


def add_review(
    db: Database, actor: Actor, plan_id: uuid.UUID, data: ReviewInput, expected_version: int
) -> int:
    """Record a periodic review of an approved plan; its next review date becomes the plan's review date.

    Returns the plan's new version.
    """
    with unit_of_work(db, actor, Permission.PLAN_WRITE) as session:
        plan, case = _plan_and_case(session, plan_id, expected_version)
        if plan.status != "approved":
            raise PlanLocked(_("Only an approved plan is reviewed; a draft is changed and saved."))
        problems: list[FieldProblem] = []
        not_in_future(data.review_date, "review_date", _("Review date: cannot be in the future."), problems)
        if data.review_date < plan.start_date:
            problems.append(
                FieldProblem("review_date", _("Review date: cannot be earlier than the start of the plan."))
            )
        if not data.changes.strip():
            problems.append(FieldProblem("changes", _("What changed: describe what the review found.")))
        next_review = data.next_review_date
        if next_review is None:
            next_review = DeadlineSettings.read(session).plan_review_due(data.review_date)
        elif next_review <= data.review_date:
            problems.append(
                FieldProblem("next_review_date", _("Next review: must be after the review date."))
            )
        reviewer_id = data.reviewer_id or actor.user_id
        if reviewer_id is not None:
            reviewer = session.get(User, reviewer_id)
            if reviewer is None or reviewer.deleted_at is not None:
                problems.append(FieldProblem("reviewer_id", _("Reviewer: not a user of the office.")))
        if problems:
            raise ValidationFailed(problems)
        review = PlanReview(
            plan_id=plan.id,
            review_date=data.review_date,
            reviewer_id=reviewer_id,
            changes=data.changes.strip(),
            next_review_date=next_review,
        )
        session.add(review)
        plan.review_date = next_review
        audit(
            session,
            actor,
            "plan.review",
            plan,
            details={**_plan_details(plan, case), "review_date": data.review_date.isoformat()},
        )
        session.flush()
        return plan.version


# --- reads ----------------------------------------------------------------------------


def list_plans(db: Database, actor: Actor, case_id: uuid.UUID) -> list[PlanSummary]:
    """Every version of every plan of a case: by plan №, then revision."""
    require(actor, Permission.READ)
    with db.reading() as session:
        plans = session.scalars(
            select(Plan)
            .where(Plan.case_id == case_id, Plan.deleted_at.is_(None))
            .order_by(Plan.plan_no, Plan.revision)
        )
        return [
            PlanSummary(
                p.id,
                p.version,
                p.kind,
                p.plan_no,
                p.revision,
                p.status,
                p.start_date,
                p.review_date,
                p.approved_at,
                p.previous_id,
            )
            for p in plans
        ]


def current_plan_id(plans: Sequence[PlanSummary], kind: str | None = None) -> uuid.UUID | None:
    """The plan to show first: the draft if there is one, else the approved one, else the latest."""
    shown = [p for p in plans if kind is None or p.kind == kind]
    for status in ("draft", "approved"):
        found = [p for p in shown if p.status == status]
        if found:
            return found[-1].id
    return shown[-1].id if shown else None


def get_plan(db: Database, actor: Actor, plan_id: uuid.UUID, lang: str | None = None) -> PlanDetails:
    """One version of a plan: goals, actions (organisation, service, overdue), reviews, approval."""
    require(actor, Permission.READ)
    lang = lang or current_language()
    with db.reading() as session:
        plan = get_live(session, Plan, plan_id)
        case = get_live(session, Case, plan.case_id)
        goals = _live_goals(plan)
        goal_index = {goal.id: index for index, goal in enumerate(goals)}
        actions = _live_actions(plan)
        services = {
            item.id: item
            for item in session.scalars(
                select(ReferenceItem).where(
                    ReferenceItem.id.in_({a.service_type_id for a in actions if a.service_type_id})
                )
            )
        }
        organisations = {
            org.id: org
            for org in session.scalars(
                select(Organisation).where(
                    Organisation.id.in_({a.organisation_id for a in actions if a.organisation_id})
                )
            )
        }
        rows = session.execute(
            select(Referral.plan_action_id, func.count())
            .where(
                Referral.case_id == case.id,  # indexed; plan_action_id is not
                Referral.plan_action_id.in_([a.id for a in actions]),
                Referral.deleted_at.is_(None),
            )
            .group_by(Referral.plan_action_id)
        ).all()
        referrals: dict[uuid.UUID | None, int] = dict(rows)
        reviews = [r for r in plan.reviews if r.deleted_at is None]
        user_ids = {r.reviewer_id for r in reviews if r.reviewer_id} | (
            {plan.approved_by_id} if plan.approved_by_id else set()
        )
        users = session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all()
        names: dict[uuid.UUID, str] = dict(users)
        revision_draft = session.scalar(
            select(Plan.id).where(
                Plan.previous_id == plan.id, Plan.status == "draft", Plan.deleted_at.is_(None)
            )
        )
        today = local_today()
        tracked = case.status != "closed" and plan.status != "superseded"

        def organisation_name(org_id: uuid.UUID | None) -> str:
            org = organisations.get(org_id) if org_id else None
            if org is None:
                return ""
            return org.name_ky if lang == "ky" and org.name_ky else org.name_ru

        def service_label(service_id: uuid.UUID | None) -> str:
            item = services.get(service_id) if service_id else None
            return item.name(lang) if item is not None else ""

        return PlanDetails(
            id=plan.id,
            version=plan.version,
            case_id=case.id,
            case_number=case.number,
            case_closed=case.status == "closed",
            kind=plan.kind,
            plan_no=plan.plan_no,
            revision=plan.revision,
            previous_id=plan.previous_id,
            status=plan.status,
            start_date=plan.start_date,
            review_date=plan.review_date,
            child_participated=plan.child_participated,
            family_participated=plan.family_participated,
            notes=plan.notes,
            approved_by_name=names.get(plan.approved_by_id) if plan.approved_by_id else None,
            approved_at=plan.approved_at,
            goals=tuple(GoalView(goal.id, goal.text) for goal in goals),
            actions=tuple(
                ActionView(
                    id=a.id,
                    version=a.version,
                    goal=goal_index.get(a.goal_id) if a.goal_id else None,
                    need=a.need,
                    service_code=services[a.service_type_id].code if a.service_type_id in services else None,
                    service_label=service_label(a.service_type_id),
                    description=a.description,
                    organisation_id=a.organisation_id,
                    organisation_name=organisation_name(a.organisation_id),
                    responsible_person=a.responsible_person,
                    due_date=a.due_date,
                    status=a.status,
                    result=a.result,
                    overdue=tracked
                    and a.status in OPEN_ACTION_STATUSES
                    and a.due_date is not None
                    and a.due_date < today,
                    referrals=referrals.get(a.id, 0),
                )
                for a in actions
            ),
            reviews=tuple(
                ReviewView(
                    r.id,
                    r.review_date,
                    r.reviewer_id,
                    names.get(r.reviewer_id, "") if r.reviewer_id else "",
                    r.changes,
                    r.next_review_date,
                )
                for r in reviews
            ),
            revision_draft_id=revision_draft,
        )


def plan_input(details: PlanDetails) -> PlanInput:
    """The form of a stored plan, as :func:`save_plan` takes it back."""
    return PlanInput(
        start_date=details.start_date,
        kind=details.kind,
        review_date=details.review_date,
        child_participated=details.child_participated,
        family_participated=details.family_participated,
        notes=details.notes,
        goals=[GoalInput(goal.text, goal.id) for goal in details.goals],
        actions=[
            ActionInput(
                description=a.description,
                id=a.id,
                goal=a.goal,
                need=a.need,
                service_code=a.service_code,
                organisation_id=a.organisation_id,
                responsible_person=a.responsible_person,
                due_date=a.due_date,
                status=a.status,
                result=a.result,
            )
            for a in details.actions
        ],
    )
