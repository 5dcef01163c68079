"""Checks of what people type: the ПИН, dates, and the person and household forms.

Pure functions, no database. Errors are :class:`FieldProblem` lists whose messages name
the field; a service raises :class:`ValidationFailed` with them and writes nothing.
Warnings have the same shape but never stop a save.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any

from models.errors import FieldProblem, ValidationFailed
from models.i18n import N_, Message, _
from models.orm import Household, Person

PIN_LENGTH = 14
PIN_SEX = {"1": "F", "2": "M"}
SEXES = ("F", "M")
EARLIEST_BIRTH_YEAR = 1900
ADULT_AGE = 18
DATE_FORMAT = "%d.%m.%Y"

_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ASCII_DIGITS = re.compile(r"^[0-9]*$")

FIELD_LABELS: dict[str, str] = {
    "last_name": N_("Last name"),
    "first_name": N_("First name"),
    "patronymic": N_("Patronymic"),
    "sex": N_("Sex"),
    "birth_date": N_("Date of birth"),
    "pin": N_("ПИН"),
    "birth_cert_series": N_("Birth certificate series"),
    "birth_cert_number": N_("Birth certificate number"),
    "birth_cert_date": N_("Birth certificate date"),
    "birth_cert_issuer": N_("Birth certificate issued by"),
    "citizenship": N_("Citizenship"),
    "district_id": N_("District"),
    "settlement_id": N_("Settlement"),
    "address_text": N_("Address"),
    "school": N_("School or kindergarten"),
    "school_class": N_("Class"),
    "disability_notes": N_("Disability notes"),
    "documents_notes": N_("Missing documents"),
    "languages": N_("Languages"),
    "phone": N_("Phone"),
    "occupation": N_("Occupation"),
    "migration_country": N_("Country of migration"),
    "housing": N_("Housing"),
    "members_count": N_("Number of members"),
}


def field_label(field: str) -> Message:
    """The translatable label of a form field (the attribute name itself if none is known)."""
    return _(FIELD_LABELS.get(field, field))


def format_date(day: date) -> str:
    """A date as people in Kyrgyzstan write it: ДД.ММ.ГГГГ."""
    return day.strftime(DATE_FORMAT)


def local_today() -> date:
    """Today's date on this computer's clock."""
    return datetime.now().astimezone().date()


def age_on(birth_date: date, day: date) -> int:
    """Completed years of age on *day* (a child born on 29 February turns a year older on 1 March)."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - int(before_birthday)


# --- ПИН ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PinInfo:
    """What a ПИН says: sex ('F' or 'M'), date of birth and the serial digits."""

    sex: str
    birth_date: date
    serial: str


def normalize_pin(pin: str) -> str:
    """The ПИН without the spaces people type between digit groups."""
    return "".join(pin.split())


def _pin_problem(message: Message, field: str) -> ValidationFailed:
    return ValidationFailed([FieldProblem(field, message)])


def parse_pin(pin: str, *, today: date | None = None, field: str = "pin") -> PinInfo:
    """Read sex and date of birth from a ПИН (DOMAIN.md §5); raises :class:`ValidationFailed`.

    14 digits: the first is 1 (female) or 2 (male), the next eight the date of birth as
    DDMMYYYY, the last five a serial. No checksum is documented, so none is checked.
    """
    digits = normalize_pin(pin)
    if not digits:
        raise _pin_problem(_("ПИН: required."), field)
    if not _ASCII_DIGITS.match(digits):
        raise _pin_problem(_("ПИН: only digits 0–9 are allowed."), field)
    if len(digits) != PIN_LENGTH:
        raise _pin_problem(
            _(
                "ПИН: must have {expected} digits; {count} were entered.",
                expected=PIN_LENGTH,
                count=len(digits),
            ),
            field,
        )
    sex = PIN_SEX.get(digits[0])
    if sex is None:
        raise _pin_problem(
            _("ПИН: the first digit must be 1 (female) or 2 (male), not {digit}.", digit=digits[0]), field
        )
    day, month, year = int(digits[1:3]), int(digits[3:5]), int(digits[5:9])
    try:
        birth_date = date(year, month, day)
    except ValueError:
        raise _pin_problem(
            _(
                "ПИН: digits 2–9 must be the date of birth as DDMMYYYY; {digits} is not a real date.",
                digits=digits[1:9],
            ),
            field,
        ) from None
    if year < EARLIEST_BIRTH_YEAR:
        raise _pin_problem(
            _(
                "ПИН: the date of birth {pin_date} in the ПИН is before {year}.",
                pin_date=format_date(birth_date),
                year=EARLIEST_BIRTH_YEAR,
            ),
            field,
        )
    if birth_date > (today or local_today()):
        raise _pin_problem(
            _(
                "ПИН: the date of birth {pin_date} in the ПИН is in the future.",
                pin_date=format_date(birth_date),
            ),
            field,
        )
    return PinInfo(sex=sex, birth_date=birth_date, serial=digits[9:])


# --- dates ----------------------------------------------------------------------------


