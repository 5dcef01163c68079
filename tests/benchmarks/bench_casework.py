"""Case-work benchmark: the case workspace with a full history, and the home page's overdue lists.

Run on purpose (not part of `uv run pytest`):

    uv run python tests/benchmarks/bench_casework.py --children 100000 --workdir bench-data --reuse

It takes the demo office of ``--children`` children that ``bench_foundation.py`` or
``bench_desktop.py`` built in the work directory (or builds it), copies it to
``casework-<children>.sqlite`` and gives the copy an audit log of a busy office:

- ``--background`` entries (default 1,000,000) spread over random cases of the office — the
  views and updates of years of work — written as properly chained audit entries;
- for ``--cases`` open cases (default 5), a history made through the services (views and
  updates of the case), ``--history`` entries each (default 300), on top of the entries of
  the case's assessments, plans, referrals and visits that the demo has.

Then it measures, each figure next to a baseline measured in the same run:

1. :func:`models.services.casefile.case_header` and :func:`models.services.casefile.case_history`
   of those cases, against the same SQL (captured from the engine) replayed through ``sqlite3``;
2. the workspace window (:func:`ui.casework.workspace.open_workspace`, offscreen, 1366×768)
   opened on those cases until the header is shown and the History tab is filled, and the
   longest GUI-thread pause meanwhile; against an empty :class:`ui.dialogs.Dialog` of the
   same size shown the same way;
3. :func:`models.dashboard.overdue_items` for the demo specialist (own cases) and the head
   (whole office), against its SQL replayed through ``sqlite3``; the note says how many items the
   lists stand for (counted once more, untimed, without the cap) and how many counts were capped.

Targets (issue 4): the workspace with a full history under 300 ms; the overdue lists under
200 ms. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import sys
import time
import uuid
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

from sqlalchemy import func, insert, select, text, update

from PySide6.QtCore import QSettings, QSize, QThreadPool, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from models import dashboard
from models.audit import entry_hash
from models.database import Database, open_database, remove_sqlite_files
from models.demo import DEMO_USERS
from models.i18n import set_language
from models.orm import AuditEntry, AuditHead, Case, User
from models.services.base import Actor
from models.services.casefile import case_header, case_history
from models.services.cases import update_case
from models.services.users import authenticate

from ui.casework.history import HistoryTab
from ui.casework.workspace import CaseWorkspace, open_workspace
from ui.context import AppContext
from ui.dialogs import Dialog

from desktop.session import keep_out_of_collections

from tests.benchmarks.common import (
    AS_OF,
    Row,
    against_replay,
    close,
    demo_office,
    med_max,
    ms,
    open_window,
    p,
    quiet_qt,
)

WINDOW = QSize(1366, 768)
BACKGROUND_CHUNK = 20_000


# --- the busy office's audit log ------------------------------------------------------


def background_history(db: Database, entries: int, rng: random.Random) -> None:
    """*entries* chained audit entries (views and updates) on random cases, appended after the log's end."""
    with db.session() as session:
        case_ids = list(session.scalars(select(Case.id)))
        users = list(session.execute(select(User.id, User.username)))
        head = session.execute(select(AuditHead.last_id, AuditHead.last_hash)).one()
        last_id, last_hash = head.last_id, head.last_hash
        at = datetime(2023, 1, 9, 8, 0, tzinfo=UTC)
        step = (datetime(2026, 10, 30, tzinfo=UTC) - at) / max(entries, 1)
        written = 0
        while written < entries:
            rows = []
            for _ in range(min(BACKGROUND_CHUNK, entries - written)):
                user_id, username = rng.choice(users)
                case_id = rng.choice(case_ids)
                action = "case.view" if rng.random() < 0.7 else "case.update"
                details = {"number": "—"} if action == "case.view" else {"fields": ["summary"]}
                entry = AuditEntry(
                    id=last_id + 1,
                    at=at,
                    user_id=user_id,
                    username=username,
                    action=action,
                    entity="cases",
                    entity_id=case_id,
                    details=json.dumps(details, ensure_ascii=False, sort_keys=True),
                    prev_hash=last_hash,
                )
                last_id, last_hash = entry.id, entry_hash(entry)
                rows.append(
                    {
                        "id": entry.id,
                        "at": at,
                        "user_id": user_id,
                        "username": username,
                        "action": action,
                        "entity": "cases",
                        "entity_id": case_id,
                        "details": entry.details,
                        "prev_hash": entry.prev_hash,
                        "hash": last_hash,
                    }
                )
                at += step
            session.execute(insert(AuditEntry), rows)
            written += len(rows)
        session.execute(
            update(AuditHead).where(AuditHead.id == 1).values(last_id=last_id, last_hash=last_hash)
        )
        session.commit()


