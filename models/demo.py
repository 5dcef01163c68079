"""A realistic demo office: deterministic for a seed and a reference date.

Kyrgyz and Russian names (a few in passport Latin), households with parents, grandparents
and siblings, reports, cases in every status with assessments, plans, referrals and
visits, КДД meetings with decisions, closures, and a few probable duplicates. Rows are
made as tuples a few thousand children at a time and written with bulk inserts (the ORM
per object would take minutes at 100,000 children; on SQLite the secondary indexes are
built once at the end), with their change-log rows and one audit entry, in one transaction.
"""

from __future__ import annotations

import functools
import random
import time
import uuid
from bisect import bisect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from itertools import accumulate
from typing import Any

from sqlalchemy import Boolean, Date, Table, Uuid, bindparam, insert, literal, select, update
from sqlalchemy.orm import Session

from models import names, register_index
from models.base import UTCDateTime
from models.database import Database
from models.errors import PermissionDenied
from models.i18n import _
from models.ids import id_tail, id_value, ticks_of
from models.orm import (
    AssessmentDomain,
    Base,
    Case,
    ChangeLogEntry,
    ChildRegisterEntry,
    Closure,
    ComprehensiveAssessment,
    Household,
    HouseholdMember,
    HousingAct,
    InitialAssessment,
    KddAgendaItem,
    KddDecision,
    KddMeeting,
    KddMember,
    NumberCounter,
    Organisation,
    Person,
    Plan,
    PlanAction,
    PlanGoal,
    PlanReview,
    Referral,
    Report,
    Visit,
    case_categories,
    closure_outcomes,
    report_categories,
    report_children,
)
from models.permissions import Permission
from models.reference import reference_id as _reference_id
from models.services.base import SYSTEM, audit, unit_of_work
from models.services.office import OfficeDetails, _validate, _write_details
from models.services.users import add_user_in
from models.settings import office_is_set_up

reference_id = functools.cache(_reference_id)

DEFAULT_DISTRICT = "41708222"  # Сокулукский район

DEMO_USERS = [
    # username, full name, role, password
    ("admin", "Токтогулов Бакыт Асанович", "administrator", "demo-admin-1"),
    ("head", "Асанова Гүлнара Маратовна", "head", "demo-head-1"),
    ("aizada", "Үсөнбаева Айзада Кубанычбековна", "specialist", "demo-spec-1"),
    ("elena", "Ёлкина Елена Викторовна", "specialist", "demo-spec-2"),
    ("nurlan", "Жумабаев Нурлан Талантбекович", "specialist", "demo-spec-3"),
    ("cholpon", "Осмонова Чолпон Бакытовна", "social_worker", "demo-sw-1"),
    ("ruslan", "Мамытов Руслан Эркинович", "social_worker", "demo-sw-2"),
    ("secretary", "Сыдыкова Нургүл Өмүрбековна", "kdd_secretary", "demo-kdd-1"),
    ("viewer", "Ким Ольга Сергеевна", "read_only", "demo-view-1"),
]

KY_SURNAME_ROOTS = [
    "Асан",
    "Үсөнба",
    "Жумаба",
    "Токтогул",
    "Осмон",
    "Мамыт",
    "Сыдык",
    "Абдыкадыр",
    "Бейшена",
    "Эсенгул",
    "Таштан",
    "Кадыр",
    "Өмүрба",
    "Сатыба",
    "Турдуба",
    "Нурма",
    "Акмата",
    "Көчкөнба",
    "Исма",
    "Жээнбек",
    "Мырзакмат",
    "Чолпонкул",
    "Түгөлба",
    "Ормон",
    "Алымкул",
    "Бообек",
    "Сагынба",
    "Шаршенба",
    "Дүйшөнба",
    "Курманба",
    "Ибраим",
    "Төлөгөн",
    "Аманкул",
    "Качкынба",
    "Ңоокат",
]
RU_SURNAMES = [
    ("Иванов", "Иванова"),
    ("Ким", "Ким"),
    ("Петренко", "Петренко"),
    ("Ёлкин", "Ёлкина"),
    ("Смирнов", "Смирнова"),
    ("Кузнецов", "Кузнецова"),
    ("Шевченко", "Шевченко"),
    ("Цой", "Цой"),
    ("Волков", "Волкова"),
    ("Фёдоров", "Фёдорова"),
    ("Соколов", "Соколова"),
    ("Пак", "Пак"),
]
KY_MALE = [
    "Бакыт",
    "Нурлан",
    "Азамат",
    "Эрлан",
    "Тилек",
    "Бекзат",
    "Айбек",
    "Эмир",
    "Нурсултан",
    "Жоомарт",
    "Актан",
    "Адилет",
    "Байэл",
    "Өмүрбек",
    "Темирлан",
    "Нурбол",
    "Үмүт",
    "Эльдияр",
    "Арген",
    "Бектур",
    "Дастан",
    "Жанболот",
    "Курманбек",
    "Алинур",
    "Мирлан",
    "Ислам",
]
KY_FEMALE = [
    "Айзада",
    "Нургүл",
    "Ңурзат",
    "Айпери",
    "Бегимай",
    "Жазгүл",
    "Чолпон",
    "Гүлнара",
    "Асель",
    "Айбийке",
    "Элнура",
    "Мээрим",
    "Нурай",
    "Айдана",
    "Сезим",
    "Жибек",
    "Өмүркан",
    "Үмүтай",
    "Каныкей",
    "Акмөөр",
    "Бүбүсара",
    "Айгерим",
    "Нуриза",
    "Аруузат",
    "Толгонай",
]
RU_MALE = [
    "Александр",
    "Артём",
    "Дмитрий",
    "Максим",
    "Иван",
    "Сергей",
    "Никита",
    "Кирилл",
    "Виктор",
    "Андрей",
    "Фёдор",
    "Егор",
]
RU_FEMALE = [
    "Анна",
    "Мария",
    "Елена",
    "Ольга",
    "Наталья",
    "Алёна",
    "Дарья",
    "Екатерина",
    "Татьяна",
    "Юлия",
    "Ксения",
    "Виктория",
]
VILLAGES = [
    "с. Сокулук",
    "с. Шопоков",
    "с. Гавриловка",
    "с. Кун-Туу",
    "с. Асыл-Баш",
    "с. Военно-Антоновка",
    "с. Жаңы-Жер",
    "с. Бирдик",
    "с. Кара-Джигач",
    "с. Токбай-Талаа",
    "с. Нижняя Ала-Арча",
]
STREETS = [
    "ул. Ленина",
    "ул. Манаса",
    "ул. Токтогула",
    "ул. Айтматова",
    "ул. Школьная",
    "ул. Садовая",
    "ул. Жибек Жолу",
    "ул. Мира",
    "ул. Фрунзе",
    "ул. Ч. Валиханова",
]
ORGANISATIONS = [
    ("school", "Средняя школа № {n} им. Токтогула", "Токтогул атындагы № {n} орто мектеби"),
    ("kindergarten", "Детский сад «Балапан» № {n}", "«Балапан» № {n} бала бакчасы"),
    ("health", "ЦСМ Сокулукского района", "Сокулук районунун ҮМБ"),
    ("health", "ГСВ № {n}", "№ {n} ҮДТ"),
    ("police", "ИДН ОВД Сокулукского района", "Сокулук районунун ИИБ ЖИИ"),
    ("aiyl_okmotu", "Айыл окмоту {v}", "{v} айыл өкмөтү"),
    ("crisis_centre", "Кризисный центр «Сезим»", "«Сезим» кризистик борбору"),
    ("day_centre", "Дневной центр для детей с ОВЗ", "Мүмкүнчүлүгү чектелген балдар үчүн күндүзгү борбор"),
    ("ngo", "ОФ «Балдар үнү»", "«Балдар үнү» КФ"),
    ("zags", "Отдел ЗАГС Сокулукского района", "Сокулук районунун ЖАБК бөлүмү"),
    ("social_benefits", "Отдел социальных пособий УСР", "СӨБ социалдык жөлөк пулдар бөлүмү"),
]
CATEGORY_WEIGHTS = [
    ("labour_migrants", 22),
    ("low_income", 20),
    ("neglect", 10),
    ("disability", 9),
    ("not_in_school", 8),
    ("orphans", 7),
    ("violence_physical", 6),
    ("no_documents", 5),
    ("violence_psychological", 4),
    ("conflict_with_law", 4),
    ("child_labour", 3),
    ("street_children", 1),
    ("violence_sexual", 1),
    ("other", 1),
]
STATUS_WEIGHTS = [
    ("registered", 8),
    ("assessment", 12),
    ("planning", 10),
    ("implementation", 35),
    ("monitoring", 15),
    ("closed", 20),
]
GOALS = [
    "Обеспечить регулярное посещение школы",
    "Восстановить свидетельство о рождении",
    "Оформить пособие «Үй-бүлөгө көмөк»",
    "Обеспечить медицинское обследование",
    "Улучшить условия проживания",
    "Обеспечить безопасность ребёнка в семье",
    "Организовать психологическую помощь",
    "Наладить контакт с родителями в миграции",
]
ACTIONS = [
    ("education", "Зачислить в школу, закрепить социального педагога"),
    ("documents", "Подготовить документы в ЗАГС"),
    ("social_benefits", "Подать заявление на пособие"),
    ("medical", "Направить на осмотр в ЦСМ"),
    ("psychological", "Консультации психолога, 6 встреч"),
    ("material_aid", "Материальная помощь: уголь, одежда"),
    ("legal", "Консультация юриста по опеке"),
    ("day_care", "Устроить в дневной центр"),
]


