"""The office tab: the department's names, head, address and phone (the district is fixed)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from models.i18n import gettext
from models.services.settings import OFFICE_FIELD_LABELS, OfficeEdit, OfficeInfo, get_office, update_office

from ui.admin.common import FieldRows, MessageBar, report_failure
from ui.context import AppContext


class OfficeTab(QWidget):
    """The details of the office printed on its documents; saved together with one button."""

    kinds: tuple[str, ...] = ("office",)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.bar = MessageBar()
        self.district = QLabel()
        self.edits = {field: QLineEdit() for field in OFFICE_FIELD_LABELS}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields = FieldRows(form)
        self.fields.add(
            "district",
            gettext("District"),
            self.district,
            gettext("Chosen when the office was set up; records and upload packages carry it."),
        )
        for field, edit in self.edits.items():
            self.fields.add(field, gettext(OFFICE_FIELD_LABELS[field]), edit)
            edit.textChanged.connect(self._on_edit_text_changed)
        self.save_button = QPushButton(gettext("Save"))
        self.undo_button = QPushButton(gettext("Undo changes"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.undo_button.clicked.connect(self._on_undo_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.undo_button)
        buttons.addStretch(1)
        body = QWidget()
        body.setMaximumWidth(900)
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.bar)
        inner.addLayout(form)
        inner.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(body)
        layout.addStretch(1)
        self._loaded: OfficeEdit | None = None
        self.refresh()

    def typed(self) -> OfficeEdit:
        return OfficeEdit(**{field: edit.text() for field, edit in self.edits.items()})

    def modified(self) -> bool:
        return self._loaded is not None and self.typed() != self._loaded

    def refresh(self) -> None:
        """Load the stored details, unless the user has typed changes not saved yet."""
        if not self.modified():
            self._load()

    def focus_search(self) -> None:
        self.edits["department_name_ky"].setFocus()

    def save_state(self) -> None:
        """Nothing to keep: the tab has no columns or splitters."""

    def _load(self) -> None:
        try:
            office: OfficeInfo = get_office(self.ctx.db, self.ctx.actor)
        except Exception as error:
            report_failure(error, self, self.bar)
            return
        district = office.district_name()
        self.district.setText(f"{district} ({office.district_code})" if office.district_code else district)
        for field, edit in self.edits.items():
            edit.setText(getattr(office.details, field))
        self._loaded = office.details
        self.fields.clear()
        self._update_buttons()

    def _update_buttons(self) -> None:
        modified = self.modified()
        self.save_button.setEnabled(modified)
        self.undo_button.setEnabled(modified)

    @Slot(str)
    def _on_edit_text_changed(self, _text: str) -> None:
        self._update_buttons()

    @Slot()
    def _on_undo_button_clicked(self) -> None:
        self.bar.clear_message()
        self._load()

    @Slot()
    def _on_save_button_clicked(self) -> None:
        try:
            update_office(self.ctx.db, self.ctx.actor, self.typed())
        except Exception as error:
            report_failure(error, self, self.bar, self.fields)
            return
        self._load()
        self.bar.show_info(gettext("The office details are saved."))
        self.ctx.announce_change("office")
