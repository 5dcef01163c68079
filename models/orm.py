"""The domain model (DOMAIN.md §4) as a SQLAlchemy 2 typed ORM.

Every table that travels in an upload package derives from :class:`Record`. Reference data
(administrative units, categories, outcomes, service and relation types …) is data in
tables seeded by migrations. Workflow states that the code enforces (case status, plan
status, referral status) are short codes with their labels in the translation catalogs.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models import names
from models.base import Base, Record, key_string
from models.ids import new_id

# --- reference data -------------------------------------------------------------------


class AdminUnit(Record):
    """An administrative unit (oblast, city, district, айыл аймак, settlement), versioned.

    Units are renamed and merged; a record keeps the unit row it was registered under, and
    a new row with its own validity period is added when a unit changes.
    """

    __tablename__ = "admin_units"

    code: Mapped[str | None] = mapped_column(String(20), index=True)  # СОАТЕ
    level: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    name_ru: Mapped[str] = mapped_column(String(200))
    name_ky: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    parent: Mapped[AdminUnit | None] = relationship(remote_side="AdminUnit.id")

    __table_args__ = (
        CheckConstraint(
            "level IN ('oblast', 'republic_city', 'district', 'city', 'city_district', "
            "'aiyl_aimak', 'settlement')",
            name="level",
        ),
    )


class ReferenceItem(Record):
    """One entry of an editable reference list, such as a ТЖС category or a closure reason."""

    __tablename__ = "reference_items"

    kind: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(60))
    name_ru: Mapped[str] = mapped_column(String(300))
    name_ky: Mapped[str] = mapped_column(String(300))
    name_en: Mapped[str] = mapped_column(String(300))
    sort_order: Mapped[int] = mapped_column(default=0)
    active: Mapped[bool] = mapped_column(default=True)

    __table_args__ = (UniqueConstraint("kind", "code"),)

    def name(self, lang: str) -> str:
        return {"ru": self.name_ru, "ky": self.name_ky}.get(lang, self.name_en)


class Setting(Base):
    """Office settings and configurable defaults (deadlines, lockout), values as JSON text."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Role(Base):
    """A role; what it may do is the permission table in :mod:`models.permissions`."""

    __tablename__ = "roles"

    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name_ru: Mapped[str] = mapped_column(String(100))
    name_ky: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(default=0)


class User(Record):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(60), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    role_code: Mapped[str] = mapped_column(ForeignKey("roles.code"))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    must_change_password: Mapped[bool] = mapped_column(default=False)

    role: Mapped[Role] = relationship()


class Organisation(Record):
    """A partner that receives referrals: school, health centre, police, айыл окмоту, NGO …"""

    __tablename__ = "organisations"

    name_ru: Mapped[str] = mapped_column(String(300))
    name_ky: Mapped[str] = mapped_column(String(300))
    type_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reference_items.id"))
    district_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_units.id"))
    address: Mapped[str | None] = mapped_column(String(500))
    phone: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(200))
    contact_person: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)

    type: Mapped[ReferenceItem | None] = relationship()


# --- people and households ------------------------------------------------------------