REPORTERS = [
    "Социальный педагог СШ",
    "Участковый инспектор",
    "Соседка",
    "Специалист айыл окмоту",
    None,
]
REPORT_SOURCES = [
    "school",
    "health",
    "police",
    "aiyl_okmotu",
    "neighbour",
    "relative",
    "self",
    "hotline_111",
    "canvassing",
]
ASSESSMENT_DOMAINS = [
    "health",
    "development_education",
    "emotional_behavioural",
    "identity_documents",
    "family_parenting",
    "housing_income",
    "social_network",
    "risk_factors",
]
CLOSURE_REASON_WEIGHTS = [
    ("goals_achieved", 70),
    ("moved_away", 10),
    ("reached_18", 8),
    ("family_care", 8),
    ("other", 4),
]
OCCUPATIONS = ["Безработный(ая)", "Фермер", "Продавец", "Домохозяйка", "Разнорабочий", "Учитель"]
LANGUAGES = ["кыргызский", "кыргызский, русский", "русский"]
HOUSING = ["Собственный дом", "Аренда", "У родственников"]
INCOME_SOURCES = ["Денежные переводы из России", "Сельское хозяйство", "Пособие", "Случайные заработки"]
PHONE_PREFIXES = ["555", "700", "770", "505"]
CITIZENSHIP = "Кыргызская Республика"
MIGRATION_COUNTRY = "Российская Федерация"
PARENTS = ("mother", "father")

