"""What the register pages know about each register, and the saved layout of its columns.

The layout (order, hidden columns, widths, sort) is kept by column key, not by position, so
that a saved layout survives a column added or removed in a later version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QSettings

from models.i18n import N_
from models.registers import (
    CASE_STATUS_LABELS,
    KDD_STATUS_LABELS,
    REFERRAL_STATUS_LABELS,
    REPORT_DECISION_LABELS,
    ColumnSpec,
    columns,
    default_sort,
)

# The form a row of each register opens (a ui.context.RECORD_KINDS entry).
RECORD_KINDS: Mapping[str, str] = {
    "children": "person",
    "reports": "report",
    "cases": "case",
    "households": "household",
    "referrals": "referral",
    "kdd_meetings": "kdd_meeting",
}

# Kinds of change (AppContext.data_changed) after which a register shows stale rows.
RELATED_KINDS: Mapping[str, frozenset[str]] = {
    "children": frozenset({"person", "case", "household", "user", "reference", "office"}),
    "reports": frozenset({"report", "person", "case", "user", "reference", "office"}),
    "cases": frozenset({"case", "person", "user", "reference", "office"}),
    "households": frozenset({"household", "person", "office"}),
    "referrals": frozenset({"referral", "case", "person", "organisation", "reference", "office"}),
    "kdd_meetings": frozenset({"kdd_meeting", "case", "person", "office"}),
}

# The status codes each register filters on, with their English labels (msgids).
STATUS_LABELS: Mapping[str, Mapping[str, str]] = {
    "children": CASE_STATUS_LABELS,
    "reports": REPORT_DECISION_LABELS,
    "cases": CASE_STATUS_LABELS,
    "referrals": REFERRAL_STATUS_LABELS,
    "kdd_meetings": KDD_STATUS_LABELS,
}

# The title of the status filter: reports have a decision rather than a status.
STATUS_TITLES: Mapping[str, str] = {"reports": N_("Decision")}

# What "only open" means in each register, said the way its users say it.
ONLY_OPEN_LABELS: Mapping[str, str] = {
    "children": N_("With an open case"),
    "reports": N_("Pending decision"),
    "cases": N_("Open cases only"),
    "referrals": N_("Awaiting reply"),
    "kdd_meetings": N_("Planned"),
}

# The column whose date the date range of the register bounds.
DATE_COLUMNS: Mapping[str, str] = {
    "children": "registered_on",
    "reports": "received_at",
    "cases": "opened_on",
    "referrals": "issued_on",
    "kdd_meetings": "meeting_date",
}


def column_index(register: str, key: str) -> int | None:
    """The position of column *key* in the register's columns (its logical index)."""
    for index, spec in enumerate(columns(register)):
        if spec.key == key:
            return index
    return None


def sortable_keys(register: str) -> set[str]:
    return {spec.key for spec in columns(register) if spec.sortable}


@dataclass
class ColumnLayout:
    """How a user arranged a register's columns: visual order, hidden ones, widths, sort."""

    order: list[str]
    hidden: set[str] = field(default_factory=set)
    widths: dict[str, int] = field(default_factory=dict)
    sort: str = ""
    descending: bool = False

    @classmethod
    def default(cls, register: str) -> ColumnLayout:
        key, descending = default_sort(register)
        return cls([spec.key for spec in columns(register)], sort=key, descending=descending)

    @classmethod
    def load(cls, state: QSettings, register: str) -> ColumnLayout:
        """The saved layout, checked against today's columns; the default where nothing usable is saved."""
        layout = cls.default(register)
        specs: list[ColumnSpec] = columns(register)
        known = [spec.key for spec in specs]
        saved_order = _json_list(state.value(_key(register, "order")))
        layout.order = [key for key in saved_order if key in known] + [
            key for key in known if key not in saved_order
        ]
        layout.hidden = {key for key in _json_list(state.value(_key(register, "hidden"))) if key in known}
        if len(layout.hidden) == len(known):
            layout.hidden = set()
        widths = _json_value(state.value(_key(register, "widths")))
        if isinstance(widths, dict):
            layout.widths = {k: v for k, v in widths.items() if k in known and isinstance(v, int) and v > 0}
        sort = state.value(_key(register, "sort"))
        if isinstance(sort, str) and sort in sortable_keys(register):
            layout.sort = sort
            layout.descending = _json_value(state.value(_key(register, "descending"))) is True
        return layout

    def save(self, state: QSettings, register: str) -> None:
        state.setValue(_key(register, "order"), json.dumps(self.order))
        state.setValue(_key(register, "hidden"), json.dumps(sorted(self.hidden)))
        state.setValue(_key(register, "widths"), json.dumps(self.widths, sort_keys=True))
        state.setValue(_key(register, "sort"), self.sort)
        state.setValue(_key(register, "descending"), json.dumps(self.descending))


def _key(register: str, name: str) -> str:
    return f"registers/{register}/{name}"


def _json_value(raw: object) -> object:
    if not isinstance(raw, str) or not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _json_list(raw: object) -> list[str]:
    value = _json_value(raw)
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
