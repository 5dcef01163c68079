"""Reports (журнал сообщений) and opening cases: the first steps of DOMAIN.md §2."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.database import Database
from models.errors import FieldProblem, ValidationFailed
from models.i18n import N_, _
from models.numbering import next_number
from models.orm import Case, Household, Person, ReferenceItem, Report, User
from models.permissions import CASE_WORK_ROLES, Permission
from models.services.base import Actor, audit, changed_fields, get_live, require, unit_of_work
from models.services.checks import check_worker, not_in_future, office_district, reference

REPORT_DECISIONS = ("pending", "open_case", "refer_elsewhere", "no_grounds")

AUDIT_LABELS: dict[str, str] = {
    "report.create": N_("Report registered"),
    "report.update": N_("Report changed"),
    "report.view": N_("Report viewed"),
    "report.decide": N_("Decision on the report"),
    "case.open": N_("Case opened"),
    "case.update": N_("Case changed"),
    "case.assign": N_("Responsible worker changed"),
    "case.view": N_("Case viewed"),
}


@dataclass(frozen=True)
class ReportInput:
    received_at: datetime
    source_code: str | None = None
    channel_code: str | None = None
    reporter_name: str | None = None
    reporter_contact: str | None = None
    reporter_agency: str | None = None
    anonymous: bool = False
    concern: str | None = None
    urgent: bool = False
    category_codes: Sequence[str] = ()
    child_ids: Sequence[uuid.UUID] = ()
    assigned_worker_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Registered:
    id: uuid.UUID
    number: str


@dataclass(frozen=True)
class PersonRef:
    """A person a report or a case refers to, as a form shows them."""

    id: uuid.UUID
    full_name: str
    birth_date: date | None


@dataclass(frozen=True)
class CaseRef:
    """A case opened from a report."""

    id: uuid.UUID
    number: str
    child_name: str
    status: str


@dataclass(frozen=True)
class ReportDetails:
    """A stored report for its form: the values, the decision, and the version to send back."""

    id: uuid.UUID
    version: int
    number: str
    data: ReportInput
    children: list[PersonRef]
    decision: str
    decision_date: date | None
    decision_note: str | None
    cases: list[CaseRef]


@dataclass(frozen=True)
class _ReportValues:
    source: ReferenceItem | None
    channel: ReferenceItem | None
    categories: list[ReferenceItem]
    children: list[Person]


def _checked_report(session: Session, data: ReportInput) -> _ReportValues:
    """The references of a report form, looked up; raises :class:`ValidationFailed` on bad input."""
    problems: list[FieldProblem] = []
    if data.received_at > utcnow():
        problems.append(FieldProblem("received_at", _("Received: cannot be in the future.")))
    source = reference(session, "report_source", data.source_code, "source", N_("Source"), problems)
    channel = reference(session, "report_channel", data.channel_code, "channel", N_("Channel"), problems)
    categories = [
        c
        for code in data.category_codes
        if (c := reference(session, "tjs_category", code, "categories", N_("Categories"), problems))
    ]
    children = [session.get(Person, cid) for cid in data.child_ids]
    if any(c is None or c.deleted_at is not None for c in children):
        problems.append(FieldProblem("children", _("Children: a selected child no longer exists.")))
    if not data.anonymous and not (data.reporter_name or "").strip():
        problems.append(
            FieldProblem("reporter_name", _("Reporter: give the name, or mark the report as anonymous."))
        )
    check_worker(session, data.assigned_worker_id, problems)
    if problems:
        raise ValidationFailed(problems)
    return _ReportValues(source, channel, categories, [c for c in children if c is not None])


def register_report(db: Database, actor: Actor, data: ReportInput) -> Registered:
    """Register a report in the journal; it gets the next reg. № of the office's year."""
    with unit_of_work(db, actor, Permission.REPORT_WRITE) as session:
        values = _checked_report(session, data)
        district_id = office_district(session)
        year = data.received_at.astimezone().year
        report = Report(
            district_id=district_id,
            reg_year=year,
            reg_no=next_number(session, "report", district_id, year),
            received_at=data.received_at,
            source_type_id=values.source.id if values.source else None,
            channel_id=values.channel.id if values.channel else None,
            reporter_name=None if data.anonymous else data.reporter_name,
            reporter_contact=None if data.anonymous else data.reporter_contact,
            reporter_agency=data.reporter_agency,
            anonymous=data.anonymous,
            concern=data.concern,
            urgent=data.urgent,
            assigned_worker_id=data.assigned_worker_id,
            children=values.children,
            categories=values.categories,
        )
        session.add(report)
        number = f"{report.reg_no}/{report.reg_year}"
        audit(session, actor, "report.create", report, details={"number": number})
        return Registered(report.id, number)


