"""The papers of a case as printed: the plan, the child's card, the assessments and the housing act."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest

from models.errors import DomainError, NotFound
from models.orm import Person, Plan
from models.services.assessments import (
    CommissionMemberInput,
    ComprehensiveAssessmentInput,
    DomainInput,
    HousingActInput,
    InitialAssessmentInput,
    complete_comprehensive_assessment,
    complete_initial_assessment,
    create_comprehensive_assessment,
    create_housing_act,
    create_initial_assessment,
)
from models.services.casefile import case_documents
from models.services.people import add_household_member, create_household
from models.services.plans import (
    ActionInput,
    GoalInput,
    PlanInput,
    ReviewInput,
    add_review,
    approve_plan,
    create_plan,
    revise_plan,
)
from models.validation import HouseholdInput

from reports.catalog import Target, make_document, record_print

from tests.models.helpers import add_as_system, child_case, stored_version
from tests.reports.conftest import TODAY, PrintOffice, add_named_child
from tests.reports.pdf import chars_outside, fonts, pages_text, text

DOMAINS = (
    "health",
    "development_education",
    "emotional_behavioural",
    "identity_documents",
    "family_parenting",
    "housing_income",
    "social_network",
    "risk_factors",
)
START = TODAY - timedelta(days=20)


def draft_plan(office: PrintOffice, actions: int = 2) -> uuid.UUID:
    """A draft ИПЗР of the office's case: two goals and *actions* actions, the first with the school."""
    goals = [GoalInput("Вернуть Ңурзат в школу"), GoalInput("Восстановить свидетельство о рождении")]
    rows = [
        ActionInput(
            "Зачислить в 5 класс школы № 3",
            goal=0,
            need="Не посещает школу",
            service_code="education",
            organisation_id=office.organisation_id,
            responsible_person="Социальный педагог Ёлкина",
            due_date=TODAY + timedelta(days=30),
        ),
        *(
            ActionInput(
                f"Мероприятие номер {number} по восстановлению документов",
                goal=1,
                need="Нет документов",
                service_code="documents",
                responsible_person="Специалист ОЗД Usenova",
                due_date=TODAY + timedelta(days=60),
            )
            for number in range(2, actions + 1)
        ),
    ]
    plan = create_plan(
        office.db,
        office.actor,
        office.case_id,
        PlanInput(START, child_participated=True, family_participated=True, goals=goals, actions=rows),
    )
    return plan.id


def approved_plan(office: PrintOffice, actions: int = 2) -> uuid.UUID:
    plan_id = draft_plan(office, actions)
    approve_plan(office.db, office.actor, plan_id, stored_version(office.db, Plan, plan_id))
    return plan_id


def print_text(office: PrintOffice, form: str, record_id: uuid.UUID | None, lang: str, **options: str) -> str:
    return text(make_document(office.db, office.actor, Target(form, record_id, options), lang).pdf)


# --- the plan ------------------------------------------------------------------------------------------


def test_a_russian_plan_shows_the_case_the_goals_the_actions_and_the_approval(office: PrintOffice) -> None:
    plan_id = approved_plan(office)
    version = stored_version(office.db, Plan, plan_id)
    add_review(office.db, office.actor, plan_id, ReviewInput(TODAY, "Ребёнок ходит в школу"), version)
    found = print_text(office, "case-plan", plan_id, "ru")
    for expected in (
        "МИНИСТЕРСТВО ТРУДА, СОЦИАЛЬНОГО ОБЕСПЕЧЕНИЯ И МИГРАЦИИ КЫРГЫЗСКОЙ РЕСПУБЛИКИ",
        "ИНДИВИДУАЛЬНЫЙ ПЛАН ЗАЩИТЫ РЕБЕНКА (ИПЗР)",
        f"Случай № {office.case_number}, план № 1, редакция 1",
        "Үсөнбаева Ңурзат Ёлкиновна",
        "12020201500123",
        "1. Вернуть Ңурзат в школу",
        "Мероприятие и услуга",
        "Зачислить в 5 класс школы № 3",
        "Образование (зачисление в школу, детский сад)",
        "Школа № 3 им. Токтогула",
        "Социальный педагог Ёлкина",
        "Запланировано",
        "Ребёнок ходит в школу",
        "Ребенок участвовал Да",
        "Утвердил(а) Администратор Офиса",
    ):
        assert expected in found
    assert "БАЛАНЫ КОРГООНУН" not in found and "ПРОЕКТ" not in found


