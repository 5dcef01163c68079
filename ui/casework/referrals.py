"""Referrals (направления): the Referrals tab of a case's workspace and the referral window.

The tab lists the case's referrals, overdue replies in red, and records the steps of one
(consent, issue, reply, cancellation) in small dialogs. The window (one per referral) shows
and edits a draft: the organisation from the directory, the service, the reason and request,
attachments, whether it carries personal data; its consent, issue and reply blocks record the
same steps. Every read and write runs in the background (:func:`ui.tasks.run_task`).

The rest of the application opens referrals with :func:`open_referral` (an existing one, or a
new one for a child without a case) and :func:`open_new_referral` (a new one for a case,
optionally from a plan action).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import QDate, QModelIndex, QObject, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QCloseEvent, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.errors import FieldProblem, StaleRecord, ValidationFailed
from models.i18n import N_, _, gettext
from models.lookups import Choice, organisation_choices, reference_choices
from models.permissions import Permission
from models.registers import REFERRAL_STATUS_LABELS
from models.services.casefile import CaseHeader
from models.services.people import PersonHit
from models.services.referrals import (
    Issued,
    NewReferral,
    PlanActionChoice,
    ReferralDetails,
    ReferralInput,
    ReferralRow,
    cancel_referral,
    create_referral,
    get_referral,
    issue_referral,
    list_referrals,
    new_referral,
    plan_actions_for_referral,
    record_consent,
    record_reply,
    update_referral,
)
from models.validation import format_date

from ui.casework.tab import CaseTab, offer_on_open_case
from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text
from ui.forms import base as form_base
from ui.forms.pickers import PersonPicker, open_child_picker
from ui.forms.widgets import (
    ERROR_COLOUR,
    ChoiceCombo,
    DateField,
    FieldSet,
    ModelIndex,
    ProblemLabel,
    RowsModel,
    changed_signal,
    record_table,
    set_read_only,
    text_or_none,
)
from ui.printing import show_preview
from ui.tasks import Progress, Task, run_task

if TYPE_CHECKING:
    from reports.catalog import Target

DATE_FORMAT = "dd.MM.yyyy"
RECORD_KIND = "referral"
# A referral is printed once it is issued (it then has its outgoing №).
PRINTABLE = ("issued", "replied")


def _date_edit(today_at_most: bool = True) -> QDateEdit:
    edit = QDateEdit(QDate.currentDate())
    edit.setDisplayFormat(DATE_FORMAT)
    edit.setCalendarPopup(True)
    if today_at_most:
        edit.setMaximumDate(QDate.currentDate())
    return edit


def _day(edit: QDateEdit) -> date:
    value = edit.date().toPython()
    assert isinstance(value, date)
    return value


def _text_box(lines: int) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setFixedHeight(box.fontMetrics().lineSpacing() * lines + 14)
    return box


def _status_text(status: str) -> str:
    return gettext(REFERRAL_STATUS_LABELS.get(status, status))


def _issued_text(issued: Issued) -> str:
    return gettext("Referral № {number} issued on {date}; the reply is due by {due}.").format(
        number=issued.number, date=format_date(issued.issued_on), due=format_date(issued.reply_due)
    )


# --- the steps of a referral ------------------------------------------------------------


class StepDialog(Dialog):
    """A small dialog that records one step of a referral: consent, issue, reply or cancellation.

    OK runs the service in the background; problems appear next to the fields and the dialog
    stays open with what was typed. Once the step is written the dialog closes.

    Signals:
        step_written(object): the step was written; the object is what the service returned.
    """

    step_written = Signal(object)

    name: ClassVar[str] = ""
    ok_text: ClassVar[str] = N_("Save")

    def __init__(
        self, ctx: AppContext, referral_id: uuid.UUID, version: int, title: str, parent: QWidget | None
    ) -> None:
        super().__init__(ctx.state, f"referral-{self.name}", parent)
        self.ctx = ctx
        self.referral_id = referral_id
        self.version = version
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.fields = FieldSet()
        self.problems_summary = ProblemLabel()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.ok_button = QPushButton(gettext(self.ok_text))
        self.cancel_button = QPushButton(gettext("Cancel"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.ok_button, self.cancel_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problems_summary)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.ok_button.clicked.connect(self._on_ok_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self._task: Task[Any] | None = None
        self.resize(520, 260)

    def work(self) -> Callable[[], object]:
        """What OK writes, from the typed values (raises :class:`ValidationFailed` for a badly typed one)."""
        raise NotImplementedError

    @property
    def busy(self) -> bool:
        return self._task is not None

    def reject(self) -> None:
        if not self.busy:  # the step is being written: its answer must come back here
            super().reject()

    def _set_busy(self, busy: bool) -> None:
        for button in (self.ok_button, self.cancel_button):
            button.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    @Slot()
    def _on_ok_button_clicked(self) -> None:
        if self.busy:
            return
        self.fields.clear()
        self.problems_summary.clear_problem()
        try:
            write = self.work()
        except ValidationFailed as failed:
            self._show_problems(failed.problems)
            return
        self._set_busy(True)
        self._task = run_task(
            lambda _progress: write(), self._on_task_finished, on_error=self._on_task_failed
        )

    @Slot(object)
    def _on_task_finished(self, result: object) -> None:
        self._task = None
        self._set_busy(False)
        self.step_written.emit(result)
        self.accept()

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self._task = None
        self._set_busy(False)
        if isinstance(error, ValidationFailed):
            self._show_problems(error.problems)
        else:
            self.problems_summary.show_error(error_text(error))

    def _show_problems(self, problems: list[FieldProblem]) -> None:
        unplaced = self.fields.show_errors(problems)
        if unplaced:
            self.problems_summary.show_error("\n".join(p.render() for p in unplaced))


class ConsentDialog(StepDialog):
    """Record who consented to sharing the child's data with the organisation, and when."""

    name = "consent"

    def __init__(self, ctx: AppContext, referral_id: uuid.UUID, version: int, parent: QWidget | None) -> None:
        super().__init__(ctx, referral_id, version, gettext("Consent to share data"), parent)
        hint = QLabel(
            gettext("The parent, guardian or the child who gave consent, with the relation to the child.")
        )
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.given_by = QLineEdit()
        self.given_by.setPlaceholderText(gettext("e.g. Үсөнбаева Айгүл, mother"))
        self.given_on = _date_edit()
        self.fields.add_row(self.form, "consent_by", self.given_by, gettext("Consent given by"))
        self.fields.add_row(self.form, "consent_date", self.given_on, gettext("Date of consent"))

    def work(self) -> Callable[[], object]:
        db, actor, referral_id, version = self.ctx.db, self.ctx.actor, self.referral_id, self.version
        given_by, given_on = self.given_by.text(), _day(self.given_on)
        return lambda: record_consent(db, actor, referral_id, given_by, given_on, version)


