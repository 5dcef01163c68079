"""The data of a case's papers: the plan (ИПЗР / family plan), the child's registration card, the
initial and comprehensive assessments and the housing-conditions act.

Each paper is read in one print-permission transaction into frozen dataclasses of plain values.
Codes that the workflow enforces (statuses, plan kinds, sex) travel as their label msgids, so the
document translates them in its own language; reference names travel as :class:`Bilingual`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.database import Database
from models.errors import NotFound
from models.i18n import N_, Message, _
from models.orm import (
    AdminUnit,
    AssessmentDomain,
    Case,
    ComprehensiveAssessment,
    Household,
    HouseholdMember,
    HousingAct,
    InitialAssessment,
    Person,
    Plan,
    ReferenceItem,
    User,
)
from models.papers import (
    NO_VALUE,
    Bilingual,
    ChildSummary,
    OfficeHeader,
    caregivers,
    child_summary,
    household_of,
    id_by_number,
    office_header,
    organisation,
    reference,
    user_name,
)
from models.papers.referral import Signatory
from models.permissions import Permission
from models.registers import CASE_STATUS_LABELS, SEX_LABELS
from models.services.base import Actor, get_live, require, unit_of_work
from models.services.plans import ACTION_STATUS_LABELS, PLAN_KIND_LABELS, PLAN_STATUS_LABELS

# --- the case, shared by every paper ------------------------------------------------------


@dataclass(frozen=True)
class CaseLine:
    """A case as the papers name it; *status* is a label msgid."""

    case_id: uuid.UUID
    number: str
    opened_on: date
    status: str
    closed_on: date | None
    categories: tuple[Bilingual, ...]
    risk: Bilingual
    worker: Signatory


@dataclass(frozen=True)
class CasePaper:
    """What every paper of a case starts with: the letterhead, the case and its child."""

    office: OfficeHeader
    case: CaseLine
    child: ChildSummary
    head: Signatory


def case_id_by_number(db: Database, actor: Actor, number: str) -> uuid.UUID:
    """The case with the № *number* ("N/YYYY") of this office's district."""
    return id_by_number(
        db, actor, number, Case, (Case.case_no, Case.case_year), N_("There is no case № {number}.")
    )


def _worker(session: Session, user_id: uuid.UUID | None) -> Signatory:
    user = session.get(User, user_id) if user_id else None
    return Signatory(user.position or "", user.full_name) if user else Signatory("", "")


def _case_line(session: Session, case: Case) -> CaseLine:
    categories = sorted(
        (item for item in case.categories if item.deleted_at is None), key=lambda item: item.sort_order
    )
    return CaseLine(
        case_id=case.id,
        number=case.number,
        opened_on=case.opened_on,
        status=CASE_STATUS_LABELS.get(case.status, case.status),
        closed_on=case.closed_on,
        categories=tuple(Bilingual(item.name_ky, item.name_ru) for item in categories),
        risk=reference(session, case.risk_level_id),
        worker=_worker(session, case.worker_id),
    )


def _case_paper(session: Session, case: Case) -> CasePaper:
    office = office_header(session)
    child = child_summary(session, session.get(Person, case.child_id))
    assert child is not None  # a case always has its child (a foreign key)
    return CasePaper(office, _case_line(session, case), child, Signatory("", office.head_name))


def _caregivers(session: Session, case: Case) -> tuple[str, ...]:
    """The adults who take care of the child in the case's household: they sign for the family."""
    household_id = case.household_id or household_of(session, case.child_id)
    if household_id is None:
        return ()
    return tuple(person.full_name for _member, person in caregivers(session, household_id))


def _latest_of_case(
    db: Database,
    actor: Actor,
    case_id: uuid.UUID,
    model: type[InitialAssessment] | type[ComprehensiveAssessment] | type[HousingAct],
    order: Sequence[Any],
    missing: Message,
) -> uuid.UUID:
    """The case's latest live *model* record by *order* (what the command's --case prints)."""
    require(actor, Permission.PRINT)
    with db.reading() as session:
        found = session.scalar(
            select(model.id)
            .where(model.case_id == case_id, model.deleted_at.is_(None))
            .order_by(*order)
            .limit(1)
        )
    if found is None:
        raise NotFound(missing)
    return found


