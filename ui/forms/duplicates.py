"""The persons already registered who may be the child being entered, and the choice what to do."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSettings,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.duplicates import (
    SAME_NAME,
    SAME_NAME_AND_BIRTH_DATE,
    SAME_PIN,
    SIMILAR_NAME_SAME_BIRTH_DATE,
    DuplicateCandidate,
)
from models.i18n import N_, gettext
from models.validation import format_date

from ui.dialogs import Dialog
from ui.forms.widgets import RowsModel

ModelIndex = QModelIndex | QPersistentModelIndex

REASON_LABELS = {
    SAME_PIN: N_("same ПИН"),
    SAME_NAME_AND_BIRTH_DATE: N_("same name and date of birth"),
    SIMILAR_NAME_SAME_BIRTH_DATE: N_("similar name, same date of birth"),
    SAME_NAME: N_("same name, a date of birth is missing"),
}


def reasons_text(reasons: Sequence[str]) -> str:
    return "; ".join(gettext(REASON_LABELS.get(code, code)) for code in reasons)


class CandidatesModel(RowsModel[DuplicateCandidate]):
    """Possible duplicates, strongest first: name, date of birth, ПИН, district, why, score."""

    PersonIdRole = Qt.ItemDataRole.UserRole + 1
    HEADERS = (N_("Full name"), N_("Date of birth"), N_("ПИН"), N_("District"), N_("Why"), N_("Score"))

    def __init__(
        self,
        candidates: Sequence[DuplicateCandidate],
        districts: Mapping[uuid.UUID, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._rows = list(candidates)
        self._districts = dict(districts)

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        candidate = self.row_at(index)
        if candidate is None:
            return None
        if role == self.PersonIdRole:
            return candidate.person_id
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return (
            candidate.full_name,
            format_date(candidate.birth_date) if candidate.birth_date else "",
            candidate.pin or "",
            self._districts.get(candidate.person_id, ""),
            reasons_text(candidate.reasons),
            str(candidate.score),
        )[index.column()]


class DuplicatesDialog(Dialog):
    """Children already registered who may be the one being entered; shown before a new child is saved.

    Signals:
        open_existing(object): open the chosen registered person (their UUID) instead of saving.
        different(): the child is someone else: save the new record.
    """

    open_existing = Signal(object)
    different = Signal()

    def __init__(
        self,
        state: QSettings,
        candidates: Sequence[DuplicateCandidate],
        districts: Mapping[uuid.UUID, str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(state, "possible-duplicates", parent)
        self.setWindowTitle(gettext("Possibly already registered"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        intro = QLabel(
            gettext(
                "These children are already registered and may be the child you are entering. "
                "If it is the same child, open the existing record: what you typed is not saved. "
                "Save a new record only if this is a different child."
            )
        )
        intro.setWordWrap(True)
        self.candidates = CandidatesModel(candidates, districts, self)
        self.view = QTableView()
        self.view.setModel(self.candidates)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        if candidates:
            self.view.selectRow(0)
        self.open_button = QPushButton(gettext("Open the existing record"))
        self.different_button = QPushButton(gettext("This is a different child: save"))
        self.back_button = QPushButton(gettext("Back to the form"))
        self.open_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.different_button)
        buttons.addStretch(1)
        buttons.addWidget(self.back_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.different_button.clicked.connect(self._on_different_button_clicked)
        self.back_button.clicked.connect(self.reject)
        self.view.doubleClicked.connect(self._on_view_double_clicked)
        self.resize(820, 320)

    def chosen_id(self) -> uuid.UUID | None:
        index = self.view.currentIndex()
        if not index.isValid():
            return None
        value = self.candidates.data(index, CandidatesModel.PersonIdRole)
        return value if isinstance(value, uuid.UUID) else None

    @Slot()
    def _on_open_button_clicked(self) -> None:
        person_id = self.chosen_id()
        if person_id is None:
            return
        self.accept()
        self.open_existing.emit(person_id)

    @Slot(QModelIndex)
    def _on_view_double_clicked(self, _index: QModelIndex) -> None:
        self._on_open_button_clicked()

    @Slot()
    def _on_different_button_clicked(self) -> None:
        self.accept()
        self.different.emit()
