"""The upload package format, version 1: what travels, in which order, nested how, encoded how.

Everything is derived from the SQLAlchemy metadata (models/orm.py), so that a new column of a
travelling table travels without code changes; only the tables' roles (top-level record,
sub-record, association), the derived and secret columns and the depersonalised whitelist are
named here. docs/exchange/FORMAT.md documents the format for people; the JSON Schema files in
``schema/`` describe every line, and the writer's output is validated against them in the tests.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, Numeric, String, Table, Text, Uuid

from models.base import UTCDateTime
from models.errors import DomainError
from models.i18n import N_, gettext
from models.orm import Base

FORMAT_NAME = "bala-korgoo-package"
FORMAT_VERSION = 1

MANIFEST_MEMBER = "manifest.json"
SCHEMA_DIR = Path(__file__).with_name("schema")

KIND_FULL = "full"
KIND_INCREMENTAL = "incremental"
STREAM_PERSONAL = "personal"
STREAM_DEPERSONALIZED = "depersonalized"
DIRECTION_OUT = "out"
DIRECTION_IN = "in"

# The keys of manifest.json, all required (previous_sequence may be null).
MANIFEST_KEYS = (
    "format",
    "format_version",
    "schema_version",
    "office",
    "kind",
    "depersonalized",
    "sequence",
    "previous_sequence",
    "changes_through",
    "created_at",
    "created_by",
    "app_version",
    "counts",
    "members",
)
OFFICE_KEYS = ("district_code", "name_ky", "name_ru")
MEMBER_KEYS = ("sha256", "size", "lines")
COUNT_KEYS = ("records", "deleted")

# Top-level record types: file order = import order (a record's references come before it, except
# the cycles persons.current_case_id → cases and reports.case_id → cases, which the importer defers).
RECORD_TYPES: tuple[str, ...] = (
    "admin_units",
    "reference_items",
    "users",
    "organisations",
    "persons",
    "households",
    "reports",
    "cases",
    "initial_assessments",
    "comprehensive_assessments",
    "housing_acts",
    "plans",
    "referrals",
    "visits",
    "kdd_meetings",
    "closures",
)


@dataclass(frozen=True)
class Nested:
    """Sub-records of a parent, written in the parent's data under ``key`` without ``parent_column``."""

    key: str
    table: str
    parent_column: str
    nested: tuple[Nested, ...] = ()


@dataclass(frozen=True)
class Association:
    """An association table written in the parent's data under ``key`` as a sorted array of UUIDs."""

    key: str
    table: str
    parent_column: str
    item_column: str


NESTED: dict[str, tuple[Nested, ...]] = {
    "households": (Nested("members", "household_members", "household_id"),),
    "comprehensive_assessments": (Nested("domains", "assessment_domains", "assessment_id"),),
    "housing_acts": (Nested("members", "housing_act_members", "act_id"),),
    "plans": (
        Nested("goals", "plan_goals", "plan_id"),
        Nested("actions", "plan_actions", "plan_id"),
        Nested("reviews", "plan_reviews", "plan_id"),
    ),
    "kdd_meetings": (
        Nested("members", "kdd_members", "meeting_id"),
        Nested(
            "agenda_items",
            "kdd_agenda_items",
            "meeting_id",
            (Nested("decisions", "kdd_decisions", "item_id"),),
        ),
    ),
}

ASSOCIATIONS: dict[str, tuple[Association, ...]] = {
    "reports": (
        Association("children", "report_children", "report_id", "person_id"),
        Association("categories", "report_categories", "report_id", "category_id"),
    ),
    "cases": (Association("categories", "case_categories", "case_id", "category_id"),),
    "closures": (Association("outcomes", "closure_outcomes", "closure_id", "outcome_id"),),
}

# Tables that never travel: derived data, bookkeeping, local settings and the exchange state.
NOT_TRAVELLING = frozenset(
    {
        "child_register",
        "number_counters",
        "change_log",
        "audit_log",
        "audit_head",
        "settings",
        "roles",
        "exchange_packages",
        "exchange_conflicts",
    }
)

# The columns every record carries besides its id; they travel in both variants.
METADATA_COLUMNS = ("created_at", "updated_at", "created_by", "updated_by", "version")

# Recomputed on import (models.names.name_key), never written.
DERIVED_COLUMNS: dict[str, frozenset[str]] = {
    "persons": frozenset({"last_name_key", "first_name_key", "patronymic_key"}),
}
# Of users, only these travel (besides the metadata): never a password hash or sign-in state.
USER_COLUMNS = ("username", "full_name", "position", "role_code", "active")

