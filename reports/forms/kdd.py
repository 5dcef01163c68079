"""The papers of the commission on children's affairs (КДД): a meeting's agenda and protocol, the
decision (постановление) on an agenda item, and the notices inviting parents or guardians.

All four carry the commission's letterhead (:func:`commission_letterhead`): the commission is a body
of the district administration, named from the office's district. The command names a meeting by
``--meeting N/YYYY`` and an agenda item by ``--item K`` (its place on the agenda); the desktop client
passes the meeting's id (agenda, protocol) or the agenda item's id (decision, notices).

Notices: one page per person invited to the item (each caregiver of the child's household). Given
no item, ``kdd-notice --meeting N/YYYY`` prints the notices of every item with parents invited, one
PDF for the whole meeting.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer, Table, TableStyle

from models.database import Database
from models.errors import DomainError, NotFound
from models.i18n import N_, _
from models.papers.kdd import (
    DecisionLine,
    Invitee,
    ItemLine,
    MeetingPaper,
    decided,
    invited,
    item_by_number,
    item_paper,
    meeting_id_by_number,
    meeting_paper,
    protocol_paper,
)
from models.services.base import Actor
from models.services.documents import PrintedRecord

from reports.catalog import FormSpec, Made, Option, Target
from reports.fonts import REGULAR
from reports.forms.case_papers import banner, section, yes_no
from reports.language import Texts, date_text
from reports.layout import (
    Rendered,
    SignatureLine,
    build,
    content_width,
    data_table,
    fields,
    heading,
    outgoing_number,
    para,
    signatures,
    styles,
    text,
    title,
)

AGENDA_TITLE = N_("КДД meeting agenda")
PROTOCOL_TITLE = N_("КДД meeting protocol")
DECISION_TITLE = N_("КДД decision")
NOTICE_TITLE = N_("Notice of a КДД meeting")
REPUBLIC = N_("KYRGYZ REPUBLIC")
COMMISSION_OF = N_("Commission on Children's Affairs of {district}")
COMMISSION = N_("Commission on Children's Affairs")
DEFAULT_APPEAL_NOTE = N_(
    "This decision may be appealed to a higher body or to a court in the manner and within the time "
    "established by the legislation of the Kyrgyz Republic."
)
MEETING_OPTION = Option("--meeting", N_("№ of the КДД meeting"), "3/2026")
ITEM_OPTION = Option("--item", N_("agenda item (1, 2, …)"), "2")
HAND_TIME = "____ : ____"  # the meeting's time is written by hand: meetings record no time


# --- shared blocks ------------------------------------------------------------------------------


def commission_name(paper: MeetingPaper, t: Texts, lang: str) -> str:
    """The commission's name in *lang*, from the office's district ("Комиссия по делам детей
    Сокулукского района")."""
    district = getattr(paper.commission_of, lang)
    return t.one(lang, COMMISSION_OF, district=district) if district else t.one(lang, COMMISSION)


def commission_letterhead(paper: MeetingPaper, t: Texts) -> list[Flowable]:
    """The Kyrgyz Republic and the commission's name in Kyrgyz (left) and Russian (right), a rule, the
    contact of the office that serves as its secretariat."""
    width = content_width()

    def side(lang: str) -> list[Flowable]:
        return [
            para(t.one(lang, REPUBLIC).upper(), "letterhead"),
            para(commission_name(paper, t, lang).upper(), "letterhead"),
        ]

    head = Table([[side("ky"), "", side("ru")]], colWidths=[width * 0.46, width * 0.08, width * 0.46])
    head.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    rule = Table([[""]], colWidths=[width], rowHeights=[3])
    rule.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("LINEABOVE", (0, 0), (-1, -1), 1.2, colors.black),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.black),
            ]
        )
    )
    story: list[Flowable] = [head, Spacer(1, 3), rule]
    phone = t("tel. {phone}", phone=paper.office.phone) if paper.office.phone else ""
    contact = ", ".join(part for part in (paper.office.address, phone) if part)
    if contact:
        story.append(para(contact, "small_center"))
    story.append(Spacer(1, 6))
    return story


