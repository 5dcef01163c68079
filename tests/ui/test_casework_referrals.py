"""The Referrals tab and the referral window: drafting, consent before issue, the number given, roles."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date

import pytest
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from PySide6.QtCore import Qt

from models.i18n import _
from models.orm import Person, Plan, PlanAction
from models.services.reference import OrganisationInput, add_organisation
from models.services.referrals import (
    ReferralInput,
    ReferralRow,
    create_referral,
    get_referral,
    issue_referral,
    list_referrals,
)

from ui.casework import referrals
from ui.casework.referrals import (
    ConsentDialog,
    IssueDialog,
    ReferralsModel,
    ReferralsTab,
    ReferralWindow,
    open_new_referral,
    open_referral,
)
from ui.context import AppContext
from ui.forms import base

pytestmark = [
    pytest.mark.qt_log_ignore(
        "This plugin does not support propagateSizeHints", "This plugin does not support raise"
    ),
    pytest.mark.usefixtures("background_work_ends"),
]

TODAY = date.today()
CONSENT_NEEDED = _(
    "The referral contains personal data: record the consent to share them "
    "(who gave it and when) before issuing it."
)


@pytest.fixture(autouse=True)
def _answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The unsaved-changes question, answered "discard" without a message box; each one asked is noted."""
    asked: list[str] = []

    def unsaved(_parent: object) -> base.UnsavedChoice:
        asked.append("unsaved")
        return base.UnsavedChoice.DISCARD

    monkeypatch.setattr(base, "ask_unsaved_changes", unsaved)
    return asked


@pytest.fixture
def org_id(ctx: AppContext) -> uuid.UUID:
    return add_organisation(ctx.db, ctx.actor, OrganisationInput("ЦСМ Сокулук", "Сокулук ҮМБ", "health"))


def _tab(qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID) -> ReferralsTab:
    tab = ReferralsTab(ctx, case_id)
    qtbot.add_widget(tab)
    tab.resize(1000, 500)
    tab.show()
    qtbot.wait_until(lambda: not tab.is_loading)
    return tab


def _loaded(qtbot: QtBot, window: ReferralWindow) -> ReferralWindow:
    qtbot.wait_until(lambda: not window.is_loading)
    return window


def _fill(window: ReferralWindow, org_id: uuid.UUID) -> None:
    window.organisation.set_value(org_id)
    window.service.set_value("medical")
    window.reason.setPlainText("Ребёнок часто болеет, нужен осмотр")
    window.requested_service.setPlainText("Осмотр педиатра")


def test_the_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = ReferralsModel()
    row = ReferralRow(
        uuid.uuid4(), 1, "1/2026", TODAY, "ЦСМ", "Медицинская помощь", "issued", TODAY, None, True, True, True
    )
    model.set_rows(
        [row, ReferralRow(uuid.uuid4(), 1, None, None, "Школа", "", "draft", None, None, False, True, False)]
    )
    qtmodeltester.check(model)
    assert model.data(model.index(0, 0)) == "1/2026"
    assert model.data(model.index(0, 4), Qt.ItemDataRole.ForegroundRole) is not None  # overdue in red
    assert model.data(model.index(1, 4), Qt.ItemDataRole.ForegroundRole) is None


def test_a_referral_is_drafted_refused_without_consent_then_issued_with_its_number(
    qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID, org_id: uuid.UUID
) -> None:
    tab = _tab(qtbot, ctx, case_id)
    assert tab.model.rowCount() == 0 and tab.empty_label.isVisibleTo(tab)
    tab.new_button.click()
    window = tab.referral_window
    assert window is not None
    _loaded(qtbot, window)
    _fill(window, org_id)
    assert window.dirty
    with qtbot.wait_signal(tab.refreshed):
        window.save_button.click()
    _loaded(qtbot, window)
    assert not window.isWindowModified()
    window.close()

    [row] = [tab.model.row_entry(0)]
    assert row is not None and (row.status, row.organisation) == ("draft", "ЦСМ Сокулук")
    tab.view.selectRow(0)
    assert tab.issue_button.isEnabled() and not tab.reply_button.isEnabled()

    tab.issue_button.click()
    refused = tab.step_dialog
    assert isinstance(refused, IssueDialog)
    refused.ok_button.click()
    qtbot.wait_until(lambda: refused.problems_summary.kind == "error")
    assert refused.problems_summary.text() == CONSENT_NEEDED.render()
    refused.cancel_button.click()

    tab.consent_button.click()
    consent = tab.step_dialog
    assert isinstance(consent, ConsentDialog)
    consent.given_by.setText("Үсөнбаева Айгүл, мать")
    with qtbot.wait_signal(tab.refreshed):
        consent.ok_button.click()

    assert tab.current() is not None  # the selection stays on the referral
    tab.issue_button.click()
    issue = tab.step_dialog
    assert isinstance(issue, IssueDialog)
    with qtbot.wait_signal(tab.case_changed), qtbot.wait_signal(tab.refreshed):
        issue.ok_button.click()
    number = f"1/{TODAY.year}"
    assert number in tab.message.text()
    entry = tab.model.row_entry(0)
    assert entry is not None and (entry.number, entry.status) == (number, "issued")
    assert tab.reply_button.isEnabled() and not tab.issue_button.isEnabled()


