"""Meetings of the commission on children's affairs (КДД): from the plan and the agenda to decisions.

A КДД secretary (role ``kdd_secretary``, permission KDD_WRITE) runs a meeting from start to end
with these services alone: they never change the case data (status, plan, child) of the cases on
the agenda. The life of a meeting:

* **planned** — details, members, presence, agenda items and their decisions are edited freely;
* **held** — the protocol is fixed: details, members, agenda and the decisions' text, responsible
  body, deadline and appeal note can no longer change; only the follow-up of each decision
  (done on a date, follow-up note) is still recorded;
* **cancelled** — nothing changes any more; the reason is kept in the audit log.

A decision's deadline may be left empty: it is then due :attr:`DeadlineSettings.kdd_decision_days`
after the meeting (``deadline.kdd_decision_days``), so that the office's setting applies, also
when it changes later (the dashboard computes it the same way).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.dashboard import DeadlineSettings
from models.database import Database
from models.errors import DomainError, FieldProblem, ValidationFailed
from models.i18n import N_, _
from models.names import prefix_upper_bound, query_keys
from models.numbering import next_number
from models.orm import (
    AuditEntry,
    Case,
    KddAgendaItem,
    KddDecision,
    KddMeeting,
    KddMember,
    Person,
)
from models.permissions import Permission
from models.registers import KDD_STATUS_LABELS
from models.services.base import Actor, audit, audit_changes, changed_fields, get_live, require, unit_of_work
from models.services.checks import clean_text, not_in_future, office_district
from models.validation import format_date

MEMBER_ROLES = ("chair", "deputy", "secretary", "member")
MEMBER_ROLE_LABELS = {
    "chair": N_("Chair"),
    "deputy": N_("Deputy chair"),
    "secretary": N_("Secretary"),
    "member": N_("Member"),
}
MEETING_STATUS_LABELS = KDD_STATUS_LABELS
# The most open cases the agenda's case picker offers for one search.
CASE_CHOICES_LIMIT = 50

AUDIT_LABELS: dict[str, str] = {
    "kdd_meeting.create": N_("КДД meeting planned"),
    "kdd_meeting.update": N_("КДД meeting details changed"),
    "kdd_meeting.members": N_("КДД meeting members changed"),
    "kdd_meeting.presence": N_("Presence at a КДД meeting marked"),
    "kdd_meeting.hold": N_("КДД meeting held"),
    "kdd_meeting.cancel": N_("КДД meeting cancelled"),
    "kdd_meeting.view": N_("КДД meeting viewed"),
    "kdd_item.add": N_("Added to a КДД meeting's agenda"),
    "kdd_item.update": N_("КДД agenda item changed"),
    "kdd_item.move": N_("КДД agenda reordered"),
    "kdd_item.remove": N_("Removed from a КДД meeting's agenda"),
    "kdd_decision.add": N_("КДД decision recorded"),
    "kdd_decision.update": N_("КДД decision changed"),
    "kdd_decision.remove": N_("КДД decision removed"),
    "kdd_decision.done": N_("КДД decision marked done"),
    "kdd_decision.follow_up": N_("КДД decision follow-up recorded"),
}


# --- inputs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingInput:
    """The details of a meeting as its form holds them."""

    meeting_date: date
    place: str | None = None
    chair_name: str | None = None
    secretary_name: str | None = None


@dataclass(frozen=True)
class MemberInput:
    """A member of the commission at one meeting; *id* names a stored member (None: a new one)."""

    full_name: str
    job_title: str | None = None
    role: str = "member"
    present: bool = False
    id: uuid.UUID | None = None


@dataclass(frozen=True)
class ItemInput:
    """An agenda item: about a case (the child follows the case) or a free item (*case_id* None).

    An empty *title* of a case's item becomes the child's name and the case №.
    """

    title: str = ""
    case_id: uuid.UUID | None = None
    reported_by: str | None = None
    attendees: str | None = None
    parent_invited: bool = False
    parent_attended: bool | None = None
    discussion: str | None = None


@dataclass(frozen=True)
class DecisionInput:
    """A decision on an agenda item. An empty *deadline* means the office's standard period."""

    text: str
    responsible_body: str | None = None
    deadline: date | None = None
    appeal_note: str | None = None


# --- results --------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    id: uuid.UUID
    number: str


@dataclass(frozen=True)
class Quorum:
    """Members present of the members listed; a quorum is more than half of them."""

    present: int
    total: int

    @property
    def reached(self) -> bool:
        return self.total > 0 and self.present * 2 > self.total