def pdf_title(t: Texts, msgid: str, number: str) -> str:
    return f"{' / '.join(t.each(msgid))} № {number}"


def meeting_rows(paper: MeetingPaper, t: Texts, *, time: bool = False) -> list[tuple[str, str]]:
    rows = [(t("Date"), date_text(paper.meeting_date))]
    if time:
        rows.append((t("Time"), HAND_TIME))
    rows += [(t("Place"), paper.place), (t("Chair"), paper.chair), (t("Secretary"), paper.secretary)]
    return rows


def draft_banner(paper: MeetingPaper, t: Texts) -> list[Flowable]:
    """A framed notice on a protocol or decision of a meeting not yet marked held."""
    if paper.held:
        return []
    return [banner(t.lines("DRAFT: the meeting is not marked held yet.")), Spacer(1, 6)]


def child_text(item: ItemLine) -> str:
    """The child of an item with the date of birth ("Үсөнбаева Ңурзат Ёлкиновна, 01.02.2015")."""
    if item.child is None:
        return ""
    if item.child.birth_date is None:
        return item.child.name
    return f"{item.child.name}, {date_text(item.child.birth_date)}"


def child_rows(item: ItemLine, t: Texts) -> list[tuple[str, str]]:
    """The child's name, date of birth and the case №, as rows of :func:`fields`."""
    rows: list[tuple[str, str]] = []
    if item.child is not None:
        rows.append((t("Child (full name)"), item.child.name))
        rows.append((t("Date of birth"), date_text(item.child.birth_date) if item.child.birth_date else ""))
    if item.case_number:
        rows.append((t("Case №"), item.case_number))
    return rows


def point(number: str, value: str, style: str = "body") -> Paragraph:
    """A numbered point whose text wraps under itself and flows across pages ("1. …")."""
    base = styles()[style]
    hanging = ParagraphStyle(
        f"{style}_point",
        parent=base,
        leftIndent=16,
        bulletIndent=0,
        bulletFontName=base.fontName,
        spaceAfter=2,
    )
    return Paragraph(text(value), hanging, bulletText=number)


def decision_points(decisions: Sequence[DecisionLine], t: Texts) -> list[Flowable]:
    """Each decision: its text as a numbered point, then the responsible body and the deadline."""
    story: list[Flowable] = []
    for number, decision in enumerate(decisions, start=1):
        story.append(point(f"{number}.", decision.text))
        story.append(
            fields(
                [
                    (t("Responsible body"), decision.responsible_body),
                    (t("Deadline"), date_text(decision.due)),
                ],
                label_share=0.34 if t.bilingual else 0.25,
            )
        )
        story.append(Spacer(1, 4))
    return story


def chair_and_secretary(paper: MeetingPaper, t: Texts) -> Flowable:
    return signatures(
        t,
        [
            SignatureLine(t("Chair of the commission"), paper.chair),
            SignatureLine(t("Secretary of the commission"), paper.secretary),
        ],
    )


def item_records(paper: MeetingPaper, items: Sequence[ItemLine]) -> tuple[PrintedRecord, ...]:
    """The meeting and the agenda items a paper shows: each case's Documents tab lists it by its item."""
    return (
        PrintedRecord("kdd_meetings", paper.meeting_id),
        *(PrintedRecord("kdd_agenda_items", item.item_id) for item in items),
    )


# --- the agenda -----------------------------------------------------------------------------------


