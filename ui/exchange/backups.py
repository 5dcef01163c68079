"""The backups tab: the backups of the database, "Back up now", restoring one, and where they go.

Restoring never happens under the open session: after the backup is verified and the user
agrees, the tab records the request on the session (:func:`request_restore`) and closes the
main window; the launcher (:mod:`desktop.gui`) then lets go of the database, restores it
(verifying again and keeping the replaced file), and opens the sign-in window on the restored
database. PostgreSQL databases are backed up by the server; the tab says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from models.backups import (
    FOLDER_SETTING,
    KEEP_DAILY_SETTING,
    KEEP_LIMITS,
    KEEP_WEEKLY_SETTING,
    BackupFile,
    BackupOutcome,
    BackupSettings,
    BackupStatus,
    applies,
    backup_status,
    backups_folder,
    backups_of,
    get_backup_settings,
    make_backup,
    update_backup_settings,
)
from models.base import utcnow
from models.errors import DomainError
from models.i18n import N_, gettext
from models.maintenance import VerifiedBackup, verify_backup
from models.permissions import Permission

from ui.admin.common import (
    ERROR_COLOUR,
    Column,
    FieldRows,
    MessageBar,
    RowsModel,
    format_moment,
    make_table,
    report_failure,
    select_where,
    selected_row,
)
from ui.context import AppContext
from ui.errors import error_text
from ui.tasks import Progress, Task, run_task, run_with_progress

HEADER_KEY = "exchange/backups/header"
RESTORE_PROPERTY = "balaKorgooRestoreBackup"
"""The dynamic property of the session (:class:`AppContext`) naming the backup to restore on closing."""


def request_restore(ctx: QObject, backup: Path | None) -> None:
    """Ask the launcher to restore *backup* once the main window has closed (None: no longer)."""
    ctx.setProperty(RESTORE_PROPERTY, str(backup) if backup is not None else "")


def requested_restore(ctx: QObject) -> Path | None:
    """The backup the session asked to restore when its window closes, if any."""
    value = ctx.property(RESTORE_PROPERTY)
    return Path(value) if isinstance(value, str) and value else None


def size_text(size: int) -> str:
    """A file size in MB (KB below one MB) with a decimal comma, as Russian and Kyrgyz write it."""
    if size < 1_000_000:
        return gettext("{size} KB").format(size=max(1, round(size / 1000)))
    return gettext("{size} MB").format(size=f"{size / 1_000_000:.1f}".replace(".", ","))


@dataclass(frozen=True)
class _Check:
    """The outcome of "Verify" on one file in this session."""

    ok: bool
    at: datetime
    reason: str = ""


@dataclass(frozen=True)
class _Loaded:
    backups: list[BackupFile]
    settings: BackupSettings
    status: BackupStatus


class BackupsTab(QWidget):
    """The list of backups with "Back up now", "Verify" and "Restore…", and the backup settings.

    Signals: none; after a backup it announces the change "backup" (the home page shows the time).
    """

    kinds: tuple[str, ...] = ("backup", "settings")

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.applies = applies(ctx.db)
        self._checks: dict[Path, _Check] = {}
        self._task: Task[_Loaded] | None = None
        self._reload_wanted = False
        self._busy: Task[object] | None = None
        self.bar = MessageBar()
        self.model: RowsModel[BackupFile] = RowsModel(
            [
                Column(N_("Made"), lambda b: format_moment(b.made_at)),
                Column(N_("Size"), lambda b: size_text(b.size)),
                Column(N_("Kept in"), self._place_text),
                Column(N_("Check"), self._check_text),
                Column(N_("File"), lambda b: str(b.path)),
            ],
            parent=self,
        )
        self.table = make_table(self.model, ctx.state, HEADER_KEY, (130, 90, 170, 210))
        self.table.selectionModel().selectionChanged.connect(self._on_table_selection_changed)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.backup_button = QPushButton(gettext("Back up now"))
        self.backup_button.clicked.connect(self._on_backup_button_clicked)
        self.verify_button = QPushButton(gettext("Verify"))
        self.verify_button.clicked.connect(self._on_verify_button_clicked)
        self.restore_button = QPushButton(gettext("Restore…"))
        self.restore_button.clicked.connect(self._on_restore_button_clicked)
        self.restore_file_button = QPushButton(gettext("Restore from a file…"))
        self.restore_file_button.clicked.connect(self._on_restore_file_button_clicked)
        for button in (self.restore_button, self.restore_file_button):
            button.setVisible(ctx.can(Permission.RESTORE))

        self.folder_edit = QLineEdit()
        self.folder_edit.setPlaceholderText(gettext("none: backups stay in the data folder only"))
        self.choose_button = QPushButton(gettext("Choose…"))
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.daily_spin = QSpinBox()
        self.weekly_spin = QSpinBox()
        for spin in (self.daily_spin, self.weekly_spin):
            spin.setRange(*KEEP_LIMITS)
            spin.setMinimumWidth(90)
            spin.setMaximumWidth(120)
        self.save_button = QPushButton(gettext("Save settings"))
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.settings_box = self._settings_box()
        self._lay_out()
        self.refresh()

    # --- layout -----------------------------------------------------------------------

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox(gettext("Settings"))
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.fields = FieldRows(form)
        folder_row = QWidget()
        row = QHBoxLayout(folder_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.folder_edit, 1)
        row.addWidget(self.choose_button)
        self.fields.add(
            FOLDER_SETTING,
            gettext("Extra folder (e.g. a USB stick):"),
            folder_row,
            gettext(
                "Each backup is also copied there when the folder can be reached; when it cannot, the "
                "backup is still made in the data folder and the problem is shown here and on the home page."
            ),
        )
        self.fields.add(KEEP_DAILY_SETTING, gettext("Daily backups kept:"), self.daily_spin)
        self.fields.add(KEEP_WEEKLY_SETTING, gettext("Weekly backups kept:"), self.weekly_spin)
        rotation = QLabel(
            gettext(
                "Older backups are deleted: all of the last day's are kept, then the newest of each day, "
                "then the newest of each earlier week."
            )
        )
        rotation.setWordWrap(True)
        rotation.setEnabled(False)
        form.addRow(rotation)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addStretch(1)
        form.addRow(buttons)
        can_write = self.ctx.can(Permission.SETTINGS_WRITE)
        for widget in (
            self.folder_edit,
            self.choose_button,
            self.daily_spin,
            self.weekly_spin,
            self.save_button,
        ):
            widget.setEnabled(can_write)
        if not can_write:
            note = QLabel(gettext("Only an administrator changes these settings."))
            note.setEnabled(False)
            form.addRow(note)
        return box

    def _lay_out(self) -> None:
        layout = QVBoxLayout(self)
        if not self.applies:
            note = QLabel(
                gettext(
                    "This database is on a PostgreSQL server ({database}). The server's administrator backs "
                    "it up with the server's tools (pg_dump); Bala Korgoo makes backups of SQLite database "
                    "files only, so there are no automatic backups here."
                ).format(database=self.ctx.db.describe())
            )
            note.setWordWrap(True)
            layout.addWidget(note)
            layout.addStretch(1)
            return
        layout.addWidget(self.summary)
        buttons = QHBoxLayout()
        for button in (self.backup_button, self.verify_button, self.restore_button, self.restore_file_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.settings_box)

    # --- the tab ----------------------------------------------------------------------

    def refresh(self) -> None:
        """List the backups and read the settings in the background."""
        if not self.applies:
            return
        if self._task is not None:
            self._reload_wanted = True
            return
        self._reload_wanted = False
        db, actor = self.ctx.db, self.ctx.actor

        def work(_progress: Progress) -> _Loaded:
            return _Loaded(backups_of(db, actor), get_backup_settings(db, actor), backup_status(db))

        self._task = run_task(work, self._on_loaded, parent=self, on_error=self._on_load_failed)

    def focus_search(self) -> None:
        self.table.setFocus()

    def save_state(self) -> None:
        self.ctx.state.setValue(HEADER_KEY, self.table.horizontalHeader().saveState())

    def is_loading(self) -> bool:
        return self._task is not None

    def selected(self) -> BackupFile | None:
        row: BackupFile | None = selected_row(self.table)
        return row

    # --- showing ----------------------------------------------------------------------

    def _place_text(self, backup: BackupFile) -> str:
        return gettext("Extra folder") if backup.extra else gettext("Data folder")

    def _check_text(self, backup: BackupFile) -> str:
        check = self._checks.get(backup.path)
        if check is not None:
            if check.ok:
                return gettext("verified {moment}").format(moment=format_moment(check.at))
            return gettext("FAILED: {reason}").format(reason=check.reason)
        if backup.has_checksum:
            return gettext("checked when made")
        return gettext("no checksum file")

    @Slot(object)
    def _on_loaded(self, loaded: _Loaded) -> None:
        self._task = None
        chosen = self.selected()
        self.model.set_rows(loaded.backups)
        if chosen is not None:
            select_where(self.table, lambda row: row.path == chosen.path)
        elif loaded.backups:
            self.table.selectRow(0)
        self._show_settings(loaded.settings)
        self._show_summary(loaded.status, loaded.settings)
        self._update_buttons()
        if self._reload_wanted:
            self.refresh()

    @Slot(object)
    def _on_load_failed(self, error: BaseException) -> None:
        self._task = None
        self.bar.show_error(error_text(error))
        if self._reload_wanted:
            self.refresh()

    def _show_settings(self, settings: BackupSettings) -> None:
        self.folder_edit.setText(settings.folder)
        self.daily_spin.setValue(settings.keep_daily)
        self.weekly_spin.setValue(settings.keep_weekly)
        self.fields.clear()

    def _show_summary(self, status: BackupStatus, settings: BackupSettings) -> None:
        path = self.ctx.db.path
        folder = str(backups_folder(path)) if path is not None else ""
        lines = [
            gettext(
                "Backups are made automatically when the program closes and once a day, whenever the data "
                "changed since the last one. They are kept in {folder}."
            ).format(folder=folder)
        ]
        warning = ""
        last = status.last
        if last is None:
            lines.append(gettext("No backup has been made yet."))
        else:
            lines.append(gettext("Last backup: {moment}.").format(moment=format_moment(last.made_at)))
            problem = last.extra_message()
            warning = problem.render() if problem is not None else ""
        if not settings.folder:
            lines.append(gettext("No extra folder is chosen: keep a copy away from this computer too."))
        html = "<br>".join(escape(line) for line in lines)
        if warning:
            html += f'<br><span style="color: {ERROR_COLOUR}">{escape(warning)}</span>'
        self.summary.setText(html)

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        busy = self._busy is not None
        self.backup_button.setEnabled(not busy)
        self.verify_button.setEnabled(chosen and not busy)
        self.restore_button.setEnabled(chosen and not busy)
        self.restore_file_button.setEnabled(not busy)

    # --- actions ----------------------------------------------------------------------

    @Slot()
    def _on_table_selection_changed(self) -> None:
        self._update_buttons()

    @Slot()
    def _on_backup_button_clicked(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def work(progress: Progress) -> object:
            return make_backup(db, actor, should_stop=lambda: progress.cancelled)

        self.bar.clear_message()
        self._start(gettext("Making a backup…"), work, self._on_backup_made)

    def _on_backup_made(self, result: object) -> None:
        assert isinstance(result, BackupOutcome)
        text = gettext("Backup made: {file} ({size}).").format(
            file=result.path.name, size=size_text(result.size)
        )
        problem = result.problem
        if problem is not None:
            self.bar.show_error(f"{text}\n{problem.render()}")
        elif result.extra_path is not None:
            self.bar.show_info(
                f"{text}\n" + gettext("A copy is in {folder}.").format(folder=result.extra_path.parent)
            )
        else:
            self.bar.show_info(text)
        self.ctx.announce_change("backup")
        self.refresh()

    @Slot()
    def _on_verify_button_clicked(self) -> None:
        backup = self.selected()
        if backup is None:
            return
        path = backup.path
        self._start(
            gettext("Verifying the backup…"),
            lambda _progress: verify_backup(path),
            lambda result: self._on_verified(path, result),
            on_refused=lambda error: self._on_verify_refused(path, error),
        )

    def _on_verified(self, path: Path, result: object) -> None:
        assert isinstance(result, VerifiedBackup)
        self._checks[path] = _Check(True, utcnow())
        self.bar.show_info(
            gettext(
                "The backup {file} is intact: a database this program can open, with an untampered audit log."
            ).format(file=path.name)
        )
        self._redraw()

    def _on_verify_refused(self, path: Path, error: BaseException) -> None:
        self._checks[path] = _Check(False, utcnow(), error_text(error))
        self._redraw()

    @Slot()
    def _on_restore_button_clicked(self) -> None:
        backup = self.selected()
        if backup is not None:
            self._verify_then_restore(backup.path, backup.made_at)

    @Slot()
    def _on_restore_file_button_clicked(self) -> None:
        name, _filter = QFileDialog.getOpenFileName(
            self,
            gettext("Restore from a file"),
            str(self.ctx.db.path.parent if self.ctx.db.path else ""),
            gettext("Database backups (*.sqlite *.db *.bak);;All files (*)"),
        )
        if name:
            self._verify_then_restore(Path(name), None)

    def _verify_then_restore(self, path: Path, made_at: datetime | None) -> None:
        self.bar.clear_message()
        self._start(
            gettext("Verifying the backup…"),
            lambda _progress: verify_backup(path),
            lambda result: self._confirm_restore(path, made_at, result),
            on_refused=lambda error: self._on_verify_refused(path, error),
        )

    def _confirm_restore(self, path: Path, made_at: datetime | None, result: object) -> None:
        assert isinstance(result, VerifiedBackup)
        self._checks[path] = _Check(True, utcnow())
        self._redraw()
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(gettext("Restore a backup"))
        when = format_moment(made_at) if made_at is not None else path.name
        box.setText(gettext("Replace the database with the backup of {moment}?").format(moment=when))
        box.setInformativeText(
            gettext(
                "The backup was verified. Everything entered after it was made will be missing from the "
                "database; the current database is kept beside it as a file.\n\n"
                "Bala Korgoo closes this window, restores the backup and opens the sign-in window: sign in "
                "again with an account of the backup."
            )
        )
        restore = box.addButton(gettext("Restore and sign in again"), QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not restore:
            return
        request_restore(self.ctx, path)
        if not self.window().close():  # a form with unsaved changes stayed open
            request_restore(self.ctx, None)
            self.bar.show_error(gettext("Save or close the open forms first, then restore again."))

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, gettext("Extra folder for backups"), self.folder_edit.text() or str(Path.home())
        )
        if folder:
            self.folder_edit.setText(str(Path(folder)))

    @Slot()
    def _on_save_button_clicked(self) -> None:
        settings = BackupSettings(
            self.folder_edit.text().strip(), self.daily_spin.value(), self.weekly_spin.value()
        )
        try:
            changed = update_backup_settings(self.ctx.db, self.ctx.actor, settings)
        except DomainError as error:
            report_failure(error, self, self.bar, self.fields)
            return
        self.fields.clear()
        if changed:
            self.bar.show_info(gettext("The settings are saved."))
            self.ctx.announce_change("settings")
        else:
            self.bar.show_info(gettext("Nothing was changed."))
        self.refresh()

    # --- helpers ----------------------------------------------------------------------

    def _start(
        self,
        title: str,
        work: Callable[[Progress], object],
        on_done: Callable[[object], None],
        *,
        on_refused: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Run *work* behind a progress dialog (errors in a message box), one piece of work at a time."""
        task: Task[object] = run_with_progress(self, title, work, on_done)
        if on_refused is not None:
            task.failed.connect(on_refused)
        self._busy = task
        task.ended.connect(self._on_busy_ended)
        self._update_buttons()

    @Slot()
    def _on_busy_ended(self) -> None:
        self._busy = None
        self._update_buttons()

    def _redraw(self) -> None:
        chosen = self.selected()
        self.model.set_rows(self.model.rows())
        if chosen is not None:
            select_where(self.table, lambda row: row.path == chosen.path)
