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
    Slot,
)
from PySide6.QtGui import QBrush, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLayout,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import N_, gettext
from models.validation import format_date

from ui.context import AppContext
from ui.dialogs import Dialog
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


class ListedRow(Protocol):
    """What a :class:`TableTab` needs of its row objects: an identity and whether it is active."""

    @property
    def id(self) -> Any: ...

    @property
    def active(self) -> bool: ...


R = TypeVar("R", bound=ListedRow)
S = TypeVar("S")


class TableTab(QWidget, Generic[R]):
    """A tab of one list in a table, a row of buttons above it and a message bar between.

    The subclass creates its own buttons (those needing a selected row go in
    :attr:`row_buttons`), calls :meth:`lay_out` and then :meth:`refresh`; it gives the rows
    (:meth:`load_rows`), the activate/deactivate write and its message, and what a double
    click opens. :attr:`active_button` (made here) toggles the selected row.
    """

    kinds: tuple[str, ...] = ()
    changed_kind: str = ""
    activate_text: str = N_("Activate")
    deactivate_text: str = N_("Deactivate")

    def __init__(
        self,
        ctx: AppContext,
        model: RowsModel[R],
        header_key: str,
        widths: Sequence[int],
        parent: QWidget | None = None,
        shown: QAbstractItemModel | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = model
        self.header_key = header_key
        model.setParent(self)
        if shown is not None:
            shown.setParent(self)
        self.table = make_table(shown or model, ctx.state, header_key, widths)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.bar = MessageBar()
        self.active_button = QPushButton(gettext(self.deactivate_text))
        self.active_button.clicked.connect(self._on_active_button_clicked)
        self.row_buttons: list[QPushButton] = []
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)

    def lay_out(
        self,
        buttons: Sequence[QPushButton],
        above: QLayout | None = None,
        beside: QWidget | None = None,
        below: QWidget | None = None,
    ) -> None:
        """The buttons in a row (*beside* them, stretched, or a stretch), the bar, the table."""
        row = QHBoxLayout()
        for button in buttons:
            row.addWidget(button)
        if beside is None:
            row.addStretch(1)
        else:
            row.addSpacing(24)
            row.addWidget(beside, 1)
        column = QVBoxLayout(self)
        if above is not None:
            column.addLayout(above)
        column.addLayout(row)
        column.addWidget(self.bar)
        column.addWidget(self.table, 1)
        if below is not None:
            column.addWidget(below)

    def load_rows(self) -> Sequence[R]:
        """The rows to list (each tab defines it)."""
        raise NotImplementedError

    def keeps(self, chosen: R) -> bool:
        """Whether the row selected before a refresh is to be selected again."""
        return True

    def write_active(self, row: R, active: bool) -> None:
        """Activate or deactivate *row* through its service (each tab defines it)."""
        raise NotImplementedError

    def active_message(self, row: R) -> str:
        """What to tell after *row* (as it was before) was activated or deactivated."""
        raise NotImplementedError

    def open_selected(self) -> None:
        """What a double click on a row does (each tab defines it)."""

    def refresh(self) -> None:
        chosen = self.selected()
        self.model.set_rows(self.load_rows())
        if chosen is not None and self.keeps(chosen):
            select_where(self.table, lambda row: row.id == chosen.id)
        elif self.table.model().rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    def focus_search(self) -> None:
        self.table.setFocus()

    def save_state(self) -> None:
        self.ctx.state.setValue(self.header_key, self.table.horizontalHeader().saveState())

    def selected(self) -> R | None:
        row: R | None = selected_row(self.table)
        return row

    def _update_buttons(self) -> None:
        row = self.selected()
        for button in (*self.row_buttons, self.active_button):
            button.setEnabled(row is not None)
        inactive = row is not None and not row.active
        self.active_button.setText(gettext(self.activate_text if inactive else self.deactivate_text))

    def _written(self, message: str) -> None:
        self.bar.show_info(message)
        self.ctx.announce_change(self.changed_kind)

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_buttons()

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        self.open_selected()

    @Slot()
    def _on_active_button_clicked(self) -> None:
        row = self.selected()
        if row is None:
            return
        try:
            self.write_active(row, not row.active)
        except Exception as error:
            report_failure(error, self, self.bar)
            return
        self._written(self.active_message(row))


class FormDialog(Dialog):
    """A modal form of an administration tab: a message bar, the fields, OK and Cancel.

    OK calls :meth:`write`; its failure is shown in the form (which stays open), its success
    accepts the dialog.
    """

    def __init__(
        self, ctx: AppContext, name: str, parent: QWidget | None = None, stretch: bool = True
    ) -> None:
        super().__init__(ctx.state, name, parent)
        self.ctx = ctx
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.bar = MessageBar()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields = FieldRows(self.form)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        self.column = QVBoxLayout(self)
        self.column.addWidget(self.bar)
        self.column.addLayout(self.form)
        if stretch:
            self.column.addStretch(1)
        self.column.addWidget(self.buttons)

    def write(self) -> None:
        """Save the form through its service (each dialog defines it)."""
        raise NotImplementedError

    @Slot()
    def _on_buttons_accepted(self) -> None:
        try:
            self.write()
        except Exception as error:
            report_failure(error, self, self.bar, self.fields)
            return
        self.accept()


class SettingsTab(QWidget, Generic[S]):
    """A form of stored settings with Save and Undo changes, enabled while it differs from the store.

    The subclass builds its fields (in :attr:`fields`), lays out :attr:`bar` and
    :meth:`button_row`, and gives how to fetch (:meth:`fetch`), show (:meth:`show_stored`),
    read (:meth:`current`) and save (:meth:`write`) the values.
    """

    kinds: tuple[str, ...] = ()
    changed_kind: str = ""
    saved_message: str = ""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bar = MessageBar()
        self.save_button = QPushButton(gettext("Save"))
        self.undo_button = QPushButton(gettext("Undo changes"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        self.fields = FieldRows()
        self._loaded: S | None = None

    def button_row(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        return buttons

    def fetch(self) -> Any:
        """The stored settings (each tab defines it)."""
        raise NotImplementedError

    def show_stored(self, stored: Any) -> S:
        """Put *stored* into the fields; returns the values as :meth:`current` reads them."""
        raise NotImplementedError

    def current(self) -> S:
        """The values as typed (each tab defines it)."""
        raise NotImplementedError

    def write(self) -> None:
        """Save :meth:`current` (each tab defines it)."""
        raise NotImplementedError

    def modified(self) -> bool:
        return self._loaded is not None and self.current() != self._loaded

    def refresh(self) -> None:
        """Load the stored settings, unless the user has changed some and not saved them yet."""
        if not self.modified():
            self._load()

    def save_state(self) -> None:
        """Nothing to keep: the tab has no columns or splitters."""

    def _load(self) -> None:
        try:
            stored = self.fetch()
        except Exception as error:
            report_failure(error, self, self.bar)
            return
        self._loaded = None
        self._loaded = self.show_stored(stored)
        self.fields.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        modified = self.modified()
        self.save_button.setEnabled(modified)
        self.undo_button.setEnabled(modified)

    @Slot()
    def _on_undo_button_clicked(self) -> None:
        self.bar.clear_message()
        self._load()

    @Slot()
    def _on_save_button_clicked(self) -> None:
        try:
            self.write()
        except Exception as error:
            report_failure(error, self, self.bar, self.fields)
            return
        self._load()
        self.bar.show_info(gettext(self.saved_message))
        self.ctx.announce_change(self.changed_kind)
