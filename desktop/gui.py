"""Start-up of the desktop client: application, language, log, crash dialog, database, then the session.

:func:`run_gui` wires these together; :class:`Launcher` leads from the first-run wizard
through sign-in to the main window, and back to sign-in when the user signs out. A SQLite
database is held with a lock file while the client runs, so a second copy of the program
cannot open it at the same time. The launcher also makes the automatic backups (when a session
ends, and daily while one is open) and restores a backup between sessions when the backups tab
asks for it.
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
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog, QWidget

from models.backups import BackupOutcome, Occasion, applies, auto_backup
from models.database import Database, data_dir, log_file, open_database
from models.errors import DatabaseRefused, DomainError
from models.i18n import _, gettext, set_language
from models.maintenance import RestoreInfo, restore_database
from models.services.base import Actor
from models.settings import office_is_set_up

from ui.context import AppContext
from ui.crash import show_crash
from ui.errors import error_text, show_error
from ui.login import LoginDialog
from ui.mainwindow import MainWindow, program_version
from ui.preferences import install_qt_translations, remove_qt_translations, start_language
from ui.setup_wizard import SetupWizard
from ui.tasks import PROGRESS_DELAY_MS, Progress, Task, run_task

from desktop.dblock import LOCK_SUFFIX as LOCK_SUFFIX  # the lock's file name, for tests and tools
from desktop.dblock import LockHeld, take_lock

LOG_MAX_BYTES = 1_000_000
LOG_BACKUPS = 5
UI_STATE_FILE = "ui-state.ini"
# Set to a file path, the client writes there the time (time.time()) at which the sign-in window
# was shown, and quits: installer/build.py measures the start-up of the frozen program with it.
ENV_STARTUP_PROBE = "BALAKORGOO_STARTUP_PROBE"
# Automatic backups (models.backups): the first daily check soon after sign-in, then every half hour;
# the backup on exit is given at most this long before it is cancelled (the user may skip it sooner).
BACKUP_FIRST_CHECK_MS = 20_000
BACKUP_CHECK_MS = 30 * 60_000
EXIT_BACKUP_CAP_MS = 120_000
RESTORE_WAIT_MS = 15_000

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

    When the main window closes it backs up in the background (if the data changed since the last
    backup), and the program ends only once that backup is done (:meth:`_finish`). A restore the
    backups tab asked for (:func:`ui.exchange.backups.request_restore`) runs after the window
    closed, with every connection let go, and leads back to sign-in on the restored database.

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
        self.backup_task: Task[BackupOutcome | None] | None = None
        self._next_backup: tuple[Occasion, Actor] | None = None
        self._finishing: tuple[int, QProgressDialog] | None = None  # the exit code, the waiting dialog
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(BACKUP_CHECK_MS)
        self.backup_timer.timeout.connect(self._on_backup_timer_timeout)
        self.first_backup_check = QTimer(self)  # soon after signing in; stopped with the session
        self.first_backup_check.setSingleShot(True)
        self.first_backup_check.setInterval(BACKUP_FIRST_CHECK_MS)
        self.first_backup_check.timeout.connect(self._on_backup_timer_timeout)

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
        if applies(self.db):
            self.first_backup_check.start()
            self.backup_timer.start()

    @Slot()
    def _on_login_rejected(self) -> None:
        self._finish(0)

    @Slot()
    def _on_window_sign_out_requested(self) -> None:
        if self.window is not None:
            self._signing_out = True
            if not self.window.close():  # a form with unsaved changes stayed open
                self._signing_out = False

    @Slot()
    def _on_window_closed(self) -> None:
        from ui.exchange.backups import requested_restore  # the request the backups tab may have left

        window, ctx = self.window, self.ctx
        self.window, self.ctx = None, None
        self.first_backup_check.stop()
        self.backup_timer.stop()
        if window is not None:
            window.deleteLater()
        backup = requested_restore(ctx) if ctx is not None else None
        actor = ctx.actor if ctx is not None else None
        if ctx is not None:
            ctx.deleteLater()
        signing_out, self._signing_out = self._signing_out, False
        if backup is not None and actor is not None:
            self._restore(backup, actor)
            return
        if actor is not None:
            self.start_backup(Occasion.EXIT, actor)  # the end of the user's session
        if signing_out:
            self.show_login()
        else:
            self._finish(0)

    # --- automatic backups ------------------------------------------------------------

    def start_backup(self, occasion: Occasion, actor: Actor) -> None:
        """Make the automatic backup of *occasion* in the background if it is due.

        One at a time: asked for while another runs, it starts when that one ends (an exit just
        after the daily backup began still gets the changes made meanwhile).
        """
        if not applies(self.db):
            return
        if self.backup_task is not None:
            self._next_backup = (occasion, actor)
            return
        db = self.db

        def work(progress: Progress) -> BackupOutcome | None:
            return auto_backup(db, actor, occasion, should_stop=lambda: progress.cancelled)

        task = run_task(
            work, self._on_backup_task_finished, parent=self, on_error=self._on_backup_task_failed
        )
        task.ended.connect(self._on_backup_task_ended)
        self.backup_task = task

    @Slot()
    def _on_backup_timer_timeout(self) -> None:
        if self.ctx is not None:
            self.start_backup(Occasion.DAILY, self.ctx.actor)

    @Slot(object)
    def _on_backup_task_finished(self, outcome: BackupOutcome | None) -> None:
        if outcome is None:
            return
        log.info("automatic backup %s (%d bytes)", outcome.path, outcome.size)
        if outcome.problem is not None:
            log.warning("automatic backup: %s", outcome.problem.render("en"))
        if self.ctx is not None:
            self.ctx.announce_change("backup")

    @Slot(object)
    def _on_backup_task_failed(self, error: BaseException) -> None:
        log.warning("automatic backup failed: %s", error_text(error))

    @Slot()
    def _on_backup_task_ended(self) -> None:
        self.backup_task = None
        following, self._next_backup = self._next_backup, None
        if following is not None:
            self.start_backup(*following)
        if not self.backing_up() and self._finishing is not None:
            code, dialog = self._finishing
            self._finishing = None
            dialog.close()
            dialog.deleteLater()
            self.finished.emit(code)

    def backing_up(self) -> bool:
        """Whether an automatic backup is under way."""
        return self.backup_task is not None

    def _finish(self, code: int) -> None:
        """End the session once the backups under way (if any) are done, behind a small progress dialog.

        The user may skip the wait; after :data:`EXIT_BACKUP_CAP_MS` the backup is cancelled (a
        cancelled backup leaves no file behind and the previous backups stay).
        """
        if self.backup_task is None:
            self.finished.emit(code)
            return
        dialog = QProgressDialog(
            gettext("Making a backup of the database before closing…"), gettext("Skip"), 0, 0
        )
        dialog.setWindowTitle(gettext("Bala Korgoo"))
        dialog.setMinimumDuration(PROGRESS_DELAY_MS)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self._on_finishing_skipped)
        cap = QTimer(dialog)
        cap.setSingleShot(True)
        cap.timeout.connect(self._on_finishing_skipped)
        cap.start(EXIT_BACKUP_CAP_MS)
        self._finishing = (code, dialog)
        QTimer.singleShot(0, dialog, lambda: dialog.setValue(0))  # shown after the delay if still working

    @Slot()
    def _on_finishing_skipped(self) -> None:
        self._next_backup = None
        if self.backup_task is not None:
            self.backup_task.cancel()

    # --- restoring a backup -----------------------------------------------------------

    def _restore(self, backup: Path, actor: Actor) -> None:
        """Restore *backup* over the closed session's database, then sign in again on the restored one.

        Every connection is let go first (the pages' background reads are waited for), so nothing
        of this program holds the file; the launcher keeps the database's lock file throughout.
        """
        target = self.db.path
        assert target is not None  # the backups tab offers restoring for SQLite files only
        self.backup_timer.stop()
        QThreadPool.globalInstance().waitForDone(RESTORE_WAIT_MS)
        self.db.dispose()
        dialog = QProgressDialog(gettext("Restoring the backup…"), "", 0, 0)
        dialog.setWindowTitle(gettext("Bala Korgoo"))
        dialog.setCancelButton(None)  # a restore half done is never left behind: it runs to its end
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.setValue(0)
        task = run_task(
            lambda _progress: restore_database(target, backup, actor),
            self._on_restored,
            parent=self,
            on_error=self._on_restore_failed,
        )
        task.ended.connect(dialog.close)
        task.ended.connect(dialog.deleteLater)

    @Slot(object)
    def _on_restored(self, info: RestoreInfo) -> None:
        try:
            restored = open_database(info.target, create=False)
        except DomainError as error:
            explain_refusal(error.message.render())
            self._finish(1)
            return
        self.db.dispose()
        self.db = restored
        box = QMessageBox()
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle(gettext("Bala Korgoo"))
        box.setText(gettext("The backup was restored. Sign in again."))
        lines = [gettext("Restored from: {path}").format(path=info.backup)]
        if info.replaced is not None:
            lines.append(gettext("The database it replaced is kept as {path}").format(path=info.replaced))
        box.setInformativeText("\n".join(lines))
        box.exec()
        self.show_login()

    @Slot(object)
    def _on_restore_failed(self, error: BaseException) -> None:
        show_error(None, error, gettext("Restore a backup"))
        self.show_login()  # the database was not changed


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
        db = launcher.db  # a restore opens the restored database anew
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