def test_a_kyrgyz_plan_is_in_kyrgyz_and_a_bilingual_one_puts_kyrgyz_first(office: PrintOffice) -> None:
    plan_id = approved_plan(office)
    kyrgyz = print_text(office, "case-plan", plan_id, "ky")
    for expected in (
        "БАЛАНЫ КОРГООНУН ЖЕКЕ ПЛАНЫ (БКЖП)",
        "Токтогул атындагы № 3 мектеп",
        "Максаттар",
        "Бекитүү",
    ):
        assert expected in kyrgyz
    assert "ИНДИВИДУАЛЬНЫЙ ПЛАН" not in kyrgyz
    both = print_text(office, "case-plan", plan_id, "both")
    assert both.index("БАЛАНЫ КОРГООНУН ЖЕКЕ ПЛАНЫ") < both.index("ИНДИВИДУАЛЬНЫЙ ПЛАН ЗАЩИТЫ")
    assert "Иш-чара жана кызмат / Мероприятие и услуга" in both


def test_a_draft_is_marked_and_not_approved_and_a_replaced_revision_is_marked(office: PrintOffice) -> None:
    draft_id = draft_plan(office)
    draft = print_text(office, "case-plan", draft_id, "ru")
    assert "ПРОЕКТ: план ещё не утверждён." in draft and "Еще не утвержден." in draft
    version = stored_version(office.db, Plan, draft_id)
    approve_plan(office.db, office.actor, draft_id, version)
    revision = revise_plan(office.db, office.actor, draft_id)
    approve_plan(office.db, office.actor, revision.id, revision.version)
    old = print_text(office, "case-plan", draft_id, "ru")
    assert "Эта редакция заменена более новой" in old and "ПРОЕКТ" not in old
    new = print_text(office, "case-plan", revision.id, "ru")
    assert "редакция 2" in new and "заменена" not in new


def test_the_command_prints_the_plan_in_force_or_the_revision_asked_for(office: PrintOffice) -> None:
    approved_id = approved_plan(office)
    revise_plan(office.db, office.actor, approved_id)  # a draft revision: the approved plan stays in force
    in_force = print_text(office, "case-plan", None, "ru", case=office.case_number)
    assert "редакция 1" in in_force and "ПРОЕКТ" not in in_force
    revision = print_text(office, "case-plan", None, "ru", case=office.case_number, revision="2")
    assert "редакция 2" in revision and "ПРОЕКТ" in revision
    with pytest.raises(NotFound) as caught:
        make_document(office.db, office.actor, Target("case-plan", options={"case": "99/1999"}), "ru")
    assert "Случая № 99/1999 нет." in str(caught.value)
    with pytest.raises(DomainError):
        make_document(office.db, office.actor, Target("case-plan", options={"case": "три"}), "ru")


def test_a_case_without_a_plan_is_refused_clearly(office: PrintOffice) -> None:
    with pytest.raises(NotFound) as caught:
        make_document(
            office.db, office.actor, Target("case-plan", options={"case": office.case_number}), "ru"
        )
    assert "плана" in str(caught.value)


