"""Batch printing: many documents made in the background, then printed in one job or saved into one folder.

Entry points: :func:`print_referrals_issued_on` (a day's referrals, from the referrals
register) and :func:`print_meeting_notices` (the notices of a КДД meeting, from its window).
Each document printed or saved is recorded (:func:`reports.catalog.record_print`). A target
that cannot be made (a refusal) is skipped and named in the summary; the others still go out.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget

from models.errors import DomainError
from models.files import write_atomically
from models.i18n import gettext, ngettext
from models.papers.batches import invited_items, referrals_issued_on
from models.validation import format_date

from reports.catalog import Document, Target, make_document, record_print

from ui.context import AppContext
from ui.printing import output
from ui.tasks import Progress, Task, run_with_progress

DESTINATIONS = ("printer", "pdf")


@dataclass(frozen=True)
class Made:
    """The documents made for a batch, and what could not be made (one message per refused target)."""

    documents: list[Document]
    refused: list[str]


class BatchPrint(QObject):
    """One batch: make the documents of *targets* (a function run in the worker), then print or save them.

    *destination* is "printer" (one print dialog, one job) or "pdf" (one folder dialog, one file
    per document). *empty* is the message when there is nothing to print.

    Signals:
        progressed(int, int, str): steps done, total steps, what is being done (making, printing, saving).
        done(int): the documents printed or saved (each recorded); 0 if none went out.
    """

    progressed = Signal(int, int, str)
    done = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        targets: Callable[[], Sequence[Target]],
        destination: str,
        parent: QWidget,
        *,
        title: str,
        empty: str,
    ) -> None:
        super().__init__(parent)
        if destination not in DESTINATIONS:
            raise ValueError(f"unknown destination {destination}")
        self.ctx = ctx
        self.destination = destination
        self.title = title
        self.made: Made | None = None
        self.summary: QMessageBox | None = None
        self._targets = targets
        self._empty = empty
        self._parent = parent
        self._printer: QPrinter | None = None
        self._task: Task[Any] | None = None

    def start(self) -> None:
        """Make the documents behind a progress dialog (with cancel)."""
        db, actor, targets = self.ctx.db, self.ctx.actor, self._targets

        def work(progress: Progress) -> Made:
            wanted = list(targets())
            documents: list[Document] = []
            refused: list[str] = []
            for done, target in enumerate(wanted):
                progress.check()
                text = gettext("Making document {n} of {total}…").format(n=done + 1, total=len(wanted))
                progress.report(done, len(wanted), text)
                try:
                    documents.append(make_document(db, actor, target))
                except DomainError as error:
                    refused.append(error.message.render())
            return Made(documents, refused)

        self._watch(run_with_progress(self._parent, self.title, work, self._on_made))

    def _watch(self, task: Task[Any]) -> None:
        self._task = task
        task.progressed.connect(self.progressed)
        task.failed.connect(self._on_task_failed)
        task.cancelled.connect(self._on_task_failed)

    @Slot()
    def _on_task_failed(self) -> None:
        """The work failed (the progress dialog showed why) or was cancelled: nothing more goes out."""
        self._printer = None
        self.done.emit(0)

    def _on_made(self, made: Made) -> None:
        self.made = made
        if not made.documents:
            self._finish(0, [*made.refused] or [self._empty])
            return
        if self.destination == "printer":
            self._print(made.documents)
        else:
            self._save(made.documents)

    def _print(self, documents: list[Document]) -> None:
        printer = output.new_printer(documents[0])
        if not output.ask_printer(self._parent, printer, 0):
            self.done.emit(0)
            return
        job = output.job_of(printer, 0)
        db, actor = self.ctx.db, self.ctx.actor

        def work(progress: Progress) -> int:
            output.paint(printer, documents, job, progress)
            for document in documents:
                record_print(db, actor, document, destination="printer", copies=job.copies)
            return len(documents)

        self._printer = printer  # used by the worker until the job has ended
        self._watch(run_with_progress(self._parent, gettext("Printing…"), work, self._on_sent))

    def _save(self, documents: list[Document]) -> None:
        folder = output.ask_folder(self._parent, output.last_folder(self.ctx.state))
        if folder is None:
            self.done.emit(0)
            return
        output.remember_folder(self.ctx.state, folder)
        db, actor = self.ctx.db, self.ctx.actor

        def work(progress: Progress) -> int:
            taken: set[Path] = set()
            for n, document in enumerate(documents):
                progress.check()
                text = gettext("Saving document {n} of {total}…").format(n=n + 1, total=len(documents))
                progress.report(n, len(documents), text)
                path = output.free_path(folder, document.file_name, taken)
                taken.add(path)
                write_atomically(path, document.pdf)
                record_print(db, actor, document, destination="pdf")
            return len(documents)

        self._watch(run_with_progress(self._parent, gettext("Saving…"), work, self._on_sent))

    def _on_sent(self, count: object) -> None:
        assert isinstance(count, int)
        self._printer = None
        self._finish(count, self.made.refused if self.made else [])

    def _finish(self, count: int, problems: list[str]) -> None:
        """Say how many documents went out and which could not be made (a message the user closes)."""
        if count:
            text = (
                ngettext("{n} document was printed.", "{n} documents were printed.", count)
                if self.destination == "printer"
                else ngettext("{n} document was saved.", "{n} documents were saved.", count)
            ).format(n=count)
        else:
            text = gettext("Nothing was printed.")
        box = QMessageBox(self._parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setIcon(QMessageBox.Icon.Warning if problems else QMessageBox.Icon.Information)
        box.setWindowTitle(self.title)
        box.setText(text)
        if problems:
            box.setInformativeText("\n".join(problems))
        self.summary = box
        box.open()
        self.done.emit(count)

    @Slot()
    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()


def print_referrals_issued_on(
    ctx: AppContext, day: date, parent: QWidget, destination: str = "printer"
) -> BatchPrint:
    """Print (or save) every referral the office issued on *day*."""
    db, actor = ctx.db, ctx.actor

    def targets() -> list[Target]:
        return [Target("referral", referral_id) for referral_id in referrals_issued_on(db, actor, day)]

    batch = BatchPrint(
        ctx,
        targets,
        destination,
        parent,
        title=gettext("Referrals issued on {date}").format(date=format_date(day)),
        empty=gettext("No referrals were issued on {date}.").format(date=format_date(day)),
    )
    batch.start()
    return batch


def print_meeting_notices(
    ctx: AppContext, meeting_id: uuid.UUID, parent: QWidget, destination: str = "printer"
) -> BatchPrint:
    """Print (or save) the notices of a КДД meeting: one "kdd-notice" per agenda item with parents invited."""
    db, actor = ctx.db, ctx.actor

    def targets() -> list[Target]:
        return [Target("kdd-notice", item_id) for item_id in invited_items(db, actor, meeting_id)]

    batch = BatchPrint(
        ctx,
        targets,
        destination,
        parent,
        title=gettext("Notices of the КДД meeting"),
        empty=gettext("No parents or guardians are invited to this meeting."),
    )
    batch.start()
    return batch
