"""The assessments of a case as printed: the initial assessment, the comprehensive needs assessment
(by domain) and the housing-conditions act with the commission's and the family's signatures.
"""

from __future__ import annotations

from decimal import Decimal

from reportlab.platypus import Flowable, KeepTogether, Spacer

from models.database import Database
from models.i18n import N_
from models.papers.case import (
    CasePaper,
    ComprehensiveAssessmentPaper,
    HousingActPaper,
    InitialAssessmentPaper,
    comprehensive_assessment_id_for_case,
    comprehensive_assessment_paper,
    housing_act_id_for_case,
    housing_act_paper,
    initial_assessment_id_for_case,
    initial_assessment_paper,
)
from models.services.base import Actor
from models.services.documents import PrintedRecord

from reports.catalog import FormSpec, Made, Target
from reports.forms.case_papers import (
    CASE_OPTION,
    banner,
    case_from_options,
    child_rows,
    document_title,
    section,
    small_table,
    text_block,
    values,
    yes_no,
)
from reports.language import Texts, date_text
from reports.layout import (
    Rendered,
    SignatureLine,
    build,
    fields,
    heading,
    letterhead,
    para,
    signatures,
    title,
)

INITIAL_TITLE = N_("Initial assessment")
COMPREHENSIVE_TITLE = N_("Comprehensive needs assessment")
HOUSING_TITLE = N_("Housing conditions act")


def _opening(paper: CasePaper, t: Texts, msgid: str, completed: bool) -> list[Flowable]:
    """Letterhead, title with the case №, and a banner while the assessment is not completed."""
    story: list[Flowable] = [*letterhead(paper.office, t)]
    story += title(t.lines(msgid), t("Case № {number}", number=paper.case.number))
    if not completed:
        story += [banner(t.lines("Not completed: the assessment is in progress.")), Spacer(1, 6)]
    return story


def _closing(paper: CasePaper, t: Texts, assessor_position: str, assessor: str) -> Flowable:
    """The assessor's signature and the head's, kept together at the end."""
    return KeepTogether(
        [
            Spacer(1, 6),
            signatures(
                t,
                [
                    SignatureLine(assessor_position or t("Specialist"), assessor),
                    SignatureLine(t("Head of department"), paper.head.name),
                ],
            ),
        ]
    )


# --- the initial assessment -----------------------------------------------------------------------


def render_initial(paper: InitialAssessmentPaper, t: Texts) -> Rendered:
    """The visit, immediate safety, basic needs, family situation and the conclusion."""
    story = _opening(paper, t, INITIAL_TITLE, paper.completed_on is not None)
    story.append(
        fields(
            [
                *child_rows(paper, t),
                (t("Visit date"), date_text(paper.visit_date)),
                (t("Place of the visit"), paper.place),
                (t("Participants"), paper.participants),
            ]
        )
    )
    story += [
        *section(t("Safety")),
        fields(
            [
                (t("The child is in immediate danger"), yes_no(t, paper.immediate_danger)),
                (t("Measures taken"), paper.safety_measures),
            ]
        ),
        *section(t("Basic needs")),
        fields(
            [
                (t("Food"), paper.needs_food),
                (t("Health"), paper.needs_health),
                (t("Education"), paper.needs_education),
                (t("Documents"), paper.needs_documents),
            ]
        ),
        *section(t("Family")),
        fields(
            [
                (t("Caregiver present"), yes_no(t, paper.caregiver_present)),
                (t("Parents in labour migration"), yes_no(t, paper.parents_in_migration)),
                (t("Preliminary categories"), values(t, paper.categories)),
            ]
        ),
        *text_block(t("Conclusion"), paper.conclusion),
        Spacer(1, 4),
        fields([(t("Completed on"), date_text(paper.completed_on))]),
        _closing(paper, t, paper.assessor.position, paper.assessor.name),
    ]
    return build(story, t, title=document_title(t, INITIAL_TITLE, paper.case.number))


