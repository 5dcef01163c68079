"""The tables of the Plan tab: goals, actions and reviews of one version of a plan.

The goals and actions of a draft are edited in memory (:class:`GoalRow`, :class:`ActionRow`)
and written all at once by the tab's Save; each row can carry the problem the services found
with it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QWidget

from models.i18n import gettext
from models.services.plans import ACTION_STATUS_LABELS, ActionInput, ActionView, GoalInput, ReviewView
from models.validation import format_date

from ui.forms.widgets import ERROR_COLOUR, RowsModel

ModelIndex = QModelIndex | QPersistentModelIndex

PROBLEM_BACKGROUND = "#fbe9e7"

RowRole = Qt.ItemDataRole.UserRole + 1
OverdueRole = Qt.ItemDataRole.UserRole + 2


@dataclass
class GoalRow:
    """A goal as the form holds it; *key* stays the same while the row moves (new rows have no id)."""

    text: str
    id: uuid.UUID | None = None
    key: uuid.UUID = field(default_factory=uuid.uuid4)
    problem: str = ""


@dataclass
class ActionRow:
    """An action as the form holds it, with what the table shows of it."""

    description: str
    id: uuid.UUID | None = None
    version: int = 0
    goal_key: uuid.UUID | None = None
    need: str | None = None
    service_code: str | None = None
    service_label: str = ""
    organisation_id: uuid.UUID | None = None
    organisation_name: str = ""
    responsible_person: str | None = None
    due_date: date | None = None
    status: str = "planned"
    result: str | None = None
    overdue: bool = False
    referrals: int = 0
    key: uuid.UUID = field(default_factory=uuid.uuid4)
    problem: str = ""

    @classmethod
    def of(cls, view: ActionView, goal_keys: list[uuid.UUID]) -> ActionRow:
        return cls(
            description=view.description,
            id=view.id,
            version=view.version,
            goal_key=goal_keys[view.goal] if view.goal is not None and view.goal < len(goal_keys) else None,
            need=view.need,
            service_code=view.service_code,
            service_label=view.service_label,
            organisation_id=view.organisation_id,
            organisation_name=view.organisation_name,
            responsible_person=view.responsible_person,
            due_date=view.due_date,
            status=view.status,
            result=view.result,
            overdue=view.overdue,
            referrals=view.referrals,
        )

    def as_input(self, goal_keys: list[uuid.UUID]) -> ActionInput:
        goal = goal_keys.index(self.goal_key) if self.goal_key in goal_keys else None
        return ActionInput(
            description=self.description,
            id=self.id,
            goal=goal,
            need=self.need,
            service_code=self.service_code,
            organisation_id=self.organisation_id,
            responsible_person=self.responsible_person,
            due_date=self.due_date,
            status=self.status,
            result=self.result,
        )


class _EditableRows(RowsModel[Any]):
    """Rows that move up and down, come and go, and show a problem in their row.

    Signals:
        rows_edited(): the user changed, added, removed or moved a row.
    """

    rows_edited = Signal()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def append(self, row: Any) -> int:
        position = len(self._rows)
        self.beginInsertRows(QModelIndex(), position, position)
        self._rows.append(row)
        self.endInsertRows()
        self.rows_edited.emit()
        return position

    def remove(self, position: int) -> None:
        if not 0 <= position < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), position, position)
        del self._rows[position]
        self.endRemoveRows()
        self.rows_edited.emit()

    def move(self, position: int, offset: int) -> int:
        """Move a row up (-1) or down (+1); returns its new position."""
        target = position + offset
        if not (0 <= position < len(self._rows) and 0 <= target < len(self._rows)):
            return position
        # beginMoveRows takes the row *before which* the moved row lands.
        destination = target + 1 if offset > 0 else target
        self.beginMoveRows(QModelIndex(), position, position, QModelIndex(), destination)
        self._rows.insert(target, self._rows.pop(position))
        self.endMoveRows()
        self.rows_edited.emit()
        return target

    def replace(self, position: int, row: Any) -> None:
        if not 0 <= position < len(self._rows):
            return
        self._rows[position] = row
        self.dataChanged.emit(self.index(position, 0), self.index(position, self.columnCount() - 1))
        self.rows_edited.emit()

    def set_problems(self, problems: dict[int, str]) -> None:
        """Show *problems* (by row position) in their rows; other rows lose theirs."""
        for position, row in enumerate(self._rows):
            row.problem = problems.get(position, "")
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, self.columnCount() - 1))

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1) if 0 <= section < len(self._rows) else None
        return super().headerData(section, orientation, role)

    def _problem_data(self, row: Any, role: int) -> Any:
        if not row.problem:
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(QColor(PROBLEM_BACKGROUND))
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.problem
        return None


class GoalsModel(_EditableRows):
    """The goals of a plan, numbered; the text is edited in place while the plan is a draft."""

    HEADERS = ("Goal",)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editable = False

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row.text
        if role == RowRole:
            return row
        if role == Qt.ItemDataRole.ToolTipRole and not row.problem:
            return row.text
        return self._problem_data(row, role)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if self.editable else flags

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        row = self.row_at(index)
        if row is None or role != Qt.ItemDataRole.EditRole or not self.editable:
            return False
        text = str(value)
        if text == row.text:
            return True
        row.text = text
        row.problem = ""
        self.dataChanged.emit(index, index)
        self.rows_edited.emit()
        return True

    def goal_keys(self) -> list[uuid.UUID]:
        return [row.key for row in self._rows]

    def inputs(self) -> list[GoalInput]:
        return [GoalInput(row.text, row.id) for row in self._rows]

    def label(self, key: uuid.UUID | None) -> str:
        """The goal's number in the plan ("" for none)."""
        for position, row in enumerate(self._rows):
            if row.key == key:
                return str(position + 1)
        return ""


