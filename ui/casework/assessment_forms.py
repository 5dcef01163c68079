"""The forms of a case's assessments: initial assessment, comprehensive needs assessment, housing act.

Each form is a non-modal window of the case workspace. It reads its record (or a new record's
defaults: the case, the due date, the domains) in the background, and writes it in the background
too, so the window keeps answering. Problems appear under their fields and what was typed stays;
closing a form with unsaved changes asks first (the questions of :mod:`ui.forms.base`, which tests
answer). "Complete" saves the form and then completes the assessment; a completed assessment, or any
assessment of a closed case, opens read-only.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, ClassVar, Generic, Protocol, TypeVar

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.database import Database
from models.errors import DomainError, FieldProblem, StaleRecord, ValidationFailed
from models.i18n import N_, _, gettext
from models.lookups import Choice
from models.permissions import Permission
from models.services import assessments as service
from models.services.assessments import (
    AssessmentHeader,
    CommissionMemberInput,
    ComprehensiveAssessmentDetails,
    ComprehensiveAssessmentInput,
    DomainInput,
    HousingActDetails,
    HousingActInput,
    InitialAssessmentDetails,
    InitialAssessmentInput,
)
from models.services.base import Actor
from models.validation import format_date

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import show_error
from ui.forms import base, choices
from ui.forms.widgets import (
    CheckList,
    ChoiceCombo,
    DateField,
    FieldSet,
    ModelIndex,
    ProblemLabel,
    changed_signal,
    qdate,
    set_read_only,
    text_or_none,
)
from ui.tasks import Progress, Task, run_task


class _Details(Protocol):
    """What every assessment's details have: the header and the version to send back."""

    @property
    def header(self) -> AssessmentHeader: ...

    @property
    def version(self) -> int | None: ...


D = TypeVar("D", bound=_Details)
DATE_FORMAT = "dd.MM.yyyy"