#: Rows are tuples in the order of these columns, values in the storage form SQLAlchemy uses
#: on SQLite: UUIDs as 32 hex digits, dates as ISO text, UTC timestamps as naive ISO text.
#: created_at, updated_at and version of a travelling record are added by the writer.
ORGANISATION_COLUMNS = ("id", "name_ru", "name_ky", "type_id", "district_id", "address", "phone", "active")
HOUSEHOLD_COLUMNS = ("id", "district_id", "address_text", "housing", "income_sources", "members_count")
PERSON_COLUMNS = (
    "id",
    "is_child",
    "last_name",
    "first_name",
    "patronymic",
    "sex",
    "birth_date",
    "pin",
    "pin_verified",
    "last_name_key",
    "first_name_key",
    "patronymic_key",
    "district_id",
    "address_text",
    "citizenship",
    "school",
    "school_class",
    "disability",
    "documents_missing",
    "languages",
    "phone",
    "occupation",
    "in_migration",
    "migration_country",
)
MEMBER_COLUMNS = (
    "id",
    "household_id",
    "person_id",
    "relation_id",
    "position",
    "is_caregiver",
    "lives_with_child",
)
REPORT_COLUMNS = (
    "id",
    "district_id",
    "reg_year",
    "reg_no",
    "received_at",
    "source_type_id",
    "channel_id",
    "reporter_name",
    "anonymous",
    "concern",
    "urgent",
    "assigned_worker_id",
    "decision",
    "decision_date",
)
REPORT_CHILD_COLUMNS = ("report_id", "person_id")
REPORT_CATEGORY_COLUMNS = ("report_id", "category_id")
CASE_COLUMNS = (
    "id",
    "district_id",
    "case_year",
    "case_no",
    "child_id",
    "household_id",
    "report_id",
    "opened_on",
    "status",
    "risk_level_id",
    "worker_id",
    "reopened_count",
    "closed_on",
)
CASE_CATEGORY_COLUMNS = ("case_id", "category_id")
INITIAL_COLUMNS = (
    "id",
    "case_id",
    "due_date",
    "visit_date",
    "place",
    "participants",
    "immediate_danger",
    "caregiver_present",
    "parents_in_migration",
    "conclusion",
    "completed_on",
    "assessor_id",
)
COMPREHENSIVE_COLUMNS = (
    "id",
    "case_id",
    "due_date",
    "started_on",
    "completed_on",
    "strengths",
    "child_views",
    "overall_risk_id",
    "summary",
    "assessor_id",
)
DOMAIN_COLUMNS = ("id", "assessment_id", "domain_id", "findings", "need_level_id")
HOUSING_ACT_COLUMNS = (
    "id",
    "case_id",
    "act_date",
    "address_text",
    "occupancy_basis",
    "dwelling_type",
    "wall_material",
    "rooms",
    "heating",
    "water",
    "electricity",
    "toilet",
    "conclusion",
    "family_acknowledged",
)
PLAN_COLUMNS = (
    "id",
    "case_id",
    "kind",
    "plan_no",
    "revision",
    "status",
    "start_date",
    "review_date",
    "child_participated",
    "family_participated",
    "approved_by_id",
    "approved_at",
)
GOAL_COLUMNS = ("id", "plan_id", "position", "text")
ACTION_COLUMNS = (
    "id",
    "plan_id",
    "goal_id",
    "position",
    "need",
    "service_type_id",
    "description",
    "organisation_id",
    "responsible_person",
    "due_date",
    "status",
    "result",
)
REVIEW_COLUMNS = ("id", "plan_id", "review_date", "reviewer_id", "changes", "next_review_date")
REFERRAL_COLUMNS = (
    "id",
    "district_id",
    "case_id",
    "child_id",
    "plan_action_id",
    "out_year",
    "out_no",
    "issued_on",
    "organisation_id",
    "service_type_id",
    "reason",
    "requested_service",
    "contains_personal_data",
    "consent_given",
    "consent_by",
    "consent_date",
    "reply_due",
    "reply_received_on",
    "reply_outcome",
    "status",
)
VISIT_COLUMNS = (
    "id",
    "case_id",
    "visit_date",
    "kind",
    "worker_id",
    "participants",
    "observations",
    "next_visit_date",
)
CLOSURE_COLUMNS = (
    "id",
    "case_id",
    "closed_on",
    "reason_id",
    "final_assessment",
    "approved_by_id",
    "approved_at",
    "follow_up_date",
)
OUTCOME_COLUMNS = ("closure_id", "outcome_id")
_FIRST_NAME = PERSON_COLUMNS.index("first_name")
_FIRST_NAME_KEY = PERSON_COLUMNS.index("first_name_key")
_PIN_VERIFIED = PERSON_COLUMNS.index("pin_verified")
MEETING_COLUMNS = (
    "id",
    "district_id",
    "meeting_year",
    "meeting_no",
    "meeting_date",
    "place",
    "chair_name",
    "secretary_name",
    "members_total",
    "status",
)
KDD_MEMBER_COLUMNS = ("id", "meeting_id", "position", "full_name", "job_title", "role", "present")
ITEM_COLUMNS = (
    "id",
    "meeting_id",
    "position",
    "case_id",
    "child_id",
    "title",
    "reported_by",
    "attendees",
    "parent_invited",
    "parent_attended",
    "discussion",
)
DECISION_COLUMNS = (
    "id",
    "item_id",
    "decision_no",
    "text",
    "responsible_body",
    "deadline",
    "appeal_note",
    "done_on",
)
COUNTER_COLUMNS = ("scope", "district_id", "year", "last_value")

#: The tables of one chunk of households, parents before children (foreign keys are checked
#: on every insert); Person.current_case_id and Report.case_id are set after the cases.
CHUNK_TABLES: list[tuple[type[Base] | Table, tuple[str, ...]]] = [
    (Household, HOUSEHOLD_COLUMNS),
    (Person, PERSON_COLUMNS),
    (HouseholdMember, MEMBER_COLUMNS),
    (Report, REPORT_COLUMNS),
    (report_children, REPORT_CHILD_COLUMNS),
    (report_categories, REPORT_CATEGORY_COLUMNS),
    (Case, CASE_COLUMNS),
    (case_categories, CASE_CATEGORY_COLUMNS),
    (InitialAssessment, INITIAL_COLUMNS),
    (ComprehensiveAssessment, COMPREHENSIVE_COLUMNS),
    (AssessmentDomain, DOMAIN_COLUMNS),
    (HousingAct, HOUSING_ACT_COLUMNS),
    (Plan, PLAN_COLUMNS),
    (PlanGoal, GOAL_COLUMNS),
    (PlanAction, ACTION_COLUMNS),
    (PlanReview, REVIEW_COLUMNS),
    (Referral, REFERRAL_COLUMNS),
    (Visit, VISIT_COLUMNS),
    (Closure, CLOSURE_COLUMNS),
    (closure_outcomes, OUTCOME_COLUMNS),
]
#: Children generated between two writes: bounds the memory of a large office.
CHUNK_CHILDREN = 5000

Row = tuple[Any, ...]


