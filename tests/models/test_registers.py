"""Register queries on real databases: search, filters, sorting, paging, counting, query plans."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import CompoundSelect, Select, event
from sqlalchemy.orm import Session

from models.database import Database, open_database
from models.orm import (
    Case,
    Household,
    HouseholdMember,
    KddAgendaItem,
    KddMeeting,
    Organisation,
    Person,
    Referral,
    Report,
    User,
    case_categories,
    report_children,
)
from models.reference import admin_unit_id, reference_id
from models.registers import (
    FILTERS,
    REGISTERS,
    CaseRow,
    ChildRow,
    HouseholdRow,
    IdSnapshot,
    KddMeetingRow,
    ReferralRow,
    RegisterQuery,
    ReportRow,
    columns,
    count,
    count_statement,
    default_sort,
    fetch_page,
    filters,
    ordered_ids,
    ordered_ids_statement,
    page_ids_statement,
    rows_by_ids,
)

from tests.conftest import TEST_DISTRICT, _fresh_pg_database

AS_OF = date(2026, 4, 1)
DISTRICT = admin_unit_id(TEST_DISTRICT)
OTHER_DISTRICT = admin_unit_id("41708203")  # Аламудунский район


@dataclass
class Office:
    """Ids of the records the tests look for."""

    children: dict[str, uuid.UUID]
    cases: dict[str, uuid.UUID]
    worker_a: uuid.UUID
    worker_b: uuid.UUID
    household: uuid.UUID


def _category(code: str) -> uuid.UUID:
    return reference_id("tjs_category", code)


def _at(year: int, month: int, day: int, hour: int = 9) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def _person(last: str, first: str, born: date | None, sex: str, **extra: Any) -> Person:
    values: dict[str, Any] = {"district_id": DISTRICT, **extra}
    return Person(last_name=last, first_name=first, birth_date=born, sex=sex, **values)


def _worker(username: str, full_name: str) -> User:
    return User(username=username, full_name=full_name, role_code="social_worker", password_hash="-")


def _fill(db: Database) -> Office:
    """A small office: six children (one deleted), an adult, cases, reports, a household, referrals, КДД."""
    with db.session() as session:
        session.info["system"] = True
        worker_a, worker_b = _worker("aizada", "Айзада Токтогулова"), _worker("bakyt", "Бакыт Осмонов")
        people = {
            "usonbaeva": _person("Үсөнбаева", "Ңурзат", date(2012, 3, 4), "F", pin="12403201200011"),
            "elkin": _person("Ёлкин", "Артём", date(2015, 7, 1), "M", patronymic="Сергеевич"),
            "usenova": _person("Usenova", "Nurgul", date(2010, 11, 20), "F"),
            "asanov": _person("Асанов", "Бакыт", date(2014, 1, 1), "M", district_id=OTHER_DISTRICT),
            "jumabaev": _person("Жумабаев", "Эркин", None, "M"),
            "deleted": _person("Үсөнова", "Айгүл", date(2013, 5, 5), "F", deleted_at=_at(2026, 3, 1)),
            "adult": _person("Усенова", "Гүлнара", date(1985, 2, 2), "F", is_child=False),
        }
        session.add_all([worker_a, worker_b, *people.values()])
        session.flush()
        case_data = {
            # child: (number, status, categories, worker, opened on)
            "usonbaeva": (
                (1, 2026),
                "implementation",
                ["labour_migrants", "neglect"],
                worker_a,
                date(2026, 1, 10),
            ),
            "elkin": ((2, 2026), "assessment", ["violence_physical"], worker_b, date(2026, 2, 15)),
            "usenova": ((3, 2026), "implementation", ["labour_migrants"], worker_a, date(2026, 3, 1)),
            "asanov": ((4, 2025), "closed", ["labour_migrants"], None, date(2025, 5, 5)),
            "deleted": ((5, 2026), "implementation", ["labour_migrants"], worker_a, date(2026, 1, 20)),
        }
        cases = {}
        for key, ((no, year), status, categories, worker, opened) in case_data.items():
            child = people[key]
            case = Case(district_id=DISTRICT, case_no=no, case_year=year, child_id=child.id, opened_on=opened,
                        status=status, worker_id=worker.id if worker else None, deleted_at=child.deleted_at,
                        risk_level_id=reference_id("risk_level", "high"))  # fmt: skip
            session.add(case)
            session.flush()
            session.execute(
                case_categories.insert(),
                [{"case_id": case.id, "category_id": _category(c)} for c in categories],
            )
            child.current_case_id = cases[key] = case.id
        # An older, closed case of Үсөнбаева is not her current case.
        old_case = Case(district_id=DISTRICT, case_no=9, case_year=2024, child_id=people["usonbaeva"].id,
                        opened_on=date(2024, 6, 1), status="closed")  # fmt: skip
        session.add(old_case)

        school_report = Report(district_id=DISTRICT, reg_no=5, reg_year=2026, received_at=_at(2026, 2, 1),
                               urgent=True, reporter_name="Школа № 3", assigned_worker_id=worker_b.id,
                               source_type_id=reference_id("report_source", "school"))  # fmt: skip
        anonymous_report = Report(district_id=DISTRICT, reg_no=6, reg_year=2026, received_at=_at(2026, 3, 10),
                                  decision="open_case", anonymous=True)  # fmt: skip
        deleted_report = Report(district_id=DISTRICT, reg_no=7, reg_year=2026, received_at=_at(2026, 3, 11),
                                deleted_at=_at(2026, 3, 12))  # fmt: skip
        session.add_all([school_report, anonymous_report, deleted_report])
        session.flush()
        session.execute(
            report_children.insert(),
            [
                {"report_id": school_report.id, "person_id": people["elkin"].id},
                {"report_id": anonymous_report.id, "person_id": people["usonbaeva"].id},
                {"report_id": anonymous_report.id, "person_id": people["usenova"].id},
            ],
        )

        household = Household(district_id=DISTRICT, address_text="с. Сокулук, ул. Ленина, 5")
        empty = Household(district_id=DISTRICT, address_text="с. Шопоков, ул. Мира, 1")
        gone = Household(district_id=DISTRICT, address_text="удалён", deleted_at=_at(2026, 1, 1))
        session.add_all([household, empty, gone])
        session.flush()
        session.add_all(
            [
                HouseholdMember(household_id=household.id, person_id=people["usenova"].id, position=1),
                HouseholdMember(
                    household_id=household.id, person_id=people["adult"].id, position=0, is_caregiver=True
                ),
            ]
        )

        school = Organisation(name_ru="Школа № 3", name_ky="№ 3 мектеп")
        session.add(school)
        session.flush()
        awaiting = Referral(district_id=DISTRICT, case_id=cases["usonbaeva"], child_id=people["usonbaeva"].id,
                            out_no=1, out_year=2026, issued_on=date(2026, 3, 2), organisation_id=school.id,
                            service_type_id=reference_id("service_type", "education"),
                            reply_due=date(2026, 3, 12), status="issued")  # fmt: skip
        replied = Referral(district_id=DISTRICT, case_id=cases["elkin"], child_id=people["elkin"].id,
                           out_no=2, out_year=2026, issued_on=date(2026, 3, 5), organisation_id=school.id,
                           reply_due=date(2026, 3, 15), reply_received_on=date(2026, 3, 10),
                           status="replied")  # fmt: skip
        draft = Referral(district_id=DISTRICT, child_id=people["usenova"].id, organisation_id=school.id,
                         requested_service="Справка")  # fmt: skip
        session.add_all([awaiting, replied, draft])

        def meeting(no: int, day: date, **extra: Any) -> KddMeeting:
            return KddMeeting(
                district_id=DISTRICT, meeting_no=no, meeting_year=2026, meeting_date=day, **extra
            )

        held = meeting(1, date(2026, 3, 20), place="Актовый зал", status="held")
        session.add_all(
            [held, meeting(2, date(2026, 4, 20)), meeting(3, date(2026, 5, 20), deleted_at=_at(2026, 3, 1))]
        )
        session.flush()
        about_elkin = KddAgendaItem(meeting_id=held.id, position=0, title="О ребёнке", case_id=cases["elkin"],
                                    child_id=people["elkin"].id)  # fmt: skip
        session.add_all([about_elkin, KddAgendaItem(meeting_id=held.id, position=1, title="Разное")])
        session.commit()
        return Office({k: p.id for k, p in people.items()}, cases, worker_a.id, worker_b.id, household.id)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def office_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Database, Office]]:
    """One office database per engine, filled once: the register tests only read."""
    if request.param == "sqlite":
        database = open_database(tmp_path_factory.mktemp("registers") / "office.sqlite")
        yield database, _fill(database)
        database.dispose()
    else:
        for url in _fresh_pg_database():
            database = open_database(url)
            yield database, _fill(database)
            database.dispose()


@pytest.fixture
def office(office_db: tuple[Database, Office]) -> Office:
    return office_db[1]


@pytest.fixture
def session(office_db: tuple[Database, Office]) -> Iterator[Session]:
    with office_db[0].reading() as s:
        yield s


def _page(session: Session, register: str = "children", **options: Any) -> list[Any]:
    query = RegisterQuery(register, as_of=AS_OF, lang="ru", **options)
    page = fetch_page(session, query)
    assert page.total == count(session, query)
    return page.rows


def _names(session: Session, **options: Any) -> list[str]:
    return _full_names(_page(session, "children", **options))


def _full_names(rows: list[Any]) -> list[str]:
    assert all(isinstance(row, ChildRow) for row in rows)
    return [row.full_name for row in rows]


# --- children: search ------------------------------------------------------------------


def test_latin_search_finds_a_kyrgyz_name(office: Office, session: Session) -> None:
    assert _names(session, search="usonbaeva") == ["Үсөнбаева Ңурзат"]


def test_search_ignores_yo_and_case(office: Office, session: Session) -> None:
    assert _names(session, search="елкин") == ["Ёлкин Артём Сергеевич"]


def test_cyrillic_search_finds_a_latin_spelling_and_skips_adults(office: Office, session: Session) -> None:
    assert _names(session, search="Усенова") == ["Usenova Nurgul"]


def test_search_words_match_prefixes_of_any_name_part_in_any_order(office: Office, session: Session) -> None:
    assert _names(session, search="нургуль усен") == ["Usenova Nurgul"]
    assert _names(session, search="Артем Ёлкин Серг") == ["Ёлкин Артём Сергеевич"]
    assert _names(session, search="ус") == ["Usenova Nurgul", "Үсөнбаева Ңурзат"]
    assert _names(session, search="Ёлкин Нургуль") == []


def test_a_search_counts_all_its_matches_while_reading_one_page(office: Office, session: Session) -> None:
    first = fetch_page(session, RegisterQuery("children", search="ус", limit=1))
    second = fetch_page(session, RegisterQuery("children", search="ус", limit=1, offset=1))
    beyond = fetch_page(session, RegisterQuery("children", search="ус", limit=1, offset=5))
    assert (_full_names(first.rows), first.total) == (["Usenova Nurgul"], 2)
    assert (_full_names(second.rows), second.total) == (["Үсөнбаева Ңурзат"], 2)
    assert (beyond.rows, beyond.total) == ([], 2)


def test_a_patronymic_alone_is_not_enough(office: Office, session: Session) -> None:
    assert _names(session, search="Сергеевич") == []


def test_fourteen_digits_find_the_pin(office: Office, session: Session) -> None:
    assert _names(session, search=" 12403201200011 ") == ["Үсөнбаева Ңурзат"]


def test_a_case_number_finds_the_child_of_the_current_case(office: Office, session: Session) -> None:
    assert _names(session, search="3/2026") == ["Usenova Nurgul"]
    assert _names(session, search="9 / 2024") == []  # an older case of Үсөнбаева


def test_a_search_with_nothing_to_match_finds_nothing(office: Office, session: Session) -> None:
    assert _names(session, search="12345") == []


def test_a_longer_word_that_starts_only_the_patronymic_needs_another_on_a_name(
    office: Office, session: Session
) -> None:
    assert _names(session, search="Сергеевич Ёлкин") == ["Ёлкин Артём Сергеевич"]
    assert _names(session, search="Сергеевич серг") == []


def test_searches_of_the_same_shape_each_read_their_own_words(office: Office, session: Session) -> None:
    """A plain name search's statement is built once per shape; every page binds its own words and page."""
    for _ in range(2):
        assert _names(session, search="usonbaeva") == ["Үсөнбаева Ңурзат"]
        assert _names(session, search="елкин") == ["Ёлкин Артём Сергеевич"]
        assert _names(session, search="ус", offset=1, limit=1) == ["Үсөнбаева Ңурзат"]
        assert _names(session, search="нургуль усен") == ["Usenova Nurgul"]
        assert _names(session, search="Артём Ёлкин") == ["Ёлкин Артём Сергеевич"]
        assert _names(session, search="ус", sort="full_name", descending=True) == [
            "Үсөнбаева Ңурзат",
            "Usenova Nurgul",
        ]


