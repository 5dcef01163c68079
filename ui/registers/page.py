"""A register page: the filter bar, the count, and the table of one register."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeyEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.i18n import gettext
from models.papers.registers import PRINTABLE_REGISTERS
from models.permissions import Permission
from models.registers import RegisterQuery, columns
from models.validation import local_today

from ui.context import AppContext
from ui.errors import error_text
from ui.printing import show_preview
from ui.registers.columns import RECORD_KINDS, RELATED_KINDS, ColumnLayout, column_index
from ui.registers.filters import FilterBar
from ui.registers.model import DatabaseSource, RegisterSource, RegisterTableModel

# "Loading…" appears only when a query takes longer than this.
LOADING_DELAY_MS = 300
MAX_AUTO_WIDTH = 360
SIZING_ROWS = 50


def format_count(n: int) -> str:
    """A count with thousands separated by a non-breaking space, as in Russian and Kyrgyz: 100 250."""
    return f"{n:,}".replace(",", "\u00a0")


class RegisterPage(QWidget):
    """One register (children, reports, cases, households, referrals, КДД meetings) as a page.

    Double-click or Enter on a row opens its record (:meth:`AppContext.open_record`). The
    layout of the columns and the sort persist in ``ctx.state`` under ``registers/<register>/``.

    Signals:
        loaded(): rows of a new or refreshed query are shown, the count is up to date.
        exported(str): the register as shown was exported to this file.
    """

    loaded = Signal()
    exported = Signal(str)

    def __init__(
        self,
        ctx: AppContext,
        register: str,
        parent: QWidget | None = None,
        *,
        source: RegisterSource | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.register = register
        self.record_kind: str | None = RECORD_KINDS[register]
        self._columns = columns(register)
        self._layout = ColumnLayout.load(ctx.state, register)
        self._stale = False
        self._keep_id: uuid.UUID | None = None
        self._keep_row: int | None = None
        # A refreshed record not among the first rows read, and the row put current meanwhile.
        self._find_id: uuid.UUID | None = None
        self._stand_in_row: int | None = None
        self._sized = False

        self.model = RegisterTableModel(register, source or DatabaseSource(ctx.db), self)
        self.filter_bar = FilterBar(ctx, register)
        self.view = QTableView()
        self._set_up_view()
        self._loading = QTimer(self)
        self._loading.setSingleShot(True)
        self._loading.setInterval(LOADING_DELAY_MS)

        self.preview: QWidget | None = None
        self.batch: QObject | None = None
        self.export_task: QObject | None = None
        self.export_note = QLabel()
        self.export_note.setContentsMargins(12, 0, 0, 0)
        self.export_button: QPushButton | None = None
        if self.can_export():
            self.filter_bar.add_tool(self.export_note)
            self.filter_bar.add_tool(self._export_button())
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_bar)
        if register == "referrals" and ctx.can(Permission.PRINT):
            layout.addLayout(self._batch_row())
        layout.addWidget(self.view, 1)

        self._apply_layout(self._layout)
        self.filter_bar.changed.connect(self._on_filter_bar_changed)
        self.filter_bar.search.installEventFilter(self)
        self.model.loaded.connect(self._on_model_loaded)
        self.model.ids_loaded.connect(self._on_model_ids_loaded)
        self.model.failed.connect(self._on_model_failed)
        self._loading.timeout.connect(self._on_loading_timeout)
        self.view.activated.connect(self._on_view_activated)
        header = self.view.horizontalHeader()
        header.sectionClicked.connect(self._on_header_section_clicked)
        header.customContextMenuRequested.connect(self._on_header_context_menu_requested)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        self._run(self._query())

    def _set_up_view(self) -> None:
        view = self.view
        view.setModel(self.model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)
        view.setCornerButtonEnabled(False)
        view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = view.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
        header = view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)

    # --- Page ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the register again, keeping the filters and, where it still is, the current record."""
        self._stale = False
        current = self.view.currentIndex()
        self._keep_row = current.row() if current.isValid() else None
        self._keep_id = self.model.record_id(current.row()) if current.isValid() else None
        self._loading.start()
        self.model.reload(keep_row=self._keep_row)

    def can_print(self) -> bool:
        """Whether this register has a printout (the report log, the children, the referrals)."""
        return self.register in PRINTABLE_REGISTERS and self.ctx.can(Permission.PRINT)

    def print_view(self) -> None:
        """Print the register as shown: its filters and sort, its visible columns in their order."""
        if not self.can_print():
            QMessageBox.information(
                self,
                gettext("Print"),
                gettext("This register has no printout; the report log, the children and the referrals do."),
            )
            return
        options = {"name": self.register, "query": self.model.query(), "columns": self.shown_columns()}
        self.preview = show_preview(self.ctx, "register", options=options, parent=self)

    def shown_columns(self) -> list[str]:
        """The keys of the columns shown, in the order shown."""
        header = self.view.horizontalHeader()
        logical = [header.logicalIndex(visual) for visual in range(header.count())]
        return [self._columns[i].key for i in logical if not header.isSectionHidden(i)]

    def can_export(self) -> bool:
        return self.ctx.can(Permission.EXPORT)

    def export_view(self, fmt: str) -> None:
        """Export the register as shown (filters, sort, shown columns) to an XLSX or CSV file."""
        from ui.registers.export import export_page

        if self.can_export() and fmt in ("xlsx", "csv"):
            self.export_note.clear()
            self.export_task = export_page(self, "xlsx" if fmt == "xlsx" else "csv")

    def _export_button(self) -> QPushButton:
        """ "Export…", a menu of the two formats."""
        button = QPushButton(gettext("Export…"))
        button.setToolTip(
            gettext("Export the register as shown (its filters, sort and columns) to a spreadsheet")
        )
        menu = QMenu(button)
        menu.addAction(gettext("Excel workbook (XLSX)…")).setData("xlsx")
        menu.addAction(gettext("CSV for Excel…")).setData("csv")
        menu.triggered.connect(self._on_export_menu_triggered)
        button.setMenu(menu)
        self.export_button = button
        return button

    @Slot(QAction)
    def _on_export_menu_triggered(self, action: QAction) -> None:
        if action.data():
            self.export_view(str(action.data()))

    def _batch_row(self) -> QHBoxLayout:
        """The referrals register's batch print: every referral issued today, printed or saved at once."""
        button = QToolButton()
        button.setText(gettext("Referrals issued today"))
        button.setToolTip(gettext("Print or save every referral issued today, in one go"))
        button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(button)
        menu.addAction(gettext("Print all…")).setData("printer")
        menu.addAction(gettext("Save all as PDF…")).setData("pdf")
        menu.triggered.connect(self._on_batch_menu_triggered)
        button.setMenu(menu)
        self.batch_button = button
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        return row

    def print_issued_today(self, destination: str) -> None:
        """Print (or save) the referrals issued today (see :mod:`ui.printing.batch`)."""
        from ui.printing.batch import print_referrals_issued_on

        self.batch = print_referrals_issued_on(self.ctx, local_today(), self, destination)

    @Slot(QAction)
    def _on_batch_menu_triggered(self, action: QAction) -> None:
        if action.data():
            self.print_issued_today(str(action.data()))

    def focus_search(self) -> None:
        self.filter_bar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_bar.search.selectAll()

    def save_state(self) -> None:
        """Keep the order, visibility and widths of the columns and the sort for the next start."""
        header = self.view.horizontalHeader()
        order = [self._columns[header.logicalIndex(visual)].key for visual in range(header.count())]
        hidden = {spec.key for i, spec in enumerate(self._columns) if header.isSectionHidden(i)}
        widths = dict(self._layout.widths)
        for i, spec in enumerate(self._columns):
            if not header.isSectionHidden(i) and header.sectionSize(i) > 0:
                widths[spec.key] = header.sectionSize(i)
        query = self.model.query()
        sort = query.sort or self._layout.sort
        self._layout = ColumnLayout(order, hidden, widths, sort, query.descending)
        self._layout.save(self.ctx.state, self.register)

    # --- what the page shows --------------------------------------------------------------

    def count_text(self) -> str:
        total = self.model.total()
        whole = self.model.unfiltered_total()
        if whole is None:
            return ""
        if not self.model.query().used_filters():
            return gettext("Total: {total}").format(total=format_count(whole))
        found = gettext("Found {found} of {total}")
        return found.format(found=format_count(total), total=format_count(whole))

    def _query(self) -> RegisterQuery:
        current = self.model.query()
        sort = current.sort or self._layout.sort
        descending = current.descending if current.sort else self._layout.descending
        return RegisterQuery(self.register, sort=sort, descending=descending, **self.filter_bar.values())

    def _run(self, query: RegisterQuery) -> None:
        self._keep_id = None
        self._keep_row = None
        self._find_id = None
        self._loading.start()
        self.model.set_query(query)

    def _apply_layout(self, layout: ColumnLayout) -> None:
        header = self.view.horizontalHeader()
        for visual, key in enumerate(layout.order):
            logical = column_index(self.register, key)
            if logical is not None:
                header.moveSection(header.visualIndex(logical), visual)
        for logical, spec in enumerate(self._columns):
            header.setSectionHidden(logical, spec.key in layout.hidden)
            if spec.key in layout.widths:
                header.resizeSection(logical, layout.widths[spec.key])
        sorted_column = column_index(self.register, layout.sort)
        if sorted_column is not None:
            header.setSortIndicator(sorted_column, _order(layout.descending))

    def _size_new_columns(self) -> None:
        """Fit the columns that have no saved width to their title and the first rows, once."""
        if self._sized:
            return
        self._sized = True
        for logical, spec in enumerate(self._columns):
            if spec.key not in self._layout.widths:
                self._fit_column(logical)

    def _fit_column(self, logical: int) -> None:
        """Size a column by its title and the rows read so far (never by reading every row)."""
        header = self.view.horizontalHeader()
        metrics = self.view.fontMetrics()
        texts = self.model.loaded_texts(logical, SIZING_ROWS)
        cells = max((metrics.horizontalAdvance(text) for text in texts), default=0) + 16
        title = header.sectionSizeFromContents(logical).width()
        header.resizeSection(logical, min(max(cells, title), MAX_AUTO_WIDTH))

    def _show_sort(self) -> None:
        query = self.model.query()
        logical = column_index(self.register, query.sort or self._layout.sort)
        header = self.view.horizontalHeader()
        if logical is not None:
            header.setSortIndicator(logical, _order(query.descending))

    # --- events -----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Down in the search box goes to the table, as in a search field of a list."""
        if (
            watched is self.filter_bar.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and self.model.total() > 0
        ):
            self.filter_bar.apply_now()
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            if not self.view.currentIndex().isValid():
                self.view.setCurrentIndex(self.model.index(0, self.view.horizontalHeader().logicalIndex(0)))
            return True
        return super().eventFilter(watched, event)

    @Slot()
    def _on_filter_bar_changed(self) -> None:
        self._run(self._query())

    @Slot()
    def _on_model_loaded(self) -> None:
        self._loading.stop()
        self.filter_bar.count_label.setText(self.count_text())
        self._show_sort()
        self._size_new_columns()
        row = self.model.find(self._keep_id) if self._keep_id is not None else None
        self._find_id = None
        if row is None and self._keep_row is not None and self.model.total() > 0:
            row = min(self._keep_row, self.model.total() - 1)
            self._find_id, self._stand_in_row = self._keep_id, row  # the ids will tell where it went
        if row is not None:
            self._set_current_row(row)
        self._keep_id = None
        self._keep_row = None
        self.loaded.emit()

    @Slot()
    def _on_model_ids_loaded(self) -> None:
        """The count may have changed; a kept record not found among the first rows read is looked up."""
        self.filter_bar.count_label.setText(self.count_text())
        record_id, self._find_id = self._find_id, None
        if record_id is None or self.view.currentIndex().row() != self._stand_in_row:
            return  # nothing to look for, or the user has moved on
        row = self.model.find(record_id)
        if row is not None:
            self._set_current_row(row)
            self.view.scrollTo(self.model.index(row, 0))

    def _set_current_row(self, row: int) -> None:
        self.view.setCurrentIndex(self.model.index(row, self.view.horizontalHeader().logicalIndex(0)))

    @Slot(object)
    def _on_model_failed(self, error: BaseException) -> None:
        self._loading.stop()
        self.filter_bar.count_label.setText(error_text(error))

    @Slot()
    def _on_loading_timeout(self) -> None:
        self.filter_bar.count_label.setText(gettext("Loading…"))

    @Slot(QModelIndex)
    def _on_view_activated(self, index: QModelIndex) -> None:
        record_id = self.model.record_id(index.row()) if index.isValid() else None
        if record_id is not None and self.record_kind is not None:
            self.ctx.open_record(self.record_kind, record_id)

    @Slot(int)
    def _on_header_section_clicked(self, logical: int) -> None:
        spec = self._columns[logical]
        query = self.model.query()
        if spec.sortable:
            current = query.sort or self._layout.sort
            descending = not query.descending if spec.key == current else False
            self.model.sort(logical, _order(descending))
            self._loading.start()
        self._show_sort()  # the header moved its arrow on the click; show the real sort

    @Slot(QPoint)
    def _on_header_context_menu_requested(self, pos: QPoint) -> None:
        self.column_menu().popup(self.view.horizontalHeader().mapToGlobal(pos))

    def column_menu(self) -> QMenu:
        """Show or hide columns (the last one shown cannot be hidden), or restore the default columns."""
        header = self.view.horizontalHeader()
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        shown = sum(not header.isSectionHidden(i) for i in range(header.count()))
        for visual in range(header.count()):
            logical = header.logicalIndex(visual)
            action = QAction(self._columns[logical].title(), menu)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(logical))
            action.setEnabled(not (action.isChecked() and shown == 1))
            action.setData(logical)
            action.toggled.connect(self._on_column_action_toggled)
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(gettext("Restore default columns"), self._on_restore_columns_triggered)
        return menu

    @Slot(bool)
    def _on_column_action_toggled(self, checked: bool) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.set_column_visible(self._columns[int(action.data())].key, checked)

    def set_column_visible(self, key: str, visible: bool) -> None:
        logical = column_index(self.register, key)
        header = self.view.horizontalHeader()
        if logical is None:
            return
        if not visible and sum(not header.isSectionHidden(i) for i in range(header.count())) <= 1:
            return
        header.setSectionHidden(logical, not visible)
        if visible and header.sectionSize(logical) < 20:
            self._fit_column(logical)

    @Slot()
    def _on_restore_columns_triggered(self) -> None:
        default = ColumnLayout.default(self.register)
        query = self.model.query()
        default.sort, default.descending = query.sort or default.sort, query.descending
        self._layout = default
        self._apply_layout(default)
        self._sized = False
        self._size_new_columns()

    @Slot(str)
    def _on_ctx_data_changed(self, kind: str) -> None:
        if kind not in RELATED_KINDS[self.register]:
            return
        if kind in ("reference", "user", "office"):
            self.filter_bar.load_choices()
        if self.isVisible():
            self.refresh()
        else:
            self._stale = True


def _order(descending: bool) -> Qt.SortOrder:
    return Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