def _text_box(lines: int = 3) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def _date_of(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def _collect(problems: list[FieldProblem], read: Callable[[], Any]) -> Any:
    """Run a reading of a typed value, adding its problems instead of raising."""
    try:
        return read()
    except ValidationFailed as failed:
        problems += failed.problems
        return None


@dataclass
class _Written:
    """What a background write brings back: the record, its version if known, and what went wrong."""

    record_id: uuid.UUID | None
    version: int | None
    saved: bool
    error: Exception | None = None


@dataclass(frozen=True)
class RecordCalls:
    """The service functions that read and write one kind of assessment (run in a worker thread)."""

    new: Callable[[Database, Actor, uuid.UUID], Any]  # a new record's defaults, from the case id
    get: Callable[[Database, Actor, uuid.UUID], Any]  # a record, from its id
    create: Callable[[Database, Actor, uuid.UUID, Any], uuid.UUID]
    update: Callable[[Database, Actor, uuid.UUID, Any, int], int]
    complete: Callable[[Database, Actor, uuid.UUID, int | None], int] | None = None  # None: no such step


class AssessmentForm(Dialog, Generic[D]):
    """The frame of an assessment's form: background reads and writes, problems, unsaved-changes guard.

    Subclasses set :attr:`kind`, :attr:`calls` (whose ``complete`` gives the "Complete" step) and
    :attr:`titles`, and implement :meth:`build`, :meth:`show_details` and :meth:`collect`.

    Signals:
        saved(object): the record was written (the object is its id); the case may have changed.
        loaded(): the record (or a new record's defaults) is in the fields.
    """

    saved = Signal(object)
    loaded = Signal()

    kind: ClassVar[str] = ""
    scrolls: ClassVar[bool] = True  # whether the fields sit in one scrolling area
    calls: ClassVar[RecordCalls]
    #: The window's title for a new record and for an existing one (msgids marked with ``N_``).
    titles: ClassVar[tuple[str, str]]

    def __init__(
        self,
        ctx: AppContext,
        case_id: uuid.UUID,
        record_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx.state, f"assessment-{self.kind}", parent)
        self.ctx = ctx
        self.case_id = case_id
        self.record_id = record_id
        self.version: int | None = None
        self.details: D | None = None
        self.fields = FieldSet()
        self.read_only = not ctx.can(Permission.ASSESSMENT_WRITE)
        self._dirty = False
        self._filling = False
        self._busy = False
        self._closed = False
        self._close_after_save = False
        self._sequence = 0
        self._task: Task[Any] | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.Window, True)

        self.header = QLabel()
        self.header.setWordWrap(True)
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.problems_summary = ProblemLabel()
        self.body = QWidget()
        self.build(self.body)
        for name, editor in list(self.fields.editors.items()):
            self.track(name, editor)

        self.busy_label = QLabel(gettext("Loading…"))
        self.complete_button = QPushButton(gettext("Complete…"))
        self.complete_button.setToolTip(gettext("Save the form and mark the assessment as completed"))
        self.save_button = QPushButton(gettext("Save"))
        self.save_button.setToolTip(gettext("Save (Ctrl+S)"))
        self.save_close_button = QPushButton(gettext("Save and close"))
        self.close_button = QPushButton(gettext("Close"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.busy_label)
        buttons.addStretch(1)
        for button in (self.complete_button, self.save_button, self.save_close_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        self.complete_button.setVisible(self.calls.complete is not None)
        self.complete_button.clicked.connect(self._on_complete_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.save_close_button.clicked.connect(self._on_save_close_button_clicked)
        self.close_button.clicked.connect(self.close)
        self._save_shortcut = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        self._save_shortcut.activated.connect(self._on_save_button_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.notice)
        layout.addWidget(self.problems_summary)
        if self.scrolls:
            self.scroll_area: QScrollArea | None = QScrollArea()
            self.scroll_area.setWidgetResizable(True)
            self.scroll_area.setFrameShape(QFrame.Shape.NoFrame)
            self.scroll_area.setWidget(self.body)
            layout.addWidget(self.scroll_area, 1)
        else:
            self.scroll_area = None
            layout.addWidget(self.body, 1)
        layout.addLayout(buttons)
        self.resize(1100, 680)
        self.setWindowTitle(gettext("Loading…") + "[*]")
        self.load()

    # --- for subclasses ------------------------------------------------------------------

    def build(self, body: QWidget) -> None:
        """Lay out the fields on *body*, registering each with :attr:`fields`."""
        raise NotImplementedError

    @classmethod
    def fetch(cls, db: Database, actor: Actor, case_id: uuid.UUID, record_id: uuid.UUID | None) -> Any:
        """Read the record, or a new record's defaults (in a worker thread: no widgets)."""
        return cls.calls.new(db, actor, case_id) if record_id is None else cls.calls.get(db, actor, record_id)

    def show_details(self, details: D) -> None:
        """Fill the fields with *details*."""
        raise NotImplementedError

    def collect(self) -> Any:
        """The form's input for the services; raises :class:`ValidationFailed` for what cannot be read."""
        raise NotImplementedError

    @classmethod
    def write(
        cls,
        db: Database,
        actor: Actor,
        case_id: uuid.UUID,
        record_id: uuid.UUID | None,
        data: Any,
        version: int | None,
    ) -> tuple[uuid.UUID, int | None]:
        """Create or update the record (in a worker thread); returns its id and new version (or None)."""
        if record_id is None:
            return cls.calls.create(db, actor, case_id, data), None
        assert version is not None
        return record_id, cls.calls.update(db, actor, record_id, data, version)

    @classmethod
    def complete(cls, db: Database, actor: Actor, record_id: uuid.UUID, version: int | None) -> int:
        """Complete the record (in a worker thread); returns its new version."""
        if cls.calls.complete is None:
            raise NotImplementedError
        return cls.calls.complete(db, actor, record_id, version)

    def heading(self) -> str:
        """What the record is, for the window's title."""
        return gettext(self.titles[0] if self.record_id is None else self.titles[1])

    def make_read_only(self) -> None:
        """Disable what the frame does not know about (buttons of lists)."""

    # --- the frame ---------------------------------------------------------------------------

    def track(self, name: str, editor: QWidget) -> None:
        """Mark the form changed whenever *editor* (registered as *name*) changes."""
        signal = changed_signal(editor)
        if signal is not None:
            signal.connect(lambda *_args, name=name: self._on_field_edited(name))

    @property
    def dirty(self) -> bool:
        return self._dirty

    @property
    def is_closed(self) -> bool:
        """Whether the window was closed (it is deleted soon after)."""
        return self._closed

    @property
    def is_busy(self) -> bool:
        """Whether the form is reading or writing its record."""
        return self._busy

    def set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.setWindowModified(dirty)

    def mark_edited(self, name: str | None = None) -> None:
        """Something outside the tracked editors changed (a row of a list)."""
        if not self._filling:
            if name is not None:
                self.fields.clear_field(name)
            self.set_dirty(True)

    def load(self) -> None:
        """Read the record (or a new record's defaults) in the background and fill the form."""
        self._sequence += 1
        sequence = self._sequence
        db, actor, case_id, record_id, fetch = (
            self.ctx.db,
            self.ctx.actor,
            self.case_id,
            self.record_id,
            self.fetch,
        )

        def work(_progress: Progress) -> tuple[int, Any]:
            return sequence, fetch(db, actor, case_id, record_id)

        self._set_busy(True, gettext("Loading…"))
        self._task = run_task(work, self._on_load_done, on_error=self._on_load_failed)

    def save(self, *, close_after: bool = False, complete: bool = False) -> None:
        """Write the form in the background (and complete the record); problems appear at their fields."""
        if self.read_only or self._busy:
            return
        self.fields.clear()
        self.problems_summary.clear_problem()
        try:
            data = self.collect()
        except ValidationFailed as failed:
            self.show_problems(failed.problems)
            return
        self._close_after_save = close_after
        db, actor, case_id = self.ctx.db, self.ctx.actor, self.case_id
        record_id, version, dirty = self.record_id, self.version, self._dirty or self.record_id is None
        write, finish = self.write, self.complete

        def work(_progress: Progress) -> _Written:
            written = _Written(record_id, version, saved=False)
            try:
                if dirty:
                    written.record_id, written.version = write(db, actor, case_id, record_id, data, version)
                    written.saved = True
                if complete and written.record_id is not None:
                    written.version = finish(db, actor, written.record_id, written.version)
                    written.saved = True
            except Exception as error:  # shown by the form, in the GUI thread
                written.error = error
            return written

        self._set_busy(True, gettext("Saving…"))
        self._task = run_task(work, self._on_write_done)

    def show_problems(self, problems: Sequence[FieldProblem]) -> None:
        """Each problem under its field, the others at the top; the first bad field gets the focus."""
        unplaced = self.fields.show_errors(problems)
        if unplaced:
            self.problems_summary.show_error("\n".join(p.render() for p in unplaced))
        editor = self.fields.first_with_error()
        if editor is not None:
            editor.setFocus(Qt.FocusReason.OtherFocusReason)
            if self.scroll_area is not None:
                self.scroll_area.ensureWidgetVisible(editor)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        self.busy_label.setText(text)
        self.busy_label.setVisible(busy)
        self.body.setEnabled(not busy)
        for button in (self.complete_button, self.save_button, self.save_close_button):
            button.setEnabled(not busy)
        self._save_shortcut.setEnabled(not busy and not self.read_only)

    def _apply_state(self, header: AssessmentHeader) -> None:
        """Read-only for a completed record, a closed case or a role that may not write; the header line."""
        reasons = []
        if not self.ctx.can(Permission.ASSESSMENT_WRITE):
            reasons.append(gettext("Your role allows viewing this record, not changing it."))
        elif not header.case_open:
            reasons.append(gettext("The case is closed; reopen it to change its assessments."))
        elif header.completed_on is not None:
            reasons.append(
                gettext("Completed on {date}; a completed assessment can no longer be changed.").format(
                    date=format_date(header.completed_on)
                )
            )
        if reasons and not self.read_only:
            self.read_only = True
        if self.read_only:
            for editor in self.fields.editors.values():
                set_read_only(editor)
            self.make_read_only()
            for button in (self.complete_button, self.save_button, self.save_close_button):
                button.hide()
            self._save_shortcut.setEnabled(False)
        self.notice.setText("\n".join(reasons))
        self.notice.setVisible(bool(reasons))
        parts = [gettext("Case № {number}").format(number=header.case_number), header.child_name]
        if header.due_date is not None and header.completed_on is None:
            parts.append(gettext("due {date}").format(date=format_date(header.due_date)))
        self.header.setText(" · ".join(part for part in parts if part))

    @Slot(object)
    def _on_load_done(self, result: tuple[int, D]) -> None:
        sequence, details = result
        if self._closed or sequence != self._sequence:
            return
        self.details = details
        self.version = details.version
        self._filling = True
        try:
            self.show_details(details)
        finally:
            self._filling = False
        self.set_dirty(False)
        self._set_busy(False)
        self._apply_state(details.header)
        self.setWindowTitle(self.heading() + "[*]")
        self.loaded.emit()

    @Slot(object)
    def _on_load_failed(self, error: BaseException) -> None:
        if self._closed:
            return
        self._set_busy(False)
        if self.details is None:
            self._closed = True
            self.close()
            show_error(self.parentWidget(), error, None)
        else:
            self.problems_summary.show_error(str(error))

    @Slot(object)
    def _on_write_done(self, written: _Written) -> None:
        if self._closed:
            return
        self._set_busy(False)
        if written.saved:
            self.record_id = written.record_id
            self.version = written.version
            self.set_dirty(False)
            self.saved.emit(self.record_id)
        error = written.error
        if error is None:
            if self._close_after_save:
                self.close()
            else:
                self.load()
            return
        self._close_after_save = False
        if written.saved:
            self.load()  # the fields were written; read the version back (problems stay shown)
        if isinstance(error, ValidationFailed):
            self.show_problems(error.problems)
        elif isinstance(error, StaleRecord):
            self.problems_summary.show_error(error.message.render())
            if base.ask_reload(self, error.message.render()):
                self.set_dirty(False)
                self.load()
        elif isinstance(error, DomainError):
            self.problems_summary.show_error(error.message.render())
        else:
            show_error(self, error, self.heading())

    def _on_field_edited(self, name: str) -> None:
        if self._filling:
            return
        self.fields.clear_field(name)
        self.set_dirty(True)

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    @Slot()
    def _on_save_close_button_clicked(self) -> None:
        self.save(close_after=True)

    @Slot()
    def _on_complete_button_clicked(self) -> None:
        self.save(complete=True)

    def reject(self) -> None:
        """Escape closes the window through the unsaved-changes guard."""
        self.close()

    def _save_to_close(self) -> bool:
        self.save(close_after=True)
        return False  # the window closes once the record is written

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if not self._closed and self._busy and self._close_after_save:
            event.ignore()  # closes once the save ends
            return
        unsaved = not self._closed and self._dirty and not self.read_only
        if not base.may_close(self, event, unsaved=unsaved, save_and_close=self._save_to_close):
            return
        self._closed = True
        self.save_geometry()
        event.accept()


def _yes_no(empty: str) -> ChoiceCombo[bool]:
    return ChoiceCombo([Choice(True, gettext("Yes")), Choice(False, gettext("No"))], empty=empty)


# --- the initial assessment ----------------------------------------------------------------


class InitialAssessmentForm(AssessmentForm[InitialAssessmentDetails]):
    """Первичная оценка: the home visit, immediate safety, basic needs, preliminary categories, conclusion."""

    kind = "initial"
    titles = (N_("New initial assessment"), N_("Initial assessment"))
    calls = RecordCalls(
        new=service.new_initial_assessment,
        get=service.get_initial_assessment,
        create=service.create_initial_assessment,
        update=service.update_initial_assessment,
        complete=service.complete_initial_assessment,
    )

    def build(self, body: QWidget) -> None:
        self.visit_date = DateField()
        self.place = QLineEdit()
        self.participants = _text_box(2)
        self.immediate_danger = QCheckBox(gettext("The child is in immediate danger"))
        self.safety_measures = _text_box(2)
        self.needs_food = _text_box(2)
        self.needs_health = _text_box(2)
        self.needs_education = _text_box(2)
        self.needs_documents = _text_box(2)
        self.caregiver_present = _yes_no(gettext("not recorded"))
        self.parents_in_migration = _yes_no(gettext("not recorded"))
        self.categories = CheckList(choices.reference(self.ctx, "tjs_category"), rows=8)
        self.conclusion = _text_box(4)

        visit = QGroupBox(gettext("Visit"))
        form = QFormLayout(visit)
        self.fields.add_row(form, "visit_date", self.visit_date, gettext("Visit date"))
        self.fields.add_row(form, "place", self.place, gettext("Place of the visit"))
        self.fields.add_row(form, "participants", self.participants, gettext("Participants"))
        self.fields.add_row(form, "caregiver_present", self.caregiver_present, gettext("Caregiver present"))
        self.fields.add_row(
            form, "parents_in_migration", self.parents_in_migration, gettext("Parents in labour migration")
        )
        safety = QGroupBox(gettext("Safety"))
        form = QFormLayout(safety)
        self.fields.add_row(form, "immediate_danger", self.immediate_danger, "")
        self.fields.add_row(form, "safety_measures", self.safety_measures, gettext("Measures taken"))
        needs = QGroupBox(gettext("Basic needs"))
        form = QFormLayout(needs)
        self.fields.add_row(form, "needs_food", self.needs_food, gettext("Food"))
        self.fields.add_row(form, "needs_health", self.needs_health, gettext("Health"))
        self.fields.add_row(form, "needs_education", self.needs_education, gettext("Education"))
        self.fields.add_row(form, "needs_documents", self.needs_documents, gettext("Documents"))
        outcome = QGroupBox(gettext("Conclusion"))
        form = QFormLayout(outcome)
        self.fields.add_row(
            form,
            "categories",
            self.categories,
            gettext("Preliminary categories"),
            aliases=("category_codes",),
        )
        self.fields.add_row(form, "conclusion", self.conclusion, gettext("Conclusion"))

        left = QVBoxLayout()
        left.addWidget(visit)
        left.addWidget(safety)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(needs)
        right.addWidget(outcome)
        right.addStretch(1)
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)

    def show_details(self, details: InitialAssessmentDetails) -> None:
        data = details.data
        self.visit_date.set_date_value(data.visit_date)
        self.place.setText(data.place or "")
        self.participants.setPlainText(data.participants or "")
        self.immediate_danger.setChecked(data.immediate_danger)
        self.safety_measures.setPlainText(data.safety_measures or "")
        self.needs_food.setPlainText(data.needs_food or "")
        self.needs_health.setPlainText(data.needs_health or "")
        self.needs_education.setPlainText(data.needs_education or "")
        self.needs_documents.setPlainText(data.needs_documents or "")
        self.caregiver_present.set_value(data.caregiver_present)
        self.parents_in_migration.set_value(data.parents_in_migration)
        self.categories.set_values(data.category_codes)
        self.conclusion.setPlainText(data.conclusion or "")

    def collect(self) -> InitialAssessmentInput:
        visit_date = self.visit_date.date_value("visit_date")
        return InitialAssessmentInput(
            visit_date=visit_date,
            place=text_or_none(self.place),
            participants=text_or_none(self.participants),
            immediate_danger=self.immediate_danger.isChecked(),
            safety_measures=text_or_none(self.safety_measures),
            needs_food=text_or_none(self.needs_food),
            needs_health=text_or_none(self.needs_health),
            needs_education=text_or_none(self.needs_education),
            needs_documents=text_or_none(self.needs_documents),
            caregiver_present=self.caregiver_present.value(),
            parents_in_migration=self.parents_in_migration.value(),
            category_codes=tuple(self.categories.values()),
            conclusion=text_or_none(self.conclusion),
        )


# --- the comprehensive assessment ------------------------------------------------------------


class _DomainBlock(QFrame):
    """One domain of a comprehensive assessment: its name, the findings and the need level."""

    def __init__(
        self, code: str, label: str, levels: Sequence[Choice[str]], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.code = code
        self.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel(label)
        font = QFont(title.font())
        font.setBold(True)
        title.setFont(font)
        title.setWordWrap(True)
        self.findings = _text_box(3)
        self.findings.setPlaceholderText(gettext("Findings"))
        self.need_level: ChoiceCombo[str] = ChoiceCombo(levels, empty="—")
        self.need_level.setMinimumContentsLength(15)
        self.need_level.setAccessibleName(gettext("Need level"))
        self.problem = ProblemLabel(self)
        self.findings_problem = ProblemLabel(self)
        caption = QLabel(gettext("Need level"))
        caption.setBuddy(self.need_level)
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 6, 8, 6)
        grid.setVerticalSpacing(4)
        grid.addWidget(title, 0, 0, 1, 2)
        grid.addWidget(self.findings, 1, 0, 3, 1)
        grid.addWidget(caption, 1, 1)
        grid.addWidget(self.need_level, 2, 1, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.problem, 4, 0, 1, 2)
        grid.addWidget(self.findings_problem, 5, 0, 1, 2)
        grid.setColumnStretch(0, 1)


class ComprehensiveAssessmentForm(AssessmentForm[ComprehensiveAssessmentDetails]):
    """Комплексная оценка потребностей: findings and a need level for each domain, then the overall picture.

    The domains are a scrolling column of blocks on the left; the overall fields stay in view on the right.
    """

    kind = "comprehensive"
    titles = (N_("New comprehensive needs assessment"), N_("Comprehensive needs assessment"))
    calls = RecordCalls(
        new=service.new_comprehensive_assessment,
        get=service.get_comprehensive_assessment,
        create=service.create_comprehensive_assessment,
        update=service.update_comprehensive_assessment,
        complete=service.complete_comprehensive_assessment,
    )
    scrolls = False

    def build(self, body: QWidget) -> None:
        self._levels = choices.reference(self.ctx, "need_level")
        self.blocks: list[_DomainBlock] = []
        self.started_on = DateField()
        self.overall_risk: ChoiceCombo[str] = ChoiceCombo(choices.reference(self.ctx, "risk_level"))
        self.strengths = _text_box(3)
        self.child_views = _text_box(3)
        self.summary = _text_box(5)

        self.domain_column = QWidget()
        self.domain_layout = QVBoxLayout(self.domain_column)
        self.domain_layout.setContentsMargins(0, 0, 6, 0)
        self.domain_layout.addStretch(1)
        self.domains_area = QScrollArea()
        self.domains_area.setWidgetResizable(True)
        self.domains_area.setWidget(self.domain_column)
        domains_box = QGroupBox(gettext("Domains"))
        domains_layout = QVBoxLayout(domains_box)
        self.domains_problem = ProblemLabel()
        domains_layout.addWidget(self.domains_problem)
        domains_layout.addWidget(self.domains_area, 1)
        self.fields.register("domains", self.domains_area, self.domains_problem)

        overall = QGroupBox(gettext("Overall"))
        form = QFormLayout(overall)
        self.fields.add_row(form, "started_on", self.started_on, gettext("Started on"))
        self.fields.add_row(form, "strengths", self.strengths, gettext("Strengths"))
        self.fields.add_row(form, "child_views", self.child_views, gettext("The child's own views"))
        self.fields.add_row(
            form, "overall_risk", self.overall_risk, gettext("Overall risk"), aliases=("overall_risk_code",)
        )
        self.fields.add_row(form, "summary", self.summary, gettext("Summary"))
        right = QVBoxLayout()
        right.addWidget(overall)
        right.addStretch(1)
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(domains_box, 3)
        layout.addLayout(right, 2)

    def _set_domains(self, details: ComprehensiveAssessmentDetails) -> None:
        """One block per domain of the record, made once (the domains of a record do not change)."""
        codes = [d.domain_code for d in details.domains]
        if [b.code for b in self.blocks] == codes:
            return
        for block in self.blocks:
            self.domain_layout.removeWidget(block)
            block.deleteLater()
        self.blocks = []
        for position, domain in enumerate(details.domains):
            block = _DomainBlock(domain.domain_code, domain.label, self._levels, self.domain_column)
            self.domain_layout.insertWidget(position, block)
            self.blocks.append(block)
            self.fields.register(f"domains.{domain.domain_code}", block.need_level, block.problem)
            self.fields.register(f"findings.{domain.domain_code}", block.findings, block.findings_problem)
            self.track(f"domains.{domain.domain_code}", block.need_level)
            self.track(f"findings.{domain.domain_code}", block.findings)

    def show_details(self, details: ComprehensiveAssessmentDetails) -> None:
        self._set_domains(details)
        for block, domain in zip(self.blocks, details.domains, strict=True):
            block.findings.setPlainText(domain.findings or "")
            block.need_level.set_value(domain.need_level_code)
        data = details.data
        self.started_on.set_date_value(data.started_on)
        self.strengths.setPlainText(data.strengths or "")
        self.child_views.setPlainText(data.child_views or "")
        self.overall_risk.set_value(data.overall_risk_code)
        self.summary.setPlainText(data.summary or "")

    def collect(self) -> ComprehensiveAssessmentInput:
        return ComprehensiveAssessmentInput(
            started_on=self.started_on.date_value("started_on"),
            domains=tuple(
                DomainInput(block.code, text_or_none(block.findings), block.need_level.value())
                for block in self.blocks
            ),
            strengths=text_or_none(self.strengths),
            child_views=text_or_none(self.child_views),
            overall_risk_code=self.overall_risk.value(),
            summary=text_or_none(self.summary),
        )


# --- the housing-conditions act --------------------------------------------------------------


class CommissionModel(QAbstractTableModel):
    """The commission that inspected the dwelling, edited in place: ФИО, position, organisation.

    Signals:
        members_changed(): a member was added, removed or edited.
    """

    members_changed = Signal()
    HEADERS = (N_("Full name"), N_("Position"), N_("Organisation"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[list[str]] = []
        self._editable = True

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

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return self._rows[index.row()][index.column()]
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self._editable:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or not self._editable:
            return False
        text = str(value or "")
        row = self._rows[index.row()]
        if row[index.column()] != text:
            row[index.column()] = text
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
            self.members_changed.emit()
        return True

    def members(self) -> list[CommissionMemberInput]:
        return [CommissionMemberInput(name, title or None, org or None) for name, title, org in self._rows]

    def set_members(self, members: Sequence[CommissionMemberInput]) -> None:
        self.beginResetModel()
        self._rows = [[m.full_name, m.job_title or "", m.organisation or ""] for m in members]
        self.endResetModel()

    def add(self) -> int:
        """Add an empty member at the end; returns its row."""
        row = len(self._rows)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.append(["", "", ""])
        self.endInsertRows()
        self.members_changed.emit()
        return row

    def remove(self, row: int) -> None:
        if 0 <= row < len(self._rows):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self._rows[row]
            self.endRemoveRows()
            self.members_changed.emit()

    def set_editable(self, editable: bool) -> None:
        self._editable = editable


_AREA = re.compile(r"^\d{1,5}([.,]\d{1,2})?$")


class HousingActForm(AssessmentForm[HousingActDetails]):
    """Акт обследования жилищно-бытовых условий: commission, dwelling, the child's place, conclusion."""

    kind = "housing"
    titles = (N_("New housing-conditions act"), N_("Housing-conditions act"))
    calls = RecordCalls(
        new=service.new_housing_act,
        get=service.get_housing_act,
        create=service.create_housing_act,
        update=service.update_housing_act,
    )

    def build(self, body: QWidget) -> None:
        self.act_date = QDateEdit()
        self.act_date.setDisplayFormat(DATE_FORMAT)
        self.act_date.setCalendarPopup(True)
        self.act_date.setMaximumDate(QDate.currentDate())
        self.act_date.setMaximumWidth(self.act_date.fontMetrics().horizontalAdvance("00.00.00000") + 40)
        self.members = CommissionModel(self)
        self.members_view = QTableView()
        self.members_view.setModel(self.members)
        self.members_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members_view.verticalHeader().hide()
        header = self.members_view.horizontalHeader()
        for column in range(3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.members_view.setFixedHeight(self.members_view.fontMetrics().height() * 7 + 16)
        self.add_member_button = QPushButton(gettext("Add a member"))
        self.remove_member_button = QPushButton(gettext("Remove"))
        self.address_text = QLineEdit()
        self.occupancy_basis = QLineEdit()
        self.occupancy_basis.setPlaceholderText(gettext("own, rented, relatives' …"))
        self.dwelling_type = QLineEdit()
        self.dwelling_type.setPlaceholderText(gettext("house, flat, dormitory …"))
        self.wall_material = QLineEdit()
        self.wall_material.setPlaceholderText(gettext("brick, adobe, panel …"))
        self.rooms = QSpinBox()
        self.rooms.setRange(0, service.MAX_ROOMS)
        self.rooms.setSpecialValueText("—")
        self.area_m2 = QLineEdit()
        self.area_m2.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"[0-9]{0,5}([.,][0-9]{0,2})?"), self)
        )
        self.area_m2.setMaximumWidth(self.area_m2.fontMetrics().horizontalAdvance("00000,00") + 24)
        self.heating = QLineEdit()
        self.water = QLineEdit()
        self.electricity = QLineEdit()
        self.toilet = QLineEdit()
        self.residents = _text_box(3)
        self.residents.setPlaceholderText(
            gettext("Who lives in the dwelling: names, relation to the child, ages")
        )
        self.sleeping_place = _text_box(2)
        self.study_place = _text_box(2)
        self.sanitary_condition = _text_box(2)
        self.food = _text_box(2)
        self.income = _text_box(2)
        self.conclusion = _text_box(3)
        self.recommendations = _text_box(3)
        self.family_acknowledged = QCheckBox(gettext("The family has read the act and signed it"))
        self.family_signatory = QLineEdit()

        commission = QGroupBox(gettext("Commission"))
        form = QFormLayout(commission)
        self.fields.add_row(form, "act_date", self.act_date, gettext("Date of the act"))
        members_box = QWidget()
        members_layout = QVBoxLayout(members_box)
        members_layout.setContentsMargins(0, 0, 0, 0)
        members_layout.addWidget(self.members_view)
        member_buttons = QHBoxLayout()
        for button in (self.add_member_button, self.remove_member_button):
            button.setAutoDefault(False)
            member_buttons.addWidget(button)
        member_buttons.addStretch(1)
        members_layout.addLayout(member_buttons)
        self.fields.add_row(form, "members", members_box, gettext("Commission members"))

        dwelling = QGroupBox(gettext("Dwelling"))
        form = QFormLayout(dwelling)
        self.fields.add_row(form, "address_text", self.address_text, gettext("Address"))
        self.fields.add_row(form, "occupancy_basis", self.occupancy_basis, gettext("Basis of occupancy"))
        self.fields.add_row(form, "dwelling_type", self.dwelling_type, gettext("Type of dwelling"))
        self.fields.add_row(form, "wall_material", self.wall_material, gettext("Wall material"))
        size = QWidget()
        size_layout = QHBoxLayout(size)
        size_layout.setContentsMargins(0, 0, 0, 0)
        size_layout.addWidget(self.rooms)
        area_label = QLabel(gettext("Area, m²"))
        area_label.setBuddy(self.area_m2)
        size_layout.addWidget(area_label)
        size_layout.addWidget(self.area_m2)
        size_layout.addStretch(1)
        self.fields.add_row(form, "rooms", size, gettext("Rooms"))
        self.area_problem = ProblemLabel()
        form.addRow("", self.area_problem)
        self.fields.register("area_m2", self.area_m2, self.area_problem)

        utilities = QGroupBox(gettext("Utilities"))
        form = QFormLayout(utilities)
        self.fields.add_row(form, "heating", self.heating, gettext("Heating"))
        self.fields.add_row(form, "water", self.water, gettext("Water"))
        self.fields.add_row(form, "electricity", self.electricity, gettext("Electricity"))
        self.fields.add_row(form, "toilet", self.toilet, gettext("Toilet"))

        living = QGroupBox(gettext("Living conditions"))
        form = QFormLayout(living)
        self.fields.add_row(form, "residents", self.residents, gettext("Residents"))
        self.fields.add_row(
            form, "sleeping_place", self.sleeping_place, gettext("The child's sleeping place")
        )
        self.fields.add_row(form, "study_place", self.study_place, gettext("The child's study place"))
        self.fields.add_row(
            form, "sanitary_condition", self.sanitary_condition, gettext("Sanitary condition")
        )
        self.fields.add_row(form, "food", self.food, gettext("Food"))
        self.fields.add_row(form, "income", self.income, gettext("Income"))

        outcome = QGroupBox(gettext("Conclusion"))
        form = QFormLayout(outcome)
        self.fields.add_row(form, "conclusion", self.conclusion, gettext("Conclusion"))
        self.fields.add_row(form, "recommendations", self.recommendations, gettext("Recommendations"))
        self.fields.add_row(form, "family_acknowledged", self.family_acknowledged, "")
        self.fields.add_row(form, "family_signatory", self.family_signatory, gettext("Signed by"))

        left = QVBoxLayout()
        left.addWidget(commission)
        left.addWidget(dwelling)
        left.addWidget(utilities)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(living)
        right.addWidget(outcome)
        right.addStretch(1)
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)

        self.add_member_button.clicked.connect(self._on_add_member_button_clicked)
        self.remove_member_button.clicked.connect(self._on_remove_member_button_clicked)
        self.members.members_changed.connect(self._on_members_members_changed)
        self.family_acknowledged.toggled.connect(self._on_family_acknowledged_toggled)
        self._on_family_acknowledged_toggled(False)

    def make_read_only(self) -> None:
        self.members.set_editable(False)
        self.add_member_button.hide()
        self.remove_member_button.hide()

    def show_details(self, details: HousingActDetails) -> None:
        data = details.data
        self.act_date.setDate(qdate(data.act_date))
        self.members.set_members(data.members)
        for name in (
            "address_text",
            "occupancy_basis",
            "dwelling_type",
            "wall_material",
            "heating",
            "water",
            "electricity",
            "toilet",
            "family_signatory",
        ):
            editor = getattr(self, name)
            editor.setText(getattr(data, name) or "")
        for name in (
            "residents",
            "sleeping_place",
            "study_place",
            "sanitary_condition",
            "food",
            "income",
            "conclusion",
            "recommendations",
        ):
            getattr(self, name).setPlainText(getattr(data, name) or "")
        self.rooms.setValue(data.rooms or 0)
        self.area_m2.setText(str(data.area_m2).replace(".", ",") if data.area_m2 is not None else "")
        self.family_acknowledged.setChecked(data.family_acknowledged)

    def _area(self) -> Decimal | None:
        text = self.area_m2.text().strip()
        if not text:
            return None
        if _AREA.match(text):
            try:
                return Decimal(text.replace(",", "."))
            except InvalidOperation:
                pass
        raise ValidationFailed([FieldProblem("area_m2", _("Area: square metres, for example 42,5."))])

    def collect(self) -> HousingActInput:
        return HousingActInput(
            act_date=_date_of(self.act_date.date()),
            members=self.members.members(),
            address_text=text_or_none(self.address_text),
            occupancy_basis=text_or_none(self.occupancy_basis),
            dwelling_type=text_or_none(self.dwelling_type),
            wall_material=text_or_none(self.wall_material),
            rooms=self.rooms.value() or None,
            area_m2=self._area(),
            heating=text_or_none(self.heating),
            water=text_or_none(self.water),
            electricity=text_or_none(self.electricity),
            toilet=text_or_none(self.toilet),
            residents=text_or_none(self.residents),
            sleeping_place=text_or_none(self.sleeping_place),
            study_place=text_or_none(self.study_place),
            sanitary_condition=text_or_none(self.sanitary_condition),
            food=text_or_none(self.food),
            income=text_or_none(self.income),
            conclusion=text_or_none(self.conclusion),
            recommendations=text_or_none(self.recommendations),
            family_acknowledged=self.family_acknowledged.isChecked(),
            family_signatory=text_or_none(self.family_signatory),
        )

    @Slot()
    def _on_add_member_button_clicked(self) -> None:
        row = self.members.add()
        index = self.members.index(row, 0)
        self.members_view.setCurrentIndex(index)
        self.members_view.edit(index)

    @Slot()
    def _on_remove_member_button_clicked(self) -> None:
        index = self.members_view.currentIndex()
        if index.isValid():
            self.members.remove(index.row())

    @Slot()
    def _on_members_members_changed(self) -> None:
        self.mark_edited("members")

    @Slot(bool)
    def _on_family_acknowledged_toggled(self, checked: bool) -> None:
        self.family_signatory.setEnabled(checked and not self.read_only)


FORMS: dict[str, type[AssessmentForm[Any]]] = {
    "initial": InitialAssessmentForm,
    "comprehensive": ComprehensiveAssessmentForm,
    "housing": HousingActForm,
}