def update_report(
    db: Database, actor: Actor, report_id: uuid.UUID, data: ReportInput, expected_version: int
) -> int:
    """Save the form of a registered report (its number stays); returns the report's new version."""
    with unit_of_work(db, actor, Permission.REPORT_WRITE) as session:
        report = get_live(session, Report, report_id, for_version=expected_version)
        values = _checked_report(session, data)
        children_changed = {c.id for c in report.children} != {c.id for c in values.children}
        categories_changed = {c.id for c in report.categories} != {c.id for c in values.categories}
        report.received_at = data.received_at
        report.source_type_id = values.source.id if values.source else None
        report.channel_id = values.channel.id if values.channel else None
        report.reporter_name = None if data.anonymous else data.reporter_name
        report.reporter_contact = None if data.anonymous else data.reporter_contact
        report.reporter_agency = data.reporter_agency
        report.anonymous = data.anonymous
        report.concern = data.concern
        report.urgent = data.urgent
        report.assigned_worker_id = data.assigned_worker_id
        fields = changed_fields(report)
        if children_changed:
            report.children = values.children
            fields.append("children")
        if categories_changed:
            report.categories = values.categories
            fields.append("categories")
        if fields:
            report.updated_at = utcnow()  # children and categories live in association tables
            audit(session, actor, "report.update", report, details={"fields": fields})
        session.flush()
        return report.version


def get_report(db: Database, actor: Actor, report_id: uuid.UUID) -> ReportDetails:
    """A report for viewing or editing; the view is written to the audit log."""
    with unit_of_work(db, actor, Permission.READ) as session:
        report = get_live(session, Report, report_id)
        number = f"{report.reg_no}/{report.reg_year}"
        audit(session, actor, "report.view", report, details={"number": number})
        children = [c for c in report.children if c.deleted_at is None]
        codes = {
            item.id: item.code
            for item in session.scalars(
                select(ReferenceItem).where(
                    ReferenceItem.id.in_([i for i in (report.source_type_id, report.channel_id) if i])
                )
            )
        }
        data = ReportInput(
            received_at=report.received_at,
            source_code=codes.get(report.source_type_id) if report.source_type_id else None,
            channel_code=codes.get(report.channel_id) if report.channel_id else None,
            reporter_name=report.reporter_name,
            reporter_contact=report.reporter_contact,
            reporter_agency=report.reporter_agency,
            anonymous=report.anonymous,
            concern=report.concern,
            urgent=report.urgent,
            category_codes=tuple(c.code for c in report.categories),
            child_ids=tuple(c.id for c in children),
            assigned_worker_id=report.assigned_worker_id,
        )
        # Cases opened from the report are cases of its children (cases.child_id is indexed, report_id not).
        cases = session.execute(
            select(Case, Person)
            .join(Person, Person.id == Case.child_id)
            .where(
                Case.child_id.in_([c.id for c in report.children]),
                Case.report_id == report.id,
                Case.deleted_at.is_(None),
            )
            .order_by(Case.case_year, Case.case_no)
        ).all()
        return ReportDetails(
            id=report.id,
            version=report.version,
            number=number,
            data=data,
            children=[PersonRef(c.id, c.full_name, c.birth_date) for c in children],
            decision=report.decision,
            decision_date=report.decision_date,
            decision_note=report.decision_note,
            cases=[CaseRef(case.id, case.number, person.full_name, case.status) for case, person in cases],
        )


def _decision_date_problems(report: Report, decision_date: date) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    not_in_future(decision_date, "decision_date", _("Decision date: cannot be in the future."), problems)
    if decision_date < report.received_at.date():
        problems.append(
            FieldProblem(
                "decision_date",
                _("Decision date: cannot be earlier than the date the report was received."),
            )
        )
    return problems


def decide_report(
    db: Database,
    actor: Actor,
    report_id: uuid.UUID,
    decision: str,
    decision_date: date,
    note: str | None = None,
    expected_version: int | None = None,
) -> int:
    """Record the decision on a report (open a case, refer elsewhere, no grounds); returns the new version."""
    with unit_of_work(db, actor, Permission.REPORT_WRITE) as session:
        report = get_live(session, Report, report_id, for_version=expected_version)
        problems: list[FieldProblem] = []
        if decision not in REPORT_DECISIONS[1:]:
            problems.append(FieldProblem("decision", _("Decision: choose one of the decisions.")))
        problems += _decision_date_problems(report, decision_date)
        if problems:
            raise ValidationFailed(problems)
        report.decision = decision
        report.decision_date = decision_date
        report.decision_note = note
        audit(session, actor, "report.decide", report, details={"decision": decision})
        session.flush()
        return report.version


