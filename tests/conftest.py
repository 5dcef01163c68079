"""Shared fixtures: real databases (SQLite in tmp_path; PostgreSQL when BALAKORGOO_TEST_PG_URL is set)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models.database import Database, open_database
from models.i18n import set_language
from models.services import users
from models.services.base import Actor
from models.services.office import OfficeDetails, set_up_office
from models.services.users import add_user, authenticate

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PG_URL = os.environ.get("BALAKORGOO_TEST_PG_URL")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
TEST_DISTRICT = "41708222"  # Сокулукский район
ADMIN_PASSWORD = "admin-Пароль-1"
USER_PASSWORD = "user-Пароль-1"


@pytest.fixture(autouse=True)
def _russian_messages() -> Iterator[None]:
    set_language("ru")
    yield
    set_language("ru")


@pytest.fixture(autouse=True)
def _fast_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its cheapest: the tests check the sign-in logic, not the hashing cost."""
    monkeypatch.setattr(users, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


def _fresh_pg_database() -> Iterator[str]:
    if not PG_URL:
        if IN_CI:
            pytest.fail("BALAKORGOO_TEST_PG_URL is not set in CI: the PostgreSQL suite must run there")
        pytest.skip("PostgreSQL tests need BALAKORGOO_TEST_PG_URL (CI sets it)")
    name = f"bk_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped after the test."""
    yield from _fresh_pg_database()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "office.sqlite"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A new, migrated database: a SQLite file, and the same test again on PostgreSQL."""
    if request.param == "sqlite":
        database = open_database(tmp_path / "office.sqlite")
        yield database
        database.dispose()
    else:
        for url in _fresh_pg_database():
            database = open_database(url)
            yield database
            database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(tmp_path / "office.sqlite")
    yield database
    database.dispose()


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """A new, migrated PostgreSQL database, for what only PostgreSQL does."""
    for url in _fresh_pg_database():
        database = open_database(url)
        yield database
        database.dispose()


def _set_up(database: Database) -> Actor:
    set_up_office(
        database,
        OfficeDetails(
            TEST_DISTRICT,
            "Сокулук райондук балдарды коргоо бөлүмү",
            "Отдел защиты детей Сокулукского района",
            "Асанова Гүлнара",
            "с. Сокулук",
        ),
        "admin",
        "Администратор Офиса",
        ADMIN_PASSWORD,
    )
    return authenticate(database, "admin", ADMIN_PASSWORD)


@pytest.fixture
def admin(db: Database) -> Actor:
    """The signed-in first administrator of a newly set-up office."""
    return _set_up(db)


@pytest.fixture
def sqlite_admin(sqlite_db: Database) -> Actor:
    return _set_up(sqlite_db)


@pytest.fixture
def pg_admin(pg_db: Database) -> Actor:
    return _set_up(pg_db)


def make_user(database: Database, admin_actor: Actor, username: str, role: str) -> Actor:
    add_user(database, admin_actor, username, f"Тест {username}", role, USER_PASSWORD)
    return authenticate(database, username, USER_PASSWORD)