class Person(Record):
    """A child or an adult. The ПИН is not unique (duplicates exist nationally)."""

    __tablename__ = "persons"

    is_child: Mapped[bool] = mapped_column(default=True)
    last_name: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str] = mapped_column(String(200))
    patronymic: Mapped[str | None] = mapped_column(String(200))
    sex: Mapped[str | None] = mapped_column(String(1))
    birth_date: Mapped[date | None] = mapped_column(Date, index=True)
    pin: Mapped[str | None] = mapped_column(String(14), index=True)
    pin_verified: Mapped[bool] = mapped_column(default=False)
    # Normalized search keys, written on every save (models.names).
    last_name_key: Mapped[str] = mapped_column(key_string(200), index=True)
    first_name_key: Mapped[str] = mapped_column(key_string(200), index=True)
    patronymic_key: Mapped[str] = mapped_column(key_string(200), default="")
    birth_cert_series: Mapped[str | None] = mapped_column(String(20))
    birth_cert_number: Mapped[str | None] = mapped_column(String(40))
    birth_cert_date: Mapped[date | None] = mapped_column(Date)
    birth_cert_issuer: Mapped[str | None] = mapped_column(String(300))
    citizenship: Mapped[str | None] = mapped_column(String(100))
    district_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    settlement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_units.id"))
    address_text: Mapped[str | None] = mapped_column(String(500))
    school: Mapped[str | None] = mapped_column(String(300))
    school_class: Mapped[str | None] = mapped_column(String(20))
    disability: Mapped[bool] = mapped_column(default=False)
    disability_notes: Mapped[str | None] = mapped_column(Text)
    documents_missing: Mapped[bool] = mapped_column(default=False)
    documents_notes: Mapped[str | None] = mapped_column(Text)
    languages: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(100))
    occupation: Mapped[str | None] = mapped_column(String(200))
    in_migration: Mapped[bool] = mapped_column(default=False)
    migration_country: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    # The child's most recent case, kept by the case services so registers join one row.
    current_case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", use_alter=True), index=True
    )

    district: Mapped[AdminUnit | None] = relationship(foreign_keys=[district_id])

    __table_args__ = (
        CheckConstraint("sex IN ('F', 'M')", name="sex"),
        # Name search over living children's records, answered from the index alone (no row reads):
        # the predicate must stay the one the registers write (models.registers._LIVE_CHILD).
        Index(
            "ix_persons_live_child_last",
            "last_name_key",
            "first_name_key",
            "id",
            "patronymic_key",
            "is_child",
            "deleted_at",
            sqlite_where=text("is_child != 0 AND deleted_at IS NULL"),
            postgresql_where=text("is_child AND deleted_at IS NULL"),
        ),
        Index(
            "ix_persons_live_child_first",
            "first_name_key",
            "last_name_key",
            "id",
            "patronymic_key",
            "is_child",
            "deleted_at",
            sqlite_where=text("is_child != 0 AND deleted_at IS NULL"),
            postgresql_where=text("is_child AND deleted_at IS NULL"),
        ),
        Index(
            "ix_persons_live_child_patronymic",
            "patronymic_key",
            "last_name_key",
            "first_name_key",
            "id",
            "is_child",
            "deleted_at",
            sqlite_where=text("is_child != 0 AND deleted_at IS NULL"),
            postgresql_where=text("is_child AND deleted_at IS NULL"),
        ),
    )

    @property
    def full_name(self) -> str:
        return names.full_name(self.last_name, self.first_name, self.patronymic)


class Household(Record):
    __tablename__ = "households"

    district_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_units.id"), index=True)
    settlement_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_units.id"))
    address_text: Mapped[str | None] = mapped_column(String(500))
    housing: Mapped[str | None] = mapped_column(String(300))
    income_sources: Mapped[str | None] = mapped_column(Text)
    benefits: Mapped[str | None] = mapped_column(Text)
    members_count: Mapped[int | None]
    notes: Mapped[str | None] = mapped_column(Text)

    members: Mapped[list[HouseholdMember]] = relationship(
        back_populates="household", order_by="HouseholdMember.position"
    )


class HouseholdMember(Record):
    """A person in a household with their relation to the children of the household."""

    __tablename__ = "household_members"

    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    relation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reference_items.id"))
    position: Mapped[int] = mapped_column(default=0)
    is_caregiver: Mapped[bool] = mapped_column(default=False)
    lives_with_child: Mapped[bool] = mapped_column(default=True)

    household: Mapped[Household] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()
    relation: Mapped[ReferenceItem | None] = relationship()


# --- reports and cases ----------------------------------------------------------------

report_children = Table(
    "report_children",
    Base.metadata,
    Column("report_id", ForeignKey("reports.id"), primary_key=True),
    Column("person_id", ForeignKey("persons.id"), primary_key=True, index=True),
)