# --- children: filters, sorting, paging ---------------------------------------------------


def test_category_and_status_filter(office: Office, session: Session) -> None:
    query = RegisterQuery(
        "children", categories=("labour_migrants",), statuses=("implementation",), as_of=AS_OF, lang="ru"
    )
    page = fetch_page(session, query)
    assert _full_names(page.rows) == ["Usenova Nurgul", "Үсөнбаева Ңурзат"]
    assert page.total == 2
    assert count(session, query) == 2


def test_category_pages_of_the_same_shape_each_read_their_own_filters(
    office: Office, session: Session
) -> None:
    """A one-category page's statement is built once per shape; every page binds its own values."""
    for _ in range(2):
        migrants = {"categories": ("labour_migrants",)}
        assert _names(session, **migrants, statuses=("implementation",)) == [
            "Usenova Nurgul",
            "Үсөнбаева Ңурзат",
        ]
        assert _names(session, **migrants, statuses=("closed",)) == ["Асанов Бакыт"]
        assert _names(session, categories=("violence_physical",), statuses=("assessment",)) == [
            "Ёлкин Артём Сергеевич"
        ]
        assert _names(session, **migrants, worker_id=office.worker_a) == [
            "Usenova Nurgul",
            "Үсөнбаева Ңурзат",
        ]
        assert _names(session, **migrants, worker_id=office.worker_b) == []
        assert _names(session, **migrants, district_id=OTHER_DISTRICT) == ["Асанов Бакыт"]
        assert _names(session, **migrants, date_from=date(2026, 2, 1)) == ["Usenova Nurgul"]
        assert _names(session, **migrants, date_from=date(2026, 1, 1)) == [
            "Usenova Nurgul",
            "Үсөнбаева Ңурзат",
        ]
        assert _names(session, **migrants, offset=1, limit=1) == ["Usenova Nurgul"]
        assert _names(session, **migrants, offset=2, limit=1) == ["Үсөнбаева Ңурзат"]
        assert _names(session, **migrants, descending=True, sort="full_name") == [
            "Үсөнбаева Ңурзат", "Usenova Nurgul", "Асанов Бакыт"
        ]  # fmt: skip
        page = fetch_page(session, RegisterQuery("children", **migrants, limit=1, lang="ky"))  # type: ignore[arg-type]
        assert (page.total, page.rows[0].categories) == (3, "Эмгек мигранттарынын балдары")  # type: ignore[union-attr]


