"""The data of printed documents, read for one form at a time and handed to :mod:`reports` as plain values.

Each module of this package reads what one family of documents shows (a referral, a case's papers,
the КДД's papers, register printouts, statistics) into frozen dataclasses. Values that exist in
both languages (reference names, organisation and district names) travel as :class:`Bilingual`,
so that the document picks its language, not the UI. Reading a document is a print-permission
read; recording that it was printed is :func:`models.services.documents.record_print`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from models.base import Record
from models.database import Database
from models.errors import DomainError, NotFound
from models.i18n import N_, Message, _
from models.names import full_name
from models.orm import AdminUnit, HouseholdMember, Organisation, Person, ReferenceItem, User
from models.permissions import Permission
from models.services.base import Actor, require
from models.settings import get_setting, get_settings, office_district_id

DOCUMENT_LANGUAGES = ("ky", "ru", "both")
DEFAULT_DOCUMENT_LANGUAGE = "both"
DOCUMENT_LANGUAGE_SETTING = "documents.language"
DOCUMENT_LANGUAGE_LABELS = {
    "ky": N_("Kyrgyz"),
    "ru": N_("Russian"),
    "both": N_("Kyrgyz and Russian"),
}

# The printed forms, by the name the command line and the audit log use.
FORM_TITLES = {
    "referral": N_("Referral"),
    "case-plan": N_("Child protection plan"),
    "child-card": N_("Child registration card"),
    "initial-assessment": N_("Initial assessment"),
    "comprehensive-assessment": N_("Comprehensive needs assessment"),
    "housing-act": N_("Housing conditions act"),
    "kdd-agenda": N_("КДД meeting agenda"),
    "kdd-protocol": N_("КДД meeting protocol"),
    "kdd-decision": N_("КДД decision"),
    "kdd-notice": N_("Notice of a КДД meeting"),
    "register": N_("Register printout"),
    "statistics": N_("Statistical report"),
}


@dataclass(frozen=True)
class Bilingual:
    """A value known in both languages (Kyrgyz first, as on the documents)."""

    ky: str
    ru: str

    @classmethod
    def same(cls, text: str | None) -> Bilingual:
        """Text typed by a user, which is one text whatever the document's language."""
        return cls(text or "", text or "")

    def __bool__(self) -> bool:
        return bool(self.ky or self.ru)


NO_VALUE = Bilingual("", "")


@dataclass(frozen=True)
class OfficeHeader:
    """The letterhead: the department, its district, address and phone, and the head's name."""

    department: Bilingual
    district: Bilingual
    address: str
    phone: str
    head_name: str


@dataclass(frozen=True)
class ChildSummary:
    """The child as documents name it."""

    name: str
    birth_date: date | None
    pin: str | None
    sex: str | None
    address: Bilingual


# The settings the letterhead shows, read together in one query.
OFFICE_SETTINGS = tuple(
    f"office.{key}"
    for key in ("district_id", "department_name_ky", "department_name_ru", "address", "phone", "head_name")
)


def office_header(session: Session, settings: Mapping[str, Any] | None = None) -> OfficeHeader:
    """The office's letterhead from its settings (empty strings where the administrator left a blank);
    *settings* are the values of :data:`OFFICE_SETTINGS` when the caller has read them already."""
    values = get_settings(session, OFFICE_SETTINGS) if settings is None else settings
    district_id = values.get("office.district_id")
    unit = session.get(AdminUnit, uuid.UUID(district_id)) if district_id else None

    def setting(key: str) -> str:
        return str(values.get(f"office.{key}") or "")

    return OfficeHeader(
        department=Bilingual(setting("department_name_ky"), setting("department_name_ru")),
        district=Bilingual(unit.name_ky, unit.name_ru) if unit else NO_VALUE,
        address=setting("address"),
        phone=setting("phone"),
        head_name=setting("head_name"),
    )


