"""The data of the КДД's papers: a meeting's agenda and protocol, the decision (постановление) on an
agenda item, and the notices that invite parents or guardians to the meeting.

One :class:`MeetingPaper` serves all four: the meeting, its members and quorum, its agenda items
(numbered 1, 2, … in agenda order, the "item K" of the command) with their decisions and the
people each notice goes to. A cancelled meeting prints nothing; a protocol or a decision needs a
recorded decision (:func:`protocol_paper`, :func:`decided`), a notice an invited parent
(:func:`invited`).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, fields
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from models.dashboard import DeadlineSettings
from models.database import Database
from models.errors import DomainError, NotFound
from models.i18n import N_, _
from models.orm import AdminUnit, Case, KddAgendaItem, KddMeeting, Person
from models.papers import (
    NO_VALUE,
    OFFICE_SETTINGS,
    Bilingual,
    ChildSummary,
    OfficeHeader,
    address,
    caregivers,
    child_summary,
    household_of,
    id_by_number,
    office_header,
    reference,
)
from models.permissions import Permission
from models.registers import KDD_STATUS_LABELS
from models.services.base import Actor, get_live, require
from models.services.kdd import MEMBER_ROLE_LABELS, Quorum
from models.settings import load_settings, values_of

# The settings a meeting's papers read (the letterhead, and the decisions' standard deadline under the
# keys DeadlineSettings.read reads), in one query.
PAPER_SETTINGS = (*OFFICE_SETTINGS, *(f"deadline.{field.name}" for field in fields(DeadlineSettings)))


@dataclass(frozen=True)
class MemberLine:
    """A member of the commission at the meeting; *role* is a label msgid."""

    name: str
    job_title: str
    role: str
    present: bool


@dataclass(frozen=True)
class DecisionLine:
    """One point of a decision; *due* is the deadline, or the office's standard period when none was set."""

    number: int | None
    text: str
    responsible_body: str
    due: date
    appeal_note: str


@dataclass(frozen=True)
class Invitee:
    """Whom a notice goes to: a caregiver of the child (a blank name when the household names none)."""

    name: str
    relation: Bilingual
    address: Bilingual


@dataclass(frozen=True)
class ItemLine:
    """An agenda item: *number* is its place on the agenda (1-based)."""

    item_id: uuid.UUID
    number: int
    case_id: uuid.UUID | None
    case_number: str | None
    child: ChildSummary | None
    title: str
    reported_by: str
    attendees: str
    parent_invited: bool
    parent_attended: bool | None
    discussion: str
    decisions: tuple[DecisionLine, ...]
    invitees: tuple[Invitee, ...]


@dataclass(frozen=True)
class MeetingPaper:
    """A meeting as its papers show it; *commission_of* is the district in the genitive ("Сокулукского
    района" / "Сокулук районунун"), empty when the office has no district; *status* a label msgid."""

    meeting_id: uuid.UUID
    office: OfficeHeader
    commission_of: Bilingual
    number: str
    meeting_date: date
    place: str
    chair: str
    secretary: str
    status: str
    held: bool
    members: tuple[MemberLine, ...]
    quorum: Quorum
    items: tuple[ItemLine, ...]

    def item(self, item_id: uuid.UUID) -> ItemLine:
        for item in self.items:
            if item.item_id == item_id:
                return item
        raise NotFound(_("The agenda item is no longer on the meeting's agenda."))

    @property
    def decided(self) -> bool:
        return any(item.decisions for item in self.items)


# --- finding the meeting and the item ------------------------------------------------------------


def meeting_id_by_number(db: Database, actor: Actor, number: str) -> uuid.UUID:
    """The КДД meeting № *number* ("N/YYYY") of this office's district."""
    return id_by_number(
        db,
        actor,
        number,
        KddMeeting,
        (KddMeeting.meeting_no, KddMeeting.meeting_year),
        N_("There is no КДД meeting № {number}."),
    )


def item_by_number(paper: MeetingPaper, number: int) -> ItemLine:
    """Item *number* (1-based) of the meeting's agenda."""
    if 1 <= number <= len(paper.items):
        return paper.items[number - 1]
    raise NotFound(
        _(
            "The КДД meeting {number} has no agenda item {item}; its agenda has {count} items.",
            number=paper.number,
            item=number,
            count=len(paper.items),
        )
    )


# --- the papers ------------------------------------------------------------------------------