@dataclass(frozen=True)
class CaseInput:
    child_id: uuid.UUID
    opened_on: date
    category_codes: Sequence[str] = ()
    risk_code: str | None = None
    worker_id: uuid.UUID | None = None
    household_id: uuid.UUID | None = None
    report_id: uuid.UUID | None = None
    summary: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


def _open_case(session: Session, actor: Actor, data: CaseInput) -> Case:
    """Open one case in the caller's unit of work (see :func:`open_case`); raises on bad input."""
    problems: list[FieldProblem] = []
    child = session.get(Person, data.child_id)
    if child is None or child.deleted_at is not None or not child.is_child:
        problems.append(FieldProblem("child", _("Child: choose a registered child.")))
    not_in_future(data.opened_on, "opened_on", _("Opened on: cannot be in the future."), problems)
    if not data.category_codes:
        problems.append(FieldProblem("categories", _("Categories: choose at least one category.")))
    categories = [
        c
        for code in data.category_codes
        if (c := reference(session, "tjs_category", code, "categories", N_("Categories"), problems))
    ]
    risk = reference(session, "risk_level", data.risk_code, "risk", N_("Risk level"), problems)
    check_worker(session, data.worker_id, problems)
    if data.household_id is not None:
        household = session.get(Household, data.household_id)
        if household is None or household.deleted_at is not None:
            problems.append(FieldProblem("household", _("Household: no longer exists.")))
    report = None
    if data.report_id is not None:
        report = session.get(Report, data.report_id)
        if report is None or report.deleted_at is not None:
            problems.append(FieldProblem("report", _("Report: no longer exists.")))
    if problems:
        raise ValidationFailed(problems)
    assert child is not None
    district_id = office_district(session)
    case = Case(
        district_id=district_id,
        case_year=data.opened_on.year,
        case_no=next_number(session, "case", district_id, data.opened_on.year),
        child_id=child.id,
        household_id=data.household_id,
        report_id=data.report_id,
        opened_on=data.opened_on,
        status="registered",
        risk_level_id=risk.id if risk else None,
        worker_id=data.worker_id,
        categories=categories,
        summary=data.summary,
    )
    session.add(case)
    session.flush()
    child.current_case_id = case.id
    if report is not None:
        report.case_id = case.id
        if report.decision == "pending":
            report.decision = "open_case"
            report.decision_date = data.opened_on
    audit(session, actor, "case.open", case, details={"number": case.number})
    return case


def open_case(db: Database, actor: Actor, data: CaseInput) -> Registered:
    """Open a case for a child: next case № of the year, categories, risk, responsible worker."""
    with unit_of_work(db, actor, Permission.CASE_WRITE) as session:
        case = _open_case(session, actor, data)
        return Registered(case.id, case.number)


def open_cases_for_report(
    db: Database,
    actor: Actor,
    report_id: uuid.UUID,
    opened_on: date,
    note: str | None = None,
    expected_version: int | None = None,
) -> list[Registered]:
    """Decide to open a case on a report: one case per child concerned, all in one transaction.

    Each case takes the report's categories and assigned worker. A child who already has a
    case opened from this report gets no second one.
    """
    require(actor, Permission.REPORT_WRITE)
    with unit_of_work(db, actor, Permission.CASE_WRITE) as session:
        report = get_live(session, Report, report_id, for_version=expected_version)
        children = [c for c in report.children if c.deleted_at is None]
        problems = _decision_date_problems(report, opened_on)
        if not children:
            problems.append(
                FieldProblem("children", _("Children: add the children concerned to open a case."))
            )
        if not report.categories:
            problems.append(
                FieldProblem("categories", _("Categories: choose at least one category to open a case."))
            )
        if problems:
            raise ValidationFailed(problems)
        already = set(
            session.scalars(
                select(Case.child_id).where(
                    Case.child_id.in_([c.id for c in children]),
                    Case.report_id == report.id,
                    Case.deleted_at.is_(None),
                )
            )
        )
        codes = [c.code for c in report.categories]
        opened = [
            _open_case(
                session,
                actor,
                CaseInput(
                    child.id,
                    opened_on,
                    codes,
                    worker_id=report.assigned_worker_id,
                    report_id=report.id,
                ),
            )
            for child in children
            if child.id not in already
        ]
        report.decision = "open_case"
        report.decision_date = opened_on
        report.decision_note = note
        audit(
            session,
            actor,
            "report.decide",
            report,
            details={"decision": "open_case", "cases": [case.number for case in opened]},
        )
        return [Registered(case.id, case.number) for case in opened]


