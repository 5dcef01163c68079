"""The figures of the statistical report for a period, shaped for the КДД's half-year report.

Everything is counted in SQL (GROUP BY on the cases, persons, closures and referrals of the
office's district), never by loading records. The figures:

* cases: open at the start of the period, opened, closed, open at its end (these balance), and
  reports received (counted through the journal of reports' own query);
* the children served (a case of theirs was open at some time in the period), each child once,
  by sex and by age at the end of the period, in all and per ТЖС category (a child in several
  categories counts in each), and those of them whose case was opened in the period;
* the closures approved in the period by reason, and their child and family outcomes;
* the referrals issued in the period by partner: replied, awaiting a reply, reply overdue (as of
  the end of the period, or today for a period not over yet).

Age groups 0–2, 3–6, 7–13 and 14–17 follow the stages of care and schooling (early childhood,
pre-school, primary and basic school, upper school and vocational training).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from models.database import Database
from models.errors import DomainError
from models.i18n import N_, _
from models.orm import (
    Case,
    Closure,
    Organisation,
    Person,
    ReferenceItem,
    Referral,
    User,
    case_categories,
    closure_outcomes,
)
from models.papers import Bilingual, OfficeHeader, office_header
from models.papers.referral import Signatory
from models.permissions import Permission
from models.registers import RegisterQuery, count
from models.services.base import Actor, require
from models.settings import office_district_id
from models.validation import local_today, parse_date

# The age groups (first and last year of age, inclusive) and their column titles; then 18 and
# older (a child who came of age during the case) and the children whose birth date is not known.
AGE_GROUPS: tuple[tuple[int, int, str], ...] = (
    (0, 2, N_("0–2 years")),
    (3, 6, N_("3–6 years")),
    (7, 13, N_("7–13 years")),
    (14, 17, N_("14–17 years")),
)
ADULT_TITLE = N_("18 and older")
AGE_UNKNOWN_TITLE = N_("Age not known")
_ADULT = len(AGE_GROUPS)
_UNKNOWN = len(AGE_GROUPS) + 1


@dataclass(frozen=True)
class Breakdown:
    """Children: how many, of them girls and boys, and by age group (AGE_GROUPS, 18+, unknown)."""

    total: int = 0
    girls: int = 0
    boys: int = 0
    ages: tuple[int, ...] = (0,) * (len(AGE_GROUPS) + 2)


@dataclass(frozen=True)
class CategoryRow:
    label: Bilingual
    children: Breakdown


@dataclass(frozen=True)
class NamedCount:
    label: Bilingual
    count: int


@dataclass(frozen=True)
class PartnerRow:
    """Referrals issued to one organisation in the period; *awaiting* are not due yet."""

    organisation: Bilingual
    issued: int
    replied: int
    awaiting: int
    overdue: int


@dataclass(frozen=True)
class Statistics:
    """The statistical report of one period (both days included)."""

    office: OfficeHeader
    start: date
    end: date
    as_of: date
    open_at_start: int
    opened: int
    closed: int
    open_at_end: int
    reports_received: int
    children: Breakdown
    new_children: Breakdown
    categories: tuple[CategoryRow, ...]
    closure_reasons: tuple[NamedCount, ...]
    child_outcomes: tuple[NamedCount, ...]
    family_outcomes: tuple[NamedCount, ...]
    partners: tuple[PartnerRow, ...]
    head: Signatory
    prepared_by: Signatory

    @property
    def closures(self) -> int:
        return sum(row.count for row in self.closure_reasons)

    @property
    def partners_total(self) -> PartnerRow:
        rows = self.partners
        return PartnerRow(
            Bilingual("", ""),
            sum(r.issued for r in rows),
            sum(r.replied for r in rows),
            sum(r.awaiting for r in rows),
            sum(r.overdue for r in rows),
        )


def period(start: date | str | None, end: date | str | None) -> tuple[date, date]:
    """The period from the command's or the dialog's values: dates, or texts as DD.MM.YYYY.

    A missing day, an impossible date or a start after the end is refused with a clear message.
    """
    if not start or not end:
        raise DomainError(_("Give the first and the last day of the period (DD.MM.YYYY)."))
    first = start if isinstance(start, date) else parse_date(start, "date_from", _("Period start"))
    last = end if isinstance(end, date) else parse_date(end, "date_to", _("Period end"))
    if first > last:
        raise DomainError(_("The period starts after it ends: check the dates."))
    return first, last


def statistics(db: Database, actor: Actor, start: date, end: date) -> Statistics:
    """The figures of the period *start* … *end* for the office's district (all districts if none is set)."""
    if start > end:
        raise DomainError(_("The period starts after it ends: check the dates."))
    require(actor, Permission.PRINT)
    with db.reading() as session:
        return _Counter(session, start, end).statistics(actor)


