"""The data of a register printout: the rows a register page shows, with its filters, sort and counts.

The printout reads the SAME :class:`~models.registers.RegisterQuery` the register page uses (the
desktop client hands its query over; the command builds one with :func:`query_from_options`), so
what prints is what the user sees: the ordered ids of every match in one statement, then their
light rows in blocks (:func:`models.registers.rows_by_ids`), all in one read transaction.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.database import Database
from models.errors import DomainError
from models.i18n import N_, _, translator
from models.orm import AdminUnit, ReferenceItem, User
from models.papers import Bilingual, OfficeHeader, office_header
from models.papers.referral import Signatory
from models.permissions import Permission
from models.registers import (
    ColumnSpec,
    RegisterQuery,
    RegisterRow,
    check_category_codes,
    columns,
    default_sort,
    filters,
    ordered_ids,
    rows_by_ids,
)
from models.services.base import Actor, require
from models.validation import format_date, local_today, parse_optional_date

# The registers that print, with their titles (English msgids).
REGISTER_TITLES: Mapping[str, str] = {
    "children": N_("Register of children in difficult life situations"),
    "reports": N_("Journal of reports"),
    "referrals": N_("Register of referrals"),
}
PRINTABLE_REGISTERS = tuple(REGISTER_TITLES)
# More rows than this would make a printout of hundreds of pages that nobody reads: narrow the filters.
MAX_PRINTED_ROWS = 3000
_BLOCK = 500

# The row field each register counts its rows by, and what it is called on the printout.
_STATUS_FIELDS = {"children": "case_status", "reports": "decision", "referrals": "status"}
_STATUS_TITLES = {"children": N_("Case status"), "reports": N_("Decision"), "referrals": N_("Status")}
_NO_STATUS = N_("No current case")
# The column whose date the register's date range bounds (the page's filter bar says the same).
_DATE_COLUMNS = {"children": "registered_on", "reports": "received_at", "referrals": "issued_on"}
_ONLY_OPEN = {
    "children": N_("With an open case"),
    "reports": N_("Pending decision"),
    "referrals": N_("Awaiting reply"),
}
_SEPARATOR = "; "


@dataclass(frozen=True)
class FilterLine:
    """One filter as the printout states it: its name (an English msgid) and its value (may be empty)."""

    label: str
    value: Bilingual


@dataclass(frozen=True)
class CountLine:
    """A count below the table: what is counted, in both languages, and how many."""

    label: Bilingual
    count: int


@dataclass(frozen=True)
class RegisterPrintout:
    """Everything a register printout shows; the rows' reference names are in *lang* (ky or ru)."""

    register: str
    title: str
    office: OfficeHeader
    as_of: date
    lang: str
    columns: tuple[ColumnSpec, ...]
    rows: tuple[RegisterRow, ...]
    filters: tuple[FilterLine, ...]
    sort: ColumnSpec
    descending: bool
    status_title: str
    counts: tuple[CountLine, ...]
    flagged: tuple[CountLine, ...]
    prepared_by: Signatory

    @property
    def total(self) -> int:
        return len(self.rows)

    def cell(self, spec: ColumnSpec, row: RegisterRow) -> str:
        """The cell as the register shows it, codes and dates in the printout's language."""
        return spec.text(getattr(row, spec.key), self.lang)


