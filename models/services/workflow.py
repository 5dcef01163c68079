"""The case status workflow: registered → assessment → planning → implementation ⇄ monitoring → closed.

Other services move a case forward as its work advances (recording an assessment, drawing up
a plan, approving it) with :func:`advance`, inside their own transaction. People move it with
:func:`change_status`, along the rules of :data:`TRANSITIONS`, each with its precondition.
A case is closed only through a closure request (:func:`request_closure`) that the department
head approves (:func:`approve_closure`) or rejects, or when the head transfers it out to another
district (:func:`transfer_out`); a closed case is reopened with a reason (:func:`reopen_case`),
its old closure kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.dashboard import add_months
from models.database import Database
from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import N_, Message, _
from models.orm import CASE_STATUSES, Case, Closure, InitialAssessment, Plan, ReferenceItem
from models.permissions import Permission
from models.reference import districts
from models.registers import CASE_STATUS_LABELS
from models.services.base import Actor, audit, get_live, unit_of_work
from models.services.checks import live_open_case, office_district
from models.settings import get_setting
from models.validation import local_today

OPEN_STATUSES = CASE_STATUSES[:-1]
#: The closure reason of a case transferred out to another district (migration 0002).
MOVED_AWAY = "moved_away"
OUTCOME_KINDS = ("child_outcome", "family_outcome")
DEFAULT_FOLLOW_UP_MONTHS = 6

AUDIT_LABELS: dict[str, str] = {
    "case.status": N_("Status changed"),
    "closure.request": N_("Closure requested"),
    "closure.approve": N_("Closure approved; case closed"),
    "closure.reject": N_("Closure request rejected"),
    "case.reopen": N_("Case reopened"),
    "case.transfer_out": N_("Case transferred to another district"),
}


def advance(session: Session, actor: Actor, case: Case, to_status: str) -> bool:
    """Move an open *case* forward to *to_status* if it is at an earlier step; True if it moved.

    Never moves a case back, and never closes one (closure has its own service).
    """
    if to_status not in OPEN_STATUSES:
        raise ValueError(f"advance() cannot move a case to {to_status!r}")
    if case.status not in OPEN_STATUSES:
        return False
    if CASE_STATUSES.index(case.status) >= CASE_STATUSES.index(to_status):
        return False
    _set_status(session, actor, case, to_status)
    return True


def _set_status(session: Session, actor: Actor, case: Case, to_status: str) -> None:
    """Put *case* in *to_status*, with the audit entry of the move."""
    previous = case.status
    case.status = to_status
    audit(
        session,
        actor,
        "case.status",
        case,
        details={"number": case.number, "from": previous, "to": to_status},
    )


# --- the rules ------------------------------------------------------------------------


def _has_completed_initial_assessment(session: Session, case: Case) -> bool:
    return (
        session.scalar(
            select(InitialAssessment.id)
            .where(
                InitialAssessment.case_id == case.id,
                InitialAssessment.deleted_at.is_(None),
                InitialAssessment.completed_on.is_not(None),
            )
            .limit(1)
        )
        is not None
    )


def _has_approved_plan(session: Session, case: Case) -> bool:
    return (
        session.scalar(
            select(Plan.id)
            .where(Plan.case_id == case.id, Plan.deleted_at.is_(None), Plan.status == "approved")
            .limit(1)
        )
        is not None
    )


@dataclass(frozen=True)
class Precondition:
    """What must be true of a case before a transition: *holds* checks it, *refusal* says why not."""

    holds: Callable[[Session, Case], bool]
    refusal: str  # an English msgid with {number}


COMPLETED_INITIAL_ASSESSMENT = Precondition(
    _has_completed_initial_assessment,
    N_("Case {number}: planning starts after the initial assessment is completed."),
)
APPROVED_PLAN = Precondition(
    _has_approved_plan,
    N_("Case {number}: implementation starts once a plan is approved by the department head."),
)


@dataclass(frozen=True)
class Transition:
    """A move people may make between two statuses, and its precondition (None: always allowed)."""

    from_status: str
    to_status: str
    precondition: Precondition | None = None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("registered", "assessment"),
    Transition("assessment", "planning", COMPLETED_INITIAL_ASSESSMENT),
    Transition("planning", "assessment"),  # back for a further assessment
    Transition("planning", "implementation", APPROVED_PLAN),
    Transition("implementation", "monitoring"),
    Transition("monitoring", "implementation"),
)

_CLOSE_REFUSAL = N_(
    "Case {number}: a case is closed only through a closure request with a reason, an outcome "
    "and a final assessment, approved by the department head."
)
_NOT_A_STEP = N_("Case {number}: the status {current} cannot change to {wanted}.")


def _status_label(status: str) -> Message:
    return _(CASE_STATUS_LABELS.get(status, status))


def refusal(session: Session, case: Case, to_status: str) -> Message | None:
    """Why *case* cannot move to *to_status* now (None: it can)."""
    if to_status == "closed":
        return _(_CLOSE_REFUSAL, number=case.number)
    if case.status == "closed":
        return _("The case {number} is closed; reopen it first.", number=case.number)
    for transition in TRANSITIONS:
        if transition.from_status == case.status and transition.to_status == to_status:
            rule = transition.precondition
            if rule is not None and not rule.holds(session, case):
                return _(rule.refusal, number=case.number)
            return None
    return _(
        _NOT_A_STEP,
        number=case.number,
        current=_status_label(case.status),
        wanted=_status_label(to_status),
    )


@dataclass(frozen=True)
class TransitionOption:
    """A status the case may be moved to from its current one; *refused* says why not now (None: allowed)."""

    to_status: str
    label: Message
    refused: Message | None


def allowed_transitions(session: Session, actor: Actor, case: Case) -> list[TransitionOption]:
    """The moves out of the case's status, each allowed or with its reason (empty: none for this actor)."""
    if not actor.can(Permission.CASE_WRITE) or case.status == "closed":
        return []
    return [
        TransitionOption(t.to_status, _status_label(t.to_status), refusal(session, case, t.to_status))
        for t in TRANSITIONS
        if t.from_status == case.status
    ]