report_categories = Table(
    "report_categories",
    Base.metadata,
    Column("report_id", ForeignKey("reports.id"), primary_key=True),
    Column("category_id", ForeignKey("reference_items.id"), primary_key=True),
)

case_categories = Table(
    "case_categories",
    Base.metadata,
    Column("case_id", ForeignKey("cases.id"), primary_key=True),
    Column("category_id", ForeignKey("reference_items.id"), primary_key=True, index=True),
)


class Report(Record):
    """A report (сообщение) registered in the journal of reports."""

    __tablename__ = "reports"

    district_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("admin_units.id"), index=True)
    reg_year: Mapped[int]
    reg_no: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(index=True)
    source_type_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reference_items.id"))
    channel_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reference_items.id"))
    reporter_name: Mapped[str | None] = mapped_column(String(300))
    reporter_contact: Mapped[str | None] = mapped_column(String(300))
    reporter_agency: Mapped[str | None] = mapped_column(String(300))
    anonymous: Mapped[bool] = mapped_column(default=False)
    concern: Mapped[str | None] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(default=False)
    assigned_worker_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    decision: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    decision_date: Mapped[date | None] = mapped_column(Date)
    decision_note: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id", use_alter=True))

    children: Mapped[list[Person]] = relationship(secondary=report_children)
    categories: Mapped[list[ReferenceItem]] = relationship(secondary=report_categories)

    __table_args__ = (
        UniqueConstraint("district_id", "reg_year", "reg_no"),
        Index("ix_reports_number", "reg_year", "reg_no"),
        CheckConstraint(
            "decision IN ('pending', 'open_case', 'refer_elsewhere', 'no_grounds')", name="decision"
        ),
    )


CASE_STATUSES = ("registered", "assessment", "planning", "implementation", "monitoring", "closed")


class Case(Record):
    """A case (случай) of one child, numbered per district and year."""

    __tablename__ = "cases"

    district_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("admin_units.id"), index=True)
    case_year: Mapped[int]
    case_no: Mapped[int]
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), index=True)
    household_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("households.id"), index=True)
    report_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reports.id"))
    opened_on: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="registered")
    risk_level_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reference_items.id"))
    worker_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    closed_on: Mapped[date | None] = mapped_column(Date)
    reopened_count: Mapped[int] = mapped_column(default=0)
    transferred_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("admin_units.id"))
    summary: Mapped[str | None] = mapped_column(Text)

    child: Mapped[Person] = relationship(foreign_keys=[child_id])
    household: Mapped[Household | None] = relationship()
    categories: Mapped[list[ReferenceItem]] = relationship(secondary=case_categories)
    risk_level: Mapped[ReferenceItem | None] = relationship(foreign_keys=[risk_level_id])
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id])

    __table_args__ = (
        UniqueConstraint("district_id", "case_year", "case_no"),
        Index("ix_cases_number", "case_year", "case_no"),
        CheckConstraint("status IN ('" + "', '".join(CASE_STATUSES) + "')", name="status"),
        # Cases by status and worker; the home page's open cases are read from the index alone
        # (models.dashboard; migration 0006).
        Index(
            "ix_cases_status_worker_cover",
            "status",
            "worker_id",
            "id",
            "opened_on",
            "case_year",
            "case_no",
            "child_id",
            "deleted_at",
        ),
        # Open cases in the order of opening, of the office and per worker: the overdue
        # assessments (models.dashboard; migration 0007).
        Index(
            "ix_cases_open_by_opening",
            "opened_on",
            "case_year",
            "case_no",
            "worker_id",
            "id",
            "child_id",
            "status",
            "deleted_at",
            sqlite_where=text("deleted_at IS NULL AND status <> 'closed'"),
            postgresql_where=text("deleted_at IS NULL AND status <> 'closed'"),
        ),
        Index(
            "ix_cases_open_by_worker",
            "worker_id",
            "opened_on",
            "case_year",
            "case_no",
            "id",
            "child_id",
            "status",
            "deleted_at",
            sqlite_where=text("deleted_at IS NULL AND status <> 'closed'"),
            postgresql_where=text("deleted_at IS NULL AND status <> 'closed'"),
        ),
    )

    @property
    def number(self) -> str:
        return f"{self.case_no}/{self.case_year}"


