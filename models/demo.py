"""A realistic demo office: deterministic for a seed and a reference date.

Kyrgyz and Russian names (a few in passport Latin), households with parents, grandparents
and siblings, reports, cases in every status with assessments, plans, referrals and
visits, КДД meetings with decisions, closures, and a few probable duplicates. Rows are
written with bulk inserts (the ORM per object would take minutes at 100,000 children),
with their change-log rows and one audit entry, in one transaction.
"""

from __future__ import annotations

import functools
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from operator import attrgetter, itemgetter
from typing import Any

from sqlalchemy import Date, Table, Uuid, bindparam, insert, literal, select, update
from sqlalchemy.orm import Session

from models import names, register_index
from models.base import UTCDateTime
from models.database import Database
from models.errors import PermissionDenied
from models.i18n import _
from models.orm import (
    AssessmentDomain,
    Base,
    Case,
    ChangeLogEntry,
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


@dataclass
class DemoResult:
    users: list[tuple[str, str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


class _Writer:
    """Collects rows per table and writes them in batches; then one change-log row per record.

    On SQLite the rows go straight to the driver's executemany in the storage format
    SQLAlchemy uses (UUID as 32 hex digits, ISO dates, naive UTC timestamps): the ORM's
    per-value processing would triple the time of a 100,000-child office.
    """

    BATCH = 20000

    def __init__(self, session: Session, stamp: datetime) -> None:
        self.session = session
        self.stamp = stamp
        self.counts: dict[str, int] = {}
        self.raw = session.get_bind().dialect.name == "sqlite"
        self._datetimes: dict[datetime, str] = {}

    def _datetime_text(self, value: datetime) -> str:
        text = self._datetimes.get(value)
        if text is None:
            naive = value.astimezone(UTC).replace(tzinfo=None)
            text = self._datetimes[value] = naive.isoformat(sep=" ", timespec="microseconds")
        return text

    def _converter(self, column: Any) -> Callable[[Any], Any] | None:
        """How a value of *column* is stored by SQLAlchemy on SQLite (None: as it is)."""
        type_ = column.type
        if isinstance(type_, Uuid):
            return attrgetter("hex")
        if isinstance(type_, UTCDateTime):
            return self._datetime_text
        if isinstance(type_, Date):
            return date.isoformat
        return None  # text, numbers and booleans go to sqlite3 as they are

    def _execute(self, table: Table, rows: list[dict[str, Any]]) -> None:
        if not self.raw:
            self.session.execute(insert(table), rows)
            return
        keys = list(rows[0])
        conversions = [(i, conv) for i, key in enumerate(keys) if (conv := self._converter(table.c[key]))]
        getter = itemgetter(*keys)
        values = []
        for row in rows:
            record = list(getter(row))
            for i, conv in conversions:
                if record[i] is not None:
                    record[i] = conv(record[i])
            values.append(record)
        # Table and column names come from the ORM metadata, never from input.
        sql = f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES ({', '.join('?' for _ in keys)})"  # noqa: S608
        cursor = self.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(sql, values)
        finally:
            cursor.close()

    def write(self, model: type[Base] | Table, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        table = model if isinstance(model, Table) else model.__table__
        assert isinstance(table, Table)
        if "version" in table.c:
            for row in rows:
                row.setdefault("created_at", self.stamp)
                row.setdefault("updated_at", self.stamp)
                row.setdefault("version", 1)
        _uniform(table, rows)
        for start in range(0, len(rows), self.BATCH):
            self._execute(table, rows[start : start + self.BATCH])
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)

    def log_inserts(self) -> None:
        """One change-log row per travelling row written, made by the database (one statement a table)."""
        for name in self.counts:
            table = Base.metadata.tables[name]
            if "version" not in table.c:
                continue
            rows = select(literal(name), table.c.id, literal("I"), literal(self.stamp, UTCDateTime()))
            self.session.execute(
                insert(ChangeLogEntry).from_select(
                    ["table_name", "record_id", "operation", "changed_at"],
                    rows.order_by(table.c.created_at, table.c.id),
                )
            )


def _uniform(table: Table, rows: list[dict[str, Any]]) -> None:
    """Give every row the same keys (executemany needs it): a missing value takes the column default."""
    keys = set().union(*(row.keys() for row in rows))
    fill = {}
    for key in keys:
        default = table.c[key].default
        fill[key] = default.arg if default is not None and default.is_scalar else None  # type: ignore[attr-defined]
    for row in rows:
        if len(row) != len(keys):
            for key in keys - row.keys():
                row[key] = fill[key]


def _patronymic(father: str, sex: str) -> str:
    if father.endswith("ий"):
        return father[:-1] + ("евич" if sex == "M" else "евна")
    if father.endswith("й"):
        return father[:-1] + ("евич" if sex == "M" else "евна")
    if father.endswith("а"):
        return father[:-1] + ("ич" if sex == "M" else "ична")
    return father + ("ович" if sex == "M" else "овна")


class _Generator:
    def __init__(
        self,
        rng: random.Random,
        as_of: date,
        district_id: uuid.UUID,
        workers: list[uuid.UUID],
        social_workers: list[uuid.UUID],
        head: uuid.UUID,
    ) -> None:
        self.rng = rng
        self.as_of = as_of
        self.district_id = district_id
        self.workers = workers
        self.social_workers = social_workers
        self.head = head
        self.cat_codes = [c for c, _w in CATEGORY_WEIGHTS]
        self.cat_weights = [w for _c, w in CATEGORY_WEIGHTS]

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def day_between(self, start: date, end: date) -> date:
        span = max(0, (end - start).days)
        return start + timedelta(days=self.rng.randint(0, span))

    def pin(self, sex: str, born: date) -> str:
        return f"{1 if sex == 'F' else 2}{born:%d%m%Y}{self.rng.randint(0, 99999):05d}"

    def name(self, sex: str, russian: bool) -> tuple[str, str, str | None]:
        rng = self.rng
        if russian:
            male, female = rng.choice(RU_SURNAMES)
            first = rng.choice(RU_MALE if sex == "M" else RU_FEMALE)
            father = rng.choice(RU_MALE)
            return (male if sex == "M" else female), first, _patronymic(father, sex)
        root = rng.choice(KY_SURNAME_ROOTS)
        last = root + ("ев" if root.endswith("а") else "ов") + ("" if sex == "M" else "а")
        first = rng.choice(KY_MALE if sex == "M" else KY_FEMALE)
        father = rng.choice(KY_MALE)
        if rng.random() < 0.3:
            patronymic = f"{father} {'уулу' if sex == 'M' else 'кызы'}"
        else:
            patronymic = _patronymic(father, sex)
        return last, first, patronymic

    def person_row(
        self,
        *,
        child: bool,
        sex: str,
        born: date,
        last: str,
        first: str,
        patronymic: str | None,
        address: str,
        **extra: Any,
    ) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": self.uid(),
            "is_child": child,
            "last_name": last,
            "first_name": first,
            "patronymic": patronymic,
            "sex": sex,
            "birth_date": born,
            "pin": self.pin(sex, born) if self.rng.random() < 0.92 else None,
            "pin_verified": self.rng.random() < 0.6,
            "last_name_key": names.name_key(last),
            "first_name_key": names.name_key(first),
            "patronymic_key": names.name_key(patronymic),
            "district_id": self.district_id,
            "address_text": address,
            "citizenship": "Кыргызская Республика",
            "disability": False,
            "documents_missing": False,
            "in_migration": False,
        }
        row.update(extra)
        return row


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
                user_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            ).id
            result.users.append((username, password, role))
        stamp = _at(as_of, 8)
        writer = _Writer(session, stamp)
        if writer.raw:  # a large page cache for the bulk load; this connection only
            session.connection().exec_driver_sql("PRAGMA cache_size=-262144")
        gen = _Generator(
            rng,
            as_of,
            unit.id,
            [user_ids[u] for u in ("aizada", "elena", "nurlan")],
            [user_ids[u] for u in ("cholpon", "ruslan")],
            user_ids["head"],
        )
        say("organisations")
        orgs = _organisations(gen, writer)
        say("people")
        _people_and_cases(gen, writer, children, orgs, user_ids)
        writer.log_inserts()
        register_index.rebuild_all(session)
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


def _organisations(gen: _Generator, writer: _Writer) -> dict[str, list[uuid.UUID]]:
    rows = []
    by_type: dict[str, list[uuid.UUID]] = {}
    for type_code, ru, ky in ORGANISATIONS:
        copies = 6 if type_code in ("school", "aiyl_okmotu") else (3 if "{n}" in ru else 1)
        for n in range(1, copies + 1):
            village = VILLAGES[n % len(VILLAGES)].removeprefix("с. ")
            org_id = gen.uid()
            row = {
                "id": org_id,
                "name_ru": ru.format(n=n, v=village),
                "name_ky": ky.format(n=n, v=village),
                "type_id": reference_id("organisation_type", type_code),
                "district_id": gen.district_id,
                "address": f"{VILLAGES[n % len(VILLAGES)]}, {gen.rng.choice(STREETS)}, {n * 7}",
                "phone": f"+996 3134 {gen.rng.randint(50000, 59999)}",
                "active": True,
            }
            rows.append(row)
            by_type.setdefault(type_code, []).append(org_id)
    writer.write(Organisation, rows)
    return by_type


def _people_and_cases(
    gen: _Generator,
    writer: _Writer,
    n_children: int,
    orgs: dict[str, list[uuid.UUID]],
    users: dict[str, uuid.UUID],
) -> None:
    rng = gen.rng
    as_of = gen.as_of
    persons: list[dict[str, Any]] = []
    households: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    child_rows: list[tuple[dict[str, Any], uuid.UUID]] = []
    rel = {
        code: reference_id("relation_type", code)
        for code in ("mother", "father", "grandmother", "grandfather", "guardian", "child", "aunt")
    }
    while len(child_rows) < n_children:
        russian = rng.random() < 0.12
        address = f"{rng.choice(VILLAGES)}, {rng.choice(STREETS)}, {rng.randint(1, 180)}"
        hh_id = gen.uid()
        households.append(
            {
                "id": hh_id,
                "district_id": gen.district_id,
                "address_text": address,
                "housing": rng.choice(["Собственный дом", "Аренда", "У родственников"]),
                "income_sources": rng.choice(
                    ["Денежные переводы из России", "Сельское хозяйство", "Пособие", "Случайные заработки"]
                ),
                "members_count": 0,
            }
        )
        father_last, father_first, _father_patronymic = gen.name("M", russian)
        family_last_m = father_last
        family_last_f = father_last if father_last.endswith(("ко", "ой", "им", "ак")) else father_last + "а"
        position = 0
        migrants = rng.random() < 0.35
        adults: list[tuple[str, str, str, str, bool]] = []
        if rng.random() < 0.85:
            adults.append(
                (
                    "mother",
                    "F",
                    family_last_f,
                    rng.choice(RU_FEMALE if russian else KY_FEMALE),
                    migrants and rng.random() < 0.4,
                )
            )
        if rng.random() < 0.6:
            adults.append(("father", "M", family_last_m, father_first, migrants))
        if migrants or not adults:
            adults.append(("grandmother", "F", gen.name("F", russian)[0], rng.choice(KY_FEMALE), False))
        for relation, sex, last, first, in_migration in adults:
            age = rng.randint(24, 45) if relation in ("mother", "father") else rng.randint(52, 75)
            born = gen.day_between(as_of - timedelta(days=365 * age + 364), as_of - timedelta(days=365 * age))
            row = gen.person_row(
                child=False,
                sex=sex,
                born=born,
                last=last,
                first=first,
                patronymic=gen.name(sex, russian)[2],
                address=address,
                phone=f"+996 {rng.choice(['555', '700', '770', '505'])} {rng.randint(100000, 999999)}",
                occupation=rng.choice(
                    ["Безработный(ая)", "Фермер", "Продавец", "Домохозяйка", "Разнорабочий", "Учитель"]
                ),
                in_migration=in_migration,
                migration_country="Российская Федерация" if in_migration else None,
            )
            persons.append(row)
            members.append(
                {
                    "id": gen.uid(),
                    "household_id": hh_id,
                    "person_id": row["id"],
                    "relation_id": rel[relation],
                    "position": position,
                    "is_caregiver": not in_migration,
                    "lives_with_child": not in_migration,
                }
            )
            position += 1
        for _k in range(min(rng.choice([1, 1, 2, 2, 3, 4]), n_children - len(child_rows))):
            sex = rng.choice("FM")
            age_days = rng.randint(30, 17 * 365 + 300)
            born = as_of - timedelta(days=age_days)
            first = rng.choice(
                (RU_FEMALE if sex == "F" else RU_MALE) if russian else (KY_FEMALE if sex == "F" else KY_MALE)
            )
            patronymic = (
                _patronymic(father_first, sex)
                if rng.random() < 0.7
                else (f"{father_first} {'уулу' if sex == 'M' else 'кызы'}")
            )
            last = family_last_m if sex == "M" else family_last_f
            age = age_days // 365
            row = gen.person_row(
                child=True,
                sex=sex,
                born=born,
                last=last,
                first=first,
                patronymic=patronymic,
                address=address,
                school=f"СШ № {rng.randint(1, 6)}" if 7 <= age <= 17 else None,
                school_class=f"{min(11, age - 6)}" if 7 <= age <= 17 else None,
                disability=rng.random() < 0.06,
                documents_missing=rng.random() < 0.04,
                languages=rng.choice(["кыргызский", "кыргызский, русский", "русский"]),
            )
            if rng.random() < 0.02:  # passport spelling typed in Latin
                row["last_name"] = _latin(row["last_name"])
                row["first_name"] = _latin(row["first_name"])
            persons.append(row)
            members.append(
                {
                    "id": gen.uid(),
                    "household_id": hh_id,
                    "person_id": row["id"],
                    "relation_id": rel["child"],
                    "position": position,
                    "is_caregiver": False,
                    "lives_with_child": True,
                }
            )
            position += 1
            child_rows.append((row, hh_id))
        households[-1]["members_count"] = position
    # A few probable duplicates: the same child typed again, with a slip in the name or a re-used ПИН.
    for row, hh_id in rng.sample(child_rows, max(1, n_children // 400)):
        twin = dict(row)
        twin["id"] = gen.uid()
        if rng.random() < 0.5:
            twin["first_name"] = _misspell(rng, twin["first_name"])
            twin["first_name_key"] = names.name_key(twin["first_name"])
        twin["pin_verified"] = False
        persons.append(twin)
        child_rows.append((twin, hh_id))
    writer.write(Household, households)
    writer.write(Person, persons)
    writer.write(HouseholdMember, members)
    _cases(gen, writer, child_rows, orgs, users)


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


def _weighted(rng: random.Random, pairs: list[tuple[str, int]]) -> str:
    return rng.choices([p for p, _w in pairs], weights=[w for _p, w in pairs])[0]


def _cases(
    gen: _Generator,
    writer: _Writer,
    child_rows: list[tuple[dict[str, Any], uuid.UUID]],
    orgs: dict[str, list[uuid.UUID]],
    users: dict[str, uuid.UUID],
) -> None:
    rng = gen.rng
    as_of = gen.as_of
    district = gen.district_id
    counters: dict[tuple[str, int], int] = {}

    def number(scope: str, year: int) -> int:
        counters[(scope, year)] = counters.get((scope, year), 0) + 1
        return counters[(scope, year)]

    reports: list[dict[str, Any]] = []
    report_kids: list[dict[str, Any]] = []
    report_cats: list[dict[str, Any]] = []
    cases: list[dict[str, Any]] = []
    case_cats: list[dict[str, Any]] = []
    initial: list[dict[str, Any]] = []
    comprehensive: list[dict[str, Any]] = []
    domains: list[dict[str, Any]] = []
    acts: list[dict[str, Any]] = []
    plans: list[dict[str, Any]] = []
    goals: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    reviews: list[dict[str, Any]] = []
    referrals: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    closures: list[dict[str, Any]] = []
    outcomes: list[dict[str, Any]] = []
    current_case: list[dict[str, Any]] = []
    report_case: list[dict[str, Any]] = []
    domain_ids = [
        reference_id("assessment_domain", c)
        for c in (
            "health",
            "development_education",
            "emotional_behavioural",
            "identity_documents",
            "family_parenting",
            "housing_income",
            "social_network",
            "risk_factors",
        )
    ]
    need_ids = [reference_id("need_level", c) for c in ("none", "low", "medium", "high")]
    sources = [
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
    all_orgs = [(t, o) for t, ids in orgs.items() for o in ids]
    earliest = as_of - timedelta(days=3 * 365)
    closed_cases: list[dict[str, Any]] = []
    for child, hh_id in child_rows:
        status = _weighted(rng, STATUS_WEIGHTS)
        born = child["birth_date"]
        opened = gen.day_between(max(earliest, born + timedelta(days=10)), as_of - timedelta(days=1))
        received = opened - timedelta(days=rng.randint(0, 5))
        received = max(received, born)
        worker = rng.choice(gen.workers)
        report_id = gen.uid()
        reports.append(
            {
                "id": report_id,
                "district_id": district,
                "reg_year": received.year,
                "reg_no": number("report", received.year),
                "received_at": _at(received, rng.randint(8, 17)),
                "source_type_id": reference_id("report_source", rng.choice(sources)),
                "channel_id": reference_id("report_channel", rng.choice(["in_person", "phone", "letter"])),
                "reporter_name": rng.choice(
                    [
                        "Социальный педагог СШ",
                        "Участковый инспектор",
                        "Соседка",
                        "Специалист айыл окмоту",
                        None,
                    ]
                ),
                "anonymous": False,
                "concern": "Ребёнок остался без присмотра, родители на заработках",
                "urgent": rng.random() < 0.08,
                "assigned_worker_id": worker,
                "decision": "open_case",
                "decision_date": opened,
            }
        )
        if reports[-1]["reporter_name"] is None:
            reports[-1]["anonymous"] = True
        report_kids.append({"report_id": report_id, "person_id": child["id"]})
        cats = {
            rng.choices(gen.cat_codes, weights=gen.cat_weights)[0] for _ in range(rng.choice([1, 1, 2, 3]))
        }
        case_id = gen.uid()
        cases.append(
            {
                "id": case_id,
                "district_id": district,
                "case_year": opened.year,
                "case_no": number("case", opened.year),
                "child_id": child["id"],
                "household_id": hh_id,
                "report_id": report_id,
                "opened_on": opened,
                "status": status,
                "risk_level_id": reference_id("risk_level", rng.choice(["low", "medium", "medium", "high"])),
                "worker_id": worker,
                "reopened_count": 0,
            }
        )
        for code in sorted(cats):
            case_cats.append({"case_id": case_id, "category_id": reference_id("tjs_category", code)})
            report_cats.append({"report_id": report_id, "category_id": reference_id("tjs_category", code)})
        current_case.append({"b_id": child["id"], "b_case": case_id})
        report_case.append({"b_id": report_id, "b_case": case_id})
        stage = [s for s, _w in STATUS_WEIGHTS].index(status)
        # Initial assessment: due in 3 working days; done for every case past "registered".
        due = opened + timedelta(days=5 if opened.weekday() >= 2 else 3)
        done = stage >= 1
        initial.append(
            {
                "id": gen.uid(),
                "case_id": case_id,
                "due_date": due,
                "visit_date": min(as_of, opened + timedelta(days=rng.randint(0, 4))) if done else None,
                "place": child["address_text"],
                "participants": "Специалист ОЗД, социальный работник, мать",
                "immediate_danger": rng.random() < 0.05,
                "caregiver_present": rng.random() < 0.8,
                "parents_in_migration": "labour_migrants" in cats,
                "conclusion": "Требуется комплексная оценка потребностей" if done else None,
                "completed_on": min(as_of, opened + timedelta(days=rng.randint(0, 4))) if done else None,
                "assessor_id": worker,
            }
        )
        if stage >= 2:
            ca_id = gen.uid()
            completed = min(as_of, opened + timedelta(days=rng.randint(10, 35)))
            comprehensive.append(
                {
                    "id": ca_id,
                    "case_id": case_id,
                    "due_date": opened + timedelta(days=30),
                    "started_on": opened + timedelta(days=5),
                    "completed_on": completed,
                    "strengths": "Бабушка заботится о ребёнке",
                    "child_views": "Хочет учиться",
                    "overall_risk_id": reference_id("risk_level", rng.choice(["low", "medium", "high"])),
                    "summary": "Нуждается в сопровождении семьи",
                    "assessor_id": worker,
                }
            )
            for dom in domain_ids:
                domains.append(
                    {
                        "id": gen.uid(),
                        "assessment_id": ca_id,
                        "domain_id": dom,
                        "findings": "Без особенностей" if rng.random() < 0.6 else "Требует внимания",
                        "need_level_id": rng.choice(need_ids),
                    }
                )
            if rng.random() < 0.3:
                acts.append(
                    {
                        "id": gen.uid(),
                        "case_id": case_id,
                        "act_date": completed,
                        "address_text": child["address_text"],
                        "occupancy_basis": "Собственность",
                        "dwelling_type": "Частный дом",
                        "wall_material": "Саман",
                        "rooms": rng.randint(1, 5),
                        "heating": "Печное (уголь)",
                        "water": "Колонка во дворе",
                        "electricity": "Есть",
                        "toilet": "Во дворе",
                        "conclusion": "Условия удовлетворительные",
                        "family_acknowledged": True,
                    }
                )
        if stage >= 3:
            plan_id = gen.uid()
            start = min(as_of, opened + timedelta(days=rng.randint(20, 45)))
            approved = stage >= 3 and rng.random() < 0.9
            plans.append(
                {
                    "id": plan_id,
                    "case_id": case_id,
                    "kind": "child",
                    "plan_no": 1,
                    "revision": 1,
                    "status": "approved" if approved else "draft",
                    "start_date": start,
                    "review_date": start + timedelta(days=91),
                    "child_participated": True,
                    "family_participated": True,
                    "approved_by_id": gen.head if approved else None,
                    "approved_at": _at(start, 15) if approved else None,
                }
            )
            for g in range(rng.randint(1, 3)):
                goal_id = gen.uid()
                goals.append({"id": goal_id, "plan_id": plan_id, "position": g, "text": rng.choice(GOALS)})
                for a in range(rng.randint(1, 2)):
                    service, text = rng.choice(ACTIONS)
                    due_action = start + timedelta(days=rng.randint(10, 120))
                    action_status = (
                        "done"
                        if due_action < as_of and rng.random() < 0.7
                        else rng.choice(["planned", "in_progress"])
                    )
                    _org_type, org_id = rng.choice(all_orgs)
                    action_id = gen.uid()
                    actions.append(
                        {
                            "id": action_id,
                            "plan_id": plan_id,
                            "goal_id": goal_id,
                            "position": g * 10 + a,
                            "need": text,
                            "service_type_id": reference_id("service_type", service),
                            "description": text,
                            "organisation_id": org_id,
                            "responsible_person": "Специалист ОЗД",
                            "due_date": due_action,
                            "status": action_status,
                            "result": "Выполнено" if action_status == "done" else None,
                        }
                    )
                    if rng.random() < 0.45:
                        issued = min(as_of, start + timedelta(days=rng.randint(1, 20)))
                        replied = rng.random() < 0.6
                        referrals.append(
                            {
                                "id": gen.uid(),
                                "district_id": district,
                                "case_id": case_id,
                                "child_id": child["id"],
                                "plan_action_id": action_id,
                                "out_year": issued.year,
                                "out_no": number("referral", issued.year),
                                "issued_on": issued,
                                "organisation_id": org_id,
                                "service_type_id": reference_id("service_type", service),
                                "reason": text,
                                "requested_service": text,
                                "contains_personal_data": True,
                                "consent_given": True,
                                "consent_by": "Мать ребёнка",
                                "consent_date": issued,
                                "reply_due": issued + timedelta(days=10),
                                "reply_received_on": min(as_of, issued + timedelta(days=rng.randint(2, 14)))
                                if replied
                                else None,
                                "reply_outcome": "Услуга оказана" if replied else None,
                                "status": "replied" if replied else "issued",
                            }
                        )
            if stage >= 4 and rng.random() < 0.5:
                reviews.append(
                    {
                        "id": gen.uid(),
                        "plan_id": plan_id,
                        "review_date": start + timedelta(days=90),
                        "reviewer_id": worker,
                        "changes": "Часть мероприятий выполнена",
                        "next_review_date": start + timedelta(days=180),
                    }
                )
        for v in range(rng.randint(0, 3) if stage >= 1 else 0):
            visit_day = min(as_of, opened + timedelta(days=7 + v * rng.randint(20, 60)))
            visits.append(
                {
                    "id": gen.uid(),
                    "case_id": case_id,
                    "visit_date": visit_day,
                    "kind": rng.choice(["home", "home", "office"]),
                    "worker_id": rng.choice([*gen.social_workers, worker]),
                    "participants": "Ребёнок, бабушка",
                    "observations": "Ребёнок посещает школу",
                    "next_visit_date": visit_day + timedelta(days=30),
                }
            )
        if status == "closed":
            closed_on = min(as_of, opened + timedelta(days=rng.randint(60, 400)))
            cases[-1]["closed_on"] = closed_on
            closure_id = gen.uid()
            reason = _weighted(
                rng,
                [
                    ("goals_achieved", 70),
                    ("moved_away", 10),
                    ("reached_18", 8),
                    ("family_care", 8),
                    ("other", 4),
                ],
            )
            closures.append(
                {
                    "id": closure_id,
                    "case_id": case_id,
                    "closed_on": closed_on,
                    "reason_id": reference_id("closure_reason", reason),
                    "final_assessment": "Риск снижен, семья справляется",
                    "approved_by_id": gen.head,
                    "approved_at": _at(closed_on, 16),
                    "follow_up_date": closed_on + timedelta(days=182),
                }
            )
            outcome = rng.choice(["child_allowance", "rehab_services", "employment", "passport"])
            outcomes.append({"closure_id": closure_id, "outcome_id": reference_id("family_outcome", outcome)})
            closed_cases.append(cases[-1])
    meetings, members, items, decisions = _kdd(gen, cases, users, number)
    writer.write(Report, reports)
    writer.write(report_children, report_kids)
    writer.write(report_categories, report_cats)
    writer.write(Case, cases)
    writer.write(case_categories, case_cats)
    links: list[tuple[Any, str, list[dict[str, Any]]]] = [
        (Person, "current_case_id", current_case),
        (Report, "case_id", report_case),
    ]
    for model, column, pairs in links:
        table = model.__table__
        stmt = update(table).where(table.c.id == bindparam("b_id")).values({column: bindparam("b_case")})
        for begin in range(0, len(pairs), 5000):
            writer.session.connection().execute(stmt, pairs[begin : begin + 5000])
    for model, rows in (
        (InitialAssessment, initial),
        (ComprehensiveAssessment, comprehensive),
        (AssessmentDomain, domains),
        (HousingAct, acts),
        (Plan, plans),
        (PlanGoal, goals),
        (PlanAction, actions),
        (PlanReview, reviews),
        (Referral, referrals),
        (Visit, visits),
        (Closure, closures),
        (closure_outcomes, outcomes),
        (KddMeeting, meetings),
        (KddMember, members),
        (KddAgendaItem, items),
        (KddDecision, decisions),
    ):
        writer.write(model, rows)
    writer.write(
        NumberCounter,
        [
            {"scope": scope, "district_id": district, "year": year, "last_value": value}
            for (scope, year), value in sorted(counters.items())
        ],
    )


def _kdd(
    gen: _Generator,
    cases: list[dict[str, Any]],
    users: dict[str, uuid.UUID],
    number: Callable[[str, int], int],
) -> tuple[list[dict[str, Any]], ...]:
    rng = gen.rng
    meetings: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    items: list[dict[str, Any]] = []
    decisions: list[dict[str, Any]] = []
    candidates = [c for c in cases if c["status"] in ("implementation", "monitoring", "closed")]
    n_meetings = max(1, len(cases) // 250)
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
        day = gen.as_of - timedelta(days=14 * (n_meetings - m))
        held = day < gen.as_of
        meeting_id = gen.uid()
        meetings.append(
            {
                "id": meeting_id,
                "district_id": gen.district_id,
                "meeting_year": day.year,
                "meeting_no": number("kdd_meeting", day.year),
                "meeting_date": day,
                "place": "Актовый зал районной администрации",
                "chair_name": commission[0][1],
                "secretary_name": commission[2][1],
                "members_total": len(commission),
                "status": "held" if held else "planned",
            }
        )
        for pos, (role, name, title) in enumerate(commission):
            members.append(
                {
                    "id": gen.uid(),
                    "meeting_id": meeting_id,
                    "position": pos,
                    "full_name": name,
                    "job_title": title,
                    "role": role,
                    "present": rng.random() < 0.9,
                }
            )
        for pos, case in enumerate(rng.sample(candidates, min(len(candidates), rng.randint(3, 6)))):
            item_id = gen.uid()
            items.append(
                {
                    "id": item_id,
                    "meeting_id": meeting_id,
                    "position": pos,
                    "case_id": case["id"],
                    "child_id": case["child_id"],
                    "title": "О ненадлежащем исполнении родительских обязанностей",
                    "reported_by": "Специалист ОЗД",
                    "attendees": "Мать ребёнка",
                    "parent_invited": True,
                    "parent_attended": rng.random() < 0.7 if held else None,
                    "discussion": "Заслушана информация специалиста" if held else None,
                }
            )
            if held:
                deadline = day + timedelta(days=30)
                decisions.append(
                    {
                        "id": gen.uid(),
                        "item_id": item_id,
                        "decision_no": pos + 1,
                        "text": "Обязать мать обеспечить посещение ребёнком школы; ОЗД взять семью "
                        "на сопровождение",
                        "responsible_body": "ОЗД, СШ",
                        "deadline": deadline,
                        "appeal_note": "Может быть обжаловано в суде в течение 10 дней",
                        "done_on": deadline - timedelta(days=3)
                        if deadline < gen.as_of and rng.random() < 0.7
                        else None,
                    }
                )
    return meetings, members, items, decisions
