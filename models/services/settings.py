"""Office settings an administrator changes: the office's details, deadlines and sign-in security.

The district of the office is chosen at the first setup and never changes here: records,
numbers and upload packages carry it. Audit entries name the keys that changed, never values.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.orm import Session

from models.database import Database
from models.errors import FieldProblem, NotFound, ValidationFailed
from models.i18n import N_, _, current_language
from models.orm import AdminUnit
from models.papers import (
    DEFAULT_DOCUMENT_LANGUAGE,
    DOCUMENT_LANGUAGE_SETTING,
    DOCUMENT_LANGUAGES,
    document_language,
)
from models.permissions import Permission
from models.services.base import Actor, audit, require, unit_of_work
from models.settings import get_setting, office_district_id, put_setting

OFFICE_FIELD_LABELS = {
    "department_name_ky": N_("Department name in Kyrgyz"),
    "department_name_ru": N_("Department name in Russian"),
    "head_name": N_("Head of the department"),
    "address": N_("Address"),
    "phone": N_("Phone"),
}
_OFFICE_LIMITS = {
    "department_name_ky": 300,
    "department_name_ru": 300,
    "head_name": 200,
    "address": 500,
    "phone": 100,
}


@dataclass(frozen=True)
class OfficeEdit:
    """The details of the office that may change after the setup."""

    department_name_ky: str
    department_name_ru: str
    head_name: str = ""
    address: str = ""
    phone: str = ""
    # The language documents print in unless the user picks another: ky, ru or both.
    document_language: str = DEFAULT_DOCUMENT_LANGUAGE

    def normalized(self) -> OfficeEdit:
        texts = {field: " ".join(getattr(self, field).split()) for field in OFFICE_FIELD_LABELS}
        return OfficeEdit(**texts, document_language=self.document_language)


@dataclass(frozen=True)
class OfficeInfo:
    """The office as the settings page shows it: its fixed district and its editable details."""

    district_id: uuid.UUID
    district_name_ru: str
    district_name_ky: str
    district_code: str | None
    details: OfficeEdit

    def district_name(self, lang: str | None = None) -> str:
        lang = lang or current_language()
        return self.district_name_ky if lang == "ky" and self.district_name_ky else self.district_name_ru


@dataclass(frozen=True)
class NumberSetting:
    """An integer setting: its key, what people call it, its unit and the values allowed."""

    key: str
    label: str
    unit: str
    minimum: int
    maximum: int
    default: int


UNIT_LABELS = {
    "working_days": N_("working days"),
    "days": N_("days"),
    "months": N_("months"),
    "attempts": N_("attempts"),
    "minutes": N_("minutes"),
}

DEADLINE_SETTINGS = (
    NumberSetting(
        "deadline.initial_assessment_working_days", N_("Initial assessment"), "working_days", 1, 30, 3
    ),
    NumberSetting(
        "deadline.comprehensive_assessment_days", N_("Comprehensive assessment"), "days", 1, 180, 30
    ),
    NumberSetting("deadline.plan_review_months", N_("Review of the case plan"), "months", 1, 24, 3),
    NumberSetting("deadline.referral_reply_days", N_("Reply to a referral"), "days", 1, 90, 10),
    NumberSetting("deadline.kdd_decision_days", N_("Decision of the КДД"), "days", 1, 90, 30),
    NumberSetting("deadline.follow_up_months", N_("Follow-up after closing a case"), "months", 1, 36, 6),
)
SECURITY_SETTINGS = (
    NumberSetting("security.max_failed_logins", N_("Failed sign-ins before a lockout"), "attempts", 3, 20, 5),
    NumberSetting("security.lockout_minutes", N_("Length of a lockout"), "minutes", 1, 1440, 15),
)
NUMBER_SETTINGS = {spec.key: spec for spec in DEADLINE_SETTINGS + SECURITY_SETTINGS}


def _district(session: Session) -> AdminUnit:
    district_id = office_district_id(session)
    unit = session.get(AdminUnit, district_id) if district_id else None
    if unit is None:
        raise NotFound(_("The office is not set up yet."))
    return unit


def _text_setting(session: Session, key: str) -> str:
    return str(get_setting(session, key, "") or "")


def get_office(db: Database, actor: Actor) -> OfficeInfo:
    require(actor, Permission.READ)
    with db.reading() as session:
        unit = _district(session)
        texts = {
            field: str(get_setting(session, f"office.{field}", "") or "") for field in OFFICE_FIELD_LABELS
        }
        details = OfficeEdit(**texts, document_language=document_language(session))
        return OfficeInfo(unit.id, unit.name_ru, unit.name_ky, unit.code, details)


def update_office(db: Database, actor: Actor, details: OfficeEdit) -> list[str]:
    """Save the office's details; returns the setting keys that changed."""
    with unit_of_work(db, actor, Permission.SETTINGS_WRITE) as session:
        _district(session)
        details = details.normalized()
        problems = []
        for field in ("department_name_ky", "department_name_ru"):
            if not getattr(details, field):
                problems.append(
                    FieldProblem(field, _("{field}: required.", field=_(OFFICE_FIELD_LABELS[field])))
                )
        for field, limit in _OFFICE_LIMITS.items():
            value = getattr(details, field)
            if len(value) > limit:
                problems.append(
                    FieldProblem(
                        field,
                        _(
                            "{field}: at most {limit} characters ({count} entered).",
                            field=_(OFFICE_FIELD_LABELS[field]),
                            limit=limit,
                            count=len(value),
                        ),
                    )
                )
        if details.document_language not in DOCUMENT_LANGUAGES:
            problems.append(
                FieldProblem("document_language", _("Language of documents: choose Kyrgyz, Russian or both."))
            )
        if problems:
            raise ValidationFailed(problems)
        changed = []
        for field in OFFICE_FIELD_LABELS:
            key = f"office.{field}"
            value = getattr(details, field)
            if get_setting(session, key, "") != value:
                put_setting(session, key, value)
                changed.append(key)
        if document_language(session) != details.document_language:
            put_setting(session, DOCUMENT_LANGUAGE_SETTING, details.document_language)
            changed.append(DOCUMENT_LANGUAGE_SETTING)
        if changed:
            audit(session, actor, "office.update", entity="settings", details={"keys": changed})
        return changed