@dataclass(frozen=True)
class MemberDetails:
    id: uuid.UUID
    full_name: str
    job_title: str | None
    role: str
    present: bool

    def as_input(self, *, present: bool | None = None) -> MemberInput:
        return MemberInput(
            self.full_name, self.job_title, self.role, self.present if present is None else present, self.id
        )


@dataclass(frozen=True)
class DecisionDetails:
    id: uuid.UUID
    version: int
    decision_no: int | None
    text: str
    responsible_body: str | None
    deadline: date | None
    due: date
    appeal_note: str | None
    done_on: date | None
    follow_up: str | None
    overdue: bool

    def as_input(self) -> DecisionInput:
        return DecisionInput(self.text, self.responsible_body, self.deadline, self.appeal_note)


@dataclass(frozen=True)
class ItemDetails:
    id: uuid.UUID
    version: int
    position: int
    case_id: uuid.UUID | None
    case_number: str | None
    child_name: str | None
    title: str
    reported_by: str | None
    attendees: str | None
    parent_invited: bool
    parent_attended: bool | None
    discussion: str | None
    decisions: tuple[DecisionDetails, ...]

    def as_input(self) -> ItemInput:
        return ItemInput(
            self.title,
            self.case_id,
            self.reported_by,
            self.attendees,
            self.parent_invited,
            self.parent_attended,
            self.discussion,
        )


@dataclass(frozen=True)
class MeetingDetails:
    """A meeting for its window: details, members and quorum, agenda items with their decisions."""

    id: uuid.UUID
    version: int
    number: str
    status: str
    data: MeetingInput
    members: tuple[MemberDetails, ...]
    quorum: Quorum
    items: tuple[ItemDetails, ...]
    cancel_reason: str | None
    kdd_decision_days: int

    @property
    def editable(self) -> bool:
        return self.status == "planned"


@dataclass(frozen=True)
class MeetingDefaults:
    """What a new meeting starts with: the chair, secretary, place and members of the last meeting."""

    data: MeetingInput
    members: tuple[MemberInput, ...]
    kdd_decision_days: int


@dataclass(frozen=True)
class CaseKddEntry:
    """An agenda item about a case, with its meeting and decisions (the case's КДД tab)."""

    item_id: uuid.UUID
    meeting_id: uuid.UUID
    meeting_number: str
    meeting_date: date
    meeting_status: str
    title: str
    parent_invited: bool
    parent_attended: bool | None
    decisions: tuple[DecisionDetails, ...]


@dataclass(frozen=True)
class CaseChoice:
    """An open case the agenda's picker offers."""

    id: uuid.UUID
    number: str
    child_name: str
    birth_date: date | None
    status: str


@dataclass(frozen=True)
class MeetingRef:
    """A planned meeting, to put a case on its agenda."""

    id: uuid.UUID
    number: str
    meeting_date: date
    place: str | None
    items_count: int


# --- helpers --------------------------------------------------------------------------


def _meeting_number(meeting: KddMeeting) -> str:
    return f"{meeting.meeting_no}/{meeting.meeting_year}"


def _require_planned(meeting: KddMeeting) -> None:
    if meeting.status == "held":
        raise DomainError(
            _(
                "The КДД meeting {number} is held: its protocol can no longer be changed.",
                number=_meeting_number(meeting),
            )
        )
    if meeting.status == "cancelled":
        raise DomainError(_("The КДД meeting {number} is cancelled.", number=_meeting_number(meeting)))


def _live_members(meeting: KddMeeting) -> list[KddMember]:
    return [m for m in meeting.members if m.deleted_at is None]


def _live_items(meeting: KddMeeting) -> list[KddAgendaItem]:
    return [i for i in meeting.items if i.deleted_at is None]


def _live_decisions(item: KddAgendaItem) -> list[KddDecision]:
    return sorted(
        (d for d in item.decisions if d.deleted_at is None), key=lambda d: (d.decision_no or 0, d.created_at)
    )


def _quorum(meeting: KddMeeting) -> Quorum:
    members = _live_members(meeting)
    return Quorum(sum(1 for m in members if m.present), len(members))


def _meeting_problems(data: MeetingInput) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not clean_text(data.chair_name):
        problems.append(FieldProblem("chair_name", _("Chair: give the name of the chair.")))
    if not clean_text(data.secretary_name):
        problems.append(FieldProblem("secretary_name", _("Secretary: give the name of the secretary.")))
    return problems


