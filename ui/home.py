"""The home page: my open cases, what is overdue, open cases by status and category, caseload.

The figures come from :func:`models.dashboard.load_dashboard`, read in the background; the
page shows "Loading…" meanwhile and reloads (debounced) when records change. The department
head and the administrator choose between the whole office and their own cases; users with no
cases of their own (a КДД secretary, a read-only user) see the whole office.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QSizePolicy,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.backups import STALE_AFTER_DAYS, BackupStatus, backup_status
from models.dashboard import (
    OPEN_STATUSES,
    OVERDUE_KINDS,
    OVERDUE_LABELS,
    Dashboard,
    OpenCase,
    OverdueGroup,
    OverdueItem,
    WorkerLoad,
    load_dashboard,
    office_wide_only,
)
from models.i18n import N_, current_language, gettext
from models.permissions import Permission
from models.validation import format_date, local_today

from ui.context import AppContext
from ui.errors import error_text
from ui.tasks import Progress, Task, run_task

# Records are often saved in bursts (a form saves a person, then a case): reload once after them.
REFRESH_DELAY_MS = 500
STATE_WHOLE_OFFICE = "home/whole_office"
STATE_CASES_SORT = "home/cases_sort"

ID_ROLE = Qt.ItemDataRole.UserRole + 1  # the UUID a row opens (a case, a referral, a meeting)
KIND_ROLE = Qt.ItemDataRole.UserRole + 2  # the record kind a row opens, or an overdue group's kind
SORT_ROLE = Qt.ItemDataRole.UserRole + 3  # a value that sorts as people expect (dates, numbers)
VALUE_ROLE = Qt.ItemDataRole.UserRole + 4  # a count
FRACTION_ROLE = Qt.ItemDataRole.UserRole + 5  # a count as a share of the largest (0…1), for the bars

OVERDUE_RED = QColor(190, 30, 30)
BAR_WIDTH = 120
SIZING_ROWS = 40
"""How many rows (after the visible ones) a table's columns are sized to when its rows change."""
_Index = QModelIndex | QPersistentModelIndex
_DISPLAY = Qt.ItemDataRole.DisplayRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
_FONT = Qt.ItemDataRole.FontRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)


@dataclass(frozen=True)
class _Loaded:
    """What one load reads in the background: the figures and the state of the backups."""

    board: Dashboard
    backups: BackupStatus


def _bold() -> QFont:
    font = QFont()
    font.setBold(True)
    return font


class _Table(QAbstractTableModel):
    """A small read-only table of rows held in memory, with translated headers."""

    headers: Sequence[str] = ()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else self._row_count()

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt override
        return 0 if parent.isValid() else len(self.headers)

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(self.headers):
            return gettext(self.headers[section])
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def _row_count(self) -> int:
        raise NotImplementedError


class OpenCasesModel(_Table):
    """My open cases: number, child, status, risk, next deadline (red when it has passed)."""

    headers = (N_("Case No."), N_("Child"), N_("Status"), N_("Risk level"), N_("Next deadline"))

    def __init__(self) -> None:
        super().__init__()
        self._rows: list[OpenCase] = []
        self._as_of = date.min

    def set_rows(self, rows: list[OpenCase], as_of: date) -> None:
        self.beginResetModel()
        self._rows, self._as_of = list(rows), as_of
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self._rows)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row, column = self._rows[index.row()], index.column()
        if role == ID_ROLE:
            return row.case_id
        if role == KIND_ROLE:
            return "case"
        late = row.next_deadline is not None and row.next_deadline < self._as_of
        if role == _DISPLAY:
            deadline = format_date(row.next_deadline) if row.next_deadline else ""
            return (row.number, row.child or "", row.status_label, row.risk or "", deadline)[column]
        if role == SORT_ROLE:
            number = tuple(int(part) for part in row.number.split("/")[::-1])
            due = row.next_deadline.toordinal() if row.next_deadline else date.max.toordinal()
            return (number, (row.child or "").casefold(), row.status, row.risk or "", due)[column]
        if role == _FOREGROUND and column == 4 and late:
            return QBrush(OVERDUE_RED)
        if role == _TOOLTIP and column == 4 and late:
            return gettext("The deadline has passed.")
        return None


