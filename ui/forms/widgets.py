"""Field widgets of the record forms: problem labels, typed dates, choice lists, person search."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QRegularExpression,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.database import Database
from models.errors import FieldProblem, ValidationFailed
from models.i18n import Message, gettext
from models.lookups import Choice
from models.services.base import Actor
from models.services.cases import PersonRef
from models.services.people import PersonHit, search_people
from models.validation import FIELD_LABELS, format_date, parse_optional_date

from ui.errors import error_text
from ui.tasks import Task, run_task

V = TypeVar("V")
ModelIndex = QModelIndex | QPersistentModelIndex

ERROR_COLOUR = "#b3261e"
WARNING_COLOUR = "#8a5300"
# How long typing pauses before a search or a duplicate check runs.
TYPING_PAUSE_MS = 400


def label_text(field: str, label: str | None = None) -> str:
    """The label of a form field: *label* if given, else its translated :data:`FIELD_LABELS` entry."""
    if label is not None:
        return label
    return gettext(FIELD_LABELS[field]) if field in FIELD_LABELS else field


class ProblemLabel(QLabel):
    """A line under a field: an error in red, or a warning in amber; hidden when empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.kind = ""
        self.hide()

    def show_error(self, text: str) -> None:
        self._show(text, "error", ERROR_COLOUR)

    def show_warning(self, text: str) -> None:
        self._show("⚠ " + text, "warning", WARNING_COLOUR)

    def add_warning(self, text: str) -> None:
        """Another warning under those already shown (an error stays on its own)."""
        if self.kind == "warning":
            self._show(self.text() + "\n⚠ " + text, "warning", WARNING_COLOUR)
        elif self.kind == "":
            self.show_warning(text)

    def clear_problem(self) -> None:
        self.kind = ""
        self.clear()
        self.hide()

    def _show(self, text: str, kind: str, colour: str) -> None:
        self.kind = kind
        self.setStyleSheet(f"color: {colour};")
        self.setText(text)
        self.show()


class FieldSet:
    """The fields of a form by attribute name, each with its problem label.

    Services name problems by attribute (FieldProblem.field); a field may answer to several
    names (*aliases*), e.g. the categories list to "categories" and "category_codes".
    """

    def __init__(self) -> None:
        self.editors: dict[str, QWidget] = {}
        self.labels: dict[str, ProblemLabel] = {}
        self._order: list[str] = []
        self._alias: dict[str, str] = {}

    def add_row(
        self,
        layout: QFormLayout,
        name: str,
        editor: QWidget,
        label: str | None = None,
        *,
        aliases: Iterable[str] = (),
        span: bool = False,
    ) -> ProblemLabel:
        """Add *editor* as a row of *layout* with its label and a problem line under it.

        With *span* the row has no label and takes the whole width of the layout.
        """
        box = QWidget()
        column = QVBoxLayout(box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(editor)
        problem = ProblemLabel(box)
        column.addWidget(problem)
        if span:
            layout.addRow(box)
        else:
            caption = QLabel(label_text(name, label))
            caption.setBuddy(editor)
            layout.addRow(caption, box)
        self.register(name, editor, problem, aliases=aliases)
        return problem

    def register(
        self, name: str, editor: QWidget, problem: ProblemLabel, *, aliases: Iterable[str] = ()
    ) -> None:
        self.editors[name] = editor
        self.labels[name] = problem
        self._order.append(name)
        for alias in aliases:
            self._alias[alias] = name

    def resolve(self, field: str) -> str | None:
        name = self._alias.get(field, field)
        return name if name in self.labels else None

    def clear(self) -> None:
        for label in self.labels.values():
            label.clear_problem()

    def clear_field(self, field: str) -> None:
        name = self.resolve(field)
        if name is not None:
            self.labels[name].clear_problem()

    def show_errors(self, problems: Sequence[FieldProblem]) -> list[FieldProblem]:
        """Show each problem under its field; returns those of no known field."""
        unplaced: list[FieldProblem] = []
        shown: dict[str, list[str]] = {}
        for problem in problems:
            name = self.resolve(problem.field)
            if name is None:
                unplaced.append(problem)
            else:
                shown.setdefault(name, []).append(problem.render())
        for name, texts in shown.items():
            self.labels[name].show_error("\n".join(texts))
        return unplaced

    def show_warnings(self, warnings: Sequence[FieldProblem]) -> list[FieldProblem]:
        """Show each warning under its field (after any error there); returns those of no known field."""
        unplaced: list[FieldProblem] = []
        for warning in warnings:
            name = self.resolve(warning.field)
            if name is None:
                unplaced.append(warning)
            else:
                self.labels[name].add_warning(warning.render())
        return unplaced

    def first_with_error(self) -> QWidget | None:
        for name in self._order:
            if self.labels[name].kind == "error":
                return self.editors[name]
        return None


def set_read_only(widget: QWidget) -> None:
    """Make an editor show its value without letting it change (text stays selectable)."""
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        widget.setReadOnly(True)
    elif isinstance(widget, QDateTimeEdit):  # QDateEdit too
        widget.setReadOnly(True)
        widget.setCalendarPopup(False)
        widget.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
    elif isinstance(widget, QSpinBox):
        widget.setReadOnly(True)
        widget.setButtonSymbols(QSpinBox.ButtonSymbols.NoButtons)
    elif isinstance(widget, CheckList):
        widget.list_model.set_editable(False)
    else:
        widget.setEnabled(False)


def changed_signal(widget: QWidget) -> Any:
    """The signal an editor emits whenever its value changes (by typing or programmatically), or None."""
    if isinstance(widget, QLineEdit | QPlainTextEdit):
        return widget.textChanged
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QCheckBox):
        return widget.toggled
    if isinstance(widget, QDateTimeEdit):  # QDateEdit too
        return widget.dateTimeChanged
    if isinstance(widget, QSpinBox):
        return widget.valueChanged
    if isinstance(widget, CheckList):
        return widget.list_model.checks_changed
    return None  # not an editor: a list of people, a link; its form tracks it itself


def qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def text_or_none(widget: QLineEdit | QPlainTextEdit) -> str | None:
    text = widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()
    return text if text.strip() else None


class DateField(QLineEdit):
    """An optional date typed as ДД.ММ.ГГГГ; empty means no date (yet)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setPlaceholderText(gettext("DD.MM.YYYY"))
        self.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9.\-]{0,10}"), self))
        self.setMaxLength(10)
        self.setMaximumWidth(self.fontMetrics().horizontalAdvance("00.00.00000") + 24)

    def date_value(self, field: str, label: Message | None = None) -> date | None:
        """The typed date; raises :class:`ValidationFailed` naming *field* if it is not a date."""
        return parse_optional_date(self.text(), field, label)

    def set_date_value(self, value: date | None) -> None:
        self.setText(format_date(value) if value else "")


class ChoiceCombo(QComboBox, Generic[V]):
    """A drop-down of :class:`Choice` entries, optionally with an empty entry first.

    A stored value that is no longer offered (a deactivated reference entry, a disabled user)
    stays visible as "(no longer in the list)" so that saving the form keeps it.
    """

    def __init__(
        self, choices: Sequence[Choice[V]], empty: str | None = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if empty is not None:
            self.addItem(empty, None)
        for choice in choices:
            self.addItem(choice.label, choice.value)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(12)

    def value(self) -> V | None:
        data: V | None = self.currentData()
        return data

    def index_of(self, value: V | None) -> int:
        """The entry holding *value* (findData compares Python objects by identity, not equality)."""
        for index in range(self.count()):
            if self.itemData(index) == value:
                return index
        return -1

    def set_value(self, value: V | None) -> None:
        index = self.index_of(value)
        if index < 0 and value is not None:
            self.addItem(gettext("(no longer in the list)"), value)
            index = self.count() - 1
        self.setCurrentIndex(max(index, 0))


class CheckListModel(QAbstractListModel):
    """Choices, each with a check box: a multi-select of codes.

    Signals:
        checks_changed(): the set of checked values changed.
    """

    checks_changed = Signal()
    ValueRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, choices: Sequence[Choice[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices = list(choices)
        self._checked: set[str] = set()
        self._editable = True

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._choices)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._choices):
            return None
        choice = self._choices[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return choice.label
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if choice.value in self._checked else Qt.CheckState.Unchecked
        if role == self.ValueRole:
            return choice.value
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole or not self._editable:
            return False
        code = self._choices[index.row()].value
        checked = Qt.CheckState(value) == Qt.CheckState.Checked
        if checked == (code in self._checked):
            return True
        if checked:
            self._checked.add(code)
        else:
            self._checked.discard(code)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checks_changed.emit()
        return True

    def values(self) -> list[str]:
        """The checked codes in the order of the list."""
        return [c.value for c in self._choices if c.value in self._checked]

    def set_values(self, codes: Iterable[str]) -> None:
        codes = set(codes)
        known = {c.value for c in self._choices}
        missing = [code for code in codes if code not in known]
        if missing:
            first = len(self._choices)
            self.beginInsertRows(QModelIndex(), first, first + len(missing) - 1)
            self._choices += [
                Choice(code, gettext("(no longer in the list)") + f" {code}") for code in missing
            ]
            self.endInsertRows()
        self._checked = codes
        if self._choices:
            self.dataChanged.emit(
                self.index(0), self.index(len(self._choices) - 1), [Qt.ItemDataRole.CheckStateRole]
            )
        self.checks_changed.emit()

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        if self._choices:
            self.dataChanged.emit(self.index(0), self.index(len(self._choices) - 1))


class CheckList(QListView):
    """A list of check boxes over a :class:`CheckListModel`, sized to show *rows* entries."""

    def __init__(self, choices: Sequence[Choice[str]], rows: int = 6, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list_model = CheckListModel(choices, self)
        self.setModel(self.list_model)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        row_height = max(self.sizeHintForRow(0), self.fontMetrics().height() + 4) if choices else 20
        self.setFixedHeight(row_height * min(rows, max(len(choices), 1)) + 2 * self.frameWidth() + 2)
        self.clicked.connect(self._on_self_clicked)

    @Slot(QModelIndex)
    def _on_self_clicked(self, index: QModelIndex) -> None:
        """A click anywhere on an entry (not only on its box) toggles it."""
        if not index.isValid() or not self.list_model.flags(index) & Qt.ItemFlag.ItemIsUserCheckable:
            return
        state = self.list_model.data(index, Qt.ItemDataRole.CheckStateRole)
        toggled = Qt.CheckState.Unchecked if state == Qt.CheckState.Checked else Qt.CheckState.Checked
        self.list_model.setData(index, toggled.value, Qt.ItemDataRole.CheckStateRole)

    def values(self) -> list[str]:
        return self.list_model.values()

    def set_values(self, codes: Iterable[str]) -> None:
        self.list_model.set_values(codes)


# --- people ---------------------------------------------------------------------------


R = TypeVar("R")


class RowsModel(QAbstractTableModel, Generic[R]):
    """A table of rows of one kind under the translated column titles of :attr:`HEADERS`.

    Subclasses set :attr:`HEADERS` (English source texts) and implement ``data`` with
    :meth:`row_at`.
    """

    HEADERS: tuple[str, ...] = ()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
        if horizontal and 0 <= section < len(self.HEADERS):
            return gettext(self.HEADERS[section])
        return None

    def row_at(self, index: ModelIndex) -> R | None:
        """The row of *index*, or None for an index that is not in the table."""
        return self.row_entry(index.row()) if index.isValid() else None

    def row_entry(self, row: int) -> R | None:
        """The row at position *row*, or None."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def set_rows(self, rows: Iterable[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()