def _member_problems(members: Sequence[MemberInput]) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    for number, member in enumerate(members, start=1):
        if not member.full_name.strip():
            problems.append(FieldProblem("members", _("Members: row {row} has no name.", row=number)))
        if member.role not in MEMBER_ROLES:
            problems.append(FieldProblem("members", _("Members: row {row} has an unknown role.", row=number)))
    return problems


def _audit_details(meeting: KddMeeting, case: Case | None = None, **extra: object) -> dict[str, object]:
    details: dict[str, object] = {"meeting": _meeting_number(meeting)}
    if case is not None:
        details["case"] = case.number
        details["number"] = case.number
    details.update(extra)
    return details


def _item_case(session: Session, item: KddAgendaItem) -> Case | None:
    return session.get(Case, item.case_id) if item.case_id else None


def _decision_details(
    decision: KddDecision, meeting: KddMeeting, deadlines: DeadlineSettings, today: date
) -> DecisionDetails:
    due = deadlines.kdd_decision_due(decision.deadline, meeting.meeting_date)
    return DecisionDetails(
        id=decision.id,
        version=decision.version,
        decision_no=decision.decision_no,
        text=decision.text,
        responsible_body=decision.responsible_body,
        deadline=decision.deadline,
        due=due,
        appeal_note=decision.appeal_note,
        done_on=decision.done_on,
        follow_up=decision.follow_up,
        overdue=meeting.status != "cancelled" and decision.done_on is None and due < today,
    )


# --- meetings -------------------------------------------------------------------------


def _last_meeting(session: Session, district_id: uuid.UUID) -> KddMeeting | None:
    return session.scalar(
        select(KddMeeting)
        .where(KddMeeting.district_id == district_id, KddMeeting.deleted_at.is_(None))
        .order_by(
            KddMeeting.meeting_date.desc(), KddMeeting.meeting_year.desc(), KddMeeting.meeting_no.desc()
        )
        .limit(1)
    )


def meeting_defaults(db: Database, actor: Actor) -> MeetingDefaults:
    """A new meeting's defaults: today, and the place, chair, secretary and members of the last meeting.

    Members start as not present: presence is marked at the meeting.
    """
    require(actor, Permission.READ)
    with db.reading() as session:
        deadlines = DeadlineSettings.read(session)
        last = _last_meeting(session, office_district(session))
        if last is None:
            return MeetingDefaults(MeetingInput(date.today()), (), deadlines.kdd_decision_days)
        members = tuple(MemberInput(m.full_name, m.job_title, m.role, False) for m in _live_members(last))
        return MeetingDefaults(
            MeetingInput(date.today(), last.place, last.chair_name, last.secretary_name),
            members,
            deadlines.kdd_decision_days,
        )


def _store_members(session: Session, meeting: KddMeeting, members: Sequence[MemberInput]) -> bool:
    """Make the meeting's live members those of *members* (by id); whether anything changed."""
    existing = {m.id: m for m in _live_members(meeting)}
    kept: set[uuid.UUID] = set()
    changed = False
    for position, member in enumerate(members):
        record = existing.get(member.id) if member.id is not None else None
        if record is None:
            record = KddMember(meeting_id=meeting.id, meeting=meeting)
            session.add(record)
            changed = True
        else:
            kept.add(record.id)
        record.position = position
        record.full_name = member.full_name.strip()
        record.job_title = clean_text(member.job_title)
        record.role = member.role
        record.present = member.present
        if record.id in existing and changed_fields(record):
            changed = True
    now = utcnow()
    for member_id, record in existing.items():
        if member_id not in kept:
            record.deleted_at = now
            changed = True
    meeting.members_total = len(members)
    return changed


def plan_meeting(
    db: Database, actor: Actor, data: MeetingInput, members: Sequence[MemberInput] | None = None
) -> Planned:
    """Plan a meeting; it gets the next meeting № of the district and the meeting date's year.

    *members* None takes the members of the office's last meeting (not present yet).
    """
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        problems = _meeting_problems(data)
        if members is not None:
            problems += _member_problems(members)
        if problems:
            raise ValidationFailed(problems)
        district_id = office_district(session)
        if members is None:
            last = _last_meeting(session, district_id)
            members = (
                [MemberInput(m.full_name, m.job_title, m.role, False) for m in _live_members(last)]
                if last
                else []
            )
        year = data.meeting_date.year
        meeting = KddMeeting(
            district_id=district_id,
            meeting_year=year,
            meeting_no=next_number(session, "kdd_meeting", district_id, year),
            meeting_date=data.meeting_date,
            place=clean_text(data.place),
            chair_name=clean_text(data.chair_name),
            secretary_name=clean_text(data.secretary_name),
            status="planned",
            members_total=0,
        )
        session.add(meeting)
        session.flush()
        _store_members(session, meeting, members)
        number = _meeting_number(meeting)
        audit(session, actor, "kdd_meeting.create", meeting, details={"number": number})
        return Planned(meeting.id, number)


