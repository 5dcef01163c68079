"""Checks shared by the services: the office's district, reference codes, responsible workers, an open
case, dates not in the future, and the cleaning of typed text."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import Message, _
from models.orm import Case, ReferenceItem, User
from models.services.base import get_live
from models.settings import office_district_id
from models.validation import local_today


def office_district(session: Session) -> uuid.UUID:
    """The district of the office; refused before the office is set up."""
    district_id = office_district_id(session)
    if district_id is None:
        raise ValidationFailed([FieldProblem("district", _("The office is not set up yet."))])
    return district_id


def reference(
    session: Session, kind: str, code: str | None, field_name: str, label: str, problems: list[FieldProblem]
) -> ReferenceItem | None:
    """The live reference item *code* of *kind*; an unknown code adds a problem for *field_name*."""
    if not code:
        return None
    item = session.scalar(
        select(ReferenceItem).where(
            ReferenceItem.kind == kind, ReferenceItem.code == code, ReferenceItem.deleted_at.is_(None)
        )
    )
    if item is None:
        problems.append(
            FieldProblem(field_name, _("{field}: unknown value {code}.", field=_(label), code=code))
        )
    return item


def check_worker(session: Session, worker_id: uuid.UUID | None, problems: list[FieldProblem]) -> None:
    """Adds a problem unless *worker_id* is empty or an active user."""
    if worker_id is None:
        return
    user = session.get(User, worker_id)
    if user is None or not user.active or user.deleted_at is not None:
        problems.append(FieldProblem("worker", _("Responsible worker: not an active user.")))


def require_open_case(session: Session, case: Case) -> None:
    """Refuse new work on a closed case."""
    if case.status == "closed":
        raise DomainError(_("The case {number} is closed; reopen it first.", number=case.number))


def live_open_case(session: Session, case_id: uuid.UUID, *, for_version: int | None = None) -> Case:
    """The live case *case_id* (with *for_version*, unchanged since), refused when it is closed."""
    case = get_live(session, Case, case_id, for_version=for_version)
    require_open_case(session, case)
    return case


def not_in_future(day: date | None, field_name: str, message: Message, problems: list[FieldProblem]) -> None:
    """Adds *message* for *field_name* when *day* is after today."""
    if day is not None and day > local_today():
        problems.append(FieldProblem(field_name, message))


def blank(text: str | None) -> bool:
    """Whether *text* is empty or only white space."""
    return not (text or "").strip()


def clean_text(text: str | None) -> str | None:
    """*text* without surrounding white space; None when nothing is left."""
    return None if blank(text) else (text or "").strip()