# --- assessments ----------------------------------------------------------------------


class InitialAssessment(Record):
    """Первичная оценка: home visit and immediate safety."""

    __tablename__ = "initial_assessments"
    __table_args__ = (
        # Whether a case has a completed assessment (models.dashboard; migration 0006).
        Index(
            "ix_initial_assessments_completed",
            "case_id",
            "completed_on",
            "deleted_at",
            sqlite_where=text("completed_on IS NOT NULL AND deleted_at IS NULL"),
            postgresql_where=text("completed_on IS NOT NULL AND deleted_at IS NULL"),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    visit_date: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str | None] = mapped_column(String(300))
    participants: Mapped[str | None] = mapped_column(Text)
    immediate_danger: Mapped[bool] = mapped_column(default=False)
    safety_measures: Mapped[str | None] = mapped_column(Text)
    needs_food: Mapped[str | None] = mapped_column(Text)
    needs_health: Mapped[str | None] = mapped_column(Text)
    needs_education: Mapped[str | None] = mapped_column(Text)
    needs_documents: Mapped[str | None] = mapped_column(Text)
    caregiver_present: Mapped[bool | None]
    parents_in_migration: Mapped[bool | None]
    preliminary_categories: Mapped[str | None] = mapped_column(Text)  # category codes, comma-separated
    conclusion: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date)
    assessor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ComprehensiveAssessment(Record):
    """Комплексная оценка потребностей, with one row per domain."""

    __tablename__ = "comprehensive_assessments"
    __table_args__ = (
        # Whether a case has a completed assessment (models.dashboard; migration 0006).
        Index(
            "ix_comprehensive_assessments_completed",
            "case_id",
            "completed_on",
            "deleted_at",
            sqlite_where=text("completed_on IS NOT NULL AND deleted_at IS NULL"),
            postgresql_where=text("completed_on IS NOT NULL AND deleted_at IS NULL"),
        ),
    )

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    due_date: Mapped[date | None] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    strengths: Mapped[str | None] = mapped_column(Text)
    child_views: Mapped[str | None] = mapped_column(Text)
    overall_risk_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reference_items.id"))
    summary: Mapped[str | None] = mapped_column(Text)
    assessor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    domains: Mapped[list[AssessmentDomain]] = relationship(back_populates="assessment")


class AssessmentDomain(Record):
    __tablename__ = "assessment_domains"

    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("comprehensive_assessments.id"), index=True)
    domain_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reference_items.id"))
    findings: Mapped[str | None] = mapped_column(Text)
    need_level_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reference_items.id"))

    assessment: Mapped[ComprehensiveAssessment] = relationship(back_populates="domains")


class HousingAct(Record):
    """Акт обследования жилищно-бытовых условий."""

    __tablename__ = "housing_acts"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    act_date: Mapped[date] = mapped_column(Date)
    address_text: Mapped[str | None] = mapped_column(String(500))
    occupancy_basis: Mapped[str | None] = mapped_column(String(300))
    dwelling_type: Mapped[str | None] = mapped_column(String(200))
    wall_material: Mapped[str | None] = mapped_column(String(200))
    rooms: Mapped[int | None]
    area_m2: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    heating: Mapped[str | None] = mapped_column(String(200))
    water: Mapped[str | None] = mapped_column(String(200))
    electricity: Mapped[str | None] = mapped_column(String(200))
    toilet: Mapped[str | None] = mapped_column(String(200))
    residents: Mapped[str | None] = mapped_column(Text)
    sleeping_place: Mapped[str | None] = mapped_column(Text)
    study_place: Mapped[str | None] = mapped_column(Text)
    sanitary_condition: Mapped[str | None] = mapped_column(Text)
    food: Mapped[str | None] = mapped_column(Text)
    income: Mapped[str | None] = mapped_column(Text)
    conclusion: Mapped[str | None] = mapped_column(Text)
    recommendations: Mapped[str | None] = mapped_column(Text)
    family_acknowledged: Mapped[bool] = mapped_column(default=False)
    family_signatory: Mapped[str | None] = mapped_column(String(300))

    members: Mapped[list[HousingActMember]] = relationship(
        back_populates="act", order_by="HousingActMember.position"
    )