def update_meeting(
    db: Database, actor: Actor, meeting_id: uuid.UUID, data: MeetingInput, expected_version: int
) -> int:
    """Change a planned meeting's date, place, chair and secretary (the № stays); returns the new version."""
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        meeting = get_live(session, KddMeeting, meeting_id, for_version=expected_version)
        _require_planned(meeting)
        problems = _meeting_problems(data)
        if problems:
            raise ValidationFailed(problems)
        meeting.meeting_date = data.meeting_date
        meeting.place = clean_text(data.place)
        meeting.chair_name = clean_text(data.chair_name)
        meeting.secretary_name = clean_text(data.secretary_name)
        return audit_changes(
            session, actor, "kdd_meeting.update", meeting, {"number": _meeting_number(meeting)}
        )


def set_members(
    db: Database, actor: Actor, meeting_id: uuid.UUID, members: Sequence[MemberInput], expected_version: int
) -> int:
    """Replace a planned meeting's list of members (stored ones by id, in the given order).

    Returns the meeting's new version (its members_total follows the list).
    """
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        meeting = get_live(session, KddMeeting, meeting_id, for_version=expected_version)
        _require_planned(meeting)
        problems = _member_problems(members)
        if problems:
            raise ValidationFailed(problems)
        if _store_members(session, meeting, members):
            meeting.updated_at = utcnow()
            audit(
                session,
                actor,
                "kdd_meeting.members",
                meeting,
                details={"number": _meeting_number(meeting), "members": len(members)},
            )
        session.flush()
        return meeting.version


def set_presence(db: Database, actor: Actor, member_id: uuid.UUID, present: bool) -> Quorum:
    """Mark a member present or absent at a planned meeting; returns the meeting's quorum."""
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        member = get_live(session, KddMember, member_id)
        meeting = member.meeting
        _require_planned(meeting)
        if member.present != present:
            member.present = present
            audit(
                session,
                actor,
                "kdd_meeting.presence",
                meeting,
                details={"number": _meeting_number(meeting), "member": member.full_name, "present": present},
            )
        session.flush()
        return _quorum(meeting)


def hold_meeting(db: Database, actor: Actor, meeting_id: uuid.UUID, expected_version: int) -> int:
    """Mark a meeting held: it needs a quorum and at least one agenda item with a decision.

    From then on its protocol is fixed (see the module's docstring). Returns the new version.
    """
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        meeting = get_live(session, KddMeeting, meeting_id, for_version=expected_version)
        _require_planned(meeting)
        number = _meeting_number(meeting)
        quorum = _quorum(meeting)
        problems: list[FieldProblem] = []
        if meeting.meeting_date > date.today():
            problems.append(
                FieldProblem(
                    "meeting_date",
                    _(
                        "Date: the meeting is on {date}; it can be marked held on that day or later.",
                        date=format_date(meeting.meeting_date),
                    ),
                )
            )
        if not quorum.reached:
            problems.append(
                FieldProblem(
                    "members",
                    _(
                        "No quorum: {present} of {total} members are present; more than half must be "
                        "present to hold the meeting.",
                        present=quorum.present,
                        total=quorum.total,
                    ),
                )
            )
        if not any(_live_decisions(item) for item in _live_items(meeting)):
            problems.append(
                FieldProblem("items", _("Agenda: record at least one decision before holding the meeting."))
            )
        if problems:
            raise ValidationFailed(problems)
        meeting.status = "held"
        audit(
            session,
            actor,
            "kdd_meeting.hold",
            meeting,
            details={"number": number, "present": quorum.present, "total": quorum.total},
        )
        session.flush()
        return meeting.version


