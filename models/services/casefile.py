"""The reads of a case's workspace: its header, the child and household, its history and documents.

The header carries what the workspace shows at its top and on its Overview tab: the case, the
child, the due items of its pending work (the rules of :mod:`models.dashboard`, plus the due
dates of the actions of approved plans), the closure waiting for the head, and the status moves
the reader may make. The history is the audit trail of the case and of its records
(assessments, plans, referrals, visits, closures, КДД items), read by ``audit_log.entity_id``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, union_all
from sqlalchemy.orm import Session

from models.dashboard import (
    DeadlineSettings,
    kdd_pending,
    last_review,
    plan_review_due,
    referral_pending,
)
from models.database import Database
from models.i18n import N_, current_language, translations, translator
from models.lookups import Choice, worker_choices
from models.orm import (
    AdminUnit,
    AuditEntry,
    Case,
    Closure,
    ComprehensiveAssessment,
    Household,
    HouseholdMember,
    HousingAct,
    InitialAssessment,
    KddAgendaItem,
    KddDecision,
    KddMeeting,
    Organisation,
    Person,
    Plan,
    PlanAction,
    PlanReview,
    ReferenceItem,
    Referral,
    Report,
    User,
    Visit,
    case_categories,
    closure_outcomes,
)
from models.papers import DOCUMENT_LANGUAGE_LABELS, FORM_TITLES
from models.permissions import Permission
from models.registers import CASE_STATUS_LABELS
from models.services import assessments, cases, documents, kdd, plans, referrals, visits, workflow
from models.services.base import Actor, audit, get_live, require, unit_of_work
from models.services.workflow import allowed_transitions
from models.validation import FIELD_LABELS, age_on, format_date, local_today

DEFAULT_HISTORY_LIMIT = 500

# The actions of a case's history, named by the services that write them.
AUDIT_LABELS: dict[str, str] = {
    action: label
    for module in (cases, workflow, assessments, plans, referrals, visits, kdd, documents)
    for action, label in module.AUDIT_LABELS.items()
}
PRINT_ACTIONS = tuple(documents.DESTINATIONS.values())

DUE_LABELS = {
    "initial_assessment": N_("Initial assessment"),
    "comprehensive_assessment": N_("Comprehensive assessment"),
    "plan_review": N_("Plan review"),
    "plan_action": N_("Plan action"),
    "referral_reply": N_("Reply to a referral"),
    "kdd_decision": N_("КДД decision"),
}

RECORD_LABELS = {
    "cases": N_("Case"),
    "initial_assessments": N_("Initial assessment"),
    "comprehensive_assessments": N_("Comprehensive assessment"),
    "housing_acts": N_("Housing-conditions act"),
    "plans": N_("Plan"),
    "plan_actions": N_("Plan action"),
    "plan_reviews": N_("Plan review"),
    "referrals": N_("Referral"),
    "visits": N_("Visit"),
    "closures": N_("Closure"),
    "kdd_agenda_items": N_("КДД agenda item"),
    "kdd_decisions": N_("КДД decision"),
}

# Readable names of the columns of a case's records that show up in the "fields" of an update.
CASE_FIELD_LABELS = {
    "categories": N_("Categories"),
    "risk_level_id": N_("Risk level"),
    "summary": N_("Summary"),
    "worker_id": N_("Responsible worker"),
    "status": N_("Status"),
    "opened_on": N_("Opened on"),
    "closed_on": N_("Closed on"),
    "household_id": N_("Household"),
    "visit_date": N_("Visit date"),
    "conclusion": N_("Conclusion"),
    "completed_on": N_("Completed on"),
    "due_date": N_("Due date"),
    "reason": N_("Reason"),
    "reply_due": N_("Reply due"),
    "organisation_id": N_("Organisation"),
    "observations": N_("Observations"),
    "participants": N_("Participants"),
    "next_visit_date": N_("Next visit"),
    "final_assessment": N_("Final assessment"),
    "follow_up_date": N_("Follow-up date"),
}

NOBODY = N_("nobody")


# --- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    """A pending piece of the case's work ; *record_kind*, *record_id* open it (None: a tab)."""

    kind: str
    label: str
    due: date
    overdue: bool
    record_kind: str | None = None
    record_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ClosureSummary:
    """A closure of the case: waiting for the head (*approved_by* None) or approved."""

    id: uuid.UUID
    closed_on: date
    reason: str
    outcomes: tuple[str, ...]
    final_assessment: str | None
    follow_up_date: date | None
    requested_by: str | None
    requested_at: datetime
    approved_by: str | None
    approved_at: datetime | None