def change_status(
    db: Database, actor: Actor, case_id: uuid.UUID, to_status: str, expected_version: int
) -> int:
    """Move a case to *to_status* (a forbidden move is refused with its reason); the new version."""
    if to_status not in CASE_STATUSES:
        raise ValueError(f"unknown case status {to_status!r}")
    with unit_of_work(db, actor, Permission.CASE_WRITE) as session:
        case = get_live(session, Case, case_id, for_version=expected_version)
        reason = refusal(session, case, to_status)
        if reason is not None:
            raise DomainError(reason)
        _set_status(session, actor, case, to_status)
        session.flush()
        return case.version


# --- closure --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosureInput:
    """A request to close a case (DOMAIN.md §4 Closure). Without *follow_up_date*, the setting's default."""

    closed_on: date
    reason_code: str | None
    outcome_codes: Sequence[str] = ()
    final_assessment: str | None = None
    follow_up_date: date | None = None


def pending_closure(session: Session, case_id: uuid.UUID) -> Closure | None:
    """The closure of the case waiting for the head's approval, if any."""
    return session.scalar(
        select(Closure).where(
            Closure.case_id == case_id, Closure.deleted_at.is_(None), Closure.approved_by_id.is_(None)
        )
    )


def follow_up_months(session: Session) -> int:
    """The office's setting ``deadline.follow_up_months`` (months from closure to the follow-up check)."""
    value = get_setting(session, "deadline.follow_up_months", DEFAULT_FOLLOW_UP_MONTHS)
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return DEFAULT_FOLLOW_UP_MONTHS


