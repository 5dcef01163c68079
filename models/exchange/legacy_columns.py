"""The fields a legacy register can fill, and the column headers offices use for them (Russian, Kyrgyz).

A header matches a field when the two are equal after :func:`header_key` (case, ё/е, spaces
and punctuation ignored), so «Дата  рождения», «дата рождения:» and «ДАТА РОЖДЕНИЯ» all match.
"""

from __future__ import annotations

import re

from models.i18n import N_
from models.validation import FIELD_LABELS

REGISTERS = ("children", "households", "reports")

REGISTER_LABELS = {
    "children": N_("Children"),
    "households": N_("Households"),
    "reports": N_("Reports"),
}


def _known(*fields: str) -> dict[str, str]:
    """The labels the record forms already give these fields."""
    return {field: FIELD_LABELS[field] for field in fields}


# register -> field -> label, in the order the preview shows them.
FIELDS: dict[str, dict[str, str]] = {
    "children": {
        "full_name": N_("Full name (last, first, patronymic)"),
        **_known(
            "last_name",
            "first_name",
            "patronymic",
            "sex",
            "birth_date",
            "pin",
            "birth_cert_series",
            "birth_cert_number",
            "birth_cert_date",
            "citizenship",
        ),
        "district": FIELD_LABELS["district_id"],
        **_known(
            "address_text",
            "school",
            "school_class",
            "disability_notes",
            "documents_notes",
            "languages",
            "phone",
        ),
        "notes": N_("Notes"),
    },
    "households": {
        "district": FIELD_LABELS["district_id"],
        **_known("address_text", "housing"),
        "income_sources": N_("Income sources"),
        "benefits": N_("Benefits"),
        **_known("members_count"),
        "notes": N_("Notes"),
        "head_full_name": N_("Head of the family: full name"),
        "head_last_name": N_("Head of the family: last name"),
        "head_first_name": N_("Head of the family: first name"),
        "head_patronymic": N_("Head of the family: patronymic"),
        "head_birth_date": N_("Head of the family: date of birth"),
        "head_pin": N_("Head of the family: ПИН"),
        "head_phone": N_("Head of the family: phone"),
        "head_relation": N_("Head of the family: relation to the children"),
        "children": N_("Children of the family"),
    },
    "reports": {
        "received_at": N_("Date received"),
        "received_time": N_("Time received"),
        "source": N_("Source"),
        "channel": N_("Channel"),
        "reporter_name": N_("Reporter"),
        "reporter_contact": N_("Reporter's contact"),
        "reporter_agency": N_("Reporter's agency"),
        "anonymous": N_("Anonymous"),
        "concern": N_("Concern"),
        "urgent": N_("Urgent"),
        "categories": N_("Categories"),
        "child_full_name": N_("Child's full name"),
        "child_last_name": N_("Child's last name"),
        "child_first_name": N_("Child's first name"),
        "child_patronymic": N_("Child's patronymic"),
        "child_birth_date": N_("Child's date of birth"),
        "child_pin": N_("Child's ПИН"),
    },
}

DATE_FIELDS = frozenset(
    {"birth_date", "birth_cert_date", "received_at", "child_birth_date", "head_birth_date"}
)

_PERSON_HEADERS: dict[str, tuple[str, ...]] = {
    "full_name": (
        "ФИО",
        "Ф.И.О.",
        "ФИО ребенка",
        "Фамилия имя отчество",
        "Аты-жөнү",
        "Аты жөнү",
        "Баланын аты-жөнү",
    ),
    "last_name": ("Фамилия", "Фамилиясы", "Фамилия ребенка"),
    "first_name": ("Имя", "Аты", "Имя ребенка", "Баланын аты"),
    "patronymic": ("Отчество", "Атасынын аты", "Отчество ребенка"),
    "sex": ("Пол", "Жынысы", "Жыныс"),
    "birth_date": ("Дата рождения", "Туулган күнү", "Туулган датасы", "Д.р.", "Дата рожд."),
    "pin": ("ПИН", "ИНН", "ЖИН", "Персональный идентификационный номер", "ПИН ребенка"),
}

HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "children": {
        **_PERSON_HEADERS,
        "birth_cert_series": ("Серия свидетельства", "Серия св-ва", "Күбөлүктүн сериясы"),
        "birth_cert_number": ("Номер свидетельства", "№ свидетельства", "Номер св-ва", "Күбөлүктүн номери"),
        "birth_cert_date": ("Дата выдачи свидетельства", "Дата свидетельства", "Күбөлүк берилген күнү"),
        "citizenship": ("Гражданство", "Жарандыгы"),
        "district": ("Район", "Району", "Район (город)"),
        "address_text": ("Адрес", "Дареги", "Адрес проживания", "Жашаган дареги"),
        "school": ("Школа", "Мектеп", "Школа/детский сад", "Учебное заведение", "Окуу жайы"),
        "school_class": ("Класс", "Классы"),
        "disability_notes": ("Инвалидность", "ОВЗ", "Майыптуулугу"),
        "documents_notes": ("Отсутствующие документы", "Нет документов", "Документтери жок"),
        "languages": ("Язык", "Языки", "Тили"),
        "phone": ("Телефон", "Тел.", "Контактный телефон"),
        "notes": ("Примечание", "Примечания", "Эскертүү"),
    },
    "households": {
        "district": ("Район", "Району"),
        "address_text": ("Адрес", "Дареги", "Адрес семьи", "Үй-бүлөнүн дареги"),
        "housing": ("Жилье", "Жилищные условия", "Турак жайы"),
        "income_sources": ("Источники дохода", "Доход", "Киреше булагы"),
        "benefits": ("Пособия", "Льготы", "Жөлөкпулдар"),
        "members_count": (
            "Количество членов семьи",
            "Состав семьи",
            "Кол-во членов",
            "Үй-бүлө мүчөлөрүнүн саны",
        ),
        "notes": ("Примечание", "Примечания", "Эскертүү"),
        "head_full_name": (
            "ФИО главы семьи",
            "Глава семьи",
            "ФИО родителя",
            "ФИО родителя (законного представителя)",
            "ФИО законного представителя",
            "Законный представитель",
            "Үй-бүлө башчысы",
            "Үй-бүлө башчысынын аты-жөнү",
            "Ата-эненин аты-жөнү",
            "Мыйзамдуу өкүлү",
        ),
        "head_last_name": ("Фамилия", "Фамилия главы семьи", "Фамилиясы"),
        "head_first_name": ("Имя", "Имя главы семьи", "Аты"),
        "head_patronymic": ("Отчество", "Отчество главы семьи", "Атасынын аты"),
        "head_birth_date": ("Дата рождения", "Дата рождения главы семьи", "Туулган күнү"),
        "head_pin": ("ПИН", "ИНН", "ЖИН", "ПИН главы семьи", "ПИН родителя"),
        "head_phone": ("Телефон", "Тел.", "Контактный телефон", "Байланыш телефону"),
        "head_relation": (
            "Родство",
            "Степень родства",
            "Кем приходится ребенку",
            "Кем приходится",
            "Тууганчылыгы",
        ),
        "children": ("Дети", "ФИО детей", "Дети в семье", "Балдары", "Балдардын аты-жөнү"),
    },
    "reports": {
        "received_at": ("Дата поступления", "Дата", "Дата сообщения", "Дата обращения", "Келип түшкөн күнү"),
        "received_time": ("Время", "Время поступления", "Убактысы"),
        "source": ("Источник", "Источник сообщения", "Булагы"),
        "channel": ("Канал", "Способ поступления", "Каналы"),
        "reporter_name": ("Заявитель", "ФИО заявителя", "Кабарлоочу", "Арыз ээси"),
        "reporter_contact": ("Контакт заявителя", "Телефон заявителя", "Байланыш"),
        "reporter_agency": ("Организация", "Организация заявителя", "Уюм"),
        "anonymous": ("Анонимно", "Аноним", "Анонимдүү"),
        "concern": ("Суть сообщения", "Содержание", "Суть обращения", "Кабардын маңызы"),
        "urgent": ("Срочно", "Срочность", "Шашылыш"),
        "categories": ("Категория", "Категории", "Категориясы", "Категория ТЖС"),
        "child_full_name": ("ФИО ребенка", "Баланын аты-жөнү", "Ребенок"),
        "child_last_name": ("Фамилия", "Фамилия ребенка", "Фамилиясы"),
        "child_first_name": ("Имя", "Имя ребенка", "Аты"),
        "child_patronymic": ("Отчество", "Атасынын аты"),
        "child_birth_date": ("Дата рождения", "Дата рождения ребенка", "Туулган күнү"),
        "child_pin": ("ПИН", "ПИН ребенка", "ИНН", "ЖИН"),
    },
}

_NOT_WORD = re.compile(r"[\W_]+")


def header_key(text: str) -> str:
    """A header reduced for comparison: case-folded, ё as е, words joined by single spaces."""
    return " ".join(_NOT_WORD.sub(" ", text.casefold().replace("ё", "е")).split())


def _index(register: str) -> dict[str, str]:
    return {header_key(alias): field for field, aliases in HEADERS[register].items() for alias in aliases}


_INDEXES = {register: _index(register) for register in REGISTERS}


def field_for_header(register: str, header: str) -> str | None:
    """The field of *register* that a column titled *header* most likely holds, or None."""
    return _INDEXES[register].get(header_key(header))
