"""Register queries: one page of light rows, filtered, sorted and counted in SQL.

The Qt table models, the CLI and the spreadsheet export describe what they want with a
:class:`RegisterQuery` and get a :class:`RegisterPage` of named tuples (never ORM objects).
Filtering, sorting and counting happen in the database, on indexed columns, with the same
SQLAlchemy Core code on SQLite and PostgreSQL. A page is read in steps: the ids of the page
(filtered, sorted, limited, with only the joins that the filters and the sort need), the count,
then the shown columns for those ids alone, and whatever is per row and not sortable (the
categories of a case, the children of a report …) by one more query for the same ids. The
children register, the one read most, does it all in one statement: the page's ids are a
subquery, the categories are joined, and the count comes along where it reads what the page
reads anyway; its most frequent statements are built once and run with new values.
:func:`columns` describes each register's columns with English headers for gettext, so that any
language can render them.

Name search uses the normalized keys of :mod:`models.names`: every word of the search must
start the last name, first name or patronymic key, and at least one word must start the last
or first name key. The prefixes are range predicates (``key >= k AND key < bound``), which
both engines answer from the B-tree indexes on the keys. A 14-digit search is a ПИН, and
``12/2026`` is a case, report, referral or meeting number.
"""

from __future__ import annotations

import functools
import operator
import re
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar, Literal, NamedTuple, TypeVar

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    FromClause,
    Integer,
    Select,
    SQLColumnExpression,
    String,
    and_,
    bindparam,
    distinct,
    exists,
    false,
    func,
    not_,
    or_,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.orm.util import AliasedClass

from models.errors import DomainError
from models.i18n import N_, _, current_language, translator
from models.names import full_name, prefix_upper_bound, query_keys
from models.orm import (
    CASE_STATUSES,
    REFERRAL_STATUSES,
    AdminUnit,
    Case,
    ChildRegisterEntry,
    Household,
    HouseholdMember,
    KddAgendaItem,
    KddMeeting,
    Organisation,
    Person,
    ReferenceItem,
    Referral,
    Report,
    User,
    case_categories,
    report_categories,
    report_children,
)

ColumnType = Literal["text", "date", "datetime", "int", "bool"]

REGISTERS = ("children", "reports", "cases", "households", "referrals", "kdd_meetings")
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000

# The filters a register may support; :func:`filters` tells which ones it does.
FILTERS = (
    "search",
    "categories",
    "statuses",
    "worker_id",
    "district_id",
    "date_range",
    "only_open",
    "overdue",
    "urgent_only",
)

SEX_LABELS = {"F": N_("Female"), "M": N_("Male")}
CASE_STATUS_LABELS = {
    "registered": N_("Registered"),
    "assessment": N_("Assessment"),
    "planning": N_("Planning"),
    "implementation": N_("Plan implementation"),
    "monitoring": N_("Monitoring"),
    "closed": N_("Closed"),
}
REPORT_DECISION_LABELS = {
    "pending": N_("Pending decision"),
    "open_case": N_("Case opened"),
    "refer_elsewhere": N_("Referred elsewhere"),
    "no_grounds": N_("No grounds"),
}
REFERRAL_STATUS_LABELS = {
    "draft": N_("Draft"),
    "issued": N_("Issued"),
    "replied": N_("Reply received"),
    "cancelled": N_("Cancelled"),
}
KDD_STATUS_LABELS = {"planned": N_("Planned"), "held": N_("Held"), "cancelled": N_("Cancelled")}
_YES_NO = {True: N_("Yes"), False: N_("No")}

_PIN = re.compile(r"\d{14}")
_NUMBER = re.compile(r"(\d{1,9})\s*/\s*(\d{4})")
_LIST_SEPARATOR = "; "  # category names contain commas


# --- public types ---------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnSpec:
    """One column of a register: *key* names the row field, *header* is an English msgid.

    Code columns (statuses, sex) carry *labels*, English msgids by code, for the reader's
    language. *sortable* columns are the ones the database can sort on an index.
    """

    key: str
    header: str
    type: ColumnType = "text"
    sortable: bool = False
    labels: Mapping[str, str] | None = field(default=None, compare=False, hash=False)

    def title(self, lang: str | None = None) -> str:
        return translator(lang or current_language())(self.header)

    def text(self, value: object, lang: str | None = None) -> str:
        """The cell as people read it: ДД.ММ.ГГГГ dates, local times, yes/no, translated codes."""
        gettext = translator(lang or current_language())
        if value is None:
            return ""
        if isinstance(value, bool):
            return gettext(_YES_NO[value])
        if isinstance(value, datetime):
            return value.astimezone().strftime("%d.%m.%Y %H:%M")
        if isinstance(value, date):
            return value.strftime("%d.%m.%Y")
        if self.labels is not None and isinstance(value, str) and value in self.labels:
            return gettext(self.labels[value])
        return str(value)


@dataclass(frozen=True)
class RegisterQuery:
    """What one register view asks for. Filters a register does not support raise ValueError.

    *statuses* are the register's own codes: the (current) case status for children and
    cases, the decision for reports, the referral status, the meeting status. *date_from* and
    *date_to* bound the register's main date, both inclusive. *sort* is a sortable column key
    (the register's default when None). *as_of* is the day for ages and overdue replies
    (today when None); *lang* the language of district, reference and organisation names
    (the UI's when None).
    """

    register: str
    search: str = ""
    categories: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    worker_id: uuid.UUID | None = None
    district_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    only_open: bool = False
    overdue: bool = False
    urgent_only: bool = False
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = DEFAULT_LIMIT
    as_of: date | None = None
    lang: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "categories", tuple(self.categories))
        object.__setattr__(self, "statuses", tuple(self.statuses))
        spec = _register(self.register)
        if self.offset < 0:
            raise ValueError(f"offset must not be negative, got {self.offset}")
        if not 1 <= self.limit <= MAX_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIMIT}, got {self.limit}")
        unsupported = [name for name in self.used_filters() if name not in spec.filters]
        if unsupported:
            raise ValueError(f"the {self.register} register has no filter {', '.join(unsupported)}")
        unknown = [s for s in self.statuses if s not in spec.statuses]
        if unknown:
            raise ValueError(f"unknown {self.register} status {', '.join(unknown)}")
        if self.sort is not None and self.sort not in spec.sorts:
            raise ValueError(f"the {self.register} register cannot sort by {self.sort!r}")

    def used_filters(self) -> list[str]:
        """The names (from :data:`FILTERS`) of the filters this query sets."""
        used = {
            "search": bool(self.search.strip()),
            "categories": bool(self.categories),
            "statuses": bool(self.statuses),
            "worker_id": self.worker_id is not None,
            "district_id": self.district_id is not None,
            "date_range": self.date_from is not None or self.date_to is not None,
            "only_open": self.only_open,
            "overdue": self.overdue,
            "urgent_only": self.urgent_only,
        }
        return [name for name in FILTERS if used[name]]


class ChildRow(NamedTuple):
    """A child in the register of children in difficult life situations (Дети в ТЖС)."""

    id: uuid.UUID
    full_name: str
    sex: str | None
    birth_date: date | None
    age: int | None
    pin: str | None
    district: str | None
    case_id: uuid.UUID | None
    case_number: str | None
    case_status: str | None
    categories: str
    category_codes: tuple[str, ...]
    worker: str | None
    registered_on: date | None


class ReportRow(NamedTuple):
    """A report in the journal of reports (журнал регистрации сообщений)."""

    id: uuid.UUID
    number: str
    received_at: datetime
    source: str | None
    reporter: str | None
    anonymous: bool
    urgent: bool
    decision: str
    worker: str | None
    children: str


class CaseRow(NamedTuple):
    id: uuid.UUID
    number: str
    child_id: uuid.UUID
    child: str | None
    birth_date: date | None
    opened_on: date
    status: str
    risk: str | None
    worker: str | None
    categories: str
    category_codes: tuple[str, ...]
    closed_on: date | None


class HouseholdRow(NamedTuple):
    id: uuid.UUID
    address: str | None
    district: str | None
    members_count: int
    caregiver: str | None


class ReferralRow(NamedTuple):
    id: uuid.UUID
    number: str | None
    issued_on: date | None
    child: str | None
    organisation: str | None
    service: str | None
    reply_due: date | None
    reply_received_on: date | None
    overdue: bool
    status: str


class KddMeetingRow(NamedTuple):
    id: uuid.UUID
    number: str
    meeting_date: date
    place: str | None
    items_count: int
    status: str


RegisterRow = ChildRow | ReportRow | CaseRow | HouseholdRow | ReferralRow | KddMeetingRow


@dataclass(frozen=True)
class RegisterPage:
    """One page of a register: its rows, the number of rows of the whole filtered register, the offset."""

    rows: list[RegisterRow]
    total: int
    offset: int


def columns(register: str) -> list[ColumnSpec]:
    """The columns of *register*, in display order; their keys are the row fields."""
    return list(_register(register).columns)


