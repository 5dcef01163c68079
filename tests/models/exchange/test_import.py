"""Importing upload packages: round trip, incremental changes, idempotence, sequence and conflicts."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models.database import Database, open_database
from models.demo import generate
from models.errors import NotFound, PermissionDenied
from models.exchange.format import PackageOutOfSequence
from models.exchange.importer import (
    ImportCancelled,
    import_package,
    open_conflicts,
    received_packages,
    resolve_conflict,
)
from models.exchange.writer import PackageMade, export_package
from models.i18n import gettext
from models.names import name_key
from models.orm import AuditEntry, ChangeLogEntry, ChildRegisterEntry, NumberCounter, Person, User
from models.services.base import Actor
from models.services.people import delete_person, register_child, update_person
from models.services.users import enable_user, set_password, set_role
from models.validation import PersonInput

from tests.conftest import USER_PASSWORD, make_user
from tests.models.exchange.conftest import AS_OF, NEW_CHILD, Office, sign_in
from tests.models.exchange.importing import consolidation_db, data_differences, fingerprint, own_ids


@pytest.fixture
def target(tmp_path: Path) -> Iterator[tuple[Database, Actor]]:
    db, admin = consolidation_db(tmp_path / "region.sqlite")
    yield db, admin
    db.dispose()


def _export(db: Database, actor: Actor, out: Path, *, full: bool = False) -> PackageMade:
    out.mkdir(exist_ok=True)
    return export_package(db, actor, out, full=full, plaintext=True)


def _person_input(db: Database, person_id: uuid.UUID) -> tuple[PersonInput, int]:
    with db.reading() as session:
        person = session.get(Person, person_id)
        assert person is not None
        values = {f.name: getattr(person, f.name) for f in dataclasses.fields(PersonInput)}
        return PersonInput(**values), person.version


def _rename(db: Database, actor: Actor, person_id: uuid.UUID, last_name: str) -> None:
    data, version = _person_input(db, person_id)
    update_person(db, actor, person_id, dataclasses.replace(data, last_name=last_name), version)


def _last_name(db: Database, person_id: uuid.UUID) -> str:
    with db.reading() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person.last_name


def test_full_package_fills_an_empty_database_with_the_office_data(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    own = own_ids(db)
    made = _export(office_db, office_admin, tmp_path / "out", full=True)

    result = import_package(db, admin, made.path)

    assert not result.already_imported and result.conflicts == 0
    assert data_differences(office_db, db, own) == []


def test_imported_people_get_search_keys_and_register_rows(
    office_db: Database, office_admin: Actor, office: Office, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "out", full=True).path)
    keys = select(Person.id, Person.last_name_key, Person.first_name_key, Person.patronymic_key).order_by(
        Person.id
    )
    register = select(ChildRegisterEntry.child_id, ChildRegisterEntry.category_id, ChildRegisterEntry.status)
    with office_db.reading() as session:
        office_keys = session.execute(keys.where(Person.deleted_at.is_(None))).all()
        office_register = set(session.execute(register).all())
    with db.reading() as session:
        assert session.execute(keys).all() == office_keys
        assert set(session.execute(register).all()) == office_register


def test_import_writes_no_change_log_and_one_audit_entry(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    with db.reading() as session:
        log_before = session.scalar(select(func.count()).select_from(ChangeLogEntry))
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "out", full=True).path)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(ChangeLogEntry)) == log_before
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)).all()
    assert actions == ["package.import"]


def test_numbers_issued_after_an_import_never_repeat_imported_ones(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "out", full=True).path)
    with office_db.reading() as session:
        office_counters = {
            (c.scope, c.district_id, c.year): c.last_value for c in session.scalars(select(NumberCounter))
        }
    with db.reading() as session:
        counters = {
            (c.scope, c.district_id, c.year): c.last_value for c in session.scalars(select(NumberCounter))
        }
    for key, value in office_counters.items():
        assert counters[key] >= value


def test_imported_users_arrive_disabled_and_a_taken_name_gets_the_district(
    office_db: Database, office_admin: Actor, tmp_path: Path
) -> None:
    db, admin = consolidation_db(tmp_path / "region.sqlite")
    make_user(db, admin, "aizada", "specialist")  # the office has a user of that name too
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "out", full=True).path)
    with db.reading() as session:
        imported = session.scalar(select(User).where(User.username == "aizada.41708222"))
        own = session.scalar(select(User).where(User.username == "aizada"))
    assert imported is not None and own is not None and imported.id != own.id
    assert (imported.active, imported.must_change_password) == (False, True)
    db.dispose()


def test_incremental_package_brings_updates_and_deletions(
    office_db: Database, office_admin: Actor, office: Office, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    own = own_ids(db)
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "one", full=True).path)
    _rename(office_db, office_admin, office.new_child_id, "Үсөнова")
    gone = register_child(office_db, office_admin, dataclasses.replace(NEW_CHILD, last_name="Ёлкина")).id
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "two").path)
    delete_person(office_db, office_admin, gone)

    result = import_package(db, admin, _export(office_db, office_admin, tmp_path / "three").path)

    assert result.kind == "incremental" and result.counts["persons"]["deleted"] == 1
    assert data_differences(office_db, db, own) == []


def test_the_same_package_twice_changes_nothing(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    made = _export(office_db, office_admin, tmp_path / "out", full=True)
    first = import_package(db, admin, made.path)
    before = fingerprint(db)

    again = import_package(db, admin, made.path)

    assert again.already_imported and again.imported_on == first.imported_on
    assert fingerprint(db) == before


def test_a_gap_in_the_sequence_is_refused_naming_the_missing_packages(
    office_db: Database, office_admin: Actor, office: Office, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "one", full=True).path)
    _rename(office_db, office_admin, office.new_child_id, "Үсөнова")
    _export(office_db, office_admin, tmp_path / "two")
    _rename(office_db, office_admin, office.new_child_id, "Usenova")
    third = _export(office_db, office_admin, tmp_path / "three")
    before = fingerprint(db)

    with pytest.raises(PackageOutOfSequence) as refused:
        import_package(db, admin, third.path)

    assert str(refused.value) == gettext(
        "Packages {first}–{last} of district {district} are missing; import them first "
        "(this is package {sequence})."
    ).format(first=2, last=2, district="41708222", sequence=3)
    assert fingerprint(db) == before


def test_an_older_package_after_a_newer_one_is_refused(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    older = _export(office_db, office_admin, tmp_path / "one", full=True)
    newer = _export(office_db, office_admin, tmp_path / "two", full=True)
    import_package(db, admin, newer.path)
    before = fingerprint(db)

    with pytest.raises(PackageOutOfSequence) as refused:
        import_package(db, admin, older.path)

    assert str(refused.value) == gettext(
        "Package {sequence} of district {district} is older than package {last}, already imported; "
        "it was not applied."
    ).format(sequence=1, district="41708222", last=2)
    assert fingerprint(db) == before


def test_import_needs_the_import_permission(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    specialist = make_user(db, admin, "worker", "specialist")
    made = _export(office_db, office_admin, tmp_path / "out", full=True)
    with pytest.raises(PermissionDenied):
        import_package(db, specialist, made.path)


def _conflict_setup(
    office_db: Database, office_admin: Actor, office: Office, db: Database, admin: Actor, tmp_path: Path
) -> None:
    """The new child renamed here and in the office after the first package."""
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "one", full=True).path)
    _rename(db, admin, office.new_child_id, "Локальная")
    _rename(office_db, office_admin, office.new_child_id, "Үсөнова")


def test_a_record_changed_on_both_sides_is_a_conflict_and_the_local_one_stays(
    office_db: Database, office_admin: Actor, office: Office, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    _conflict_setup(office_db, office_admin, office, db, admin, tmp_path)

    result = import_package(db, admin, _export(office_db, office_admin, tmp_path / "two").path)

    assert result.conflicts == 1
    assert _last_name(db, office.new_child_id) == "Локальная"
    with db.reading() as session:
        [conflict] = open_conflicts(session)
    assert (conflict.table_name, conflict.record_id) == ("persons", office.new_child_id)
    assert conflict.local["data"]["last_name"] == "Локальная"
    assert conflict.incoming["data"]["last_name"] == "Үсөнова"
    assert conflict.changed_fields == ("last_name",)
    assert "Үсөнова" in conflict.description


def test_keeping_the_incoming_version_applies_it_as_a_local_change(
    office_db: Database, office_admin: Actor, office: Office, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    _conflict_setup(office_db, office_admin, office, db, admin, tmp_path)
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "two").path)
    with db.reading() as session:
        [conflict] = open_conflicts(session)
        log_before = session.scalar(select(func.count()).select_from(ChangeLogEntry)) or 0

    resolve_conflict(db, admin, conflict.id, "incoming")

    assert _last_name(db, office.new_child_id) == "Үсөнова"
    with db.reading() as session:
        assert open_conflicts(session) == []
        assert session.scalar(select(func.count()).select_from(ChangeLogEntry)) == log_before + 1
        person = session.get(Person, office.new_child_id)
        assert person is not None and person.last_name_key == name_key("Үсөнова")
        assert (
            session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc())).first()
            == "package.conflict"
        )


def test_keeping_the_local_version_closes_the_conflict_without_a_change(
    office_db: Database, office_admin: Actor, office: Office, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    _conflict_setup(office_db, office_admin, office, db, admin, tmp_path)
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "two").path)
    with db.reading() as session:
        [conflict] = open_conflicts(session)

    resolve_conflict(db, admin, conflict.id, "local")

    assert _last_name(db, office.new_child_id) == "Локальная"
    with db.reading() as session:
        assert open_conflicts(session) == []


def test_received_packages_lists_what_was_imported(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    made = _export(office_db, office_admin, tmp_path / "out", full=True)
    import_package(db, admin, made.path)
    with db.reading() as session:
        [received] = received_packages(session)
    assert (received.district_code, received.sequence, received.file_name) == ("41708222", 1, made.path.name)


@pytest.mark.postgres
def test_full_package_round_trip_into_postgresql(
    office_db: Database, office_admin: Actor, pg_url: str, tmp_path: Path
) -> None:
    db, admin = consolidation_db(pg_url)
    try:
        own = own_ids(db)
        import_package(db, admin, _export(office_db, office_admin, tmp_path / "out", full=True).path)
        assert data_differences(office_db, db, own) == []
    finally:
        db.dispose()


def test_a_record_with_an_undecided_conflict_is_not_overwritten_by_the_next_package(
    office_db: Database, office_admin: Actor, office: Office, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    _conflict_setup(office_db, office_admin, office, db, admin, tmp_path)
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "two").path)
    _rename(office_db, office_admin, office.new_child_id, "Usenova")

    result = import_package(db, admin, _export(office_db, office_admin, tmp_path / "three").path)

    assert result.conflicts == 1
    assert _last_name(db, office.new_child_id) == "Локальная"


def test_progress_reaches_every_line_of_the_package(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    seen: list[tuple[int, int]] = []
    import_package(
        db,
        admin,
        _export(office_db, office_admin, tmp_path / "out", full=True).path,
        progress=lambda d, t: seen.append((d, t)),
    )
    done, total = seen[-1]
    assert done == total and total > 0


def test_a_cancelled_import_changes_nothing(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    made = _export(office_db, office_admin, tmp_path / "out", full=True)
    before = fingerprint(db)

    with pytest.raises(ImportCancelled):
        import_package(db, admin, made.path, cancelled=lambda: True)

    assert fingerprint(db) == before


def test_two_offices_consolidate_into_one_database(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    other = open_database(tmp_path / "other.sqlite")
    generate(other, children=12, seed=7, as_of=AS_OF, district_code="41702210")
    other_admin = sign_in(other)
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "one", full=True).path)
    own = own_ids(db)

    import_package(db, admin, _export(other, other_admin, tmp_path / "two", full=True).path)

    assert data_differences(other, db, own, ignored=frozenset({"username"})) == []
    with db.reading() as session:
        assert session.scalar(select(User.username).where(User.id == other_admin.user_id)) == "admin.41702210"
    other.dispose()


def test_an_imported_user_enabled_here_keeps_password_and_account_but_takes_the_office_role(
    office_db: Database, office_admin: Actor, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "one", full=True).path)
    enable_user(db, admin, "aizada")
    set_password(db, admin, "aizada", USER_PASSWORD)
    with db.reading() as session:
        password_hash = session.scalar(select(User.password_hash).where(User.username == "aizada"))
    set_role(office_db, office_admin, "aizada", "head")

    result = import_package(db, admin, _export(office_db, office_admin, tmp_path / "two").path)

    assert result.conflicts == 0
    with db.reading() as session:
        user = session.scalar(select(User).where(User.username == "aizada"))
    assert user is not None
    assert (user.role_code, user.active, user.password_hash) == ("head", True, password_hash)


def test_a_conflict_is_resolved_once(
    office_db: Database, office_admin: Actor, office: Office, target: tuple[Database, Actor], tmp_path: Path
) -> None:
    db, admin = target
    _conflict_setup(office_db, office_admin, office, db, admin, tmp_path)
    import_package(db, admin, _export(office_db, office_admin, tmp_path / "two").path)
    with db.reading() as session:
        [conflict] = open_conflicts(session)
    resolve_conflict(db, admin, conflict.id, "local")

    with pytest.raises(NotFound):
        resolve_conflict(db, admin, conflict.id, "incoming")

    assert _last_name(db, office.new_child_id) == "Локальная"