def test_a_plan_of_120_actions_spans_pages_with_the_column_heads_on_each(office: PrintOffice) -> None:
    plan_id = draft_plan(office, actions=120)
    pdf = make_document(office.db, office.actor, Target("case-plan", plan_id), "ru").pdf
    pages = [" ".join(page.split()) for page in pages_text(pdf)]
    table_pages = [page for page in pages if "по восстановлению документов" in page]
    assert len(table_pages) >= 3
    for page in table_pages:
        assert "Мероприятие и услуга" in page
    joined = " ".join(pages)
    for number in range(2, 121):
        assert len(re.findall(rf"Мероприятие номер {number} по", joined)) == 1


def test_a_printed_plan_is_listed_once_in_the_cases_documents(office: PrintOffice) -> None:
    plan_id = approved_plan(office)
    document = make_document(office.db, office.actor, Target("case-plan", plan_id), "ru")
    record_print(office.db, office.actor, document, destination="pdf")
    listed = case_documents(office.db, office.actor, office.case_id)
    assert [(entry.document, entry.number, entry.record) for entry in listed] == [
        ("ИПЗР", office.case_number, "План")
    ]


# --- the child's registration card --------------------------------------------------------------------


def household(office: PrintOffice) -> None:
    """The child's household: her mother in labour migration in Russia, and the child herself."""
    mother = Person(
        last_name="Үсөнбаева",
        first_name="Айгүл",
        patronymic="Ёлкиновна",
        sex="F",
        birth_date=date(1990, 5, 4),
        pin="10405199000456",
        phone="+996 555 123456",
        occupation="Повар",
        in_migration=True,
        migration_country="Россия",
        is_child=False,
    )
    add_as_system(office.db, mother)
    household_id = create_household(
        office.db, office.actor, HouseholdInput(address_text="ул. Ленина, 5", housing="Дом бабушки")
    )
    add_household_member(office.db, office.actor, household_id, mother.id, "mother", is_caregiver=True)
    add_household_member(office.db, office.actor, household_id, office.child_id, "child")


def test_a_russian_child_card_shows_the_child_the_household_and_the_cases(office: PrintOffice) -> None:
    household(office)
    found = print_text(office, "child-card", office.case_id, "ru")
    for expected in (
        "РЕГИСТРАЦИОННАЯ КАРТА РЕБЁНКА",
        "Үсөнбаева Ңурзат Ёлкиновна",
        "Женский",
        "01.02.2015",
        "12020201500123",
        "Домохозяйство",
        "Дом бабушки",
        "Мать",
        "Үсөнбаева Айгүл Ёлкиновна",
        "10405199000456",
        "+996 555 123456",
        "Повар",
        "Россия",
        "Случаи",
        office.case_number,
        "Дети, не посещающие школу",
    ):
        assert expected in found, expected
    assert "БАЛАНЫН КАТТОО КАРТАСЫ" not in found


def test_a_kyrgyz_child_card_lists_every_case_of_the_child(office: PrintOffice) -> None:
    household(office)
    other = child_case(
        office.db, office.actor, TODAY - timedelta(days=5), ("disability",), child_id=office.child_id
    )
    found = print_text(office, "child-card", None, "ky", case=office.case_number)
    for expected in ("БАЛАНЫН КАТТОО КАРТАСЫ", "Апасы", "Эмгек миграциясы", office.case_number, other.number):
        assert expected in found, expected
    assert "РЕГИСТРАЦИОННАЯ КАРТА" not in found
    document = make_document(office.db, office.actor, Target("child-card", office.case_id), "both")
    assert {record.record_id for record in document.records} == {office.case_id, other.id}


def test_a_child_without_a_household_says_so(office: PrintOffice) -> None:
    assert "Домохозяйство не записано." in print_text(office, "child-card", office.case_id, "ru")


# --- the assessments -------------------------------------------------------------------------------------


