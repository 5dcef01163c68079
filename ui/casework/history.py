"""The History tab of a case's workspace: the audit trail of the case and its records, newest first."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QVBoxLayout, QWidget

from models.i18n import N_, current_language, gettext
from models.services.casefile import DEFAULT_HISTORY_LIMIT, HistoryEntry, case_history

from ui.casework.tab import CaseTab
from ui.context import AppContext
from ui.forms.widgets import ProblemLabel, RowsModel, record_table

ModelIndex = QModelIndex | QPersistentModelIndex
ACTION_ROLE = Qt.ItemDataRole.UserRole + 1


def moment(entry_at: Any) -> str:
    return entry_at.strftime("%d.%m.%Y %H:%M")


class HistoryModel(RowsModel[HistoryEntry]):
    """The entries of a case's history; :data:`ACTION_ROLE` gives the action's code (``case.view`` …)."""

    HEADERS = (N_("When"), N_("Who"), N_("Event"), N_("Record"), N_("Details"))

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: list[tuple[str, str, str, str, str]] = []

    def set_rows(self, rows: Iterable[HistoryEntry]) -> None:
        entries = list(rows)
        self._texts = [(moment(e.at), e.who, e.label, e.record, e.details) for e in entries]
        super().set_rows(entries)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.row_at(index)
        if entry is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._texts[index.row()][index.column()]
        if role == ACTION_ROLE:
            return entry.action
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == 4 and entry.details:
            return entry.details
        return None


class HistoryTab(CaseTab):
    """The case's history, read in the background when the tab is created and on each refresh.

    Signals:
        loaded(int): the history was read and shown; the number of entries.
    """

    title = N_("History")
    loaded = Signal(int)

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.model = HistoryModel(self)
        self.view = record_table(
            self.model, resize=QHeaderView.ResizeMode.Interactive, single=False, word_wrap=False
        )
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setResizeContentsPrecision(
            40
        )  # column widths from the first rows: a full history has hundreds
        self.problem = ProblemLabel()
        self.status = QLabel(gettext("Loading…"))
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self.view, 1)
        layout.addLayout(bottom)
        self._sized = False
        self.refresh()

    def refresh(self) -> None:
        self.read_in_background(partial(case_history, lang=current_language()), self._show)

    def _show(self, entries: list[HistoryEntry]) -> None:
        self.problem.clear_problem()
        self.model.set_rows(entries)
        if not self._sized and entries:
            self._sized = True
            for column in range(4):
                self.view.resizeColumnToContents(column)
        if len(entries) >= DEFAULT_HISTORY_LIMIT:
            self.status.setText(gettext("The latest {n} entries.").format(n=len(entries)))
        elif entries:
            self.status.setText("")
        else:
            self.status.setText(gettext("Nothing recorded yet."))
        self.loaded.emit(len(entries))