def register_printout(
    db: Database,
    actor: Actor,
    query: RegisterQuery,
    lang: str,
    shown_columns: Sequence[str] | None = None,
) -> RegisterPrintout:
    """The rows of *query* (all of them: its offset and limit are ignored), read for printing.

    *lang* (ky or ru) is the language of reference names in the rows; *shown_columns* the column
    keys in the page's order (all the register's columns when None). A register that does not
    print, or more than :data:`MAX_PRINTED_ROWS` rows, is refused.
    """
    if query.register not in REGISTER_TITLES:
        raise DomainError(_("The register {name} is not printed.", name=query.register))
    specs = _columns(query.register, shown_columns)
    as_of = query.as_of or local_today()
    query = dataclasses.replace(query, lang=lang, as_of=as_of, offset=0)
    require(actor, Permission.PRINT)
    with db.reading() as session:
        ids = ordered_ids(session, query)
        if len(ids) > MAX_PRINTED_ROWS:
            raise DomainError(
                _(
                    "The register has {count} rows; narrow the filters to at most {most} rows to print it.",
                    count=len(ids),
                    most=MAX_PRINTED_ROWS,
                )
            )
        rows: list[RegisterRow] = []
        for start in range(0, len(ids), _BLOCK):
            rows += rows_by_ids(session, query, ids[start : start + _BLOCK])
        user = session.get(User, actor.user_id) if actor.user_id else None
        key, descending = (query.sort, query.descending) if query.sort else default_sort(query.register)
        return RegisterPrintout(
            register=query.register,
            title=REGISTER_TITLES[query.register],
            office=office_header(session),
            as_of=as_of,
            lang=lang,
            columns=specs,
            rows=tuple(rows),
            filters=tuple(_filter_lines(session, query)),
            sort=next(spec for spec in columns(query.register) if spec.key == key),
            descending=descending,
            status_title=_STATUS_TITLES[query.register],
            counts=tuple(_counts(query.register, rows)),
            flagged=tuple(_flagged(query.register, rows)),
            prepared_by=Signatory(user.position or "", user.full_name) if user else Signatory("", ""),
        )


def query_from_options(db: Database, options: Mapping[str, Any]) -> RegisterQuery:
    """The register query of the command's options: *name*, and optional *status*, *category*
    (comma-separated codes; status ``open``: open ones only, ``overdue``: overdue referrals),
    *from* and *to* (DD.MM.YYYY) and *search*. Bad values are refused with a DomainError (a
    ValidationFailed for a date).
    """
    name = str(options.get("name") or "")
    if name not in REGISTER_TITLES:
        raise DomainError(_("Choose the register to print: {names}.", names=", ".join(PRINTABLE_REGISTERS)))
    values: dict[str, Any] = {"search": str(options.get("search") or "")}
    statuses = _codes(options.get("status"))
    for flag in ("open", "overdue"):
        if flag in statuses:
            statuses.remove(flag)
            values["only_open" if flag == "open" else "overdue"] = True
    values["statuses"] = tuple(statuses)
    categories = _codes(options.get("category"))
    if categories:
        with db.reading() as session:
            check_category_codes(session, categories)
        values["categories"] = tuple(categories)
    values["date_from"] = parse_optional_date(options.get("from"), "date_from", _("Period start"))
    values["date_to"] = parse_optional_date(options.get("to"), "date_to", _("Period end"))
    if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
        raise DomainError(_("The period starts after it ends: check the dates."))
    try:
        return RegisterQuery(name, **values)
    except ValueError:
        allowed = filters(name)
        if values.get("overdue") and "overdue" not in allowed:
            raise DomainError(_("Only the register of referrals filters overdue replies.")) from None
        raise DomainError(
            _(
                "Unknown status {codes}; the statuses of this register are: {known}.",
                codes=", ".join(statuses),
                known=", ".join(("open", *_status_codes(name))),
            )
        ) from None


def _codes(value: object) -> list[str]:
    return [code.strip() for code in str(value or "").split(",") if code.strip()]


def _status_codes(register: str) -> list[str]:
    spec = next(spec for spec in columns(register) if spec.key == _STATUS_FIELDS[register])
    return list(spec.labels or {})


def _columns(register: str, keys: Sequence[str] | None) -> tuple[ColumnSpec, ...]:
    specs = columns(register)
    if not keys:
        return tuple(specs)
    by_key = {spec.key: spec for spec in specs}
    chosen = tuple(by_key[key] for key in keys if key in by_key)
    return chosen or tuple(specs)


def _both(msgid: str, **params: Any) -> Bilingual:
    """A msgid in Kyrgyz and Russian, formatted."""
    ky, ru = (translator(lang)(msgid) for lang in ("ky", "ru"))
    return Bilingual(ky.format(**params), ru.format(**params)) if params else Bilingual(ky, ru)