def _place(
    session: Session, district_id: uuid.UUID | None, settlement_id: uuid.UUID | None, text: str | None
) -> Bilingual:
    """An address from its units and typed text, in both languages (a household's, like a person's)."""
    ids = [unit_id for unit_id in (district_id, settlement_id) if unit_id]
    units = [unit for unit_id in ids if (unit := session.get(AdminUnit, unit_id)) is not None]

    def joined(names: list[str]) -> str:
        return ", ".join([*names, text] if text else names)

    return Bilingual(joined([unit.name_ky for unit in units]), joined([unit.name_ru for unit in units]))


# --- the plan -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanActionLine:
    """One action of the plan; *goal* is the goal's number (1-based), *status* a label msgid."""

    number: int
    goal: int | None
    need: str
    service: Bilingual
    description: str
    organisation: Bilingual
    responsible_person: str
    due_date: date | None
    status: str
    result: str


@dataclass(frozen=True)
class PlanReviewLine:
    review_date: date
    reviewer: str
    changes: str
    next_review_date: date | None


@dataclass(frozen=True)
class PlanPaper(CasePaper):
    """One version of a plan as printed; *status* is the code (draft, approved, superseded)."""

    plan_id: uuid.UUID
    kind: str
    plan_no: int
    revision: int
    status: str
    status_label: str
    start_date: date
    review_date: date | None
    goals: tuple[str, ...]
    actions: tuple[PlanActionLine, ...]
    reviews: tuple[PlanReviewLine, ...]
    child_participated: bool
    family_participated: bool
    caregivers: tuple[str, ...]
    notes: str
    approved_by: str
    approved_on: date | None

    @property
    def number(self) -> str:
        """The plan's number as printed: case №, plan № and revision ("3/2026-1.2")."""
        return f"{self.case.number}-{self.plan_no}.{self.revision}"


def plan_id_for_case(
    db: Database, actor: Actor, case_id: uuid.UUID, *, revision: int | None = None, kind: str | None = None
) -> uuid.UUID:
    """The case's current plan (approved, else the latest draft), or revision *revision* of it."""
    require(actor, Permission.PRINT)
    with db.reading() as session:
        query = select(Plan).where(Plan.case_id == case_id, Plan.deleted_at.is_(None))
        if kind is not None:
            query = query.where(Plan.kind == kind)
        plans = list(session.scalars(query.order_by(Plan.plan_no, Plan.revision)))
        if not plans:
            raise NotFound(_("The case has no plan yet."))
        approved = [plan for plan in plans if plan.status == "approved"]
        drafts = [plan for plan in plans if plan.status == "draft"]
        current = (approved or drafts or plans)[-1]
        if revision is None:
            return current.id
        for plan in plans:
            if plan.plan_no == current.plan_no and plan.revision == revision:
                return plan.id
    raise NotFound(_("The plan has no revision {revision}.", revision=revision))


def plan_paper(db: Database, actor: Actor, plan_id: uuid.UUID) -> PlanPaper:
    """The plan version *plan_id* with its goals, actions, reviews and approval."""
    with unit_of_work(db, actor, Permission.PRINT) as session:
        plan = get_live(session, Plan, plan_id)
        case = get_live(session, Case, plan.case_id)
        goals = [goal for goal in plan.goals if goal.deleted_at is None]
        goal_numbers = {goal.id: number for number, goal in enumerate(goals, start=1)}
        actions = [action for action in plan.actions if action.deleted_at is None]
        reviews = [review for review in plan.reviews if review.deleted_at is None]
        base = _case_paper(session, case)
        return PlanPaper(
            office=base.office,
            case=base.case,
            child=base.child,
            head=base.head,
            plan_id=plan.id,
            kind=PLAN_KIND_LABELS.get(plan.kind, plan.kind),
            plan_no=plan.plan_no,
            revision=plan.revision,
            status=plan.status,
            status_label=PLAN_STATUS_LABELS.get(plan.status, plan.status),
            start_date=plan.start_date,
            review_date=plan.review_date,
            goals=tuple(goal.text for goal in goals),
            actions=tuple(
                PlanActionLine(
                    number=number,
                    goal=goal_numbers.get(action.goal_id) if action.goal_id else None,
                    need=action.need or "",
                    service=reference(session, action.service_type_id),
                    description=action.description,
                    organisation=organisation(session, action.organisation_id),
                    responsible_person=action.responsible_person or "",
                    due_date=action.due_date,
                    status=ACTION_STATUS_LABELS.get(action.status, action.status),
                    result=action.result or "",
                )
                for number, action in enumerate(actions, start=1)
            ),
            reviews=tuple(
                PlanReviewLine(
                    review.review_date,
                    user_name(session, review.reviewer_id),
                    review.changes or "",
                    review.next_review_date,
                )
                for review in reviews
            ),
            child_participated=plan.child_participated,
            family_participated=plan.family_participated,
            caregivers=_caregivers(session, case),
            notes=plan.notes or "",
            approved_by=user_name(session, plan.approved_by_id),
            approved_on=plan.approved_at.date() if plan.approved_at else None,
        )


