"""The "Registers from Excel" tab: children, households or reports from an office's XLSX or CSV file.

Choose the file and what it lists; the tab shows how it was read, proposes which column fills
which field (each editable), and previews every row with its problems. Import writes all rows
or none; the other button imports the valid rows and saves a report of the rest. Reading,
previewing and importing run off the GUI thread. The file dialogs are module functions so a
test can answer them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from models.exchange.legacy import (
    ColumnMapping,
    ImportResult,
    Preview,
    RowPreview,
    SourceTable,
    default_report_path,
    field_label,
    import_register,
    preview,
    problem_text,
    propose_mapping,
    read_table,
)
from models.exchange.legacy_columns import FIELDS, REGISTER_LABELS, REGISTERS
from models.i18n import gettext, ngettext

from ui.admin.common import MessageBar, make_table, report_failure
from ui.context import AppContext
from ui.tasks import Progress, run_task, run_with_progress

FOLDER_KEY = "exchange/legacy/folder"
HEADER_KEY = "exchange/legacy/header"
MAPPING_COLUMNS = 3  # source columns per line of the mapping grid
MAPPING_LINES = 4  # lines shown before the grid scrolls
HEADER_CHARS = 24  # a longer header is cut in the mapping grid (whole in its tooltip)
PROBLEM_COLOUR = QColor("#fdecea")
WARNING_COLOUR = QColor("#fff8e1")
PROBLEMS_WIDTH = 380  # the whole text is the row's tooltip
VALUE_WIDTH = 240
CHANGED_KIND = {"children": "person", "households": "household", "reports": "report"}


def ask_source_file(parent: QWidget, folder: Path) -> Path | None:
    """The register file the user picks, or None."""
    chosen, _filter = QFileDialog.getOpenFileName(
        parent,
        gettext("Register to import"),
        str(folder),
        gettext("Excel or CSV registers (*.xlsx *.csv *.txt)"),
    )
    return Path(chosen) if chosen else None


def ask_report_path(parent: QWidget, suggested: Path) -> Path | None:
    """Where the user wants the skipped rows listed (.csv or .xlsx), or None to cancel."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent,
        gettext("Save the skipped rows"),
        str(suggested),
        gettext("CSV (*.csv);;Excel workbook (*.xlsx)"),
    )
    return Path(chosen) if chosen else None


