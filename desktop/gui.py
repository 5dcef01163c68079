"""Start-up of the desktop client: application, language, log, crash dialog, database, then the session.

:func:`run_gui` wires these together. On an existing database the sign-in window is shown at
once, before the database code is loaded, and the database is opened (and checked, and migrated
if it is older) in the background behind it (:class:`Opening`); the session itself
(:class:`desktop.session.Launcher`: first setup, sign-in, main window, backups) is loaded once
the database is open. A SQLite database is held with a lock file while the client runs, so a
second copy of the program cannot open it at the same time.

This module, and what it loads before the sign-in window shows, loads neither SQLAlchemy nor
Alembic: a test keeps it so.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QCoreApplication,
    QLockFile,
    QObject,
    QSettings,
    Qt,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import QGuiApplication, QIcon
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from models.errors import DatabaseRefused, DomainError
from models.i18n import _, gettext, set_language
from models.paths import data_dir, log_file
from models.version import program_version

from ui.crash import show_crash
from ui.login import LoginDialog
from ui.preferences import install_qt_translations, remove_qt_translations, start_language
from ui.tasks import Progress, Task, run_task

from desktop.dblock import LOCK_SUFFIX as LOCK_SUFFIX  # the lock's file name, for tests and tools
from desktop.dblock import LockHeld, database_file, take_lock

if TYPE_CHECKING:
    from models.database import Database

    from desktop.session import Launcher

LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5
UI_STATE_FILE = "ui-state.ini"
# Set to a file path, the client writes there the time (time.time()) at which the sign-in window
# was shown, and quits: installer/build.py measures the start-up of the frozen program with it.
ENV_STARTUP_PROBE = "BALAKORGOO_STARTUP_PROBE"
SQLITE_HEADER = b"SQLite format 3\x00"
# The icon of every window (the title bar, the taskbar); drawn by installer/icons/make_icon.py.
WINDOW_ICON = Path(__file__).resolve().parent.parent / "ui" / "icons" / "bala-korgoo.png"

log = logging.getLogger("bala_korgoo")

ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def ui_state_path() -> Path:
    return data_dir() / UI_STATE_FILE


def open_ui_state(path: Path | None = None) -> QSettings:
    """The saved UI state (window sizes, columns, preferences): an INI file in the data directory."""
    return QSettings(str(path or ui_state_path()), QSettings.Format.IniFormat)


def start_logging(path: Path) -> logging.Handler:
    """Log warnings and errors of the program to the rotating *path* (stderr if it cannot be written)."""
    handler: logging.Handler
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8")
    except OSError:
        handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    log.addHandler(handler)
    if log.level == logging.NOTSET or log.level > logging.INFO:
        log.setLevel(logging.INFO)
    return handler


def stop_logging(handler: logging.Handler) -> None:
    log.removeHandler(handler)
    handler.close()


def make_excepthook(path: Path, show: Callable[[Path], None] = show_crash) -> ExceptHook:
    """A ``sys.excepthook`` that logs an unexpected error and tells the user where the log is.

    Without it an exception in a slot would only print to a console nobody sees. A second
    error while the dialog is up is logged only.
    """
    showing = False

    def hook(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        nonlocal showing
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        log.critical("unexpected error", exc_info=(kind, error, trace))
        if showing or QApplication.instance() is None:
            return
        showing = True
        try:
            show(path)
        finally:
            showing = False

    return hook


def application() -> QApplication:
    """The QApplication of the program (the existing one, if any) with its names set."""
    app = QApplication.instance()
    if app is None:
        # Windows offices run at 125 % or 150 %: scale by the exact factor, not a rounded one.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Bala Korgoo")
    app.setOrganizationName("BalaKorgoo")
    app.setQuitOnLastWindowClosed(False)  # the launcher says when the session is over
    app.setWindowIcon(QIcon(str(WINDOW_ICON)))
    return app


def lock_database(target: str | Path | None) -> QLockFile | None:
    """Hold the lock file beside a SQLite database file (None for a database server).

    Two copies of the program on one file would each work on what they read before the other
    saved, so the second is refused (:class:`DatabaseRefused`, naming who holds the file); see
    :func:`desktop.dblock.take_lock`.
    """
    try:
        return take_lock(target)
    except LockHeld as held:
        raise DatabaseRefused(
            _(
                "The database {path} is already open in Bala Korgoo (process {pid} on the computer {host}). "
                "Work in that window, or close it and start the program again.",
                path=str(held.path),
                pid=held.pid,
                host=held.host,
            )
        ) from None


def open_or_explain(target: str | Path | None, parent: QWidget | None = None) -> Database | None:
    """Open (creating on first run) the database, or say in a message box why it cannot be opened."""
    from models.database import open_database

    try:
        return open_database(target, create=True)
    except Exception as error:
        reason = refusal_reason(error)
        if reason is None:
            raise
    explain_refusal(reason, parent)
    return None


def refusal_reason(error: BaseException) -> str | None:
    """Why the database could not be opened, for the user (logged); None for an unexpected error."""
    from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

    if isinstance(error, DomainError):
        log.warning("database refused: %s", error.message.render("en"))
        return error.message.render()
    if isinstance(error, SQLAlchemyDatabaseError):  # a damaged file, a server that refuses the connection
        log.warning("database unreadable", exc_info=error)
        return str(_("The database could not be read: {reason}", reason=str(error.orig or error)))
    return None


def explain_refusal(reason: str, parent: QWidget | None = None) -> None:
    """Say in a message box that the database cannot be opened, and why."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(gettext("Bala Korgoo"))
    box.setText(gettext("The database cannot be opened."))
    box.setInformativeText(reason)
    box.exec()


