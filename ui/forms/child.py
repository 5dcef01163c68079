"""The form of a person: a child (or an adult member of a household) with ПИН checks and duplicates."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from models.database import Database
from models.duplicates import DuplicateCandidate
from models.errors import FieldProblem, ValidationFailed
from models.i18n import gettext
from models.lookups import Choice
from models.permissions import Permission
from models.registers import SEX_LABELS
from models.services.base import Actor
from models.services.people import (
    PersonDetails,
    check_duplicates,
    get_person,
    person_districts,
    register_child,
    update_person,
)
from models.validation import (
    PIN_LENGTH,
    PersonInput,
    format_date,
    local_today,
    normalize_pin,
    parse_pin,
    validate_person,
)

from ui.context import AppContext
from ui.forms import base, choices
from ui.forms.base import DistrictRecordForm
from ui.forms.duplicates import DuplicatesDialog
from ui.forms.widgets import (
    TYPING_PAUSE_MS,
    WARNING_COLOUR,
    ChoiceCombo,
    DateField,
    date_problem,
    text_or_none,
)
from ui.tasks import Progress, Task, run_task

# Fields that say who the person is; the others are details an existing record may lack.
_IDENTITY = ("last_name", "first_name", "patronymic", "sex", "birth_date", "pin", "district_id", "is_child")
# The optional fields typed in a line (last and first name, which are required, aside), the notes
# typed in a box and the check boxes: each is the attribute of the form and of PersonInput.
_LINE_FIELDS = (
    "patronymic",
    "pin",
    "citizenship",
    "languages",
    "birth_cert_series",
    "birth_cert_number",
    "birth_cert_issuer",
    "address_text",
    "phone",
    "school",
    "school_class",
    "occupation",
    "migration_country",
)
_NOTE_FIELDS = ("disability_notes", "documents_notes", "notes")
_CHECK_FIELDS = ("pin_verified", "disability", "documents_missing", "in_migration")


def _notes_edit(lines: int = 2) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setTabChangesFocus(True)
    edit.setFixedHeight(edit.fontMetrics().lineSpacing() * lines + 14)
    return edit


class PersonForm(DistrictRecordForm[PersonDetails]):
    """A child's record (an adult's, when one is opened from a household).

    Typing a ПИН fills an empty sex and date of birth and checks that they agree; before a new
    child is saved, children already registered who may be the same are offered instead.
    """

    kind = "person"
    write_permission = Permission.PERSON_WRITE
    choice_lists = (choices.DISTRICTS,)

    def __init__(
        self, ctx: AppContext, record_id: uuid.UUID | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(ctx, record_id, parent)
        self._stored: PersonInput | None = None
        self._full_name = ""
        self._current_case_id: uuid.UUID | None = None
        self._registered_on: date | None = None
        self._different_confirmed = False
        self._checking_pin = False
        self._duplicates_sequence = 0
        self._duplicates_task: Task[tuple[int, list[DuplicateCandidate]]] | None = None
        self.duplicates_dialog: DuplicatesDialog | None = None
        self._duplicates_timer = QTimer(self)
        self._duplicates_timer.setSingleShot(True)
        self._duplicates_timer.setInterval(TYPING_PAUSE_MS)
        self._duplicates_timer.timeout.connect(self._on_duplicates_timer_timeout)
        self.resize(1120, 640)

    # --- layout --------------------------------------------------------------------------

    def build(self, body: QWidget) -> Iterator[None]:
        districts = choices.districts(self.ctx)
        self.duplicates_hint = QLabel()
        self.duplicates_hint.setWordWrap(True)
        self.duplicates_hint.setStyleSheet(f"color: {WARNING_COLOUR};")
        self.duplicates_hint.setTextFormat(Qt.TextFormat.RichText)
        self.duplicates_hint.linkActivated.connect(self._on_duplicates_hint_link_activated)
        self.duplicates_hint.hide()
        self.case_link = QLabel()
        self.case_link.linkActivated.connect(self._on_case_link_activated)
        self.case_link.hide()

        self.last_name = QLineEdit()
        self.first_name = QLineEdit()
        self.patronymic = QLineEdit()
        self.patronymic.setToolTip(gettext("Or уулу / кызы with the father's name"))
        self.sex: ChoiceCombo[str] = ChoiceCombo(
            [Choice(code, gettext(label)) for code, label in SEX_LABELS.items()]
        )
        self.birth_date = DateField()
        self.pin = QLineEdit()
        self.pin.setPlaceholderText(gettext("14 digits"))
        self.pin.setMaxLength(20)
        self.pin.editingFinished.connect(self._on_pin_editing_finished)
        self.pin_verified = QCheckBox(gettext("Checked against a document"))
        self.citizenship = QLineEdit()
        self.languages = QLineEdit()
        self.birth_cert_series = QLineEdit()
        self.birth_cert_number = QLineEdit()
        self.birth_cert_date = DateField()
        self.birth_cert_issuer = QLineEdit()
        self.birth_cert_issuer.setPlaceholderText(gettext("ЗАГС that issued it"))
        self.district_id: ChoiceCombo[uuid.UUID] = ChoiceCombo(districts)
        self.address_text = QLineEdit()
        self.phone = QLineEdit()
        self.school = QLineEdit()
        self.school_class = QLineEdit()
        self.school_class.setMaximumWidth(80)
        self.occupation = QLineEdit()
        self.in_migration = QCheckBox(gettext("In labour migration"))
        self.migration_country = QLineEdit()
        self.disability = QCheckBox(gettext("Has a disability"))
        self.disability_notes = _notes_edit()
        self.documents_missing = QCheckBox(gettext("Documents are missing"))
        self.documents_notes = _notes_edit()
        self.notes = _notes_edit(3)

        yield
        person = QGroupBox(gettext("Personal details"))
        form = QFormLayout(person)
        for name in ("last_name", "first_name", "patronymic", "sex", "birth_date", "pin"):
            self.fields.add_row(form, name, getattr(self, name))
        self.fields.add_row(form, "pin_verified", self.pin_verified, "")
        self.fields.add_row(form, "citizenship", self.citizenship)
        self.fields.add_row(form, "languages", self.languages)

        certificate = QGroupBox(gettext("Birth certificate"))
        form = QFormLayout(certificate)
        for name, label in (
            ("birth_cert_series", gettext("Series")),
            ("birth_cert_number", gettext("Number")),
            ("birth_cert_date", gettext("Date of issue")),
            ("birth_cert_issuer", gettext("Issued by")),
        ):
            self.fields.add_row(form, name, getattr(self, name), label)

        yield
        address = QGroupBox(gettext("Address and contacts"))
        form = QFormLayout(address)
        for name in ("district_id", "address_text", "phone"):
            self.fields.add_row(
                form, name, getattr(self, name), aliases=("district",) if name == "district_id" else ()
            )

        self.school_box = QGroupBox(gettext("School"))
        form = QFormLayout(self.school_box)
        self.fields.add_row(form, "school", self.school)
        self.fields.add_row(form, "school_class", self.school_class)

        self.work_box = QGroupBox(gettext("Work and migration"))
        form = QFormLayout(self.work_box)
        self.fields.add_row(form, "occupation", self.occupation)
        self.fields.add_row(form, "in_migration", self.in_migration, "")
        self.fields.add_row(form, "migration_country", self.migration_country)
        self.work_box.hide()

        yield
        needs = QGroupBox(gettext("Health and documents"))
        form = QFormLayout(needs)
        self.fields.add_row(form, "disability", self.disability, "")
        self.fields.add_row(form, "disability_notes", self.disability_notes)
        self.fields.add_row(form, "documents_missing", self.documents_missing, "")
        self.fields.add_row(form, "documents_notes", self.documents_notes)

        notes = QGroupBox(gettext("Notes"))
        form = QFormLayout(notes)
        self.fields.add_row(form, "notes", self.notes, span=True)

        yield
        left = QVBoxLayout()
        left.addWidget(person)
        left.addWidget(certificate)
        left.addStretch(1)
        right = QVBoxLayout()
        right.addWidget(address)
        right.addWidget(self.school_box)
        right.addWidget(self.work_box)
        right.addWidget(needs)
        right.addWidget(notes)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.duplicates_hint)
        layout.addWidget(self.case_link)
        layout.addLayout(columns)

    def title(self) -> str:
        if self.record_id is None:
            return gettext("New child")
        kind = gettext("Child") if self._stored is None or self._stored.is_child else gettext("Adult")
        return f"{self._full_name} — {kind}"

    # --- reading and writing ---------------------------------------------------------------

    @classmethod
    def fetch(cls, db: Database, actor: Actor, record_id: uuid.UUID) -> PersonDetails:
        return get_person(db, actor, record_id)

    def show_record(self, details: PersonDetails) -> None:
        self._stored = details.data
        self._full_name = details.full_name
        self._current_case_id = details.current_case_id
        self._registered_on = details.created_at.astimezone().date()
        self.version = details.version
        data = details.data
        for name in ("last_name", "first_name", *_LINE_FIELDS):
            editor: QLineEdit = getattr(self, name)
            editor.setText(getattr(data, name) or "")
        for name in _NOTE_FIELDS:
            text_edit: QPlainTextEdit = getattr(self, name)
            text_edit.setPlainText(getattr(data, name) or "")
        for name in _CHECK_FIELDS:
            box: QCheckBox = getattr(self, name)
            box.setChecked(bool(getattr(data, name)))
        self.sex.set_value(data.sex)
        self.birth_date.set_date_value(data.birth_date)
        self.birth_cert_date.set_date_value(data.birth_cert_date)
        self.district_id.set_value(data.district_id)
        self.school_box.setVisible(data.is_child)
        self.work_box.setVisible(not data.is_child)
        self._duplicates_sequence += 1
        self.duplicates_hint.hide()
        if details.current_case_id is not None:
            text = gettext("Open the case of this child")
            self.case_link.setText(f'<a href="case">{text}</a>')
            self.case_link.show()
        self._check_pin(fill=False)

    def person_input(self) -> PersonInput:
        """The form as the services take it; raises :class:`ValidationFailed` for dates that are not dates."""
        data, problems = self._read_form()
        if problems:
            raise ValidationFailed(problems)
        return data

    def _read_form(self) -> tuple[PersonInput, list[FieldProblem]]:
        """The form's values (a date that is not a date as none) and the problems of such dates."""
        problems: list[FieldProblem] = []
        birth_date = date_problem("birth_date", lambda: self.birth_date.date_value("birth_date"), problems)
        cert_date = date_problem(
            "birth_cert_date", lambda: self.birth_cert_date.date_value("birth_cert_date"), problems
        )
        values: dict[str, Any] = {
            "last_name": self.last_name.text(),
            "first_name": self.first_name.text(),
            "sex": self.sex.value(),
            "birth_date": birth_date,
            "birth_cert_date": cert_date,
            "district_id": self.district_id.value(),
        }
        for name in (*_LINE_FIELDS, *_NOTE_FIELDS):
            values[name] = text_or_none(getattr(self, name))
        for name in _CHECK_FIELDS:
            values[name] = getattr(self, name).isChecked()
        return replace(self._stored or PersonInput(), **values), problems

    def write(self) -> list[FieldProblem] | None:
        data, problems = self._read_form()
        if problems or self.record_id is None:
            # Checked here first so that every problem shows at once, with the dates that are not dates.
            checked = {p.field for p in problems}
            problems += [
                p
                for p in validate_person(data, today=local_today(), registered_on=self._registered_on)
                if p.field not in checked
            ]
            if problems:
                raise ValidationFailed(problems)
        if self.record_id is not None:
            assert self.version is not None
            return update_person(self.ctx.db, self.ctx.actor, self.record_id, data, self.version)
        confirmed, self._different_confirmed = self._different_confirmed, False
        if not confirmed:
            candidates = check_duplicates(self.ctx.db, self.ctx.actor, data)
            if candidates:
                self._ask_about_duplicates(candidates)
                return None
        result = register_child(self.ctx.db, self.ctx.actor, data)
        self.record_id = result.id
        return result.warnings

    def show_problems(self, problems: Sequence[FieldProblem]) -> None:
        super().show_problems(problems)
        if self.fields.labels["pin"].kind == "":
            self._check_pin(fill=False)  # keep the ПИН's warnings in sight

    # --- ПИН -----------------------------------------------------------------------------

    def field_edited(self, name: str) -> None:
        if name in ("pin", "sex", "birth_date") and not self._checking_pin:
            self._check_pin(fill=name == "pin")
        if name in ("last_name", "first_name", "patronymic", "birth_date", "pin"):
            self._duplicates_timer.start()

    def _check_pin(self, *, fill: bool) -> None:
        """Read the typed ПИН: fill an empty sex and date of birth, warn where they disagree."""
        label = self.fields.labels["pin"]
        label.clear_problem()
        digits = normalize_pin(self.pin.text())
        if not digits or (digits.isdigit() and len(digits) < PIN_LENGTH):
            return  # still typing
        try:
            info = parse_pin(digits, today=local_today())
        except ValidationFailed as failed:
            label.show_error(failed.problems[0].render())
            return
        if fill and not self.read_only:
            self._checking_pin = True
            try:
                if self.sex.value() is None:
                    self.sex.set_value(info.sex)
                if not self.birth_date.text().strip():
                    self.birth_date.set_date_value(info.birth_date)
            finally:
                self._checking_pin = False
        data, problems = self._read_form()
        if any(p.field == "birth_date" for p in problems):
            return  # the date of birth is not a date yet: nothing to compare
        for problem in validate_person(data, today=local_today(), registered_on=self._registered_on):
            if problem.field == "pin":
                label.add_warning(problem.render())

    @Slot()
    def _on_pin_editing_finished(self) -> None:
        digits = normalize_pin(self.pin.text())
        if digits.isdigit() and len(digits) < PIN_LENGTH:
            try:
                parse_pin(digits)
            except ValidationFailed as failed:
                self.fields.labels["pin"].show_error(failed.problems[0].render())

    # --- duplicates ----------------------------------------------------------------------

    @Slot()
    def _on_duplicates_timer_timeout(self) -> None:
        """While typing: name the registered children who may be this one (looked up in the background)."""
        self._duplicates_sequence += 1
        if self.read_only or (self._stored is not None and not self._stored.is_child):
            return
        try:
            data = self.person_input()
        except ValidationFailed:
            data = replace(self._stored or PersonInput(), birth_date=None)
            data = replace(
                data,
                last_name=self.last_name.text(),
                first_name=self.first_name.text(),
                patronymic=text_or_none(self.patronymic),
                pin=text_or_none(self.pin),
            )
        if not data.last_name.strip() or not data.first_name.strip():
            self.duplicates_hint.hide()
            return
        sequence = self._duplicates_sequence
        db, actor, exclude_id = self.ctx.db, self.ctx.actor, self.record_id

        def work(_progress: Progress) -> tuple[int, list[DuplicateCandidate]]:
            return sequence, check_duplicates(db, actor, data, exclude_id=exclude_id)

        self._duplicates_task = run_task(work, self._on_duplicates_task_finished)

    @Slot(object)
    def _on_duplicates_task_finished(self, result: tuple[int, list[DuplicateCandidate]]) -> None:
        sequence, candidates = result
        if sequence == self._duplicates_sequence:  # else typing went on: a newer check is coming
            self.show_duplicates_hint(candidates)

    def show_duplicates_hint(self, candidates: list[DuplicateCandidate]) -> None:
        if not candidates:
            self.duplicates_hint.hide()
            return
        links = []
        for candidate in candidates[:3]:
            born = f", {format_date(candidate.birth_date)}" if candidate.birth_date else ""
            links.append(f'<a href="{candidate.person_id}">{candidate.full_name}{born}</a>')
        self.duplicates_hint.setText("⚠ " + gettext("Possibly already registered:") + " " + "; ".join(links))
        self.duplicates_hint.show()

    def _ask_about_duplicates(self, candidates: list[DuplicateCandidate]) -> None:
        districts = person_districts(self.ctx.db, self.ctx.actor, [c.person_id for c in candidates])
        dialog = DuplicatesDialog(self.ctx.state, candidates, districts, self)
        dialog.open_existing.connect(self._on_duplicates_open_existing)
        dialog.different.connect(self._on_duplicates_different)
        dialog.rejected.connect(self._on_duplicates_rejected)
        self.duplicates_dialog = dialog
        dialog.open()

    @Slot(object)
    def _on_duplicates_open_existing(self, person_id: uuid.UUID) -> None:
        self.duplicates_dialog = None
        self._close_after_save = False
        self.ctx.open_record("person", person_id)
        if self._typed_beyond_identity() and not base.ask_discard_typed(self):
            return
        self.set_dirty(False)
        self.close()

    @Slot()
    def _on_duplicates_different(self) -> None:
        self.duplicates_dialog = None
        self._different_confirmed = True
        self.save()

    @Slot()
    def _on_duplicates_rejected(self) -> None:
        self.duplicates_dialog = None
        self._close_after_save = False

    def _typed_beyond_identity(self) -> bool:
        try:
            data = self.person_input()
        except ValidationFailed:
            return True
        blank = replace(PersonInput(), **{name: getattr(data, name) for name in _IDENTITY})
        return data.normalized() != blank.normalized()

    # --- links ---------------------------------------------------------------------------

    @Slot(str)
    def _on_duplicates_hint_link_activated(self, link: str) -> None:
        self.ctx.open_record("person", uuid.UUID(link))

    @Slot(str)
    def _on_case_link_activated(self, _link: str) -> None:
        if self._current_case_id is not None:
            self.ctx.open_record("case", self._current_case_id)