def filters(register: str) -> frozenset[str]:
    """The filters (names from :data:`FILTERS`) that *register* supports."""
    return _register(register).filters


def default_sort(register: str) -> tuple[str, bool]:
    """The column key and direction (descending?) a register is sorted by when the query names none."""
    spec = _register(register)
    return spec.default_sort, spec.default_descending


def check_category_codes(session: Session, codes: Sequence[str]) -> None:
    """Refuse category codes (of a command's filter) that are not categories of difficult life situations."""
    known = set(
        session.scalars(
            select(ReferenceItem.code).where(
                ReferenceItem.kind == "tjs_category", ReferenceItem.deleted_at.is_(None)
            )
        )
    )
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise DomainError(
            _(
                "Unknown category {codes}; the categories are: {known}.",
                codes=", ".join(unknown),
                known=", ".join(sorted(known)),
            )
        )


def count(session: Session, query: RegisterQuery) -> int:
    """The number of rows of the filtered register."""
    return int(session.connection().execute(count_statement(query)).scalar_one())


def fetch_page(session: Session, query: RegisterQuery) -> RegisterPage:
    """One page of light rows, sorted in SQL, with the total count of the filtered register.

    The page's ids are chosen first, sorted and limited with only the joins the filters and the
    sort need; the columns shown are then read for those ids alone. Where the register's plan
    depends on how many rows match (see :meth:`_Register.counts_first`), the count comes first.
    """
    return _register(query.register).fetch(session, query)


def page_ids_statement(
    query: RegisterQuery, *, matches: int | None = None, with_count: bool = False
) -> Select[Any]:
    """The SELECT of the ids of one page, filtered, sorted and limited (also for query plans).

    *matches*, the count when it is known, lets a register choose between walking the sort order
    and testing each row (many matches) and letting the filters drive the query (few matches).
    *with_count* adds the number of all matches to each row (``count(*) OVER ()``, or a count
    of the same index ranges computed once): worth it when the database reads every match
    anyway to sort them, or when the count is a range of the index the page reads.
    """
    spec = _register(query.register)
    indexed = spec.indexed_page(query, with_count)
    if indexed is not None:
        return indexed
    ctx = _Context.of(query)
    key = query.sort or spec.default_sort
    descending = query.descending if query.sort else spec.default_descending
    selected: list[SQLColumnExpression[Any]] = [spec.id_column()]
    if with_count:
        selected.append(func.count().over().label("total"))
    return (
        select(*selected)
        .select_from(spec.source(query, ctx, sort=key))
        .where(*spec.conditions(query, ctx, matches=matches))
        .order_by(*spec.order_by(key, descending))
        .offset(query.offset)
        .limit(query.limit)
    )


def count_statement(query: RegisterQuery) -> Select[Any]:
    """The SELECT count(*) of the filtered register, with only the joins its filters need."""
    spec = _register(query.register)
    indexed = spec.indexed_count(query)
    if indexed is not None:
        return indexed
    ctx = _Context.of(query)
    return select(func.count()).select_from(spec.source(query, ctx)).where(*spec.conditions(query, ctx))


