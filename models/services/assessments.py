"""Assessments of a case (DOMAIN.md §2 steps 2–3): the initial assessment, the comprehensive needs
assessment by domain, and the housing-conditions act.

Due dates come from the office's deadline settings (:class:`models.dashboard.DeadlineSettings`),
counted from the day the case was opened. The due date stored with an assessment is the one that
applied when it was started; the tab's list computes it again from today's settings, as the home
page does, so that a changed setting applies to every case at once. Like the home page, an
assessment kind is due only while the case has no completed assessment of that kind: a repeated
comprehensive assessment has no due date.

Starting any assessment moves a registered case on to "assessment". A completed assessment is
frozen: it can be read, not changed nor deleted. A closed case takes no new work.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import Record, utcnow
from models.dashboard import DeadlineSettings
from models.database import Database
from models.errors import FieldProblem, ValidationFailed
from models.i18n import N_, _, current_language
from models.orm import (
    AssessmentDomain,
    Case,
    ComprehensiveAssessment,
    HousingAct,
    HousingActMember,
    InitialAssessment,
    Person,
    ReferenceItem,
    User,
)
from models.permissions import Permission
from models.reference import items as reference_items
from models.services.base import Actor, audit, audit_changes, changed_fields, get_live, require, unit_of_work
from models.services.checks import blank, clean_text, live_open_case, not_in_future, reference
from models.services.workflow import advance
from models.validation import format_date, local_today

KINDS = ("initial", "comprehensive", "housing")
KIND_LABELS = {
    "initial": N_("Initial assessment"),
    "comprehensive": N_("Comprehensive needs assessment"),
    "housing": N_("Housing-conditions act"),
}

# Statuses of a row of the tab: an assessment not started yet (but due), a draft, a completed
# assessment; a housing act signed, or not yet signed, by the family.
STATUS_LABELS = {
    "not_started": N_("Not started"),
    "draft": N_("In progress"),
    "completed": N_("Completed"),
    "unsigned": N_("Not signed by the family"),
    "signed": N_("Signed by the family"),
}

AUDIT_LABELS: dict[str, str] = {
    "initial_assessment.create": N_("Initial assessment started"),
    "initial_assessment.update": N_("Initial assessment changed"),
    "initial_assessment.complete": N_("Initial assessment completed"),
    "initial_assessment.delete": N_("Initial assessment deleted"),
    "initial_assessment.view": N_("Initial assessment viewed"),
    "comprehensive_assessment.create": N_("Comprehensive assessment started"),
    "comprehensive_assessment.update": N_("Comprehensive assessment changed"),
    "comprehensive_assessment.complete": N_("Comprehensive assessment completed"),
    "comprehensive_assessment.delete": N_("Comprehensive assessment deleted"),
    "comprehensive_assessment.view": N_("Comprehensive assessment viewed"),
    "housing_act.create": N_("Housing-conditions act drawn up"),
    "housing_act.update": N_("Housing-conditions act changed"),
    "housing_act.delete": N_("Housing-conditions act deleted"),
    "housing_act.view": N_("Housing-conditions act viewed"),
}

MAX_ROOMS = 100
MAX_AREA_M2 = Decimal("10000")


# --- inputs and results -----------------------------------------------------------------


@dataclass(frozen=True)
class InitialAssessmentInput:
    """The fields of an initial assessment (первичная оценка); a yes/no answer is None until recorded."""

    visit_date: date | None = None
    place: str | None = None
    participants: str | None = None
    immediate_danger: bool = False
    safety_measures: str | None = None
    needs_food: str | None = None
    needs_health: str | None = None
    needs_education: str | None = None
    needs_documents: str | None = None
    caregiver_present: bool | None = None
    parents_in_migration: bool | None = None
    category_codes: Sequence[str] = ()
    conclusion: str | None = None


@dataclass(frozen=True)
class DomainInput:
    """The findings and the need level (a need_level code) of one assessment domain (by its code)."""

    domain_code: str
    findings: str | None = None
    need_level_code: str | None = None


@dataclass(frozen=True)
class ComprehensiveAssessmentInput:
    started_on: date | None = None
    domains: Sequence[DomainInput] = ()
    strengths: str | None = None
    child_views: str | None = None
    overall_risk_code: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class CommissionMemberInput:
    full_name: str
    job_title: str | None = None
    organisation: str | None = None


@dataclass(frozen=True)
class HousingActInput:
    act_date: date
    members: Sequence[CommissionMemberInput] = ()
    address_text: str | None = None
    occupancy_basis: str | None = None
    dwelling_type: str | None = None
    wall_material: str | None = None
    rooms: int | None = None
    area_m2: Decimal | None = None
    heating: str | None = None
    water: str | None = None
    electricity: str | None = None
    toilet: str | None = None
    residents: str | None = None
    sleeping_place: str | None = None
    study_place: str | None = None
    sanitary_condition: str | None = None
    food: str | None = None
    income: str | None = None
    conclusion: str | None = None
    recommendations: str | None = None
    family_acknowledged: bool = False
    family_signatory: str | None = None


@dataclass(frozen=True)
class AssessmentRow:
    """One line of the Assessments tab.

    *id* is None for an assessment that is due but not started yet; *dated* is the visit date,
    the start date or the date of the act; *status* is a :data:`STATUS_LABELS` key.
    """

    kind: str
    id: uuid.UUID | None
    version: int | None
    dated: date | None
    due_date: date | None
    completed_on: date | None
    overdue: bool
    status: str
    assessor: str | None

    @property
    def can_complete(self) -> bool:
        return self.id is not None and self.kind != "housing" and self.status == "draft"

    @property
    def can_delete(self) -> bool:
        return self.id is not None and self.status in ("draft", "unsigned")


@dataclass(frozen=True)
class AssessmentHeader:
    """What every assessment's form shows besides its fields: the case, the deadline, the state."""

    case_id: uuid.UUID
    case_number: str
    child_name: str
    case_open: bool
    due_date: date | None
    completed_on: date | None


