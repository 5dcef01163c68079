"""Visits (посещения): the Visits tab of a case's workspace and the visit dialog.

The tab lists the case's home and office visits, the latest first; a visit is recorded or
changed in :class:`VisitDialog`, and a visit recorded by mistake is deleted by its author or
the department head. Reads and writes run in the background (:func:`ui.tasks.run_task`).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, QModelIndex, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.errors import FieldProblem, StaleRecord, ValidationFailed
from models.i18n import N_, _, gettext
from models.lookups import Choice
from models.permissions import Permission
from models.services.casefile import CaseHeader
from models.services.visits import (
    VISIT_KIND_LABELS,
    VISIT_KINDS,
    VisitInput,
    VisitRow,
    delete_visit,
    list_visits,
    may_delete,
    record_visit,
    update_visit,
    visit_workers,
)
from models.validation import format_date

from ui.casework.tab import CaseTab, offer_on_open_case
from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text
from ui.forms import base as form_base
from ui.forms.widgets import (
    ChoiceCombo,
    DateField,
    FieldSet,
    ModelIndex,
    ProblemLabel,
    RowsModel,
    changed_signal,
    date_problem,
    record_table,
    set_read_only,
    text_or_none,
)
from ui.tasks import Progress, Task, run_task

DATE_FORMAT = "dd.MM.yyyy"
# Visits change the case's work (its next visit), announced as a change of the case.
RECORD_KIND = "case"


def ask_delete_visit(parent: QWidget, visit_date: date) -> bool:
    """Whether to delete the visit of *visit_date* (recorded by mistake)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(gettext("Delete the visit"))
    box.setText(gettext("Delete the visit of {date}?").format(date=format_date(visit_date)))
    box.setInformativeText(
        gettext("Delete only a visit recorded by mistake; the deletion is kept in the history.")
    )
    delete = box.addButton(gettext("Delete"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(gettext("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is delete


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0]


class VisitsModel(RowsModel[VisitRow]):
    """A case's visits: date, kind, worker, participants, first line of the observations, next visit."""

    RowRole = Qt.ItemDataRole.UserRole + 1
    HEADERS = (
        N_("Date"),
        N_("Kind"),
        N_("Worker"),
        N_("Participants"),
        N_("Observations"),
        N_("Next visit"),
    )

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == self.RowRole:
            return row
        column = index.column()
        if role == Qt.ItemDataRole.ToolTipRole and column == 4:
            return row.data.observations
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        data = row.data
        values = (
            format_date(data.visit_date),
            gettext(VISIT_KIND_LABELS.get(data.kind, data.kind)),
            row.worker_name,
            _first_line(data.participants),
            _first_line(data.observations),
            format_date(data.next_visit_date) if data.next_visit_date else "",
        )
        return values[column] if 0 <= column < len(values) else None


class VisitDialog(Dialog):
    """Record a visit of a case, or change one; problems appear next to the fields.

    Signals:
        written(object): the visit was saved; the object is its id.
        loaded(): the list of workers was read; the dialog can be edited.
    """

    written = Signal(object)
    loaded = Signal()

    def __init__(
        self, ctx: AppContext, case_id: uuid.UUID, row: VisitRow | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx.state, "visit", parent)
        self.ctx = ctx
        self.case_id = case_id
        self.row = row
        self.read_only = not ctx.can(Permission.VISIT_WRITE)
        self._dirty = False
        self._filling = False
        self._loading = True
        self._saving = False
        self._task: Task[Any] | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        if row is None:
            self.setWindowTitle(gettext("New visit") + "[*]")
        else:
            self.setWindowTitle(
                gettext("Visit of {date}").format(date=format_date(row.data.visit_date)) + "[*]"
            )

        self.fields = FieldSet()
        self.problems_summary = ProblemLabel()
        self.visit_date = QDateEdit(QDate.currentDate())
        self.visit_date.setDisplayFormat(DATE_FORMAT)
        self.visit_date.setCalendarPopup(True)
        self.visit_date.setMaximumDate(QDate.currentDate())
        self.kind: ChoiceCombo[str] = ChoiceCombo(
            [Choice(kind, gettext(VISIT_KIND_LABELS[kind])) for kind in VISIT_KINDS], empty=None
        )
        self.worker: ChoiceCombo[uuid.UUID] = ChoiceCombo([])
        self.participants = QPlainTextEdit()
        self.participants.setTabChangesFocus(True)
        self.participants.setFixedHeight(self.participants.fontMetrics().lineSpacing() * 3 + 14)
        self.participants.setPlaceholderText(gettext("Who took part: family members, the child, specialists"))
        self.observations = QPlainTextEdit()
        self.observations.setTabChangesFocus(True)
        self.observations.setMinimumHeight(self.observations.fontMetrics().lineSpacing() * 8 + 14)
        self.next_visit = DateField()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields.add_row(form, "visit_date", self.visit_date, gettext("Date of the visit"))
        self.fields.add_row(form, "kind", self.kind, gettext("Kind"))
        self.fields.add_row(form, "worker", self.worker, gettext("Worker"), aliases=("worker_id",))
        self.fields.add_row(form, "participants", self.participants, gettext("Participants"))
        self.fields.add_row(form, "observations", self.observations, gettext("Observations"))
        self.fields.add_row(form, "next_visit_date", self.next_visit, gettext("Next visit"))

        self.loading_label = QLabel(gettext("Loading…"))
        self.save_button = QPushButton(gettext("Save"))
        self.close_button = QPushButton(gettext("Close"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.loading_label)
        buttons.addStretch(1)
        for button in (self.save_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        if self.read_only:
            notice = QLabel(gettext("Your role allows viewing this visit, not changing it."))
            notice.setWordWrap(True)
            layout.addWidget(notice)
        layout.addWidget(self.problems_summary)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        for name, editor in self.fields.editors.items():
            signal = changed_signal(editor)
            if signal is not None:
                signal.connect(lambda *_args, name=name: self._on_field_edited(name))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.close_button.clicked.connect(self.close)
        self.save_button.setVisible(not self.read_only)
        self.resize(640, 560)
        self._set_busy(True)
        self._load()

    @property
    def dirty(self) -> bool:
        return self._dirty

    @property
    def is_loading(self) -> bool:
        return self._loading

    def set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.setWindowModified(dirty)

    def _set_busy(self, busy: bool) -> None:
        self.loading_label.setVisible(busy)
        self.save_button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def _load(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        self._task = run_task(
            lambda _progress: visit_workers(db, actor), self._on_load_done, on_error=self._on_failed
        )

    @Slot(object)
    def _on_load_done(self, workers: list[Choice[uuid.UUID]]) -> None:
        self._task = None
        self._loading = False
        self._filling = True
        try:
            for choice in workers:
                self.worker.addItem(choice.label, choice.value)
            row = self.row
            if row is None:
                self.worker.set_value(self.ctx.actor.user_id if self.ctx.actor.user_id else None)
            else:
                data = row.data
                self.visit_date.setDate(
                    QDate(data.visit_date.year, data.visit_date.month, data.visit_date.day)
                )
                self.kind.set_value(data.kind)
                self.worker.set_value(data.worker_id)
                self.participants.setPlainText(data.participants or "")
                self.observations.setPlainText(data.observations or "")
                self.next_visit.set_date_value(data.next_visit_date)
        finally:
            self._filling = False
        if self.read_only:
            for editor in self.fields.editors.values():
                set_read_only(editor)
        self.set_dirty(False)
        self._set_busy(False)
        self.loaded.emit()

    def _on_field_edited(self, name: str) -> None:
        if self._filling:
            return
        self.fields.clear_field(name)
        self.set_dirty(True)

    def form_input(self) -> VisitInput:
        """The visit as typed; raises :class:`ValidationFailed` for a badly typed date."""
        problems: list[FieldProblem] = []
        next_visit = date_problem(
            "next_visit_date",
            lambda: self.next_visit.date_value("next_visit_date", _("Next visit")),
            problems,
        )
        if problems:
            raise ValidationFailed(problems)
        visit_date = self.visit_date.date().toPython()
        assert isinstance(visit_date, date)
        return VisitInput(
            visit_date=visit_date,
            kind=self.kind.value() or "home",
            worker_id=self.worker.value(),
            participants=text_or_none(self.participants),
            observations=text_or_none(self.observations),
            next_visit_date=next_visit,
        )

    def save(self) -> None:
        """Save the visit in the background; problems appear next to the fields, keeping what was typed."""
        if self.read_only or self._loading or self._saving:
            return
        self.fields.clear()
        self.problems_summary.clear_problem()
        try:
            data = self.form_input()
        except ValidationFailed as failed:
            self._show_problems(failed.problems)
            return
        db, actor, case_id, row = self.ctx.db, self.ctx.actor, self.case_id, self.row

        def work(_progress: Progress) -> uuid.UUID:
            if row is None:
                return record_visit(db, actor, case_id, data)
            update_visit(db, actor, row.id, data, row.version)
            return row.id

        self._saving = True
        self._set_busy(True)
        self._task = run_task(work, self._on_save_done, on_error=self._on_failed)

    @Slot(object)
    def _on_save_done(self, visit_id: uuid.UUID) -> None:
        self._task = None
        self._saving = False
        self.set_dirty(False)
        self.written.emit(visit_id)
        self.close()

    @Slot(object)
    def _on_failed(self, error: BaseException) -> None:
        self._task = None
        self._loading = False
        self._saving = False
        self._set_busy(False)
        if isinstance(error, ValidationFailed):
            self._show_problems(error.problems)
        elif isinstance(error, StaleRecord):
            self.problems_summary.show_error(
                error.message.render() + "\n" + gettext("Close this dialog and open the visit again.")
            )
        else:
            self.problems_summary.show_error(error_text(error))

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        unplaced = self.fields.show_errors(problems)
        if unplaced:
            self.problems_summary.show_error("\n".join(p.render() for p in unplaced))
        editor = self.fields.first_with_error()
        if editor is not None:
            editor.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    def reject(self) -> None:
        """Escape closes the dialog through the unsaved-changes guard."""
        self.close()

    def _save_to_close(self) -> bool:
        self.save()
        return False  # the dialog closes once the visit is saved

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._saving:
            event.ignore()  # closes once saved
            return
        if not form_base.may_close(
            self, event, unsaved=self._dirty and not self.read_only, save_and_close=self._save_to_close
        ):
            return
        self.save_geometry()
        event.accept()


class VisitsTab(CaseTab):
    """The visits of the case: record a new one, open one, delete one recorded by mistake.

    Signals:
        case_changed: a visit of the case was written.
        refreshed(): the list was read again.
    """

    title = N_("Visits")
    refreshed = Signal()

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self._delete_task: Task[None] | None = None
        self.dialog: VisitDialog | None = None
        can = ctx.can(Permission.VISIT_WRITE)
        self.new_button = QPushButton(gettext("New visit"))
        self.open_button = QPushButton(gettext("Open"))
        self.delete_button = QPushButton(gettext("Delete…"))
        buttons = QHBoxLayout()
        for button in (self.new_button, self.open_button, self.delete_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.new_button.setVisible(can)
        self.delete_button.setVisible(can)
        self.problem = ProblemLabel()
        self.model = VisitsModel(self)
        self.view = record_table(self.model, stretch=(3, 4))
        self.empty_label = QLabel(gettext("No visits recorded yet."))
        self.empty_label.hide()
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.problem)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        self.model.modelReset.connect(self._on_view_selection_changed)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        self.read_in_background(list_visits, self._show)

    def show_header(self, header: CaseHeader) -> None:
        """A closed case takes no new visit."""
        offer_on_open_case(self.new_button, header)

    def current(self) -> VisitRow | None:
        index = self.view.currentIndex()
        return self.model.row_entry(index.row()) if index.isValid() else None

    def _show(self, rows: list[VisitRow]) -> None:
        self.model.set_rows(rows)
        self.empty_label.setVisible(not rows)
        self.refreshed.emit()

    def _update_buttons(self) -> None:
        row = self.current()
        self.open_button.setEnabled(row is not None)
        self.delete_button.setEnabled(row is not None and may_delete(self.ctx.actor, row.author_id))

    def _open(self, row: VisitRow | None) -> None:
        self.dialog = VisitDialog(self.ctx, self.case_id, row, self)
        self.dialog.written.connect(self._on_dialog_written)
        self.dialog.show()

    def _written(self) -> None:
        self.problem.clear_problem()
        self.ctx.announce_change(RECORD_KIND)
        self.case_changed.emit()
        self.refresh()

    @Slot()
    def _on_view_selection_changed(self, *_args: object) -> None:
        self._update_buttons()

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self._open(None)

    @Slot()
    def _on_open_button_clicked(self) -> None:
        if (row := self.current()) is not None:
            self._open(row)

    @Slot(QModelIndex)
    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        if (row := self.model.row_entry(index.row())) is not None:
            self._open(row)

    @Slot(object)
    def _on_dialog_written(self, _visit_id: object) -> None:
        self._written()

    @Slot()
    def _on_delete_button_clicked(self) -> None:
        row = self.current()
        if row is None or not ask_delete_visit(self, row.data.visit_date):
            return
        db, actor = self.ctx.db, self.ctx.actor
        self.delete_button.setEnabled(False)
        self._delete_task = run_task(
            lambda _progress: delete_visit(db, actor, row.id, row.version),
            self._on_delete_done,
            on_error=self._on_delete_failed,
        )

    @Slot(object)
    def _on_delete_done(self, _result: object) -> None:
        self._delete_task = None
        self._written()

    @Slot(object)
    def _on_delete_failed(self, error: BaseException) -> None:
        self._delete_task = None
        self._update_buttons()
        self.problem.show_error(error_text(error))
