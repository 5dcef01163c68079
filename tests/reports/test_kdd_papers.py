"""The КДД's papers as printed: the agenda, the protocol, the decision (постановление) and the notices."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from models.errors import DomainError
from models.orm import Person
from models.papers.kdd import genitive
from models.services.casefile import case_documents
from models.services.kdd import (
    DecisionInput,
    ItemInput,
    MeetingInput,
    MemberInput,
    add_decision,
    add_item,
    cancel_meeting,
    get_meeting,
    hold_meeting,
    plan_meeting,
    set_presence,
)
from models.services.people import HouseholdInput, add_household_member, create_household

from reports.catalog import Target, make_document, record_print

from tests.models.helpers import add_as_system, add_child, child_case
from tests.reports.conftest import TODAY, PrintOffice
from tests.reports.pdf import chars_outside, fonts, pages_text, text

MEMBERS = [
    MemberInput("Асанова Гүлнара Маратовна", "Заместитель акима", "chair"),
    MemberInput("Ёлкин Пётр Ильич", "Инспектор ИДН", "member"),
    MemberInput("Usenova Nurgul", "Социальный педагог", "member"),
    MemberInput("Токтогулова Айнура", "Специалист ОЗД", "secretary"),
]
DECISION = "Обязать мать обеспечить посещение ребёнком школы; ОЗД взять семью на сопровождение."


@dataclass(frozen=True)
class Meeting:
    id: uuid.UUID
    number: str
    item_id: uuid.UUID


def meeting(
    office: PrintOffice,
    *,
    present: int = 3,
    decision: str | None = DECISION,
    held: bool = False,
    invited: bool = True,
) -> Meeting:
    """A meeting today of four members (*present* of them present) with the office's case on its agenda."""
    db, actor = office.db, office.actor
    planned = plan_meeting(
        db,
        actor,
        MeetingInput(TODAY, "Актовый зал айыл өкмөтү", "Асанова Гүлнара Маратовна", "Токтогулова Айнура"),
        MEMBERS,
    )
    for member in get_meeting(db, actor, planned.id, record_view=False).members[:present]:
        set_presence(db, actor, member.id, True)
    item_id = add_item(
        db,
        actor,
        planned.id,
        ItemInput(
            "О ненадлежащем исполнении родительских обязанностей",
            office.case_id,
            reported_by="Специалист ОЗД Ёлкина",
            attendees="Мать ребёнка",
            parent_invited=invited,
            parent_attended=True,
            discussion="Заслушана информация специалиста",
        ),
    )
    if decision is not None:
        add_decision(
            db, actor, item_id, DecisionInput(decision, "ОЗД, школа № 3", TODAY + timedelta(days=30))
        )
    if held:
        hold_meeting(db, actor, planned.id, get_meeting(db, actor, planned.id, record_view=False).version)
    return Meeting(planned.id, planned.number, item_id)


def parents(office: PrintOffice) -> None:
    """The child's household: the mother and the father take care of her."""
    household_id = create_household(office.db, office.actor, HouseholdInput(address_text="ул. Ленина, 5"))
    for last, first, relation in (("Үсөнбаева", "Айгүл", "mother"), ("Ёлкин", "Марат", "father")):
        adult = Person(
            last_name=last, first_name=first, sex="F" if relation == "mother" else "M", is_child=False
        )
        add_as_system(office.db, adult)
        add_household_member(office.db, office.actor, household_id, adult.id, relation, is_caregiver=True)
    add_household_member(office.db, office.actor, household_id, office.child_id, "child")


def printed(office: PrintOffice, target: Target, lang: str) -> str:
    return text(make_document(office.db, office.actor, target, lang).pdf)


# --- the agenda ------------------------------------------------------------------------------------


def test_a_russian_agenda_names_the_commission_the_meeting_and_each_question(office: PrintOffice) -> None:
    held = meeting(office)
    found = printed(office, Target("kdd-agenda", held.id), "ru")
    for expected in (
        "КОМИССИЯ ПО ДЕЛАМ ДЕТЕЙ СОКУЛУКСКОГО РАЙОНА",
        "ПОВЕСТКА ДНЯ ЗАСЕДАНИЯ КОМИССИИ",
        f"№ {held.number}",
        TODAY.strftime("%d.%m.%Y"),
        "Актовый зал айыл өкмөтү",
        "О ненадлежащем исполнении родительских обязанностей",
        "Үсөнбаева Ңурзат Ёлкиновна, 01.02.2015",
        f"№ {office.case_number}",
        "Специалист ОЗД Ёлкина",
        "Секретарь комиссии",
    ):
        assert expected in found
    assert "КҮН ТАРТИБИ" not in found