def get_number_settings(db: Database, actor: Actor) -> dict[str, int]:
    """The deadline and security settings, by key (the default where none is stored)."""
    require(actor, Permission.READ)
    with db.reading() as session:
        return {key: int(get_setting(session, key, spec.default)) for key, spec in NUMBER_SETTINGS.items()}


def update_number_settings(db: Database, actor: Actor, values: Mapping[str, int]) -> list[str]:
    """Save deadline and security settings (all or nothing); returns the keys that changed."""
    with unit_of_work(db, actor, Permission.SETTINGS_WRITE) as session:
        problems = []
        for key, value in values.items():
            spec = NUMBER_SETTINGS.get(key)
            if spec is None:
                problems.append(FieldProblem(key, _("Setting: unknown setting {key}.", key=key)))
            elif type(value) is not int or not spec.minimum <= value <= spec.maximum:
                problems.append(
                    FieldProblem(
                        key,
                        _(
                            "{field}: a whole number from {minimum} to {maximum}.",
                            field=_(spec.label),
                            minimum=spec.minimum,
                            maximum=spec.maximum,
                        ),
                    )
                )
        if problems:
            raise ValidationFailed(problems)
        changed = []
        for key, value in values.items():
            if get_setting(session, key, None) != value:
                put_setting(session, key, value)
                changed.append(key)
        if changed:
            audit(session, actor, "settings.update", entity="settings", details={"keys": changed})
        return changed