class HousingActMember(Record):
    """A member of the commission that inspected the dwelling."""

    __tablename__ = "housing_act_members"

    act_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("housing_acts.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(String(300))
    job_title: Mapped[str | None] = mapped_column(String(300))
    organisation: Mapped[str | None] = mapped_column(String(300))

    act: Mapped[HousingAct] = relationship(back_populates="members")


# --- plans (ИПЗР) ---------------------------------------------------------------------

PLAN_STATUSES = ("draft", "approved", "superseded")
ACTION_STATUSES = ("planned", "in_progress", "done", "not_done")


class Plan(Record):
    """ИПЗР or a family plan. An approved plan is frozen; a revision is a new row."""

    __tablename__ = "plans"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="child")
    plan_no: Mapped[int] = mapped_column(default=1)
    revision: Mapped[int] = mapped_column(default=1)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plans.id"))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    start_date: Mapped[date] = mapped_column(Date)
    review_date: Mapped[date | None] = mapped_column(Date, index=True)
    child_participated: Mapped[bool] = mapped_column(default=False)
    family_participated: Mapped[bool] = mapped_column(default=False)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    notes: Mapped[str | None] = mapped_column(Text)

    goals: Mapped[list[PlanGoal]] = relationship(back_populates="plan", order_by="PlanGoal.position")
    actions: Mapped[list[PlanAction]] = relationship(back_populates="plan", order_by="PlanAction.position")
    reviews: Mapped[list[PlanReview]] = relationship(back_populates="plan", order_by="PlanReview.review_date")

    __table_args__ = (
        CheckConstraint("kind IN ('child', 'family')", name="kind"),
        CheckConstraint("status IN ('" + "', '".join(PLAN_STATUSES) + "')", name="status"),
        # The approved plans of a case (models.dashboard; migration 0006).
        Index(
            "ix_plans_approved",
            "case_id",
            "status",
            "approved_at",
            "start_date",
            "id",
            "deleted_at",
            sqlite_where=text("deleted_at IS NULL AND status = 'approved'"),
            postgresql_where=text("deleted_at IS NULL AND status = 'approved'"),
        ),
        # The approved plans in the order of approval: the overdue reviews (models.dashboard; migration 0007).
        Index(
            "ix_plans_approved_by_approval",
            "approved_at",
            "start_date",
            "case_id",
            "id",
            "status",
            "deleted_at",
            sqlite_where=text("deleted_at IS NULL AND status = 'approved'"),
            postgresql_where=text("deleted_at IS NULL AND status = 'approved'"),
        ),
    )


class PlanGoal(Record):
    __tablename__ = "plan_goals"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="goals")


class PlanAction(Record):
    __tablename__ = "plan_actions"

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), index=True)
    goal_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plan_goals.id"))
    position: Mapped[int] = mapped_column(default=0)
    need: Mapped[str | None] = mapped_column(Text)
    service_type_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reference_items.id"))
    description: Mapped[str] = mapped_column(Text)
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    responsible_person: Mapped[str | None] = mapped_column(String(300))
    due_date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    result: Mapped[str | None] = mapped_column(Text)

    plan: Mapped[Plan] = relationship(back_populates="actions")
    organisation: Mapped[Organisation | None] = relationship()

    __table_args__ = (
        CheckConstraint("status IN ('" + "', '".join(ACTION_STATUSES) + "')", name="status"),
        # The pending actions in the order of their due dates (models.dashboard; migration 0007).
        Index(
            "ix_plan_actions_pending_by_due",
            "due_date",
            "plan_id",
            "status",
            "deleted_at",
            sqlite_where=text(
                "deleted_at IS NULL AND status IN ('planned', 'in_progress') AND due_date IS NOT NULL"
            ),
            postgresql_where=text(
                "deleted_at IS NULL AND status IN ('planned', 'in_progress') AND due_date IS NOT NULL"
            ),
        ),
        # The same per plan: one's own counted from one's cases (models.dashboard; migration 0007).
        Index(
            "ix_plan_actions_pending_by_plan",
            "plan_id",
            "due_date",
            "status",
            "deleted_at",
            sqlite_where=text(
                "deleted_at IS NULL AND status IN ('planned', 'in_progress') AND due_date IS NOT NULL"
            ),
            postgresql_where=text(
                "deleted_at IS NULL AND status IN ('planned', 'in_progress') AND due_date IS NOT NULL"
            ),
        ),
    )