def test_any_of_several_categories(office: Office, session: Session) -> None:
    names = _names(session, categories=("neglect", "violence_physical"))
    assert names == ["Ёлкин Артём Сергеевич", "Үсөнбаева Ңурзат"]


def test_worker_district_and_open_filters(office: Office, session: Session) -> None:
    assert _names(session, worker_id=office.worker_b) == ["Ёлкин Артём Сергеевич"]
    assert _names(session, district_id=OTHER_DISTRICT) == ["Асанов Бакыт"]
    assert "Асанов Бакыт" not in _names(session, only_open=True)
    assert len(_names(session, only_open=True)) == 3


def test_registered_date_range(office: Office, session: Session) -> None:
    names = _names(session, date_from=date(2026, 1, 10), date_to=date(2026, 2, 15))
    assert names == ["Ёлкин Артём Сергеевич", "Үсөнбаева Ңурзат"]
    assert _names(session, date_to=date(2025, 12, 31)) == ["Асанов Бакыт"]


def test_child_row_holds_the_current_case(office: Office, session: Session) -> None:
    (row,) = _page(session, search="usonbaeva")
    assert isinstance(row, ChildRow)
    assert row.id == office.children["usonbaeva"]
    assert (row.sex, row.birth_date, row.age, row.pin) == ("F", date(2012, 3, 4), 14, "12403201200011")
    assert row.district == "Сокулукский район"
    assert (row.case_id, row.case_number, row.case_status) == (
        office.cases["usonbaeva"],
        "1/2026",
        "implementation",
    )
    assert row.category_codes == ("labour_migrants", "neglect")
    assert (
        row.categories == "Дети трудовых мигрантов; Дети, оставленные без надлежащего ухода (пренебрежение)"
    )
    assert (row.worker, row.registered_on) == ("Айзада Токтогулова", date(2026, 1, 10))


