"""The Plan tab of the case workspace: drafting, saving, approval, revisions, progress and reviews."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush

from models.database import Database
from models.orm import Organisation
from models.services.base import Actor
from models.services.cases import get_case
from models.services.plans import (
    ActionInput,
    GoalInput,
    PlanInput,
    ReviewView,
    approve_plan,
    create_plan,
    get_plan,
    list_plans,
)

from ui.casework import plan as plan_module
from ui.casework.plan import PlanTab
from ui.casework.plan_dialogs import ActionDialog, NewPlanDialog, ReviewDialog
from ui.casework.plan_models import ActionRow, ActionsModel, GoalRow, GoalsModel, ReviewsModel
from ui.context import AppContext
from ui.forms.base import UnsavedChoice
from ui.forms.widgets import ERROR_COLOUR

from tests.ui.casework_helpers import open_child_case

START = date.today() - timedelta(days=30)


def _case(db: Database, admin: Actor) -> uuid.UUID:
    return open_child_case(db, admin, START - timedelta(days=10), ["not_in_school"], sex="F")


def _organisation(db: Database) -> uuid.UUID:
    with db.session() as session:
        session.info["system"] = True
        org = Organisation(name_ru="Сокулук ЦСМ", name_ky="Сокулук ҮМБ")
        session.add(org)
        session.commit()
        return org.id


def _plan(
    db: Database, admin: Actor, case_id: uuid.UUID, actions: int = 1, approve: bool = False
) -> uuid.UUID:
    org_id = _organisation(db)
    ref = create_plan(
        db,
        admin,
        case_id,
        PlanInput(
            START,
            goals=[GoalInput("Ребёнок посещает школу")],
            actions=[
                ActionInput(
                    f"Мероприятие {n + 1}",
                    goal=0,
                    service_code="education",
                    organisation_id=org_id,
                    due_date=START + timedelta(days=n % 60),
                )
                for n in range(actions)
            ],
        ),
    )
    if approve:
        approve_plan(db, admin, ref.id, ref.version)
    return ref.id


def _tab(qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID) -> PlanTab:
    tab = PlanTab(ctx, case_id)
    qtbot.add_widget(tab)
    tab.resize(1366, 768)
    tab.show()
    qtbot.wait_until(lambda: not tab.busy)
    return tab


def revision_id(tab: PlanTab) -> uuid.UUID:
    assert tab.details is not None
    return tab.details.id


def _idle(qtbot: QtBot, tab: PlanTab) -> None:
    qtbot.wait_until(lambda: not tab.busy)


def test_a_case_without_a_plan_offers_a_new_one(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database, sqlite_admin: Actor
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    tab = _tab(qtbot, ctx, case_id)
    assert tab.empty_label.isVisibleTo(tab)
    assert not tab.body.isVisibleTo(tab)

    with qtbot.wait_signal(tab.case_changed):
        tab.new_button.click()
        dialog = tab.dialog
        assert isinstance(dialog, NewPlanDialog)
        dialog.buttons.accepted.emit()
    _idle(qtbot, tab)
    assert tab.details is not None and tab.details.is_draft
    assert get_case(sqlite_db, sqlite_admin, case_id).status == "planning"


def test_draft_a_plan_with_a_goal_and_an_action_save_and_approve_as_head(
    qtbot: QtBot,
    ctx_as: Callable[[str], AppContext],
    sqlite_db: Database,
    sqlite_admin: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    org_id = _organisation(sqlite_db)
    plan_id = create_plan(sqlite_db, sqlite_admin, case_id, PlanInput(START)).id
    tab = _tab(qtbot, ctx_as("head"), case_id)
    assert tab.editable

    tab.add_goal_button.click()
    tab.goals_model.setData(tab.goals_model.index(0, 0), "Ребёнок посещает школу")
    assert tab.dirty
    tab.add_action_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, ActionDialog)
    dialog.description.setPlainText("Зачислить в школу № 3")
    dialog.organisation.set_value(org_id)
    dialog.responsible_person.setText("Ёлкин А.")
    dialog.due_date.setText((START + timedelta(days=10)).strftime("%d.%m.%Y"))
    dialog.buttons.accepted.emit()
    assert tab.actions_model.rowCount() == 1
    assert tab.actions_model.data(tab.actions_model.index(0, 0)) == "1"  # the goal it serves

    with qtbot.wait_signal(tab.case_changed):
        tab.save_button.click()
    _idle(qtbot, tab)
    stored = get_plan(sqlite_db, sqlite_admin, plan_id)
    assert [g.text for g in stored.goals] == ["Ребёнок посещает школу"]
    assert [(a.description, a.organisation_name, a.goal) for a in stored.actions] == [
        ("Зачислить в школу № 3", "Сокулук ЦСМ", 0)
    ]
    assert tab.save_button.isEnabled() is False  # nothing left to save

    monkeypatch.setattr(plan_module, "ask_approve", lambda _parent: True)
    assert tab.approve_button.isVisibleTo(tab)
    with qtbot.wait_signal(tab.case_changed):
        tab.approve_button.click()
    _idle(qtbot, tab)
    assert tab.details is not None and tab.details.status == "approved"
    assert "Тест user_head" in tab.approval_label.text()
    assert (tab.editable, tab.goals_model.editable) == (False, False)
    assert not tab.add_action_button.isVisibleTo(tab)
    assert tab.revise_button.isVisibleTo(tab)
    assert get_case(sqlite_db, sqlite_admin, case_id).status == "implementation"


def test_a_specialist_sees_no_approve(
    qtbot: QtBot, ctx_as: Callable[[str], AppContext], sqlite_db: Database, sqlite_admin: Actor
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    _plan(sqlite_db, sqlite_admin, case_id)
    tab = _tab(qtbot, ctx_as("specialist"), case_id)
    assert tab.editable
    assert tab.save_button.isVisibleTo(tab)
    assert not tab.approve_button.isVisibleTo(tab)


def test_a_read_only_user_sees_the_plan_without_editing(
    qtbot: QtBot, ctx_as: Callable[[str], AppContext], sqlite_db: Database, sqlite_admin: Actor
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    _plan(sqlite_db, sqlite_admin, case_id)
    tab = _tab(qtbot, ctx_as("read_only"), case_id)
    assert not tab.editable
    assert not tab.new_button.isVisibleTo(tab)
    assert not tab.save_button.isVisibleTo(tab)
    assert not tab.refer_button.isVisibleTo(tab)


def test_problems_are_shown_in_their_rows_and_the_typed_rows_kept(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database, sqlite_admin: Actor
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    create_plan(sqlite_db, sqlite_admin, case_id, PlanInput(START))
    tab = _tab(qtbot, ctx, case_id)
    tab.goals_model.append(GoalRow(""))
    tab.actions_model.append(ActionRow("Справка", due_date=START - timedelta(days=3)))
    tab.save_button.click()
    qtbot.wait_until(lambda: tab.actions_problem.kind == "error")

    assert tab.actions_problem.text() == "Мероприятие 1: срок раньше начала плана."
    assert tab.goals_problem.text() == "Цель 1: впишите цель."
    assert tab.actions_model.data(tab.actions_model.index(0, 3), Qt.ItemDataRole.ToolTipRole) == (
        "Мероприятие 1: срок раньше начала плана."
    )
    assert tab.dirty
    assert tab.actions_model.rows()[0].description == "Справка"


def test_action_progress_on_an_approved_plan(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database, sqlite_admin: Actor
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    plan_id = _plan(sqlite_db, sqlite_admin, case_id, approve=True)
    tab = _tab(qtbot, ctx, case_id)
    tab.actions_view.setCurrentIndex(tab.actions_model.index(0, 0))
    tab.edit_action_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, ActionDialog) and dialog.mode == "progress"
    assert dialog.description.isReadOnly()
    dialog.status.set_value("done")
    dialog.result_text.setPlainText("Зачислена в 3 класс")
    with qtbot.wait_signal(tab.case_changed):
        dialog.buttons.accepted.emit()
    _idle(qtbot, tab)
    assert tab.actions_model.rows()[0].status == "done"
    assert get_plan(sqlite_db, sqlite_admin, plan_id).actions[0].result == "Зачислена в 3 класс"


def test_a_revision_is_a_new_draft_and_older_versions_stay_viewable(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database, sqlite_admin: Actor
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    plan_id = _plan(sqlite_db, sqlite_admin, case_id, approve=True)
    tab = _tab(qtbot, ctx, case_id)
    tab.revise_button.click()
    qtbot.wait_until(lambda: tab.details is not None and tab.details.revision == 2 and not tab.busy)
    assert tab.version_combo.count() == 2
    assert tab.version_combo.currentIndex() == tab.version_index(revision_id(tab)) == 1

    tab.version_combo.activated.emit(tab.version_index(plan_id))
    qtbot.wait_until(lambda: tab.details is not None and tab.details.id == plan_id and not tab.busy)
    assert not tab.editable
    assert not tab.revise_button.isVisibleTo(tab)  # a revision is being drafted already
    assert [p.status for p in list_plans(sqlite_db, sqlite_admin, case_id)] == ["approved", "draft"]


def test_a_review_is_added_to_an_approved_plan(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database, sqlite_admin: Actor
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    _plan(sqlite_db, sqlite_admin, case_id, approve=True)
    tab = _tab(qtbot, ctx, case_id)
    tab.review_button.click()
    dialog = tab.dialog
    assert isinstance(dialog, ReviewDialog)
    dialog.buttons.accepted.emit()  # "what changed" is empty
    qtbot.wait_until(lambda: dialog.fields.labels["changes"].kind == "error")
    dialog.changes.setPlainText("Ребёнок ходит в школу")
    with qtbot.wait_signal(tab.case_changed):
        dialog.buttons.accepted.emit()
    qtbot.wait_until(lambda: tab.reviews_model.rowCount() == 1 and not tab.busy)
    assert tab.reviews_model.data(tab.reviews_model.index(0, 2)) == "Ребёнок ходит в школу"


def test_overdue_actions_are_red(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database, sqlite_admin: Actor
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    _plan(sqlite_db, sqlite_admin, case_id, actions=2, approve=True)
    tab = _tab(qtbot, ctx, case_id)
    brush = tab.actions_model.data(
        tab.actions_model.index(0, ActionsModel.DUE_COLUMN), Qt.ItemDataRole.ForegroundRole
    )
    assert isinstance(brush, QBrush) and brush.color().name() == ERROR_COLOUR


def test_unsaved_changes_are_asked_about_before_the_window_closes(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database, sqlite_admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    _plan(sqlite_db, sqlite_admin, case_id)
    tab = _tab(qtbot, ctx, case_id)
    assert tab.confirm_close()
    tab.notes.setText("Мать участвовала")
    monkeypatch.setattr(plan_module, "ask_unsaved_changes", lambda _parent: UnsavedChoice.CANCEL)
    assert not tab.confirm_close()
    monkeypatch.setattr(plan_module, "ask_unsaved_changes", lambda _parent: UnsavedChoice.SAVE)
    assert not tab.confirm_close()  # closes once saved
    qtbot.wait_until(lambda: not tab.dirty and not tab.busy)
    assert tab.details is not None and tab.details.notes == "Мать участвовала"


def test_a_plan_of_120_actions_scrolls_in_one_table(
    qtbot: QtBot, ctx: AppContext, sqlite_db: Database, sqlite_admin: Actor
) -> None:
    case_id = _case(sqlite_db, sqlite_admin)
    _plan(sqlite_db, sqlite_admin, case_id, actions=120)
    started = time.perf_counter()
    tab = _tab(qtbot, ctx, case_id)
    elapsed = time.perf_counter() - started
    assert tab.actions_model.rowCount() == 120
    assert tab.actions_view.verticalScrollBar().maximum() > 0
    assert all(tab.actions_view.indexWidget(tab.actions_model.index(row, 3)) is None for row in range(120))
    assert elapsed < 2.0


def test_the_models_pass_the_model_tester(qtmodeltester: ModelTester) -> None:
    goals = GoalsModel()
    goals.set_rows([GoalRow("Школа"), GoalRow("Здоровье")])
    goals.editable = True
    actions = ActionsModel(goals)
    keys = goals.goal_keys()
    actions.set_rows(
        [
            ActionRow("Зачислить", goal_key=keys[0], due_date=date(2026, 3, 1), overdue=True),
            ActionRow("Медосмотр", goal_key=keys[1], status="done", problem="Action 2: give a due date."),
        ]
    )
    reviews = ReviewsModel()
    reviews.set_rows(
        [ReviewView(uuid.uuid4(), date(2026, 4, 1), None, "Асанова", "Ходит в школу", date(2026, 7, 1))]
    )
    for model in (goals, actions, reviews):
        qtmodeltester.check(model)
    actions.move(0, 1)
    actions.remove(0)
    qtmodeltester.check(actions)