def default_follow_up(session: Session, closed_on: date) -> date:
    return add_months(closed_on, follow_up_months(session))


def _require_no_pending_closure(session: Session, case: Case) -> None:
    if pending_closure(session, case.id) is not None:
        raise DomainError(
            _(
                "Case {number}: a closure request is already waiting for the department head's decision.",
                number=case.number,
            )
        )


def _closure_reason(session: Session, code: str | None, problems: list[FieldProblem]) -> ReferenceItem | None:
    if not code:
        problems.append(FieldProblem("reason", _("Closure reason: choose the reason.")))
        return None
    item = session.scalar(
        select(ReferenceItem).where(
            ReferenceItem.kind == "closure_reason",
            ReferenceItem.code == code,
            ReferenceItem.deleted_at.is_(None),
        )
    )
    if item is None:
        problems.append(FieldProblem("reason", _("Closure reason: unknown value {code}.", code=code)))
    return item


def request_closure(
    db: Database, actor: Actor, case_id: uuid.UUID, data: ClosureInput, expected_version: int
) -> uuid.UUID:
    """Ask the head to close a case: reason, at least one outcome and a final assessment. The closure's id.

    The closure waits (approved by nobody) until :func:`approve_closure` or :func:`reject_closure`.
    """
    with unit_of_work(db, actor, Permission.CASE_WRITE) as session:
        case = live_open_case(session, case_id, for_version=expected_version)
        _require_no_pending_closure(session, case)
        problems: list[FieldProblem] = []
        reason = _closure_reason(session, data.reason_code, problems)
        outcomes: list[ReferenceItem] = []
        if not data.outcome_codes:
            problems.append(FieldProblem("outcomes", _("Outcomes: choose at least one outcome.")))
        else:
            found = {
                item.code: item
                for item in session.scalars(
                    select(ReferenceItem).where(
                        ReferenceItem.kind.in_(OUTCOME_KINDS),
                        ReferenceItem.code.in_(list(data.outcome_codes)),
                        ReferenceItem.deleted_at.is_(None),
                    )
                )
            }
            for code in dict.fromkeys(data.outcome_codes):
                if code in found:
                    outcomes.append(found[code])
                else:
                    problems.append(FieldProblem("outcomes", _("Outcomes: unknown value {code}.", code=code)))
        if not (data.final_assessment or "").strip():
            problems.append(
                FieldProblem("final_assessment", _("Final assessment: describe the situation at closure."))
            )
        if data.closed_on > local_today():
            problems.append(FieldProblem("closed_on", _("Closed on: cannot be in the future.")))
        elif data.closed_on < case.opened_on:
            problems.append(
                FieldProblem(
                    "closed_on", _("Closed on: cannot be earlier than the date the case was opened.")
                )
            )
        if data.follow_up_date is not None and data.follow_up_date < data.closed_on:
            problems.append(
                FieldProblem("follow_up_date", _("Follow-up date: cannot be earlier than the closure."))
            )
        if problems:
            raise ValidationFailed(problems)
        assert reason is not None
        closure = Closure(
            case_id=case.id,
            closed_on=data.closed_on,
            reason_id=reason.id,
            final_assessment=(data.final_assessment or "").strip(),
            follow_up_date=data.follow_up_date or default_follow_up(session, data.closed_on),
            outcomes=outcomes,
        )
        session.add(closure)
        audit(
            session,
            actor,
            "closure.request",
            closure,
            details={"number": case.number, "reason": reason.code, "outcomes": [o.code for o in outcomes]},
        )
        return closure.id


def _pending_or_refuse(session: Session, case: Case) -> Closure:
    closure = pending_closure(session, case.id)
    if closure is None:
        raise DomainError(
            _("Case {number}: no closure request is waiting for a decision.", number=case.number)
        )
    return closure


