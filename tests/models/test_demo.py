"""The demo office: realistic, complete, deterministic for a seed, never mixed into a real office."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from models import demo
from models.audit import verify_chain
from models.database import open_database
from models.demo import generate
from models.errors import PermissionDenied
from models.orm import CASE_STATUSES, Case, Person
from models.services.users import authenticate

AS_OF = date(2026, 11, 1)
CONTENT_TABLES = (
    "persons",
    "households",
    "household_members",
    "reports",
    "cases",
    "case_categories",
    "plans",
    "plan_actions",
    "referrals",
    "visits",
    "kdd_meetings",
    "kdd_decisions",
    "closures",
)


def _content(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = open_database(path, create=False)
    try:
        with db.engine.connect() as conn:
            return {
                t: sorted(map(tuple, conn.execute(text(f"SELECT * FROM {t}")).all()), key=repr)
                for t in CONTENT_TABLES
            }
    finally:
        db.dispose()


def test_demo_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    for name in ("a", "b"):
        db = open_database(tmp_path / f"{name}.sqlite")
        generate(db, 150, seed=7, as_of=AS_OF)
        db.dispose()
    other = open_database(tmp_path / "c.sqlite")
    generate(other, 150, seed=8, as_of=AS_OF)
    other.dispose()
    first = _content(tmp_path / "a.sqlite")
    assert first == _content(tmp_path / "b.sqlite")
    assert first["persons"] != _content(tmp_path / "c.sqlite")["persons"]


def test_demo_rows_are_the_same_through_the_orm_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the rows go to the driver in storage form; through SQLAlchemy they must come out the same."""
    db = open_database(tmp_path / "raw.sqlite")
    generate(db, 60, seed=3, as_of=AS_OF)
    db.dispose()
    monkeypatch.setattr(demo._Writer, "raw_sqlite", staticmethod(lambda _session: False))
    db = open_database(tmp_path / "orm.sqlite")
    generate(db, 60, seed=3, as_of=AS_OF)
    db.dispose()
    assert _content(tmp_path / "raw.sqlite") == _content(tmp_path / "orm.sqlite")


def _indexes(path: Path) -> list[tuple[object, ...]]:
    db = open_database(path, create=False)
    try:
        with db.engine.connect() as conn:
            return sorted(
                map(tuple, conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")))
            )
    finally:
        db.dispose()


def test_a_failed_demo_leaves_nothing_behind_indexes_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "demo.sqlite"
    open_database(path).dispose()
    before = _indexes(path)

    def broken(*_args: object) -> None:
        raise RuntimeError("power cut")

    monkeypatch.setattr(demo._Office, "kdd", broken)
    db = open_database(path, create=False)
    with pytest.raises(RuntimeError):
        generate(db, 30, seed=1, as_of=AS_OF)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0
        assert session.scalar(text("SELECT COUNT(*) FROM users")) == 0
    db.dispose()
    assert _indexes(path) == before


def test_demo_office_has_every_status_duplicates_and_working_users(tmp_path: Path) -> None:
    db = open_database(tmp_path / "demo.sqlite")
    result = generate(db, 800, seed=1, as_of=AS_OF)
    with db.reading() as session:
        statuses = set(session.scalars(select(Case.status).distinct()))
        assert statuses == set(CASE_STATUSES)
        children = session.scalar(select(func.count()).select_from(Person).where(Person.is_child)) or 0
        assert children >= 800
        repeated_pins = session.execute(
            text(
                "SELECT COUNT(*) FROM (SELECT pin FROM persons WHERE pin IS NOT NULL AND is_child "
                "GROUP BY pin HAVING COUNT(*) > 1)"
            )
        ).scalar()
        assert repeated_pins and repeated_pins >= 1
        assert (
            session.scalar(
                select(func.count())
                .select_from(Person)
                .where(Person.current_case_id.is_(None), Person.is_child)
            )
            == 0
        )
        # A ПИН can only be marked as checked against a document when there is one (the form refuses it).
        assert not session.scalar(
            select(func.count()).select_from(Person).where(Person.pin_verified, Person.pin.is_(None))
        )
        assert verify_chain(session) == []
    for username, password, role in result.users:
        assert authenticate(db, username, password).role == role
    assert {"plans", "referrals", "visits", "kdd_meetings", "closures"} <= set(result.counts)
    with db.reading() as session:
        # The bulk load leaves the schema's indexes as the migrations made them.
        assert session.scalar(
            text("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ix_persons_live_child_last'")
        )
        # Every record written has its change-log row; the register index has a row per child and category.
        logged = session.scalar(text("SELECT COUNT(*) FROM change_log WHERE table_name = 'persons'"))
        assert logged == session.scalar(select(func.count()).select_from(Person))
        assert session.scalar(text("SELECT COUNT(*) FROM child_register")) == session.scalar(
            text("SELECT COUNT(*) FROM case_categories")
        )


def test_demo_refuses_a_database_that_belongs_to_an_office(tmp_path: Path) -> None:
    db = open_database(tmp_path / "demo.sqlite")
    generate(db, 20, seed=1, as_of=AS_OF)
    with db.reading() as session:
        before = session.scalar(select(func.count()).select_from(Person))
    with pytest.raises(PermissionDenied):
        generate(db, 20, seed=2, as_of=AS_OF)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == before
