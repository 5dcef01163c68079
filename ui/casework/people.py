"""The Child and household tab of a case's workspace: the child's key fields and the household's members."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Slot
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
from models.services.casefile import CasePeople, MemberRow, case_people
from models.validation import format_date

from ui.casework.tab import CaseTab
from ui.context import AppContext
from ui.forms.widgets import ProblemLabel, RowsModel, record_table

ModelIndex = QModelIndex | QPersistentModelIndex


class MembersModel(RowsModel[MemberRow]):
    """The members of the child's household."""

    HEADERS = (
        N_("Full name"),
        N_("Relation"),
        N_("Date of birth"),
        N_("Phone"),
        N_("Occupation"),
        N_("Notes"),
    )

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        member = self.row_at(index)
        if member is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        column = index.column()
        if column == 0:
            return member.name
        if column == 1:
            return member.relation or ""
        if column == 2:
            if member.birth_date is None:
                return ""
            return f"{format_date(member.birth_date)} ({member.age})"
        if column == 3:
            return member.phone or ""
        if column == 4:
            return member.occupation or ""
        notes = []
        if member.caregiver:
            notes.append(gettext("caregiver"))
        if not member.lives_with_child:
            notes.append(gettext("lives apart"))
        if member.migration:
            notes.append(gettext("in labour migration: {country}").format(country=member.migration))
        return "; ".join(notes)


class PeopleTab(CaseTab):
    """The child of the case and the household, with buttons that open their forms."""

    title = N_("Child and household")

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.people: CasePeople | None = None
        self.problem = ProblemLabel()
        self.child_box = QGroupBox(gettext("Child"))
        self.child_name = QLabel(gettext("Loading…"))
        font = self.child_name.font()
        font.setBold(True)
        self.child_name.setFont(font)
        self.child_fields = QFormLayout()
        self.open_child_button = QPushButton(gettext("Open the child's card"))
        self.open_child_button.setAutoDefault(False)
        child_layout = QVBoxLayout(self.child_box)
        child_layout.addWidget(self.child_name)
        child_layout.addLayout(self.child_fields)
        child_layout.addStretch(1)
        child_buttons = QHBoxLayout()
        child_buttons.addStretch(1)
        child_buttons.addWidget(self.open_child_button)
        child_layout.addLayout(child_buttons)

        self.household_box = QGroupBox(gettext("Household"))
        self.household_address = QLabel()
        self.household_address.setWordWrap(True)
        self.members = MembersModel(self)
        self.members_view = record_table(self.members, single=False)
        self.members_view.horizontalHeader().setStretchLastSection(True)
        self.open_household_button = QPushButton(gettext("Open the household"))
        self.open_household_button.setAutoDefault(False)
        self.open_member_button = QPushButton(gettext("Open the person's card"))
        self.open_member_button.setAutoDefault(False)
        household_layout = QVBoxLayout(self.household_box)
        household_layout.addWidget(self.household_address)
        household_layout.addWidget(self.members_view, 1)
        household_buttons = QHBoxLayout()
        household_buttons.addStretch(1)
        household_buttons.addWidget(self.open_member_button)
        household_buttons.addWidget(self.open_household_button)
        household_layout.addLayout(household_buttons)

        body = QHBoxLayout()
        body.addWidget(self.child_box, 2)
        body.addWidget(self.household_box, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addLayout(body, 1)
        self.open_child_button.clicked.connect(self._on_open_child_button_clicked)
        self.open_household_button.clicked.connect(self._on_open_household_button_clicked)
        self.open_member_button.clicked.connect(self._on_open_member_button_clicked)
        self.members_view.doubleClicked.connect(self._on_members_view_double_clicked)
        self.open_child_button.setEnabled(False)
        self.open_household_button.setEnabled(False)
        self.refresh()

    def refresh(self) -> None:
        self.read_in_background(partial(case_people, lang=current_language()), self._show)

    def _show(self, people: CasePeople) -> None:
        self.people = people
        self.problem.clear_problem()
        self.child_name.setText(people.child_name)
        while self.child_fields.rowCount():
            self.child_fields.removeRow(0)
        for label, value in people.child_fields:
            text = QLabel(value)
            text.setWordWrap(True)
            text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.child_fields.addRow(label, text)
        self.open_child_button.setEnabled(True)
        has_household = people.household_id is not None
        self.open_household_button.setEnabled(has_household)
        self.open_member_button.setEnabled(bool(people.members))
        if has_household:
            self.household_address.setText(people.household_address or gettext("Address not recorded"))
        else:
            self.household_address.setText(gettext("The child is not in a registered household."))
        self.members.set_rows(people.members)

    @Slot()
    def _on_open_child_button_clicked(self) -> None:
        if self.people is not None:
            self.ctx.open_record("person", self.people.child_id)

    @Slot()
    def _on_open_household_button_clicked(self) -> None:
        if self.people is not None and self.people.household_id is not None:
            self.ctx.open_record("household", self.people.household_id)

    @Slot()
    def _on_open_member_button_clicked(self) -> None:
        self._open_member(self.members_view.currentIndex())

    @Slot(QModelIndex)
    def _on_members_view_double_clicked(self, index: QModelIndex) -> None:
        self._open_member(index)

    def _open_member(self, index: QModelIndex) -> None:
        member = self.members.row_at(index)
        if member is not None:
            self.ctx.open_record("person", member.person_id)
