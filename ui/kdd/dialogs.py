"""The small dialogs of a КДД meeting: a member, a decision, a decision's follow-up, a case to discuss.

Each is asked through a module function (:func:`edit_member`, :func:`edit_decision`,
:func:`ask_follow_up`, :func:`pick_case`, :func:`ask_item_title`, :func:`ask_cancel_reason`,
:func:`confirm_hold`) that tests can replace. A dialog opened again after the services refused
its values shows the problems next to its fields, with the values as they were typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from PySide6.QtCore import QDate, QModelIndex, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.errors import FieldProblem
from models.i18n import _, gettext
from models.lookups import Choice
from models.services.kdd import (
    MEMBER_ROLE_LABELS,
    MEMBER_ROLES,
    CaseChoice,
    DecisionInput,
    MemberInput,
    open_case_choices,
)
from models.validation import format_date

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text
from ui.forms.widgets import (
    TYPING_PAUSE_MS,
    ChoiceCombo,
    FieldSet,
    ProblemLabel,
    qdate,
    record_table,
    text_or_none,
)
from ui.kdd.models import CaseChoicesModel, RowRole
from ui.tasks import Task, run_task

DATE_FORMAT = "dd.MM.yyyy"


def date_of(edit: QDateEdit) -> date:
    value = edit.date()
    return date(value.year(), value.month(), value.day())


def date_edit(value: date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setDate(qdate(value or date.today()))
    return edit


class _FormDialog(Dialog):
    """A dialog of a few fields with OK and Cancel, and a line for problems of no field."""

    def __init__(self, ctx: AppContext, name: str, title: str, parent: QWidget | None) -> None:
        super().__init__(ctx.state, name, parent)
        self.setWindowTitle(title)
        self.fields = FieldSet()
        self.form = QFormLayout()
        self.summary = ProblemLabel()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(self.form, 1)
        layout.addWidget(self.buttons)

    def show_problems(self, problems: Sequence[FieldProblem]) -> None:
        unplaced = self.fields.show_errors(problems)
        if unplaced:
            self.summary.show_error("\n".join(p.render() for p in unplaced))


class MemberDialog(_FormDialog):
    """A member of the commission: full name, position, role."""

    def __init__(self, ctx: AppContext, member: MemberInput | None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "kdd-member", gettext("Member of the commission"), parent)
        self._member = member
        self.full_name = QLineEdit(member.full_name if member else "")
        self.job_title = QLineEdit(member.job_title or "" if member else "")
        self.role = ChoiceCombo([Choice(r, gettext(MEMBER_ROLE_LABELS[r])) for r in MEMBER_ROLES], empty=None)
        self.role.set_value(member.role if member else "member")
        self.fields.add_row(self.form, "full_name", self.full_name, gettext("Full name"))
        self.fields.add_row(self.form, "job_title", self.job_title, gettext("Position"))
        self.fields.add_row(self.form, "role", self.role, gettext("Role"))
        self.resize(460, self.sizeHint().height())

    def accept(self) -> None:
        if not self.full_name.text().strip():
            self.fields.show_errors([FieldProblem("full_name", _("Full name: give the member's name."))])
            return
        super().accept()

    def value(self) -> MemberInput:
        old = self._member
        return MemberInput(
            self.full_name.text().strip(),
            text_or_none(self.job_title),
            self.role.value() or "member",
            old.present if old else False,
            old.id if old else None,
        )


class DecisionDialog(_FormDialog):
    """A decision: its text, the responsible body, a deadline (or the standard period), an appeal note."""

    def __init__(
        self,
        ctx: AppContext,
        decision: DecisionInput | None,
        meeting_date: date,
        standard_days: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "kdd-decision", gettext("Decision of the commission"), parent)
        self.text = QPlainTextEdit(decision.text if decision else "")
        self.text.setTabChangesFocus(True)
        self.responsible_body = QLineEdit(decision.responsible_body or "" if decision else "")
        self.has_deadline = QCheckBox(gettext("A deadline of its own"))
        standard_due = meeting_date + timedelta(days=standard_days)
        self.deadline = date_edit(decision.deadline if decision and decision.deadline else standard_due)
        self.deadline.setMinimumDate(qdate(meeting_date))
        self.has_deadline.setChecked(bool(decision and decision.deadline))
        self.deadline.setEnabled(self.has_deadline.isChecked())
        self.has_deadline.toggled.connect(self.deadline.setEnabled)
        standard = QLabel(
            gettext("Without it, the decision is due {days} days after the meeting ({date}).").format(
                days=standard_days, date=format_date(standard_due)
            )
        )
        standard.setWordWrap(True)
        deadline_box = QWidget()
        deadline_layout = QVBoxLayout(deadline_box)
        deadline_layout.setContentsMargins(0, 0, 0, 0)
        deadline_layout.addWidget(self.has_deadline)
        deadline_layout.addWidget(self.deadline)
        deadline_layout.addWidget(standard)
        self.appeal_note = QPlainTextEdit(decision.appeal_note or "" if decision else "")
        self.appeal_note.setTabChangesFocus(True)
        self.appeal_note.setMaximumHeight(70)
        self.fields.add_row(self.form, "text", self.text, gettext("Decision"))
        self.fields.add_row(self.form, "responsible_body", self.responsible_body, gettext("Responsible body"))
        self.fields.add_row(self.form, "deadline", deadline_box, gettext("Deadline"))
        self.fields.add_row(self.form, "appeal_note", self.appeal_note, gettext("Appeal"))
        self.resize(560, 480)

    def value(self) -> DecisionInput:
        return DecisionInput(
            self.text.toPlainText().strip(),
            text_or_none(self.responsible_body),
            date_of(self.deadline) if self.has_deadline.isChecked() else None,
            text_or_none(self.appeal_note),
        )


class FollowUpDialog(_FormDialog):
    """How a decision was carried out: done (on a date) or not yet, and a note."""

    def __init__(
        self, ctx: AppContext, done_on: date | None, note: str | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, "kdd-follow-up", gettext("Execution of the decision"), parent)
        self.is_done = QCheckBox(gettext("The decision is carried out"))
        self.is_done.setChecked(done_on is not None)
        self.done_on = date_edit(done_on)
        self.done_on.setMaximumDate(QDate.currentDate())
        self.done_on.setEnabled(self.is_done.isChecked())
        self.is_done.toggled.connect(self.done_on.setEnabled)
        self.note = QPlainTextEdit(note or "")
        self.note.setTabChangesFocus(True)
        self.form.addRow(self.is_done)
        self.fields.add_row(self.form, "done_on", self.done_on, gettext("Done on"))
        self.fields.add_row(self.form, "follow_up", self.note, gettext("Follow-up"))
        self.resize(480, 320)

    def value(self) -> tuple[date | None, str | None]:
        return (date_of(self.done_on) if self.is_done.isChecked() else None, text_or_none(self.note))


class CasePickerDialog(Dialog):
    """Find an open case by its № or the child's name, for the agenda."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx.state, "kdd-case-picker", parent)
        self.ctx = ctx
        self.setWindowTitle(gettext("Add a case to the agenda"))
        self.search = QLineEdit()
        self.search.setPlaceholderText(gettext("Case No. (12 or 12/2026) or the child's name"))
        self.search.setClearButtonEnabled(True)
        self.status = QLabel(gettext("Type a case number or a name."))
        self.results = CaseChoicesModel(self)
        self.table = record_table(self.results, stretch=(1,), resize=QHeaderView.ResizeMode.Interactive)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.status)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._sequence = 0
        self._task: Task[list[CaseChoice]] | None = None
        self.search.textChanged.connect(self._timer.start)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.resize(640, 420)

    def chosen(self) -> CaseChoice | None:
        rows = self.table.selectionModel().selectedRows()
        return self.results.row_entry(rows[0].row()) if rows else None

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._sequence += 1
        sequence, text, db, actor = self._sequence, self.search.text(), self.ctx.db, self.ctx.actor
        self.status.setText(gettext("Searching…"))

        def done(found: list[CaseChoice]) -> None:
            if sequence != self._sequence:
                return
            self.results.set_rows(found)
            self.status.setText(gettext("Open cases found: {count}").format(count=len(found)))
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
            if found:
                self.table.selectRow(0)

        def failed(error: BaseException) -> None:
            if sequence == self._sequence:
                self.status.setText(error_text(error))

        self._task = run_task(
            lambda _p: open_case_choices(db, actor, text), done, parent=self, on_error=failed
        )

    @Slot()
    def _on_selection_changed(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(self.chosen() is not None)

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and index.data(RowRole) is not None:
            self.accept()


def edit_member(parent: QWidget, ctx: AppContext, member: MemberInput | None) -> MemberInput | None:
    dialog = MemberDialog(ctx, member, parent)
    return dialog.value() if dialog.exec() else None


def edit_decision(
    parent: QWidget,
    ctx: AppContext,
    decision: DecisionInput | None,
    meeting_date: date,
    standard_days: int,
    problems: Sequence[FieldProblem] = (),
) -> DecisionInput | None:
    """The decision as typed (None if cancelled); *problems* from a refused save show by the fields."""
    dialog = DecisionDialog(ctx, decision, meeting_date, standard_days, parent)
    dialog.show_problems(problems)
    return dialog.value() if dialog.exec() else None


def ask_follow_up(
    parent: QWidget,
    ctx: AppContext,
    done_on: date | None,
    note: str | None,
    problems: Sequence[FieldProblem] = (),
) -> tuple[date | None, str | None] | None:
    dialog = FollowUpDialog(ctx, done_on, note, parent)
    dialog.show_problems(problems)
    return dialog.value() if dialog.exec() else None


def pick_case(parent: QWidget, ctx: AppContext) -> CaseChoice | None:
    dialog = CasePickerDialog(ctx, parent)
    return dialog.chosen() if dialog.exec() else None


def ask_item_title(parent: QWidget) -> str | None:
    """The title of an agenda item without a case (None if cancelled)."""
    text, ok = QInputDialog.getText(
        parent, gettext("Agenda item"), gettext("What is the item about (without a case)?")
    )
    return text.strip() if ok and text.strip() else None


def ask_cancel_reason(parent: QWidget) -> str | None:
    text, ok = QInputDialog.getMultiLineText(
        parent, gettext("Cancel the meeting"), gettext("Why is the meeting cancelled?")
    )
    return text.strip() if ok and text.strip() else None


def confirm_hold(parent: QWidget, number: str, present: int, total: int) -> bool:
    """Whether to mark the meeting held (its protocol is fixed afterwards)."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(gettext("Hold the meeting"))
    box.setText(
        gettext("Mark the meeting {number} as held? {present} of {total} members are present.").format(
            number=number, present=present, total=total
        )
    )
    box.setInformativeText(
        gettext(
            "After that the agenda and the decisions cannot be changed; only their execution is recorded."
        )
    )
    hold = box.addButton(gettext("Meeting held"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(gettext("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(hold)
    box.exec()
    return box.clickedButton() is hold


def ask_remove(parent: QWidget, text: str) -> bool:
    answer = QMessageBox.question(parent, gettext("Remove"), text)
    return answer == QMessageBox.StandardButton.Yes


__all__ = [
    "CasePickerDialog",
    "DecisionDialog",
    "FollowUpDialog",
    "MemberDialog",
    "ask_cancel_reason",
    "ask_follow_up",
    "ask_item_title",
    "ask_remove",
    "confirm_hold",
    "edit_decision",
    "edit_member",
    "pick_case",
]
