"""The КДД meeting window and the case's КДД tab: a secretary runs a meeting from the agenda to decisions."""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from models.database import Database
from models.i18n import gettext
from models.services import kdd
from models.services.base import Actor
from models.services.kdd import CaseChoice, DecisionInput, MeetingInput, MemberInput

from ui.casework import kdd as case_kdd_tab
from ui.casework.kdd import CaseKddTab
from ui.context import AppContext
from ui.forms import base
from ui.kdd import dialogs
from ui.kdd.meeting import MeetingWindow, open_meeting, open_meetings, quorum_text
from ui.kdd.models import AgendaModel, CaseChoicesModel, DecisionsModel, MembersModel

from tests.models.test_kdd_services import _case as make_case

TODAY = date.today()
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)


@pytest.fixture
def secretary(ctx_as: Callable[[str], AppContext]) -> AppContext:
    return ctx_as("kdd_secretary")


@pytest.fixture
def case(sqlite_db: Database, sqlite_admin: Actor) -> tuple[uuid.UUID, str]:
    return make_case(sqlite_db, sqlite_admin)


def _window(qtbot: QtBot, ctx: AppContext, meeting_id: uuid.UUID | None) -> MeetingWindow:
    window = open_meeting(ctx, meeting_id)
    qtbot.add_widget(window)
    qtbot.wait_until(lambda: (window.meeting is not None or window.defaults is not None) and not window._busy)
    return window


def _written(qtbot: QtBot, window: MeetingWindow, action: Callable[[], None]) -> None:
    """Do *action* and wait until its write is done and the meeting is read again."""
    with qtbot.wait_signal(window.written, timeout=10000):
        action()
    qtbot.wait_until(lambda: not window.running_tasks and not window._busy)


