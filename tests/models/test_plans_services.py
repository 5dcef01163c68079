"""Case plans through the services: drafting, approval by the head, frozen versions, revisions, reviews."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.dashboard import add_months
from models.database import Database
from models.errors import DomainError, PermissionDenied, StaleRecord, ValidationFailed
from models.orm import AuditEntry, Case, Organisation, Plan, Referral
from models.services.base import Actor
from models.services.cases import get_case
from models.services.plans import (
    AUDIT_LABELS,
    ActionInput,
    GoalInput,
    PlanInput,
    PlanLocked,
    ReviewInput,
    add_review,
    approve_plan,
    create_plan,
    current_plan_id,
    delete_draft,
    get_plan,
    list_plans,
    plan_input,
    record_action_progress,
    revise_plan,
    save_plan,
)
from models.services.settings import update_number_settings

from tests.conftest import make_user
from tests.models.helpers import child_case, close_as_system

START = date(2026, 2, 2)


def _case(db: Database, admin: Actor, opened_on: date = date(2026, 1, 20)) -> uuid.UUID:
    return child_case(db, admin, opened_on).id


def _organisation(db: Database, name: str = "Сокулук ЦСМ", active: bool = True) -> uuid.UUID:
    with db.session() as session:
        session.info["system"] = True
        org = Organisation(name_ru=name, name_ky=name + " (ky)", active=active)
        session.add(org)
        session.commit()
        return org.id


def _full_plan(org_id: uuid.UUID, start: date = START) -> PlanInput:
    return PlanInput(
        start_date=start,
        child_participated=True,
        goals=[GoalInput("Ребёнок посещает школу"), GoalInput("Семья получает пособие")],
        actions=[
            ActionInput(
                "Зачислить в школу № 3",
                goal=0,
                need="Образование",
                service_code="education",
                organisation_id=org_id,
                due_date=start + timedelta(days=14),
            ),
            ActionInput(
                "Оформить пособие «үй-бүлөгө көмөк»",
                goal=1,
                service_code="social_benefits",
                responsible_person="Ёлкин А.",
                due_date=start + timedelta(days=30),
            ),
        ],
    )


def _audit_actions(db: Database, entity_id: uuid.UUID) -> list[str]:
    with db.reading() as session:
        return list(
            session.scalars(
                select(AuditEntry.action).where(AuditEntry.entity_id == entity_id).order_by(AuditEntry.id)
            )
        )


def _approved(db: Database, admin: Actor, case_id: uuid.UUID, org_id: uuid.UUID) -> uuid.UUID:
    ref = create_plan(db, admin, case_id, _full_plan(org_id))
    approve_plan(db, admin, ref.id, ref.version)
    return ref.id


def test_creating_the_first_plan_moves_the_case_to_planning(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    org_id = _organisation(db)
    ref = create_plan(db, admin, case_id, _full_plan(org_id))

    details = get_plan(db, admin, ref.id)
    assert (details.status, details.plan_no, details.revision, details.kind) == ("draft", 1, 1, "child")
    assert [g.text for g in details.goals] == ["Ребёнок посещает школу", "Семья получает пособие"]
    first, second = details.actions
    assert (first.goal, first.organisation_name, first.service_code) == (0, "Сокулук ЦСМ", "education")
    assert first.service_label == "Образование (зачисление в школу, детский сад)"
    assert (second.goal, second.responsible_person) == (1, "Ёлкин А.")
    assert get_case(db, admin, case_id).status == "planning"
    assert "plan.create" in _audit_actions(db, ref.id)
    assert all(action in AUDIT_LABELS for action in _audit_actions(db, ref.id))


def test_the_review_date_defaults_to_the_configured_plan_review_deadline(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    ref = create_plan(db, admin, case_id, PlanInput(START))
    assert get_plan(db, admin, ref.id).review_date == add_months(START, 3)

    update_number_settings(db, admin, {"deadline.plan_review_months": 6})
    family = create_plan(db, admin, case_id, PlanInput(START, kind="family"))
    details = get_plan(db, admin, family.id)
    assert (details.review_date, details.plan_no) == (date(2026, 8, 2), 2)


def test_saving_writes_goals_and_actions_in_order_and_removes_those_left_out(
    db: Database, admin: Actor
) -> None:
    case_id = _case(db, admin)
    org_id = _organisation(db)
    ref = create_plan(db, admin, case_id, _full_plan(org_id))
    form = plan_input(get_plan(db, admin, ref.id))
    second = form.actions[1]
    edited = replace(
        form,
        notes="Мать участвовала",
        goals=[form.goals[1], GoalInput("Ребёнок здоров")],
        actions=[replace(second, goal=0), ActionInput("Медосмотр", goal=1, due_date=START)],
    )
    version = save_plan(db, admin, ref.id, edited, ref.version)

    details = get_plan(db, admin, ref.id)
    assert details.version == version > ref.version
    assert [g.text for g in details.goals] == ["Семья получает пособие", "Ребёнок здоров"]
    assert [(a.description, a.goal) for a in details.actions] == [
        ("Оформить пособие «үй-бүлөгө көмөк»", 0),
        ("Медосмотр", 1),
    ]
    assert details.actions[0].id == second.id
    assert details.notes == "Мать участвовала"
    with db.reading() as session:
        update = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_id == ref.id, AuditEntry.action == "plan.update")
        ).one()
        assert {"goals", "actions", "notes"} <= set(json.loads(update.details)["fields"])


def test_problems_name_the_row_and_nothing_is_written(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    ref = create_plan(db, admin, case_id, PlanInput(START))
    bad = PlanInput(
        START,
        goals=[GoalInput("Школа"), GoalInput("  ")],
        actions=[
            ActionInput("Зачислить", due_date=START),
            ActionInput("Медосмотр"),
            ActionInput("Справка", due_date=START - timedelta(days=1)),
        ],
    )
    with pytest.raises(ValidationFailed) as caught:
        save_plan(db, admin, ref.id, bad, ref.version)
    messages = {p.field: p.render("en") for p in caught.value.problems}
    assert messages == {
        "goals.1.text": "Goal 2: write the goal.",
        "actions.2.due_date": "Action 3: due date before the plan's start.",
    }
    assert get_plan(db, admin, ref.id).goals == ()


def test_an_inactive_organisation_is_refused_for_a_new_action(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    closed_org = _organisation(db, "Старый центр", active=False)
    with pytest.raises(ValidationFailed) as caught:
        create_plan(
            db,
            admin,
            case_id,
            PlanInput(START, actions=[ActionInput("Консультация", organisation_id=closed_org)]),
        )
    assert caught.value.for_field("actions.0.organisation_id")


def test_a_specialist_cannot_approve(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    specialist = make_user(db, admin, "usenova", "specialist")
    ref = create_plan(db, specialist, case_id, _full_plan(_organisation(db)))
    with pytest.raises(PermissionDenied) as caught:
        approve_plan(db, specialist, ref.id, ref.version)
    assert "approve plans" in caught.value.message.render("en")
    assert get_plan(db, admin, ref.id).status == "draft"


def test_the_head_approves_and_the_case_moves_to_implementation(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    head = make_user(db, admin, "asanova", "head")
    ref = create_plan(db, admin, case_id, _full_plan(_organisation(db)))
    approve_plan(db, head, ref.id, ref.version)

    details = get_plan(db, admin, ref.id)
    assert details.status == "approved"
    assert details.approved_by_name == "Тест asanova"
    assert details.approved_at is not None
    assert get_case(db, admin, case_id).status == "implementation"


def test_approval_needs_a_goal_and_actions_with_responsible_and_due_date(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    empty = create_plan(db, admin, case_id, PlanInput(START))
    with pytest.raises(ValidationFailed) as caught:
        approve_plan(db, admin, empty.id, empty.version)
    assert {p.field for p in caught.value.problems} == {"goals", "actions"}

    vague = create_plan(
        db,
        admin,
        case_id,
        PlanInput(START, kind="family", goals=[GoalInput("Цель")], actions=[ActionInput("Что-то")]),
    )
    with pytest.raises(ValidationFailed) as caught:
        approve_plan(db, admin, vague.id, vague.version)
    assert [p.render("en") for p in caught.value.problems] == [
        "Action 1: name the responsible organisation or person.",
        "Action 1: give a due date.",
    ]


def test_an_approved_plan_is_frozen(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    plan_id = _approved(db, admin, case_id, _organisation(db))
    details = get_plan(db, admin, plan_id)
    with pytest.raises(PlanLocked) as caught:
        save_plan(db, admin, plan_id, replace(plan_input(details), notes="Изменено"), details.version)
    assert caught.value.message.render("en") == "The plan is approved; make a revision to change it."
    with pytest.raises(PlanLocked):
        approve_plan(db, admin, plan_id, details.version)
    with pytest.raises(PlanLocked):
        delete_draft(db, admin, plan_id, details.version)


def test_a_revision_copies_the_plan_and_supersedes_it_once_approved(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    plan_id = _approved(db, admin, case_id, _organisation(db))
    revision = revise_plan(db, admin, plan_id)

    draft = get_plan(db, admin, revision.id)
    old = get_plan(db, admin, plan_id)
    assert (draft.status, draft.revision, draft.plan_no, draft.previous_id) == ("draft", 2, 1, plan_id)
    assert [g.text for g in draft.goals] == [g.text for g in old.goals]
    assert [(a.description, a.goal, a.organisation_id) for a in draft.actions] == [
        (a.description, a.goal, a.organisation_id) for a in old.actions
    ]
    assert {a.id for a in draft.actions}.isdisjoint({a.id for a in old.actions})
    assert old.status == "approved"  # in force until the revision is approved
    assert old.revision_draft_id == revision.id
    with pytest.raises(PlanLocked):
        revise_plan(db, admin, plan_id)  # one draft at a time

    form = plan_input(draft)
    version = save_plan(
        db,
        admin,
        revision.id,
        replace(
            form, actions=[*form.actions, ActionInput("Кружок", due_date=START, responsible_person="Ёлкин")]
        ),
        revision.version,
    )
    approve_plan(db, admin, revision.id, version)

    plans = list_plans(db, admin, case_id)
    assert [(p.revision, p.status) for p in plans] == [(1, "superseded"), (2, "approved")]
    assert current_plan_id(plans) == revision.id
    assert len(get_plan(db, admin, plan_id).actions) == 2  # the old version is kept as it was
    assert len(get_plan(db, admin, revision.id).actions) == 3
    assert "plan.supersede" in _audit_actions(db, plan_id)
    with pytest.raises(PlanLocked):
        revise_plan(db, admin, plan_id)  # a superseded version is history


def test_a_new_approved_plan_of_the_same_kind_supersedes_the_older(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    org_id = _organisation(db)
    first = _approved(db, admin, case_id, org_id)
    second = create_plan(db, admin, case_id, _full_plan(org_id))
    approve_plan(db, admin, second.id, second.version)
    statuses = {p.id: (p.plan_no, p.status) for p in list_plans(db, admin, case_id)}
    assert statuses == {first: (1, "superseded"), second.id: (2, "approved")}


def test_action_progress_is_recorded_on_an_approved_plan(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    plan_id = _approved(db, admin, case_id, _organisation(db))
    action = get_plan(db, admin, plan_id).actions[0]
    version = record_action_progress(db, admin, action.id, "done", "Зачислен в 3 класс", action.version)

    after = get_plan(db, admin, plan_id)
    assert (after.actions[0].status, after.actions[0].result, after.actions[0].version) == (
        "done",
        "Зачислен в 3 класс",
        version,
    )
    assert after.status == "approved"
    assert "plan.action_progress" in _audit_actions(db, plan_id)
    with pytest.raises(StaleRecord):
        record_action_progress(db, admin, action.id, "in_progress", None, action.version)


def test_action_progress_on_a_draft_goes_through_the_plan_form(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    ref = create_plan(db, admin, case_id, _full_plan(_organisation(db)))
    action = get_plan(db, admin, ref.id).actions[0]
    with pytest.raises(PlanLocked):
        record_action_progress(db, admin, action.id, "done", None, action.version)


def test_open_actions_past_their_due_date_are_overdue(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin, opened_on=date.today() - timedelta(days=60))
    start = date.today() - timedelta(days=40)
    ref = create_plan(
        db,
        admin,
        case_id,
        PlanInput(
            start,
            actions=[
                ActionInput("Просрочено", due_date=date.today() - timedelta(days=1)),
                ActionInput("Выполнено", due_date=date.today() - timedelta(days=1), status="done"),
                ActionInput("Сегодня", due_date=date.today()),
                ActionInput("Без срока"),
            ],
        ),
    )
    assert [a.overdue for a in get_plan(db, admin, ref.id).actions] == [True, False, False, False]


def test_a_review_sets_the_next_review_date_from_the_deadlines(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    plan_id = _approved(db, admin, case_id, _organisation(db))
    update_number_settings(db, admin, {"deadline.plan_review_months": 2})
    details = get_plan(db, admin, plan_id)
    review_day = date(2026, 3, 31)
    version = add_review(
        db, admin, plan_id, ReviewInput(review_day, "Ребёнок ходит в школу"), details.version
    )

    after = get_plan(db, admin, plan_id)
    assert after.version == version
    assert after.review_date == date(2026, 5, 31)
    (review,) = after.reviews
    assert (review.review_date, review.next_review_date, review.changes) == (
        review_day,
        date(2026, 5, 31),
        "Ребёнок ходит в школу",
    )
    assert review.reviewer_name == "Администратор Офиса"
    assert "plan.review" in _audit_actions(db, plan_id)

    with pytest.raises(ValidationFailed) as caught:
        add_review(
            db, admin, plan_id, ReviewInput(review_day, " ", next_review_date=review_day), after.version
        )
    assert {p.field for p in caught.value.problems} == {"changes", "next_review_date"}


def test_a_draft_is_not_reviewed(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    ref = create_plan(db, admin, case_id, PlanInput(START))
    with pytest.raises(PlanLocked):
        add_review(db, admin, ref.id, ReviewInput(START, "Пересмотр"), ref.version)


def test_a_closed_case_refuses_plan_changes(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    org_id = _organisation(db)
    plan_id = _approved(db, admin, case_id, org_id)
    draft = create_plan(db, admin, case_id, PlanInput(START, kind="family"))
    close_as_system(db, case_id)
    details = get_plan(db, admin, plan_id)
    action = details.actions[0]
    attempts = [
        lambda: create_plan(db, admin, case_id, PlanInput(START)),
        lambda: save_plan(db, admin, draft.id, PlanInput(START, kind="family"), draft.version),
        lambda: approve_plan(db, admin, draft.id, draft.version),
        lambda: revise_plan(db, admin, plan_id),
        lambda: record_action_progress(db, admin, action.id, "done", None, action.version),
        lambda: add_review(db, admin, plan_id, ReviewInput(START, "Пересмотр"), details.version),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as caught:
            attempt()
        assert "is closed; reopen it first" in caught.value.message.render("en")
    assert details.actions[0].overdue is False


def test_a_second_draft_of_the_same_kind_is_refused(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    create_plan(db, admin, case_id, PlanInput(START))
    with pytest.raises(ValidationFailed) as caught:
        create_plan(db, admin, case_id, PlanInput(START))
    assert caught.value.for_field("kind")


def test_an_action_with_a_referral_stays_in_the_plan(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    org_id = _organisation(db)
    ref = create_plan(db, admin, case_id, _full_plan(org_id))
    details = get_plan(db, admin, ref.id)
    with db.session() as session:
        session.info["system"] = True
        case = session.get(Case, case_id)
        assert case is not None
        session.add(
            Referral(
                district_id=case.district_id,
                case_id=case_id,
                plan_action_id=details.actions[0].id,
                organisation_id=org_id,
            )
        )
        session.commit()
    assert get_plan(db, admin, ref.id).actions[0].referrals == 1
    form = plan_input(details)
    with pytest.raises(ValidationFailed):
        save_plan(db, admin, ref.id, replace(form, actions=form.actions[1:]), details.version)
    with pytest.raises(ValidationFailed):
        delete_draft(db, admin, ref.id, details.version)


def test_deleting_a_draft_revision_leaves_the_approved_plan(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    plan_id = _approved(db, admin, case_id, _organisation(db))
    revision = revise_plan(db, admin, plan_id)
    delete_draft(db, admin, revision.id, revision.version)
    assert [(p.id, p.status) for p in list_plans(db, admin, case_id)] == [(plan_id, "approved")]
    with db.reading() as session:
        deleted = session.get(Plan, revision.id)
        assert deleted is not None and deleted.deleted_at is not None


def test_a_stale_form_is_refused(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    ref = create_plan(db, admin, case_id, PlanInput(START))
    save_plan(db, admin, ref.id, PlanInput(START, notes="Первый"), ref.version)
    with pytest.raises(StaleRecord):
        save_plan(db, admin, ref.id, PlanInput(START, notes="Второй"), ref.version)
