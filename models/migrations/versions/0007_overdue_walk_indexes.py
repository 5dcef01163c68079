"""indexes in due-date order for the home page's overdue lists

Each lets models.dashboard read one kind of overdue item in the order of its due dates and stop
after the first rows (and the capped count), instead of sorting them all: the open cases by
opening (of the office, and per worker), the approved plans by approval, the live reviews by
date, the pending plan actions by due date (and per plan, for counting one's own), the pending
referrals by reply date. Partial; their predicates must stay the ones the dashboard writes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LIVE = sa.text("deleted_at IS NULL")
_OPEN = sa.text("deleted_at IS NULL AND status <> 'closed'")
_APPROVED = sa.text("deleted_at IS NULL AND status = 'approved'")
_ACTION_PENDING = sa.text(
    "deleted_at IS NULL AND status IN ('planned', 'in_progress') AND due_date IS NOT NULL"
)
_REFERRAL_PENDING = sa.text("deleted_at IS NULL AND status = 'issued' AND reply_received_on IS NULL")

# name, table, columns, predicate
_INDEXES: tuple[tuple[str, str, list[str], sa.TextClause], ...] = (
    (
        "ix_cases_open_by_opening",
        "cases",
        ["opened_on", "case_year", "case_no", "worker_id", "id", "child_id", "status", "deleted_at"],
        _OPEN,
    ),
    (
        "ix_cases_open_by_worker",
        "cases",
        ["worker_id", "opened_on", "case_year", "case_no", "id", "child_id", "status", "deleted_at"],
        _OPEN,
    ),
    (
        "ix_plans_approved_by_approval",
        "plans",
        ["approved_at", "start_date", "case_id", "id", "status", "deleted_at"],
        _APPROVED,
    ),
    ("ix_plan_reviews_live_by_date", "plan_reviews", ["review_date", "plan_id", "id", "deleted_at"], _LIVE),
    (
        "ix_plan_actions_pending_by_due",
        "plan_actions",
        ["due_date", "plan_id", "status", "deleted_at"],
        _ACTION_PENDING,
    ),
    (
        "ix_plan_actions_pending_by_plan",
        "plan_actions",
        ["plan_id", "due_date", "status", "deleted_at"],
        _ACTION_PENDING,
    ),
    (
        "ix_referrals_pending_by_due",
        "referrals",
        ["reply_due", "issued_on", "case_id", "child_id", "id", "status", "reply_received_on", "deleted_at"],
        _REFERRAL_PENDING,
    ),
)


def upgrade() -> None:
    for name, table, columns, where in _INDEXES:
        op.create_index(name, table, columns, sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    for name, table, _columns, _where in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