@dataclass(frozen=True)
class InitialAssessmentDetails:
    id: uuid.UUID | None
    version: int | None
    header: AssessmentHeader
    data: InitialAssessmentInput
    assessor: str | None


@dataclass(frozen=True)
class DomainDetails:
    """A domain of a comprehensive assessment, with its label in the reader's language."""

    domain_code: str
    label: str
    findings: str | None
    need_level_code: str | None


@dataclass(frozen=True)
class ComprehensiveAssessmentDetails:
    id: uuid.UUID | None
    version: int | None
    header: AssessmentHeader
    data: ComprehensiveAssessmentInput
    domains: tuple[DomainDetails, ...]
    assessor: str | None


@dataclass(frozen=True)
class HousingActDetails:
    id: uuid.UUID | None
    version: int | None
    header: AssessmentHeader
    data: HousingActInput


# --- shared checks ----------------------------------------------------------------------


def _not_completed(completed_on: date | None) -> None:
    if completed_on is not None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "completed_on",
                    _(
                        "The assessment was completed on {date}; it can no longer be changed.",
                        date=format_date(completed_on),
                    ),
                )
            ]
        )


def _day_problems(day: date | None, field: str, label: str, problems: list[FieldProblem]) -> None:
    not_in_future(day, field, _("{field}: cannot be in the future.", field=_(label)), problems)


def _label(item: ReferenceItem) -> str:
    lang = current_language()
    if lang == "ky" and item.name_ky:
        return item.name_ky
    if lang == "en" and item.name_en:
        return item.name_en
    return item.name_ru


def _user_name(session: Session, user_id: uuid.UUID | None) -> str | None:
    user = session.get(User, user_id) if user_id else None
    return user.full_name if user else None


def _codes(session: Session, ids: Sequence[uuid.UUID | None]) -> dict[uuid.UUID, ReferenceItem]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    return {
        item.id: item for item in session.scalars(select(ReferenceItem).where(ReferenceItem.id.in_(wanted)))
    }


def _has_completed(
    session: Session, model: type[InitialAssessment] | type[ComprehensiveAssessment], case_id: uuid.UUID
) -> bool:
    return (
        session.scalar(
            select(model.id)
            .where(model.case_id == case_id, model.deleted_at.is_(None), model.completed_on.is_not(None))
            .limit(1)
        )
        is not None
    )


def _header(
    session: Session, case: Case, due_date: date | None, completed_on: date | None
) -> AssessmentHeader:
    child = session.get(Person, case.child_id)
    return AssessmentHeader(
        case_id=case.id,
        case_number=case.number,
        child_name=child.full_name if child else "",
        case_open=case.status != "closed",
        due_date=due_date,
        completed_on=completed_on,
    )


def _due(
    session: Session, case: Case, assessment: InitialAssessment | ComprehensiveAssessment
) -> date | None:
    """The due date of *assessment* as the tab shows it: by today's settings while its kind is pending."""
    if assessment.completed_on is not None:
        return assessment.due_date
    model = type(assessment)
    if _has_completed(session, model, case.id):
        return None
    deadlines = DeadlineSettings.read(session)
    if isinstance(assessment, InitialAssessment):
        return deadlines.initial_assessment_due(case.opened_on)
    return deadlines.comprehensive_assessment_due(case.opened_on)


def _soft_delete(obj: Record) -> None:
    obj.deleted_at = utcnow()


# --- the initial assessment -------------------------------------------------------------


