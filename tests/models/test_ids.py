"""Record ids: time-ordered version 6 UUIDs, unique and increasing, one clock sequence and node per run."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from models.database import Database
from models.ids import GREGORIAN_OFFSET, new_id
from models.orm import Person

from tests.models.helpers import add_child


def test_ids_are_version_6_and_increase_in_the_order_they_are_made() -> None:
    made = [new_id() for _ in range(50_000)]
    assert {(i.version, i.variant) for i in made} == {(6, uuid.RFC_4122)}
    assert len(set(made)) == len(made)
    assert made == sorted(made)  # also as text: the order of the primary-key index
    assert [str(i) for i in made] == sorted(str(i) for i in made)


def test_an_id_says_when_it_was_made() -> None:
    before = time.time()
    value = new_id().int
    ticks = ((value >> 80) << 12) | ((value >> 64) & 0xFFF)  # time_high, time_mid, then time_low
    made = (ticks - GREGORIAN_OFFSET) / 10_000_000
    assert before - 0.001 <= made <= time.time() + 0.001


def test_the_ids_of_one_run_share_their_node_and_another_run_gets_another() -> None:
    first, second = new_id(), new_id()
    assert str(first)[19:] == str(second)[19:]  # clock sequence and node: what compression finds again
    new_id.renew()
    third = new_id()
    assert str(third)[19:] != str(second)[19:] and third > second


def test_a_registered_child_gets_a_time_ordered_id(db: Database, tmp_path: Path) -> None:
    child_id = add_child(db)
    with db.reading() as session:
        person = session.get(Person, child_id)
        assert person is not None and person.id.version == 6
