"""КДД meetings: the meeting window (:func:`open_meeting`), from the agenda to the decisions."""

from __future__ import annotations

from ui.kdd.meeting import MeetingWindow, open_meeting

__all__ = ["MeetingWindow", "open_meeting"]
