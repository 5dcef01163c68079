"""Checks shared by the services: the office's district, reference codes, responsible workers."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.errors import FieldProblem, ValidationFailed
from models.i18n import _
from models.orm import ReferenceItem, User
from models.settings import office_district_id


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
