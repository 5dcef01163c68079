"""The form of a report (журнал регистрации сообщений): reporter, concern, children, decision."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime

from PySide6.QtCore import QDate, QDateTime, QModelIndex, QTime, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.database import Database
from models.errors import DomainError, FieldProblem
from models.i18n import gettext
from models.lookups import Choice
from models.permissions import Permission
from models.registers import CASE_STATUS_LABELS, REPORT_DECISION_LABELS
from models.services.base import Actor
from models.services.cases import (
    CaseRef,
    PersonRef,
    ReportDetails,
    ReportInput,
    decide_report,
    get_report,
    open_cases_for_report,
    register_report,
    update_report,
)
from models.services.people import PersonHit

from ui.context import AppContext
from ui.forms import choices
from ui.forms.base import RecordForm
from ui.forms.pickers import PersonPicker, open_child_picker, person_ref
from ui.forms.widgets import CheckList, ChoiceCombo, PeopleListModel, qdate, text_or_none

DATE_TIME_FORMAT = "dd.MM.yyyy HH:mm"
DATE_FORMAT = "dd.MM.yyyy"


def _comparable(data: ReportInput) -> ReportInput:
    """*data* with its lists in a fixed order and blank texts as None, to tell whether it changed."""
    return replace(
        data,
        category_codes=tuple(sorted(data.category_codes)),
        child_ids=tuple(sorted(data.child_ids, key=str)),
        reporter_name=(data.reporter_name or "").strip() or None,
        reporter_contact=(data.reporter_contact or "").strip() or None,
        reporter_agency=(data.reporter_agency or "").strip() or None,
        concern=(data.concern or "").strip() or None,
        received_at=data.received_at.replace(second=0, microsecond=0),
    )


class ReportForm(RecordForm[ReportDetails]):
    """A report in the journal, and the decision on it.

    Deciding "open a case" opens one case per child concerned (with the report's categories and
    worker) and then opens the form of each new case.
    """

    kind = "report"
    write_permission = Permission.REPORT_WRITE
    choice_lists = (
        choices.reference_list("report_source"),
        choices.reference_list("report_channel"),
        choices.reference_list("tjs_category"),
        choices.WORKERS,
    )

    def __init__(
        self, ctx: AppContext, record_id: uuid.UUID | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, record_id, parent)
        self._stored: ReportInput | None = None
        self._stored_decision: tuple[str, date | None, str | None] = ("pending", None, None)
        self._number = ""
        self._cases: list[CaseRef] = []
        self.opened_cases: list[uuid.UUID] = []
        self.picker: PersonPicker | None = None
        self.resize(1180, 700)

    # --- layout --------------------------------------------------------------------------

    def build(self, body: QWidget) -> Iterator[None]:
        sources = choices.reference(self.ctx, "report_source")
        channels = choices.reference(self.ctx, "report_channel")
        categories = choices.reference(self.ctx, "tjs_category")
        workers = choices.workers(self.ctx)
        self.number = QLabel()
        self.received_at = QDateTimeEdit()
        self.received_at.setDisplayFormat(DATE_TIME_FORMAT)
        self.received_at.setCalendarPopup(True)
        self.source: ChoiceCombo[str] = ChoiceCombo(sources)
        self.channel: ChoiceCombo[str] = ChoiceCombo(channels)
        self.urgent = QCheckBox(gettext("Urgent: the child may be in danger"))
        self.concern = QPlainTextEdit()
        self.concern.setTabChangesFocus(True)
        self.concern.setFixedHeight(self.concern.fontMetrics().lineSpacing() * 5 + 14)
        self.anonymous = QCheckBox(gettext("Anonymous report"))
        self.reporter_name = QLineEdit()
        self.reporter_contact = QLineEdit()
        self.reporter_agency = QLineEdit()
        self.categories = CheckList(categories, rows=11)
        self.children_model = PeopleListModel(self)
        self.children_view = QListView()
        self.children_view.setModel(self.children_model)
        self.children_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.children_view.setFixedHeight(self.children_view.fontMetrics().height() * 4 + 12)
        self.add_child_button = QPushButton(gettext("Add a child…"))
        self.remove_child_button = QPushButton(gettext("Remove"))
        self.open_child_button = QPushButton(gettext("Open the child's record"))
        self.worker: ChoiceCombo[uuid.UUID] = ChoiceCombo(workers)
        self.decision: ChoiceCombo[str] = ChoiceCombo(
            [Choice(code, gettext(label)) for code, label in REPORT_DECISION_LABELS.items()], empty=None
        )
        self.decision_date = QDateEdit()
        self.decision_date.setDisplayFormat(DATE_FORMAT)
        self.decision_date.setCalendarPopup(True)
        self.decision_note = QPlainTextEdit()
        self.decision_note.setTabChangesFocus(True)
        self.decision_note.setFixedHeight(self.decision_note.fontMetrics().lineSpacing() * 2 + 14)
        self.cases_label = QLabel()
        self.cases_label.setWordWrap(True)
        self.cases_label.linkActivated.connect(self._on_cases_label_link_activated)

        yield
        report = QGroupBox(gettext("Report"))
        form = QFormLayout(report)
        form.addRow(gettext("Reg. №"), self.number)
        self.fields.add_row(form, "received_at", self.received_at, gettext("Received"))
        self.fields.add_row(form, "source", self.source, gettext("Source"), aliases=("source_code",))
        self.fields.add_row(form, "channel", self.channel, gettext("Channel"), aliases=("channel_code",))
        self.fields.add_row(form, "urgent", self.urgent, "")
        self.fields.add_row(form, "concern", self.concern, gettext("What is reported"))

        reporter = QGroupBox(gettext("Reporter"))
        form = QFormLayout(reporter)
        self.fields.add_row(form, "anonymous", self.anonymous, "")
        self.fields.add_row(form, "reporter_name", self.reporter_name, gettext("Full name"))
        self.fields.add_row(form, "reporter_contact", self.reporter_contact, gettext("Contact details"))
        self.fields.add_row(form, "reporter_agency", self.reporter_agency, gettext("Organisation"))

        yield
        concerned = QGroupBox(gettext("Children and categories"))
        form = QFormLayout(concerned)
        children_box = QWidget()
        children_layout = QVBoxLayout(children_box)
        children_layout.setContentsMargins(0, 0, 0, 0)
        children_layout.addWidget(self.children_view)
        child_buttons = QHBoxLayout()
        for button in (self.add_child_button, self.remove_child_button, self.open_child_button):
            button.setAutoDefault(False)
            child_buttons.addWidget(button)
        child_buttons.addStretch(1)
        children_layout.addLayout(child_buttons)
        self.fields.add_row(
            form, "children", children_box, gettext("Children concerned"), aliases=("child_ids",)
        )
        self.fields.add_row(
            form, "categories", self.categories, gettext("Categories"), aliases=("category_codes",)
        )
        self.fields.add_row(
            form, "worker", self.worker, gettext("Assigned worker"), aliases=("assigned_worker_id",)
        )

        yield
        self.decision_box = QGroupBox(gettext("Decision"))
        form = QFormLayout(self.decision_box)
        self.fields.add_row(form, "decision", self.decision, gettext("Decision"))
        self.fields.add_row(form, "decision_date", self.decision_date, gettext("Decision date"))
        self.fields.add_row(form, "decision_note", self.decision_note, gettext("Note"))
        form.addRow(self.cases_label)

        left = QVBoxLayout()
        left.addWidget(report)
        left.addWidget(reporter)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(concerned)
        right.addWidget(self.decision_box)
        right.addStretch(1)
        layout = QHBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(left, 1)
        layout.addLayout(right, 1)

        self.add_child_button.clicked.connect(self._on_add_child_button_clicked)
        self.remove_child_button.clicked.connect(self._on_remove_child_button_clicked)
        self.open_child_button.clicked.connect(self._on_open_child_button_clicked)
        self.children_view.doubleClicked.connect(self._on_children_view_double_clicked)
        self.children_view.selectionModel().selectionChanged.connect(self._on_children_selection_changed)
        self._on_children_selection_changed()

    def make_read_only(self) -> None:
        self.add_child_button.hide()
        self.remove_child_button.hide()

    def title(self) -> str:
        if self.record_id is None:
            return gettext("New report")
        return gettext("Report № {number}").format(number=self._number)

    # --- reading and writing ---------------------------------------------------------------

    def fill_new(self, defaults: object) -> None:
        self.number.setText(gettext("given when the report is saved"))
        self.received_at.setDateTime(QDateTime.currentDateTime())
        self.decision.set_value("pending")
        self.decision_date.setDate(QDate.currentDate())
        self._update_enabled()

    @classmethod
    def fetch(cls, db: Database, actor: Actor, record_id: uuid.UUID) -> ReportDetails:
        return get_report(db, actor, record_id)

    def show_record(self, details: ReportDetails) -> None:
        data = details.data
        self._stored = data
        self._stored_decision = (details.decision, details.decision_date, details.decision_note)
        self._number = details.number
        self._cases = details.cases
        self.version = details.version
        self.number.setText(details.number)
        local = data.received_at.astimezone()
        self.received_at.setDateTime(
            QDateTime(
                QDate(local.year, local.month, local.day), QTime(local.hour, local.minute, local.second)
            )
        )
        self.source.set_value(data.source_code)
        self.channel.set_value(data.channel_code)
        self.urgent.setChecked(data.urgent)
        self.concern.setPlainText(data.concern or "")
        self.anonymous.setChecked(data.anonymous)
        self.reporter_name.setText(data.reporter_name or "")
        self.reporter_contact.setText(data.reporter_contact or "")
        self.reporter_agency.setText(data.reporter_agency or "")
        self.categories.set_values(data.category_codes)
        self.children_model.set_people(details.children)
        self.worker.set_value(data.assigned_worker_id)
        self.decision.set_value(details.decision)
        self.decision_date.setDate(
            qdate(details.decision_date) if details.decision_date else QDate.currentDate()
        )
        self.decision_note.setPlainText(details.decision_note or "")
        case_number = gettext("Case № {number}")
        links = [
            f'<a href="{case.id}">{case_number.format(number=case.number)}</a> — '
            f"{case.child_name} ({gettext(CASE_STATUS_LABELS.get(case.status, case.status))})"
            for case in details.cases
        ]
        self.cases_label.setText("<br>".join(links))
        self.cases_label.setVisible(bool(links))
        self._update_enabled()

    def report_input(self) -> ReportInput:
        received: datetime = self.received_at.dateTime().toPython()  # type: ignore[assignment]
        return ReportInput(
            received_at=received.astimezone(),
            source_code=self.source.value(),
            channel_code=self.channel.value(),
            reporter_name=text_or_none(self.reporter_name),
            reporter_contact=text_or_none(self.reporter_contact),
            reporter_agency=text_or_none(self.reporter_agency),
            anonymous=self.anonymous.isChecked(),
            concern=text_or_none(self.concern),
            urgent=self.urgent.isChecked(),
            category_codes=tuple(self.categories.values()),
            child_ids=tuple(p.id for p in self.children_model.people()),
            assigned_worker_id=self.worker.value(),
        )

    def decision_input(self) -> tuple[str, date | None, str | None]:
        decision = self.decision.value() or "pending"
        if decision == "pending":
            return ("pending", None, None)
        picked: date = self.decision_date.date().toPython()  # type: ignore[assignment]
        return (decision, picked, text_or_none(self.decision_note))

    def write(self) -> list[FieldProblem] | None:
        data = self.report_input()
        db, actor = self.ctx.db, self.ctx.actor
        wrote_report = False
        if self.record_id is None:
            self.record_id = register_report(db, actor, data).id
            wrote_report = True
        elif self._stored is None or _comparable(data) != _comparable(self._stored):
            assert self.version is not None
            self.version = update_report(db, actor, self.record_id, data, self.version)
            wrote_report = True
        if wrote_report:
            self._stored = data
        decision, decided_on, note = self.decision_input()
        if decision == "pending" or (decision, decided_on, note) == self._stored_decision:
            return []
        assert decided_on is not None
        self.opened_cases = []
        if wrote_report and self.version is None:
            self.version = get_report(db, actor, self.record_id).version
        try:
            if decision == "open_case":
                opened = open_cases_for_report(db, actor, self.record_id, decided_on, note, self.version)
                self.opened_cases = [case.id for case in opened]
            else:
                decide_report(db, actor, self.record_id, decision, decided_on, note, self.version)
        except DomainError:
            if wrote_report:
                self.ctx.announce_change(self.kind)  # the report itself was saved
            raise
        for case_id in self.opened_cases:
            self.ctx.announce_change("case")
            self.ctx.open_record("case", case_id)
        return []

    # --- behaviour -----------------------------------------------------------------------

    def field_edited(self, name: str) -> None:
        if name in ("anonymous", "decision"):
            self._update_enabled()

    def _update_enabled(self) -> None:
        if self.read_only:
            return
        anonymous = self.anonymous.isChecked()
        self.reporter_name.setEnabled(not anonymous)
        self.reporter_contact.setEnabled(not anonymous)
        deciding = (self.decision.value() or "pending") != "pending" and not self._cases
        self.decision_date.setEnabled(deciding)
        self.decision_note.setEnabled(deciding)
        # Once cases are opened from the report, the decision stands (cases are closed in their workspace).
        self.decision.setEnabled(not self._cases)

    def add_child(self, person: PersonRef) -> None:
        if self.children_model.add(person):
            self.fields.clear_field("children")
            self.mark_edited()

    @Slot()
    def _on_children_selection_changed(self, *_args: object) -> None:
        chosen = bool(self.children_view.selectionModel().selectedRows())
        self.remove_child_button.setEnabled(chosen and not self.read_only)
        self.open_child_button.setEnabled(chosen)

    @Slot()
    def _on_add_child_button_clicked(self) -> None:
        self.picker = open_child_picker(self.ctx, self._on_picker_chosen, parent=self)

    @Slot(object)
    def _on_picker_chosen(self, hit: PersonHit) -> None:
        self.picker = None
        self.add_child(person_ref(hit))

    @Slot()
    def _on_remove_child_button_clicked(self) -> None:
        rows = self.children_view.selectionModel().selectedRows()
        if rows:
            self.children_model.remove(rows[0].row())
            self.mark_edited()

    @Slot()
    def _on_open_child_button_clicked(self) -> None:
        rows = self.children_view.selectionModel().selectedRows()
        if rows:
            self._on_children_view_double_clicked(rows[0])

    @Slot(QModelIndex)
    def _on_children_view_double_clicked(self, index: QModelIndex) -> None:
        person_id = self.children_model.data(index, PeopleListModel.PersonIdRole)
        if isinstance(person_id, uuid.UUID):
            self.ctx.open_record("person", person_id)

    @Slot(str)
    def _on_cases_label_link_activated(self, link: str) -> None:
        self.ctx.open_record("case", uuid.UUID(link))
