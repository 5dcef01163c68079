"""An office with a case and an issued referral, for the documents' tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from models.database import Database
from models.orm import Person, Referral
from models.services.base import Actor
from models.services.reference import OrganisationInput, add_organisation
from models.services.referrals import ReferralInput, create_referral, issue_referral, record_consent

from tests.models.helpers import add_as_system, child_case, stored_version

TODAY = date.today()


@dataclass(frozen=True)
class PrintOffice:
    db: Database
    actor: Actor
    child_id: uuid.UUID
    case_id: uuid.UUID
    case_number: str
    organisation_id: uuid.UUID


def add_named_child(
    db: Database, last: str = "Үсөнбаева", first: str = "Ңурзат", patronymic: str = "Ёлкиновна"
) -> uuid.UUID:
    child = Person(
        last_name=last,
        first_name=first,
        patronymic=patronymic,
        sex="F",
        birth_date=date(2015, 2, 1),
        pin="12020201500123",
        address_text="ул. Ленина, 5",
        is_child=True,
    )
    add_as_system(db, child)
    return child.id


def issued_referral(
    office: PrintOffice, *, personal: bool = True, reason: str = "Ребёнок не посещает школу с сентября"
) -> tuple[uuid.UUID, str]:
    """A referral of the office's case to its school, consented and issued: its id and №."""
    db, actor = office.db, office.actor
    referral_id = create_referral(
        db,
        actor,
        ReferralInput(
            office.organisation_id,
            "education",
            reason=reason,
            requested_service="Зачислить в 5 класс",
            attachments="Копия свидетельства о рождении",
            contains_personal_data=personal,
        ),
        case_id=office.case_id,
    )
    version = stored_version(db, Referral, referral_id)
    if personal:
        version = record_consent(db, actor, referral_id, "Үсөнбаева Айгүл, мать", TODAY, version)
    issued = issue_referral(db, actor, referral_id, version)
    return referral_id, issued.number


@pytest.fixture
def office(sqlite_db: Database, sqlite_admin: Actor) -> PrintOffice:
    """The test office: a case of Үсөнбаева Ңурзат Ёлкиновна and a school in the directory.

    On SQLite only: these tests are about the documents; the papers read through the ORM and the
    register queries, which their own tests run on PostgreSQL too, and the statistics, which count
    in SQL, have their own office on both (tests/reports/test_statistics.py).
    """
    db, admin = sqlite_db, sqlite_admin
    child_id = add_named_child(db)
    case = child_case(db, admin, TODAY - timedelta(days=40), child_id=child_id)
    organisation_id = add_organisation(
        db, admin, OrganisationInput("Школа № 3 им. Токтогула", "Токтогул атындагы № 3 мектеп", "school")
    )
    return PrintOffice(db, admin, child_id, case.id, case.number, organisation_id)
