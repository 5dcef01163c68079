"""The frame of a tab of the case workspace."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QPushButton, QWidget

from models.database import Database
from models.i18n import gettext
from models.services.base import Actor
from models.services.casefile import CaseHeader

from ui.context import AppContext
from ui.errors import error_text
from ui.forms.widgets import ProblemLabel
from ui.tasks import Task, run_task

T = TypeVar("T")


class CaseTab(QWidget):
    """One tab of a case's workspace (assessments, plan, referrals …).

    A tab is created when it is first shown and reads its data in the background
    (:meth:`read_in_background`); :meth:`refresh` reads it again. After a write that changes
    the case itself (its status, worker, next deadline), the tab emits ``case_changed`` so
    the workspace reloads its header and the other tabs.

    A tab may also have a ``show_header(header)`` method: the workspace hands it each
    :class:`~models.services.casefile.CaseHeader` it reads.

    Signals:
        case_changed: the tab saved something that changes the case.
    """

    case_changed = Signal()

    #: The tab's title, an English msgid marked with ``N_`` (the workspace translates it).
    title: ClassVar[str]
    #: Whether the tab shows only the case's header, so the workspace's reload refreshes it
    #: through ``show_header`` instead of :meth:`refresh`.
    header_only: ClassVar[bool] = False
    #: Where a failed :meth:`read_in_background` is shown; set by the tabs that use it.
    problem: ProblemLabel

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self._sequence = 0
        self._task: Task[Any] | None = None

    def refresh(self) -> None:
        """Read the tab's data again (in the background)."""
        raise NotImplementedError

    @property
    def is_loading(self) -> bool:
        """Whether the latest background work of the tab is still under way."""
        return self._task is not None and self._task.running

    def read_in_background(
        self, read: Callable[[Database, Actor, uuid.UUID], T], show: Callable[[T], None]
    ) -> None:
        """Run ``read(db, actor, case_id)`` in the background and hand its result to *show*.

        The answer to a read overtaken by a later one is dropped; a failure appears in :attr:`problem`.
        """
        self._sequence += 1
        sequence, db, actor, case_id = self._sequence, self.ctx.db, self.ctx.actor, self.case_id

        def done(result: T) -> None:
            if sequence == self._sequence:
                show(result)

        def failed(error: BaseException) -> None:
            if sequence == self._sequence:
                self.problem.show_error(error_text(error))

        self._task = run_task(lambda _progress: read(db, actor, case_id), done, parent=self, on_error=failed)


def offer_on_open_case(button: QPushButton, header: CaseHeader) -> None:
    """Enable *button* (which starts a new record) only while the case is open, saying why if not."""
    button.setEnabled(not header.is_closed)
    button.setToolTip(
        gettext("The case {number} is closed; reopen it first.").format(number=header.number)
        if header.is_closed
        else ""
    )
