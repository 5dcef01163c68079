"""Long work off the GUI thread: a task on the thread pool, with progress, cancel and a result signal.

The work function runs in a worker thread and must not touch widgets; it gets a
:class:`Progress` to report how far it got and to see whether the user cancelled. Results,
errors and progress come back to the GUI thread as signals.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

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

    def __init__(self, task: Task[Any]) -> None:
        self._task = weakref.ref(task)  # no cycle: a task is freed by reference counting, in the GUI thread
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
        task = self._task()
        if task is not None:
            task.progressed.emit(done, total, text)


class Task(QObject, Generic[T]):
    """One piece of work on the global thread pool.

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

    def __init__(self, work: Callable[[Progress], T], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.progress = Progress(self)
        self._work = work
        self.running = False

    def start(self) -> None:
        """Start the work on the global thread pool (from the GUI thread)."""
        self.running = True
        self.ended.connect(self._on_self_ended)
        runnable = _Runnable(self)
        _keeper().keep(runnable)
        QThreadPool.globalInstance().start(runnable)

    def cancel(self) -> None:
        self.progress.cancel()

    def _run(self) -> None:  # in the worker thread
        try:
            result = self._work(self.progress)
        except Cancelled:
            self.cancelled.emit()
        except BaseException as error:  # every failure is handed to the GUI thread
            self.failed.emit(error)
        else:
            if self.progress.cancelled:
                self.cancelled.emit()
            else:
                self.finished.emit(result)
        self.ended.emit()

    @Slot()
    def _on_self_ended(self) -> None:
        self.running = False


class _Runnable(QRunnable):
    """Runs a task in a worker thread; the GUI thread's keeper owns it (and its task) until it is done.

    The worker never holds the last reference to the task or to itself: were it to drop one
    last, a QObject of the GUI thread would be destroyed in the worker thread, racing with the
    GUI thread's handling of that object's queued signals.
    """

    def __init__(self, task: Task[Any]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.task: Task[Any] | None = task

    def run(self) -> None:
        task = self.task
        if task is not None:
            task._run()
        del task
        _keeper().release.emit(id(self))


class _Keeper(QObject):
    """Lives in the GUI thread and keeps every running task's runnable until the worker is done with it.

    Signals:
        release(object): the worker thread is done with the runnable of this key (an int).
    """

    release = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._running: dict[int, _Runnable] = {}
        self.release.connect(self._on_self_release, Qt.ConnectionType.QueuedConnection)

    def keep(self, runnable: _Runnable) -> None:
        self._running[id(runnable)] = runnable

    def running(self) -> int:
        """How many runnables the worker threads still have."""
        return len(self._running)

    @Slot(object)
    def _on_self_release(self, key: int) -> None:
        runnable = self._running.pop(key, None)
        if runnable is not None:
            runnable.task = None


_the_keeper: _Keeper | None = None


def _keeper() -> _Keeper:
    """The keeper, made in the GUI thread by the first task started."""
    global _the_keeper
    if _the_keeper is None:
        _the_keeper = _Keeper()
    return _the_keeper


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
