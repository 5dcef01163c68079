"""The papers of a case: the plan (ИПЗР or the plan of work with the family) and the child's
registration card, and the pieces every case paper shares (the case block, the status banner,
the option that names the case). The assessments are in :mod:`reports.forms.assessments`.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from models.database import Database
from models.errors import DomainError, NotFound
from models.i18n import N_, _
from models.papers import Bilingual
from models.papers.case import (
    CaseLine,
    CasePaper,
    ChildCard,
    PlanPaper,
    case_id_by_number,
    child_card,
    plan_id_for_case,
    plan_paper,
)
from models.services.base import Actor
from models.services.documents import PrintedRecord

from reports.catalog import FormSpec, Made, Option, Target
from reports.fonts import REGULAR
from reports.language import Texts, date_text
from reports.layout import (
    Rendered,
    SignatureLine,
    blank_lines,
    build,
    content_width,
    data_table,
    fields,
    heading,
    letterhead,
    para,
    signatures,
    text,
    title,
)

PLAN_TITLE = N_("Child protection plan")
CARD_TITLE = N_("Child registration card")
CASE_OPTION = Option("--case", N_("case №"), "3/2026")
SECTION_ROOM = 30 * mm  # the least room a section needs below its heading on the page


# --- shared by the case papers -----------------------------------------------------------------


def case_from_options(db: Database, actor: Actor, target: Target, missing: str) -> uuid.UUID:
    """The case the command's --case names; *missing* (an N_ msgid) when it names none."""
    number = target.options.get("case")
    if not number:
        raise NotFound(_(missing))
    return case_id_by_number(db, actor, str(number))


def yes_no(t: Texts, value: bool | None) -> str:
    """A recorded yes/no answer in the document's language ("not recorded" when nobody answered)."""
    if value is None:
        return t("not recorded")
    return t("Yes") if value else t("No")


def values(t: Texts, items: Sequence[Bilingual]) -> str:
    """Reference names (categories) in the document's language, separated by semicolons."""
    return "; ".join(t.value(item) for item in items)


def with_notes(t: Texts, flag: bool, notes: str) -> str:
    """A yes/no with the notes typed about it ("Yes — blind in one eye")."""
    return f"{yes_no(t, flag)} — {notes}" if notes else yes_no(t, flag)


def child_rows(paper: CasePaper, t: Texts) -> list[tuple[str, str]]:
    """The case and its child, as every case paper names them."""
    child = paper.child
    return [
        (t("Case №"), paper.case.number),
        (t("Child (full name)"), child.name),
        (t("Date of birth"), date_text(child.birth_date) if child.birth_date else ""),
        (t("PIN"), child.pin or ""),
        (t("Address"), t.value(child.address)),
    ]


def banner(lines: Sequence[str]) -> Flowable:
    """A framed notice under the title: a draft, a replaced version, an assessment not completed."""
    width = content_width()
    table = Table([[[para(line, "center") for line in lines]]], colWidths=[width])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
            ]
        )
    )
    return table


def text_block(label: str, value: str) -> list[Flowable]:
    """A heading and a long typed text under it (ruled lines to fill in by hand when nothing was typed)."""
    return [*section(label), para(value) if value else blank_lines(2)]


def numbered(items: Sequence[str]) -> list[Flowable]:
    """Typed items numbered 1., 2., … each wrapping under its own number."""
    width = content_width()
    if not items:
        return []
    rows = [[para(f"{number}.", "left"), para(item)] for number, item in enumerate(items, start=1)]
    table = Table(rows, colWidths=[width * 0.05, width * 0.95], hAlign="LEFT", splitInRow=30)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), REGULAR),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [table]


def section(label: str) -> list[Flowable]:
    """A section heading that starts a new page when too little room is left for what follows it.

    Not keepWithNext: that keeps the whole following table with it, and a long table would then
    start on a new page and leave the previous one half empty.
    """
    return [CondPageBreak(SECTION_ROOM), heading(label)]


def small_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float]
) -> Flowable:
    """A :func:`data_table` in the small type, so that dates, ПИНs and statuses fit their columns."""
    cells = [[cell if isinstance(cell, Flowable) else para(cell, "small") for cell in row] for row in rows]
    return data_table(headers, cells, widths)


def worker_line(t: Texts, paper: CasePaper) -> SignatureLine:
    worker = paper.case.worker
    return SignatureLine(worker.position or t("Responsible worker"), worker.name)


def document_title(t: Texts, msgid: str, number: str) -> str:
    """The PDF's title: the form's name in the document's languages and the case №."""
    return f"{' / '.join(t.each(msgid))} № {number}"


# --- the plan ----------------------------------------------------------------------------------


