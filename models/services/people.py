"""Children, adults and households: registering, editing, viewing and (soft) deleting them.

A repeated ПИН is a warning, never a refusal (DOMAIN.md §5): ПИНs repeat nationally.
Viewing a person's record is audited; changes are audited by field name, never by value.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from models.base import utcnow
from models.database import Database
from models.duplicates import SAME_PIN, DuplicateCandidate, find_duplicates
from models.errors import FieldProblem, RecordInUse, ValidationFailed
from models.i18n import _, current_language
from models.names import full_name, prefix_upper_bound, query_keys
from models.orm import AdminUnit, Case, Household, HouseholdMember, Person, ReferenceItem
from models.permissions import Permission
from models.reference import item_by_code
from models.services.base import Actor, audit, changed_fields, get_live, require, unit_of_work
from models.settings import office_district_id
from models.validation import (
    HOUSEHOLD_FIELDS,
    PERSON_FIELDS,
    HouseholdInput,
    PersonInput,
    complete_from_pin,
    local_today,
    normalize_pin,
    person_warnings,
    validate_household,
    validate_person,
)


@dataclass(frozen=True)
class RegisterResult:
    """A registered person: the new id, possible duplicates already registered, and warnings."""

    id: uuid.UUID
    duplicates: list[DuplicateCandidate]
    warnings: list[FieldProblem]


@dataclass(frozen=True)
class PersonDetails:
    """A stored person for a form: the values, and the version to send back with changes."""

    id: uuid.UUID
    version: int
    data: PersonInput
    full_name: str
    current_case_id: uuid.UUID | None
    created_at: datetime
    updated_at: datetime


# --- people ---------------------------------------------------------------------------


def _unit_problems(
    session: Session, district_id: uuid.UUID | None, settlement_id: uuid.UUID | None
) -> list[FieldProblem]:
    problems = []
    for field, unit_id, message in (
        ("district_id", district_id, _("District: the chosen district does not exist.")),
        ("settlement_id", settlement_id, _("Settlement: the chosen settlement does not exist.")),
    ):
        if unit_id is None:
            continue
        unit = session.get(AdminUnit, unit_id)
        if unit is None or unit.deleted_at is not None:
            problems.append(FieldProblem(field, message))
    return problems


def _prepared(
    session: Session, data: PersonInput, *, registered_on: date
) -> tuple[PersonInput, list[FieldProblem]]:
    """*data* cleaned, completed from the ПИН and the office, and checked; raises on errors."""
    today = local_today()
    data = complete_from_pin(data.normalized(), today=today)
    if data.district_id is None:
        data = replace(data, district_id=office_district_id(session))
    problems = validate_person(data, today=today, registered_on=registered_on)
    problems += _unit_problems(session, data.district_id, data.settlement_id)
    if problems:
        raise ValidationFailed(problems)
    return data, person_warnings(data, today=today)


def possible_duplicates(
    session: Session, data: PersonInput, exclude_id: uuid.UUID | None = None
) -> list[DuplicateCandidate]:
    """Registered persons who may be the one *data* describes (children for a child, adults for an adult)."""
    return find_duplicates(
        session,
        last_name=data.last_name,
        first_name=data.first_name,
        patronymic=data.patronymic,
        birth_date=data.birth_date,
        pin=data.pin,
        exclude_id=exclude_id,
        is_child=data.is_child,
    )


def _same_pin_warning(candidates: list[DuplicateCandidate]) -> list[FieldProblem]:
    names = [c.full_name for c in candidates if SAME_PIN in c.reasons]
    if not names:
        return []
    return [
        FieldProblem(
            "pin",
            _(
                "ПИН: already registered for {names}. A ПИН can repeat, so the record is saved; "
                "check that it is not the same person.",
                names=", ".join(names),
            ),
        )
    ]


def _fill(person: Person, data: PersonInput) -> None:
    for name in PERSON_FIELDS:
        setattr(person, name, getattr(data, name))


def _register(db: Database, actor: Actor, data: PersonInput) -> RegisterResult:
    with unit_of_work(db, actor, Permission.PERSON_WRITE) as session:
        data, warnings = _prepared(session, data, registered_on=local_today())
        candidates = possible_duplicates(session, data)
        person = Person()
        _fill(person, data)
        session.add(person)
        audit(
            session,
            actor,
            "person.create",
            person,
            details={"is_child": data.is_child, "possible_duplicates": len(candidates)},
        )
        return RegisterResult(person.id, candidates, _same_pin_warning(candidates) + warnings)


def register_child(db: Database, actor: Actor, data: PersonInput) -> RegisterResult:
    """Register a child (under 18 today). Possible duplicates are returned, never refused."""
    return _register(db, actor, replace(data, is_child=True))


def register_adult(db: Database, actor: Actor, data: PersonInput) -> RegisterResult:
    """Register an adult: a parent, guardian or other member of a child's household."""
    return _register(db, actor, replace(data, is_child=False))


