"""The Assessments tab and the assessment forms: start, fill, save, complete; problems keep what was typed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

import shiboken6
from PySide6.QtCore import Qt

from models.database import Database
from models.i18n import _, gettext
from models.orm import Case
from models.services.assessments import (
    AssessmentRow,
    CommissionMemberInput,
    HousingActInput,
    InitialAssessmentInput,
    create_housing_act,
    create_initial_assessment,
    get_comprehensive_assessment,
    get_housing_act,
    get_initial_assessment,
    list_assessments,
)
from models.validation import local_today

from ui.casework import assessment_forms, assessments
from ui.casework.assessment_forms import CommissionModel, ComprehensiveAssessmentForm, HousingActForm
from ui.casework.assessments import AssessmentsModel, AssessmentsTab
from ui.context import AppContext
from ui.forms import base

from tests.ui.casework_helpers import open_child_case

pytestmark = [
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
    pytest.mark.usefixtures("background_work_ends"),
]


@pytest.fixture(autouse=True)
def _answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The questions asked, answered without a blocking message box; each one asked is noted."""
    asked: list[str] = []

    def unsaved(_parent: object) -> base.UnsavedChoice:
        asked.append("unsaved")
        return base.UnsavedChoice.DISCARD

    def complete(_parent: object, _kind: str) -> bool:
        asked.append("complete")
        return True

    def delete(_parent: object, _kind: str) -> bool:
        asked.append("delete")
        return True

    monkeypatch.setattr(base, "ask_unsaved_changes", unsaved)
    monkeypatch.setattr(assessments, "ask_complete", complete)
    monkeypatch.setattr(assessments, "ask_delete", delete)
    return asked


def _case(db: Database, ctx: AppContext, opened_on: date | None = None) -> uuid.UUID:
    opened = opened_on or local_today() - timedelta(days=40)
    return open_child_case(db, ctx.actor, opened, ["labour_migrants"], sex="F")


@pytest.fixture
def tab(qtbot: QtBot, ctx: AppContext) -> Callable[..., AssessmentsTab]:
    def make(case_id: uuid.UUID, context: AppContext | None = None) -> AssessmentsTab:
        widget = AssessmentsTab(context or ctx, case_id)
        qtbot.add_widget(widget)
        widget.resize(1366, 600)
        widget.show()
        qtbot.wait_until(lambda: not widget.is_loading and widget.model.rowCount() >= 0 and widget._loaded)
        return widget

    return make


def _wait_form(qtbot: QtBot, form: assessment_forms.AssessmentForm[Any]) -> None:
    qtbot.wait_until(lambda: form.details is not None and not form.is_busy)


def _rows(widget: AssessmentsTab) -> list[AssessmentRow]:
    return [row for i in range(widget.model.rowCount()) if (row := widget.model.row_entry(i)) is not None]


def test_the_tab_shows_the_due_assessments_overdue_in_red(
    qtbot: QtBot, ctx: AppContext, tab: Callable[..., AssessmentsTab]
) -> None:
    widget = tab(_case(ctx.db, ctx))
    rows = _rows(widget)
    assert [(r.kind, r.status, r.overdue) for r in rows] == [
        ("initial", "not_started", True),
        ("comprehensive", "not_started", True),
    ]
    status = widget.model.index(0, AssessmentsModel.STATUS_COLUMN)
    assert gettext("overdue") in widget.model.data(status)
    assert widget.model.data(status, Qt.ItemDataRole.ForegroundRole) is not None
    assert widget.new_initial_button.isEnabled() and widget.new_housing_button.isEnabled()


