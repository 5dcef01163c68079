"""exchange state: the upload packages written and applied, and the conflicts found on import

exchange_packages keeps, per district and stream (personal / depersonalised), the sequence of
the packages this database wrote ('out') and applied ('in'), identified by the SHA-256 of their
manifest; exchange_conflicts keeps both versions of a record changed on both sides until a
person decides. Neither table travels.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "exchange_packages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("district_code", sa.String(length=20), nullable=False),
        sa.Column("stream", sa.String(length=20), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("previous_sequence", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("encrypted", sa.Boolean(), nullable=False),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("changes_through", sa.Integer(), nullable=True),
        sa.Column("local_changes_through", sa.Integer(), nullable=True),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=True),
        sa.CheckConstraint("direction IN ('out', 'in')", name=op.f("ck_exchange_packages_direction")),
        sa.CheckConstraint(
            "stream IN ('personal', 'depersonalized')", name=op.f("ck_exchange_packages_stream")
        ),
        sa.CheckConstraint("kind IN ('full', 'incremental')", name=op.f("ck_exchange_packages_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_packages")),
    )
    op.create_index(
        op.f("ix_exchange_packages_manifest_sha256"), "exchange_packages", ["manifest_sha256"], unique=False
    )
    op.create_index(
        "ix_exchange_packages_stream",
        "exchange_packages",
        ["direction", "district_code", "stream", "sequence"],
        unique=False,
    )
    op.create_table(
        "exchange_conflicts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("package_id", sa.Uuid(), nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("local_data", sa.Text(), nullable=False),
        sa.Column("incoming_data", sa.Text(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by", sa.Uuid(), nullable=True),
        sa.Column("resolution", sa.String(length=10), nullable=True),
        sa.CheckConstraint(
            "resolution IN ('local', 'incoming')", name=op.f("ck_exchange_conflicts_resolution")
        ),
        sa.ForeignKeyConstraint(
            ["package_id"],
            ["exchange_packages.id"],
            name=op.f("fk_exchange_conflicts_package_id_exchange_packages"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_conflicts")),
    )
    op.create_index(
        op.f("ix_exchange_conflicts_package_id"), "exchange_conflicts", ["package_id"], unique=False
    )
    op.create_index(
        op.f("ix_exchange_conflicts_record_id"), "exchange_conflicts", ["record_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_exchange_conflicts_record_id"), table_name="exchange_conflicts")
    op.drop_index(op.f("ix_exchange_conflicts_package_id"), table_name="exchange_conflicts")
    op.drop_table("exchange_conflicts")
    op.drop_index("ix_exchange_packages_stream", table_name="exchange_packages")
    op.drop_index(op.f("ix_exchange_packages_manifest_sha256"), table_name="exchange_packages")
    op.drop_table("exchange_packages")
