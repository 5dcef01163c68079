"""The Visits tab and the visit dialog: recording, problems next to the fields, deleting a mistake."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from models.services.visits import VisitInput, VisitRow, list_visits, record_visit

from ui.casework import visits
from ui.casework.visits import VisitDialog, VisitsModel, VisitsTab
from ui.context import AppContext
from ui.forms import base

from tests.conftest import make_user

pytestmark = [
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
    pytest.mark.usefixtures("background_work_ends"),
]

TODAY = date.today()


@pytest.fixture(autouse=True)
def _answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions of the tab and the dialog, answered without message boxes; each one asked is noted."""
    asked: list[str] = []

    def unsaved(_parent: object) -> base.UnsavedChoice:
        asked.append("unsaved")
        return base.UnsavedChoice.DISCARD

    def delete(_parent: object, _day: date) -> bool:
        asked.append("delete")
        return True

    monkeypatch.setattr(base, "ask_unsaved_changes", unsaved)
    monkeypatch.setattr(visits, "ask_delete_visit", delete)
    return asked


def _tab(qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID) -> VisitsTab:
    tab = VisitsTab(ctx, case_id)
    qtbot.add_widget(tab)
    tab.show()
    qtbot.wait_until(lambda: not tab.is_loading)
    return tab


def _dialog(qtbot: QtBot, tab: VisitsTab) -> VisitDialog:
    dialog = tab.dialog
    assert dialog is not None
    qtbot.wait_until(lambda: not dialog.is_loading)
    return dialog


def test_the_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = VisitsModel()
    data = VisitInput(TODAY, "office", None, "Мать", "Первая строка\nвторая", TODAY + timedelta(days=7))
    model.set_rows([VisitRow(uuid.uuid4(), 1, data, "Асанова Гүлнара", None)])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 4)) == "Первая строка"


def test_a_visit_recorded_appears_in_the_list(qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID) -> None:
    tab = _tab(qtbot, ctx, case_id)
    assert tab.model.rowCount() == 0
    tab.new_button.click()
    dialog = _dialog(qtbot, tab)
    assert dialog.worker.value() == ctx.actor.user_id  # the worker is whoever records the visit
    dialog.visit_date.setDate(dialog.visit_date.date().addDays(-1))
    dialog.participants.setPlainText("Мать, бабушка, Ңурзат")
    dialog.observations.setPlainText("Дома чисто, ребёнок ходит в школу.\nУ матери нет работы.")
    dialog.next_visit.setText((TODAY + timedelta(days=30)).strftime("%d.%m.%Y"))
    with qtbot.wait_signal(tab.case_changed), qtbot.wait_signal(tab.refreshed):
        dialog.save_button.click()
    row = tab.model.row_entry(0)
    assert row is not None
    assert row.data.visit_date == TODAY - timedelta(days=1)
    assert tab.model.data(tab.model.index(0, 4)) == "Дома чисто, ребёнок ходит в школу."
    assert row.data.next_visit_date == TODAY + timedelta(days=30)


def test_problems_appear_next_to_the_fields_and_keep_what_was_typed(
    qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID
) -> None:
    tab = _tab(qtbot, ctx, case_id)
    tab.new_button.click()
    dialog = _dialog(qtbot, tab)
    dialog.participants.setPlainText("Отец")
    dialog.next_visit.setText(TODAY.strftime("%d.%m.%Y"))
    dialog.save_button.click()
    qtbot.wait_until(lambda: dialog.fields.labels["observations"].kind == "error")
    assert dialog.fields.labels["next_visit_date"].kind == "error"
    assert dialog.participants.toPlainText() == "Отец" and dialog.isVisible()
    dialog.next_visit.setText("32.13.2026")
    dialog.save_button.click()  # a date that is not a date is caught before the service
    assert dialog.fields.labels["next_visit_date"].kind == "error"
    assert list_visits(ctx.db, ctx.actor, case_id) == []


def test_an_opened_visit_is_changed(
    qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID, _answers: list[str]
) -> None:
    record_visit(ctx.db, ctx.actor, case_id, VisitInput(TODAY, "home", observations="Первое посещение"))
    tab = _tab(qtbot, ctx, case_id)
    tab.view.selectRow(0)
    tab.open_button.click()
    dialog = _dialog(qtbot, tab)
    assert dialog.observations.toPlainText() == "Первое посещение" and not dialog.dirty
    dialog.kind.set_value("office")
    assert dialog.isWindowModified()
    with qtbot.wait_signal(tab.refreshed):
        dialog.save_button.click()
    [row] = list_visits(ctx.db, ctx.actor, case_id)
    assert row.data.kind == "office"
    assert _answers == []


def test_the_author_deletes_a_visit_recorded_by_mistake_others_cannot(
    qtbot: QtBot,
    ctx: AppContext,
    ctx_as: Callable[[str], AppContext],
    case_id: uuid.UUID,
    _answers: list[str],
) -> None:
    worker = ctx_as("social_worker")
    record_visit(worker.db, worker.actor, case_id, VisitInput(TODAY, "home", observations="Ошибочная запись"))
    specialist = AppContext(ctx.db, make_user(ctx.db, ctx.actor, "bakyt", "specialist"), ctx.state)
    specialist_tab = _tab(qtbot, specialist, case_id)
    specialist_tab.view.selectRow(0)
    assert not specialist_tab.delete_button.isEnabled()

    tab = _tab(qtbot, worker, case_id)
    tab.view.selectRow(0)
    assert tab.delete_button.isEnabled()
    with qtbot.wait_signal(tab.refreshed):
        tab.delete_button.click()
    assert _answers == ["delete"]
    assert tab.model.rowCount() == 0


def test_a_read_only_user_only_opens_visits(
    qtbot: QtBot, ctx: AppContext, ctx_as: Callable[[str], AppContext], case_id: uuid.UUID
) -> None:
    record_visit(ctx.db, ctx.actor, case_id, VisitInput(TODAY, "home", observations="Посещение"))
    reader = ctx_as("kdd_secretary")
    tab = _tab(qtbot, reader, case_id)
    assert not tab.new_button.isVisibleTo(tab) and not tab.delete_button.isVisibleTo(tab)
    tab.view.selectRow(0)
    tab.open_button.click()
    dialog = _dialog(qtbot, tab)
    assert not dialog.save_button.isVisibleTo(dialog) and dialog.observations.isReadOnly()
