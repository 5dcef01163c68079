"""What the benchmarks share: result rows, percentiles, SQL captured and replayed through sqlite3,
and the GUI-thread timeline (a 5 ms ticker and steps started from timer events)."""

from __future__ import annotations

import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event

from PySide6.QtCore import QEventLoop, QMessageLogContext, Qt, QTimer, QtMsgType
from PySide6.QtWidgets import QApplication, QWidget

from models.database import Database, open_database, remove_sqlite_files
from models.demo import generate

AS_OF = date(2026, 11, 1)
TICK_MS = 5
SETTLE_MS = 150
Statement = tuple[str, Any]
W = TypeVar("W")


@dataclass
class Row:
    what: str
    ours: str
    baseline: str
    note: str = ""


def ms(values: Sequence[float]) -> tuple[float, float]:
    """Median and 95th percentile of *values* (seconds), in milliseconds."""
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def p(values: Sequence[float]) -> str:
    p50, p95 = ms(values)
    return f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"


def med_max(values: Sequence[float]) -> str:
    """Median and maximum of *values* (milliseconds)."""
    return f"median {statistics.median(values):.0f} ms, max {max(values):.0f} ms"


@contextmanager
def capture(db: Database) -> Iterator[list[Statement]]:
    """The SELECT statements (with DBAPI parameters) that the engine sends while the block runs."""
    captured: list[Statement] = []

    def listener(_conn: Any, _cursor: Any, statement: str, parameters: Any, _ctx: Any, _many: bool) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield captured
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)


def replay(raw: sqlite3.Connection, statements: Sequence[Statement]) -> tuple[float, float]:
    """Wall and CPU seconds to run *statements* through sqlite3 and fetch every row."""
    wall, cpu = time.perf_counter(), time.process_time()
    for sql, params in statements:
        raw.execute(sql, params).fetchall()
    return time.perf_counter() - wall, time.process_time() - cpu


def against_replay(
    db: Database, raw: sqlite3.Connection, job: Callable[[], object], repeat: int
) -> tuple[list[float], list[float], list[float], list[float], object]:
    """Wall and CPU seconds of *job* and of its SQL replayed, *repeat* times each after a warm-up."""
    with capture(db) as statements:
        result = job()
    replay(raw, statements)
    ours_wall: list[float] = []
    ours_cpu: list[float] = []
    base_wall: list[float] = []
    base_cpu: list[float] = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        job()
        ours_wall.append(time.perf_counter() - wall)
        ours_cpu.append(time.process_time() - cpu)
        replay_wall, replay_cpu = replay(raw, statements)
        base_wall.append(replay_wall)
        base_cpu.append(replay_cpu)
    return ours_wall, ours_cpu, base_wall, base_cpu, result


def in_session(db: Database, read: Callable[[Any], object]) -> Callable[[], object]:
    """*read* (session) in a reading session of its own, as the model's worker does."""

    def job() -> object:
        with db.reading() as session:
            return read(session)

    return job


# --- the GUI thread ---------------------------------------------------------------------------


class Ticker:
    """A precise timer ticking every TICK_MS in the GUI thread; the longest gap since the last reset."""

    def __init__(self) -> None:
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._on_timer_timeout)
        self._last = 0.0
        self.longest = 0.0

    def start(self) -> None:
        self._last = time.perf_counter()
        self.longest = 0.0
        self._timer.start()

    def reset(self) -> float:
        """The longest gap (ms) since the last reset; starts a new period."""
        longest, self.longest = self.longest, 0.0
        return longest * 1000

    def stop(self) -> float:
        self._timer.stop()
        return self.reset()

    def _on_timer_timeout(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self._last)
        self._last = now


@dataclass
class Step:
    """One user action started from a timer event, done when *done* says so."""

    name: str
    action: Callable[[], object]
    done: Callable[[], bool]
    settle_ms: int = SETTLE_MS


@dataclass
class Timeline:
    """Per step: ms from the action to done, and the longest GUI-thread pause (action to settled)."""

    ready: dict[str, float] = field(default_factory=dict)
    pause: dict[str, float] = field(default_factory=dict)


def run_steps(steps: Sequence[Step], timeout_s: float = 300) -> Timeline:
    """Run *steps* one after the other in an event loop, the ticker going all along."""
    timeline = Timeline()
    loop = QEventLoop()
    ticker = Ticker()
    poll = QTimer()
    poll.setTimerType(Qt.TimerType.PreciseTimer)
    poll.setInterval(1)
    index, started = 0, 0.0
    failed: list[str] = []

    def begin() -> None:
        nonlocal started
        ticker.reset()
        started = time.perf_counter()
        steps[index].action()
        poll.start()

    def settled() -> None:
        nonlocal index
        timeline.pause[steps[index].name] = ticker.reset()
        index += 1
        if index < len(steps):
            begin()
        else:
            loop.quit()

    def check() -> None:
        step = steps[index]
        if step.done():
            poll.stop()
            timeline.ready[step.name] = (time.perf_counter() - started) * 1000
            QTimer.singleShot(step.settle_ms, settled)

    def give_up() -> None:
        failed.append(steps[min(index, len(steps) - 1)].name)
        loop.quit()

    poll.timeout.connect(check)
    watchdog = QTimer()
    watchdog.setSingleShot(True)
    watchdog.timeout.connect(give_up)
    watchdog.start(int(timeout_s * 1000))
    QTimer.singleShot(0, begin)
    ticker.start()
    loop.exec()
    ticker.stop()
    watchdog.stop()
    poll.stop()
    if failed:
        raise TimeoutError(f"step {failed[0]!r} not done after {timeout_s:.0f} s")
    return timeline


def idle(ms: int) -> None:
    """Let the event loop run for *ms* (deferred deletes, queued signals)."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    QApplication.sendPostedEvents(None, 0)


def close(widget: QWidget) -> None:
    widget.close()
    widget.deleteLater()
    idle(50)


def open_window(make: Callable[[], W], ready: Callable[[W], bool]) -> tuple[W, Timeline]:
    """Make and show a window from a timer event; the timeline until *ready* says it is."""
    made: list[W] = []
    timeline = run_steps([Step("open", lambda: made.append(make()), lambda: bool(made) and ready(made[0]))])
    return made[0], timeline


def demo_office(children: int, workdir: Path, reuse: bool) -> tuple[Path, bool]:
    """The demo office's file, and whether it was reused (else generated now)."""
    path = workdir / f"demo-{children}.sqlite"
    if reuse and path.exists():
        return path, True
    remove_sqlite_files(path)
    db = open_database(path)
    generate(db, children, seed=2026, as_of=AS_OF)
    db.dispose()
    return path, False


def quiet_qt(_mode: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    """Qt's messages to stderr, but the offscreen platform's note on every window shown."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)