class PlanReview(Record):
    __tablename__ = "plan_reviews"
    __table_args__ = (
        # The last live review of a plan (models.dashboard; migration 0006).
        Index(
            "ix_plan_reviews_live",
            "plan_id",
            "review_date",
            "deleted_at",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
        # The live reviews by date (models.dashboard; migration 0007).
        Index(
            "ix_plan_reviews_live_by_date",
            "review_date",
            "plan_id",
            "id",
            "deleted_at",
            sqlite_where=text("deleted_at IS NULL"),
            postgresql_where=text("deleted_at IS NULL"),
        ),
    )

    plan_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("plans.id"), index=True)
    review_date: Mapped[date] = mapped_column(Date)
    reviewer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    changes: Mapped[str | None] = mapped_column(Text)
    next_review_date: Mapped[date | None] = mapped_column(Date)

    plan: Mapped[Plan] = relationship(back_populates="reviews")


# --- referrals and visits -------------------------------------------------------------

REFERRAL_STATUSES = ("draft", "issued", "replied", "cancelled")


class Referral(Record):
    """Направление to a partner, with a reply expected on the tear-off slip."""

    __tablename__ = "referrals"

    district_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("admin_units.id"), index=True)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    child_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"), index=True)
    plan_action_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("plan_actions.id"))
    out_year: Mapped[int | None]
    out_no: Mapped[int | None]
    issued_on: Mapped[date | None] = mapped_column(Date, index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    service_type_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reference_items.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    requested_service: Mapped[str | None] = mapped_column(Text)
    attachments: Mapped[str | None] = mapped_column(Text)
    contains_personal_data: Mapped[bool] = mapped_column(default=True)
    consent_given: Mapped[bool] = mapped_column(default=False)
    consent_by: Mapped[str | None] = mapped_column(String(300))
    consent_date: Mapped[date | None] = mapped_column(Date)
    reply_due: Mapped[date | None] = mapped_column(Date, index=True)
    reply_received_on: Mapped[date | None] = mapped_column(Date)
    reply_outcome: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="draft")

    organisation: Mapped[Organisation] = relationship()

    __table_args__ = (
        UniqueConstraint("district_id", "out_year", "out_no"),
        Index("ix_referrals_number", "out_year", "out_no"),
        CheckConstraint("status IN ('" + "', '".join(REFERRAL_STATUSES) + "')", name="status"),
        # The referrals of a case waiting for a reply, and the caseless ones (models.dashboard;
        # migration 0006).
        Index(
            "ix_referrals_pending",
            "case_id",
            "reply_due",
            "issued_on",
            "child_id",
            "id",
            "status",
            "reply_received_on",
            "deleted_at",
            sqlite_where=text("deleted_at IS NULL AND status = 'issued' AND reply_received_on IS NULL"),
            postgresql_where=text("deleted_at IS NULL AND status = 'issued' AND reply_received_on IS NULL"),
        ),
        # The same in the order of their reply dates (models.dashboard; migration 0007).
        Index(
            "ix_referrals_pending_by_due",
            "reply_due",
            "issued_on",
            "case_id",
            "child_id",
            "id",
            "status",
            "reply_received_on",
            "deleted_at",
            sqlite_where=text("deleted_at IS NULL AND status = 'issued' AND reply_received_on IS NULL"),
            postgresql_where=text("deleted_at IS NULL AND status = 'issued' AND reply_received_on IS NULL"),
        ),
    )