# The depersonalised variant keeps only these columns (besides the metadata) — no names, ПИН,
# birth dates, addresses, phones, contacts or free text. A new column stays out until listed here.
DEPERSONALIZED_COLUMNS: dict[str, frozenset[str]] = {
    "admin_units": frozenset({"code", "level", "parent_id", "name_ru", "name_ky", "valid_from", "valid_to"}),
    "reference_items": frozenset({"kind", "code", "name_ru", "name_ky", "name_en", "sort_order", "active"}),
    "users": frozenset({"role_code"}),
    "organisations": frozenset({"name_ru", "name_ky", "type_id", "district_id", "active"}),
    "persons": frozenset(
        {
            "is_child",
            "sex",
            "pin_verified",
            "citizenship",
            "district_id",
            "disability",
            "documents_missing",
            "in_migration",
            "migration_country",
            "current_case_id",
        }
    ),
    "households": frozenset({"district_id", "members_count"}),
    "household_members": frozenset(
        {"person_id", "relation_id", "position", "is_caregiver", "lives_with_child"}
    ),
    "reports": frozenset(
        {
            "district_id",
            "reg_year",
            "reg_no",
            "received_at",
            "source_type_id",
            "channel_id",
            "anonymous",
            "urgent",
            "assigned_worker_id",
            "decision",
            "decision_date",
            "case_id",
        }
    ),
    "cases": frozenset(
        {
            "district_id",
            "case_year",
            "case_no",
            "child_id",
            "household_id",
            "report_id",
            "opened_on",
            "status",
            "risk_level_id",
            "worker_id",
            "closed_on",
            "reopened_count",
            "transferred_to_id",
        }
    ),
    "initial_assessments": frozenset(
        {
            "case_id",
            "due_date",
            "visit_date",
            "immediate_danger",
            "caregiver_present",
            "parents_in_migration",
            "preliminary_categories",
            "completed_on",
            "assessor_id",
        }
    ),
    "comprehensive_assessments": frozenset(
        {"case_id", "due_date", "started_on", "completed_on", "overall_risk_id", "assessor_id"}
    ),
    "assessment_domains": frozenset({"domain_id", "need_level_id"}),
    "housing_acts": frozenset({"case_id", "act_date", "rooms", "area_m2", "family_acknowledged"}),
    "housing_act_members": frozenset({"position"}),
    "plans": frozenset(
        {
            "case_id",
            "kind",
            "plan_no",
            "revision",
            "previous_id",
            "status",
            "start_date",
            "review_date",
            "child_participated",
            "family_participated",
            "approved_by_id",
            "approved_at",
        }
    ),
    "plan_goals": frozenset({"position"}),
    "plan_actions": frozenset(
        {"goal_id", "position", "service_type_id", "organisation_id", "due_date", "status"}
    ),
    "plan_reviews": frozenset({"review_date", "reviewer_id", "next_review_date"}),
    "referrals": frozenset(
        {
            "district_id",
            "case_id",
            "child_id",
            "plan_action_id",
            "out_year",
            "out_no",
            "issued_on",
            "organisation_id",
            "service_type_id",
            "contains_personal_data",
            "consent_given",
            "reply_due",
            "reply_received_on",
            "status",
        }
    ),
    "visits": frozenset({"case_id", "visit_date", "kind", "worker_id", "next_visit_date"}),
    "kdd_meetings": frozenset(
        {"district_id", "meeting_year", "meeting_no", "meeting_date", "members_total", "status"}
    ),
    "kdd_members": frozenset({"position", "role", "present"}),
    "kdd_agenda_items": frozenset({"position", "case_id", "child_id", "parent_invited", "parent_attended"}),
    "kdd_decisions": frozenset({"decision_no", "deadline", "done_on"}),
    "closures": frozenset(
        {"case_id", "closed_on", "reason_id", "approved_by_id", "approved_at", "follow_up_date"}
    ),
}
# In the depersonalised variant a person's birth date becomes the age in whole years on the
# package's creation date, under this key.
AGE_KEY = "age_years"
AGE_SOURCE = ("persons", "birth_date")

# Value kinds of the data fields.
UUID = "uuid"
UNIT = "unit"  # a reference to admin_units, written as the unit's СОАТЕ code
DATETIME = "datetime"
DATE = "date"
BOOL = "bool"
INT = "int"
DECIMAL = "decimal"
STR = "str"
ADMIN_UNITS = "admin_units"


# --- errors the importer (and the writer) raise -----------------------------------------