def render_agenda(paper: MeetingPaper, t: Texts) -> Rendered:
    """The meeting's date, time, place, chair and secretary, and the table of its agenda items."""
    story: list[Flowable] = [*commission_letterhead(paper, t)]
    story += title(t.lines("Agenda of the meeting of the commission"), subtitle="№ " + paper.number)
    story.append(fields(meeting_rows(paper, t, time=True), label_share=0.3 if t.bilingual else 0.22))
    story.append(heading(t("Questions on the agenda")))
    if paper.items:
        rows = [
            [
                str(item.number),
                item.title,
                "\n".join(
                    part for part in (child_text(item), item.case_number and "№ " + item.case_number) if part
                ),
                item.reported_by,
            ]
            for item in paper.items
        ]
        story.append(
            data_table(
                [t("№"), t("Question"), t("Child, case №"), t("Reported by")], rows, (0.06, 0.44, 0.28, 0.22)
            )
        )
    else:
        story.append(para(t("No items are on the agenda yet.")))
    story.append(signatures(t, [SignatureLine(t("Secretary of the commission"), paper.secretary)]))
    return build(story, t, title=pdf_title(t, AGENDA_TITLE, paper.number))


# --- the protocol ------------------------------------------------------------------------------------


def quorum_line(paper: MeetingPaper, t: Texts) -> list[str]:
    """ "Present: 3 of 4 members; the quorum is reached." (or not reached), one line per language."""
    quorum = paper.quorum
    if quorum.reached:
        return t.lines(
            "Present: {present} of {total} members of the commission; the quorum is reached.",
            present=quorum.present,
            total=quorum.total,
        )
    return t.lines(
        "Present: {present} of {total} members of the commission; the quorum is not reached.",
        present=quorum.present,
        total=quorum.total,
    )


def render_protocol(paper: MeetingPaper, t: Texts) -> Rendered:
    """Members and quorum, the agenda, then per item: heard, discussion, decisions; signatures."""
    story: list[Flowable] = [*commission_letterhead(paper, t)]
    story += title(t.lines("Protocol of the meeting of the commission"), subtitle="№ " + paper.number)
    story += draft_banner(paper, t)
    story.append(fields(meeting_rows(paper, t), label_share=0.3 if t.bilingual else 0.22))
    story += section(t("Members of the commission"))
    if paper.members:
        rows = [
            [str(number), member.name, member.job_title, t(member.role), yes_no(t, member.present)]
            for number, member in enumerate(paper.members, start=1)
        ]
        story.append(
            data_table(
                [t("№"), t("Full name"), t("Position"), t("Role"), t("Present")],
                rows,
                (0.05, 0.31, 0.27, 0.19, 0.18),
            )
        )
    story += [Spacer(1, 3), *(para(line) for line in quorum_line(paper, t))]
    story += section(t("Agenda"))
    story += [point(f"{item.number}.", item.title) for item in paper.items]
    for item in paper.items:
        story += _protocol_item(item, t)
    story.append(chair_and_secretary(paper, t))
    return build(story, t, title=pdf_title(t, PROTOCOL_TITLE, paper.number))


def _protocol_item(item: ItemLine, t: Texts) -> list[Flowable]:
    story: list[Flowable] = [*section(f"{item.number}. {item.title}")]
    rows = [*child_rows(item, t), (t("Heard"), item.reported_by), (t("Attending"), item.attendees)]
    if item.parent_invited:
        names = "; ".join(invitee.name for invitee in item.invitees if invitee.name)
        attended = t("not recorded") if item.parent_attended is None else yes_no(t, item.parent_attended)
        rows.append((t("Parents or guardians invited"), names or t("Yes")))
        rows.append((t("Parents or guardians attended"), attended))
    rows.append((t("Discussion"), item.discussion))
    story.append(fields(rows, label_share=0.34 if t.bilingual else 0.25))
    story.append(para(t("DECIDED:"), "heading"))
    if item.decisions:
        story += decision_points(item.decisions, t)
    else:
        story.append(para(t("No decision was recorded on this item.")))
    return story


# --- the decision (постановление) --------------------------------------------------------------------


