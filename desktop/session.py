"""A session of the desktop client on an open database: first setup, sign-in, the main window, sign-out.

:class:`Launcher` leads from the first-run wizard through sign-in to the main window, and back to
sign-in when the user signs out. It also makes the automatic backups (when a session ends, and
daily while one is open) and restores a backup between sessions when the backups tab asks for it.
It is loaded by :mod:`desktop.gui` once the database is open.
"""

from __future__ import annotations

import gc
import logging
from pathlib import Path

from PySide6.QtCore import QObject, QSettings, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QProgressDialog

from models.backups import BackupOutcome, Occasion, applies, auto_backup
from models.database import Database, open_database
from models.errors import DomainError
from models.i18n import gettext
from models.maintenance import RestoreInfo, restore_database
from models.services.base import Actor
from models.settings import office_is_set_up

from ui.context import AppContext
from ui.errors import error_text, show_error
from ui.login import LoginDialog
from ui.mainwindow import MainWindow
from ui.setup_wizard import SetupWizard
from ui.tasks import PROGRESS_DELAY_MS, Progress, Task, run_task

from desktop.gui import explain_refusal, show_window

# Automatic backups (models.backups): the first daily check soon after sign-in, then every half hour;
# the backup on exit is given at most this long before it is cancelled (the user may skip it sooner).
BACKUP_FIRST_CHECK_MS = 20_000
BACKUP_CHECK_MS = 30 * 60_000
EXIT_BACKUP_CAP_MS = 120_000
RESTORE_WAIT_MS = 15_000

log = logging.getLogger("bala_korgoo")


def keep_out_of_collections() -> None:
    """Move what start-up made (Qt wrappers, the ORM, catalogs, the window) out of the collector's reach.

    Those objects live as long as the program. Left tracked, every full collection goes through
    them all in one stretch holding the GIL (about 100 ms), which a worker thread that makes many
    objects (a register's 100,000 ids) starts, and the window cannot answer meanwhile.
    """
    gc.collect()
    gc.freeze()


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

    def start(self, login: LoginDialog | None = None) -> None:
        """Show the first setup or sign-in; *login* is a sign-in window already shown while the
        database was being opened (it is given the database, or closed for the first setup)."""
        with self.db.reading() as session:
            ready = office_is_set_up(session)
        if not ready:
            if login is not None:
                login.close()
                login.deleteLater()
            self.show_wizard()
        elif login is not None:
            self._adopt_login(login)
            login.set_database(self.db)
        else:
            self.show_login()

    def show_wizard(self) -> None:
        wizard = SetupWizard(self.db)
        wizard.office_set_up.connect(self._on_wizard_office_set_up)
        wizard.rejected.connect(self._on_wizard_rejected)
        self.wizard = wizard
        show_window(wizard)

    def show_login(self, username: str | None = None) -> None:
        login = LoginDialog(self.db, self.state)
        if username:
            login.username.setText(username)
            login.password.setFocus()
        self._adopt_login(login)
        show_window(login)

    def _adopt_login(self, login: LoginDialog) -> None:
        login.signed_in.connect(self._on_login_signed_in)
        login.rejected.connect(self._on_login_rejected)
        self.login = login

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