class Visit(Record):
    __tablename__ = "visits"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    visit_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(10), default="home")
    worker_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    participants: Mapped[str | None] = mapped_column(Text)
    observations: Mapped[str | None] = mapped_column(Text)
    next_visit_date: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (CheckConstraint("kind IN ('home', 'office', 'other')", name="kind"),)


# --- КДД ------------------------------------------------------------------------------


class KddMeeting(Record):
    """A meeting of the commission on children's affairs, numbered per district and year."""

    __tablename__ = "kdd_meetings"

    district_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("admin_units.id"), index=True)
    meeting_year: Mapped[int]
    meeting_no: Mapped[int]
    meeting_date: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str | None] = mapped_column(String(300))
    chair_name: Mapped[str | None] = mapped_column(String(300))
    secretary_name: Mapped[str | None] = mapped_column(String(300))
    members_total: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default="planned")

    members: Mapped[list[KddMember]] = relationship(back_populates="meeting", order_by="KddMember.position")
    items: Mapped[list[KddAgendaItem]] = relationship(
        back_populates="meeting", order_by="KddAgendaItem.position"
    )

    __table_args__ = (
        UniqueConstraint("district_id", "meeting_year", "meeting_no"),
        CheckConstraint("status IN ('planned', 'held', 'cancelled')", name="status"),
    )


class KddMember(Record):
    __tablename__ = "kdd_members"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kdd_meetings.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    full_name: Mapped[str] = mapped_column(String(300))
    job_title: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default="member")
    present: Mapped[bool] = mapped_column(default=True)

    meeting: Mapped[KddMeeting] = relationship(back_populates="members")

    __table_args__ = (CheckConstraint("role IN ('chair', 'deputy', 'secretary', 'member')", name="role"),)


class KddAgendaItem(Record):
    __tablename__ = "kdd_agenda_items"

    meeting_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kdd_meetings.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"), index=True)
    child_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    title: Mapped[str] = mapped_column(Text)
    reported_by: Mapped[str | None] = mapped_column(String(300))
    attendees: Mapped[str | None] = mapped_column(Text)
    parent_invited: Mapped[bool] = mapped_column(default=False)
    parent_attended: Mapped[bool | None]
    discussion: Mapped[str | None] = mapped_column(Text)

    meeting: Mapped[KddMeeting] = relationship(back_populates="items")
    decisions: Mapped[list[KddDecision]] = relationship(back_populates="item")


class KddDecision(Record):
    __tablename__ = "kdd_decisions"

    item_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("kdd_agenda_items.id"), index=True)
    decision_no: Mapped[int | None]
    text: Mapped[str] = mapped_column(Text)
    responsible_body: Mapped[str | None] = mapped_column(String(300))
    deadline: Mapped[date | None] = mapped_column(Date, index=True)
    appeal_note: Mapped[str | None] = mapped_column(Text)
    done_on: Mapped[date | None] = mapped_column(Date)
    follow_up: Mapped[str | None] = mapped_column(Text)

    item: Mapped[KddAgendaItem] = relationship(back_populates="decisions")


# --- closure --------------------------------------------------------------------------

closure_outcomes = Table(
    "closure_outcomes",
    Base.metadata,
    Column("closure_id", ForeignKey("closures.id"), primary_key=True),
    Column("outcome_id", ForeignKey("reference_items.id"), primary_key=True),
)


class Closure(Record):
    __tablename__ = "closures"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    closed_on: Mapped[date] = mapped_column(Date)
    reason_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reference_items.id"))
    final_assessment: Mapped[str | None] = mapped_column(Text)
    approved_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    follow_up_date: Mapped[date | None] = mapped_column(Date)

    outcomes: Mapped[list[ReferenceItem]] = relationship(secondary=closure_outcomes)


