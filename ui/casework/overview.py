"""The Overview tab of a case's workspace: the case at a glance, its due items, its closure."""

from __future__ import annotations

import uuid
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.i18n import N_, current_language, gettext
from models.services.casefile import CaseHeader, ClosureSummary, DueItem, case_header
from models.validation import format_date

from ui.casework.tab import CaseTab
from ui.context import AppContext
from ui.forms.widgets import ERROR_COLOUR, RowsModel, record_table
from ui.tasks import Progress, run_task

ModelIndex = QModelIndex | QPersistentModelIndex


class DueItemsModel(RowsModel[DueItem]):
    """The due items of a case, earliest first; overdue ones in red."""

    HEADERS = (N_("Due date"), N_("What"), N_("State"))

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index)
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() == 0:
                return format_date(item.due)
            if index.column() == 1:
                return item.label
            return gettext("overdue") if item.overdue else gettext("due")
        if role == Qt.ItemDataRole.ForegroundRole and item.overdue:
            return QBrush(QColor(ERROR_COLOUR))
        if role == Qt.ItemDataRole.ToolTipRole and item.record_kind:
            return gettext("Double-click to open it")
        return None


def _value_label() -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class OverviewTab(CaseTab):
    """The case's summary, its report, dates, categories, risk and worker, the due items and the closure."""

    title = N_("Overview")
    header_only = True

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.header: CaseHeader | None = None
        self.number = _value_label()
        self.status = _value_label()
        self.opened_on = _value_label()
        self.report_button = QPushButton()
        self.report_button.setAutoDefault(False)
        self.report_none = QLabel("—")
        report_row = QWidget()
        report_layout = QHBoxLayout(report_row)
        report_layout.setContentsMargins(0, 0, 0, 0)
        report_layout.addWidget(self.report_button)
        report_layout.addWidget(self.report_none)
        report_layout.addStretch(1)
        self.categories = _value_label()
        self.risk = _value_label()
        self.worker = _value_label()
        self.summary = _value_label()
        self.reopened = _value_label()
        case_box = QGroupBox(gettext("Case"))
        form = QFormLayout(case_box)
        form.addRow(gettext("Case №"), self.number)
        form.addRow(gettext("Status"), self.status)
        form.addRow(gettext("Opened on"), self.opened_on)
        form.addRow(gettext("Report"), report_row)
        form.addRow(gettext("Categories"), self.categories)
        form.addRow(gettext("Risk level"), self.risk)
        form.addRow(gettext("Responsible worker"), self.worker)
        form.addRow(gettext("Summary"), self.summary)
        form.addRow(gettext("Reopened"), self.reopened)

        self.due_model = DueItemsModel(self)
        self.due_view = record_table(self.due_model, stretch=(1,), single=False)
        self.no_due = QLabel(gettext("Nothing is due."))
        due_box = QGroupBox(gettext("Due"))
        due_layout = QVBoxLayout(due_box)
        due_layout.addWidget(self.due_view, 1)
        due_layout.addWidget(self.no_due)

        self.closure_box = QGroupBox(gettext("Closure"))
        self.closure_state = _value_label()
        self.closure_date = _value_label()
        self.closure_reason = _value_label()
        self.closure_outcomes = _value_label()
        self.closure_assessment = _value_label()
        self.closure_follow_up = _value_label()
        closure_form = QFormLayout(self.closure_box)
        closure_form.addRow(gettext("State"), self.closure_state)
        closure_form.addRow(gettext("Closed on"), self.closure_date)
        closure_form.addRow(gettext("Reason"), self.closure_reason)
        closure_form.addRow(gettext("Outcomes"), self.closure_outcomes)
        closure_form.addRow(gettext("Final assessment"), self.closure_assessment)
        closure_form.addRow(gettext("Follow-up date"), self.closure_follow_up)
        self.closure_box.hide()

        left = QVBoxLayout()
        left.addWidget(case_box)
        left.addWidget(self.closure_box)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(due_box, 1)
        self.report_button.clicked.connect(self._on_report_button_clicked)
        self.due_view.doubleClicked.connect(self._on_due_view_double_clicked)

    def refresh(self) -> None:
        self._sequence += 1
        sequence, db, actor, case_id, lang = (
            self._sequence,
            self.ctx.db,
            self.ctx.actor,
            self.case_id,
            current_language(),
        )

        def work(_progress: Progress) -> CaseHeader:
            return case_header(db, actor, case_id, audit_view=False, lang=lang)

        run_task(
            work, lambda header: self.show_header(header) if sequence == self._sequence else None, parent=self
        )

    def show_header(self, header: CaseHeader) -> None:
        """Show the case as read by the workspace."""
        self.header = header
        self.number.setText(header.number)
        status = header.status_label
        if header.closed_on:
            status += " " + gettext("on {date}").format(date=format_date(header.closed_on))
        if header.transferred_to:
            status += " — " + gettext("transferred to {district}").format(district=header.transferred_to)
        self.status.setText(status)
        self.opened_on.setText(format_date(header.opened_on))
        has_report = header.report_id is not None and header.report_number is not None
        self.report_button.setVisible(has_report)
        self.report_none.setVisible(not has_report)
        if has_report:
            self.report_button.setText(gettext("Report № {number}").format(number=header.report_number))
        self.categories.setText(", ".join(header.categories) or "—")
        self.risk.setText(header.risk or "—")
        self.worker.setText(header.worker_name or gettext("nobody"))
        self.summary.setText(header.summary or "—")
        self.reopened.setText(str(header.reopened_count) if header.reopened_count else "—")
        self.due_model.set_rows(header.due_items)
        self.due_view.setVisible(bool(header.due_items))
        self.no_due.setVisible(not header.due_items)
        if header.is_closed and header.transferred_to:
            self.no_due.setText(gettext("The case was transferred; nothing is due here."))
        elif header.is_closed:
            self.no_due.setText(gettext("The case is closed; nothing is due."))
        else:
            self.no_due.setText(gettext("Nothing is due."))
        closure = header.pending_closure or (header.last_closure if header.is_closed else None)
        self.closure_box.setVisible(closure is not None)
        if closure is not None:
            self._show_closure(closure)

    def _show_closure(self, closure: ClosureSummary) -> None:
        if closure.approved_by is None:
            state = gettext("Requested by {name}; waiting for the department head's approval.").format(
                name=closure.requested_by or "—"
            )
        else:
            approved = format_date(closure.approved_at.astimezone().date()) if closure.approved_at else "—"
            state = gettext("Approved by {name} on {date}").format(name=closure.approved_by, date=approved)
        self.closure_state.setText(state)
        self.closure_date.setText(format_date(closure.closed_on))
        self.closure_reason.setText(closure.reason)
        self.closure_outcomes.setText(", ".join(closure.outcomes) or "—")
        self.closure_assessment.setText(closure.final_assessment or "—")
        self.closure_follow_up.setText(format_date(closure.follow_up_date) if closure.follow_up_date else "—")

    @Slot()
    def _on_report_button_clicked(self) -> None:
        if self.header is not None and self.header.report_id is not None:
            self.ctx.open_record("report", self.header.report_id)

    @Slot(QModelIndex)
    def _on_due_view_double_clicked(self, index: QModelIndex) -> None:
        item = self.due_model.row_at(index)
        if item is not None and item.record_kind and item.record_id is not None:
            self.ctx.open_record(item.record_kind, item.record_id)