@dataclass(frozen=True)
class StatusMove:
    """A status the case may be moved to: *refused* says why not now (None: the move is allowed)."""

    to_status: str
    label: str
    refused: str | None


@dataclass(frozen=True)
class CaseHeader:
    """What the workspace shows at its top and on its Overview tab, in the reader's language."""

    id: uuid.UUID
    version: int
    number: str
    child_id: uuid.UUID
    child_name: str
    child_birth_date: date | None
    child_age: int | None
    household_id: uuid.UUID | None
    categories: tuple[str, ...]
    risk: str | None
    status: str
    status_label: str
    worker_id: uuid.UUID | None
    worker_name: str | None
    opened_on: date
    closed_on: date | None
    summary: str | None
    report_id: uuid.UUID | None
    report_number: str | None
    reopened_count: int
    transferred_to: str | None
    pending_closure: ClosureSummary | None
    last_closure: ClosureSummary | None
    due_items: tuple[DueItem, ...]
    moves: tuple[StatusMove, ...]

    @property
    def is_closed(self) -> bool:
        return self.status == "closed"

    @property
    def next_deadline(self) -> DueItem | None:
        """The earliest open due item (None: nothing due, or the case is closed)."""
        return self.due_items[0] if self.due_items else None


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a case's history: when (local time), who, what, on which record, and the details."""

    id: int
    at: datetime
    who: str
    action: str
    label: str
    record: str
    details: str


@dataclass(frozen=True)
class DocumentEntry:
    """A document printed for the case (from the audit log)."""

    at: datetime
    who: str
    document: str
    number: str
    language: str
    record: str


@dataclass(frozen=True)
class MemberRow:
    """A member of the child's household."""

    person_id: uuid.UUID
    name: str
    relation: str | None
    birth_date: date | None
    age: int | None
    phone: str | None
    occupation: str | None
    caregiver: bool
    lives_with_child: bool
    migration: str | None


@dataclass(frozen=True)
class CasePeople:
    """The Child and household tab: the child's key fields as (label, value) and the household."""

    child_id: uuid.UUID
    child_name: str
    child_fields: tuple[tuple[str, str], ...]
    household_id: uuid.UUID | None
    household_address: str | None
    members: tuple[MemberRow, ...]


# --- the header -----------------------------------------------------------------------


def case_header(
    db: Database, actor: Actor, case_id: uuid.UUID, *, audit_view: bool = True, lang: str | None = None
) -> CaseHeader:
    """The header of a case's workspace; with *audit_view* the view is written to the audit log."""
    language = lang or current_language()
    if audit_view:
        with unit_of_work(db, actor, Permission.READ) as session:
            case = get_live(session, Case, case_id)
            audit(session, actor, "case.view", case, details={"number": case.number})
            return _header(session, actor, case, language)
    require(actor, Permission.READ)
    with db.reading() as session:
        return _header(session, actor, get_live(session, Case, case_id), language)


def _ref_label(item: ReferenceItem | AdminUnit | Organisation | None, lang: str) -> str | None:
    if item is None:
        return None
    if lang == "ky" and item.name_ky:
        return item.name_ky
    if lang == "en" and isinstance(item, ReferenceItem) and item.name_en:
        return item.name_en
    return item.name_ru


