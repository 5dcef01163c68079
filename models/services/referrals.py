"""Referrals (направления) to partner organisations: draft, consent to share data, issue, reply.

A referral is drafted for a case (optionally from an action of its plan) or on its own for a
child without a case. A referral that carries personal data is issued only once the consent to
share them is recorded (Закон № 58, ПП № 759). Issuing gives the outgoing № of the district and
year and the reply due date from the office's deadline setting; from then on its content is
frozen, and only the reply (or a cancellation) is recorded. A closed case takes no new
referrals, but replies to those already issued still arrive and are recorded.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.dashboard import DeadlineSettings
from models.database import Database
from models.errors import FieldProblem, ValidationFailed
from models.i18n import N_, Message, _, current_language
from models.numbering import next_number
from models.orm import AuditEntry, Case, Organisation, Person, Plan, PlanAction, ReferenceItem, Referral
from models.permissions import Permission
from models.services.base import Actor, audit, audit_changes, changed_fields, get_live, require, unit_of_work
from models.services.checks import clean_text, live_open_case, not_in_future, office_district, reference
from models.validation import format_date

AUDIT_LABELS: dict[str, str] = {
    "referral.create": N_("Referral drafted"),
    "referral.update": N_("Referral changed"),
    "referral.consent": N_("Consent to share data recorded"),
    "referral.issue": N_("Referral issued"),
    "referral.reply": N_("Reply to a referral recorded"),
    "referral.cancel": N_("Referral cancelled"),
    "referral.view": N_("Referral viewed"),
}

# The plans whose actions a referral is made from: the one in force, or a draft not approved yet.
_CURRENT_PLAN_STATUSES = ("approved", "draft")
_PLAN_KIND_LABELS = {"child": N_("Child protection plan"), "family": N_("Family plan")}


@dataclass(frozen=True)
class ReferralInput:
    """The content of a referral as typed in its form (frozen once the referral is issued)."""

    organisation_id: uuid.UUID | None
    service_type_code: str | None = None
    reason: str | None = None
    requested_service: str | None = None
    attachments: str | None = None
    contains_personal_data: bool = True
    plan_action_id: uuid.UUID | None = None


@dataclass(frozen=True)
class Issued:
    """A referral just issued: its outgoing № (N/YYYY), reply due date and new version."""

    number: str
    issued_on: date
    reply_due: date
    version: int


@dataclass(frozen=True)
class ReferralRow:
    """One referral of a case's list; *overdue*: issued, no reply, and its reply due date has passed."""

    id: uuid.UUID
    version: int
    number: str | None
    issued_on: date | None
    organisation: str
    service: str
    status: str
    reply_due: date | None
    reply_received_on: date | None
    overdue: bool
    contains_personal_data: bool
    consent_given: bool


@dataclass(frozen=True)
class ReferralDetails:
    """A referral for its window: the values, the version to send back, and what it belongs to."""

    id: uuid.UUID
    version: int
    case_id: uuid.UUID | None
    case_number: str | None
    case_closed: bool
    child_id: uuid.UUID | None
    child_name: str
    number: str | None
    status: str
    data: ReferralInput
    organisation: str
    plan_action_text: str | None
    consent_given: bool
    consent_by: str | None
    consent_date: date | None
    issued_on: date | None
    reply_due: date | None
    reply_received_on: date | None
    reply_outcome: str | None
    cancel_note: str | None
    overdue: bool


@dataclass(frozen=True)
class PlanActionChoice:
    """An action of the case's current plan that a referral can be made from, with what it prefills."""

    id: uuid.UUID
    label: str
    organisation_id: uuid.UUID | None
    service_type_code: str | None
    description: str


@dataclass(frozen=True)
class NewReferral:
    """What the window of a new referral starts with: the case and child, and values prefilled."""

    case_id: uuid.UUID | None
    case_number: str | None
    child_id: uuid.UUID | None
    child_name: str
    data: ReferralInput
    plan_action_text: str | None