def test_an_initial_assessment_made_in_its_form_appears_in_the_tab(
    qtbot: QtBot, ctx: AppContext, tab: Callable[..., AssessmentsTab]
) -> None:
    case_id = _case(ctx.db, ctx)
    widget = tab(case_id)
    with qtbot.wait_signal(widget.case_changed, timeout=10000):
        qtbot.mouseClick(widget.new_initial_button, Qt.MouseButton.LeftButton)
        form = widget._forms[("initial", None)]
        _wait_form(qtbot, form)
        assert isinstance(form, assessment_forms.InitialAssessmentForm)
        form.visit_date.setText(format(local_today() - timedelta(days=1), "%d.%m.%Y"))
        form.place.setText("с. Сокулук")
        form.needs_food.setPlainText("Питание недостаточное")
        form.parents_in_migration.set_value(True)
        form.conclusion.setPlainText("Нужна комплексная оценка")
        assert form.isWindowModified()
        qtbot.mouseClick(form.save_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: any(r.kind == "initial" and r.id is not None for r in _rows(widget)))
    _wait_form(qtbot, form)
    assert not form.dirty and form.record_id is not None
    details = get_initial_assessment(ctx.db, ctx.actor, form.record_id)
    assert (details.data.place, details.data.parents_in_migration) == ("с. Сокулук", True)
    assert not widget.new_initial_button.isEnabled()

    # Completing from the form saves it and completes it; the case moved on to "assessment".
    with qtbot.wait_signal(form.loaded, timeout=10000):
        qtbot.mouseClick(form.complete_button, Qt.MouseButton.LeftButton)
    assert form.read_only and not form.save_button.isVisible()
    qtbot.wait_until(lambda: any(r.kind == "initial" and r.status == "completed" for r in _rows(widget)))
    with ctx.db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == "assessment"


def test_a_validation_problem_keeps_what_was_typed(
    qtbot: QtBot, ctx: AppContext, tab: Callable[..., AssessmentsTab]
) -> None:
    widget = tab(_case(ctx.db, ctx))
    form = widget.open_form("initial")
    _wait_form(qtbot, form)
    assert isinstance(form, assessment_forms.InitialAssessmentForm)
    form.visit_date.setText("31.02.2026")
    form.conclusion.setPlainText("Семья в трудной ситуации")
    form.save()
    assert form.fields.labels["visit_date"].kind == "error"
    assert form.visit_date.text() == "31.02.2026"

    future = local_today() + timedelta(days=3)
    form.visit_date.setText(future.strftime("%d.%m.%Y"))
    assert form.fields.labels["visit_date"].kind == ""  # typing clears the problem
    form.save()
    qtbot.wait_until(lambda: not form.is_busy)
    in_future = _("{field}: cannot be in the future.", field=_("Visit date")).render()
    assert form.fields.labels["visit_date"].text() == in_future
    assert form.visit_date.text() == future.strftime("%d.%m.%Y")
    assert form.conclusion.toPlainText() == "Семья в трудной ситуации"
    assert form.record_id is None and form.dirty
    assert list_assessments(ctx.db, ctx.actor, widget.case_id)[0].id is None


def test_completing_without_a_conclusion_shows_it_at_the_field(
    qtbot: QtBot, ctx: AppContext, tab: Callable[..., AssessmentsTab]
) -> None:
    case_id = _case(ctx.db, ctx)
    assessment_id = create_initial_assessment(ctx.db, ctx.actor, case_id, InitialAssessmentInput())
    widget = tab(case_id)
    widget.view.selectRow(widget.model.find("initial", assessment_id))
    assert widget.complete_button.isEnabled()
    form = widget.open_form("initial", assessment_id)
    _wait_form(qtbot, form)
    form.save(complete=True)
    qtbot.wait_until(lambda: form.fields.labels["conclusion"].kind == "error")
    assert form.fields.labels["visit_date"].kind == "error"
    assert not form.read_only


def test_the_comprehensive_form_shows_a_block_per_domain(
    qtbot: QtBot, ctx: AppContext, tab: Callable[..., AssessmentsTab]
) -> None:
    widget = tab(_case(ctx.db, ctx))
    form = widget.open_form("comprehensive")
    _wait_form(qtbot, form)
    assert isinstance(form, ComprehensiveAssessmentForm)
    assert len(form.blocks) >= 8
    form.blocks[0].findings.setPlainText("Часто болеет")
    form.blocks[0].need_level.set_value("high")
    form.summary.setPlainText("Нужна поддержка")
    with qtbot.wait_signal(form.saved, timeout=10000):
        form.save()
    _wait_form(qtbot, form)
    assert form.record_id is not None
    stored = get_comprehensive_assessment(ctx.db, ctx.actor, form.record_id)
    assert (stored.domains[0].findings, stored.domains[0].need_level_code) == ("Часто болеет", "high")

    form.save(complete=True)
    qtbot.wait_until(lambda: form.fields.labels[f"domains.{form.blocks[1].code}"].kind == "error")
    assert form.fields.labels["overall_risk"].kind == "error"


