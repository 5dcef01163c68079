"""Table models of a КДД meeting's window: members with presence, the agenda, decisions, the case picker."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QWidget

from models.i18n import N_, gettext
from models.registers import CASE_STATUS_LABELS
from models.services.kdd import MEMBER_ROLE_LABELS, CaseChoice, DecisionDetails, ItemDetails, MemberInput
from models.validation import format_date

from ui.forms.widgets import ERROR_COLOUR, ModelIndex, RowsModel

# The role under which each model gives the row object of an index.
RowRole = Qt.ItemDataRole.UserRole + 1


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return gettext("Yes") if value else gettext("No")


class MembersModel(RowsModel[MemberInput]):
    """The members of a meeting; the first column is a check box "present".

    Signals:
        presence_changed(int, bool): the user ticked or cleared "present" of the member in a row.
    """

    presence_changed = Signal(int, bool)
    HEADERS = (N_("Present"), N_("Full name"), N_("Position"), N_("Role"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._editable = False

    def set_editable(self, editable: bool) -> None:
        self._editable = editable
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def members(self) -> list[MemberInput]:
        return list(self._rows)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        member = self.row_at(index)
        if member is None:
            return None
        column = index.column()
        if role == RowRole:
            return member
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            return Qt.CheckState.Checked if member.present else Qt.CheckState.Unchecked
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if column == 1:
                return member.full_name
            if column == 2:
                return member.job_title or ""
            if column == 3:
                return gettext(MEMBER_ROLE_LABELS.get(member.role, member.role))
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0 and self._editable:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        member = self.row_at(index)
        if (
            member is None
            or index.column() != 0
            or role != Qt.ItemDataRole.CheckStateRole
            or not self._editable
        ):
            return False
        present = Qt.CheckState(value) == Qt.CheckState.Checked
        if present != member.present:
            self.set_present(index.row(), present)
            self.presence_changed.emit(index.row(), present)
        return True

    def set_present(self, row: int, present: bool) -> None:
        member = self._rows[row]
        self._rows[row] = MemberInput(member.full_name, member.job_title, member.role, present, member.id)
        changed = self.index(row, 0)
        self.dataChanged.emit(changed, changed, [Qt.ItemDataRole.CheckStateRole])


class AgendaModel(RowsModel[ItemDetails]):
    """The agenda items of a meeting in their order."""

    HEADERS = (N_("No."), N_("Case No."), N_("Child"), N_("Item"), N_("Decisions"))

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index)
        if item is None:
            return None
        if role == RowRole:
            return item
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return (
            str(index.row() + 1),
            item.case_number or "",
            item.child_name or "",
            item.title,
            str(len(item.decisions)),
        )[index.column()]


def due_text(decision: DecisionDetails) -> str:
    """The due date of a decision; one without a deadline of its own is marked as the standard period."""
    text = format_date(decision.due)
    return text if decision.deadline is not None else gettext("{date} (standard period)").format(date=text)


def follow_up_text(decision: DecisionDetails) -> str:
    if decision.done_on is not None:
        return gettext("Done {date}").format(date=format_date(decision.done_on))
    if decision.overdue:
        return gettext("Overdue")
    return gettext("Not done yet")


class DecisionsModel(RowsModel[DecisionDetails]):
    """The decisions of an agenda item; overdue ones in red."""

    HEADERS = (N_("No."), N_("Decision"), N_("Responsible body"), N_("Deadline"), N_("Execution"))

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        decision = self.row_at(index)
        if decision is None:
            return None
        if role == RowRole:
            return decision
        if role == Qt.ItemDataRole.ForegroundRole and decision.overdue and index.column() in (3, 4):
            return QColor(ERROR_COLOUR)
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4:
            return decision.follow_up or None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        return (
            str(decision.decision_no or ""),
            decision.text,
            decision.responsible_body or "",
            due_text(decision),
            follow_up_text(decision),
        )[index.column()]


class CaseChoicesModel(RowsModel[CaseChoice]):
    """Open cases found by the agenda's case picker."""

    HEADERS = (N_("Case No."), N_("Child"), N_("Date of birth"), N_("Case status"))

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        choice = self.row_at(index)
        if choice is None:
            return None
        if role == RowRole:
            return choice
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            choice.number,
            choice.child_name,
            format_date(choice.birth_date) if choice.birth_date else "",
            gettext(CASE_STATUS_LABELS.get(choice.status, choice.status)),
        )[index.column()]