def test_a_kyrgyz_agenda_is_in_kyrgyz_and_a_bilingual_one_puts_kyrgyz_first(office: PrintOffice) -> None:
    held = meeting(office)
    kyrgyz = printed(office, Target("kdd-agenda", held.id), "ky")
    assert "КОМИССИЯНЫН ОТУРУМУНУН КҮН ТАРТИБИ" in kyrgyz and "Баяндамачы" in kyrgyz
    assert "СОКУЛУК РАЙОНУНУН БАЛДАРДЫН ИШТЕРИ БОЮНЧА КОМИССИЯСЫ" in kyrgyz
    assert "ПОВЕСТКА ДНЯ" not in kyrgyz and "Үсөнбаева Ңурзат Ёлкиновна" in kyrgyz
    both = printed(office, Target("kdd-agenda", held.id), "both")
    assert both.index("КОМИССИЯНЫН ОТУРУМУНУН КҮН ТАРТИБИ") < both.index("ПОВЕСТКА ДНЯ ЗАСЕДАНИЯ КОМИССИИ")


def test_the_command_finds_the_meeting_by_its_number(office: PrintOffice) -> None:
    held = meeting(office)
    found = printed(office, Target("kdd-agenda", options={"meeting": held.number}), "ru")
    assert f"№ {held.number}" in found
    with pytest.raises(DomainError) as caught:
        make_document(office.db, office.actor, Target("kdd-agenda", options={"meeting": "99/1999"}), "ru")
    assert "Заседания КДД № 99/1999 нет." in str(caught.value)


# --- the protocol ---------------------------------------------------------------------------------------


def test_a_bilingual_protocol_lists_members_quorum_items_and_decisions(office: PrintOffice) -> None:
    parents(office)
    held = meeting(office, held=True)
    found = printed(office, Target("kdd-protocol", held.id), "both")
    for expected in (
        "КОМИССИЯНЫН ОТУРУМУНУН ПРОТОКОЛУ",
        "ПРОТОКОЛ ЗАСЕДАНИЯ КОМИССИИ",
        "Ёлкин Пётр Ильич",
        "Usenova Nurgul",
        "Комиссиянын 4 мүчөсүнөн 3 мүчөсү катышууда; кворум бар.",
        "Присутствуют 3 из 4 членов комиссии; кворум имеется.",
        "Угулду / Слушали",
        "Специалист ОЗД Ёлкина",
        "Үсөнбаева Айгүл; Ёлкин Марат",
        "Заслушана информация специалиста",
        "ТОКТОМ КЫЛЫНДЫ: / ПОСТАНОВИЛИ:",
        DECISION,
        "ОЗД, школа № 3",
        (TODAY + timedelta(days=30)).strftime("%d.%m.%Y"),
        "Комиссиянын төрагасы / Председатель комиссии",
    ):
        assert expected in found
    assert found.index("ПРОТОКОЛУ") < found.index("ПРОТОКОЛ ЗАСЕДАНИЯ")
    assert "ПРОЕКТ" not in found


def test_a_protocol_without_quorum_says_so_and_a_meeting_not_held_is_a_draft(office: PrintOffice) -> None:
    planned = meeting(office, present=2)
    found = printed(office, Target("kdd-protocol", planned.id), "ru")
    assert "Присутствуют 2 из 4 членов комиссии; кворума нет." in found
    assert "ПРОЕКТ: заседание ещё не отмечено как проведённое." in found


def test_a_meeting_without_decisions_prints_its_agenda_but_not_its_protocol(office: PrintOffice) -> None:
    planned = meeting(office, decision=None)
    assert "ПОВЕСТКА ДНЯ" in printed(office, Target("kdd-agenda", planned.id), "ru")
    with pytest.raises(DomainError) as caught:
        make_document(office.db, office.actor, Target("kdd-protocol", planned.id), "ru")
    assert f"На заседании КДД {planned.number} ещё не записано ни одного решения" in str(caught.value)
    with pytest.raises(DomainError) as caught:
        make_document(office.db, office.actor, Target("kdd-decision", planned.item_id), "ru")
    assert f"По вопросу 1 заседания КДД {planned.number} решение не записано." in str(caught.value)