def cancel_meeting(
    db: Database, actor: Actor, meeting_id: uuid.UUID, reason: str, expected_version: int
) -> int:
    """Cancel a planned meeting; the reason is required and kept in the audit log. Returns the new version."""
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        meeting = get_live(session, KddMeeting, meeting_id, for_version=expected_version)
        _require_planned(meeting)
        if not reason.strip():
            raise ValidationFailed([FieldProblem("reason", _("Reason: say why the meeting is cancelled."))])
        meeting.status = "cancelled"
        audit(
            session,
            actor,
            "kdd_meeting.cancel",
            meeting,
            details={"number": _meeting_number(meeting), "reason": reason.strip()},
        )
        session.flush()
        return meeting.version


# --- agenda ---------------------------------------------------------------------------


def _checked_case(
    session: Session, meeting: KddMeeting, case_id: uuid.UUID, item_id: uuid.UUID | None
) -> Case:
    case = session.get(Case, case_id)
    if case is None or case.deleted_at is not None:
        raise ValidationFailed([FieldProblem("case", _("Case: the case no longer exists."))])
    if case.status == "closed":
        raise ValidationFailed(
            [FieldProblem("case", _("The case {number} is closed; reopen it first.", number=case.number))]
        )
    if any(i.case_id == case.id and i.id != item_id for i in _live_items(meeting)):
        raise ValidationFailed(
            [
                FieldProblem(
                    "case",
                    _("The case {number} is already on this meeting's agenda.", number=case.number),
                )
            ]
        )
    return case


def _apply_item(item: KddAgendaItem, data: ItemInput, case: Case | None) -> None:
    title = data.title.strip()
    if not title and case is not None:
        title = f"{case.child.full_name} (№ {case.number})"
    if not title:
        raise ValidationFailed([FieldProblem("title", _("Title: say what the item is about."))])
    item.case_id = case.id if case else None
    item.child_id = case.child_id if case else None
    item.title = title
    item.reported_by = clean_text(data.reported_by)
    item.attendees = clean_text(data.attendees)
    item.parent_invited = data.parent_invited
    item.parent_attended = data.parent_attended
    item.discussion = clean_text(data.discussion)


def add_item(db: Database, actor: Actor, meeting_id: uuid.UUID, data: ItemInput) -> uuid.UUID:
    """Add an item at the end of a planned meeting's agenda; returns its id.

    An item about a case takes the case's child; the case must be open and not yet on the agenda.
    """
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        meeting = get_live(session, KddMeeting, meeting_id)
        _require_planned(meeting)
        case = _checked_case(session, meeting, data.case_id, None) if data.case_id else None
        items = _live_items(meeting)
        item = KddAgendaItem(meeting_id=meeting.id, position=max((i.position for i in items), default=0) + 1)
        _apply_item(item, data, case)
        session.add(
            item
        )  # by its meeting_id: a change of the agenda is not a change of the meeting's version
        audit(session, actor, "kdd_item.add", item, details=_audit_details(meeting, case))
        return item.id


def update_item(
    db: Database, actor: Actor, item_id: uuid.UUID, data: ItemInput, expected_version: int
) -> int:
    """Save an agenda item of a planned meeting (case, title, attendance, discussion); returns the version."""
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        item = get_live(session, KddAgendaItem, item_id, for_version=expected_version)
        meeting = item.meeting
        _require_planned(meeting)
        case = _checked_case(session, meeting, data.case_id, item.id) if data.case_id else None
        _apply_item(item, data, case)
        return audit_changes(session, actor, "kdd_item.update", item, _audit_details(meeting, case))


def move_item(db: Database, actor: Actor, item_id: uuid.UUID, offset: int) -> None:
    """Move an agenda item of a planned meeting *offset* places up (negative) or down."""
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        item = get_live(session, KddAgendaItem, item_id)
        meeting = item.meeting
        _require_planned(meeting)
        items = sorted(_live_items(meeting), key=lambda i: i.position)
        index = items.index(item)
        target = min(max(index + offset, 0), len(items) - 1)
        if target == index:
            return
        items.insert(target, items.pop(index))
        for position, each in enumerate(items, start=1):
            each.position = position
        _renumber_decisions(meeting)
        audit(
            session,
            actor,
            "kdd_item.move",
            item,
            details=_audit_details(meeting, _item_case(session, item), position=target + 1),
        )


def remove_item(db: Database, actor: Actor, item_id: uuid.UUID, expected_version: int) -> None:
    """Remove an item, with its decisions, from a planned meeting's agenda."""
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        item = get_live(session, KddAgendaItem, item_id, for_version=expected_version)
        meeting = item.meeting
        _require_planned(meeting)
        now = utcnow()
        for decision in _live_decisions(item):
            decision.deleted_at = now
        item.deleted_at = now
        audit(
            session,
            actor,
            "kdd_item.remove",
            item,
            details=_audit_details(meeting, _item_case(session, item)),
        )
        _renumber_decisions(meeting)


