"""Finding a child who may already be registered: by ПИН, by name and date of birth, by spelling."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from sqlalchemy import event

from models.database import Database
from models.duplicates import (
    SAME_NAME,
    SAME_NAME_AND_BIRTH_DATE,
    SAME_PIN,
    SIMILAR_NAME_SAME_BIRTH_DATE,
    DuplicateCandidate,
    find_duplicates,
    key_similarity,
    levenshtein,
)
from models.services.base import Actor
from models.services.people import delete_person, register_adult, register_child
from models.validation import PersonInput

BORN = date(2015, 2, 1)


def add_child(
    db: Database,
    actor: Actor,
    last: str,
    first: str,
    born: date | None = BORN,
    pin: str | None = None,
    patronymic: str | None = None,
) -> uuid.UUID:
    data = PersonInput(last_name=last, first_name=first, patronymic=patronymic, birth_date=born, pin=pin)
    return register_child(db, actor, data).id


def search(db: Database, **criteria: Any) -> list[DuplicateCandidate]:
    with db.reading() as session:
        return find_duplicates(session, **criteria)


def test_same_pin_is_found_and_ranked_first(db: Database, admin: Actor):
    by_name = add_child(db, admin, "Үсөнбаева", "Ңурзат")
    by_pin = add_child(db, admin, "Токтогулов", "Бакыт", born=date(2014, 3, 5), pin="20503201400017")
    found = search(db, last_name="Usonbaeva", first_name="Nurzat", birth_date=BORN, pin="2 05032014 00017")
    assert [c.person_id for c in found] == [by_pin, by_name]
    assert found[0].reasons == (SAME_PIN,)
    assert found[0].pin == "20503201400017"
    assert found[0].score > found[1].score


def test_cyrillic_kyrgyz_name_is_found_from_its_latin_spelling(db: Database, admin: Actor):
    person_id = add_child(db, admin, "Үсөнбаева", "Ңурзат", patronymic="Бакытовна")
    [found] = search(db, last_name="Usonbaeva", first_name="Nurzat", birth_date=BORN)
    assert found.person_id == person_id
    assert found.reasons == (SAME_NAME_AND_BIRTH_DATE,)
    assert found.full_name == "Үсөнбаева Ңурзат Бакытовна"
    assert found.birth_date == BORN


def test_a_close_misspelling_with_the_same_birth_date_is_found(db: Database, admin: Actor):
    person_id = add_child(db, admin, "Усенова", "Айгерим")
    [found] = search(db, last_name="Усенава", first_name="Айгерм", birth_date=BORN)
    assert found.person_id == person_id
    assert found.reasons == (SIMILAR_NAME_SAME_BIRTH_DATE,)


def test_last_and_first_name_typed_the_wrong_way_round_are_found(db: Database, admin: Actor):
    person_id = add_child(db, admin, "Усенова", "Айгерим")
    [found] = search(db, last_name="Айгерим", first_name="Усенова", birth_date=BORN)
    assert found.person_id == person_id


def test_a_twin_with_another_first_name_is_not_a_duplicate(db: Database, admin: Actor):
    add_child(db, admin, "Усенова", "Айгерим")
    assert search(db, last_name="Усенова", first_name="Айжан", birth_date=BORN) == []


def test_different_birth_date_and_different_name_are_not_found(db: Database, admin: Actor):
    add_child(db, admin, "Үсөнбаева", "Ңурзат")
    assert search(db, last_name="Жумабаев", first_name="Эрлан", birth_date=date(2016, 7, 8)) == []


def test_same_name_is_the_weakest_match_when_a_birth_date_is_missing(db: Database, admin: Actor):
    exact = add_child(db, admin, "Жумабаев", "Эрлан", born=date(2016, 7, 8))
    undated = add_child(db, admin, "Zhumabaev", "Erlan", born=None)
    add_child(db, admin, "Жумабаев", "Эрлан", born=date(2012, 1, 1))  # someone else
    found = search(db, last_name="Жумабаев", first_name="Эрлан", birth_date=date(2016, 7, 8))
    assert [(c.person_id, c.reasons) for c in found] == [
        (exact, (SAME_NAME_AND_BIRTH_DATE,)),
        (undated, (SAME_NAME,)),
    ]


def test_without_a_birth_date_every_namesake_is_listed(db: Database, admin: Actor):
    first = add_child(db, admin, "Жумабаев", "Эрлан", born=date(2016, 7, 8))
    second = add_child(db, admin, "Жумабаев", "Эрлан", born=date(2012, 1, 1))
    found = search(db, last_name="Zhumabaev", first_name="Erlan")
    assert {c.person_id for c in found} == {first, second}
    assert all(c.reasons == (SAME_NAME,) for c in found)


def test_soft_deleted_persons_are_not_found(db: Database, admin: Actor):
    person_id = add_child(db, admin, "Үсөнбаева", "Ңурзат", pin="10102201500001")
    delete_person(db, admin, person_id)
    assert search(db, last_name="Үсөнбаева", first_name="Ңурзат", birth_date=BORN, pin="10102201500001") == []


def test_the_person_being_edited_is_excluded(db: Database, admin: Actor):
    person_id = add_child(db, admin, "Үсөнбаева", "Ңурзат")
    assert search(db, last_name="Үсөнбаева", first_name="Ңурзат", birth_date=BORN, exclude_id=person_id) == []


def test_adults_are_not_offered_as_duplicates_of_a_child(db: Database, admin: Actor):
    adult = register_adult(db, admin, PersonInput(last_name="Усенова", first_name="Айгерим", birth_date=BORN))
    assert search(db, last_name="Усенова", first_name="Айгерим", birth_date=BORN) == []
    [found] = search(db, last_name="Усенова", first_name="Айгерим", birth_date=BORN, is_child=False)
    assert found.person_id == adult.id


def test_the_same_patronymic_ranks_higher(db: Database, admin: Actor):
    other = add_child(db, admin, "Асанов", "Нурбек", patronymic="Маратович")
    same = add_child(db, admin, "Асанов", "Нурбек", patronymic="Бакытович")
    found = search(db, last_name="Асанов", first_name="Нурбек", patronymic="Бакытович", birth_date=BORN)
    assert [c.person_id for c in found] == [same, other]


def test_limit_keeps_the_strongest(db: Database, admin: Actor):
    for _ in range(3):
        add_child(db, admin, "Асанов", "Нурбек", born=None)
    strongest = add_child(db, admin, "Асанов", "Нурбек")
    found = search(db, last_name="Асанов", first_name="Нурбек", birth_date=BORN, limit=2)
    assert len(found) == 2
    assert found[0].person_id == strongest


def test_every_query_uses_an_index(sqlite_db: Database, sqlite_admin: Actor):
    add_child(sqlite_db, sqlite_admin, "Үсөнбаева", "Ңурзат", pin="10102201500001")
    statements: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool
    ) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(sqlite_db.engine, "before_cursor_execute", capture)
    try:
        search(sqlite_db, last_name="Usonbaeva", first_name="Nurzat", birth_date=BORN, pin="10102201500001")
        search(sqlite_db, last_name="Usonbaeva", first_name="Nurzat", is_child=None)
    finally:
        event.remove(sqlite_db.engine, "before_cursor_execute", capture)
    assert len(statements) == 4
    with sqlite_db.engine.connect() as conn:
        for statement, parameters in statements:
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            details = [row[-1] for row in plan]
            assert not [d for d in details if d.startswith("SCAN")], (statement, details)
            assert any("USING INDEX" in d for d in details), (statement, details)


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("usenova", "usenova", 0),
        ("aigerim", "aigerm", 1),
        ("nurzat", "nurgul", 3),
        ("ab", "", 2),
    ],
)
def test_levenshtein(a: str, b: str, distance: int):
    assert levenshtein(a, b) == distance == levenshtein(b, a)


def test_key_similarity_is_zero_for_different_names():
    assert key_similarity("nurzat", "nurgul") == 0
    assert key_similarity("ali", "alu") >= 0.8
    assert key_similarity("usenova", "usenova") == 1
    assert key_similarity("", "") == 0
