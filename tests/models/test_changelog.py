"""The change log that incremental uploads read, and the guard that keeps writes inside services."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from models.base import utcnow
from models.database import Database
from models.events import ACTOR_KEY, UnauthorisedWrite
from models.orm import AdminUnit, ChangeLogEntry, ReferenceItem, User
from models.services.base import Actor
from models.services.users import add_user, set_role

from tests.conftest import USER_PASSWORD

Change = tuple[str, uuid.UUID, str]


def last_seq(db: Database) -> int:
    with db.reading() as session:
        return session.scalar(select(func.max(ChangeLogEntry.seq))) or 0


def changes_after(db: Database, seq: int) -> list[Change]:
    with db.reading() as session:
        rows = session.execute(
            select(ChangeLogEntry.table_name, ChangeLogEntry.record_id, ChangeLogEntry.operation)
            .where(ChangeLogEntry.seq > seq)
            .order_by(ChangeLogEntry.seq)
        )
        return [(table, record_id, operation) for table, record_id, operation in rows]


def all_seqs(db: Database) -> list[int]:
    with db.reading() as session:
        return list(session.scalars(select(ChangeLogEntry.seq).order_by(ChangeLogEntry.seq)))


def test_service_writes_are_logged_in_order(db: Database, admin: Actor) -> None:
    start = last_seq(db)

    user_id = add_user(db, admin, "aibek", "Тест Айбек", "specialist", USER_PASSWORD)
    after_insert = last_seq(db)
    set_role(db, admin, "aibek", "social_worker")

    assert changes_after(db, start) == [("users", user_id, "I"), ("users", user_id, "U")]
    assert changes_after(db, after_insert) == [("users", user_id, "U")]
    seqs = all_seqs(db)
    assert seqs == sorted(set(seqs))
    with db.reading() as session:
        stamps = session.scalars(select(ChangeLogEntry.changed_at).where(ChangeLogEntry.seq > start))
        assert all(stamp.tzinfo is not None for stamp in stamps)


def test_a_soft_delete_is_logged_as_a_deletion(db: Database, admin: Actor) -> None:
    user_id = add_user(db, admin, "aibek", "Тест Айбек", "specialist", USER_PASSWORD)
    start = last_seq(db)

    with db.session() as session:
        session.info[ACTOR_KEY] = admin
        user = session.get(User, user_id)
        assert user is not None
        user.deleted_at = utcnow()
        session.commit()

    assert changes_after(db, start) == [("users", user_id, "D")]


def test_an_insert_outside_a_service_is_refused(db: Database) -> None:
    start = last_seq(db)

    with db.session() as session:
        session.add(
            ReferenceItem(
                kind="tjs_category", code="test_unauthorised", name_ru="Тест", name_ky="Тест", name_en="Test"
            )
        )
        with pytest.raises(UnauthorisedWrite):
            session.commit()

    with db.reading() as session:
        assert session.scalar(select(ReferenceItem).where(ReferenceItem.code == "test_unauthorised")) is None
    assert last_seq(db) == start


def test_an_update_outside_a_service_is_refused(db: Database) -> None:
    start = last_seq(db)

    with db.session() as session:
        unit = session.scalars(select(AdminUnit).where(AdminUnit.code == "41708222")).one()
        unit.name_ru = "Переименованный район"
        with pytest.raises(UnauthorisedWrite):
            session.commit()

    with db.reading() as session:
        unit = session.scalars(select(AdminUnit).where(AdminUnit.code == "41708222")).one()
        assert (unit.name_ru, unit.version) == ("Сокулукский район", 1)
    assert last_seq(db) == start


def test_a_hard_delete_is_refused_even_for_a_signed_in_user(db: Database, admin: Actor) -> None:
    user_id = add_user(db, admin, "aibek", "Тест Айбек", "specialist", USER_PASSWORD)
    start = last_seq(db)

    with db.session() as session:
        session.info[ACTOR_KEY] = admin
        user = session.get(User, user_id)
        session.delete(user)
        with pytest.raises(UnauthorisedWrite):
            session.commit()

    with db.reading() as session:
        user = session.get(User, user_id)
        assert user is not None
        assert user.deleted_at is None
    assert last_seq(db) == start