def _initial_values(session: Session, data: InitialAssessmentInput) -> list[ReferenceItem]:
    problems: list[FieldProblem] = []
    _day_problems(data.visit_date, "visit_date", N_("Visit date"), problems)
    categories = [
        c
        for code in data.category_codes
        if (
            c := reference(
                session, "tjs_category", code, "categories", N_("Preliminary categories"), problems
            )
        )
    ]
    if problems:
        raise ValidationFailed(problems)
    return categories


def _fill_initial(
    assessment: InitialAssessment, data: InitialAssessmentInput, categories: list[ReferenceItem]
) -> None:
    assessment.visit_date = data.visit_date
    assessment.place = clean_text(data.place)
    assessment.participants = clean_text(data.participants)
    assessment.immediate_danger = data.immediate_danger
    assessment.safety_measures = clean_text(data.safety_measures)
    assessment.needs_food = clean_text(data.needs_food)
    assessment.needs_health = clean_text(data.needs_health)
    assessment.needs_education = clean_text(data.needs_education)
    assessment.needs_documents = clean_text(data.needs_documents)
    assessment.caregiver_present = data.caregiver_present
    assessment.parents_in_migration = data.parents_in_migration
    assessment.preliminary_categories = ",".join(c.code for c in categories) or None
    assessment.conclusion = clean_text(data.conclusion)


def create_initial_assessment(
    db: Database, actor: Actor, case_id: uuid.UUID, data: InitialAssessmentInput
) -> uuid.UUID:
    """Start the initial assessment of a case (one per case); due N working days after the case was opened."""
    with unit_of_work(db, actor, Permission.ASSESSMENT_WRITE) as session:
        case = live_open_case(session, case_id)
        existing = session.scalar(
            select(InitialAssessment.id).where(
                InitialAssessment.case_id == case.id, InitialAssessment.deleted_at.is_(None)
            )
        )
        if existing is not None:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "case",
                        _(
                            "The case {number} has an initial assessment already; open it.",
                            number=case.number,
                        ),
                    )
                ]
            )
        categories = _initial_values(session, data)
        assessment = InitialAssessment(
            case_id=case.id,
            due_date=DeadlineSettings.read(session).initial_assessment_due(case.opened_on),
            assessor_id=actor.user_id,
        )
        _fill_initial(assessment, data, categories)
        session.add(assessment)
        audit(session, actor, "initial_assessment.create", assessment, details={"number": case.number})
        advance(session, actor, case, "assessment")
        return assessment.id


def update_initial_assessment(
    db: Database, actor: Actor, assessment_id: uuid.UUID, data: InitialAssessmentInput, expected_version: int
) -> int:
    """Save the fields of an initial assessment that is not completed; returns its new version."""
    with unit_of_work(db, actor, Permission.ASSESSMENT_WRITE) as session:
        assessment = get_live(session, InitialAssessment, assessment_id, for_version=expected_version)
        case = live_open_case(session, assessment.case_id)
        _not_completed(assessment.completed_on)
        categories = _initial_values(session, data)
        _fill_initial(assessment, data, categories)
        return audit_changes(session, actor, "initial_assessment.update", assessment, {"number": case.number})


def _completion_day(completed_on: date | None, started: date | None, problems: list[FieldProblem]) -> date:
    day = completed_on or local_today()
    _day_problems(day, "completed_on", N_("Completed on"), problems)
    if started is not None and day < started:
        problems.append(
            FieldProblem("completed_on", _("Completed on: cannot be earlier than the assessment itself."))
        )
    return day


def complete_initial_assessment(
    db: Database,
    actor: Actor,
    assessment_id: uuid.UUID,
    expected_version: int | None,
    completed_on: date | None = None,
) -> int:
    """Complete an initial assessment (today unless *completed_on*); needs the visit date and conclusion.

    *expected_version* None: the caller has just written the assessment in its own transaction.
    """
    with unit_of_work(db, actor, Permission.ASSESSMENT_WRITE) as session:
        assessment = get_live(session, InitialAssessment, assessment_id, for_version=expected_version)
        case = live_open_case(session, assessment.case_id)
        _not_completed(assessment.completed_on)
        problems: list[FieldProblem] = []
        if assessment.visit_date is None:
            problems.append(
                FieldProblem("visit_date", _("Visit date: give the date of the visit to complete."))
            )
        if blank(assessment.conclusion):
            problems.append(FieldProblem("conclusion", _("Conclusion: write the conclusion to complete.")))
        if assessment.immediate_danger and blank(assessment.safety_measures):
            problems.append(
                FieldProblem(
                    "safety_measures",
                    _("Safety measures: describe what was done about the immediate danger."),
                )
            )
        day = _completion_day(completed_on, assessment.visit_date, problems)
        if problems:
            raise ValidationFailed(problems)
        assessment.completed_on = day
        audit(
            session,
            actor,
            "initial_assessment.complete",
            assessment,
            details={"number": case.number, "completed_on": day.isoformat()},
        )
        advance(session, actor, case, "assessment")
        session.flush()
        return assessment.version