def referral_number(referral: Referral) -> str | None:
    """The outgoing № as people write it (N/YYYY), or None for a referral not issued yet."""
    if referral.out_no is None or referral.out_year is None:
        return None
    return f"{referral.out_no}/{referral.out_year}"


def is_overdue(
    deadlines: DeadlineSettings, status: str, reply_due: date | None, issued_on: date | None, as_of: date
) -> bool:
    """Issued, no reply yet, and the reply was due before *as_of*."""
    if status != "issued":
        return False
    due = deadlines.referral_reply_due(reply_due, issued_on)
    return due is not None and due < as_of


def _organisation_name(org: Organisation | None, lang: str) -> str:
    if org is None:
        return ""
    return org.name_ky if lang == "ky" and org.name_ky else org.name_ru


def _reference_name(item: ReferenceItem | None, lang: str) -> str:
    if item is None:
        return ""
    if lang == "ky" and item.name_ky:
        return item.name_ky
    if lang == "en" and item.name_en:
        return item.name_en
    return item.name_ru


def _action_label(action: PlanAction) -> str:
    """The first line of an action's description, with its due date."""
    first_line = (action.description or "").strip().split("\n", 1)[0]
    due = f" ({format_date(action.due_date)})" if action.due_date else ""
    return first_line + due


def _plan_action(
    session: Session, case: Case | None, action_id: uuid.UUID, problems: list[FieldProblem]
) -> PlanAction | None:
    """The live action *action_id* of a plan of *case*; anything else adds a problem."""
    action = session.get(PlanAction, action_id)
    plan = session.get(Plan, action.plan_id) if action is not None else None
    if (
        case is None
        or action is None
        or action.deleted_at is not None
        or plan is None
        or plan.deleted_at is not None
        or plan.case_id != case.id
    ):
        problems.append(
            FieldProblem("plan_action_id", _("Plan action: choose an action of this case's plan."))
        )
        return None
    return action


@dataclass(frozen=True)
class _Checked:
    organisation: Organisation
    service_type: ReferenceItem | None
    action: PlanAction | None


def _checked(
    session: Session, case: Case | None, data: ReferralInput, keep_organisation: uuid.UUID | None = None
) -> _Checked:
    """The references of a referral's content, looked up; raises :class:`ValidationFailed` on bad input.

    An organisation no longer offered (deactivated) is accepted only where the referral has it already.
    """
    problems: list[FieldProblem] = []
    organisation = session.get(Organisation, data.organisation_id) if data.organisation_id else None
    if data.organisation_id is None:
        problems.append(
            FieldProblem("organisation_id", _("Organisation: choose the organisation from the directory."))
        )
    elif organisation is None or organisation.deleted_at is not None:
        problems.append(
            FieldProblem("organisation_id", _("Organisation: no longer in the directory; choose another."))
        )
    elif not organisation.active and organisation.id != keep_organisation:
        problems.append(
            FieldProblem(
                "organisation_id",
                _("Organisation: no longer offered for referrals; choose another."),
            )
        )
    service_type = reference(
        session, "service_type", data.service_type_code, "service_type_code", N_("Service"), problems
    )
    if not clean_text(data.reason):
        problems.append(FieldProblem("reason", _("Reason: say why the child is referred.")))
    action = None
    if data.plan_action_id is not None:
        action = _plan_action(session, case, data.plan_action_id, problems)
    if problems:
        raise ValidationFailed(problems)
    assert organisation is not None
    return _Checked(organisation, service_type, action)


def _fill(referral: Referral, data: ReferralInput, checked: _Checked) -> None:
    referral.organisation_id = checked.organisation.id
    referral.service_type_id = checked.service_type.id if checked.service_type else None
    referral.reason = clean_text(data.reason)
    referral.requested_service = clean_text(data.requested_service)
    referral.attachments = clean_text(data.attachments)
    referral.contains_personal_data = data.contains_personal_data
    referral.plan_action_id = checked.action.id if checked.action else None