def initial(office: PrintOffice, *, complete: bool = True) -> uuid.UUID:
    assessment_id = create_initial_assessment(
        office.db,
        office.actor,
        office.case_id,
        InitialAssessmentInput(
            visit_date=TODAY - timedelta(days=2),
            place="Дом бабушки, ул. Ленина, 5",
            participants="Бабушка Ёлкина Г., специалист Usenova",
            immediate_danger=True,
            safety_measures="Ребёнок временно у бабушки",
            needs_food="Питание недостаточное",
            caregiver_present=True,
            category_codes=("not_in_school", "labour_migrants"),
            conclusion="Нужна комплексная оценка",
        ),
    )
    if complete:
        complete_initial_assessment(office.db, office.actor, assessment_id, None)
    return assessment_id


def test_the_initial_assessment_in_russian_and_kyrgyz(office: PrintOffice) -> None:
    assessment_id = initial(office)
    found = print_text(office, "initial-assessment", assessment_id, "ru")
    for expected in (
        "ПЕРВИЧНАЯ ОЦЕНКА",
        "Үсөнбаева Ңурзат Ёлкиновна",
        "Дом бабушки, ул. Ленина, 5",
        "Ребёнок в непосредственной опасности Да",
        "Ребёнок временно у бабушки",
        "Питание недостаточное",
        "Родители в трудовой миграции не отмечено",
        "Дети, не посещающие школу",
        "Нужна комплексная оценка",
        "Начальник отдела",
    ):
        assert expected in found, expected
    assert "не завершена" not in found.lower()
    kyrgyz = print_text(office, "initial-assessment", None, "ky", case=office.case_number)
    assert "БАШТАПКЫ БААЛОО" in kyrgyz and "Бала түз коркунучта Ооба" in kyrgyz
    assert "ПЕРВИЧНАЯ ОЦЕНКА" not in kyrgyz


def test_an_assessment_in_progress_is_marked_so(office: PrintOffice) -> None:
    assessment_id = initial(office, complete=False)
    both = print_text(office, "initial-assessment", assessment_id, "both")
    assert "Аяктай элек: баалоо жүрүп жатат." in both and "Не завершена: оценка ещё проводится." in both


def comprehensive(office: PrintOffice) -> uuid.UUID:
    domains = [
        DomainInput(
            code,
            "Не посещает школу с сентября" if code == "development_education" else "Без особенностей",
            "low",
        )
        for code in DOMAINS
    ]
    assessment_id = create_comprehensive_assessment(
        office.db,
        office.actor,
        office.case_id,
        ComprehensiveAssessmentInput(
            started_on=TODAY - timedelta(days=3),
            domains=domains,
            strengths="Бабушка заботится о ребёнке",
            child_views="Хочет учиться вместе с друзьями",
            overall_risk_code="medium",
            summary="Нуждается в сопровождении семьи",
        ),
    )
    complete_comprehensive_assessment(office.db, office.actor, assessment_id, None)
    return assessment_id


def test_the_comprehensive_assessment_by_domain_in_russian_and_kyrgyz(office: PrintOffice) -> None:
    assessment_id = comprehensive(office)
    found = print_text(office, "comprehensive-assessment", assessment_id, "ru")
    for expected in (
        "КОМПЛЕКСНАЯ ОЦЕНКА ПОТРЕБНОСТЕЙ",
        "Развитие и образование",
        "Не посещает школу с сентября",
        "Низкая",
        "Бабушка заботится о ребёнке",
        "Хочет учиться вместе с друзьями",
        "Общий уровень риска Средний",
        "Нуждается в сопровождении семьи",
    ):
        assert expected in found, expected
    kyrgyz = print_text(office, "comprehensive-assessment", None, "ky", case=office.case_number)
    for expected in ("МУКТАЖДЫКТАРДЫ КОМПЛЕКСТҮҮ БААЛОО", "Өнүгүү жана билим берүү", "Төмөн", "Орто"):
        assert expected in kyrgyz, expected
    assert "Развитие и образование" not in kyrgyz