def get_initial_assessment(db: Database, actor: Actor, assessment_id: uuid.UUID) -> InitialAssessmentDetails:
    """An initial assessment for its form; the view is written to the audit log."""
    with unit_of_work(db, actor, Permission.READ) as session:
        assessment = get_live(session, InitialAssessment, assessment_id)
        case = get_live(session, Case, assessment.case_id)
        audit(session, actor, "initial_assessment.view", assessment, details={"number": case.number})
        return InitialAssessmentDetails(
            id=assessment.id,
            version=assessment.version,
            header=_header(session, case, _due(session, case, assessment), assessment.completed_on),
            data=InitialAssessmentInput(
                visit_date=assessment.visit_date,
                place=assessment.place,
                participants=assessment.participants,
                immediate_danger=assessment.immediate_danger,
                safety_measures=assessment.safety_measures,
                needs_food=assessment.needs_food,
                needs_health=assessment.needs_health,
                needs_education=assessment.needs_education,
                needs_documents=assessment.needs_documents,
                caregiver_present=assessment.caregiver_present,
                parents_in_migration=assessment.parents_in_migration,
                category_codes=tuple(c for c in (assessment.preliminary_categories or "").split(",") if c),
                conclusion=assessment.conclusion,
            ),
            assessor=_user_name(session, assessment.assessor_id),
        )


def new_initial_assessment(db: Database, actor: Actor, case_id: uuid.UUID) -> InitialAssessmentDetails:
    """What the form of a new initial assessment starts with: the case and the due date."""
    require(actor, Permission.READ)
    with db.reading() as session:
        case = get_live(session, Case, case_id)
        due = DeadlineSettings.read(session).initial_assessment_due(case.opened_on)
        return InitialAssessmentDetails(
            id=None,
            version=None,
            header=_header(session, case, due, None),
            data=InitialAssessmentInput(),
            assessor=actor.full_name or None,
        )


# --- the comprehensive needs assessment -----------------------------------------------------


@dataclass(frozen=True)
class _ComprehensiveValues:
    domains: dict[str, ReferenceItem]  # the domain items of the input, by code
    needs: dict[str, ReferenceItem | None]  # the need level of each domain of the input, by code
    risk: ReferenceItem | None


def _comprehensive_values(
    session: Session, data: ComprehensiveAssessmentInput, known: dict[str, ReferenceItem]
) -> _ComprehensiveValues:
    """The references of the form looked up; *known* are the domains the assessment may have, by code."""
    problems: list[FieldProblem] = []
    _day_problems(data.started_on, "started_on", N_("Started on"), problems)
    domains: dict[str, ReferenceItem] = {}
    needs: dict[str, ReferenceItem | None] = {}
    for entry in data.domains:
        item = known.get(entry.domain_code)
        if item is None:
            problems.append(
                FieldProblem(
                    "domains",
                    _("{field}: unknown value {code}.", field=_(N_("Domain")), code=entry.domain_code),
                )
            )
            continue
        domains[entry.domain_code] = item
        needs[entry.domain_code] = reference(
            session,
            "need_level",
            entry.need_level_code,
            f"domains.{entry.domain_code}",
            N_("Need level"),
            problems,
        )
    risk = reference(
        session, "risk_level", data.overall_risk_code, "overall_risk", N_("Overall risk"), problems
    )
    if problems:
        raise ValidationFailed(problems)
    return _ComprehensiveValues(domains, needs, risk)


def _active_domains(session: Session) -> dict[str, ReferenceItem]:
    return {item.code: item for item in reference_items(session, "assessment_domain")}


def create_comprehensive_assessment(
    db: Database, actor: Actor, case_id: uuid.UUID, data: ComprehensiveAssessmentInput
) -> uuid.UUID:
    """Start a comprehensive needs assessment with one row per active assessment domain.

    Due N days after the case was opened while the case has no completed one (a repeated
    assessment has no due date). A case has at most one assessment in progress.
    """
    with unit_of_work(db, actor, Permission.ASSESSMENT_WRITE) as session:
        case = live_open_case(session, case_id)
        in_progress = session.scalar(
            select(ComprehensiveAssessment.id).where(
                ComprehensiveAssessment.case_id == case.id,
                ComprehensiveAssessment.deleted_at.is_(None),
                ComprehensiveAssessment.completed_on.is_(None),
            )
        )
        if in_progress is not None:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "case",
                        _(
                            "The case {number} has a comprehensive assessment in progress; open it.",
                            number=case.number,
                        ),
                    )
                ]
            )
        active = _active_domains(session)
        values = _comprehensive_values(session, data, active)
        repeated = _has_completed(session, ComprehensiveAssessment, case.id)
        assessment = ComprehensiveAssessment(
            case_id=case.id,
            due_date=None
            if repeated
            else DeadlineSettings.read(session).comprehensive_assessment_due(case.opened_on),
            started_on=data.started_on or local_today(),
            strengths=clean_text(data.strengths),
            child_views=clean_text(data.child_views),
            overall_risk_id=values.risk.id if values.risk else None,
            summary=clean_text(data.summary),
            assessor_id=actor.user_id,
        )
        session.add(assessment)
        findings = {entry.domain_code: clean_text(entry.findings) for entry in data.domains}
        for code, item in active.items():
            need = values.needs.get(code)
            session.add(
                AssessmentDomain(
                    assessment=assessment,
                    domain_id=item.id,
                    findings=findings.get(code),
                    need_level_id=need.id if need else None,
                )
            )
        audit(session, actor, "comprehensive_assessment.create", assessment, details={"number": case.number})
        advance(session, actor, case, "assessment")
        return assessment.id