def id_by_number(
    db: Database,
    actor: Actor,
    number: str,
    model: type[Record],
    columns: tuple[InstrumentedAttribute[Any], InstrumentedAttribute[Any]],
    missing: str,
) -> uuid.UUID:
    """The live *model* record of this office's district numbered *number* ("N/YYYY").

    *columns* are the model's number and year; *missing* is the msgid of the refusal when there
    is none, with ``{number}`` in it.
    """
    try:
        no_text, year_text = number.strip().split("/")
        values = int(no_text), int(year_text)
    except ValueError:
        raise DomainError(_("The number {number} is not of the form N/YYYY.", number=number)) from None
    require(actor, Permission.PRINT)
    district = getattr(model, "district_id")  # noqa: B009 - every numbered record has one
    with db.reading() as session:
        found = session.scalar(
            select(model.id).where(
                district == office_district_id(session),
                columns[0] == values[0],
                columns[1] == values[1],
                model.deleted_at.is_(None),
            )
        )
    if found is None:
        raise NotFound(Message(missing, {"number": number}))
    return found


def household_of(session: Session, person_id: uuid.UUID) -> uuid.UUID | None:
    """The household a person was first recorded in (a case without its own household uses it)."""
    return session.scalar(
        select(HouseholdMember.household_id)
        .where(HouseholdMember.person_id == person_id, HouseholdMember.deleted_at.is_(None))
        .order_by(HouseholdMember.created_at)
        .limit(1)
    )


def caregivers(session: Session, household_id: uuid.UUID) -> list[tuple[HouseholdMember, Person]]:
    """The live caregivers of a household with their membership (the relation, read in the same query),
    in household order."""
    rows = session.execute(
        select(HouseholdMember, Person)
        .join(Person, Person.id == HouseholdMember.person_id)
        .options(joinedload(HouseholdMember.relation))
        .where(
            HouseholdMember.household_id == household_id,
            HouseholdMember.is_caregiver.is_(True),
            HouseholdMember.deleted_at.is_(None),
            Person.deleted_at.is_(None),
        )
        .order_by(HouseholdMember.position)
    )
    return [(member, person) for member, person in rows]


def document_language(session: Session) -> str:
    """The office's default language of documents: ky, ru or both (bilingual, Kyrgyz first)."""
    value = get_setting(session, DOCUMENT_LANGUAGE_SETTING, DEFAULT_DOCUMENT_LANGUAGE)
    return value if value in DOCUMENT_LANGUAGES else DEFAULT_DOCUMENT_LANGUAGE


def reference(session: Session, item_id: uuid.UUID | None) -> Bilingual:
    item = session.get(ReferenceItem, item_id) if item_id else None
    return Bilingual(item.name_ky, item.name_ru) if item else NO_VALUE


def organisation(session: Session, organisation_id: uuid.UUID | None) -> Bilingual:
    found = session.get(Organisation, organisation_id) if organisation_id else None
    return Bilingual(found.name_ky, found.name_ru) if found else NO_VALUE


def user_name(session: Session, user_id: uuid.UUID | None) -> str:
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else ""


def address(session: Session, person: Person, lang: str) -> str:
    """The person's address: district, settlement and the typed text, in *lang* (ky or ru)."""
    # session.get: the same few units come back from the session's identity map, not the database.
    parts = [
        (unit.name_ky if lang == "ky" else unit.name_ru)
        for unit_id in (person.district_id, person.settlement_id)
        if unit_id and (unit := session.get(AdminUnit, unit_id)) is not None
    ]
    if person.address_text:
        parts.append(person.address_text)
    return ", ".join(parts)


def child_summary(session: Session, person: Person | None) -> ChildSummary | None:
    if person is None:
        return None
    return ChildSummary(
        name=full_name(person.last_name, person.first_name, person.patronymic),
        birth_date=person.birth_date,
        pin=person.pin,
        sex=person.sex,
        address=Bilingual(address(session, person, "ky"), address(session, person, "ru")),
    )
