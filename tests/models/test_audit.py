"""The hash-chained audit log: services append to it, and tampering is detected."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import insert, select, text

from models.audit import ChainProblem, entry_hash, verify_chain
from models.database import Database, open_database
from models.errors import AuthenticationFailed
from models.orm import AuditEntry, AuditHead
from models.services.base import Actor
from models.services.users import add_user, authenticate, set_role

from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD


def chain_problems(db: Database) -> list[ChainProblem]:
    with db.reading() as session:
        return verify_chain(session)


def entry_ids(db: Database) -> list[int]:
    with db.reading() as session:
        return list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def tamper(db: Database, statement: str, **params: Any) -> None:
    """Change the audit table behind the program's back, as someone with the database file could."""
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)


def second_writer(db: Database) -> Database:
    """Another program instance on the same database (a second PC of the office)."""
    if db.path is not None:
        return open_database(db.path, create=False)
    return open_database(db.url.render_as_string(hide_password=False), create=False)


@pytest.fixture
def busy_log(db: Database, admin: Actor) -> list[int]:
    """A log with a few entries of different kinds; returns their ids."""
    add_user(db, admin, "aibek", "Тест Айбек", "specialist", USER_PASSWORD)
    add_user(db, admin, "nurgul", "Тест Нургүл", "social_worker", USER_PASSWORD)
    set_role(db, admin, "nurgul", "specialist")
    with pytest.raises(AuthenticationFailed):
        authenticate(db, "aibek", "wrong password")
    authenticate(db, "aibek", USER_PASSWORD)
    ids = entry_ids(db)
    assert len(ids) >= 6
    return ids


def test_entries_written_by_services_verify_clean(db: Database, busy_log: list[int]) -> None:
    assert busy_log == list(range(1, len(busy_log) + 1))
    with db.reading() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert {"office.setup", "user.create", "login", "user.role", "login.failed"} <= set(actions)
    assert chain_problems(db) == []


def test_the_head_row_follows_the_last_entry(db: Database, busy_log: list[int]) -> None:
    with db.reading() as session:
        head = session.get(AuditHead, 1)
        last = session.get(AuditEntry, busy_log[-1])
        assert head is not None
        assert last is not None
        assert (head.last_id, head.last_hash) == (last.id, last.hash)


def test_an_edited_entry_is_detected(db: Database, busy_log: list[int]) -> None:
    edited = busy_log[len(busy_log) // 2]
    tamper(
        db,
        "UPDATE audit_log SET details = :details WHERE id = :id",
        details='{"username": "someone-else"}',
        id=edited,
    )

    assert chain_problems(db) == [ChainProblem(edited, "hash")]


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(
    db: Database, busy_log: list[int]
) -> None:
    edited = busy_log[len(busy_log) // 2]
    with db.reading() as session:
        entry = session.get(AuditEntry, edited)
        assert entry is not None
        session.expunge(entry)
    entry.details = '{"username": "someone-else"}'
    new_hash = entry_hash(entry)
    tamper(
        db,
        "UPDATE audit_log SET details = :details, hash = :hash WHERE id = :id",
        details='{"username": "someone-else"}',
        hash=new_hash,
        id=edited,
    )

    assert chain_problems(db) == [ChainProblem(edited + 1, "link")]


def test_a_removed_middle_entry_is_detected(db: Database, busy_log: list[int]) -> None:
    removed = busy_log[len(busy_log) // 2]
    tamper(db, "DELETE FROM audit_log WHERE id = :id", id=removed)

    problems = chain_problems(db)

    assert ChainProblem(removed + 1, "gap") in problems
    assert ChainProblem(removed + 1, "link") in problems
    assert all(p.entry_id == removed + 1 for p in problems)


def test_a_removed_last_entry_is_detected(db: Database, busy_log: list[int]) -> None:
    tamper(db, "DELETE FROM audit_log WHERE id = :id", id=busy_log[-1])

    assert chain_problems(db) == [ChainProblem(None, "head")]


def test_an_entry_added_by_hand_is_detected(db: Database, busy_log: list[int]) -> None:
    with db.reading() as session:
        last = session.get(AuditEntry, busy_log[-1])
        assert last is not None
    with db.engine.begin() as conn:
        conn.execute(
            insert(AuditEntry).values(
                id=last.id + 1, at=last.at, action="export", details="{}", prev_hash=last.hash, hash="0" * 64
            )
        )

    problems = chain_problems(db)

    assert ChainProblem(last.id + 1, "hash") in problems
    assert ChainProblem(None, "head") in problems


def test_two_writers_in_turn_keep_the_chain_gap_free(db: Database, admin: Actor) -> None:
    other = second_writer(db)
    try:
        other_admin = authenticate(other, "admin", ADMIN_PASSWORD)
        for n in range(3):
            add_user(db, admin, f"first{n}", f"Тест Первый {n}", "specialist", USER_PASSWORD)
            add_user(other, other_admin, f"second{n}", f"Тест Второй {n}", "specialist", USER_PASSWORD)
    finally:
        other.dispose()

    ids = entry_ids(db)
    assert ids == list(range(1, len(ids) + 1))
    assert chain_problems(db) == []


def test_concurrent_writers_keep_the_chain_gap_free(db: Database, admin: Actor) -> None:
    other = second_writer(db)
    errors: list[BaseException] = []

    def write(database: Database, prefix: str) -> None:
        try:
            actor = authenticate(database, "admin", ADMIN_PASSWORD)
            for n in range(3):
                add_user(database, actor, f"{prefix}{n}", f"Тест {prefix} {n}", "specialist", USER_PASSWORD)
        except BaseException as exc:  # reported by the test below, not lost in the thread
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(database, prefix))
        for database, prefix in ((db, "left"), (other, "right"))
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        other.dispose()

    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    ids = entry_ids(db)
    assert ids == list(range(1, len(ids) + 1))
    assert chain_problems(db) == []