# --- decisions ------------------------------------------------------------------------


def _decision_problems(data: DecisionInput, meeting: KddMeeting) -> list[FieldProblem]:
    problems: list[FieldProblem] = []
    if not data.text.strip():
        problems.append(FieldProblem("text", _("Decision: write the text of the decision.")))
    if data.deadline is not None and data.deadline < meeting.meeting_date:
        problems.append(FieldProblem("deadline", _("Deadline: cannot be earlier than the meeting date.")))
    return problems


def _renumber_decisions(meeting: KddMeeting) -> None:
    """Number the live decisions of a planned meeting 1, 2, … in agenda order (then order of recording).

    Called after each change of the agenda or its decisions; a held meeting's numbers never change.
    """
    number = 0
    for item in sorted(_live_items(meeting), key=lambda i: i.position):
        for decision in _live_decisions(item):
            number += 1
            if decision.decision_no != number:
                decision.decision_no = number


def _apply_decision(decision: KddDecision, data: DecisionInput) -> None:
    decision.text = data.text.strip()
    decision.responsible_body = clean_text(data.responsible_body)
    decision.deadline = data.deadline
    decision.appeal_note = clean_text(data.appeal_note)


def add_decision(db: Database, actor: Actor, item_id: uuid.UUID, data: DecisionInput) -> uuid.UUID:
    """Record a decision on an agenda item of a planned meeting; decisions are numbered within the meeting."""
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        item = get_live(session, KddAgendaItem, item_id)
        meeting = item.meeting
        _require_planned(meeting)
        problems = _decision_problems(data, meeting)
        if problems:
            raise ValidationFailed(problems)
        decision = KddDecision(item_id=item.id, text="")
        _apply_decision(decision, data)
        decision.decision_no = 1 + max(
            (d.decision_no or 0 for i in _live_items(meeting) for d in _live_decisions(i)), default=0
        )
        session.add(decision)
        session.flush()
        session.expire(item, ["decisions"])
        _renumber_decisions(meeting)
        audit(
            session,
            actor,
            "kdd_decision.add",
            decision,
            details=_audit_details(meeting, _item_case(session, item), decision_no=decision.decision_no),
        )
        return decision.id


def update_decision(
    db: Database, actor: Actor, decision_id: uuid.UUID, data: DecisionInput, expected_version: int
) -> int:
    """Change a decision of a planned meeting; returns its new version.

    Once the meeting is held the decision is part of the protocol: a change of its text,
    responsible body, deadline or appeal note is refused; record the follow-up instead
    (:func:`record_follow_up`).
    """
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        decision = get_live(session, KddDecision, decision_id, for_version=expected_version)
        meeting = decision.item.meeting
        if meeting.status == "held":
            raise DomainError(
                _(
                    "The КДД meeting {number} is held: its decisions are part of the protocol and "
                    "cannot be changed. Record the follow-up of the decision instead.",
                    number=_meeting_number(meeting),
                )
            )
        _require_planned(meeting)
        problems = _decision_problems(data, meeting)
        if problems:
            raise ValidationFailed(problems)
        case = _item_case(session, decision.item)  # before the change: a query would flush it
        _apply_decision(decision, data)
        return audit_changes(
            session,
            actor,
            "kdd_decision.update",
            decision,
            _audit_details(meeting, case, decision_no=decision.decision_no),
        )


def remove_decision(db: Database, actor: Actor, decision_id: uuid.UUID, expected_version: int) -> None:
    """Remove a decision of a planned meeting; the others are numbered again."""
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        decision = get_live(session, KddDecision, decision_id, for_version=expected_version)
        meeting = decision.item.meeting
        _require_planned(meeting)
        decision.deleted_at = utcnow()
        audit(
            session,
            actor,
            "kdd_decision.remove",
            decision,
            details=_audit_details(
                meeting, _item_case(session, decision.item), decision_no=decision.decision_no
            ),
        )
        _renumber_decisions(meeting)


