"""Print preview, printing, saving as PDF and batch printing of the documents of :mod:`reports`.

The windows call :func:`show_preview`; the documents' code (ReportLab, the forms) is imported
when the user first prints, not when a window opens.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from PySide6.QtWidgets import QWidget

from ui.context import AppContext


def show_preview(
    ctx: AppContext,
    form: str,
    record_id: uuid.UUID | None = None,
    options: Mapping[str, Any] | None = None,
    parent: QWidget | None = None,
) -> QWidget:
    """Open the print preview of *form* for a record (*record_id*) or by *options*; returns the window."""
    from reports.catalog import Target

    from ui.printing.preview import open_preview

    return open_preview(ctx, Target(form, record_id, options or {}), parent)
