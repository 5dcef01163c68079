"""The referral (направление) with its tear-off reply slip (отрывной талон)."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer

from models.database import Database
from models.errors import NotFound
from models.i18n import N_, _
from models.papers.referral import ReferralPaper, referral_id_by_number, referral_paper
from models.services.base import Actor
from models.services.documents import PrintedRecord

from reports.catalog import FormSpec, Made, Option, Target
from reports.language import Texts, date_text
from reports.layout import (
    Rendered,
    SignatureLine,
    blank_lines,
    build,
    cut_line,
    fields,
    letterhead,
    outgoing_number,
    para,
    signatures,
    title,
)

TITLE = N_("Referral")


def render(paper: ReferralPaper, t: Texts) -> Rendered:
    """The referral on the office's letterhead, the reply slip below the cut line."""
    story: list[Flowable] = [
        *letterhead(paper.office, t),
        outgoing_number(t, paper.number, date_text(paper.issued_on)),
    ]
    addressee = [t.value(paper.organisation)]
    if paper.organisation_address:
        addressee.append(paper.organisation_address)
    story += [Spacer(1, 2), *(para(line, "right") for line in addressee), Spacer(1, 4)]
    story += title(t.lines(TITLE), subtitle="№ " + paper.number)
    story.append(
        fields(_child_rows(paper, t) + _request_rows(paper, t), label_share=0.4 if t.bilingual else 0.34)
    )
    story.append(Spacer(1, 4))
    for line in t.lines(
        "Please return the reply slip below with the outcome by {date}.", date=date_text(paper.reply_due)
    ):
        story.append(para(line))
    story.append(
        signatures(
            t,
            [
                SignatureLine(t("Head of department"), paper.head.name),
                SignatureLine(paper.specialist.position or t("Specialist"), paper.specialist.name),
            ],
        )
    )
    story += [Spacer(1, 3), KeepTogether([cut_line(t), *_slip(paper, t)])]
    return build(story, t, title=f"{' / '.join(t.each(TITLE))} № {paper.number}")


def _child_rows(paper: ReferralPaper, t: Texts) -> list[tuple[str, str]]:
    child = paper.child
    if child is None:
        return [(t("Child"), t("Personal data are not passed on with this referral."))]
    return [
        (t("Child (full name)"), child.name),
        (t("Date of birth"), date_text(child.birth_date) if child.birth_date else ""),
        (t("PIN"), child.pin or ""),
        (t("Address"), t.value(child.address)),
    ]


def _request_rows(paper: ReferralPaper, t: Texts) -> list[tuple[str, str]]:
    rows = [
        (t("Case №"), paper.case_number or ""),
        (t("Service"), t.value(paper.service)),
        (t("Reason for the referral"), paper.reason),
        (t("Service requested"), paper.requested_service),
    ]
    if paper.attachments:
        rows.append((t("Attachments"), paper.attachments))
    if paper.contains_personal_data:
        rows.append(
            (
                t("Consent to share personal data"),
                t("given by {who} on {date}", who=paper.consent_by, date=date_text(paper.consent_date)),
            )
        )
    rows.append((t("Reply expected by"), date_text(paper.reply_due)))
    return rows


def _slip(paper: ReferralPaper, t: Texts) -> list[Flowable]:
    """The slip the organisation fills in and returns; it repeats the №, the child and the service."""
    to = t.value(paper.office.department)
    story: list[Flowable] = [
        para(t("Reply slip").upper(), "title"),
        para(
            t("to referral № {number} of {date}", number=paper.number, date=date_text(paper.issued_on)),
            "center",
        ),
        Spacer(1, 4),
        fields(
            [
                (t("To"), to),
                (t("Child (full name)"), paper.child.name if paper.child else ""),
                (t("Service"), t.value(paper.service) or paper.requested_service),
                (t("Service provided (yes / no)"), ""),
                (t("Date of the service"), ""),
                (t("Outcome"), ""),
            ],
            label_share=0.42 if t.bilingual else 0.34,
        ),
        blank_lines(1 if t.bilingual else 2),
        signatures(t, [SignatureLine(t("Responsible person of the organisation"), "")]),
        para(t("Return by {date}", date=date_text(paper.reply_due)), "small"),
    ]
    return story


def _make(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    referral_id = target.record_id
    if referral_id is None and target.options.get("number"):
        referral_id = referral_id_by_number(db, actor, str(target.options["number"]))
    if referral_id is None:
        raise NotFound(_("Choose the referral to print."))
    paper = referral_paper(db, actor, referral_id)
    return Made(render(paper, t), paper.number, (PrintedRecord("referrals", paper.referral_id),))


FORMS = [
    FormSpec(
        "referral",
        TITLE,
        _make,
        options=(Option("--number", N_("outgoing № of the referral"), "12/2026"),),
        order=10,
    )
]