def record_follow_up(
    db: Database,
    actor: Actor,
    decision_id: uuid.UUID,
    *,
    done_on: date | None,
    follow_up: str | None,
    expected_version: int,
) -> int:
    """Record how a decision of a held meeting was carried out: done on a date (or not yet), and a note.

    Returns the decision's new version.
    """
    with unit_of_work(db, actor, Permission.KDD_WRITE) as session:
        decision = get_live(session, KddDecision, decision_id, for_version=expected_version)
        meeting = decision.item.meeting
        if meeting.status != "held":
            raise DomainError(_("Decisions are followed up once the meeting is marked held."))
        problems: list[FieldProblem] = []
        not_in_future(done_on, "done_on", _("Done on: cannot be in the future."), problems)
        if done_on is not None and done_on < meeting.meeting_date:
            problems.append(FieldProblem("done_on", _("Done on: cannot be earlier than the meeting date.")))
        if problems:
            raise ValidationFailed(problems)
        newly_done = decision.done_on is None and done_on is not None
        decision.done_on = done_on
        decision.follow_up = clean_text(follow_up)
        fields = changed_fields(decision)
        if fields:
            audit(
                session,
                actor,
                "kdd_decision.done" if newly_done else "kdd_decision.follow_up",
                decision,
                details=_audit_details(
                    meeting,
                    _item_case(session, decision.item),
                    decision_no=decision.decision_no,
                    fields=fields,
                    done_on=done_on.isoformat() if done_on else None,
                ),
            )
        session.flush()
        return decision.version


# --- reads ----------------------------------------------------------------------------


def _cancel_reason(session: Session, meeting: KddMeeting) -> str | None:
    if meeting.status != "cancelled":
        return None
    details = session.scalar(
        select(AuditEntry.details)
        .where(AuditEntry.entity_id == meeting.id, AuditEntry.action == "kdd_meeting.cancel")
        .order_by(AuditEntry.id.desc())
        .limit(1)
    )
    if not details:
        return None
    reason = json.loads(details).get("reason")
    return reason if isinstance(reason, str) else None


def _read_meeting(session: Session, meeting: KddMeeting) -> MeetingDetails:
    deadlines = DeadlineSettings.read(session)
    today = date.today()
    items = sorted(_live_items(meeting), key=lambda i: i.position)
    case_ids = [i.case_id for i in items if i.case_id]
    cases: dict[uuid.UUID, tuple[str, str]] = {}
    if case_ids:
        for case, person in session.execute(
            select(Case, Person).join(Person, Person.id == Case.child_id).where(Case.id.in_(case_ids))
        ):
            cases[case.id] = (case.number, person.full_name)
    item_details = []
    for item in items:
        number, child = cases.get(item.case_id, (None, None)) if item.case_id else (None, None)
        item_details.append(
            ItemDetails(
                id=item.id,
                version=item.version,
                position=item.position,
                case_id=item.case_id,
                case_number=number,
                child_name=child,
                title=item.title,
                reported_by=item.reported_by,
                attendees=item.attendees,
                parent_invited=item.parent_invited,
                parent_attended=item.parent_attended,
                discussion=item.discussion,
                decisions=tuple(
                    _decision_details(d, meeting, deadlines, today) for d in _live_decisions(item)
                ),
            )
        )
    members = sorted(_live_members(meeting), key=lambda m: m.position)
    return MeetingDetails(
        id=meeting.id,
        version=meeting.version,
        number=_meeting_number(meeting),
        status=meeting.status,
        data=MeetingInput(meeting.meeting_date, meeting.place, meeting.chair_name, meeting.secretary_name),
        members=tuple(MemberDetails(m.id, m.full_name, m.job_title, m.role, m.present) for m in members),
        quorum=_quorum(meeting),
        items=tuple(item_details),
        cancel_reason=_cancel_reason(session, meeting),
        kdd_decision_days=deadlines.kdd_decision_days,
    )


def get_meeting(
    db: Database, actor: Actor, meeting_id: uuid.UUID, *, record_view: bool = True
) -> MeetingDetails:
    """A meeting with its members, quorum, agenda and decisions.

    With *record_view* the view is written to the audit log (opening the window); a window
    reading the meeting again after its own write passes False.
    """
    if not record_view:
        require(actor, Permission.READ)
        with db.reading() as session:
            return _read_meeting(session, get_live(session, KddMeeting, meeting_id))
    with unit_of_work(db, actor, Permission.READ) as session:
        meeting = get_live(session, KddMeeting, meeting_id)
        audit(session, actor, "kdd_meeting.view", meeting, details={"number": _meeting_number(meeting)})
        return _read_meeting(session, meeting)