def meeting_paper(
    db: Database, actor: Actor, meeting_id: uuid.UUID, *, only_item: uuid.UUID | None = None
) -> MeetingPaper:
    """The meeting as its agenda and notices print it; a cancelled meeting is refused.

    With *only_item*, the paper's items are that one item (with its number on the agenda): what a
    decision or a notice prints, without reading the children and families of the other items.
    """
    require(actor, Permission.PRINT)
    with db.reading() as session:
        return _paper(session, _live_meeting(session, meeting_id), only_item)


def item_paper(db: Database, actor: Actor, item_id: uuid.UUID) -> tuple[MeetingPaper, ItemLine]:
    """The meeting of the agenda item *item_id* with that one item, read in one session: what the
    desktop client's decision and notices print (a batch print makes one per invited item)."""
    require(actor, Permission.PRINT)
    with db.reading() as session:
        # The item with its decisions, its meeting and district, case and child in one query, held so
        # that the reads below find them in the session instead of a query each.
        held = (
            session.execute(
                select(KddAgendaItem, KddMeeting, AdminUnit, Case, Person)
                .join(KddMeeting, KddMeeting.id == KddAgendaItem.meeting_id)
                .outerjoin(AdminUnit, AdminUnit.id == KddMeeting.district_id)
                .outerjoin(Case, Case.id == KddAgendaItem.case_id)
                .outerjoin(Person, Person.id == KddAgendaItem.child_id)
                .where(KddAgendaItem.id == item_id)
                .options(joinedload(KddAgendaItem.decisions))
            )
            .unique()
            .first()
        )
        item = get_live(session, KddAgendaItem, item_id)
        paper = _paper(session, _live_meeting(session, item.meeting_id), item_id)
        del held
    return paper, paper.item(item_id)


def _live_meeting(session: Session, meeting_id: uuid.UUID) -> KddMeeting:
    """The meeting, refused when deleted or cancelled (a cancelled meeting prints nothing)."""
    meeting = get_live(session, KddMeeting, meeting_id)
    if meeting.status == "cancelled":
        raise DomainError(_("The КДД meeting {number} is cancelled.", number=_number(meeting)))
    return meeting


def protocol_paper(db: Database, actor: Actor, meeting_id: uuid.UUID) -> MeetingPaper:
    """The meeting for its protocol, which needs at least one recorded decision."""
    paper = meeting_paper(db, actor, meeting_id)
    if not paper.decided:
        raise DomainError(
            _(
                "The КДД meeting {number} has no decisions yet: its protocol is printed once the "
                "decisions are recorded. Print the agenda instead.",
                number=paper.number,
            )
        )
    return paper


def decided(paper: MeetingPaper, item: ItemLine) -> ItemLine:
    """*item*, refused unless a decision is recorded on it (its постановление prints the decisions)."""
    if not item.decisions:
        raise DomainError(
            _(
                "No decision is recorded on item {item} of the КДД meeting {number}.",
                item=item.number,
                number=paper.number,
            )
        )
    return item


def invited(paper: MeetingPaper, item: ItemLine) -> ItemLine:
    """*item*, refused unless parents or guardians are invited to it (a notice goes to each of them)."""
    if not item.parent_invited:
        raise DomainError(
            _(
                "Parents or guardians are not invited to item {item} of the КДД meeting {number}: "
                "mark them invited on the agenda item first.",
                item=item.number,
                number=paper.number,
            )
        )
    return item


def _number(meeting: KddMeeting) -> str:
    return f"{meeting.meeting_no}/{meeting.meeting_year}"


def _paper(session: Session, meeting: KddMeeting, only_item: uuid.UUID | None = None) -> MeetingPaper:
    settings = load_settings(session, PAPER_SETTINGS)  # held: the deadlines' reads need no query per key
    deadlines = DeadlineSettings.read(session)
    members = sorted((m for m in meeting.members if m.deleted_at is None), key=lambda m: m.position)
    if only_item is None:
        items = sorted((i for i in meeting.items if i.deleted_at is None), key=lambda i: i.position)
        numbered = list(enumerate(items, start=1))
    else:
        numbered = _numbered_item(session, meeting, only_item)
    unit = session.get(AdminUnit, meeting.district_id)
    return MeetingPaper(
        meeting_id=meeting.id,
        office=office_header(session, values_of(settings)),
        commission_of=genitive(unit.name_ky, unit.name_ru) if unit else NO_VALUE,
        number=_number(meeting),
        meeting_date=meeting.meeting_date,
        place=meeting.place or "",
        chair=meeting.chair_name or "",
        secretary=meeting.secretary_name or "",
        status=KDD_STATUS_LABELS.get(meeting.status, meeting.status),
        held=meeting.status == "held",
        members=tuple(
            MemberLine(m.full_name, m.job_title or "", MEMBER_ROLE_LABELS.get(m.role, m.role), m.present)
            for m in members
        ),
        quorum=Quorum(sum(1 for m in members if m.present), len(members)),
        items=tuple(_item(session, meeting, item, number, deadlines) for number, item in numbered),
    )