def test_names_follow_the_requested_language(office: Office, session: Session) -> None:
    (row,) = fetch_page(session, RegisterQuery("children", search="usonbaeva", lang="ky")).rows
    assert isinstance(row, ChildRow)
    assert row.district == "Сокулук району"
    assert row.categories.startswith("Эмгек мигранттарынын балдары")


def test_a_child_without_a_case(office: Office, session: Session) -> None:
    (row,) = _page(session, search="Жумабаев")
    assert isinstance(row, ChildRow)
    assert (row.case_id, row.case_number, row.case_status, row.categories, row.category_codes) == (
        None, None, None, "", ()
    )  # fmt: skip
    assert (row.birth_date, row.age) == (None, None)


def test_default_order_is_by_name_and_deleted_children_never_appear(office: Office, session: Session) -> None:
    names = _names(session)
    assert names == [
        "Асанов Бакыт", "Ёлкин Артём Сергеевич", "Жумабаев Эркин", "Usenova Nurgul", "Үсөнбаева Ңурзат"
    ]  # fmt: skip
    assert "Үсөнова Айгүл" not in _names(session, search="Үсөнова")


def test_sort_by_birth_date_descending_puts_unknown_dates_last(office: Office, session: Session) -> None:
    rows = _page(session, sort="birth_date", descending=True)
    assert [r.birth_date for r in rows] == [
        date(2015, 7, 1), date(2014, 1, 1), date(2012, 3, 4), date(2010, 11, 20), None
    ]  # fmt: skip
    ascending = _page(session, sort="birth_date")
    assert [r.id for r in ascending] == [r.id for r in reversed(rows)]


def test_sort_by_age_runs_against_the_birth_date(office: Office, session: Session) -> None:
    rows = _page(session, sort="age")
    assert [r.age for r in rows] == [10, 12, 14, 15, None]


def test_paging_returns_the_slice_and_the_total(office: Office, session: Session) -> None:
    page = fetch_page(session, RegisterQuery("children", offset=2, limit=2, as_of=AS_OF))
    assert _full_names(page.rows) == ["Жумабаев Эркин", "Usenova Nurgul"]
    assert (page.total, page.offset) == (5, 2)
    last = fetch_page(session, RegisterQuery("children", offset=4, limit=2, as_of=AS_OF))
    assert _full_names(last.rows) == ["Үсөнбаева Ңурзат"]
    assert last.total == 5
    beyond = fetch_page(session, RegisterQuery("children", offset=10, limit=2, as_of=AS_OF))
    assert (beyond.rows, beyond.total) == ([], 5)


def test_equal_sort_values_are_ordered_by_id(office: Office, session: Session) -> None:
    rows = _page(session, register="cases", sort="status")
    assert [r.status for r in rows] == ["assessment", "closed", "closed", "implementation", "implementation"]
    for status in ("closed", "implementation"):
        ids = [r.id for r in rows if r.status == status]
        assert ids == sorted(ids, key=lambda i: i.bytes)
    backwards = _page(session, register="cases", sort="status", descending=True)
    assert [r.id for r in backwards] == [r.id for r in reversed(rows)]