class PackageRefused(DomainError):
    """A package cannot be written or read; nothing was changed."""


class PackageDamaged(PackageRefused):
    """Not a package, a truncated or changed file: bad zip, checksum, manifest or line."""


class PackageVersionRefused(PackageRefused):
    """A format this program does not understand, or a package from a newer database schema."""


class PackageOutOfSequence(PackageRefused):
    """A gap (packages missing before this one) or a replay of an older package."""


class PackageDepersonalized(PackageRefused):
    """A depersonalised package: statistics only, it cannot be imported into a case database."""


class EncryptionRequired(PackageRefused):
    """Personal data would be written in the clear: no recipient key configured and no explicit choice."""


# --- structure ----------------------------------------------------------------------------


def member_name(record_type: str) -> str:
    """The zip member holding the lines of one top-level record type."""
    return f"data/{record_type}.jsonl"


MEMBER_NAMES: tuple[str, ...] = tuple(member_name(t) for t in RECORD_TYPES)


def package_file_name(
    district_code: str, sequence: int, kind: str, *, depersonalized: bool, encrypted: bool
) -> str:
    """``bk-<district>-<sequence:06d>-<kind>[-depersonalized].zip[.age]``."""
    name = f"bk-{district_code}-{sequence:06d}-{kind}"
    if depersonalized:
        name += "-depersonalized"
    name += ".zip"
    return name + ".age" if encrypted else name


def stream_of(depersonalized: bool) -> str:
    return STREAM_DEPERSONALIZED if depersonalized else STREAM_PERSONAL


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def nested_tables(parent: str) -> tuple[Nested, ...]:
    """The sub-records written inside a line of *parent* (a top-level type or a sub-record table)."""
    return _nested_by_table().get(parent, ())


@functools.cache
def _nested_by_table() -> dict[str, tuple[Nested, ...]]:
    found: dict[str, tuple[Nested, ...]] = {}

    def walk(parent: str, nested: tuple[Nested, ...]) -> None:
        found[parent] = nested
        for sub in nested:
            walk(sub.table, sub.nested)

    for top, nested in NESTED.items():
        walk(top, nested)
    return found


@functools.cache
def subrecord_parents() -> dict[str, tuple[str, str]]:
    """Each sub-record table → (its parent table, the parent key column), e.g. kdd_decisions → items."""
    parents: dict[str, tuple[str, str]] = {}

    def walk(parent: str, nested: tuple[Nested, ...]) -> None:
        for sub in nested:
            parents[sub.table] = (parent, sub.parent_column)
            walk(sub.table, sub.nested)

    for top, nested in NESTED.items():
        walk(top, nested)
    return parents


def top_level_of(table_name: str) -> str:
    """The top-level record type a travelling table's rows are written under."""
    parents = subrecord_parents()
    while table_name in parents:
        table_name = parents[table_name][0]
    return table_name


def travelling_tables() -> tuple[str, ...]:
    """Every table whose rows travel: the top-level types, then their sub-records (parents first)."""
    out = list(RECORD_TYPES)
    out += list(subrecord_parents())
    return tuple(out)


def code_key(column: str) -> str:
    """The JSON key of an admin-unit reference: ``district_id`` → ``district_code``."""
    return column.removesuffix("_id") + "_code"


# --- fields and values ----------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One data field of a line: the table column, its JSON key and its value kind."""

    column: str
    key: str
    kind: str


def _kind(column: Column[Any]) -> str:
    if column.foreign_keys and any(fk.column.table.name == ADMIN_UNITS for fk in column.foreign_keys):
        return UNIT
    col_type = column.type
    if isinstance(col_type, UTCDateTime):
        return DATETIME
    if isinstance(col_type, Uuid):
        return UUID
    if isinstance(col_type, Date):
        return DATE
    if isinstance(col_type, Boolean):
        return BOOL
    if isinstance(col_type, Numeric):
        return DECIMAL
    if isinstance(col_type, Integer):
        return INT
    if isinstance(col_type, (String, Text)):
        return STR
    raise TypeError(f"{column.table.name}.{column.name}: no package encoding for {col_type!r}")


