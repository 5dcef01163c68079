"""Render the main screens offscreen to PNG files, on a made-up demo office (the README shows them).

    uv run python -m desktop.screenshots --out docs/screenshots [--children 2000] [--lang ru]

A demo office (:func:`models.demo.generate`) is built in a temporary folder and the demo
department head signs in. Each screen is a real window of the program at 1366×768, shown
offscreen and captured once its background reads are done: the sign-in dialog, the home
page, the registers, the record forms, a case's workspace (overview, assessments, plan,
referrals, history) and a КДД meeting.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from functools import partial
from pathlib import Path

from sqlalchemy import Select, select

from PySide6.QtCore import QSettings, QSize, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from models.database import Database, open_database
from models.demo import DEMO_USERS, generate
from models.i18n import set_language
from models.orm import Case, Household, KddMeeting, Plan, Referral, Report
from models.services.base import Actor
from models.services.casefile import case_header
from models.services.cases import update_case
from models.services.users import authenticate
from models.services.visits import VisitInput, record_visit

from ui.casework.workspace import CaseWorkspace, open_workspace
from ui.context import AppContext
from ui.exchange import ExchangePage
from ui.forms import open_record_form
from ui.kdd.meeting import open_meeting
from ui.login import LoginDialog
from ui.mainwindow import MainWindow
from ui.preferences import install_qt_translations

SIZE = QSize(1366, 768)
SETTLE_MS = 400
TIMEOUT_S = 60


def settle(app: QApplication) -> None:
    """Let the window finish: no background read under way for SETTLE_MS, then paint."""
    deadline = time.monotonic() + TIMEOUT_S
    quiet_since: float | None = None
    pool = QThreadPool.globalInstance()
    while time.monotonic() < deadline:
        app.processEvents()
        if pool.activeThreadCount() == 0:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since >= SETTLE_MS / 1000:
                break
        else:
            quiet_since = None
        time.sleep(0.01)
    app.processEvents()


def shoot(app: QApplication, widget: QWidget, path: Path) -> None:
    settle(app)
    widget.grab().save(str(path))
    print(path, file=sys.stderr)


class Screens:
    """The screens of one demo office, written to *out* as ``NN-name.png``."""

    def __init__(self, app: QApplication, db: Database, state: QSettings, out: Path) -> None:
        self.app = app
        self.db = db
        self.state = state
        self.out = out
        self.number = 0

    def path(self, name: str) -> Path:
        self.number += 1
        return self.out / f"{self.number:02d}-{name}.png"

    def window(
        self, name: str, make: Callable[[], QWidget | None], *, full_size: bool = True
    ) -> QWidget | None:
        """Make a window, show it (at the screen size, or at its own for a dialog) and capture it."""
        widget = make()
        if widget is None:
            return None
        widget.show()
        if full_size:  # after show(): a window restores its saved geometry when shown
            widget.resize(SIZE)
        shoot(self.app, widget, self.path(name))
        return widget

    def first_id(self, statement: Select[uuid.UUID]) -> uuid.UUID:
        """The first id the statement selects (the demo office has one of each)."""
        with self.db.reading() as session:
            found = session.scalars(statement).first()
        if found is None:
            raise LookupError(f"the demo office has no record for {statement}")
        return found


def _demo_user(db: Database, role: str) -> Actor:
    username, _name, _role, password = next(user for user in DEMO_USERS if user[2] == role)
    return authenticate(db, username, password)


def work_on_case(db: Database, case_id: uuid.UUID) -> None:
    """A few days of work on a case through the services, so that its history has something to show."""
    specialist, social_worker = _demo_user(db, "specialist"), _demo_user(db, "social_worker")
    header = case_header(db, specialist, case_id)
    today = date.today()
    record_visit(
        db,
        social_worker,
        case_id,
        VisitInput(
            today - timedelta(days=2),
            participants="Бабушка, ребёнок",
            observations="Ребёнок посещает школу, в доме тепло; мать звонит по выходным.",
            next_visit_date=today + timedelta(days=28),
        ),
    )
    update_case(
        db,
        specialist,
        case_id,
        expected_version=header.version,
        summary="Мать в трудовой миграции в России, ребёнок живёт с бабушкой.",
    )
    case_header(db, social_worker, case_id)


def offscreen_platform(folder: Path) -> str:
    """The offscreen platform with a Full HD screen (its default screen of 800×800 would cramp windows)."""
    screen = {"name": "screen", "x": 0, "y": 0, "width": 1920, "height": 1080, "logicalDpi": 96, "dpr": 1}
    config = folder / "offscreen.json"
    config.write_text(json.dumps({"windowFrameMargins": False, "screens": [screen]}))
    return f"offscreen:configfile={config}"


def render(out: Path, children: int, lang: str) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("QT_QPA_PLATFORM", offscreen_platform(Path(folder)))
        set_language(lang)
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        install_qt_translations(lang)
        db = open_database(Path(folder) / "demo.sqlite")
        print(f"… demo office of {children:,} children", file=sys.stderr, flush=True)
        generate(db, children, seed=2026, as_of=date.today())
        state = QSettings(str(Path(folder) / "ui-state.ini"), QSettings.Format.IniFormat)
        screens = Screens(app, db, state, out)
        screens.window("sign-in", partial(LoginDialog, db, state), full_size=False)
        ctx = AppContext(db, _demo_user(db, "head"), state)
        main = MainWindow(ctx)
        main.show()
        main.resize(SIZE)
        for key in ("home", "children", "reports", "cases", "referrals", "kdd_meetings"):
            main.show_section(key)
            shoot(app, main, screens.path(key.replace("_", "-")))
        implementation = Case.status == "implementation"
        child = screens.first_id(select(Case.child_id).where(implementation).order_by(Case.id))
        household = screens.first_id(select(Household.id).order_by(Household.id))
        report = screens.first_id(select(Report.id).where(Report.decision == "open_case").order_by(Report.id))
        for kind, record_id in (("person", child), ("household", household), ("report", report)):
            screens.window(f"{kind}-form", partial(open_record_form, ctx, kind, record_id))
        case_id = screens.first_id(
            select(Plan.case_id)
            .join(Referral, Referral.case_id == Plan.case_id)
            .where(Plan.status == "approved")
            .order_by(Plan.case_id)
        )
        work_on_case(db, case_id)
        workspace = screens.window("case-workspace", partial(open_workspace, ctx, case_id))
        if isinstance(workspace, CaseWorkspace):
            for tab in ("assessments", "plan", "referrals", "history"):
                workspace.show_tab(tab)
                shoot(app, workspace, screens.path(f"case-{tab}"))
            workspace.close()
        held = KddMeeting.status == "held"
        meeting = screens.first_id(select(KddMeeting.id).where(held).order_by(KddMeeting.id))
        screens.window("kdd-meeting", partial(open_meeting, ctx, meeting))
        main.show_section("exchange")
        exchange = main.page("exchange")
        if isinstance(exchange, ExchangePage):
            for tab in ("packages", "legacy", "backups"):
                exchange.show_tab(tab)
                shoot(app, main, screens.path(f"exchange-{tab}"))
        QTimer.singleShot(0, app.closeAllWindows)
        settle(app)
        QThreadPool.globalInstance().waitForDone()
        db.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--children", type=int, default=2000)
    parser.add_argument("--lang", choices=("ru", "ky", "en"), default="ru")
    args = parser.parse_args(argv)
    return render(args.out, args.children, args.lang)


if __name__ == "__main__":
    sys.exit(main())
