"""The organisations tab: the directory of partners that receive referrals."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
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

from ui.admin.common import (
    Column,
    FieldRows,
    MessageBar,
    RowsModel,
    make_table,
    report_failure,
    select_where,
    selected_row,
)
from ui.context import AppContext
from ui.dialogs import Dialog

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


class OrganisationDialog(Dialog):
    """The form of one organisation: a new one, or an existing one opened at its version."""

    def __init__(self, ctx: AppContext, org: OrganisationRow | None, parent: QWidget | None = None) -> None:
        super().__init__(ctx.state, "admin-organisation", parent)
        self.ctx = ctx
        self.org = org
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setWindowTitle(gettext("New organisation") if org is None else org.name())
        self.bar = MessageBar()
        self.edits = {
            field: QLineEdit()
            for field in ("name_ru", "name_ky", "address", "phone", "email", "contact_person")
        }
        self.type_combo = QComboBox()
        self.district_combo = QComboBox()
        self._fill_choices()
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields = FieldRows(form)
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
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._on_buttons_accepted)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.bar)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addWidget(buttons)
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

    @Slot()
    def _on_buttons_accepted(self) -> None:
        try:
            if self.org is None:
                add_organisation(self.ctx.db, self.ctx.actor, self.typed())
            else:
                update_organisation(self.ctx.db, self.ctx.actor, self.org.id, self.org.version, self.typed())
        except Exception as error:
            report_failure(error, self, self.bar, self.fields)
            return
        self.accept()


class OrganisationsTab(QWidget):
    """The directory in a table that a typed filter narrows, with add, edit and deactivate."""

    kinds: tuple[str, ...] = ("organisation", "reference")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = organisation_model(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.table = make_table(self.proxy, ctx.state, HEADER_KEY, (400, 200, 180, 150, 220))
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText(gettext("Find by name, type, district, phone or contact person"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_edit_text_changed)
        self.bar = MessageBar()
        self.add_button = QPushButton(gettext("Add…"))
        self.edit_button = QPushButton(gettext("Edit…"))
        self.active_button = QPushButton(gettext("Deactivate"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.active_button.clicked.connect(self._on_active_button_clicked)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.active_button):
            buttons.addWidget(button)
        buttons.addSpacing(24)
        buttons.addWidget(self.filter_edit, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.bar)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.refresh()

    def refresh(self) -> None:
        chosen = self.selected()
        self.model.set_rows(list_organisations(self.ctx.db, self.ctx.actor))
        if chosen is not None:
            select_where(self.table, lambda o: o.id == chosen.id)
        elif self.proxy.rowCount():
            self.table.selectRow(0)
        self._update_buttons()

    def focus_search(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def save_state(self) -> None:
        self.ctx.state.setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    def selected(self) -> OrganisationRow | None:
        row: OrganisationRow | None = selected_row(self.table)
        return row

    def _update_buttons(self) -> None:
        org = self.selected()
        self.edit_button.setEnabled(org is not None)
        self.active_button.setEnabled(org is not None)
        self.active_button.setText(
            gettext("Activate") if org is not None and not org.active else gettext("Deactivate")
        )

    def _written(self, message: str) -> None:
        self.bar.show_info(message)
        self.ctx.announce_change("organisation")

    @Slot(str)
    def _on_filter_edit_text_changed(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._update_buttons()

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_buttons()

    @Slot(QModelIndex)
    def _on_table_double_clicked(self, _index: QModelIndex) -> None:
        self._on_edit_button_clicked()

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

    @Slot()
    def _on_active_button_clicked(self) -> None:
        org = self.selected()
        if org is None:
            return
        try:
            set_organisation_active(self.ctx.db, self.ctx.actor, org.id, org.version, not org.active)
        except Exception as error:
            report_failure(error, self, self.bar)
            return
        message = (
            gettext("{name} is offered for referrals again.")
            if not org.active
            else gettext("{name} is no longer offered for referrals; older referrals keep it.")
        )
        self._written(message.format(name=org.name()))
