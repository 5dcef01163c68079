"""The Plan tab of the case workspace: the ИПЗР or family plan, its versions, actions and reviews."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.dashboard import DeadlineSettings
from models.database import Database
from models.errors import DomainError, FieldProblem, StaleRecord, ValidationFailed
from models.i18n import N_, current_language, gettext
from models.lookups import Choice, organisation_choices, reference_choices, worker_choices
from models.permissions import Permission
from models.services.base import Actor
from models.services.plans import (
    PLAN_STATUS_LABELS,
    PlanDetails,
    PlanInput,
    PlanRef,
    PlanSummary,
    approve_plan,
    current_plan_id,
    delete_draft,
    get_plan,
    list_plans,
    revise_plan,
    save_plan,
)
from models.validation import format_date, local_today

from ui.casework.plan_dialogs import ActionDialog, NewPlanDialog, ReviewDialog, date_edit, date_of
from ui.casework.plan_models import ActionRow, ActionsModel, GoalRow, GoalsModel, ReviewsModel
from ui.casework.tab import CaseTab
from ui.context import AppContext
from ui.errors import error_text, show_error
from ui.forms.base import UnsavedChoice, ask_reload, ask_unsaved_changes
from ui.forms.widgets import FieldSet, ProblemLabel, qdate, text_or_none
from ui.printing import show_preview
from ui.tasks import Task, run_task

if TYPE_CHECKING:
    from reports.catalog import Target

PLAN_KIND_SHORT = {"child": N_("ИПЗР"), "family": N_("Family plan")}


def ask_approve(parent: QWidget) -> bool:
    """Whether to approve the plan (it is frozen afterwards)."""
    answer = QMessageBox.question(
        parent,
        gettext("Approve the plan"),
        gettext("Approve the plan? An approved plan is frozen; later changes need a revision."),
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_delete_draft(parent: QWidget) -> bool:
    """Whether to delete the draft plan shown."""
    answer = QMessageBox.question(parent, gettext("Delete the draft"), gettext("Delete this draft plan?"))
    return answer == QMessageBox.StandardButton.Yes


def ask_discard_changes(parent: QWidget) -> bool:
    """Whether to drop the unsaved changes of the plan to show another version."""
    answer = QMessageBox.question(
        parent,
        gettext("Unsaved changes"),
        gettext("The plan has changes that are not saved. Drop them?"),
    )
    return answer == QMessageBox.StandardButton.Yes


def version_label(plan: PlanSummary) -> str:
    return gettext("{kind} № {number}, revision {revision} ({status})").format(
        kind=gettext(PLAN_KIND_SHORT.get(plan.kind, plan.kind)),
        number=plan.plan_no,
        revision=plan.revision,
        status=gettext(PLAN_STATUS_LABELS.get(plan.status, plan.status)).lower(),
    )


@dataclass
class _Loaded:
    """What the tab's background read brings back."""

    sequence: int
    plans: list[PlanSummary] = field(default_factory=list)
    details: PlanDetails | None = None
    services: list[Choice[str]] = field(default_factory=list)
    organisations: list[Choice[uuid.UUID]] = field(default_factory=list)
    workers: list[Choice[uuid.UUID]] = field(default_factory=list)
    review_months: int = 3


def _read(
    db: Database, actor: Actor, case_id: uuid.UUID, plan_id: uuid.UUID | None, sequence: int
) -> _Loaded:
    """The case's plans, the version to show and the lists of the forms (in a worker thread)."""
    language = current_language()
    loaded = _Loaded(sequence, plans=list_plans(db, actor, case_id))
    known = {p.id for p in loaded.plans}
    shown = plan_id if plan_id in known else current_plan_id(loaded.plans)
    if shown is not None:
        loaded.details = get_plan(db, actor, shown, language)
    with db.reading() as session:
        loaded.services = reference_choices(session, "service_type", language)
        loaded.organisations = organisation_choices(session, language)
        loaded.workers = worker_choices(session)
        loaded.review_months = DeadlineSettings.read(session).plan_review_months
    return loaded


