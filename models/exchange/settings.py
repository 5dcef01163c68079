"""The exchange settings of an office: the public keys packages are encrypted to, and the private key file.

Stored as JSON in the settings table: ``exchange.recipients`` (a list of ``age1…`` keys) and
``exchange.identity_file`` (the path of the private key used to open received packages).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from models.database import Database
from models.i18n import _
from models.permissions import Permission
from models.services.base import Actor, audit, unit_of_work
from models.settings import get_setting, put_setting

RECIPIENTS_KEY = "exchange.recipients"
IDENTITY_FILE_KEY = "exchange.identity_file"


def recipients(session: Session) -> list[str]:
    """The public keys every package is encrypted to (empty: none configured)."""
    return [str(key) for key in get_setting(session, RECIPIENTS_KEY, []) or []]


def identity_file(session: Session) -> Path | None:
    """The private key file that opens received packages, if one is configured."""
    value = get_setting(session, IDENTITY_FILE_KEY, None)
    return Path(value) if value else None


def set_exchange_settings(
    db: Database, actor: Actor, *, recipients: Sequence[str], identity_file: Path | None
) -> list[str]:
    """Save the recipients' public keys (each checked) and the private key file; returns the keys changed."""
    from models.exchange.crypto import KeyRefused, parse_recipient

    keys = sorted({parse_recipient(key) for key in recipients if key.strip()})
    identity = None
    if identity_file is not None:
        identity = str(identity_file.expanduser().absolute())
        if not Path(identity).is_file():
            raise KeyRefused(_("There is no key file at {path}.", path=identity))
    with unit_of_work(db, actor, Permission.SETTINGS_WRITE) as session:
        changed = []
        if get_setting(session, RECIPIENTS_KEY, []) != keys:
            put_setting(session, RECIPIENTS_KEY, keys)
            changed.append(RECIPIENTS_KEY)
        if get_setting(session, IDENTITY_FILE_KEY, None) != identity:
            put_setting(session, IDENTITY_FILE_KEY, identity)
            changed.append(IDENTITY_FILE_KEY)
        if changed:
            audit(
                session,
                actor,
                "exchange.settings",
                entity="settings",
                details={"keys": changed, "recipients": len(keys)},
            )
        return changed