def _user_names(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {
        row.id: row.full_name or row.username
        for row in session.execute(select(User.id, User.full_name, User.username).where(User.id.in_(wanted)))
    }


def _header(session: Session, actor: Actor, case: Case, lang: str) -> CaseHeader:
    tr = translator(lang)
    child = session.get(Person, case.child_id)
    assert child is not None
    today = local_today()
    categories = session.scalars(
        select(ReferenceItem)
        .join(case_categories, case_categories.c.category_id == ReferenceItem.id)
        .where(case_categories.c.case_id == case.id)
        .order_by(ReferenceItem.sort_order, ReferenceItem.code)
    ).all()
    risk = session.get(ReferenceItem, case.risk_level_id) if case.risk_level_id else None
    report = session.get(Report, case.report_id) if case.report_id else None
    transferred = session.get(AdminUnit, case.transferred_to_id) if case.transferred_to_id else None
    closures = list(
        session.scalars(
            select(Closure)
            .where(Closure.case_id == case.id, Closure.deleted_at.is_(None))
            .order_by(Closure.created_at.desc())
        )
    )
    names = _user_names(
        session, [case.worker_id, *(c.created_by for c in closures), *(c.approved_by_id for c in closures)]
    )
    pending = next((c for c in closures if c.approved_by_id is None), None)
    approved = next((c for c in closures if c.approved_by_id is not None), None)
    deadlines = DeadlineSettings.read(session)
    due = () if case.status == "closed" else tuple(_due_items(session, case, deadlines, today, lang))
    moves = tuple(
        StatusMove(o.to_status, o.label.render(lang), o.refused.render(lang) if o.refused else None)
        for o in allowed_transitions(session, actor, case)
    )
    return CaseHeader(
        id=case.id,
        version=case.version,
        number=case.number,
        child_id=child.id,
        child_name=child.full_name,
        child_birth_date=child.birth_date,
        child_age=age_on(child.birth_date, today) if child.birth_date else None,
        household_id=case.household_id,
        categories=tuple(label for c in categories if (label := _ref_label(c, lang))),
        risk=_ref_label(risk, lang),
        status=case.status,
        status_label=tr(CASE_STATUS_LABELS.get(case.status, case.status)),
        worker_id=case.worker_id,
        worker_name=names.get(case.worker_id) if case.worker_id else None,
        opened_on=case.opened_on,
        closed_on=case.closed_on,
        summary=case.summary,
        report_id=case.report_id,
        report_number=f"{report.reg_no}/{report.reg_year}" if report else None,
        reopened_count=case.reopened_count or 0,
        transferred_to=_ref_label(transferred, lang),
        pending_closure=_closure_summary(session, pending, names, lang) if pending else None,
        last_closure=_closure_summary(session, approved, names, lang) if approved else None,
        due_items=due,
        moves=moves,
    )


def _closure_summary(
    session: Session, closure: Closure, names: dict[uuid.UUID, str], lang: str
) -> ClosureSummary:
    reason = session.get(ReferenceItem, closure.reason_id)
    outcomes = session.scalars(
        select(ReferenceItem)
        .join(closure_outcomes, closure_outcomes.c.outcome_id == ReferenceItem.id)
        .where(closure_outcomes.c.closure_id == closure.id)
        .order_by(ReferenceItem.kind, ReferenceItem.sort_order)
    ).all()
    return ClosureSummary(
        id=closure.id,
        closed_on=closure.closed_on,
        reason=_ref_label(reason, lang) or "—",
        outcomes=tuple(label for o in outcomes if (label := _ref_label(o, lang))),
        final_assessment=closure.final_assessment,
        follow_up_date=closure.follow_up_date,
        requested_by=names.get(closure.created_by) if closure.created_by else None,
        requested_at=closure.created_at,
        approved_by=names.get(closure.approved_by_id) if closure.approved_by_id else None,
        approved_at=closure.approved_at,
    )


def _short(text: str | None, length: int = 60) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _due_items(
    session: Session, case: Case, deadlines: DeadlineSettings, today: date, lang: str
) -> list[DueItem]:
    """The pending work of an open case with its due dates, earliest first (the rules of models.dashboard)."""
    tr = translator(lang)
    items: list[DueItem] = []

    def add(
        kind: str, due: date, detail: str = "", record_kind: str | None = None, record_id: Any = None
    ) -> None:
        label = tr(DUE_LABELS[kind]) + (f": {detail}" if detail else "")
        items.append(DueItem(kind, label, due, due < today, record_kind, record_id))

    for model, kind, due_of in (
        (InitialAssessment, "initial_assessment", deadlines.initial_assessment_due),
        (ComprehensiveAssessment, "comprehensive_assessment", deadlines.comprehensive_assessment_due),
    ):
        done = session.scalar(
            select(model.case_id)
            .where(model.case_id == case.id, model.deleted_at.is_(None), model.completed_on.is_not(None))
            .limit(1)
        )
        if done is None:
            add(kind, due_of(case.opened_on))
    plans = session.execute(
        select(
            Plan.id, Plan.plan_no, Plan.approved_at, Plan.start_date, last_review().label("last_review")
        ).where(Plan.case_id == case.id, Plan.deleted_at.is_(None), Plan.status == "approved")
    ).all()
    for plan in plans:
        add("plan_review", plan_review_due(deadlines, plan.approved_at, plan.start_date, plan.last_review))
    if plans:
        for action in session.execute(
            select(PlanAction.description, PlanAction.due_date).where(
                PlanAction.plan_id.in_([p.id for p in plans]),
                PlanAction.deleted_at.is_(None),
                PlanAction.due_date.is_not(None),
                PlanAction.status.in_(("planned", "in_progress")),
            )
        ):
            add("plan_action", action.due_date, _short(action.description))
    for referral in session.execute(
        select(
            Referral.id,
            Referral.out_no,
            Referral.out_year,
            Referral.reply_due,
            Referral.issued_on,
            Organisation,
        )
        .join(Organisation, Organisation.id == Referral.organisation_id)
        .where(Referral.case_id == case.id, *referral_pending())
    ):
        due = deadlines.referral_reply_due(referral.reply_due, referral.issued_on)
        if due is not None:
            number = f"№ {referral.out_no}/{referral.out_year} " if referral.out_no else ""
            organisation = _ref_label(referral.Organisation, lang) or ""
            add("referral_reply", due, f"{number}{organisation}".strip(), "referral", referral.id)
    for decision in session.execute(
        select(KddMeeting.id, KddDecision.text, KddDecision.deadline, KddMeeting.meeting_date)
        .join(KddAgendaItem, KddAgendaItem.id == KddDecision.item_id)
        .join(KddMeeting, KddMeeting.id == KddAgendaItem.meeting_id)
        .where(KddAgendaItem.case_id == case.id, *kdd_pending())
    ):
        add(
            "kdd_decision",
            deadlines.kdd_decision_due(decision.deadline, decision.meeting_date),
            _short(decision.text),
            "kdd_meeting",
            decision.id,
        )
    items.sort(key=lambda item: (item.due, item.kind))
    return items


# --- the people -----------------------------------------------------------------------


def _years(lang: str, age: int) -> str:
    return translations(lang).ngettext("{n} year", "{n} years", age).format(n=age)


def case_people(db: Database, actor: Actor, case_id: uuid.UUID, *, lang: str | None = None) -> CasePeople:
    """The child of a case with its key fields, and the members of the child's household."""
    require(actor, Permission.READ)
    language = lang or current_language()
    tr = translator(language)
    today = local_today()
    with db.reading() as session:
        case = get_live(session, Case, case_id)
        child = session.get(Person, case.child_id)
        assert child is not None
        units = {
            u.id: u
            for u in session.scalars(
                select(AdminUnit).where(
                    AdminUnit.id.in_([i for i in (child.district_id, child.settlement_id) if i])
                )
            )
        }
        address = ", ".join(
            part
            for part in (
                _ref_label(units.get(child.district_id) if child.district_id else None, language),
                _ref_label(units.get(child.settlement_id) if child.settlement_id else None, language),
                child.address_text,
            )
            if part
        )
        sexes = {"F": tr(N_("female")), "M": tr(N_("male"))}
        born = child.birth_date
        certificate = " ".join(
            part
            for part in (
                child.birth_cert_series,
                child.birth_cert_number,
                format_date(child.birth_cert_date) if child.birth_cert_date else None,
                child.birth_cert_issuer,
            )
            if part
        )
        school = ", ".join(p for p in (child.school, child.school_class) if p)
        values = [
            (FIELD_LABELS["sex"], sexes.get(child.sex or "", "")),
            (
                FIELD_LABELS["birth_date"],
                f"{format_date(born)} ({_years(language, age_on(born, today))})" if born else "",
            ),
            (FIELD_LABELS["pin"], child.pin or ""),
            (N_("Birth certificate"), certificate),
            (FIELD_LABELS["citizenship"], child.citizenship or ""),
            (FIELD_LABELS["address_text"], address),
            (FIELD_LABELS["school"], school),
            (
                FIELD_LABELS["disability_notes"],
                child.disability_notes or (tr(N_("yes")) if child.disability else ""),
            ),
            (
                FIELD_LABELS["documents_notes"],
                child.documents_notes or (tr(N_("yes")) if child.documents_missing else ""),
            ),
            (FIELD_LABELS["languages"], child.languages or ""),
        ]
        household_id = case.household_id
        if household_id is None:
            household_id = session.scalar(
                select(HouseholdMember.household_id)
                .join(Household, Household.id == HouseholdMember.household_id)
                .where(
                    HouseholdMember.person_id == child.id,
                    HouseholdMember.deleted_at.is_(None),
                    Household.deleted_at.is_(None),
                )
                .limit(1)
            )
        household = session.get(Household, household_id) if household_id else None
        members: list[MemberRow] = []
        if household is not None and household.deleted_at is None:
            rows = session.execute(
                select(HouseholdMember, Person, ReferenceItem)
                .join(Person, Person.id == HouseholdMember.person_id)
                .outerjoin(ReferenceItem, ReferenceItem.id == HouseholdMember.relation_id)
                .where(
                    HouseholdMember.household_id == household.id,
                    HouseholdMember.deleted_at.is_(None),
                    Person.deleted_at.is_(None),
                )
                .order_by(HouseholdMember.position)
            ).all()
            for member, person, relation in rows:
                migration = person.migration_country or (tr(N_("yes")) if person.in_migration else None)
                members.append(
                    MemberRow(
                        person_id=person.id,
                        name=person.full_name,
                        relation=_ref_label(relation, language),
                        birth_date=person.birth_date,
                        age=age_on(person.birth_date, today) if person.birth_date else None,
                        phone=person.phone,
                        occupation=person.occupation,
                        caregiver=member.is_caregiver,
                        lives_with_child=member.lives_with_child,
                        migration=migration if person.in_migration or person.migration_country else None,
                    )
                )
        return CasePeople(
            child_id=child.id,
            child_name=child.full_name,
            child_fields=tuple((tr(label), value) for label, value in values if value),
            household_id=household.id if household is not None and household.deleted_at is None else None,
            household_address=household.address_text if household is not None else None,
            members=tuple(members),
        )


# --- history and documents ------------------------------------------------------------


def _record_ids(session: Session, case_id: uuid.UUID) -> list[uuid.UUID]:
    """The case's id and the ids of its records, in one read (each part is an index range)."""
    plans = select(Plan.id).where(Plan.case_id == case_id)
    items = select(KddAgendaItem.id).where(KddAgendaItem.case_id == case_id)
    parts = union_all(
        select(InitialAssessment.id).where(InitialAssessment.case_id == case_id),
        select(ComprehensiveAssessment.id).where(ComprehensiveAssessment.case_id == case_id),
        select(HousingAct.id).where(HousingAct.case_id == case_id),
        plans,
        select(PlanAction.id).where(PlanAction.plan_id.in_(plans.scalar_subquery())),
        select(PlanReview.id).where(PlanReview.plan_id.in_(plans.scalar_subquery())),
        select(Referral.id).where(Referral.case_id == case_id),
        select(Visit.id).where(Visit.case_id == case_id),
        select(Closure.id).where(Closure.case_id == case_id),
        items,
        select(KddDecision.id).where(KddDecision.item_id.in_(items.scalar_subquery())),
    )
    return [case_id, *session.scalars(select(parts.subquery().c[0]))]


def audit_labels() -> dict[str, str]:
    """The msgids of the actions of a case's history, by action."""
    return AUDIT_LABELS


def _entries(session: Session, ids: list[uuid.UUID], *, prints: bool, limit: int) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.entity_id.in_(ids))
    if prints:
        stmt = stmt.where(AuditEntry.action.in_(PRINT_ACTIONS))
    # Ordered in Python: ordering by id in SQL would tempt the planner to walk the whole log backwards.
    rows = list(session.scalars(stmt))
    rows.sort(key=lambda entry: entry.id, reverse=True)
    return rows[:limit]


