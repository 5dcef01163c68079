"""Name keys: Kyrgyz, Russian and passport-Latin spellings of one name meet in one key."""

from __future__ import annotations

import string

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from models.names import full_name, name_key, query_keys

KYRGYZ_AND_RUSSIAN = "абвгдеёжзийклмнңоөпрстуүфхцчшщъыьэюя"
NAME_ALPHABET = KYRGYZ_AND_RUSSIAN + KYRGYZ_AND_RUSSIAN.upper() + string.ascii_letters + " -'"


@pytest.mark.parametrize(
    "spellings",
    [
        ("Үсөнбаева", "usonbaeva", "Усонбаева", "USONBAEVA"),
        ("Ёлкин", "елкин", "Елкин"),
        ("Ңурзат", "Нурзат", "Nurzat"),
        ("Usenova", "Усенова"),
        ("Жумабаев", "Zhumabaev", "жумабаев"),
        ("Елена", "Yelena", "Elena"),
    ],
)
def test_spellings_of_one_name_share_a_key(spellings: tuple[str, ...]):
    assert len({name_key(s) for s in spellings}) == 1


def test_kyrgyz_letters_fold_to_their_base_letters():
    assert name_key("Ңурзат") == "nurzat"
    assert name_key("Үсөнбаева") == "usonbaeva"


def test_different_names_keep_different_keys():
    assert name_key("Усенова") != name_key("Усонова")
    assert name_key("Асанов") != name_key("Асанова")


def test_nothing_gives_an_empty_key():
    assert name_key(None) == ""
    assert name_key("  -- ") == ""


def test_full_name_and_query_keys_skip_empty_parts():
    assert full_name("Үсөнбаева", "Ңурзат", None) == "Үсөнбаева Ңурзат"
    assert query_keys("Usonbaeva,  Нурзат ;") == ["usonbaeva", "nurzat"]


@given(st.text(alphabet=NAME_ALPHABET, max_size=30) | st.text(max_size=30))
def test_keys_are_lower_case_latin_letters_only(name: str):
    assert set(name_key(name)) <= set(string.ascii_lowercase)


@given(st.text(alphabet=NAME_ALPHABET, max_size=30))
@example("к-х")
@example("з-х")
@example("ииe")
@example("kkh")
def test_a_key_is_its_own_key(name: str):
    key = name_key(name)
    assert name_key(key) == key
