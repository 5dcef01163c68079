"""Background tasks hand results, errors and cancels back to the GUI thread."""

from __future__ import annotations

import gc
import threading

from pytestqt.qtbot import QtBot

import shiboken6
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from models.errors import NotFound
from models.i18n import _

from ui.tasks import Progress, Task, run_task


def test_the_result_arrives_in_the_gui_thread(qtbot: QtBot) -> None:
    seen: list[tuple[int, bool]] = []
    gui_thread = threading.get_ident()

    def work(progress: Progress) -> int:
        assert threading.get_ident() != gui_thread
        return 42

    def done(result: int) -> None:
        seen.append((result, threading.get_ident() == gui_thread))

    task = run_task(work, done)
    qtbot.wait_until(lambda: not task.running)
    assert seen == [(42, True)]


def test_an_error_of_the_work_is_handed_over(qtbot: QtBot) -> None:
    def work(progress: Progress) -> None:
        raise NotFound(_("The record was not found."))

    task: Task[None] = Task(work)
    with qtbot.wait_signal(task.failed) as blocker:
        task.start()
    assert isinstance(blocker.args[0], NotFound)


def test_cancelled_work_stops_at_its_next_check(qtbot: QtBot) -> None:
    started = threading.Event()
    release = threading.Event()
    steps: list[int] = []

    def work(progress: Progress) -> None:
        started.set()
        release.wait(5)
        for step in range(100):
            progress.check()
            steps.append(step)

    task: Task[None] = Task(work)
    with qtbot.wait_signal(task.cancelled):
        task.start()
        started.wait(5)
        task.cancel()
        release.set()
    assert steps == []


def test_a_task_nobody_keeps_still_delivers_its_result(qtbot: QtBot) -> None:
    seen: list[str] = []
    run_task(lambda _progress: "Үсөнбаева", seen.append)
    gc.collect()
    qtbot.wait_until(lambda: seen == ["Үсөнбаева"])


def test_a_window_closed_while_its_task_runs_hears_nothing_and_nothing_breaks(qtbot: QtBot) -> None:
    release = threading.Event()
    seen: list[object] = []
    window = QWidget()
    task = run_task(lambda _progress: release.wait(5), seen.append, parent=window)
    ended: list[bool] = []
    later = run_task(lambda _progress: True, ended.append)  # runs after the first, on the same pool
    window.deleteLater()
    qtbot.wait_until(lambda: not shiboken6.isValid(task))
    release.set()
    qtbot.wait_until(lambda: ended == [True] and not later.running)
    QThreadPool.globalInstance().waitForDone(5000)
    qtbot.wait(50)  # the first task's news, if any, is handled by now
    assert seen == []