def render_plan(paper: PlanPaper, t: Texts) -> Rendered:
    """The plan: the case and child, goals, the actions table, reviews, participation, approval."""
    story: list[Flowable] = [*letterhead(paper.office, t)]
    subtitle = t(
        "Case № {case}, plan № {plan}, revision {revision}",
        case=paper.case.number,
        plan=paper.plan_no,
        revision=paper.revision,
    )
    story += title(t.lines(paper.kind), subtitle)
    if paper.status == "draft":
        story += [banner(t.lines("DRAFT: the plan is not approved yet.")), Spacer(1, 6)]
    elif paper.status == "superseded":
        story += [
            banner(t.lines("This version was replaced by a newer one; it is shown as it was.")),
            Spacer(1, 6),
        ]
    story.append(
        fields(
            [
                *child_rows(paper, t),
                (t("Categories"), values(t, paper.case.categories)),
                (t("Risk level"), t.value(paper.case.risk)),
                (t("Responsible worker"), paper.case.worker.name),
                (t("Start date"), date_text(paper.start_date)),
                (t("Review date"), date_text(paper.review_date)),
                (t("Status"), t(paper.status_label)),
            ]
        )
    )
    story += [*section(t("Goals")), *numbered(paper.goals)]
    if not paper.goals:
        story.append(para(t("No goals are written yet.")))
    story += [*section(t("Actions")), _actions_table(paper, t)]
    story += [*section(t("Reviews")), _reviews(paper, t)]
    if paper.notes:
        story += text_block(t("Notes"), paper.notes)
    participation = fields(
        [
            (t("The child took part"), yes_no(t, paper.child_participated)),
            (t("The family took part"), yes_no(t, paper.family_participated)),
        ],
        label_share=0.5,
    )
    story.append(
        KeepTogether([heading(t("Participation")), participation, signatures(t, _participants(paper, t))])
    )
    if paper.status == "draft" or paper.approved_on is None:
        approval = t.lines("Not approved yet.")
    else:
        approval = t.lines(
            "Approved by {name} on {date}.", name=paper.approved_by, date=date_text(paper.approved_on)
        )
    head = SignatureLine(t("Head of department"), paper.approved_by or paper.head.name)
    story.append(
        KeepTogether(
            [heading(t("Approval")), *(para(line, "left") for line in approval), signatures(t, [head])]
        )
    )
    return build(story, t, title=document_title(t, PLAN_TITLE, paper.case.number))


def _actions_table(paper: PlanPaper, t: Texts) -> Flowable:
    """The actions with repeated headers: №, need, action and service, who, due, status, result."""
    if not paper.actions:
        return para(t("No actions are planned yet."))
    rows = []
    for action in paper.actions:
        what = text(action.description)
        if action.service:
            what += f"<br/><i>{text(t.value(action.service))}</i>"
        who = "<br/>".join(
            text(part) for part in (t.value(action.organisation), action.responsible_person) if part
        )
        rows.append(
            [
                str(action.number),
                action.need,
                para(what, "small", markup=True),
                para(who, "small", markup=True),
                date_text(action.due_date) if action.due_date else "",
                t(action.status),
                action.result,
            ]
        )
    headers = [
        "№",
        t("Need"),
        t("Action and service"),
        t("Responsible organisation and person"),
        t("Due date"),
        t("Status"),
        t("Result"),
    ]
    return small_table(headers, rows, (4, 14, 24, 17, 12, 16, 13))


def _reviews(paper: PlanPaper, t: Texts) -> Flowable:
    if not paper.reviews:
        return para(t("No reviews yet."))
    rows = [
        [date_text(review.review_date), review.reviewer, review.changes, date_text(review.next_review_date)]
        for review in paper.reviews
    ]
    headers = [t("Review date"), t("Reviewer"), t("What changed"), t("Next review")]
    return small_table(headers, rows, (14, 22, 50, 14))


def _participants(paper: PlanPaper, t: Texts) -> list[SignatureLine]:
    """Who signs the plan: the child, the family (each caregiver, or a blank line), the worker."""
    family = [SignatureLine(t("Parent or legal representative"), name) for name in paper.caregivers]
    return [
        SignatureLine(t("Child"), paper.child.name),
        *(family or [SignatureLine(t("Parent or legal representative"), "")]),
        worker_line(t, paper),
    ]


