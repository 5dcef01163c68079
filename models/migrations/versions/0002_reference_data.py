"""reference data: roles, settings, audit chain head, administrative units, reference lists

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

The data is frozen here, not imported from the application, so that this migration does
the same thing whatever later versions of the code look like. Reference rows get UUIDs
derived from their kind and code (uuid5), identical in every office, so that packages
from different offices name the same category or district by the same id.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFERENCE_NAMESPACE = uuid.UUID("6d1f4a52-8c1e-4c9b-9a7e-0b5a3c2d1e10")
GENESIS_HASH = "0" * 64

ROLES = [
    # code, ru, ky, en
    ("administrator", "Администратор", "Администратор", "Administrator"),
    ("head", "Руководитель отдела", "Бөлүм башчысы", "Department head"),
    ("specialist", "Специалист ОЗД", "БКБ адиси", "Child-protection specialist"),
    ("social_worker", "Социальный работник", "Социалдык кызматкер", "Social worker"),
    ("kdd_secretary", "Секретарь КДД", "БИБК катчысы", "KDD secretary"),
    ("read_only", "Только просмотр", "Көрүү гана", "Read only"),
]

SETTINGS = {
    # Deadlines are not fixed by law (DOMAIN.md §2): sensible defaults an office can change.
    "deadline.initial_assessment_working_days": 3,
    "deadline.comprehensive_assessment_days": 30,
    "deadline.plan_review_months": 3,
    "deadline.referral_reply_days": 10,
    "deadline.kdd_decision_days": 30,
    "deadline.follow_up_months": 6,
    "security.max_failed_logins": 5,
    "security.lockout_minutes": 15,
    "documents.language": "both",
}


def _ref_id(kind: str, code: str) -> uuid.UUID:
    return uuid.uuid5(REFERENCE_NAMESPACE, f"{kind}:{code}")


def upgrade() -> None:
    op.bulk_insert(
        sa.table("roles", sa.column("code"), sa.column("name_ru"), sa.column("name_ky"),
                 sa.column("name_en"), sa.column("sort_order")),
        [{"code": c, "name_ru": ru, "name_ky": ky, "name_en": en, "sort_order": i}
         for i, (c, ru, ky, en) in enumerate(ROLES)],
    )
    op.bulk_insert(
        sa.table("settings", sa.column("key"), sa.column("value")),
        [{"key": k, "value": json.dumps(v)} for k, v in SETTINGS.items()],
    )
    op.bulk_insert(
        sa.table("audit_head", sa.column("id"), sa.column("last_id"), sa.column("last_hash")),
        [{"id": 1, "last_id": 0, "last_hash": GENESIS_HASH}],
    )


def downgrade() -> None:
    op.execute("DELETE FROM audit_head")
    op.execute("DELETE FROM settings")
    op.execute("DELETE FROM roles")