def _live_domains(
    session: Session, assessment: ComprehensiveAssessment
) -> list[tuple[AssessmentDomain, ReferenceItem]]:
    """The domain rows of *assessment* with their reference items, in the order of the reference list."""
    rows = session.execute(
        select(AssessmentDomain, ReferenceItem)
        .join(ReferenceItem, ReferenceItem.id == AssessmentDomain.domain_id)
        .where(AssessmentDomain.assessment_id == assessment.id, AssessmentDomain.deleted_at.is_(None))
        .order_by(ReferenceItem.sort_order, ReferenceItem.code)
    ).all()
    return [(row, item) for row, item in rows]


def update_comprehensive_assessment(
    db: Database,
    actor: Actor,
    assessment_id: uuid.UUID,
    data: ComprehensiveAssessmentInput,
    expected_version: int,
) -> int:
    """Save a comprehensive assessment that is not completed (domains by code); returns its new version.

    A domain of the input the assessment has no row for (added to the reference list since) gets one.
    """
    with unit_of_work(db, actor, Permission.ASSESSMENT_WRITE) as session:
        assessment = get_live(session, ComprehensiveAssessment, assessment_id, for_version=expected_version)
        case = live_open_case(session, assessment.case_id)
        _not_completed(assessment.completed_on)
        pairs = _live_domains(session, assessment)
        rows = {item.code: row for row, item in pairs}
        known = _active_domains(session)
        known.update({item.code: item for _row, item in pairs})
        values = _comprehensive_values(session, data, known)
        assessment.started_on = data.started_on or assessment.started_on
        assessment.strengths = clean_text(data.strengths)
        assessment.child_views = clean_text(data.child_views)
        assessment.overall_risk_id = values.risk.id if values.risk else None
        assessment.summary = clean_text(data.summary)
        fields = changed_fields(assessment)
        domains_changed = False
        for entry in data.domains:
            need = values.needs.get(entry.domain_code)
            row = rows.get(entry.domain_code)
            if row is None:
                row = AssessmentDomain(assessment=assessment, domain_id=values.domains[entry.domain_code].id)
                session.add(row)
            row.findings = clean_text(entry.findings)
            row.need_level_id = need.id if need else None
            if row in session.new or changed_fields(row):
                domains_changed = True
        if domains_changed:
            assessment.updated_at = (
                utcnow()
            )  # the domains live in their own rows: mark the assessment changed
            fields.append("domains")
        return audit_changes(
            session, actor, "comprehensive_assessment.update", assessment, {"number": case.number}, fields
        )


def complete_comprehensive_assessment(
    db: Database,
    actor: Actor,
    assessment_id: uuid.UUID,
    expected_version: int | None,
    completed_on: date | None = None,
) -> int:
    """Complete a comprehensive assessment: a need level for every domain, the overall risk, the summary."""
    with unit_of_work(db, actor, Permission.ASSESSMENT_WRITE) as session:
        assessment = get_live(session, ComprehensiveAssessment, assessment_id, for_version=expected_version)
        case = live_open_case(session, assessment.case_id)
        _not_completed(assessment.completed_on)
        problems = [
            FieldProblem(f"domains.{item.code}", _("{domain}: choose the need level.", domain=_label(item)))
            for row, item in _live_domains(session, assessment)
            if row.need_level_id is None
        ]
        if assessment.overall_risk_id is None:
            problems.append(FieldProblem("overall_risk", _("Overall risk: choose the level to complete.")))
        if blank(assessment.summary):
            problems.append(FieldProblem("summary", _("Summary: write the summary to complete.")))
        day = _completion_day(completed_on, assessment.started_on, problems)
        if problems:
            raise ValidationFailed(problems)
        assessment.completed_on = day
        audit(
            session,
            actor,
            "comprehensive_assessment.complete",
            assessment,
            details={"number": case.number, "completed_on": day.isoformat()},
        )
        advance(session, actor, case, "assessment")
        session.flush()
        return assessment.version