def check_duplicates(
    db: Database, actor: Actor, data: PersonInput, *, exclude_id: uuid.UUID | None = None
) -> list[DuplicateCandidate]:
    """Persons already registered who may be the one in the form (shown while typing)."""
    require(actor, Permission.READ)
    with db.reading() as session:
        return possible_duplicates(session, complete_from_pin(data.normalized()), exclude_id)


def update_person(
    db: Database, actor: Actor, person_id: uuid.UUID, data: PersonInput, expected_version: int
) -> list[FieldProblem]:
    """Save the form of a stored person; returns warnings. Refused if someone saved it since it was read."""
    with unit_of_work(db, actor, Permission.PERSON_WRITE) as session:
        person = get_live(session, Person, person_id, for_version=expected_version)
        registered_on = person.created_at.astimezone().date()
        data, warnings = _prepared(session, data, registered_on=registered_on)
        pin_changed = data.pin != person.pin
        _fill(person, data)
        changed = changed_fields(person)
        if not changed:
            return warnings
        if pin_changed and data.pin:
            warnings = _same_pin_warning(possible_duplicates(session, data, exclude_id=person.id)) + warnings
        audit(session, actor, "person.update", person, details={"fields": changed})
        return warnings


def delete_person(
    db: Database, actor: Actor, person_id: uuid.UUID, expected_version: int | None = None
) -> None:
    """Soft-delete a person and their household memberships; refused while a case of theirs is live."""
    with unit_of_work(db, actor, Permission.PERSON_WRITE) as session:
        person = get_live(session, Person, person_id, for_version=expected_version)
        cases = session.scalar(
            select(func.count())
            .select_from(Case)
            .where(Case.child_id == person.id, Case.deleted_at.is_(None))
        )
        if cases:
            raise RecordInUse(
                _("{name} has cases; a person with cases cannot be deleted.", name=person.full_name)
            )
        now = utcnow()
        memberships = session.scalars(
            select(HouseholdMember).where(
                HouseholdMember.person_id == person.id, HouseholdMember.deleted_at.is_(None)
            )
        ).all()
        for member in memberships:
            member.deleted_at = now
        person.deleted_at = now
        audit(session, actor, "person.delete", person, details={"memberships_removed": len(memberships)})


def get_person(db: Database, actor: Actor, person_id: uuid.UUID) -> PersonDetails:
    """A person's record for viewing or editing; the view is written to the audit log."""
    with unit_of_work(db, actor, Permission.READ) as session:
        person = get_live(session, Person, person_id)
        audit(session, actor, "person.view", person, details={"is_child": person.is_child})
        return PersonDetails(
            id=person.id,
            version=person.version,
            data=PersonInput.of(person),
            full_name=person.full_name,
            current_case_id=person.current_case_id,
            created_at=person.created_at,
            updated_at=person.updated_at,
        )


@dataclass(frozen=True)
class PersonHit:
    """A person found by :func:`search_people`."""

    id: uuid.UUID
    full_name: str
    birth_date: date | None
    pin: str | None
    is_child: bool


SEARCH_LIMIT = 30


def _starts(column: InstrumentedAttribute[str], key: str) -> ColumnElement[bool]:
    return and_(column >= key, column < prefix_upper_bound(key))