def decision_number(paper: MeetingPaper, item: ItemLine) -> str:
    """The decision's №: the meeting's № and the item's place on the agenda ("3/2026/2")."""
    return f"{paper.number}/{item.number}"


def render_decision(paper: MeetingPaper, item: ItemLine, t: Texts) -> Rendered:
    """The commission's decision on one agenda item: what it considered, the points, the appeal note."""
    number = decision_number(paper, item)
    story: list[Flowable] = [*commission_letterhead(paper, t)]
    story += title(t.lines("Resolution"), subtitle="№ " + number)
    story += draft_banner(paper, t)
    width = content_width()
    place_line = Table(
        [[para(date_text(paper.meeting_date), "left"), para(paper.place, "right")]],
        colWidths=[width * 0.4, width * 0.6],
    )
    place_line.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [place_line, Spacer(1, 6)]
    for line in t.lines(
        "The commission, at its meeting № {number}, having considered the matter «{question}»,",
        number=paper.number,
        question=item.title,
    ):
        story.append(para(line))
    rows = child_rows(item, t)
    if item.child is not None:
        rows.insert(2, (t("Address"), t.value(item.child.address)))
    rows.append((t("Heard"), item.reported_by))
    story += [Spacer(1, 3), fields(rows, label_share=0.3 if t.bilingual else 0.22)]
    story += [para(t("DECIDES:"), "heading"), *decision_points(item.decisions, t)]
    notes = list(dict.fromkeys(d.appeal_note for d in item.decisions if d.appeal_note))
    story += [para(note, "small") for note in notes] or [
        para(line, "small") for line in t.lines(DEFAULT_APPEAL_NOTE)
    ]
    story.append(chair_and_secretary(paper, t))
    return build(story, t, title=pdf_title(t, DECISION_TITLE, number))


# --- the notices -------------------------------------------------------------------------------------


def notice_pages(paper: MeetingPaper, items: Sequence[ItemLine], t: Texts) -> list[Flowable]:
    """One page per person invited to each of *items*."""
    story: list[Flowable] = []
    for item in items:
        for invitee in item.invitees:
            if story:
                story.append(PageBreak())
            story += _notice(paper, item, invitee, t)
    return story


def _notice(paper: MeetingPaper, item: ItemLine, invitee: Invitee, t: Texts) -> list[Flowable]:
    story: list[Flowable] = [*commission_letterhead(paper, t), outgoing_number(t, None, date_text(None))]
    relation = t.value(invitee.relation)
    to = f"{invitee.name} ({relation})" if invitee.name and relation else invitee.name
    addressee = [to or "______________________________"]
    if not invitee.name and item.child is not None:
        addressee = [t("To the parent or legal representative of {child}", child=item.child.name)]
    where = t.value(invitee.address)
    story += [Spacer(1, 4), addressee_block([*addressee, where]), Spacer(1, 8)]
    story += title(t.lines("Notice"))
    for line in t.lines(
        "The commission on children's affairs invites you to its meeting, where the matter of the child "
        "named below will be considered."
    ):
        story.append(para(line))
    rows = [
        (t("Date"), date_text(paper.meeting_date)),
        (t("Time"), HAND_TIME),
        (t("Place"), paper.place),
        (t("Question"), item.title),
    ]
    if item.child is not None:
        rows.append((t("Child"), child_text(item)))
    story += [Spacer(1, 4), fields(rows, label_share=0.3 if t.bilingual else 0.22), Spacer(1, 6)]
    story.append(para(t("Please bring"), "heading"))
    for line in t.lines(
        "your passport and the child's documents (birth certificate, and a certificate from the school "
        "or kindergarten if you have one)."
    ):
        story.append(para(line))
    story.append(Spacer(1, 4))
    for line in t.lines(
        "If you cannot come, please tell the secretary of the commission beforehand. If nobody comes, "
        "the commission may consider the matter in your absence."
    ):
        story.append(para(line))
    contact = ", ".join(part for part in (paper.office.phone, paper.office.address) if part)
    story += [
        Spacer(1, 4),
        fields([(t("Contact"), contact)], label_share=0.3 if t.bilingual else 0.22),
        signatures(t, [SignatureLine(t("Secretary of the commission"), paper.secretary)]),
    ]
    return story


