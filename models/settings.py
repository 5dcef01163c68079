"""Reading office settings and configurable defaults (values are JSON in the settings table)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.orm import Setting


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else json.loads(row.value)


def load_settings(session: Session, keys: Iterable[str]) -> list[Setting]:
    """The rows of the settings *keys* that are set, read in one query.

    While the caller holds the list, :func:`get_setting` of these keys needs no query: the session
    answers from the rows it has (it keeps a row only as long as something refers to it).
    """
    wanted = list(keys)
    return list(session.scalars(select(Setting).where(Setting.key.in_(wanted)))) if wanted else []


def get_settings(session: Session, keys: Iterable[str]) -> dict[str, Any]:
    """The values of the settings *keys* that are set, read in one query (a key not set is left out)."""
    return values_of(load_settings(session, keys))


def values_of(rows: Iterable[Setting]) -> dict[str, Any]:
    """The values of setting rows by key."""
    return {row.key: json.loads(row.value) for row in rows}


def put_setting(session: Session, key: str, value: Any) -> None:
    """Write one setting in the caller's transaction (services call this, after their checks)."""
    text = json.dumps(value, ensure_ascii=False)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text


def office_district_id(session: Session) -> uuid.UUID | None:
    """The district of the office that keeps this database (None before the first setup)."""
    value = get_setting(session, "office.district_id")
    return uuid.UUID(value) if value else None


def office_is_set_up(session: Session) -> bool:
    return office_district_id(session) is not None