def _prefilled(session: Session, data: ReferralInput, action: PlanAction | None) -> ReferralInput:
    """*data* with what it leaves empty taken from the plan *action* (organisation, service, request)."""
    if action is None:
        return data
    service_code = data.service_type_code
    if service_code is None and action.service_type_id is not None:
        item = session.get(ReferenceItem, action.service_type_id)
        service_code = item.code if item is not None and item.deleted_at is None else None
    return ReferralInput(
        organisation_id=data.organisation_id or action.organisation_id,
        service_type_code=service_code,
        reason=data.reason if clean_text(data.reason) else clean_text(action.need),
        requested_service=data.requested_service
        if clean_text(data.requested_service)
        else action.description,
        attachments=data.attachments,
        contains_personal_data=data.contains_personal_data,
        plan_action_id=action.id,
    )


def _details_number(referral: Referral, case: Case | None) -> dict[str, str]:
    details: dict[str, str] = {}
    number = referral_number(referral)
    if number:
        details["number"] = number
    elif case is not None:
        details["number"] = case.number
    if case is not None:
        details["case"] = case.number
    return details


def _case_of(session: Session, referral: Referral) -> Case | None:
    return session.get(Case, referral.case_id) if referral.case_id else None


def _require_status(referral: Referral, allowed: tuple[str, ...], message: Message) -> None:
    if referral.status not in allowed:
        raise ValidationFailed([FieldProblem("status", message)])


# --- writes ---------------------------------------------------------------------------


