"""The dialogs of the Plan tab: a new plan, one action, a periodic review.

A dialog that writes (a new plan, a review, the progress of an action) runs the service in the
background when OK is pressed, shows problems next to its fields and keeps what was typed;
it closes once the record is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.dashboard import add_months
from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import _, gettext
from models.lookups import Choice
from models.services.plans import (
    ACTION_STATUS_LABELS,
    PLAN_KIND_LABELS,
    PlanInput,
    PlanRef,
    ReviewInput,
    add_review,
    create_plan,
    record_action_progress,
)
from models.validation import local_today

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import show_error
from ui.forms.widgets import (
    ChoiceCombo,
    DateField,
    FieldSet,
    ProblemLabel,
    qdate,
    set_read_only,
    text_or_none,
)
from ui.tasks import Task, run_task

DATE_FORMAT = "dd.MM.yyyy"


def date_edit(value: date) -> QDateEdit:
    edit = QDateEdit(qdate(value))
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    edit.setMinimumWidth(edit.fontMetrics().horizontalAdvance("00.00.00000") + 40)
    return edit


def date_of(edit: QDateEdit) -> date:
    value: date = edit.date().toPython()  # type: ignore[assignment]
    return value


def text_edit(text: str | None = None, lines: int = 3) -> QPlainTextEdit:
    edit = QPlainTextEdit(text or "")
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 12)
    return edit


class _WritingDialog(Dialog):
    """A dialog whose OK writes through a service in the background (see :meth:`submit`)."""

    def __init__(self, ctx: AppContext, name: str, title: str, parent: QWidget | None) -> None:
        super().__init__(ctx.state, name, parent)
        self.ctx = ctx
        self.setWindowTitle(title)
        self.fields = FieldSet()
        self.summary = ProblemLabel()
        self.form = QFormLayout()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(gettext("OK"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(gettext("Cancel"))
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.task: Task[Any] | None = None
        self.result_value: Any = None

    def work(self) -> Callable[[], Any] | None:
        """Read the fields (in the GUI thread) and return the write to run in the background."""
        raise NotImplementedError

    def show_problems(self, problems: Sequence[FieldProblem]) -> None:
        unplaced = self.fields.show_errors(problems)
        if unplaced:
            self.summary.show_error("\n".join(p.render() for p in unplaced))

    @Slot()
    def _on_buttons_accepted(self) -> None:
        if self.task is not None:
            return
        self.fields.clear()
        self.summary.clear_problem()
        try:
            write = self.work()
        except ValidationFailed as failed:
            self.show_problems(failed.problems)
            return
        if write is None:
            self.accept()
            return
        self.buttons.setEnabled(False)
        self.task = run_task(
            lambda _p: write(), self._on_task_done, parent=self, on_error=self._on_task_failed
        )

    def _on_task_done(self, value: Any) -> None:
        self.task = None
        self.buttons.setEnabled(True)
        self.result_value = value
        self.accept()

    def _on_task_failed(self, error: BaseException) -> None:
        self.task = None
        self.buttons.setEnabled(True)
        if isinstance(error, ValidationFailed):
            self.show_problems(error.problems)
        elif isinstance(error, DomainError):
            self.summary.show_error(error.message.render())
        else:
            show_error(self, error, self.windowTitle())


class NewPlanDialog(_WritingDialog):
    """Draw up a new plan for a case: its kind and start date (the goals and actions come next)."""

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "new_plan", gettext("New plan"), parent)
        self.case_id = case_id
        self.kind = ChoiceCombo(
            [Choice(k, gettext(label)) for k, label in PLAN_KIND_LABELS.items()], empty=None
        )
        self.start_date = date_edit(local_today())
        self.fields.add_row(self.form, "kind", self.kind, gettext("Kind of plan"))
        self.fields.add_row(self.form, "start_date", self.start_date, gettext("Start date"))
        self.resize(520, 200)

    def work(self) -> Callable[[], PlanRef]:
        db, actor, case_id = self.ctx.db, self.ctx.actor, self.case_id
        data = PlanInput(date_of(self.start_date), kind=self.kind.value() or "child")
        return lambda: create_plan(db, actor, case_id, data)


class ReviewDialog(_WritingDialog):
    """A periodic review of an approved plan: what changed, and when the next review is due."""

    def __init__(
        self,
        ctx: AppContext,
        plan_id: uuid.UUID,
        plan_version: int,
        workers: Sequence[Choice[uuid.UUID]],
        review_months: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "plan_review", gettext("Plan review"), parent)
        self.plan_id = plan_id
        self.plan_version = plan_version
        self.review_months = review_months
        today = local_today()
        self.review_date = date_edit(today)
        self.reviewer = ChoiceCombo(workers, empty=None)
        self.reviewer.set_value(ctx.actor.user_id)
        self.changes = text_edit(lines=5)
        self.next_review_date = date_edit(add_months(today, review_months))
        self._next_edited = False
        self.fields.add_row(self.form, "review_date", self.review_date, gettext("Review date"))
        self.fields.add_row(self.form, "reviewer_id", self.reviewer, gettext("Reviewer"))
        self.fields.add_row(self.form, "changes", self.changes, gettext("What changed"))
        self.fields.add_row(self.form, "next_review_date", self.next_review_date, gettext("Next review"))
        self.review_date.dateChanged.connect(self._on_review_date_changed)
        self.next_review_date.dateChanged.connect(self._on_next_review_date_changed)
        self.resize(560, 360)

    @Slot(QDate)
    def _on_review_date_changed(self, _day: QDate) -> None:
        if not self._next_edited:
            self.next_review_date.blockSignals(True)
            self.next_review_date.setDate(qdate(add_months(date_of(self.review_date), self.review_months)))
            self.next_review_date.blockSignals(False)

    @Slot(QDate)
    def _on_next_review_date_changed(self, _day: QDate) -> None:
        self._next_edited = True

    def work(self) -> Callable[[], int]:
        db, actor, plan_id, version = self.ctx.db, self.ctx.actor, self.plan_id, self.plan_version
        data = ReviewInput(
            review_date=date_of(self.review_date),
            changes=self.changes.toPlainText(),
            reviewer_id=self.reviewer.value(),
            next_review_date=date_of(self.next_review_date),
        )
        return lambda: add_review(db, actor, plan_id, data, version)


class ActionDialog(_WritingDialog):
    """One action of a plan.

    In a draft every field is edited and OK only changes the row in the plan form (the plan's
    Save writes it). On an approved plan only the status and the result change, and OK records
    them at once; with *read_only* nothing changes.
    """

    def __init__(
        self,
        ctx: AppContext,
        row: Any,
        goals: Sequence[Choice[uuid.UUID]],
        services: Sequence[Choice[str]],
        organisations: Sequence[Choice[uuid.UUID]],
        *,
        mode: str = "draft",
        parent: QWidget | None = None,
    ) -> None:
        titles = {"draft": gettext("Action of the plan"), "progress": gettext("Progress of the action")}
        super().__init__(ctx, "plan_action", titles.get(mode, gettext("Action of the plan")), parent)
        self.row = row
        self.mode = mode
        self.goal = ChoiceCombo(goals)
        self.goal.set_value(row.goal_key)
        self.need = QLineEdit(row.need or "")
        self.service = ChoiceCombo(services)
        self.service.set_value(row.service_code)
        self.description = text_edit(row.description)
        self.organisation = ChoiceCombo(organisations)
        self.organisation.set_value(row.organisation_id)
        self.responsible_person = QLineEdit(row.responsible_person or "")
        self.due_date = DateField()
        self.due_date.set_date_value(row.due_date)
        self.status = ChoiceCombo(
            [Choice(code, gettext(label)) for code, label in ACTION_STATUS_LABELS.items()], empty=None
        )
        self.status.set_value(row.status)
        self.result_text = text_edit(row.result)
        for name, editor, label in (
            ("goal", self.goal, gettext("Goal")),
            ("need", self.need, gettext("Need")),
            ("service_code", self.service, gettext("Service")),
            ("description", self.description, gettext("Action")),
            ("organisation_id", self.organisation, gettext("Organisation")),
            ("responsible_person", self.responsible_person, gettext("Responsible person")),
            ("due_date", self.due_date, gettext("Due date")),
            ("status", self.status, gettext("Status")),
            ("result", self.result_text, gettext("Result")),
        ):
            self.fields.add_row(self.form, name, editor, label)
        frozen = (
            "goal",
            "need",
            "service_code",
            "description",
            "organisation_id",
            "responsible_person",
            "due_date",
        )
        if mode != "draft":
            for name in frozen:
                set_read_only(self.fields.editors[name])
        if mode == "view":
            set_read_only(self.status)
            set_read_only(self.result_text)
            self.buttons.setStandardButtons(QDialogButtonBox.StandardButton.Close)
            self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(gettext("Close"))
        if row.problem:
            self.summary.show_error(row.problem)
        self.resize(640, 560)

    def work(self) -> Callable[[], int] | None:
        if self.mode == "draft":
            description = self.description.toPlainText()
            if not description.strip():
                raise ValidationFailed(
                    [FieldProblem("description", _("Action: describe what is to be done."))]
                )
            self.result_value = replace(
                self.row,
                goal_key=self.goal.value(),
                need=text_or_none(self.need),
                service_code=self.service.value(),
                service_label=self.service.currentText() if self.service.value() else "",
                description=description.strip(),
                organisation_id=self.organisation.value(),
                organisation_name=self.organisation.currentText() if self.organisation.value() else "",
                responsible_person=text_or_none(self.responsible_person),
                due_date=self.due_date.date_value("due_date", _("Due date")),
                status=self.status.value() or "planned",
                result=text_or_none(self.result_text),
                problem="",
            )
            return None
        db, actor, row = self.ctx.db, self.ctx.actor, self.row
        status, result = self.status.value() or row.status, text_or_none(self.result_text)
        return lambda: record_action_progress(db, actor, row.id, status, result, row.version)
