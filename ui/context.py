"""What the windows of one signed-in session share: the database, the user, the saved UI state."""

from __future__ import annotations

import uuid

from PySide6.QtCore import QObject, QSettings, Signal

from models.database import Database
from models.permissions import Permission
from models.services.base import Actor

# The kinds of record that pages open and announce as changed.
RECORD_KINDS = ("person", "household", "report", "case", "referral", "kdd_meeting")


class AppContext(QObject):
    """The session of the signed-in user, handed to every page, form and dialog.

    Signals:
        data_changed(str): records of a kind were written (a :data:`RECORD_KINDS` entry, or
            "user", "reference", "organisation", "settings", "office"); registers and the
            home page refresh.
        open_requested(str, object): open the form of a record kind; the object is the
            record's UUID, or None for a new record. The main window answers it.
    """

    data_changed = Signal(str)
    open_requested = Signal(str, object)

    def __init__(self, db: Database, actor: Actor, state: QSettings, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor = actor
        self.state = state

    def can(self, permission: Permission) -> bool:
        """Whether the user's role allows *permission* (the services check again)."""
        return self.actor.can(permission)

    def announce_change(self, kind: str) -> None:
        self.data_changed.emit(kind)

    def open_record(self, kind: str, record_id: uuid.UUID | None = None) -> None:
        self.open_requested.emit(kind, record_id)