def housing_act(office: PrintOffice) -> uuid.UUID:
    return create_housing_act(
        office.db,
        office.actor,
        office.case_id,
        HousingActInput(
            act_date=TODAY - timedelta(days=1),
            members=[
                CommissionMemberInput("Асанова Гүлнара", "Начальник отдела", "ОЗД"),
                CommissionMemberInput("Usenova Nurgul", "Социальный работник", "Айыл окмоту"),
            ],
            address_text="с. Сокулук, ул. Ленина, 5",
            occupancy_basis="Дом бабушки",
            dwelling_type="Частный дом",
            wall_material="Саман",
            rooms=3,
            area_m2=Decimal("42.50"),
            heating="Печное (уголь)",
            water="Колонка во дворе",
            residents="Бабушка и двое внуков",
            conclusion="Условия удовлетворительные",
            recommendations="Оформить пособие «үй-бүлөгө көмөк»",
            family_acknowledged=True,
            family_signatory="Ёлкина Гүлжан, бабушка",
        ),
    )


def test_the_housing_act_has_the_commission_the_dwelling_and_the_familys_signature(
    office: PrintOffice,
) -> None:
    act_id = housing_act(office)
    found = print_text(office, "housing-act", act_id, "ru")
    for expected in (
        "АКТ ОБСЛЕДОВАНИЯ ЖИЛИЩНО-БЫТОВЫХ УСЛОВИЙ",
        "Комиссия в составе:",
        "Асанова Гүлнара",
        "Социальный работник, Айыл окмоту",
        "Usenova Nurgul",
        "Частный дом",
        "42,5",
        "Колонка во дворе",
        "Условия удовлетворительные",
        "Оформить пособие «үй-бүлөгө көмөк»",
        "С актом ознакомлен(а), копию получил(а).",
        "Ёлкина Гүлжан, бабушка",
    ):
        assert expected in found, expected
    kyrgyz = print_text(office, "housing-act", None, "ky", case=office.case_number)
    for expected in (
        "ТУРАК ЖАЙ-ТИРИЧИЛИК ШАРТТАРЫН ТЕКШЕРҮҮ АКТЫ",
        "Төмөнкү курамдагы комиссия:",
        "Акт менен тааныштым",
    ):
        assert expected in kyrgyz, expected
    assert "Комиссия в составе" not in kyrgyz


def test_a_case_without_an_act_is_refused_clearly(office: PrintOffice) -> None:
    with pytest.raises(NotFound) as caught:
        make_document(
            office.db, office.actor, Target("housing-act", options={"case": office.case_number}), "ru"
        )
    assert "акта обследования" in str(caught.value)


# --- every case paper ---------------------------------------------------------------------------------


def card_of_household(office: PrintOffice) -> uuid.UUID:
    """The case whose child card prints, with the child's household recorded."""
    household(office)
    return office.case_id


PAPERS = {
    "case-plan": approved_plan,
    "child-card": card_of_household,
    "initial-assessment": initial,
    "comprehensive-assessment": comprehensive,
    "housing-act": housing_act,
}


@pytest.mark.parametrize("form", list(PAPERS))
def test_a_300_character_name_wraps_on_the_page_and_the_fonts_are_embedded(
    office: PrintOffice, form: str
) -> None:
    long_child = add_named_child(
        office.db,
        last=("Үсөнбаева-Ңурзатова-" * 10)[:199],
        first="Ёлкина " * 10,
        patronymic="Usenova-Nurgul-Kyzy " * 2,
    )
    case = child_case(office.db, office.actor, TODAY - timedelta(days=30), child_id=long_child)
    long_office = PrintOffice(
        office.db, office.actor, long_child, case.id, case.number, office.organisation_id
    )
    record_id = PAPERS[form](long_office)
    pdf = make_document(office.db, office.actor, Target(form, record_id), "both").pdf
    used = fonts(pdf)
    assert used and all(used.values())
    assert chars_outside(pdf, margin=20) == []
    assert "Үсөнбаева-Ңурзатова-Үсөнбаева" in text(pdf).replace("- ", "-")
