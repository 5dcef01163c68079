"""The office tab: the department's names, head, address and phone (the district is fixed)."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from models.i18n import N_, gettext
from models.papers import DOCUMENT_LANGUAGE_LABELS, DOCUMENT_LANGUAGES
from models.services.settings import OFFICE_FIELD_LABELS, OfficeEdit, OfficeInfo, get_office, update_office

from ui.admin.common import SettingsTab
from ui.context import AppContext


class OfficeTab(SettingsTab[OfficeEdit]):
    """The details of the office printed on its documents; saved together with one button."""

    kinds: tuple[str, ...] = ("office",)
    changed_kind = "office"
    saved_message = N_("The office details are saved.")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.district = QLabel()
        self.edits = {field: QLineEdit() for field in OFFICE_FIELD_LABELS}
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields.form = form
        self.fields.add(
            "district",
            gettext("District"),
            self.district,
            gettext("Chosen when the office was set up; records and upload packages carry it."),
        )
        for field, edit in self.edits.items():
            self.fields.add(field, gettext(OFFICE_FIELD_LABELS[field]), edit)
            edit.textChanged.connect(self._on_edit_text_changed)
        self.language = QComboBox()
        for code in DOCUMENT_LANGUAGES:
            self.language.addItem(gettext(DOCUMENT_LANGUAGE_LABELS[code]), code)
        self.language.currentIndexChanged.connect(self._on_language_current_index_changed)
        self.fields.add(
            "document_language",
            gettext("Language of documents"),
            self.language,
            gettext("What documents print in unless another language is chosen when printing."),
        )
        body = QWidget()
        body.setMaximumWidth(900)
        inner = QVBoxLayout(body)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.addWidget(self.bar)
        inner.addLayout(form)
        inner.addLayout(self.button_row())
        layout = QVBoxLayout(self)
        layout.addWidget(body)
        layout.addStretch(1)
        self.refresh()

    def typed(self) -> OfficeEdit:
        texts = {field: edit.text() for field, edit in self.edits.items()}
        return OfficeEdit(**texts, document_language=str(self.language.currentData()))

    def current(self) -> OfficeEdit:
        return self.typed()

    def focus_search(self) -> None:
        self.edits["department_name_ky"].setFocus()

    def fetch(self) -> OfficeInfo:
        return get_office(self.ctx.db, self.ctx.actor)

    def show_stored(self, stored: OfficeInfo) -> OfficeEdit:
        district = stored.district_name()
        self.district.setText(f"{district} ({stored.district_code})" if stored.district_code else district)
        for field, edit in self.edits.items():
            edit.setText(getattr(stored.details, field))
        self.language.setCurrentIndex(max(0, self.language.findData(stored.details.document_language)))
        return stored.details

    def write(self) -> None:
        update_office(self.ctx.db, self.ctx.actor, self.typed())

    @Slot(str)
    def _on_edit_text_changed(self, _text: str) -> None:
        self._update_buttons()

    @Slot(int)
    def _on_language_current_index_changed(self, _index: int) -> None:
        self._update_buttons()
