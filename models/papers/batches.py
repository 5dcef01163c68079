"""The records a batch print takes: those that go out together (a day's referrals, a meeting's notices)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from models.database import Database
from models.orm import KddAgendaItem, Referral
from models.papers.referral import PRINTABLE_STATUSES
from models.permissions import Permission
from models.services.base import Actor, require
from models.settings import office_district_id


def referrals_issued_on(db: Database, actor: Actor, day: date) -> list[uuid.UUID]:
    """The office's referrals issued on *day* (still issued or already replied), by outgoing №."""
    require(actor, Permission.PRINT)
    with db.reading() as session:
        return list(
            session.scalars(
                select(Referral.id)
                .where(
                    Referral.district_id == office_district_id(session),
                    Referral.issued_on == day,
                    Referral.status.in_(PRINTABLE_STATUSES),
                    Referral.out_no.is_not(None),
                    Referral.deleted_at.is_(None),
                )
                .order_by(Referral.out_year, Referral.out_no)
            )
        )


def invited_items(db: Database, actor: Actor, meeting_id: uuid.UUID) -> list[uuid.UUID]:
    """The agenda items of a КДД meeting to which parents or guardians are invited, in agenda order."""
    require(actor, Permission.PRINT)
    with db.reading() as session:
        return list(
            session.scalars(
                select(KddAgendaItem.id)
                .where(
                    KddAgendaItem.meeting_id == meeting_id,
                    KddAgendaItem.parent_invited.is_(True),
                    KddAgendaItem.deleted_at.is_(None),
                )
                .order_by(KddAgendaItem.position)
            )
        )
