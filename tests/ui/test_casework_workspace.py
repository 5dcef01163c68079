"""The case workspace: opening it, its header, its tabs, the closure dialogs and what each role is offered."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select

import shiboken6
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from models.i18n import gettext
from models.orm import AuditEntry, Case, Closure
from models.services.casefile import case_documents, case_header, case_history, case_people
from models.services.cases import CaseInput, open_case
from models.services.people import register_child
from models.services.workflow import ClosureInput, request_closure
from models.validation import PersonInput

from ui.casework import closure as closure_dialogs
from ui.casework import workspace as workspace_module
from ui.casework.closure import DecideClosureDialog, RequestClosureDialog
from ui.casework.documents import DocumentsModel
from ui.casework.history import ACTION_ROLE, HistoryModel, HistoryTab
from ui.casework.overview import DueItemsModel, OverviewTab
from ui.casework.people import MembersModel, PeopleTab
from ui.casework.referrals import ReferralsTab
from ui.casework.visits import VisitsTab
from ui.casework.workspace import TABS, CaseWorkspace, TabSpec, open_workspace
from ui.context import AppContext
from ui.forms import CaseForm, open_form
from ui.forms.base import RecordForm
from ui.mainwindow import MainWindow

from tests.ui.casework_helpers import close_case

pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support propagateSizeHints", "This plugin does not support raise"
)

NURZAT = PersonInput(last_name="Үсөнбаева", first_name="Ңурзат", sex="F", birth_date=date(2015, 2, 1))


@pytest.fixture(autouse=True)
def _no_dangling_work(qtbot: QtBot) -> Iterator[None]:
    """Windows left open are closed and background reads finish before the database goes."""
    yield
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, CaseWorkspace | RecordForm) and shiboken6.isValid(widget):
            if isinstance(widget, RecordForm):
                widget.set_dirty(False)
            widget.close()
    QThreadPool.globalInstance().waitForDone()
    QApplication.processEvents()


def make_case(ctx: AppContext, opened: date | None = None) -> uuid.UUID:
    child = register_child(ctx.db, ctx.actor, NURZAT).id
    day = opened or date.today() - timedelta(days=10)
    return open_case(ctx.db, ctx.actor, CaseInput(child, day, ["neglect"], "high", ctx.actor.user_id)).id


def wait_header(qtbot: QtBot, workspace: CaseWorkspace) -> None:
    qtbot.wait_until(lambda: workspace.header is not None and not workspace.is_loading)


def opened_workspace(qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID) -> CaseWorkspace:
    workspace = open_workspace(ctx, case_id)
    qtbot.add_widget(workspace)
    wait_header(qtbot, workspace)
    return workspace


def test_opening_a_case_from_the_main_window_opens_its_workspace(qtbot: QtBot, ctx: AppContext) -> None:
    case_id = make_case(ctx)
    window = MainWindow(ctx, page_factory=lambda _ctx, key: QWidget())
    qtbot.add_widget(window)
    ctx.open_record("case", case_id)
    workspace = next(w for w in QApplication.topLevelWidgets() if isinstance(w, CaseWorkspace))
    wait_header(qtbot, workspace)
    number = f"1/{(date.today() - timedelta(days=10)).year}"
    assert workspace.windowTitle() == f"Случай № {number} — Үсөнбаева Ңурзат"
    assert workspace.band.title.text().startswith(f"Случай № {number} — Үсөнбаева Ңурзат, ")
    assert workspace.band.deadline.property("overdue") is True  # the initial assessment is late
    assert ctx.actor.full_name in workspace.band.worker.text()
    with ctx.db.reading() as session:
        views = session.scalars(select(AuditEntry.action).where(AuditEntry.entity_id == case_id)).all()
        assert views.count("case.view") == 1
    ctx.open_record("case", case_id)  # again: the same window comes to the front
    assert [w for w in QApplication.topLevelWidgets() if isinstance(w, CaseWorkspace) and w.isVisible()] == [
        workspace
    ]


def test_a_new_case_still_opens_the_case_form(qtbot: QtBot, ctx: AppContext) -> None:
    form = open_form(ctx, "case", None)
    assert isinstance(form, CaseForm)
    qtbot.add_widget(form)
    qtbot.wait_until(lambda: not form.is_loading)


def test_tabs_are_created_when_first_shown(qtbot: QtBot, ctx: AppContext) -> None:
    workspace = opened_workspace(qtbot, ctx, make_case(ctx))
    titles = [workspace.tabs.tabText(i) for i in range(workspace.tabs.count())]
    assert titles == [gettext(spec.title) for spec in TABS] and len(titles) == 9
    assert workspace.tab("history") is None and isinstance(workspace.tab("overview"), OverviewTab)
    overview = workspace.tab("overview")
    assert isinstance(overview, OverviewTab)
    assert workspace.header is not None and overview.number.text() == workspace.header.number
    assert overview.due_model.rowCount() == 2  # initial and comprehensive assessments
    history = workspace.show_tab("history")
    assert isinstance(history, HistoryTab)
    qtbot.wait_until(lambda: history.model.rowCount() == 2)
    actions = [history.model.index(row, 0).data(ACTION_ROLE) for row in range(2)]
    assert actions == ["case.view", "case.open"]
    people = workspace.show_tab("people")
    assert isinstance(people, PeopleTab)
    qtbot.wait_until(lambda: people.people is not None)
    assert people.child_name.text() == "Үсөнбаева Ңурзат"
    assert people.open_child_button.isEnabled() and not people.open_household_button.isEnabled()
    with qtbot.wait_signal(ctx.open_requested) as blocker:
        people.open_child_button.click()
    assert blocker.args == ["person", people.people.child_id if people.people else None]


def test_a_closed_case_offers_no_new_referral_or_visit(qtbot: QtBot, ctx: AppContext) -> None:
    case_id = make_case(ctx)
    close_case(ctx.db, case_id)
    workspace = opened_workspace(qtbot, ctx, case_id)
    referrals_tab = workspace.show_tab("referrals")
    visits_tab = workspace.show_tab("visits")
    assert isinstance(referrals_tab, ReferralsTab) and isinstance(visits_tab, VisitsTab)
    assert workspace.header is not None
    why = gettext("The case {number} is closed; reopen it first.").format(number=workspace.header.number)
    for button in (referrals_tab.new_button, visits_tab.new_button):
        assert not button.isEnabled() and button.toolTip() == why


def test_an_open_case_offers_new_referrals_and_visits(qtbot: QtBot, ctx: AppContext) -> None:
    workspace = opened_workspace(qtbot, ctx, make_case(ctx))
    referrals_tab = workspace.show_tab("referrals")
    visits_tab = workspace.show_tab("visits")
    assert isinstance(referrals_tab, ReferralsTab) and isinstance(visits_tab, VisitsTab)
    assert referrals_tab.new_button.isEnabled() and visits_tab.new_button.isEnabled()
    assert not referrals_tab.new_button.toolTip() and not visits_tab.new_button.toolTip()


def test_a_tab_that_cannot_be_made_says_so(
    qtbot: QtBot, ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = opened_workspace(qtbot, ctx, make_case(ctx))
    missing = TabSpec("history", "History", "ui.casework.nowhere", "HistoryTab")
    monkeypatch.setattr(workspace_module, "TABS", (*TABS[:-1], missing))
    workspace.tabs.setCurrentIndex(len(TABS) - 1)
    tab = workspace.tab("history")
    assert isinstance(tab, QLabel) and tab.text()


def test_a_specialist_requests_closure_and_sees_no_approval(qtbot: QtBot, ctx: AppContext, ctx_as) -> None:
    specialist = ctx_as("specialist")
    case_id = make_case(ctx)
    workspace = opened_workspace(qtbot, specialist, case_id)
    assert not workspace.decide_closure_button.isVisibleTo(workspace)
    assert not workspace.assign_button.isVisibleTo(workspace)
    assert not workspace.transfer_button.isVisibleTo(workspace)
    assert workspace.request_closure_button.isVisibleTo(workspace)
    workspace.request_closure_button.click()
    dialog = workspace.dialog
    assert isinstance(dialog, RequestClosureDialog)
    qtbot.wait_until(lambda: not dialog.busy)
    dialog.ok_button.click()  # nothing chosen: the problems are shown at their fields
    qtbot.wait_until(lambda: not dialog.busy and dialog.fields.labels["reason"].kind == "error")
    assert dialog.fields.labels["outcomes"].kind == "error"
    assert dialog.fields.labels["final_assessment"].kind == "error"
    dialog.reason.set_value("goals_achieved")
    dialog.child_outcomes.set_values(["guardianship"])
    dialog.final_assessment.setPlainText("Опека оформлена, ребёнок ходит в школу.")
    with qtbot.wait_signal(workspace.header_loaded, timeout=5000):
        dialog.ok_button.click()
    qtbot.wait_until(lambda: workspace.header is not None and workspace.header.pending_closure is not None)
    assert workspace.band.notice.isVisibleTo(workspace)
    assert not workspace.request_closure_button.isVisibleTo(workspace)
    assert not workspace.decide_closure_button.isVisibleTo(workspace)  # only the head decides


def test_the_head_approves_a_closure_and_the_case_closes(qtbot: QtBot, ctx: AppContext, ctx_as) -> None:
    head = ctx_as("head")
    case_id = make_case(ctx)
    version = case_header(ctx.db, ctx.actor, case_id, audit_view=False).version
    request_closure(
        ctx.db,
        ctx.actor,
        case_id,
        ClosureInput(date.today(), "goals_achieved", ["guardianship"], "Итог"),
        version,
    )
    workspace = opened_workspace(qtbot, head, case_id)
    assert workspace.decide_closure_button.isVisibleTo(workspace)
    workspace.decide_closure_button.click()
    dialog = workspace.dialog
    assert isinstance(dialog, DecideClosureDialog)
    qtbot.wait_until(lambda: not dialog.busy)
    with qtbot.wait_signal(dialog.done_writing):
        dialog.approve_button.click()
    qtbot.wait_until(lambda: workspace.header is not None and workspace.header.is_closed)
    assert workspace.reopen_button.isVisibleTo(workspace)
    assert not workspace.status_button.isVisibleTo(workspace)
    with ctx.db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.status == "closed"


def test_a_rejection_needs_a_note(qtbot: QtBot, ctx: AppContext) -> None:
    case_id = make_case(ctx)
    version = case_header(ctx.db, ctx.actor, case_id, audit_view=False).version
    request_closure(
        ctx.db,
        ctx.actor,
        case_id,
        ClosureInput(date.today(), "goals_achieved", ["guardianship"], "Итог"),
        version,
    )
    workspace = opened_workspace(qtbot, ctx, case_id)
    workspace.decide_closure_button.click()
    dialog = workspace.dialog
    assert isinstance(dialog, DecideClosureDialog)
    qtbot.wait_until(lambda: not dialog.busy)
    dialog.reject_button.click()
    qtbot.wait_until(lambda: dialog.fields.labels["note"].kind == "error")
    dialog.note.setPlainText("Нет сведений о посещении школы")
    with qtbot.wait_signal(dialog.done_writing):
        dialog.reject_button.click()
    qtbot.wait_until(lambda: workspace.header is not None and workspace.header.pending_closure is None)
    with ctx.db.reading() as session:
        closure = session.scalars(select(Closure)).one()
        assert closure.deleted_at is not None


def test_a_forbidden_status_change_shows_its_reason(qtbot: QtBot, ctx: AppContext) -> None:
    case_id = make_case(ctx)
    workspace = opened_workspace(qtbot, ctx, case_id)
    assert [a.data() for a in workspace.status_actions()] == ["assessment"]
    with qtbot.wait_signal(workspace.header_loaded):
        workspace.status_actions()[0].trigger()
    qtbot.wait_until(lambda: workspace.header is not None and workspace.header.status == "assessment")
    planning = workspace.status_actions()[0]
    assert planning.data() == "planning" and not planning.isEnabled()
    assert planning.toolTip()
    workspace.change_status("planning")  # refused by the service all the same
    qtbot.wait_until(lambda: workspace.error.isVisibleTo(workspace))
    assert workspace.error.text()


def test_the_head_unassigns_the_worker(qtbot: QtBot, ctx: AppContext, ctx_as) -> None:
    head = ctx_as("head")
    case_id = make_case(ctx)
    workspace = opened_workspace(qtbot, head, case_id)
    workspace.assign_button.click()
    dialog = workspace.dialog
    assert isinstance(dialog, closure_dialogs.AssignWorkerDialog)
    qtbot.wait_until(lambda: not dialog.busy)
    dialog.worker.setCurrentIndex(0)  # nobody
    with qtbot.wait_signal(dialog.done_writing):
        dialog.ok_button.click()
    qtbot.wait_until(lambda: workspace.header is not None and workspace.header.worker_id is None)
    with ctx.db.reading() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "case.assign")).one()
        assert json.loads(entry.details)["to"] is None


def test_the_head_transfers_the_case_out(qtbot: QtBot, ctx: AppContext, ctx_as) -> None:
    head = ctx_as("head")
    case_id = make_case(ctx)
    workspace = opened_workspace(qtbot, head, case_id)
    workspace.transfer_button.click()
    dialog = workspace.dialog
    assert isinstance(dialog, closure_dialogs.TransferOutDialog)
    qtbot.wait_until(lambda: not dialog.busy)
    assert dialog.district.count() > 10
    dialog.district.setCurrentIndex(3)
    dialog.note.setPlainText("Семья переехала в Бишкек")
    with qtbot.wait_signal(dialog.done_writing):
        dialog.ok_button.click()
    qtbot.wait_until(lambda: workspace.header is not None and workspace.header.transferred_to is not None)
    assert workspace.header is not None and workspace.header.is_closed
    assert workspace.band.notice.isVisibleTo(workspace)


def test_the_models_are_correct_qt_models(qtmodeltester, qtbot: QtBot, ctx: AppContext) -> None:
    case_id = make_case(ctx)
    header = case_header(ctx.db, ctx.actor, case_id)
    due = DueItemsModel()
    due.set_rows(header.due_items)
    qtmodeltester.check(due)
    history = HistoryModel()
    history.set_rows(case_history(ctx.db, ctx.actor, case_id))
    qtmodeltester.check(history)
    documents = DocumentsModel()
    documents.set_rows(case_documents(ctx.db, ctx.actor, case_id))
    qtmodeltester.check(documents)
    members = MembersModel()
    members.set_rows(case_people(ctx.db, ctx.actor, case_id).members)
    qtmodeltester.check(members)
