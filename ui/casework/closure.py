"""The workspace's dialogs that change the case itself: closure (request, approve or reject), reopening,
the responsible worker, and the transfer to another district.

Each dialog reads what it offers in the background, writes with the services in the background,
shows a refusal next to its field (keeping what was typed), and closes once the write is done.
Cancelling a dialog with typed text asks first (:func:`ask_discard`, which tests answer).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.dashboard import add_months
from models.database import Database
from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import _, current_language, gettext
from models.lookups import Choice, district_choices, reference_choices
from models.services.base import Actor
from models.services.casefile import CaseHeader, assignable_workers
from models.services.cases import assign_worker
from models.services.workflow import (
    ClosureInput,
    approve_closure,
    follow_up_months,
    reject_closure,
    reopen_case,
    request_closure,
    transfer_out,
)
from models.settings import office_district_id
from models.validation import format_date

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text, show_error
from ui.forms.widgets import CheckList, ChoiceCombo, FieldSet, ProblemLabel, qdate
from ui.tasks import run_task

DATE_FORMAT = "dd.MM.yyyy"


def ask_discard(parent: QWidget) -> bool:
    """Whether to close a dialog and drop what was typed in it."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(parent.windowTitle())
    box.setText(gettext("Close this window without saving what you typed?"))
    close = box.addButton(gettext("Close without saving"), QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton(gettext("Keep the window open"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    return box.clickedButton() is close


def _text(edit: QPlainTextEdit) -> str:
    return edit.toPlainText().strip()


def _date_edit(day: date) -> QDateEdit:
    edit = QDateEdit(qdate(day))
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    return edit


def _text_edit(lines: int = 4) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setMinimumHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


class ActionDialog(Dialog):
    """The frame of the workspace's dialogs: fields with problem lines, a background read and write.

    Subclasses build their fields in ``__init__``, read what they offer in :meth:`fetch` (a worker
    thread) and show it in :meth:`fill`, and return the write to run from :meth:`write`.

    Signals:
        loaded(): what the dialog offers was read; it can be used.
        done_writing(object): the write succeeded (its result); the dialog closes.
    """

    loaded = Signal()
    done_writing = Signal(object)

    def __init__(
        self, ctx: AppContext, header: CaseHeader, name: str, title: str, parent: QWidget | None
    ) -> None:
        super().__init__(ctx.state, name, parent)
        self.ctx = ctx
        self.header = header
        self.busy = True
        self.fields = FieldSet()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setWindowTitle(f"{title} — " + gettext("Case № {number}").format(number=header.number))
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.hide()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.problem = ProblemLabel()
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(gettext("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(self.buttons)

    def add_action(self, text: str, write: Callable[[], Callable[[], object]]) -> QPushButton:
        """A button that runs the write returned by *write* (which may raise ValidationFailed first)."""
        button = self.buttons.addButton(text, QDialogButtonBox.ButtonRole.AcceptRole)
        button.setEnabled(False)
        button.clicked.connect(lambda: self.submit(write))
        return button

    def start(self) -> None:
        """Read what the dialog offers (in the background), then enable it."""
        db, actor, lang = self.ctx.db, self.ctx.actor, current_language()
        run_task(
            lambda _progress: self.fetch(db, actor, lang),
            self._on_fetched,
            parent=self,
            on_error=self._on_failed,
        )

    def fetch(self, db: Database, actor: Actor, lang: str) -> Any:
        """Read what the dialog offers (in a worker thread: touch no widget)."""
        return None

    def fill(self, fetched: Any) -> None:
        """Show what :meth:`fetch` read."""

    def typed(self) -> bool:
        """Whether the user typed something that closing would lose."""
        return False

    def _on_fetched(self, fetched: Any) -> None:
        self.fill(fetched)
        self._set_busy(False)
        self.loaded.emit()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.buttons.buttons():
            if button is not self.cancel_button:
                button.setEnabled(not busy)

    def submit(self, write: Callable[[], Callable[[], object]]) -> None:
        """Check the fields and run the write in the background; problems appear next to the fields."""
        if self.busy:
            return
        self.fields.clear()
        self.problem.clear_problem()
        try:
            work = write()
        except ValidationFailed as failed:
            self._on_failed(failed)
            return
        self._set_busy(True)
        run_task(lambda _progress: work(), self._on_written, parent=self, on_error=self._on_failed)

    @Slot(object)
    def _on_written(self, result: object) -> None:
        self.busy = False
        self.done_writing.emit(result)
        self.accept()

    def _on_failed(self, error: BaseException) -> None:
        self._set_busy(False)
        if isinstance(error, ValidationFailed):
            unplaced = self.fields.show_errors(error.problems)
            if unplaced:
                self.problem.show_error("\n".join(p.render() for p in unplaced))
            first = self.fields.first_with_error()
            if first is not None:
                first.setFocus()
        elif isinstance(error, DomainError):
            self.problem.show_error(error_text(error))
        else:
            show_error(self, error, self.windowTitle())

    def reject(self) -> None:
        if self.typed() and not ask_discard(self):
            return
        super().reject()


# --- closure --------------------------------------------------------------------------


class RequestClosureDialog(ActionDialog):
    """Ask the department head to close the case: date, reason, outcomes, final assessment, follow-up."""

    def __init__(self, ctx: AppContext, header: CaseHeader, parent: QWidget | None = None) -> None:
        super().__init__(ctx, header, "case-request-closure", gettext("Request closure"), parent)
        self.resize(780, 720)
        self._months = 6
        self._follow_up_edited = False
        self.intro.setText(gettext("The case closes once the department head approves the request."))
        self.intro.show()
        self.closed_on = _date_edit(date.today())
        self.reason: ChoiceCombo[str] = ChoiceCombo([])
        self.reason.setMinimumContentsLength(40)
        self.child_outcomes = CheckList([], rows=5)
        self.family_outcomes = CheckList([], rows=5)
        self.final_assessment = _text_edit()
        self.follow_up = _date_edit(add_months(date.today(), self._months))
        self.fields.add_row(self.form, "closed_on", self.closed_on, gettext("Closed on"))
        self.fields.add_row(self.form, "reason", self.reason, gettext("Reason"), aliases=("reason_code",))
        self.outcomes = QWidget()
        self.outcomes_layout = QVBoxLayout(self.outcomes)
        self.outcomes_layout.setContentsMargins(0, 0, 0, 0)
        self.outcomes_layout.addWidget(QLabel(gettext("For the child")))
        self.outcomes_layout.addWidget(self.child_outcomes)
        self.outcomes_layout.addWidget(QLabel(gettext("For the family")))
        self.outcomes_layout.addWidget(self.family_outcomes)
        self.fields.add_row(
            self.form, "outcomes", self.outcomes, gettext("Outcomes"), aliases=("outcome_codes",)
        )
        self.fields.add_row(self.form, "final_assessment", self.final_assessment, gettext("Final assessment"))
        self.fields.add_row(self.form, "follow_up_date", self.follow_up, gettext("Follow-up date"))
        self.ok_button = self.add_action(gettext("Request closure"), self._write)
        self.closed_on.dateChanged.connect(self._on_closed_on_date_changed)
        self.follow_up.dateChanged.connect(self._on_follow_up_date_changed)

    def fetch(self, db: Database, actor: Actor, lang: str) -> Any:
        with db.reading() as session:
            return (
                reference_choices(session, "closure_reason", lang),
                reference_choices(session, "child_outcome", lang),
                reference_choices(session, "family_outcome", lang),
                follow_up_months(session),
            )

    def fill(self, fetched: Any) -> None:
        reasons, child, family, months = fetched
        for choice in reasons:
            self.reason.addItem(choice.label, choice.value)
        self._replace(self.child_outcomes, child)
        self._replace(self.family_outcomes, family)
        self._months = months
        if not self._follow_up_edited:
            self._set_follow_up()

    def _replace(self, current: CheckList, choices: list[Choice[str]]) -> None:
        replacement = CheckList(choices, rows=max(len(choices), 3))
        if current is self.child_outcomes:
            self.child_outcomes = replacement
        else:
            self.family_outcomes = replacement
        self.outcomes_layout.replaceWidget(current, replacement)
        current.deleteLater()

    def _set_follow_up(self) -> None:
        closed: date = self.closed_on.date().toPython()  # type: ignore[assignment]
        self.follow_up.blockSignals(True)
        self.follow_up.setDate(qdate(add_months(closed, self._months)))
        self.follow_up.blockSignals(False)

    @Slot(QDate)
    def _on_closed_on_date_changed(self, _day: QDate) -> None:
        if not self._follow_up_edited:
            self._set_follow_up()

    @Slot(QDate)
    def _on_follow_up_date_changed(self, _day: QDate) -> None:
        self._follow_up_edited = True

    def typed(self) -> bool:
        return bool(
            _text(self.final_assessment) or self.child_outcomes.values() or self.family_outcomes.values()
        )

    def closure_input(self) -> ClosureInput:
        closed: date = self.closed_on.date().toPython()  # type: ignore[assignment]
        follow: date = self.follow_up.date().toPython()  # type: ignore[assignment]
        return ClosureInput(
            closed_on=closed,
            reason_code=self.reason.value(),
            outcome_codes=[*self.child_outcomes.values(), *self.family_outcomes.values()],
            final_assessment=_text(self.final_assessment),
            follow_up_date=follow,
        )

    def _write(self) -> Callable[[], object]:
        db, actor, case_id, version, data = (
            self.ctx.db,
            self.ctx.actor,
            self.header.id,
            self.header.version,
            self.closure_input(),
        )
        return lambda: request_closure(db, actor, case_id, data, version)


class DecideClosureDialog(ActionDialog):
    """The department head approves the closure request (the case closes) or rejects it with a note."""

    def __init__(self, ctx: AppContext, header: CaseHeader, parent: QWidget | None = None) -> None:
        super().__init__(ctx, header, "case-decide-closure", gettext("Closure request"), parent)
        self.resize(600, 480)
        pending = header.pending_closure
        assert pending is not None
        rows = (
            (gettext("Requested by"), pending.requested_by or "—"),
            (gettext("Closed on"), format_date(pending.closed_on)),
            (gettext("Reason"), pending.reason),
            (gettext("Outcomes"), ", ".join(pending.outcomes) or "—"),
            (gettext("Final assessment"), pending.final_assessment or "—"),
            (
                gettext("Follow-up date"),
                format_date(pending.follow_up_date) if pending.follow_up_date else "—",
            ),
        )
        for label, value in rows:
            text = QLabel(value)
            text.setWordWrap(len(value) > 50)  # a wrapping label in a form row gets its height only when long
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(label, text)
        self.note = _text_edit(3)
        self.note.setMaximumHeight(self.note.minimumHeight() * 2)
        self.note.setPlaceholderText(gettext("Required to reject the request"))
        self.fields.add_row(self.form, "note", self.note, gettext("Note"))
        self.reject_button = self.add_action(gettext("Reject the request"), self._reject_write)
        self.approve_button = self.add_action(gettext("Approve and close the case"), self._approve_write)

    def typed(self) -> bool:
        return bool(_text(self.note))

    def _approve_write(self) -> Callable[[], object]:
        db, actor, case_id, version = self.ctx.db, self.ctx.actor, self.header.id, self.header.version
        return lambda: approve_closure(db, actor, case_id, version)

    def _reject_write(self) -> Callable[[], object]:
        db, actor, case_id, version, note = (
            self.ctx.db,
            self.ctx.actor,
            self.header.id,
            self.header.version,
            _text(self.note),
        )
        return lambda: reject_closure(db, actor, case_id, note, version)


class ReopenDialog(ActionDialog):
    """Reopen a closed case with a reason; it goes back to assessment, its closure kept."""

    def __init__(self, ctx: AppContext, header: CaseHeader, parent: QWidget | None = None) -> None:
        super().__init__(ctx, header, "case-reopen", gettext("Reopen the case"), parent)
        self.resize(520, 300)
        self.intro.setText(gettext("The case goes back to assessment; its closure stays in its history."))
        self.intro.show()
        self.reason = _text_edit()
        self.fields.add_row(self.form, "reason", self.reason, gettext("Reason"))
        self.ok_button = self.add_action(gettext("Reopen"), self._write)

    def typed(self) -> bool:
        return bool(_text(self.reason))

    def _write(self) -> Callable[[], object]:
        db, actor, case_id, version, reason = (
            self.ctx.db,
            self.ctx.actor,
            self.header.id,
            self.header.version,
            _text(self.reason),
        )
        return lambda: reopen_case(db, actor, case_id, reason, version)


# --- workers and districts ------------------------------------------------------------


class AssignWorkerDialog(ActionDialog):
    """The department head makes a worker responsible for the case, or nobody."""

    def __init__(self, ctx: AppContext, header: CaseHeader, parent: QWidget | None = None) -> None:
        super().__init__(ctx, header, "case-assign", gettext("Responsible worker"), parent)
        self.resize(480, 200)
        self.worker: ChoiceCombo[uuid.UUID] = ChoiceCombo([], empty=gettext("(nobody)"))
        self.worker.setMinimumContentsLength(30)
        self.fields.add_row(
            self.form, "worker", self.worker, gettext("Responsible worker"), aliases=("worker_id",)
        )
        self.ok_button = self.add_action(gettext("Assign"), self._write)

    def fetch(self, db: Database, actor: Actor, lang: str) -> Any:
        return assignable_workers(db, actor)

    def fill(self, fetched: Any) -> None:
        for choice in fetched:
            self.worker.addItem(choice.label, choice.value)
        self.worker.set_value(self.header.worker_id)

    def _write(self) -> Callable[[], object]:
        db, actor, case_id, version, worker = (
            self.ctx.db,
            self.ctx.actor,
            self.header.id,
            self.header.version,
            self.worker.value(),
        )
        return lambda: assign_worker(db, actor, case_id, worker, version)


class TransferOutDialog(ActionDialog):
    """The department head transfers the case to another district; the case closes as moved away."""

    def __init__(self, ctx: AppContext, header: CaseHeader, parent: QWidget | None = None) -> None:
        super().__init__(ctx, header, "case-transfer-out", gettext("Transfer to another district"), parent)
        self.resize(560, 320)
        self.intro.setText(
            gettext(
                "The case closes here as moved away, and its record travels to the other district "
                "in the next upload package."
            )
        )
        self.intro.show()
        self.district: ChoiceCombo[uuid.UUID] = ChoiceCombo([])
        self.district.setMinimumContentsLength(30)
        self.note = _text_edit(3)
        self.fields.add_row(
            self.form, "district", self.district, gettext("District"), aliases=("district_id",)
        )
        self.fields.add_row(self.form, "note", self.note, gettext("Note"))
        self.ok_button = self.add_action(gettext("Transfer"), self._write)

    def fetch(self, db: Database, actor: Actor, lang: str) -> Any:
        with db.reading() as session:
            own = office_district_id(session)
            return [choice for choice in district_choices(session, lang) if choice.value != own]

    def fill(self, fetched: Any) -> None:
        for choice in fetched:
            self.district.addItem(choice.label, choice.value)

    def typed(self) -> bool:
        return bool(_text(self.note))

    def _write(self) -> Callable[[], object]:
        district = self.district.value()
        if district is None:
            raise ValidationFailed(
                [FieldProblem("district", _("District: choose a district from the list."))]
            )
        db, actor, case_id, version, note = (
            self.ctx.db,
            self.ctx.actor,
            self.header.id,
            self.header.version,
            _text(self.note) or None,
        )
        return lambda: transfer_out(db, actor, case_id, district, note, version)
