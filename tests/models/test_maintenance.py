"""Checking the database, backups and restores: verified copies, refusals that change nothing."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from models import maintenance
from models.database import Database, open_database
from models.errors import PermissionDenied
from models.maintenance import (
    BackupRefused,
    CheckStatus,
    RestoreRefused,
    backup_database,
    check_database,
    checksum_path,
    file_sha256,
    opened_backup,
    restore_database,
    restore_target,
    verify_backup,
)
from models.orm import AuditEntry, User
from models.services.base import Actor
from models.services.office import OfficeDetails, set_up_office
from models.services.users import add_user, authenticate

from tests.conftest import ADMIN_PASSWORD, TEST_DISTRICT, USER_PASSWORD


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under *folder* with the SHA-256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def usernames(database: Database) -> set[str]:
    with database.reading() as session:
        return set(session.scalars(select(User.username)))


def audit_actions(database: Database) -> list[str]:
    with database.reading() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


def edit_sqlite(path: Path, sql: str) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA foreign_keys=OFF")
        connection.execute(sql)
        connection.commit()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def office_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An office (admin and bob) and a backup of it, made once; tests work on copies."""
    folder = tmp_path_factory.mktemp("office")
    database = open_database(folder / "office.sqlite")
    try:
        set_up_office(
            database,
            OfficeDetails(TEST_DISTRICT, "Сокулук бөлүмү", "Отдел Сокулук"),
            "admin",
            "Администратор Офиса",
            ADMIN_PASSWORD,
        )
        admin = authenticate(database, "admin", ADMIN_PASSWORD)
        add_user(database, admin, "bob", "Боб Тестов", "specialist", USER_PASSWORD)
        (folder / "backups").mkdir()
        backup_database(database, admin, folder / "backups" / "office-backup.sqlite")
    finally:
        database.dispose()
    return folder


@pytest.fixture
def office(office_files: Path, tmp_path: Path) -> Iterator[Database]:
    shutil.copytree(office_files, tmp_path, dirs_exist_ok=True)
    database = open_database(tmp_path / "office.sqlite", create=False)
    yield database
    database.dispose()


@pytest.fixture
def office_admin(office: Database) -> Actor:
    with office.reading() as session:
        return Actor.of(session.scalars(select(User).where(User.username == "admin")).one())


@pytest.fixture
def backup_file(office: Database, tmp_path: Path) -> Path:
    """A backup of the office (admin and bob), in its own folder."""
    return tmp_path / "backups" / "office-backup.sqlite"


def role(name: str) -> Actor:
    """A signed-in user with the role *name* (refused by the role check before anything else)."""
    return Actor(uuid.uuid4(), name, name)


# --- check ----------------------------------------------------------------------------------


def test_check_passes_on_a_new_office(db: Database, admin: Actor) -> None:
    report = check_database(db)

    assert report.ok
    statuses = [item.status for item in report.items]
    if db.is_sqlite:
        assert statuses == [CheckStatus.OK] * 4
    else:
        assert statuses == [CheckStatus.NOT_APPLICABLE] * 2 + [CheckStatus.OK] * 2


def test_check_finds_an_edited_audit_entry(office: Database) -> None:
    assert office.path is not None
    edit_sqlite(office.path, 'UPDATE audit_log SET details = \'{"role": "read_only"}\' WHERE id = 1')

    report = check_database(office)

    assert not report.ok
    failed = [item for item in report.items if item.status is CheckStatus.FAILED]
    assert [item.title.msgid for item in failed] == ["Audit log"]
    assert any("1" in line.render("en") and "edited" in line.render("en") for line in failed[0].details)


def test_check_finds_references_to_missing_records(office: Database) -> None:
    assert office.path is not None
    edit_sqlite(office.path, "UPDATE users SET role_code = 'ghost'")

    report = check_database(office)

    failed = [item for item in report.items if item.status is CheckStatus.FAILED]
    assert [item.title.msgid for item in failed] == ["References between records"]
    assert "users" in failed[0].details[0].render("en")


# --- backup ---------------------------------------------------------------------------------