def case_kdd(db: Database, actor: Actor, case_id: uuid.UUID) -> list[CaseKddEntry]:
    """A case's agenda items (newest meeting first), each with its meeting and decisions."""
    require(actor, Permission.READ)
    with db.reading() as session:
        deadlines = DeadlineSettings.read(session)
        today = date.today()
        rows = session.execute(
            select(KddAgendaItem, KddMeeting)
            .join(KddMeeting, KddMeeting.id == KddAgendaItem.meeting_id)
            .where(
                KddAgendaItem.case_id == case_id,
                KddAgendaItem.deleted_at.is_(None),
                KddMeeting.deleted_at.is_(None),
            )
            .order_by(KddMeeting.meeting_date.desc(), KddMeeting.meeting_no.desc(), KddAgendaItem.position)
        ).all()
        return [
            CaseKddEntry(
                item_id=item.id,
                meeting_id=meeting.id,
                meeting_number=_meeting_number(meeting),
                meeting_date=meeting.meeting_date,
                meeting_status=meeting.status,
                title=item.title,
                parent_invited=item.parent_invited,
                parent_attended=item.parent_attended,
                decisions=tuple(
                    _decision_details(d, meeting, deadlines, today) for d in _live_decisions(item)
                ),
            )
            for item, meeting in rows
        ]


_CASE_NUMBER = re.compile(r"(?:№\s*)?(\d{1,9})(?:\s*/\s*(\d{4}))?")


def open_case_choices(db: Database, actor: Actor, text: str) -> list[CaseChoice]:
    """Open cases whose № (``12`` or ``12/2026``) or child's name match *text*.

    Each word starts a part of the child's name; of several words, the longest starts the last or
    first name.

    At most :data:`CASE_CHOICES_LIMIT`, newest first; an empty text finds nothing.
    """
    require(actor, Permission.READ)
    text = text.strip()
    if not text:
        return []
    conditions = [Case.deleted_at.is_(None), Case.status != "closed", Person.deleted_at.is_(None)]
    if match := _CASE_NUMBER.fullmatch(text):
        conditions.append(Case.case_no == int(match[1]))
        if match[2]:
            conditions.append(Case.case_year == int(match[2]))
    else:
        keys = query_keys(text)
        if not keys:
            return []
        if len(keys) > 1:
            # The longest word starts the last or first name: a range of their indexes finds few
            # candidates (one short word is answered faster by walking the newest cases).
            anchor = max(keys, key=len)
            conditions.append(
                or_(
                    and_(Person.last_name_key >= anchor, Person.last_name_key < prefix_upper_bound(anchor)),
                    and_(Person.first_name_key >= anchor, Person.first_name_key < prefix_upper_bound(anchor)),
                )
            )
        for key in keys:
            upper = prefix_upper_bound(key)
            conditions.append(
                or_(
                    and_(Person.last_name_key >= key, Person.last_name_key < upper),
                    and_(Person.first_name_key >= key, Person.first_name_key < upper),
                    and_(Person.patronymic_key >= key, Person.patronymic_key < upper),
                )
            )
    with db.reading() as session:
        rows = session.execute(
            select(Case.id, Case.case_no, Case.case_year, Case.status, Person)
            .join(Person, Person.id == Case.child_id)
            .where(*conditions)
            .order_by(Case.case_year.desc(), Case.case_no.desc())
            .limit(CASE_CHOICES_LIMIT)
        ).all()
        return [
            CaseChoice(
                row.id,
                f"{row.case_no}/{row.case_year}",
                row.Person.full_name,
                row.Person.birth_date,
                row.status,
            )
            for row in rows
        ]


def planned_meetings(db: Database, actor: Actor) -> list[MeetingRef]:
    """The office's planned meetings, soonest first, to put a case on an agenda."""
    require(actor, Permission.READ)
    with db.reading() as session:
        counts = (
            select(KddAgendaItem.meeting_id, func.count().label("n"))
            .where(KddAgendaItem.deleted_at.is_(None))
            .group_by(KddAgendaItem.meeting_id)
            .subquery()
        )
        rows = session.execute(
            select(KddMeeting, func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.meeting_id == KddMeeting.id)
            .where(KddMeeting.status == "planned", KddMeeting.deleted_at.is_(None))
            .order_by(KddMeeting.meeting_date, KddMeeting.meeting_no)
        ).all()
        return [MeetingRef(m.id, _meeting_number(m), m.meeting_date, m.place, int(n)) for m, n in rows]
