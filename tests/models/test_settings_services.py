"""Changing the office's details, deadlines and sign-in security through the services."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from models.database import Database
from models.errors import AuthenticationFailed, PermissionDenied, ValidationFailed
from models.orm import AuditEntry, Setting
from models.services.base import Actor
from models.services.settings import (
    DEADLINE_SETTINGS,
    NUMBER_SETTINGS,
    SECURITY_SETTINGS,
    OfficeEdit,
    get_number_settings,
    get_office,
    update_number_settings,
    update_office,
)
from models.services.users import authenticate

from tests.conftest import USER_PASSWORD, make_user


def audit_entries(db: Database, action: str) -> list[AuditEntry]:
    with db.reading() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def stored_settings(db: Database) -> dict[str, str]:
    with db.reading() as session:
        return {row.key: row.value for row in session.scalars(select(Setting))}


def audit_count(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry)) or 0


def test_the_office_shows_its_fixed_district_and_its_details(db: Database, admin: Actor) -> None:
    office = get_office(db, admin)

    assert office.district_name("ru") == "Сокулукский район"
    assert office.district_name("ky") == "Сокулук району"
    assert office.details.department_name_ru == "Отдел защиты детей Сокулукского района"
    assert office.details.head_name == "Асанова Гүлнара"


def test_editing_the_office_saves_and_audits_the_keys_changed(db: Database, admin: Actor) -> None:
    office = get_office(db, admin)
    edited = replace(office.details, head_name="  Үсөнбаева   Ңурзат ", phone="0312 61-00-00")

    changed = update_office(db, admin, edited)

    assert changed == ["office.head_name", "office.phone"]
    details = get_office(db, admin).details
    assert (details.head_name, details.phone) == ("Үсөнбаева Ңурзат", "0312 61-00-00")
    [entry] = audit_entries(db, "office.update")
    assert json.loads(entry.details) == {"keys": ["office.head_name", "office.phone"]}
    assert "Ңурзат" not in entry.details


def test_the_department_names_are_required(db: Database, admin: Actor) -> None:
    before = stored_settings(db)

    with pytest.raises(ValidationFailed) as refused:
        update_office(db, admin, OfficeEdit(" ", "", "Ёлкин"))

    assert {p.field for p in refused.value.problems} == {"department_name_ky", "department_name_ru"}
    assert (
        refused.value.for_field("department_name_ru")[0].render("en")
        == "Department name in Russian: required."
    )
    assert stored_settings(db) == before


def test_the_language_of_documents_is_kyrgyz_russian_or_both(db: Database, admin: Actor) -> None:
    details = get_office(db, admin).details
    assert details.document_language == "both"
    before = stored_settings(db)
    with pytest.raises(ValidationFailed) as refused:
        update_office(db, admin, replace(details, document_language="en"))
    assert refused.value.for_field("document_language")
    assert stored_settings(db) == before

    assert update_office(db, admin, replace(details, document_language="ru")) == ["documents.language"]
    assert get_office(db, admin).details.document_language == "ru"


def test_saving_unchanged_details_writes_nothing(db: Database, admin: Actor) -> None:
    before = audit_count(db)

    assert update_office(db, admin, get_office(db, admin).details) == []
    assert audit_count(db) == before


def test_every_setting_has_its_seeded_value(db: Database, admin: Actor) -> None:
    values = get_number_settings(db, admin)

    assert set(values) == {spec.key for spec in DEADLINE_SETTINGS + SECURITY_SETTINGS}
    assert values["deadline.referral_reply_days"] == 10
    assert all(spec.minimum <= values[key] <= spec.maximum for key, spec in NUMBER_SETTINGS.items())


def test_a_changed_deadline_is_saved_and_audited_by_key(db: Database, admin: Actor) -> None:
    changed = update_number_settings(
        db, admin, {"deadline.referral_reply_days": 14, "deadline.plan_review_months": 3}
    )

    assert changed == ["deadline.referral_reply_days"]
    assert get_number_settings(db, admin)["deadline.referral_reply_days"] == 14
    [entry] = audit_entries(db, "settings.update")
    assert json.loads(entry.details) == {"keys": ["deadline.referral_reply_days"]}


def test_a_deadline_out_of_range_is_refused_and_nothing_changes(db: Database, admin: Actor) -> None:
    before, audited = stored_settings(db), audit_count(db)

    with pytest.raises(ValidationFailed) as refused:
        update_number_settings(
            db, admin, {"deadline.referral_reply_days": 20, "deadline.comprehensive_assessment_days": 0}
        )

    [problem] = refused.value.problems
    assert problem.field == "deadline.comprehensive_assessment_days"
    assert problem.render("en") == "Comprehensive assessment: a whole number from 1 to 180."
    assert stored_settings(db) == before
    assert audit_count(db) == audited


def test_an_unknown_setting_is_refused(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationFailed) as refused:
        update_number_settings(db, admin, {"documents.language": 1})

    assert [p.field for p in refused.value.problems] == ["documents.language"]


def test_the_lockout_settings_apply_to_sign_in(db: Database, admin: Actor) -> None:
    make_user(db, admin, "usenova", "specialist")
    update_number_settings(db, admin, {"security.max_failed_logins": 3, "security.lockout_minutes": 45})

    for _attempt in range(2):
        with pytest.raises(AuthenticationFailed):
            authenticate(db, "usenova", "wrong-password")
    with pytest.raises(AuthenticationFailed) as locked:
        authenticate(db, "usenova", "wrong-password")

    assert "45" in locked.value.message.render("en")
    with pytest.raises(AuthenticationFailed):
        authenticate(db, "usenova", USER_PASSWORD)


def test_only_an_administrator_changes_settings(db: Database, admin: Actor) -> None:
    specialist = make_user(db, admin, "usenova", "specialist")
    head = make_user(db, admin, "asanova", "head")
    before = stored_settings(db)

    for actor in (specialist, head):
        with pytest.raises(PermissionDenied):
            update_number_settings(db, actor, {"deadline.referral_reply_days": 5})
        with pytest.raises(PermissionDenied):
            update_office(db, actor, OfficeEdit("Бөлүм", "Отдел"))

    assert stored_settings(db) == before