def parse_date(text: str, field: str, label: Message | None = None) -> date:
    """A date typed as ДД.ММ.ГГГГ (or Д.М.ГГГГ, or ISO ГГГГ-ММ-ДД); raises :class:`ValidationFailed`.

    The problem carries *field* and names the field by *label* (default: its known label).
    """
    name = label if label is not None else field_label(field)
    value = text.strip()
    dotted = _DOTTED_DATE.match(value)
    iso = None if dotted else _ISO_DATE.match(value)
    if dotted:
        day, month, year = (int(g) for g in dotted.groups())
    elif iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        raise ValidationFailed(
            [
                FieldProblem(
                    field, _("{field}: enter the date as DD.MM.YYYY, for example 01.09.2015.", field=name)
                )
            ]
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationFailed(
            [FieldProblem(field, _("{field}: {text} is not a real date.", field=name, text=value))]
        ) from None


def parse_optional_date(text: str | None, field: str, label: Message | None = None) -> date | None:
    """Like :func:`parse_date`, but an empty field is no date."""
    if text is None or not text.strip():
        return None
    return parse_date(text, field, label)


# --- people ---------------------------------------------------------------------------


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    stripped = value.strip()
    return stripped or None


def _clean_name(value: str | None) -> str | None:
    cleaned = _clean(value)
    return " ".join(cleaned.split()) if cleaned else None


@dataclass(frozen=True)
class PersonInput:
    """What a person form edits: the columns of :class:`models.orm.Person` that people type."""

    last_name: str = ""
    first_name: str = ""
    patronymic: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    pin: str | None = None
    pin_verified: bool = False
    birth_cert_series: str | None = None
    birth_cert_number: str | None = None
    birth_cert_date: date | None = None
    birth_cert_issuer: str | None = None
    citizenship: str | None = None
    district_id: uuid.UUID | None = None
    settlement_id: uuid.UUID | None = None
    address_text: str | None = None
    school: str | None = None
    school_class: str | None = None
    disability: bool = False
    disability_notes: str | None = None
    documents_missing: bool = False
    documents_notes: str | None = None
    languages: str | None = None
    phone: str | None = None
    occupation: str | None = None
    in_migration: bool = False
    migration_country: str | None = None
    notes: str | None = None
    is_child: bool = True

    def normalized(self) -> PersonInput:
        """Surrounding spaces dropped, blank text as no value, the ПИН without spaces, sex upper-case."""
        changes: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                changes[f.name] = _clean_name(value) if f.name in _NAME_FIELDS else _clean(value)
        changes["last_name"] = changes["last_name"] or ""
        changes["first_name"] = changes["first_name"] or ""
        if self.pin is not None:
            changes["pin"] = normalize_pin(self.pin) or None
        if isinstance(changes.get("sex"), str):
            changes["sex"] = str(changes["sex"]).upper()
        return replace(self, **changes)

    @classmethod
    def of(cls, person: Person) -> PersonInput:
        """The form values of a stored person."""
        return cls(**{name: getattr(person, name) for name in PERSON_FIELDS})


PERSON_FIELDS = tuple(f.name for f in fields(PersonInput))
_NAME_FIELDS = {"last_name", "first_name", "patronymic"}


def complete_from_pin(data: PersonInput, *, today: date | None = None) -> PersonInput:
    """*data* with sex and date of birth taken from a valid ПИН where they were left empty."""
    if not data.pin or (data.sex and data.birth_date):
        return data
    try:
        info = parse_pin(data.pin, today=today)
    except ValidationFailed:
        return data
    return replace(data, sex=data.sex or info.sex, birth_date=data.birth_date or info.birth_date)


def _max_length(column: str, table: type[Person] | type[Household] = Person) -> int | None:
    return getattr(table.__table__.c[column].type, "length", None)


def _length_problems(
    data: object, names: tuple[str, ...], table: type[Person] | type[Household]
) -> list[FieldProblem]:
    problems = []
    for name in names:
        value = getattr(data, name)
        limit = _max_length(name, table)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            problems.append(
                FieldProblem(
                    name,
                    _(
                        "{field}: at most {limit} characters ({count} entered).",
                        field=field_label(name),
                        limit=limit,
                        count=len(value),
                    ),
                )
            )
    return problems


def _sex_label(sex: str) -> Message:
    return _("female") if sex == "F" else _("male")


def _pin_agreement(data: PersonInput, info: PinInfo) -> list[FieldProblem]:
    problems = []
    if data.birth_date is not None and data.birth_date != info.birth_date:
        problems.append(
            FieldProblem(
                "pin",
                _(
                    "ПИН: the date {pin_date} in the ПИН does not match the date of birth {birth_date}.",
                    pin_date=format_date(info.birth_date),
                    birth_date=format_date(data.birth_date),
                ),
            )
        )
    if data.sex in SEXES and data.sex != info.sex:
        problems.append(
            FieldProblem(
                "pin",
                _(
                    "ПИН: the first digit {digit} means {pin_sex}, but the sex is given as {sex}.",
                    digit=data.pin[0] if data.pin else "",
                    pin_sex=_sex_label(info.sex),
                    sex=_sex_label(data.sex),
                ),
            )
        )
    return problems


def _birth_date_problems(
    data: PersonInput, birth_date: date, today: date, registered_on: date
) -> list[FieldProblem]:
    problems = []
    if birth_date > today:
        problems.append(FieldProblem("birth_date", _("Date of birth: cannot be in the future.")))
    elif birth_date.year < EARLIEST_BIRTH_YEAR:
        problems.append(
            FieldProblem("birth_date", _("Date of birth: cannot be before {year}.", year=EARLIEST_BIRTH_YEAR))
        )
    elif data.is_child and age_on(birth_date, registered_on) >= ADULT_AGE:
        problems.append(
            FieldProblem(
                "birth_date",
                _(
                    "Date of birth: on {date} the child is already {age} years old; "
                    "a child must be under 18. Register an adult instead.",
                    date=format_date(registered_on),
                    age=age_on(birth_date, registered_on),
                ),
            )
        )
    return problems


def validate_person(
    data: PersonInput, *, today: date, registered_on: date | None = None
) -> list[FieldProblem]:
    """The errors in a person form (empty list: it may be saved).

    *registered_on* is the day the person was first registered (today for a new one): a
    child must be under 18 on that day, so a record stays editable after the birthday.
    """
    data = data.normalized()
    registered_on = registered_on or today
    problems: list[FieldProblem] = []
    if not data.last_name:
        problems.append(FieldProblem("last_name", _("Last name: required.")))
    if not data.first_name:
        problems.append(FieldProblem("first_name", _("First name: required.")))
    if data.sex is not None and data.sex not in SEXES:
        problems.append(FieldProblem("sex", _("Sex: choose female or male.")))
    info: PinInfo | None = None
    if data.pin:
        try:
            info = parse_pin(data.pin, today=today)
        except ValidationFailed as exc:
            problems += exc.problems
    elif data.pin_verified:
        problems.append(FieldProblem("pin", _("ПИН: marked as verified, but no ПИН is entered.")))
    if data.birth_date is not None:
        problems += _birth_date_problems(data, data.birth_date, today, registered_on)
    elif info is not None:
        problems += _birth_date_problems(data, info.birth_date, today, registered_on)
    if info is not None:
        problems += _pin_agreement(data, info)
    if data.birth_cert_date is not None:
        if data.birth_cert_date > today:
            problems.append(
                FieldProblem("birth_cert_date", _("Birth certificate date: cannot be in the future."))
            )
        elif data.birth_date is not None and data.birth_cert_date < data.birth_date:
            problems.append(
                FieldProblem(
                    "birth_cert_date",
                    _(
                        "Birth certificate date: {cert_date} is before the date of birth {birth_date}.",
                        cert_date=format_date(data.birth_cert_date),
                        birth_date=format_date(data.birth_date),
                    ),
                )
            )
    problems += _length_problems(data, PERSON_FIELDS, Person)
    return problems


def person_warnings(data: PersonInput, *, today: date) -> list[FieldProblem]:
    """Things worth a second look that do not stop a save."""
    data = data.normalized()
    warnings: list[FieldProblem] = []
    if data.is_child and data.birth_date is None and not data.pin:
        warnings.append(
            FieldProblem("birth_date", _("Date of birth: not entered, so the child's age cannot be checked."))
        )
    if data.migration_country and not data.in_migration:
        warnings.append(
            FieldProblem(
                "migration_country",
                _(
                    "Country of migration: entered, but the person is not marked as "
                    "being in labour migration."
                ),
            )
        )
    return warnings


def check_person(data: PersonInput, *, today: date, registered_on: date | None = None) -> list[FieldProblem]:
    """Raise :class:`ValidationFailed` for errors; otherwise return the warnings."""
    problems = validate_person(data, today=today, registered_on=registered_on)
    if problems:
        raise ValidationFailed(problems)
    return person_warnings(data, today=today)


# --- households -----------------------------------------------------------------------


@dataclass(frozen=True)
class HouseholdInput:
    """What a household form edits."""

    district_id: uuid.UUID | None = None
    settlement_id: uuid.UUID | None = None
    address_text: str | None = None
    housing: str | None = None
    income_sources: str | None = None
    benefits: str | None = None
    members_count: int | None = None
    notes: str | None = None

    def normalized(self) -> HouseholdInput:
        return replace(
            self,
            address_text=_clean(self.address_text),
            housing=_clean(self.housing),
            income_sources=_clean(self.income_sources),
            benefits=_clean(self.benefits),
            notes=_clean(self.notes),
        )


HOUSEHOLD_FIELDS = tuple(f.name for f in fields(HouseholdInput))


def validate_household(data: HouseholdInput) -> list[FieldProblem]:
    data = data.normalized()
    problems: list[FieldProblem] = []
    if data.members_count is not None and not 0 < data.members_count <= 100:
        problems.append(FieldProblem("members_count", _("Number of members: between 1 and 100.")))
    problems += _length_problems(data, HOUSEHOLD_FIELDS, Household)
    return problems