class PreviewModel(QAbstractTableModel):
    """The rows of a preview: the row number, the problems, and the mapped fields' values.

    Rows with problems are tinted red, rows with only warnings yellow; the problems are also
    the tooltip of every cell of the row.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._register = "children"
        self._fields: list[str] = []
        self._rows: list[RowPreview] = []

    def set_preview(self, checked: Preview | None) -> None:
        self.beginResetModel()
        if checked is None:
            self._fields, self._rows = [], []
        else:
            self._register = checked.mapping.register
            self._fields = checked.fields()
            self._rows = list(checked.rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._fields) + 2

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(row.number)
            if column == 1:
                return problem_text(row)
            return row.values.get(self._fields[column - 2], "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return problem_text(row) or None
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.problems:
                return QBrush(PROBLEM_COLOUR)
            if row.warnings:
                return QBrush(WARNING_COLOUR)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == 0:
            return gettext("Row")
        if section == 1:
            return gettext("Problems")
        if 1 < section < len(self._fields) + 2:
            return field_label(self._register, self._fields[section - 2])
        return None

    def row_at(self, row: int) -> RowPreview:
        return self._rows[row]


class LegacyTab(QWidget):
    """Registers from Excel: a file, its column mapping, the preview of its rows, and the import.

    Signals:
        preview_ready(): a preview of the current file and mapping is shown.
        imported(object): an import finished (its :class:`ImportResult`).
    """

    preview_ready = Signal()
    imported = Signal(object)
    kinds: tuple[str, ...] = ("person",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.folder = Path(str(ctx.state.value(FOLDER_KEY, str(Path.home()))))
        self.path: Path | None = None
        self.table: SourceTable | None = None
        self.checked: Preview | None = None
        self.mapping_boxes: list[QComboBox] = []
        self._generation = 0

        self.file_edit = QLineEdit()
        self.file_edit.setReadOnly(True)
        self.file_edit.setPlaceholderText(gettext("No file chosen"))
        self.file_button = QPushButton(gettext("Choose…"))
        self.file_button.clicked.connect(self._on_file_button_clicked)
        self.register_box = QComboBox()
        for register in REGISTERS:
            self.register_box.addItem(gettext(REGISTER_LABELS[register]), register)
        self.register_box.currentIndexChanged.connect(self._on_register_box_changed)
        self.sheet_box = QComboBox()
        self.sheet_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.sheet_box.currentIndexChanged.connect(self._on_sheet_box_changed)
        self.sheet_label = QLabel(gettext("Sheet:"))
        self.how_label = QLabel()
        self.how_label.setWordWrap(True)

        self.mapping_grid = QGridLayout()
        self.mapping_grid.setHorizontalSpacing(12)
        mapping_holder = QWidget()
        mapping_holder.setLayout(self.mapping_grid)
        self.mapping_area = QScrollArea()
        self.mapping_area.setWidgetResizable(True)
        self.mapping_area.setFrameShape(QFrame.Shape.NoFrame)
        self.mapping_area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.mapping_area.setWidget(mapping_holder)

        self.model = PreviewModel(self)
        self.preview_table = make_table(self.model, ctx.state, HEADER_KEY)
        self.counts_label = QLabel()
        self.counts_label.setWordWrap(True)
        self.import_button = QPushButton(gettext("Import"))
        self.import_button.clicked.connect(self._on_import_button_clicked)
        self.skip_button = QPushButton(gettext("Import valid rows, skip the others…"))
        self.skip_button.clicked.connect(self._on_skip_button_clicked)
        self.bar = MessageBar()
        self._lay_out()
        self._show_table(None, None)
        self._show_preview(None)

    def _lay_out(self) -> None:
        source = QHBoxLayout()
        source.addWidget(QLabel(gettext("File:")))
        source.addWidget(self.file_edit, 1)
        source.addWidget(self.file_button)
        source.addSpacing(12)
        source.addWidget(QLabel(gettext("Register:")))
        source.addWidget(self.register_box)
        source.addWidget(self.sheet_label)
        source.addWidget(self.sheet_box)

        mapping = QGroupBox(gettext("Columns: which field each one fills"))
        mapping_layout = QVBoxLayout(mapping)
        mapping_layout.addWidget(self.how_label)
        mapping_layout.addWidget(self.mapping_area)

        buttons = QHBoxLayout()
        buttons.addWidget(self.counts_label, 1)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.skip_button)

        rows = QGroupBox(gettext("Rows as they will be imported"))
        rows_layout = QVBoxLayout(rows)
        rows_layout.addWidget(self.preview_table)
        rows_layout.addLayout(buttons)

        column = QVBoxLayout(self)
        column.addLayout(source)
        column.addWidget(mapping)
        column.addWidget(self.bar)
        column.addWidget(rows, 1)

    # --- the AdminTab protocol ---------------------------------------------------------------

    def refresh(self) -> None:
        """Check the rows again (registered children may have changed the duplicates)."""
        if self.table is not None:
            self._request_preview()

    def focus_search(self) -> None:
        self.file_button.setFocus()

    def save_state(self) -> None:
        self.ctx.state.setValue(FOLDER_KEY, str(self.folder))
        self.ctx.state.setValue(HEADER_KEY, self.preview_table.horizontalHeader().saveState())

    # --- loading -----------------------------------------------------------------------------

    def register(self) -> str:
        return str(self.register_box.currentData())

    def load(self, path: Path, sheet: str | None = None) -> None:
        """Read *path* in the background; the mapping proposed from its headers and the preview follow."""
        self.path = path
        self.folder = path.parent
        self.file_edit.setText(str(path))
        self.bar.clear_message()
        self._generation += 1
        generation = self._generation
        register = self.register()
        db, actor = self.ctx.db, self.ctx.actor

        def work(_progress: Progress) -> tuple[SourceTable, ColumnMapping, Preview]:
            table = read_table(path, sheet=sheet, register=register)
            mapping = propose_mapping(table, register)
            return table, mapping, preview(db, actor, table, mapping)

        def done(result: tuple[SourceTable, ColumnMapping, Preview]) -> None:
            if generation == self._generation:
                table, mapping, checked = result
                self._show_table(table, mapping)
                self._show_preview(checked)

        run_task(work, done, parent=self, on_error=lambda error: self._on_load_failed(error, generation))

    def _on_load_failed(self, error: BaseException, generation: int) -> None:
        if generation != self._generation:
            return
        self.table = None
        self._show_table(None, None)
        self._show_preview(None)
        report_failure(error, self, self.bar)

    def _show_table(self, table: SourceTable | None, mapping: ColumnMapping | None) -> None:
        self.table = table
        self.sheet_box.blockSignals(True)
        self.sheet_box.clear()
        if table is not None and table.kind == "xlsx":
            self.sheet_box.addItems(list(table.sheets))
            self.sheet_box.setCurrentText(table.sheet or "")
        self.sheet_box.blockSignals(False)
        xlsx = table is not None and table.kind == "xlsx"
        self.sheet_box.setVisible(xlsx)
        self.sheet_label.setVisible(xlsx)
        if table is None:
            self.how_label.setText(
                gettext(
                    "Choose an Excel (.xlsx) or CSV file that lists children, households or reports; "
                    "its columns and rows appear here before anything is imported."
                )
            )
        else:
            how = gettext("{how}; header in row {row}.").format(how=table.describe(), row=table.header_row)
            self.how_label.setText(how)
        self._build_mapping(table, mapping)

    def _build_mapping(self, table: SourceTable | None, mapping: ColumnMapping | None) -> None:
        while self.mapping_grid.count():
            item = self.mapping_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.mapping_boxes = []
        self.mapping_area.setVisible(table is not None)
        if table is None or mapping is None:
            return
        fields = FIELDS[mapping.register]
        for index, header in enumerate(table.headers):
            shown = header if len(header) <= HEADER_CHARS else header[: HEADER_CHARS - 1] + "…"
            label = QLabel(f"{index + 1}. {shown or '—'}")
            label.setToolTip(header)
            box = QComboBox()
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(12)
            box.addItem(gettext("do not import"), None)
            for name, text in fields.items():
                box.addItem(gettext(text), name)
            chosen = mapping.columns.get(index)
            box.setCurrentIndex(max(0, box.findData(chosen)) if chosen else 0)
            box.currentIndexChanged.connect(self._on_mapping_box_changed)
            label.setBuddy(box)
            line, place = divmod(index, MAPPING_COLUMNS)
            self.mapping_grid.addWidget(label, line, place * 2)
            self.mapping_grid.addWidget(box, line, place * 2 + 1)
            self.mapping_boxes.append(box)
        for place in range(MAPPING_COLUMNS):
            self.mapping_grid.setColumnStretch(place * 2 + 1, 1)
        lines = min(MAPPING_LINES, (len(table.headers) + MAPPING_COLUMNS - 1) // MAPPING_COLUMNS)
        line_height = self.mapping_boxes[0].sizeHint().height() if self.mapping_boxes else 0
        margins = self.mapping_grid.contentsMargins()
        self.mapping_area.setFixedHeight(
            lines * line_height
            + max(0, lines - 1) * max(0, self.mapping_grid.verticalSpacing())
            + margins.top()
            + margins.bottom()
        )

    def mapping(self) -> ColumnMapping:
        """The mapping as the combo boxes say."""
        columns = {
            index: box.currentData() for index, box in enumerate(self.mapping_boxes) if box.currentData()
        }
        return ColumnMapping(self.register(), columns)

    def _request_preview(self) -> None:
        table = self.table
        if table is None:
            return
        self._generation += 1
        generation = self._generation
        mapping = self.mapping()
        db, actor = self.ctx.db, self.ctx.actor

        def work(_progress: Progress) -> Preview:
            mapping.check()
            return preview(db, actor, table, mapping)

        def done(checked: Preview) -> None:
            if generation == self._generation:
                self._show_preview(checked)

        run_task(work, done, parent=self, on_error=lambda error: self._on_preview_failed(error, generation))

    def _on_preview_failed(self, error: BaseException, generation: int) -> None:
        if generation == self._generation:
            self._show_preview(None)
            report_failure(error, self, self.bar)

    def _show_preview(self, checked: Preview | None) -> None:
        self.checked = checked
        self.model.set_preview(checked)
        if checked is None:
            self.counts_label.setText("")
            self.import_button.setEnabled(False)
            self.skip_button.setEnabled(False)
            return
        header = self.preview_table.horizontalHeader()
        for column in range(self.model.columnCount()):
            self.preview_table.resizeColumnToContents(column)
            widest = PROBLEMS_WIDTH if column == 1 else VALUE_WIDTH
            header.resizeSection(column, min(header.sectionSize(column), widest))
        self.counts_label.setText(
            gettext(
                "Rows: {rows}; valid: {valid}; with problems: {invalid}; probable duplicates: {duplicates}."
            ).format(
                rows=len(checked.rows),
                valid=checked.valid,
                invalid=checked.invalid,
                duplicates=checked.duplicates,
            )
        )
        self.import_button.setEnabled(bool(checked.rows) and checked.invalid == 0)
        self.skip_button.setEnabled(checked.valid > 0 and checked.invalid > 0)
        self.preview_ready.emit()

    # --- importing ---------------------------------------------------------------------------

    def _import(self, skip_invalid: bool, report_path: Path | None) -> None:
        table = self.table
        if table is None:
            return
        mapping = self.mapping()
        db, actor = self.ctx.db, self.ctx.actor

        def work(progress: Progress) -> ImportResult:
            def step(done: int, total: int) -> None:
                progress.check()
                progress.report(done, total)

            return import_register(
                db, actor, table, mapping, skip_invalid=skip_invalid, report_path=report_path, progress=step
            )

        self.import_button.setEnabled(False)
        self.skip_button.setEnabled(False)
        task = run_with_progress(self, gettext("Import of a register"), work, self._on_imported)
        task.ended.connect(self._request_preview)

    def _on_imported(self, result: ImportResult) -> None:
        text = ngettext("{count} record imported.", "{count} records imported.", len(result.ids)).format(
            count=len(result.ids)
        )
        if result.report_path is not None:
            text += " " + ngettext(
                "{count} row skipped; see {path}.", "{count} rows skipped; see {path}.", len(result.skipped)
            ).format(count=len(result.skipped), path=result.report_path)
        self.bar.show_info(text)
        self.ctx.announce_change(CHANGED_KIND[result.register])
        self.imported.emit(result)

    # --- slots -------------------------------------------------------------------------------

    @Slot()
    def _on_file_button_clicked(self) -> None:
        chosen = ask_source_file(self, self.folder)
        if chosen is not None:
            self.load(chosen)

    @Slot(int)
    def _on_register_box_changed(self, _index: int) -> None:
        if self.path is not None:
            self.load(self.path, self.sheet_box.currentText() or None)

    @Slot(int)
    def _on_sheet_box_changed(self, _index: int) -> None:
        if self.path is not None and self.sheet_box.currentText():
            self.load(self.path, self.sheet_box.currentText())

    @Slot(int)
    def _on_mapping_box_changed(self, _index: int) -> None:
        self.bar.clear_message()
        self._request_preview()

    @Slot()
    def _on_import_button_clicked(self) -> None:
        self._import(skip_invalid=False, report_path=None)

    @Slot()
    def _on_skip_button_clicked(self) -> None:
        if self.path is None:
            return
        target = ask_report_path(self, default_report_path(self.path))
        if target is not None:
            self._import(skip_invalid=True, report_path=target)