def approve_closure(db: Database, actor: Actor, case_id: uuid.UUID, expected_version: int) -> int:
    """The head approves the pending closure: the case closes on its date. The case's new version."""
    with unit_of_work(db, actor, Permission.CASE_CLOSE_APPROVE) as session:
        case = live_open_case(session, case_id, for_version=expected_version)
        closure = _pending_or_refuse(session, case)
        closure.approved_by_id = actor.user_id
        closure.approved_at = utcnow()
        previous = case.status
        case.status = "closed"
        case.closed_on = closure.closed_on
        audit(session, actor, "closure.approve", closure, details={"number": case.number, "from": previous})
        session.flush()
        return case.version


def reject_closure(db: Database, actor: Actor, case_id: uuid.UUID, note: str, expected_version: int) -> None:
    """The head rejects the pending closure with a note (the request is tombstoned); the case stays open."""
    with unit_of_work(db, actor, Permission.CASE_CLOSE_APPROVE) as session:
        case = get_live(session, Case, case_id, for_version=expected_version)
        closure = _pending_or_refuse(session, case)
        if not (note or "").strip():
            raise ValidationFailed([FieldProblem("note", _("Note: say why the closure is rejected."))])
        closure.deleted_at = utcnow()
        audit(
            session, actor, "closure.reject", closure, details={"number": case.number, "note": note.strip()}
        )


def reopen_case(db: Database, actor: Actor, case_id: uuid.UUID, reason: str, expected_version: int) -> int:
    """Reopen a closed case for a new assessment; the old closure is kept. The case's new version."""
    with unit_of_work(db, actor, Permission.CASE_WRITE) as session:
        case = get_live(session, Case, case_id, for_version=expected_version)
        if case.status != "closed":
            raise DomainError(_("Case {number}: only a closed case can be reopened.", number=case.number))
        if not (reason or "").strip():
            raise ValidationFailed([FieldProblem("reason", _("Reason: say why the case is reopened."))])
        case.status = "assessment"
        case.closed_on = None
        case.transferred_to_id = None
        case.reopened_count = (case.reopened_count or 0) + 1
        audit(
            session,
            actor,
            "case.reopen",
            case,
            details={"number": case.number, "reason": reason.strip(), "count": case.reopened_count},
        )
        session.flush()
        return case.version


def transfer_out(
    db: Database,
    actor: Actor,
    case_id: uuid.UUID,
    district_id: uuid.UUID,
    note: str | None,
    expected_version: int,
) -> int:
    """The head transfers a case to another district: the case closes as "moved away". The case's new version.

    The case travels to the other district in the next upload package (the change log has it).
    """
    with unit_of_work(db, actor, Permission.CASE_ASSIGN) as session:
        case = live_open_case(session, case_id, for_version=expected_version)
        _require_no_pending_closure(session, case)
        own = office_district(session)
        valid = {unit.id: unit for unit in districts(session)}
        if district_id == own:
            raise ValidationFailed(
                [FieldProblem("district", _("District: choose another district than the office's own."))]
            )
        unit = valid.get(district_id)
        if unit is None:
            raise ValidationFailed(
                [FieldProblem("district", _("District: choose a district from the list."))]
            )
        problems: list[FieldProblem] = []
        reason = _closure_reason(session, MOVED_AWAY, problems)
        if reason is None:
            raise ValidationFailed(problems)
        today = local_today()
        closure = Closure(
            case_id=case.id,
            closed_on=max(today, case.opened_on),
            reason_id=reason.id,
            final_assessment=(note or "").strip() or None,
            approved_by_id=actor.user_id,
            approved_at=utcnow(),
        )
        session.add(closure)
        previous = case.status
        case.status = "closed"
        case.closed_on = closure.closed_on
        case.transferred_to_id = district_id
        audit(
            session,
            actor,
            "case.transfer_out",
            case,
            details={
                "number": case.number,
                "from": previous,
                "district": unit.code,
                "district_name": unit.name_ru,
                "note": (note or "").strip(),
            },
        )
        session.flush()
        return case.version