def case_with_history(db: Database, actor: Actor, case_id: uuid.UUID, entries: int) -> int:
    """Work on a case through the services (views, case updates) until it has *entries* more; the total."""
    version = case_header(db, actor, case_id).version
    for made in range(1, entries):
        if made % 3 == 0:
            summary = f"Наблюдение № {made}: семья на связи."
            version = update_case(db, actor, case_id, expected_version=version, summary=summary)
        else:
            case_header(db, actor, case_id)
    with db.reading() as session:
        return int(session.scalar(select(func.count()).where(AuditEntry.entity_id == case_id)) or 0)


# --- measures ---------------------------------------------------------------------------


def service_rows(
    db: Database, raw: sqlite3.Connection, actor: Actor, cases: list[uuid.UUID], repeat: int
) -> list[Row]:
    rows: list[Row] = []
    for label, read in (
        ("case_header", partial(case_header, audit_view=False)),
        ("case_history", case_history),
    ):
        ours: list[float] = []
        base: list[float] = []
        shown = 0
        for case_id in cases:
            job = partial(read, db, actor, case_id)
            wall, _cpu, replayed, _rcpu, result = against_replay(db, raw, job, repeat)
            ours += wall
            base += replayed
            shown = len(result) if isinstance(result, list) else shown
        note = f"{len(cases)} cases × {repeat}; baseline: same SQL via sqlite3"
        if label == "case_history":
            note = f"{shown} entries shown (the newest) per case; " + note
        rows.append(Row(f"models.services.casefile.{label}", p(ours), p(base), note))
    return rows


def _workspace_ready(window: CaseWorkspace) -> bool:
    history = window.tab("history")
    return (
        window.header is not None
        and not window.is_loading
        and isinstance(history, HistoryTab)
        and history.model.rowCount() > 0
    )


def _workspace(ctx: AppContext, case_id: uuid.UUID) -> CaseWorkspace:
    window = open_workspace(ctx, case_id)
    window.resize(WINDOW)
    window.show_tab("history")
    return window


def _empty_dialog(state: QSettings) -> Dialog:
    dialog = Dialog(state, "bench-empty")
    dialog.resize(WINDOW)
    dialog.show()
    return dialog


def workspace_rows(ctx: AppContext, cases: list[uuid.UUID], repeat: int) -> list[Row]:
    ready: list[float] = []
    pauses: list[float] = []
    base_pauses: list[float] = []
    for _ in range(repeat):
        for case_id in cases:
            window, timeline = open_window(partial(_workspace, ctx, case_id), _workspace_ready)
            ready.append(timeline.ready["open"])
            pauses.append(timeline.pause["open"])
            close(window)
            dialog, timeline = open_window(partial(_empty_dialog, ctx.state), lambda _made: True)
            base_pauses.append(timeline.pause["open"])
            close(dialog)
    return [
        Row(
            "case workspace: open until the header and the History tab are filled",
            med_max(ready),
            "—",
            f"{len(cases)} cases × {repeat} openings; target < 300 ms",
        ),
        Row(
            "case workspace: longest GUI pause while opening",
            med_max(pauses),
            med_max(base_pauses),
            "baseline: an empty Dialog of the same size shown the same way",
        ),
    ]


def _counted_in_full(db: Database, actor: Actor, whole: bool) -> list[dashboard.OverdueGroup]:
    """The overdue lists with every item counted (the cap lifted), once and not timed."""
    cap = dashboard.OVERDUE_COUNT_CAP
    dashboard.OVERDUE_COUNT_CAP = 10**9
    try:
        return dashboard.overdue_items(db, actor, whole_office=whole, as_of=AS_OF)
    finally:
        dashboard.OVERDUE_COUNT_CAP = cap