def test_the_housing_act_form_keeps_its_commission(
    qtbot: QtBot, ctx: AppContext, tab: Callable[..., AssessmentsTab]
) -> None:
    case_id = _case(ctx.db, ctx)
    widget = tab(case_id)
    form = widget.open_form("housing")
    _wait_form(qtbot, form)
    assert isinstance(form, HousingActForm)
    assert form.members.rowCount() == 1  # the signed-in worker
    form.members.setData(form.members.index(0, 0), "")
    form.save()
    qtbot.wait_until(lambda: form.fields.labels["members"].kind == "error")
    row = form.members.add()
    form.members.setData(form.members.index(row, 0), "Ёлкин Пётр")
    form.members.setData(form.members.index(row, 1), "инспектор ИДН")
    form.members.remove(0)
    form.residents.setPlainText("Бабушка, Ңурзат и брат")
    form.area_m2.setText("38,5")
    form.rooms.setValue(2)
    with qtbot.wait_signal(form.saved, timeout=10000):
        form.save()
    assert form.record_id is not None
    act = get_housing_act(ctx.db, ctx.actor, form.record_id)
    assert [(m.full_name, m.job_title) for m in act.data.members] == [("Ёлкин Пётр", "инспектор ИДН")]
    assert (act.data.area_m2, act.data.rooms) == (Decimal("38.50"), 2)
    qtbot.wait_until(lambda: any(r.kind == "housing" for r in _rows(widget)))


def test_a_draft_is_deleted_from_the_tab(
    qtbot: QtBot, ctx: AppContext, tab: Callable[..., AssessmentsTab], _answers: list[str]
) -> None:
    case_id = _case(ctx.db, ctx)
    create_housing_act(
        ctx.db, ctx.actor, case_id, HousingActInput(local_today(), [CommissionMemberInput("Usenova")])
    )
    widget = tab(case_id)
    widget.view.selectRow(widget.model.find("housing", _rows(widget)[-1].id))
    assert widget.delete_button.isEnabled() and not widget.complete_button.isEnabled()
    with qtbot.wait_signal(widget.case_changed, timeout=10000):
        qtbot.mouseClick(widget.delete_button, Qt.MouseButton.LeftButton)
    qtbot.wait_until(lambda: not any(r.kind == "housing" for r in _rows(widget)))
    assert _answers == ["delete"]


@pytest.mark.parametrize("role", ["kdd_secretary", "read_only"])
def test_roles_without_assessment_work_only_read(
    qtbot: QtBot,
    ctx: AppContext,
    ctx_as: Callable[[str], AppContext],
    tab: Callable[..., AssessmentsTab],
    role: str,
) -> None:
    case_id = _case(ctx.db, ctx)
    assessment_id = create_initial_assessment(ctx.db, ctx.actor, case_id, InitialAssessmentInput())
    widget = tab(case_id, ctx_as(role))
    assert not widget.new_initial_button.isVisible()
    assert not widget.complete_button.isVisible()
    form = widget.open_form("initial", assessment_id)
    _wait_form(qtbot, form)
    assert form.read_only and not form.save_button.isVisible() and form.notice.isVisible()


def test_closing_a_changed_form_asks_first(
    qtbot: QtBot, ctx: AppContext, tab: Callable[..., AssessmentsTab], _answers: list[str]
) -> None:
    widget = tab(_case(ctx.db, ctx))
    form = widget.open_form("initial")
    _wait_form(qtbot, form)
    assert isinstance(form, assessment_forms.InitialAssessmentForm)
    form.place.setText("с. Сокулук")
    form.close()
    assert _answers == ["unsaved"]
    qtbot.wait_until(lambda: not shiboken6.isValid(form) or form.is_closed)


def test_the_models_pass_the_model_tester(
    qtmodeltester: ModelTester, ctx: AppContext, tab: Callable[..., AssessmentsTab]
) -> None:
    case_id = _case(ctx.db, ctx)
    create_initial_assessment(ctx.db, ctx.actor, case_id, InitialAssessmentInput())
    widget = tab(case_id)
    qtmodeltester.check(widget.model)
    members = CommissionModel()
    members.set_members([CommissionMemberInput("Usenova", "специалист"), CommissionMemberInput("Ёлкин")])
    qtmodeltester.check(members)
    members.add()
    members.remove(0)
    qtmodeltester.check(members)
