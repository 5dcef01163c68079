"""КДД meetings through the services: numbering, quorum, holding, decisions and their follow-up."""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from models.database import Database
from models.errors import DomainError, PermissionDenied, ValidationFailed
from models.orm import AuditEntry, Case, KddAgendaItem
from models.services.base import Actor
from models.services.kdd import (
    DecisionInput,
    ItemInput,
    MeetingInput,
    MemberInput,
    add_decision,
    add_item,
    cancel_meeting,
    case_kdd,
    get_meeting,
    hold_meeting,
    meeting_defaults,
    move_item,
    open_case_choices,
    plan_meeting,
    planned_meetings,
    record_follow_up,
    remove_item,
    set_members,
    set_presence,
    update_decision,
    update_meeting,
)
from models.services.settings import update_number_settings

from tests.conftest import make_user
from tests.models.helpers import add_child, child_case, close_as_system

TODAY = date.today()
MEMBERS = [
    MemberInput("Асанова Гүлнара", "Заместитель акима", "chair"),
    MemberInput("Ёлкин Пётр", "Инспектор ИДН", "member"),
    MemberInput("Usenova Nurgul", "Социальный педагог", "member"),
    MemberInput("Токтогулова Айнура", "Специалист ОЗД", "secretary"),
]


def _case(
    db: Database, admin: Actor, last: str = "Үсөнбаева", first: str = "Ңурзат"
) -> tuple[uuid.UUID, str]:
    case = child_case(db, admin, TODAY - timedelta(days=40), child_id=add_child(db, last, first))
    return case.id, case.number


def _meeting(db: Database, actor: Actor, day: date = TODAY) -> uuid.UUID:
    return plan_meeting(
        db, actor, MeetingInput(day, "Актовый зал", "Асанова Гүлнара", "Токтогулова Айнура"), MEMBERS
    ).id


def _mark_present(db: Database, actor: Actor, meeting_id: uuid.UUID, count: int) -> None:
    for member in get_meeting(db, actor, meeting_id, record_view=False).members[:count]:
        set_presence(db, actor, member.id, True)


def test_meetings_are_numbered_per_year(db: Database, admin: Actor) -> None:
    first = plan_meeting(db, admin, MeetingInput(date(2025, 12, 20), None, "Асанова", "Токтогулова"), [])
    second = plan_meeting(db, admin, MeetingInput(date(2026, 1, 15), None, "Асанова", "Токтогулова"), [])
    third = plan_meeting(db, admin, MeetingInput(date(2026, 2, 15), None, "Асанова", "Токтогулова"), [])
    assert (first.number, second.number, third.number) == ("1/2025", "1/2026", "2/2026")


def test_a_new_meeting_starts_with_the_last_meetings_people(db: Database, admin: Actor) -> None:
    assert meeting_defaults(db, admin).members == ()
    _meeting(db, admin)
    defaults = meeting_defaults(db, admin)
    assert defaults.data.chair_name == "Асанова Гүлнара"
    assert defaults.data.secretary_name == "Токтогулова Айнура"
    assert [m.full_name for m in defaults.members] == [m.full_name for m in MEMBERS]
    assert not any(m.present for m in defaults.members)
    copied = plan_meeting(db, admin, defaults.data)  # members None: copied from the last meeting
    meeting = get_meeting(db, admin, copied.id)
    assert [m.role for m in meeting.members] == ["chair", "member", "member", "secretary"]
    assert meeting.quorum.total == 4 and meeting.quorum.present == 0


def test_a_meeting_needs_a_chair_and_a_secretary(db: Database, admin: Actor) -> None:
    with pytest.raises(ValidationFailed) as caught:
        plan_meeting(db, admin, MeetingInput(TODAY, "Зал", " ", None), [])
    assert caught.value.for_field("chair_name") and caught.value.for_field("secretary_name")


def test_quorum_is_more_than_half_of_the_members(db: Database, admin: Actor) -> None:
    meeting_id = _meeting(db, admin)
    _mark_present(db, admin, meeting_id, 2)
    meeting = get_meeting(db, admin, meeting_id)
    assert (meeting.quorum.present, meeting.quorum.total, meeting.quorum.reached) == (2, 4, False)
    third = meeting.members[2]
    assert set_presence(db, admin, third.id, True).reached
    version = set_members(
        db,
        admin,
        meeting_id,
        [m.as_input() for m in get_meeting(db, admin, meeting_id).members]
        + [MemberInput("Жумабеков Бакыт", "Врач ЦСМ"), MemberInput("Сыдыкова Гүлзат", "Директор школы")],
        meeting.version,
    )
    meeting = get_meeting(db, admin, meeting_id)
    assert meeting.version == version
    assert (meeting.quorum.present, meeting.quorum.total, meeting.quorum.reached) == (3, 6, False)