def search_people(
    db: Database, actor: Actor, text: str, *, children: bool | None = None, limit: int = SEARCH_LIMIT
) -> list[PersonHit]:
    """Living persons found by a ПИН, or whose name parts start with every typed word.

    Every word must start the last name, first name or patronymic, and at least one the last or
    first name (the indexed keys). Those found by the last name come first, in order of last
    and first name, then those found by the first name. *children* True or False keeps only
    children or only adults.
    """
    require(actor, Permission.READ)
    digits = normalize_pin(text)
    live: list[ColumnElement[bool]] = [Person.deleted_at.is_(None)]
    if children is True:
        live.append(Person.is_child != false())  # the predicate of the partial name indexes
    elif children is False:
        live.append(Person.is_child == false())
    columns = (
        Person.id,
        Person.last_name,
        Person.first_name,
        Person.patronymic,
        Person.birth_date,
        Person.pin,
        Person.is_child,
        Person.last_name_key,
        Person.first_name_key,
    )
    with db.reading() as session:
        if len(digits) == 14 and digits.isdigit():
            rows = session.execute(select(*columns).where(Person.pin == digits, *live).limit(limit)).all()
            ranked = sorted(rows, key=lambda r: (r.last_name_key, r.first_name_key, str(r.id)))
        else:
            keys = query_keys(text)
            every_key = [
                or_(
                    _starts(Person.last_name_key, k),
                    _starts(Person.first_name_key, k),
                    _starts(Person.patronymic_key, k),
                )
                for k in keys
            ]
            by_last: dict[uuid.UUID, Any] = {}
            by_first: dict[uuid.UUID, Any] = {}
            for key in keys:
                # One index range per word and name part: an OR across the parts would scan the table.
                for row in session.execute(
                    select(*columns)
                    .where(_starts(Person.last_name_key, key), *every_key, *live)
                    .order_by(Person.last_name_key, Person.first_name_key, Person.id)
                    .limit(limit)
                ):
                    by_last[row.id] = row
                for row in session.execute(
                    select(*columns)
                    .where(_starts(Person.first_name_key, key), *every_key, *live)
                    .order_by(Person.first_name_key, Person.last_name_key, Person.id)
                    .limit(limit)
                ):
                    by_first[row.id] = row
            ranked = sorted(by_last.values(), key=lambda r: (r.last_name_key, r.first_name_key, str(r.id)))
            ranked += sorted(
                (r for r in by_first.values() if r.id not in by_last),
                key=lambda r: (r.first_name_key, r.last_name_key, str(r.id)),
            )
    return [
        PersonHit(
            row.id,
            full_name(row.last_name, row.first_name, row.patronymic),
            row.birth_date,
            row.pin,
            row.is_child,
        )
        for row in ranked[:limit]
    ]


def person_districts(
    db: Database, actor: Actor, person_ids: list[uuid.UUID], lang: str | None = None
) -> dict[uuid.UUID, str]:
    """The district names of persons (those with a district), in *lang* (the UI's by default)."""
    require(actor, Permission.READ)
    lang = lang or current_language()
    if not person_ids:
        return {}
    with db.reading() as session:
        rows = session.execute(
            select(Person.id, AdminUnit.name_ru, AdminUnit.name_ky)
            .join(AdminUnit, AdminUnit.id == Person.district_id)
            .where(Person.id.in_(person_ids))
        ).all()
    return {row.id: (row.name_ky if lang == "ky" and row.name_ky else row.name_ru) for row in rows}


# --- households -----------------------------------------------------------------------


@dataclass(frozen=True)
class MemberRow:
    """A household member as a household view lists them."""

    id: uuid.UUID
    version: int
    person_id: uuid.UUID
    full_name: str
    birth_date: date | None
    is_child: bool
    relation_code: str | None
    is_caregiver: bool
    lives_with_child: bool


@dataclass(frozen=True)
class HouseholdDetails:
    id: uuid.UUID
    version: int
    data: HouseholdInput
    members: list[MemberRow]


def _prepared_household(session: Session, data: HouseholdInput) -> HouseholdInput:
    data = data.normalized()
    if data.district_id is None:
        data = replace(data, district_id=office_district_id(session))
    problems = validate_household(data) + _unit_problems(session, data.district_id, data.settlement_id)
    if problems:
        raise ValidationFailed(problems)
    return data


def create_household(db: Database, actor: Actor, data: HouseholdInput) -> uuid.UUID:
    """Register a household (a family living together); members are added one by one."""
    with unit_of_work(db, actor, Permission.HOUSEHOLD_WRITE) as session:
        data = _prepared_household(session, data)
        household = Household(**{name: getattr(data, name) for name in HOUSEHOLD_FIELDS})
        session.add(household)
        audit(session, actor, "household.create", household)
        return household.id


def update_household(
    db: Database, actor: Actor, household_id: uuid.UUID, data: HouseholdInput, expected_version: int
) -> None:
    with unit_of_work(db, actor, Permission.HOUSEHOLD_WRITE) as session:
        household = get_live(session, Household, household_id, for_version=expected_version)
        data = _prepared_household(session, data)
        for name in HOUSEHOLD_FIELDS:
            setattr(household, name, getattr(data, name))
        changed = changed_fields(household)
        if changed:
            audit(session, actor, "household.update", household, details={"fields": changed})