class PersonHitsModel(RowsModel[PersonHit]):
    """Persons found by a search: name, date of birth, ПИН, child or adult."""

    PersonRole = Qt.ItemDataRole.UserRole + 1
    HEADERS = ("Full name", "Date of birth", "ПИН", "Child or adult")

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        hit = self.row_at(index)
        if hit is None:
            return None
        if role == self.PersonRole:
            return hit
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return hit.full_name
        if column == 1:
            return format_date(hit.birth_date) if hit.birth_date else ""
        if column == 2:
            return hit.pin or ""
        if column == 3:
            return gettext("Child") if hit.is_child else gettext("Adult")
        return None

    def set_hits(self, hits: list[PersonHit]) -> None:
        self.set_rows(hits)

    def hit(self, row: int) -> PersonHit | None:
        return self.row_entry(row)


class PersonSearch(QWidget):
    """A search box over the registered people (name words or a ПИН) and the persons found.

    The search runs in the background once typing pauses; only the latest answer is shown.

    Signals:
        person_activated(object): a found person (a PersonHit) was double-clicked or Enter pressed.
        current_changed(): the selected person changed (see :meth:`current`).
    """

    person_activated = Signal(object)
    current_changed = Signal()

    def __init__(
        self, db: Database, actor: Actor, *, children: bool | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._db = db
        self._actor = actor
        self._children = children
        self._sequence = 0
        self._task: Task[tuple[int, list[PersonHit]]] | None = None
        self.box = QLineEdit()
        self.box.setPlaceholderText(gettext("Last name, first name or ПИН"))
        self.box.setClearButtonEnabled(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.hits = PersonHitsModel(self)
        self.view = QTableView()
        self.view.setModel(self.hits)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.box)
        layout.addWidget(self.view)
        layout.addWidget(self.status)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self.box.textChanged.connect(self._on_box_text_changed)
        self.box.returnPressed.connect(self._on_box_return_pressed)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_changed)
        self.hits.modelReset.connect(self.current_changed)

    def current(self) -> PersonHit | None:
        index = self.view.currentIndex()
        return self.hits.hit(index.row()) if index.isValid() else None

    def search_now(self) -> None:
        """Search at once for what is typed (without waiting for a pause)."""
        self._timer.stop()
        self._on_timer_timeout()

    @Slot(str)
    def _on_box_text_changed(self, _text: str) -> None:
        self._timer.start()

    @Slot()
    def _on_box_return_pressed(self) -> None:
        if self._timer.isActive():
            self.search_now()
        elif (hit := self.current()) is not None:
            self.person_activated.emit(hit)

    @Slot()
    def _on_timer_timeout(self) -> None:
        text = self.box.text()
        self._sequence += 1
        if not text.strip():
            self.hits.set_hits([])
            self.status.clear()
            return
        self.status.setText(gettext("Searching…"))
        sequence = self._sequence
        db, actor, children = self._db, self._actor, self._children

        def work(_progress: object) -> tuple[int, list[PersonHit]]:
            return sequence, search_people(db, actor, text, children=children)

        self._task = run_task(work, self._on_search_done, on_error=self._on_search_failed)

    @Slot(object)
    def _on_search_done(self, result: tuple[int, list[PersonHit]]) -> None:
        sequence, hits = result
        if sequence != self._sequence:
            return  # an answer to something typed before
        self.hits.set_hits(hits)
        if hits:
            self.view.selectRow(0)
            self.status.clear()
        else:
            self.status.setText(gettext("Nobody found."))

    @Slot(object)
    def _on_search_failed(self, error: BaseException) -> None:
        self.status.setText(error_text(error))

    @Slot(QModelIndex)
    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        hit = self.hits.hit(index.row())
        if hit is not None:
            self.person_activated.emit(hit)

    @Slot(QModelIndex, QModelIndex)
    def _on_view_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self.current_changed.emit()