def get_comprehensive_assessment(
    db: Database, actor: Actor, assessment_id: uuid.UUID
) -> ComprehensiveAssessmentDetails:
    """A comprehensive assessment for its form, domains in the reference order; the view is audited."""
    with unit_of_work(db, actor, Permission.READ) as session:
        assessment = get_live(session, ComprehensiveAssessment, assessment_id)
        case = get_live(session, Case, assessment.case_id)
        audit(session, actor, "comprehensive_assessment.view", assessment, details={"number": case.number})
        domains = _live_domains(session, assessment)
        refs = _codes(session, [assessment.overall_risk_id] + [row.need_level_id for row, _item in domains])
        risk = refs.get(assessment.overall_risk_id) if assessment.overall_risk_id else None
        details = tuple(
            DomainDetails(
                domain_code=item.code,
                label=_label(item),
                findings=row.findings,
                need_level_code=refs[row.need_level_id].code if row.need_level_id in refs else None,
            )
            for row, item in domains
        )
        return ComprehensiveAssessmentDetails(
            id=assessment.id,
            version=assessment.version,
            header=_header(session, case, _due(session, case, assessment), assessment.completed_on),
            data=ComprehensiveAssessmentInput(
                started_on=assessment.started_on,
                domains=tuple(DomainInput(d.domain_code, d.findings, d.need_level_code) for d in details),
                strengths=assessment.strengths,
                child_views=assessment.child_views,
                overall_risk_code=risk.code if risk else None,
                summary=assessment.summary,
            ),
            domains=details,
            assessor=_user_name(session, assessment.assessor_id),
        )


def new_comprehensive_assessment(
    db: Database, actor: Actor, case_id: uuid.UUID
) -> ComprehensiveAssessmentDetails:
    """What the form of a new comprehensive assessment starts with: the active domains and the due date."""
    require(actor, Permission.READ)
    with db.reading() as session:
        case = get_live(session, Case, case_id)
        due = (
            None
            if _has_completed(session, ComprehensiveAssessment, case.id)
            else DeadlineSettings.read(session).comprehensive_assessment_due(case.opened_on)
        )
        domains = tuple(
            DomainDetails(item.code, _label(item), None, None) for item in _active_domains(session).values()
        )
        return ComprehensiveAssessmentDetails(
            id=None,
            version=None,
            header=_header(session, case, due, None),
            data=ComprehensiveAssessmentInput(
                started_on=local_today(), domains=tuple(DomainInput(d.domain_code) for d in domains)
            ),
            domains=domains,
            assessor=actor.full_name or None,
        )


# --- the housing-conditions act ---------------------------------------------------------------


def _housing_problems(data: HousingActInput) -> list[CommissionMemberInput]:
    """The commission members of the form (blank rows dropped); raises on bad input."""
    problems: list[FieldProblem] = []
    _day_problems(data.act_date, "act_date", N_("Date of the act"), problems)
    members = []
    for member in data.members:
        if blank(member.full_name):
            if not (blank(member.job_title) and blank(member.organisation)):
                problems.append(FieldProblem("members", _("Commission: give the full name of every member.")))
            continue
        members.append(member)
    if not members:
        problems.append(FieldProblem("members", _("Commission: add at least one member.")))
    if data.rooms is not None and not 0 <= data.rooms <= MAX_ROOMS:
        problems.append(
            FieldProblem("rooms", _("Rooms: a whole number from 0 to {maximum}.", maximum=MAX_ROOMS))
        )
    if data.area_m2 is not None:
        try:
            valid_area = Decimal(0) < data.area_m2 < MAX_AREA_M2
        except InvalidOperation:
            valid_area = False
        if not valid_area:
            problems.append(
                FieldProblem(
                    "area_m2",
                    _("Area: a number of square metres above 0 and below {maximum}.", maximum=MAX_AREA_M2),
                )
            )
    if data.family_acknowledged and blank(data.family_signatory):
        problems.append(
            FieldProblem("family_signatory", _("Signed by: name the family member who signed the act."))
        )
    if problems:
        raise ValidationFailed(problems)
    return members


_HOUSING_TEXTS = (
    "address_text",
    "occupancy_basis",
    "dwelling_type",
    "wall_material",
    "heating",
    "water",
    "electricity",
    "toilet",
    "residents",
    "sleeping_place",
    "study_place",
    "sanitary_condition",
    "food",
    "income",
    "conclusion",
    "recommendations",
)


def _fill_housing(act: HousingAct, data: HousingActInput) -> None:
    act.act_date = data.act_date
    for name in _HOUSING_TEXTS:
        setattr(act, name, clean_text(getattr(data, name)))
    act.rooms = data.rooms
    act.area_m2 = data.area_m2.quantize(Decimal("0.01")) if data.area_m2 is not None else None
    act.family_acknowledged = data.family_acknowledged
    act.family_signatory = clean_text(data.family_signatory) if data.family_acknowledged else None


