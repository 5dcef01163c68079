"""First setup of an office and its details."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from models.database import Database
from models.errors import FieldProblem, PermissionDenied, ValidationFailed
from models.i18n import _
from models.orm import AdminUnit
from models.permissions import Permission
from models.reference import districts
from models.services.base import SYSTEM, audit, unit_of_work
from models.services.users import add_user_in
from models.settings import office_is_set_up, put_setting


@dataclass(frozen=True)
class OfficeDetails:
    district_code: str
    department_name_ky: str
    department_name_ru: str
    head_name: str = ""
    address: str = ""
    phone: str = ""


def _district(session: Any, code: str) -> AdminUnit | None:
    for unit in districts(session):
        if unit.code == code or (unit.code is None and unit.name_ru == code):
            return unit
    return None


def _validate(session: Any, details: OfficeDetails) -> AdminUnit:
    problems: list[FieldProblem] = []
    unit = _district(session, details.district_code.strip())
    if unit is None:
        problems.append(
            FieldProblem(
                "district", _("District: no district with the code {code}.", code=details.district_code)
            )
        )
    if not details.department_name_ky.strip():
        problems.append(FieldProblem("department_name_ky", _("Department name in Kyrgyz: required.")))
    if not details.department_name_ru.strip():
        problems.append(FieldProblem("department_name_ru", _("Department name in Russian: required.")))
    if problems:
        raise ValidationFailed(problems)
    assert unit is not None
    return unit


def _write_details(session: Any, details: OfficeDetails, unit: AdminUnit) -> None:
    values = {
        "office.district_id": str(unit.id),
        "office.department_name_ky": details.department_name_ky.strip(),
        "office.department_name_ru": details.department_name_ru.strip(),
        "office.head_name": details.head_name.strip(),
        "office.address": details.address.strip(),
        "office.phone": details.phone.strip(),
    }
    for key, value in values.items():
        put_setting(session, key, value)


def set_up_office(
    db: Database, details: OfficeDetails, admin_username: str, admin_full_name: str, admin_password: str
) -> uuid.UUID:
    """Set up a new office with its first administrator; refused once an office is set up."""
    with unit_of_work(db, SYSTEM, Permission.SETTINGS_WRITE) as session:
        if office_is_set_up(session):
            raise PermissionDenied(_("This database already belongs to an office; it was not changed."))
        unit = _validate(session, details)
        _write_details(session, details, unit)
        admin = add_user_in(session, SYSTEM, admin_username, admin_full_name, "administrator", admin_password)
        audit(session, SYSTEM, "office.setup", details={"district": unit.code or unit.name_ru})
        return admin.id