def test_a_cancelled_meeting_prints_nothing(office: PrintOffice) -> None:
    planned = meeting(office)
    version = get_meeting(office.db, office.actor, planned.id, record_view=False).version
    cancel_meeting(office.db, office.actor, planned.id, "Нет кворума", version)
    for form in ("kdd-agenda", "kdd-protocol"):
        with pytest.raises(DomainError) as caught:
            make_document(office.db, office.actor, Target(form, planned.id), "ru")
        assert f"Заседание КДД № {planned.number} отменено." in str(caught.value)


# --- the decision ------------------------------------------------------------------------------------------


def test_a_russian_decision_considers_the_case_and_decides_with_body_deadline_and_appeal_note(
    office: PrintOffice,
) -> None:
    held = meeting(office, held=True)
    document = make_document(office.db, office.actor, Target("kdd-decision", held.item_id), "ru")
    found = text(document.pdf)
    for expected in (
        "КОМИССИЯ ПО ДЕЛАМ ДЕТЕЙ СОКУЛУКСКОГО РАЙОНА",
        "ПОСТАНОВЛЕНИЕ",
        f"№ {held.number}/1",
        "Актовый зал айыл өкмөтү",
        f"Комиссия на заседании № {held.number}, рассмотрев вопрос «О ненадлежащем исполнении",
        "Үсөнбаева Ңурзат Ёлкиновна",
        "01.02.2015",
        office.case_number,
        "ПОСТАНОВЛЯЕТ:",
        DECISION,
        "ОЗД, школа № 3",
        "может быть обжаловано в вышестоящий орган или в суд",
        "Асанова Гүлнара Маратовна",
        "Токтогулова Айнура",
    ):
        assert expected in found
    assert "ТОКТОМ" not in found
    assert document.number == f"{held.number}/1"
    assert document.pages == 1


def test_a_kyrgyz_decision_and_the_command_naming_meeting_and_item(office: PrintOffice) -> None:
    held = meeting(office, held=True)
    target = Target("kdd-decision", options={"meeting": held.number, "item": "1"})
    kyrgyz = printed(office, target, "ky")
    assert "ТОКТОМ" in kyrgyz and "ТОКТОМ КЫЛАТ:" in kyrgyz and "ПОСТАНОВЛЯЕТ" not in kyrgyz
    assert "Сокулук районунун балдардын иштери боюнча комиссиясы".upper() in kyrgyz
    assert "жогору турган органга же сотко даттанууга болот" in kyrgyz
    both = printed(office, target, "both")
    assert both.index("ТОКТОМ КЫЛАТ: / ПОСТАНОВЛЯЕТ:") > both.index("ТОКТОМ ПОСТАНОВЛЕНИЕ")
    with pytest.raises(DomainError) as caught:
        make_document(
            office.db,
            office.actor,
            Target("kdd-decision", options={"meeting": held.number, "item": "4"}),
            "ru",
        )
    assert f"В повестке заседания КДД {held.number} нет вопроса 4" in str(caught.value)


def test_a_long_decision_wraps_and_flows_onto_the_next_pages(office: PrintOffice) -> None:
    long_text = "Обязать Ёлкину Айгүл Ңурзатовну обеспечить посещение школы и осмотр в ЦСМ. " * 70
    held = meeting(office, decision=long_text, held=True)
    for form, record in (("kdd-decision", held.item_id), ("kdd-protocol", held.id)):
        document = make_document(office.db, office.actor, Target(form, record), "both")
        assert document.pages >= 2
        assert chars_outside(document.pdf, margin=20) == []
        assert text(document.pdf).count("осмотр в ЦСМ") == 70
        last_page = " ".join(pages_text(document.pdf)[-1].split())
        assert "Комиссиянын катчысы / Секретарь комиссии" in last_page


# --- the notices -------------------------------------------------------------------------------------------


