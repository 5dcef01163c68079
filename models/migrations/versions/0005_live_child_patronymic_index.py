"""partial covering index on living children's patronymic keys, for name searches of several words

A search of several words reads the index ranges of one word only: its last name, first name
and patronymic ranges hold every match (each word starts one of the three name parts).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_WHERE = sa.text("is_child != 0 AND deleted_at IS NULL")
_PG_WHERE = sa.text("is_child AND deleted_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_persons_live_child_patronymic",
        "persons",
        ["patronymic_key", "last_name_key", "first_name_key", "id", "is_child", "deleted_at"],
        sqlite_where=_SQLITE_WHERE,
        postgresql_where=_PG_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_persons_live_child_patronymic", table_name="persons")
