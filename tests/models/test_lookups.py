"""Choice lists read in the order of the Kyrgyz alphabet, whatever order the database keeps."""

from __future__ import annotations

from models.database import Database
from models.lookups import alphabetical, district_choices, worker_choices
from models.services.base import Actor
from models.services.users import add_user

from tests.conftest import USER_PASSWORD


def test_names_sort_in_kyrgyz_alphabetical_order() -> None:
    names = [
        "Федоров",
        "Үсөнбаева",
        "Ёлкина",
        "Жумабаев",
        "Усенова",
        "Ңурзат",
        "Ниязова",
        "Орозова",
        "Өмүрова",
    ]
    assert sorted(names, key=alphabetical) == [
        "Ёлкина",
        "Жумабаев",
        "Ниязова",
        "Ңурзат",
        "Орозова",
        "Өмүрова",
        "Усенова",
        "Үсөнбаева",
        "Федоров",
    ]


def test_workers_are_offered_alphabetically(sqlite_db: Database, sqlite_admin: Actor) -> None:
    for username, full_name in (
        ("usonbaeva", "Үсөнбаева Айзада"),
        ("yolkina", "Ёлкина Елена"),
        ("usenova", "Усенова Айгуль"),
        ("jumabaev", "Жумабаев Нурлан"),
    ):
        add_user(sqlite_db, sqlite_admin, username, full_name, "specialist", USER_PASSWORD)
    with sqlite_db.reading() as session:
        names = [choice.label for choice in worker_choices(session)]
    assert names == [  # the administrator has no cases
        "Ёлкина Елена",
        "Жумабаев Нурлан",
        "Усенова Айгуль",
        "Үсөнбаева Айзада",
    ]


def test_districts_are_offered_alphabetically(sqlite_db: Database) -> None:
    with sqlite_db.reading() as session:
        labels = [choice.label for choice in district_choices(session, "ky")]
    assert labels == sorted(labels, key=alphabetical)
    assert len(labels) > 40