def record_table(
    model: QAbstractItemModel,
    *,
    stretch: Iterable[int] = (),
    widths: Mapping[int, int] | None = None,
    resize: QHeaderView.ResizeMode = QHeaderView.ResizeMode.ResizeToContents,
    single: bool = True,
    word_wrap: bool = True,
) -> QTableView:
    """A read-only table of records: whole rows selected (one at a time if *single*), no row numbers.

    Its columns take *resize* (sized to their contents by default); those in *stretch* share the
    room left, and those in *widths* start at the width given and are resized by the user.
    """
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single:
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setWordWrap(word_wrap)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setSectionResizeMode(resize)
    for column in stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    for column, width in (widths or {}).items():
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
        view.setColumnWidth(column, width)
    return view


def date_problem(field: str, read: Callable[[], date | None], problems: list[FieldProblem]) -> date | None:
    """Read a typed date, adding its problem (if any) to *problems* instead of raising."""
    try:
        return read()
    except ValidationFailed as failed:
        problems += failed.problems
        return None


class PeopleListModel(QAbstractListModel):
    """A short list of chosen people (the children a report concerns): "Name, ДД.ММ.ГГГГ"."""

    PersonIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._people: list[PersonRef] = []

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self._people)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._people):
            return None
        person = self._people[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            born = f", {format_date(person.birth_date)}" if person.birth_date else ""
            return person.full_name + born
        if role == self.PersonIdRole:
            return person.id
        return None

    def people(self) -> list[PersonRef]:
        return list(self._people)

    def set_people(self, people: Sequence[PersonRef]) -> None:
        self.beginResetModel()
        self._people = list(people)
        self.endResetModel()

    def add(self, person: PersonRef) -> bool:
        """Add *person* at the end unless listed already; whether it was added."""
        if any(p.id == person.id for p in self._people):
            return False
        row = len(self._people)
        self.beginInsertRows(QModelIndex(), row, row)
        self._people.append(person)
        self.endInsertRows()
        return True

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._people):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._people[row]
            self.endRemoveRows()
