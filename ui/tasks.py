"""Long work off the GUI thread: a task on the thread pool, with progress, cancel and a result signal.

The work function runs in a worker thread and must not touch widgets; it gets a
:class:`Progress` to report how far it got and to see whether the user cancelled. Results,
errors and progress come back to the GUI thread as signals.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QWidget

from models.i18n import gettext

from ui.errors import error_text, show_error

T = TypeVar("T")

# A dialog appears only for work that is not done within this time.
PROGRESS_DELAY_MS = 400


class Cancelled(Exception):
    """Raised by :meth:`Progress.check` when the user cancelled the task."""


class Progress:
    """Handed to the work function: :meth:`report` progress, :meth:`check` for a cancel."""

    def __init__(self, key: int) -> None:
        self._key = key
        self._cancel = threading.Event()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Stop the work (raise :class:`Cancelled`) if the user cancelled it."""
        if self._cancel.is_set():
            raise Cancelled

    def report(self, done: int, total: int = 0, text: str = "") -> None:
        """*done* of *total* steps (total 0: unknown), with a line saying what is being done."""
        _dispatcher().relay.emit(self._key, "progressed", (done, total, text))


class Task(QObject, Generic[T]):
    """One piece of work on the global thread pool.

    Give it a parent (the window it works for) and its signals stop with the window. The
    worker thread never touches the task: it reports to the dispatcher, which lives as long as
    the program, and the dispatcher hands the news to the task in the GUI thread if it still
    exists. So no window closed meanwhile can delete a task under a worker's feet, and no worker
    ever frees a Qt object.

    Signals:
        progressed(int, int, str): steps done, total steps (0 if unknown), what is being done.
        finished(object): the work's result.
        failed(object): the exception the work raised.
        cancelled(): the work stopped because the user cancelled it.
        ended(): after any of the three above.
    """

    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(object)
    cancelled = Signal()
    ended = Signal()

    _keys = itertools.count(1)

    def __init__(self, work: Callable[[Progress], T], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = next(Task._keys)
        self.progress = Progress(self.key)
        self._work = work
        self.running = False

    def start(self) -> None:
        """Start the work on the global thread pool (from the GUI thread)."""
        self.running = True
        self.ended.connect(self._on_self_ended)
        _dispatcher().watch(self)
        QThreadPool.globalInstance().start(_Runnable(self.key, self._work, self.progress))

    def cancel(self) -> None:
        self.progress.cancel()

    @Slot()
    def _on_self_ended(self) -> None:
        self.running = False


class _Runnable(QRunnable):
    """Runs a task's work in a worker thread; holds no Qt object, so it may be freed there."""

    def __init__(self, key: int, work: Callable[[Progress], Any], progress: Progress) -> None:
        super().__init__()
        self._key = key
        self._work = work
        self._progress = progress

    def run(self) -> None:  # in the worker thread
        relay = _dispatcher().relay
        try:
            result = self._work(self._progress)
        except Cancelled:
            relay.emit(self._key, "cancelled", ())
        except BaseException as error:  # every failure is handed to the GUI thread
            relay.emit(self._key, "failed", (error,))
        else:
            if self._progress.cancelled:
                relay.emit(self._key, "cancelled", ())
            else:
                relay.emit(self._key, "finished", (result,))
        finally:
            relay.emit(self._key, "ended", ())


class _Dispatcher(QObject):
    """Lives in the GUI thread for the whole program; hands what workers report to their tasks.

    It keeps each task until its work has ended, so a task nobody else holds still delivers
    its result; then lets go of it in the GUI thread.

    Signals:
        relay(object, str, object): a task's key, the name of the task's signal, its arguments.
    """

    relay = Signal(object, str, object)

    def __init__(self) -> None:
        super().__init__()
        self._tasks: dict[int, Task[Any]] = {}
        self.relay.connect(self._on_self_relay, Qt.ConnectionType.QueuedConnection)

    def watch(self, task: Task[Any]) -> None:
        self._tasks[task.key] = task

    def running(self) -> int:
        """How many tasks have work under way."""
        return len(self._tasks)

    @Slot(object, str, object)
    def _on_self_relay(self, key: int, name: str, arguments: tuple[Any, ...]) -> None:
        task = self._tasks.pop(key, None) if name == "ended" else self._tasks.get(key)
        if task is not None and shiboken6.isValid(task):  # else its window was closed: nobody to tell
            getattr(task, name).emit(*arguments)


_the_dispatcher: _Dispatcher | None = None


def _dispatcher() -> _Dispatcher:
    """The dispatcher, made in the GUI thread by the first task started."""
    global _the_dispatcher
    if _the_dispatcher is None:
        _the_dispatcher = _Dispatcher()
    return _the_dispatcher


def run_task(
    work: Callable[[Progress], T],
    on_done: Callable[[T], None],
    *,
    parent: QObject | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> Task[T]:
    """Run *work* in the background without a dialog (loading a page, counting); returns the task.

    *on_done* gets the result in the GUI thread; *on_error* the exception (default: ignored,
    after logging, since a background refresh has no one to tell).
    """
    task: Task[T] = Task(work, parent)
    task.finished.connect(on_done)
    task.failed.connect(on_error or _log_only)
    task.start()
    return task


def run_with_progress(
    parent: QWidget,
    title: str,
    work: Callable[[Progress], T],
    on_done: Callable[[T], None],
    *,
    cancellable: bool = True,
) -> Task[T]:
    """Run *work* in the background behind a progress dialog (shown if it takes a while).

    The dialog's Cancel asks the work to stop at its next :meth:`Progress.check`; an error
    is shown in a message box; *on_done* gets the result.
    """
    dialog = QProgressDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(PROGRESS_DELAY_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setRange(0, 0)
    if cancellable:
        dialog.setCancelButtonText(gettext("Cancel"))
    else:
        dialog.setCancelButton(None)

    task: Task[T] = Task(work, parent)

    def progressed(done: int, total: int, text: str) -> None:
        dialog.setRange(0, total)
        dialog.setValue(min(done, total) if total else 0)
        if text:
            dialog.setLabelText(text)

    task.progressed.connect(progressed)
    task.finished.connect(on_done)
    task.failed.connect(lambda error: show_error(parent, error, title))
    task.ended.connect(dialog.close)
    task.ended.connect(dialog.deleteLater)
    dialog.canceled.connect(task.cancel)
    # QProgressDialog shows itself after minimumDuration only once a value is set.
    QTimer.singleShot(0, lambda: dialog.setValue(0) if task.running else None)
    task.start()
    return task


def _log_only(error: BaseException) -> None:
    error_text(error)