class ActionsModel(_EditableRows):
    """The actions of a plan: goal, need, service, action, who, due date, status, result.

    Open actions past their due date show their action, due date and status in red (the services
    decide what is overdue).
    """

    HEADERS = (
        "Goal",
        "Need",
        "Service",
        "Action",
        "Organisation",
        "Responsible person",
        "Due date",
        "Status",
        "Result",
    )
    DUE_COLUMN = 6
    STATUS_COLUMN = 7
    OVERDUE_COLUMNS = (3, DUE_COLUMN, STATUS_COLUMN)

    def __init__(self, goals: GoalsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._goals = goals
        goals.rows_edited.connect(self._on_goals_rows_edited)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, index.column())
        if role == RowRole:
            return row
        if role == OverdueRole:
            return row.overdue
        if role == Qt.ItemDataRole.ForegroundRole and row.overdue and index.column() in self.OVERDUE_COLUMNS:
            return QBrush(QColor(ERROR_COLOUR))
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.problem:
                return row.problem
            if row.overdue:
                return gettext("Overdue: the due date has passed and the action is not done.")
            return self._text(row, index.column()) or None
        return self._problem_data(row, role)

    def _text(self, row: ActionRow, column: int) -> str:
        if column == 0:
            return self._goals.label(row.goal_key)
        if column == 1:
            return row.need or ""
        if column == 2:
            return row.service_label
        if column == 3:
            return row.description
        if column == 4:
            return row.organisation_name
        if column == 5:
            return row.responsible_person or ""
        if column == self.DUE_COLUMN:
            return format_date(row.due_date) if row.due_date else ""
        if column == self.STATUS_COLUMN:
            return gettext(ACTION_STATUS_LABELS.get(row.status, row.status))
        if column == 8:
            return row.result or ""
        return ""

    def _on_goals_rows_edited(self) -> None:
        keys = set(self._goals.goal_keys())
        for row in self._rows:
            if row.goal_key is not None and row.goal_key not in keys:
                row.goal_key = None  # its goal was removed
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def inputs(self) -> list[ActionInput]:
        keys = self._goals.goal_keys()
        return [row.as_input(keys) for row in self._rows]


class ReviewsModel(RowsModel[ReviewView]):
    """The periodic reviews of a plan: date, reviewer, what changed, next review."""

    HEADERS = ("Review date", "Reviewer", "What changed", "Next review")

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        review = self.row_at(index)
        if review is None:
            return None
        if role == RowRole:
            return review
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        column = index.column()
        if column == 0:
            return format_date(review.review_date)
        if column == 1:
            return review.reviewer_name
        if column == 2:
            return review.changes or ""
        if column == 3:
            return format_date(review.next_review_date) if review.next_review_date else ""
        return None
