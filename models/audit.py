"""The append-only, hash-chained audit log.

Each entry's hash covers its own fields and the previous entry's hash, and the head row
holds the last id and hash, so an edited, removed or appended-by-hand row is detected.
Writers lock the head row first (:func:`lock_head`), which also serializes write
transactions: change-log sequence numbers then follow commit order.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models.base import utcnow
from models.orm import AuditEntry, AuditHead

GENESIS_HASH = "0" * 64


def _canonical(
    entry_id: int,
    at: datetime,
    user_id: uuid.UUID | None,
    username: str | None,
    action: str,
    entity: str | None,
    entity_id: uuid.UUID | None,
    details: str,
    prev_hash: str,
) -> bytes:
    payload = {
        "id": entry_id,
        "at": at.isoformat(timespec="microseconds"),
        "user_id": str(user_id) if user_id else None,
        "username": username,
        "action": action,
        "entity": entity,
        "entity_id": str(entity_id) if entity_id else None,
        "details": details,
        "prev": prev_hash,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(
        _canonical(
            entry.id,
            entry.at,
            entry.user_id,
            entry.username,
            entry.action,
            entry.entity,
            entry.entity_id,
            entry.details,
            entry.prev_hash,
        )
    ).hexdigest()


def lock_head(session: Session) -> None:
    """Take the write lock: a no-op update of the head row (row lock on PostgreSQL, write lock on SQLite)."""
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_id=AuditHead.last_id))


def append(
    session: Session,
    action: str,
    *,
    user_id: uuid.UUID | None = None,
    username: str | None = None,
    entity: str | None = None,
    entity_id: uuid.UUID | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry to the chain in the session's transaction. Never put a secret in *details*."""
    lock_head(session)
    last_id, last_hash = session.execute(
        select(AuditHead.last_id, AuditHead.last_hash).where(AuditHead.id == 1)
    ).one()
    at = utcnow()
    text = json.dumps(dict(details or {}), ensure_ascii=False, sort_keys=True, default=str)
    entry = AuditEntry(
        id=last_id + 1,
        at=at,
        user_id=user_id,
        username=username,
        action=action,
        entity=entity,
        entity_id=entity_id,
        details=text,
        prev_hash=last_hash,
    )
    entry.hash = entry_hash(entry)
    session.add(entry)
    session.flush()
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_id=entry.id, last_hash=entry.hash))
    return entry


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int | None
    reason: str  # "hash", "link", "gap", "head"


def verify_chain(session: Session, batch: int = 5000) -> list[ChainProblem]:
    """Recompute the chain; every problem found is listed (empty list: the log is intact)."""
    problems: list[ChainProblem] = []
    prev_hash = GENESIS_HASH
    expected_id = 1
    last_id = 0
    after = 0
    while True:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not entries:
            break
        for entry in entries:
            if entry.id != expected_id:
                problems.append(ChainProblem(entry.id, "gap"))
            if entry.prev_hash != prev_hash:
                problems.append(ChainProblem(entry.id, "link"))
            if entry_hash(entry) != entry.hash:
                problems.append(ChainProblem(entry.id, "hash"))
            prev_hash = entry.hash
            expected_id = entry.id + 1
            last_id = entry.id
        after = entries[-1].id
        session.expunge_all()
    head = session.get(AuditHead, 1)
    if head is None or head.last_id != last_id or head.last_hash != prev_hash:
        problems.append(ChainProblem(None, "head"))
    return problems
