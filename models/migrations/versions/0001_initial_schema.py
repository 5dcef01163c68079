"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 12:55:57.006206
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "admin_units",
        sa.Column("code", sa.String(length=20), nullable=True),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.Column("name_ru", sa.String(length=200), nullable=False),
        sa.Column("name_ky", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=True),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "level IN ('oblast', 'republic_city', 'district', 'city', 'city_district', 'aiyl_aimak', 'settlement')",
            name=op.f("ck_admin_units_level"),
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["admin_units.id"], name=op.f("fk_admin_units_parent_id_admin_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_units")),
    )
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_admin_units_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_admin_units_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("username", sa.String(length=60), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=60), nullable=True),
        sa.Column("entity_id", sa.Uuid(), nullable=True),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_log_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "change_log",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("table_name", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("operation", sa.String(length=1), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("operation IN ('I', 'U', 'D')", name=op.f("ck_change_log_operation")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_log")),
    )
    op.create_table(
        "number_counters",
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "district_id", "year", name=op.f("pk_number_counters")),
    )
    op.create_table(
        "reference_items",
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("code", sa.String(length=60), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("name_ky", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_items")),
        sa.UniqueConstraint("kind", "code", name=op.f("uq_reference_items_kind_code")),
    )
    op.create_table(
        "roles",
        sa.Column("code", sa.String(length=30), nullable=False),
        sa.Column("name_ru", sa.String(length=100), nullable=False),
        sa.Column("name_ky", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_roles")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "households",
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("settlement_id", sa.Uuid(), nullable=True),
        sa.Column("address_text", sa.String(length=500), nullable=True),
        sa.Column("housing", sa.String(length=300), nullable=True),
        sa.Column("income_sources", sa.Text(), nullable=True),
        sa.Column("benefits", sa.Text(), nullable=True),
        sa.Column("members_count", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_id"], ["admin_units.id"], name=op.f("fk_households_district_id_admin_units")
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"], ["admin_units.id"], name=op.f("fk_households_settlement_id_admin_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_households")),
    )
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_households_district_id"), ["district_id"], unique=False)

    op.create_table(
        "kdd_meetings",
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_year", sa.Integer(), nullable=False),
        sa.Column("meeting_no", sa.Integer(), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("chair_name", sa.String(length=300), nullable=True),
        sa.Column("secretary_name", sa.String(length=300), nullable=True),
        sa.Column("members_total", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('planned', 'held', 'cancelled')", name=op.f("ck_kdd_meetings_status")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["admin_units.id"], name=op.f("fk_kdd_meetings_district_id_admin_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kdd_meetings")),
        sa.UniqueConstraint(
            "district_id",
            "meeting_year",
            "meeting_no",
            name=op.f("uq_kdd_meetings_district_id_meeting_year_meeting_no"),
        ),
    )
    with op.batch_alter_table("kdd_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kdd_meetings_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kdd_meetings_meeting_date"), ["meeting_date"], unique=False)

    op.create_table(
        "organisations",
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("name_ky", sa.String(length=300), nullable=False),
        sa.Column("type_id", sa.Uuid(), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=True),
        sa.Column("phone", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=200), nullable=True),
        sa.Column("contact_person", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["district_id"], ["admin_units.id"], name=op.f("fk_organisations_district_id_admin_units")
        ),
        sa.ForeignKeyConstraint(
            ["type_id"], ["reference_items.id"], name=op.f("fk_organisations_type_id_reference_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisations")),
    )
    op.create_table(
        "persons",
        sa.Column("is_child", sa.Boolean(), nullable=False),
        sa.Column("last_name", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=200), nullable=False),
        sa.Column("patronymic", sa.String(length=200), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("pin", sa.String(length=14), nullable=True),
        sa.Column("pin_verified", sa.Boolean(), nullable=False),
        sa.Column(
            "last_name_key",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "first_name_key",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "patronymic_key",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("birth_cert_series", sa.String(length=20), nullable=True),
        sa.Column("birth_cert_number", sa.String(length=40), nullable=True),
        sa.Column("birth_cert_date", sa.Date(), nullable=True),
        sa.Column("birth_cert_issuer", sa.String(length=300), nullable=True),
        sa.Column("citizenship", sa.String(length=100), nullable=True),
        sa.Column("district_id", sa.Uuid(), nullable=True),
        sa.Column("settlement_id", sa.Uuid(), nullable=True),
        sa.Column("address_text", sa.String(length=500), nullable=True),
        sa.Column("school", sa.String(length=300), nullable=True),
        sa.Column("school_class", sa.String(length=20), nullable=True),
        sa.Column("disability", sa.Boolean(), nullable=False),
        sa.Column("disability_notes", sa.Text(), nullable=True),
        sa.Column("documents_missing", sa.Boolean(), nullable=False),
        sa.Column("documents_notes", sa.Text(), nullable=True),
        sa.Column("languages", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=100), nullable=True),
        sa.Column("occupation", sa.String(length=200), nullable=True),
        sa.Column("in_migration", sa.Boolean(), nullable=False),
        sa.Column("migration_country", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("current_case_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("sex IN ('F', 'M')", name=op.f("ck_persons_sex")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["admin_units.id"], name=op.f("fk_persons_district_id_admin_units")
        ),
        sa.ForeignKeyConstraint(
            ["settlement_id"], ["admin_units.id"], name=op.f("fk_persons_settlement_id_admin_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persons")),
    )
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_persons_birth_date"), ["birth_date"], unique=False)
        batch_op.create_index(
            "ix_persons_child_name", ["is_child", "last_name_key", "first_name_key"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_persons_current_case_id"), ["current_case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_first_name_key"), ["first_name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_last_name_key"), ["last_name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_persons_pin"), ["pin"], unique=False)

    op.create_table(
        "users",
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.String(length=200), nullable=True),
        sa.Column("role_code", sa.String(length=30), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["role_code"], ["roles.code"], name=op.f("fk_users_role_code_roles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "household_members",
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("relation_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_caregiver", sa.Boolean(), nullable=False),
        sa.Column("lives_with_child", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_household_members_household_id_households")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_household_members_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["relation_id"],
            ["reference_items.id"],
            name=op.f("fk_household_members_relation_id_reference_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_members")),
    )
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_members_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_household_members_person_id"), ["person_id"], unique=False)

    op.create_table(
        "kdd_members",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("job_title", sa.String(length=300), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "role IN ('chair', 'deputy', 'secretary', 'member')", name=op.f("ck_kdd_members_role")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["kdd_meetings.id"], name=op.f("fk_kdd_members_meeting_id_kdd_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kdd_members")),
    )
    with op.batch_alter_table("kdd_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kdd_members_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "reports",
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("reg_year", sa.Integer(), nullable=False),
        sa.Column("reg_no", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_type_id", sa.Uuid(), nullable=True),
        sa.Column("channel_id", sa.Uuid(), nullable=True),
        sa.Column("reporter_name", sa.String(length=300), nullable=True),
        sa.Column("reporter_contact", sa.String(length=300), nullable=True),
        sa.Column("reporter_agency", sa.String(length=300), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("concern", sa.Text(), nullable=True),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("assigned_worker_id", sa.Uuid(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decision_date", sa.Date(), nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=True),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "decision IN ('pending', 'open_case', 'refer_elsewhere', 'no_grounds')",
            name=op.f("ck_reports_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["assigned_worker_id"], ["users.id"], name=op.f("fk_reports_assigned_worker_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["channel_id"], ["reference_items.id"], name=op.f("fk_reports_channel_id_reference_items")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"], ["admin_units.id"], name=op.f("fk_reports_district_id_admin_units")
        ),
        sa.ForeignKeyConstraint(
            ["source_type_id"], ["reference_items.id"], name=op.f("fk_reports_source_type_id_reference_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reports")),
        sa.UniqueConstraint(
            "district_id", "reg_year", "reg_no", name=op.f("uq_reports_district_id_reg_year_reg_no")
        ),
    )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reports_assigned_worker_id"), ["assigned_worker_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reports_decision"), ["decision"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reports_received_at"), ["received_at"], unique=False)

    op.create_table(
        "cases",
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("case_year", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=True),
        sa.Column("report_id", sa.Uuid(), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("risk_level_id", sa.Uuid(), nullable=True),
        sa.Column("worker_id", sa.Uuid(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("reopened_count", sa.Integer(), nullable=False),
        sa.Column("transferred_to_id", sa.Uuid(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('registered', 'assessment', 'planning', 'implementation', 'monitoring', 'closed')",
            name=op.f("ck_cases_status"),
        ),
        sa.ForeignKeyConstraint(["child_id"], ["persons.id"], name=op.f("fk_cases_child_id_persons")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["admin_units.id"], name=op.f("fk_cases_district_id_admin_units")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["households.id"], name=op.f("fk_cases_household_id_households")
        ),
        sa.ForeignKeyConstraint(["report_id"], ["reports.id"], name=op.f("fk_cases_report_id_reports")),
        sa.ForeignKeyConstraint(
            ["risk_level_id"], ["reference_items.id"], name=op.f("fk_cases_risk_level_id_reference_items")
        ),
        sa.ForeignKeyConstraint(
            ["transferred_to_id"], ["admin_units.id"], name=op.f("fk_cases_transferred_to_id_admin_units")
        ),
        sa.ForeignKeyConstraint(["worker_id"], ["users.id"], name=op.f("fk_cases_worker_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint(
            "district_id", "case_year", "case_no", name=op.f("uq_cases_district_id_case_year_case_no")
        ),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_opened_on"), ["opened_on"], unique=False)
        batch_op.create_index("ix_cases_status_worker", ["status", "worker_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_cases_worker_id"), ["worker_id"], unique=False)

    op.create_table(
        "report_categories",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["reference_items.id"],
            name=op.f("fk_report_categories_category_id_reference_items"),
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_categories_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("report_id", "category_id", name=op.f("pk_report_categories")),
    )
    op.create_table(
        "report_children",
        sa.Column("report_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_report_children_person_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"], ["reports.id"], name=op.f("fk_report_children_report_id_reports")
        ),
        sa.PrimaryKeyConstraint("report_id", "person_id", name=op.f("pk_report_children")),
    )
    with op.batch_alter_table("report_children", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_report_children_person_id"), ["person_id"], unique=False)

    op.create_table(
        "case_categories",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("category_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_case_categories_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["reference_items.id"],
            name=op.f("fk_case_categories_category_id_reference_items"),
        ),
        sa.PrimaryKeyConstraint("case_id", "category_id", name=op.f("pk_case_categories")),
    )
    with op.batch_alter_table("case_categories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_categories_category_id"), ["category_id"], unique=False)

    op.create_table(
        "closures",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("reason_id", sa.Uuid(), nullable=False),
        sa.Column("final_assessment", sa.Text(), nullable=True),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("follow_up_date", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"], ["users.id"], name=op.f("fk_closures_approved_by_id_users")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_closures_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["reason_id"], ["reference_items.id"], name=op.f("fk_closures_reason_id_reference_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_closures")),
    )
    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_closures_case_id"), ["case_id"], unique=False)

    op.create_table(
        "comprehensive_assessments",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("strengths", sa.Text(), nullable=True),
        sa.Column("child_views", sa.Text(), nullable=True),
        sa.Column("overall_risk_id", sa.Uuid(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("assessor_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessor_id"], ["users.id"], name=op.f("fk_comprehensive_assessments_assessor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_comprehensive_assessments_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["overall_risk_id"],
            ["reference_items.id"],
            name=op.f("fk_comprehensive_assessments_overall_risk_id_reference_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comprehensive_assessments")),
    )
    with op.batch_alter_table("comprehensive_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_comprehensive_assessments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "housing_acts",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("act_date", sa.Date(), nullable=False),
        sa.Column("address_text", sa.String(length=500), nullable=True),
        sa.Column("occupancy_basis", sa.String(length=300), nullable=True),
        sa.Column("dwelling_type", sa.String(length=200), nullable=True),
        sa.Column("wall_material", sa.String(length=200), nullable=True),
        sa.Column("rooms", sa.Integer(), nullable=True),
        sa.Column("area_m2", sa.Numeric(precision=8, scale=2), nullable=True),
        sa.Column("heating", sa.String(length=200), nullable=True),
        sa.Column("water", sa.String(length=200), nullable=True),
        sa.Column("electricity", sa.String(length=200), nullable=True),
        sa.Column("toilet", sa.String(length=200), nullable=True),
        sa.Column("residents", sa.Text(), nullable=True),
        sa.Column("sleeping_place", sa.Text(), nullable=True),
        sa.Column("study_place", sa.Text(), nullable=True),
        sa.Column("sanitary_condition", sa.Text(), nullable=True),
        sa.Column("food", sa.Text(), nullable=True),
        sa.Column("income", sa.Text(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("recommendations", sa.Text(), nullable=True),
        sa.Column("family_acknowledged", sa.Boolean(), nullable=False),
        sa.Column("family_signatory", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_housing_acts_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_acts")),
    )
    with op.batch_alter_table("housing_acts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_housing_acts_case_id"), ["case_id"], unique=False)

    op.create_table(
        "initial_assessments",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("visit_date", sa.Date(), nullable=True),
        sa.Column("place", sa.String(length=300), nullable=True),
        sa.Column("participants", sa.Text(), nullable=True),
        sa.Column("immediate_danger", sa.Boolean(), nullable=False),
        sa.Column("safety_measures", sa.Text(), nullable=True),
        sa.Column("needs_food", sa.Text(), nullable=True),
        sa.Column("needs_health", sa.Text(), nullable=True),
        sa.Column("needs_education", sa.Text(), nullable=True),
        sa.Column("needs_documents", sa.Text(), nullable=True),
        sa.Column("caregiver_present", sa.Boolean(), nullable=True),
        sa.Column("parents_in_migration", sa.Boolean(), nullable=True),
        sa.Column("preliminary_categories", sa.Text(), nullable=True),
        sa.Column("conclusion", sa.Text(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("assessor_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessor_id"], ["users.id"], name=op.f("fk_initial_assessments_assessor_id_users")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_initial_assessments_case_id_cases")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initial_assessments")),
    )
    with op.batch_alter_table("initial_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_initial_assessments_case_id"), ["case_id"], unique=False)

    op.create_table(
        "kdd_agenda_items",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("child_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("reported_by", sa.String(length=300), nullable=True),
        sa.Column("attendees", sa.Text(), nullable=True),
        sa.Column("parent_invited", sa.Boolean(), nullable=False),
        sa.Column("parent_attended", sa.Boolean(), nullable=True),
        sa.Column("discussion", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_kdd_agenda_items_case_id_cases")),
        sa.ForeignKeyConstraint(
            ["child_id"], ["persons.id"], name=op.f("fk_kdd_agenda_items_child_id_persons")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["kdd_meetings.id"], name=op.f("fk_kdd_agenda_items_meeting_id_kdd_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kdd_agenda_items")),
    )
    with op.batch_alter_table("kdd_agenda_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kdd_agenda_items_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kdd_agenda_items_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "plans",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("plan_no", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("previous_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("child_participated", sa.Boolean(), nullable=False),
        sa.Column("family_participated", sa.Boolean(), nullable=False),
        sa.Column("approved_by_id", sa.Uuid(), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('child', 'family')", name=op.f("ck_plans_kind")),
        sa.CheckConstraint("status IN ('draft', 'approved', 'superseded')", name=op.f("ck_plans_status")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"], name=op.f("fk_plans_approved_by_id_users")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_plans_case_id_cases")),
        sa.ForeignKeyConstraint(["previous_id"], ["plans.id"], name=op.f("fk_plans_previous_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plans_review_date"), ["review_date"], unique=False)

    op.create_table(
        "visits",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("visit_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("worker_id", sa.Uuid(), nullable=True),
        sa.Column("participants", sa.Text(), nullable=True),
        sa.Column("observations", sa.Text(), nullable=True),
        sa.Column("next_visit_date", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('home', 'office', 'other')", name=op.f("ck_visits_kind")),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_visits_case_id_cases")),
        sa.ForeignKeyConstraint(["worker_id"], ["users.id"], name=op.f("fk_visits_worker_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visits")),
    )
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visits_case_id"), ["case_id"], unique=False)

    op.create_table(
        "assessment_domains",
        sa.Column("assessment_id", sa.Uuid(), nullable=False),
        sa.Column("domain_id", sa.Uuid(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("need_level_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["assessment_id"],
            ["comprehensive_assessments.id"],
            name=op.f("fk_assessment_domains_assessment_id_comprehensive_assessments"),
        ),
        sa.ForeignKeyConstraint(
            ["domain_id"],
            ["reference_items.id"],
            name=op.f("fk_assessment_domains_domain_id_reference_items"),
        ),
        sa.ForeignKeyConstraint(
            ["need_level_id"],
            ["reference_items.id"],
            name=op.f("fk_assessment_domains_need_level_id_reference_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_domains")),
    )
    with op.batch_alter_table("assessment_domains", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessment_domains_assessment_id"), ["assessment_id"], unique=False
        )

    op.create_table(
        "closure_outcomes",
        sa.Column("closure_id", sa.Uuid(), nullable=False),
        sa.Column("outcome_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closure_id"], ["closures.id"], name=op.f("fk_closure_outcomes_closure_id_closures")
        ),
        sa.ForeignKeyConstraint(
            ["outcome_id"],
            ["reference_items.id"],
            name=op.f("fk_closure_outcomes_outcome_id_reference_items"),
        ),
        sa.PrimaryKeyConstraint("closure_id", "outcome_id", name=op.f("pk_closure_outcomes")),
    )
    op.create_table(
        "housing_act_members",
        sa.Column("act_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("job_title", sa.String(length=300), nullable=True),
        sa.Column("organisation", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["act_id"], ["housing_acts.id"], name=op.f("fk_housing_act_members_act_id_housing_acts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_housing_act_members")),
    )
    with op.batch_alter_table("housing_act_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_housing_act_members_act_id"), ["act_id"], unique=False)

    op.create_table(
        "kdd_decisions",
        sa.Column("item_id", sa.Uuid(), nullable=False),
        sa.Column("decision_no", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responsible_body", sa.String(length=300), nullable=True),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("appeal_note", sa.Text(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("follow_up", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["kdd_agenda_items.id"], name=op.f("fk_kdd_decisions_item_id_kdd_agenda_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kdd_decisions")),
    )
    with op.batch_alter_table("kdd_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kdd_decisions_deadline"), ["deadline"], unique=False)
        batch_op.create_index(batch_op.f("ix_kdd_decisions_item_id"), ["item_id"], unique=False)

    op.create_table(
        "plan_goals",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_goals_plan_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_goals")),
    )
    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_goals_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_reviews",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=True),
        sa.Column("next_review_date", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_reviews_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_plan_reviews_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_reviews")),
    )
    with op.batch_alter_table("plan_reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_reviews_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "plan_actions",
        sa.Column("plan_id", sa.Uuid(), nullable=False),
        sa.Column("goal_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("need", sa.Text(), nullable=True),
        sa.Column("service_type_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("organisation_id", sa.Uuid(), nullable=True),
        sa.Column("responsible_person", sa.String(length=300), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'not_done')", name=op.f("ck_plan_actions_status")
        ),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["plan_goals.id"], name=op.f("fk_plan_actions_goal_id_plan_goals")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisations.id"],
            name=op.f("fk_plan_actions_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(["plan_id"], ["plans.id"], name=op.f("fk_plan_actions_plan_id_plans")),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["reference_items.id"],
            name=op.f("fk_plan_actions_service_type_id_reference_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_actions")),
    )
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_actions_due_date"), ["due_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_actions_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "referrals",
        sa.Column("district_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.Column("child_id", sa.Uuid(), nullable=True),
        sa.Column("plan_action_id", sa.Uuid(), nullable=True),
        sa.Column("out_year", sa.Integer(), nullable=True),
        sa.Column("out_no", sa.Integer(), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("organisation_id", sa.Uuid(), nullable=False),
        sa.Column("service_type_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_service", sa.Text(), nullable=True),
        sa.Column("attachments", sa.Text(), nullable=True),
        sa.Column("contains_personal_data", sa.Boolean(), nullable=False),
        sa.Column("consent_given", sa.Boolean(), nullable=False),
        sa.Column("consent_by", sa.String(length=300), nullable=True),
        sa.Column("consent_date", sa.Date(), nullable=True),
        sa.Column("reply_due", sa.Date(), nullable=True),
        sa.Column("reply_received_on", sa.Date(), nullable=True),
        sa.Column("reply_outcome", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("updated_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('draft', 'issued', 'replied', 'cancelled')", name=op.f("ck_referrals_status")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_referrals_case_id_cases")),
        sa.ForeignKeyConstraint(["child_id"], ["persons.id"], name=op.f("fk_referrals_child_id_persons")),
        sa.ForeignKeyConstraint(
            ["district_id"], ["admin_units.id"], name=op.f("fk_referrals_district_id_admin_units")
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name=op.f("fk_referrals_organisation_id_organisations")
        ),
        sa.ForeignKeyConstraint(
            ["plan_action_id"], ["plan_actions.id"], name=op.f("fk_referrals_plan_action_id_plan_actions")
        ),
        sa.ForeignKeyConstraint(
            ["service_type_id"],
            ["reference_items.id"],
            name=op.f("fk_referrals_service_type_id_reference_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referrals")),
        sa.UniqueConstraint(
            "district_id", "out_year", "out_no", name=op.f("uq_referrals_district_id_out_year_out_no")
        ),
    )
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_referrals_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_district_id"), ["district_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_issued_on"), ["issued_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_referrals_reply_due"), ["reply_due"], unique=False)

    # Persons and reports point at cases, which point back at them: these keys come last.
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.create_foreign_key(
            batch_op.f("fk_persons_current_case_id_cases"), "cases", ["current_case_id"], ["id"]
        )
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f("fk_reports_case_id_cases"), "cases", ["case_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_reports_case_id_cases"), type_="foreignkey")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_persons_current_case_id_cases"), type_="foreignkey")
    with op.batch_alter_table("referrals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_referrals_reply_due"))
        batch_op.drop_index(batch_op.f("ix_referrals_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_issued_on"))
        batch_op.drop_index(batch_op.f("ix_referrals_district_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_child_id"))
        batch_op.drop_index(batch_op.f("ix_referrals_case_id"))

    op.drop_table("referrals")
    with op.batch_alter_table("plan_actions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_actions_plan_id"))
        batch_op.drop_index(batch_op.f("ix_plan_actions_due_date"))

    op.drop_table("plan_actions")
    with op.batch_alter_table("plan_reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_reviews_plan_id"))

    op.drop_table("plan_reviews")
    with op.batch_alter_table("plan_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_goals_plan_id"))

    op.drop_table("plan_goals")
    with op.batch_alter_table("kdd_decisions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kdd_decisions_item_id"))
        batch_op.drop_index(batch_op.f("ix_kdd_decisions_deadline"))

    op.drop_table("kdd_decisions")
    with op.batch_alter_table("housing_act_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_housing_act_members_act_id"))

    op.drop_table("housing_act_members")
    op.drop_table("closure_outcomes")
    with op.batch_alter_table("assessment_domains", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_domains_assessment_id"))

    op.drop_table("assessment_domains")
    with op.batch_alter_table("visits", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visits_case_id"))

    op.drop_table("visits")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_review_date"))
        batch_op.drop_index(batch_op.f("ix_plans_case_id"))

    op.drop_table("plans")
    with op.batch_alter_table("kdd_agenda_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kdd_agenda_items_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_kdd_agenda_items_case_id"))

    op.drop_table("kdd_agenda_items")
    with op.batch_alter_table("initial_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initial_assessments_case_id"))

    op.drop_table("initial_assessments")
    with op.batch_alter_table("housing_acts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_housing_acts_case_id"))

    op.drop_table("housing_acts")
    with op.batch_alter_table("comprehensive_assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comprehensive_assessments_case_id"))

    op.drop_table("comprehensive_assessments")
    with op.batch_alter_table("closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_closures_case_id"))

    op.drop_table("closures")
    with op.batch_alter_table("case_categories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_categories_category_id"))

    op.drop_table("case_categories")
    with op.batch_alter_table("report_children", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_children_person_id"))

    op.drop_table("report_children")
    op.drop_table("report_categories")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_worker_id"))
        batch_op.drop_index("ix_cases_status_worker")
        batch_op.drop_index(batch_op.f("ix_cases_opened_on"))
        batch_op.drop_index(batch_op.f("ix_cases_household_id"))
        batch_op.drop_index(batch_op.f("ix_cases_district_id"))
        batch_op.drop_index(batch_op.f("ix_cases_child_id"))

    op.drop_table("cases")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reports_received_at"))
        batch_op.drop_index(batch_op.f("ix_reports_district_id"))
        batch_op.drop_index(batch_op.f("ix_reports_decision"))
        batch_op.drop_index(batch_op.f("ix_reports_assigned_worker_id"))

    op.drop_table("reports")
    with op.batch_alter_table("kdd_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kdd_members_meeting_id"))

    op.drop_table("kdd_members")
    with op.batch_alter_table("household_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_members_person_id"))
        batch_op.drop_index(batch_op.f("ix_household_members_household_id"))

    op.drop_table("household_members")
    op.drop_table("users")
    with op.batch_alter_table("persons", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_persons_pin"))
        batch_op.drop_index(batch_op.f("ix_persons_last_name_key"))
        batch_op.drop_index(batch_op.f("ix_persons_first_name_key"))
        batch_op.drop_index(batch_op.f("ix_persons_district_id"))
        batch_op.drop_index(batch_op.f("ix_persons_current_case_id"))
        batch_op.drop_index("ix_persons_child_name")
        batch_op.drop_index(batch_op.f("ix_persons_birth_date"))

    op.drop_table("persons")
    op.drop_table("organisations")
    with op.batch_alter_table("kdd_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kdd_meetings_meeting_date"))
        batch_op.drop_index(batch_op.f("ix_kdd_meetings_district_id"))

    op.drop_table("kdd_meetings")
    with op.batch_alter_table("households", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_households_district_id"))

    op.drop_table("households")
    op.drop_table("settings")
    op.drop_table("roles")
    op.drop_table("reference_items")
    op.drop_table("number_counters")
    op.drop_table("change_log")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_entity_id"))
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")
    op.drop_table("audit_head")
    with op.batch_alter_table("admin_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_admin_units_parent_id"))
        batch_op.drop_index(batch_op.f("ix_admin_units_code"))

    op.drop_table("admin_units")