def update_case(
    db: Database,
    actor: Actor,
    case_id: uuid.UUID,
    *,
    expected_version: int,
    category_codes: Sequence[str] | None = None,
    risk_code: str | None = None,
    summary: str | None = None,
) -> int:
    """Save a case's categories, risk level (an empty code clears it) and summary; returns the new version.

    A value left as None is not changed.
    """
    with unit_of_work(db, actor, Permission.CASE_WRITE) as session:
        case = get_live(session, Case, case_id, for_version=expected_version)
        problems: list[FieldProblem] = []
        if category_codes is not None:
            if not category_codes:
                problems.append(FieldProblem("categories", _("Categories: choose at least one category.")))
            case.categories = [
                c
                for code in category_codes
                if (c := reference(session, "tjs_category", code, "categories", N_("Categories"), problems))
            ]
        if risk_code is not None:
            risk = reference(session, "risk_level", risk_code, "risk", N_("Risk level"), problems)
            case.risk_level_id = risk.id if risk else None
        if summary is not None:
            case.summary = summary
        if problems:
            raise ValidationFailed(problems)
        fields = changed_fields(case)
        if category_codes is not None:
            case.updated_at = utcnow()  # categories live in an association table: mark the case changed
            fields.append("categories")
        audit(session, actor, "case.update", case, details={"fields": fields})
        session.flush()
        return case.version


#: Roles whose users may be responsible for a case.


def assign_worker(
    db: Database,
    actor: Actor,
    case_id: uuid.UUID,
    worker_id: uuid.UUID | None,
    expected_version: int | None = None,
) -> int:
    """Make a user responsible for a case, or nobody (None): the department head's decision. The new version.

    The worker must be an active user with a case-work role (:data:`CASE_WORK_ROLES`).
    """
    with unit_of_work(db, actor, Permission.CASE_ASSIGN) as session:
        case = get_live(session, Case, case_id, for_version=expected_version)
        if worker_id is not None:
            user = session.get(User, worker_id)
            if user is None or not user.active or user.deleted_at is not None:
                raise ValidationFailed([FieldProblem("worker", _("Responsible worker: not an active user."))])
            if user.role_code not in CASE_WORK_ROLES:
                raise ValidationFailed(
                    [
                        FieldProblem(
                            "worker",
                            _(
                                "Responsible worker: {name} has no case-work role "
                                "(department head, specialist or social worker).",
                                name=user.full_name,
                            ),
                        )
                    ]
                )
        previous = case.worker_id
        if previous == worker_id:
            return case.version
        case.worker_id = worker_id
        audit(
            session,
            actor,
            "case.assign",
            case,
            details={
                "number": case.number,
                "from": str(previous) if previous else None,
                "to": str(worker_id) if worker_id else None,
            },
        )
        session.flush()
        return case.version


@dataclass(frozen=True)
class CaseDetails:
    """A stored case for its form: the values, and the version to send back with changes."""

    id: uuid.UUID
    version: int
    number: str
    child: PersonRef
    opened_on: date
    status: str
    category_codes: tuple[str, ...]
    risk_code: str | None
    worker_id: uuid.UUID | None
    summary: str | None
    report_id: uuid.UUID | None
    report_number: str | None
    household_id: uuid.UUID | None
    closed_on: date | None


def get_case(db: Database, actor: Actor, case_id: uuid.UUID) -> CaseDetails:
    """A case for viewing or editing; the view is written to the audit log."""
    with unit_of_work(db, actor, Permission.READ) as session:
        case = get_live(session, Case, case_id)
        audit(session, actor, "case.view", case, details={"number": case.number})
        report = session.get(Report, case.report_id) if case.report_id else None
        child = case.child
        return CaseDetails(
            id=case.id,
            version=case.version,
            number=case.number,
            child=PersonRef(child.id, child.full_name, child.birth_date),
            opened_on=case.opened_on,
            status=case.status,
            category_codes=tuple(c.code for c in case.categories),
            risk_code=case.risk_level.code if case.risk_level else None,
            worker_id=case.worker_id,
            summary=case.summary,
            report_id=case.report_id,
            report_number=f"{report.reg_no}/{report.reg_year}" if report else None,
            household_id=case.household_id,
            closed_on=case.closed_on,
        )