# --- the child's registration card ------------------------------------------------------------


@dataclass(frozen=True)
class ChildDetails:
    """The child's record (DOMAIN.md §4 "Child"); *sex* is a label msgid or ""."""

    name: str
    sex: str
    birth_date: date | None
    pin: str
    pin_verified: bool
    birth_certificate: str
    birth_cert_date: date | None
    birth_cert_issuer: str
    citizenship: str
    address: Bilingual
    school: str
    school_class: str
    disability: bool
    disability_notes: str
    documents_missing: bool
    documents_notes: str
    languages: str
    notes: str


@dataclass(frozen=True)
class HouseholdLine:
    """A member of the child's household."""

    relation: Bilingual
    name: str
    birth_date: date | None
    pin: str
    phone: str
    occupation: str
    in_migration: bool
    migration_country: str
    caregiver: bool
    lives_with_child: bool


@dataclass(frozen=True)
class ChildCard:
    """The registration card: the child, the household and every case of the child."""

    office: OfficeHeader
    child: ChildDetails
    household_address: Bilingual
    housing: str
    income_sources: str
    benefits: str
    members: tuple[HouseholdLine, ...]
    cases: tuple[CaseLine, ...]
    printed_from: CaseLine
    head: Signatory


def child_card(db: Database, actor: Actor, case_id: uuid.UUID) -> ChildCard:
    """The registration card of the child of case *case_id* (all the child's cases are listed)."""
    with unit_of_work(db, actor, Permission.PRINT) as session:
        case = get_live(session, Case, case_id)
        person = get_live(session, Person, case.child_id)
        summary = child_summary(session, person)
        assert summary is not None
        cases = session.scalars(
            select(Case)
            .where(Case.child_id == person.id, Case.deleted_at.is_(None))
            .order_by(Case.opened_on, Case.case_year, Case.case_no)
        )
        household_id = case.household_id or household_of(session, person.id)
        household = session.get(Household, household_id) if household_id else None
        office = office_header(session)
        return ChildCard(
            office=office,
            child=_child_details(person, summary.address),
            household_address=_place(
                session, household.district_id, household.settlement_id, household.address_text
            )
            if household
            else NO_VALUE,
            housing=(household.housing or "") if household else "",
            income_sources=(household.income_sources or "") if household else "",
            benefits=(household.benefits or "") if household else "",
            members=_members(session, household, person.id),
            cases=tuple(_case_line(session, found) for found in cases),
            printed_from=_case_line(session, case),
            head=Signatory("", office.head_name),
        )


def _child_details(person: Person, address: Bilingual) -> ChildDetails:
    certificate = " ".join(part for part in (person.birth_cert_series, person.birth_cert_number) if part)
    return ChildDetails(
        name=person.full_name,
        sex=SEX_LABELS.get(person.sex or "", ""),
        birth_date=person.birth_date,
        pin=person.pin or "",
        pin_verified=person.pin_verified,
        birth_certificate=certificate,
        birth_cert_date=person.birth_cert_date,
        birth_cert_issuer=person.birth_cert_issuer or "",
        citizenship=person.citizenship or "",
        address=address,
        school=person.school or "",
        school_class=person.school_class or "",
        disability=person.disability,
        disability_notes=person.disability_notes or "",
        documents_missing=person.documents_missing,
        documents_notes=person.documents_notes or "",
        languages=person.languages or "",
        notes=person.notes or "",
    )