def create_referral(
    db: Database,
    actor: Actor,
    data: ReferralInput,
    *,
    case_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """Draft a referral for a case, or on its own for a child without a case (*case_id* None).

    From a plan action (``data.plan_action_id``, an action of the case's plan), what the form
    leaves empty is taken from the action: the organisation, the service and the request.
    """
    with unit_of_work(db, actor, Permission.REFERRAL_WRITE) as session:
        case = None
        if case_id is not None:
            case = live_open_case(session, case_id)
            child_id = case.child_id
        else:
            child = session.get(Person, child_id) if child_id else None
            if child is None or child.deleted_at is not None or not child.is_child:
                raise ValidationFailed([FieldProblem("child", _("Child: choose a registered child."))])
            if data.plan_action_id is not None:
                raise ValidationFailed(
                    [FieldProblem("plan_action_id", _("Plan action: choose an action of this case's plan."))]
                )
        if data.plan_action_id is not None:
            problems: list[FieldProblem] = []
            action = _plan_action(session, case, data.plan_action_id, problems)
            if problems:
                raise ValidationFailed(problems)
            data = _prefilled(session, data, action)
        checked = _checked(session, case, data)
        referral = Referral(
            district_id=office_district(session),
            case_id=case.id if case else None,
            child_id=child_id,
            status="draft",
            consent_given=False,
        )
        _fill(referral, data, checked)
        session.add(referral)
        audit(session, actor, "referral.create", referral, details=_details_number(referral, case))
        return referral.id


def update_referral(
    db: Database, actor: Actor, referral_id: uuid.UUID, data: ReferralInput, expected_version: int
) -> int:
    """Save the content of a draft referral; returns its new version. An issued referral is frozen."""
    with unit_of_work(db, actor, Permission.REFERRAL_WRITE) as session:
        referral = get_live(session, Referral, referral_id, for_version=expected_version)
        _require_status(
            referral, ("draft",), _("The referral is issued already; its content can no longer change.")
        )
        case = _case_of(session, referral)
        checked = _checked(session, case, data, keep_organisation=referral.organisation_id)
        _fill(referral, data, checked)
        return audit_changes(session, actor, "referral.update", referral, _details_number(referral, case))


def record_consent(
    db: Database,
    actor: Actor,
    referral_id: uuid.UUID,
    given_by: str,
    given_on: date,
    expected_version: int,
) -> int:
    """Record who consented to sharing the child's data (ФИО, relation) and when; returns the new version."""
    with unit_of_work(db, actor, Permission.REFERRAL_WRITE) as session:
        referral = get_live(session, Referral, referral_id, for_version=expected_version)
        _require_status(
            referral,
            ("draft",),
            _("The consent is recorded before the referral is issued; this one is not a draft."),
        )
        problems: list[FieldProblem] = []
        if not clean_text(given_by):
            problems.append(
                FieldProblem("consent_by", _("Consent given by: the full name and relation to the child."))
            )
        not_in_future(given_on, "consent_date", _("Consent date: cannot be in the future."), problems)
        if problems:
            raise ValidationFailed(problems)
        referral.consent_given = True
        referral.consent_by = clean_text(given_by)
        referral.consent_date = given_on
        audit(
            session,
            actor,
            "referral.consent",
            referral,
            details={**_details_number(referral, _case_of(session, referral)), "date": given_on.isoformat()},
        )
        session.flush()
        return referral.version


def issue_referral(
    db: Database,
    actor: Actor,
    referral_id: uuid.UUID,
    expected_version: int,
    issued_on: date | None = None,
    reply_due: date | None = None,
) -> Issued:
    """Issue a draft: the next outgoing № of the office's district and year, and the reply due date.

    Refused for a referral with personal data whose consent to share them is not recorded.
    Without *reply_due*, the reply is due after the office's deadline (``deadline.referral_reply_days``).
    """
    with unit_of_work(db, actor, Permission.REFERRAL_WRITE) as session:
        referral = get_live(session, Referral, referral_id, for_version=expected_version)
        _require_status(referral, ("draft",), _("Only a draft referral can be issued."))
        issued_on = issued_on or date.today()
        problems: list[FieldProblem] = []
        if referral.contains_personal_data and not referral.consent_given:
            problems.append(
                FieldProblem(
                    "consent",
                    _(
                        "The referral contains personal data: record the consent to share them "
                        "(who gave it and when) before issuing it."
                    ),
                )
            )
        not_in_future(issued_on, "issued_on", _("Issued on: cannot be in the future."), problems)
        if referral.consent_given and referral.consent_date and referral.consent_date > issued_on:
            problems.append(
                FieldProblem("issued_on", _("Issued on: cannot be earlier than the date of the consent."))
            )
        if reply_due is not None and reply_due < issued_on:
            problems.append(
                FieldProblem("reply_due", _("Reply due: cannot be earlier than the date of issue."))
            )
        if problems:
            raise ValidationFailed(problems)
        due = reply_due or DeadlineSettings.read(session).referral_reply_due(None, issued_on)
        assert due is not None
        district_id = office_district(session)
        referral.out_year = issued_on.year
        referral.out_no = next_number(session, "referral", district_id, issued_on.year)
        referral.issued_on = issued_on
        referral.reply_due = due
        referral.status = "issued"
        number = referral_number(referral)
        assert number is not None
        audit(
            session,
            actor,
            "referral.issue",
            referral,
            details={**_details_number(referral, _case_of(session, referral)), "reply_due": due.isoformat()},
        )
        session.flush()
        return Issued(number, issued_on, due, referral.version)


def record_reply(
    db: Database,
    actor: Actor,
    referral_id: uuid.UUID,
    received_on: date,
    outcome: str,
    expected_version: int,
) -> int:
    """Record the reply of the organisation (or correct it): the date received and the outcome."""
    with unit_of_work(db, actor, Permission.REFERRAL_WRITE) as session:
        referral = get_live(session, Referral, referral_id, for_version=expected_version)
        _require_status(
            referral, ("issued", "replied"), _("A reply is recorded for an issued referral only.")
        )
        problems: list[FieldProblem] = []
        not_in_future(
            received_on, "reply_received_on", _("Reply received: cannot be in the future."), problems
        )
        if referral.issued_on is not None and received_on < referral.issued_on:
            problems.append(
                FieldProblem(
                    "reply_received_on",
                    _("Reply received: cannot be earlier than the date the referral was issued."),
                )
            )
        if not clean_text(outcome):
            problems.append(
                FieldProblem("reply_outcome", _("Outcome: what the organisation answered or did."))
            )
        if problems:
            raise ValidationFailed(problems)
        referral.reply_received_on = received_on
        referral.reply_outcome = clean_text(outcome)
        referral.status = "replied"
        fields = changed_fields(referral)
        audit(
            session,
            actor,
            "referral.reply",
            referral,
            details={**_details_number(referral, _case_of(session, referral)), "fields": fields},
        )
        session.flush()
        return referral.version


def cancel_referral(
    db: Database, actor: Actor, referral_id: uuid.UUID, note: str, expected_version: int
) -> int:
    """Cancel a draft or an issued referral, saying why (the note is kept in the audit log)."""
    with unit_of_work(db, actor, Permission.REFERRAL_WRITE) as session:
        referral = get_live(session, Referral, referral_id, for_version=expected_version)
        _require_status(
            referral,
            ("draft", "issued"),
            _("Only a draft or an issued referral without a reply can be cancelled."),
        )
        if not clean_text(note):
            raise ValidationFailed([FieldProblem("note", _("Reason for cancelling: say why."))])
        previous = referral.status
        referral.status = "cancelled"
        audit(
            session,
            actor,
            "referral.cancel",
            referral,
            details={
                **_details_number(referral, _case_of(session, referral)),
                "from": previous,
                "note": clean_text(note),
            },
        )
        session.flush()
        return referral.version


# --- reads ----------------------------------------------------------------------------


def list_referrals(
    db: Database, actor: Actor, case_id: uuid.UUID, as_of: date | None = None
) -> list[ReferralRow]:
    """The referrals of a case, newest first (drafts, with no date yet, at the top)."""
    require(actor, Permission.READ)
    as_of = as_of or date.today()
    lang = current_language()
    with db.reading() as session:
        deadlines = DeadlineSettings.read(session)
        rows = sorted(
            session.execute(
                select(Referral, Organisation, ReferenceItem)
                .join(Organisation, Organisation.id == Referral.organisation_id)
                .outerjoin(ReferenceItem, ReferenceItem.id == Referral.service_type_id)
                .where(Referral.case_id == case_id, Referral.deleted_at.is_(None))
            ).all(),
            key=lambda row: (
                row[0].issued_on is None,
                row[0].issued_on or date.min,
                row[0].out_no or 0,
                row[0].created_at,
            ),
            reverse=True,
        )
        return [
            ReferralRow(
                id=referral.id,
                version=referral.version,
                number=referral_number(referral),
                issued_on=referral.issued_on,
                organisation=_organisation_name(org, lang),
                service=_reference_name(service, lang) or (referral.requested_service or "").strip(),
                status=referral.status,
                reply_due=deadlines.referral_reply_due(referral.reply_due, referral.issued_on),
                reply_received_on=referral.reply_received_on,
                overdue=is_overdue(deadlines, referral.status, referral.reply_due, referral.issued_on, as_of),
                contains_personal_data=referral.contains_personal_data,
                consent_given=referral.consent_given,
            )
            for referral, org, service in rows
        ]


def _cancel_note(session: Session, referral: Referral) -> str | None:
    if referral.status != "cancelled":
        return None
    details = session.scalar(
        select(AuditEntry.details)
        .where(AuditEntry.entity_id == referral.id, AuditEntry.action == "referral.cancel")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    note = json.loads(details).get("note") if details else None
    return note if isinstance(note, str) else None


def get_referral(db: Database, actor: Actor, referral_id: uuid.UUID) -> ReferralDetails:
    """A referral for viewing or editing; the view is written to the audit log."""
    lang = current_language()
    with unit_of_work(db, actor, Permission.READ) as session:
        referral = get_live(session, Referral, referral_id)
        case = _case_of(session, referral)
        audit(session, actor, "referral.view", referral, details=_details_number(referral, case))
        child = session.get(Person, referral.child_id) if referral.child_id else None
        if child is None and case is not None:
            child = session.get(Person, case.child_id)
        service = session.get(ReferenceItem, referral.service_type_id) if referral.service_type_id else None
        action = session.get(PlanAction, referral.plan_action_id) if referral.plan_action_id else None
        deadlines = DeadlineSettings.read(session)
        return ReferralDetails(
            id=referral.id,
            version=referral.version,
            case_id=referral.case_id,
            case_number=case.number if case else None,
            case_closed=case is not None and case.status == "closed",
            child_id=child.id if child else None,
            child_name=child.full_name if child else "",
            number=referral_number(referral),
            status=referral.status,
            data=ReferralInput(
                organisation_id=referral.organisation_id,
                service_type_code=service.code if service else None,
                reason=referral.reason,
                requested_service=referral.requested_service,
                attachments=referral.attachments,
                contains_personal_data=referral.contains_personal_data,
                plan_action_id=referral.plan_action_id,
            ),
            organisation=_organisation_name(session.get(Organisation, referral.organisation_id), lang),
            plan_action_text=action.description if action else None,
            consent_given=referral.consent_given,
            consent_by=referral.consent_by,
            consent_date=referral.consent_date,
            issued_on=referral.issued_on,
            reply_due=deadlines.referral_reply_due(referral.reply_due, referral.issued_on),
            reply_received_on=referral.reply_received_on,
            reply_outcome=referral.reply_outcome,
            cancel_note=_cancel_note(session, referral),
            overdue=is_overdue(
                deadlines, referral.status, referral.reply_due, referral.issued_on, date.today()
            ),
        )


def _current_plans(session: Session, case_id: uuid.UUID) -> list[Plan]:
    """The plans in force of a case (one per kind and №): the approved one, else the draft."""
    plans = session.scalars(
        select(Plan)
        .where(Plan.case_id == case_id, Plan.deleted_at.is_(None), Plan.status.in_(_CURRENT_PLAN_STATUSES))
        .order_by(Plan.kind, Plan.plan_no, Plan.revision)
    ).all()
    current: dict[tuple[str, int], Plan] = {}
    for plan in plans:
        key = (plan.kind, plan.plan_no)
        held = current.get(key)
        # In the order of revisions: an approved plan wins over a draft revision of it.
        if held is None or plan.status == "approved" or held.status == "draft":
            current[key] = plan
    return list(current.values())


def plan_actions_for_referral(db: Database, actor: Actor, case_id: uuid.UUID) -> list[PlanActionChoice]:
    """The actions of the case's current plans (approved, or a draft not approved yet) to refer from."""
    require(actor, Permission.READ)
    with db.reading() as session:
        plans = _current_plans(session, case_id)
        if not plans:
            return []
        codes = {
            item.id: item.code
            for item in session.scalars(select(ReferenceItem).where(ReferenceItem.kind == "service_type"))
        }
        several = len(plans) > 1
        choices = []
        for plan in plans:
            prefix = f"{_(_PLAN_KIND_LABELS.get(plan.kind, plan.kind)).render()}: " if several else ""
            for action in plan.actions:
                if action.deleted_at is not None:
                    continue
                choices.append(
                    PlanActionChoice(
                        id=action.id,
                        label=prefix + _action_label(action),
                        organisation_id=action.organisation_id,
                        service_type_code=codes.get(action.service_type_id)
                        if action.service_type_id
                        else None,
                        description=action.description,
                    )
                )
        return choices


def new_referral(
    db: Database,
    actor: Actor,
    case_id: uuid.UUID | None = None,
    plan_action_id: uuid.UUID | None = None,
    child_id: uuid.UUID | None = None,
) -> NewReferral:
    """The start of a new referral's form: the case and child, prefilled from the plan action if given."""
    require(actor, Permission.READ)
    with db.reading() as session:
        case = session.get(Case, case_id) if case_id else None
        if case_id is not None and (case is None or case.deleted_at is not None):
            get_live(session, Case, case_id)  # raises NotFound
        child = session.get(Person, case.child_id if case else child_id) if (case or child_id) else None
        data = ReferralInput(organisation_id=None)
        action_text = None
        if plan_action_id is not None and case is not None:
            problems: list[FieldProblem] = []
            action = _plan_action(session, case, plan_action_id, problems)
            if problems:
                raise ValidationFailed(problems)
            data = _prefilled(session, data, action)
            action_text = action.description if action else None
        return NewReferral(
            case_id=case.id if case else None,
            case_number=case.number if case else None,
            child_id=child.id if child else None,
            child_name=child.full_name if child else "",
            data=data,
            plan_action_text=action_text,
        )