def _make_initial(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    assessment_id = target.record_id
    if assessment_id is None:
        case_id = case_from_options(db, actor, target, N_("Choose the case whose assessment to print."))
        assessment_id = initial_assessment_id_for_case(db, actor, case_id)
    paper = initial_assessment_paper(db, actor, assessment_id)
    record = PrintedRecord("initial_assessments", paper.assessment_id)
    return Made(render_initial(paper, t), paper.case.number, (record,))


# --- the comprehensive assessment ------------------------------------------------------------------


def render_comprehensive(paper: ComprehensiveAssessmentPaper, t: Texts) -> Rendered:
    """The findings and need level by domain, strengths, the child's views, overall risk, summary."""
    story = _opening(paper, t, COMPREHENSIVE_TITLE, paper.completed_on is not None)
    story.append(
        fields(
            [
                *child_rows(paper, t),
                (t("Started on"), date_text(paper.started_on)),
                (t("Completed on"), date_text(paper.completed_on)),
            ]
        )
    )
    rows = [
        [str(number), t.value(line.domain), line.findings, t.value(line.need_level)]
        for number, line in enumerate(paper.domains, start=1)
    ]
    story += [
        *section(t("Domains")),
        small_table(["№", t("Domain"), t("Findings"), t("Need level")], rows, (5, 25, 55, 15)),
        *text_block(t("Strengths"), paper.strengths),
        *text_block(t("The child's own views"), paper.child_views),
        *section(t("Overall risk")),
        para(t.value(paper.overall_risk) or "____________"),
        *text_block(t("Summary"), paper.summary),
        _closing(paper, t, paper.assessor.position, paper.assessor.name),
    ]
    return build(story, t, title=document_title(t, COMPREHENSIVE_TITLE, paper.case.number))


def _make_comprehensive(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    assessment_id = target.record_id
    if assessment_id is None:
        case_id = case_from_options(db, actor, target, N_("Choose the case whose assessment to print."))
        assessment_id = comprehensive_assessment_id_for_case(db, actor, case_id)
    paper = comprehensive_assessment_paper(db, actor, assessment_id)
    record = PrintedRecord("comprehensive_assessments", paper.assessment_id)
    return Made(render_comprehensive(paper, t), paper.case.number, (record,))


# --- the housing-conditions act ----------------------------------------------------------------------


def render_housing(paper: HousingActPaper, t: Texts) -> Rendered:
    """The commission, the dwelling, utilities, living conditions, conclusion and the signatures."""
    story: list[Flowable] = [*letterhead(paper.office, t)]
    subtitle = t("of {date}, case № {number}", date=date_text(paper.act_date), number=paper.case.number)
    story += title(t.lines(HOUSING_TITLE), subtitle)
    commission = [
        [str(number), member.name, member.job_title, member.organisation]
        for number, member in enumerate(paper.members, start=1)
    ] or [[str(number), "", "", ""] for number in (1, 2, 3)]
    story += [
        *(para(line) for line in t.lines("The commission consisting of:")),
        Spacer(1, 3),
        small_table(["№", t("Full name"), t("Position"), t("Organisation")], commission, (5, 33, 31, 31)),
        Spacer(1, 4),
        *(para(line) for line in t.lines("inspected the living conditions of the child:")),
        Spacer(1, 3),
        fields(child_rows(paper, t)),
        *section(t("Dwelling")),
        fields(
            [
                (t("Address"), paper.address),
                (t("Basis of occupancy"), paper.occupancy_basis),
                (t("Type of dwelling"), paper.dwelling_type),
                (t("Wall material"), paper.wall_material),
                (t("Rooms"), "" if paper.rooms is None else str(paper.rooms)),
                (t("Area, m²"), _area(paper.area_m2)),
            ]
        ),
        *section(t("Utilities")),
        fields(
            [
                (t("Heating"), paper.heating),
                (t("Water"), paper.water),
                (t("Electricity"), paper.electricity),
                (t("Toilet"), paper.toilet),
            ]
        ),
        *section(t("Living conditions")),
        fields(
            [
                (t("Residents"), paper.residents),
                (t("The child's sleeping place"), paper.sleeping_place),
                (t("The child's study place"), paper.study_place),
                (t("Sanitary condition"), paper.sanitary_condition),
                (t("Food"), paper.food),
                (t("Income"), paper.income),
            ]
        ),
        *text_block(t("Conclusion"), paper.conclusion),
        *text_block(t("Recommendations"), paper.recommendations),
    ]
    members = [
        SignatureLine(", ".join(part for part in (m.job_title, m.organisation) if part), m.name)
        for m in paper.members
    ]
    story.append(KeepTogether([heading(t("Commission members")), signatures(t, members or _blank(t, 3))]))
    story.append(KeepTogether(_acknowledgement(paper, t)))
    return build(story, t, title=document_title(t, HOUSING_TITLE, paper.case.number))


def _blank(t: Texts, count: int) -> list[SignatureLine]:
    return [SignatureLine(t("Member of the commission"), "") for _ in range(count)]


def _area(area: Decimal | None) -> str:
    """The area as people write it: a comma for the decimals, no trailing zeros ("42,5")."""
    if area is None:
        return ""
    return f"{area.normalize():f}".replace(".", ",")


def _acknowledgement(paper: HousingActPaper, t: Texts) -> list[Flowable]:
    """The family's line: "I have read the act", signed by who signed it (or a caregiver, or a blank)."""
    signer = paper.family_signatory if paper.family_acknowledged else ""
    if not signer and paper.caregivers:
        signer = paper.caregivers[0]
    return [
        heading(t("Family's acknowledgement")),
        *(para(line) for line in t.lines("I have read the act and received a copy.")),
        signatures(t, [SignatureLine(t("Parent or legal representative"), signer)]),
    ]


def _make_housing(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    act_id = target.record_id
    if act_id is None:
        case_id = case_from_options(db, actor, target, N_("Choose the case whose act to print."))
        act_id = housing_act_id_for_case(db, actor, case_id)
    paper = housing_act_paper(db, actor, act_id)
    return Made(render_housing(paper, t), paper.case.number, (PrintedRecord("housing_acts", paper.act_id),))


FORMS = [
    FormSpec("initial-assessment", INITIAL_TITLE, _make_initial, options=(CASE_OPTION,), order=22),
    FormSpec(
        "comprehensive-assessment",
        COMPREHENSIVE_TITLE,
        _make_comprehensive,
        options=(CASE_OPTION,),
        order=23,
    ),
    FormSpec("housing-act", HOUSING_TITLE, _make_housing, options=(CASE_OPTION,), order=24),
]