def _relation(session: Session, relation_code: str | None) -> ReferenceItem | None:
    if relation_code is None:
        return None
    item = item_by_code(session, "relation_type", relation_code)
    if item is None or item.deleted_at is not None or not item.active:
        raise ValidationFailed(
            [FieldProblem("relation", _("Relation: unknown relation {code}.", code=relation_code))]
        )
    return item


def add_household_member(
    db: Database,
    actor: Actor,
    household_id: uuid.UUID,
    person_id: uuid.UUID,
    relation_code: str | None,
    is_caregiver: bool = False,
    lives_with_child: bool = True,
) -> uuid.UUID:
    """Add a registered person to a household with their relation to its children (a relation_type code)."""
    with unit_of_work(db, actor, Permission.HOUSEHOLD_WRITE) as session:
        household = get_live(session, Household, household_id)
        person = get_live(session, Person, person_id)
        relation = _relation(session, relation_code)
        already = session.scalar(
            select(func.count())
            .select_from(HouseholdMember)
            .where(
                HouseholdMember.household_id == household.id,
                HouseholdMember.person_id == person.id,
                HouseholdMember.deleted_at.is_(None),
            )
        )
        if already:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "person_id",
                        _("Member: {name} is already in this household.", name=person.full_name),
                    )
                ]
            )
        last_position = session.scalar(
            select(func.max(HouseholdMember.position)).where(HouseholdMember.household_id == household.id)
        )
        member = HouseholdMember(
            household_id=household.id,
            person_id=person.id,
            relation_id=relation.id if relation else None,
            position=(last_position or 0) + 1,
            is_caregiver=is_caregiver,
            lives_with_child=lives_with_child,
        )
        session.add(member)
        audit(
            session,
            actor,
            "household.member_add",
            member,
            details={"household_id": household.id, "person_id": person.id, "relation": relation_code},
        )
        return member.id


def update_household_member(
    db: Database,
    actor: Actor,
    member_id: uuid.UUID,
    relation_code: str | None,
    is_caregiver: bool,
    lives_with_child: bool,
    expected_version: int | None = None,
) -> None:
    """Change a member's relation to the children, and whether they care for and live with them."""
    with unit_of_work(db, actor, Permission.HOUSEHOLD_WRITE) as session:
        member = get_live(session, HouseholdMember, member_id, for_version=expected_version)
        relation = _relation(session, relation_code)
        member.relation_id = relation.id if relation else None
        member.is_caregiver = is_caregiver
        member.lives_with_child = lives_with_child
        changed = changed_fields(member)
        if changed:
            audit(
                session,
                actor,
                "household.member_update",
                member,
                details={"household_id": member.household_id, "fields": changed},
            )


def remove_household_member(
    db: Database, actor: Actor, member_id: uuid.UUID, expected_version: int | None = None
) -> None:
    """Take a person out of a household (the membership is soft-deleted; the person stays)."""
    with unit_of_work(db, actor, Permission.HOUSEHOLD_WRITE) as session:
        member = get_live(session, HouseholdMember, member_id, for_version=expected_version)
        member.deleted_at = utcnow()
        audit(
            session,
            actor,
            "household.member_remove",
            member,
            details={"household_id": member.household_id, "person_id": member.person_id},
        )


def get_household(db: Database, actor: Actor, household_id: uuid.UUID) -> HouseholdDetails:
    """A household with its live members in order."""
    require(actor, Permission.READ)
    with db.reading() as session:
        household = get_live(session, Household, household_id)
        rows = session.execute(
            select(HouseholdMember, Person, ReferenceItem.code)
            .join(Person, Person.id == HouseholdMember.person_id)
            .outerjoin(ReferenceItem, ReferenceItem.id == HouseholdMember.relation_id)
            .where(
                HouseholdMember.household_id == household.id,
                HouseholdMember.deleted_at.is_(None),
                Person.deleted_at.is_(None),
            )
            .order_by(HouseholdMember.position)
        ).all()
        members = [
            MemberRow(
                id=member.id,
                version=member.version,
                person_id=person.id,
                full_name=person.full_name,
                birth_date=person.birth_date,
                is_child=person.is_child,
                relation_code=code,
                is_caregiver=member.is_caregiver,
                lives_with_child=member.lives_with_child,
            )
            for member, person, code in rows
        ]
        data = HouseholdInput(**{name: getattr(household, name) for name in HOUSEHOLD_FIELDS})
        return HouseholdDetails(household.id, household.version, data, members)
