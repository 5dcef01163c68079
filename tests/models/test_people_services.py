"""Registering and editing children, adults and households through the services."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import func, select

from models.base import Base
from models.database import Database
from models.duplicates import SAME_PIN
from models.errors import NotFound, PermissionDenied, RecordInUse, StaleRecord, ValidationFailed
from models.events import SYSTEM_KEY
from models.orm import AuditEntry, Case, ChangeLogEntry, HouseholdMember, Person
from models.reference import admin_unit_id
from models.services.base import Actor
from models.services.people import (
    add_household_member,
    check_duplicates,
    create_household,
    delete_person,
    get_household,
    get_person,
    person_districts,
    register_adult,
    register_child,
    remove_household_member,
    search_people,
    update_household,
    update_household_member,
    update_person,
)
from models.validation import HouseholdInput, PersonInput, local_today

from tests.conftest import TEST_DISTRICT, make_user

AIGERIM = PersonInput(
    last_name="Асанова", first_name="Айгерим", patronymic="Бакытовна", birth_date=date(2015, 2, 1), sex="F"
)


def count(db: Database, model: type[Base]) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def counts(db: Database) -> tuple[int, int, int]:
    return count(db, Person), count(db, AuditEntry), count(db, ChangeLogEntry)


def audit_entries(db: Database, action: str) -> list[AuditEntry]:
    with db.reading() as session:
        return list(
            session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        )


def stored(db: Database, person_id: uuid.UUID) -> Person:
    with db.reading() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person


# --- registering ----------------------------------------------------------------------


def test_registering_a_child_writes_the_person_an_audit_entry_and_a_change_log_row(
    db: Database, admin: Actor
):
    result = register_child(db, admin, AIGERIM)
    person = stored(db, result.id)
    assert (person.full_name, person.is_child, person.version) == ("Асанова Айгерим Бакытовна", True, 1)
    assert (person.last_name_key, person.first_name_key) == ("asanova", "aigerim")
    assert person.created_by == admin.user_id
    [entry] = audit_entries(db, "person.create")
    assert (entry.entity, entry.entity_id, entry.user_id) == ("persons", result.id, admin.user_id)
    assert "Асанова" not in entry.details
    with db.reading() as session:
        ops = session.execute(
            select(ChangeLogEntry.table_name, ChangeLogEntry.operation).where(
                ChangeLogEntry.record_id == result.id
            )
        ).all()
    assert [tuple(op) for op in ops] == [("persons", "I")]
    assert result.duplicates == []
    assert result.warnings == []


def test_a_read_only_user_cannot_register_and_nothing_is_written(db: Database, admin: Actor):
    reader = make_user(db, admin, "reader", "read_only")
    before = counts(db)
    with pytest.raises(PermissionDenied):
        register_child(db, reader, AIGERIM)
    assert counts(db) == before


@pytest.mark.parametrize("role", ["specialist", "social_worker", "head"])
def test_case_workers_may_register_children(db: Database, admin: Actor, role: str):
    worker = make_user(db, admin, "worker", role)
    assert stored(db, register_child(db, worker, AIGERIM).id).created_by == worker.user_id


def test_a_kdd_secretary_cannot_register_children(db: Database, admin: Actor):
    secretary = make_user(db, admin, "secretary", "kdd_secretary")
    with pytest.raises(PermissionDenied):
        register_child(db, secretary, AIGERIM)


def test_a_repeated_pin_is_warned_but_saved(db: Database, admin: Actor):
    first = register_child(
        db, admin, PersonInput(last_name="Токтогулов", first_name="Бакыт", pin="20503201400017")
    )
    second = register_child(
        db, admin, PersonInput(last_name="Мамытов", first_name="Улан", pin="2 05032014 00017")
    )
    [candidate] = second.duplicates
    assert candidate.person_id == first.id
    assert SAME_PIN in candidate.reasons
    [warning] = second.warnings
    assert warning.field == "pin"
    assert "Токтогулов Бакыт" in warning.render("en")
    assert stored(db, second.id).pin == "20503201400017"
    assert json.loads(audit_entries(db, "person.create")[-1].details)["possible_duplicates"] == 1


def test_invalid_input_is_refused_and_nothing_is_written(db: Database, admin: Actor):
    before = counts(db)
    with pytest.raises(ValidationFailed) as caught:
        register_child(db, admin, PersonInput(last_name="", first_name="Айгерим", pin="32212200001155"))
    assert {p.field for p in caught.value.problems} == {"last_name", "pin"}
    assert counts(db) == before


def test_a_child_of_18_is_refused(db: Database, admin: Actor):
    today = local_today()
    born = date(today.year - 18, today.month, today.day if (today.month, today.day) != (2, 29) else 28)
    with pytest.raises(ValidationFailed) as caught:
        register_child(db, admin, PersonInput(last_name="Асанов", first_name="Нурбек", birth_date=born))
    assert [p.field for p in caught.value.problems] == ["birth_date"]


def test_an_adult_of_any_age_is_registered(db: Database, admin: Actor):
    result = register_adult(
        db,
        admin,
        PersonInput(last_name="Асанова", first_name="Гүлнара", birth_date=date(1980, 3, 8), is_child=True),
    )
    assert stored(db, result.id).is_child is False


def test_sex_and_birth_date_come_from_the_pin_when_left_empty(db: Database, admin: Actor):
    result = register_child(
        db, admin, PersonInput(last_name="Асанова", first_name="Айгерим", pin="10102201500001")
    )
    person = stored(db, result.id)
    assert (person.sex, person.birth_date) == ("F", date(2015, 2, 1))


def test_the_district_defaults_to_the_office_district(db: Database, admin: Actor):
    person = stored(db, register_child(db, admin, AIGERIM).id)
    assert person.district_id == admin_unit_id(TEST_DISTRICT)


def test_an_unknown_district_is_refused(db: Database, admin: Actor):
    with pytest.raises(ValidationFailed) as caught:
        register_child(db, admin, PersonInput(last_name="А", first_name="Б", district_id=uuid.uuid4()))
    assert [p.field for p in caught.value.problems] == ["district_id"]


def test_duplicates_can_be_checked_before_saving(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    [candidate] = check_duplicates(
        db, admin, PersonInput(last_name="Asanova", first_name="Aigerim", birth_date=date(2015, 2, 1))
    )
    assert candidate.person_id == person_id
    assert check_duplicates(db, admin, AIGERIM, exclude_id=person_id) == []


# --- viewing, editing, deleting -------------------------------------------------------


def test_viewing_a_child_is_audited(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    details = get_person(db, admin, person_id)
    assert details.data.last_name == "Асанова"
    assert details.data.district_id == admin_unit_id(TEST_DISTRICT)
    assert details.version == 1
    [entry] = audit_entries(db, "person.view")
    assert (entry.entity_id, entry.user_id) == (person_id, admin.user_id)


def test_a_read_only_user_may_view_and_is_audited(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    reader = make_user(db, admin, "reader", "read_only")
    assert get_person(db, reader, person_id).full_name == "Асанова Айгерим Бакытовна"
    assert audit_entries(db, "person.view")[-1].user_id == reader.user_id


def test_an_update_audits_the_changed_field_names_never_the_values(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    details = get_person(db, admin, person_id)
    data = replace(details.data, school="СОШ № 5", school_class="4 Б")
    assert update_person(db, admin, person_id, data, details.version) == []
    [entry] = audit_entries(db, "person.update")
    assert json.loads(entry.details) == {"fields": ["school", "school_class"]}
    assert "СОШ" not in entry.details
    person = stored(db, person_id)
    assert (person.school, person.version) == ("СОШ № 5", 2)
    with db.reading() as session:
        ops = session.scalars(
            select(ChangeLogEntry.operation)
            .where(ChangeLogEntry.record_id == person_id)
            .order_by(ChangeLogEntry.seq)
        ).all()
    assert ops == ["I", "U"]


def test_saving_an_unchanged_form_writes_nothing(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    details = get_person(db, admin, person_id)
    before = counts(db)
    update_person(db, admin, person_id, details.data, details.version)
    assert counts(db) == before
    assert stored(db, person_id).version == 1


def test_an_update_from_a_stale_form_is_refused(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    update_person(db, admin, person_id, replace(AIGERIM, school="СОШ № 5"), 1)
    before = counts(db)
    with pytest.raises(StaleRecord):
        update_person(db, admin, person_id, replace(AIGERIM, school="Гимназия"), 1)
    assert counts(db) == before
    assert stored(db, person_id).school == "СОШ № 5"


def test_changing_to_a_repeated_pin_warns(db: Database, admin: Actor):
    register_child(db, admin, PersonInput(last_name="Токтогулов", first_name="Бакыт", pin="10102201500001"))
    person_id = register_child(db, admin, AIGERIM).id
    warnings = update_person(db, admin, person_id, replace(AIGERIM, pin="10102201500001"), 1)
    assert [w.field for w in warnings] == ["pin"]
    assert stored(db, person_id).pin == "10102201500001"


def backdate(db: Database, person_id: uuid.UUID, years: int) -> int:
    """Move a person's registration and birth *years* back, as if registered long ago; the new version."""
    with db.session() as session:
        session.info[SYSTEM_KEY] = True
        person = session.get(Person, person_id)
        assert person is not None and person.birth_date is not None
        person.created_at = person.created_at.replace(year=person.created_at.year - years)
        person.birth_date = person.birth_date.replace(year=person.birth_date.year - years)
        session.commit()
        return person.version


