"""Desktop-client benchmark: register, register page, forms and home page on a large demo office.

Run on purpose (not part of `uv run pytest`):

    uv run python tests/benchmarks/bench_desktop.py --children 100000 --workdir bench-data --reuse

It builds (or with ``--reuse`` takes from the work directory, under the name that
``bench_foundation.py`` gives it) a demo office of ``--children`` children, signs in the demo
department head and a demo specialist, and measures, each figure next to a baseline measured in
the same run:

1. The children register in :mod:`models.registers` (by name, by birth date descending, one case
   status): the first block of 200 rows with the count, and the ordered-ids snapshot, against the
   same SQL statements (captured from the engine) replayed through the plain ``sqlite3`` module;
   a block of 200 rows by its ids at the middle and at the end, against the same block read by
   its offset with ``fetch_page`` (how the model read blocks before the snapshot).
2. The children register page in the GUI (a real :class:`ui.registers.RegisterPage` on an
   :class:`ui.context.AppContext`, offscreen, 1366×768): opening it, then jumping the scrollbar to
   50 %, 80 % and 100 % and scrolling a page at a time; against the same steps over a
   ``QStandardItemModel`` of 200 rows in a ``QTableView`` (what a repaint costs Qt alone).
   One uncounted opening comes first, as the program's window has painted before a register
   opens.
3. Each record form (person, household, report, case) opened on existing records through
   :func:`ui.forms.open_record_form` until filled; against an empty :class:`ui.dialogs.Dialog` of the
   same size shown the same way.
4. The home page: :func:`models.dashboard.load_dashboard` for the specialist (own cases) and the
   head (whole office), wall and CPU time, against its SQL replayed through ``sqlite3``; and
   :class:`ui.home.HomePage` opened until loaded, against a plain page of the same size with a
   200-row table.

The longest GUI-thread pause: while the measured work runs, a precise ``QTimer`` ticks every
5 ms in the GUI thread and the longest gap between two ticks is kept. A gap is the longest time
the window could not have answered a key or a click: it includes our slots, Qt's layout and
painting, building widgets, and time the GUI thread waited for the GIL while a worker thread
held it (an event filter timing each event would miss that last part). The floor is the 5 ms
interval. Every action starts from a timer event, as a click would, and after it is done the
ticks go on for a short settling time (layout and paint that follow). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from PySide6.QtCore import (
    QSettings,
    QSize,
    Qt,
    QThreadPool,
    QTimer,
    qInstallMessageHandler,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QApplication, QTableView, QVBoxLayout, QWidget

from models import dashboard
from models.database import Database, open_database
from models.demo import DEMO_USERS
from models.i18n import set_language
from models.orm import Case, Household, Person, Report
from models.registers import IdSnapshot, RegisterQuery, columns, fetch_page, ordered_ids, rows_by_ids
from models.services.base import Actor
from models.services.users import authenticate

from ui.context import AppContext
from ui.dialogs import Dialog
from ui.forms import RecordForm, open_record_form
from ui.home import HomePage
from ui.registers import ROW_ROLE, RegisterPage

from desktop.session import keep_out_of_collections

from tests.benchmarks.common import (
    AS_OF,
    Row,
    Step,
    against_replay,
    close,
    demo_office,
    in_session,
    med_max,
    open_window,
    p,
    quiet_qt,
    run_steps,
)

BLOCK = 200
SCROLL_STEPS = 40
SCROLL_EVERY_MS = 16
WINDOW = (1366, 768)


# --- SQL: our code against the same statements through sqlite3 -------------------------------


REGISTER_QUERIES = [
    ("by name", RegisterQuery("children", limit=BLOCK, as_of=AS_OF)),
    (
        "by birth date desc.",
        RegisterQuery("children", sort="birth_date", descending=True, limit=BLOCK, as_of=AS_OF),
    ),
    (
        "status = implementation",
        RegisterQuery("children", statuses=("implementation",), limit=BLOCK, as_of=AS_OF),
    ),
]


def register_rows(db: Database, raw: sqlite3.Connection, repeat: int) -> list[Row]:
    rows: list[Row] = []
    for label, query in REGISTER_QUERIES:
        first = in_session(db, partial(fetch_page, query=query))
        wall, _cpu, base, _bcpu, page = against_replay(db, raw, first, repeat)
        total = getattr(page, "total", 0)
        rows.append(
            Row(
                f"register {label}: first block + count",
                p(wall),
                p(base),
                f"{total:,} rows; baseline: same SQL via sqlite3",
            )
        )
        snapshot = in_session(db, partial(ordered_ids, query=query))
        wall, _cpu, base, _bcpu, result = against_replay(db, raw, snapshot, max(3, repeat // 2))
        ids: list[uuid.UUID] = list(result) if isinstance(result, IdSnapshot) else []
        rows.append(
            Row(
                f"register {label}: ordered-ids snapshot",
                p(wall),
                p(base),
                f"{len(ids):,} ids; baseline: same SQL via sqlite3",
            )
        )
        for where, position in (("middle", len(ids) // 2), ("end", max(0, len(ids) - BLOCK))):
            position -= position % BLOCK
            chunk = ids[position : position + BLOCK]
            at = replace(query, offset=position)
            by_ids = in_session(db, partial(rows_by_ids, query=at, ids=chunk))
            by_offset = in_session(db, partial(fetch_page, query=at))
            if by_ids() != getattr(by_offset(), "rows", None):  # also the warm-up
                raise AssertionError(f"{label}: the block at {position} differs by ids and by offset")
            ours: list[float] = []
            offset: list[float] = []
            for _ in range(repeat):
                started = time.perf_counter()
                by_ids()
                ours.append(time.perf_counter() - started)
                started = time.perf_counter()
                by_offset()
                offset.append(time.perf_counter() - started)
            rows.append(
                Row(
                    f"register {label}: block of {BLOCK} at the {where} (row {position:,})",
                    f"by ids: {p(ours)}",
                    f"by offset: {p(offset)}",
                    f"p50 ratio {statistics.median(ours) / statistics.median(offset):.2f}×",
                )
            )
        print(f"… register {label}", file=sys.stderr, flush=True)
    return rows


def _rows_shown(view: QTableView, value_role: int | None) -> bool:
    """Whether the first and last rows in the viewport have their data (not placeholders)."""
    model = view.model()
    if model.rowCount() == 0:
        return True
    top = max(view.rowAt(0), 0)
    bottom = view.rowAt(view.viewport().height() - 1)
    bottom = model.rowCount() - 1 if bottom < 0 else bottom
    role = value_role if value_role is not None else Qt.ItemDataRole.DisplayRole
    return all(model.index(row, 0).data(role) is not None for row in (top, bottom))


def _jump(view: QTableView, fraction: float) -> None:
    bar = view.verticalScrollBar()
    bar.setValue(int(bar.maximum() * fraction))


def _scroll_steps(view: QTableView, value_role: int | None) -> list[Step]:
    """Jumps of the scrollbar to 50 %, 80 %, 100 %, then SCROLL_STEPS pages up, one every 16 ms."""
    bar = view.verticalScrollBar()
    steps = [
        Step(
            f"jump {fraction:.0%}",
            partial(_jump, view, fraction),
            partial(_rows_shown, view, value_role),
        )
        for fraction in (0.5, 0.8, 1.0)
    ]
    left = {"n": 0}
    direction = {"sign": -1}
    scroller = QTimer(view)
    scroller.setInterval(SCROLL_EVERY_MS)

    def scroll_once() -> None:
        value = bar.value() + direction["sign"] * bar.pageStep()
        if not bar.minimum() <= value <= bar.maximum():  # a short table: bounce
            direction["sign"] = -direction["sign"]
            value = bar.value() + direction["sign"] * bar.pageStep()
        bar.setValue(value)
        left["n"] -= 1
        if left["n"] <= 0:
            scroller.stop()

    scroller.timeout.connect(scroll_once)

    def start_scrolling() -> None:
        left["n"] = SCROLL_STEPS
        scroller.start()

    steps.append(
        Step(
            f"scroll {SCROLL_STEPS} pages",
            start_scrolling,
            lambda: left["n"] <= 0 and _rows_shown(view, value_role),
        )
    )
    return steps


def _baseline_model(n_columns: int) -> QStandardItemModel:
    """A QStandardItemModel of 200 rows (made before the measure: its items are not Qt's paint)."""
    model = QStandardItemModel(BLOCK, n_columns)
    for row in range(BLOCK):
        for column in range(n_columns):
            model.setItem(row, column, QStandardItem(f"Үсөнбаева Ңурзат {row}.{column}"))
    return model


def _baseline_page(model: QStandardItemModel) -> tuple[QWidget, QTableView]:
    """A page of the window's size with a QTableView over *model*."""
    page = QWidget()
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    QVBoxLayout(page).addWidget(view)
    page.resize(*WINDOW)
    return page, view


@dataclass
class _OpenedPage:
    page: RegisterPage
    started: float
    marks: dict[str, float] = field(default_factory=dict)

    def mark(self, name: str) -> None:
        self.marks.setdefault(name, (time.perf_counter() - self.started) * 1000)


def _register_page(ctx: AppContext) -> _OpenedPage:
    started = time.perf_counter()
    opened = _OpenedPage(RegisterPage(ctx, "children"), started)
    opened.page.model.loaded.connect(lambda: opened.mark("loaded"))
    opened.page.model.ids_loaded.connect(lambda: opened.mark("ids"))
    opened.page.resize(*WINDOW)
    opened.page.show()
    return opened


def _register_page_ready(opened: _OpenedPage) -> bool:
    return opened.page.model.has_ids() and _rows_shown(opened.page.view, ROW_ROLE)


def _shown_baseline_page(model: QStandardItemModel) -> tuple[QWidget, QTableView]:
    page, view = _baseline_page(model)
    page.show()
    return page, view


def _warm_up(ctx: AppContext) -> None:
    """Open and close a register page once, uncounted: in the program, the main window and the
    home page have painted (fonts and glyph caches made, modules loaded) before a register opens."""
    opened, _timeline = open_window(partial(_register_page, ctx), _register_page_ready)
    close(opened.page)


def register_page_rows(ctx: AppContext, repeat: int) -> list[Row]:
    _warm_up(ctx)
    opened_after: list[float] = []
    first_block: list[float] = []
    ids_after: list[float] = []
    open_pause: list[float] = []
    jump_ready: list[float] = []
    scroll_pause: list[float] = []
    total = 0
    for _ in range(repeat):
        opened, timeline = open_window(partial(_register_page, ctx), _register_page_ready)
        page = opened.page
        steps = _scroll_steps(page.view, ROW_ROLE)
        steps.append(Step("idle", lambda: None, lambda: not page.model.is_busy(), 50))  # noqa: B023 - run now
        scrolled = run_steps(steps)
        opened_after.append(timeline.ready["open"])
        first_block.append(opened.marks["loaded"])
        ids_after.append(opened.marks["ids"])
        open_pause.append(timeline.pause["open"])
        jump_ready += [scrolled.ready[s.name] for s in steps if s.name.startswith("jump")]
        scroll_pause.append(max(v for k, v in scrolled.pause.items() if k != "idle"))
        total = page.model.rowCount()
        close(page)
    base_open: list[float] = []
    base_scroll: list[float] = []
    model = _baseline_model(len(columns("children")))
    for _ in range(repeat):
        (base, view), timeline = open_window(partial(_shown_baseline_page, model), lambda _made: True)
        scrolled = run_steps(_scroll_steps(view, None))
        base_open.append(timeline.pause["open"])
        base_scroll.append(max(scrolled.pause.values()))
        close(base)
    return [
        Row(
            "register page: open (first block shown, ids arrived), longest GUI pause",
            med_max(open_pause),
            med_max(base_open),
            f"{total:,} rows; first block after {statistics.median(first_block):.0f} ms, "
            f"ids after {statistics.median(ids_after):.0f} ms, "
            f"rows shown after {statistics.median(opened_after):.0f} ms; "
            f"{repeat} openings after an uncounted one; "
            f"baseline: showing a QTableView over a {BLOCK}-row QStandardItemModel",
        ),
        Row(
            f"register page: scrollbar to 50/80/100 %, then {SCROLL_STEPS} pages, longest GUI pause",
            med_max(scroll_pause),
            med_max(base_scroll),
            f"rows shown after a jump {med_max(jump_ready)}; {repeat} runs; "
            f"baseline: same steps over the {BLOCK}-row QStandardItemModel",
        ),
    ]


def _record_ids(db: Database, per_kind: int) -> dict[str, list[uuid.UUID]]:
    """*per_kind* existing records of each form's kind, from the middle of the table by id."""
    kinds: dict[str, Any] = {"person": Person, "household": Household, "report": Report, "case": Case}
    found: dict[str, list[uuid.UUID]] = {}
    with db.reading() as session:
        for kind, model in kinds.items():
            where = [model.is_child] if model is Person else []
            n = session.scalar(select(func.count()).select_from(model).where(*where)) or 0
            found[kind] = list(
                session.scalars(
                    select(model.id).where(*where).order_by(model.id).offset(n // 2).limit(per_kind)
                )
            )
    return found


def _form_loaded(form: RecordForm[Any] | None) -> bool:
    return form is not None and not form.is_loading


def _empty_dialog(state: QSettings, size: QSize) -> Dialog:
    dialog = Dialog(state, "bench_empty")
    dialog.resize(size)
    dialog.show()
    return dialog


def form_rows(ctx: AppContext, db: Database, per_kind: int) -> list[Row]:
    rows: list[Row] = []
    for kind, ids in _record_ids(db, per_kind).items():
        pauses: list[float] = []
        filled: list[float] = []
        base_pauses: list[float] = []
        for record_id in ids:
            form, timeline = open_window(partial(open_record_form, ctx, kind, record_id), _form_loaded)
            assert form is not None
            pauses.append(timeline.pause["open"])
            filled.append(timeline.ready["open"])
            size = form.size()
            form.set_dirty(False)
            close(form)
            dialog, timeline = open_window(partial(_empty_dialog, ctx.state, size), lambda _made: True)
            base_pauses.append(timeline.pause["open"])
            close(dialog)
        first = "; the first is the session's first form (choice lists read)" if not rows else ""
        rows.append(
            Row(
                f"{kind} form: open an existing record until filled, longest GUI pause",
                med_max(pauses),
                med_max(base_pauses),
                f"{len(ids)} records, filled after {med_max(filled)}{first}; "
                "baseline: an empty Dialog of the same size",
            )
        )
        print(f"… {kind} form", file=sys.stderr, flush=True)
    return rows


def dashboard_rows(db: Database, raw: sqlite3.Connection, actors: dict[str, Actor], repeat: int) -> list[Row]:
    rows: list[Row] = []
    for label, actor, whole in (("specialist", actors["specialist"], False), ("head", actors["head"], True)):

        def load(actor: Actor = actor, whole: bool = whole) -> object:
            return dashboard.load_dashboard(db, actor, whole_office=whole, as_of=AS_OF)

        wall, cpu, base_wall, base_cpu, board = against_replay(db, raw, load, repeat)
        scope = "whole office" if whole else "own cases"
        open_total = getattr(board, "open_total", 0)
        rows.append(
            Row(
                f"home figures ({label}, {scope}): models.dashboard.load_dashboard",
                f"wall {p(wall)}; CPU p50 {statistics.median(cpu) * 1000:.1f} ms",
                f"wall {p(base_wall)}; CPU p50 {statistics.median(base_cpu) * 1000:.1f} ms",
                f"{open_total:,} open cases; baseline: same SQL via sqlite3",
            )
        )
    return rows


def _home_page(ctx: AppContext) -> HomePage:
    page = HomePage(ctx)
    page.resize(*WINDOW)
    page.show()
    return page


def home_page_rows(contexts: dict[str, AppContext], repeat: int) -> list[Row]:
    rows: list[Row] = []
    model = _baseline_model(4)
    for label, ctx in contexts.items():
        pauses: list[float] = []
        ready: list[float] = []
        base_pauses: list[float] = []
        for _ in range(repeat):
            page, timeline = open_window(partial(_home_page, ctx), lambda made: not made.is_loading())
            pauses.append(timeline.pause["open"])
            ready.append(timeline.ready["open"])
            close(page)
            (base, _view), timeline = open_window(partial(_shown_baseline_page, model), lambda _made: True)
            base_pauses.append(timeline.pause["open"])
            close(base)
        rows.append(
            Row(
                f"home page ({label}): open until loaded, longest GUI pause",
                med_max(pauses),
                med_max(base_pauses),
                f"loaded after {med_max(ready)}; {repeat} openings; "
                f"baseline: a page of the same size with a {BLOCK}-row table",
            )
        )
    return rows


# --- the run ----------------------------------------------------------------------------------


def _passwords() -> dict[str, tuple[str, str]]:
    """The demo head and the first demo specialist: role → (username, password)."""
    chosen: dict[str, tuple[str, str]] = {}
    for username, _name, role, password in DEMO_USERS:
        if role in ("head", "specialist") and role not in chosen:
            chosen[role] = (username, password)
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument("--reuse", action="store_true", help="reuse the demo database of an earlier run")
    parser.add_argument("--repeat", type=int, default=7, help="repetitions of each SQL measure")
    parser.add_argument("--gui-repeat", type=int, default=3, help="repetitions of each GUI measure")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qInstallMessageHandler(quiet_qt)
    set_language("ru")

    print(f"… demo office of {args.children:,} children", file=sys.stderr, flush=True)
    started = time.perf_counter()
    path, reused = demo_office(args.children, args.workdir, args.reuse)
    built = time.perf_counter() - started
    app = QApplication.instance() or QApplication([])
    db = open_database(path, create=False)
    with db.engine.connect() as conn:
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    raw = sqlite3.connect(path)
    results: list[Row] = []
    try:
        actors = {role: authenticate(db, *credentials) for role, credentials in _passwords().items()}
        state_files = [args.workdir / f"bench-desktop-{role}.ini" for role in actors]
        for state_file in state_files:
            state_file.unlink(missing_ok=True)
        contexts = {
            role: AppContext(db, actor, QSettings(str(state), QSettings.Format.IniFormat))
            for (role, actor), state in zip(actors.items(), state_files, strict=True)
        }
        keep_out_of_collections()  # as the program does once its window is up
        results += register_rows(db, raw, args.repeat)
        results += register_page_rows(contexts["specialist"], args.gui_repeat)
        print("… register page", file=sys.stderr, flush=True)
        results += form_rows(contexts["specialist"], db, max(3, args.gui_repeat + 2))
        results += dashboard_rows(db, raw, actors, max(3, args.repeat // 2))
        results += home_page_rows(contexts, args.gui_repeat)
        print("… home page", file=sys.stderr, flush=True)
    finally:
        QThreadPool.globalInstance().waitForDone()
        raw.close()
        db.dispose()
    del app
    what = "reused" if reused else f"generated in {built:.0f} s"
    print(f"Demo office of {args.children:,} children ({what}), {path}; as of {AS_OF:%d.%m.%Y}.")
    print()
    print("| measure | Bala Korgoo | baseline (same run) | note |")
    print("|---|---|---|---|")
    for row in results:
        print(f"| {row.what} | {row.ours} | {row.baseline} | {row.note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