@pytest.mark.parametrize(("sort", "descending"), [("full_name", False), ("birth_date", True), ("pin", True)])
def test_walking_the_sort_order_or_letting_the_cases_drive_finds_the_same_page(
    office: Office, session: Session, sort: str, descending: bool
) -> None:
    query = RegisterQuery("children", statuses=("implementation",), sort=sort, descending=descending, limit=1)
    driven = page_ids_statement(query)
    walking = page_ids_statement(query, matches=1_000_000)
    assert "EXISTS" in str(walking) and "EXISTS" not in str(driven.whereclause).split("current_case_id IN")[0]
    assert list(session.scalars(walking)) == list(session.scalars(driven))
    assert len(list(session.scalars(driven))) == 1


# --- the other registers --------------------------------------------------------------------


def test_reports_journal(office: Office, session: Session) -> None:
    rows = _page(session, register="reports")
    assert [r.number for r in rows] == ["6/2026", "5/2026"]  # newest first, the deleted one left out
    newest, oldest = rows
    assert isinstance(newest, ReportRow) and isinstance(oldest, ReportRow)
    assert newest.children == "Usenova Nurgul, Үсөнбаева Ңурзат"
    assert (newest.anonymous, newest.decision, newest.source, newest.worker) == (
        True,
        "open_case",
        None,
        None,
    )
    assert (oldest.urgent, oldest.reporter, oldest.worker) == (True, "Школа № 3", "Бакыт Осмонов")
    assert oldest.source == "Школа, социальный педагог"
    assert oldest.received_at == datetime(2026, 2, 1, 9, tzinfo=UTC)


def test_reports_filters(office: Office, session: Session) -> None:
    assert [r.number for r in _page(session, register="reports", search="елкин")] == ["5/2026"]
    assert [r.number for r in _page(session, register="reports", search="6/2026")] == ["6/2026"]
    assert [r.number for r in _page(session, register="reports", search="7/2026")] == []
    assert [r.number for r in _page(session, register="reports", urgent_only=True)] == ["5/2026"]
    assert [r.number for r in _page(session, register="reports", only_open=True)] == ["5/2026"]
    assert [r.number for r in _page(session, register="reports", statuses=("open_case",))] == ["6/2026"]
    assert [r.number for r in _page(session, register="reports", worker_id=office.worker_b)] == ["5/2026"]
    march = _page(session, register="reports", date_from=date(2026, 3, 1), date_to=date(2026, 3, 10))
    assert [r.number for r in march] == ["6/2026"]
    assert [r.number for r in _page(session, register="reports", sort="number")] == ["5/2026", "6/2026"]


def test_cases_register(office: Office, session: Session) -> None:
    rows = _page(session, register="cases")
    assert [r.number for r in rows] == ["3/2026", "2/2026", "1/2026", "4/2025", "9/2024"]
    first = rows[0]
    assert isinstance(first, CaseRow)
    assert (first.child, first.status, first.risk, first.worker) == (
        "Usenova Nurgul", "implementation", "Высокий", "Айзада Токтогулова"
    )  # fmt: skip
    assert first.category_codes == ("labour_migrants",)
    assert [r.number for r in _page(session, register="cases", search="usonbaeva")] == ["1/2026", "9/2024"]
    assert [r.number for r in _page(session, register="cases", only_open=True)] == [
        "3/2026",
        "2/2026",
        "1/2026",
    ]
    in_2026 = _page(session, register="cases", date_from=date(2026, 1, 1), categories=("labour_migrants",))
    assert [r.number for r in in_2026] == ["3/2026", "1/2026"]
    by_child = _page(session, register="cases", sort="child")
    assert [r.child for r in by_child] == [
        "Асанов Бакыт", "Ёлкин Артём Сергеевич", "Usenova Nurgul", "Үсөнбаева Ңурзат", "Үсөнбаева Ңурзат"
    ]  # fmt: skip


def test_households_register(office: Office, session: Session) -> None:
    rows = _page(session, register="households")
    assert [r.address for r in rows] == ["с. Сокулук, ул. Ленина, 5", "с. Шопоков, ул. Мира, 1"]
    first = rows[0]
    assert isinstance(first, HouseholdRow)
    assert (first.id, first.members_count, first.caregiver, first.district) == (
        office.household, 2, "Усенова Гүлнара", "Сокулукский район"
    )  # fmt: skip
    assert (rows[1].members_count, rows[1].caregiver) == (0, None)
    assert [r.id for r in _page(session, register="households", search="Гулнара")] == [office.household]