def _set_members(session: Session, act: HousingAct, members: list[CommissionMemberInput]) -> bool:
    """Make the live commission rows of *act* those of *members*, in order; whether anything changed."""
    rows = session.scalars(
        select(HousingActMember)
        .where(HousingActMember.act_id == act.id, HousingActMember.deleted_at.is_(None))
        .order_by(HousingActMember.position)
    ).all()
    changed = False
    for position, member in enumerate(members):
        if position < len(rows):
            row = rows[position]
        else:
            row = HousingActMember(act_id=act.id, position=position)
            session.add(row)
            changed = True
        row.position = position
        row.full_name = member.full_name.strip()
        row.job_title = clean_text(member.job_title)
        row.organisation = clean_text(member.organisation)
        if row not in session.new and changed_fields(row):
            changed = True
    for row in rows[len(members) :]:
        _soft_delete(row)
        changed = True
    return changed


def create_housing_act(db: Database, actor: Actor, case_id: uuid.UUID, data: HousingActInput) -> uuid.UUID:
    """Record a housing-conditions act of the case's family, with its commission members."""
    with unit_of_work(db, actor, Permission.ASSESSMENT_WRITE) as session:
        case = live_open_case(session, case_id)
        members = _housing_problems(data)
        act = HousingAct(case_id=case.id)
        _fill_housing(act, data)
        session.add(act)
        session.flush()
        _set_members(session, act, members)
        audit(session, actor, "housing_act.create", act, details={"number": case.number})
        advance(session, actor, case, "assessment")
        return act.id


def update_housing_act(
    db: Database, actor: Actor, act_id: uuid.UUID, data: HousingActInput, expected_version: int
) -> int:
    """Save a housing-conditions act; returns its new version."""
    with unit_of_work(db, actor, Permission.ASSESSMENT_WRITE) as session:
        act = get_live(session, HousingAct, act_id, for_version=expected_version)
        case = live_open_case(session, act.case_id)
        members = _housing_problems(data)
        _fill_housing(act, data)
        fields = changed_fields(act)
        if _set_members(session, act, members):
            act.updated_at = utcnow()  # the members live in their own rows: mark the act changed
            fields.append("members")
        return audit_changes(session, actor, "housing_act.update", act, {"number": case.number}, fields)


def _housing_details(session: Session, act: HousingAct, case: Case) -> HousingActDetails:
    members = session.scalars(
        select(HousingActMember)
        .where(HousingActMember.act_id == act.id, HousingActMember.deleted_at.is_(None))
        .order_by(HousingActMember.position)
    ).all()
    values = {name: getattr(act, name) for name in _HOUSING_TEXTS}
    return HousingActDetails(
        id=act.id,
        version=act.version,
        header=_header(session, case, None, None),
        data=HousingActInput(
            act_date=act.act_date,
            members=tuple(CommissionMemberInput(m.full_name, m.job_title, m.organisation) for m in members),
            rooms=act.rooms,
            area_m2=act.area_m2,
            family_acknowledged=act.family_acknowledged,
            family_signatory=act.family_signatory,
            **values,
        ),
    )


def get_housing_act(db: Database, actor: Actor, act_id: uuid.UUID) -> HousingActDetails:
    """A housing-conditions act for its form; the view is written to the audit log."""
    with unit_of_work(db, actor, Permission.READ) as session:
        act = get_live(session, HousingAct, act_id)
        case = get_live(session, Case, act.case_id)
        audit(session, actor, "housing_act.view", act, details={"number": case.number})
        return _housing_details(session, act, case)


def new_housing_act(db: Database, actor: Actor, case_id: uuid.UUID) -> HousingActDetails:
    """What the form of a new act starts with: today, the family's address, the actor on the commission."""
    require(actor, Permission.READ)
    with db.reading() as session:
        case = get_live(session, Case, case_id)
        child = session.get(Person, case.child_id)
        household = case.household
        address = (household.address_text if household else None) or (child.address_text if child else None)
        return HousingActDetails(
            id=None,
            version=None,
            header=_header(session, case, None, None),
            data=HousingActInput(
                act_date=local_today(),
                members=(CommissionMemberInput(actor.full_name),) if actor.full_name else (),
                address_text=address,
            ),
        )


# --- the tab --------------------------------------------------------------------------------


def _status(completed_on: date | None) -> str:
    return "completed" if completed_on is not None else "draft"


