"""Property: whatever people and households an office holds, a full package brings them over unchanged."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.database import copy_sqlite, open_database
from models.exchange.importer import import_package
from models.exchange.writer import export_package
from models.orm import Household, HouseholdMember, Person
from models.services.office import OfficeDetails, set_up_office
from models.services.users import authenticate

from tests.conftest import ADMIN_PASSWORD, TEST_DISTRICT
from tests.models.exchange.importing import REGION_ADMIN, consolidation_db, data_differences, own_ids
from tests.models.helpers import add_as_system

NAMES = st.sampled_from(["Үсөнбаева", "Ңурзат", "Ёлкин", "Usenova", "Өмүрбек", "Ҥ ң Ө ө Ү ү", "O'Neil-Ким"])
TEXT = NAMES | st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30)
MAYBE_TEXT = st.none() | TEXT
DATES = st.none() | st.dates(min_value=date(1930, 1, 1), max_value=date(2026, 11, 30))


@dataclass(frozen=True)
class Templates:
    office: Path
    region: Path


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    """An office and a consolidation database, set up once; each example works on copies."""
    folder = tmp_path_factory.mktemp("roundtrip")
    office = open_database(folder / "office.sqlite")
    details = OfficeDetails(
        TEST_DISTRICT, "Сокулук бөлүмү", "Отдел Сокулукского района", "Асанова", "Сокулук"
    )
    set_up_office(office, details, "admin", "Администратор", ADMIN_PASSWORD)
    office.dispose()
    region, _admin = consolidation_db(folder / "region.sqlite")
    region.dispose()
    yield Templates(folder / "office.sqlite", folder / "region.sqlite")


people = st.lists(
    st.builds(
        Person,
        is_child=st.booleans(),
        last_name=TEXT,
        first_name=TEXT,
        patronymic=MAYBE_TEXT,
        sex=st.none() | st.sampled_from(["F", "M"]),
        birth_date=DATES,
        pin=st.none() | st.from_regex(r"[12][0-9]{13}", fullmatch=True),
        address_text=MAYBE_TEXT,
        notes=MAYBE_TEXT,
        disability=st.booleans(),
    ),
    min_size=1,
    max_size=6,
)
households = st.lists(
    st.tuples(
        st.builds(Household, address_text=MAYBE_TEXT, members_count=st.none() | st.integers(0, 20)),
        st.integers(0, 5),
    ),
    max_size=3,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(persons=people, homes=households)
def test_a_full_package_brings_any_people_and_households_over_unchanged(
    templates: Templates, persons: list[Person], homes: list[tuple[Household, int]]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        copy_sqlite(templates.office, work / "office.sqlite")
        copy_sqlite(templates.region, work / "region.sqlite")
        office = open_database(work / "office.sqlite", create=False)
        region = open_database(work / "region.sqlite", create=False)
        try:
            members = [
                HouseholdMember(household=home, person=persons[index % len(persons)], position=index)
                for home, index in homes
            ]
            add_as_system(office, *persons, *(home for home, _index in homes), *members)
            made = export_package(
                office, authenticate(office, "admin", ADMIN_PASSWORD), work, full=True, plaintext=True
            )
            own = own_ids(region)

            import_package(region, authenticate(region, *REGION_ADMIN), made.path)

            assert data_differences(office, region, own) == []
        finally:
            office.dispose()
            region.dispose()
