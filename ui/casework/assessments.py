"""The Assessments tab of the case workspace: the case's assessments with their due dates, and their forms."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.i18n import N_, current_language, gettext
from models.permissions import Permission
from models.services.assessments import (
    KIND_LABELS,
    STATUS_LABELS,
    AssessmentRow,
    case_accepts_assessments,
    complete_comprehensive_assessment,
    complete_initial_assessment,
    delete_assessment,
    list_assessments,
)
from models.validation import format_date

from ui.casework.assessment_forms import FORMS, AssessmentForm
from ui.casework.tab import CaseTab
from ui.context import AppContext
from ui.errors import error_text, show_error
from ui.forms import choices
from ui.forms.widgets import ERROR_COLOUR, ModelIndex, RowsModel, record_table
from ui.tasks import Progress, run_task

# The reference lists the assessment forms show, read with the tab so that a form opens at once.
FORM_LISTS = tuple(choices.reference_list(kind) for kind in ("tjs_category", "need_level", "risk_level"))


def ask_complete(parent: QWidget, kind: str) -> bool:
    """Whether to complete an assessment (it can no longer be changed afterwards)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(gettext(KIND_LABELS[kind]))
    box.setText(gettext("Complete the assessment?"))
    box.setInformativeText(gettext("A completed assessment can be read and printed, but no longer changed."))
    complete = box.addButton(gettext("Complete"), QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(gettext("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is complete


def ask_delete(parent: QWidget, kind: str) -> bool:
    """Whether to delete a draft assessment or an unsigned act."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(gettext(KIND_LABELS[kind]))
    box.setText(gettext("Delete this draft? What was written in it will be lost."))
    delete = box.addButton(gettext("Delete"), QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(gettext("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    return box.clickedButton() is delete


class AssessmentsModel(RowsModel[AssessmentRow]):
    """The case's assessments: kind, date, due date, completed on, status (overdue in red), assessor."""

    RowRole = Qt.ItemDataRole.UserRole + 1
    OverdueRole = Qt.ItemDataRole.UserRole + 2
    HEADERS = (N_("Assessment"), N_("Date"), N_("Due date"), N_("Completed on"), N_("Status"), N_("Assessor"))
    DUE_COLUMN = 2
    STATUS_COLUMN = 4

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == self.RowRole:
            return row
        if role == self.OverdueRole:
            return row.overdue
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and row.overdue
            and column in (self.DUE_COLUMN, self.STATUS_COLUMN)
        ):
            return QBrush(QColor(ERROR_COLOUR))
        if role == Qt.ItemDataRole.ToolTipRole and row.overdue:
            return gettext("Overdue: the due date has passed.")
        return None

    def _text(self, row: AssessmentRow, column: int) -> str:
        if column == 0:
            return gettext(KIND_LABELS[row.kind])
        if column == 1:
            return format_date(row.dated) if row.dated else ""
        if column == self.DUE_COLUMN:
            return format_date(row.due_date) if row.due_date else ""
        if column == 3:
            return format_date(row.completed_on) if row.completed_on else ""
        if column == self.STATUS_COLUMN:
            status = gettext(STATUS_LABELS[row.status])
            return status + " — " + gettext("overdue") if row.overdue else status
        if column == 5:
            return row.assessor or ""
        return ""

    def find(self, kind: str, record_id: uuid.UUID | None) -> int:
        """The row of the record (or of the kind's "not started" line), or -1."""
        for position in range(self.rowCount()):
            row = self.row_entry(position)
            if row is not None and row.kind == kind and row.id == record_id:
                return position
        return -1


@dataclass(frozen=True)
class _Read:
    sequence: int
    rows: list[AssessmentRow]
    case_open: bool
    language: str
    lists: dict[str, list[Any]]
    generation: int


class AssessmentsTab(CaseTab):
    """The case's assessments in a table, with buttons to start, open, complete or delete them.

    Each assessment opens in its own form window (one per record); a saved form refreshes the tab
    and tells the workspace that the case changed (its status and deadlines may have moved).
    """

    title = N_("Assessments")

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self._case_open = False
        self._loaded = False
        self._forms: dict[tuple[str, uuid.UUID | None], AssessmentForm[Any]] = {}
        can_write = ctx.can(Permission.ASSESSMENT_WRITE)

        self.new_initial_button = QPushButton(gettext("New initial assessment"))
        self.new_comprehensive_button = QPushButton(gettext("New comprehensive assessment"))
        self.new_housing_button = QPushButton(gettext("New housing act"))
        self.open_button = QPushButton(gettext("Open"))
        self.complete_button = QPushButton(gettext("Complete…"))
        self.delete_button = QPushButton(gettext("Delete…"))
        for button in (self.new_initial_button, self.new_comprehensive_button, self.new_housing_button):
            button.setVisible(can_write)
        self.complete_button.setVisible(can_write)
        self.delete_button.setVisible(can_write)
        self.message = QLabel()
        self.message.setWordWrap(True)

        self.model = AssessmentsModel(self)
        self.view = record_table(self.model, stretch=(0,), word_wrap=False)

        buttons = QHBoxLayout()
        for button in (self.new_initial_button, self.new_comprehensive_button, self.new_housing_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (self.open_button, self.complete_button, self.delete_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.message)

        self.new_initial_button.clicked.connect(self._on_new_initial_button_clicked)
        self.new_comprehensive_button.clicked.connect(self._on_new_comprehensive_button_clicked)
        self.new_housing_button.clicked.connect(self._on_new_housing_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.complete_button.clicked.connect(self._on_complete_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.view.activated.connect(self._on_view_activated)
        self.view.selectionModel().currentRowChanged.connect(self._on_view_current_changed)
        self._update_buttons()
        self.refresh()

    # --- reading ---------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the case's assessments (and the lists the forms need) in the background."""
        self._sequence += 1
        sequence = self._sequence
        db, actor, case_id = self.ctx.db, self.ctx.actor, self.case_id
        lists, generation = choices.missing(self.ctx, FORM_LISTS)
        language = current_language()

        def work(_progress: Progress) -> _Read:
            rows = list_assessments(db, actor, case_id)
            case_open = case_accepts_assessments(db, actor, case_id)
            return _Read(sequence, rows, case_open, language, choices.read(db, lists, language), generation)

        if not self._loaded:
            self.message.setText(gettext("Loading…"))
        self._task = run_task(work, self._on_read_done, on_error=self._on_task_failed)

    def current_row(self) -> AssessmentRow | None:
        return self.model.row_at(self.view.currentIndex())

    @Slot(object)
    def _on_read_done(self, read: _Read) -> None:
        if read.sequence != self._sequence or not shiboken6.isValid(self):
            return
        choices.store(self.ctx, read.language, read.lists, read.generation)
        current = self.current_row()
        self._case_open = read.case_open
        self._loaded = True
        self.model.set_rows(read.rows)
        if current is not None:
            position = self.model.find(current.kind, current.id)
            if position >= 0:
                self.view.selectRow(position)
        if not read.case_open:
            self.message.setText(gettext("The case is closed: its assessments can be read, not changed."))
        elif not read.rows:
            self.message.setText(gettext("No assessments yet."))
        else:
            self.message.clear()
        self._update_buttons()

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        if shiboken6.isValid(self):
            self.message.setText(error_text(error))

    def _update_buttons(self) -> None:
        writable = self._loaded and self._case_open and self.ctx.can(Permission.ASSESSMENT_WRITE)
        rows = [self.model.row_entry(i) for i in range(self.model.rowCount())]
        has_initial = any(r is not None and r.kind == "initial" and r.id is not None for r in rows)
        comprehensive_draft = any(
            r is not None and r.kind == "comprehensive" and r.status == "draft" for r in rows
        )
        self.new_initial_button.setEnabled(writable and not has_initial)
        self.new_comprehensive_button.setEnabled(writable and not comprehensive_draft)
        self.new_housing_button.setEnabled(writable)
        current = self.current_row()
        self.open_button.setEnabled(current is not None and (current.id is not None or writable))
        self.complete_button.setEnabled(writable and current is not None and current.can_complete)
        self.delete_button.setEnabled(writable and current is not None and current.can_delete)

    # --- forms -----------------------------------------------------------------------------

    def open_form(self, kind: str, record_id: uuid.UUID | None = None) -> AssessmentForm[Any]:
        """The form of an assessment (a new one if *record_id* is None), brought to the front if open."""
        for known_key, known in list(self._forms.items()):  # forget the forms closed since
            if not shiboken6.isValid(known) or known.is_closed:
                del self._forms[known_key]
        key = (kind, record_id)
        form = self._forms.get(key)
        if form is not None and shiboken6.isValid(form) and not form.is_closed:
            form.raise_()
            form.activateWindow()
            return form
        form = FORMS[kind](self.ctx, self.case_id, record_id, self)
        self._forms[key] = form
        form.saved.connect(self._on_form_saved)
        form.show()
        return form

    def _forget(self, form: AssessmentForm[Any]) -> None:
        for key, known in list(self._forms.items()):
            if known is form:
                del self._forms[key]

    @Slot(object)
    def _on_form_saved(self, record_id: object) -> None:
        form = self.sender()
        if isinstance(form, AssessmentForm) and isinstance(record_id, uuid.UUID):
            self._forget(form)
            self._forms[(form.kind, record_id)] = form
        self._case_written()

    def _case_written(self) -> None:
        self.refresh()
        self.case_changed.emit()
        self.ctx.announce_change("case")

    @Slot()
    def _on_new_initial_button_clicked(self) -> None:
        self.open_form("initial")

    @Slot()
    def _on_new_comprehensive_button_clicked(self) -> None:
        self.open_form("comprehensive")

    @Slot()
    def _on_new_housing_button_clicked(self) -> None:
        self.open_form("housing")

    @Slot()
    def _on_open_button_clicked(self) -> None:
        self._open_current()

    @Slot(QModelIndex)
    def _on_view_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self._open_current()

    def _open_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if row.id is None and not self.new_button(row.kind).isEnabled():
            return  # a "not started" line: starting it needs the right to write
        self.open_form(row.kind, row.id)

    def new_button(self, kind: str) -> QPushButton:
        return {
            "initial": self.new_initial_button,
            "comprehensive": self.new_comprehensive_button,
            "housing": self.new_housing_button,
        }[kind]

    @Slot(QModelIndex, QModelIndex)
    def _on_view_current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_buttons()

    # --- completing and deleting --------------------------------------------------------------

    @Slot()
    def _on_complete_button_clicked(self) -> None:
        row = self.current_row()
        if row is None or row.id is None or not row.can_complete or not ask_complete(self, row.kind):
            return
        db, actor, record_id, version = self.ctx.db, self.ctx.actor, row.id, row.version
        complete = complete_initial_assessment if row.kind == "initial" else complete_comprehensive_assessment

        def work(_progress: Progress) -> int:
            return complete(db, actor, record_id, version)

        self._write(work)

    @Slot()
    def _on_delete_button_clicked(self) -> None:
        row = self.current_row()
        if row is None or row.id is None or row.version is None or not row.can_delete:
            return
        if not ask_delete(self, row.kind):
            return
        db, actor, kind, record_id, version = self.ctx.db, self.ctx.actor, row.kind, row.id, row.version

        def work(_progress: Progress) -> None:
            delete_assessment(db, actor, kind, record_id, version)

        self._write(work)

    def _write(self, work: Any) -> None:
        for button in (self.complete_button, self.delete_button):
            button.setEnabled(False)
        self._task = run_task(work, self._on_write_done, on_error=self._on_write_failed)

    @Slot(object)
    def _on_write_done(self, _result: object) -> None:
        if shiboken6.isValid(self):
            self._case_written()

    @Slot(object)
    def _on_write_failed(self, error: BaseException) -> None:
        if not shiboken6.isValid(self):
            return
        self._update_buttons()
        show_error(self, error, gettext("Assessments"))
        self.refresh()