def test_backup_is_a_verified_single_file_with_its_checksum(
    office: Database, office_admin: Actor, tmp_path: Path
) -> None:
    out = tmp_path / "copy.sqlite"

    info = backup_database(office, office_admin, out)

    assert info.path == out
    assert not out.with_name(out.name + "-wal").exists()
    assert info.sha256 == file_sha256(out)
    assert checksum_path(out).read_text(encoding="ascii") == f"{info.sha256}  copy.sqlite\n"
    assert verify_backup(out).checksum_confirmed
    assert audit_actions(office)[-1] == "backup"
    with opened_backup(out) as copy:
        assert usernames(copy) == {"admin", "bob"}


def test_backup_never_overwrites(office: Database, office_admin: Actor, tmp_path: Path) -> None:
    out = tmp_path / "copy.sqlite"
    out.write_bytes(b"an earlier file")
    actions = audit_actions(office)

    with pytest.raises(BackupRefused):
        backup_database(office, office_admin, out)

    assert out.read_bytes() == b"an earlier file"
    assert not checksum_path(out).exists()
    assert audit_actions(office) == actions


def test_backup_refuses_a_missing_folder(office: Database, office_admin: Actor, tmp_path: Path) -> None:
    with pytest.raises(BackupRefused) as refused:
        backup_database(office, office_admin, tmp_path / "missing" / "copy.sqlite")

    assert "missing" in refused.value.message.render("en")
    assert not (tmp_path / "missing").exists()


