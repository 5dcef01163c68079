"""The record forms: typing, checks next to the fields, duplicates, unsaved changes, roles."""

from __future__ import annotations

import sys
import threading
import types
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

import shiboken6
from PySide6.QtCore import QDate, Qt, QThreadPool
from PySide6.QtWidgets import QApplication, QLabel

from models.database import Database
from models.duplicates import SAME_NAME_AND_BIRTH_DATE
from models.lookups import Choice
from models.orm import Case, Person
from models.services.base import Actor
from models.services.cases import CaseInput, PersonRef, ReportInput, get_report, open_case, register_report
from models.services.people import (
    PersonDetails,
    add_household_member,
    create_household,
    get_household,
    get_person,
    register_adult,
    register_child,
    update_person,
)
from models.validation import HouseholdInput, PersonInput

from ui.context import AppContext
from ui.forms import (
    CaseForm,
    HouseholdForm,
    PersonForm,
    RecordForm,
    ReportForm,
    base,
    household,
    open_form,
    open_record_form,
)
from ui.forms.duplicates import CandidatesModel
from ui.forms.widgets import CheckListModel, PeopleListModel, PersonHitsModel

# The offscreen platform warns that it cannot pass size hints on, nor raise a window.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

NURZAT = PersonInput(last_name="Үсөнбаева", first_name="Ңурзат", sex="F", birth_date=date(2015, 2, 1))


