"""Export a register page to a spreadsheet: its filters, sort and shown columns, every matching row.

The save dialog is a module function so that a test can stand in for the user; the export itself
(:func:`models.exchange.spreadsheets.export_register`) runs off the GUI thread behind a progress
dialog that can cancel it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

from models.i18n import N_, current_language, gettext, ngettext
from models.validation import format_date, local_today

from ui.tasks import Cancelled, Progress, Task, run_with_progress

if TYPE_CHECKING:
    from models.exchange.spreadsheets import ExportResult

    from ui.registers.page import RegisterPage

Format = Literal["xlsx", "csv"]
FOLDER_KEY = "exchange/spreadsheet_folder"
_FILTERS = {"xlsx": N_("Excel workbook (*.xlsx)"), "csv": N_("CSV, semicolon-separated (*.csv)")}


def ask_export_path(parent: QWidget, suggested: Path, fmt: Format) -> Path | None:
    """The save dialog, starting at *suggested*; None if the user cancelled. Adds the extension if missing."""
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, gettext("Export the register"), str(suggested), gettext(_FILTERS[fmt])
    )
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == f".{fmt}" else path.with_name(f"{path.name}.{fmt}")


def suggested_name(register: str, fmt: Format) -> str:
    """The file name offered: the register's name and today's date, e.g. «Дети 07.12.2026.xlsx»."""
    from models.exchange.spreadsheets import sheet_name

    return f"{sheet_name(register, current_language())} {format_date(local_today())}.{fmt}"


def export_page(page: RegisterPage, fmt: Format) -> Task[ExportResult] | None:
    """Ask where, then export what *page* shows; the task, or None if the user cancelled the dialog."""
    from models.exchange.spreadsheets import ExportCancelled, export_register

    state = page.ctx.state
    path = ask_export_path(page, _folder(state) / suggested_name(page.register, fmt), fmt)
    if path is None:
        return None
    state.setValue(FOLDER_KEY, str(path.parent))
    db, actor, register = page.ctx.db, page.ctx.actor, page.register
    query, shown, lang = page.model.query(), page.shown_columns(), current_language()

    def work(progress: Progress) -> ExportResult:
        def report(done: int, total: int) -> None:
            text = gettext("Exporting rows: {done} of {total}").format(done=done, total=total)
            progress.report(done, total, text)

        try:
            return export_register(
                db,
                actor,
                register,
                path,
                fmt,
                query,
                columns=shown,
                lang=lang,
                progress=report,
                cancelled=lambda: progress.cancelled,
            )
        except ExportCancelled:
            raise Cancelled from None

    def done(result: ExportResult) -> None:
        saved = ngettext("Saved {path}: {rows} row.", "Saved {path}: {rows} rows.", result.rows)
        page.export_note.setText(saved.format(path=result.path.name, rows=result.rows))
        page.exported.emit(str(result.path))

    return run_with_progress(page, gettext("Export the register"), work, done)


def _folder(state: QSettings) -> Path:
    """The folder the user last exported to, else Documents (or home)."""
    saved = state.value(FOLDER_KEY)
    if isinstance(saved, str) and saved and Path(saved).is_dir():
        return Path(saved)
    documents = Path.home() / "Documents"
    return documents if documents.is_dir() else Path.home()