def list_assessments(
    db: Database, actor: Actor, case_id: uuid.UUID, as_of: date | None = None
) -> list[AssessmentRow]:
    """The assessments of a case for its tab, newest first within each kind.

    While the case is open and has no assessment of a kind that is due (initial, comprehensive),
    a "not started" row shows its due date. A row is overdue when its kind is due before *as_of*
    (today), the case is open and has no completed assessment of that kind.
    """
    require(actor, Permission.READ)
    today = as_of or local_today()
    with db.reading() as session:
        case = get_live(session, Case, case_id)
        deadlines = DeadlineSettings.read(session)
        case_open = case.status != "closed"
        initial = session.scalars(
            select(InitialAssessment)
            .where(InitialAssessment.case_id == case.id, InitialAssessment.deleted_at.is_(None))
            .order_by(InitialAssessment.created_at.desc())
        ).all()
        comprehensive = session.scalars(
            select(ComprehensiveAssessment)
            .where(ComprehensiveAssessment.case_id == case.id, ComprehensiveAssessment.deleted_at.is_(None))
            .order_by(ComprehensiveAssessment.created_at.desc())
        ).all()
        acts = session.scalars(
            select(HousingAct)
            .where(HousingAct.case_id == case.id, HousingAct.deleted_at.is_(None))
            .order_by(HousingAct.act_date.desc(), HousingAct.created_at.desc())
        ).all()
        people = {
            user.id: user.full_name
            for user in session.scalars(
                select(User).where(
                    User.id.in_(
                        {a.assessor_id for a in initial if a.assessor_id}
                        | {a.assessor_id for a in comprehensive if a.assessor_id}
                        | {a.created_by for a in acts if a.created_by}
                    )
                )
            )
        }

        rows: list[AssessmentRow] = []
        for kind, records, due in (
            ("initial", initial, deadlines.initial_assessment_due(case.opened_on)),
            ("comprehensive", comprehensive, deadlines.comprehensive_assessment_due(case.opened_on)),
        ):
            pending = not any(r.completed_on is not None for r in records)
            kind_due = due if pending else None
            late = case_open and kind_due is not None and today > kind_due
            if not records and case_open:
                rows.append(AssessmentRow(kind, None, None, None, kind_due, None, late, "not_started", None))
            for record in records:
                started = record.visit_date if isinstance(record, InitialAssessment) else record.started_on
                draft = record.completed_on is None
                rows.append(
                    AssessmentRow(
                        kind=kind,
                        id=record.id,
                        version=record.version,
                        dated=started,
                        # A repeated comprehensive assessment has no due date of its own.
                        due_date=kind_due if draft else record.due_date,
                        completed_on=record.completed_on,
                        overdue=late and draft,
                        status=_status(record.completed_on),
                        assessor=people.get(record.assessor_id) if record.assessor_id else None,
                    )
                )
        rows += [
            AssessmentRow(
                kind="housing",
                id=act.id,
                version=act.version,
                dated=act.act_date,
                due_date=None,
                completed_on=None,
                overdue=False,
                status="signed" if act.family_acknowledged else "unsigned",
                assessor=people.get(act.created_by) if act.created_by else None,
            )
            for act in acts
        ]
        return rows


def case_accepts_assessments(db: Database, actor: Actor, case_id: uuid.UUID) -> bool:
    """Whether the case is open (a closed case takes no new assessments)."""
    require(actor, Permission.READ)
    with db.reading() as session:
        return get_live(session, Case, case_id).status != "closed"


def delete_assessment(
    db: Database, actor: Actor, kind: str, record_id: uuid.UUID, expected_version: int
) -> None:
    """Delete an assessment in progress or an act the family has not signed (soft deletion).

    A completed assessment and a signed act are never deleted.
    """
    models: dict[str, type[InitialAssessment] | type[ComprehensiveAssessment] | type[HousingAct]] = {
        "initial": InitialAssessment,
        "comprehensive": ComprehensiveAssessment,
        "housing": HousingAct,
    }
    model = models[kind]
    action = {"initial": "initial_assessment", "comprehensive": "comprehensive_assessment"}.get(
        kind, "housing_act"
    )
    with unit_of_work(db, actor, Permission.ASSESSMENT_WRITE) as session:
        record = get_live(session, model, record_id, for_version=expected_version)
        case = live_open_case(session, record.case_id)
        if isinstance(record, HousingAct):
            if record.family_acknowledged:
                raise ValidationFailed(
                    [
                        FieldProblem(
                            "family_acknowledged", _("The family signed this act; it cannot be deleted.")
                        )
                    ]
                )
            children: Sequence[Record] = session.scalars(
                select(HousingActMember).where(
                    HousingActMember.act_id == record.id, HousingActMember.deleted_at.is_(None)
                )
            ).all()
        else:
            if record.completed_on is not None:
                raise ValidationFailed(
                    [FieldProblem("completed_on", _("A completed assessment cannot be deleted."))]
                )
            children = (
                [row for row, _item in _live_domains(session, record)]
                if isinstance(record, ComprehensiveAssessment)
                else []
            )
        for child in children:
            _soft_delete(child)
        _soft_delete(record)
        audit(session, actor, f"{action}.delete", record, details={"number": case.number})