def report_startup(path: str) -> None:
    """Write the time now to *path* and end the session (the start-up probe of the build)."""
    Path(path).write_text(repr(time.time()), encoding="utf-8")
    QCoreApplication.exit(0)


def show_window(window: QWidget) -> None:
    """Show *window* in front, with the keyboard; once the start-up probe is asked for, report and end."""
    window.show()
    window.raise_()
    window.activateWindow()
    probe = os.environ.get(ENV_STARTUP_PROBE)
    if probe:
        QTimer.singleShot(0, lambda: report_startup(probe))


def announce_start() -> None:
    """Log the start with the program's version, and give the version to Qt (after the first window:
    reading the installed package's metadata takes a noticeable moment)."""
    version = program_version()
    QCoreApplication.setApplicationVersion(version)
    log.info("Bala Korgoo %s starting", version)


def sign_in_first(target: str | Path | None) -> bool:
    """Whether *target* is an existing SQLite database file: sign-in can be shown while it opens.

    A new file goes through the first setup, and a database server's connection may be refused,
    so those are opened before anything is shown, as is a file that is plainly not a database.
    """
    path = database_file(target)
    if path is None:
        return False
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def open_in_background(target: str | Path | None, opened: list[Database]) -> Database:
    """Open the database *target* (in a worker thread) and load what signing in uses; it is also
    added to *opened*, so that it is closed even if nobody is left to take it."""
    from models.database import open_database

    db = open_database(target, create=True)
    opened.append(db)
    import models.services.users  # noqa: F401 - the accounts service checks the password next

    return db


class Opening(QObject):
    """The start of the program: sign-in at once, the database opened behind it, then the session.

    On an existing SQLite file the sign-in window is shown before anything else is loaded, and
    the database is opened in the background; a refusal (a damaged or newer database) closes the
    window and says why. Otherwise (first run, a database server) the database is opened first.
    Either way a :class:`~desktop.session.Launcher` takes over once the database is open.

    Signals:
        finished(int): the program's session is over (the exit code).
    """

    finished = Signal(int)

    def __init__(self, target: str | Path | None, state: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.target = target
        self.state = state
        self.login: LoginDialog | None = None
        self.launcher: Launcher | None = None
        self._opened: list[Database] = []  # every database opened, to be closed at the end
        self._task: Task[Database] | None = None

    def begin(self) -> bool:
        """Show the first window; False if the database was refused (the user was told why)."""
        if not sign_in_first(self.target):
            announce_start()
            db = open_or_explain(self.target)
            if db is None:
                return False
            self._opened.append(db)
            self._start_session(db)
            return True
        login = LoginDialog(None, self.state)
        login.rejected.connect(self._on_login_rejected)
        self.login = login
        show_window(login)
        QTimer.singleShot(0, self, self._open)  # once the window is up: the loading competes for the GIL
        return True

    @Slot()
    def _open(self) -> None:
        announce_start()
        target, opened = self.target, self._opened

        def work(_progress: Progress) -> Database:
            return open_in_background(target, opened)

        self._task = run_task(work, self._on_task_finished, parent=self, on_error=self._on_task_failed)

    def close(self) -> None:
        """Wait for an opening still under way (the program is ending) and close every database."""
        if self._task is not None and self._task.running:
            QThreadPool.globalInstance().waitForDone()
        for db in self._opened:
            db.dispose()
        if self.launcher is not None:
            self.launcher.db.dispose()  # a restore opens the restored database anew

    def _start_session(self, db: Database) -> None:
        from desktop.session import Launcher

        login, self.login = self.login, None
        if login is not None:
            login.rejected.disconnect(self._on_login_rejected)
        launcher = Launcher(db, self.state, self)
        launcher.finished.connect(self.finished)
        self.launcher = launcher
        launcher.start(login)

    @Slot(object)
    def _on_task_finished(self, db: Database) -> None:
        self._task = None
        self._start_session(db)

    @Slot(object)
    def _on_task_failed(self, error: BaseException) -> None:
        self._task = None
        login, self.login = self.login, None
        if login is not None:
            login.rejected.disconnect(self._on_login_rejected)
            login.close()
            login.deleteLater()
        reason = refusal_reason(error)
        if reason is None:  # logged and shown with the log's path
            sys.excepthook(type(error), error, error.__traceback__)
        else:
            explain_refusal(reason)
        self.finished.emit(1)

    @Slot()
    def _on_login_rejected(self) -> None:
        self.finished.emit(0)  # cancelled while the database was being opened


def run_gui(db_target: str | Path | None, lang: str | None) -> int:
    """Run the desktop client on *db_target* (default: the user's database) in *lang*; the exit code.

    *lang* None means the language saved in the preferences, else Russian.
    """
    app = application()
    state = open_ui_state()
    language = start_language(state, lang)
    set_language(language)
    install_qt_translations(language)
    handler = start_logging(log_file())
    previous_hook = sys.excepthook
    sys.excepthook = make_excepthook(log_file())
    opening: Opening | None = None
    lock: QLockFile | None = None
    try:
        try:
            lock = lock_database(db_target)
        except DomainError as error:
            log.warning("database refused: %s", error.message.render("en"))
            explain_refusal(error.message.render())
            return 1
        opening = Opening(db_target, state)
        opening.finished.connect(QCoreApplication.exit)
        if not opening.begin():
            return 1
        result = app.exec()
        state.sync()
        return result
    except Exception as error:
        sys.excepthook(type(error), error, error.__traceback__)  # logged and shown with the log's path
        return 1
    finally:
        if opening is not None:
            opening.close()
            opening.deleteLater()
        if lock is not None:
            lock.unlock()
        sys.excepthook = previous_hook
        remove_qt_translations()
        stop_logging(handler)