def test_backup_needs_the_permission(office: Database, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        backup_database(office, role("social_worker"), tmp_path / "copy.sqlite")

    assert not (tmp_path / "copy.sqlite").exists()


def test_a_backup_that_cannot_be_written_leaves_nothing_behind(
    office: Database, office_admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(_source: Path, target: Path) -> None:
        target.with_name(target.name + ".partial").write_bytes(b"half a copy")
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(maintenance, "copy_sqlite", disk_full)
    out = tmp_path / "usb" / "copy.sqlite"
    out.parent.mkdir()

    with pytest.raises(BackupRefused) as refused:
        backup_database(office, office_admin, out)

    assert "disk is full" in refused.value.message.render("en")
    assert list(out.parent.iterdir()) == []


def test_backup_of_postgresql_points_to_pg_dump(tmp_path: Path) -> None:
    url = make_url("postgresql+psycopg://office:secret@localhost/bala")
    database = Database(create_engine(url), url)  # never connects: refused before
    actor = Actor(None, "admin", "administrator")

    with pytest.raises(BackupRefused) as refused:
        backup_database(database, actor, tmp_path / "copy.sqlite")

    text = refused.value.message.render("en")
    assert "pg_dump" in text
    assert "secret" not in text


# --- restore --------------------------------------------------------------------------------


def test_restore_brings_back_the_backup_and_keeps_the_replaced_database(
    office: Database, office_admin: Actor, backup_file: Path
) -> None:
    target = office.path
    assert target is not None
    add_user(office, office_admin, "carol", "Кэрол Тестова", "specialist", USER_PASSWORD)
    office.dispose()

    info = restore_database(target, backup_file, office_admin)

    restored = open_database(target, create=False)
    try:
        assert usernames(restored) == {"admin", "bob"}
        assert audit_actions(restored)[-1] == "restore"
        assert check_database(restored).ok
    finally:
        restored.dispose()
    assert info.replaced is not None
    assert info.replaced.name.startswith("office.replaced-")
    assert info.replaced.suffix == ".sqlite"
    kept = open_database(info.replaced, create=False)
    try:
        assert "carol" in usernames(kept)
    finally:
        kept.dispose()
    assert info.checksum_confirmed
    assert not info.upgraded
    assert sorted(p.name for p in target.parent.iterdir() if p.name.startswith("office")) == [
        info.replaced.name,
        "office.sqlite",
    ]


def test_restore_onto_a_new_computer(office_admin: Actor, backup_file: Path, tmp_path: Path) -> None:
    target = tmp_path / "new-pc" / "data" / "office.sqlite"

    info = restore_database(target, backup_file, office_admin)

    assert info.replaced is None
    restored = open_database(target, create=False)
    try:
        assert authenticate(restored, "bob", USER_PASSWORD).username == "bob"
    finally:
        restored.dispose()


def test_restore_leaves_the_backup_unchanged(
    office: Database, office_admin: Actor, backup_file: Path
) -> None:
    before = folder_state(backup_file.parent)
    assert office.path is not None
    office.dispose()

    restore_database(office.path, backup_file, office_admin)

    assert folder_state(backup_file.parent) == before


def _newer_schema(path: Path) -> None:
    edit_sqlite(path, "UPDATE alembic_version SET version_num = '9999'")
    checksum_path(path).unlink()


def _tampered_audit(path: Path) -> None:
    edit_sqlite(path, "UPDATE audit_log SET details = '{}' WHERE id = 1")
    checksum_path(path).unlink()


def _checksum_mismatch(path: Path) -> None:
    edit_sqlite(path, "UPDATE audit_log SET details = '{}' WHERE id = 1")


def _not_a_database(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04 this is a zip, not a database" * 50)


def _another_program(path: Path) -> None:
    path.unlink()
    checksum_path(path).unlink()
    edit_sqlite(path, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")


def _missing(path: Path) -> None:
    path.unlink()


@pytest.mark.parametrize(
    ("spoil", "words"),
    [
        (_newer_schema, "newer version"),
        (_tampered_audit, "audit log"),
        (_checksum_mismatch, "checksum"),
        (_not_a_database, "not a Bala Korgoo backup"),
        (_another_program, "not a Bala Korgoo backup"),
        (_missing, "There is no backup file"),
    ],
)
def test_restore_refuses_a_bad_backup_and_changes_nothing(
    office: Database, office_admin: Actor, backup_file: Path, spoil: Callable[[Path], None], words: str
) -> None:
    spoil(backup_file)
    target = office.path
    assert target is not None
    office.dispose()
    before = folder_state(target.parent)

    with pytest.raises(RestoreRefused) as refused:
        restore_database(target, backup_file, office_admin)

    assert words in refused.value.message.render("en")
    assert folder_state(target.parent) == before


def test_a_restore_that_runs_out_of_disk_changes_nothing(
    office: Database, office_admin: Actor, backup_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(_source: Path, _target: Path) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(maintenance, "copy_sqlite", disk_full)
    target = office.path
    assert target is not None
    office.dispose()
    before = folder_state(target.parent)

    with pytest.raises(RestoreRefused) as refused:
        restore_database(target, backup_file, office_admin)

    assert "disk is full" in refused.value.message.render("en")
    assert folder_state(target.parent) == before


def test_restore_refuses_a_database_in_use(office: Database, office_admin: Actor, backup_file: Path) -> None:
    target = office.path
    assert target is not None
    with office.reading() as session:
        session.scalars(select(User)).all()  # the pool keeps the connection open, as a running program does
        before = file_sha256(target)

        with pytest.raises(RestoreRefused) as refused:
            restore_database(target, backup_file, office_admin)

    assert "in use" in refused.value.message.render("en")
    assert file_sha256(target) == before
    assert not list(target.parent.glob("*.replaced-*"))
    assert not list(target.parent.glob("*.restoring*"))


def test_restore_is_for_administrators(office: Database, backup_file: Path) -> None:
    assert office.path is not None
    office.dispose()

    with pytest.raises(PermissionDenied):
        restore_database(office.path, backup_file, role("head"))


def test_restore_to_postgresql_points_to_pg_restore() -> None:
    with pytest.raises(RestoreRefused) as refused:
        restore_target("postgresql://office:secret@localhost/bala")

    text = refused.value.message.render("en")
    assert "pg_restore" in text
    assert "secret" not in text


def test_signing_in_against_a_backup_leaves_it_unchanged(backup_file: Path) -> None:
    before = folder_state(backup_file.parent)

    with opened_backup(backup_file) as copy:
        assert authenticate(copy, "admin", ADMIN_PASSWORD).role == "administrator"

    assert folder_state(backup_file.parent) == before
