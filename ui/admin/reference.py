"""The reference-data tab: the editable lists (categories, outcomes, services …) and their items."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from models.i18n import N_, current_language, gettext
from models.reference import KINDS
from models.services.reference import (
    KIND_LABELS,
    MAX_SORT_ORDER,
    REFERENCE_FIELD_LABELS,
    ReferenceItemInput,
    ReferenceItemRow,
    add_reference_item,
    list_reference_items,
    reorder_reference_items,
    set_reference_item_active,
    update_reference_item,
)

from ui.admin.common import Column, FormDialog, RowsModel, TableTab, report_failure, select_where
from ui.context import AppContext

HEADER_KEY = "admin/reference/header"
KIND_KEY = "admin/reference/kind"


def _state_text(item: ReferenceItemRow) -> str:
    return gettext("Active") if item.active else gettext("Inactive")


ITEM_COLUMNS: list[Column[ReferenceItemRow]] = [
    Column(N_("Name in Russian"), lambda i: i.name_ru),
    Column(N_("Name in Kyrgyz"), lambda i: i.name_ky),
    Column(N_("Name in English"), lambda i: i.name_en),
    Column(N_("Code"), lambda i: i.code),
    Column(N_("State"), _state_text),
]


def item_model(parent: QWidget | None = None) -> RowsModel[ReferenceItemRow]:
    return RowsModel(ITEM_COLUMNS, is_active=lambda i: i.active, parent=parent)


class ReferenceItemDialog(FormDialog):
    """A new item of a reference list, or the names and place of an existing one."""

    def __init__(
        self,
        ctx: AppContext,
        kind: str,
        item: ReferenceItemRow | None,
        next_order: int = 0,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, "admin-reference-item", parent)
        self.kind = kind
        self.item = item
        title = gettext("New item") if item is None else gettext("Edit item")
        self.setWindowTitle(f"{title}: {gettext(KIND_LABELS[kind])}")
        self.code = QLineEdit()
        self.names = {field: QLineEdit() for field in ("name_ru", "name_ky", "name_en")}
        self.sort_order = QSpinBox()
        self.sort_order.setRange(0, MAX_SORT_ORDER)
        labels = {field: gettext(text) for field, text in REFERENCE_FIELD_LABELS.items()}
        self.fields.add(
            "code",
            labels["code"],
            self.code,
            gettext("Small Latin letters, digits and underscores; it cannot be changed once saved.")
            if item is None
            else gettext("The code cannot be changed once saved."),
        )
        for field, edit in self.names.items():
            self.fields.add(field, labels[field], edit)
        self.fields.add(
            "sort_order",
            labels["sort_order"],
            self.sort_order,
            gettext("Forms list the items from the smallest number up."),
        )
        if item is None:
            self.sort_order.setValue(next_order)
        else:
            self.code.setText(item.code)
            self.code.setReadOnly(True)
            for field, edit in self.names.items():
                edit.setText(getattr(item, field))
            self.sort_order.setValue(item.sort_order)
        self.resize(640, self.sizeHint().height())

    def typed(self) -> ReferenceItemInput:
        return ReferenceItemInput(
            self.code.text(),
            self.names["name_ru"].text(),
            self.names["name_ky"].text(),
            self.names["name_en"].text(),
            self.sort_order.value(),
        )

    def write(self) -> None:
        if self.item is None:
            add_reference_item(self.ctx.db, self.ctx.actor, self.kind, self.typed())
        else:
            update_reference_item(self.ctx.db, self.ctx.actor, self.item.id, self.item.version, self.typed())


class ReferenceTab(TableTab[ReferenceItemRow]):
    """One reference list at a time: its items in the order forms offer them, with the edits."""

    kinds: tuple[str, ...] = ("reference",)
    changed_kind = "reference"

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, item_model(), HEADER_KEY, (340, 340, 260, 160), parent)
        self.kind_combo = QComboBox()
        for kind in KINDS:
            self.kind_combo.addItem(gettext(KIND_LABELS[kind]), kind)
        saved = ctx.state.value(KIND_KEY)
        self.kind_combo.setCurrentIndex(max(0, self.kind_combo.findData(saved)))
        self.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)
        caption = QLabel(gettext("List"))
        caption.setBuddy(self.kind_combo)
        self.add_button = QPushButton(gettext("Add…"))
        self.edit_button = QPushButton(gettext("Edit…"))
        self.up_button = QPushButton(gettext("Move up"))
        self.down_button = QPushButton(gettext("Move down"))
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.edit_button.clicked.connect(self._on_edit_button_clicked)
        self.up_button.clicked.connect(self._on_up_button_clicked)
        self.down_button.clicked.connect(self._on_down_button_clicked)
        self.row_buttons = [self.edit_button]
        top = QHBoxLayout()
        top.addWidget(caption)
        top.addWidget(self.kind_combo, 1)
        note = QLabel(
            gettext(
                "Items are never deleted: records refer to them. A deactivated item is no longer "
                "offered in forms, but older records keep it."
            )
        )
        note.setWordWrap(True)
        note.setEnabled(False)
        self.lay_out(
            (self.add_button, self.edit_button, self.up_button, self.down_button, self.active_button),
            above=top,
            below=note,
        )
        self.refresh()

    def kind(self) -> str:
        return str(self.kind_combo.currentData())

    def choose_kind(self, kind: str) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    def load_rows(self) -> list[ReferenceItemRow]:
        return list_reference_items(self.ctx.db, self.ctx.actor, self.kind())

    def keeps(self, chosen: ReferenceItemRow) -> bool:
        return chosen.kind == self.kind()

    def focus_search(self) -> None:
        self.kind_combo.setFocus()

    def save_state(self) -> None:
        super().save_state()
        self.ctx.state.setValue(KIND_KEY, self.kind())

    def open_selected(self) -> None:
        self._on_edit_button_clicked()

    def write_active(self, row: ReferenceItemRow, active: bool) -> None:
        set_reference_item_active(self.ctx.db, self.ctx.actor, row.id, row.version, active)

    def active_message(self, row: ReferenceItemRow) -> str:
        message = (
            gettext("{name} is offered in forms again.")
            if not row.active
            else gettext("{name} is no longer offered in forms; older records keep it.")
        )
        return message.format(name=row.name_ky if current_language() == "ky" else row.name_ru)

    def _update_buttons(self) -> None:
        super()._update_buttons()
        item = self.selected()
        rows = self.model.rows()
        position = rows.index(item) if item is not None else -1
        self.up_button.setEnabled(position > 0)
        self.down_button.setEnabled(0 <= position < len(rows) - 1)

    @Slot(int)
    def _on_kind_combo_current_index_changed(self, _index: int) -> None:
        self.bar.clear_message()
        self.refresh()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        rows = self.model.rows()
        next_order = max((row.sort_order for row in rows), default=-1) + 1
        dialog = ReferenceItemDialog(self.ctx, self.kind(), None, next_order, self)
        dialog.accepted.connect(lambda: self._on_item_saved(dialog.code.text().strip().casefold()))
        dialog.open()

    @Slot()
    def _on_edit_button_clicked(self) -> None:
        item = self.selected()
        if item is None:
            return
        dialog = ReferenceItemDialog(self.ctx, self.kind(), item, parent=self)
        dialog.accepted.connect(lambda: self._on_item_saved(item.code))
        dialog.open()

    def _on_item_saved(self, code: str) -> None:
        self._written(gettext("The item {code} is saved.").format(code=code))
        select_where(self.table, lambda i: i.code == code)

    def _move(self, offset: int) -> None:
        item = self.selected()
        if item is None:
            return
        rows = self.model.rows()
        position = rows.index(item)
        rows.insert(position + offset, rows.pop(position))
        try:
            reorder_reference_items(self.ctx.db, self.ctx.actor, self.kind(), [row.id for row in rows])
        except Exception as error:
            report_failure(error, self, self.bar)
            self.refresh()
            return
        self.bar.clear_message()
        self.ctx.announce_change("reference")
        select_where(self.table, lambda i: i.id == item.id)

    @Slot()
    def _on_up_button_clicked(self) -> None:
        self._move(-1)

    @Slot()
    def _on_down_button_clicked(self) -> None:
        self._move(1)