class PlanTab(CaseTab):
    """The plan of a case: the draft if there is one, else the approved plan; older versions on request.

    A draft is edited here (its header, goals in place, actions through a row dialog) and saved
    at once; the department head approves it. An approved plan is frozen: the progress of its
    actions and its periodic reviews are recorded, and a revision makes a new draft. Unsaved
    changes are kept when the workspace asks the tab to refresh, and :meth:`confirm_close` asks
    about them before the workspace window closes.

    Signals:
        case_changed: (from :class:`CaseTab`) a plan was written; the case's status or deadlines may differ.
    """

    title = N_("Plan")

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.details: PlanDetails | None = None
        self.plans: list[PlanSummary] = []
        self.dialog: QWidget | None = None
        self._dirty = False
        self._filling = False
        self._sequence = 0
        self._load_task: Task[_Loaded] | None = None
        self._write_task: Task[Any] | None = None
        self._services: list[Choice[str]] = []
        self._organisations: list[Choice[uuid.UUID]] = []
        self._workers: list[Choice[uuid.UUID]] = []
        self._review_months = 3
        self._close_after_save = False
        self._build()
        self.refresh()

    # --- layout --------------------------------------------------------------------------

    def _build(self) -> None:
        self.version_combo = QComboBox()
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        version_caption = QLabel(gettext("Version:"))
        version_caption.setBuddy(self.version_combo)
        self.new_button = QPushButton(gettext("New plan…"))
        self.save_button = QPushButton(gettext("Save"))
        self.approve_button = QPushButton(gettext("Approve"))
        self.revise_button = QPushButton(gettext("Make a revision"))
        self.delete_button = QPushButton(gettext("Delete draft"))
        self.print_button = QPushButton(gettext("Print…"))
        self.print_button.setToolTip(gettext("Print the version shown"))
        top = QHBoxLayout()
        top.addWidget(version_caption)
        top.addWidget(self.version_combo)
        top.addWidget(self.new_button)
        top.addStretch(1)
        for button in (
            self.save_button,
            self.approve_button,
            self.revise_button,
            self.delete_button,
            self.print_button,
        ):
            top.addWidget(button)

        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.summary = ProblemLabel()
        self.empty_label = QLabel(gettext("The case has no plan yet."))

        self.fields = FieldSet()
        self.start_date = date_edit(local_today())
        self.review_date = date_edit(local_today())
        self.child_participated = QCheckBox(gettext("The child took part"))
        self.family_participated = QCheckBox(gettext("The family took part"))
        self.notes = QLineEdit()
        self.approval_label = QLabel()
        self.approval_label.setWordWrap(True)
        dates = QFormLayout()
        self.fields.add_row(dates, "start_date", self.start_date, gettext("Start date"))
        self.fields.add_row(dates, "review_date", self.review_date, gettext("Review date"))
        participation = QWidget()
        participation_row = QHBoxLayout(participation)
        participation_row.setContentsMargins(0, 0, 0, 0)
        participation_row.addWidget(self.child_participated)
        participation_row.addWidget(self.family_participated)
        participation_row.addStretch(1)
        others = QFormLayout()
        others.addRow(gettext("Participation"), participation)
        others.addRow(gettext("Approval"), self.approval_label)
        header = QHBoxLayout()
        header.addLayout(dates)
        header.addSpacing(24)
        header.addLayout(others, 1)
        notes_form = QFormLayout()
        self.fields.add_row(notes_form, "notes", self.notes, gettext("Notes"))

        self.goals_model = GoalsModel(self)
        self.goals_view = self._table(self.goals_model)
        self.goals_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.goals_view.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        rows_height = self.goals_view.verticalHeader().defaultSectionSize()
        self.goals_view.setMinimumHeight(
            self.goals_view.horizontalHeader().sizeHint().height() + 3 * rows_height + 4
        )
        self.add_goal_button = QPushButton(gettext("Add goal"))
        self.remove_goal_button = QPushButton(gettext("Remove"))
        self.goal_up_button = QPushButton(gettext("Move up"))
        self.goal_down_button = QPushButton(gettext("Move down"))
        self.goals_problem = ProblemLabel()
        goals_box = self._group(
            gettext("Goals"),
            self.goals_view,
            [self.add_goal_button, self.remove_goal_button, self.goal_up_button, self.goal_down_button],
            self.goals_problem,
        )

        self.actions_model = ActionsModel(self.goals_model, self)
        self.actions_view = self._table(self.actions_model)
        self.actions_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header_view = self.actions_view.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header_view.setStretchLastSection(True)
        for column, width in enumerate((50, 140, 150, 260, 170, 150, 90, 125)):
            self.actions_view.setColumnWidth(column, width)
        self.add_action_button = QPushButton(gettext("Add action…"))
        self.edit_action_button = QPushButton(gettext("Open…"))
        self.remove_action_button = QPushButton(gettext("Remove"))
        self.action_up_button = QPushButton(gettext("Move up"))
        self.action_down_button = QPushButton(gettext("Move down"))
        self.refer_button = QPushButton(gettext("Refer…"))
        self.refer_button.setToolTip(gettext("Make a referral for this action"))
        self.actions_problem = ProblemLabel()
        actions_box = self._group(
            gettext("Actions"),
            self.actions_view,
            [
                self.add_action_button,
                self.edit_action_button,
                self.remove_action_button,
                self.action_up_button,
                self.action_down_button,
                self.refer_button,
            ],
            self.actions_problem,
        )

        self.reviews_model = ReviewsModel(self)
        self.reviews_view = self._table(self.reviews_model)
        self.reviews_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        reviews_header = self.reviews_view.horizontalHeader()
        for column in (0, 1, 3):
            reviews_header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        reviews_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.review_button = QPushButton(gettext("Add review…"))
        reviews_box = self._group(gettext("Reviews"), self.reviews_view, [self.review_button], None)

        self.splitter = QSplitter(Qt.Orientation.Vertical)
        for box, stretch in ((goals_box, 1), (actions_box, 3), (reviews_box, 1)):
            self.splitter.addWidget(box)
            self.splitter.setStretchFactor(self.splitter.count() - 1, stretch)
        self.splitter.setChildrenCollapsible(False)

        self.body = QWidget()
        body_layout = QVBoxLayout(self.body)
        body_layout.setContentsMargins(0, 0, 0, 0)
        body_layout.addLayout(header)
        body_layout.addLayout(notes_form)
        body_layout.addWidget(self.splitter, 1)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.body, 1)
        self.body.hide()
        self.empty_label.hide()

        self.version_combo.activated.connect(self._on_version_combo_activated)
        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.approve_button.clicked.connect(self._on_approve_button_clicked)
        self.revise_button.clicked.connect(self._on_revise_button_clicked)
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.add_goal_button.clicked.connect(self._on_add_goal_button_clicked)
        self.remove_goal_button.clicked.connect(self._on_remove_goal_button_clicked)
        self.goal_up_button.clicked.connect(lambda: self._move(self.goals_view, self.goals_model, -1))
        self.goal_down_button.clicked.connect(lambda: self._move(self.goals_view, self.goals_model, 1))
        self.add_action_button.clicked.connect(self._on_add_action_button_clicked)
        self.edit_action_button.clicked.connect(self._on_edit_action_button_clicked)
        self.remove_action_button.clicked.connect(self._on_remove_action_button_clicked)
        self.action_up_button.clicked.connect(lambda: self._move(self.actions_view, self.actions_model, -1))
        self.action_down_button.clicked.connect(lambda: self._move(self.actions_view, self.actions_model, 1))
        self.refer_button.clicked.connect(self._on_refer_button_clicked)
        self.review_button.clicked.connect(self._on_review_button_clicked)
        self.actions_view.doubleClicked.connect(self._on_actions_view_double_clicked)
        self.actions_view.selectionModel().currentRowChanged.connect(self._on_selection_changed)
        self.goals_view.selectionModel().currentRowChanged.connect(self._on_selection_changed)
        self.goals_model.rows_edited.connect(self._on_form_edited)
        self.actions_model.rows_edited.connect(self._on_form_edited)
        self.start_date.dateChanged.connect(self._on_form_edited)
        self.review_date.dateChanged.connect(self._on_form_edited)
        self.child_participated.toggled.connect(self._on_form_edited)
        self.family_participated.toggled.connect(self._on_form_edited)
        self.notes.textChanged.connect(self._on_form_edited)
        self._update_controls()

    def _table(self, model: Any) -> QTableView:
        view = QTableView()
        view.setModel(model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setWordWrap(False)
        view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        return view

    def _group(
        self, title: str, view: QTableView, buttons: Sequence[QPushButton], problem: ProblemLabel | None
    ) -> QGroupBox:
        box = QGroupBox(title)
        column = QVBoxLayout(box)
        column.addWidget(view, 1)
        if problem is not None:
            column.addWidget(problem)
        row = QHBoxLayout()
        for button in buttons:
            button.setAutoDefault(False)
            row.addWidget(button)
        row.addStretch(1)
        column.addLayout(row)
        return box

    # --- state ---------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Whether the draft shown has changes that are not saved."""
        return self._dirty

    @property
    def editable(self) -> bool:
        """Whether the plan shown is a draft this user may change."""
        d = self.details
        return d is not None and d.is_draft and not d.case_closed and self.ctx.can(Permission.PLAN_WRITE)

    @property
    def busy(self) -> bool:
        """Whether a read or a write of the tab is under way."""
        return self._load_task is not None or self._write_task is not None

    def _set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self._update_controls()

    def _update_controls(self) -> None:
        d = self.details
        can_write = self.ctx.can(Permission.PLAN_WRITE)
        open_case = d is None or not d.case_closed
        approved = d is not None and d.status == "approved" and open_case
        editable = self.editable
        idle = not self.busy
        self.new_button.setVisible(can_write)
        self.new_button.setEnabled(idle and open_case)
        self.save_button.setVisible(editable)
        self.save_button.setEnabled(idle and self._dirty)
        self.approve_button.setVisible(editable and self.ctx.can(Permission.PLAN_APPROVE))
        self.approve_button.setEnabled(idle)
        self.delete_button.setVisible(editable)
        self.delete_button.setEnabled(idle)
        self.revise_button.setVisible(
            can_write and approved and d is not None and d.revision_draft_id is None
        )
        self.revise_button.setEnabled(idle)
        self.review_button.setVisible(can_write and approved)
        self.review_button.setEnabled(idle)
        self.version_combo.setEnabled(idle)
        self.print_button.setVisible(self.ctx.can(Permission.PRINT) and d is not None)
        self.print_button.setEnabled(idle and not self._dirty)
        self.print_button.setToolTip(
            gettext("Save the changes first: the stored version is printed.")
            if self._dirty
            else gettext("Print the version shown")
        )

        for button in (
            self.add_goal_button,
            self.remove_goal_button,
            self.goal_up_button,
            self.goal_down_button,
        ):
            button.setVisible(editable)
        for button in (
            self.add_action_button,
            self.remove_action_button,
            self.action_up_button,
            self.action_down_button,
        ):
            button.setVisible(editable)
        goal = self.goals_view.currentIndex().row() if self.goals_view.currentIndex().isValid() else -1
        action_row = self._current_action()
        self.remove_goal_button.setEnabled(goal >= 0)
        self.goal_up_button.setEnabled(goal > 0)
        self.goal_down_button.setEnabled(0 <= goal < self.goals_model.rowCount() - 1)
        position = self.actions_view.currentIndex().row() if action_row is not None else -1
        self.edit_action_button.setEnabled(action_row is not None)
        self.remove_action_button.setEnabled(action_row is not None and action_row.referrals == 0)
        self.action_up_button.setEnabled(position > 0)
        self.action_down_button.setEnabled(0 <= position < self.actions_model.rowCount() - 1)
        self.refer_button.setVisible(self.ctx.can(Permission.REFERRAL_WRITE) and d is not None)
        self.refer_button.setEnabled(
            open_case
            and action_row is not None
            and action_row.id is not None
            and d is not None
            and d.status != "superseded"
        )

        self.goals_model.editable = editable
        for edit in (self.start_date, self.review_date):
            edit.setReadOnly(not editable)
            edit.setCalendarPopup(editable)
            edit.setButtonSymbols(
                QAbstractSpinBox.ButtonSymbols.UpDownArrows
                if editable
                else QAbstractSpinBox.ButtonSymbols.NoButtons
            )
        self.child_participated.setEnabled(editable)
        self.family_participated.setEnabled(editable)
        self.notes.setReadOnly(not editable)

    def version_index(self, plan_id: uuid.UUID | None) -> int:
        """The entry of the version selector showing *plan_id*, or -1 (findData compares by identity)."""
        for index in range(self.version_combo.count()):
            if self.version_combo.itemData(index) == plan_id:
                return index
        return -1

    def _status_text(self, d: PlanDetails) -> str:
        if d.case_closed:
            return gettext("The case is closed; its plans can only be viewed.")
        if d.status == "superseded":
            return gettext("This version was replaced by a newer one; it is shown as it was.")
        if d.status == "approved":
            text = gettext(
                "Approved: the plan is frozen. Record the progress of its actions and its reviews; "
                "make a revision to change it."
            )
            if d.revision_draft_id is not None:
                text += " " + gettext("A revision of it is being drafted.")
            return text
        if d.previous_id is not None:
            return gettext(
                "Draft revision {revision}: the approved version stays in force until this one is approved."
            ).format(revision=d.revision)
        return gettext("Draft: the plan is in force once the department head approves it.")

    # --- reading -------------------------------------------------------------------------

    def refresh(self, plan_id: uuid.UUID | None = None) -> None:
        """Read the plans again and show *plan_id* (default: the version shown, else the current one).

        Unsaved changes are kept: the tab is not read again while the draft has them.
        """
        if self._dirty:
            return
        self._load(plan_id or (self.details.id if self.details else None))

    def _load(self, plan_id: uuid.UUID | None) -> None:
        self._sequence += 1
        sequence = self._sequence
        db, actor, case_id = self.ctx.db, self.ctx.actor, self.case_id
        self._load_task = run_task(
            lambda _p: _read(db, actor, case_id, plan_id, sequence),
            self._on_load_task_finished,
            parent=self,
            on_error=self._on_load_task_failed,
        )
        self._update_controls()

    def _on_load_task_finished(self, loaded: _Loaded) -> None:
        if loaded.sequence != self._sequence:
            return
        self._load_task = None
        self.plans = loaded.plans
        self._services = loaded.services
        self._organisations = loaded.organisations
        self._workers = loaded.workers
        self._review_months = loaded.review_months
        self._show(loaded.details)

    def _on_load_task_failed(self, error: BaseException) -> None:
        self._load_task = None
        self.summary.show_error(error_text(error))
        self._update_controls()

    def _show(self, d: PlanDetails | None) -> None:
        self.details = d
        self._filling = True
        try:
            self.version_combo.clear()
            for plan in self.plans:
                self.version_combo.addItem(version_label(plan), plan.id)
            self.fields.clear()
            self.summary.clear_problem()
            self.goals_problem.clear_problem()
            self.actions_problem.clear_problem()
            self.empty_label.setVisible(d is None)
            self.body.setVisible(d is not None)
            self.status_label.setVisible(d is not None)
            if d is None:
                self.goals_model.set_rows([])
                self.actions_model.set_rows([])
                self.reviews_model.set_rows([])
                return
            self.version_combo.setCurrentIndex(max(0, self.version_index(d.id)))
            self.status_label.setText(self._status_text(d))
            self.start_date.setDate(qdate(d.start_date))
            self.review_date.setDate(qdate(d.review_date or d.start_date))
            self.child_participated.setChecked(d.child_participated)
            self.family_participated.setChecked(d.family_participated)
            self.notes.setText(d.notes or "")
            if d.approved_at is not None:
                self.approval_label.setText(
                    gettext("Approved by {name} on {date}.").format(
                        name=d.approved_by_name or "—", date=format_date(d.approved_at.astimezone().date())
                    )
                )
            else:
                self.approval_label.setText(gettext("Not approved yet."))
            goals = [GoalRow(goal.text, goal.id) for goal in d.goals]
            self.goals_model.set_rows(goals)
            keys = [goal.key for goal in goals]
            self.actions_model.set_rows([ActionRow.of(action, keys) for action in d.actions])
            self.reviews_model.set_rows(d.reviews)
        finally:
            self._filling = False
            self._set_dirty(False)

    # --- writing -------------------------------------------------------------------------

    def _form(self) -> PlanInput:
        d = self.details
        assert d is not None
        return PlanInput(
            start_date=date_of(self.start_date),
            kind=d.kind,
            review_date=date_of(self.review_date),
            child_participated=self.child_participated.isChecked(),
            family_participated=self.family_participated.isChecked(),
            notes=text_or_none(self.notes),
            goals=self.goals_model.inputs(),
            actions=self.actions_model.inputs(),
        )

    def _write(self, work: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        """Run a write of the services in the background; problems are shown where they belong."""
        if self.busy:
            return
        self.fields.clear()
        self.summary.clear_problem()
        self.goals_problem.clear_problem()
        self.actions_problem.clear_problem()
        self._write_task = run_task(
            lambda _p: work(),
            lambda value: self._on_write_done(value, on_done),
            parent=self,
            on_error=self._on_write_failed,
        )
        self._update_controls()

    def _on_write_done(self, value: Any, on_done: Callable[[Any], None]) -> None:
        self._write_task = None
        self._set_dirty(False)
        on_done(value)
        self.case_changed.emit()
        self.ctx.announce_change("case")
        if self._close_after_save:
            self._close_after_save = False
            self.window().close()

    def _on_write_failed(self, error: BaseException) -> None:
        self._write_task = None
        self._close_after_save = False
        self._update_controls()
        if isinstance(error, ValidationFailed):
            self.show_problems(error.problems)
        elif isinstance(error, StaleRecord):
            self.summary.show_error(error.message.render())
            if ask_reload(self.window(), error.message.render()):
                self._set_dirty(False)
                self.refresh()
        elif isinstance(error, DomainError):
            self.summary.show_error(error.message.render())
        else:
            show_error(self, error, gettext("Plan"))

    def show_problems(self, problems: Sequence[FieldProblem]) -> None:
        """Each problem next to its field or in its row; the typed rows stay as they are."""
        goal_rows: dict[int, str] = {}
        action_rows: dict[int, str] = {}
        goal_texts: list[str] = []
        action_texts: list[str] = []
        others: list[FieldProblem] = []
        for problem in problems:
            part, _dot, rest = problem.field.partition(".")
            text = problem.render()
            position = rest.split(".")[0] if rest else ""
            if part == "goals":
                goal_texts.append(text)
                if position.isdigit():
                    goal_rows[int(position)] = "\n".join(filter(None, (goal_rows.get(int(position)), text)))
            elif part == "actions":
                action_texts.append(text)
                if position.isdigit():
                    action_rows[int(position)] = "\n".join(
                        filter(None, (action_rows.get(int(position)), text))
                    )
            else:
                others.append(problem)
        self.goals_model.set_problems(goal_rows)
        self.actions_model.set_problems(action_rows)
        if goal_texts:
            self.goals_problem.show_error("\n".join(goal_texts))
        if action_texts:
            self.actions_problem.show_error("\n".join(action_texts))
        unplaced = self.fields.show_errors(others)
        if unplaced:
            self.summary.show_error("\n".join(p.render() for p in unplaced))
        if action_rows:
            self.actions_view.scrollTo(self.actions_model.index(min(action_rows), 0))

    def save(self) -> None:
        """Save the draft shown (in the background)."""
        d = self.details
        if d is None or not self.editable:
            return
        db, actor, data, plan_id, version = self.ctx.db, self.ctx.actor, self._form(), d.id, d.version
        self._write(lambda: save_plan(db, actor, plan_id, data, version), lambda _v: self.refresh(plan_id))

    # --- slots ---------------------------------------------------------------------------

    @Slot()
    def _on_form_edited(self) -> None:
        if self._filling:
            return
        if not self._dirty:
            self._set_dirty(True)
        sender = self.sender()
        if isinstance(sender, QDateEdit | QLineEdit):
            for name, editor in self.fields.editors.items():
                if editor is sender:
                    self.fields.clear_field(name)

    @Slot(int)
    def _on_version_combo_activated(self, index: int) -> None:
        plan_id = self.version_combo.itemData(index)
        if self.details is not None and plan_id == self.details.id:
            return
        if self._dirty:
            if not ask_discard_changes(self.window()):
                self.version_combo.setCurrentIndex(
                    max(0, self.version_index(self.details.id if self.details else None))
                )
                return
            self._set_dirty(False)
        self._load(plan_id)

    @Slot()
    def _on_new_button_clicked(self) -> None:
        if self._dirty and not ask_discard_changes(self.window()):
            return
        dialog = NewPlanDialog(self.ctx, self.case_id, self)
        dialog.accepted.connect(lambda: self._on_created(dialog.result_value))
        self._open(dialog)

    def _on_created(self, ref: PlanRef | None) -> None:
        if ref is None:
            return
        self._set_dirty(False)
        self._load(ref.id)
        self.case_changed.emit()
        self.ctx.announce_change("case")

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    @Slot()
    def _on_approve_button_clicked(self) -> None:
        d = self.details
        if d is None or not ask_approve(self.window()):
            return
        db, actor, plan_id, version = self.ctx.db, self.ctx.actor, d.id, d.version
        data = self._form() if self._dirty else None

        def work() -> int:
            current = save_plan(db, actor, plan_id, data, version) if data is not None else version
            return approve_plan(db, actor, plan_id, current)

        self._write(work, lambda _v: self.refresh(plan_id))

    @Slot()
    def _on_revise_button_clicked(self) -> None:
        d = self.details
        if d is None:
            return
        db, actor, plan_id = self.ctx.db, self.ctx.actor, d.id
        self._write(lambda: revise_plan(db, actor, plan_id), lambda ref: self._load(ref.id))

    @Slot()
    def _on_delete_button_clicked(self) -> None:
        d = self.details
        if d is None or not ask_delete_draft(self.window()):
            return
        db, actor, plan_id, version = self.ctx.db, self.ctx.actor, d.id, d.version
        self._write(lambda: delete_draft(db, actor, plan_id, version), lambda _v: self._load(d.previous_id))

    @Slot()
    def _on_add_goal_button_clicked(self) -> None:
        position = self.goals_model.append(GoalRow(""))
        index = self.goals_model.index(position, 0)
        self.goals_view.setCurrentIndex(index)
        self.goals_view.edit(index)

    @Slot()
    def _on_remove_goal_button_clicked(self) -> None:
        index = self.goals_view.currentIndex()
        if index.isValid():
            self.goals_model.remove(index.row())

    def _move(self, view: QTableView, model: Any, offset: int) -> None:
        index = view.currentIndex()
        if not index.isValid():
            return
        target = model.move(index.row(), offset)
        view.setCurrentIndex(model.index(target, index.column()))

    def _current_action(self) -> ActionRow | None:
        index = self.actions_view.currentIndex()
        row = self.actions_model.row_at(index) if index.isValid() else None
        return row if isinstance(row, ActionRow) else None

    def _goal_choices(self) -> list[Choice[uuid.UUID]]:
        return [
            Choice(row.key, f"{position + 1}. {row.text}")
            for position, row in enumerate(self.goals_model.rows())
        ]

    def _open(self, dialog: QWidget) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)  # type: ignore[attr-defined]
        dialog.open()  # type: ignore[attr-defined]

    def open_action(self, position: int | None) -> None:
        """Open the action at *position* in its dialog (None: a new action of the draft)."""
        d = self.details
        if d is None:
            return
        if position is None:
            row = ActionRow("", goal_key=self._default_goal())
            mode = "draft"
        else:
            found = self.actions_model.row_entry(position)
            if found is None:
                return
            row = found
            if self.editable:
                mode = "draft"
            elif d.status == "approved" and not d.case_closed and self.ctx.can(Permission.PLAN_WRITE):
                mode = "progress"
            else:
                mode = "view"
        dialog = ActionDialog(
            self.ctx, row, self._goal_choices(), self._services, self._organisations, mode=mode, parent=self
        )
        dialog.accepted.connect(lambda: self._on_action_dialog_accepted(dialog, position))
        self._open(dialog)

    def _default_goal(self) -> uuid.UUID | None:
        index = self.goals_view.currentIndex()
        row = self.goals_model.row_at(index) if index.isValid() else None
        return row.key if isinstance(row, GoalRow) else None

    def _on_action_dialog_accepted(self, dialog: ActionDialog, position: int | None) -> None:
        if dialog.mode == "draft":
            if position is None:
                position = self.actions_model.append(dialog.result_value)
            else:
                self.actions_model.replace(position, dialog.result_value)
            self.actions_view.setCurrentIndex(self.actions_model.index(position, 0))
        elif dialog.mode == "progress":
            self.refresh()
            self.case_changed.emit()
            self.ctx.announce_change("case")

    @Slot()
    def _on_add_action_button_clicked(self) -> None:
        self.open_action(None)

    @Slot()
    def _on_edit_action_button_clicked(self) -> None:
        index = self.actions_view.currentIndex()
        if index.isValid():
            self.open_action(index.row())

    @Slot(QModelIndex)
    def _on_actions_view_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_action(index.row())

    @Slot()
    def _on_remove_action_button_clicked(self) -> None:
        index = self.actions_view.currentIndex()
        if index.isValid():
            self.actions_model.remove(index.row())

    @Slot()
    def _on_refer_button_clicked(self) -> None:
        row = self._current_action()
        if row is None or row.id is None:
            return
        from ui.casework.referrals import open_new_referral  # written alongside; imported when used

        open_new_referral(self.ctx, self.case_id, plan_action_id=row.id, parent=self)

    @Slot()
    def _on_review_button_clicked(self) -> None:
        d = self.details
        if d is None:
            return
        dialog = ReviewDialog(self.ctx, d.id, d.version, self._workers, self._review_months, self)
        dialog.accepted.connect(self._on_review_dialog_accepted)
        self._open(dialog)

    @Slot()
    def _on_review_dialog_accepted(self) -> None:
        self.refresh()
        self.case_changed.emit()
        self.ctx.announce_change("case")

    @Slot()
    def _on_selection_changed(self) -> None:
        self._update_controls()

    # --- the unsaved-changes guard of the workspace window ---------------------------------

    def print_target(self) -> Target | None:
        """The plan version shown, for printing (none while the tab shows no plan)."""
        from reports.catalog import Target

        return Target("case-plan", self.details.id) if self.details is not None else None

    @Slot()
    def _on_print_button_clicked(self) -> None:
        if self.details is not None and not self._dirty:
            self.dialog = show_preview(self.ctx, "case-plan", self.details.id, parent=self)

    def confirm_close(self) -> bool:
        """Whether the workspace window may close now; unsaved changes are saved, dropped or kept.

        Saving runs in the background: the window stays open and closes once the plan is saved
        (it stays open with the problems shown if the services refuse it).
        """
        if not self._dirty:
            return True
        choice = ask_unsaved_changes(self.window())
        if choice is UnsavedChoice.DISCARD:
            self._set_dirty(False)
            return True
        if choice is UnsavedChoice.SAVE:
            self._close_after_save = True
            self.save()
        return False
