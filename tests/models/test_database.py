"""Opening databases: migrations, schema, pragmas, and refusing what must not be touched."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path
from pprint import pformat

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, inspect, select, text

from models.audit import GENESIS_HASH
from models.database import (
    Database,
    alembic_config,
    head_revision,
    open_database,
    resolve_target,
    schema_revision,
)
from models.errors import DatabaseRefused
from models.orm import AdminUnit, AuditHead, Base, ReferenceItem, Role, Setting

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")
TABLE_DIGEST = """SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM "{table}" t"""


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_target(request: pytest.FixtureRequest, db_path: Path) -> str:
    """Where a database may be made: a SQLite path not there yet, or an empty PostgreSQL database."""
    if request.param == "sqlite":
        return str(db_path)
    url: str = request.getfixturevalue("pg_url")
    return url


def target_of(database: Database) -> str:
    """The path or URL that opens *database* again."""
    if database.path is not None:
        return str(database.path)
    return database.url.render_as_string(hide_password=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def side_files(path: Path) -> list[str]:
    return [path.name + s for s in SIDE_SUFFIXES if path.with_name(path.name + s).exists()]


def fingerprint(target: str) -> str:
    """A digest of everything stored: the file's bytes for SQLite, every table's rows for PostgreSQL."""
    url = resolve_target(target)
    if url.get_backend_name() == "sqlite":
        return sha256(Path(str(url.database)))
    engine = create_engine(url)
    try:
        digest = hashlib.sha256()
        with engine.connect() as conn:
            for table in sorted(inspect(conn).get_table_names()):
                rows = conn.execute(text(TABLE_DIGEST.format(table=table))).scalar_one()
                digest.update(f"{table}:{rows};".encode())
        return digest.hexdigest()
    finally:
        engine.dispose()


def migrate_to(target: str, revision: str) -> None:
    """Run the shipped migrations up to *revision* only, the way an older program version left them."""
    engine = create_engine(resolve_target(target))
    try:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
    finally:
        engine.dispose()


@pytest.fixture
def reopened(db: Database) -> str:
    """The target of the `db` database, closed so the test can change it behind the program's back."""
    db.dispose()
    return target_of(db)


# --- creating and migrating ---------------------------------------------------------------


def test_new_database_is_created_at_head(empty_target: str) -> None:
    database = open_database(empty_target)
    try:
        with database.engine.connect() as conn:
            assert schema_revision(conn) == head_revision()
            tables = set(inspect(conn).get_table_names())
        assert tables == set(Base.metadata.tables) | {"alembic_version"}
    finally:
        database.dispose()