class OverdueGroupsModel(_Table):
    """The kinds of overdue items with how many there are (in red when any; "more than" past the cap)."""

    headers = (N_("Overdue"), N_("Count"))

    def __init__(self) -> None:
        super().__init__()
        self._groups: list[OverdueGroup] = []

    def set_groups(self, groups: list[OverdueGroup]) -> None:
        self.beginResetModel()
        self._groups = list(groups)
        self.endResetModel()

    def group(self, row: int) -> OverdueGroup | None:
        return self._groups[row] if 0 <= row < len(self._groups) else None

    def _row_count(self) -> int:
        return len(self._groups)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._groups):
            return None
        group, column = self._groups[index.row()], index.column()
        if role in (_DISPLAY, _TOOLTIP) and column == 0:
            return gettext(OVERDUE_LABELS[group.kind])
        if role == _DISPLAY:
            return _count(group.total, capped=group.capped)
        if role == KIND_ROLE:
            return group.kind
        if role == VALUE_ROLE:
            return group.total
        if column == 1 and group.total:
            if role == _FOREGROUND:
                return QBrush(OVERDUE_RED)
            if role == _FONT:
                return _bold()
        if role == _ALIGNMENT and column == 1:
            return _RIGHT
        return None


class OverdueItemsModel(_Table):
    """The overdue items of one kind: case, child, due date, days overdue."""

    headers = (N_("Case No."), N_("Child"), N_("Due date"), N_("Days overdue"))

    def __init__(self) -> None:
        super().__init__()
        self._items: list[OverdueItem] = []

    def set_items(self, items: list[OverdueItem]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self._items)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item, column = self._items[index.row()], index.column()
        if role == _DISPLAY:
            return (item.case_number or "—", item.child or "", format_date(item.due), str(item.days_overdue))[
                column
            ]
        if role == ID_ROLE:
            return item.record_id
        if role == KIND_ROLE:
            return item.record_kind
        if role == _FOREGROUND and column == 3:
            return QBrush(OVERDUE_RED)
        if role == _ALIGNMENT and column == 3:
            return _RIGHT
        return None


@dataclass(frozen=True)
class _Bar:
    label: str
    count: int
    record_id: uuid.UUID | None = None
    muted: bool = False


class CountsModel(_Table):
    """Labels with a count and a bar as long as the count's share of the largest."""

    def __init__(self, first_header: str) -> None:
        super().__init__()
        self.headers = (first_header, N_("Cases"), "")
        self._bars: list[_Bar] = []
        self._largest = 0

    def set_bars(self, bars: list[_Bar]) -> None:
        self.beginResetModel()
        self._bars = list(bars)
        self._largest = max((bar.count for bar in bars), default=0)
        self.endResetModel()

    def headerData(  # noqa: N802 - Qt override
        self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY
    ) -> Any:
        if section == 2 and orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return ""
        return super().headerData(section, orientation, role)

    def _row_count(self) -> int:
        return len(self._bars)

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._bars):
            return None
        bar, column = self._bars[index.row()], index.column()
        if role == _DISPLAY:
            return (bar.label, str(bar.count), "")[column]
        if role == _TOOLTIP and column == 0:
            return bar.label
        if role == VALUE_ROLE:
            return bar.count
        if role == FRACTION_ROLE:
            return bar.count / self._largest if self._largest else 0.0
        if role == ID_ROLE:
            return bar.record_id
        if role == _ALIGNMENT and column == 1:
            return _RIGHT
        if role == _FOREGROUND and bar.muted:
            return QBrush(QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text))
        return None