class _Counter:
    """The queries of one report: the period, the day of the age groups, the office's district."""

    def __init__(self, session: Session, start: date, end: date) -> None:
        self.session = session
        self.start, self.end = start, end
        self.as_of = min(end, local_today())
        self.district_id = office_district_id(session)

    def statistics(self, actor: Actor) -> Statistics:
        office = office_header(self.session)
        user = self.session.get(User, actor.user_id) if actor.user_id else None
        open_at_start = self._cases(Case.opened_on < self.start, self._open_on(self.start))
        opened = self._cases(Case.opened_on >= self.start, Case.opened_on <= self.end)
        closed = self._cases(
            Case.status == "closed", Case.closed_on >= self.start, Case.closed_on <= self.end
        )
        open_at_end = self._cases(Case.opened_on <= self.end, self._open_after(self.end))
        reports = count(
            self.session,
            RegisterQuery("reports", district_id=self.district_id, date_from=self.start, date_to=self.end),
        )
        served = select(Case.child_id).where(*self._case_terms(), *self._served())
        new = select(Case.child_id).where(
            *self._case_terms(), Case.opened_on >= self.start, Case.opened_on <= self.end
        )
        return Statistics(
            office=office,
            start=self.start,
            end=self.end,
            as_of=self.as_of,
            open_at_start=open_at_start,
            opened=opened,
            closed=closed,
            open_at_end=open_at_end,
            reports_received=reports,
            children=self._children(served),
            new_children=self._children(new),
            categories=tuple(self._categories()),
            closure_reasons=tuple(self._closure_reasons()),
            child_outcomes=tuple(self._outcomes("child_outcome")),
            family_outcomes=tuple(self._outcomes("family_outcome")),
            partners=tuple(self._partners()),
            head=Signatory("", office.head_name),
            prepared_by=Signatory(user.position or "", user.full_name) if user else Signatory("", ""),
        )

    # --- cases -----------------------------------------------------------------------------

    def _case_terms(self) -> list[ColumnElement[bool]]:
        terms: list[ColumnElement[bool]] = [Case.deleted_at.is_(None)]
        if self.district_id is not None:
            terms.append(Case.district_id == self.district_id)
        return terms

    @staticmethod
    def _open_on(day: date) -> ColumnElement[bool]:
        """Not closed, or closed on *day* or later (a case closed on the first day was open that day)."""
        return or_(Case.status != "closed", Case.closed_on >= day)

    @staticmethod
    def _open_after(day: date) -> ColumnElement[bool]:
        return or_(Case.status != "closed", Case.closed_on > day)

    def _served(self) -> list[ColumnElement[bool]]:
        return [Case.opened_on <= self.end, self._open_on(self.start)]

    def _cases(self, *terms: ColumnElement[bool]) -> int:
        stmt = select(func.count()).select_from(Case).where(*self._case_terms(), *terms)
        return int(self.session.scalar(stmt) or 0)

    # --- children --------------------------------------------------------------------------

    def _age_group(self) -> ColumnElement[int]:
        """The age group on the last day of the period, from the birth date (an index of Breakdown.ages)."""
        whens: list[tuple[ColumnElement[bool], int]] = [(Person.birth_date.is_(None), _UNKNOWN)]
        for index, (_first, last, _title) in enumerate(AGE_GROUPS):
            whens.append((Person.birth_date > _years_before(self.end, last + 1), index))
        return case(*whens, else_=_ADULT)

    def _children(self, children: Any) -> Breakdown:
        """The children whose ids *children* (a SELECT) gives, each once, by sex and age group."""
        group = self._age_group()
        stmt = (
            select(Person.sex, group, func.count())
            .where(Person.id.in_(children), Person.deleted_at.is_(None))
            .group_by(Person.sex, group)
        )
        return _breakdown(self.session.execute(stmt).all())

    def _categories(self) -> list[CategoryRow]:
        """Every ТЖС category (also those no child is in), with the children served in it."""
        group = self._age_group()
        stmt = (
            select(case_categories.c.category_id, Person.sex, group, func.count(func.distinct(Person.id)))
            .select_from(Case)
            .join(case_categories, case_categories.c.case_id == Case.id)
            .join(Person, Person.id == Case.child_id)
            .where(*self._case_terms(), *self._served(), Person.deleted_at.is_(None))
            .group_by(case_categories.c.category_id, Person.sex, group)
        )
        by_category: dict[Any, list[Any]] = defaultdict(list)
        for category_id, sex, age, n in self.session.execute(stmt).all():
            by_category[category_id].append((sex, age, n))
        return [
            CategoryRow(Bilingual(item.name_ky, item.name_ru), _breakdown(by_category.get(item.id, [])))
            for item in self._items("tjs_category", by_category)
        ]

    def _items(self, kind: str, counted: Mapping[Any, Any]) -> list[ReferenceItem]:
        """The reference items of *kind* in their order: the active ones, and any other that was counted."""
        items = self.session.scalars(
            select(ReferenceItem)
            .where(ReferenceItem.kind == kind, ReferenceItem.deleted_at.is_(None))
            .order_by(ReferenceItem.sort_order, ReferenceItem.code)
        )
        return [item for item in items if item.active or item.id in counted]

    # --- closures ----------------------------------------------------------------------------

    def _closures(self) -> Any:
        """The approved closures of the period, of the district's live cases."""
        return (
            select(Closure.id)
            .join(Case, Case.id == Closure.case_id)
            .where(
                *self._case_terms(),
                Closure.deleted_at.is_(None),
                Closure.approved_by_id.is_not(None),
                Closure.closed_on >= self.start,
                Closure.closed_on <= self.end,
            )
        )

    def _closure_reasons(self) -> list[NamedCount]:
        stmt = (
            select(Closure.reason_id, func.count())
            .where(Closure.id.in_(self._closures()))
            .group_by(Closure.reason_id)
        )
        counted = {reason_id: int(n) for reason_id, n in self.session.execute(stmt).all()}
        return [
            NamedCount(Bilingual(item.name_ky, item.name_ru), counted.get(item.id, 0))
            for item in self._items("closure_reason", counted)
        ]

    def _outcomes(self, kind: str) -> list[NamedCount]:
        stmt = (
            select(closure_outcomes.c.outcome_id, func.count())
            .where(closure_outcomes.c.closure_id.in_(self._closures()))
            .group_by(closure_outcomes.c.outcome_id)
        )
        counted = {outcome_id: int(n) for outcome_id, n in self.session.execute(stmt).all()}
        return [
            NamedCount(Bilingual(item.name_ky, item.name_ru), counted.get(item.id, 0))
            for item in self._items(kind, counted)
        ]

    # --- referrals ---------------------------------------------------------------------------

    def _partners(self) -> list[PartnerRow]:
        """Per organisation: the referrals issued in the period (not cancelled since), by their reply."""
        replied = and_(Referral.reply_received_on.is_not(None), Referral.reply_received_on <= self.as_of)
        overdue = and_(~replied, Referral.reply_due < self.as_of)
        terms: list[ColumnElement[bool]] = [
            Referral.deleted_at.is_(None),
            Referral.status.in_(("issued", "replied")),
            Referral.issued_on >= self.start,
            Referral.issued_on <= self.end,
        ]
        if self.district_id is not None:
            terms.append(Referral.district_id == self.district_id)
        stmt = (
            select(
                Organisation.name_ky,
                Organisation.name_ru,
                func.count(),
                func.sum(case((replied, 1), else_=0)),
                func.sum(case((overdue, 1), else_=0)),
            )
            .join(Organisation, Organisation.id == Referral.organisation_id)
            .where(*terms)
            .group_by(Organisation.id, Organisation.name_ky, Organisation.name_ru)
        )
        rows = [
            PartnerRow(
                Bilingual(name_ky or name_ru, name_ru),
                int(issued),
                int(answered or 0),
                int(issued) - int(answered or 0) - int(late or 0),
                int(late or 0),
            )
            for name_ky, name_ru, issued, answered, late in self.session.execute(stmt).all()
        ]
        return sorted(rows, key=lambda row: (-row.issued, row.organisation.ru))


def _years_before(day: date, years: int) -> date:
    """The same day *years* earlier (28 February for a 29 February that year lacks)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _breakdown(rows: Any) -> Breakdown:
    """A breakdown from (sex, age group, count) rows."""
    total = girls = boys = 0
    ages = [0] * (len(AGE_GROUPS) + 2)
    for sex, age, n in rows:
        n = int(n)
        total += n
        girls += n if sex == "F" else 0
        boys += n if sex == "M" else 0
        ages[int(age)] += n
    return Breakdown(total, girls, boys, tuple(ages))