def test_holding_needs_a_quorum_and_a_decision(db: Database, admin: Actor) -> None:
    case_id, _number = _case(db, admin)
    meeting_id = _meeting(db, admin)
    _mark_present(db, admin, meeting_id, 2)
    version = get_meeting(db, admin, meeting_id).version
    with pytest.raises(ValidationFailed) as caught:
        hold_meeting(db, admin, meeting_id, version)
    assert (
        "2" in caught.value.for_field("members")[0].render()
        and "4" in caught.value.for_field("members")[0].render()
    )
    assert caught.value.for_field("items")
    _mark_present(db, admin, meeting_id, 3)
    item_id = add_item(db, admin, meeting_id, ItemInput(case_id=case_id))
    with pytest.raises(ValidationFailed) as caught:
        hold_meeting(db, admin, meeting_id, version)
    assert not caught.value.for_field("members") and caught.value.for_field("items")
    add_decision(db, admin, item_id, DecisionInput("Направить семью в ЦСМ", "ЦСМ"))
    hold_meeting(db, admin, meeting_id, version)
    assert get_meeting(db, admin, meeting_id).status == "held"


def test_a_future_meeting_cannot_be_marked_held(db: Database, admin: Actor) -> None:
    meeting_id = _meeting(db, admin, TODAY + timedelta(days=3))
    with pytest.raises(ValidationFailed) as caught:
        hold_meeting(db, admin, meeting_id, get_meeting(db, admin, meeting_id).version)
    assert caught.value.for_field("meeting_date")


def test_the_kdd_secretary_runs_a_whole_meeting_without_changing_the_case(db: Database, admin: Actor) -> None:
    secretary = make_user(db, admin, "secretary", "kdd_secretary")
    case_id, case_number = _case(db, admin)
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        before = (case.status, case.version, case.updated_at)

    choices = open_case_choices(db, secretary, "Үсөнб")
    assert [c.id for c in choices] == [case_id]
    assert [c.id for c in open_case_choices(db, secretary, case_number)] == [case_id]
    planned = plan_meeting(
        db, secretary, MeetingInput(TODAY, "Зал айыл окмоту", "Асанова Гүлнара", "Тест"), MEMBERS
    )
    assert [m.id for m in planned_meetings(db, secretary)] == [planned.id]
    _mark_present(db, secretary, planned.id, 3)
    item_id = add_item(
        db,
        secretary,
        planned.id,
        ItemInput(reported_by="Специалист ОЗД", parent_invited=True, parent_attended=True, case_id=case_id),
    )
    add_item(db, secretary, planned.id, ItemInput("Отчёт о работе за полугодие"))
    decision_id = add_decision(
        db,
        secretary,
        item_id,
        DecisionInput("Обеспечить посещение школы", "Школа № 5", TODAY + timedelta(days=14)),
    )
    meeting = get_meeting(db, secretary, planned.id)
    assert meeting.items[0].case_number == case_number
    assert meeting.items[0].child_name == "Үсөнбаева Ңурзат"
    assert meeting.items[0].title == f"Үсөнбаева Ңурзат (№ {case_number})"
    assert meeting.items[0].decisions[0].decision_no == 1
    hold_meeting(db, secretary, planned.id, meeting.version)
    decision = get_meeting(db, secretary, planned.id).items[0].decisions[0]
    record_follow_up(
        db,
        secretary,
        decision_id,
        done_on=TODAY,
        follow_up="Ребёнок ходит в школу",
        expected_version=decision.version,
    )

    entries = case_kdd(db, secretary, case_id)
    assert [e.meeting_number for e in entries] == [planned.number]
    assert entries[0].meeting_status == "held"
    assert entries[0].decisions[0].done_on == TODAY and not entries[0].decisions[0].overdue
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert (case.status, case.version, case.updated_at) == before
        entries_of = {
            (action, entity_id): json.loads(details)
            for action, entity_id, details in session.execute(
                select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.details)
            )
        }
    actions = {action: details for (action, _entity), details in entries_of.items()}
    assert entries_of["kdd_item.add", item_id]["case"] == case_number
    assert actions["kdd_decision.done"]["case"] == case_number
    assert {"kdd_meeting.create", "kdd_meeting.hold", "kdd_decision.add"} <= set(actions)


def test_a_specialist_cannot_prepare_a_meeting(db: Database, admin: Actor) -> None:
    specialist = make_user(db, admin, "specialist", "specialist")
    with pytest.raises(PermissionDenied):
        plan_meeting(db, specialist, MeetingInput(TODAY, None, "Асанова", "Токтогулова"), [])
    meeting_id = _meeting(db, admin)
    with pytest.raises(PermissionDenied):
        add_item(db, specialist, meeting_id, ItemInput("Разное"))
    assert get_meeting(db, specialist, meeting_id).items == ()  # reading is allowed