def test_referrals_register(office: Office, session: Session) -> None:
    rows = _page(session, register="referrals")
    assert [r.number for r in rows] == ["2/2026", "1/2026", None]  # a draft has no number nor date: last
    replied, issued, draft = rows
    assert isinstance(issued, ReferralRow) and isinstance(draft, ReferralRow)
    assert (issued.child, issued.organisation, issued.service, issued.overdue) == (
        "Үсөнбаева Ңурзат", "Школа № 3", "Образование (зачисление в школу, детский сад)", True
    )  # fmt: skip
    assert (replied.overdue, replied.reply_received_on) == (False, date(2026, 3, 10))
    assert (draft.service, draft.status) == ("Справка", "draft")
    assert [r.number for r in _page(session, register="referrals", overdue=True)] == ["1/2026"]
    assert [r.number for r in _page(session, register="referrals", only_open=True)] == ["1/2026"]
    assert [r.number for r in _page(session, register="referrals", search="елкин")] == ["2/2026"]
    assert [r.number for r in _page(session, register="referrals", worker_id=office.worker_b)] == ["2/2026"]
    assert [r.number for r in _page(session, register="referrals", categories=("neglect",))] == ["1/2026"]
    later = _page(session, register="referrals", date_from=date(2026, 3, 3))
    assert [r.number for r in later] == ["2/2026"]


def test_overdue_depends_on_the_day(office: Office, session: Session) -> None:
    query = RegisterQuery("referrals", overdue=True, as_of=date(2026, 3, 12))
    assert fetch_page(session, query).rows == []


def test_kdd_meetings_register(office: Office, session: Session) -> None:
    rows = _page(session, register="kdd_meetings")
    assert [r.number for r in rows] == ["2/2026", "1/2026"]
    held = rows[1]
    assert isinstance(held, KddMeetingRow)
    assert (held.items_count, held.place, held.status) == (2, "Актовый зал", "held")
    assert [r.number for r in _page(session, register="kdd_meetings", only_open=True)] == ["2/2026"]
    assert [r.number for r in _page(session, register="kdd_meetings", search="Ёлкин")] == ["1/2026"]
    april = _page(session, register="kdd_meetings", date_from=date(2026, 4, 1), date_to=date(2026, 4, 30))
    assert [r.number for r in april] == ["2/2026"]


# --- the ordered ids of a register, and rows by their ids ------------------------------------

SNAPSHOTS: list[tuple[str, dict[str, Any]]] = [
    ("children", {}),
    ("children", {"sort": "full_name", "descending": True}),
    ("children", {"sort": "birth_date", "descending": True}),
    ("children", {"sort": "age"}),
    ("children", {"sort": "pin"}),
    ("children", {"statuses": ("implementation",)}),
    ("children", {"only_open": True, "sort": "age"}),
    ("children", {"categories": ("labour_migrants",)}),  # a range of child_register, in name order
    ("children", {"categories": ("labour_migrants",), "sort": "full_name", "descending": True}),
    ("children", {"categories": ("labour_migrants", "neglect"), "sort": "birth_date"}),
    ("children", {"search": "ус"}),  # a plain name search: the merged name ranges
    ("children", {"search": "ус", "sort": "full_name", "descending": True}),
    ("children", {"search": "ус", "statuses": ("implementation",), "sort": "birth_date"}),
    ("children", {"search": "3/2026"}),
    ("children", {"district_id": DISTRICT, "date_from": date(2026, 1, 1)}),
    ("reports", {}),
    ("reports", {"sort": "number"}),
    ("reports", {"search": "елкин"}),
    ("cases", {}),
    ("cases", {"sort": "child"}),
    ("cases", {"sort": "status", "descending": True}),
    ("cases", {"categories": ("labour_migrants",), "only_open": True}),
    ("households", {}),
    ("households", {"search": "Гулнара"}),
    ("referrals", {}),
    ("referrals", {"sort": "child", "descending": True}),
    ("referrals", {"overdue": True}),
    ("kdd_meetings", {}),
    ("kdd_meetings", {"sort": "status"}),
]


@pytest.mark.parametrize(("register", "options"), SNAPSHOTS, ids=lambda v: str(v) if v else "-")
def test_the_ordered_ids_are_the_pages_read_one_after_another(
    office: Office, session: Session, register: str, options: dict[str, Any]
) -> None:
    query = RegisterQuery(register, as_of=AS_OF, lang="ru", limit=2, **options)
    paged: list[uuid.UUID] = []
    total = 1
    while len(paged) < total:
        page = fetch_page(session, replace(query, offset=len(paged)))
        assert page.rows, (len(paged), page.total)
        paged.extend(row.id for row in page.rows)
        total = page.total
    snapshot = ordered_ids(session, replace(query, offset=3, limit=1))  # the page is ignored
    assert snapshot == paged
    assert all(isinstance(i, uuid.UUID) for i in snapshot)


def test_a_snapshot_finds_and_slices_its_ids_like_a_list() -> None:
    ids = [uuid.uuid4() for _ in range(500)]
    snapshot = IdSnapshot.of(ids)
    assert len(snapshot) == 500
    assert snapshot[0] == ids[0] and snapshot[-1] == ids[-1]
    assert snapshot[200:400] == ids[200:400]
    assert snapshot[480:900] == ids[480:]
    assert snapshot.index(ids[321]) == 321
    assert ids[77] in snapshot and uuid.uuid4() not in snapshot
    with pytest.raises(IndexError):
        snapshot[500]