def overdue_rows(db: Database, raw: sqlite3.Connection, actors: dict[str, Actor], repeat: int) -> list[Row]:
    rows: list[Row] = []
    for label, whole in (("specialist", False), ("head", True)):
        actor = actors[label]

        def load(actor: Actor = actor, whole: bool = whole) -> object:
            return dashboard.overdue_items(db, actor, whole_office=whole, as_of=AS_OF)

        wall, cpu, base, base_cpu, groups = against_replay(db, raw, load, repeat)
        assert isinstance(groups, list)
        every = _counted_in_full(db, actor, whole)
        capped = sum(group.capped for group in groups)
        scope = "whole office" if whole else "own cases"
        rows.append(
            Row(
                f"overdue lists ({label}, {scope}): models.dashboard.overdue_items",
                p(wall),
                p(base),
                f"{sum(group.total for group in every):,} overdue items in {len(groups)} lists, the first "
                f"{dashboard.DEFAULT_LIMIT} of each read, {capped} counts stopped at "
                f"{dashboard.OVERDUE_COUNT_CAP:,} (shown as more than); CPU p50 {ms(cpu)[0]:.1f} ms "
                f"(baseline {ms(base_cpu)[0]:.1f} ms); target < 200 ms; baseline: same SQL via sqlite3",
            )
        )
    return rows


# --- the run ----------------------------------------------------------------------------


def _copy(source: Path, target: Path) -> None:
    remove_sqlite_files(target)
    with sqlite3.connect(source) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(source, target)


def _actor(db: Database, role: str) -> Actor:
    username, _name, _role, password = next(user for user in DEMO_USERS if user[2] == role)
    return authenticate(db, username, password)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument("--reuse", action="store_true", help="reuse the demo database of an earlier run")
    parser.add_argument(
        "--background", type=int, default=1_000_000, help="audit entries of the office's past"
    )
    parser.add_argument("--cases", type=int, default=5, help="cases given a full history")
    parser.add_argument("--history", type=int, default=300, help="audit entries of each of those cases")
    parser.add_argument("--repeat", type=int, default=7, help="repetitions of each SQL measure")
    parser.add_argument("--gui-repeat", type=int, default=3, help="repetitions of each GUI measure")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qInstallMessageHandler(quiet_qt)
    set_language("ru")
    rng = random.Random(2026)

    print(f"… demo office of {args.children:,} children", file=sys.stderr, flush=True)
    source, reused = demo_office(args.children, args.workdir, args.reuse)
    path = args.workdir / f"casework-{args.children}.sqlite"
    _copy(source, path)
    app = QApplication.instance() or QApplication([])
    db = open_database(path, create=False)
    started = time.perf_counter()
    background_history(db, args.background, rng)
    background_s = time.perf_counter() - started
    actors = {role: _actor(db, role) for role in ("head", "specialist")}
    with db.reading() as session:
        open_ids = list(
            session.scalars(select(Case.id).where(Case.status != "closed", Case.deleted_at.is_(None)))
        )
    cases = rng.sample(open_ids, args.cases)
    print("… histories of the measured cases", file=sys.stderr, flush=True)
    started = time.perf_counter()
    history_sizes = [case_with_history(db, actors["head"], case_id, args.history) for case_id in cases]
    history_s = time.perf_counter() - started
    with db.engine.connect() as conn:
        log_size = conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    raw = sqlite3.connect(path)
    results: list[Row] = []
    state_file = args.workdir / "bench-casework.ini"
    state_file.unlink(missing_ok=True)
    try:
        ctx = AppContext(db, actors["head"], QSettings(str(state_file), QSettings.Format.IniFormat))
        keep_out_of_collections()  # as the program does once its window is up
        results += service_rows(db, raw, actors["head"], cases, args.repeat)
        results += workspace_rows(ctx, cases, args.gui_repeat)
        print("… workspace", file=sys.stderr, flush=True)
        results += overdue_rows(db, raw, actors, args.repeat)
    finally:
        QThreadPool.globalInstance().waitForDone()
        raw.close()
        db.dispose()
    del app
    what = "reused" if reused else "generated now"
    print(
        f"Demo office of {args.children:,} children ({what}), copied to {path}; as of {AS_OF:%d.%m.%Y}. "
        f"Audit log: {log_size:,} entries ({args.background:,} of the office's past written in "
        f"{background_s:.0f} s); the {len(cases)} measured cases have "
        f"{min(history_sizes)}–{max(history_sizes)} entries each, made through the services in "
        f"{history_s:.0f} s."
    )
    print()
    print("| measure | Bala Korgoo | baseline (same run) | note |")
    print("|---|---|---|---|")
    for row in results:
        print(f"| {row.what} | {row.ours} | {row.baseline} | {row.note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