class IssueDialog(StepDialog):
    """Issue a draft: the date of issue, and the reply due date (empty: by the office's deadline)."""

    name = "issue"
    ok_text = N_("Issue")

    def __init__(self, ctx: AppContext, referral_id: uuid.UUID, version: int, parent: QWidget | None) -> None:
        super().__init__(ctx, referral_id, version, gettext("Issue the referral"), parent)
        hint = QLabel(
            gettext("The referral gets the next outgoing number of the year; its content is then frozen.")
        )
        hint.setWordWrap(True)
        self.form.addRow(hint)
        self.issued_on = _date_edit()
        self.reply_due = DateField()
        self.reply_due.setToolTip(gettext("Leave empty to use the reply deadline of the office's settings."))
        self.fields.add_row(self.form, "issued_on", self.issued_on, gettext("Issued on"))
        self.fields.add_row(
            self.form, "reply_due", self.reply_due, gettext("Reply due (empty: by the deadline)")
        )

    def work(self) -> Callable[[], object]:
        db, actor, referral_id, version = self.ctx.db, self.ctx.actor, self.referral_id, self.version
        issued_on = _day(self.issued_on)
        reply_due = self.reply_due.date_value("reply_due", _("Reply due"))
        return lambda: issue_referral(db, actor, referral_id, version, issued_on, reply_due)


class ReplyDialog(StepDialog):
    """Record the organisation's reply: the date it was received and what it says."""

    name = "reply"

    def __init__(
        self,
        ctx: AppContext,
        referral_id: uuid.UUID,
        version: int,
        parent: QWidget | None,
        received_on: date | None = None,
        outcome: str | None = None,
    ) -> None:
        super().__init__(ctx, referral_id, version, gettext("Reply to the referral"), parent)
        self.received_on = _date_edit()
        if received_on is not None:
            self.received_on.setDate(QDate(received_on.year, received_on.month, received_on.day))
        self.outcome = _text_box(5)
        self.outcome.setPlainText(outcome or "")
        self.fields.add_row(self.form, "reply_received_on", self.received_on, gettext("Reply received on"))
        self.fields.add_row(self.form, "reply_outcome", self.outcome, gettext("Outcome"))

    def work(self) -> Callable[[], object]:
        db, actor, referral_id, version = self.ctx.db, self.ctx.actor, self.referral_id, self.version
        received_on, outcome = _day(self.received_on), self.outcome.toPlainText()
        return lambda: record_reply(db, actor, referral_id, received_on, outcome, version)


class CancelDialog(StepDialog):
    """Cancel a draft or an issued referral, saying why."""

    name = "cancel"
    ok_text = N_("Cancel the referral")

    def __init__(self, ctx: AppContext, referral_id: uuid.UUID, version: int, parent: QWidget | None) -> None:
        super().__init__(ctx, referral_id, version, gettext("Cancel the referral"), parent)
        self.note = _text_box(4)
        self.fields.add_row(self.form, "note", self.note, gettext("Reason for cancelling"))
        self.cancel_button.setText(gettext("Keep the referral"))

    def work(self) -> Callable[[], object]:
        db, actor, referral_id, version = self.ctx.db, self.ctx.actor, self.referral_id, self.version
        note = self.note.toPlainText()
        return lambda: cancel_referral(db, actor, referral_id, note, version)


# --- the referral window ----------------------------------------------------------------


@dataclass(frozen=True)
class _Loaded:
    """What the window's background read brings back to the GUI thread."""

    organisations: list[Choice[uuid.UUID]]
    services: list[Choice[str]]
    actions: list[PlanActionChoice]
    details: ReferralDetails | None
    start: NewReferral | None