def _members(session: Session, household: Household | None, child_id: uuid.UUID) -> tuple[HouseholdLine, ...]:
    if household is None:
        return ()
    rows = session.execute(
        select(HouseholdMember, Person)
        .join(Person, Person.id == HouseholdMember.person_id)
        .where(
            HouseholdMember.household_id == household.id,
            HouseholdMember.deleted_at.is_(None),
            HouseholdMember.person_id != child_id,
            Person.deleted_at.is_(None),
        )
        .order_by(HouseholdMember.position)
    ).all()
    return tuple(
        HouseholdLine(
            relation=reference(session, member.relation_id),
            name=person.full_name,
            birth_date=person.birth_date,
            pin=person.pin or "",
            phone=person.phone or "",
            occupation=person.occupation or "",
            in_migration=person.in_migration,
            migration_country=person.migration_country or "",
            caregiver=member.is_caregiver,
            lives_with_child=member.lives_with_child,
        )
        for member, person in rows
    )


# --- the initial assessment ---------------------------------------------------------------------


@dataclass(frozen=True)
class InitialAssessmentPaper(CasePaper):
    """The initial assessment (первичная оценка); yes/no answers are None where not recorded."""

    assessment_id: uuid.UUID
    due_date: date | None
    visit_date: date | None
    place: str
    participants: str
    immediate_danger: bool
    safety_measures: str
    needs_food: str
    needs_health: str
    needs_education: str
    needs_documents: str
    caregiver_present: bool | None
    parents_in_migration: bool | None
    categories: tuple[Bilingual, ...]
    conclusion: str
    completed_on: date | None
    assessor: Signatory


def initial_assessment_id_for_case(db: Database, actor: Actor, case_id: uuid.UUID) -> uuid.UUID:
    """The case's latest initial assessment."""
    return _latest_of_case(
        db,
        actor,
        case_id,
        InitialAssessment,
        [InitialAssessment.created_at.desc()],
        _("The case has no initial assessment yet."),
    )


def initial_assessment_paper(db: Database, actor: Actor, assessment_id: uuid.UUID) -> InitialAssessmentPaper:
    with unit_of_work(db, actor, Permission.PRINT) as session:
        found = get_live(session, InitialAssessment, assessment_id)
        case = get_live(session, Case, found.case_id)
        base = _case_paper(session, case)
        return InitialAssessmentPaper(
            office=base.office,
            case=base.case,
            child=base.child,
            head=base.head,
            assessment_id=found.id,
            due_date=found.due_date,
            visit_date=found.visit_date,
            place=found.place or "",
            participants=found.participants or "",
            immediate_danger=found.immediate_danger,
            safety_measures=found.safety_measures or "",
            needs_food=found.needs_food or "",
            needs_health=found.needs_health or "",
            needs_education=found.needs_education or "",
            needs_documents=found.needs_documents or "",
            caregiver_present=found.caregiver_present,
            parents_in_migration=found.parents_in_migration,
            categories=_categories(session, found.preliminary_categories),
            conclusion=found.conclusion or "",
            completed_on=found.completed_on,
            assessor=_worker(session, found.assessor_id or found.created_by),
        )


def _categories(session: Session, codes: str | None) -> tuple[Bilingual, ...]:
    wanted = [code.strip() for code in (codes or "").split(",") if code.strip()]
    if not wanted:
        return ()
    items = {
        item.code: item
        for item in session.scalars(
            select(ReferenceItem).where(ReferenceItem.kind == "tjs_category", ReferenceItem.code.in_(wanted))
        )
    }
    return tuple(
        Bilingual(items[code].name_ky, items[code].name_ru) if code in items else Bilingual.same(code)
        for code in wanted
    )


# --- the comprehensive assessment ---------------------------------------------------------------


@dataclass(frozen=True)
class DomainLine:
    domain: Bilingual
    findings: str
    need_level: Bilingual


@dataclass(frozen=True)
class ComprehensiveAssessmentPaper(CasePaper):
    assessment_id: uuid.UUID
    due_date: date | None
    started_on: date | None
    completed_on: date | None
    domains: tuple[DomainLine, ...]
    strengths: str
    child_views: str
    overall_risk: Bilingual
    summary: str
    assessor: Signatory


def comprehensive_assessment_id_for_case(db: Database, actor: Actor, case_id: uuid.UUID) -> uuid.UUID:
    """The case's latest comprehensive needs assessment."""
    return _latest_of_case(
        db,
        actor,
        case_id,
        ComprehensiveAssessment,
        [ComprehensiveAssessment.created_at.desc()],
        _("The case has no comprehensive needs assessment yet."),
    )


