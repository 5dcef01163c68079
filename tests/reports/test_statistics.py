"""The statistical report of a period: its figures on a small office of known children, PDF and XLSX."""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import date

import openpyxl
import pytest

from models.database import Database
from models.errors import DomainError
from models.orm import Case, Person, Referral
from models.papers.statistics import Statistics, period, statistics
from models.services.base import Actor
from models.services.reference import OrganisationInput, add_organisation
from models.services.referrals import ReferralInput, create_referral, issue_referral, record_reply
from models.services.workflow import ClosureInput, approve_closure, request_closure

from reports.catalog import Target, make_document
from reports.spreadsheet import statistics_xlsx

from tests.models.helpers import add_as_system, child_case, close_as_system, stored_version
from tests.reports.pdf import chars_outside, fonts, text

START, END = date(2025, 1, 1), date(2025, 6, 30)


@dataclass(frozen=True)
class Office:
    db: Database
    actor: Actor


def _child(db: Database, last: str, sex: str, born: date) -> uuid.UUID:
    child = Person(last_name=last, first_name="Ңурзат", sex=sex, birth_date=born, is_child=True)
    add_as_system(db, child)
    return child.id


def _referral(
    office: Office, organisation_id: uuid.UUID, case_id: uuid.UUID, issued: date, due: date
) -> uuid.UUID:
    db, actor = office.db, office.actor
    referral_id = create_referral(
        db,
        actor,
        ReferralInput(organisation_id, "education", reason="Не посещает школу", contains_personal_data=False),
        case_id=case_id,
    )
    issue_referral(db, actor, referral_id, stored_version(db, Referral, referral_id), issued, due)
    return referral_id


@pytest.fixture
def office(db: Database, admin: Actor) -> Office:
    """Five children: two served from before the period, two cases opened in it, one outside it.

    Үсөнбаева (girl, 2 at the end of the period): case opened before the period, still open.
    Ёлкин (boy, 10): case opened in the period (two categories), still open.
    Usenova (girl, 14): case opened and closed (approved) in the period.
    Асанов (boy): case opened and closed before the period; Бекова (girl): case opened after it.
    """
    result = Office(db, admin)
    a = _child(db, "Үсөнбаева", "F", date(2023, 3, 1))
    b = _child(db, "Ёлкин", "M", date(2015, 1, 10))
    c = _child(db, "Usenova", "F", date(2010, 7, 1))
    d = _child(db, "Асанов", "M", date(2012, 4, 4))
    e = _child(db, "Бекова", "F", date(2016, 9, 9))
    child_case(db, admin, date(2024, 12, 1), ("not_in_school",), child_id=a)
    opened = child_case(db, admin, date(2025, 2, 1), ("not_in_school", "labour_migrants"), child_id=b)
    closing = child_case(db, admin, date(2025, 3, 1), ("labour_migrants",), child_id=c)
    request_closure(
        db,
        admin,
        closing.id,
        ClosureInput(date(2025, 5, 1), "goals_achieved", ("passport", "guardianship"), "Цели достигнуты"),
        stored_version(db, Case, closing.id),
    )
    approve_closure(db, admin, closing.id, stored_version(db, Case, closing.id))
    before = child_case(db, admin, date(2024, 1, 1), ("not_in_school",), child_id=d)
    close_as_system(db, before.id, date(2024, 6, 1))
    child_case(db, admin, date(2025, 8, 1), ("not_in_school",), child_id=e)
    school = add_organisation(
        db, admin, OrganisationInput("Школа № 3 им. Токтогула", "Токтогул атындагы № 3 мектеп", "school")
    )
    clinic = add_organisation(db, admin, OrganisationInput("ЦСМ Сокулук", "Сокулук ҮДБ", "health"))
    replied = _referral(result, school, opened.id, date(2025, 2, 10), date(2025, 2, 20))
    record_reply(db, admin, replied, date(2025, 2, 15), "Зачислен", stored_version(db, Referral, replied))
    _referral(result, school, opened.id, date(2025, 3, 10), date(2025, 3, 20))  # overdue
    _referral(result, clinic, opened.id, date(2025, 6, 25), date(2025, 7, 15))  # not due yet
    _referral(result, clinic, opened.id, date(2025, 8, 1), date(2025, 8, 10))  # after the period
    return result


def _stats(office: Office) -> Statistics:
    return statistics(office.db, office.actor, START, END)


def test_the_cases_of_the_period_balance(office: Office) -> None:
    stats = _stats(office)
    assert (stats.open_at_start, stats.opened, stats.closed, stats.open_at_end) == (1, 2, 1, 2)
    assert stats.open_at_start + stats.opened - stats.closed == stats.open_at_end


