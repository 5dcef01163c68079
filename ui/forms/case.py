"""The form of a case: the child, number, categories, risk, responsible worker and summary.

Status transitions, assessments, plans and closure belong to the case workspace (issue 4).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

from PySide6.QtCore import QDate, Slot
from PySide6.QtWidgets import (
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.database import Database
from models.errors import FieldProblem, ValidationFailed
from models.i18n import _, gettext
from models.permissions import Permission
from models.registers import CASE_STATUS_LABELS
from models.services.base import Actor
from models.services.cases import (
    CaseDetails,
    CaseInput,
    PersonRef,
    assign_worker,
    get_case,
    open_case,
    update_case,
)
from models.services.people import PersonHit
from models.validation import format_date

from ui.context import AppContext
from ui.forms import choices
from ui.forms.base import RecordForm
from ui.forms.pickers import PersonPicker, open_child_picker, person_ref
from ui.forms.widgets import CheckList, ChoiceCombo, qdate, text_or_none

DATE_FORMAT = "dd.MM.yyyy"


def _person_link(person: PersonRef) -> str:
    born = f", {format_date(person.birth_date)}" if person.birth_date else ""
    return f'<a href="{person.id}">{person.full_name}{born}</a>'


class CaseForm(RecordForm[CaseDetails]):
    """A child's case. The responsible worker is changed only by users who may assign cases."""

    kind = "case"
    write_permission = Permission.CASE_WRITE
    choice_lists = (
        choices.reference_list("tjs_category"),
        choices.reference_list("risk_level"),
        choices.WORKERS,
    )

    def __init__(
        self, ctx: AppContext, record_id: uuid.UUID | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, record_id, parent)
        self._stored: CaseDetails | None = None
        self._child: PersonRef | None = None
        self.picker: PersonPicker | None = None
        self.resize(1060, 600)

    def build(self, body: QWidget) -> Iterator[None]:
        categories = choices.reference(self.ctx, "tjs_category")
        risks = choices.reference(self.ctx, "risk_level")
        self._workers = choices.workers(self.ctx)
        self.child_label = QLabel()
        self.child_label.linkActivated.connect(self._on_person_link_activated)
        self.choose_child_button = QPushButton(gettext("Choose a child…"))
        self.choose_child_button.setAutoDefault(False)
        child_row = QWidget()
        child_layout = QHBoxLayout(child_row)
        child_layout.setContentsMargins(0, 0, 0, 0)
        child_layout.addWidget(self.child_label)
        child_layout.addWidget(self.choose_child_button)
        child_layout.addStretch(1)
        self.number = QLabel()
        self.status = QLabel()
        self.report_label = QLabel()
        self.report_label.linkActivated.connect(self._on_report_link_activated)
        self.opened_on = QDateEdit()
        self.opened_on.setDisplayFormat(DATE_FORMAT)
        self.opened_on.setCalendarPopup(True)
        self.categories = CheckList(categories, rows=11)
        self.risk: ChoiceCombo[str] = ChoiceCombo(risks)
        self.worker: ChoiceCombo[uuid.UUID] = ChoiceCombo(self._workers)
        self.can_assign = self.ctx.can(Permission.CASE_ASSIGN)
        if not self.can_assign:
            self.worker.setToolTip(gettext("Only the department head assigns the responsible worker."))
        self.summary = QPlainTextEdit()
        self.summary.setTabChangesFocus(True)
        self.summary.setFixedHeight(self.summary.fontMetrics().lineSpacing() * 4 + 14)

        yield
        case = QGroupBox(gettext("Case"))
        form = QFormLayout(case)
        self.fields.add_row(form, "child", child_row, gettext("Child"), aliases=("child_id",))
        form.addRow(gettext("Case №"), self.number)
        form.addRow(gettext("Status"), self.status)
        self.fields.add_row(form, "report", self.report_label, gettext("Report"), aliases=("report_id",))
        self.fields.add_row(form, "opened_on", self.opened_on, gettext("Opened on"))
        self.fields.add_row(form, "risk", self.risk, gettext("Risk level"), aliases=("risk_code",))
        self.fields.add_row(
            form, "worker", self.worker, gettext("Responsible worker"), aliases=("worker_id",)
        )
        self.fields.add_row(form, "summary", self.summary, gettext("Summary"))

        yield
        categories_box = QGroupBox(gettext("Categories of difficult life situation"))
        form = QFormLayout(categories_box)
        self.fields.add_row(form, "categories", self.categories, aliases=("category_codes",), span=True)

        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        left = QVBoxLayout()
        left.addWidget(case)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(categories_box)
        right.addStretch(1)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)
        self.choose_child_button.clicked.connect(self._on_choose_child_button_clicked)

    def make_read_only(self) -> None:
        self.choose_child_button.hide()

    def title(self) -> str:
        if self.record_id is None or self._stored is None:
            return gettext("New case")
        return (
            gettext("Case № {number}").format(number=self._stored.number)
            + f" — {self._stored.child.full_name}"
        )

    # --- reading and writing ---------------------------------------------------------------

    def fill_new(self, defaults: object) -> None:
        self.number.setText(gettext("given when the case is saved"))
        initial_status = CASE_STATUS_LABELS["registered"]
        self.status.setText(gettext(initial_status))
        self.opened_on.setDate(QDate.currentDate())
        self.report_label.hide()
        self._show_child(None)
        if self.ctx.actor.user_id in {w.value for w in self._workers}:
            self.worker.set_value(self.ctx.actor.user_id)  # whoever opens a case is responsible at first
        self.worker.setEnabled(self.can_assign and not self.read_only)

    @classmethod
    def fetch(cls, db: Database, actor: Actor, record_id: uuid.UUID) -> CaseDetails:
        return get_case(db, actor, record_id)

    def show_record(self, details: CaseDetails) -> None:
        self._stored = details
        self.version = details.version
        self._show_child(details.child)
        self.choose_child_button.hide()
        self.number.setText(details.number)
        status = gettext(CASE_STATUS_LABELS.get(details.status, details.status))
        if details.closed_on:
            status += " " + gettext("on {date}").format(date=format_date(details.closed_on))
        self.status.setText(status)
        if details.report_id is not None and details.report_number:
            self.report_label.setText(
                f'<a href="{details.report_id}">'
                + gettext("Report № {number}").format(number=details.report_number)
                + "</a>"
            )
        else:
            self.report_label.setText("—")
        self.opened_on.setDate(qdate(details.opened_on))
        self.opened_on.setReadOnly(True)  # the date a case was opened is part of its history
        self.opened_on.setCalendarPopup(False)
        self.opened_on.setButtonSymbols(QDateEdit.ButtonSymbols.NoButtons)
        self.categories.set_values(details.category_codes)
        self.risk.set_value(details.risk_code)
        self.worker.set_value(details.worker_id)
        self.worker.setEnabled(self.can_assign and not self.read_only)
        self.summary.setPlainText(details.summary or "")

    def _show_child(self, child: PersonRef | None) -> None:
        self._child = child
        self.child_label.setText(_person_link(child) if child else gettext("not chosen"))

    def write(self) -> list[FieldProblem] | None:
        db, actor = self.ctx.db, self.ctx.actor
        categories = self.categories.values()
        risk = self.risk.value()
        worker = self.worker.value()
        summary = text_or_none(self.summary)
        if self.record_id is None:
            if self._child is None:
                raise ValidationFailed([FieldProblem("child", _("Child: choose a registered child."))])
            opened_on: date = self.opened_on.date().toPython()  # type: ignore[assignment]
            self.record_id = open_case(
                db,
                actor,
                CaseInput(self._child.id, opened_on, categories, risk, worker, summary=summary),
            ).id
            return []
        stored = self._stored
        assert stored is not None and self.version is not None
        changed_categories = sorted(categories) != sorted(stored.category_codes)
        changed_risk = risk != stored.risk_code
        changed_summary = summary != stored.summary
        if changed_categories or changed_risk or changed_summary:
            self.version = update_case(
                db,
                actor,
                self.record_id,
                expected_version=self.version,
                category_codes=categories if changed_categories else None,
                risk_code=(risk or "") if changed_risk else None,
                summary=(summary or "") if changed_summary else None,
            )
        if self.can_assign and worker != stored.worker_id:
            assign_worker(db, actor, self.record_id, worker, self.version)  # None: nobody, for now
        return []

    # --- links ---------------------------------------------------------------------------

    @Slot()
    def _on_choose_child_button_clicked(self) -> None:
        self.picker = open_child_picker(self.ctx, self._on_picker_chosen, parent=self)

    @Slot(object)
    def _on_picker_chosen(self, hit: PersonHit) -> None:
        self.picker = None
        self._show_child(person_ref(hit))
        self.fields.clear_field("child")
        self.mark_edited()

    def choose_child(self, child: PersonRef) -> None:
        """Set the child of a new case (as the picker does)."""
        self._show_child(child)
        self.mark_edited()

    @Slot(str)
    def _on_person_link_activated(self, link: str) -> None:
        self.ctx.open_record("person", uuid.UUID(link))

    @Slot(str)
    def _on_report_link_activated(self, link: str) -> None:
        self.ctx.open_record("report", uuid.UUID(link))
