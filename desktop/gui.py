"""Start-up of the desktop client: application, language, log, crash dialog, database, then the session.

:func:`run_gui` wires these together; :class:`Launcher` leads from the first-run wizard
through sign-in to the main window, and back to sign-in when the user signs out. A SQLite
database is held with a lock file while the client runs, so a second copy of the program
cannot open it at the same time.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections.abc import Callable
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

from PySide6.QtCore import QCoreApplication, QLockFile, QObject, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from models.database import Database, data_dir, log_file, open_database, resolve_target
from models.errors import DatabaseRefused, DomainError
from models.i18n import _, gettext, set_language
from models.services.base import Actor
from models.settings import office_is_set_up

from ui.context import AppContext
from ui.crash import show_crash
from ui.login import LoginDialog
from ui.mainwindow import MainWindow, program_version
from ui.preferences import install_qt_translations, remove_qt_translations, start_language
from ui.setup_wizard import SetupWizard

LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5
UI_STATE_FILE = "ui-state.ini"
LOCK_SUFFIX = ".lock"
# Set to a file path, the client writes there the time (time.time()) at which the sign-in window
# was shown, and quits: installer/build.py measures the start-up of the frozen program with it.
ENV_STARTUP_PROBE = "BALAKORGOO_STARTUP_PROBE"

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


def keep_out_of_collections() -> None:
    """Move what start-up made (Qt wrappers, the ORM, catalogs, the window) out of the collector's reach.

    Those objects live as long as the program. Left tracked, every full collection goes through
    them all in one stretch holding the GIL (about 100 ms), which a worker thread that makes many
    objects (a register's 100,000 ids) starts, and the window cannot answer meanwhile.
    """
    gc.collect()
    gc.freeze()


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
    app.setApplicationVersion(program_version())
    app.setQuitOnLastWindowClosed(False)  # the launcher says when the session is over
    return app


def lock_database(target: str | Path | None) -> QLockFile | None:
    """Hold the lock file beside a SQLite database file (None for a database server).

    Two copies of the program on one file would each work on what they read before the other
    saved, so the second is refused (:class:`DatabaseRefused`, naming who holds the file). A lock
    left by a program that crashed is taken over; one left by another PC is not, as Qt cannot
    tell whether that program still runs.
    """
    url = resolve_target(target)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    path = Path(url.database)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # opening the database will say what is wrong with the folder
    lock = QLockFile(str(path) + LOCK_SUFFIX)
    lock.setStaleLockTime(0)  # held for the whole session: never stale while its program runs
    if lock.tryLock(0):
        return lock
    if lock.error() != QLockFile.LockError.LockFailedError:  # a read-only folder: nothing to share it with
        log.warning("no lock file for %s: %s", path, lock.error())
        return None
    pid, host, _app = lock.getLockInfo()
    raise DatabaseRefused(
        _(
            "The database {path} is already open in Bala Korgoo (process {pid} on the computer {host}). "
            "Work in that window, or close it and start the program again.",
            path=str(path),
            pid=pid,
            host=host,
        )
    )


def open_or_explain(target: str | Path | None, parent: QWidget | None = None) -> Database | None:
    """Open (creating on first run) the database, or say in a message box why it cannot be opened."""
    try:
        return open_database(target, create=True)
    except DomainError as error:
        log.warning("database refused: %s", error.message.render("en"))
        reason = error.message.render()
    except SQLAlchemyDatabaseError as error:  # a damaged file, a server that refuses the connection
        log.warning("database unreadable", exc_info=True)
        reason = str(_("The database could not be read: {reason}", reason=str(error.orig or error)))
    explain_refusal(reason, parent)
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


class Launcher(QObject):
    """Leads the user from the first setup through sign-in to the main window, and back on sign-out.

    Signals:
        finished(int): the session is over (the exit code): the main window or the sign-in was
            closed, or the first setup was cancelled.
    """

    finished = Signal(int)

    def __init__(self, db: Database, state: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.state = state
        self.wizard: SetupWizard | None = None
        self.login: LoginDialog | None = None
        self.window: MainWindow | None = None
        self.ctx: AppContext | None = None
        self._signing_out = False

    def start(self) -> None:
        with self.db.reading() as session:
            ready = office_is_set_up(session)
        if ready:
            self.show_login()
        else:
            self.show_wizard()

    def show_wizard(self) -> None:
        wizard = SetupWizard(self.db)
        wizard.office_set_up.connect(self._on_wizard_office_set_up)
        wizard.rejected.connect(self._on_wizard_rejected)
        self.wizard = wizard
        wizard.show()

    def show_login(self, username: str | None = None) -> None:
        login = LoginDialog(self.db, self.state)
        if username:
            login.username.setText(username)
            login.password.setFocus()
        login.signed_in.connect(self._on_login_signed_in)
        login.rejected.connect(self._on_login_rejected)
        self.login = login
        login.show()
        login.raise_()
        login.activateWindow()
        probe = os.environ.get(ENV_STARTUP_PROBE)
        if probe:
            QTimer.singleShot(0, lambda: report_startup(probe))

    @Slot(str)
    def _on_wizard_office_set_up(self, username: str) -> None:
        wizard = self.wizard
        self.wizard = None
        if wizard is not None:
            wizard.deleteLater()
        self.show_login(username)

    @Slot()
    def _on_wizard_rejected(self) -> None:
        self.finished.emit(0)

    @Slot(object)
    def _on_login_signed_in(self, actor: Actor) -> None:
        login = self.login
        self.login = None
        if login is not None:
            login.rejected.disconnect(self._on_login_rejected)
            login.deleteLater()
        self.ctx = AppContext(self.db, actor, self.state)
        window = MainWindow(self.ctx)
        window.sign_out_requested.connect(self._on_window_sign_out_requested)
        window.closed.connect(self._on_window_closed)
        self.window = window
        window.show()
        keep_out_of_collections()

    @Slot()
    def _on_login_rejected(self) -> None:
        self.finished.emit(0)

    @Slot()
    def _on_window_sign_out_requested(self) -> None:
        if self.window is not None:
            self._signing_out = True
            if not self.window.close():  # a form with unsaved changes stayed open
                self._signing_out = False

    @Slot()
    def _on_window_closed(self) -> None:
        window, ctx = self.window, self.ctx
        self.window, self.ctx = None, None
        if window is not None:
            window.deleteLater()
        if ctx is not None:
            ctx.deleteLater()
        if self._signing_out:
            self._signing_out = False
            self.show_login()
        else:
            self.finished.emit(0)


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
    db: Database | None = None
    lock: QLockFile | None = None
    try:
        log.info("Bala Korgoo %s starting", program_version())
        try:
            lock = lock_database(db_target)
        except DomainError as error:
            log.warning("database refused: %s", error.message.render("en"))
            explain_refusal(error.message.render())
            return 1
        db = open_or_explain(db_target)
        if db is None:
            return 1
        launcher = Launcher(db, state)
        launcher.finished.connect(QCoreApplication.exit)
        launcher.start()
        result = app.exec()
        state.sync()
        return result
    except Exception as error:
        sys.excepthook(type(error), error, error.__traceback__)  # logged and shown with the log's path
        return 1
    finally:
        if db is not None:
            db.dispose()
        if lock is not None:
            lock.unlock()
        sys.excepthook = previous_hook
        remove_qt_translations()
        stop_logging(handler)
