"""The data of a printed referral (направление) and of its tear-off reply slip."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from models.database import Database
from models.errors import DomainError
from models.i18n import N_, _
from models.orm import Case, Organisation, Person, Referral, User
from models.papers import (
    Bilingual,
    ChildSummary,
    OfficeHeader,
    child_summary,
    id_by_number,
    office_header,
    organisation,
    reference,
)
from models.permissions import Permission
from models.services.base import Actor, get_live, unit_of_work

PRINTABLE_STATUSES = ("issued", "replied")


@dataclass(frozen=True)
class Signatory:
    """Who signs a document: position and name (the signature and date are written by hand)."""

    position: str
    name: str


@dataclass(frozen=True)
class ReferralPaper:
    """Everything a referral and its reply slip print."""

    referral_id: uuid.UUID
    office: OfficeHeader
    number: str
    issued_on: date | None
    organisation: Bilingual
    organisation_address: str
    child: ChildSummary | None
    case_number: str | None
    service: Bilingual
    reason: str
    requested_service: str
    attachments: str
    contains_personal_data: bool
    consent_by: str
    consent_date: date | None
    reply_due: date | None
    specialist: Signatory
    head: Signatory


def referral_id_by_number(db: Database, actor: Actor, number: str) -> uuid.UUID:
    """The referral with the outgoing № *number* ("N/YYYY") of this office's district."""
    return id_by_number(
        db,
        actor,
        number,
        Referral,
        (Referral.out_no, Referral.out_year),
        N_("There is no referral № {number}."),
    )


def referral_paper(db: Database, actor: Actor, referral_id: uuid.UUID) -> ReferralPaper:
    """The referral as printed; a draft or a cancelled referral has no outgoing № and is refused."""
    with unit_of_work(db, actor, Permission.PRINT) as session:
        referral = get_live(session, Referral, referral_id)
        if referral.status not in PRINTABLE_STATUSES or referral.out_no is None:
            raise DomainError(_("Only an issued referral is printed; it gets its number when it is issued."))
        return _paper(session, referral)


def _paper(session: Session, referral: Referral) -> ReferralPaper:
    case = session.get(Case, referral.case_id) if referral.case_id else None
    child = session.get(Person, referral.child_id) if referral.child_id else None
    if child is None and case is not None:
        child = session.get(Person, case.child_id)
    org = session.get(Organisation, referral.organisation_id)
    worker = session.get(User, case.worker_id) if case is not None and case.worker_id else None
    if worker is None and referral.created_by:
        worker = session.get(User, referral.created_by)
    office = office_header(session)
    return ReferralPaper(
        referral_id=referral.id,
        office=office,
        number=f"{referral.out_no}/{referral.out_year}",
        issued_on=referral.issued_on,
        organisation=organisation(session, referral.organisation_id),
        organisation_address=(org.address or "") if org else "",
        child=child_summary(session, child) if referral.contains_personal_data else None,
        case_number=case.number if case else None,
        service=reference(session, referral.service_type_id),
        reason=referral.reason or "",
        requested_service=referral.requested_service or "",
        attachments=referral.attachments or "",
        contains_personal_data=referral.contains_personal_data,
        consent_by=referral.consent_by or "",
        consent_date=referral.consent_date,
        reply_due=referral.reply_due,
        specialist=Signatory(worker.position or "", worker.full_name) if worker else Signatory("", ""),
        head=Signatory("", office.head_name),
    )
