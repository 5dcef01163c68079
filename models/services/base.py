"""The frame of every service: the acting user, the permission check, one transaction.

A service is a function ``operation(db, actor, ...)``. It opens a unit of work with
:func:`unit_of_work`, which checks that the actor's account is still active and that the
role allows the operation, takes the write lock, and commits once at the end (or rolls
back everything on any error). Audit entries go through :func:`audit`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import audit as audit_log
from models.base import Record
from models.database import Database
from models.errors import NotFound, PermissionDenied, StaleRecord
from models.events import ACTOR_KEY, SYSTEM_KEY
from models.i18n import _
from models.orm import User
from models.permissions import PERMISSION_LABELS, ROLE_LABELS, Permission, allows


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user (or the system, for migrations and first setup)."""

    user_id: uuid.UUID | None
    username: str
    role: str
    full_name: str = ""

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user.id, user.username, user.role_code, user.full_name)

    def can(self, permission: Permission) -> bool:
        return allows(self.role, permission)


SYSTEM = Actor(None, "system", "administrator", "Bala Korgoo")


def require(actor: Actor, permission: Permission) -> None:
    if not actor.can(permission):
        raise PermissionDenied(
            _(
                "Your role ({role}) does not allow this: {operation}.",
                role=_(ROLE_LABELS.get(actor.role, actor.role)),
                operation=_(PERMISSION_LABELS[permission]),
            )
        )


def _check_account(session: Session, actor: Actor) -> None:
    if actor.user_id is None:
        return
    user = session.get(User, actor.user_id)
    if user is None or not user.active or user.deleted_at is not None:
        raise PermissionDenied(_("The account {username} is disabled.", username=actor.username))
    if user.role_code != actor.role:
        raise PermissionDenied(_("Your role has changed; sign in again."))


@contextmanager
def unit_of_work(db: Database, actor: Actor, permission: Permission) -> Iterator[Session]:
    """A write transaction for *actor*, refused unless the role allows *permission*."""
    require(actor, permission)
    with db.session() as session:
        session.info[ACTOR_KEY] = actor
        if actor.user_id is None:
            session.info[SYSTEM_KEY] = True
        try:
            audit_log.lock_head(session)
            _check_account(session, actor)
            yield session
            session.commit()
        except StaleDataError as exc:
            session.rollback()
            raise StaleRecord(
                _("Someone else saved this record after you opened it. Reopen it and try again.")
            ) from exc
        except BaseException:
            session.rollback()
            raise


def audit(
    session: Session,
    actor: Actor,
    action: str,
    obj: Record | None = None,
    *,
    entity: str | None = None,
    entity_id: uuid.UUID | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Write an audit entry for *actor* in the session's transaction."""
    if obj is not None:
        session.flush()
        entity = entity or obj.__tablename__
        entity_id = entity_id or obj.id
    audit_log.append(
        session,
        action,
        user_id=actor.user_id,
        username=actor.username,
        entity=entity,
        entity_id=entity_id,
        details=details,
    )


_IGNORED_FIELDS = {
    "updated_at",
    "updated_by",
    "version",
    "last_name_key",
    "first_name_key",
    "patronymic_key",
    "password_hash",
}


def changed_fields(obj: Record) -> list[str]:
    """The names of the columns changed on *obj* since it was loaded (never secret values)."""
    state = inspect(obj)
    changed = []
    for attr in state.mapper.column_attrs:
        if attr.key in _IGNORED_FIELDS:
            continue
        if state.attrs[attr.key].history.has_changes():
            changed.append(attr.key)
    return changed


R = TypeVar("R", bound=Record)


def get_live(session: Session, model: type[R], record_id: uuid.UUID, *, for_version: int | None = None) -> R:
    """The record with *record_id*, not deleted; with *for_version*, refuses a record changed since."""
    obj = session.get(model, record_id)
    if obj is None or obj.deleted_at is not None:
        raise NotFound(_("The record was not found; it may have been deleted."))
    if for_version is not None and obj.version != for_version:
        raise StaleRecord(_("Someone else saved this record after you opened it. Reopen it and try again."))
    return obj


def audit_changes(
    session: Session,
    actor: Actor,
    action: str,
    obj: Record,
    details: Mapping[str, Any],
    fields: list[str] | None = None,
) -> int:
    """Audit a change of *obj*: *details* with the changed *fields* (by default :func:`changed_fields`).

    Nothing is written when no field changed. Returns the version of *obj* after the flush.
    """
    if fields is None:
        fields = changed_fields(obj)
    if fields:
        audit(session, actor, action, obj, details={**details, "fields": fields})
    session.flush()
    return obj.version
