"""Pieces the administration tabs share: a table model of small lists, field problems, a message bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
)
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import gettext
from models.validation import format_date

from ui.errors import error_text, show_error

T = TypeVar("T")
ModelIndex = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row object (a service's row dataclass) behind a table row."""

ERROR_COLOUR = "#b3261e"
_ERROR_BAR = "QLabel { color: #b3261e; background: #fdecea; border: 1px solid #f5c2bd; padding: 6px; }"
_INFO_BAR = "QLabel { color: #1e4620; background: #edf7ed; border: 1px solid #b7dfb9; padding: 6px; }"


class AdminTab(Protocol):
    """What the administration page expects of each of its tabs."""

    kinds: tuple[str, ...]

    def refresh(self) -> None: ...

    def focus_search(self) -> None: ...

    def save_state(self) -> None: ...


def format_moment(moment: datetime | None) -> str:
    """A UTC timestamp as local ДД.ММ.ГГГГ ЧЧ:ММ, or nothing."""
    if moment is None:
        return ""
    local = moment.astimezone()
    return f"{format_date(local.date())} {local:%H:%M}"


@dataclass(frozen=True)
class Column(Generic[T]):
    """One column of a :class:`RowsModel`: its header (an English msgid) and the text of a row."""

    header: str
    text: Callable[[T], str]


class RowsModel(QAbstractTableModel, Generic[T]):
    """A small list held in memory (users, reference items, organisations), one row per object.

    Inactive rows (per *is_active*) are drawn in the disabled text colour. :data:`ROW_ROLE`
    gives the row object.
    """

    def __init__(
        self,
        columns: Sequence[Column[T]],
        is_active: Callable[[T], bool] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._is_active = is_active
        self._rows: list[T] = []

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[T]:
        return list(self._rows)

    def row_at(self, row: int) -> T:
        return self._rows[row]

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._columns[index.column()].text(row)
        if role == ROW_ROLE:
            return row
        if role == Qt.ItemDataRole.ForegroundRole and self._is_active and not self._is_active(row):
            return QBrush(QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self._columns)
        ):
            return gettext(self._columns[section].header)
        return None


def make_table(
    model: QAbstractItemModel, state: QSettings, key: str, widths: Sequence[int] = ()
) -> QTableView:
    """A read-only table of whole rows, one selected at a time.

    The header's state (column widths and order) is restored from *key*; without one, the
    columns get *widths* and the last column takes the rest.
    """
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    saved = state.value(key)
    if saved is None or not header.restoreState(saved):
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    return view


def selected_row(view: QTableView) -> Any:
    """The row object of the selected row of *view*, or None."""
    indexes = view.selectionModel().selectedRows()
    return indexes[0].data(ROW_ROLE) if indexes else None


def select_where(view: QTableView, predicate: Callable[[Any], bool]) -> None:
    """Select the first row whose row object satisfies *predicate*."""
    model = view.model()
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if predicate(index.data(ROW_ROLE)):
            view.selectRow(row)
            view.scrollTo(index)
            return


class MessageBar(QLabel):
    """A line above or below a form that tells the outcome of the last action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_error(self, text: str) -> None:
        self.setStyleSheet(_ERROR_BAR)
        self.setText(text)
        self.show()

    def show_info(self, text: str) -> None:
        self.setStyleSheet(_INFO_BAR)
        self.setText(text)
        self.show()

    def clear_message(self) -> None:
        self.setText("")
        self.hide()


class FieldRows:
    """The rows of a form (or of several), each field with a red line under it for its problems."""

    def __init__(self, form: QFormLayout | None = None) -> None:
        self.form = form
        self._errors: dict[str, QLabel] = {}

    def add(
        self, field: str, label: str, widget: QWidget, hint: str = "", form: QFormLayout | None = None
    ) -> QLabel:
        """Add *widget* with *label* (to *form*, by default the first); returns the error label of *field*."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setEnabled(False)
            layout.addWidget(note)
        error = QLabel()
        error.setObjectName(f"error_{field}")
        error.setWordWrap(True)
        error.setStyleSheet(f"color: {ERROR_COLOUR};")
        error.hide()
        layout.addWidget(error)
        self._errors[field] = error
        caption = QLabel(label)
        caption.setBuddy(widget)
        target = form or self.form
        if target is None:
            raise ValueError("FieldRows.add needs a form")
        target.addRow(caption, box)
        return error

    def error_text(self, field: str) -> str:
        label = self._errors.get(field)
        return label.text() if label is not None and not label.isHidden() else ""

    def show_problems(self, problems: Sequence[FieldProblem]) -> list[FieldProblem]:
        """Show each problem under its field; returns those that belong to no field of the form."""
        self.clear()
        elsewhere = []
        for problem in problems:
            label = self._errors.get(problem.field)
            if label is None:
                elsewhere.append(problem)
                continue
            label.setText("\n".join(filter(None, [label.text(), problem.render()])))
            label.show()
        return elsewhere

    def clear(self) -> None:
        for label in self._errors.values():
            label.setText("")
            label.hide()


def report_failure(
    error: BaseException, parent: QWidget, bar: MessageBar, fields: FieldRows | None = None
) -> None:
    """Tell about a failed service call: field problems under the fields, refusals in *bar*,
    anything unexpected in a message box (after logging it)."""
    if isinstance(error, ValidationFailed) and fields is not None:
        rest = fields.show_problems(error.problems)
        if rest:
            bar.show_error("\n".join(problem.render() for problem in rest))
        else:
            bar.clear_message()
    elif isinstance(error, DomainError):
        bar.show_error(error_text(error))
    else:
        show_error(parent, error)