def test_a_child_registered_at_17_stays_editable_after_turning_18(db: Database, admin: Actor):
    today = local_today()
    born = date(today.year - 17, 1, 1)
    person_id = register_child(
        db, admin, PersonInput(last_name="Асанов", first_name="Нурбек", birth_date=born)
    ).id
    version = backdate(db, person_id, 2)
    data = get_person(db, admin, person_id).data
    update_person(db, admin, person_id, replace(data, school="Колледж"), version)
    assert stored(db, person_id).school == "Колледж"


def test_deleting_a_person_leaves_a_tombstone(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    delete_person(db, admin, person_id, expected_version=1)
    assert stored(db, person_id).deleted_at is not None
    with pytest.raises(NotFound):
        get_person(db, admin, person_id)
    with pytest.raises(NotFound):
        delete_person(db, admin, person_id)
    assert len(audit_entries(db, "person.delete")) == 1
    with db.reading() as session:
        ops = session.scalars(
            select(ChangeLogEntry.operation)
            .where(ChangeLogEntry.record_id == person_id)
            .order_by(ChangeLogEntry.seq)
        ).all()
    assert ops == ["I", "D"]


def test_a_child_with_a_case_cannot_be_deleted(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    with db.session() as session:
        session.info[SYSTEM_KEY] = True
        session.add(
            Case(
                district_id=admin_unit_id(TEST_DISTRICT),
                case_year=2025,
                case_no=1,
                child_id=person_id,
                opened_on=date(2025, 1, 10),
            )
        )
        session.commit()
    with pytest.raises(RecordInUse):
        delete_person(db, admin, person_id)
    assert stored(db, person_id).deleted_at is None


def test_a_read_only_user_cannot_delete(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    reader = make_user(db, admin, "reader", "read_only")
    with pytest.raises(PermissionDenied):
        delete_person(db, reader, person_id)
    assert stored(db, person_id).deleted_at is None


# --- households -----------------------------------------------------------------------


def test_a_household_with_members_and_their_relations(db: Database, admin: Actor):
    child_id = register_child(db, admin, AIGERIM).id
    mother_id = register_adult(
        db,
        admin,
        PersonInput(last_name="Асанова", first_name="Гүлнара", birth_date=date(1988, 5, 5), sex="F"),
    ).id
    father_id = register_adult(
        db,
        admin,
        PersonInput(
            last_name="Асанов", first_name="Бакыт", sex="M", in_migration=True, migration_country="Россия"
        ),
    ).id
    household_id = create_household(
        db, admin, HouseholdInput(address_text="с. Сокулук, ул. Ленина 5", members_count=3)
    )
    add_household_member(db, admin, household_id, child_id, "child", lives_with_child=True)
    add_household_member(db, admin, household_id, mother_id, "mother", is_caregiver=True)
    add_household_member(db, admin, household_id, father_id, "father", lives_with_child=False)

    household = get_household(db, admin, household_id)
    assert household.data.district_id == admin_unit_id(TEST_DISTRICT)
    assert [
        (m.full_name, m.relation_code, m.is_caregiver, m.lives_with_child, m.is_child)
        for m in household.members
    ] == [
        ("Асанова Айгерим Бакытовна", "child", False, True, True),
        ("Асанова Гүлнара", "mother", True, True, False),
        ("Асанов Бакыт", "father", False, False, False),
    ]
    assert len(audit_entries(db, "household.create")) == 1
    assert len(audit_entries(db, "household.member_add")) == 3


def test_an_unknown_relation_is_refused(db: Database, admin: Actor):
    child_id = register_child(db, admin, AIGERIM).id
    household_id = create_household(db, admin, HouseholdInput())
    before = count(db, HouseholdMember)
    with pytest.raises(ValidationFailed) as caught:
        add_household_member(db, admin, household_id, child_id, "cousin-twice-removed")
    assert [p.field for p in caught.value.problems] == ["relation"]
    assert count(db, HouseholdMember) == before


def test_a_person_is_added_to_a_household_once(db: Database, admin: Actor):
    child_id = register_child(db, admin, AIGERIM).id
    household_id = create_household(db, admin, HouseholdInput())
    add_household_member(db, admin, household_id, child_id, "child")
    with pytest.raises(ValidationFailed):
        add_household_member(db, admin, household_id, child_id, "child")


def test_removing_a_member_keeps_the_person(db: Database, admin: Actor):
    child_id = register_child(db, admin, AIGERIM).id
    household_id = create_household(db, admin, HouseholdInput())
    member_id = add_household_member(db, admin, household_id, child_id, "child")
    remove_household_member(db, admin, member_id)
    assert get_household(db, admin, household_id).members == []
    assert get_person(db, admin, child_id).full_name == "Асанова Айгерим Бакытовна"
    assert len(audit_entries(db, "household.member_remove")) == 1
    add_household_member(db, admin, household_id, child_id, "child")  # may be added back


def test_deleting_a_person_removes_their_memberships(db: Database, admin: Actor):
    child_id = register_child(db, admin, AIGERIM).id
    household_id = create_household(db, admin, HouseholdInput())
    add_household_member(db, admin, household_id, child_id, "child")
    delete_person(db, admin, child_id)
    assert get_household(db, admin, household_id).members == []
    with db.reading() as session:
        assert session.scalar(select(HouseholdMember.deleted_at)) is not None


def test_a_kdd_secretary_cannot_change_households(db: Database, admin: Actor):
    secretary = make_user(db, admin, "secretary", "kdd_secretary")
    with pytest.raises(PermissionDenied):
        create_household(db, secretary, HouseholdInput())


def test_a_household_update_is_audited_by_field(db: Database, admin: Actor):
    household_id = create_household(db, admin, HouseholdInput(members_count=3))
    update_household(db, admin, household_id, HouseholdInput(members_count=4, housing="Свой дом"), 1)
    [entry] = audit_entries(db, "household.update")
    assert json.loads(entry.details) == {"fields": ["housing", "members_count"]}
    with pytest.raises(StaleRecord):
        update_household(db, admin, household_id, HouseholdInput(members_count=5), 1)


def test_invalid_household_is_refused(db: Database, admin: Actor):
    with pytest.raises(ValidationFailed):
        create_household(db, admin, HouseholdInput(members_count=0))


# --- finding people -------------------------------------------------------------------


def test_people_are_found_by_the_start_of_their_names_in_any_spelling(db: Database, admin: Actor):
    nurzat = register_child(
        db, admin, PersonInput(last_name="Үсөнбаева", first_name="Ңурзат", birth_date=date(2016, 3, 4))
    ).id
    mother = register_adult(db, admin, PersonInput(last_name="Үсөнбаева", first_name="Гүлзат")).id
    register_child(db, admin, PersonInput(last_name="Ёлкин", first_name="Артём", birth_date=date(2014, 1, 2)))

    assert [hit.id for hit in search_people(db, admin, "усон")] == [mother, nurzat]
    assert [hit.id for hit in search_people(db, admin, "Usonbaeva nur")] == [nurzat]
    assert [hit.id for hit in search_people(db, admin, "усон", children=False)] == [mother]
    assert [hit.full_name for hit in search_people(db, admin, "елкин")] == ["Ёлкин Артём"]
    assert search_people(db, admin, "   ") == []


def test_people_are_found_by_pin(db: Database, admin: Actor):
    person_id = register_child(db, admin, replace(AIGERIM, pin="10102201512345")).id
    hits = search_people(db, admin, "1010 2201 512345")
    assert [(hit.id, hit.pin, hit.is_child) for hit in hits] == [(person_id, "10102201512345", True)]


def test_deleted_people_are_not_found(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    delete_person(db, admin, person_id)
    assert search_people(db, admin, "Асанова") == []


def test_the_districts_of_people_are_named_in_the_language_asked(db: Database, admin: Actor):
    person_id = register_child(db, admin, AIGERIM).id
    assert person_districts(db, admin, [person_id], "ru") == {person_id: "Сокулукский район"}
    assert person_districts(db, admin, [person_id], "ky") == {person_id: "Сокулук району"}
    assert person_districts(db, admin, []) == {}


def test_a_members_relation_and_care_are_changed_and_audited(db: Database, admin: Actor):
    child_id = register_child(db, admin, AIGERIM).id
    household_id = create_household(db, admin, HouseholdInput())
    member_id = add_household_member(db, admin, household_id, child_id, None)
    update_household_member(db, admin, member_id, "other_relative", True, False, expected_version=1)
    [member] = get_household(db, admin, household_id).members
    assert (member.relation_code, member.is_caregiver, member.lives_with_child) == (
        "other_relative",
        True,
        False,
    )
    [entry] = audit_entries(db, "household.member_update")
    assert sorted(json.loads(entry.details)["fields"]) == ["is_caregiver", "lives_with_child", "relation_id"]
    with pytest.raises(StaleRecord):
        update_household_member(db, admin, member_id, "child", False, True, expected_version=1)


def test_a_social_worker_may_change_members_but_a_viewer_may_not(db: Database, admin: Actor):
    child_id = register_child(db, admin, AIGERIM).id
    household_id = create_household(db, admin, HouseholdInput())
    member_id = add_household_member(db, admin, household_id, child_id, "child")
    update_household_member(
        db, make_user(db, admin, "worker", "social_worker"), member_id, "child", True, True
    )
    with pytest.raises(PermissionDenied):
        update_household_member(db, make_user(db, admin, "viewer", "read_only"), member_id, None, False, True)