class _OpenReferrals(QObject):
    """The referral windows of a session (a child of its context): one window per referral.

    Signals:
        written(object): a window wrote a referral; the object is the case's id (None: no case).
    """

    written = Signal(object)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("open_referrals")
        self.windows: list[ReferralWindow] = []

    def add(self, window: ReferralWindow) -> None:
        self.windows.append(window)
        window.destroyed.connect(lambda *_args, window=window: self._forget(window))

    def _forget(self, window: ReferralWindow) -> None:
        if window in self.windows:
            self.windows.remove(window)

    def find(self, referral_id: uuid.UUID) -> ReferralWindow | None:
        for window in self.windows:
            if window.record_id == referral_id and not window.closed:
                return window
        return None


def _registry(ctx: AppContext) -> _OpenReferrals:
    found = ctx.findChild(_OpenReferrals, "open_referrals", Qt.FindChildOption.FindDirectChildrenOnly)
    return found if isinstance(found, _OpenReferrals) else _OpenReferrals(ctx)


class ReferralWindow(Dialog):
    """One referral in its own window: its content while a draft, its consent, issue and reply.

    A draft is edited and saved (Save); the consent, issue, reply and cancellation are recorded
    with :class:`StepDialog` dialogs, saving the draft first if it has changes. Users whose role
    does not allow writing referrals, and referrals already issued, see the content read-only.

    Signals:
        written(object): the referral was written; the object is its id.
        loaded(): the referral (or a new one's start) was read into the window.
    """

    written = Signal(object)
    loaded = Signal()

    def __init__(
        self,
        ctx: AppContext,
        referral_id: uuid.UUID | None = None,
        *,
        case_id: uuid.UUID | None = None,
        plan_action_id: uuid.UUID | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx.state, "referral", parent)
        self.ctx = ctx
        self.record_id = referral_id
        self.case_id = case_id
        self.child_id: uuid.UUID | None = None
        self.version: int | None = None
        self.details: ReferralDetails | None = None
        self.closed = False
        self.step_dialog: StepDialog | None = None
        self.picker: PersonPicker | None = None
        self.preview: QWidget | None = None
        self._plan_action_id = plan_action_id
        self._can_write = ctx.can(Permission.REFERRAL_WRITE)
        self._dirty = False
        self._filling = False
        self._loading = False
        self._saving = False
        self._close_after_save = False
        self._actions: dict[uuid.UUID, PlanActionChoice] = {}
        self._load_task: Task[_Loaded] | None = None
        self._save_task: Task[uuid.UUID] | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self.fields = FieldSet()
        self._build()
        self.resize(900, 720)
        self.load()

    # --- layout ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.notice = QLabel()
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.problems_summary = ProblemLabel()

        self.child_label = QLabel()
        self.choose_child_button = QPushButton(gettext("Choose a child…"))
        self.choose_child_button.setAutoDefault(False)
        self.choose_child_button.hide()
        child_row = QWidget()
        child_layout = QHBoxLayout(child_row)
        child_layout.setContentsMargins(0, 0, 0, 0)
        child_layout.addWidget(self.child_label)
        child_layout.addWidget(self.choose_child_button)
        child_layout.addStretch(1)
        self.case_label = QLabel()
        self.number_label = QLabel()
        self.status_label = QLabel()
        self.plan_action: ChoiceCombo[uuid.UUID] = ChoiceCombo([], empty=gettext("(not from the plan)"))
        self.organisation: ChoiceCombo[uuid.UUID] = ChoiceCombo([])
        self.service: ChoiceCombo[str] = ChoiceCombo([])
        self.reason = _text_box(3)
        self.requested_service = _text_box(3)
        self.attachments = QLineEdit()
        self.attachments.setPlaceholderText(gettext("e.g. copy of the birth certificate, housing act"))
        self.personal_data = QCheckBox(gettext("The referral contains the child's personal data"))
        self.personal_data.setChecked(True)

        content = QGroupBox(gettext("Referral"))
        form = QFormLayout()
        content_layout = QVBoxLayout(content)
        content_layout.addLayout(form)
        content_layout.addStretch(1)  # the rows keep their height; the space left goes below them
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields.add_row(form, "child", child_row, gettext("Child"), aliases=("child_id",))
        form.addRow(gettext("Case №"), self.case_label)
        form.addRow(gettext("Outgoing №"), self.number_label)
        form.addRow(gettext("Status"), self.status_label)
        self.fields.add_row(form, "plan_action_id", self.plan_action, gettext("Plan action"))
        self.fields.add_row(form, "organisation_id", self.organisation, gettext("Organisation"))
        self.fields.add_row(form, "service_type_code", self.service, gettext("Service"))
        self.fields.add_row(form, "reason", self.reason, gettext("Reason"))
        self.fields.add_row(form, "requested_service", self.requested_service, gettext("Requested service"))
        self.fields.add_row(form, "attachments", self.attachments, gettext("Attachments"))
        self.fields.add_row(form, "contains_personal_data", self.personal_data, span=True)

        self.consent_label = QLabel()
        self.consent_label.setWordWrap(True)
        self.consent_button = QPushButton(gettext("Record consent…"))
        consent = self._block(gettext("Consent to share data"), self.consent_label, self.consent_button)

        self.issue_label = QLabel()
        self.issue_label.setWordWrap(True)
        self.issue_button = QPushButton(gettext("Issue…"))
        issue = self._block(gettext("Issue"), self.issue_label, self.issue_button)

        self.reply_label = QLabel()
        self.reply_label.setWordWrap(True)
        self.reply_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reply_button = QPushButton(gettext("Record reply…"))
        reply = self._block(gettext("Reply"), self.reply_label, self.reply_button)

        self.loading_label = QLabel(gettext("Loading…"))
        self.save_button = QPushButton(gettext("Save"))
        self.cancel_referral_button = QPushButton(gettext("Cancel the referral…"))
        self.close_button = QPushButton(gettext("Close"))
        self.print_button = QPushButton(gettext("Print…"))
        self.print_button.setToolTip(gettext("Print the referral with its reply slip (Ctrl+P)"))
        self.print_button.hide()
        buttons = QHBoxLayout()
        buttons.addWidget(self.loading_label)
        buttons.addStretch(1)
        for button in (self.print_button, self.cancel_referral_button, self.save_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)

        side = QVBoxLayout()
        side.addWidget(consent)
        side.addWidget(issue)
        side.addWidget(reply)
        side.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(content, 3)
        body.addLayout(side, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self.notice)
        layout.addWidget(self.problems_summary)
        layout.addLayout(body, 1)
        layout.addLayout(buttons)

        for name, editor in self.fields.editors.items():
            signal = changed_signal(editor)
            if signal is not None:
                signal.connect(lambda *_args, name=name: self._on_field_edited(name))
        self.plan_action.currentIndexChanged.connect(self._on_plan_action_changed)
        self.choose_child_button.clicked.connect(self._on_choose_child_button_clicked)
        self.consent_button.clicked.connect(self._on_consent_button_clicked)
        self.issue_button.clicked.connect(self._on_issue_button_clicked)
        self.reply_button.clicked.connect(self._on_reply_button_clicked)
        self.cancel_referral_button.clicked.connect(self._on_cancel_referral_button_clicked)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.close_button.clicked.connect(self.close)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self).activated.connect(
            self._on_print_button_clicked
        )
        for button in (self.consent_button, self.issue_button, self.reply_button):
            button.setAutoDefault(False)

    @staticmethod
    def _block(title: str, label: QLabel, button: QPushButton) -> QGroupBox:
        box = QGroupBox(title)
        column = QVBoxLayout(box)
        column.addWidget(label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(button)
        column.addLayout(row)
        return box

    # --- state ----------------------------------------------------------------------------

    @property
    def dirty(self) -> bool:
        """Whether the draft has changes that are not saved."""
        return self._dirty

    @property
    def is_loading(self) -> bool:
        return self._loading

    @property
    def status(self) -> str:
        return self.details.status if self.details is not None else "draft"

    def set_dirty(self, dirty: bool) -> None:
        self._dirty = dirty
        self.setWindowModified(dirty)

    def _set_busy(self, busy: bool) -> None:
        self.loading_label.setVisible(busy)
        for widget in (
            self.save_button,
            self.consent_button,
            self.issue_button,
            self.reply_button,
            self.cancel_referral_button,
            self.choose_child_button,
        ):
            widget.setEnabled(not busy)
        if busy:
            self.setCursor(Qt.CursorShape.BusyCursor)
        else:
            self.unsetCursor()

    def title(self) -> str:
        if self.details is None:
            return gettext("New referral")
        if self.details.number:
            title = gettext("Referral № {number}").format(number=self.details.number)
        else:
            title = gettext("Referral (draft)")
        return f"{title} — {self.details.child_name}" if self.details.child_name else title

    # --- reading --------------------------------------------------------------------------

    def load(self, then: Callable[[], None] | None = None) -> None:
        """Read the referral (or a new one's start) in the background; *then* runs once it is shown."""
        db, actor = self.ctx.db, self.ctx.actor
        record_id, case_id, action_id, child_id = (
            self.record_id,
            self.case_id,
            self._plan_action_id,
            self.child_id,
        )

        def work(_progress: Progress) -> _Loaded:
            details = get_referral(db, actor, record_id) if record_id is not None else None
            start = None if details is not None else new_referral(db, actor, case_id, action_id, child_id)
            of_case = details.case_id if details is not None else case_id
            with db.reading() as session:
                organisations = organisation_choices(session)
                services = reference_choices(session, "service_type")
            actions = plan_actions_for_referral(db, actor, of_case) if of_case is not None else []
            return _Loaded(organisations, services, actions, details, start)

        self._loading = True
        self._set_busy(True)
        if self.details is None:
            self.setWindowTitle((gettext("Loading…") if record_id is not None else self.title()) + "[*]")
        self._load_task = run_task(
            work, lambda loaded: self._on_load_done(loaded, then), on_error=self._on_load_failed
        )

    def _on_load_done(self, loaded: _Loaded, then: Callable[[], None] | None) -> None:
        if self.closed:
            return
        self._load_task = None
        self._loading = False
        self._filling = True
        try:
            self._show(loaded)
        finally:
            self._filling = False
        self.set_dirty(False)
        self._set_busy(False)
        self._update_buttons()
        self.setWindowTitle(self.title() + "[*]")
        self.loaded.emit()
        if then is not None:
            then()

    @Slot(object)
    def _on_load_failed(self, error: BaseException) -> None:
        if self.closed:
            return
        self._load_task = None
        self._loading = False
        self._set_busy(False)
        self.problems_summary.show_error(error_text(error))
        self._update_buttons()

    def _show(self, loaded: _Loaded) -> None:
        self._actions = {action.id: action for action in loaded.actions}
        self._refill(self.organisation, loaded.organisations, "")
        self._refill(self.service, loaded.services, "")
        self._refill(
            self.plan_action,
            [Choice(action.id, action.label) for action in loaded.actions],
            gettext("(not from the plan)"),
        )
        details = self.details = loaded.details
        if details is not None:
            self.version = details.version
            self.case_id = details.case_id
            self.child_id = details.child_id
            self._show_values(details.data, details.case_number, details.child_name)
            self.plan_action.setEnabled(details.case_id is not None)
            self.number_label.setText(details.number or gettext("given when the referral is issued"))
            status = _status_text(details.status)
            if details.overdue:
                status += " — " + gettext("the reply is overdue")
            self.status_label.setText(status)
            self.status_label.setStyleSheet(f"color: {ERROR_COLOUR};" if details.overdue else "")
            self._show_steps(details)
            self.choose_child_button.hide()
        else:
            start = loaded.start
            assert start is not None
            self.case_id, self.child_id = start.case_id, start.child_id
            self._show_values(start.data, start.case_number, start.child_name)
            self.plan_action.setEnabled(start.case_id is not None)
            self.number_label.setText(gettext("given when the referral is issued"))
            self.status_label.setText(_status_text("draft"))
            self.consent_label.setText(gettext("Not recorded yet."))
            self.issue_label.setText(gettext("Not issued yet."))
            self.reply_label.setText(gettext("No reply yet."))
            self.choose_child_button.setVisible(start.case_id is None and self._can_write)
        if not (self._can_write and self.status == "draft"):
            self._make_read_only()
        self._show_notice()

    def _show_values(self, data: ReferralInput, case_number: str | None, child_name: str) -> None:
        self.case_label.setText(case_number or gettext("without a case"))
        self.child_label.setText(child_name or gettext("not chosen"))
        self.plan_action.set_value(data.plan_action_id)
        self.organisation.set_value(data.organisation_id)
        self.service.set_value(data.service_type_code)
        self.reason.setPlainText(data.reason or "")
        self.requested_service.setPlainText(data.requested_service or "")
        self.attachments.setText(data.attachments or "")
        self.personal_data.setChecked(data.contains_personal_data)

    def _show_steps(self, details: ReferralDetails) -> None:
        if details.consent_given and details.consent_date is not None:
            self.consent_label.setText(
                gettext("Given by {who} on {date}.").format(
                    who=details.consent_by or "—", date=format_date(details.consent_date)
                )
            )
        elif details.data.contains_personal_data:
            self.consent_label.setText(gettext("Not recorded yet: needed before the referral is issued."))
        else:
            self.consent_label.setText(gettext("Not needed: the referral contains no personal data."))
        if details.issued_on is not None:
            due = format_date(details.reply_due) if details.reply_due else "—"
            self.issue_label.setText(
                gettext("Issued on {date}; the reply is due by {due}.").format(
                    date=format_date(details.issued_on), due=due
                )
            )
        else:
            self.issue_label.setText(gettext("Not issued yet."))
        if details.reply_received_on is not None:
            self.reply_label.setText(
                gettext("Received on {date}:").format(date=format_date(details.reply_received_on))
                + "\n"
                + (details.reply_outcome or "")
            )
        elif details.status == "cancelled":
            self.reply_label.setText(gettext("Cancelled: {note}").format(note=details.cancel_note or "—"))
        else:
            self.reply_label.setText(gettext("No reply yet."))

    def _show_notice(self) -> None:
        if not self._can_write:
            text = gettext("Your role allows viewing this referral, not changing it.")
        elif self.status != "draft":
            text = gettext("The referral is issued: its content can no longer change.")
        else:
            text = ""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    @staticmethod
    def _refill(combo: ChoiceCombo[Any], choices: list[Choice[Any]], empty: str) -> None:
        value = combo.value()
        combo.clear()
        combo.addItem(empty, None)
        for choice in choices:
            combo.addItem(choice.label, choice.value)
        combo.set_value(value)

    def _make_read_only(self) -> None:
        """Show the content without letting it change (an issued referral never becomes a draft again)."""
        for editor in self.fields.editors.values():
            if changed_signal(editor) is not None:
                set_read_only(editor)

    def _update_buttons(self) -> None:
        status, can, new = self.status, self._can_write, self.details is None
        self.save_button.setVisible(can and status == "draft")
        self.consent_button.setVisible(can and status == "draft")
        self.issue_button.setVisible(can and status == "draft")
        self.reply_button.setVisible(can and status in ("issued", "replied"))
        self.reply_button.setText(
            gettext("Correct the reply…") if status == "replied" else gettext("Record reply…")
        )
        self.cancel_referral_button.setVisible(can and not new and status in ("draft", "issued"))
        self.print_button.setVisible(self.ctx.can(Permission.PRINT) and not new and status in PRINTABLE)

    # --- editing --------------------------------------------------------------------------

    def _on_field_edited(self, name: str) -> None:
        if self._filling:
            return
        self.fields.clear_field(name)
        self.set_dirty(True)

    @Slot(int)
    def _on_plan_action_changed(self, _index: int) -> None:
        """Choosing a plan action fills in its organisation, service and request."""
        action_id = self.plan_action.value()
        if self._filling or action_id is None or action_id not in self._actions:
            return
        action = self._actions[action_id]
        if action.organisation_id is not None:
            self.organisation.set_value(action.organisation_id)
        if action.service_type_code is not None:
            self.service.set_value(action.service_type_code)
        if not self.requested_service.toPlainText().strip():
            self.requested_service.setPlainText(action.description)

    def form_input(self) -> ReferralInput:
        """The content as typed."""
        return ReferralInput(
            organisation_id=self.organisation.value(),
            service_type_code=self.service.value(),
            reason=text_or_none(self.reason),
            requested_service=text_or_none(self.requested_service),
            attachments=text_or_none(self.attachments),
            contains_personal_data=self.personal_data.isChecked(),
            plan_action_id=self.plan_action.value() if self.case_id is not None else None,
        )

    @Slot()
    def _on_choose_child_button_clicked(self) -> None:
        self.picker = open_child_picker(self.ctx, self._on_picker_chosen, parent=self)

    @Slot(object)
    def _on_picker_chosen(self, hit: PersonHit) -> None:
        self.picker = None
        self.choose_child(hit.id, hit.full_name)

    def choose_child(self, child_id: uuid.UUID, name: str) -> None:
        """The child of a new referral without a case (as the picker sets it)."""
        self.child_id = child_id
        self.child_label.setText(name)
        self.fields.clear_field("child")
        self.set_dirty(True)

    # --- writing --------------------------------------------------------------------------

    def save(self, then: Callable[[], None] | None = None) -> None:
        """Save the draft in the background; problems appear next to the fields. *then* runs once saved."""
        if self._saving or self._loading or not self._can_write or self.status != "draft":
            return
        self.fields.clear()
        self.problems_summary.clear_problem()
        db, actor, data = self.ctx.db, self.ctx.actor, self.form_input()
        record_id, version, case_id, child_id = self.record_id, self.version, self.case_id, self.child_id

        def work(_progress: Progress) -> uuid.UUID:
            if record_id is None:
                return create_referral(db, actor, data, case_id=case_id, child_id=child_id)
            assert version is not None
            update_referral(db, actor, record_id, data, version)
            return record_id

        self._saving = True
        self._set_busy(True)
        self._save_task = run_task(
            work, lambda saved_id: self._on_save_done(saved_id, then), on_error=self._on_save_failed
        )

    def _on_save_done(self, saved_id: uuid.UUID, then: Callable[[], None] | None) -> None:
        if self.closed:
            return
        self._save_task = None
        self._saving = False
        self.record_id = saved_id
        self.set_dirty(False)
        self._announce()
        if self._close_after_save:
            self._close_after_save = False
            self.close()
            return
        self.load(then)

    @Slot(object)
    def _on_save_failed(self, error: BaseException) -> None:
        if self.closed:
            return
        self._save_task = None
        self._saving = False
        self._close_after_save = False
        self._set_busy(False)
        self._update_buttons()
        if isinstance(error, ValidationFailed):
            unplaced = self.fields.show_errors(error.problems)
            if unplaced:
                self.problems_summary.show_error("\n".join(p.render() for p in unplaced))
            editor = self.fields.first_with_error()
            if editor is not None:
                editor.setFocus(Qt.FocusReason.OtherFocusReason)
        elif isinstance(error, StaleRecord):
            self.problems_summary.show_error(error.message.render())
            if form_base.ask_reload(self, error.message.render()):
                self.set_dirty(False)
                self.load()
        else:
            self.problems_summary.show_error(error_text(error))

    def _announce(self) -> None:
        self.ctx.announce_change(RECORD_KIND)
        self.written.emit(self.record_id)
        _registry(self.ctx).written.emit(self.case_id)

    def _then_step(self, open_step: Callable[[], None]) -> None:
        """Open a step's dialog, saving a new or changed draft first."""
        if self.record_id is None or self._dirty:
            self.save(then=open_step)
        else:
            open_step()

    def _open_step(self, dialog: StepDialog, done: Callable[[object], None]) -> None:
        self.step_dialog = dialog
        dialog.step_written.connect(done)
        dialog.open()

    def _step_done(self, message: str = "") -> None:
        self.problems_summary.clear_problem()
        self.fields.clear()
        self._announce()
        self.load(then=(lambda: self._show_message(message)) if message else None)

    def _show_message(self, message: str) -> None:
        self.notice.setText(message)
        self.notice.show()

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    @Slot()
    def _on_consent_button_clicked(self) -> None:
        def open_step() -> None:
            assert self.record_id is not None and self.version is not None
            self._open_step(
                ConsentDialog(self.ctx, self.record_id, self.version, self), lambda _v: self._step_done()
            )

        self._then_step(open_step)

    @Slot()
    def _on_issue_button_clicked(self) -> None:
        def open_step() -> None:
            assert self.record_id is not None and self.version is not None
            self._open_step(IssueDialog(self.ctx, self.record_id, self.version, self), self._on_issued)

        self._then_step(open_step)

    def _on_issued(self, issued: object) -> None:
        assert isinstance(issued, Issued)
        self._step_done(_issued_text(issued))

    @Slot()
    def _on_print_button_clicked(self) -> None:
        if self.record_id is not None and self.status in PRINTABLE and self.ctx.can(Permission.PRINT):
            self.preview = show_preview(self.ctx, "referral", self.record_id, parent=self)

    @Slot()
    def _on_reply_button_clicked(self) -> None:
        if self.record_id is None or self.version is None or self.details is None:
            return
        dialog = ReplyDialog(
            self.ctx,
            self.record_id,
            self.version,
            self,
            self.details.reply_received_on,
            self.details.reply_outcome,
        )
        self._open_step(dialog, lambda _v: self._step_done())

    @Slot()
    def _on_cancel_referral_button_clicked(self) -> None:
        if self.record_id is None or self.version is None:
            return
        self._open_step(
            CancelDialog(self.ctx, self.record_id, self.version, self), lambda _v: self._step_done()
        )

    # --- closing --------------------------------------------------------------------------

    def reject(self) -> None:
        """Escape closes the window through the unsaved-changes guard."""
        self.close()

    def _save_to_close(self) -> bool:
        self._close_after_save = True
        self.save()
        return False  # closes once saved; problems keep it open with what was typed

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._saving:
            event.ignore()  # the answer of the save comes back here
            return
        unsaved = self._dirty and self._can_write and self.status == "draft"
        if not form_base.may_close(self, event, unsaved=unsaved, save_and_close=self._save_to_close):
            return
        self.closed = True
        self.save_geometry()
        event.accept()


def _show_window(window: ReferralWindow) -> ReferralWindow:
    window.show()
    window.raise_()
    window.activateWindow()
    return window


def open_referral(
    ctx: AppContext, referral_id: uuid.UUID | None, parent: QWidget | None = None
) -> ReferralWindow:
    """Open a referral's window (brought to the front if open already).

    With *referral_id* None, a new referral on its own, for a child chosen in the window.
    """
    registry = _registry(ctx)
    if referral_id is not None and (existing := registry.find(referral_id)) is not None:
        existing.showNormal()
        return _show_window(existing)
    window = ReferralWindow(ctx, referral_id, parent=parent)
    registry.add(window)
    return _show_window(window)


def open_new_referral(
    ctx: AppContext,
    case_id: uuid.UUID,
    plan_action_id: uuid.UUID | None = None,
    parent: QWidget | None = None,
) -> ReferralWindow:
    """Open the window of a new referral for a case, prefilled from the plan action if given."""
    window = ReferralWindow(ctx, case_id=case_id, plan_action_id=plan_action_id, parent=parent)
    _registry(ctx).add(window)
    return _show_window(window)


# --- the tab ----------------------------------------------------------------------------


class ReferralsModel(RowsModel[ReferralRow]):
    """A case's referrals: №, date, organisation, service, status, reply due and received; overdue in red."""

    RowRole = Qt.ItemDataRole.UserRole + 1
    HEADERS = (
        N_("№"),
        N_("Date"),
        N_("Organisation"),
        N_("Service"),
        N_("Status"),
        N_("Reply due"),
        N_("Reply received"),
    )

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == self.RowRole:
            return row
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(ERROR_COLOUR)) if row.overdue else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return (
                gettext("No reply yet, and it was due by {date}.").format(date=format_date(row.reply_due))
                if row.overdue and row.reply_due
                else None
            )
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        values = (
            row.number or "—",
            format_date(row.issued_on) if row.issued_on else "",
            row.organisation,
            row.service,
            _status_text(row.status) + (" — " + gettext("overdue") if row.overdue else ""),
            format_date(row.reply_due) if row.reply_due else "",
            format_date(row.reply_received_on) if row.reply_received_on else "",
        )
        return values[column] if 0 <= column < len(values) else None