def _details(entry: AuditEntry) -> dict[str, Any]:
    try:
        found = json.loads(entry.details or "{}")
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}


def case_history(
    db: Database,
    actor: Actor,
    case_id: uuid.UUID,
    *,
    limit: int = DEFAULT_HISTORY_LIMIT,
    lang: str | None = None,
) -> list[HistoryEntry]:
    """The audit trail of a case and its records, newest first (at most *limit* entries), readable."""
    require(actor, Permission.READ)
    language = lang or current_language()
    tr = translator(language)
    labels = audit_labels()
    with db.reading() as session:
        get_live(session, Case, case_id)
        entries = _entries(session, _record_ids(session, case_id), prints=False, limit=limit)
        parsed = [(entry, _details(entry)) for entry in entries]
        worker_ids: set[uuid.UUID | None] = {entry.user_id for entry in entries}
        for entry, details in parsed:
            if entry.action == "case.assign":
                worker_ids.update(_uuid(details.get(key)) for key in ("from", "to"))
        names = _user_names(session, worker_ids)
        return [
            HistoryEntry(
                id=entry.id,
                at=entry.at.astimezone(),
                who=names.get(entry.user_id, entry.username or "")
                if entry.user_id
                else (entry.username or ""),
                action=entry.action,
                label=tr(labels[entry.action]) if entry.action in labels else entry.action,
                record=tr(RECORD_LABELS.get(entry.entity or "", entry.entity or "")),
                details=_readable(entry.action, details, names, tr),
            )
            for entry, details in parsed
        ]


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _readable(
    action: str, details: dict[str, Any], names: dict[uuid.UUID, str], tr: Callable[[str], str]
) -> str:
    """The details of an audit entry as people read them."""
    parts: list[str] = []

    def status(code: Any) -> str:
        return tr(CASE_STATUS_LABELS.get(str(code), str(code)))

    if action == "case.assign":
        before, after = _uuid(details.get("from")), _uuid(details.get("to"))
        old = names.get(before, "?") if before else tr(NOBODY)
        new = names.get(after, "?") if after else tr(NOBODY)
        parts.append(f"{old} → {new}")
    elif "from" in details and ("to" in details or action in ("closure.approve", "case.transfer_out")):
        target = details.get("to", "closed")
        parts.append(f"{status(details['from'])} → {status(target)}")
    if action == "case.transfer_out" and details.get("district_name"):
        parts.append(str(details["district_name"]))
    fields = details.get("fields")
    if isinstance(fields, list) and fields:
        readable = [tr(CASE_FIELD_LABELS.get(f) or FIELD_LABELS.get(f) or str(f)) for f in fields]
        parts.append(tr(N_("changed: {fields}")).format(fields=", ".join(readable)))
    for key in ("reason", "note"):
        value = details.get(key)
        if isinstance(value, str) and value.strip() and not (key == "reason" and action == "closure.request"):
            parts.append(value.strip())
    if action in PRINT_ACTIONS:
        parts.append(_form_title(details, tr))
        parts.append(_language_label(str(details.get("language") or ""), tr))
    return "; ".join(part for part in parts if part)


