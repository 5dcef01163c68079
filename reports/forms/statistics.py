"""The statistical report for a period (the КДД's half-year report), on landscape A4.

``Target.options``: ``{"from": …, "to": …}``, dates or texts as DD.MM.YYYY (the command's
``--from`` and ``--to``). The same figures go to a spreadsheet: :func:`reports.spreadsheet.statistics_xlsx`.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, KeepTogether, Spacer

from models.database import Database
from models.i18n import N_
from models.papers.statistics import (
    ADULT_TITLE,
    AGE_GROUPS,
    AGE_UNKNOWN_TITLE,
    Breakdown,
    NamedCount,
    Statistics,
    period,
    statistics,
)
from models.services.base import Actor

from reports.catalog import FormSpec, Made, Option, Target
from reports.forms.registers import small_table
from reports.language import Texts, date_text
from reports.layout import (
    Rendered,
    SignatureLine,
    build,
    heading,
    letterhead,
    outgoing_number,
    para,
    signatures,
    title,
)

TITLE = N_("Statistical report")


def render(stats: Statistics, t: Texts) -> Rendered:
    """The report's four sections, each a table with its totals, and the signatures."""
    span = t("for the period from {start} to {end}", start=date_text(stats.start), end=date_text(stats.end))
    story: list[Flowable] = [*letterhead(stats.office, t), outgoing_number(t, None, date_text(None))]
    story += title(t.lines(TITLE), subtitle=span)
    story += _cases(stats, t)
    story += _children(stats, t)
    story += _closures(stats, t)
    story += _referrals(stats, t)
    story.append(Spacer(1, 6))
    story.append(
        signatures(
            t,
            [
                SignatureLine(t("Head of department"), stats.head.name),
                SignatureLine(stats.prepared_by.position or t("Prepared by"), stats.prepared_by.name),
            ],
            wide=True,
        )
    )
    heading_text = " / ".join(t.each(TITLE))
    days = f"{date_text(stats.start)}–{date_text(stats.end)}"
    return build(story, t, title=heading_text, wide=True, footer_note=f"{heading_text}: {days}")


def _count(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _cases(stats: Statistics, t: Texts) -> list[Flowable]:
    rows = [
        [t("Cases open at the start of the period"), _count(stats.open_at_start)],
        [t("Cases opened in the period"), _count(stats.opened)],
        [t("Cases closed in the period"), _count(stats.closed)],
        [t("Cases open at the end of the period"), _count(stats.open_at_end)],
        [t("Reports received in the period"), _count(stats.reports_received)],
    ]
    return [_section(t("1. Cases"), small_table([t("Indicator"), t("Count")], rows, [0.5, 0.1], wide=True))]


def _section(title_text: str, table: Flowable) -> Flowable:
    """A section's heading kept on the page of its table's first rows (a long table still splits)."""
    return KeepTogether([heading(title_text), table])


def breakdown_titles(t: Texts) -> list[str]:
    """The column titles of a breakdown of children (the spreadsheet's too)."""
    ages = [t.each(group_title) for _first, _last, group_title in AGE_GROUPS]
    return [
        t("Total"),
        t("Girls"),
        t("Boys"),
        *(" / ".join(dict.fromkeys(each)) for each in ages),
        t(ADULT_TITLE),
        t(AGE_UNKNOWN_TITLE),
    ]


def breakdown_values(children: Breakdown) -> list[int]:
    return [children.total, children.girls, children.boys, *children.ages]


def _children(stats: Statistics, t: Texts) -> list[Flowable]:
    rows = [[t.value(row.label), *map(_count, breakdown_values(row.children))] for row in stats.categories]
    rows.append([t("All children served (each child once)"), *map(_count, breakdown_values(stats.children))])
    rows.append(
        [t("of them, with a case opened in the period"), *map(_count, breakdown_values(stats.new_children))]
    )
    head = [t("Category"), *breakdown_titles(t)]
    shares = [0.28, *([0.08] * (len(head) - 1))]
    return [
        _section(
            t("2. Children in difficult life situations served in the period"),
            small_table(head, rows, shares, wide=True, shaded=[len(rows) - 2, len(rows) - 1]),
        ),
        para(
            t("Age on the last day of the period. A child in several categories is counted in each of them."),
            "small",
        ),
    ]


def _named(counts: Sequence[NamedCount], t: Texts) -> list[list[str]]:
    return [[t.value(row.label), _count(row.count)] for row in counts]


def _closures(stats: Statistics, t: Texts) -> list[Flowable]:
    reasons = _named(stats.closure_reasons, t)
    reasons.append([t("Total"), _count(stats.closures)])
    outcomes = [[t("Child outcomes"), ""], *_named(stats.child_outcomes, t)]
    outcomes += [[t("Family outcomes"), ""], *_named(stats.family_outcomes, t)]
    family_row = len(stats.child_outcomes) + 1
    return [
        _section(
            t("3. Cases closed in the period (approved closures)"),
            small_table(
                [t("Closure reason"), t("Count")], reasons, [0.5, 0.1], wide=True, shaded=[len(reasons) - 1]
            ),
        ),
        Spacer(1, 6),
        small_table([t("Outcome"), t("Count")], outcomes, [0.5, 0.1], wide=True, shaded=[0, family_row]),
    ]


def _referrals(stats: Statistics, t: Texts) -> list[Flowable]:
    rows = [
        [t.value(row.organisation), *map(_count, (row.issued, row.replied, row.awaiting, row.overdue))]
        for row in stats.partners
    ]
    total = stats.partners_total
    rows.append([t("Total"), *map(_count, (total.issued, total.replied, total.awaiting, total.overdue))])
    head = [
        t("Organisation"),
        t("Issued"),
        t("Reply received"),
        t("Awaiting reply, not yet due"),
        t("Reply overdue"),
    ]
    return [
        _section(
            t("4. Referrals issued in the period, by partner"),
            small_table(head, rows, [0.4, 0.1, 0.1, 0.1, 0.1], wide=True, shaded=[len(rows) - 1]),
        ),
        para(t("Replies as of {date}.", date=date_text(stats.as_of)), "small"),
    ]


def _make(db: Database, actor: Actor, target: Target, t: Texts) -> Made:
    start, end = period(target.options.get("from"), target.options.get("to"))
    stats = statistics(db, actor, start, end)
    return Made(render(stats, t), f"{date_text(start)}–{date_text(end)}", ())


def _workbook(db: Database, actor: Actor, target: Target, lang: str) -> bytes:
    from reports.spreadsheet import statistics_xlsx  # it builds on this module's tables

    start, end = period(target.options.get("from"), target.options.get("to"))
    return statistics_xlsx(statistics(db, actor, start, end), lang)


FORMS = [
    FormSpec(
        "statistics",
        TITLE,
        _make,
        options=(
            Option("--from", N_("first day of the period (DD.MM.YYYY)"), "01.01.2026"),
            Option("--to", N_("last day of the period (DD.MM.YYYY)"), "30.06.2026"),
        ),
        wide=True,
        order=90,
        spreadsheet=_workbook,
    )
]