def comprehensive_assessment_paper(
    db: Database, actor: Actor, assessment_id: uuid.UUID
) -> ComprehensiveAssessmentPaper:
    """The assessment with its domains in the order of the reference list."""
    with unit_of_work(db, actor, Permission.PRINT) as session:
        found = get_live(session, ComprehensiveAssessment, assessment_id)
        case = get_live(session, Case, found.case_id)
        rows = session.execute(
            select(AssessmentDomain, ReferenceItem)
            .join(ReferenceItem, ReferenceItem.id == AssessmentDomain.domain_id)
            .where(AssessmentDomain.assessment_id == found.id, AssessmentDomain.deleted_at.is_(None))
            .order_by(ReferenceItem.sort_order, ReferenceItem.code)
        ).all()
        base = _case_paper(session, case)
        return ComprehensiveAssessmentPaper(
            office=base.office,
            case=base.case,
            child=base.child,
            head=base.head,
            assessment_id=found.id,
            due_date=found.due_date,
            started_on=found.started_on,
            completed_on=found.completed_on,
            domains=tuple(
                DomainLine(
                    Bilingual(item.name_ky, item.name_ru),
                    row.findings or "",
                    reference(session, row.need_level_id),
                )
                for row, item in rows
            ),
            strengths=found.strengths or "",
            child_views=found.child_views or "",
            overall_risk=reference(session, found.overall_risk_id),
            summary=found.summary or "",
            assessor=_worker(session, found.assessor_id or found.created_by),
        )


# --- the housing-conditions act --------------------------------------------------------------------


@dataclass(frozen=True)
class CommissionLine:
    name: str
    job_title: str
    organisation: str


@dataclass(frozen=True)
class HousingActPaper(CasePaper):
    act_id: uuid.UUID
    act_date: date
    members: tuple[CommissionLine, ...]
    address: str
    occupancy_basis: str
    dwelling_type: str
    wall_material: str
    rooms: int | None
    area_m2: Decimal | None
    heating: str
    water: str
    electricity: str
    toilet: str
    residents: str
    sleeping_place: str
    study_place: str
    sanitary_condition: str
    food: str
    income: str
    conclusion: str
    recommendations: str
    family_acknowledged: bool
    family_signatory: str
    caregivers: tuple[str, ...]


def housing_act_id_for_case(db: Database, actor: Actor, case_id: uuid.UUID) -> uuid.UUID:
    """The case's latest housing-conditions act."""
    return _latest_of_case(
        db,
        actor,
        case_id,
        HousingAct,
        [HousingAct.act_date.desc(), HousingAct.created_at.desc()],
        _("The case has no housing-conditions act yet."),
    )


def housing_act_paper(db: Database, actor: Actor, act_id: uuid.UUID) -> HousingActPaper:
    with unit_of_work(db, actor, Permission.PRINT) as session:
        act = get_live(session, HousingAct, act_id)
        case = get_live(session, Case, act.case_id)
        base = _case_paper(session, case)
        members: Sequence[CommissionLine] = [
            CommissionLine(member.full_name, member.job_title or "", member.organisation or "")
            for member in act.members
            if member.deleted_at is None
        ]
        return HousingActPaper(
            office=base.office,
            case=base.case,
            child=base.child,
            head=base.head,
            act_id=act.id,
            act_date=act.act_date,
            members=tuple(members),
            address=act.address_text or "",
            occupancy_basis=act.occupancy_basis or "",
            dwelling_type=act.dwelling_type or "",
            wall_material=act.wall_material or "",
            rooms=act.rooms,
            area_m2=act.area_m2,
            heating=act.heating or "",
            water=act.water or "",
            electricity=act.electricity or "",
            toilet=act.toilet or "",
            residents=act.residents or "",
            sleeping_place=act.sleeping_place or "",
            study_place=act.study_place or "",
            sanitary_condition=act.sanitary_condition or "",
            food=act.food or "",
            income=act.income or "",
            conclusion=act.conclusion or "",
            recommendations=act.recommendations or "",
            family_acknowledged=act.family_acknowledged,
            family_signatory=act.family_signatory or "",
            caregivers=_caregivers(session, case),
        )