def _language_label(language: str, tr: Callable[[str], str]) -> str:
    return tr(DOCUMENT_LANGUAGE_LABELS[language]) if language in DOCUMENT_LANGUAGE_LABELS else ""


def _form_title(details: dict[str, Any], tr: Callable[[str], str]) -> str:
    form = str(details.get("form") or "")
    return tr(FORM_TITLES[form]) if form in FORM_TITLES else form


def case_documents(
    db: Database, actor: Actor, case_id: uuid.UUID, *, lang: str | None = None
) -> list[DocumentEntry]:
    """The documents printed for a case and its records, newest first (the print entries of the audit log)."""
    require(actor, Permission.READ)
    tr = translator(lang or current_language())
    with db.reading() as session:
        get_live(session, Case, case_id)
        entries = _entries(session, _record_ids(session, case_id), prints=True, limit=DEFAULT_HISTORY_LIMIT)
        names = _user_names(session, [entry.user_id for entry in entries])
        documents = []
        for entry in entries:
            details = _details(entry)
            language = str(details.get("language") or "")
            documents.append(
                DocumentEntry(
                    at=entry.at.astimezone(),
                    who=names.get(entry.user_id, entry.username or "")
                    if entry.user_id
                    else (entry.username or ""),
                    document=_form_title(details, tr),
                    number=str(details.get("number") or ""),
                    language=_language_label(language, tr),
                    record=tr(RECORD_LABELS.get(entry.entity or "", entry.entity or "")),
                )
            )
        return documents


# --- choices for the workspace's dialogs ----------------------------------------------


def assignable_workers(db: Database, actor: Actor) -> list[Choice[uuid.UUID]]:
    """Active users with a case-work role (those :func:`models.services.cases.assign_worker` accepts)."""
    require(actor, Permission.READ)
    with db.reading() as session:
        return worker_choices(session)
