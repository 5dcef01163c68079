"""The demo office: realistic, complete, deterministic for a seed, never mixed into a real office."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

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
        assert verify_chain(session) == []
    for username, password, role in result.users:
        assert authenticate(db, username, password).role == role
    assert {"plans", "referrals", "visits", "kdd_meetings", "closures"} <= set(result.counts)


def test_demo_refuses_a_database_that_belongs_to_an_office(tmp_path: Path) -> None:
    db = open_database(tmp_path / "demo.sqlite")
    generate(db, 20, seed=1, as_of=AS_OF)
    with db.reading() as session:
        before = session.scalar(select(func.count()).select_from(Person))
    with pytest.raises(PermissionDenied):
        generate(db, 20, seed=2, as_of=AS_OF)
    with db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == before
