"""Lookups of reference data: administrative units and the editable reference lists."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.orm import AdminUnit, ReferenceItem

# The same namespace as migration 0002: reference rows have the same id in every office.
REFERENCE_NAMESPACE = uuid.UUID("6d1f4a52-8c1e-4c9b-9a7e-0b5a3c2d1e10")

KINDS = (
    "tjs_category",
    "child_outcome",
    "family_outcome",
    "closure_reason",
    "service_type",
    "relation_type",
    "report_source",
    "report_channel",
    "risk_level",
    "organisation_type",
    "assessment_domain",
    "need_level",
)


def reference_id(kind: str, code: str) -> uuid.UUID:
    return uuid.uuid5(REFERENCE_NAMESPACE, f"{kind}:{code}")


def admin_unit_id(code: str) -> uuid.UUID:
    return uuid.uuid5(REFERENCE_NAMESPACE, f"admin_unit:{code}")


def items(session: Session, kind: str, *, active_only: bool = True) -> list[ReferenceItem]:
    stmt = select(ReferenceItem).where(ReferenceItem.kind == kind, ReferenceItem.deleted_at.is_(None))
    if active_only:
        stmt = stmt.where(ReferenceItem.active.is_(True))
    return list(session.scalars(stmt.order_by(ReferenceItem.sort_order, ReferenceItem.code)))


def item_by_code(session: Session, kind: str, code: str) -> ReferenceItem | None:
    return session.scalar(select(ReferenceItem).where(ReferenceItem.kind == kind, ReferenceItem.code == code))


def valid_units(
    session: Session, level: str | None = None, on: date | None = None, code: str | None = None
) -> list[AdminUnit]:
    """Units valid on a date (today's units by default), in code order."""
    day = on or date.today()
    stmt = select(AdminUnit).where(
        AdminUnit.deleted_at.is_(None),
        or_(AdminUnit.valid_from.is_(None), AdminUnit.valid_from <= day),
        or_(AdminUnit.valid_to.is_(None), AdminUnit.valid_to >= day),
    )
    if level:
        stmt = stmt.where(AdminUnit.level == level)
    if code:
        stmt = stmt.where(AdminUnit.code == code)
    return list(session.scalars(stmt.order_by(AdminUnit.code, AdminUnit.name_ru)))


def unit_by_code(session: Session, code: str, on: date | None = None) -> AdminUnit | None:
    units = valid_units(session, on=on, code=code)
    return units[0] if units else None


def districts(session: Session) -> list[AdminUnit]:
    """Units an office can belong to: districts, cities and Bishkek's city districts."""
    return [
        u for u in valid_units(session) if u.level in ("district", "city", "city_district", "republic_city")
    ]
