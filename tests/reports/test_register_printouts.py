"""Register printouts: what the register page shows, with its filters, totals and a header on every page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models.database import Database
from models.errors import DomainError
from models.orm import Person
from models.papers import registers as printouts
from models.papers.registers import query_from_options
from models.registers import RegisterQuery, count
from models.services.base import Actor

from reports.catalog import Target, make_document

from tests.models.helpers import add_as_system, child_case, close_as_system
from tests.reports.conftest import PrintOffice, issued_referral
from tests.reports.pdf import chars_outside, fonts, pages_text, text

TODAY = date.today()


def _children(db: Database, n: int) -> None:
    """*n* children without a case, with long names that must wrap in their cell."""
    add_as_system(
        db,
        *(
            Person(
                last_name=f"Ёлкина-Үсөнбаева-Жумабекова{i:03d}",
                first_name="Ңурзат Айгүлүмкан",
                patronymic="Кубанычбековна",
                sex="F",
                birth_date=date(2012, 5, 3),
                is_child=True,
            )
            for i in range(n)
        ),
    )


def test_a_children_printout_shows_the_filters_the_rows_and_the_counts(office: PrintOffice) -> None:
    db, actor = office.db, office.actor
    closed = child_case(db, actor, TODAY - timedelta(days=20), ("labour_migrants",))
    close_as_system(db, closed.id, TODAY)
    query = RegisterQuery("children", categories=("not_in_school",), only_open=True)
    document = make_document(
        db, actor, Target("register", options={"name": "children", "query": query}), "ru"
    )
    found = text(document.pdf)
    for expected in (
        "МИНИСТЕРСТВО ТРУДА, СОЦИАЛЬНОГО ОБЕСПЕЧЕНИЯ И МИГРАЦИИ КЫРГЫЗСКОЙ РЕСПУБЛИКИ",
        "РЕЕСТР ДЕТЕЙ, НАХОДЯЩИХСЯ В ТРУДНОЙ ЖИЗНЕННОЙ СИТУАЦИИ",
        "Фильтры: Категории: Дети, не посещающие школу; С открытым делом",
        "Сортировка: ФИО (по возрастанию)",
        "Үсөнбаева Ңурзат Ёлкиновна",
        "12020201500123",
        office.case_number,
        "Всего: 1",
        "Страница 1 из 1",
    ):
        assert expected in found
    assert "Дети трудовых мигрантов" not in found  # the closed case's child is filtered out
    assert document.file_name == "Распечатка журнала.pdf"


def test_a_long_printout_repeats_its_header_on_every_page_and_counts_what_the_register_counts(
    office: PrintOffice,
) -> None:
    db, actor = office.db, office.actor
    _children(db, 70)
    document = make_document(db, actor, Target("register", options={"name": "children"}), "ru")
    pages = pages_text(document.pdf)
    assert document.pages == len(pages) >= 3
    for number, page in enumerate(pages, start=1):
        assert "ФИО" in page and "ПИН" in page and "Статус случая" in page
        assert f"Страница {number} из {len(pages)}" in page
    with db.reading() as session:
        expected = count(session, RegisterQuery("children"))
    assert expected == 71
    found = text(document.pdf)
    assert f"Всего: {expected}" in found
    assert "Нет текущего случая 70" in found and "Итого 71" in found
    assert "Фильтры: нет, весь журнал" in found
    assert chars_outside(document.pdf, margin=20) == []
    used = fonts(document.pdf)
    assert used and all(used.values())


def test_a_kyrgyz_and_a_bilingual_printout_of_referrals(office: PrintOffice) -> None:
    issued_referral(office)
    options = {"name": "referrals", "status": "issued"}
    kyrgyz = text(make_document(office.db, office.actor, Target("register", options=options), "ky").pdf)
    assert "ЖОЛДОМОЛОРДУН ЖУРНАЛЫ" in kyrgyz and "Чыпкалар:" in kyrgyz
    assert "Токтогул атындагы № 3 мектеп" in kyrgyz and "ЖУРНАЛ НАПРАВЛЕНИЙ" not in kyrgyz
    both = make_document(office.db, office.actor, Target("register", options=options), "both").pdf
    found = text(both)
    assert found.index("ЖОЛДОМОЛОРДУН ЖУРНАЛЫ") < found.index("ЖУРНАЛ НАПРАВЛЕНИЙ")
    assert "Чыпкалар / Фильтры:" in found and "Үсөнбаева Ңурзат Ёлкиновна" in found
    assert "Бардыгы: 1 / Всего: 1" in found
    used = fonts(both)
    assert used and all(used.values())


def test_the_journal_of_reports_prints_its_columns_and_its_period(office: PrintOffice) -> None:
    options = {"name": "reports", "from": "01.01.2026", "to": "30.06.2026"}
    found = text(make_document(office.db, office.actor, Target("register", options=options), "ru").pdf)
    assert "ЖУРНАЛ РЕГИСТРАЦИИ СООБЩЕНИЙ" in found and "Решение" in found
    assert "Фильтры: Поступило: с 01.01.2026 по 30.06.2026" in found
    assert "Всего: 0" in found


def test_the_command_options_make_the_register_query(db: Database, admin: Actor) -> None:
    query = query_from_options(
        db, {"name": "referrals", "status": "overdue,issued", "from": "01.01.2026", "to": "30.06.2026"}
    )
    assert query.overdue and query.statuses == ("issued",)
    assert (query.date_from, query.date_to) == (date(2026, 1, 1), date(2026, 6, 30))
    assert query_from_options(db, {"name": "children", "status": "open"}).only_open


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"name": "households"}, "Выберите журнал для печати"),
        ({"name": "children", "status": "lost"}, "Неизвестный статус lost"),
        ({"name": "children", "category": "pirates"}, "Неизвестная категория pirates"),
        ({"name": "children", "from": "31.02.2026"}, "31.02.2026"),
        ({"name": "children", "from": "01.07.2026", "to": "01.01.2026"}, "Начало периода позже его конца"),
        ({"name": "children", "status": "overdue"}, "только в журнале направлений"),
    ],
)
def test_bad_command_options_are_refused_clearly(
    db: Database, admin: Actor, options: dict[str, str], message: str
) -> None:
    with pytest.raises(DomainError) as caught:
        query_from_options(db, options)
    assert message in str(caught.value)


def test_a_register_too_long_to_print_is_refused(
    office: PrintOffice, monkeypatch: pytest.MonkeyPatch
) -> None:
    _children(office.db, 3)
    monkeypatch.setattr(printouts, "MAX_PRINTED_ROWS", 2)
    with pytest.raises(DomainError) as caught:
        make_document(office.db, office.actor, Target("register", options={"name": "children"}), "ru")
    assert "В журнале 4 строк" in str(caught.value)