def test_a_secretary_runs_a_meeting_in_the_window(
    qtbot: QtBot, secretary: AppContext, case: tuple[uuid.UUID, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id, case_number = case
    changes: list[str] = []
    secretary.data_changed.connect(changes.append)
    window = _window(qtbot, secretary, None)
    assert window.save_details_button.text() == gettext("Plan the meeting")

    monkeypatch.setattr(
        dialogs, "edit_member", lambda *_a: MemberInput("Асанова Гүлнара", "Заместитель акима", "chair")
    )
    window.add_member_button.click()
    monkeypatch.setattr(dialogs, "edit_member", lambda *_a: MemberInput("Ёлкин Пётр", "Инспектор ИДН"))
    window.add_member_button.click()
    monkeypatch.setattr(
        dialogs, "edit_member", lambda *_a: MemberInput("Usenova Nurgul", "Социальный педагог")
    )
    window.add_member_button.click()
    assert window.quorum_label.text() == quorum_text(0, 3)

    window.chair_name.setText("Асанова Гүлнара")
    window.secretary_name.setText("")
    window.save_details_button.click()
    qtbot.wait_until(lambda: window.details_fields.labels["secretary_name"].isVisible())
    assert window.chair_name.text() == "Асанова Гүлнара"  # what was typed stays
    window.secretary_name.setText("Токтогулова Айнура")
    _written(qtbot, window, window.save_details_button.click)
    qtbot.wait_until(lambda: window.meeting is not None)
    assert window.meeting is not None and window.meeting.number == f"1/{TODAY.year}"
    assert "kdd_meeting" in changes

    def tick(row: int) -> None:
        index = window.members_model.index(row, 0)
        window.members_model.setData(index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)

    for row in range(2):
        _written(qtbot, window, functools.partial(tick, row))
    qtbot.wait_until(lambda: window.meeting is not None and window.meeting.quorum.present == 2)
    assert window.quorum_label.text() == quorum_text(2, 3)

    monkeypatch.setattr(
        dialogs,
        "pick_case",
        lambda *_a: CaseChoice(case_id, case_number, "Үсөнбаева Ңурзат", None, "registered"),
    )
    _written(qtbot, window, window.add_case_button.click)
    qtbot.wait_until(lambda: window.agenda_model.rowCount() == 1)
    item = window.current_item()
    assert item is not None and item.child_name == "Үсөнбаева Ңурзат"

    window.reported_by.setText("Специалист ОЗД")
    window.parent_invited.setChecked(True)
    window.parent_attended.setChecked(True)
    assert window.item_dirty
    _written(qtbot, window, window.save_item_button.click)
    qtbot.wait_until(lambda: not window.item_dirty and window.current_item() is not None)
    assert window.current_item().reported_by == "Специалист ОЗД"  # type: ignore[union-attr]

    refused: list[Any] = []

    def decision(*args: Any) -> DecisionInput | None:
        refused.append(args[-1])
        if len(refused) == 1:
            return DecisionInput("Обеспечить посещение школы", "Школа № 5", TODAY - timedelta(days=5))
        if len(refused) == 2:
            return DecisionInput("Обеспечить посещение школы", "Школа № 5", None)
        return None

    monkeypatch.setattr(dialogs, "edit_decision", decision)
    window.add_decision_button.click()
    qtbot.wait_until(lambda: len(refused) == 2)  # refused (deadline before the meeting), asked again
    assert refused[1] and refused[1][0].field == "deadline"
    qtbot.wait_until(lambda: window.decisions_model.rowCount() == 1 and not window._busy)

    monkeypatch.setattr(dialogs, "confirm_hold", lambda *_a: True)
    _written(qtbot, window, window.hold_button.click)
    qtbot.wait_until(lambda: window.meeting is not None and window.meeting.status == "held")
    assert not window.add_case_button.isEnabled() and not window.hold_button.isEnabled()
    assert "Проведено" in window.header.text()

    window.decisions_view.selectRow(0)
    monkeypatch.setattr(dialogs, "ask_follow_up", lambda *_a: (TODAY, "Ребёнок ходит в школу"))
    assert window.follow_up_button.isEnabled()
    _written(qtbot, window, window.follow_up_button.click)

    def done() -> bool:
        decision = window.decisions_model.row_entry(0)
        return decision is not None and decision.done_on == TODAY

    qtbot.wait_until(done)


def test_holding_without_quorum_says_how_many_are_present(
    qtbot: QtBot, secretary: AppContext, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = kdd.plan_meeting(
        sqlite_db,
        secretary.actor,
        MeetingInput(TODAY, None, "Асанова", "Токтогулова"),
        [MemberInput("А"), MemberInput("Б")],
    )
    window = _window(qtbot, secretary, planned.id)
    monkeypatch.setattr(dialogs, "confirm_hold", lambda *_a: True)
    window.hold_button.click()
    qtbot.wait_until(lambda: window.members_problem.isVisible())
    assert re.search(r"\b0\b.*\b2\b", window.members_problem.text())  # present of total
    assert window.agenda_problem.isVisible()
    assert window.meeting is not None and window.meeting.status == "planned"


def test_the_window_guards_unsaved_details(
    qtbot: QtBot, secretary: AppContext, sqlite_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    planned = kdd.plan_meeting(
        sqlite_db, secretary.actor, MeetingInput(TODAY, None, "Асанова", "Токтогулова"), []
    )
    window = _window(qtbot, secretary, planned.id)
    assert open_meeting(secretary, planned.id) is window  # one window per meeting
    window.place.setText("Зал заседаний")
    asked: list[bool] = []

    def cancel(_parent: Any) -> base.UnsavedChoice:
        asked.append(True)
        return base.UnsavedChoice.CANCEL

    monkeypatch.setattr(base, "ask_unsaved_changes", cancel)
    window.close()
    assert asked and window.isVisible() and window.place.text() == "Зал заседаний"
    monkeypatch.setattr(base, "ask_unsaved_changes", lambda _p: base.UnsavedChoice.SAVE)
    window.close()  # saves, then closes
    qtbot.wait_until(lambda: planned.id not in open_meetings(secretary).windows, timeout=10000)
    assert kdd.get_meeting(sqlite_db, secretary.actor, planned.id).data.place == "Зал заседаний"


def test_a_reader_sees_the_meeting_without_editing(
    qtbot: QtBot, ctx_as: Callable[[str], AppContext], sqlite_db: Database, sqlite_admin: Actor
) -> None:
    planned = kdd.plan_meeting(
        sqlite_db, sqlite_admin, MeetingInput(TODAY, None, "Асанова", "Токтогулова"), []
    )
    window = _window(qtbot, ctx_as("specialist"), planned.id)
    assert window.place.isReadOnly()
    assert window.hold_button.isHidden() and window.add_case_button.isHidden()


def test_the_case_tab_lists_decisions_and_adds_the_case_to_a_meeting(
    qtbot: QtBot,
    secretary: AppContext,
    sqlite_db: Database,
    case: tuple[uuid.UUID, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id, _number = case
    planned = kdd.plan_meeting(
        sqlite_db,
        secretary.actor,
        MeetingInput(TODAY - timedelta(days=40), "Зал", "Асанова", "Токтогулова"),
        [],
    )
    tab = CaseKddTab(secretary, case_id)
    qtbot.add_widget(tab)
    qtbot.wait_until(lambda: "0" in tab.status.text())
    assert tab.add_button.isVisible() or not tab.isVisible()
    monkeypatch.setattr(case_kdd_tab, "choose_meeting", lambda _p, _c, meetings: meetings[0])
    with qtbot.wait_signal(tab.case_changed, timeout=10000):
        tab.add_button.click()
    qtbot.wait_until(lambda: tab.model.rowCount() == 1)
    item_id = kdd.case_kdd(sqlite_db, secretary.actor, case_id)[0].item_id
    kdd.add_decision(sqlite_db, secretary.actor, item_id, DecisionInput("Направить семью в ЦСМ", "ЦСМ"))
    tab.refresh()
    qtbot.wait_until(lambda: tab.model.index(0, 6).data() == "Направить семью в ЦСМ")
    assert tab.model.index(0, 0).data() == planned.number
    assert tab.model.index(0, 9).data() == "Просрочено"  # 30 days after a meeting 40 days ago
    assert gettext("overdue: {count}").format(count=1) in tab.status.text()


def test_a_specialist_has_no_add_button_in_the_case_tab(
    qtbot: QtBot, ctx_as: Callable[[str], AppContext], case: tuple[uuid.UUID, str]
) -> None:
    tab = CaseKddTab(ctx_as("specialist"), case[0])
    qtbot.add_widget(tab)
    assert tab.add_button.isHidden()
    qtbot.wait_until(lambda: tab._task is not None and not tab._task.running)


def test_the_models_are_correct_qt_models(
    qtmodeltester: Any,
    qtbot: QtBot,
    secretary: AppContext,
    sqlite_db: Database,
    sqlite_admin: Actor,
    case: tuple[uuid.UUID, str],
) -> None:
    case_id, case_number = case
    planned = kdd.plan_meeting(
        sqlite_db,
        sqlite_admin,
        MeetingInput(TODAY, None, "Асанова", "Токтогулова"),
        [MemberInput("Ёлкин Пётр")],
    )
    item_id = kdd.add_item(sqlite_db, sqlite_admin, planned.id, kdd.ItemInput(case_id=case_id))
    kdd.add_decision(sqlite_db, sqlite_admin, item_id, DecisionInput("Решение"))
    meeting = kdd.get_meeting(sqlite_db, sqlite_admin, planned.id)
    members = MembersModel()
    members.set_rows([m.as_input() for m in meeting.members])
    members.set_editable(True)
    agenda = AgendaModel()
    agenda.set_rows(meeting.items)
    decisions = DecisionsModel()
    decisions.set_rows(meeting.items[0].decisions)
    choices = CaseChoicesModel()
    choices.set_rows(kdd.open_case_choices(sqlite_db, sqlite_admin, case_number))
    tab_model = case_kdd_tab.CaseKddModel()
    tab_model.set_entries(kdd.case_kdd(sqlite_db, sqlite_admin, case_id))
    for model in (members, agenda, decisions, choices, tab_model):
        qtmodeltester.check(model)
    assert choices.rowCount() == 1 and tab_model.rowCount() == 1


def test_the_case_picker_finds_open_cases_by_name(
    qtbot: QtBot, secretary: AppContext, case: tuple[uuid.UUID, str]
) -> None:
    picker = dialogs.CasePickerDialog(secretary)
    qtbot.add_widget(picker)
    picker.search.setText("үсөн")
    qtbot.wait_until(lambda: picker.results.rowCount() == 1, timeout=5000)
    chosen = picker.chosen()
    assert chosen is not None and chosen.id == case[0]


def test_a_new_meeting_takes_the_last_meetings_members(
    qtbot: QtBot,
    secretary: AppContext,
    sqlite_db: Database,
    sqlite_admin: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kdd.plan_meeting(
        sqlite_db,
        sqlite_admin,
        MeetingInput(TODAY, "Зал", "Асанова", "Токтогулова"),
        [MemberInput("Асанова", role="chair"), MemberInput("Ёлкин")],
    )
    window = _window(qtbot, secretary, None)
    assert window.chair_name.text() == "Асанова" and window.place.text() == "Зал"
    assert [m.full_name for m in window.members_model.members()] == ["Асанова", "Ёлкин"]
    assert window.quorum_label.text() == quorum_text(0, 2)
