"""An office database for the exchange tests: demo data, then edits and deletions made by the services.

The office is generated once per test session into a template file; each test gets its own copy.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from models.database import Database, copy_sqlite, open_database
from models.demo import generate
from models.orm import Case, HouseholdMember, Person, User
from models.services.assessments import CommissionMemberInput, HousingActInput, create_housing_act
from models.services.base import Actor
from models.services.people import delete_person, register_child, remove_household_member, update_person
from models.services.users import authenticate
from models.validation import PersonInput

AS_OF = date(2026, 11, 20)
ADMIN = ("admin", "demo-admin-1")  # models.demo.DEMO_USERS
SPECIALIST = ("aizada", "demo-spec-1")
NEW_CHILD = PersonInput(
    last_name="Үсөнбаева",
    first_name="Ңурзат",
    patronymic="Ёлкиновна",
    sex="F",
    birth_date=date(2015, 2, 1),
    address_text="с. Сокулук, ул. Манаса, 17",
    phone="+996 555 123 456",
    notes="Живёт у бабушки",
)
HOUSING_ACT = HousingActInput(
    act_date=date(2026, 11, 19),
    members=(CommissionMemberInput("Ёлкин Нурбек", "Социальный работник"),),
    rooms=2,
    area_m2=Decimal("45.5"),
    conclusion="Условия удовлетворительные",
)
DELETED_CHILD = PersonInput(last_name="Ёлкин", first_name="Usenova", sex="M", birth_date=date(2016, 3, 4))


@dataclass(frozen=True)
class Office:
    """Where the template office keeps what the tests look for."""

    path: Path
    new_child_id: uuid.UUID
    deleted_child_id: uuid.UUID
    removed_member_id: uuid.UUID
    housing_act_id: uuid.UUID


def require_age_tool() -> str:
    """The `age` tool: skipped where it is not installed, except in CI, which installs it."""
    tool = shutil.which("age")
    if tool is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the age tool is not installed in CI")
        pytest.skip("the age tool is not installed")
    return tool


def sign_in(db: Database, account: tuple[str, str] = ADMIN) -> Actor:
    return authenticate(db, *account)


def personal_values(db: Database) -> set[str]:
    """Names, ПИНs, addresses, phones and free text: none may leave in a depersonalised package."""
    values: set[str] = set()
    with db.reading() as session:
        rows = session.execute(
            select(Person.last_name, Person.first_name, Person.pin, Person.address_text, Person.phone)
        )
        for last, first, pin, address, phone in rows:
            values.update((last, f"{last} {first}"))
            values.update(v for v in (pin, address, phone) if v)
        values.update(session.scalars(select(User.full_name)))
    # free text typed in the fixture's own records
    values.update({"Живёт у бабушки", "Ёлкин Нурбек", "Условия удовлетворительные"})
    return values


def birth_dates(db: Database) -> dict[uuid.UUID, date]:
    with db.reading() as session:
        rows = session.execute(select(Person.id, Person.birth_date).where(Person.birth_date.is_not(None)))
        return {person_id: birth for person_id, birth in rows if birth is not None}


def _make_office(path: Path) -> Office:
    db = open_database(path)
    try:
        generate(db, children=40, seed=61, as_of=AS_OF)
        admin = sign_in(db)
        new_child = register_child(db, admin, NEW_CHILD).id
        deleted = register_child(db, admin, DELETED_CHILD).id
        delete_person(db, admin, deleted)
        with db.reading() as session:
            member = session.scalars(
                select(HouseholdMember)
                .where(HouseholdMember.deleted_at.is_(None))
                .order_by(HouseholdMember.id)
            ).first()
            assert member is not None
            person = session.get(Person, new_child)
            assert person is not None
            version = person.version
        remove_household_member(db, admin, member.id)
        with db.reading() as session:
            open_case = session.scalars(
                select(Case.id).where(Case.status != "closed", Case.deleted_at.is_(None)).order_by(Case.id)
            ).first()
        assert open_case is not None
        act = create_housing_act(db, admin, open_case, HOUSING_ACT)
        update_person(db, admin, new_child, replace(NEW_CHILD, school="№ 3"), version)
        return Office(path, new_child, deleted, member.id, act)
    finally:
        db.dispose()


@pytest.fixture(scope="session")
def office_template(tmp_path_factory: pytest.TempPathFactory) -> Office:
    """The generated office (never opened by a test: each gets a copy)."""
    return _make_office(tmp_path_factory.mktemp("office-template") / "office.sqlite")


@pytest.fixture
def office(office_template: Office, tmp_path: Path) -> Office:
    """This test's copy of the office database."""
    target = tmp_path / "office.sqlite"
    copy_sqlite(office_template.path, target)
    return replace(office_template, path=target)


@pytest.fixture
def office_db(office: Office) -> Iterator[Database]:
    """An opened office: 40 demo children with cases, plus a registered, an edited and a deleted child."""
    db = open_database(office.path, create=False)
    yield db
    db.dispose()


@pytest.fixture
def office_admin(office_db: Database) -> Actor:
    """The office's administrator, signed in."""
    return sign_in(office_db)
