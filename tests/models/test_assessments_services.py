"""Assessments through the services: due dates from the settings, completion rules, the case's status."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from models.database import Database
from models.errors import DomainError, PermissionDenied, StaleRecord, ValidationFailed
from models.orm import AssessmentDomain, AuditEntry, Case, HousingActMember
from models.reference import items
from models.services.assessments import (
    AUDIT_LABELS,
    AssessmentRow,
    CommissionMemberInput,
    ComprehensiveAssessmentInput,
    DomainInput,
    HousingActInput,
    InitialAssessmentInput,
    case_accepts_assessments,
    complete_comprehensive_assessment,
    complete_initial_assessment,
    create_comprehensive_assessment,
    create_housing_act,
    create_initial_assessment,
    delete_assessment,
    get_comprehensive_assessment,
    get_housing_act,
    get_initial_assessment,
    list_assessments,
    new_comprehensive_assessment,
    update_comprehensive_assessment,
    update_housing_act,
    update_initial_assessment,
)
from models.services.base import Actor
from models.services.settings import update_number_settings

from tests.conftest import make_user
from tests.models.helpers import child_case, close_as_system

OPENED = date(2026, 3, 6)  # a Friday: three working days later is Wednesday 11.03
VISITED = InitialAssessmentInput(
    visit_date=date(2026, 3, 9),
    place="с. Сокулук, ул. Ленина 5",
    participants="Үсөнбаева Ңурзат, бабушка Ёлкина Р.",
    needs_food="Питание недостаточное",
    caregiver_present=True,
    parents_in_migration=True,
    category_codes=("labour_migrants",),
    conclusion="Нужна комплексная оценка",
)


def _case(db: Database, actor: Actor, opened_on: date = OPENED) -> uuid.UUID:
    return child_case(db, actor, opened_on, ["labour_migrants"]).id


def _status(db: Database, case_id: uuid.UUID) -> str:
    with db.reading() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case.status


def _close(db: Database, case_id: uuid.UUID) -> None:
    close_as_system(db, case_id, OPENED + timedelta(days=60))


def _domain_codes(db: Database) -> list[str]:
    with db.reading() as session:
        return [item.code for item in items(session, "assessment_domain")]


def _fields(failed: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {problem.field for problem in failed.value.problems}


def _row(db: Database, actor: Actor, case_id: uuid.UUID, kind: str, as_of: date = OPENED) -> AssessmentRow:
    rows = [row for row in list_assessments(db, actor, case_id, as_of=as_of) if row.kind == kind]
    assert len(rows) == 1
    return rows[0]


def test_an_initial_assessment_is_due_by_the_deadline_settings(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    assessment_id = create_initial_assessment(db, admin, case_id, VISITED)
    details = get_initial_assessment(db, admin, assessment_id)
    assert details.header.due_date == date(2026, 3, 11)
    assert _row(db, admin, case_id, "initial").due_date == date(2026, 3, 11)

    update_number_settings(db, admin, {"deadline.initial_assessment_working_days": 5})

    # The tab follows the changed setting at once: five working days after Friday is Friday.
    row = _row(db, admin, case_id, "initial", as_of=date(2026, 3, 12))
    assert row.due_date == date(2026, 3, 13)
    assert not row.overdue
    assert get_initial_assessment(db, admin, assessment_id).header.due_date == date(2026, 3, 13)
    assert _row(db, admin, case_id, "initial", as_of=date(2026, 3, 14)).overdue


def test_a_new_assessment_stores_the_due_date_of_the_current_settings(db: Database, admin: Actor) -> None:
    update_number_settings(db, admin, {"deadline.comprehensive_assessment_days": 14})
    case_id = _case(db, admin)
    assert new_comprehensive_assessment(db, admin, case_id).header.due_date == date(2026, 3, 20)
    assessment_id = create_comprehensive_assessment(
        db, admin, case_id, ComprehensiveAssessmentInput(started_on=OPENED)
    )
    assert get_comprehensive_assessment(db, admin, assessment_id).header.due_date == date(2026, 3, 20)


def test_the_tab_shows_a_due_assessment_not_started_and_flags_it_overdue(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    before = _row(db, admin, case_id, "initial", as_of=date(2026, 3, 11))
    assert (before.id, before.status, before.due_date, before.overdue) == (
        None,
        "not_started",
        date(2026, 3, 11),
        False,
    )
    assert _row(db, admin, case_id, "initial", as_of=date(2026, 3, 12)).overdue
    comprehensive = _row(db, admin, case_id, "comprehensive", as_of=date(2026, 4, 6))
    assert comprehensive.due_date == date(2026, 4, 5)
    assert comprehensive.overdue

    _close(db, case_id)
    assert list_assessments(db, admin, case_id, as_of=date(2026, 4, 6)) == []
    assert not case_accepts_assessments(db, admin, case_id)


def test_completing_the_initial_assessment_needs_the_visit_date_and_the_conclusion(
    db: Database, admin: Actor
) -> None:
    case_id = _case(db, admin)
    assessment_id = create_initial_assessment(
        db, admin, case_id, InitialAssessmentInput(immediate_danger=True)
    )
    version = get_initial_assessment(db, admin, assessment_id).version
    assert version is not None
    with pytest.raises(ValidationFailed) as failed:
        complete_initial_assessment(db, admin, assessment_id, version)
    assert _fields(failed) == {"visit_date", "conclusion", "safety_measures"}

    version = update_initial_assessment(
        db,
        admin,
        assessment_id,
        InitialAssessmentInput(
            visit_date=date(2026, 3, 9),
            immediate_danger=True,
            safety_measures="Ребёнок временно у тёти",
            conclusion="Опасность устранена",
        ),
        version,
    )
    with pytest.raises(ValidationFailed) as failed:
        complete_initial_assessment(db, admin, assessment_id, version, completed_on=date(2026, 3, 8))
    assert _fields(failed) == {"completed_on"}
    complete_initial_assessment(db, admin, assessment_id, version, completed_on=date(2026, 3, 10))

    row = _row(db, admin, case_id, "initial", as_of=date(2026, 4, 1))
    assert (row.status, row.completed_on, row.overdue) == ("completed", date(2026, 3, 10), False)
    completed = get_initial_assessment(db, admin, assessment_id)
    assert completed.header.completed_on == date(2026, 3, 10)
    assert completed.version is not None
    with pytest.raises(ValidationFailed, match=r"10\.03\.2026"):
        update_initial_assessment(db, admin, assessment_id, VISITED, completed.version)
    with pytest.raises(ValidationFailed):
        delete_assessment(db, admin, "initial", assessment_id, completed.version)


def test_starting_an_assessment_moves_a_registered_case_to_assessment(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    assert _status(db, case_id) == "registered"
    assessment_id = create_initial_assessment(db, admin, case_id, VISITED)
    assert _status(db, case_id) == "assessment"
    version = get_initial_assessment(db, admin, assessment_id).version
    assert version is not None
    complete_initial_assessment(db, admin, assessment_id, version, completed_on=date(2026, 3, 9))
    assert _status(db, case_id) == "assessment"
    with db.reading() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_id.in_([case_id, assessment_id]))
        ).all()
    assert actions.count("case.status") == 1
    assert {"initial_assessment.create", "initial_assessment.complete", "initial_assessment.view"} <= set(
        actions
    )


def test_a_housing_act_also_moves_the_case_on(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    create_housing_act(
        db, admin, case_id, HousingActInput(OPENED, [CommissionMemberInput("Асанова Гүлнара", "специалист")])
    )
    assert _status(db, case_id) == "assessment"


def test_a_case_has_one_initial_assessment(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    create_initial_assessment(db, admin, case_id, VISITED)
    with pytest.raises(ValidationFailed, match="уже есть"):
        create_initial_assessment(db, admin, case_id, VISITED)


def test_a_deleted_draft_leaves_the_assessment_due_again(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    assessment_id = create_initial_assessment(db, admin, case_id, VISITED)
    version = get_initial_assessment(db, admin, assessment_id).version
    assert version is not None
    delete_assessment(db, admin, "initial", assessment_id, version)
    assert _row(db, admin, case_id, "initial").status == "not_started"
    create_initial_assessment(db, admin, case_id, VISITED)


def test_a_closed_case_refuses_new_assessments(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    act_id = create_housing_act(
        db, admin, case_id, HousingActInput(OPENED, [CommissionMemberInput("Usenova")])
    )
    _close(db, case_id)
    with pytest.raises(DomainError, match="закрыт"):
        create_initial_assessment(db, admin, case_id, VISITED)
    with pytest.raises(DomainError, match="закрыт"):
        create_comprehensive_assessment(db, admin, case_id, ComprehensiveAssessmentInput())
    version = get_housing_act(db, admin, act_id).version
    assert version is not None
    with pytest.raises(DomainError, match="закрыт"):
        update_housing_act(
            db, admin, act_id, HousingActInput(OPENED, [CommissionMemberInput("Ёлкин")]), version
        )


@pytest.mark.parametrize("role", ["kdd_secretary", "read_only"])
def test_roles_without_assessment_work_are_refused(db: Database, admin: Actor, role: str) -> None:
    case_id = _case(db, admin)
    user = make_user(db, admin, f"user_{role}", role)
    with pytest.raises(PermissionDenied):
        create_initial_assessment(db, user, case_id, VISITED)
    with pytest.raises(PermissionDenied):
        create_housing_act(db, user, case_id, HousingActInput(OPENED, [CommissionMemberInput("Usenova")]))
    assert len(list_assessments(db, user, case_id)) == 2  # reading is allowed


def test_a_social_worker_records_assessments(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    worker = make_user(db, admin, "social", "social_worker")
    assessment_id = create_initial_assessment(db, worker, case_id, VISITED)
    row = _row(db, worker, case_id, "initial")
    assert (row.id, row.assessor) == (assessment_id, "Тест social")


def test_the_comprehensive_assessment_has_a_row_per_domain_and_completes_when_all_are_rated(
    db: Database, admin: Actor
) -> None:
    case_id = _case(db, admin)
    codes = _domain_codes(db)
    assert len(codes) >= 8
    assessment_id = create_comprehensive_assessment(
        db,
        admin,
        case_id,
        ComprehensiveAssessmentInput(
            started_on=date(2026, 3, 10),
            domains=[DomainInput(codes[0], "Часто болеет", "medium")],
        ),
    )
    details = get_comprehensive_assessment(db, admin, assessment_id)
    assert [d.domain_code for d in details.domains] == codes
    assert (details.domains[0].findings, details.domains[0].need_level_code) == ("Часто болеет", "medium")
    assert details.domains[1].need_level_code is None
    assert details.version is not None

    with pytest.raises(ValidationFailed) as failed:
        complete_comprehensive_assessment(db, admin, assessment_id, details.version)
    assert _fields(failed) == {f"domains.{code}" for code in codes[1:]} | {"overall_risk", "summary"}

    version = update_comprehensive_assessment(
        db,
        admin,
        assessment_id,
        ComprehensiveAssessmentInput(
            started_on=date(2026, 3, 10),
            domains=[DomainInput(code, None, "low") for code in codes],
            strengths="Любящая бабушка",
            child_views="Хочет жить с бабушкой",
            overall_risk_code="medium",
            summary="Нужна поддержка семьи",
        ),
        details.version,
    )
    assert version > details.version
    with pytest.raises(StaleRecord):
        update_comprehensive_assessment(
            db, admin, assessment_id, ComprehensiveAssessmentInput(), details.version
        )
    complete_comprehensive_assessment(db, admin, assessment_id, version, completed_on=date(2026, 3, 20))
    done = get_comprehensive_assessment(db, admin, assessment_id)
    assert [d.need_level_code for d in done.domains] == ["low"] * len(codes)
    assert done.domains[0].findings is None
    assert (done.data.overall_risk_code, done.header.completed_on) == ("medium", date(2026, 3, 20))

    # A repeated assessment has no due date and is never overdue.
    again = create_comprehensive_assessment(db, admin, case_id, ComprehensiveAssessmentInput())
    rows = [
        r for r in list_assessments(db, admin, case_id, as_of=date(2027, 1, 1)) if r.kind == "comprehensive"
    ]
    assert {(r.id, r.status, r.due_date, r.overdue) for r in rows} == {
        (again, "draft", None, False),
        (assessment_id, "completed", date(2026, 4, 5), False),
    }


def test_a_comprehensive_assessment_refuses_unknown_need_levels(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    code = _domain_codes(db)[0]
    with pytest.raises(ValidationFailed) as failed:
        create_comprehensive_assessment(
            db, admin, case_id, ComprehensiveAssessmentInput(domains=[DomainInput(code, None, "extreme")])
        )
    assert _fields(failed) == {f"domains.{code}"}
    with db.reading() as session:
        assert session.scalar(select(AssessmentDomain.id).limit(1)) is None


def test_a_housing_act_keeps_its_commission_in_order(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    with pytest.raises(ValidationFailed) as failed:
        create_housing_act(
            db,
            admin,
            case_id,
            HousingActInput(
                OPENED, [CommissionMemberInput("", "инспектор")], family_acknowledged=True, rooms=-1
            ),
        )
    assert _fields(failed) == {"members", "family_signatory", "rooms"}

    members = [
        CommissionMemberInput("Асанова Гүлнара", "специалист ОЗД", "УСР Сокулукского района"),
        CommissionMemberInput("Ёлкин Пётр", "инспектор ИДН", "ОВД"),
        CommissionMemberInput(" "),
    ]
    act_id = create_housing_act(
        db,
        admin,
        case_id,
        HousingActInput(
            OPENED,
            members,
            rooms=2,
            area_m2=Decimal("38.5"),
            residents="Бабушка, Ңурзат и брат",
            family_acknowledged=True,
            family_signatory="Ёлкина Р.",
        ),
    )
    act = get_housing_act(db, admin, act_id)
    assert [m.full_name for m in act.data.members] == ["Асанова Гүлнара", "Ёлкин Пётр"]
    assert (act.data.rooms, act.data.area_m2, act.data.family_signatory) == (2, Decimal("38.50"), "Ёлкина Р.")
    assert act.version is not None

    version = update_housing_act(
        db,
        admin,
        act_id,
        HousingActInput(OPENED, [members[1]], conclusion="Условия удовлетворительные"),
        act.version,
    )
    again = get_housing_act(db, admin, act_id)
    assert again.version == version
    assert [m.full_name for m in again.data.members] == ["Ёлкин Пётр"]
    assert again.data.family_acknowledged is False and again.data.family_signatory is None
    with db.reading() as session:
        rows = session.scalars(select(HousingActMember).where(HousingActMember.act_id == act_id)).all()
    assert sorted(row.deleted_at is None for row in rows) == [False, True]
    row = _row(db, admin, case_id, "housing")
    assert (row.dated, row.status, row.can_delete) == (OPENED, "unsigned", True)


def test_every_action_written_has_a_label(db: Database, admin: Actor) -> None:
    case_id = _case(db, admin)
    initial = create_initial_assessment(db, admin, case_id, VISITED)
    version = get_initial_assessment(db, admin, initial).version
    assert version is not None
    changed = InitialAssessmentInput(visit_date=date(2026, 3, 10), conclusion="Оценка завершена")
    version = update_initial_assessment(db, admin, initial, changed, version)
    complete_initial_assessment(db, admin, initial, version)
    comprehensive = create_comprehensive_assessment(db, admin, case_id, ComprehensiveAssessmentInput())
    version = get_comprehensive_assessment(db, admin, comprehensive).version
    assert version is not None
    version = update_comprehensive_assessment(
        db, admin, comprehensive, ComprehensiveAssessmentInput(summary="Итог"), version
    )
    delete_assessment(db, admin, "comprehensive", comprehensive, version)
    act = create_housing_act(db, admin, case_id, HousingActInput(OPENED, [CommissionMemberInput("Usenova")]))
    version = get_housing_act(db, admin, act).version
    assert version is not None
    version = update_housing_act(
        db, admin, act, HousingActInput(OPENED, [CommissionMemberInput("Ёлкин")]), version
    )
    delete_assessment(db, admin, "housing", act, version)
    with db.reading() as session:
        actions = set(
            session.scalars(
                select(AuditEntry.action).where(AuditEntry.entity_id.in_([initial, comprehensive, act]))
            )
        )
    # Completing a comprehensive assessment and deleting an initial one are tested above.
    assert actions == set(AUDIT_LABELS) - {"comprehensive_assessment.complete", "initial_assessment.delete"}
