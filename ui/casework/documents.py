"""The Documents tab of a case's workspace: the documents printed for the case, from the audit log."""

from __future__ import annotations

import uuid
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from models.i18n import N_, current_language, gettext
from models.services.casefile import DocumentEntry, case_documents

from ui.casework.history import moment
from ui.casework.tab import CaseTab
from ui.context import AppContext
from ui.forms.widgets import ProblemLabel, RowsModel, record_table

ModelIndex = QModelIndex | QPersistentModelIndex

LANGUAGE_LABELS = {"ky": N_("Kyrgyz"), "ru": N_("Russian"), "ky+ru": N_("Kyrgyz and Russian")}


class DocumentsModel(RowsModel[DocumentEntry]):
    """The documents printed for a case, newest first."""

    HEADERS = (N_("When"), N_("Document"), N_("Number"), N_("Language"), N_("Who"), N_("Record"))

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        entry = self.row_at(index)
        if entry is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        language = (
            gettext(LANGUAGE_LABELS[entry.language]) if entry.language in LANGUAGE_LABELS else entry.language
        )
        return (moment(entry.at), entry.document, entry.number, language, entry.who, entry.record)[
            index.column()
        ]


class DocumentsTab(CaseTab):
    """The documents printed for the case (each print is written to the audit log).

    Signals:
        loaded(int): the list was read and shown; the number of documents.
    """

    title = N_("Documents")
    loaded = Signal(int)

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(ctx, case_id, parent)
        self.model = DocumentsModel(self)
        self.view = record_table(self.model, stretch=(1,), single=False)
        self.problem = ProblemLabel()
        self.status = QLabel(gettext("Loading…"))
        layout = QVBoxLayout(self)
        layout.addWidget(self.problem)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)
        self.refresh()

    def refresh(self) -> None:
        self.read_in_background(partial(case_documents, lang=current_language()), self._show)

    def _show(self, documents: list[DocumentEntry]) -> None:
        self.problem.clear_problem()
        self.model.set_rows(documents)
        self.status.setText("" if documents else gettext("No documents were printed for this case yet."))
        self.loaded.emit(len(documents))