@dataclass
class DemoResult:
    users: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _timestamp_text(value: datetime) -> str:
    """A UTC timestamp as SQLAlchemy stores it on SQLite (naive UTC, microseconds)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _from_storage(column: Any) -> Callable[[Any], Any] | None:
    """How a stored value of *column* (in the rows' storage form) becomes its Python value."""
    type_ = column.type
    if isinstance(type_, Uuid):
        return lambda text: uuid.UUID(hex=text)
    if isinstance(type_, UTCDateTime):
        return lambda text: datetime.fromisoformat(text).replace(tzinfo=UTC)
    if isinstance(type_, Date):
        return date.fromisoformat
    if isinstance(type_, Boolean):
        return bool
    return None


def _sql_literal(value: Any) -> str | None:
    """*value* as an SQL literal, for the few constant values of a bulk insert (None: bind it)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return None


def _table(model: type[Base] | Table) -> Table:
    table = model if isinstance(model, Table) else model.__table__
    assert isinstance(table, Table)
    return table


class _Writer:
    """Writes the generated rows table by table; then one change-log row per record written.

    Rows are tuples already in the storage form SQLAlchemy uses on SQLite (see the
    ``*_COLUMNS`` tuples), so on SQLite they go straight to the driver's executemany: per-value
    processing by the ORM would dominate the time of a 100,000-child office. Other engines
    get the same rows through SQLAlchemy Core, converted back to Python values.
    """

    def __init__(self, session: Session, stamp: datetime) -> None:
        self.session = session
        self.stamp = stamp
        self.counts: dict[str, int] = {}
        self.raw = self.raw_sqlite(session)
        self._inserts: dict[tuple[str, tuple[str, ...]], tuple[str, Row]] = {}
        self._suspended: list[str] = []

    @staticmethod
    def raw_sqlite(session: Session) -> bool:
        return session.get_bind().dialect.name == "sqlite"

    def _fixed(self, table: Table, columns: tuple[str, ...]) -> dict[str, Any]:
        """The values of the columns the rows leave out: a travelling record's stamps, scalar defaults."""
        fixed: dict[str, Any] = {}
        if "version" in table.c:
            stamp = _timestamp_text(self.stamp)
            fixed.update(created_at=stamp, updated_at=stamp, version=1)
        for column in table.c:
            default = column.default
            if column.name in columns or column.name in fixed or default is None or not default.is_scalar:
                continue
            fixed[column.name] = default.arg  # type: ignore[attr-defined]
        return fixed

    def _executemany(self, sql: str, rows: list[Row]) -> None:
        cursor = self.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(sql, rows)
        finally:
            cursor.close()

    def write(self, model: type[Base] | Table, columns: tuple[str, ...], rows: list[Row]) -> None:
        if not rows:
            return
        table = _table(model)
        if self.raw:
            prepared = self._inserts.get((table.name, columns))
            if prepared is None:
                targets, values, bound = list(columns), ["?"] * len(columns), []
                for name, value in self._fixed(table, columns).items():
                    literal_value = _sql_literal(value)
                    targets.append(name)
                    values.append("?" if literal_value is None else literal_value)
                    if literal_value is None:
                        bound.append(value)
                # Table and column names come from the ORM metadata, constants from this module.
                sql = f"INSERT INTO {table.name} ({', '.join(targets)}) VALUES ({', '.join(values)})"  # noqa: S608
                prepared = self._inserts[(table.name, columns)] = (sql, tuple(bound))
            sql, tail = prepared
            self._executemany(sql, [row + tail for row in rows] if tail else rows)
        else:
            fixed = self._fixed(table, columns)
            keys = (*columns, *fixed)
            converters = [_from_storage(table.c[key]) for key in keys]
            tail = tuple(fixed.values())
            for start in range(0, len(rows), 5000):
                batch = [
                    {
                        name: value if value is None or convert is None else convert(value)
                        for name, convert, value in zip(keys, converters, row + tail, strict=True)
                    }
                    for row in rows[start : start + 5000]
                ]
                self.session.execute(insert(table), batch)
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def link(self, model: type[Base], column: str, pairs: list[tuple[str, str]]) -> None:
        """Set *column* of records written before, from (value, record id) pairs."""
        if not pairs:
            return
        table = _table(model)
        if self.raw:
            # Table and column names come from the ORM metadata.
            self._executemany(f"UPDATE {table.name} SET {column} = ? WHERE id = ?", pairs)  # noqa: S608
            return
        value_of, id_of = _from_storage(table.c[column]), _from_storage(table.c.id)
        assert value_of is not None and id_of is not None
        stmt = update(table).where(table.c.id == bindparam("b_id")).values({column: bindparam("b_value")})
        for start in range(0, len(pairs), 5000):
            self.session.connection().execute(
                stmt, [{"b_value": value_of(v), "b_id": id_of(i)} for v, i in pairs[start : start + 5000]]
            )

    def suspend_indexes(self, models: list[type[Base] | Table]) -> None:
        """Drop the secondary indexes of these tables until :meth:`restore_indexes` (SQLite only).

        Building an index once from the loaded rows is much cheaper than keeping it up to date
        row by row, and without them the indexes that stay (primary keys, unique constraints)
        fit in the page cache. The statements that made them are kept and run again unchanged,
        in the same transaction: the schema afterwards is the one the migrations made (a unique
        index checks its rows when it is built again).
        """
        if not self.raw:
            return
        connection = self.session.connection()
        for model in models:
            found = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name",
                (_table(model).name,),
            ).all()
            for name, sql in found:
                connection.exec_driver_sql(f'DROP INDEX "{name}"')
                self._suspended.append(sql)

    def restore_indexes(self) -> None:
        connection = self.session.connection()
        for sql in self._suspended:
            connection.exec_driver_sql(sql)
        self._suspended.clear()

    def log_inserts(self) -> None:
        """One change-log row per travelling row written, made by the database (one statement a table).

        In order of id: every row written has the same created_at (the stamp), so this is the
        order of (created_at, id), read from the primary-key index without sorting.
        """
        for name in self.counts:
            table = Base.metadata.tables[name]
            if "version" not in table.c:
                continue
            rows = select(literal(name), table.c.id, literal("I"), literal(self.stamp, UTCDateTime()))
            self.session.execute(
                insert(ChangeLogEntry).from_select(
                    ["table_name", "record_id", "operation", "changed_at"],
                    rows.order_by(table.c.id),
                )
            )