@pytest.fixture(autouse=True)
def _answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions the forms ask, answered without a blocking message box; each one asked is noted."""
    asked: list[str] = []

    def unsaved(_parent: object) -> base.UnsavedChoice:
        asked.append("unsaved")
        return base.UnsavedChoice.DISCARD

    def reload(_parent: object, _message: str) -> bool:
        asked.append("reload")
        return True

    def discard_typed(_parent: object) -> bool:
        asked.append("discard_typed")
        return True

    def remove_member(_parent: object, _name: str) -> bool:
        asked.append("remove_member")
        return True

    monkeypatch.setattr(base, "ask_unsaved_changes", unsaved)
    monkeypatch.setattr(base, "ask_reload", reload)
    monkeypatch.setattr(base, "ask_discard_typed", discard_typed)
    monkeypatch.setattr(household, "ask_remove_member", remove_member)
    return asked


@pytest.fixture(autouse=True)
def _background_reads_end() -> Iterator[None]:
    """No search started by a form outlives its test (and its database)."""
    yield
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()


def wait_loaded(qtbot: QtBot, form: RecordForm) -> None:
    """Wait until the form has read its record (after opening, saving or reloading)."""
    qtbot.wait_until(lambda: not form.is_loading)


@pytest.fixture
def show(qtbot: QtBot) -> Iterator[Callable[..., RecordForm]]:
    """Open a form as the main window does and wait until it is filled (unless *wait* is false).

    Forms still open are closed (unsaved) after the test.
    """
    opened: list[RecordForm] = []

    def open_one(
        ctx: AppContext, kind: str, record_id: uuid.UUID | None = None, *, wait: bool = True
    ) -> RecordForm:
        form = open_record_form(ctx, kind, record_id)
        opened.append(form)
        if wait:
            wait_loaded(qtbot, form)
        return form

    yield open_one
    for form in opened:
        if shiboken6.isValid(form):
            form.set_dirty(False)
            form.close()
    QApplication.processEvents()


def persons(db: Database, last_name: str | None = None) -> int:
    with db.reading() as session:
        query = select(func.count()).select_from(Person)
        if last_name is not None:
            query = query.where(Person.last_name == last_name)
        return session.scalar(query) or 0


def type_name(form: PersonForm, last: str, first: str, born: str = "") -> None:
    form.last_name.setText(last)
    form.first_name.setText(first)
    form.birth_date.setText(born)


# --- the child form -----------------------------------------------------------------------


def test_typing_a_pin_fills_sex_and_date_of_birth(qtbot: QtBot, ctx: AppContext, show) -> None:
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    qtbot.keyClicks(form.pin, "21503201512345")
    assert form.sex.value() == "M"
    assert form.birth_date.text() == "15.03.2015"
    assert not form.fields.labels["pin"].isVisibleTo(form)


def test_a_pin_that_disagrees_with_the_typed_sex_is_a_warning_next_to_it(
    qtbot: QtBot, ctx: AppContext, show
) -> None:
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    form.sex.set_value("F")
    form.birth_date.setText("01.02.2015")
    qtbot.keyClicks(form.pin, "21503201512345")
    label = form.fields.labels["pin"]
    assert label.kind == "warning"
    assert "15.03.2015" in label.text() and "01.02.2015" in label.text()
    assert (form.sex.value(), form.birth_date.text()) == ("F", "01.02.2015")  # what was typed stays


def test_an_impossible_date_in_the_pin_is_shown_at_the_pin_and_nothing_is_saved(
    qtbot: QtBot, ctx: AppContext, show
) -> None:
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    type_name(form, "Ёлкин", "Артём")
    qtbot.keyClicks(form.pin, "23102201512345")  # 31.02.2015
    label = form.fields.labels["pin"]
    assert label.kind == "error" and "31022015" in label.text()
    assert not form.save()
    assert form.fields.labels["pin"].kind == "error"
    assert persons(ctx.db) == 0
    assert form.pin.text() == "23102201512345"


def test_a_refused_save_keeps_what_was_typed_and_focuses_the_first_bad_field(
    qtbot: QtBot, ctx: AppContext, show
) -> None:
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    form.activateWindow()
    form.last_name.setText("Ёлкин")
    form.patronymic.setText("Сергеевич")
    form.school.setText("Школа № 5")
    form.birth_date.setText("31.02.2015")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.fields.labels["birth_date"].kind == "error"
    assert persons(ctx.db) == 0
    form.birth_date.setText("01.02.2015")
    qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    assert form.fields.labels["first_name"].kind == "error"  # the service's ValidationFailed
    assert form.fields.labels["birth_date"].kind == ""
    assert (form.last_name.text(), form.patronymic.text(), form.school.text()) == (
        "Ёлкин",
        "Сергеевич",
        "Школа № 5",
    )
    assert form.focusWidget() is form.first_name
    assert form.dirty and persons(ctx.db) == 0


def test_a_new_child_is_saved_and_announced(qtbot: QtBot, ctx: AppContext, show) -> None:
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    type_name(form, "  Үсөнбаева ", "Ңурзат", "01.02.2015")
    with qtbot.wait_signal(ctx.data_changed) as changed:
        assert form.save()
    assert changed.args == ["person"]
    assert form.record_id is not None and not form.dirty
    assert form.is_loading and not form.save_button.isEnabled()  # read back in the background
    with qtbot.wait_signal(form.loaded):
        pass
    assert form.save_button.isEnabled() and form.last_name.isEnabled()
    assert form.last_name.text() == "Үсөнбаева"  # read back as stored
    assert form.windowTitle().startswith("Үсөнбаева Ңурзат")
    assert get_person(ctx.db, ctx.actor, form.record_id).data.district_id == form.district_id.value()


def test_a_repeated_pin_is_saved_with_a_warning_at_the_pin(qtbot: QtBot, ctx: AppContext, show) -> None:
    register_child(
        ctx.db, ctx.actor, PersonInput(last_name="Ёлкин", first_name="Артём", pin="21503201512345")
    )
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    type_name(form, "Usenova", "Aigul")
    form.pin.setText("21503201512345")
    assert not form.save()
    assert form.duplicates_dialog is not None
    qtbot.mouseClick(form.duplicates_dialog.different_button, Qt.MouseButton.LeftButton)
    assert form.record_id is not None
    wait_loaded(qtbot, form)
    assert form.fields.labels["pin"].kind == "warning"
    assert "Ёлкин Артём" in form.fields.labels["pin"].text()


def test_a_possible_duplicate_is_shown_before_saving_and_a_different_child_is_saved(
    qtbot: QtBot, ctx: AppContext, show
) -> None:
    existing = register_child(ctx.db, ctx.actor, NURZAT).id
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    type_name(form, "Үсөнбаева", "Ңурзат", "01.02.2015")
    assert not form.save()
    dialog = form.duplicates_dialog
    assert dialog is not None and dialog.isVisible()
    model = dialog.candidates
    assert model.rowCount() == 1
    assert model.data(model.index(0, 0)) == "Үсөнбаева Ңурзат"
    assert model.data(model.index(0, 1)) == "01.02.2015"
    assert model.data(model.index(0, 3)) == "Сокулукский район"
    assert model.data(model.index(0, 0), CandidatesModel.PersonIdRole) == existing
    assert persons(ctx.db) == 1
    qtbot.mouseClick(dialog.different_button, Qt.MouseButton.LeftButton)
    assert persons(ctx.db, "Үсөнбаева") == 2
    assert form.record_id not in (None, existing) and not form.dirty


def test_opening_the_existing_record_instead_saves_nothing(
    qtbot: QtBot, ctx: AppContext, show, _answers: list[str]
) -> None:
    existing = register_child(ctx.db, ctx.actor, NURZAT).id
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    type_name(form, "Усонбаева", "Нурзат", "01.02.2015")
    form.save()
    dialog = form.duplicates_dialog
    assert dialog is not None
    with qtbot.wait_signal(ctx.open_requested) as requested:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    assert requested.args == ["person", existing]
    assert persons(ctx.db) == 1
    assert _answers == []  # only names and a date were typed: nothing to lose
    assert not shiboken6.isValid(form) or not form.isVisible()


def test_opening_the_existing_record_asks_before_dropping_other_details(
    qtbot: QtBot, ctx: AppContext, show, _answers: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    register_child(ctx.db, ctx.actor, NURZAT)

    def keep_open(_parent: object) -> bool:
        _answers.append("discard_typed")
        return False

    monkeypatch.setattr(base, "ask_discard_typed", keep_open)
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    type_name(form, "Үсөнбаева", "Ңурзат", "01.02.2015")
    form.phone.setText("0555 123 456")
    form.save()
    assert form.duplicates_dialog is not None
    qtbot.mouseClick(form.duplicates_dialog.open_button, Qt.MouseButton.LeftButton)
    assert _answers == ["discard_typed"]
    assert form.isVisible() and form.phone.text() == "0555 123 456"  # kept open: nothing lost
    assert persons(ctx.db) == 1


def test_possible_duplicates_are_named_while_typing(qtbot: QtBot, ctx: AppContext, show) -> None:
    register_child(ctx.db, ctx.actor, NURZAT)
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    qtbot.keyClicks(form.last_name, "Usonbaeva")  # QTest types ASCII only; the passport spelling finds her
    qtbot.keyClicks(form.first_name, "Nurzat")
    qtbot.keyClicks(form.birth_date, "01.02.2015")
    qtbot.wait_until(lambda: form.duplicates_hint.isVisibleTo(form))
    assert "Үсөнбаева Ңурзат, 01.02.2015" in form.duplicates_hint.text()


def test_closing_a_changed_form_asks_and_cancel_keeps_it_open(
    qtbot: QtBot, ctx: AppContext, show, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    answers = [base.UnsavedChoice.CANCEL, base.UnsavedChoice.SAVE]
    asked: list[str] = []

    def ask(_parent: object) -> base.UnsavedChoice:
        asked.append(form.last_name.text())
        return answers.pop(0)

    monkeypatch.setattr(base, "ask_unsaved_changes", ask)
    type_name(form, "Ёлкин", "Артём", "02.01.2014")
    assert form.isWindowModified()
    form.close()
    assert form.isVisible() and persons(ctx.db) == 0
    form.close()
    assert asked == ["Ёлкин", "Ёлкин"]
    assert persons(ctx.db, "Ёлкин") == 1
    assert not shiboken6.isValid(form) or not form.isVisible()


def test_closing_an_unchanged_form_asks_nothing(qtbot: QtBot, ctx: AppContext, show, _answers) -> None:
    person_id = register_child(ctx.db, ctx.actor, NURZAT).id
    form = show(ctx, "person", person_id)
    form.close()
    assert _answers == []


def test_discarding_changes_saves_nothing(qtbot: QtBot, ctx: AppContext, show, _answers) -> None:
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    type_name(form, "Ёлкин", "Артём")
    form.close()
    assert _answers == ["unsaved"]
    assert persons(ctx.db) == 0


def test_a_record_saved_by_someone_else_meanwhile_is_offered_for_reloading(
    qtbot: QtBot, ctx: AppContext, show, _answers: list[str]
) -> None:
    person_id = register_child(ctx.db, ctx.actor, NURZAT).id
    form = show(ctx, "person", person_id)
    assert isinstance(form, PersonForm)
    stored = get_person(ctx.db, ctx.actor, person_id)
    update_person(ctx.db, ctx.actor, person_id, replace(stored.data, phone="0700"), stored.version)
    form.school.setText("Школа № 5")
    assert not form.save()
    assert _answers == ["reload"]
    wait_loaded(qtbot, form)
    assert (form.phone.text(), form.school.text()) == ("0700", "")
    assert not form.dirty


def test_opening_an_open_record_brings_its_window_back(qtbot: QtBot, ctx: AppContext, show) -> None:
    person_id = register_child(ctx.db, ctx.actor, NURZAT).id
    first = show(ctx, "person", person_id)
    assert open_form(ctx, "person", person_id) is first
    assert open_form(ctx, "person", None) is not first


def test_referrals_and_kdd_meetings_open_in_their_own_windows(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[tuple[str, uuid.UUID | None]] = []
    referrals = types.ModuleType("ui.casework.referrals")
    referrals.open_referral = lambda _ctx, record_id, _parent: opened.append(("referral", record_id))  # type: ignore[attr-defined]
    meetings = types.ModuleType("ui.kdd.meeting")
    meetings.open_meeting = lambda _ctx, record_id, _parent: opened.append(("kdd_meeting", record_id))  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ui.casework.referrals", referrals)
    monkeypatch.setitem(sys.modules, "ui.kdd.meeting", meetings)
    referral_id = uuid.uuid4()
    open_form(ctx, "referral", referral_id)
    open_form(ctx, "kdd_meeting", None)
    assert opened == [("referral", referral_id), ("kdd_meeting", None)]
    with pytest.raises(ValueError, match="no form"):
        open_form(ctx, "visit", None)


def test_a_deleted_record_is_told_and_its_window_closes(
    qtbot: QtBot, ctx: AppContext, show, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(base, "show_error", lambda _parent, error, _title=None: shown.append(str(error)))
    form = show(ctx, "person", uuid.uuid4(), wait=False)
    qtbot.wait_until(lambda: len(shown) == 1)
    assert not shiboken6.isValid(form) or not form.isVisible()


def test_a_form_shows_at_once_and_reads_its_record_in_the_background(
    qtbot: QtBot, ctx: AppContext, show, monkeypatch: pytest.MonkeyPatch
) -> None:
    person_id = register_child(ctx.db, ctx.actor, NURZAT).id
    read_in_gui_thread: list[bool] = []
    fetch = PersonForm.fetch

    def noting_fetch(db: Database, actor: Actor, record_id: uuid.UUID) -> PersonDetails:
        read_in_gui_thread.append(threading.current_thread() is threading.main_thread())
        return fetch(db, actor, record_id)

    monkeypatch.setattr(PersonForm, "fetch", staticmethod(noting_fetch))
    form = show(ctx, "person", person_id, wait=False)
    assert isinstance(form, PersonForm)
    at_once = (form.isVisible(), form.is_loading, form.body is None, form.save_button.isEnabled())
    assert at_once == (True, True, True, False)
    placeholder = form.scroll_area.widget()
    assert isinstance(placeholder, QLabel) and placeholder.text() == "Загрузка…"
    assert form.windowTitle() == "Загрузка…[*]"
    with qtbot.wait_signal(form.loaded):
        pass
    assert read_in_gui_thread == [False]
    assert not form.is_loading and not form.loading_label.isVisibleTo(form)
    assert form.last_name.isEnabled() and form.save_button.isEnabled()
    assert form.last_name.text() == "Үсөнбаева" and form.birth_date.text() == "01.02.2015"
    assert form.windowTitle().startswith("Үсөнбаева Ңурзат") and not form.dirty


def test_the_fields_of_a_loading_form_are_shown_disabled_until_the_record_comes(
    qtbot: QtBot, ctx: AppContext, show, monkeypatch: pytest.MonkeyPatch
) -> None:
    person_id = register_child(ctx.db, ctx.actor, NURZAT).id
    show(ctx, "person")  # the choice lists are read once per session; now they are
    record_read = threading.Event()
    fetch = PersonForm.fetch

    def held_fetch(db: Database, actor: Actor, record_id: uuid.UUID) -> PersonDetails:
        assert record_read.wait(10)
        return fetch(db, actor, record_id)

    monkeypatch.setattr(PersonForm, "fetch", staticmethod(held_fetch))
    form = show(ctx, "person", person_id, wait=False)
    assert isinstance(form, PersonForm)
    qtbot.wait_until(lambda: hasattr(form, "last_name") and form.last_name.isVisible())
    assert form.is_loading and not form.last_name.isEnabled() and form.last_name.text() == ""
    assert form.loading_label.isVisibleTo(form) and not form.save_button.isEnabled()
    record_read.set()
    wait_loaded(qtbot, form)
    assert form.last_name.isEnabled() and form.last_name.text() == "Үсөнбаева"


def test_a_form_closed_while_loading_stays_closed(qtbot: QtBot, ctx: AppContext, show, _answers) -> None:
    person_id = register_child(ctx.db, ctx.actor, NURZAT).id
    form = show(ctx, "person", person_id, wait=False)
    form.close()
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()
    assert not shiboken6.isValid(form) or not form.isVisible()
    assert _answers == []


# --- roles ----------------------------------------------------------------------------------


def test_a_read_only_user_sees_forms_without_save(qtbot: QtBot, ctx: AppContext, ctx_as, show) -> None:
    person_id = register_child(ctx.db, ctx.actor, NURZAT).id
    viewer = ctx_as("read_only")
    form = show(viewer, "person", person_id)
    assert isinstance(form, PersonForm)
    assert not form.save_button.isVisibleTo(form) and not form.save_close_button.isVisibleTo(form)
    assert form.last_name.isReadOnly() and not form.sex.isEnabled()
    assert form.notice.isVisibleTo(form)
    assert not form.save()


def test_a_social_worker_edits_people_but_only_views_reports_and_cases(
    qtbot: QtBot, ctx: AppContext, ctx_as, show
) -> None:
    child = register_child(ctx.db, ctx.actor, NURZAT).id
    report = register_report(
        ctx.db, ctx.actor, ReportInput(datetime(2026, 3, 1, tzinfo=UTC), anonymous=True)
    ).id
    case = open_case(ctx.db, ctx.actor, CaseInput(child, date(2026, 3, 2), ["other"])).id
    worker = ctx_as("social_worker")
    person_form = show(worker, "person", child)
    assert not person_form.read_only and person_form.save_button.isVisibleTo(person_form)
    household_form = show(worker, "household")
    assert not household_form.read_only and household_form.save_button.isVisibleTo(household_form)
    for kind, record_id in (("report", report), ("case", case)):
        form = show(worker, kind, record_id)
        assert form.read_only and not form.save_button.isVisibleTo(form)


# --- households ----------------------------------------------------------------------------


def test_a_member_is_added_to_a_new_household_by_searching(qtbot: QtBot, ctx: AppContext, show) -> None:
    register_adult(ctx.db, ctx.actor, PersonInput(last_name="Үсөнбаева", first_name="Гүлзат", sex="F"))
    form = show(ctx, "household")
    assert isinstance(form, HouseholdForm)
    form.address_text.setText("с. Сокулук, ул. Ленина 5")
    qtbot.mouseClick(form.add_member_button, Qt.MouseButton.LeftButton)
    assert form.record_id is not None  # the household was saved first
    dialog = form.add_dialog
    assert dialog is not None
    qtbot.keyClicks(dialog.search.box, "usonb")
    qtbot.wait_until(lambda: dialog.search.hits.rowCount() == 1)
    dialog.relation.set_value("mother")
    dialog.caregiver.setChecked(True)
    with qtbot.wait_signal(dialog.member_added):
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: form.members.rowCount() == 1)
    [member] = get_household(ctx.db, ctx.actor, form.record_id).members
    assert (member.full_name, member.relation_code, member.is_caregiver) == (
        "Үсөнбаева Гүлзат",
        "mother",
        True,
    )
    assert form.members.data(form.members.index(0, form.members.RELATION)) == "Мать"


def test_a_new_adult_is_registered_and_added(qtbot: QtBot, ctx: AppContext, show) -> None:
    household_id = create_household(ctx.db, ctx.actor, HouseholdInput(address_text="с. Сокулук"))
    form = show(ctx, "household", household_id)
    assert isinstance(form, HouseholdForm)
    qtbot.mouseClick(form.add_member_button, Qt.MouseButton.LeftButton)
    dialog = form.add_dialog
    assert dialog is not None
    qtbot.mouseClick(dialog.new_adult_button, Qt.MouseButton.LeftButton)
    dialog.last_name.setText("Ёлкин")
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.adult_fields.labels["first_name"].kind == "error"
    dialog.first_name.setText("Сергей")
    dialog.relation.set_value("father")
    with qtbot.wait_signal(dialog.member_added):
        qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    [member] = get_household(ctx.db, ctx.actor, household_id).members
    assert (member.full_name, member.is_child, member.relation_code) == ("Ёлкин Сергей", False, "father")


def test_a_members_relation_is_changed_in_the_table_and_removed(
    qtbot: QtBot, ctx: AppContext, show, _answers: list[str]
) -> None:
    child = register_child(ctx.db, ctx.actor, NURZAT).id
    household_id = create_household(ctx.db, ctx.actor, HouseholdInput())
    add_household_member(ctx.db, ctx.actor, household_id, child, "child")
    form = show(ctx, "household", household_id)
    assert isinstance(form, HouseholdForm)
    caregiver = form.members.index(0, form.members.CAREGIVER)
    assert form.members.setData(caregiver, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    qtbot.wait_until(lambda: get_household(ctx.db, ctx.actor, household_id).members[0].is_caregiver)
    qtbot.wait_until(lambda: form.members.member(0) is not None and form.members.member(0).version == 2)  # type: ignore[union-attr]
    form.members_view.selectRow(0)
    qtbot.mouseClick(form.remove_member_button, Qt.MouseButton.LeftButton)
    assert _answers == ["remove_member"]
    qtbot.wait_until(lambda: form.members.rowCount() == 0)
    assert get_household(ctx.db, ctx.actor, household_id).members == []


# --- reports and cases -----------------------------------------------------------------------


def test_a_report_decided_open_case_opens_a_case_for_the_child(qtbot: QtBot, ctx: AppContext, show) -> None:
    child = register_child(ctx.db, ctx.actor, NURZAT).id
    form = show(ctx, "report")
    assert isinstance(form, ReportForm)
    form.received_at.setDate(QDate(2026, 3, 1))
    form.reporter_name.setText("Социальный педагог школы № 5")
    form.source.set_value("school")
    form.categories.set_values(["not_in_school"])
    form.add_child(PersonRef(child, "Үсөнбаева Ңурзат", date(2015, 2, 1)))
    form.decision.set_value("open_case")
    form.decision_date.setDate(QDate(2026, 3, 2))
    opened: list[tuple[str, object]] = []
    ctx.open_requested.connect(lambda kind, record_id: opened.append((kind, record_id)))
    assert form.save(), form.fields.labels
    with ctx.db.reading() as session:
        case = session.scalars(select(Case)).one()
        assert (case.child_id, case.report_id, case.opened_on) == (child, form.record_id, date(2026, 3, 2))
        assert [c.code for c in case.categories] == ["not_in_school"]
    assert opened == [("case", case.id)]
    assert form.record_id is not None
    wait_loaded(qtbot, form)
    assert get_report(ctx.db, ctx.actor, form.record_id).decision == "open_case"
    assert "1/2026" in form.cases_label.text()
    assert not form.decision.isEnabled()


def test_a_report_without_categories_cannot_open_a_case_but_is_registered(
    qtbot: QtBot, ctx: AppContext, show
) -> None:
    child = register_child(ctx.db, ctx.actor, NURZAT).id
    form = show(ctx, "report")
    assert isinstance(form, ReportForm)
    form.received_at.setDate(QDate(2026, 3, 1))
    form.anonymous.setChecked(True)
    assert not form.reporter_name.isEnabled()
    form.add_child(PersonRef(child, "Үсөнбаева Ңурзат", date(2015, 2, 1)))
    form.decision.set_value("open_case")
    form.decision_date.setDate(QDate(2026, 3, 2))
    assert not form.save()
    assert form.fields.labels["categories"].kind == "error"
    assert form.record_id is not None  # the report itself is in the journal
    form.categories.set_values(["neglect"])
    assert form.save()
    with ctx.db.reading() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 1


def test_a_report_problem_is_shown_at_its_field(qtbot: QtBot, ctx: AppContext, show) -> None:
    form = show(ctx, "report")
    assert isinstance(form, ReportForm)
    form.concern.setPlainText("Ребёнок не ходит в школу")
    assert not form.save()
    assert form.fields.labels["reporter_name"].kind == "error"
    assert form.concern.toPlainText() == "Ребёнок не ходит в школу"


def test_a_case_is_opened_from_its_form_and_edited(qtbot: QtBot, ctx: AppContext, show) -> None:
    child = register_child(ctx.db, ctx.actor, NURZAT).id
    form = show(ctx, "case")
    assert isinstance(form, CaseForm)
    assert not form.save()
    assert form.fields.labels["child"].kind == "error"
    form.choose_child(PersonRef(child, "Үсөнбаева Ңурзат", date(2015, 2, 1)))
    form.categories.set_values(["neglect"])
    form.risk.set_value("high")
    assert form.save()
    wait_loaded(qtbot, form)
    assert form.number.text() == f"1/{date.today().year}"
    assert form.worker.value() is None  # an administrator is nobody's case worker
    form.risk.set_value("low")
    form.summary.setPlainText("Семья получает пособие")
    assert form.save()
    with ctx.db.reading() as session:
        case = session.scalars(select(Case)).one()
        assert case.risk_level is not None and case.risk_level.code == "low"
        assert case.summary == "Семья получает пособие"


def test_only_a_head_changes_the_responsible_worker(qtbot: QtBot, ctx: AppContext, ctx_as, show) -> None:
    child = register_child(ctx.db, ctx.actor, NURZAT).id
    case = open_case(ctx.db, ctx.actor, CaseInput(child, date(2026, 3, 2), ["other"])).id
    specialist = show(ctx_as("specialist"), "case", case)
    assert isinstance(specialist, CaseForm)
    assert not specialist.read_only and not specialist.worker.isEnabled()
    specialist.set_dirty(False)
    specialist.close()
    head_ctx = ctx_as("head")
    head = show(head_ctx, "case", case)
    assert isinstance(head, CaseForm)
    assert head.worker.isEnabled()
    head.worker.set_value(head_ctx.actor.user_id)
    assert head.save()
    with ctx.db.reading() as session:
        stored = session.get(Case, case)
        assert stored is not None and stored.worker_id == head_ctx.actor.user_id


# --- models -----------------------------------------------------------------------------------


def test_the_models_of_the_forms_are_correct_qt_models(qtmodeltester, ctx: AppContext) -> None:
    checks = CheckListModel([Choice("neglect", "Безнадзорность"), Choice("other", "Другое")])
    checks.set_values(["other"])
    qtmodeltester.check(checks)
    people = PeopleListModel()
    people.add(PersonRef(uuid.uuid4(), "Үсөнбаева Ңурзат", date(2015, 2, 1)))
    qtmodeltester.check(people)
    hits = PersonHitsModel()
    qtmodeltester.check(hits)
    from models.duplicates import DuplicateCandidate

    candidates = CandidatesModel(
        [DuplicateCandidate(uuid.uuid4(), "Ёлкин Артём", None, None, 70, (SAME_NAME_AND_BIRTH_DATE,))], {}
    )
    qtmodeltester.check(candidates)
    household_id = create_household(ctx.db, ctx.actor, HouseholdInput())
    child = register_child(ctx.db, ctx.actor, NURZAT).id
    add_household_member(ctx.db, ctx.actor, household_id, child, "child")
    members = household.MembersModel([Choice("child", "Ребёнок")])
    members.set_members(get_household(ctx.db, ctx.actor, household_id).members)
    qtmodeltester.check(members)


def test_ctrl_s_saves(qtbot: QtBot, ctx: AppContext, show) -> None:
    form = show(ctx, "person")
    assert isinstance(form, PersonForm)
    with qtbot.wait_active(form):
        form.activateWindow()
    type_name(form, "Ёлкин", "Артём", "02.01.2014")
    form.last_name.setFocus()
    qtbot.keyClick(form.last_name, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert persons(ctx.db, "Ёлкин") == 1 and not form.dirty
