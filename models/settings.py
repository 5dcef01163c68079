"""Reading office settings and configurable defaults (values are JSON in the settings table)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.orm import Setting

OFFICE_KEYS = (
    "office.district_id",
    "office.department_name_ky",
    "office.department_name_ru",
    "office.head_name",
    "office.address",
    "office.phone",
)


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else json.loads(row.value)


def all_settings(session: Session) -> dict[str, Any]:
    return {row.key: json.loads(row.value) for row in session.scalars(select(Setting))}


def put_setting(session: Session, key: str, value: Any) -> None:
    """Write one setting in the caller's transaction (services call this, after their checks)."""
    text = json.dumps(value, ensure_ascii=False)
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text


def office_is_set_up(session: Session) -> bool:
    return get_setting(session, "office.district_id") is not None