@functools.cache
def fields(table_name: str, *, depersonalized: bool = False) -> tuple[Field, ...]:
    """The data fields of a line of *table_name*, in column order (without id, deleted_at, parent key)."""
    skip = {"id", "deleted_at"} | DERIVED_COLUMNS.get(table_name, frozenset())
    parent = subrecord_parents().get(table_name)
    if parent is not None:
        skip.add(parent[1])
    keep: frozenset[str] | None = None
    if table_name == "users":
        keep = frozenset(USER_COLUMNS)
    if depersonalized:
        keep = DEPERSONALIZED_COLUMNS.get(table_name, frozenset())
    out = []
    for column in table(table_name).columns:
        name = column.name
        if name in skip:
            continue
        if keep is not None and name not in keep and name not in METADATA_COLUMNS:
            continue
        kind = _kind(column)
        out.append(Field(name, code_key(name) if kind == UNIT else name, kind))
    return tuple(out)


def field_by_key(table_name: str) -> dict[str, Field]:
    """The fields of a (personal) line of *table_name* by their JSON key — for reading lines."""
    return {f.key: f for f in fields(table_name)}


def decimal_scale(table_name: str, column: str) -> int:
    col_type = table(table_name).c[column].type
    assert isinstance(col_type, Numeric)
    return col_type.scale or 0


def uuid_text(value: Any) -> str:
    """A UUID as the package writes it (lower case, dashed), from a UUID or SQLite's 32-hex text."""
    if type(value) is str:
        if len(value) == 32:
            return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}".lower()
        return str(uuid.UUID(value))
    return str(value)


def datetime_text(value: Any) -> str:
    """A UTC timestamp as ISO 8601 with "Z" (microseconds only when not zero).

    Accepts an aware datetime or SQLite's stored text ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC).
    """
    if type(value) is str:
        if len(value) == 26 and value[10] == " ":
            if value.endswith(".000000"):
                return f"{value[:10]}T{value[11:19]}Z"
            return f"{value[:10]}T{value[11:]}Z"
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat() + "Z"


def date_text(value: Any) -> str:
    if type(value) is str:
        return value[:10]
    return str(value.isoformat())


def decimal_text(value: Any, scale: int) -> str:
    """A decimal as a string with the column's scale (exact, unlike a JSON number)."""
    return format(Decimal(str(value)), f".{scale}f")


def parse_uuid(text: str) -> uuid.UUID:
    return uuid.UUID(text)


def parse_datetime(text: str) -> datetime:
    """A package timestamp back to an aware UTC datetime."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_date(text: str) -> date:
    return date.fromisoformat(text)


def encode_value(kind: str, value: Any, *, scale: int = 0) -> Any:
    """A column value (Python object or SQLite's raw storage) as its JSON value (not for units)."""
    if kind == UUID:
        return uuid_text(value)
    if kind == DATETIME:
        return datetime_text(value)
    if kind == DATE:
        return date_text(value)
    if kind == BOOL:
        return bool(value)
    if kind == DECIMAL:
        return decimal_text(value, scale)
    return value


def decode_value(kind: str, value: Any) -> Any:
    """A JSON value of a line back to the Python value of the column (units: the code, unchanged)."""
    if kind == UUID:
        return parse_uuid(value)
    if kind == DATETIME:
        return parse_datetime(value)
    if kind == DATE:
        return parse_date(value)
    if kind == DECIMAL:
        return Decimal(value)
    return value


def age_on(birth: date, on: date) -> int:
    """Whole years of age on *on* for someone born on *birth*."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


# The record types of a package (in its order) and the sub-records an import counts, as people call them.
TYPE_LABELS: dict[str, str] = {
    "admin_units": N_("Administrative units"),
    "reference_items": N_("Reference items"),
    "users": N_("Users"),
    "organisations": N_("Organisations"),
    "persons": N_("People"),
    "households": N_("Households"),
    "reports": N_("Reports"),
    "cases": N_("Cases"),
    "initial_assessments": N_("Initial assessments"),
    "comprehensive_assessments": N_("Comprehensive assessments"),
    "housing_acts": N_("Housing inspection acts"),
    "plans": N_("Plans"),
    "referrals": N_("Referrals"),
    "visits": N_("Visits"),
    "kdd_meetings": N_("КДД meetings"),
    "closures": N_("Case closures"),
    "household_members": N_("Household members"),
    "assessment_domains": N_("Assessment domains"),
    "housing_act_members": N_("Housing act members"),
    "plan_goals": N_("Plan goals"),
    "plan_actions": N_("Plan actions"),
    "plan_reviews": N_("Plan reviews"),
    "kdd_members": N_("КДД members"),
    "kdd_agenda_items": N_("КДД agenda items"),
    "kdd_decisions": N_("КДД decisions"),
}


def type_label(name: str) -> str:
    """A record type (or sub-record table) of a package as people call it, in the current language."""
    return gettext(TYPE_LABELS[name]) if name in TYPE_LABELS else name
