"""Human numbers (case №, report reg. №, referral outgoing №, КДД meeting №): per district and year."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.orm import NumberCounter

SCOPES = ("case", "report", "referral", "kdd_meeting")


def next_number(session: Session, scope: str, district_id: uuid.UUID, year: int) -> int:
    """The next number in *scope* for the district and year, inside the caller's write transaction.

    Write transactions are serialized by the audit-head lock, so read-then-write is safe here.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown numbering scope {scope!r}")
    key = (NumberCounter.scope == scope, NumberCounter.district_id == district_id, NumberCounter.year == year)
    current = session.scalar(select(NumberCounter.last_value).where(*key))
    if current is None:
        session.add(NumberCounter(scope=scope, district_id=district_id, year=year, last_value=1))
        session.flush()
        return 1
    session.execute(update(NumberCounter).where(*key).values(last_value=current + 1))
    return current + 1