def test_a_snapshot_never_finds_an_id_across_two_packed_ids() -> None:
    first, second = (
        uuid.UUID(int=0x0123456789ABCDEF0123456789ABCDEF),
        uuid.UUID(int=0xFEDCBA9876543210FEDCBA9876543210),
    )
    straddling = uuid.UUID(bytes=first.bytes[8:] + second.bytes[:8])
    snapshot = IdSnapshot.of([first, second])
    assert straddling not in snapshot
    with pytest.raises(ValueError, match="not in the snapshot"):
        snapshot.index(straddling)


def test_ordered_ids_of_a_filter_that_finds_nothing(office: Office, session: Session) -> None:
    assert ordered_ids(session, RegisterQuery("children", search="Ёлкин Нургуль")) == []
    assert ordered_ids(session, RegisterQuery("children", categories=("disability",))) == []


@pytest.mark.parametrize("lang", ["ru", "ky"])
@pytest.mark.parametrize("register", REGISTERS)
def test_rows_by_ids_are_the_rows_of_the_page_in_the_order_asked(
    office: Office, session: Session, register: str, lang: str
) -> None:
    query = RegisterQuery(register, as_of=AS_OF, lang=lang)
    page = fetch_page(session, query)
    ids = [row.id for row in page.rows]
    assert len(ids) >= 2
    assert rows_by_ids(session, query, ids) == page.rows
    assert rows_by_ids(session, query, ids[::-1]) == page.rows[::-1]
    assert rows_by_ids(session, query, ids[1:2]) == page.rows[1:2]
    assert rows_by_ids(session, query, []) == []


def test_rows_by_ids_leave_out_deleted_and_unknown_records(office: Office, session: Session) -> None:
    children = office.children
    asked = [children["usonbaeva"], children["deleted"], uuid.uuid4(), children["adult"], children["elkin"]]
    rows = rows_by_ids(session, RegisterQuery("children", as_of=AS_OF), asked)
    assert [row.id for row in rows] == [children["usonbaeva"], children["elkin"]]
    cases = rows_by_ids(session, RegisterQuery("cases"), [office.cases["deleted"], office.cases["elkin"]])
    assert [row.id for row in cases] == [office.cases["elkin"]]


def test_rows_by_ids_ignore_the_filters(office: Office, session: Session) -> None:
    """A record changed so that it no longer matches keeps its row until the ids are read again."""
    query = RegisterQuery("children", statuses=("closed",), as_of=AS_OF)
    (row,) = rows_by_ids(session, query, [office.children["usonbaeva"]])
    assert isinstance(row, ChildRow) and row.case_status == "implementation"


# --- columns and the query's contract ---------------------------------------------------------


ROW_TYPES: dict[str, Any] = {
    "children": ChildRow,
    "reports": ReportRow,
    "cases": CaseRow,
    "households": HouseholdRow,
    "referrals": ReferralRow,
    "kdd_meetings": KddMeetingRow,
}


@pytest.mark.parametrize("register", REGISTERS)
def test_each_register_describes_its_columns(register: str) -> None:
    specs = columns(register)
    assert specs
    fields = ROW_TYPES[register]._fields
    assert all(spec.key in fields for spec in specs)
    assert len({spec.key for spec in specs}) == len(specs)
    assert all(spec.title("en") == spec.header and spec.header for spec in specs)
    key, _descending = default_sort(register)
    assert any(spec.key == key and spec.sortable for spec in specs)


@pytest.mark.parametrize("register", REGISTERS)
def test_every_sortable_column_sorts_and_returns_rows_of_its_type(
    register: str, office: Office, session: Session
) -> None:
    for spec in columns(register):
        if not spec.sortable:
            with pytest.raises(ValueError, match="cannot sort"):
                RegisterQuery(register, sort=spec.key)
            continue
        for descending in (False, True):
            rows = _page(session, register=register, sort=spec.key, descending=descending)
            assert rows and all(isinstance(row, ROW_TYPES[register]) for row in rows)


def test_cells_render_for_people() -> None:
    spec = {s.key: s for s in columns("children")}
    assert spec["birth_date"].text(date(2012, 3, 4)) == "04.03.2012"
    assert spec["case_status"].text("implementation", "en") == "Plan implementation"
    assert spec["sex"].text(None) == ""
    (anonymous,) = [s for s in columns("reports") if s.key == "anonymous"]
    assert anonymous.text(True, "en") == "Yes"


def test_unsupported_filters_and_bad_values_are_refused() -> None:
    assert filters("households") == {"search", "district_id"}
    assert filters("children") <= set(FILTERS)
    with pytest.raises(ValueError, match="no filter overdue"):
        RegisterQuery("children", overdue=True)
    with pytest.raises(ValueError, match="unknown children status"):
        RegisterQuery("children", statuses=("issued",))
    with pytest.raises(ValueError, match="unknown register"):
        RegisterQuery("orphans")
    with pytest.raises(ValueError, match="limit"):
        RegisterQuery("children", limit=0)
    with pytest.raises(ValueError, match="offset"):
        RegisterQuery("children", offset=-1)