# --- derived data ---------------------------------------------------------------------


class ChildRegisterEntry(Base):
    """One row per live child and ТЖС category of the child's current case (derived, never exported).

    Kept in the same flush as the persons, cases and categories it derives from
    (models.register_index), so that the children register filtered by category and status
    is a range of one covering index: counting it does not probe cases child by child.
    """

    __tablename__ = "child_register"

    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    category_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reference_items.id"), primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cases.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    worker_id: Mapped[uuid.UUID | None]
    district_id: Mapped[uuid.UUID | None]
    opened_on: Mapped[date] = mapped_column(Date)
    last_name_key: Mapped[str] = mapped_column(key_string(200))
    first_name_key: Mapped[str] = mapped_column(key_string(200))

    __table_args__ = (
        Index(
            "ix_child_register_filter", "category_id", "status", "last_name_key", "first_name_key", "child_id"
        ),
    )


# --- bookkeeping ----------------------------------------------------------------------


class NumberCounter(Base):
    """The last human number issued per scope (case, report, referral, КДД meeting), district and year."""

    __tablename__ = "number_counters"

    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    district_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0)


class ChangeLogEntry(Base):
    """One insert, update or soft delete of a travelling record; incremental uploads read it."""

    __tablename__ = "change_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[uuid.UUID]
    operation: Mapped[str] = mapped_column(String(1))
    changed_at: Mapped[datetime]

    __table_args__ = (CheckConstraint("operation IN ('I', 'U', 'D')", name="operation"),)


class AuditEntry(Base):
    """Append-only audit log; each entry carries the hash of the previous one."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    user_id: Mapped[uuid.UUID | None]
    username: Mapped[str | None] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str | None] = mapped_column(String(60))
    entity_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    details: Mapped[str] = mapped_column(Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The single row that holds the end of the audit chain; writers lock it, so writes are serialized."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


# --- exchange state -------------------------------------------------------------------


class ExchangePackage(Base):
    """An upload package this database wrote ('out') or applied ('in'); sequences are kept per stream.

    Not a travelling record: the exchange state of one database (models.exchange).
    """

    __tablename__ = "exchange_packages"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    direction: Mapped[str] = mapped_column(String(3))
    district_code: Mapped[str] = mapped_column(String(20))
    stream: Mapped[str] = mapped_column(String(20))
    sequence: Mapped[int]
    previous_sequence: Mapped[int | None]
    kind: Mapped[str] = mapped_column(String(12))
    encrypted: Mapped[bool] = mapped_column(default=False)
    manifest_sha256: Mapped[str] = mapped_column(String(64), index=True)
    changes_through: Mapped[int | None]
    local_changes_through: Mapped[int | None]
    file_name: Mapped[str] = mapped_column(String(255))
    counts: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime]
    recorded_at: Mapped[datetime]
    user_id: Mapped[uuid.UUID | None]
    username: Mapped[str | None] = mapped_column(String(60))

    __table_args__ = (
        CheckConstraint("direction IN ('out', 'in')", name="direction"),
        CheckConstraint("stream IN ('personal', 'depersonalized')", name="stream"),
        CheckConstraint("kind IN ('full', 'incremental')", name="kind"),
        Index("ix_exchange_packages_stream", "direction", "district_code", "stream", "sequence"),
    )


class ExchangeConflict(Base):
    """A record changed both here and in an imported package: both versions kept until a person decides."""

    __tablename__ = "exchange_conflicts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    package_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("exchange_packages.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(60))
    record_id: Mapped[uuid.UUID] = mapped_column(index=True)
    local_data: Mapped[str] = mapped_column(Text)
    incoming_data: Mapped[str] = mapped_column(Text)
    detected_at: Mapped[datetime]
    resolved_at: Mapped[datetime | None]
    resolved_by: Mapped[uuid.UUID | None]
    resolution: Mapped[str | None] = mapped_column(String(10))

    __table_args__ = (CheckConstraint("resolution IN ('local', 'incoming')", name="resolution"),)
