"""The frame of a tab of the case workspace."""

from __future__ import annotations

import uuid
from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from ui.context import AppContext


class CaseTab(QWidget):
    """One tab of a case's workspace (assessments, plan, referrals …).

    A tab is created when it is first shown and reads its data in the background
    (:func:`ui.tasks.run_task`); :meth:`refresh` reads it again. After a write that changes
    the case itself (its status, worker, next deadline), the tab emits ``case_changed`` so
    the workspace reloads its header and the other tabs.

    Signals:
        case_changed: the tab saved something that changes the case.
    """

    case_changed = Signal()

    #: The tab's title, an English msgid marked with ``N_`` (the workspace translates it).
    title: ClassVar[str]

    def __init__(self, ctx: AppContext, case_id: uuid.UUID, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id

    def refresh(self) -> None:
        """Read the tab's data again (in the background)."""
        raise NotImplementedError