def test_each_caregiver_gets_a_notice_on_a_page_of_its_own(office: PrintOffice) -> None:
    parents(office)
    planned = meeting(office)
    document = make_document(office.db, office.actor, Target("kdd-notice", planned.item_id), "ru")
    pages = [" ".join(page.split()) for page in pages_text(document.pdf)]
    assert len(pages) == 2
    assert "Үсөнбаева Айгүл (Мать)" in pages[0] and "Ёлкин Марат (Отец)" in pages[1]
    for page in pages:
        for expected in (
            "ИЗВЕЩЕНИЕ",
            "Комиссия по делам детей приглашает Вас на заседание",
            TODAY.strftime("%d.%m.%Y"),
            "Актовый зал айыл өкмөтү",
            "О ненадлежащем исполнении родительских обязанностей",
            "Үсөнбаева Ңурзат Ёлкиновна, 01.02.2015",
            "При себе иметь",
            "комиссия может рассмотреть вопрос в Ваше отсутствие",
            "Токтогулова Айнура",
        ):
            assert expected in page


def test_a_kyrgyz_notice_without_a_recorded_caregiver_goes_to_the_childs_parent(office: PrintOffice) -> None:
    planned = meeting(office)
    found = printed(office, Target("kdd-notice", planned.item_id), "ky")
    assert "КАБАРЛАМА" in found and "ИЗВЕЩЕНИЕ" not in found
    assert "Үсөнбаева Ңурзат Ёлкиновна баланын ата-энесине (мыйзамдуу өкүлүнө)" in found
    assert "Өзүңүз менен алып келиңиз" in found


def test_without_an_item_the_command_prints_every_notice_of_the_meeting(office: PrintOffice) -> None:
    parents(office)
    planned = meeting(office)
    other_child = add_child(office.db, "Ёлкин", "Азамат")
    other_case = child_case(office.db, office.actor, TODAY - timedelta(days=10), child_id=other_child)
    add_item(office.db, office.actor, planned.id, ItemInput("", other_case.id, parent_invited=True))
    add_item(office.db, office.actor, planned.id, ItemInput("Отчёт о работе за полугодие"))
    document = make_document(
        office.db, office.actor, Target("kdd-notice", options={"meeting": planned.number}), "both"
    )
    assert document.pages == 3
    assert "Ёлкин Азамат" in pages_text(document.pdf)[2]
    assert len(document.records) == 3  # the meeting and the two items with parents invited


def test_a_notice_for_an_item_without_invited_parents_is_refused(office: PrintOffice) -> None:
    planned = meeting(office, invited=False)
    with pytest.raises(DomainError) as caught:
        make_document(office.db, office.actor, Target("kdd-notice", planned.item_id), "ru")
    assert "родители или законные представители не приглашены" in str(caught.value)
    with pytest.raises(DomainError) as caught:
        make_document(
            office.db, office.actor, Target("kdd-notice", options={"meeting": planned.number}), "ru"
        )
    assert f"На заседание КДД {planned.number} никто не приглашён" in str(caught.value)


# --- every paper ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["kdd-agenda", "kdd-protocol", "kdd-decision", "kdd-notice"])
def test_the_fonts_are_embedded_and_the_text_stays_on_the_page(office: PrintOffice, form: str) -> None:
    parents(office)
    held = meeting(office, held=True)
    record = held.id if form in ("kdd-agenda", "kdd-protocol") else held.item_id
    pdf = make_document(office.db, office.actor, Target(form, record), "both").pdf
    used = fonts(pdf)
    assert used and all(used.values())
    assert chars_outside(pdf, margin=20) == []


def test_a_printed_decision_is_in_the_cases_documents(office: PrintOffice) -> None:
    held = meeting(office, held=True)
    document = make_document(office.db, office.actor, Target("kdd-decision", held.item_id), "ru")
    record_print(office.db, office.actor, document, destination="pdf")
    documents = case_documents(office.db, office.actor, office.case_id)
    assert [(d.document, d.number) for d in documents] == [("Постановление КДД", f"{held.number}/1")]


def test_the_commission_is_named_from_the_district_in_the_genitive() -> None:
    sokuluk = genitive("Сокулук району", "Сокулукский район")
    assert (sokuluk.ky, sokuluk.ru) == ("Сокулук районунун", "Сокулукского района")
    karakol = genitive("Каракол ш.", "г. Каракол")
    assert (karakol.ky, karakol.ru) == ("Каракол шаарынын", "города Каракол")
    lenin = genitive("Бишкек ш. Ленин району", "Ленинский район г. Бишкек")
    assert (lenin.ky, lenin.ru) == ("Бишкек ш. Ленин районунун", "Ленинского района г. Бишкек")
    assert genitive("Кызыл-Суу", "Кызыл-Суу").ru == "Кызыл-Суу"
