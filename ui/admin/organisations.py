"""The organisations tab: the directory of partners that receive referrals."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QSortFilterProxyModel, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QLineEdit,
    QPushButton,
    QWidget,
)

from models.i18n import N_, gettext
from models.lookups import district_choices, reference_choices
from models.services.reference import (
    ORGANISATION_FIELD_LABELS,
    OrganisationInput,
    OrganisationRow,
    add_organisation,
    list_organisations,
    set_organisation_active,
    update_organisation,
)
from models.services.settings import get_office

from ui.admin.common import Column, FormDialog, RowsModel, TableTab, select_where
from ui.context import AppContext

HEADER_KEY = "admin/organisations/header"


def _state_text(org: OrganisationRow) -> str:
    return gettext("Active") if org.active else gettext("Inactive")


ORGANISATION_COLUMNS: list[Column[OrganisationRow]] = [
    Column(N_("Name"), lambda o: o.name()),
    Column(N_("Type"), lambda o: o.type_label),
    Column(N_("District"), lambda o: o.district_label),
    Column(N_("Phone"), lambda o: o.data.phone),
    Column(N_("Contact person"), lambda o: o.data.contact_person),
    Column(N_("State"), _state_text),
]


def organisation_model(parent: QWidget | None = None) -> RowsModel[OrganisationRow]:
    return RowsModel(ORGANISATION_COLUMNS, is_active=lambda o: o.active, parent=parent)


class OrganisationDialog(FormDialog):
    """The form of one organisation: a new one, or an existing one opened at its version."""

    def __init__(self, ctx: AppContext, org: OrganisationRow | None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "admin-organisation", parent)
        self.org = org
        self.setWindowTitle(gettext("New organisation") if org is None else org.name())
        self.edits = {
            field: QLineEdit()
            for field in ("name_ru", "name_ky", "address", "phone", "email", "contact_person")
        }
        self.type_combo = QComboBox()
        self.district_combo = QComboBox()
        self._fill_choices()
        labels = {field: gettext(text) for field, text in ORGANISATION_FIELD_LABELS.items()}
        self.fields.add("name_ru", labels["name_ru"], self.edits["name_ru"])
        self.fields.add("name_ky", labels["name_ky"], self.edits["name_ky"])
        self.fields.add("type_code", labels["type_code"], self.type_combo)
        self.fields.add("district_id", labels["district_id"], self.district_combo)
        for field in ("address", "phone", "email", "contact_person"):
            self.fields.add(field, labels[field], self.edits[field])
        if org is not None:
            for field, edit in self.edits.items():
                edit.setText(getattr(org.data, field))
        self.resize(680, self.sizeHint().height())

    def _fill_choices(self) -> None:
        with self.ctx.db.reading() as session:
            types = reference_choices(session, "organisation_type")
            districts = district_choices(session)
        current_type = self.org.data.type_code if self.org else None
        self.type_combo.addItem("—", None)
        for choice in types:
            self.type_combo.addItem(choice.label, choice.value)
        if current_type and self.type_combo.findData(current_type) < 0:
            self.type_combo.addItem(self.org.type_label if self.org else current_type, current_type)
        self.type_combo.setCurrentIndex(max(0, self.type_combo.findData(current_type)))
        self.district_combo.addItem("—", None)
        for district in districts:
            self.district_combo.addItem(district.label, str(district.value))
        if self.org is not None:
            district_id = self.org.data.district_id
            if district_id is not None and self.district_combo.findData(str(district_id)) < 0:
                self.district_combo.addItem(self.org.district_label, str(district_id))
        else:
            district_id = get_office(self.ctx.db, self.ctx.actor).district_id
        self.district_combo.setCurrentIndex(max(0, self.district_combo.findData(str(district_id))))

    def district_id(self) -> uuid.UUID | None:
        """The district chosen (the combo keeps ids as text: Qt compares strings, not Python objects)."""
        value = self.district_combo.currentData()
        return uuid.UUID(value) if value else None

    def typed(self) -> OrganisationInput:
        text = {field: edit.text() for field, edit in self.edits.items()}
        return OrganisationInput(
            type_code=self.type_combo.currentData(),
            district_id=self.district_id(),
            **text,
        )

    def write(self) -> None:
        if self.org is None:
            add_organisation(self.ctx.db, self.ctx.actor, self.typed())
        else:
            update_organisation(self.ctx.db, self.ctx.actor, self.org.id, self.org.version, self.typed())


class OrganisationsTab(TableTab[OrganisationRow]):
    """The directory in a table that a typed filter narrows, with add, edit and deactivate."""

    kinds: tuple[str, ...] = ("organisation", "reference")
    changed_kind = "organisation"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        model = organisation_model()
        proxy = QSortFilterProxyModel()
        proxy.setSourceModel(model)
        proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        proxy.setFilterKeyColumn(-1)
        super().__init__(ctx, model, HEADER_KEY, (400, 200, 180, 150, 220), parent, shown=proxy)
        self.proxy = proxy
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(gettext("Find by name, type, district, phone or contact person"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.add_button = QPushButton(gettext("Add…"))
        self.edit_button = QPushButton(gettext("Edit…"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.row_buttons = [self.edit_button]
        self.lay_out((self.add_button, self.edit_button, self.active_button), beside=self.filter_edit)
        self.refresh()

    def load_rows(self) -> list[OrganisationRow]:
        return list_organisations(self.ctx.db, self.ctx.actor)

    def focus_search(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def open_selected(self) -> None:
        self._on_edit_button_clicked()

    def write_active(self, row: OrganisationRow, active: bool) -> None:
        set_organisation_active(self.ctx.db, self.ctx.actor, row.id, row.version, active)

    def active_message(self, row: OrganisationRow) -> str:
        message = (
            gettext("{name} is offered for referrals again.")
            if not row.active
            else gettext("{name} is no longer offered for referrals; older referrals keep it.")
        )
        return message.format(name=row.name())

    @Slot(str)
    def _on_filter_edit_text_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_buttons()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        dialog = OrganisationDialog(self.ctx, None, self)
        dialog.accepted.connect(lambda: self._on_organisation_saved(dialog.typed().name_ru))
        dialog.open()

    @Slot()
    def _on_edit_button_clicked(self) -> None:
        org = self.selected()
        if org is None:
            return
        dialog = OrganisationDialog(self.ctx, org, self)
        dialog.accepted.connect(lambda: self._on_organisation_saved(dialog.typed().name_ru))
        dialog.open()

    def _on_organisation_saved(self, name_ru: str) -> None:
        name = " ".join(name_ru.split())
        self._written(gettext("{name} is saved in the directory.").format(name=name))
        select_where(self.table, lambda o: o.data.name_ru == name)
