"""What the main window expects of a page of its navigation pane."""

from __future__ import annotations

from typing import Protocol


class Page(Protocol):
    """A page of the main window (home, a register, administration).

    *record_kind* is what Ctrl+N creates on this page (a :data:`ui.context.RECORD_KINDS`
    entry), or None. The main window calls :meth:`refresh` on F5, :meth:`focus_search` on
    Ctrl+F, and :meth:`save_state` before it closes so that column widths and order persist.
    """

    record_kind: str | None

    def refresh(self) -> None: ...

    def focus_search(self) -> None: ...

    def save_state(self) -> None: ...