class _Days(dict[int, str]):
    """Day ordinal → ISO date text, made on first use."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


def _patronymic(father: str, sex: str) -> str:
    if father.endswith("ий"):
        return father[:-1] + ("евич" if sex == "M" else "евна")
    if father.endswith("й"):
        return father[:-1] + ("евич" if sex == "M" else "евна")
    if father.endswith("а"):
        return father[:-1] + ("ич" if sex == "M" else "ична")
    return father + ("ович" if sex == "M" else "овна")


def _cumulative(weights: list[tuple[str, int]]) -> list[float]:
    """Upper bounds of each choice in [0, 1), for bisect() on random()."""
    total = sum(w for _c, w in weights)
    return [*accumulate(w / total for _c, w in weights)][:-1]


_IDS_PER_RUN = 2_900  # ids made in one program run: about a day's work of a district of 100,000 children


class _DemoIds:
    """Record ids as the program makes them (models.ids, RFC 9562 version 6) over an office's years.

    From three years before *as_of*, 1 to 90 seconds apart, with a new clock sequence and node (a
    new program run) every 2,900 ids. A random stream of their own: the demo's data is the same
    whatever its ids.
    """

    def __init__(self, seed: int, as_of: date) -> None:
        self.rng = random.Random(f"ids:{seed}")
        start = datetime.combine(as_of - timedelta(days=3 * 365), dtime(8), tzinfo=UTC)
        self.ticks = ticks_of(start.timestamp())
        self.made = 0
        self.tail = 0

    def hex(self) -> str:
        if self.made % _IDS_PER_RUN == 0:
            self.tail = id_tail(self.rng.getrandbits(14), self.rng.getrandbits(48))
        self.made += 1
        self.ticks += self.rng.randint(10_000_000, 900_000_000)
        return f"{id_value(self.ticks, self.tail):032x}"

    def new(self) -> uuid.UUID:
        return uuid.UUID(hex=self.hex())


_HOURS = {hour: f" {hour:02d}:00:00.000000" for hour in range(24)}


class _Office:
    """Makes the rows of the demo office household by household, as tuples in storage form.

    Every random choice uses ``rng.random()`` (a pick is ``seq[int(random() * len(seq))]``):
    the generator makes about 26 rows a child, and ``choice``/``randint`` would cost more
    than writing them. Days are ordinals until written as text. Booleans are written as
    1 and 0, as SQLite stores them: the sqlite3 module binds an exact int much faster.
    """

    def __init__(
        self,
        rng: random.Random,
        ids: _DemoIds,
        as_of: date,
        district_id: uuid.UUID,
        workers: list[uuid.UUID],
        social_workers: list[uuid.UUID],
        head: uuid.UUID,
        orgs: list[str],
    ) -> None:
        self.rng = rng
        self.ids = ids
        self.random = rng.random
        self.as_of = as_of.toordinal()
        self.earliest = self.as_of - 3 * 365
        self.day = _Days()
        self.district = district_id.hex
        self.workers = [w.hex for w in workers]
        self.social_workers = [w.hex for w in social_workers]
        self.head = head.hex
        self.orgs = orgs
        self.counters: dict[tuple[str, int], int] = {}
        self.buffers: list[list[Row]] = [[] for _model, _columns in CHUNK_TABLES]
        self.current_case: list[tuple[str, str]] = []
        self.report_case: list[tuple[str, str]] = []
        self.candidates: list[tuple[str, str]] = []  # (case, child) that a КДД meeting may discuss
        self.n_cases = 0
        self.key = functools.cache(names.name_key)
        self.latin = functools.cache(_latin)
        ref = reference_id
        self.relation = {
            code: ref("relation_type", code).hex for code in ("mother", "father", "grandmother", "child")
        }
        self.categories = [ref("tjs_category", code).hex for code, _w in CATEGORY_WEIGHTS]
        self.category_bounds = _cumulative(CATEGORY_WEIGHTS)
        self.statuses = [status for status, _w in STATUS_WEIGHTS]
        self.status_bounds = _cumulative(STATUS_WEIGHTS)
        self.reasons = [ref("closure_reason", code).hex for code, _w in CLOSURE_REASON_WEIGHTS]
        self.reason_bounds = _cumulative(CLOSURE_REASON_WEIGHTS)
        self.sources = [ref("report_source", code).hex for code in REPORT_SOURCES]
        self.channels = [ref("report_channel", code).hex for code in ("in_person", "phone", "letter")]
        self.risks = {code: ref("risk_level", code).hex for code in ("low", "medium", "high")}
        self.case_risks = [self.risks[code] for code in ("low", "medium", "medium", "high")]
        self.assessment_risks = [self.risks[code] for code in ("low", "medium", "high")]
        self.domains = [ref("assessment_domain", code).hex for code in ASSESSMENT_DOMAINS]
        self.needs = [ref("need_level", code).hex for code in ("none", "low", "medium", "high")]
        self.actions = [(ref("service_type", service).hex, text) for service, text in ACTIONS]
        self.outcomes = [
            ref("family_outcome", code).hex
            for code in ("child_allowance", "rehab_services", "employment", "passport")
        ]
        # Family names (male, female) and first names, Kyrgyz [0] and Russian [1].
        ky_surnames = []
        for root in KY_SURNAME_ROOTS:
            male = root + ("ев" if root.endswith("а") else "ов")
            ky_surnames.append((male, male + "а"))
        self.surnames = (ky_surnames, RU_SURNAMES)
        self.first_names = {
            (False, "M"): KY_MALE,
            (False, "F"): KY_FEMALE,
            (True, "M"): RU_MALE,
            (True, "F"): RU_FEMALE,
        }
        # Patronymics by father's name and sex: the Russian form, and the Kyrgyz «уулу»/«кызы».
        self.patronymics = {
            (father, sex): (_patronymic(father, sex), f"{father} {'уулу' if sex == 'M' else 'кызы'}")
            for father in (*KY_MALE, *RU_MALE)
            for sex in "MF"
        }

    def uid(self) -> str:
        return self.ids.hex()

    def number(self, scope: str, year: int) -> int:
        value = self.counters[(scope, year)] = self.counters.get((scope, year), 0) + 1
        return value

    def any_patronymic(self, sex: str, russian: bool) -> str:
        rand = self.random
        fathers = RU_MALE if russian else KY_MALE
        russian_form, kyrgyz_form = self.patronymics[(fathers[int(rand() * len(fathers))], sex)]
        return kyrgyz_form if not russian and rand() < 0.3 else russian_form

    def person(
        self,
        child: int,
        sex: str,
        born: int,
        last: str,
        first: str,
        patronymic: str,
        address: str,
        *rest: Any,
    ) -> Row:
        """A person row up to address_text, then *rest* (citizenship … migration_country)."""
        rand = self.random
        key = self.key
        if rand() < 0.92:
            text = self.day[born]
            pin = f"{1 if sex == 'F' else 2}{text[8:10]}{text[5:7]}{text[:4]}{int(rand() * 100000):05d}"
        else:
            pin = None
        return (
            self.uid(),
            child,
            last,
            first,
            patronymic,
            sex,
            self.day[born],
            pin,
            int(rand() < 0.6 and pin is not None),  # only a ПИН that exists can be checked
            key(last),
            key(first),
            key(patronymic),
            self.district,
            address,
            *rest,
        )

    def household(self, wanted: int, twins: set[int], made: int) -> int:
        """One household with up to *wanted* children and their cases; returns the children made.

        *made* counts the children made before: a child whose number is in *twins* is also
        typed a second time (a probable duplicate), with a slip in the name or not.
        """
        rand = self.random
        uid = self.uid
        as_of = self.as_of
        households, persons, members = self.buffers[:3]  # in the order of CHUNK_TABLES
        russian = rand() < 0.12
        address = (
            f"{VILLAGES[int(rand() * len(VILLAGES))]}, {STREETS[int(rand() * len(STREETS))]}, "
            f"{1 + int(rand() * 180)}"
        )
        hh_id = uid()
        surnames = self.surnames[russian]
        family_m, family_f = surnames[int(rand() * len(surnames))]
        males, females = self.first_names[(russian, "M")], self.first_names[(russian, "F")]
        father_first = males[int(rand() * len(males))]
        migrants = rand() < 0.35
        adults: list[tuple[str, str, str, str, bool]] = []
        if rand() < 0.85:
            mother_away = migrants and rand() < 0.4
            adults.append(("mother", "F", family_f, females[int(rand() * len(females))], mother_away))
        if rand() < 0.6:
            adults.append(("father", "M", family_m, father_first, migrants))
        if migrants or not adults:
            grandmother_last = surnames[int(rand() * len(surnames))][1]
            adults.append(("grandmother", "F", grandmother_last, females[int(rand() * len(females))], False))
        position = 0
        for relation, sex, last, first, away in adults:
            age = 24 + int(rand() * 22) if relation in PARENTS else 52 + int(rand() * 24)
            born = as_of - 365 * age - int(rand() * 365)
            patronymic = self.any_patronymic(sex, russian)
            phone = f"+996 {PHONE_PREFIXES[int(rand() * 4)]} {100000 + int(rand() * 900000)}"
            row = self.person(
                0,
                sex,
                born,
                last,
                first,
                patronymic,
                address,
                CITIZENSHIP,
                None,
                None,
                0,
                0,
                None,
                phone,
                OCCUPATIONS[int(rand() * len(OCCUPATIONS))],
                int(away),
                MIGRATION_COUNTRY if away else None,
            )
            persons.append(row)
            home = int(not away)  # a parent away in migration is not the caregiver
            members.append((uid(), hh_id, row[0], self.relation[relation], position, home, home))
            position += 1
        children = min((1, 1, 2, 2, 3, 4)[int(rand() * 6)], wanted)
        for _k in range(children):
            sex = "F" if rand() < 0.5 else "M"
            age_days = 30 + int(rand() * (17 * 365 + 271))
            born = as_of - age_days
            given = females if sex == "F" else males
            first = given[int(rand() * len(given))]
            russian_form, kyrgyz_form = self.patronymics[(father_first, sex)]
            patronymic = russian_form if russian or rand() < 0.7 else kyrgyz_form
            last = family_m if sex == "M" else family_f
            if rand() < 0.02:  # passport spelling typed in Latin
                last, first = self.latin(last), self.latin(first)
            age = age_days // 365
            at_school = 7 <= age <= 17
            row = self.person(
                1,
                sex,
                born,
                last,
                first,
                patronymic,
                address,
                CITIZENSHIP,
                f"СШ № {1 + int(rand() * 6)}" if at_school else None,
                str(min(11, age - 6)) if at_school else None,
                int(rand() < 0.06),
                int(rand() < 0.04),
                LANGUAGES[int(rand() * len(LANGUAGES))],
                None,
                None,
                0,
                None,
            )
            persons.append(row)
            members.append((uid(), hh_id, row[0], self.relation["child"], position, 0, 1))
            position += 1
            self.case(row[0], born, hh_id, address)
            if made in twins:  # the same child typed again: new id, not verified, perhaps a slip
                twin = list(row)
                twin[0] = uid()
                if rand() < 0.5:
                    twin[_FIRST_NAME] = _misspell(self.rng, first)
                    twin[_FIRST_NAME_KEY] = self.key(twin[_FIRST_NAME])
                twin[_PIN_VERIFIED] = 0
                persons.append(tuple(twin))
                self.case(twin[0], born, hh_id, address)
            made += 1
        households.append(
            (
                hh_id,
                self.district,
                address,
                HOUSING[int(rand() * len(HOUSING))],
                INCOME_SOURCES[int(rand() * len(INCOME_SOURCES))],
                position,
            )
        )
        return children

    def case(self, child_id: str, born: int, hh_id: str, address: str) -> None:
        """A report about the child and the case opened on it, as far as its status goes."""
        rand = self.random
        uid = self.uid
        day = self.day
        number = self.number
        as_of = self.as_of
        district = self.district
        (  # in the order of CHUNK_TABLES
            _households,
            _persons,
            _members,
            reports,
            report_kids,
            report_cats,
            cases,
            case_cats,
            initial,
            comprehensive,
            domains,
            acts,
            plans,
            goals,
            actions,
            reviews,
            referrals,
            visits,
            closures,
            outcomes,
        ) = self.buffers
        stage = bisect(self.status_bounds, rand())
        status = self.statuses[stage]
        first_day = max(self.earliest, born + 10)
        opened = first_day + int(rand() * (max(0, as_of - 1 - first_day) + 1))
        received = max(opened - int(rand() * 6), born)
        workers = self.workers
        worker = workers[int(rand() * len(workers))]
        report_id = uid()
        case_id = uid()
        received_on = day[received]
        received_year = int(received_on[:4])
        reporter = REPORTERS[int(rand() * len(REPORTERS))]
        reports.append(
            (
                report_id,
                district,
                received_year,
                number("report", received_year),
                received_on + _HOURS[8 + int(rand() * 10)],
                self.sources[int(rand() * len(self.sources))],
                self.channels[int(rand() * len(self.channels))],
                reporter,
                int(reporter is None),
                "Ребёнок остался без присмотра, родители на заработках",
                int(rand() < 0.08),
                worker,
                "open_case",
                day[opened],
            )
        )
        report_kids.append((report_id, child_id))
        bounds = self.category_bounds
        picked = sorted({bisect(bounds, rand()) for _ in range((1, 1, 2, 3)[int(rand() * 4)])})
        for index in picked:
            category = self.categories[index]
            case_cats.append((case_id, category))
            report_cats.append((report_id, category))
        self.current_case.append((case_id, child_id))
        self.report_case.append((case_id, report_id))
        opened_on = day[opened]
        opened_year = int(opened_on[:4])
        case_no = number("case", opened_year)
        risk = self.case_risks[int(rand() * 4)]
        # Initial assessment: due in 3 working days; done for every case past "registered".
        due = opened + (5 if (opened + 6) % 7 >= 2 else 3)
        migrants = int(0 in picked)  # CATEGORY_WEIGHTS[0]: labour migrants
        if stage >= 1:
            visited = min(as_of, opened + int(rand() * 5))
            completed = min(as_of, visited + int(rand() * 2))
            initial.append(
                (
                    uid(),
                    case_id,
                    day[due],
                    day[visited],
                    address,
                    "Специалист ОЗД, социальный работник, мать",
                    int(rand() < 0.05),
                    int(rand() < 0.8),
                    migrants,
                    "Требуется комплексная оценка потребностей",
                    day[completed],
                    worker,
                )
            )
        else:
            initial.append(
                (
                    uid(),
                    case_id,
                    day[due],
                    None,
                    address,
                    "Специалист ОЗД, социальный работник, мать",
                    int(rand() < 0.05),
                    int(rand() < 0.8),
                    migrants,
                    None,
                    None,
                    worker,
                )
            )
        if stage >= 2:
            ca_id = uid()
            completed = min(as_of, opened + 10 + int(rand() * 26))
            comprehensive.append(
                (
                    ca_id,
                    case_id,
                    day[opened + 30],
                    day[opened + 5],
                    day[completed],
                    "Бабушка заботится о ребёнке",
                    "Хочет учиться",
                    self.assessment_risks[int(rand() * 3)],
                    "Нуждается в сопровождении семьи",
                    worker,
                )
            )
            needs = self.needs
            for domain in self.domains:
                findings = "Без особенностей" if rand() < 0.6 else "Требует внимания"
                domains.append((uid(), ca_id, domain, findings, needs[int(rand() * 4)]))
            if rand() < 0.3:
                acts.append(
                    (
                        uid(),
                        case_id,
                        day[completed],
                        address,
                        "Собственность",
                        "Частный дом",
                        "Саман",
                        1 + int(rand() * 5),
                        "Печное (уголь)",
                        "Колонка во дворе",
                        "Есть",
                        "Во дворе",
                        "Условия удовлетворительные",
                        1,
                    )
                )
        if stage >= 3:
            plan_id = uid()
            start = min(as_of, opened + 20 + int(rand() * 26))
            approved = rand() < 0.9
            plans.append(
                (
                    plan_id,
                    case_id,
                    "child",
                    1,
                    1,
                    "approved" if approved else "draft",
                    day[start],
                    day[start + 91],
                    1,
                    1,
                    self.head if approved else None,
                    day[start] + _HOURS[15] if approved else None,
                )
            )
            orgs = self.orgs
            for g in range(1 + int(rand() * 3)):
                goal_id = uid()
                goals.append((goal_id, plan_id, g, GOALS[int(rand() * len(GOALS))]))
                for a in range(1 + int(rand() * 2)):
                    service_id, text = self.actions[int(rand() * len(self.actions))]
                    due_action = start + 10 + int(rand() * 111)
                    if due_action < as_of and rand() < 0.7:
                        action_status = "done"
                    else:
                        action_status = "planned" if rand() < 0.5 else "in_progress"
                    org_id = orgs[int(rand() * len(orgs))]
                    action_id = uid()
                    actions.append(
                        (
                            action_id,
                            plan_id,
                            goal_id,
                            g * 10 + a,
                            text,
                            service_id,
                            text,
                            org_id,
                            "Специалист ОЗД",
                            day[due_action],
                            action_status,
                            "Выполнено" if action_status == "done" else None,
                        )
                    )
                    if rand() < 0.45:
                        issued = min(as_of, start + 1 + int(rand() * 20))
                        issued_on = day[issued]
                        issued_year = int(issued_on[:4])
                        replied = rand() < 0.6
                        referrals.append(
                            (
                                uid(),
                                district,
                                case_id,
                                child_id,
                                action_id,
                                issued_year,
                                number("referral", issued_year),
                                issued_on,
                                org_id,
                                service_id,
                                text,
                                text,
                                1,
                                1,
                                "Мать ребёнка",
                                issued_on,
                                day[issued + 10],
                                day[min(as_of, issued + 2 + int(rand() * 13))] if replied else None,
                                "Услуга оказана" if replied else None,
                                "replied" if replied else "issued",
                            )
                        )
            if stage >= 4 and rand() < 0.5:
                reviews.append(
                    (
                        uid(),
                        plan_id,
                        day[start + 90],
                        worker,
                        "Часть мероприятий выполнена",
                        day[start + 180],
                    )
                )
        if stage >= 1:
            social_workers = self.social_workers
            for v in range(int(rand() * 4)):
                visited = min(as_of, opened + 7 + v * (20 + int(rand() * 41)))
                who = int(rand() * (len(social_workers) + 1))
                visits.append(
                    (
                        uid(),
                        case_id,
                        day[visited],
                        "office" if rand() < 1 / 3 else "home",
                        social_workers[who] if who < len(social_workers) else worker,
                        "Ребёнок, бабушка",
                        "Ребёнок посещает школу",
                        day[visited + 30],
                    )
                )
        closed_on = None
        if status == "closed":
            closed = min(as_of, opened + 60 + int(rand() * 341))
            closed_on = day[closed]
            closure_id = uid()
            closures.append(
                (
                    closure_id,
                    case_id,
                    closed_on,
                    self.reasons[bisect(self.reason_bounds, rand())],
                    "Риск снижен, семья справляется",
                    self.head,
                    closed_on + _HOURS[16],
                    day[closed + 182],
                )
            )
            outcomes.append((closure_id, self.outcomes[int(rand() * len(self.outcomes))]))
        cases.append(
            (
                case_id,
                district,
                opened_year,
                case_no,
                child_id,
                hh_id,
                report_id,
                opened_on,
                status,
                risk,
                worker,
                0,
                closed_on,
            )
        )
        self.n_cases += 1
        if stage >= 3:  # implementation, monitoring, closed
            self.candidates.append((case_id, child_id))

    def flush(self, writer: _Writer) -> None:
        """Write the rows made so far, parents first, then link children and reports to their cases."""
        for (model, columns), rows in zip(CHUNK_TABLES, self.buffers, strict=True):
            writer.write(model, columns, rows)
            rows.clear()
        writer.link(Person, "current_case_id", self.current_case)
        writer.link(Report, "case_id", self.report_case)
        self.current_case.clear()
        self.report_case.clear()

    def kdd(self, writer: _Writer) -> None:
        """КДД meetings every two weeks up to the reference date, with members, agenda items and decisions."""
        rng = self.rng
        rand = self.random
        uid = self.uid
        day = self.day
        meetings: list[Row] = []
        members: list[Row] = []
        items: list[Row] = []
        decisions: list[Row] = []
        n_meetings = max(1, self.n_cases // 250)
        commission = [
            ("chair", "Бейшеналиев Марат Жапарович", "Заместитель главы районной администрации"),
            ("deputy", "Асанова Гүлнара Маратовна", "Заведующая ОЗД"),
            ("secretary", "Сыдыкова Нургүл Өмүрбековна", "Секретарь КДД"),
            ("member", "Ким Ольга Сергеевна", "Инспектор ИДН"),
            ("member", "Токтосунова Айгүл Бакытовна", "Методист районо"),
            ("member", "Эсенгулов Азамат Русланович", "Врач ЦСМ"),
            ("member", "Петренко Наталья Ивановна", "Представитель НКО"),
        ]
        for m in range(n_meetings):
            held_on = self.as_of - 14 * (n_meetings - m)
            held = held_on < self.as_of
            meeting_id = uid()
            meeting_year = int(day[held_on][:4])
            meetings.append(
                (
                    meeting_id,
                    self.district,
                    meeting_year,
                    self.number("kdd_meeting", meeting_year),
                    day[held_on],
                    "Актовый зал районной администрации",
                    commission[0][1],
                    commission[2][1],
                    len(commission),
                    "held" if held else "planned",
                )
            )
            for pos, (role, name, title) in enumerate(commission):
                members.append((uid(), meeting_id, pos, name, title, role, int(rand() < 0.9)))
            count = min(len(self.candidates), rng.randint(3, 6))
            for pos, (case_id, child_id) in enumerate(rng.sample(self.candidates, count)):
                item_id = uid()
                items.append(
                    (
                        item_id,
                        meeting_id,
                        pos,
                        case_id,
                        child_id,
                        "О ненадлежащем исполнении родительских обязанностей",
                        "Специалист ОЗД",
                        "Мать ребёнка",
                        1,
                        int(rand() < 0.7) if held else None,
                        "Заслушана информация специалиста" if held else None,
                    )
                )
                if held:
                    deadline = held_on + 30
                    decisions.append(
                        (
                            uid(),
                            item_id,
                            pos + 1,
                            "Обязать мать обеспечить посещение ребёнком школы; ОЗД взять семью "
                            "на сопровождение",
                            "ОЗД, СШ",
                            day[deadline],
                            "Может быть обжаловано в суде в течение 10 дней",
                            day[deadline - 3] if deadline < self.as_of and rand() < 0.7 else None,
                        )
                    )
        writer.write(KddMeeting, MEETING_COLUMNS, meetings)
        writer.write(KddMember, KDD_MEMBER_COLUMNS, members)
        writer.write(KddAgendaItem, ITEM_COLUMNS, items)
        writer.write(KddDecision, DECISION_COLUMNS, decisions)

    def write_counters(self, writer: _Writer) -> None:
        rows = [(scope, self.district, year, value) for (scope, year), value in sorted(self.counters.items())]
        writer.write(NumberCounter, COUNTER_COLUMNS, rows)


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, dtime(hour, 0), tzinfo=UTC)


def generate(
    db: Database,
    children: int,
    seed: int,
    *,
    as_of: date | None = None,
    district_code: str = DEFAULT_DISTRICT,
    progress: Callable[[str], None] | None = None,
) -> DemoResult:
    """Fill an empty database with a demo office of about *children* children.

    Refused when the database already belongs to an office: demo data never mixes with real data.
    """
    started = time.perf_counter()
    if children < 1 or children > 1_000_000:
        raise PermissionDenied(_("Demo: the number of children must be between 1 and 1,000,000."))
    as_of = as_of or date.today()
    rng = random.Random(seed)
    ids = _DemoIds(seed, as_of)
    say = progress or (lambda _msg: None)
    result = DemoResult()
    with unit_of_work(db, SYSTEM, Permission.SETTINGS_WRITE) as session:
        if office_is_set_up(session):
            raise PermissionDenied(
                _("This database already belongs to an office; demo data goes only into a new database.")
            )
        details = OfficeDetails(
            district_code,
            "Сокулук райондук эмгек, социалдык камсыздоо жана миграция башкармалыгынын "
            "балдарды коргоо бөлүмү",
            "Отдел защиты детей Сокулукского районного управления труда, социального обеспечения и миграции",
            "Асанова Гүлнара Маратовна",
            "Чуйская обл., Сокулукский р-н, с. Сокулук, ул. Фрунзе, 112",
            "+996 3134 5-12-34",
        )
        unit = _validate(session, details)
        _write_details(session, details, unit)
        user_ids: dict[str, uuid.UUID] = {}
        for username, full_name, role, password in DEMO_USERS:
            user_ids[username] = add_user_in(
                session,
                SYSTEM,
                username,
                full_name,
                role,
                password,
                user_id=ids.new(),
            ).id
            result.users.append((username, password, role))
        writer = _Writer(session, _at(as_of, 8))
        if writer.raw:  # a large page cache for the bulk load; this connection only
            session.connection().exec_driver_sql("PRAGMA cache_size=-262144")
        say("organisations")
        orgs = _organisations(rng, ids, writer, unit.id)
        office = _Office(
            rng,
            ids,
            as_of,
            unit.id,
            [user_ids[u] for u in ("aizada", "elena", "nurlan")],
            [user_ids[u] for u in ("cholpon", "ruslan")],
            user_ids["head"],
            orgs,
        )
        say("people")
        loaded: list[type[Base] | Table] = [model for model, _columns in CHUNK_TABLES]
        loaded += [KddMeeting, KddMember, KddAgendaItem, KddDecision, ChildRegisterEntry]
        writer.suspend_indexes(loaded)
        twins = set(rng.sample(range(children), max(1, children // 400)))
        made = flushed = 0
        while made < children:
            made += office.household(children - made, twins, made)
            if made - flushed >= CHUNK_CHILDREN:
                office.flush(writer)
                flushed = made
        office.flush(writer)
        office.kdd(writer)
        office.write_counters(writer)
        say("change log")
        writer.log_inserts()
        register_index.rebuild_all(session)
        say("indexes")
        writer.restore_indexes()
        result.counts = dict(writer.counts)
        if writer.raw:
            session.connection().exec_driver_sql("PRAGMA cache_size=-2000")
        audit(
            session,
            SYSTEM,
            "demo.generate",
            details={"children": children, "seed": seed, "as_of": as_of.isoformat()},
        )
    result.seconds = time.perf_counter() - started
    return result


def _organisations(rng: random.Random, ids: _DemoIds, writer: _Writer, district_id: uuid.UUID) -> list[str]:
    """Schools, health centres, police, айыл окмоту and others that receive referrals; their ids."""
    rows: list[Row] = []
    for type_code, ru, ky in ORGANISATIONS:
        copies = 6 if type_code in ("school", "aiyl_okmotu") else (3 if "{n}" in ru else 1)
        for n in range(1, copies + 1):
            village = VILLAGES[n % len(VILLAGES)]
            rows.append(
                (
                    ids.hex(),
                    ru.format(n=n, v=village.removeprefix("с. ")),
                    ky.format(n=n, v=village.removeprefix("с. ")),
                    reference_id("organisation_type", type_code).hex,
                    district_id.hex,
                    f"{village}, {rng.choice(STREETS)}, {n * 7}",
                    f"+996 3134 {rng.randint(50000, 59999)}",
                    1,
                )
            )
    writer.write(Organisation, ORGANISATION_COLUMNS, rows)
    return [row[0] for row in rows]


def _latin(text: str) -> str:
    table = str.maketrans({"ү": "u", "ө": "o", "ң": "n", "Ү": "U", "Ө": "O", "Ң": "N"})
    cyr = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"
    lat = [
        "a",
        "b",
        "v",
        "g",
        "d",
        "e",
        "e",
        "zh",
        "z",
        "i",
        "i",
        "k",
        "l",
        "m",
        "n",
        "o",
        "p",
        "r",
        "s",
        "t",
        "u",
        "f",
        "kh",
        "ts",
        "ch",
        "sh",
        "shch",
        "",
        "y",
        "",
        "e",
        "iu",
        "ia",
    ]
    mapping = dict(zip(cyr, lat, strict=True))
    out = []
    for ch in text.translate(table):
        low = ch.lower()
        if low in mapping:
            value = mapping[low]
            out.append(value.capitalize() if ch != low else value)
        else:
            out.append(ch)
    return "".join(out)


def _misspell(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randint(1, len(text) - 2)
    swaps = {"а": "о", "о": "а", "е": "и", "и": "е", "ү": "у", "ө": "о", "ң": "н", "у": "ү"}
    return text[:i] + swaps.get(text[i], text[i]) + text[i + 1 :]
