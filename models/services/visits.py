"""Visits (посещения) of a case: home and office visits with participants, observations, next visit.

Social workers record them (VISIT_WRITE). A visit recorded by mistake is deleted (softly) by
its author or the department head. A closed case takes no new visits and no changes to them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.database import Database
from models.errors import FieldProblem, PermissionDenied, ValidationFailed
from models.i18n import N_, _
from models.lookups import Choice, alphabetical
from models.orm import User, Visit
from models.permissions import Permission, allows
from models.services.base import Actor, audit, audit_changes, get_live, require, unit_of_work
from models.services.checks import check_worker, clean_text, live_open_case, not_in_future

VISIT_KINDS = ("home", "office", "other")
VISIT_KIND_LABELS = {"home": N_("Home visit"), "office": N_("Office visit"), "other": N_("Other visit")}
# Besides its author, who may delete a visit recorded by mistake.
_DELETING_ROLES = ("head", "administrator")

AUDIT_LABELS: dict[str, str] = {
    "visit.create": N_("Visit recorded"),
    "visit.update": N_("Visit changed"),
    "visit.delete": N_("Visit deleted"),
}


@dataclass(frozen=True)
class VisitInput:
    """A visit as typed in its form; without *worker_id* the visit is the acting user's."""

    visit_date: date
    kind: str = "home"
    worker_id: uuid.UUID | None = None
    participants: str | None = None
    observations: str | None = None
    next_visit_date: date | None = None


@dataclass(frozen=True)
class VisitRow:
    """A visit of a case's list, with the version to send back when it is changed."""

    id: uuid.UUID
    version: int
    data: VisitInput
    worker_name: str
    author_id: uuid.UUID | None


def may_delete(actor: Actor, author_id: uuid.UUID | None) -> bool:
    """Whether *actor* may delete a visit recorded by *author_id*: its author, or a head."""
    if not actor.can(Permission.VISIT_WRITE):
        return False
    return actor.role in _DELETING_ROLES or (actor.user_id is not None and actor.user_id == author_id)


def _checked(session: Session, data: VisitInput) -> VisitInput:
    """*data* cleaned, the worker defaulted; raises :class:`ValidationFailed` on bad input."""
    problems: list[FieldProblem] = []
    not_in_future(data.visit_date, "visit_date", _("Visit date: cannot be in the future."), problems)
    if data.kind not in VISIT_KINDS:
        problems.append(FieldProblem("kind", _("Kind of visit: choose home, office or other.")))
    if not clean_text(data.observations):
        problems.append(FieldProblem("observations", _("Observations: write what was seen and discussed.")))
    if data.next_visit_date is not None and data.next_visit_date <= data.visit_date:
        problems.append(
            FieldProblem("next_visit_date", _("Next visit: must be later than the date of this visit."))
        )
    check_worker(session, data.worker_id, problems)
    if problems:
        raise ValidationFailed(problems)
    return VisitInput(
        visit_date=data.visit_date,
        kind=data.kind,
        worker_id=data.worker_id,
        participants=clean_text(data.participants),
        observations=clean_text(data.observations),
        next_visit_date=data.next_visit_date,
    )


def _fill(visit: Visit, data: VisitInput) -> None:
    visit.visit_date = data.visit_date
    visit.kind = data.kind
    visit.worker_id = data.worker_id
    visit.participants = data.participants
    visit.observations = data.observations
    visit.next_visit_date = data.next_visit_date


def record_visit(db: Database, actor: Actor, case_id: uuid.UUID, data: VisitInput) -> uuid.UUID:
    """Record a visit of an open case; the worker is the acting user unless another is named."""
    with unit_of_work(db, actor, Permission.VISIT_WRITE) as session:
        case = live_open_case(session, case_id)
        if data.worker_id is None and actor.user_id is not None:
            data = VisitInput(
                data.visit_date,
                data.kind,
                actor.user_id,
                data.participants,
                data.observations,
                data.next_visit_date,
            )
        data = _checked(session, data)
        visit = Visit(case_id=case.id)
        _fill(visit, data)
        session.add(visit)
        audit(
            session,
            actor,
            "visit.create",
            visit,
            details={"number": case.number, "date": data.visit_date.isoformat(), "kind": data.kind},
        )
        return visit.id


def update_visit(
    db: Database, actor: Actor, visit_id: uuid.UUID, data: VisitInput, expected_version: int
) -> int:
    """Save the changes of a visit; returns its new version."""
    with unit_of_work(db, actor, Permission.VISIT_WRITE) as session:
        visit = get_live(session, Visit, visit_id, for_version=expected_version)
        case = live_open_case(session, visit.case_id)
        data = _checked(session, data)
        _fill(visit, data)
        return audit_changes(session, actor, "visit.update", visit, {"number": case.number})


def delete_visit(db: Database, actor: Actor, visit_id: uuid.UUID, expected_version: int) -> None:
    """Delete a visit recorded by mistake (a tombstone stays); only its author or a head may."""
    with unit_of_work(db, actor, Permission.VISIT_WRITE) as session:
        visit = get_live(session, Visit, visit_id, for_version=expected_version)
        if not may_delete(actor, visit.created_by):
            raise PermissionDenied(
                _("Only the worker who recorded the visit or the department head may delete it.")
            )
        case = live_open_case(session, visit.case_id)
        visit.deleted_at = utcnow()
        audit(
            session,
            actor,
            "visit.delete",
            visit,
            details={"number": case.number, "date": visit.visit_date.isoformat()},
        )


def list_visits(db: Database, actor: Actor, case_id: uuid.UUID) -> list[VisitRow]:
    """The visits of a case, the latest first."""
    require(actor, Permission.READ)
    with db.reading() as session:
        rows = session.execute(
            select(Visit, User.full_name)
            .outerjoin(User, User.id == Visit.worker_id)
            .where(Visit.case_id == case_id, Visit.deleted_at.is_(None))
            .order_by(Visit.visit_date.desc(), Visit.created_at.desc())
        ).all()
        return [
            VisitRow(
                id=visit.id,
                version=visit.version,
                data=VisitInput(
                    visit_date=visit.visit_date,
                    kind=visit.kind,
                    worker_id=visit.worker_id,
                    participants=visit.participants,
                    observations=visit.observations,
                    next_visit_date=visit.next_visit_date,
                ),
                worker_name=worker_name or "",
                author_id=visit.created_by,
            )
            for visit, worker_name in rows
        ]


def visit_workers(db: Database, actor: Actor) -> list[Choice[uuid.UUID]]:
    """The active users who may record visits (social workers among them), by name."""
    require(actor, Permission.READ)
    with db.reading() as session:
        users = session.scalars(select(User).where(User.active.is_(True), User.deleted_at.is_(None)))
        choices = [
            Choice(user.id, user.full_name)
            for user in users
            if allows(user.role_code, Permission.VISIT_WRITE)
        ]
    return sorted(choices, key=lambda choice: alphabetical(choice.label))