def _make_plan(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    plan_id = target.record_id
    if plan_id is None:
        case_id = case_from_options(db, actor, target, N_("Choose the case whose plan to print."))
        revision = target.options.get("revision")
        try:
            number = int(revision) if revision else None
        except ValueError:
            raise DomainError(_("The revision {revision} is not a number.", revision=revision)) from None
        kind = str(target.options["kind"]) if target.options.get("kind") else None
        plan_id = plan_id_for_case(db, actor, case_id, revision=number, kind=kind)
    paper = plan_paper(db, actor, plan_id)
    return Made(render_plan(paper, t), paper.case.number, (PrintedRecord("plans", paper.plan_id),))


# --- the child's registration card -------------------------------------------------------------


def render_card(card: ChildCard, t: Texts) -> Rendered:
    """The card: the child's record, the household and its members, the child's cases."""
    child = card.child
    story: list[Flowable] = [*letterhead(card.office, t)]
    story += title(t.lines(CARD_TITLE), t("Case № {number}", number=card.printed_from.number))
    pin = child.pin
    if pin and child.pin_verified:
        pin = f"{pin} ({t('Checked against a document')})"
    certificate = ", ".join(
        part
        for part in (
            child.birth_certificate,
            date_text(child.birth_cert_date) if child.birth_cert_date else "",
            child.birth_cert_issuer,
        )
        if part
    )
    school = ", ".join(part for part in (child.school, child.school_class) if part)
    story += [
        *section(t("Child")),
        fields(
            [
                (t("Full name"), child.name),
                (t("Sex"), t(child.sex) if child.sex else ""),
                (t("Date of birth"), date_text(child.birth_date) if child.birth_date else ""),
                (t("PIN"), pin),
                (t("Birth certificate"), certificate),
                (t("Citizenship"), child.citizenship),
                (t("Address"), t.value(child.address)),
                (t("School or kindergarten"), school),
                (t("Has a disability"), with_notes(t, child.disability, child.disability_notes)),
                (t("Documents are missing"), with_notes(t, child.documents_missing, child.documents_notes)),
                (t("Languages"), child.languages),
                *([(t("Notes"), child.notes)] if child.notes else []),
            ]
        ),
        *section(t("Household")),
    ]
    if card.members or card.household_address:
        story.append(
            fields(
                [
                    (t("Address"), t.value(card.household_address)),
                    (t("Housing"), card.housing),
                    (t("Sources of income"), card.income_sources),
                    (t("Benefits received"), card.benefits),
                ]
            )
        )
        story += [Spacer(1, 6), _members_table(card, t)]
    else:
        story.append(para(t("No household is recorded.")))
    story += [*section(t("Cases")), _cases_table(card.cases, t), Spacer(1, 6)]
    worker = card.printed_from.worker
    story.append(signatures(t, [SignatureLine(worker.position or t("Responsible worker"), worker.name)]))
    return build(story, t, title=document_title(t, CARD_TITLE, card.printed_from.number))


def _members_table(card: ChildCard, t: Texts) -> Flowable:
    if not card.members:
        return para(t("No household members are recorded."))
    rows = []
    for member in card.members:
        migration = ""
        if member.in_migration:
            migration = member.migration_country or t("Yes")
        rows.append(
            [
                t.value(member.relation),
                member.name,
                date_text(member.birth_date) if member.birth_date else "",
                member.pin,
                member.phone,
                member.occupation,
                migration,
            ]
        )
    headers = [
        t("Relation"),
        t("Full name"),
        t("Date of birth"),
        t("PIN"),
        t("Phone"),
        t("Occupation"),
        t("Labour migration"),
    ]
    return small_table(headers, rows, (14, 17, 12, 16, 11, 15, 15))


def _cases_table(cases: Sequence[CaseLine], t: Texts) -> Flowable:
    rows = [
        [
            case.number,
            date_text(case.opened_on),
            t(case.status) + (f" {date_text(case.closed_on)}" if case.closed_on else ""),
            values(t, case.categories),
            t.value(case.risk),
            case.worker.name,
        ]
        for case in cases
    ]
    headers = [
        t("Case №"),
        t("Opened on"),
        t("Status"),
        t("Categories"),
        t("Risk level"),
        t("Responsible worker"),
    ]
    return small_table(headers, rows, (10, 12, 15, 27, 14, 22))


def _make_card(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    case_id = target.record_id or case_from_options(
        db, actor, target, N_("Choose the case whose child to print.")
    )
    card = child_card(db, actor, case_id)
    records = tuple(PrintedRecord("cases", case.case_id) for case in card.cases)
    return Made(render_card(card, t), card.printed_from.number, records)


FORMS = [
    FormSpec(
        "case-plan",
        PLAN_TITLE,
        _make_plan,
        options=(
            CASE_OPTION,
            Option("--revision", N_("revision of the plan (default: the one in force)"), "2", required=False),
            Option(
                "--kind",
                N_("kind of plan (default: the one in force)"),
                choices=("child", "family"),
                required=False,
            ),
        ),
        order=20,
    ),
    FormSpec("child-card", CARD_TITLE, _make_card, options=(CASE_OPTION,), order=21),
]