def _joined(values: Sequence[Bilingual]) -> Bilingual:
    return Bilingual(_SEPARATOR.join(v.ky for v in values), _SEPARATOR.join(v.ru for v in values))


def _filter_lines(session: Session, query: RegisterQuery) -> list[FilterLine]:
    """The filters *query* sets, in the order of the page's filter bar, with their values named."""
    lines: list[FilterLine] = []
    if query.search.strip():
        lines.append(FilterLine(N_("Search"), Bilingual.same(query.search.strip())))
    if query.categories:
        found = {
            item.code: Bilingual(item.name_ky, item.name_ru)
            for item in session.scalars(
                select(ReferenceItem)
                .where(ReferenceItem.kind == "tjs_category", ReferenceItem.code.in_(query.categories))
                .order_by(ReferenceItem.sort_order, ReferenceItem.code)
            )
        }
        lines.append(FilterLine(N_("Categories"), _joined(list(found.values()))))
    if query.statuses:
        spec = next(spec for spec in columns(query.register) if spec.key == _STATUS_FIELDS[query.register])
        labels = spec.labels or {}
        names = [_both(labels[s]) if s in labels else Bilingual.same(s) for s in query.statuses]
        lines.append(FilterLine(_STATUS_TITLES[query.register], _joined(names)))
    if query.worker_id is not None:
        worker = session.get(User, query.worker_id)
        lines.append(FilterLine(N_("Social worker"), Bilingual.same(worker.full_name if worker else "")))
    if query.district_id is not None:
        unit = session.get(AdminUnit, query.district_id)
        district = Bilingual(unit.name_ky, unit.name_ru) if unit else Bilingual.same("")
        lines.append(FilterLine(N_("District"), district))
    if query.date_from is not None or query.date_to is not None:
        lines.append(FilterLine(_date_title(query.register), _period(query.date_from, query.date_to)))
    if query.only_open:
        lines.append(FilterLine(_ONLY_OPEN[query.register], Bilingual.same("")))
    if query.overdue:
        lines.append(FilterLine(N_("Overdue replies only"), Bilingual.same("")))
    if query.urgent_only:
        lines.append(FilterLine(N_("Urgent only"), Bilingual.same("")))
    return lines


def _date_title(register: str) -> str:
    key = _DATE_COLUMNS[register]
    return next(spec.header for spec in columns(register) if spec.key == key)


def _period(start: date | None, end: date | None) -> Bilingual:
    if start is not None and end is not None:
        return _both(N_("from {start} to {end}"), start=format_date(start), end=format_date(end))
    if start is not None:
        return _both(N_("from {start}"), start=format_date(start))
    assert end is not None
    return _both(N_("until {end}"), end=format_date(end))


def _counts(register: str, rows: Sequence[RegisterRow]) -> list[CountLine]:
    """The rows counted by status, in the register's order of statuses (the statuses no row has left out)."""
    field = _STATUS_FIELDS[register]
    spec = next(spec for spec in columns(register) if spec.key == field)
    by_status = Counter(getattr(row, field) for row in rows)
    labels = spec.labels or {}
    lines = [CountLine(_both(label), by_status[code]) for code, label in labels.items() if by_status[code]]
    if by_status[None]:
        lines.append(CountLine(_both(_NO_STATUS), by_status[None]))
    return lines


def _flagged(register: str, rows: Sequence[RegisterRow]) -> list[CountLine]:
    """What the register flags among its rows: urgent reports, referrals whose reply is overdue."""
    flagged: dict[str, tuple[str, Callable[[Any], bool]]] = {
        "reports": (N_("of them urgent"), lambda row: bool(row.urgent)),
        "referrals": (N_("of them with the reply overdue"), lambda row: bool(row.overdue)),
    }
    if register not in flagged:
        return []
    label, test = flagged[register]
    return [CountLine(_both(label), sum(1 for row in rows if test(row)))]
