"""The window of a КДД meeting: details, members and quorum, the agenda, each item's decisions.

One non-modal window per meeting (:func:`open_meeting`). Everything is read and written in the
background (:func:`ui.tasks.run_task`) through :mod:`models.services.kdd`; after each write the
window reads the meeting again and tells the others (``ctx.announce_change("kdd_meeting")``).
The meeting's details and the selected item's details are forms with their own Save button:
their problems show next to the fields, what was typed stays, and closing the window (or
choosing another item) with unsaved changes asks first. Members, agenda entries and decisions
are written as soon as they are changed (each through a small dialog).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QItemSelection, QModelIndex, QObject, Qt, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import N_, gettext
from models.permissions import Permission
from models.services import kdd
from models.services.kdd import (
    MEETING_STATUS_LABELS,
    DecisionDetails,
    ItemDetails,
    ItemInput,
    MeetingDefaults,
    MeetingDetails,
    MeetingInput,
    MemberInput,
)

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text, show_error
from ui.forms import base
from ui.forms.widgets import FieldSet, ProblemLabel, changed_signal, qdate, record_table, text_or_none
from ui.kdd import dialogs
from ui.kdd.dialogs import date_edit, date_of
from ui.kdd.models import AgendaModel, DecisionsModel, MembersModel
from ui.printing import show_preview
from ui.tasks import Progress, run_task

T = TypeVar("T")

# The papers of a meeting in the Print menu: the form, its title msgid, and whether it is printed
# for the meeting (record: the meeting) or for the chosen agenda item (record: the item).
MEETING_PAPERS = (
    ("kdd-agenda", N_("Agenda"), "meeting"),
    ("kdd-protocol", N_("Protocol"), "meeting"),
    ("kdd-decision", N_("Decision on the chosen item"), "item"),
    ("kdd-notice", N_("Notice for the chosen item"), "item"),
)


def quorum_text(present: int, total: int) -> str:
    if total and present * 2 > total:
        return gettext("Quorum: yes, {present} of {total}").format(present=present, total=total)
    return gettext("No quorum: {present} of {total} present").format(present=present, total=total)


def _button(text: str, slot: Callable[[], None]) -> QPushButton:
    button = QPushButton(text)
    button.setAutoDefault(False)
    button.clicked.connect(slot)
    return button


class MeetingWindow(Dialog):
    """A meeting of the commission, planned (*meeting_id* None: a new one) or stored.

    Signals:
        loaded(): the meeting (or a new meeting's defaults) was read into the window.
        written(): a write of the window was done and the meeting is being read again.
    """

    loaded = Signal()
    written = Signal()

    def __init__(self, ctx: AppContext, meeting_id: uuid.UUID | None, parent: QWidget | None = None) -> None:
        super().__init__(ctx.state, "kdd-meeting", parent)
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.meeting: MeetingDetails | None = None
        self.defaults: MeetingDefaults | None = None
        self.can_write = ctx.can(Permission.KDD_WRITE)
        self.details_dirty = False
        self.item_dirty = False
        self._filling = False
        self._busy = False
        self._closed = False
        self._close_when_saved = False
        self._current_item: uuid.UUID | None = None
        self.running_tasks = 0  # reads and writes under way
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setModal(False)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.resize(1280, 720)

        self.header = QLabel(gettext("Loading…"))
        font = self.header.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.header.setFont(font)
        self.header.setWordWrap(True)
        self.summary = ProblemLabel()

        # The meeting's details.
        self.details_fields = FieldSet()
        self.meeting_date = date_edit()
        self.place = QLineEdit()
        self.chair_name = QLineEdit()
        self.secretary_name = QLineEdit()
        details_form = QFormLayout()
        details_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.details_fields.add_row(details_form, "meeting_date", self.meeting_date, gettext("Date"))
        self.details_fields.add_row(details_form, "place", self.place, gettext("Place"))
        self.details_fields.add_row(details_form, "chair_name", self.chair_name, gettext("Chair"))
        self.details_fields.add_row(details_form, "secretary_name", self.secretary_name, gettext("Secretary"))
        self.save_details_button = _button(gettext("Save details"), self._on_save_details_clicked)
        details_box = QGroupBox(gettext("Meeting"))
        details_layout = QVBoxLayout(details_box)
        details_layout.addLayout(details_form)
        details_layout.addWidget(self.save_details_button, 0, Qt.AlignmentFlag.AlignRight)

        # Members and quorum.
        self.members_model = MembersModel(self)
        self.members_view = record_table(
            self.members_model, stretch=(1,), widths={2: 100, 3: 90}, word_wrap=False
        )
        self.quorum_label = QLabel()
        self.members_problem = ProblemLabel()
        self.add_member_button = _button(gettext("Add…"), self._on_add_member_clicked)
        self.edit_member_button = _button(gettext("Edit…"), self._on_edit_member_clicked)
        self.remove_member_button = _button(gettext("Remove"), self._on_remove_member_clicked)
        member_buttons = QHBoxLayout()
        member_buttons.addWidget(self.quorum_label, 1)
        for button in (self.add_member_button, self.edit_member_button, self.remove_member_button):
            member_buttons.addWidget(button)
        members_box = QGroupBox(gettext("Members of the commission"))
        members_layout = QVBoxLayout(members_box)
        members_layout.addWidget(self.members_view, 1)
        members_layout.addWidget(self.members_problem)
        members_layout.addLayout(member_buttons)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(details_box)
        left_layout.addWidget(members_box, 1)

        # The agenda.
        self.agenda_model = AgendaModel(self)
        self.agenda_view = record_table(self.agenda_model, stretch=(3,), widths={2: 180}, word_wrap=False)
        self.agenda_problem = ProblemLabel()
        self.add_case_button = _button(gettext("Add a case…"), self._on_add_case_clicked)
        self.add_free_button = _button(gettext("Other item…"), self._on_add_free_clicked)
        self.up_button = _button(gettext("Up"), lambda: self._move_item(-1))
        self.down_button = _button(gettext("Down"), lambda: self._move_item(1))
        self.remove_item_button = _button(gettext("Remove"), self._on_remove_item_clicked)
        agenda_buttons = QHBoxLayout()
        for button in (self.add_case_button, self.add_free_button):
            agenda_buttons.addWidget(button)
        agenda_buttons.addStretch(1)
        for button in (self.up_button, self.down_button, self.remove_item_button):
            agenda_buttons.addWidget(button)
        self.agenda_box = QGroupBox(gettext("Agenda"))
        agenda_layout = QVBoxLayout(self.agenda_box)
        agenda_layout.addWidget(self.agenda_view, 1)
        agenda_layout.addWidget(self.agenda_problem)
        agenda_layout.addLayout(agenda_buttons)

        # The selected item.
        self.item_fields = FieldSet()
        self.item_title = QLineEdit()
        self.reported_by = QLineEdit()
        self.attendees = QLineEdit()
        self.parent_invited = QCheckBox(gettext("Parents or guardians invited"))
        self.parent_attended = QCheckBox(gettext("Parents or guardians attended"))
        self.discussion = QPlainTextEdit()
        self.discussion.setTabChangesFocus(True)
        self.discussion.setMinimumHeight(60)
        item_form = QFormLayout()
        item_form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.item_case = QLabel()
        self.item_case.setWordWrap(True)
        item_form.addRow(gettext("Case"), self.item_case)
        self.item_fields.add_row(item_form, "title", self.item_title, gettext("Item"))
        self.item_fields.add_row(item_form, "reported_by", self.reported_by, gettext("Reported by"))
        self.item_fields.add_row(item_form, "attendees", self.attendees, gettext("Attended"))
        self.item_fields.add_row(item_form, "parent_invited", self.parent_invited, span=True)
        self.item_fields.add_row(item_form, "parent_attended", self.parent_attended, span=True)
        self.item_fields.add_row(item_form, "discussion", self.discussion, gettext("Discussion"))
        self.save_item_button = _button(gettext("Save item"), self._on_save_item_clicked)
        item_inner = QWidget()
        item_inner_layout = QVBoxLayout(item_inner)
        item_inner_layout.setContentsMargins(0, 0, 0, 0)
        item_inner_layout.addLayout(item_form)
        item_inner_layout.addWidget(self.save_item_button, 0, Qt.AlignmentFlag.AlignRight)
        item_scroll = QScrollArea()
        item_scroll.setWidgetResizable(True)
        item_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        item_scroll.setWidget(item_inner)
        self.item_box = QGroupBox(gettext("Agenda item"))
        item_layout = QVBoxLayout(self.item_box)
        item_layout.setContentsMargins(4, 4, 4, 4)
        item_layout.addWidget(item_scroll)

        # The selected item's decisions.
        self.decisions_model = DecisionsModel(self)
        self.decisions_view = record_table(
            self.decisions_model, stretch=(1,), widths={2: 150, 3: 110, 4: 110}, word_wrap=False
        )
        self.decisions_problem = ProblemLabel()
        self.add_decision_button = _button(gettext("Add…"), self._on_add_decision_clicked)
        self.edit_decision_button = _button(gettext("Edit…"), self._on_edit_decision_clicked)
        self.remove_decision_button = _button(gettext("Remove"), self._on_remove_decision_clicked)
        self.follow_up_button = _button(gettext("Execution…"), self._on_follow_up_clicked)
        decision_buttons = QHBoxLayout()
        for button in (self.add_decision_button, self.edit_decision_button, self.remove_decision_button):
            decision_buttons.addWidget(button)
        decision_buttons.addStretch(1)
        decision_buttons.addWidget(self.follow_up_button)
        self.decisions_box = QGroupBox(gettext("Decisions"))
        decisions_layout = QVBoxLayout(self.decisions_box)
        decisions_layout.addWidget(self.decisions_view, 1)
        decisions_layout.addWidget(self.decisions_problem)
        decisions_layout.addLayout(decision_buttons)

        lower = QSplitter(Qt.Orientation.Horizontal)
        lower.addWidget(self.item_box)
        lower.addWidget(self.decisions_box)
        lower.setStretchFactor(0, 2)
        lower.setStretchFactor(1, 3)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.agenda_box)
        right.addWidget(lower)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 5)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setSizes([480, 880])
        lower.setSizes([360, 570])
        for part in (lower, right):
            part.setChildrenCollapsible(False)

        self.busy_label = QLabel(gettext("Saving…"))
        self.busy_label.hide()
        self.hold_button = _button(gettext("Meeting held"), self._on_hold_clicked)
        self.cancel_button = _button(gettext("Cancel the meeting"), self._on_cancel_clicked)
        self.close_button = _button(gettext("Close"), self._on_close_clicked)
        self.print_button = QToolButton()
        self.print_button.setText(gettext("Print…"))
        self.print_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.print_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.print_menu = QMenu(self.print_button)
        self.paper_actions: dict[str, QAction] = {}
        for form, title, _record in MEETING_PAPERS:
            action = self.print_menu.addAction(gettext(title))
            action.setData(form)
            self.paper_actions[form] = action
        self.print_menu.addSeparator()
        self.print_notices_action = self.print_menu.addAction(gettext("Print all notices…"))
        self.save_notices_action = self.print_menu.addAction(gettext("Save all notices as PDF…"))
        self.print_notices_action.setData("notices:printer")
        self.save_notices_action.setData("notices:pdf")
        self.print_menu.triggered.connect(self._on_print_menu_triggered)
        self.print_button.setMenu(self.print_menu)
        self.print_button.setVisible(ctx.can(Permission.PRINT))
        self.preview: QWidget | None = None
        self.batch: QObject | None = None
        QShortcut(QKeySequence(QKeySequence.StandardKey.Print), self).activated.connect(
            self._on_print_shortcut_activated
        )
        bottom = QHBoxLayout()
        bottom.addWidget(self.busy_label)
        bottom.addWidget(self.print_button)
        bottom.addStretch(1)
        for button in (self.hold_button, self.cancel_button, self.close_button):
            bottom.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.header)
        layout.addWidget(self.summary)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)

        for editor in self.details_fields.editors.values():
            changed_signal(editor).connect(self._on_details_edited)
        for editor in self.item_fields.editors.values():
            changed_signal(editor).connect(self._on_item_edited)
        self.members_model.presence_changed.connect(self._on_members_presence_changed)
        self.members_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.members_view.doubleClicked.connect(self._on_members_double_clicked)
        self.agenda_view.selectionModel().selectionChanged.connect(self._on_agenda_selection_changed)
        self.decisions_view.selectionModel().selectionChanged.connect(self._update_buttons)
        self.decisions_view.doubleClicked.connect(self._on_decisions_double_clicked)
        self._update_title()
        self._update_buttons()

    # --- reading ---------------------------------------------------------------------

    def load(self, *, record_view: bool = True) -> None:
        """Read the meeting (or a new meeting's defaults) in the background."""
        db, actor, meeting_id = self.ctx.db, self.ctx.actor, self.meeting_id

        def work(_progress: Progress) -> MeetingDetails | MeetingDefaults:
            if meeting_id is None:
                return kdd.meeting_defaults(db, actor)
            return kdd.get_meeting(db, actor, meeting_id, record_view=record_view)

        self._start(work, self._on_read, self._on_read_failed)

    @Slot(object)
    def _on_read(self, result: MeetingDetails | MeetingDefaults) -> None:
        self._filling = True
        try:
            if isinstance(result, MeetingDefaults):
                self.defaults = result
                self._fill_details(result.data)
                self.members_model.set_rows(result.members)
                self.agenda_model.set_rows([])
            else:
                self.meeting = result
                if not self.details_dirty:
                    self._fill_details(result.data)
                self.members_model.set_rows([m.as_input() for m in result.members])
                self._fill_agenda(result)
        finally:
            self._filling = False
        self._update_title()
        self._update_quorum()
        self._update_buttons()
        self.loaded.emit()

    def _on_read_failed(self, error: BaseException) -> None:
        if self.meeting is None and self.defaults is None:
            self._closed = True
            self.close()
            show_error(self.parentWidget(), error)
        else:
            self.summary.show_error(error_text(error))

    def _fill_details(self, data: MeetingInput) -> None:
        self.meeting_date.setDate(qdate(data.meeting_date))
        self.place.setText(data.place or "")
        self.chair_name.setText(data.chair_name or "")
        self.secretary_name.setText(data.secretary_name or "")

    def _fill_agenda(self, meeting: MeetingDetails) -> None:
        keep = self._current_item
        self.agenda_model.set_rows(meeting.items)
        row = next((i for i, item in enumerate(meeting.items) if item.id == keep), 0 if meeting.items else -1)
        if row >= 0:
            self.agenda_view.selectRow(row)
        self._show_item(self.agenda_model.row_entry(row) if row >= 0 else None)

    def _show_item(self, item: ItemDetails | None) -> None:
        """Show *item*'s details (unless its form has unsaved changes) and its decisions."""
        same = item is not None and item.id == self._current_item
        self._current_item = item.id if item else None
        if not (same and self.item_dirty):
            self._filling = True
            try:
                self.item_fields.clear()
                self.item_title.setText(item.title if item else "")
                self.reported_by.setText(item.reported_by or "" if item else "")
                self.attendees.setText(item.attendees or "" if item else "")
                self.parent_invited.setChecked(bool(item and item.parent_invited))
                self.parent_attended.setChecked(bool(item and item.parent_attended))
                self.discussion.setPlainText(item.discussion or "" if item else "")
            finally:
                self._filling = False
            self.item_dirty = False
        if item is None:
            self.item_case.setText("")
        elif item.case_number:
            self.item_case.setText(f"№ {item.case_number} — {item.child_name}")
        else:
            self.item_case.setText(gettext("Without a case"))
        self.decisions_model.set_rows(item.decisions if item else [])
        self._update_dirty()
        self._update_buttons()

    # --- state -----------------------------------------------------------------------

    @property
    def editable(self) -> bool:
        """Whether the meeting may still be changed (planned, or a new one) by this user."""
        return self.can_write and (self.meeting is None or self.meeting.editable)

    def current_item(self) -> ItemDetails | None:
        rows = self.agenda_view.selectionModel().selectedRows()
        return self.agenda_model.row_entry(rows[0].row()) if rows else None

    def current_decision(self) -> DecisionDetails | None:
        rows = self.decisions_view.selectionModel().selectedRows()
        return self.decisions_model.row_entry(rows[0].row()) if rows else None

    def _update_title(self) -> None:
        if self.meeting is not None:
            status = gettext(MEETING_STATUS_LABELS.get(self.meeting.status, self.meeting.status))
            title = gettext("КДД meeting No. {number}").format(number=self.meeting.number)
            header = f"{title} — {status}"
            if self.meeting.cancel_reason:
                header += " (" + self.meeting.cancel_reason + ")"
        elif self.meeting_id is None:
            title = header = gettext("New КДД meeting")
        else:
            title = header = gettext("Loading…")
        self.header.setText(header)
        self.setWindowTitle(title + "[*]")

    def _update_quorum(self) -> None:
        members = self.members_model.members()
        self.quorum_label.setText(quorum_text(sum(1 for m in members if m.present), len(members)))

    def _update_dirty(self) -> None:
        self.setWindowModified(self.details_dirty or self.item_dirty)

    @Slot()
    def _update_buttons(self) -> None:
        editable = self.editable and not self._busy
        stored = self.meeting is not None
        item = self.current_item() if stored else None
        decision = self.current_decision() if item else None
        held = stored and self.meeting is not None and self.meeting.status == "held"
        member_selected = bool(self.members_view.selectionModel().selectedRows())
        self.save_details_button.setText(gettext("Save details") if stored else gettext("Plan the meeting"))
        self.save_details_button.setEnabled(editable)
        for button in (self.edit_member_button, self.remove_member_button):
            button.setEnabled(editable and member_selected)
        self.add_member_button.setEnabled(editable)
        self.members_model.set_editable(editable)
        self.agenda_box.setEnabled(stored)
        self.item_box.setEnabled(item is not None)
        self.decisions_box.setEnabled(item is not None)
        for button in (self.add_case_button, self.add_free_button):
            button.setEnabled(editable and stored)
        for button in (self.up_button, self.down_button, self.remove_item_button, self.save_item_button):
            button.setEnabled(editable and item is not None)
        self.add_decision_button.setEnabled(editable and item is not None)
        for button in (self.edit_decision_button, self.remove_decision_button):
            button.setEnabled(editable and decision is not None)
        self.follow_up_button.setEnabled(self.can_write and not self._busy and held and decision is not None)
        self.hold_button.setEnabled(editable and stored)
        self.cancel_button.setEnabled(editable and stored)
        self.print_button.setEnabled(stored)
        for form, _title, record in MEETING_PAPERS:
            self.paper_actions[form].setEnabled(record == "meeting" or item is not None)
        for editor in (*self.details_fields.editors.values(), *self.item_fields.editors.values()):
            if isinstance(editor, QLineEdit | QPlainTextEdit | QDateEdit):
                editor.setReadOnly(not editable)
            else:
                editor.setEnabled(editable)
        if not self.can_write:
            for button in (
                self.save_details_button,
                self.add_member_button,
                self.edit_member_button,
                self.remove_member_button,
                self.add_case_button,
                self.add_free_button,
                self.up_button,
                self.down_button,
                self.remove_item_button,
                self.save_item_button,
                self.add_decision_button,
                self.edit_decision_button,
                self.remove_decision_button,
                self.follow_up_button,
                self.hold_button,
                self.cancel_button,
            ):
                button.hide()

    # --- running services ------------------------------------------------------------

    def _start(
        self,
        work: Callable[[Progress], T],
        done: Callable[[T], None],
        failed: Callable[[BaseException], None],
    ) -> None:
        """Run *work* in the background; *done* or *failed* get its end unless the window closed meanwhile."""

        def finished(result: T) -> None:
            self.running_tasks -= 1
            if not self._closed:
                done(result)

        def went_wrong(error: BaseException) -> None:
            self.running_tasks -= 1
            if not self._closed:
                failed(error)

        self.running_tasks += 1
        run_task(work, finished, parent=self, on_error=went_wrong)

    def _write(
        self,
        work: Callable[[], T],
        done: Callable[[T], None] | None = None,
        *,
        problems: Callable[[list[FieldProblem]], None] | None = None,
        problem_line: ProblemLabel | None = None,
    ) -> None:
        """Run a write in the background; then read the meeting again and tell the other windows.

        Refused values go to *problems* (the fields of a form) or to *problem_line*; the typed
        text stays where it is.
        """
        self._set_busy(True)
        for line in (self.summary, self.members_problem, self.agenda_problem, self.decisions_problem):
            line.clear_problem()

        def finished(result: T) -> None:
            self._set_busy(False)
            if done is not None:
                done(result)
            self.ctx.announce_change("kdd_meeting")
            self.written.emit()
            if self._close_when_saved and not (self.details_dirty or self.item_dirty):
                self._closed = True
                self.close()
                return
            self.load(record_view=False)

        def failed(error: BaseException) -> None:
            self._set_busy(False)
            self._close_when_saved = False
            line = problem_line or self.summary
            if isinstance(error, ValidationFailed):
                if problems is not None:
                    problems(list(error.problems))
                else:
                    line.show_error("\n".join(p.render() for p in error.problems))
            elif isinstance(error, DomainError):  # a stale record too: show the stored one
                line.show_error(error.message.render())
                self.load(record_view=False)
            else:
                show_error(self, error, self.windowTitle().replace("[*]", ""))

        self._start(lambda _p: work(), finished, failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.busy_label.setVisible(busy)
        self._update_buttons()

    # --- the meeting's details -------------------------------------------------------

    def details_value(self) -> MeetingInput:
        return MeetingInput(
            date_of(self.meeting_date),
            text_or_none(self.place),
            text_or_none(self.chair_name),
            text_or_none(self.secretary_name),
        )

    @Slot()
    def _on_details_edited(self) -> None:
        if self._filling:
            return
        self.details_fields.clear()
        self.details_dirty = True
        self._update_dirty()

    @Slot()
    def _on_save_details_clicked(self) -> None:
        self.save_details()

    def save_details(self) -> None:
        db, actor, data = self.ctx.db, self.ctx.actor, self.details_value()
        self.details_fields.clear()
        if self.meeting is None:
            members = self.members_model.members()

            def plan() -> kdd.Planned:
                return kdd.plan_meeting(db, actor, data, members)

            self._write(plan, self._on_planned, problems=self._show_details_problems)
            return
        meeting_id, version = self.meeting.id, self.meeting.version
        self._write(
            lambda: kdd.update_meeting(db, actor, meeting_id, data, version),
            lambda _version: self._details_saved(),
            problems=self._show_details_problems,
        )

    def _on_planned(self, planned: kdd.Planned) -> None:
        self.meeting_id = planned.id
        open_meetings(self.ctx).windows[planned.id] = self
        self._details_saved()

    def _details_saved(self) -> None:
        self.details_dirty = False
        self._update_dirty()

    def _show_details_problems(self, problems: list[FieldProblem]) -> None:
        unplaced = self.details_fields.show_errors(problems)
        members = [p for p in unplaced if p.field == "members"]
        if members:
            self.members_problem.show_error("\n".join(p.render() for p in members))
        items = [p for p in unplaced if p.field == "items"]
        if items:
            self.agenda_problem.show_error("\n".join(p.render() for p in items))
        other = [p for p in unplaced if p.field not in ("members", "items")]
        if other:
            self.summary.show_error("\n".join(p.render() for p in other))

    # --- members ---------------------------------------------------------------------

    def _members_changed(self, members: list[MemberInput]) -> None:
        if self.meeting is None:  # a new meeting: the list is sent when it is planned
            self.members_model.set_rows(members)
            self.details_dirty = True
            self._update_dirty()
            self._update_quorum()
            self._update_buttons()
            return
        db, actor, meeting_id, version = self.ctx.db, self.ctx.actor, self.meeting.id, self.meeting.version
        self._write(
            lambda: kdd.set_members(db, actor, meeting_id, members, version),
            problem_line=self.members_problem,
        )

    def _selected_member_row(self) -> int:
        rows = self.members_view.selectionModel().selectedRows()
        return rows[0].row() if rows else -1

    @Slot()
    def _on_add_member_clicked(self) -> None:
        member = dialogs.edit_member(self, self.ctx, None)
        if member is not None:
            self._members_changed([*self.members_model.members(), member])

    @Slot()
    def _on_edit_member_clicked(self) -> None:
        row = self._selected_member_row()
        members = self.members_model.members()
        if not 0 <= row < len(members) or not self.editable:
            return
        member = dialogs.edit_member(self, self.ctx, members[row])
        if member is not None:
            members[row] = member
            self._members_changed(members)

    @Slot(QModelIndex)
    def _on_members_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid() and index.column() > 0:
            self._on_edit_member_clicked()

    @Slot()
    def _on_remove_member_clicked(self) -> None:
        row = self._selected_member_row()
        members = self.members_model.members()
        if 0 <= row < len(members):
            del members[row]
            self._members_changed(members)

    @Slot(int, bool)
    def _on_members_presence_changed(self, row: int, present: bool) -> None:
        self._update_quorum()
        member = self.members_model.row_entry(row)
        if self.meeting is None or member is None or member.id is None:
            self.details_dirty = True  # a new meeting's list, sent when it is planned
            self._update_dirty()
            return
        db, actor, member_id = self.ctx.db, self.ctx.actor, member.id
        self._write(
            lambda: kdd.set_presence(db, actor, member_id, present), problem_line=self.members_problem
        )

    # --- agenda ----------------------------------------------------------------------

    @Slot()
    def _on_add_case_clicked(self) -> None:
        if self.meeting is None:
            return
        choice = dialogs.pick_case(self, self.ctx)
        if choice is None:
            return
        self._add_item(ItemInput(case_id=choice.id))

    @Slot()
    def _on_add_free_clicked(self) -> None:
        if self.meeting is None:
            return
        title = dialogs.ask_item_title(self)
        if title:
            self._add_item(ItemInput(title))

    def _add_item(self, data: ItemInput) -> None:
        assert self.meeting is not None
        db, actor, meeting_id = self.ctx.db, self.ctx.actor, self.meeting.id

        def added(item_id: uuid.UUID) -> None:
            self._current_item = item_id

        self._write(
            lambda: kdd.add_item(db, actor, meeting_id, data), added, problem_line=self.agenda_problem
        )

    def _move_item(self, offset: int) -> None:
        item = self.current_item()
        if item is None:
            return
        db, actor = self.ctx.db, self.ctx.actor
        self._write(lambda: kdd.move_item(db, actor, item.id, offset), problem_line=self.agenda_problem)

    @Slot()
    def _on_remove_item_clicked(self) -> None:
        item = self.current_item()
        if item is None:
            return
        text = gettext("Remove the item «{title}» and its decisions from the agenda?").format(
            title=item.title
        )
        if not dialogs.ask_remove(self, text):
            return
        db, actor = self.ctx.db, self.ctx.actor
        self.item_dirty = False
        self._current_item = None
        self._write(
            lambda: kdd.remove_item(db, actor, item.id, item.version), problem_line=self.agenda_problem
        )

    @Slot(QItemSelection, QItemSelection)
    def _on_agenda_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        item = self.current_item()
        if self._filling or (item is not None and item.id == self._current_item):
            self._update_buttons()
            return
        if self.item_dirty and self._current_item is not None:
            choice = base.ask_unsaved_changes(self)
            if choice is base.UnsavedChoice.CANCEL:
                self._select_item(self._current_item)
                return
            if choice is base.UnsavedChoice.SAVE:
                self.save_item()
            self.item_dirty = False
        self._show_item(item)

    def _select_item(self, item_id: uuid.UUID) -> None:
        for row in range(self.agenda_model.rowCount()):
            entry = self.agenda_model.row_entry(row)
            if entry is not None and entry.id == item_id:
                self._filling = True
                try:
                    self.agenda_view.selectRow(row)
                finally:
                    self._filling = False
                return

    def _stored_item(self, item_id: uuid.UUID | None) -> ItemDetails | None:
        if self.meeting is None or item_id is None:
            return None
        return next((i for i in self.meeting.items if i.id == item_id), None)

    def item_value(self, item: ItemDetails) -> ItemInput:
        return ItemInput(
            self.item_title.text().strip(),
            item.case_id,
            text_or_none(self.reported_by),
            text_or_none(self.attendees),
            self.parent_invited.isChecked(),
            self.parent_attended.isChecked(),
            text_or_none(self.discussion),
        )

    @Slot()
    def _on_item_edited(self) -> None:
        if self._filling:
            return
        self.item_fields.clear()
        self.item_dirty = True
        self._update_dirty()

    @Slot()
    def _on_save_item_clicked(self) -> None:
        self.save_item()

    def save_item(self) -> None:
        """Save the item form (of the item it shows, even if another is being selected)."""
        item = self._stored_item(self._current_item)
        if item is None:
            return
        db, actor, data, item_id, version = (
            self.ctx.db,
            self.ctx.actor,
            self.item_value(item),
            item.id,
            item.version,
        )

        def saved(_version: int) -> None:
            if self._current_item == item_id:
                self.item_dirty = False
                self._update_dirty()

        def refused(problems: list[FieldProblem]) -> None:
            if self._current_item == item_id:
                unplaced = self.item_fields.show_errors(problems)
                if unplaced:
                    self.summary.show_error("\n".join(p.render() for p in unplaced))
            else:
                self.summary.show_error("\n".join(p.render() for p in problems))

        self._write(lambda: kdd.update_item(db, actor, item_id, data, version), saved, problems=refused)

    # --- decisions -------------------------------------------------------------------

    @Slot()
    def _on_add_decision_clicked(self) -> None:
        self._edit_decision(None, None)

    @Slot()
    def _on_edit_decision_clicked(self) -> None:
        decision = self.current_decision()
        if decision is not None:
            self._edit_decision(decision, decision.as_input())

    @Slot(QModelIndex)
    def _on_decisions_double_clicked(self, index: QModelIndex) -> None:
        if not index.isValid():
            return
        if self.meeting is not None and self.meeting.status == "held":
            self._on_follow_up_clicked()
        elif self.editable:
            self._on_edit_decision_clicked()

    def _edit_decision(
        self,
        decision: DecisionDetails | None,
        typed: kdd.DecisionInput | None,
        problems: list[FieldProblem] | None = None,
    ) -> None:
        item = self.current_item()
        if item is None or self.meeting is None:
            return
        data = dialogs.edit_decision(
            self,
            self.ctx,
            typed,
            self.meeting.data.meeting_date,
            self.meeting.kdd_decision_days,
            problems or (),
        )
        if data is None:
            return
        db, actor = self.ctx.db, self.ctx.actor

        def again(refused: list[FieldProblem]) -> None:
            self._edit_decision(decision, data, refused)

        if decision is None:
            item_id = item.id
            self._write(
                lambda: kdd.add_decision(db, actor, item_id, data),
                problems=again,
                problem_line=self.decisions_problem,
            )
        else:
            decision_id, version = decision.id, decision.version
            self._write(
                lambda: kdd.update_decision(db, actor, decision_id, data, version),
                problems=again,
                problem_line=self.decisions_problem,
            )

    @Slot()
    def _on_remove_decision_clicked(self) -> None:
        decision = self.current_decision()
        if decision is None:
            return
        text = gettext("Remove the decision No. {number}?").format(number=decision.decision_no or "")
        if not dialogs.ask_remove(self, text):
            return
        db, actor = self.ctx.db, self.ctx.actor
        self._write(
            lambda: kdd.remove_decision(db, actor, decision.id, decision.version),
            problem_line=self.decisions_problem,
        )

    @Slot()
    def _on_follow_up_clicked(self) -> None:
        decision = self.current_decision()
        if decision is not None and self.can_write:
            self._follow_up(decision, decision.done_on, decision.follow_up)

    def _follow_up(
        self,
        decision: DecisionDetails,
        done_on: Any,
        note: str | None,
        problems: list[FieldProblem] | None = None,
    ) -> None:
        answer = dialogs.ask_follow_up(self, self.ctx, done_on, note, problems or ())
        if answer is None:
            return
        new_done, new_note = answer
        db, actor, decision_id, version = self.ctx.db, self.ctx.actor, decision.id, decision.version

        def again(refused: list[FieldProblem]) -> None:
            self._follow_up(decision, new_done, new_note, refused)

        self._write(
            lambda: kdd.record_follow_up(
                db, actor, decision_id, done_on=new_done, follow_up=new_note, expected_version=version
            ),
            problems=again,
            problem_line=self.decisions_problem,
        )

    # --- holding and cancelling ------------------------------------------------------

    @Slot()
    def _on_hold_clicked(self) -> None:
        if self.meeting is None:
            return
        members = self.members_model.members()
        present = sum(1 for m in members if m.present)
        if not dialogs.confirm_hold(self, self.meeting.number, present, len(members)):
            return
        db, actor, meeting_id, version = self.ctx.db, self.ctx.actor, self.meeting.id, self.meeting.version
        self._write(
            lambda: kdd.hold_meeting(db, actor, meeting_id, version), problems=self._show_details_problems
        )

    @Slot()
    def _on_cancel_clicked(self) -> None:
        if self.meeting is None:
            return
        reason = dialogs.ask_cancel_reason(self)
        if not reason:
            return
        db, actor, meeting_id, version = self.ctx.db, self.ctx.actor, self.meeting.id, self.meeting.version
        self._write(lambda: kdd.cancel_meeting(db, actor, meeting_id, reason, version))

    # --- closing ---------------------------------------------------------------------

    # --- printing ----------------------------------------------------------------------

    def print_paper(self, form: str) -> None:
        """Open the preview of a paper of the meeting, or of the chosen item (see :data:`MEETING_PAPERS`)."""
        record = next(record for name, _title, record in MEETING_PAPERS if name == form)
        item = self.current_item()
        record_id = self.meeting.id if record == "meeting" and self.meeting else item.id if item else None
        if record_id is not None:
            self.preview = show_preview(self.ctx, form, record_id, parent=self)

    def print_notices(self, destination: str) -> None:
        """Print (or save) the notices of every agenda item to which parents or guardians are invited."""
        if self.meeting is not None:
            from ui.printing.batch import print_meeting_notices

            self.batch = print_meeting_notices(self.ctx, self.meeting.id, self, destination)

    @Slot(QAction)
    def _on_print_menu_triggered(self, action: QAction) -> None:
        what = str(action.data() or "")
        if what.startswith("notices:"):
            self.print_notices(what.removeprefix("notices:"))
        elif what:
            self.print_paper(what)

    @Slot()
    def _on_print_shortcut_activated(self) -> None:
        """Ctrl+P: the agenda of a planned meeting, the protocol of one held."""
        if self.meeting is not None and self.print_button.isEnabled() and self.ctx.can(Permission.PRINT):
            self.print_paper("kdd-protocol" if self.meeting.status == "held" else "kdd-agenda")

    @Slot()
    def _on_close_clicked(self) -> None:
        self.close()

    def reject(self) -> None:
        """Escape closes the window through the unsaved-changes guard."""
        self.close()

    def _save_to_close(self) -> bool:
        self._close_when_saved = True
        if self.details_dirty:
            self.save_details()
        if self.item_dirty:
            self.save_item()
        return False  # the window closes once both are saved

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        unsaved = not self._closed and self.editable and (self.details_dirty or self.item_dirty)
        if not base.may_close(self, event, unsaved=unsaved, save_and_close=self._save_to_close):
            return
        self._closed = True
        self.save_geometry()
        event.accept()


class _OpenMeetings(QObject):
    """The meeting windows open in one session (a child of the session's context)."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__(ctx)
        self.setObjectName("open_kdd_meetings")
        self.windows: dict[uuid.UUID, MeetingWindow] = {}

    def forget(self, window: MeetingWindow) -> None:
        for key, value in list(self.windows.items()):
            if value is window:
                del self.windows[key]


def open_meetings(ctx: AppContext) -> _OpenMeetings:
    registry = ctx.findChild(_OpenMeetings, "open_kdd_meetings", Qt.FindChildOption.FindDirectChildrenOnly)
    if isinstance(registry, _OpenMeetings):
        return registry
    return _OpenMeetings(ctx)


def open_meeting(
    ctx: AppContext, meeting_id: uuid.UUID | None, parent: QWidget | None = None
) -> MeetingWindow:
    """Show a meeting's window (a new meeting's when *meeting_id* is None); returns it.

    One window per meeting: a meeting whose window is open already is brought to the front.
    """
    registry = open_meetings(ctx)
    if meeting_id is not None and (existing := registry.windows.get(meeting_id)) is not None:
        existing.showNormal()
        existing.raise_()
        existing.activateWindow()
        return existing
    window = MeetingWindow(ctx, meeting_id, parent)
    if meeting_id is not None:
        registry.windows[meeting_id] = window
    window.destroyed.connect(lambda *_args: registry.forget(window))
    window.load()
    window.show()
    return window