# --- query plans (SQLite) --------------------------------------------------------------------


def _plan(db: Database, statement: Select[Any] | CompoundSelect[Any]) -> list[str]:
    """SQLite's plan for *statement*, one step per line."""
    sql = str(statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as connection:
        return [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]


def _persons_steps(plan: list[str]) -> list[str]:
    return [step for step in plan if step.split()[1:2] == ["persons"]]


@pytest.mark.parametrize("search", ["usonbaeva", "Үсөнбаева Ңурзат"])
def test_name_search_uses_the_name_key_indexes(sqlite_db: Database, search: str) -> None:
    query = RegisterQuery("children", search=search)
    for statement in (page_ids_statement(query), count_statement(query)):
        steps = _persons_steps(_plan(sqlite_db, statement))
        assert steps, steps
        assert all(s.startswith("SEARCH persons USING") for s in steps), steps
        assert any("last_name_key>" in s for s in steps) and any("first_name_key>" in s for s in steps), steps


def test_pin_search_uses_the_pin_index(sqlite_db: Database) -> None:
    query = RegisterQuery("children", search="12403201200011")
    for statement in (page_ids_statement(query), count_statement(query)):
        assert _persons_steps(_plan(sqlite_db, statement)) == [
            "SEARCH persons USING INDEX ix_persons_pin (pin=?)"
        ]


def test_case_filters_drive_the_count_through_the_current_case_index(sqlite_db: Database) -> None:
    query = RegisterQuery("children", statuses=("implementation",), worker_id=uuid.uuid4())
    steps = _persons_steps(_plan(sqlite_db, count_statement(query)))
    assert len(steps) == 1 and steps[0].startswith("SEARCH persons USING"), steps
    assert "(current_case_id=?)" in steps[0]


@pytest.mark.parametrize("search", ["usonbaeva", "Үсөнбаева Ңурзат", "ел"])
def test_a_plain_name_search_reads_only_the_partial_name_indexes(sqlite_db: Database, search: str) -> None:
    query = RegisterQuery("children", search=search)
    for statement in (page_ids_statement(query, with_count=True), count_statement(query)):
        steps = _persons_steps(_plan(sqlite_db, statement))
        assert steps and all("COVERING INDEX ix_persons_live_child_" in s for s in steps), steps


def test_category_filters_are_a_range_of_the_child_register_index(sqlite_db: Database) -> None:
    query = RegisterQuery("children", categories=("labour_migrants",), statuses=("implementation",))
    count_plan = _plan(sqlite_db, count_statement(query))
    assert any("child_register USING COVERING INDEX ix_child_register_filter" in s for s in count_plan), (
        count_plan
    )
    page_plan = _plan(sqlite_db, page_ids_statement(query))
    assert any("ix_child_register_filter" in s for s in page_plan), page_plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in page_plan
    assert not _persons_steps(count_plan + page_plan)


def test_many_matches_walk_the_name_index(sqlite_db: Database) -> None:
    query = RegisterQuery("children", statuses=("implementation",))
    plan = _plan(sqlite_db, page_ids_statement(query, matches=50_000))
    steps = _persons_steps(plan)
    name_ordered = ("ix_persons_last_name_key", "ix_persons_live_child_last")
    assert len(steps) == 1 and steps[0].startswith("SCAN persons USING"), plan
    assert any(index in steps[0] for index in name_ordered), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan


def test_the_ordered_ids_of_children_by_name_read_one_covering_index(sqlite_db: Database) -> None:
    plan = _plan(sqlite_db, ordered_ids_statement(RegisterQuery("children")))
    assert plan == ["SCAN persons USING COVERING INDEX ix_persons_live_child_last"], plan


def test_the_ordered_ids_of_one_category_are_a_range_of_the_child_register_index(sqlite_db: Database) -> None:
    query = RegisterQuery("children", categories=("labour_migrants",), statuses=("implementation",))
    plan = _plan(sqlite_db, ordered_ids_statement(query))
    assert any("ix_child_register_filter" in s for s in plan), plan
    assert "USE TEMP B-TREE FOR ORDER BY" not in plan and not _persons_steps(plan), plan


@pytest.mark.parametrize("register", REGISTERS)
def test_rows_by_ids_look_records_up_by_primary_key(sqlite_db: Database, register: str) -> None:
    """The reads of one block cost the same anywhere in the register: no scan of a whole table."""
    with sqlite_db.reading() as session, session.connection() as connection:
        statements: list[str] = []

        def keep(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            statements.append(statement)

        event.listen(connection, "before_cursor_execute", keep)
        rows_by_ids(session, RegisterQuery(register), [uuid.uuid4(), uuid.uuid4()])
        event.remove(connection, "before_cursor_execute", keep)
    assert statements
    with sqlite_db.engine.connect() as connection:
        for statement in statements:
            params = tuple(uuid.uuid4().hex for _ in range(statement.count("?")))
            plan = [row[3] for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params)]
            assert not [step for step in plan if step.startswith("SCAN") and "CONSTANT ROW" not in step], plan