class BarDelegate(QStyledItemDelegate):
    """Draws :data:`FRACTION_ROLE` as a horizontal bar (no charts library)."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        super().paint(painter, option, index)
        fraction = index.data(FRACTION_ROLE)
        if not isinstance(fraction, float) or fraction <= 0:
            return
        rect: QRect = option.rect.adjusted(2, 4, -4, -4)
        rect.setWidth(max(2, round(rect.width() * fraction)))
        painter.save()
        painter.fillRect(rect, option.palette.color(QPalette.ColorRole.Highlight))
        painter.restore()


def _table(model: QAbstractItemModel, *, stretch_column: int) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    header = view.horizontalHeader()
    header.setHighlightSections(False)
    # Columns are sized once per reset, from the header and the first rows (ResizeToContents would
    # ask every cell of every row for its data on each layout: 13,000 calls and ~200 ms for 100 cases).
    header.setResizeContentsPrecision(SIZING_ROWS)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    model.modelReset.connect(lambda: _fit_columns(view))
    _fit_columns(view)
    return view


def _fit_columns(view: QTableView) -> None:
    """Size the columns that are neither stretched nor fixed to their header and first rows."""
    header = view.horizontalHeader()
    for column in range(header.count()):
        if header.sectionResizeMode(column) == QHeaderView.ResizeMode.Interactive:
            view.resizeColumnToContents(column)


def _bars_table(model: CountsModel) -> QTableView:
    view = _table(model, stretch_column=0)
    view.setItemDelegateForColumn(2, BarDelegate(view))
    header = view.horizontalHeader()
    header.hide()
    header.setSectionResizeMode(2, QHeaderView.ResizeMode.Fixed)
    header.resizeSection(2, BAR_WIDTH)
    view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return view


def _fit_rows(view: QTableView, rows: int) -> None:
    """Make *view* exactly as tall as its header and *rows* rows."""
    header = view.horizontalHeader()
    height = (0 if header.isHidden() else header.sizeHint().height()) + 2 * view.frameWidth()
    view.setFixedHeight(height + rows * view.verticalHeader().defaultSectionSize())


class HomePage(QWidget):
    """The first page of the main window (see :class:`ui.pages.Page`).

    Double-click (or Enter) on a case or an overdue item opens its record through
    :meth:`AppContext.open_record`.

    Signals:
        loaded(): the figures of a (re)load are shown.
    """

    loaded = Signal()

    record_kind: str | None = None

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._can_choose = ctx.can(Permission.CASE_ASSIGN)
        self._office_only = office_wide_only(ctx.actor)
        self._whole_office = self._office_only or (
            self._can_choose and _state_bool(ctx, STATE_WHOLE_OFFICE, True)
        )
        self._task: Task[_Loaded] | None = None
        self._reload_wanted = False
        self._stale = False

        self.refresh_timer = QTimer(self)
        self.refresh_timer.setSingleShot(True)
        self.refresh_timer.setInterval(REFRESH_DELAY_MS)
        self.refresh_timer.timeout.connect(self._on_refresh_timer_timeout)
        ctx.data_changed.connect(self._on_ctx_data_changed)

        self.cases_model = OpenCasesModel()
        self._cases_proxy = QSortFilterProxyModel(self)
        self._cases_proxy.setSourceModel(self.cases_model)
        self._cases_proxy.setSortRole(SORT_ROLE)
        self.groups_model = OverdueGroupsModel()
        self.items_model = OverdueItemsModel()
        self.status_model = CountsModel(N_("Status"))
        self.category_model = CountsModel(N_("Category"))
        self.caseload_model = CountsModel(N_("Worker"))
        self._build()
        self.refresh()

    # --- layout -----------------------------------------------------------------------

    def _build(self) -> None:
        self.status_label = QLabel()
        self.status_label.setObjectName("home_status")
        top = QHBoxLayout()
        self.today_label = QLabel()
        self.today_label.setObjectName("home_today")
        top.addWidget(self.today_label)
        self.backup_label = QLabel()
        self.backup_label.setObjectName("home_backup")
        self.backup_label.hide()
        top.addSpacing(24)
        top.addWidget(self.backup_label)
        top.addStretch(1)
        top.addWidget(self.status_label)
        self.mine_button = QRadioButton(gettext("My cases"))
        self.office_button = QRadioButton(gettext("Whole office"))
        self._scope = QButtonGroup(self)
        self._scope.addButton(self.mine_button)
        self._scope.addButton(self.office_button)
        (self.office_button if self._whole_office else self.mine_button).setChecked(True)
        self._scope.buttonToggled.connect(self._on_scope_toggled)
        for button in (self.mine_button, self.office_button):
            top.addWidget(button)
            if not self._can_choose:
                button.hide()

        self.overdue_box = QGroupBox()
        self.groups_view = _table(self.groups_model, stretch_column=0)
        self.groups_view.selectionModel().currentRowChanged.connect(self._on_groups_current_changed)
        self.items_view = _table(self.items_model, stretch_column=1)
        self.items_view.activated.connect(self._on_record_view_activated)
        self.overdue_note = QLabel()
        self.overdue_note.setWordWrap(True)
        _fit_rows(self.groups_view, len(OVERDUE_KINDS))
        overdue = QGridLayout(self.overdue_box)
        overdue.addWidget(self.groups_view, 0, 0)
        overdue.addWidget(self.overdue_note, 1, 0, Qt.AlignmentFlag.AlignTop)
        overdue.addWidget(self.items_view, 0, 1, 2, 1)
        overdue.setRowStretch(1, 1)
        overdue.setColumnStretch(0, 5)
        overdue.setColumnStretch(1, 7)

        self.cases_box = QGroupBox()
        self.cases_view = _table(self._cases_proxy, stretch_column=1)
        self.cases_view.setSortingEnabled(True)
        self._restore_sort()
        self.cases_view.activated.connect(self._on_record_view_activated)
        self.cases_note = QLabel()
        self.cases_note.setWordWrap(True)
        cases = QVBoxLayout(self.cases_box)
        cases.addWidget(self.cases_view)
        cases.addWidget(self.cases_note)

        self.status_box = QGroupBox()
        self.status_view = _bars_table(self.status_model)
        _fit_rows(self.status_view, len(OPEN_STATUSES))
        self.category_box = QGroupBox()
        self.category_view = _bars_table(self.category_model)
        self.caseload_box = QGroupBox()
        self.caseload_view = _bars_table(self.caseload_model)
        for box, view in (
            (self.status_box, self.status_view),
            (self.category_box, self.category_view),
            (self.caseload_box, self.caseload_view),
        ):
            QVBoxLayout(box).addWidget(view)

        left = QVBoxLayout()
        left.addWidget(self.overdue_box, 1)
        left.addWidget(self.cases_box, 1)
        self.cases_box.setVisible(not self._office_only)  # nobody's case worker: no cases of their own
        right = QVBoxLayout()
        right.addWidget(self.status_box)
        right.addWidget(self.category_box, 3)
        right.addWidget(self.caseload_box, 2)
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(columns, 1)
        self._retitle(None)

    def _retitle(self, board: Dashboard | None) -> None:
        whole = self._whole_office
        self.today_label.setText(
            gettext("Today is {date}").format(date=format_date(board.as_of if board else local_today()))
        )
        overdue = (
            gettext("Overdue in the office: {count}") if whole else gettext("Overdue in my cases: {count}")
        )
        self.overdue_box.setTitle(
            overdue.format(
                count=_count(board.overdue_total, capped=board.overdue_capped) if board else _count(None)
            )
        )
        mine = gettext("My open cases: {count}")
        self.cases_box.setTitle(mine.format(count=_count(board.my_cases.total if board else None)))
        by_status = (
            gettext("Open cases of the office by status: {count}")
            if whole
            else gettext("My open cases by status: {count}")
        )
        self.status_box.setTitle(by_status.format(count=_count(board.open_total if board else None)))
        self.category_box.setTitle(gettext("Open cases by category"))
        self.caseload_box.setTitle(gettext("Caseload: open cases per worker"))
        self.caseload_box.setVisible(whole)

    # --- loading ----------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the figures in the background (once more after a load under way, if one is)."""
        self.refresh_timer.stop()
        self._stale = False
        if self._task is not None:
            self._reload_wanted = True
            return
        self._reload_wanted = False
        db, actor, whole, lang = self.ctx.db, self.ctx.actor, self._whole_office, current_language()

        def work(_progress: Progress) -> _Loaded:
            return _Loaded(load_dashboard(db, actor, whole_office=whole, lang=lang), backup_status(db))

        self._set_status(gettext("Loading…"))
        self._task = run_task(work, self._on_task_finished, on_error=self._on_task_failed)

    def is_loading(self) -> bool:
        """Whether a load is under way."""
        return self._task is not None

    @Slot(object)
    def _on_task_finished(self, loaded: _Loaded) -> None:
        self._task = None
        board = loaded.board
        self._show_backups(loaded.backups, board.as_of)
        if board.whole_office == self._whole_office:  # else the scope changed meanwhile: not wanted
            self._show(board)
            self._set_status("")
            self.loaded.emit()
        else:
            self._reload_wanted = True
        if self._reload_wanted:
            self.refresh()

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self._task = None
        self._set_status(error_text(error), error=True)
        if self._reload_wanted:
            self.refresh()

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status_label.setText(text)
        self.status_label.setStyleSheet(f"color: {OVERDUE_RED.name()}" if error else "")

    def _show(self, board: Dashboard) -> None:
        self._retitle(board)
        self.cases_model.set_rows(board.my_cases.rows, board.as_of)
        shown, total = len(board.my_cases.rows), board.my_cases.total
        if total == 0:
            self.cases_note.setText(gettext("No open case has you as the responsible worker."))
        elif shown < total:
            self.cases_note.setText(
                gettext("The {shown} most recently opened are shown.").format(shown=shown)
            )
        else:
            self.cases_note.setText("")
        self.cases_note.setVisible(bool(self.cases_note.text()))
        self.cases_view.setVisible(total > 0)
        vertical = QSizePolicy.Policy.Preferred if total else QSizePolicy.Policy.Maximum
        self.cases_box.setSizePolicy(QSizePolicy.Policy.Preferred, vertical)

        shown_group = self.groups_model.group(self.groups_view.currentIndex().row())
        self.groups_model.set_groups(board.overdue)
        kind = shown_group.kind if shown_group else None
        row = next((i for i, group in enumerate(board.overdue) if group.kind == kind), None)
        if row is None:  # the first kind with something overdue
            row = next((i for i, group in enumerate(board.overdue) if group.total), 0)
        self.groups_view.setCurrentIndex(self.groups_model.index(row, 0))
        self._show_group(row)

        self.status_model.set_bars([_Bar(c.label, c.count) for c in board.by_status])
        self.category_model.set_bars([_Bar(c.label, c.count) for c in board.by_category])
        self.caseload_model.set_bars([_load_bar(load) for load in board.caseload])

    def _show_backups(self, status: BackupStatus, today: date) -> None:
        """One quiet line: when the last backup was made; in red when there is none or it is old."""
        self.backup_label.setVisible(status.applies)
        if not status.applies:
            return
        last = status.last
        if last is None:
            text = gettext("No backup of the database has been made yet.")
        else:
            made = last.made_at.astimezone()
            text = gettext("Last backup: {moment}").format(moment=f"{format_date(made.date())} {made:%H:%M}")
        stale = status.stale(today)
        if stale and last is not None:
            text += " — " + gettext("more than {days} days ago").format(days=STALE_AFTER_DAYS)
        problem = last.extra_message() if last is not None else None
        if problem is not None:
            text += " — " + gettext("not copied to the extra folder")
        self.backup_label.setText(text)
        self.backup_label.setToolTip(problem.render() if problem is not None else "")
        quiet = QPalette().color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        self.backup_label.setStyleSheet(f"color: {(OVERDUE_RED if stale else quiet).name()}")

    def _show_group(self, row: int) -> None:
        group = self.groups_model.group(row)
        self.items_model.set_items(group.items if group else [])
        if group is None or group.total == 0:
            self.overdue_note.setText(gettext("Nothing of this kind is overdue."))
        elif group.capped:
            self.overdue_note.setText(
                gettext("The {shown} most overdue of more than {total} are shown.").format(
                    shown=len(group.items), total=_count(group.total)
                )
            )
        elif len(group.items) < group.total:
            self.overdue_note.setText(
                gettext("The {shown} most overdue of {total} are shown.").format(
                    shown=len(group.items), total=group.total
                )
            )
        else:
            self.overdue_note.setText(gettext("Double-click a row to open it."))

    # --- slots ------------------------------------------------------------------------

    @Slot(str)
    def _on_ctx_data_changed(self, _kind: str) -> None:
        self.refresh_timer.start()

    @Slot()
    def _on_refresh_timer_timeout(self) -> None:
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True  # reloaded when shown again

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._stale:
            self.refresh()

    @Slot(QModelIndex, QModelIndex)
    def _on_groups_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._show_group(current.row())

    @Slot(QModelIndex)
    def _on_record_view_activated(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        kind, record_id = index.data(KIND_ROLE), index.data(ID_ROLE)
        if isinstance(kind, str) and isinstance(record_id, uuid.UUID):
            self.ctx.open_record(kind, record_id)

    @Slot(object, bool)
    def _on_scope_toggled(self, _button: object, checked: bool) -> None:
        if not checked:
            return
        self._whole_office = self.office_button.isChecked()
        self._retitle(None)
        self.refresh()

    # --- Page -------------------------------------------------------------------------

    def focus_search(self) -> None:
        """There is nothing to search here: Ctrl+F goes to the list of overdue items."""
        self.items_view.setFocus()

    def save_state(self) -> None:
        """The scope chosen and the sort of my cases."""
        if self._can_choose:
            self.ctx.state.setValue(STATE_WHOLE_OFFICE, self._whole_office)
        header = self.cases_view.horizontalHeader()
        self.ctx.state.setValue(
            STATE_CASES_SORT, f"{header.sortIndicatorSection()}:{header.sortIndicatorOrder().value}"
        )

    def _restore_sort(self) -> None:
        column, order = -1, Qt.SortOrder.AscendingOrder
        saved = self.ctx.state.value(STATE_CASES_SORT)
        if isinstance(saved, str) and ":" in saved:
            first, second = saved.split(":", 1)
            if first.lstrip("-").isdigit() and second.isdigit():
                column, order = int(first), Qt.SortOrder(int(second))
        if 0 <= column < self.cases_model.columnCount():
            self.cases_view.sortByColumn(column, order)
        else:
            self.cases_view.horizontalHeader().setSortIndicator(-1, order)
            self._cases_proxy.sort(-1)


def _load_bar(load: WorkerLoad) -> _Bar:
    if load.worker_id is None:
        return _Bar(gettext("Not assigned"), load.open_cases)
    name = load.name or ""
    if not load.active:
        name = gettext("{name} (inactive)").format(name=name)
    return _Bar(name, load.open_cases, load.worker_id, muted=not load.active)


def _count(n: int | None, *, capped: bool = False) -> str:
    """A count with thousands separated by a non-breaking space (100 250); "…" while unknown.

    *capped*: counting stopped at *n* and there are more ("more than 1 000").
    """
    if n is None:
        return "…"
    text = f"{n:,}".replace(",", "\u00a0")
    return gettext("more than {count}").format(count=text) if capped else text


def _state_bool(ctx: AppContext, key: str, default: bool) -> bool:
    value = ctx.state.value(key, default)
    if isinstance(value, str):
        return value.lower() in ("true", "1")
    return bool(value)