def test_the_children_served_by_sex_age_and_category(office: Office) -> None:
    stats = _stats(office)
    children = stats.children
    assert (children.total, children.girls, children.boys) == (3, 2, 1)
    assert children.ages == (1, 0, 1, 1, 0, 0)  # 0–2, 3–6, 7–13, 14–17, 18+, unknown
    assert (stats.new_children.total, stats.new_children.ages) == (2, (0, 0, 1, 1, 0, 0))
    by_category = {row.label.ru: row.children for row in stats.categories}
    assert (by_category["Дети, не посещающие школу"].total, by_category["Дети трудовых мигрантов"].total) == (
        2,
        2,
    )
    assert by_category["Дети улицы"].total == 0  # every category is listed


def test_closures_by_reason_and_outcome_and_referrals_by_partner(office: Office) -> None:
    stats = _stats(office)
    assert {row.label.ru: row.count for row in stats.closure_reasons if row.count} == {
        "Цели плана достигнуты": 1
    }
    assert stats.closures == 1
    assert sum(row.count for row in stats.child_outcomes) == 1
    assert sum(row.count for row in stats.family_outcomes) == 1
    partners = {
        row.organisation.ru: (row.issued, row.replied, row.awaiting, row.overdue) for row in stats.partners
    }
    assert partners == {"Школа № 3 им. Токтогула": (2, 1, 0, 1), "ЦСМ Сокулук": (1, 0, 1, 0)}
    assert stats.partners_total.issued == 3


def test_the_russian_report_shows_the_figures_on_the_letterhead(office: Office) -> None:
    options = {"from": "01.01.2025", "to": "30.06.2025"}
    document = make_document(office.db, office.actor, Target("statistics", options=options), "ru")
    found = text(document.pdf)
    for expected in (
        "МИНИСТЕРСТВО ТРУДА, СОЦИАЛЬНОГО ОБЕСПЕЧЕНИЯ И МИГРАЦИИ КЫРГЫЗСКОЙ РЕСПУБЛИКИ",
        "СТАТИСТИЧЕСКИЙ ОТЧЁТ",
        "за период с 01.01.2025 по 30.06.2025",
        "Открытых случаев на начало периода 1",
        "Открыто случаев за период 2",
        "Закрыто случаев за период 1",
        "Открытых случаев на конец периода 2",
        "Дети, не посещающие школу 2 1 1 1 0 1 0 0 0",
        "Цели плана достигнуты 1",
        "Школа № 3 им. Токтогула 2 1 0 1",
        "Итого 3 1 1 1",
    ):
        assert expected in found
    assert "СТАТИСТИКАЛЫК" not in found
    used = fonts(document.pdf)
    assert used and all(used.values())
    assert chars_outside(document.pdf, margin=20) == []


def test_the_kyrgyz_and_the_bilingual_report(office: Office) -> None:
    options = {"from": "01.01.2025", "to": "30.06.2025"}
    kyrgyz = text(make_document(office.db, office.actor, Target("statistics", options=options), "ky").pdf)
    assert "СТАТИСТИКАЛЫК ОТЧЁТ" in kyrgyz and "Токтогул атындагы № 3 мектеп 2 1 0 1" in kyrgyz
    assert "СТАТИСТИЧЕСКИЙ ОТЧЁТ" not in kyrgyz
    both = text(make_document(office.db, office.actor, Target("statistics", options=options), "both").pdf)
    assert both.index("СТАТИСТИКАЛЫК ОТЧЁТ") < both.index("СТАТИСТИЧЕСКИЙ ОТЧЁТ")
    assert "Открыто случаев за период" in both and "Мезгил ичинде ачылган иштер" in both


def test_the_spreadsheet_has_the_same_figures_as_numbers(office: Office) -> None:
    stats = _stats(office)
    book = openpyxl.load_workbook(io.BytesIO(statistics_xlsx(stats, "ru")))
    assert book.sheetnames == ["Случаи и сообщения", "Дети", "Причины закрытия", "Результаты", "Направления"]
    summary = {row[0]: row[1] for row in book["Случаи и сообщения"].iter_rows(min_row=2, values_only=True)}
    assert summary["Открыто случаев за период"] == 2 and summary["Открытых случаев на конец периода"] == 2
    children = {row[0]: row[1:] for row in book["Дети"].iter_rows(min_row=2, values_only=True)}
    assert children["Дети, не посещающие школу"] == (2, 1, 1, 1, 0, 1, 0, 0, 0)
    referrals = list(book["Направления"].iter_rows(min_row=2, values_only=True))
    assert referrals[-1] == ("Итого", 3, 1, 1, 1)
    for sheet in book:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        assert sheet.column_dimensions["A"].width > 10


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("01.07.2025", "01.01.2025", "Начало периода позже его конца"),
        ("31.02.2025", "30.06.2025", "31.02.2025"),
        ("2025", "30.06.2025", "ДД.ММ.ГГГГ"),
        ("", "30.06.2025", "первый и последний день периода"),
    ],
)
def test_a_bad_period_is_refused_clearly(start: str, end: str, message: str) -> None:
    with pytest.raises(DomainError) as caught:
        period(start, end)
    assert message in str(caught.value)
