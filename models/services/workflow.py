"""The case status workflow: registered → assessment → planning → implementation ⇄ monitoring → closed.

Other services move a case forward as its work advances (recording an assessment, drawing up
a plan, approving it) with :func:`advance`, inside their own transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from models.orm import CASE_STATUSES, Case
from models.services.base import Actor, audit

OPEN_STATUSES = CASE_STATUSES[:-1]


def advance(session: Session, actor: Actor, case: Case, to_status: str) -> bool:
    """Move an open *case* forward to *to_status* if it is at an earlier step; True if it moved.

    Never moves a case back, and never closes one (closure has its own service).
    """
    if to_status not in OPEN_STATUSES:
        raise ValueError(f"advance() cannot move a case to {to_status!r}")
    if case.status not in OPEN_STATUSES:
        return False
    if CASE_STATUSES.index(case.status) >= CASE_STATUSES.index(to_status):
        return False
    previous = case.status
    case.status = to_status
    audit(
        session,
        actor,
        "case.status",
        case,
        details={"number": case.number, "from": previous, "to": to_status},
    )
    return True