def addressee_block(lines: Sequence[str]) -> Flowable:
    """The addressee in the right half of the page, as on a letter."""
    width = content_width()
    block = Table(
        [["", [para(line, "left") for line in lines if line]]], colWidths=[width * 0.45, width * 0.55]
    )
    block.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return block


def render_notices(paper: MeetingPaper, items: Sequence[ItemLine], number: str, t: Texts) -> Rendered:
    return build(notice_pages(paper, items, t), t, title=pdf_title(t, NOTICE_TITLE, number))


# --- the forms -------------------------------------------------------------------------------------------


def _meeting_id(db: Database, actor: Actor, target: Target) -> uuid.UUID:
    if target.record_id is not None:
        return target.record_id
    number = target.options.get("meeting")
    if not number:
        raise NotFound(_("Choose the КДД meeting to print."))
    return meeting_id_by_number(db, actor, str(number))


def _item_number(target: Target) -> int | None:
    value = target.options.get("item")
    if value in (None, ""):
        return None
    try:
        return int(str(value))
    except ValueError:
        raise DomainError(
            _("The agenda item must be a number (1, 2, …), not {value}.", value=value)
        ) from None


def _item(db: Database, actor: Actor, target: Target) -> tuple[MeetingPaper, ItemLine]:
    """The meeting and item the target names: the desktop's item id, or --meeting with --item."""
    if target.record_id is not None:
        return item_paper(db, actor, target.record_id)
    number = _item_number(target)
    if number is None:
        raise NotFound(_("Choose the agenda item (--item) of the КДД meeting."))
    paper = meeting_paper(db, actor, _meeting_id(db, actor, target))
    return paper, item_by_number(paper, number)


def _make_agenda(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    paper = meeting_paper(db, actor, _meeting_id(db, actor, target))
    return Made(render_agenda(paper, t), paper.number, item_records(paper, paper.items))


def _make_protocol(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    paper = protocol_paper(db, actor, _meeting_id(db, actor, target))
    return Made(render_protocol(paper, t), paper.number, item_records(paper, paper.items))


def _make_decision(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    paper, item = _item(db, actor, target)
    decided(paper, item)
    return Made(render_decision(paper, item, t), decision_number(paper, item), item_records(paper, [item]))


def _make_notice(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    if target.record_id is None and _item_number(target) is None:
        paper = meeting_paper(db, actor, _meeting_id(db, actor, target))
        items = [item for item in paper.items if item.parent_invited]
        if not items:
            raise DomainError(
                _(
                    "Nobody is invited to the КДД meeting {number}: there are no notices to print.",
                    number=paper.number,
                )
            )
        return Made(render_notices(paper, items, paper.number, t), paper.number, item_records(paper, items))
    paper, item = _item(db, actor, target)
    invited(paper, item)
    number = decision_number(paper, item)
    return Made(render_notices(paper, [item], number, t), number, item_records(paper, [item]))


FORMS = [
    FormSpec("kdd-agenda", AGENDA_TITLE, _make_agenda, options=(MEETING_OPTION,), order=40),
    FormSpec("kdd-protocol", PROTOCOL_TITLE, _make_protocol, options=(MEETING_OPTION,), order=41),
    FormSpec("kdd-decision", DECISION_TITLE, _make_decision, options=(MEETING_OPTION, ITEM_OPTION), order=42),
    FormSpec(
        "kdd-notice",
        NOTICE_TITLE,
        _make_notice,
        options=(
            MEETING_OPTION,
            Option(
                "--item",
                N_("agenda item (1, 2, …); without it, the notices of every item"),
                "2",
                required=False,
            ),
        ),
        order=43,
    ),
]