def test_a_held_meetings_protocol_is_fixed_but_follow_up_goes_on(db: Database, admin: Actor) -> None:
    case_id, _number = _case(db, admin)
    meeting_id = _meeting(db, admin)
    _mark_present(db, admin, meeting_id, 4)
    item_id = add_item(db, admin, meeting_id, ItemInput(case_id=case_id))
    decision_id = add_decision(db, admin, item_id, DecisionInput("Поставить на учёт", "ОЗД"))
    meeting = get_meeting(db, admin, meeting_id)
    with pytest.raises(DomainError, match="Исполнение решений"):
        record_follow_up(db, admin, decision_id, done_on=TODAY, follow_up=None, expected_version=1)
    hold_meeting(db, admin, meeting_id, meeting.version)
    decision = get_meeting(db, admin, meeting_id).items[0].decisions[0]
    with pytest.raises(DomainError, match="протокол"):
        update_decision(db, admin, decision_id, DecisionInput("Другой текст"), decision.version)
    with pytest.raises(DomainError, match="протокол"):
        add_item(db, admin, meeting_id, ItemInput("Разное"))
    with pytest.raises(DomainError, match="протокол"):
        update_meeting(
            db, admin, meeting_id, MeetingInput(TODAY, "Другой зал", "А", "Б"), meeting.version + 1
        )
    version = record_follow_up(
        db,
        admin,
        decision_id,
        done_on=None,
        follow_up="Исполнение продолжается",
        expected_version=decision.version,
    )
    assert version == decision.version + 1


def test_a_closed_case_cannot_go_on_the_agenda(db: Database, admin: Actor) -> None:
    case_id, number = _case(db, admin)
    close_as_system(db, case_id)
    meeting_id = _meeting(db, admin)
    with pytest.raises(ValidationFailed, match=number):
        add_item(db, admin, meeting_id, ItemInput(case_id=case_id))
    assert open_case_choices(db, admin, number) == []


def test_a_case_goes_on_an_agenda_once(db: Database, admin: Actor) -> None:
    case_id, _number = _case(db, admin)
    meeting_id = _meeting(db, admin)
    add_item(db, admin, meeting_id, ItemInput(case_id=case_id))
    with pytest.raises(ValidationFailed) as caught:
        add_item(db, admin, meeting_id, ItemInput(case_id=case_id))
    assert caught.value.for_field("case")


def test_reordering_and_removing_items_renumbers_the_decisions(db: Database, admin: Actor) -> None:
    meeting_id = _meeting(db, admin)
    first = add_item(db, admin, meeting_id, ItemInput("Первый вопрос"))
    second = add_item(db, admin, meeting_id, ItemInput("Второй вопрос"))
    add_decision(db, admin, first, DecisionInput("Решение А"))
    add_decision(db, admin, second, DecisionInput("Решение Б"))
    move_item(db, admin, second, -1)
    meeting = get_meeting(db, admin, meeting_id)
    assert [i.title for i in meeting.items] == ["Второй вопрос", "Первый вопрос"]
    assert [d.decision_no for d in meeting.items[0].decisions] == [
        1
    ]  # decisions are numbered in agenda order
    assert [d.decision_no for d in meeting.items[1].decisions] == [2]
    remove_item(db, admin, second, meeting.items[0].version)
    meeting = get_meeting(db, admin, meeting_id)
    assert [i.title for i in meeting.items] == ["Первый вопрос"]
    assert [d.decision_no for d in meeting.items[0].decisions] == [1]
    with db.reading() as session:
        removed = session.get(KddAgendaItem, second)
        assert removed is not None and removed.deleted_at is not None


def test_an_empty_deadline_follows_the_office_setting(db: Database, admin: Actor) -> None:
    case_id, _number = _case(db, admin)
    meeting_id = _meeting(db, admin, TODAY - timedelta(days=20))
    _mark_present(db, admin, meeting_id, 3)
    item_id = add_item(db, admin, meeting_id, ItemInput(case_id=case_id))
    add_decision(db, admin, item_id, DecisionInput("Провести беседу с родителями", "ИДН"))
    hold_meeting(db, admin, meeting_id, get_meeting(db, admin, meeting_id).version)
    decision = case_kdd(db, admin, case_id)[0].decisions[0]
    assert decision.deadline is None
    assert decision.due == TODAY + timedelta(days=10)  # 30 days after the meeting by default
    assert not decision.overdue
    update_number_settings(db, admin, {"deadline.kdd_decision_days": 14})
    decision = case_kdd(db, admin, case_id)[0].decisions[0]
    assert decision.due == TODAY - timedelta(days=6)
    assert decision.overdue


def test_cancelling_needs_a_reason_and_keeps_it(db: Database, admin: Actor) -> None:
    meeting_id = _meeting(db, admin)
    version = get_meeting(db, admin, meeting_id).version
    with pytest.raises(ValidationFailed) as caught:
        cancel_meeting(db, admin, meeting_id, "  ", version)
    assert caught.value.for_field("reason")
    cancel_meeting(db, admin, meeting_id, "Нет кворума, перенос", version)
    meeting = get_meeting(db, admin, meeting_id)
    assert (meeting.status, meeting.cancel_reason) == ("cancelled", "Нет кворума, перенос")
    assert planned_meetings(db, admin) == []
