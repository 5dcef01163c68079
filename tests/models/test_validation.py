"""ПИН, dates and the person form: what is refused, what is warned, and what the messages say."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.errors import ValidationFailed
from models.validation import (
    HouseholdInput,
    PersonInput,
    age_on,
    complete_from_pin,
    format_date,
    parse_date,
    parse_optional_date,
    parse_pin,
    person_warnings,
    validate_household,
    validate_person,
)

TODAY = date(2025, 6, 15)
VALID_PIN = "22212200001155"  # DOMAIN.md §5: male, born 22.12.2000


def pin_problem(pin: str, today: date = TODAY) -> str:
    with pytest.raises(ValidationFailed) as caught:
        parse_pin(pin, today=today)
    [problem] = caught.value.problems
    assert problem.field == "pin"
    text = problem.render("en")
    assert text.startswith("ПИН:")
    return text


def child(**values: object) -> PersonInput:
    base: dict[str, object] = {"last_name": "Асанова", "first_name": "Айгерим"}
    base.update(values)
    return PersonInput(**base)  # type: ignore[arg-type]


def problems_of(data: PersonInput, registered_on: date | None = None) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in validate_person(data, today=TODAY, registered_on=registered_on):
        found.setdefault(problem.field, []).append(problem.render("en"))
    return found


# --- ПИН ------------------------------------------------------------------------------


def test_the_documented_pin_is_a_man_born_on_22_12_2000():
    info = parse_pin(VALID_PIN, today=TODAY)
    assert (info.sex, info.birth_date, info.serial) == ("M", date(2000, 12, 22), "01155")


def test_first_digit_1_is_female():
    assert parse_pin("10503201512345", today=TODAY).sex == "F"


def test_spaces_typed_between_digit_groups_are_ignored():
    assert parse_pin(" 2 22122000 01155 ", today=TODAY).birth_date == date(2000, 12, 22)


@pytest.mark.parametrize("pin", ["2221220000115", "222122000011555", "2"])
def test_wrong_length_is_refused_with_the_count(pin: str):
    text = pin_problem(pin)
    assert "14" in text
    assert str(len(pin)) in text


@pytest.mark.parametrize("pin", ["2221220000115A", "22212-200001155", "２２２１２２００００１１５５"])
def test_anything_but_ascii_digits_is_refused(pin: str):
    assert "digits" in pin_problem(pin)


def test_first_digit_other_than_1_or_2_is_refused():
    text = pin_problem("32212200001155")
    assert "first digit" in text
    assert "3" in text


@pytest.mark.parametrize("pin", ["23102201500001", "20001201500001", "21513201500001", "22902201900001"])
def test_impossible_dates_are_refused(pin: str):
    assert "not a real date" in pin_problem(pin)


def test_29_february_of_a_leap_year_is_a_date():
    assert parse_pin("12902201600001", today=TODAY).birth_date == date(2016, 2, 29)


def test_a_date_in_the_future_is_refused():
    tomorrow = TODAY + timedelta(days=1)
    text = pin_problem(f"1{tomorrow:%d%m%Y}00001")
    assert "future" in text
    assert format_date(tomorrow) in text


def test_a_date_before_1900_is_refused():
    assert "1900" in pin_problem("11501189900001")


def test_empty_pin_is_required():
    assert "required" in pin_problem("   ")


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sex=st.sampled_from(["F", "M"]),
    serial=st.integers(min_value=0, max_value=99999),
)
def test_every_pin_made_from_a_date_and_sex_parses_back(born: date, sex: str, serial: int):
    pin = f"{'1' if sex == 'F' else '2'}{born:%d%m%Y}{serial:05d}"
    info = parse_pin(pin, today=TODAY)
    assert (info.sex, info.birth_date, info.serial) == (sex, born, f"{serial:05d}")


# --- dates ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["01.09.2015", "1.9.2015", " 01.9.2015 ", "2015-09-01"])
def test_dates_are_read_as_day_month_year(text: str):
    assert parse_date(text, "birth_date") == date(2015, 9, 1)


@pytest.mark.parametrize("text", ["09/01/2015", "1.9.15", "завтра", ""])
def test_unreadable_dates_name_the_field_and_the_format(text: str):
    with pytest.raises(ValidationFailed) as caught:
        parse_date(text, "birth_date")
    [problem] = caught.value.problems
    assert problem.field == "birth_date"
    assert problem.render("en") == "Date of birth: enter the date as DD.MM.YYYY, for example 01.09.2015."


def test_an_impossible_date_is_named_as_typed():
    with pytest.raises(ValidationFailed) as caught:
        parse_date("31.02.2015", "birth_cert_date")
    assert caught.value.problems[0].render("en") == "Birth certificate date: 31.02.2015 is not a real date."


def test_an_empty_optional_date_is_none():
    assert parse_optional_date("  ", "birth_date") is None
    assert parse_optional_date("05.03.2020", "birth_date") == date(2020, 3, 5)


def test_age_counts_completed_years():
    assert age_on(date(2007, 6, 16), TODAY) == 17
    assert age_on(date(2007, 6, 15), TODAY) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


# --- the person form ------------------------------------------------------------------


def test_a_complete_child_is_valid():
    data = child(sex="F", birth_date=date(2015, 2, 1), pin="10102201500001", patronymic="Бакытовна")
    assert validate_person(data, today=TODAY) == []


def test_last_and_first_name_are_required():
    found = problems_of(PersonInput(last_name="  ", first_name=""))
    assert found["last_name"] == ["Last name: required."]
    assert found["first_name"] == ["First name: required."]


def test_sex_must_be_female_or_male():
    assert problems_of(child(sex="X"))["sex"] == ["Sex: choose female or male."]
    assert problems_of(child(sex="f")) == {}


def test_birth_date_in_the_future_is_refused():
    found = problems_of(child(birth_date=TODAY + timedelta(days=1)))
    assert found["birth_date"] == ["Date of birth: cannot be in the future."]


def test_birth_date_before_1900_is_refused():
    assert problems_of(child(birth_date=date(1899, 12, 31), is_child=False))["birth_date"] == [
        "Date of birth: cannot be before 1900."
    ]


def test_a_child_aged_18_is_refused():
    [text] = problems_of(child(birth_date=date(2007, 6, 15)))["birth_date"]
    assert text.startswith("Date of birth:")
    assert "15.06.2025" in text
    assert "18" in text


def test_a_child_one_day_short_of_18_is_accepted():
    assert problems_of(child(birth_date=date(2007, 6, 16))) == {}


def test_an_adult_may_be_any_age():
    assert problems_of(child(birth_date=date(1970, 1, 1), is_child=False)) == {}


def test_age_is_checked_on_the_registration_date():
    born = date(2006, 1, 1)  # 19 today, 17 when registered
    assert "birth_date" in problems_of(child(birth_date=born))
    assert problems_of(child(birth_date=born), registered_on=date(2023, 12, 31)) == {}


def test_the_age_of_a_child_is_checked_from_the_pin_when_no_birth_date_is_given():
    assert "birth_date" in problems_of(child(pin=VALID_PIN))


def test_an_invalid_pin_is_reported_on_the_pin_field():
    [text] = problems_of(child(pin="2221220000115"))["pin"]
    assert text.startswith("ПИН:")


def test_a_birth_date_that_differs_from_the_pin_names_both_fields_and_dates():
    [text] = problems_of(child(pin="10102201500001", birth_date=date(2015, 2, 2)))["pin"]
    assert "ПИН" in text
    assert "date of birth" in text
    assert "01.02.2015" in text
    assert "02.02.2015" in text


def test_a_sex_that_differs_from_the_pin_names_both_fields():
    [text] = problems_of(child(pin="10102201500001", sex="M"))["pin"]
    assert text == "ПИН: the first digit 1 means female, but the sex is given as male."


def test_a_verified_flag_needs_a_pin():
    assert problems_of(child(pin_verified=True))["pin"] == ["ПИН: marked as verified, but no ПИН is entered."]


def test_birth_certificate_cannot_predate_birth():
    [text] = problems_of(child(birth_date=date(2015, 2, 1), birth_cert_date=date(2015, 1, 1)))[
        "birth_cert_date"
    ]
    assert text.startswith("Birth certificate date:")


def test_overlong_text_names_the_field_and_the_limit():
    [text] = problems_of(child(school_class="1" * 21))["school_class"]
    assert text == "Class: at most 20 characters (21 entered)."


def test_messages_render_in_russian_without_losing_the_field():
    [problem] = validate_person(child(birth_date=TODAY + timedelta(days=1)), today=TODAY)
    assert problem.field == "birth_date"
    assert problem.render("ru")  # Russian once the catalog has it; the English source until then


def test_the_form_is_cleaned_before_saving():
    data = PersonInput(
        last_name="  Асанова  ",
        first_name="Айгерим ",
        patronymic=" ",
        sex="f",
        pin="1 0102 2015 00001",
        school="",
    ).normalized()
    assert (data.last_name, data.first_name, data.patronymic) == ("Асанова", "Айгерим", None)
    assert (data.sex, data.pin, data.school) == ("F", "10102201500001", None)


def test_sex_and_birth_date_are_taken_from_the_pin_when_empty():
    filled = complete_from_pin(child(pin="10102201500001"), today=TODAY)
    assert (filled.sex, filled.birth_date) == ("F", date(2015, 2, 1))


def test_what_was_typed_is_never_overwritten_from_the_pin():
    typed = child(pin="10102201500001", sex="M", birth_date=date(2015, 2, 2))
    assert complete_from_pin(typed, today=TODAY) == typed


def test_a_child_without_any_birth_date_is_a_warning_not_an_error():
    data = child()
    assert validate_person(data, today=TODAY) == []
    assert [w.field for w in person_warnings(data, today=TODAY)] == ["birth_date"]


def test_household_member_count_is_checked():
    assert [p.field for p in validate_household(HouseholdInput(members_count=0))] == ["members_count"]
    assert validate_household(HouseholdInput(members_count=5, address_text=" с. Сокулук ")) == []
