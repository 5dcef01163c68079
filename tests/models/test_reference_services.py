"""Editing reference lists and the organisations directory through the services."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select

from models.database import Database
from models.errors import PermissionDenied, StaleRecord, ValidationFailed
from models.lookups import organisation_choices, reference_choices
from models.orm import AuditEntry, ChangeLogEntry, Organisation, ReferenceItem
from models.reference import KINDS, admin_unit_id, reference_id
from models.services.base import Actor
from models.services.reference import (
    KIND_LABELS,
    OrganisationInput,
    ReferenceItemInput,
    add_organisation,
    add_reference_item,
    list_organisations,
    list_reference_items,
    reorder_reference_items,
    set_organisation_active,
    set_reference_item_active,
    update_organisation,
    update_reference_item,
)

from tests.conftest import TEST_DISTRICT, make_user

DAY_CENTRE = ReferenceItemInput("day_centre", "Дневной центр", "Күндүзгү борбор", "Day centre", 50)
SCHOOL = OrganisationInput(
    "Средняя школа № 3 им. Ёлкина",
    "Ёлкин атындагы № 3 орто мектеп",
    type_code="school",
    district_id=admin_unit_id(TEST_DISTRICT),
    phone="0312 55-55-55",
    email="school3@example.kg",
    contact_person="Үсөнбаева Ңурзат",
)


def audit_entries(db: Database, action: str) -> list[AuditEntry]:
    with db.reading() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def count(db: Database, model: type[ReferenceItem] | type[Organisation] | type[AuditEntry]) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def choice_codes(db: Database, kind: str) -> list[str]:
    with db.reading() as session:
        return [choice.value for choice in reference_choices(session, kind)]


def test_every_reference_list_has_a_label() -> None:
    assert set(KIND_LABELS) == set(KINDS)


def test_an_added_item_is_offered_in_forms_and_audited(db: Database, admin: Actor) -> None:
    item_id = add_reference_item(db, admin, "service_type", DAY_CENTRE)

    assert item_id == reference_id("service_type", "day_centre")
    assert "day_centre" in choice_codes(db, "service_type")
    [entry] = audit_entries(db, "reference.create")
    assert entry.entity_id == item_id
    assert json.loads(entry.details) == {"kind": "service_type", "code": "day_centre"}
    with db.reading() as session:
        logged = session.scalars(select(ChangeLogEntry).where(ChangeLogEntry.record_id == item_id)).all()
    assert [row.operation for row in logged] == ["I"]


def test_a_code_used_in_the_list_is_refused_naming_the_field(db: Database, admin: Actor) -> None:
    before = count(db, ReferenceItem), count(db, AuditEntry)

    with pytest.raises(ValidationFailed) as refused:
        add_reference_item(
            db, admin, "tjs_category", ReferenceItemInput("orphans", "Сироты", "Жетимдер", "Orphans")
        )

    [problem] = refused.value.problems
    assert problem.field == "code"
    assert problem.render("en") == "Code: orphans is already used in this list."
    assert (count(db, ReferenceItem), count(db, AuditEntry)) == before


def test_missing_names_and_a_bad_code_are_each_named(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_reference_item(db, admin, "risk_level", ReferenceItemInput("Очень высокий", "", " ", "Very high"))

    assert {p.field for p in refused.value.problems} == {"code", "name_ru", "name_ky"}
    assert refused.value.for_field("name_ky")[0].render("en") == "Name in Kyrgyz: required."


def test_a_deactivated_item_is_no_longer_offered_but_still_listed(db: Database, admin: Actor) -> None:
    [street] = [
        row for row in list_reference_items(db, admin, "tjs_category") if row.code == "street_children"
    ]

    set_reference_item_active(db, admin, street.id, street.version, False)

    assert "street_children" not in choice_codes(db, "tjs_category")
    listed = {row.code: row.active for row in list_reference_items(db, admin, "tjs_category")}
    assert listed["street_children"] is False
    assert len(audit_entries(db, "reference.deactivate")) == 1

    [street] = [
        row for row in list_reference_items(db, admin, "tjs_category") if row.code == "street_children"
    ]
    set_reference_item_active(db, admin, street.id, street.version, True)
    assert "street_children" in choice_codes(db, "tjs_category")


def test_renaming_keeps_the_code_and_audits_the_fields(db: Database, admin: Actor) -> None:
    [other] = [row for row in list_reference_items(db, admin, "tjs_category") if row.code == "other"]

    changed = update_reference_item(
        db,
        admin,
        other.id,
        other.version,
        ReferenceItemInput("other", "Иное", other.name_ky, other.name_en, 99),
    )

    assert changed == ["name_ru", "sort_order"]
    [row] = [row for row in list_reference_items(db, admin, "tjs_category") if row.code == "other"]
    assert (row.name_ru, row.sort_order, row.version) == ("Иное", 99, other.version + 1)
    [entry] = audit_entries(db, "reference.update")
    assert json.loads(entry.details)["fields"] == ["name_ru", "sort_order"]


def test_the_code_of_a_saved_item_cannot_change(db: Database, admin: Actor) -> None:
    [other] = [row for row in list_reference_items(db, admin, "tjs_category") if row.code == "other"]

    with pytest.raises(ValidationFailed) as refused:
        update_reference_item(
            db, admin, other.id, other.version, ReferenceItemInput("misc", "Иное", "Башка", "Other")
        )

    assert [p.field for p in refused.value.problems] == ["code"]


def test_reordering_puts_the_list_in_the_given_order(db: Database, admin: Actor) -> None:
    rows = list_reference_items(db, admin, "risk_level")
    wanted = [row.id for row in reversed(rows)]

    reorder_reference_items(db, admin, "risk_level", wanted)

    assert [row.id for row in list_reference_items(db, admin, "risk_level")] == wanted
    assert len(audit_entries(db, "reference.reorder")) == 1


def test_a_specialist_cannot_edit_reference_data(db: Database, admin: Actor) -> None:
    specialist = make_user(db, admin, "usenova", "specialist")
    [other] = [row for row in list_reference_items(db, specialist, "tjs_category") if row.code == "other"]

    with pytest.raises(PermissionDenied):
        add_reference_item(db, specialist, "service_type", DAY_CENTRE)
    with pytest.raises(PermissionDenied):
        set_reference_item_active(db, specialist, other.id, other.version, False)
    with pytest.raises(PermissionDenied):
        add_organisation(db, specialist, SCHOOL)
    assert "other" in choice_codes(db, "tjs_category")


def test_a_department_head_may_edit_reference_data(db: Database, admin: Actor) -> None:
    head = make_user(db, admin, "asanova", "head")

    add_reference_item(db, head, "service_type", DAY_CENTRE)

    assert "day_centre" in choice_codes(db, "service_type")


def test_an_added_organisation_is_listed_with_its_labels(db: Database, admin: Actor) -> None:
    org_id = add_organisation(db, admin, SCHOOL)

    [row] = list_organisations(db, admin, "ru")
    assert row.id == org_id
    assert row.data == SCHOOL
    assert row.active
    assert row.district_label == "Сокулукский район"
    assert row.type_label
    assert len(audit_entries(db, "organisation.create")) == 1
    with db.reading() as session:
        assert [c.value for c in organisation_choices(session)] == [org_id]


def test_an_organisation_needs_both_names_and_a_real_email(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_organisation(db, admin, OrganisationInput("  ", "", email="school3"))

    assert {p.field for p in refused.value.problems} == {"name_ru", "name_ky", "email"}
    assert count(db, Organisation) == 0


def test_the_same_organisation_twice_in_a_district_is_refused(db: Database, admin: Actor) -> None:
    add_organisation(db, admin, SCHOOL)

    with pytest.raises(ValidationFailed) as refused:
        add_organisation(db, admin, SCHOOL)

    assert [p.field for p in refused.value.problems] == ["name_ru"]


def test_editing_an_organisation_with_a_stale_version_is_refused(db: Database, admin: Actor) -> None:
    org_id = add_organisation(db, admin, SCHOOL)
    [opened] = list_organisations(db, admin)
    moved = OrganisationInput(**{**SCHOOL.__dict__, "address": "с. Сокулук, ул. Ленина, 1"})

    assert update_organisation(db, admin, org_id, opened.version, moved) == ["address"]

    with pytest.raises(StaleRecord):
        update_organisation(
            db, admin, org_id, opened.version, OrganisationInput(**{**SCHOOL.__dict__, "phone": ""})
        )
    [row] = list_organisations(db, admin)
    assert (row.data.address, row.data.phone) == ("с. Сокулук, ул. Ленина, 1", SCHOOL.phone)
    [entry] = audit_entries(db, "organisation.update")
    assert json.loads(entry.details) == {"fields": ["address"]}


def test_a_deactivated_organisation_is_not_offered(db: Database, admin: Actor) -> None:
    org_id = add_organisation(db, admin, SCHOOL)
    [row] = list_organisations(db, admin)

    set_organisation_active(db, admin, org_id, row.version, False)

    with db.reading() as session:
        assert organisation_choices(session) == []
    [row] = list_organisations(db, admin)
    assert not row.active
    assert len(audit_entries(db, "organisation.deactivate")) == 1


def test_an_unknown_organisation_type_is_refused(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationFailed) as refused:
        add_organisation(
            db, admin, OrganisationInput("Центр", "Борбор", type_code="spaceport", district_id=uuid.uuid4())
        )

    assert {p.field for p in refused.value.problems} == {"type_code", "district_id"}
