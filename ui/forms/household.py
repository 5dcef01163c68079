"""The form of a household: address and living conditions, and its members with their relations."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from models.database import Database
from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import N_, gettext
from models.lookups import Choice
from models.permissions import Permission
from models.registers import SEX_LABELS
from models.services.base import Actor
from models.services.people import (
    HouseholdDetails,
    MemberRow,
    add_household_member,
    create_household,
    get_household,
    register_adult,
    remove_household_member,
    update_household,
    update_household_member,
)
from models.validation import HouseholdInput, PersonInput, format_date

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.errors import error_text, show_error
from ui.forms import choices
from ui.forms.base import DistrictRecordForm
from ui.forms.widgets import (
    ChoiceCombo,
    DateField,
    FieldSet,
    PersonSearch,
    ProblemLabel,
    RowsModel,
    date_problem,
    text_or_none,
)
from ui.tasks import Progress, Task, run_task

ModelIndex = QModelIndex | QPersistentModelIndex


def ask_remove_member(parent: QWidget, name: str) -> bool:
    """Whether to take *name* out of the household (the person's own record stays)."""
    answer = QMessageBox.question(
        parent,
        gettext("Remove from the household"),
        gettext("Take {name} out of this household? The person's own record stays.").format(name=name),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


class MembersModel(RowsModel[MemberRow]):
    """The members of a household; relation, caregiver and living together can be changed in place.

    Signals:
        member_edited(object, object, bool, bool): a member (MemberRow) was changed in the view:
            the new relation code (or None), caregiver, lives with the child. The model shows the
            change at once; the form writes it and reloads.
    """

    member_edited = Signal(object, object, bool, bool)

    MemberRole = Qt.ItemDataRole.UserRole + 1
    RelationCodeRole = Qt.ItemDataRole.UserRole + 2
    NAME, BIRTH_DATE, KIND, RELATION, CAREGIVER, LIVES = range(6)
    HEADERS = (
        N_("Full name"),
        N_("Date of birth"),
        N_("Child or adult"),
        N_("Relation"),
        N_("Caregiver"),
        N_("Lives with the child"),
    )

    def __init__(self, relations: Sequence[Choice[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relation_labels = {c.value: c.label for c in relations}
        self.editable = True

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        member = self.row_at(index)
        if member is None:
            return None
        column = index.column()
        if role == self.MemberRole:
            return member
        if role == self.RelationCodeRole:
            return member.relation_code
        if role == Qt.ItemDataRole.CheckStateRole:
            if column == self.CAREGIVER:
                return Qt.CheckState.Checked if member.is_caregiver else Qt.CheckState.Unchecked
            if column == self.LIVES:
                return Qt.CheckState.Checked if member.lives_with_child else Qt.CheckState.Unchecked
            return None
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return None
        if column == self.NAME:
            return member.full_name
        if column == self.BIRTH_DATE:
            return format_date(member.birth_date) if member.birth_date else ""
        if column == self.KIND:
            return gettext("Child") if member.is_child else gettext("Adult")
        if column == self.RELATION:
            code = member.relation_code
            return self._relation_labels.get(code, code or "") if code else ""
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.editable and index.column() == self.RELATION:
            flags |= Qt.ItemFlag.ItemIsEditable
        if self.editable and index.column() in (self.CAREGIVER, self.LIVES):
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: ModelIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if not index.isValid() or not self.editable:
            return False
        member = self._rows[index.row()]
        relation, caregiver, lives = member.relation_code, member.is_caregiver, member.lives_with_child
        column = index.column()
        if column == self.RELATION and role == Qt.ItemDataRole.EditRole:
            relation = value or None
        elif column in (self.CAREGIVER, self.LIVES) and role == Qt.ItemDataRole.CheckStateRole:
            checked = Qt.CheckState(value) == Qt.CheckState.Checked
            if column == self.CAREGIVER:
                caregiver = checked
            else:
                lives = checked
        else:
            return False
        if (relation, caregiver, lives) == (
            member.relation_code,
            member.is_caregiver,
            member.lives_with_child,
        ):
            return True
        self._rows[index.row()] = replace(
            member, relation_code=relation, is_caregiver=caregiver, lives_with_child=lives
        )
        self.dataChanged.emit(index, index)
        self.member_edited.emit(member, relation, caregiver, lives)
        return True

    def set_members(self, members: Sequence[MemberRow]) -> None:
        self.set_rows(members)

    def member(self, row: int) -> MemberRow | None:
        return self.row_entry(row)


class RelationDelegate(QStyledItemDelegate):
    """Edits a member's relation with a drop-down of the relation types."""

    def __init__(self, relations: Sequence[Choice[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._relations = list(relations)

    def createEditor(  # noqa: N802 - Qt override
        self, parent: QWidget, option: QStyleOptionViewItem, index: ModelIndex
    ) -> QWidget:
        return ChoiceCombo(self._relations, "", parent)

    def setEditorData(self, editor: QWidget, index: ModelIndex) -> None:  # noqa: N802 - Qt override
        if isinstance(editor, ChoiceCombo):
            editor.set_value(index.data(MembersModel.RelationCodeRole))

    def setModelData(  # noqa: N802 - Qt override
        self, editor: QWidget, model: QAbstractItemModel, index: ModelIndex
    ) -> None:
        if isinstance(editor, ChoiceCombo):
            model.setData(index, editor.value(), Qt.ItemDataRole.EditRole)


class AddMemberDialog(Dialog):
    """Add a registered person to a household, or register a new adult and add them.

    Signals:
        member_added(object): a person (their UUID) was added to the household.
    """

    member_added = Signal(object)

    def __init__(
        self,
        ctx: AppContext,
        household_id: uuid.UUID,
        relations: Sequence[Choice[str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx.state, "add-household-member", parent)
        self.ctx = ctx
        self.household_id = household_id
        self.setWindowTitle(gettext("Add a member to the household"))
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        self.search = PersonSearch(ctx.db, ctx.actor)
        self.adult_fields = FieldSet()
        self.last_name = QLineEdit()
        self.first_name = QLineEdit()
        self.patronymic = QLineEdit()
        self.sex: ChoiceCombo[str] = ChoiceCombo(
            [Choice(code, gettext(label)) for code, label in SEX_LABELS.items()]
        )
        self.birth_date = DateField()
        self.pin = QLineEdit()
        self.pin.setMaxLength(20)
        self.phone = QLineEdit()
        self.occupation = QLineEdit()
        adult_page = QWidget()
        adult_form = QFormLayout(adult_page)
        for name in (
            "last_name",
            "first_name",
            "patronymic",
            "sex",
            "birth_date",
            "pin",
            "phone",
            "occupation",
        ):
            self.adult_fields.add_row(adult_form, name, getattr(self, name))
        self.pages = QStackedWidget()
        self.pages.addWidget(self.search)
        self.pages.addWidget(adult_page)

        self.relation: ChoiceCombo[str] = ChoiceCombo(relations)
        self.caregiver = QCheckBox(gettext("Takes care of the children"))
        self.lives_with_child = QCheckBox(gettext("Lives with the child"))
        self.lives_with_child.setChecked(True)
        self.member_fields = FieldSet()
        member_form = QFormLayout()
        self.member_fields.add_row(member_form, "relation", self.relation, gettext("Relation"))
        self.member_fields.add_row(member_form, "is_caregiver", self.caregiver, "")
        self.member_fields.add_row(member_form, "lives_with_child", self.lives_with_child, "")
        self.problem = ProblemLabel()

        self.add_button = QPushButton(gettext("Add to the household"))
        self.new_adult_button = QPushButton(gettext("Register a new adult…"))
        self.cancel_button = QPushButton(gettext("Cancel"))
        for button in (self.add_button, self.new_adult_button, self.cancel_button):
            button.setAutoDefault(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_adult_button)
        buttons.addStretch(1)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages, 1)
        layout.addLayout(member_form)
        layout.addWidget(self.problem)
        layout.addLayout(buttons)

        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.new_adult_button.clicked.connect(self._on_new_adult_button_clicked)
        self.cancel_button.clicked.connect(self.reject)
        self.search.person_activated.connect(self._on_search_person_activated)
        self.search.current_changed.connect(self._on_search_current_changed)
        self._on_search_current_changed()
        self.resize(720, 520)

    @property
    def registering_adult(self) -> bool:
        return self.pages.currentIndex() == 1

    @Slot()
    def _on_new_adult_button_clicked(self) -> None:
        self.pages.setCurrentIndex(1)
        self.new_adult_button.hide()
        self.add_button.setText(gettext("Register and add"))
        self.add_button.setEnabled(True)
        name_words = self.search.box.text().split()
        if name_words:
            self.last_name.setText(name_words[0])
            self.first_name.setText(" ".join(name_words[1:2]))
        self.last_name.setFocus()

    @Slot()
    def _on_search_current_changed(self) -> None:
        if not self.registering_adult:
            self.add_button.setEnabled(self.search.current() is not None)

    @Slot(object)
    def _on_search_person_activated(self, _hit: object) -> None:
        self._on_add_button_clicked()

    @Slot()
    def _on_add_button_clicked(self) -> None:
        self.problem.clear_problem()
        self.adult_fields.clear()
        self.member_fields.clear()
        try:
            person_id = self._new_adult() if self.registering_adult else self._chosen_person()
            if person_id is None:
                return
            add_household_member(
                self.ctx.db,
                self.ctx.actor,
                self.household_id,
                person_id,
                self.relation.value(),
                self.caregiver.isChecked(),
                self.lives_with_child.isChecked(),
            )
        except ValidationFailed as failed:
            unplaced = (
                self.adult_fields.show_errors(failed.problems) if self.registering_adult else failed.problems
            )
            unplaced = self.member_fields.show_errors(unplaced)
            if unplaced:
                self.problem.show_error("\n".join(p.render() for p in unplaced))
            return
        except DomainError as error:
            self.problem.show_error(error_text(error))
            return
        self.ctx.announce_change("household")
        self.member_added.emit(person_id)
        self.accept()

    def _chosen_person(self) -> uuid.UUID | None:
        hit = self.search.current()
        return hit.id if hit is not None else None

    def _new_adult(self) -> uuid.UUID:
        problems: list[FieldProblem] = []
        birth_date = date_problem("birth_date", lambda: self.birth_date.date_value("birth_date"), problems)
        if problems:
            raise ValidationFailed(problems)
        data = PersonInput(
            last_name=self.last_name.text(),
            first_name=self.first_name.text(),
            patronymic=text_or_none(self.patronymic),
            sex=self.sex.value(),
            birth_date=birth_date,
            pin=text_or_none(self.pin),
            phone=text_or_none(self.phone),
            occupation=text_or_none(self.occupation),
        )
        result = register_adult(self.ctx.db, self.ctx.actor, data)
        self.ctx.announce_change("person")
        self.pages.setCurrentIndex(0)  # registered: a retry adds the same person, not a second one
        self.search.box.setText(self.last_name.text())
        self.search.search_now()
        return result.id


class HouseholdForm(DistrictRecordForm[HouseholdDetails]):
    """A household's record and its members. Members are written as they are added or changed."""

    kind = "household"
    write_permission = Permission.HOUSEHOLD_WRITE
    choice_lists = (choices.DISTRICTS, choices.reference_list("relation_type"))

    def __init__(
        self, ctx: AppContext, record_id: uuid.UUID | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, record_id, parent)
        self._stored: HouseholdInput | None = None
        self.add_dialog: AddMemberDialog | None = None
        # Every read of the members (with the record, or after a member changed) takes the next
        # number; only the latest one started is shown.
        self._members_sequence = 0
        self._members_from_load = 0
        self._members_task: Task[tuple[int, HouseholdDetails | Exception]] | None = None
        self.resize(1000, 680)

    def build(self, body: QWidget) -> Iterator[None]:
        districts = choices.districts(self.ctx)
        self._relations = choices.reference(self.ctx, "relation_type")
        self.district_id: ChoiceCombo[uuid.UUID] = ChoiceCombo(districts)
        self.address_text = QLineEdit()
        self.housing = QLineEdit()
        self.housing.setPlaceholderText(gettext("Own house, rented flat, dormitory…"))
        self.members_count = QSpinBox()
        self.members_count.setRange(0, 100)
        self.members_count.setSpecialValueText(gettext("not given"))
        self.members_count.setMaximumWidth(120)
        self.income_sources = QPlainTextEdit()
        self.benefits = QPlainTextEdit()
        self.notes = QPlainTextEdit()
        for edit in (self.income_sources, self.benefits, self.notes):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().lineSpacing() * 2 + 14)

        yield
        details = QGroupBox(gettext("Household"))
        form = QFormLayout(details)
        self.fields.add_row(form, "district_id", self.district_id, aliases=("district",))
        self.fields.add_row(form, "address_text", self.address_text)
        self.fields.add_row(form, "housing", self.housing)
        self.fields.add_row(form, "members_count", self.members_count)
        self.fields.add_row(form, "income_sources", self.income_sources, gettext("Sources of income"))
        self.fields.add_row(form, "benefits", self.benefits, gettext("Benefits received"))
        self.fields.add_row(form, "notes", self.notes, gettext("Notes"))

        yield
        self.members = MembersModel(self._relations, self)
        self.members_view = QTableView()
        self.members_view.setModel(self.members)
        self.members_view.setItemDelegateForColumn(
            MembersModel.RELATION, RelationDelegate(self._relations, self)
        )
        self.members_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.members_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.members_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.members_view.verticalHeader().hide()
        header = self.members_view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(MembersModel.NAME, QHeaderView.ResizeMode.Stretch)
        self.members_view.setMinimumHeight(160)
        self.members_problem = ProblemLabel()
        self.add_member_button = QPushButton(gettext("Add a member…"))
        self.remove_member_button = QPushButton(gettext("Remove from the household"))
        self.open_member_button = QPushButton(gettext("Open the person's record"))
        member_buttons = QHBoxLayout()
        for button in (self.add_member_button, self.remove_member_button, self.open_member_button):
            button.setAutoDefault(False)
            member_buttons.addWidget(button)
        member_buttons.addStretch(1)
        members_box = QGroupBox(gettext("Household members"))
        members_layout = QVBoxLayout(members_box)
        members_layout.addWidget(self.members_view, 1)
        members_layout.addWidget(self.members_problem)
        members_layout.addLayout(member_buttons)

        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(details)
        layout.addWidget(members_box, 1)

        self.add_member_button.clicked.connect(self._on_add_member_button_clicked)
        self.remove_member_button.clicked.connect(self._on_remove_member_button_clicked)
        self.open_member_button.clicked.connect(self._on_open_member_button_clicked)
        self.members.member_edited.connect(self._on_members_member_edited)
        self.members_view.selectionModel().selectionChanged.connect(self._on_members_selection_changed)
        self._on_members_selection_changed()

    def make_read_only(self) -> None:
        self.members.editable = False
        self.add_member_button.hide()
        self.remove_member_button.hide()

    def title(self) -> str:
        if self.record_id is None:
            return gettext("New household")
        address = self._stored.address_text if self._stored else None
        return gettext("Household") + (f": {address}" if address else "")

    # --- reading and writing ---------------------------------------------------------------

    @classmethod
    def fetch(cls, db: Database, actor: Actor, record_id: uuid.UUID) -> HouseholdDetails:
        return get_household(db, actor, record_id)

    def load(self) -> None:
        self._members_sequence += 1  # the members come with the record
        self._members_from_load = self._members_sequence
        super().load()

    def show_record(self, details: HouseholdDetails) -> None:
        self._stored = details.data
        self.version = details.version
        data = details.data
        self.district_id.set_value(data.district_id)
        self.address_text.setText(data.address_text or "")
        self.housing.setText(data.housing or "")
        self.members_count.setValue(data.members_count or 0)
        self.income_sources.setPlainText(data.income_sources or "")
        self.benefits.setPlainText(data.benefits or "")
        self.notes.setPlainText(data.notes or "")
        if self._members_from_load == self._members_sequence:
            self.members.set_members(details.members)
            self._on_members_selection_changed()

    def household_input(self) -> HouseholdInput:
        base = self._stored or HouseholdInput()
        return HouseholdInput(
            district_id=self.district_id.value(),
            settlement_id=base.settlement_id,
            address_text=text_or_none(self.address_text),
            housing=text_or_none(self.housing),
            income_sources=text_or_none(self.income_sources),
            benefits=text_or_none(self.benefits),
            members_count=self.members_count.value() or None,
            notes=text_or_none(self.notes),
        )

    def write(self) -> list[FieldProblem] | None:
        data = self.household_input()
        if self.record_id is None:
            self.record_id = create_household(self.ctx.db, self.ctx.actor, data)
        else:
            assert self.version is not None
            update_household(self.ctx.db, self.ctx.actor, self.record_id, data, self.version)
        return []

    # --- members -------------------------------------------------------------------------

    def reload_members(self) -> None:
        """Read the members again (in the background) after one was added, changed or removed."""
        if self.record_id is None:
            return
        self._members_sequence += 1
        sequence = self._members_sequence
        db, actor, household_id = self.ctx.db, self.ctx.actor, self.record_id

        def work(_progress: Progress) -> tuple[int, HouseholdDetails | Exception]:
            try:
                return sequence, get_household(db, actor, household_id)
            except Exception as error:  # shown by the form, in the GUI thread
                return sequence, error

        self._members_task = run_task(work, self._on_members_task_finished)

    @Slot(object)
    def _on_members_task_finished(self, result: tuple[int, HouseholdDetails | Exception]) -> None:
        sequence, details = result
        if sequence != self._members_sequence:
            return  # the members are being read again
        if isinstance(details, DomainError):
            self.members_problem.show_error(error_text(details))
        elif isinstance(details, Exception):
            show_error(self, details, self.title())
        else:
            self.members.set_members(details.members)
            self._on_members_selection_changed()

    def _selected_member(self) -> MemberRow | None:
        rows = self.members_view.selectionModel().selectedRows()
        return self.members.member(rows[0].row()) if rows else None

    @Slot()
    def _on_members_selection_changed(self, *_args: object) -> None:
        chosen = self._selected_member() is not None
        self.remove_member_button.setEnabled(chosen)
        self.open_member_button.setEnabled(chosen)

    @Slot()
    def _on_add_member_button_clicked(self) -> None:
        self.members_problem.clear_problem()
        if self.record_id is None and not self.save():
            return  # a new household is saved first; its problems are shown
        assert self.record_id is not None
        dialog = AddMemberDialog(self.ctx, self.record_id, self._relations, self)
        dialog.member_added.connect(self._on_add_dialog_member_added)
        self.add_dialog = dialog
        dialog.open()

    @Slot(object)
    def _on_add_dialog_member_added(self, _person_id: object) -> None:
        self.add_dialog = None
        self.reload_members()

    @Slot()
    def _on_remove_member_button_clicked(self) -> None:
        member = self._selected_member()
        if member is None or not ask_remove_member(self, member.full_name):
            return
        try:
            remove_household_member(self.ctx.db, self.ctx.actor, member.id, member.version)
        except DomainError as error:
            self.members_problem.show_error(error_text(error))
        except Exception as error:
            show_error(self, error, self.title())
        else:
            self.ctx.announce_change("household")
        self.reload_members()

    @Slot()
    def _on_open_member_button_clicked(self) -> None:
        member = self._selected_member()
        if member is not None:
            self.ctx.open_record("person", member.person_id)

    @Slot(object, object, bool, bool)
    def _on_members_member_edited(
        self, member: MemberRow, relation: object, caregiver: bool, lives: bool
    ) -> None:
        self.members_problem.clear_problem()
        code = relation if isinstance(relation, str) else None
        try:
            update_household_member(
                self.ctx.db, self.ctx.actor, member.id, code, caregiver, lives, member.version
            )
        except DomainError as error:
            self.members_problem.show_error(error_text(error))
        except Exception as error:
            show_error(self, error, self.title())
        else:
            self.ctx.announce_change("household")
        self.reload_members()  # their versions changed; the view shows them once read
