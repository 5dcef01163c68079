"""Recording that a document was printed or saved: the audit log and the case's Documents tab read it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from models.database import Database
from models.i18n import N_
from models.permissions import Permission
from models.services.base import Actor, audit, unit_of_work

AUDIT_LABELS: dict[str, str] = {
    "document.print": N_("Document printed"),
    "document.save": N_("Document saved as PDF"),
}

# How a document left the program: sent to a printer, or written to a file (PDF, or XLSX figures).
DESTINATIONS = {"printer": "document.print", "pdf": "document.save", "xlsx": "document.save"}


@dataclass(frozen=True)
class PrintedRecord:
    """A record a document was printed from: its table (the audit entity) and id."""

    entity: str
    record_id: uuid.UUID | None


def record_print(
    db: Database,
    actor: Actor,
    *,
    form: str,
    records: Sequence[PrintedRecord],
    number: str | None,
    language: str,
    pages: int,
    destination: str = "printer",
    copies: int = 1,
) -> None:
    """Write one audit entry per record the document shows (one entry when it shows none, e.g. a register)."""
    action = DESTINATIONS[destination]
    details: dict[str, object] = {"form": form, "number": number or "", "language": language, "pages": pages}
    if destination == "xlsx":
        details["format"] = "xlsx"
    if destination == "printer":
        details["copies"] = copies
    with unit_of_work(db, actor, Permission.PRINT) as session:
        targets = list(records) or [PrintedRecord("document", None)]
        for target in targets:
            audit(
                session,
                actor,
                action,
                entity=target.entity,
                entity_id=target.record_id,
                details=details,
            )
