"""Referrals through the services: consent before issue, numbering, replies, overdue, closed cases."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.database import Database
from models.errors import DomainError, PermissionDenied, StaleRecord, ValidationFailed
from models.orm import AuditEntry, Plan, PlanAction, Referral
from models.services.base import Actor
from models.services.reference import OrganisationInput, add_organisation, set_organisation_active
from models.services.referrals import (
    AUDIT_LABELS,
    ReferralInput,
    cancel_referral,
    create_referral,
    get_referral,
    issue_referral,
    list_referrals,
    new_referral,
    plan_actions_for_referral,
    record_consent,
    record_reply,
    update_referral,
)
from models.services.settings import update_number_settings

from tests.conftest import make_user
from tests.models.helpers import add_as_system, add_child, child_case, close_as_system, stored_version

TODAY = date.today()


def _case(db: Database, actor: Actor, child_id: uuid.UUID | None = None) -> uuid.UUID:
    return child_case(db, actor, TODAY - timedelta(days=60), child_id=child_id).id


def _organisation(db: Database, actor: Actor, name: str = "Школа № 3 им. Токтогула") -> uuid.UUID:
    return add_organisation(db, actor, OrganisationInput(name, "Токтогул атындагы № 3 мектеп", "school"))


def _version(db: Database, referral_id: uuid.UUID) -> int:
    return stored_version(db, Referral, referral_id)


def _draft(
    db: Database, actor: Actor, case_id: uuid.UUID, org_id: uuid.UUID, *, personal: bool = True
) -> uuid.UUID:
    return create_referral(
        db,
        actor,
        ReferralInput(
            org_id,
            "education",
            reason="Ребёнок не посещает школу с сентября",
            requested_service="Зачислить в 5 класс",
            contains_personal_data=personal,
        ),
        case_id=case_id,
    )


@pytest.fixture
def office(db: Database, admin: Actor) -> tuple[Database, Actor, uuid.UUID, uuid.UUID]:
    """A case of Үсөнбаева Ңурзат and a school in the directory."""
    return db, admin, _case(db, admin), _organisation(db, admin)


Office = tuple[Database, Actor, uuid.UUID, uuid.UUID]


def test_a_referral_with_personal_data_is_issued_only_after_consent(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id)
    with pytest.raises(ValidationFailed) as caught:
        issue_referral(db, admin, referral_id, _version(db, referral_id))
    assert caught.value.for_field("consent")
    assert "consent" in caught.value.problems[0].render("en")
    with db.reading() as session:
        referral = session.get(Referral, referral_id)
        assert referral is not None and (referral.status, referral.out_no) == ("draft", None)

    version = record_consent(
        db, admin, referral_id, "Үсөнбаева Айгүл, мать", TODAY - timedelta(days=1), _version(db, referral_id)
    )
    issued = issue_referral(db, admin, referral_id, version)
    assert issued.number == f"1/{TODAY.year}"
    assert (issued.issued_on, issued.reply_due) == (TODAY, TODAY + timedelta(days=10))
    details = get_referral(db, admin, referral_id)
    assert (details.status, details.number, details.consent_by) == (
        "issued",
        issued.number,
        "Үсөнбаева Айгүл, мать",
    )
    assert details.consent_date == TODAY - timedelta(days=1)


def test_a_referral_without_personal_data_needs_no_consent(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id, personal=False)
    assert issue_referral(db, admin, referral_id, _version(db, referral_id)).number == f"1/{TODAY.year}"


def test_consent_date_cannot_be_in_the_future_nor_the_giver_empty(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id)
    with pytest.raises(ValidationFailed) as caught:
        record_consent(db, admin, referral_id, "  ", TODAY + timedelta(days=1), _version(db, referral_id))
    assert {p.field for p in caught.value.problems} == {"consent_by", "consent_date"}


def test_outgoing_numbers_go_up_within_a_year_and_start_again_the_next(office: Office) -> None:
    db, admin, case_id, org_id = office
    numbers = []
    for issued_on in (date(2025, 12, 30), date(2025, 12, 31), date(2026, 1, 5)):
        referral_id = _draft(db, admin, case_id, org_id, personal=False)
        numbers.append(issue_referral(db, admin, referral_id, _version(db, referral_id), issued_on).number)
    assert numbers == ["1/2025", "2/2025", "1/2026"]
    rows = list_referrals(db, admin, case_id)
    assert [row.number for row in rows] == ["1/2026", "2/2025", "1/2025"]


def test_an_issued_referral_is_frozen(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id, personal=False)
    version = issue_referral(db, admin, referral_id, _version(db, referral_id)).version
    with pytest.raises(ValidationFailed) as caught:
        update_referral(db, admin, referral_id, ReferralInput(org_id, reason="Другое"), version)
    assert caught.value.for_field("status")
    with pytest.raises(ValidationFailed):
        issue_referral(db, admin, referral_id, version)


def test_a_draft_is_updated_with_its_version_and_audited(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id)
    version = _version(db, referral_id)
    new_version = update_referral(
        db, admin, referral_id, ReferralInput(org_id, "medical", reason="Нужен осмотр педиатра"), version
    )
    assert new_version == version + 1
    with pytest.raises(StaleRecord):
        update_referral(db, admin, referral_id, ReferralInput(org_id, reason="Снова"), version)
    with db.reading() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == referral_id).order_by(AuditEntry.id)
        ).all()
    assert [e.action for e in entries] == ["referral.create", "referral.update"]
    assert all(e.action in AUDIT_LABELS for e in entries)
    details = json.loads(entries[1].details)
    assert set(details["fields"]) == {"service_type_id", "reason", "requested_service"}
    assert details["number"] == details["case"]


def test_the_content_is_checked(office: Office) -> None:
    db, admin, case_id, _org_id = office
    with pytest.raises(ValidationFailed) as caught:
        create_referral(db, admin, ReferralInput(None, "unknown-service", reason=" "), case_id=case_id)
    assert {p.field for p in caught.value.problems} == {"organisation_id", "service_type_code", "reason"}
    with db.reading() as session:
        assert session.scalars(select(Referral)).first() is None


def test_a_deactivated_organisation_is_refused_for_a_new_referral_but_kept_on_a_draft(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id)
    set_organisation_active(db, admin, org_id, 1, False)
    with pytest.raises(ValidationFailed) as caught:
        _draft(db, admin, case_id, org_id)
    assert caught.value.for_field("organisation_id")
    update_referral(
        db, admin, referral_id, ReferralInput(org_id, reason="Уточнено"), _version(db, referral_id)
    )


def test_the_reply_is_received_after_issue_and_not_in_the_future(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id, personal=False)
    issued_on = TODAY - timedelta(days=5)
    version = issue_referral(db, admin, referral_id, _version(db, referral_id), issued_on).version
    for received, field in (
        (issued_on - timedelta(days=1), "reply_received_on"),
        (TODAY + timedelta(days=1), "reply_received_on"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            record_reply(db, admin, referral_id, received, "Зачислен", version)
        assert caught.value.for_field(field)
    with pytest.raises(ValidationFailed) as caught:
        record_reply(db, admin, referral_id, TODAY, "", version)
    assert caught.value.for_field("reply_outcome")
    record_reply(db, admin, referral_id, issued_on, "Зачислен в 5 «Б» класс", version)
    [row] = list_referrals(db, admin, case_id)
    assert (row.status, row.reply_received_on, row.overdue) == ("replied", issued_on, False)


def test_a_draft_gets_no_reply(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id)
    with pytest.raises(ValidationFailed) as caught:
        record_reply(db, admin, referral_id, TODAY, "Ответ", _version(db, referral_id))
    assert caught.value.for_field("status")


def test_overdue_follows_the_reply_deadline_setting(office: Office) -> None:
    db, admin, case_id, org_id = office
    issued_on = TODAY - timedelta(days=5)
    first = _draft(db, admin, case_id, org_id, personal=False)
    issue_referral(db, admin, first, _version(db, first), issued_on)
    [row] = list_referrals(db, admin, case_id)
    assert (row.reply_due, row.overdue) == (issued_on + timedelta(days=10), False)

    update_number_settings(db, admin, {"deadline.referral_reply_days": 2})
    second = _draft(db, admin, case_id, org_id, personal=False)
    issue_referral(db, admin, second, _version(db, second), issued_on)
    rows = {row.id: row for row in list_referrals(db, admin, case_id)}
    assert (rows[second].reply_due, rows[second].overdue) == (issued_on + timedelta(days=2), True)
    assert rows[first].overdue is False  # its due date was set when it was issued
    assert get_referral(db, admin, second).overdue is True
    # On the due day itself the reply is not late yet.
    as_of = issued_on + timedelta(days=2)
    assert {row.id: row.overdue for row in list_referrals(db, admin, case_id, as_of)}[second] is False


def test_an_explicit_reply_due_date_is_kept_and_checked(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id, personal=False)
    with pytest.raises(ValidationFailed) as caught:
        issue_referral(db, admin, referral_id, _version(db, referral_id), TODAY, TODAY - timedelta(days=1))
    assert caught.value.for_field("reply_due")
    issued = issue_referral(
        db, admin, referral_id, _version(db, referral_id), TODAY, TODAY + timedelta(days=3)
    )
    assert issued.reply_due == TODAY + timedelta(days=3)


def test_a_closed_case_takes_no_new_referral_but_its_issued_ones_get_replies(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id, personal=False)
    version = issue_referral(db, admin, referral_id, _version(db, referral_id)).version
    close_as_system(db, case_id)
    with pytest.raises(DomainError) as caught:
        _draft(db, admin, case_id, org_id)
    assert "closed" in caught.value.message.render("en")
    record_reply(db, admin, referral_id, TODAY, "Ответ получен", version)
    assert get_referral(db, admin, referral_id).case_closed is True


def test_cancelling_keeps_the_note(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id)
    with pytest.raises(ValidationFailed):
        cancel_referral(db, admin, referral_id, "", _version(db, referral_id))
    cancel_referral(db, admin, referral_id, "Семья переехала", _version(db, referral_id))
    details = get_referral(db, admin, referral_id)
    assert (details.status, details.cancel_note) == ("cancelled", "Семья переехала")
    with pytest.raises(ValidationFailed):
        cancel_referral(db, admin, referral_id, "Ещё раз", details.version)


def test_a_kdd_secretary_reads_but_cannot_write_referrals(office: Office) -> None:
    db, admin, case_id, org_id = office
    referral_id = _draft(db, admin, case_id, org_id)
    secretary = make_user(db, admin, "secretary", "kdd_secretary")
    with pytest.raises(PermissionDenied):
        _draft(db, secretary, case_id, org_id)
    with pytest.raises(PermissionDenied):
        record_consent(db, secretary, referral_id, "Мать", TODAY, _version(db, referral_id))
    with pytest.raises(PermissionDenied):
        issue_referral(db, secretary, referral_id, _version(db, referral_id))
    assert [row.id for row in list_referrals(db, secretary, case_id)] == [referral_id]


def test_a_referral_from_a_plan_action_is_prefilled_from_it(office: Office) -> None:
    db, admin, case_id, org_id = office
    plan = Plan(case_id=case_id, status="approved", start_date=TODAY)
    other_case = _case(db, admin, add_child(db, "Ёлкин", "Артём"))
    other_plan = Plan(case_id=other_case, status="draft", start_date=TODAY)
    add_as_system(db, plan, other_plan)
    action = PlanAction(
        plan_id=plan.id,
        need="Не посещает школу",
        description="Зачислить в школу по месту жительства",
        organisation_id=org_id,
        due_date=TODAY + timedelta(days=14),
    )
    foreign = PlanAction(plan_id=other_plan.id, description="Чужое действие")
    add_as_system(db, action, foreign)

    [choice] = plan_actions_for_referral(db, admin, case_id)
    assert (choice.id, choice.organisation_id) == (action.id, org_id)
    assert choice.label.startswith("Зачислить в школу")
    start = new_referral(db, admin, case_id, action.id)
    assert (start.data.organisation_id, start.data.requested_service) == (org_id, action.description)
    assert start.child_name == "Үсөнбаева Ңурзат"

    referral_id = create_referral(db, admin, ReferralInput(None, plan_action_id=action.id), case_id=case_id)
    details = get_referral(db, admin, referral_id)
    assert details.data.organisation_id == org_id
    assert (details.data.reason, details.plan_action_text) == ("Не посещает школу", action.description)
    with pytest.raises(ValidationFailed) as caught:
        create_referral(
            db, admin, ReferralInput(org_id, reason="x", plan_action_id=foreign.id), case_id=case_id
        )
    assert caught.value.for_field("plan_action_id")


def test_the_actions_of_an_approved_plan_win_over_its_draft_revision(office: Office) -> None:
    db, admin, case_id, _org_id = office
    approved = Plan(case_id=case_id, status="approved", start_date=TODAY, revision=1)
    revision = Plan(case_id=case_id, status="draft", start_date=TODAY, revision=2)
    old = Plan(case_id=case_id, status="superseded", start_date=TODAY, revision=0)
    add_as_system(db, approved, revision, old)
    add_as_system(
        db,
        PlanAction(plan_id=approved.id, description="В силе"),
        PlanAction(plan_id=revision.id, description="Черновик"),
        PlanAction(plan_id=old.id, description="Старое"),
    )
    assert [c.label for c in plan_actions_for_referral(db, admin, case_id)] == ["В силе"]


def test_a_referral_on_its_own_for_a_child_without_a_case(db: Database, admin: Actor) -> None:
    org_id = _organisation(db, admin)
    child_id = add_child(db, "Usenova", "Nurgul")
    with pytest.raises(ValidationFailed) as caught:
        create_referral(db, admin, ReferralInput(org_id, reason="Документы"))
    assert caught.value.for_field("child")
    referral_id = create_referral(
        db, admin, ReferralInput(org_id, "documents", reason="Документы"), child_id=child_id
    )
    details = get_referral(db, admin, referral_id)
    assert (details.case_id, details.child_id, details.child_name) == (None, child_id, "Usenova Nurgul")
    version = record_consent(db, admin, referral_id, "Usenov Bakyt, отец", TODAY, details.version)
    assert issue_referral(db, admin, referral_id, version).number == f"1/{TODAY.year}"
