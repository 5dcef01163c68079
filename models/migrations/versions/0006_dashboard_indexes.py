"""covering indexes for the home page: cases by status and worker, completed assessments, pending work

Each answers one part of models.dashboard from the index alone (no row reads): the cases by
status and worker, and (partial) the live completed assessments and the live approved plans of
a case, the live reviews of a plan, the pending referrals of a case. The partial indexes'
predicates must stay the ones the dashboard writes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE = sa.text("deleted_at IS NULL")
_COMPLETED = sa.text("completed_on IS NOT NULL AND deleted_at IS NULL")
_APPROVED = sa.text("deleted_at IS NULL AND status = 'approved'")
_PENDING = sa.text("deleted_at IS NULL AND status = 'issued' AND reply_received_on IS NULL")


def upgrade() -> None:
    # Replaces ix_cases_status_worker, its prefix (SQLite's planner preferred the narrower one).
    op.drop_index("ix_cases_status_worker", table_name="cases")
    op.create_index(
        "ix_cases_status_worker_cover",
        "cases",
        ["status", "worker_id", "id", "opened_on", "case_year", "case_no", "child_id", "deleted_at"],
    )
    for table in ("initial_assessments", "comprehensive_assessments"):
        op.create_index(
            f"ix_{table}_completed",
            table,
            ["case_id", "completed_on", "deleted_at"],
            sqlite_where=_COMPLETED,
            postgresql_where=_COMPLETED,
        )
    op.create_index(
        "ix_plans_approved",
        "plans",
        ["case_id", "status", "approved_at", "start_date", "id", "deleted_at"],
        sqlite_where=_APPROVED,
        postgresql_where=_APPROVED,
    )
    op.create_index(
        "ix_plan_reviews_live",
        "plan_reviews",
        ["plan_id", "review_date", "deleted_at"],
        sqlite_where=_LIVE,
        postgresql_where=_LIVE,
    )
    op.create_index(
        "ix_referrals_pending",
        "referrals",
        [
            "case_id",
            "reply_due",
            "issued_on",
            "child_id",
            "id",
            "status",
            "reply_received_on",
            "deleted_at",
        ],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_referrals_pending", table_name="referrals")
    op.drop_index("ix_plan_reviews_live", table_name="plan_reviews")
    op.drop_index("ix_plans_approved", table_name="plans")
    op.drop_index("ix_comprehensive_assessments_completed", table_name="comprehensive_assessments")
    op.drop_index("ix_initial_assessments_completed", table_name="initial_assessments")
    op.drop_index("ix_cases_status_worker_cover", table_name="cases")
    op.create_index("ix_cases_status_worker", "cases", ["status", "worker_id"])
