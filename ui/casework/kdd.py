"""The КДД tab of a case's workspace: the case's agenda items and the decisions on them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QStringListModel, Qt, Slot
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from models.i18n import N_, gettext
from models.permissions import Permission
from models.services import kdd
from models.services.kdd import MEETING_STATUS_LABELS, CaseKddEntry, DecisionDetails, ItemInput, MeetingRef
from models.validation import format_date

from ui.casework.tab import CaseTab
from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text
from ui.forms.widgets import ERROR_COLOUR, ModelIndex, ProblemLabel, RowsModel, record_table
from ui.kdd.meeting import open_meeting
from ui.kdd.models import RowRole, due_text, follow_up_text, yes_no
from ui.tasks import Progress, run_task


@dataclass(frozen=True)
class CaseKddRow:
    """One line of the tab: an agenda item with one of its decisions (or none yet)."""

    entry: CaseKddEntry
    decision: DecisionDetails | None


class CaseKddModel(RowsModel[CaseKddRow]):
    """The case's agenda items and decisions, newest meeting first; overdue decisions in red."""

    HEADERS = (
        N_("Meeting No."),
        N_("Date"),
        N_("Meeting status"),
        N_("Item"),
        N_("Parents attended"),
        N_("No."),
        N_("Decision"),
        N_("Responsible body"),
        N_("Deadline"),
        N_("Execution"),
    )

    def set_entries(self, entries: list[CaseKddEntry]) -> None:
        self.set_rows(
            CaseKddRow(entry, decision) for entry in entries for decision in (entry.decisions or (None,))
        )

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == RowRole:
            return row
        entry, decision = row.entry, row.decision
        column = index.column()
        if (
            role == Qt.ItemDataRole.ForegroundRole
            and decision is not None
            and decision.overdue
            and column in (8, 9)
        ):
            return QColor(ERROR_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and column == 9 and decision is not None:
            return decision.follow_up or None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if column < 5:
            return (
                entry.meeting_number,
                format_date(entry.meeting_date),
                gettext(MEETING_STATUS_LABELS.get(entry.meeting_status, entry.meeting_status)),
                entry.title,
                yes_no(entry.parent_attended) if entry.parent_invited else gettext("Not invited"),
            )[column]
        if decision is None:
            return ""
        return (
            str(decision.decision_no or ""),
            decision.text,
            decision.responsible_body or "",
            due_text(decision),
            follow_up_text(decision),
        )[column - 5]


class MeetingChoiceDialog(Dialog):
    """Choose one of the planned meetings."""

    def __init__(self, ctx: AppContext, meetings: list[MeetingRef], parent: QWidget | None = None) -> None:
        super().__init__(ctx.state, "kdd-meeting-choice", parent)
        self.setWindowTitle(gettext("Add to a meeting's agenda"))
        self.meetings = meetings
        self.meeting_list = QListView()
        self.list_model = QStringListModel(
            [
                gettext("No. {number} of {date}, {place} — items: {count}").format(
                    number=m.number,
                    date=format_date(m.meeting_date),
                    place=m.place or "—",
                    count=m.items_count,
                )
                for m in meetings
            ],
            self,
        )
        self.meeting_list.setModel(self.list_model)
        self.meeting_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        if meetings:
            self.meeting_list.setCurrentIndex(self.list_model.index(0))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.meeting_list.doubleClicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(gettext("Planned meetings:")))
        layout.addWidget(self.meeting_list, 1)
        layout.addWidget(buttons)
        self.resize(520, 320)

    def chosen(self) -> MeetingRef | None:
        index = self.meeting_list.currentIndex()
        return self.meetings[index.row()] if index.isValid() else None


def choose_meeting(parent: QWidget, ctx: AppContext, meetings: list[MeetingRef]) -> MeetingRef | None:
    """The planned meeting the user chose (None if cancelled); tests replace this."""
    dialog = MeetingChoiceDialog(ctx, meetings, parent)
    return dialog.chosen() if dialog.exec() else None


class CaseKddTab(CaseTab):
    """The case's items on КДД agendas and the decisions on them, with deadlines and execution.

    Double-clicking a line opens its meeting's window.
    """

    title = N_("КДД")

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.model = CaseKddModel(self)
        self.view = record_table(
            self.model, stretch=(6,), widths={3: 220, 4: 110, 7: 150, 8: 150, 9: 130}, word_wrap=False
        )
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.status = QLabel(gettext("Loading…"))
        self.problem = ProblemLabel()
        self.add_button = QPushButton(gettext("Add to a meeting's agenda…"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.add_button.setVisible(ctx.can(Permission.KDD_WRITE))
        self.open_button = QPushButton(gettext("Open the meeting"))
        self.open_button.clicked.connect(self._on_open_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        ctx.data_changed.connect(self._on_ctx_data_changed)
        self.refresh()

    def refresh(self) -> None:
        self.read_in_background(kdd.case_kdd, self._show)

    def _show(self, entries: list[CaseKddEntry]) -> None:
        self.model.set_entries(entries)
        overdue = sum(1 for e in entries for d in e.decisions if d.overdue)
        text = gettext("Agenda items: {items}; decisions: {decisions}").format(
            items=len(entries), decisions=sum(len(e.decisions) for e in entries)
        )
        if overdue:
            text += "; " + gettext("overdue: {count}").format(count=overdue)
        self.status.setText(text)

    def current_row(self) -> CaseKddRow | None:
        rows = self.view.selectionModel().selectedRows()
        return self.model.row_entry(rows[0].row()) if rows else None

    @Slot(str)
    def _on_ctx_data_changed(self, kind: str) -> None:
        if kind in ("kdd_meeting", "case", "settings"):
            self.refresh()

    @Slot(QModelIndex)
    def _on_view_double_clicked(self, index: QModelIndex) -> None:
        row = self.model.row_at(index)
        if row is not None:
            open_meeting(self.ctx, row.entry.meeting_id, self.window())

    @Slot()
    def _on_open_button_clicked(self) -> None:
        row = self.current_row()
        if row is not None:
            open_meeting(self.ctx, row.entry.meeting_id, self.window())

    @Slot()
    def _on_add_button_clicked(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor
        self.problem.clear_problem()
        self.add_button.setEnabled(False)

        def failed(error: BaseException) -> None:
            self.add_button.setEnabled(True)
            self.problem.show_error(error_text(error))

        self._task = run_task(
            lambda _p: kdd.planned_meetings(db, actor),
            self._on_planned_meetings,
            parent=self,
            on_error=failed,
        )

    def _on_planned_meetings(self, meetings: list[MeetingRef]) -> None:
        self.add_button.setEnabled(True)
        if not meetings:
            self.problem.show_error(
                gettext("No meeting is planned. Plan a meeting in the register of КДД meetings first.")
            )
            return
        meeting = choose_meeting(self, self.ctx, meetings)
        if meeting is None:
            return
        db, actor, case_id = self.ctx.db, self.ctx.actor, self.case_id
        self.add_button.setEnabled(False)

        def added(_item_id: uuid.UUID) -> None:
            self.add_button.setEnabled(True)
            self.ctx.announce_change("kdd_meeting")
            self.case_changed.emit()
            self.refresh()

        def failed(error: BaseException) -> None:
            self.add_button.setEnabled(True)
            self.problem.show_error(error_text(error))

        def work(_progress: Progress) -> uuid.UUID:
            return kdd.add_item(db, actor, meeting.id, ItemInput(case_id=case_id))

        self._task = run_task(work, added, parent=self, on_error=failed)


__all__ = ["CaseKddModel", "CaseKddTab", "MeetingChoiceDialog", "choose_meeting"]