def test_migrated_schema_matches_the_orm(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        diff = compare_metadata(context, Base.metadata)
    assert not diff, "migrations and models/orm.py differ:\n" + pformat(diff)


def test_reference_data_is_seeded(db: Database) -> None:
    with db.reading() as session:
        sokuluk = session.scalars(
            select(AdminUnit).where(AdminUnit.code == "41708222", AdminUnit.valid_to.is_(None))
        ).one()
        assert (sokuluk.name_ru, sokuluk.level) == ("Сокулукский район", "district")
        assert sokuluk.parent is not None
        assert (sokuluk.parent.code, sokuluk.parent.name_ru) == ("41708", "Чуйская область")
        oblasts = session.scalar(
            select(func.count()).select_from(AdminUnit).where(AdminUnit.level == "oblast")
        )
        assert oblasts == 7
        bishkek = session.scalars(select(AdminUnit).where(AdminUnit.code == "41711")).one()
        assert bishkek.level == "republic_city"

        def codes(kind: str) -> set[str]:
            return set(session.scalars(select(ReferenceItem.code).where(ReferenceItem.kind == kind)))

        assert {
            "labour_migrants",
            "orphans",
            "disability",
            "no_documents",
            "not_in_school",
            "child_labour",
            "street_children",
            "low_income",
            "other",
        } <= codes("tjs_category")
        assert codes("closure_reason") == {
            "goals_achieved",
            "moved_away",
            "reached_18",
            "death",
            "family_care",
            "other",
        }
        assert "administrator" in set(session.scalars(select(Role.code)))
        assert session.get(Setting, "security.max_failed_logins") is not None
        head = session.get(AuditHead, 1)
        assert head is not None
        assert (head.last_id, head.last_hash) == (0, GENESIS_HASH)


def test_upgrade_from_the_first_revision(empty_target: str, tmp_path: Path) -> None:
    migrate_to(empty_target, "0001")

    database = open_database(empty_target)
    try:
        with database.engine.connect() as conn:
            assert schema_revision(conn) == head_revision()
        with database.reading() as session:
            assert session.scalar(select(func.count()).select_from(ReferenceItem))
    finally:
        database.dispose()

    if database.is_sqlite:
        backups = list(tmp_path.glob("office.before-upgrade-*"))
        assert len(backups) == 1, backups
        assert backups[0].name.startswith("office.before-upgrade-0001-")
        assert backups[0].suffix == ".sqlite"
        backup = sqlite3.connect(backups[0])
        try:
            assert backup.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
            assert backup.execute("SELECT count(*) FROM reference_items").fetchone() == (0,)
        finally:
            backup.close()


# --- SQLite connections --------------------------------------------------------------------


def test_sqlite_pragmas_are_set_on_every_connection(sqlite_db: Database) -> None:
    with sqlite_db.engine.connect() as first, sqlite_db.engine.connect() as second:
        assert first.connection.dbapi_connection is not second.connection.dbapi_connection
        for conn in (first, second):
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            busy_timeout = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
            assert isinstance(busy_timeout, int)
            assert busy_timeout > 0


# --- refusing without touching -------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(os.urandom(8192), id="random-bytes"),
        pytest.param("Список детей\nИванов Иван\n".encode(), id="text-file"),
        pytest.param(b"SQLite format 3\x00" + os.urandom(8176), id="damaged-database"),
    ],
)
def test_a_file_that_is_not_a_database_is_refused_untouched(db_path: Path, content: bytes) -> None:
    db_path.write_bytes(content)
    before = sha256(db_path)

    with pytest.raises(DatabaseRefused):
        open_database(db_path)

    assert sha256(db_path) == before
    assert side_files(db_path) == []


def test_a_database_of_another_program_is_refused_untouched(db_path: Path) -> None:
    other = sqlite3.connect(db_path)
    other.execute("CREATE TABLE foo(x)")
    other.execute("INSERT INTO foo VALUES (1)")
    other.commit()
    other.close()
    before = sha256(db_path)

    with pytest.raises(DatabaseRefused) as refused:
        open_database(db_path)

    assert "another program" in refused.value.message.msgid
    assert sha256(db_path) == before
    assert side_files(db_path) == []


@pytest.mark.postgres
def test_a_postgresql_database_of_another_program_is_refused_untouched(pg_url: str) -> None:
    engine = create_engine(pg_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE foo (x integer)"))
    engine.dispose()
    before = fingerprint(pg_url)

    with pytest.raises(DatabaseRefused):
        open_database(pg_url)

    assert fingerprint(pg_url) == before


def test_a_newer_schema_is_refused_untouched(db: Database, reopened: str) -> None:
    engine = create_engine(resolve_target(reopened))
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    engine.dispose()
    before = fingerprint(reopened)

    with pytest.raises(DatabaseRefused) as refused:
        open_database(reopened)

    assert "newer version" in refused.value.message.msgid
    assert "ffff_future" in str(refused.value)
    assert fingerprint(reopened) == before
    if db.path is not None:
        assert side_files(db.path) == []


def test_a_missing_file_is_not_created_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere" / "office.sqlite"

    with pytest.raises(DatabaseRefused):
        open_database(path, create=False)

    assert not path.exists()
    assert not path.parent.exists()


@pytest.mark.postgres
def test_an_empty_postgresql_database_is_not_migrated_unless_asked(pg_url: str) -> None:
    with pytest.raises(DatabaseRefused):
        open_database(pg_url, create=False)

    engine = create_engine(pg_url)
    try:
        with engine.connect() as conn:
            assert inspect(conn).get_table_names() == []
    finally:
        engine.dispose()


def test_opening_a_current_database_again_changes_nothing(db: Database, reopened: str) -> None:
    before = fingerprint(reopened)

    for _ in range(2):
        database = open_database(reopened, create=False)
        with database.engine.connect() as conn:
            assert schema_revision(conn) == head_revision()
        database.dispose()

    assert fingerprint(reopened) == before
    if db.path is not None:
        assert side_files(db.path) == []
        assert list(db.path.parent.glob("*.before-upgrade-*")) == []
