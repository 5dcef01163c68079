"""partial covering indexes for name search over living children's records

They replace ix_persons_child_name, whose two-valued leading column misled SQLite's planner.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_WHERE = sa.text("is_child != 0 AND deleted_at IS NULL")
_PG_WHERE = sa.text("is_child AND deleted_at IS NULL")


def upgrade() -> None:
    op.drop_index("ix_persons_child_name", table_name="persons")
    op.create_index(
        "ix_persons_live_child_last",
        "persons",
        ["last_name_key", "first_name_key", "id", "patronymic_key", "is_child", "deleted_at"],
        sqlite_where=_SQLITE_WHERE,
        postgresql_where=_PG_WHERE,
    )
    op.create_index(
        "ix_persons_live_child_first",
        "persons",
        ["first_name_key", "last_name_key", "id", "patronymic_key", "is_child", "deleted_at"],
        sqlite_where=_SQLITE_WHERE,
        postgresql_where=_PG_WHERE,
    )


def downgrade() -> None:
    op.drop_index("ix_persons_live_child_first", table_name="persons")
    op.drop_index("ix_persons_live_child_last", table_name="persons")
    op.create_index("ix_persons_child_name", "persons", ["is_child", "last_name_key", "first_name_key"])
