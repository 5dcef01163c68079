"""Helpers of the import tests: an empty consolidation database, and comparisons of whole databases."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy import inspect, select, text

from models.database import Database, open_database
from models.exchange import format as fmt
from models.services.base import Actor
from models.services.office import OfficeDetails, set_up_office
from models.services.users import authenticate

REGION_DISTRICT = "41702205"  # Ак-Суйский район: the consolidating office is another district
REGION_ADMIN = ("region-admin", "region-Пароль-1")
# Columns of users that never travel or that the import sets itself (new users arrive inactive).
LOCAL_USER_COLUMNS = frozenset(
    {"password_hash", "failed_logins", "locked_until", "last_login_at", "must_change_password", "active"}
)


def consolidation_db(target: str | Path) -> tuple[Database, Actor]:
    """A new database (file or URL): the schema and reference data only, set up for another district."""
    db = open_database(target)
    set_up_office(
        db,
        OfficeDetails(
            REGION_DISTRICT, "Ак-Суу райондук бөлүмү", "Отдел Ак-Суйского района", "Асанов", "Теплоключенка"
        ),
        REGION_ADMIN[0],
        "Администратор Региона",
        REGION_ADMIN[1],
    )
    return db, authenticate(db, *REGION_ADMIN)


def _rows(db: Database, table_name: str) -> dict[uuid.UUID, dict[str, Any]]:
    table = fmt.table(table_name)
    with db.reading() as session:
        return {row.id: dict(row._mapping) for row in session.execute(select(table))}


def _comparable(table_name: str, row: dict[str, Any]) -> dict[str, Any]:
    """What must arrive of a row: every column (a tombstone: its deletion and version only)."""
    if row["deleted_at"] is not None:
        return {"id": row["id"], "deleted_at": row["deleted_at"], "version": row["version"]}
    if table_name == "users":
        return {k: v for k, v in row.items() if k not in LOCAL_USER_COLUMNS}
    return row


def _associations(db: Database, assoc: fmt.Association) -> set[tuple[Any, ...]]:
    table = fmt.table(assoc.table)
    with db.reading() as session:
        return {
            tuple(r)
            for r in session.execute(select(table.c[assoc.parent_column], table.c[assoc.item_column]))
        }


def data_differences(
    office: Database, target: Database, target_own: set[uuid.UUID], ignored: frozenset[str] = frozenset()
) -> list[str]:
    """Where the target differs from the office in the travelling tables (none: it holds the office's data).

    Every live row of the office must be in the target, column by column (but the *ignored* columns);
    a row the target holds from the office that is deleted there must be deleted here; *target_own*
    are the target's rows that did not come from this office.
    """
    problems: list[str] = []
    for table_name in fmt.travelling_tables():
        source = _rows(office, table_name)
        received = {k: v for k, v in _rows(target, table_name).items() if k not in target_own}
        expected = {
            k: _comparable(table_name, v)
            for k, v in source.items()
            if v["deleted_at"] is None or k in received
        }
        actual = {k: _comparable(table_name, v) for k, v in received.items()}
        if set(expected) != set(actual):
            problems.append(f"{table_name}: ids differ {set(expected) ^ set(actual)}")
            continue
        for record_id, row in expected.items():
            other = actual[record_id]
            diff = {k: (row[k], other.get(k)) for k in row if k not in ignored and row[k] != other.get(k)}
            if diff:
                problems.append(f"{table_name} {record_id}: {diff}")
        for assoc in fmt.ASSOCIATIONS.get(table_name, ()):
            live = {k for k, v in source.items() if v["deleted_at"] is None}
            want = {r for r in _associations(office, assoc) if r[0] in live}
            got = {r for r in _associations(target, assoc) if r[0] in live}
            if want != got:
                problems.append(f"{assoc.table}: {want ^ got}")
    return problems


def own_ids(db: Database) -> set[uuid.UUID]:
    """The ids of the records a database holds before any import (its own admin and so on)."""
    out: set[uuid.UUID] = set()
    for table_name in fmt.travelling_tables():
        if table_name in ("admin_units", "reference_items"):
            continue
        out |= set(_rows(db, table_name))
    return out


def fingerprint(db: Database) -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows: equal before and after means nothing changed."""
    out: dict[str, tuple[int, str]] = {}
    with db.engine.connect() as connection:
        for table_name in sorted(inspect(connection).get_table_names()):
            rows = connection.execute(text(f'SELECT * FROM "{table_name}"')).all()
            digest = hashlib.sha256("\n".join(sorted(repr(tuple(r)) for r in rows)).encode())
            out[table_name] = (len(rows), digest.hexdigest())
    return out
