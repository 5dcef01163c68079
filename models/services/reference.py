"""Editing the reference lists and the directory of partner organisations.

Reference items are referred to by id from cases, reports and plans, so they are never
deleted, only deactivated (hidden from new choices, still shown on older records). An
item's code is fixed once it is saved: ids are derived from kind and code, the same in
every office, and the seeded codes are used by the program itself.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.database import Database
from models.errors import FieldProblem, NotFound, ValidationFailed
from models.i18n import N_, Message, _, current_language
from models.orm import AdminUnit, Organisation, ReferenceItem
from models.permissions import Permission
from models.reference import KINDS, item_by_code, reference_id
from models.services.base import Actor, audit, changed_fields, get_live, require, unit_of_work

KIND_LABELS = {
    "tjs_category": N_("Categories of children in difficult life situations"),
    "child_outcome": N_("Outcomes for the child"),
    "family_outcome": N_("Outcomes for the family"),
    "closure_reason": N_("Reasons for closing a case"),
    "service_type": N_("Types of services"),
    "relation_type": N_("Family relations"),
    "report_source": N_("Sources of reports"),
    "report_channel": N_("Channels of reports"),
    "risk_level": N_("Risk levels"),
    "organisation_type": N_("Types of organisations"),
    "assessment_domain": N_("Assessment domains"),
    "need_level": N_("Levels of need"),
}

REFERENCE_FIELD_LABELS = {
    "code": N_("Code"),
    "name_ru": N_("Name in Russian"),
    "name_ky": N_("Name in Kyrgyz"),
    "name_en": N_("Name in English"),
    "sort_order": N_("Order"),
}

ORGANISATION_FIELD_LABELS = {
    "name_ru": N_("Name in Russian"),
    "name_ky": N_("Name in Kyrgyz"),
    "type_code": N_("Type"),
    "district_id": N_("District"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "email": N_("E-mail"),
    "contact_person": N_("Contact person"),
}

CODE_RE = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_SORT_ORDER = 9999

_NAME_LIMIT = 300
_ORGANISATION_LIMITS = {
    "name_ru": 300,
    "name_ky": 300,
    "address": 500,
    "phone": 100,
    "email": 200,
    "contact_person": 200,
}


def _label(labels: dict[str, str], field: str) -> Message:
    return _(labels.get(field, field))


def _too_long(labels: dict[str, str], field: str, value: str, limit: int) -> FieldProblem | None:
    if len(value) <= limit:
        return None
    return FieldProblem(
        field,
        _(
            "{field}: at most {limit} characters ({count} entered).",
            field=_label(labels, field),
            limit=limit,
            count=len(value),
        ),
    )


def _required(labels: dict[str, str], field: str) -> FieldProblem:
    return FieldProblem(field, _("{field}: required.", field=_label(labels, field)))


# --- reference items ------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceItemInput:
    """What a person types for a reference item; the code counts only when the item is added."""

    code: str
    name_ru: str
    name_ky: str
    name_en: str
    sort_order: int = 0

    def normalized(self) -> ReferenceItemInput:
        return ReferenceItemInput(
            self.code.strip().casefold(),
            " ".join(self.name_ru.split()),
            " ".join(self.name_ky.split()),
            " ".join(self.name_en.split()),
            self.sort_order,
        )


@dataclass(frozen=True)
class ReferenceItemRow:
    """One item of a reference list as the administration page shows it."""

    id: uuid.UUID
    version: int
    kind: str
    code: str
    name_ru: str
    name_ky: str
    name_en: str
    sort_order: int
    active: bool

    def as_input(self) -> ReferenceItemInput:
        return ReferenceItemInput(self.code, self.name_ru, self.name_ky, self.name_en, self.sort_order)


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValidationFailed([FieldProblem("kind", _("Reference list: unknown list {kind}.", kind=kind))])


def _item_problems(data: ReferenceItemInput) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for field in ("name_ru", "name_ky", "name_en"):
        value = getattr(data, field)
        if not value:
            problems.append(_required(REFERENCE_FIELD_LABELS, field))
        elif problem := _too_long(REFERENCE_FIELD_LABELS, field, value, _NAME_LIMIT):
            problems.append(problem)
    if not 0 <= data.sort_order <= MAX_SORT_ORDER:
        problems.append(
            FieldProblem(
                "sort_order",
                _(
                    "{field}: a whole number from {minimum} to {maximum}.",
                    field=_label(REFERENCE_FIELD_LABELS, "sort_order"),
                    minimum=0,
                    maximum=MAX_SORT_ORDER,
                ),
            )
        )
    return problems


def _row(item: ReferenceItem) -> ReferenceItemRow:
    return ReferenceItemRow(
        item.id,
        item.version,
        item.kind,
        item.code,
        item.name_ru,
        item.name_ky,
        item.name_en,
        item.sort_order,
        item.active,
    )


def list_reference_items(db: Database, actor: Actor, kind: str) -> list[ReferenceItemRow]:
    """Every item of one list, inactive ones included, in the order forms offer them."""
    require(actor, Permission.READ)
    _check_kind(kind)
    with db.reading() as session:
        stmt = select(ReferenceItem).where(ReferenceItem.kind == kind, ReferenceItem.deleted_at.is_(None))
        rows = session.scalars(stmt.order_by(ReferenceItem.sort_order, ReferenceItem.code))
        return [_row(item) for item in rows]


def add_reference_item(db: Database, actor: Actor, kind: str, data: ReferenceItemInput) -> uuid.UUID:
    """Add an item to a list; its code must be new in the list (and cannot change later)."""
    with unit_of_work(db, actor, Permission.REFERENCE_WRITE) as session:
        _check_kind(kind)
        data = data.normalized()
        problems: list[FieldProblem] = []
        if not data.code:
            problems.append(_required(REFERENCE_FIELD_LABELS, "code"))
        elif not CODE_RE.match(data.code):
            problems.append(
                FieldProblem(
                    "code",
                    _(
                        "Code: 1–60 small Latin letters, digits or underscores, starting with a letter "
                        "(for example, day_centre)."
                    ),
                )
            )
        elif item_by_code(session, kind, data.code) is not None:
            problems.append(
                FieldProblem("code", _("Code: {code} is already used in this list.", code=data.code))
            )
        problems += _item_problems(data)
        if problems:
            raise ValidationFailed(problems)
        item = ReferenceItem(
            id=reference_id(kind, data.code),
            kind=kind,
            code=data.code,
            name_ru=data.name_ru,
            name_ky=data.name_ky,
            name_en=data.name_en,
            sort_order=data.sort_order,
            active=True,
        )
        session.add(item)
        audit(session, actor, "reference.create", item, details={"kind": kind, "code": data.code})
        return item.id


def update_reference_item(
    db: Database, actor: Actor, item_id: uuid.UUID, expected_version: int, data: ReferenceItemInput
) -> list[str]:
    """Rename an item or change its place in the list; returns the fields that changed."""
    with unit_of_work(db, actor, Permission.REFERENCE_WRITE) as session:
        item = get_live(session, ReferenceItem, item_id, for_version=expected_version)
        data = data.normalized()
        problems = _item_problems(data)
        if data.code and data.code != item.code:
            problems.insert(0, FieldProblem("code", _("Code: the code of a saved item cannot be changed.")))
        if problems:
            raise ValidationFailed(problems)
        item.name_ru, item.name_ky, item.name_en = data.name_ru, data.name_ky, data.name_en
        item.sort_order = data.sort_order
        changed = changed_fields(item)
        if changed:
            audit(
                session,
                actor,
                "reference.update",
                item,
                details={"kind": item.kind, "code": item.code, "fields": changed},
            )
        return changed


def set_reference_item_active(
    db: Database, actor: Actor, item_id: uuid.UUID, expected_version: int, active: bool
) -> None:
    """Deactivate an item (forms stop offering it; records keep it) or activate it again."""
    with unit_of_work(db, actor, Permission.REFERENCE_WRITE) as session:
        item = get_live(session, ReferenceItem, item_id, for_version=expected_version)
        if item.active == active:
            return
        item.active = active
        audit(
            session,
            actor,
            "reference.activate" if active else "reference.deactivate",
            item,
            details={"kind": item.kind, "code": item.code},
        )


def reorder_reference_items(db: Database, actor: Actor, kind: str, ordered_ids: Sequence[uuid.UUID]) -> None:
    """Put the items of a list in the given order (every live item of the list, each once)."""
    with unit_of_work(db, actor, Permission.REFERENCE_WRITE) as session:
        _check_kind(kind)
        stmt = select(ReferenceItem).where(ReferenceItem.kind == kind, ReferenceItem.deleted_at.is_(None))
        by_id = {item.id: item for item in session.scalars(stmt)}
        if set(ordered_ids) != set(by_id) or len(ordered_ids) != len(by_id):
            raise NotFound(_("The list was changed meanwhile; it has been reloaded. Try again."))
        moved = []
        for position, item_id in enumerate(ordered_ids):
            item = by_id[item_id]
            if item.sort_order != position:
                item.sort_order = position
                moved.append(item.code)
        if moved:
            audit(session, actor, "reference.reorder", details={"kind": kind, "codes": moved})


# --- organisations --------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationInput:
    """A partner organisation as typed in its form; the type is an ``organisation_type`` code."""

    name_ru: str
    name_ky: str
    type_code: str | None = None
    district_id: uuid.UUID | None = None
    address: str = ""
    phone: str = ""
    email: str = ""
    contact_person: str = ""

    def normalized(self) -> OrganisationInput:
        def clean(value: str) -> str:
            return " ".join(value.split())

        return OrganisationInput(
            clean(self.name_ru),
            clean(self.name_ky),
            self.type_code or None,
            self.district_id,
            clean(self.address),
            clean(self.phone),
            self.email.strip(),
            clean(self.contact_person),
        )


@dataclass(frozen=True)
class OrganisationRow:
    """One organisation of the directory, with the labels of its type and district."""

    id: uuid.UUID
    version: int
    data: OrganisationInput
    active: bool
    type_label: str
    district_label: str

    def name(self, lang: str | None = None) -> str:
        lang = lang or current_language()
        return self.data.name_ky if lang == "ky" and self.data.name_ky else self.data.name_ru


_TEXT_FIELDS = ("address", "phone", "email", "contact_person")


def _organisation_problems(
    session: Session, data: OrganisationInput, exclude_id: uuid.UUID | None
) -> tuple[list[FieldProblem], ReferenceItem | None]:
    labels = ORGANISATION_FIELD_LABELS
    problems: list[FieldProblem] = []
    for field in ("name_ru", "name_ky"):
        if not getattr(data, field):
            problems.append(_required(labels, field))
    for field, limit in _ORGANISATION_LIMITS.items():
        if problem := _too_long(labels, field, getattr(data, field), limit):
            problems.append(problem)
    if data.email and not EMAIL_RE.match(data.email):
        problems.append(
            FieldProblem("email", _("E-mail: {email} is not an e-mail address.", email=data.email))
        )
    kind = None
    if data.type_code:
        kind = item_by_code(session, "organisation_type", data.type_code)
        if kind is None or kind.deleted_at is not None:
            problems.append(
                FieldProblem(
                    "type_code",
                    _(
                        "{field}: unknown value {code}.",
                        field=_label(labels, "type_code"),
                        code=data.type_code,
                    ),
                )
            )
    if data.district_id is not None:
        unit = session.get(AdminUnit, data.district_id)
        if unit is None or unit.deleted_at is not None:
            problems.append(FieldProblem("district_id", _("District: the chosen district does not exist.")))
    if data.name_ru:
        others = session.scalars(
            select(Organisation).where(
                Organisation.deleted_at.is_(None),
                Organisation.district_id.is_(data.district_id)
                if data.district_id is None
                else Organisation.district_id == data.district_id,
            )
        )
        key = data.name_ru.casefold()
        if any(org.name_ru.casefold() == key and org.id != exclude_id for org in others):
            problems.append(
                FieldProblem(
                    "name_ru",
                    _(
                        "Name in Russian: {name} is already in the directory for this district.",
                        name=data.name_ru,
                    ),
                )
            )
    return problems, kind


def _fill_organisation(org: Organisation, data: OrganisationInput, kind: ReferenceItem | None) -> None:
    org.name_ru, org.name_ky = data.name_ru, data.name_ky
    org.type_id = kind.id if kind is not None else None
    org.district_id = data.district_id
    for field in _TEXT_FIELDS:
        setattr(org, field, getattr(data, field) or None)


def list_organisations(db: Database, actor: Actor, lang: str | None = None) -> list[OrganisationRow]:
    """Every organisation of the directory, inactive ones included, by name in *lang*."""
    require(actor, Permission.READ)
    lang = lang or current_language()
    with db.reading() as session:
        orgs = list(session.scalars(select(Organisation).where(Organisation.deleted_at.is_(None))))
        units = {
            unit.id: unit
            for unit in session.scalars(
                select(AdminUnit).where(AdminUnit.id.in_({o.district_id for o in orgs if o.district_id}))
            )
        }
        types = {
            item.id: item
            for item in session.scalars(
                select(ReferenceItem).where(ReferenceItem.kind == "organisation_type")
            )
        }
        rows = []
        for org in orgs:
            kind = types.get(org.type_id) if org.type_id else None
            unit = units.get(org.district_id) if org.district_id else None
            data = OrganisationInput(
                org.name_ru,
                org.name_ky,
                kind.code if kind else None,
                org.district_id,
                *(getattr(org, field) or "" for field in _TEXT_FIELDS),
            )
            rows.append(
                OrganisationRow(
                    org.id,
                    org.version,
                    data,
                    org.active,
                    (kind.name_ky or kind.name_ru if lang == "ky" else kind.name_ru) if kind else "",
                    (unit.name_ky or unit.name_ru if lang == "ky" else unit.name_ru) if unit else "",
                )
            )
        return sorted(rows, key=lambda row: row.name(lang).casefold())


def add_organisation(db: Database, actor: Actor, data: OrganisationInput) -> uuid.UUID:
    with unit_of_work(db, actor, Permission.REFERENCE_WRITE) as session:
        data = data.normalized()
        problems, kind = _organisation_problems(session, data, None)
        if problems:
            raise ValidationFailed(problems)
        org = Organisation(active=True)
        _fill_organisation(org, data, kind)
        session.add(org)
        audit(session, actor, "organisation.create", org)
        return org.id


def update_organisation(
    db: Database, actor: Actor, org_id: uuid.UUID, expected_version: int, data: OrganisationInput
) -> list[str]:
    """Save the changes of an organisation opened at *expected_version*; returns the changed fields."""
    with unit_of_work(db, actor, Permission.REFERENCE_WRITE) as session:
        org = get_live(session, Organisation, org_id, for_version=expected_version)
        data = data.normalized()
        problems, kind = _organisation_problems(session, data, org_id)
        if problems:
            raise ValidationFailed(problems)
        _fill_organisation(org, data, kind)
        changed = changed_fields(org)
        if changed:
            audit(session, actor, "organisation.update", org, details={"fields": changed})
        return changed


def set_organisation_active(
    db: Database, actor: Actor, org_id: uuid.UUID, expected_version: int, active: bool
) -> None:
    """Deactivate an organisation (no longer offered for referrals) or activate it again."""
    with unit_of_work(db, actor, Permission.REFERENCE_WRITE) as session:
        org = get_live(session, Organisation, org_id, for_version=expected_version)
        if org.active == active:
            return
        org.active = active
        audit(session, actor, "organisation.activate" if active else "organisation.deactivate", org)