class ReferralsTab(CaseTab):
    """The referrals of the case: new, open, record consent, issue, record reply, cancel.

    Signals:
        case_changed: a referral of the case was written (its next deadline may change).
        refreshed(): the list was read again.
    """

    title = N_("Referrals")
    refreshed = Signal()

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.referral_window: ReferralWindow | None = None
        self.step_dialog: StepDialog | None = None
        can = ctx.can(Permission.REFERRAL_WRITE)

        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.problem = ProblemLabel()
        self.new_button = QPushButton(gettext("New referral"))
        self.open_button = QPushButton(gettext("Open"))
        self.consent_button = QPushButton(gettext("Record consent…"))
        self.issue_button = QPushButton(gettext("Issue…"))
        self.reply_button = QPushButton(gettext("Record reply…"))
        self.cancel_button = QPushButton(gettext("Cancel the referral…"))
        self.print_button = QPushButton(gettext("Print…"))
        self.print_button.setToolTip(gettext("Print the chosen referral (it must be issued)"))
        self.print_button.setVisible(ctx.can(Permission.PRINT))
        self.preview: QWidget | None = None
        buttons = QHBoxLayout()
        for button in (
            self.new_button,
            self.open_button,
            self.consent_button,
            self.issue_button,
            self.reply_button,
            self.cancel_button,
            self.print_button,
        ):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        buttons.addStretch(1)
        for button in (
            self.new_button,
            self.consent_button,
            self.issue_button,
            self.reply_button,
            self.cancel_button,
        ):
            button.setVisible(can)

        self.model = ReferralsModel(self)
        self.view = record_table(self.model, stretch=(2, 3))
        self.empty_label = QLabel(gettext("No referrals yet."))
        self.empty_label.hide()

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.problem)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.empty_label)

        self.new_button.clicked.connect(self._on_new_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.consent_button.clicked.connect(self._on_consent_button_clicked)
        self.issue_button.clicked.connect(self._on_issue_button_clicked)
        self.reply_button.clicked.connect(self._on_reply_button_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)
        self.print_button.clicked.connect(self._on_print_button_clicked)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)
        self.model.modelReset.connect(self._on_view_selection_changed)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        _registry(ctx).written.connect(self._on_registry_written)
        self._update_buttons()
        self.refresh()

    def refresh(self) -> None:
        self.read_in_background(list_referrals, self._show)

    def show_header(self, header: CaseHeader) -> None:
        """A closed case takes no new referral."""
        offer_on_open_case(self.new_button, header)

    def current(self) -> ReferralRow | None:
        index = self.view.currentIndex()
        return self.model.row_entry(index.row()) if index.isValid() else None

    def select(self, referral_id: uuid.UUID) -> None:
        for row in range(self.model.rowCount()):
            entry = self.model.row_entry(row)
            if entry is not None and entry.id == referral_id:
                self.view.selectRow(row)
                return

    def _show(self, rows: list[ReferralRow]) -> None:
        selected = self.current()
        self.model.set_rows(rows)
        self.empty_label.setVisible(not rows)
        if selected is not None:
            self.select(selected.id)
        self.refreshed.emit()

    def _update_buttons(self) -> None:
        row = self.current()
        status = row.status if row is not None else None
        self.open_button.setEnabled(row is not None)
        self.consent_button.setEnabled(status == "draft")
        self.issue_button.setEnabled(status == "draft")
        self.reply_button.setEnabled(status in ("issued", "replied"))
        self.cancel_button.setEnabled(status in ("draft", "issued"))
        self.print_button.setEnabled(status in PRINTABLE)

    def print_target(self) -> Target | None:
        """The chosen referral if it was issued (the workspace's Ctrl+P prints it)."""
        from reports.catalog import Target

        row = self.current()
        return Target("referral", row.id) if row is not None and row.status in PRINTABLE else None

    @Slot()
    def _on_print_button_clicked(self) -> None:
        row = self.current()
        if row is not None and row.status in PRINTABLE:
            self.preview = show_preview(self.ctx, "referral", row.id, parent=self)

    def _written(self, message: str = "") -> None:
        self.problem.clear_problem()
        self.message.setText(message)
        self.message.setVisible(bool(message))
        self.ctx.announce_change(RECORD_KIND)  # this tab reads its list again on it, too
        self.case_changed.emit()

    def _open_step(self, dialog: StepDialog, done: Callable[[object], None]) -> None:
        self.step_dialog = dialog
        dialog.step_written.connect(done)
        dialog.open()

    @Slot()
    def _on_view_selection_changed(self, *_args: object) -> None:
        self._update_buttons()

    @Slot(str)
    def _on_ctx_data_changed(self, kind: str) -> None:
        if kind in (RECORD_KIND, "organisation", "reference", "settings"):
            self.refresh()

    @Slot(object)
    def _on_registry_written(self, case_id: object) -> None:
        if case_id == self.case_id:
            self.case_changed.emit()

    @Slot()
    def _on_new_button_clicked(self) -> None:
        self.referral_window = open_new_referral(self.ctx, self.case_id, parent=self)

    @Slot()
    def _on_open_button_clicked(self) -> None:
        row = self.current()
        if row is not None:
            self.referral_window = open_referral(self.ctx, row.id, parent=self)

    @Slot(QModelIndex)
    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_entry(index.row())
        if row is not None:
            self.referral_window = open_referral(self.ctx, row.id, parent=self)

    @Slot()
    def _on_consent_button_clicked(self) -> None:
        if (row := self.current()) is not None:
            self._open_step(ConsentDialog(self.ctx, row.id, row.version, self), lambda _v: self._written())

    @Slot()
    def _on_issue_button_clicked(self) -> None:
        if (row := self.current()) is not None:
            self._open_step(IssueDialog(self.ctx, row.id, row.version, self), self._on_issued)

    def _on_issued(self, issued: object) -> None:
        assert isinstance(issued, Issued)
        self._written(_issued_text(issued))

    @Slot()
    def _on_reply_button_clicked(self) -> None:
        if (row := self.current()) is not None:
            dialog = ReplyDialog(self.ctx, row.id, row.version, self, row.reply_received_on)
            self._open_step(dialog, lambda _v: self._written())

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        if (row := self.current()) is not None:
            self._open_step(CancelDialog(self.ctx, row.id, row.version, self), lambda _v: self._written())