def test_the_window_saves_a_draft_first_and_shows_the_number_it_is_issued_with(
    qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID, org_id: uuid.UUID
) -> None:
    window = _loaded(qtbot, open_new_referral(ctx, case_id))
    qtbot.add_widget(window)
    _fill(window, org_id)
    window.consent_button.click()  # a new draft is saved before its consent is recorded
    qtbot.wait_until(lambda: isinstance(window.step_dialog, ConsentDialog))
    assert window.record_id is not None
    consent = window.step_dialog
    assert isinstance(consent, ConsentDialog)
    consent.given_by.setText("Үсөнбаев Бакыт, отец")
    consent.given_on.setDate(consent.given_on.date().addDays(-1))
    with qtbot.wait_signal(window.loaded):
        consent.ok_button.click()
    assert "Үсөнбаев Бакыт, отец" in window.consent_label.text()

    window.issue_button.click()
    issue = window.step_dialog
    assert isinstance(issue, IssueDialog)
    with qtbot.wait_signal(window.loaded):
        issue.ok_button.click()
    assert f"1/{TODAY.year}" in window.notice.text()
    assert window.number_label.text() == f"1/{TODAY.year}"
    assert window.reason.isReadOnly() and not window.organisation.isEnabled()  # frozen once issued
    assert not window.save_button.isVisibleTo(window) and window.reply_button.isVisibleTo(window)


def test_problems_appear_next_to_the_fields_and_keep_what_was_typed(
    qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID
) -> None:
    window = _loaded(qtbot, open_new_referral(ctx, case_id))
    qtbot.add_widget(window)
    window.requested_service.setPlainText("Консультация психолога")
    window.save_button.click()
    qtbot.wait_until(lambda: window.fields.labels["organisation_id"].kind == "error")
    assert window.fields.labels["reason"].kind == "error"
    assert window.requested_service.toPlainText() == "Консультация психолога"
    assert window.record_id is None and window.dirty


def test_closing_with_unsaved_changes_asks(
    qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID, org_id: uuid.UUID, _answers: list[str]
) -> None:
    window = _loaded(qtbot, open_new_referral(ctx, case_id))
    _fill(window, org_id)
    window.close()
    assert _answers == ["unsaved"]
    assert list_referrals(ctx.db, ctx.actor, case_id) == []


def test_a_referral_is_opened_once_and_its_plan_action_prefills_a_new_one(
    qtbot: QtBot, ctx: AppContext, case_id: uuid.UUID, org_id: uuid.UUID
) -> None:
    plan = Plan(case_id=case_id, status="approved", start_date=TODAY)
    with ctx.db.session() as session:
        session.info["system"] = True
        session.add(plan)
        session.flush()
        action = PlanAction(plan_id=plan.id, description="Обследование у невролога", organisation_id=org_id)
        session.add(action)
        session.commit()
        action_id = action.id
    window = _loaded(qtbot, open_new_referral(ctx, case_id, action_id))
    qtbot.add_widget(window)
    assert window.organisation.value() == org_id
    assert window.plan_action.value() == action_id
    assert window.requested_service.toPlainText() == "Обследование у невролога"
    assert not window.dirty

    referral_id = create_referral(ctx.db, ctx.actor, ReferralInput(org_id, reason="Осмотр"), case_id=case_id)
    first = open_referral(ctx, referral_id)
    qtbot.add_widget(first)
    assert open_referral(ctx, referral_id) is first
    _loaded(qtbot, first)
    assert first.windowTitle().endswith("Үсөнбаева Ңурзат[*]")


def test_a_read_only_user_sees_no_referral_buttons(
    qtbot: QtBot, ctx: AppContext, ctx_as: Callable[[str], AppContext], case_id: uuid.UUID, org_id: uuid.UUID
) -> None:
    referral_id = create_referral(
        ctx.db,
        ctx.actor,
        ReferralInput(org_id, reason="Осмотр", contains_personal_data=False),
        case_id=case_id,
    )
    issue_referral(ctx.db, ctx.actor, referral_id, get_referral(ctx.db, ctx.actor, referral_id).version)
    reader = ctx_as("kdd_secretary")
    tab = _tab(qtbot, reader, case_id)
    assert tab.model.rowCount() == 1
    assert not tab.new_button.isVisibleTo(tab) and not tab.issue_button.isVisibleTo(tab)
    assert tab.open_button.isVisibleTo(tab)
    window = _loaded(qtbot, open_referral(reader, referral_id))
    qtbot.add_widget(window)
    assert not window.reply_button.isVisibleTo(window) and not window.save_button.isVisibleTo(window)


def test_a_referral_on_its_own_takes_the_chosen_child(
    qtbot: QtBot, ctx: AppContext, org_id: uuid.UUID, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ctx.db.session() as session:
        session.info["system"] = True
        child = Person(last_name="Ёлкин", first_name="Артём", birth_date=date(2014, 5, 5), is_child=True)
        session.add(child)
        session.commit()
        child_id = child.id
    window = _loaded(qtbot, open_referral(ctx, None))
    qtbot.add_widget(window)
    assert window.choose_child_button.isVisibleTo(window) and not window.plan_action.isEnabled()
    _fill(window, org_id)
    window.save_button.click()
    qtbot.wait_until(lambda: window.fields.labels["child"].kind == "error")
    window.choose_child(child_id, "Ёлкин Артём")
    with qtbot.wait_signal(window.loaded):
        window.save_button.click()
    assert window.record_id is not None
    details = get_referral(ctx.db, ctx.actor, window.record_id)
    assert (details.case_id, details.child_name) == (None, "Ёлкин Артём")
    assert referrals.open_referral(ctx, window.record_id) is window
