"""derived children register (child_register) for fast category and status filters; number indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key() -> sa.types.TypeEngine[str]:
    return sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "child_register",
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("last_name_key", _key(), nullable=False),
        sa.Column("first_name_key", _key(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_child_register_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["reference_items.id"],
            name=op.f("fk_child_register_category_id_reference_items"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["persons.id"], name=op.f("fk_child_register_child_id_persons")
        ),
        sa.PrimaryKeyConstraint("child_id", "category_id", name=op.f("pk_child_register")),
    )
    op.create_index(op.f("ix_child_register_case_id"), "child_register", ["case_id"], unique=False)
    op.create_index(
        "ix_child_register_filter",
        "child_register",
        ["category_id", "status", "last_name_key", "first_name_key", "child_id"],
        unique=False,
    )
    op.create_index("ix_cases_number", "cases", ["case_year", "case_no"], unique=False)
    op.create_index("ix_reports_number", "reports", ["reg_year", "reg_no"], unique=False)
    op.create_index("ix_referrals_number", "referrals", ["out_year", "out_no"], unique=False)
    op.execute(
        "INSERT INTO child_register (child_id, category_id, case_id, status, worker_id, district_id, "
        "opened_on, last_name_key, first_name_key) "
        "SELECT p.id, cc.category_id, c.id, c.status, c.worker_id, p.district_id, c.opened_on, "
        "p.last_name_key, p.first_name_key FROM persons p "
        "JOIN cases c ON c.id = p.current_case_id "
        "JOIN case_categories cc ON cc.case_id = c.id "
        "WHERE p.is_child AND p.deleted_at IS NULL AND c.deleted_at IS NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_referrals_number", table_name="referrals")
    op.drop_index("ix_reports_number", table_name="reports")
    op.drop_index("ix_cases_number", table_name="cases")
    op.drop_index("ix_child_register_filter", table_name="child_register")
    op.drop_index(op.f("ix_child_register_case_id"), table_name="child_register")
    op.drop_table("child_register")