def _numbered_item(
    session: Session, meeting: KddMeeting, item_id: uuid.UUID
) -> list[tuple[int, KddAgendaItem]]:
    """The item *item_id* with its place on the meeting's agenda (none when it is not on it), reading
    only the agenda's ids rather than every item."""
    agenda = session.scalars(
        select(KddAgendaItem.id)
        .where(KddAgendaItem.meeting_id == meeting.id, KddAgendaItem.deleted_at.is_(None))
        .order_by(KddAgendaItem.position)
    ).all()
    if item_id not in agenda:
        return []
    return [(agenda.index(item_id) + 1, session.get_one(KddAgendaItem, item_id))]


def _item(
    session: Session, meeting: KddMeeting, item: KddAgendaItem, number: int, deadlines: DeadlineSettings
) -> ItemLine:
    case = session.get(Case, item.case_id) if item.case_id else None
    child = session.get(Person, item.child_id) if item.child_id else None
    decisions = sorted(
        (d for d in item.decisions if d.deleted_at is None), key=lambda d: (d.decision_no or 0, d.created_at)
    )
    return ItemLine(
        item_id=item.id,
        number=number,
        case_id=item.case_id,
        case_number=case.number if case else None,
        child=child_summary(session, child),
        title=item.title,
        reported_by=item.reported_by or "",
        attendees=item.attendees or "",
        parent_invited=item.parent_invited,
        parent_attended=item.parent_attended,
        discussion=item.discussion or "",
        decisions=tuple(
            DecisionLine(
                d.decision_no,
                d.text,
                d.responsible_body or "",
                deadlines.kdd_decision_due(d.deadline, meeting.meeting_date),
                d.appeal_note or "",
            )
            for d in decisions
        ),
        invitees=_invitees(session, case, child) if item.parent_invited else (),
    )


def _invitees(session: Session, case: Case | None, child: Person | None) -> tuple[Invitee, ...]:
    """The caregivers of the child's household; one notice without a name when none is recorded."""
    household_id = case.household_id if case else None
    if household_id is None and child is not None:
        household_id = household_of(session, child.id)
    found: list[Invitee] = []
    if household_id is not None:
        for member, person in caregivers(session, household_id):
            place = person if person.address_text or person.district_id else child
            found.append(
                Invitee(
                    person.full_name,
                    reference(session, member.relation_id),
                    Bilingual(address(session, place, "ky"), address(session, place, "ru"))
                    if place is not None
                    else NO_VALUE,
                )
            )
    if found:
        return tuple(found)
    home = Bilingual(address(session, child, "ky"), address(session, child, "ru")) if child else NO_VALUE
    return (Invitee("", NO_VALUE, home),)


# --- the commission's name -------------------------------------------------------------------------

_RU_DISTRICT = re.compile(r"^(?P<name>\S+?)(?P<ending>ский|цкий) район(?P<rest>.*)$")


def genitive(name_ky: str, name_ru: str) -> Bilingual:
    """A district's or city's name as the commission's name needs it: "Сокулукский район" → "Сокулукского
    района", "г. Каракол" → "города Каракол"; "Сокулук району" → "Сокулук районунун", "Каракол ш." →
    "Каракол шаарынын". A name of another shape is kept as it is."""
    ru = name_ru.strip()
    if match := _RU_DISTRICT.match(ru):
        ending = "ского" if match["ending"] == "ский" else "цкого"
        ru = f"{match['name']}{ending} района{match['rest']}"
    elif ru.startswith("г. "):
        ru = "города " + ru.removeprefix("г. ")
    ky = name_ky.strip()
    if ky.endswith(" району"):
        ky = ky.removesuffix("району") + "районунун"
    elif ky.endswith(" ш."):
        ky = ky.removesuffix("ш.") + "шаарынын"
    return Bilingual(ky, ru)