class IdSnapshot(Sequence[uuid.UUID]):
    """The ids of a register's rows in order, packed 16 bytes each in one bytes object.

    A register of 100,000 rows would otherwise hold 100,000 UUID objects: each is tracked by
    the garbage collector, and making them sets off collections that hold the interpreter lock
    for tens of milliseconds, pausing the GUI thread while a worker reads the snapshot. Packed,
    the snapshot is one untracked object, a seventh of the memory, and made in one call.
    """

    __slots__ = ("_packed",)

    def __init__(self, packed: bytes = b"") -> None:
        if len(packed) % 16:
            raise ValueError("a packed id snapshot is a whole number of 16-byte UUIDs")
        self._packed = packed

    @classmethod
    def of(cls, ids: Iterable[uuid.UUID]) -> IdSnapshot:
        return cls(b"".join(i.bytes for i in ids))

    def __len__(self) -> int:
        return len(self._packed) // 16

    def __getitem__(self, index: int | slice) -> Any:  # uuid.UUID, or a list of them for a slice
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return [self._at(i) for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("id snapshot index out of range")
        return self._at(index)

    def _at(self, index: int) -> uuid.UUID:
        return uuid.UUID(bytes=self._packed[index * 16 : index * 16 + 16])

    def index(self, value: Any, start: int = 0, stop: int | None = None) -> int:
        """The position of the id *value*; ValueError if absent."""
        if isinstance(value, uuid.UUID):
            wanted = value.bytes
            end = len(self._packed) if stop is None else min(stop, len(self)) * 16
            at = self._packed.find(wanted, max(start, 0) * 16, end)
            while at >= 0:
                if at % 16 == 0:
                    return at // 16
                at = self._packed.find(wanted, at + 1, end)
        raise ValueError(f"{value!r} is not in the snapshot")

    def __contains__(self, value: object) -> bool:
        try:
            self.index(value)
        except ValueError:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if isinstance(other, IdSnapshot):
            return self._packed == other._packed
        if isinstance(other, Sequence) and not isinstance(other, str | bytes):
            return list(self) == list(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._packed)

    def __repr__(self) -> str:
        return f"IdSnapshot(<{len(self)} ids>)"


def ordered_ids(session: Session, query: RegisterQuery) -> IdSnapshot:
    """The ids of every row of the filtered register, in its order: a snapshot to read blocks from.

    The query's offset and limit are ignored. A view reads this once when it is (re)loaded, then
    any block of rows by :func:`rows_by_ids`, as fast deep in the register as at its start.
    """
    # Read in chunks: fetching every row at once would keep 100,000 row tuples alive together,
    # enough to set off a full collection in the middle of the read.
    result = session.connection().execution_options(yield_per=2000).execute(ordered_ids_statement(query))
    packed = bytearray()
    for values in result.scalars().partitions():
        if isinstance(values[0], str):  # SQLite: 32 hex digits each, unpacked in one call
            packed += bytes.fromhex("".join(values))
        else:
            packed += b"".join(value.bytes for value in values)
    return IdSnapshot(bytes(packed))


def ordered_ids_statement(query: RegisterQuery) -> Select[Any] | CompoundSelect[Any]:
    """The SELECT of :func:`ordered_ids` (its only or first column is the id; also for query plans)."""
    return _register(query.register).ordered_ids_statement(query)


def rows_by_ids(session: Session, query: RegisterQuery, ids: Sequence[uuid.UUID]) -> list[RegisterRow]:
    """The rows of the records with *ids* (a block of a snapshot, at most a few hundred), in that order.

    The rows are those :func:`fetch_page` gives for the same query. Only the query's register, day
    and language count, not its filters: a record that no longer matches them still has its row
    until the next snapshot, but a record deleted since (or no longer a child) has none.
    """
    return _register(query.register).rows_by_ids(session, query, ids)


# --- building blocks ------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    lang: str
    as_of: date

    @classmethod
    def of(cls, query: RegisterQuery) -> _Context:
        return cls(query.lang or current_language(), query.as_of or datetime.now(UTC).astimezone().date())

    def ref_name(self, item: Any) -> SQLColumnExpression[str]:
        """The name column of a reference item (or an alias of it) in the context's language."""
        return {"ru": item.name_ru, "ky": item.name_ky}.get(self.lang, item.name_en)

    def unit_name(self, unit: Any) -> SQLColumnExpression[str]:
        """The name of an administrative unit or organisation; Russian stands in for English."""
        return unit.name_ky if self.lang == "ky" else unit.name_ru


@dataclass(frozen=True)
class _Search:
    """A search text, understood: a ПИН, a human number N/YYYY, or name keys."""

    pin: str | None = None
    number: tuple[int, int] | None = None
    keys: tuple[str, ...] = ()

    @classmethod
    def of(cls, query: RegisterQuery) -> _Search:
        return cls.parse(query.search)

    @classmethod
    def parse(cls, text: str) -> _Search:
        text = text.strip()
        if _PIN.fullmatch(text):
            return cls(pin=text)
        if match := _NUMBER.fullmatch(text):
            return cls(number=(int(match[1]), int(match[2])))
        return cls(keys=tuple(query_keys(text)))


@dataclass(frozen=True)
class _Sort:
    """How a column key sorts: its expressions, whether they may be NULL, whether the key runs backwards."""

    exprs: tuple[SQLColumnExpression[Any], ...]
    nullable: bool = False
    reverse: bool = False


_PersonLike = type[Person] | AliasedClass[Person]
_Paged = TypeVar("_Paged", Select[Any], CompoundSelect[Any])

# "is_child != false" rather than "= true": the partial indexes ix_persons_live_child_* are declared
# with this very predicate, and SQLite uses a partial index only when the query repeats it.
_LIVE_CHILD = Person.is_child != false()
# Above this many matching children (and for pages within the first quarter of them), a page walks
# the sort order's index and tests each child's current case: it meets a page of matches soon.
_DENSE_MATCHES = 2000
# Positions in the children register's page statement (the columns of _Children.selected, then the
# category's code and name).
_CASE_ID = 8
_CATEGORY_CODE = 14
# Ids read without their type's conversion: Uuid columns hold 32 hex digits on SQLite, psycopg gives UUIDs.
_STORED_ID = String()
# The most page statements _Children keeps (one per shape; in practice a few dozen).
_CACHED_STATEMENTS = 256


def _prefix(column: Any, key: str) -> ColumnElement[bool]:
    """*column* starts with *key*, as a range that a B-tree index answers."""
    return and_(column >= key, column < prefix_upper_bound(key))


def _person_matches(person: _PersonLike, search: _Search) -> ColumnElement[bool]:
    """The person has the searched ПИН, or every name key starts one of their name parts."""
    if search.pin is not None:
        return person.pin == search.pin
    keys = search.keys
    if not keys:
        return false()
    anchor = or_(*(or_(_prefix(person.last_name_key, k), _prefix(person.first_name_key, k)) for k in keys))
    if len(keys) == 1:
        return anchor
    every_key = [
        or_(
            _prefix(person.last_name_key, k),
            _prefix(person.first_name_key, k),
            _prefix(person.patronymic_key, k),
        )
        for k in keys
    ]
    return and_(anchor, *every_key)


def _people_matching(search: _Search) -> Select[Any]:
    """The ids of the live persons, children or adults, that *search* finds."""
    person = aliased(Person, name="found")
    return select(person.id).where(person.deleted_at.is_(None), _person_matches(person, search))


def _number_is(year_column: Any, no_column: Any, search: _Search) -> ColumnElement[bool]:
    assert search.number is not None
    number, year = search.number
    return and_(year_column == year, no_column == number)


def _number(no: int | None, year: int | None) -> str | None:
    return None if no is None or year is None else f"{no}/{year}"


def _age(birth_date: date | None, as_of: date) -> int | None:
    if birth_date is None:
        return None
    return as_of.year - birth_date.year - ((as_of.month, as_of.day) < (birth_date.month, birth_date.day))


def _day_start_utc(day: date) -> datetime:
    """The first instant of a local calendar day (the office computer's time zone), in UTC."""
    return datetime.combine(day, time()).astimezone().astimezone(UTC)


def _date_range(column: Any, query: RegisterQuery, *, timestamps: bool = False) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.date_from is not None:
        start: date | datetime = _day_start_utc(query.date_from) if timestamps else query.date_from
        conditions.append(column >= start)
    if query.date_to is not None:
        if timestamps:
            conditions.append(column < _day_start_utc(query.date_to + timedelta(days=1)))
        else:
            conditions.append(column <= query.date_to)
    return conditions


def _category_ids(codes: Iterable[str]) -> Select[Any]:
    return (
        select(ReferenceItem.id)
        .where(ReferenceItem.kind == "tjs_category", ReferenceItem.code.in_(list(codes)))
        .correlate(None)
    )


def _case_categories(
    session: Session, case_ids: Sequence[uuid.UUID], ctx: _Context
) -> dict[uuid.UUID, list[tuple[str, str]]]:
    """(code, name) of the categories of each case, in the reference list's order."""
    found: dict[uuid.UUID, list[tuple[str, str]]] = {}
    if not case_ids:
        return found
    stmt = (
        select(case_categories.c.case_id, ReferenceItem.code, ctx.ref_name(ReferenceItem))
        .join(ReferenceItem, ReferenceItem.id == case_categories.c.category_id)
        .where(case_categories.c.case_id.in_(case_ids), ReferenceItem.deleted_at.is_(None))
        .order_by(case_categories.c.case_id, ReferenceItem.sort_order, ReferenceItem.code)
    )
    for case_id, code, name in session.connection().execute(stmt).all():
        found.setdefault(case_id, []).append((code, name))
    return found


def _paged(statement: _Paged, query: RegisterQuery) -> _Paged:
    """*statement* limited to the query's page, by named bind parameters (see _Children._page_params)."""
    offset = bindparam("page_offset", query.offset, type_=Integer())
    return statement.offset(offset).limit(bindparam("page_limit", query.limit, type_=Integer()))


def _as_stored(column: Any, name: str) -> ColumnElement[Any]:
    """*column*, an id, as the driver returns it (see :func:`_uuid`), labelled *name*."""
    return type_coerce(column, _STORED_ID).label(name)


def _uuid(value: str | uuid.UUID | None) -> uuid.UUID | None:
    """A UUID from an id read with :func:`_as_stored`."""
    return value if value is None or isinstance(value, uuid.UUID) else uuid.UUID(hex=value)


def _as_uuid(value: str | uuid.UUID) -> uuid.UUID:
    """A UUID from an id read with :func:`_as_stored` or with its type (a UUID already)."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(hex=value)


def _total_from_page(session: Session, query: RegisterQuery, found: int) -> int:
    """The count, from a page that read *found* rows: known on the last page, counted otherwise."""
    if found < query.limit and (found or query.offset == 0):
        return query.offset + found  # the last page: nothing left to count
    return count(session, query)


def _unfiltered(query: RegisterQuery) -> RegisterQuery:
    """*query*'s register, day and language without its filters, sort and page."""
    return RegisterQuery(query.register, as_of=query.as_of, lang=query.lang)


def _names_and_codes(categories: Sequence[tuple[str, str]]) -> tuple[str, tuple[str, ...]]:
    return _LIST_SEPARATOR.join(name for _, name in categories), tuple(code for code, _ in categories)


class _Register(ABC):
    """One register: its columns, the filters and sorts it supports, and its SQL."""

    name: ClassVar[str]
    columns: ClassVar[tuple[ColumnSpec, ...]]
    filters: ClassVar[frozenset[str]]
    statuses: ClassVar[tuple[str, ...]] = ()
    default_sort: ClassVar[str]
    default_descending: ClassVar[bool] = False

    def indexed_count(self, query: RegisterQuery) -> Select[Any] | None:
        """A count answered by a derived index table instead of the generic count (None: generic)."""
        return None

    def indexed_page(self, query: RegisterQuery, with_count: bool) -> Select[Any] | None:
        """A page of ids answered from dedicated indexes instead of the generic query (None: generic)."""
        return None

    @property
    @abstractmethod
    def sorts(self) -> Mapping[str, _Sort]:
        """The sort expressions of each sortable column key."""

    @abstractmethod
    def id_column(self) -> SQLColumnExpression[uuid.UUID]:
        """The main table's id: the tie-breaker that makes every order total and stable."""

    @abstractmethod
    def source(
        self, query: RegisterQuery, ctx: _Context, *, sort: str | None = None, display: bool = False
    ) -> FromClause:
        """The main table with the joins that the filters, the *sort* key or (*display*) the columns need.

        Every join is a LEFT JOIN on a primary key, so it never changes the number of rows.
        """

    @abstractmethod
    def selected(self, ctx: _Context) -> list[SQLColumnExpression[Any]]:
        """The columns read for the page."""

    @abstractmethod
    def conditions(
        self, query: RegisterQuery, ctx: _Context, *, matches: int | None = None
    ) -> list[ColumnElement[bool]]:
        """The WHERE terms: live rows only, then the query's filters (*matches*: see page_ids_statement)."""

    def counts_first(self, query: RegisterQuery) -> bool:
        """Whether the page's plan depends on the number of matching rows, so counting comes first."""
        return False

    def reads_all_matches(self, query: RegisterQuery) -> bool:
        """Whether the page's query reads every match (a search, then a sort): it counts them as it goes."""
        return bool(query.search.strip())

    def rows(self, session: Session, raw: Sequence[Any], ctx: _Context) -> list[RegisterRow]:
        """The page's light rows from :meth:`details`, completed by per-page queries where needed.

        Used by the generic :meth:`fetch`; a register that fetches its page otherwise needs none.
        """
        raise NotImplementedError

    def fetch(self, session: Session, query: RegisterQuery) -> RegisterPage:
        """One page (see :func:`fetch_page`): the ids, the count where needed, then the details."""
        total: int | None = count(session, query) if self.counts_first(query) else None
        if total is not None and total <= query.offset:
            return RegisterPage([], total, query.offset)
        with_count = total is None and self.reads_all_matches(query)
        statement = page_ids_statement(query, matches=total, with_count=with_count)
        found = session.connection().execute(statement).all()
        ids = [row[0] for row in found]
        if with_count and found:
            total = int(found[0][1])
        elif total is None:
            total = _total_from_page(session, query, len(ids))
        rows = self.rows(session, self.details(session, query, ids), _Context.of(query))
        return RegisterPage(rows, total, query.offset)

    def details(self, session: Session, query: RegisterQuery, ids: Sequence[uuid.UUID]) -> list[Any]:
        """The selected columns of the rows with *ids*, in the order of *ids*."""
        if not ids:
            return []
        ctx = _Context.of(query)
        stmt = (
            select(*self.selected(ctx))
            .select_from(self.source(query, ctx, display=True))
            .where(self.id_column().in_(ids))
        )
        found = {row.id: row for row in session.connection().execute(stmt).all()}
        return [found[i] for i in ids if i in found]

    def ordered_ids_statement(self, query: RegisterQuery) -> Select[Any] | CompoundSelect[Any]:
        """The ids of every match in the register's order (see :func:`ordered_ids`)."""
        ctx = _Context.of(query)
        key = query.sort or self.default_sort
        descending = query.descending if query.sort else self.default_descending
        return (
            select(_as_stored(self.id_column(), "id"))
            .select_from(self.source(query, ctx, sort=key))
            .where(*self.conditions(query, ctx))
            .order_by(*self.order_by(key, descending))
        )

    def rows_by_ids(
        self, session: Session, query: RegisterQuery, ids: Sequence[uuid.UUID]
    ) -> list[RegisterRow]:
        """The rows of the live records with *ids*, in the order of *ids* (see :func:`rows_by_ids`)."""
        if not ids:
            return []
        ctx = _Context.of(query)
        plain = _unfiltered(query)
        stmt = (
            select(*self.selected(ctx))
            .select_from(self.source(plain, ctx, display=True))
            .where(self.id_column().in_(ids), *self.conditions(plain, ctx))
        )
        found = {row.id: row for row in session.connection().execute(stmt).all()}
        return self.rows(session, [found[i] for i in ids if i in found], ctx)

    def order_by(self, key: str, descending: bool) -> list[SQLColumnExpression[Any]]:
        sort = self.sorts[key]
        backwards = descending != sort.reverse
        terms: list[SQLColumnExpression[Any]] = []
        for expr in sort.exprs:
            term = expr.desc() if backwards else expr.asc()
            if sort.nullable:
                # NULL sorts as the smallest value on both engines: SQLite's own order, served by its indexes.
                term = term.nulls_last() if backwards else term.nulls_first()
            terms.append(term)
        tie = self.id_column()
        terms.append(tie.desc() if backwards else tie.asc())
        return terms


# --- the registers --------------------------------------------------------------------


class _Children(_Register):
    """Children (not deleted) with their current case (persons.current_case_id)."""

    name = "children"
    columns = (
        ColumnSpec("full_name", N_("Full name"), sortable=True),
        ColumnSpec("sex", N_("Sex"), labels=SEX_LABELS),
        ColumnSpec("birth_date", N_("Date of birth"), "date", sortable=True),
        ColumnSpec("age", N_("Age"), "int", sortable=True),
        ColumnSpec("pin", N_("PIN"), sortable=True),
        ColumnSpec("district", N_("District")),
        ColumnSpec("case_number", N_("Case No.")),
        ColumnSpec("case_status", N_("Case status"), labels=CASE_STATUS_LABELS),
        ColumnSpec("categories", N_("Categories")),
        ColumnSpec("worker", N_("Social worker")),
        ColumnSpec("registered_on", N_("Registered on"), "date"),
    )
    filters = frozenset(
        {"search", "categories", "statuses", "worker_id", "district_id", "date_range", "only_open"}
    )
    statuses = CASE_STATUSES
    default_sort = "full_name"
    # The person indexes hold adults too: in these orders children are spread evenly or come first.
    _ORDERS_THAT_MEET_CHILDREN_SOON = frozenset(
        {("full_name", False), ("full_name", True), ("pin", False), ("pin", True), ("birth_date", True),
         ("age", False)}
    )  # fmt: skip

    def __init__(self) -> None:
        self.case = aliased(Case, name="current_case")
        self.district = aliased(AdminUnit, name="district")
        self.worker = aliased(User, name="worker")
        self.category = aliased(ReferenceItem, name="category")
        self._statements: dict[tuple[object, ...], Select[Any]] = {}  # see _shape

    @property
    def sorts(self) -> Mapping[str, _Sort]:
        return {
            "full_name": _Sort((Person.last_name_key, Person.first_name_key)),
            "birth_date": _Sort((Person.birth_date,), nullable=True),
            "age": _Sort((Person.birth_date,), nullable=True, reverse=True),
            "pin": _Sort((Person.pin,), nullable=True),
        }

    def id_column(self) -> SQLColumnExpression[uuid.UUID]:
        return Person.id

    def source(
        self, query: RegisterQuery, ctx: _Context, *, sort: str | None = None, display: bool = False
    ) -> FromClause:
        if not display:
            return Person.__table__
        return self._display_joins(Person.__table__)

    def _display_joins(self, persons: FromClause) -> FromClause:
        """*persons* (or a join ending with them) with the current case, district and worker."""
        case = self.case
        return (
            persons.outerjoin(case, and_(case.id == Person.current_case_id, case.deleted_at.is_(None)))
            .outerjoin(self.district, self.district.id == Person.district_id)
            .outerjoin(self.worker, self.worker.id == case.worker_id)
        )

    def selected(self, ctx: _Context) -> list[SQLColumnExpression[Any]]:
        # _row reads these by position (and _CASE_ID, _CATEGORY_CODE count them).
        case = self.case
        return [
            Person.id,
            Person.last_name,
            Person.first_name,
            Person.patronymic,
            Person.sex,
            Person.birth_date,
            Person.pin,
            ctx.unit_name(self.district).label("district"),
            case.id.label("case_id"),
            case.case_no,
            case.case_year,
            case.status,
            self.worker.full_name.label("worker"),
            case.opened_on,
        ]

    def conditions(
        self, query: RegisterQuery, ctx: _Context, *, matches: int | None = None
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [_LIVE_CHILD, Person.deleted_at.is_(None)]
        if self._searches_people(query):
            where.append(_person_matches(Person, _Search.of(query)))
        if query.district_id is not None:
            where.append(Person.district_id == query.district_id)
        case_terms = self._case_terms(query)
        if self._indexed(query):
            entry = ChildRegisterEntry
            where.append(Person.id.in_(select(entry.child_id).where(*self._register_terms(query))))
        elif case_terms:
            if self._walks(query, matches):
                where.append(exists().where(Case.id == Person.current_case_id, *case_terms))
            else:
                where.append(Person.current_case_id.in_(select(Case.id).where(*case_terms)))
        return where

    def counts_first(self, query: RegisterQuery) -> bool:
        return self._filters_cases(query) and not self._searches_people(query) and not self._indexed(query)

    @staticmethod
    def _filters_cases(query: RegisterQuery) -> bool:
        """Whether the query sets a filter on the current case (whether :meth:`_case_terms` has any)."""
        case_filters = (query.categories, query.statuses, query.only_open, query.date_from, query.date_to)
        if any(case_filters) or query.worker_id is not None:
            return True
        return bool(query.search.strip()) and _Search.of(query).number is not None

    @staticmethod
    def _indexed(query: RegisterQuery) -> bool:
        """A category filter without a search: the derived child_register table answers it."""
        return bool(query.categories) and not query.search.strip()

    @classmethod
    def _register_page(cls, query: RegisterQuery) -> bool:
        """One category, sorted by name: a page is a range of ix_child_register_filter, in its order."""
        return (
            cls._indexed(query) and len(query.categories) == 1 and (query.sort or "full_name") == "full_name"
        )

    @staticmethod
    def _register_params(query: RegisterQuery) -> dict[str, Any]:
        """The values of :meth:`_register_terms`, by the name of their bind parameter."""
        params: dict[str, Any] = {"categories": list(query.categories)}
        if query.statuses:
            params["statuses"] = list(query.statuses)
        optional = {
            "worker_id": query.worker_id,
            "district_id": query.district_id,
            "date_from": query.date_from,
            "date_to": query.date_to,
        }
        params.update((name, value) for name, value in optional.items() if value is not None)
        return params

    @classmethod
    def _register_terms(cls, query: RegisterQuery) -> list[ColumnElement[bool]]:
        """The conditions on child_register, with named bind parameters (see :meth:`_page_statement`)."""
        entry = ChildRegisterEntry
        params = cls._register_params(query)

        def bound(name: str, column: Any, expanding: bool = False) -> Any:
            return bindparam(name, params[name], type_=column.type, expanding=expanding)

        ids = (
            select(ReferenceItem.id)
            .where(
                ReferenceItem.kind == "tjs_category",
                ReferenceItem.code.in_(bound("categories", ReferenceItem.code, expanding=True)),
            )
            .correlate(None)
        )
        # One category: an equality, so that the index delivers the rows already in name order.
        category = (
            entry.category_id == ids.scalar_subquery()
            if len(query.categories) == 1
            else entry.category_id.in_(ids)
        )
        terms: list[ColumnElement[bool]] = [category]
        if "statuses" in params:
            terms.append(entry.status.in_(bound("statuses", entry.status, expanding=True)))
        if query.only_open:
            terms.append(entry.status != "closed")
        if "worker_id" in params:
            terms.append(entry.worker_id == bound("worker_id", entry.worker_id))
        if "district_id" in params:
            terms.append(entry.district_id == bound("district_id", entry.district_id))
        if "date_from" in params:
            terms.append(entry.opened_on >= bound("date_from", entry.opened_on))
        if "date_to" in params:
            terms.append(entry.opened_on <= bound("date_to", entry.opened_on))
        return terms

    @staticmethod
    def _plain_name_search(query: RegisterQuery) -> _Search | None:
        """A name search and nothing else, sorted by name: the partial name indexes answer it alone."""
        if not query.search.strip() or (query.sort or "full_name") != "full_name":
            return None
        if query.categories or query.statuses or query.only_open or query.worker_id or query.district_id:
            return None
        if query.date_from or query.date_to:
            return None
        search = _Search.of(query)
        return search if search.keys and search.pin is None and search.number is None else None

    @staticmethod
    def _name_branches(search: _Search) -> list[Select[Any]]:
        """Living children whose name parts start with every key, as disjoint index-only range scans.

        One word: its last name range, then its first name range less the last name matches. Several
        words: since each starts a name part, the matches are all in the ranges of one word (the
        longest, likely the rarest) on the last name, first name and patronymic, and those of the
        patronymic alone need another word on the last or first name. The partial covering indexes
        ix_persons_live_child_last / _first / _patronymic hold every column the branches read, and
        the branches never share a row: their counts add up and a page merges them, without a
        UNION's de-duplication.
        """
        keys = _Children._distinct_keys(search)
        key = _Children._rarest_key(keys)
        others = [i for i in range(len(keys)) if i != key]

        def starts(column: Any, i: int) -> ColumnElement[bool]:
            low: Any = bindparam(f"key{i}", keys[i])
            high: Any = bindparam(f"key{i}_end", prefix_upper_bound(keys[i]))
            return and_(column >= low, column < high)

        last, first = starts(Person.last_name_key, key), starts(Person.first_name_key, key)
        every_other = [
            or_(
                starts(Person.last_name_key, i),
                starts(Person.first_name_key, i),
                starts(Person.patronymic_key, i),
            )
            for i in others
        ]
        ranges = [[last], [first, not_(last)]]
        if others:
            anchor = or_(
                *(or_(starts(Person.last_name_key, i), starts(Person.first_name_key, i)) for i in others)
            )
            ranges.append([starts(Person.patronymic_key, key), not_(last), not_(first), anchor])
        columns: list[Any] = [Person.id, Person.last_name_key, Person.first_name_key]
        branches: list[Select[Any]] = [
            select(*columns).where(_LIVE_CHILD, Person.deleted_at.is_(None), *terms, *every_other)
            for terms in ranges
        ]
        return branches

    @staticmethod
    def _distinct_keys(search: _Search) -> list[str]:
        return list(dict.fromkeys(search.keys))

    @staticmethod
    def _rarest_key(keys: list[str]) -> int:
        """The position of the key whose ranges :meth:`_name_branches` read: the first of the longest."""
        return keys.index(max(keys, key=len))

    @classmethod
    def _name_params(cls, search: _Search) -> dict[str, Any]:
        """The values of :meth:`_name_branches`, by the name of their bind parameter."""
        params: dict[str, Any] = {}
        for i, key in enumerate(cls._distinct_keys(search)):
            params[f"key{i}"], params[f"key{i}_end"] = key, prefix_upper_bound(key)
        return params

    def _name_count(self, search: _Search) -> Select[Any]:
        """The number of children a plain name search finds: the sum of its branches' counts."""
        counts = [
            branch.with_only_columns(func.count()).correlate(None).scalar_subquery()
            for branch in self._name_branches(search)
        ]
        return select(functools.reduce(operator.add, counts))

    def _name_page(self, query: RegisterQuery, search: _Search, with_count: bool) -> Select[Any]:
        """The ids of one page of a plain name search, in name order (a merge of the sorted branches).

        SQLite walks the branch on the last name index in order and stops after the page; the
        others are sorted, and none of them is de-duplicated (they are disjoint).
        """
        descending = query.descending if query.sort else self.default_descending
        branches = union_all(*self._name_branches(search))
        columns = branches.selected_columns
        order = [columns.last_name_key, columns.first_name_key, columns.id]
        ordered = branches.order_by(*(c.desc() if descending else c.asc() for c in order))
        matches = _paged(ordered, query).subquery("name_matches")
        selected: list[Any] = [matches.c.id]
        if with_count:
            selected.append(self._name_count(search).correlate(None).scalar_subquery().label("total"))
        outer = [matches.c.last_name_key, matches.c.first_name_key, matches.c.id]
        return select(*selected).order_by(*(c.desc() if descending else c.asc() for c in outer))

    def indexed_count(self, query: RegisterQuery) -> Select[Any] | None:
        search = self._plain_name_search(query)
        if search is not None:
            return self._name_count(search)
        if not self._indexed(query):
            return None
        entry = ChildRegisterEntry
        counted = func.count() if len(query.categories) == 1 else func.count(distinct(entry.child_id))
        return select(counted).where(*self._register_terms(query))

    def indexed_page(self, query: RegisterQuery, with_count: bool) -> Select[Any] | None:
        """A plain name search, or one category sorted by name: pages read from dedicated indexes.

        *with_count* adds the count (the same index ranges) as a column, computed once.
        """
        search = self._plain_name_search(query)
        if search is not None:
            return self._name_page(query, search, with_count)
        if not self._register_page(query):
            return None
        descending = query.descending if query.sort else self.default_descending
        entry = ChildRegisterEntry
        order = [entry.last_name_key, entry.first_name_key, entry.child_id]
        selected: list[Any] = [entry.child_id]
        if with_count:
            counted = select(func.count()).where(*self._register_terms(query)).correlate(None)
            selected.append(counted.scalar_subquery().label("total"))
        return _paged(
            select(*selected)
            .where(*self._register_terms(query))
            .order_by(*(c.desc() if descending else c.asc() for c in order)),
            query,
        )

    @staticmethod
    def _searches_people(query: RegisterQuery) -> bool:
        return bool(query.search.strip()) and _Search.of(query).number is None

    def _walks(self, query: RegisterQuery, matches: int | None) -> bool:
        """Whether the case filters are tested child by child, rather than driving the query.

        Child by child when a name or ПИН search already picks few children, or when so many
        children match that walking the sort order's index meets a page of them soon; the
        matching cases drive otherwise (few matches, and counting), through ix_persons_current_case_id.
        """
        if self._searches_people(query):
            return True
        order = (query.sort or self.default_sort, query.descending if query.sort else self.default_descending)
        return (
            order in self._ORDERS_THAT_MEET_CHILDREN_SOON
            and matches is not None
            and matches > _DENSE_MATCHES
            and (query.offset + query.limit) * 4 <= matches
        )

    @staticmethod
    def _case_terms(query: RegisterQuery) -> list[ColumnElement[bool]]:
        """The conditions on the child's current case; none when the query sets no case filter."""
        terms: list[ColumnElement[bool]] = []
        search = _Search.of(query)
        if search.number is not None:
            terms.append(_number_is(Case.case_year, Case.case_no, search))
        if query.categories:
            terms.append(
                exists().where(
                    case_categories.c.case_id == Case.id,
                    case_categories.c.category_id.in_(_category_ids(query.categories)),
                )
            )
        if query.statuses:
            terms.append(Case.status.in_(query.statuses))
        if query.only_open:
            terms.append(Case.status != "closed")
        if query.worker_id is not None:
            terms.append(Case.worker_id == query.worker_id)
        terms.extend(_date_range(Case.opened_on, query))
        return [Case.deleted_at.is_(None), *terms] if terms else []

    def fetch(self, session: Session, query: RegisterQuery) -> RegisterPage:
        """One page in one statement: the page's ids (a subquery), their columns and categories.

        The categories of the current case are joined, one row per category, and the rows of a
        child are gathered here. Where counting reads what the page reads anyway (a search, a
        category range of child_register), the count comes in the same statement.
        """
        total: int | None = count(session, query) if self.counts_first(query) else None
        if total is not None and total <= query.offset:
            return RegisterPage([], total, query.offset)
        with_count = total is None and (self.reads_all_matches(query) or self._register_page(query))
        ctx = _Context.of(query)
        shape = self._shape(query, ctx, with_count) if total is None else None
        params: dict[str, Any] | None = None
        if shape is None:
            statement = self._page_statement(query, ctx, total, with_count)
        else:
            cached = self._statements.get(shape)
            if cached is None:
                if len(self._statements) >= _CACHED_STATEMENTS:
                    self._statements.clear()
                cached = self._statements[shape] = self._page_statement(query, ctx, total, with_count)
            statement, params = cached, self._page_params(query)
        found = session.connection().execute(statement, params).all()
        children: list[tuple[Any, list[str], list[str]]] = []  # (first row, category names, codes)
        for r in found:
            if not children or r[0] != children[-1][0][0]:
                children.append((r, [], []))
            if r[_CATEGORY_CODE] is not None:
                children[-1][1].append(r[_CATEGORY_CODE + 1])
                children[-1][2].append(r[_CATEGORY_CODE])
        rows: list[RegisterRow] = [
            self._row(r, _uuid(r[0]), _uuid(r[_CASE_ID]), names, codes, ctx.as_of)
            for r, names, codes in children
        ]
        if with_count and found:
            total = int(found[0][-1])
        elif total is None:
            total = _total_from_page(session, query, len(rows))
        return RegisterPage(rows, total, query.offset)

    def ordered_ids_statement(self, query: RegisterQuery) -> Select[Any] | CompoundSelect[Any]:
        """A plain name search merges its index ranges, one category by name reads child_register alone."""
        descending = query.descending if query.sort else self.default_descending
        search = self._plain_name_search(query)
        if search is not None:
            branches = union_all(*self._name_branches(search))
            columns = branches.selected_columns
            order = [columns.last_name_key, columns.first_name_key, columns.id]
            return branches.order_by(*(c.desc() if descending else c.asc() for c in order))
        if self._register_page(query):
            entry = ChildRegisterEntry
            by_name: list[Any] = [entry.last_name_key, entry.first_name_key, entry.child_id]
            return (
                select(_as_stored(entry.child_id, "id"))
                .where(*self._register_terms(query))
                .order_by(*(c.desc() if descending else c.asc() for c in by_name))
            )
        return super().ordered_ids_statement(query)

    def rows_by_ids(
        self, session: Session, query: RegisterQuery, ids: Sequence[uuid.UUID]
    ) -> list[RegisterRow]:
        """The children's rows in one statement (built once per language), categories as in :meth:`fetch`."""
        if not ids:
            return []
        ctx = _Context.of(query)
        shape = ("by ids", ctx.lang)
        statement = self._statements.get(shape)
        if statement is None:
            if len(self._statements) >= _CACHED_STATEMENTS:
                self._statements.clear()
            statement = self._statements[shape] = self._by_ids_statement(ctx)
        found = session.connection().execute(statement, {"ids": list(ids)}).all()
        gathered: dict[Any, tuple[Any, list[str], list[str]]] = {}  # stored id: (first row, names, codes)
        for r in found:
            child = gathered.get(r[0])
            if child is None:
                child = gathered[r[0]] = (r, [], [])
            if r[_CATEGORY_CODE] is not None:
                child[1].append(r[_CATEGORY_CODE + 1])
                child[2].append(r[_CATEGORY_CODE])
        rows: dict[uuid.UUID | None, ChildRow] = {}
        for r, names, codes in gathered.values():
            child_id = _uuid(r[0])
            rows[child_id] = self._row(r, child_id, _uuid(r[_CASE_ID]), names, codes, ctx.as_of)
        return [rows[i] for i in ids if i in rows]

    def _by_ids_statement(self, ctx: _Context) -> Select[Any]:
        """The rows of the live children in the ``ids`` parameter, one row per category, in category order."""
        category = self.category
        joined = (
            self._display_joins(Person.__table__)
            .outerjoin(case_categories, case_categories.c.case_id == self.case.id)
            .outerjoin(
                category, and_(category.id == case_categories.c.category_id, category.deleted_at.is_(None))
            )
        )
        selected = [*self.selected(ctx), category.code, ctx.ref_name(category)]
        selected[0], selected[_CASE_ID] = _as_stored(Person.id, "id"), _as_stored(self.case.id, "case_id")
        ids = bindparam("ids", type_=Person.__table__.c.id.type, expanding=True)
        return (
            select(*selected)
            .select_from(joined)
            .where(Person.id.in_(ids), _LIVE_CHILD, Person.deleted_at.is_(None))
            .order_by(category.sort_order, category.code)
        )

    def _shape(self, query: RegisterQuery, ctx: _Context, with_count: bool) -> tuple[object, ...] | None:
        """What the page statement of a plain name search or a category page depends on, but its values.

        Those statements are built once per shape, with named bind parameters for the values
        (:meth:`_page_params`): building and hashing them for every page costs more than running
        them. None for the other pages, built each time.
        """
        descending = query.descending if query.sort else self.default_descending
        search = self._plain_name_search(query)
        if search is not None:
            keys = self._distinct_keys(search)
            return ("search", len(keys), self._rarest_key(keys), descending, with_count, ctx.lang)
        if not self._register_page(query):
            return None
        filters = (query.worker_id, query.district_id, query.date_from, query.date_to)
        flags = (bool(query.statuses), query.only_open, *(value is not None for value in filters))
        return ("register", *flags, descending, with_count, ctx.lang)

    def _page_params(self, query: RegisterQuery) -> dict[str, Any]:
        """The values of a page statement built for a shape (see :meth:`_shape`)."""
        search = self._plain_name_search(query)
        params = self._name_params(search) if search is not None else self._register_params(query)
        params.update(page_offset=query.offset, page_limit=query.limit)
        return params

    def _page_statement(
        self, query: RegisterQuery, ctx: _Context, total: int | None, with_count: bool
    ) -> Select[Any]:
        """The page's rows: its children (a subquery), their columns, one row per category."""
        page = page_ids_statement(query, matches=total, with_count=with_count).subquery("page")
        key = query.sort or self.default_sort
        descending = query.descending if query.sort else self.default_descending
        category = self.category
        joined = (
            self._display_joins(page.join(Person, Person.id == page.c[0]))
            .outerjoin(case_categories, case_categories.c.case_id == self.case.id)
            .outerjoin(
                category, and_(category.id == case_categories.c.category_id, category.deleted_at.is_(None))
            )
        )
        selected = [*self.selected(ctx), category.code, ctx.ref_name(category)]
        # The ids as the driver gives them (hex text on SQLite): turned into UUIDs once per child below.
        selected[0], selected[_CASE_ID] = _as_stored(Person.id, "id"), _as_stored(self.case.id, "case_id")
        if with_count:
            selected.append(page.c.total)
        return (
            select(*selected)
            .select_from(joined)
            .order_by(*self.order_by(key, descending), category.sort_order, category.code)
        )

    @staticmethod
    def _row(
        r: Sequence[Any],
        child_id: uuid.UUID | None,
        case_id: uuid.UUID | None,
        names: list[str],
        codes: list[str],
        as_of: date,
    ) -> ChildRow:
        """A row from the columns of :meth:`selected` (by position) and the current case's categories."""
        assert child_id is not None
        last, first, patronymic, sex, born, pin, district = r[1:8]
        case_no, case_year, status, worker, opened_on = r[9:14]
        return ChildRow(
            child_id,
            full_name(last, first, patronymic),
            sex,
            born,
            _age(born, as_of),
            pin,
            district,
            case_id,
            _number(case_no, case_year),
            status,
            _LIST_SEPARATOR.join(names),
            tuple(codes),
            worker,
            opened_on,
        )


class _Reports(_Register):
    """The journal of reports (сообщения), newest first."""

    name = "reports"
    columns = (
        ColumnSpec("number", N_("Reg. No."), sortable=True),
        ColumnSpec("received_at", N_("Received"), "datetime", sortable=True),
        ColumnSpec("source", N_("Source")),
        ColumnSpec("reporter", N_("Reporter")),
        ColumnSpec("anonymous", N_("Anonymous"), "bool"),
        ColumnSpec("urgent", N_("Urgent"), "bool"),
        ColumnSpec("decision", N_("Decision"), labels=REPORT_DECISION_LABELS, sortable=True),
        ColumnSpec("worker", N_("Assigned worker")),
        ColumnSpec("children", N_("Children")),
    )
    filters = frozenset(
        {
            "search",
            "categories",
            "statuses",
            "worker_id",
            "district_id",
            "date_range",
            "only_open",
            "urgent_only",
        }
    )
    statuses = tuple(REPORT_DECISION_LABELS)
    default_sort = "received_at"
    default_descending = True

    def __init__(self) -> None:
        self.source_type = aliased(ReferenceItem, name="source_type")
        self.worker = aliased(User, name="worker")

    @property
    def sorts(self) -> Mapping[str, _Sort]:
        return {
            "number": _Sort((Report.reg_year, Report.reg_no)),
            "received_at": _Sort((Report.received_at,)),
            "decision": _Sort((Report.decision,)),
        }

    def id_column(self) -> SQLColumnExpression[uuid.UUID]:
        return Report.id

    def source(
        self, query: RegisterQuery, ctx: _Context, *, sort: str | None = None, display: bool = False
    ) -> FromClause:
        if not display:
            return Report.__table__
        return Report.__table__.outerjoin(
            self.source_type, self.source_type.id == Report.source_type_id
        ).outerjoin(self.worker, self.worker.id == Report.assigned_worker_id)

    def selected(self, ctx: _Context) -> list[SQLColumnExpression[Any]]:
        return [
            Report.id,
            Report.reg_no,
            Report.reg_year,
            Report.received_at,
            ctx.ref_name(self.source_type).label("source"),
            Report.reporter_name,
            Report.anonymous,
            Report.urgent,
            Report.decision,
            self.worker.full_name.label("worker"),
        ]

    def conditions(
        self, query: RegisterQuery, ctx: _Context, *, matches: int | None = None
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [Report.deleted_at.is_(None)]
        if query.search.strip():
            search = _Search.parse(query.search)
            if search.number is not None:
                where.append(_number_is(Report.reg_year, Report.reg_no, search))
            else:
                reported = select(report_children.c.report_id).where(
                    report_children.c.person_id.in_(_people_matching(search))
                )
                where.append(Report.id.in_(reported))
        if query.categories:
            where.append(
                exists().where(
                    report_categories.c.report_id == Report.id,
                    report_categories.c.category_id.in_(_category_ids(query.categories)),
                )
            )
        if query.statuses:
            where.append(Report.decision.in_(query.statuses))
        if query.only_open:
            where.append(Report.decision == "pending")
        if query.urgent_only:
            where.append(Report.urgent == true())
        if query.worker_id is not None:
            where.append(Report.assigned_worker_id == query.worker_id)
        if query.district_id is not None:
            where.append(Report.district_id == query.district_id)
        where.extend(_date_range(Report.received_at, query, timestamps=True))
        return where

    def rows(self, session: Session, raw: Sequence[Any], ctx: _Context) -> list[RegisterRow]:
        names: dict[uuid.UUID, list[str]] = {}
        if raw:
            stmt = (
                select(report_children.c.report_id, Person.last_name, Person.first_name, Person.patronymic)
                .join(Person, Person.id == report_children.c.person_id)
                .where(report_children.c.report_id.in_([r.id for r in raw]), Person.deleted_at.is_(None))
                .order_by(report_children.c.report_id, Person.last_name_key, Person.first_name_key, Person.id)
            )
            for report_id, last, first, patr in session.connection().execute(stmt).all():
                names.setdefault(report_id, []).append(full_name(last, first, patr))
        return [
            ReportRow(
                id=r.id,
                number=f"{r.reg_no}/{r.reg_year}",
                received_at=r.received_at,
                source=r.source,
                reporter=r.reporter_name,
                anonymous=r.anonymous,
                urgent=r.urgent,
                decision=r.decision,
                worker=r.worker,
                children=", ".join(names.get(r.id, [])),
            )
            for r in raw
        ]


class _Cases(_Register):
    """Cases (not deleted), newest first."""

    name = "cases"
    columns = (
        ColumnSpec("number", N_("Case No."), sortable=True),
        ColumnSpec("child", N_("Child"), sortable=True),
        ColumnSpec("birth_date", N_("Date of birth"), "date"),
        ColumnSpec("opened_on", N_("Opened on"), "date", sortable=True),
        ColumnSpec("status", N_("Status"), labels=CASE_STATUS_LABELS, sortable=True),
        ColumnSpec("risk", N_("Risk level")),
        ColumnSpec("worker", N_("Social worker")),
        ColumnSpec("categories", N_("Categories")),
        ColumnSpec("closed_on", N_("Closed on"), "date"),
    )
    filters = frozenset(
        {"search", "categories", "statuses", "worker_id", "district_id", "date_range", "only_open"}
    )
    statuses = CASE_STATUSES
    default_sort = "opened_on"
    default_descending = True

    def __init__(self) -> None:
        self.child = aliased(Person, name="child")
        self.risk = aliased(ReferenceItem, name="risk")
        self.worker = aliased(User, name="worker")

    @property
    def sorts(self) -> Mapping[str, _Sort]:
        return {
            "number": _Sort((Case.case_year, Case.case_no)),
            "child": _Sort((self.child.last_name_key, self.child.first_name_key), nullable=True),
            "opened_on": _Sort((Case.opened_on,)),
            "status": _Sort((Case.status,)),
        }

    def id_column(self) -> SQLColumnExpression[uuid.UUID]:
        return Case.id

    def source(
        self, query: RegisterQuery, ctx: _Context, *, sort: str | None = None, display: bool = False
    ) -> FromClause:
        joined: FromClause = Case.__table__
        if display or sort == "child":
            joined = joined.outerjoin(
                self.child, and_(self.child.id == Case.child_id, self.child.deleted_at.is_(None))
            )
        if display:
            joined = joined.outerjoin(self.risk, self.risk.id == Case.risk_level_id).outerjoin(
                self.worker, self.worker.id == Case.worker_id
            )
        return joined

    def selected(self, ctx: _Context) -> list[SQLColumnExpression[Any]]:
        child = self.child
        return [
            Case.id,
            Case.case_no,
            Case.case_year,
            Case.child_id,
            child.last_name,
            child.first_name,
            child.patronymic,
            child.birth_date,
            Case.opened_on,
            Case.status,
            ctx.ref_name(self.risk).label("risk"),
            self.worker.full_name.label("worker"),
            Case.closed_on,
        ]

    def conditions(
        self, query: RegisterQuery, ctx: _Context, *, matches: int | None = None
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [Case.deleted_at.is_(None)]
        if query.search.strip():
            search = _Search.parse(query.search)
            if search.number is not None:
                where.append(_number_is(Case.case_year, Case.case_no, search))
            else:
                where.append(Case.child_id.in_(_people_matching(search)))
        if query.categories:
            where.append(
                exists().where(
                    case_categories.c.case_id == Case.id,
                    case_categories.c.category_id.in_(_category_ids(query.categories)),
                )
            )
        if query.statuses:
            where.append(Case.status.in_(query.statuses))
        if query.only_open:
            where.append(Case.status != "closed")
        if query.worker_id is not None:
            where.append(Case.worker_id == query.worker_id)
        if query.district_id is not None:
            where.append(Case.district_id == query.district_id)
        where.extend(_date_range(Case.opened_on, query))
        return where

    def rows(self, session: Session, raw: Sequence[Any], ctx: _Context) -> list[RegisterRow]:
        categories = _case_categories(session, [r.id for r in raw], ctx)
        result: list[RegisterRow] = []
        for r in raw:
            names, codes = _names_and_codes(categories.get(r.id, []))
            result.append(
                CaseRow(
                    id=r.id,
                    number=f"{r.case_no}/{r.case_year}",
                    child_id=r.child_id,
                    child=full_name(r.last_name, r.first_name, r.patronymic) or None,
                    birth_date=r.birth_date,
                    opened_on=r.opened_on,
                    status=r.status,
                    risk=r.risk,
                    worker=r.worker,
                    categories=names,
                    category_codes=codes,
                    closed_on=r.closed_on,
                )
            )
        return result


class _Households(_Register):
    """Households (not deleted) by address; the search finds a household by a member's name or ПИН."""

    name = "households"
    columns = (
        ColumnSpec("address", N_("Address"), sortable=True),
        ColumnSpec("district", N_("District")),
        ColumnSpec("members_count", N_("Members"), "int"),
        ColumnSpec("caregiver", N_("Main caregiver")),
    )
    filters = frozenset({"search", "district_id"})
    default_sort = "address"

    def __init__(self) -> None:
        self.district = aliased(AdminUnit, name="district")

    @property
    def sorts(self) -> Mapping[str, _Sort]:
        return {"address": _Sort((Household.address_text,), nullable=True)}

    def id_column(self) -> SQLColumnExpression[uuid.UUID]:
        return Household.id

    def source(
        self, query: RegisterQuery, ctx: _Context, *, sort: str | None = None, display: bool = False
    ) -> FromClause:
        if not display:
            return Household.__table__
        return Household.__table__.outerjoin(self.district, self.district.id == Household.district_id)

    def selected(self, ctx: _Context) -> list[SQLColumnExpression[Any]]:
        return [Household.id, Household.address_text, ctx.unit_name(self.district).label("district")]

    def conditions(
        self, query: RegisterQuery, ctx: _Context, *, matches: int | None = None
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [Household.deleted_at.is_(None)]
        if query.search.strip():
            members = select(HouseholdMember.household_id).where(
                HouseholdMember.person_id.in_(_people_matching(_Search.parse(query.search))),
                HouseholdMember.deleted_at.is_(None),
            )
            where.append(Household.id.in_(members))
        if query.district_id is not None:
            where.append(Household.district_id == query.district_id)
        return where

    def rows(self, session: Session, raw: Sequence[Any], ctx: _Context) -> list[RegisterRow]:
        members: dict[uuid.UUID, int] = {}
        caregivers: dict[uuid.UUID, str] = {}
        if raw:
            stmt = (
                select(
                    HouseholdMember.household_id,
                    HouseholdMember.is_caregiver,
                    Person.last_name,
                    Person.first_name,
                    Person.patronymic,
                )
                .join(Person, Person.id == HouseholdMember.person_id)
                .where(
                    HouseholdMember.household_id.in_([r.id for r in raw]),
                    HouseholdMember.deleted_at.is_(None),
                    Person.deleted_at.is_(None),
                )
                .order_by(HouseholdMember.household_id, HouseholdMember.position, HouseholdMember.id)
            )
            for household_id, is_caregiver, last, first, patr in session.connection().execute(stmt).all():
                members[household_id] = members.get(household_id, 0) + 1
                if is_caregiver and household_id not in caregivers:
                    caregivers[household_id] = full_name(last, first, patr)
        return [
            HouseholdRow(r.id, r.address_text, r.district, members.get(r.id, 0), caregivers.get(r.id))
            for r in raw
        ]


class _Referrals(_Register):
    """Referrals (направления), newest first; overdue: issued, no reply, reply due before *as_of*."""

    name = "referrals"
    columns = (
        ColumnSpec("number", N_("Outgoing No."), sortable=True),
        ColumnSpec("issued_on", N_("Issued on"), "date", sortable=True),
        ColumnSpec("child", N_("Child"), sortable=True),
        ColumnSpec("organisation", N_("Organisation")),
        ColumnSpec("service", N_("Service")),
        ColumnSpec("reply_due", N_("Reply due"), "date", sortable=True),
        ColumnSpec("reply_received_on", N_("Reply received"), "date"),
        ColumnSpec("overdue", N_("Overdue"), "bool"),
        ColumnSpec("status", N_("Status"), labels=REFERRAL_STATUS_LABELS),
    )
    filters = frozenset(
        {"search", "categories", "statuses", "worker_id", "district_id", "date_range", "only_open", "overdue"}
    )
    statuses = REFERRAL_STATUSES
    default_sort = "issued_on"
    default_descending = True

    def __init__(self) -> None:
        self.child = aliased(Person, name="child")
        self.case = aliased(Case, name="referral_case")
        self.organisation = aliased(Organisation, name="organisation")
        self.service = aliased(ReferenceItem, name="service")

    @property
    def sorts(self) -> Mapping[str, _Sort]:
        return {
            "number": _Sort((Referral.out_year, Referral.out_no), nullable=True),
            "issued_on": _Sort((Referral.issued_on,), nullable=True),
            "child": _Sort((self.child.last_name_key, self.child.first_name_key), nullable=True),
            "reply_due": _Sort((Referral.reply_due,), nullable=True),
        }

    def id_column(self) -> SQLColumnExpression[uuid.UUID]:
        return Referral.id

    def source(
        self, query: RegisterQuery, ctx: _Context, *, sort: str | None = None, display: bool = False
    ) -> FromClause:
        joined: FromClause = Referral.__table__
        if display or sort == "child":
            joined = joined.outerjoin(
                self.child, and_(self.child.id == Referral.child_id, self.child.deleted_at.is_(None))
            )
        if query.categories or query.worker_id is not None:
            joined = joined.outerjoin(
                self.case, and_(self.case.id == Referral.case_id, self.case.deleted_at.is_(None))
            )
        if display:
            joined = joined.outerjoin(
                self.organisation, self.organisation.id == Referral.organisation_id
            ).outerjoin(self.service, self.service.id == Referral.service_type_id)
        return joined

    def selected(self, ctx: _Context) -> list[SQLColumnExpression[Any]]:
        child = self.child
        return [
            Referral.id,
            Referral.out_no,
            Referral.out_year,
            Referral.issued_on,
            child.last_name,
            child.first_name,
            child.patronymic,
            ctx.unit_name(self.organisation).label("organisation"),
            ctx.ref_name(self.service).label("service"),
            Referral.requested_service,
            Referral.reply_due,
            Referral.reply_received_on,
            Referral.status,
        ]

    @staticmethod
    def _awaiting_reply() -> ColumnElement[bool]:
        return and_(Referral.status == "issued", Referral.reply_received_on.is_(None))

    def conditions(
        self, query: RegisterQuery, ctx: _Context, *, matches: int | None = None
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [Referral.deleted_at.is_(None)]
        if query.search.strip():
            search = _Search.parse(query.search)
            if search.number is not None:
                where.append(_number_is(Referral.out_year, Referral.out_no, search))
            else:
                where.append(Referral.child_id.in_(_people_matching(search)))
        if query.categories:
            where.append(
                exists().where(
                    case_categories.c.case_id == self.case.id,
                    case_categories.c.category_id.in_(_category_ids(query.categories)),
                )
            )
        if query.statuses:
            where.append(Referral.status.in_(query.statuses))
        if query.only_open:
            where.append(self._awaiting_reply())
        if query.overdue:
            where.extend((self._awaiting_reply(), Referral.reply_due < ctx.as_of))
        if query.worker_id is not None:
            where.append(self.case.worker_id == query.worker_id)
        if query.district_id is not None:
            where.append(Referral.district_id == query.district_id)
        where.extend(_date_range(Referral.issued_on, query))
        return where

    def rows(self, session: Session, raw: Sequence[Any], ctx: _Context) -> list[RegisterRow]:
        return [
            ReferralRow(
                id=r.id,
                number=_number(r.out_no, r.out_year),
                issued_on=r.issued_on,
                child=full_name(r.last_name, r.first_name, r.patronymic) or None,
                organisation=r.organisation,
                service=r.service or r.requested_service,
                reply_due=r.reply_due,
                reply_received_on=r.reply_received_on,
                overdue=(
                    r.status == "issued"
                    and r.reply_received_on is None
                    and r.reply_due is not None
                    and r.reply_due < ctx.as_of
                ),
                status=r.status,
            )
            for r in raw
        ]


class _KddMeetings(_Register):
    """Meetings of the commission on children's affairs (КДД), newest first."""

    name = "kdd_meetings"
    columns = (
        ColumnSpec("number", N_("Meeting No."), sortable=True),
        ColumnSpec("meeting_date", N_("Date"), "date", sortable=True),
        ColumnSpec("place", N_("Place")),
        ColumnSpec("items_count", N_("Agenda items"), "int"),
        ColumnSpec("status", N_("Status"), labels=KDD_STATUS_LABELS, sortable=True),
    )
    filters = frozenset({"search", "statuses", "district_id", "date_range", "only_open"})
    statuses = tuple(KDD_STATUS_LABELS)
    default_sort = "meeting_date"
    default_descending = True

    @property
    def sorts(self) -> Mapping[str, _Sort]:
        return {
            "number": _Sort((KddMeeting.meeting_year, KddMeeting.meeting_no)),
            "meeting_date": _Sort((KddMeeting.meeting_date,)),
            "status": _Sort((KddMeeting.status,)),
        }

    def id_column(self) -> SQLColumnExpression[uuid.UUID]:
        return KddMeeting.id

    def source(
        self, query: RegisterQuery, ctx: _Context, *, sort: str | None = None, display: bool = False
    ) -> FromClause:
        return KddMeeting.__table__

    def selected(self, ctx: _Context) -> list[SQLColumnExpression[Any]]:
        return [
            KddMeeting.id,
            KddMeeting.meeting_no,
            KddMeeting.meeting_year,
            KddMeeting.meeting_date,
            KddMeeting.place,
            KddMeeting.status,
        ]

    def conditions(
        self, query: RegisterQuery, ctx: _Context, *, matches: int | None = None
    ) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = [KddMeeting.deleted_at.is_(None)]
        if query.search.strip():
            search = _Search.parse(query.search)
            if search.number is not None:
                where.append(_number_is(KddMeeting.meeting_year, KddMeeting.meeting_no, search))
            else:
                discussed = select(KddAgendaItem.meeting_id).where(
                    KddAgendaItem.child_id.in_(_people_matching(search)), KddAgendaItem.deleted_at.is_(None)
                )
                where.append(KddMeeting.id.in_(discussed))
        if query.statuses:
            where.append(KddMeeting.status.in_(query.statuses))
        if query.only_open:
            where.append(KddMeeting.status == "planned")
        if query.district_id is not None:
            where.append(KddMeeting.district_id == query.district_id)
        where.extend(_date_range(KddMeeting.meeting_date, query))
        return where

    def rows(self, session: Session, raw: Sequence[Any], ctx: _Context) -> list[RegisterRow]:
        items: dict[uuid.UUID, int] = {}
        if raw:
            stmt = (
                select(KddAgendaItem.meeting_id, func.count())
                .where(KddAgendaItem.meeting_id.in_([r.id for r in raw]), KddAgendaItem.deleted_at.is_(None))
                .group_by(KddAgendaItem.meeting_id)
            )
            items = {meeting_id: int(n) for meeting_id, n in session.connection().execute(stmt).all()}
        return [
            KddMeetingRow(
                r.id,
                f"{r.meeting_no}/{r.meeting_year}",
                r.meeting_date,
                r.place,
                items.get(r.id, 0),
                r.status,
            )
            for r in raw
        ]


_REGISTERS: dict[str, _Register] = {
    spec.name: spec
    for spec in (_Children(), _Reports(), _Cases(), _Households(), _Referrals(), _KddMeetings())
}


def _register(name: str) -> _Register:
    try:
        return _REGISTERS[name]
    except KeyError:
        raise ValueError(f"unknown register {name!r}; expected one of {', '.join(REGISTERS)}") from None
