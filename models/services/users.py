"""Accounts: sign-in with lockout, adding users, passwords, roles, disabling."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.database import Database
from models.errors import AuthenticationFailed, FieldProblem, NotFound, PermissionDenied, ValidationFailed
from models.events import SYSTEM_KEY
from models.i18n import _
from models.ids import new_id
from models.orm import Role, User
from models.permissions import Permission
from models.services.base import SYSTEM, Actor, audit, require, unit_of_work
from models.settings import get_setting

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password of anyone")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,59}$")
MIN_PASSWORD_LENGTH = 8


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize_username(username: str) -> str:
    return username.strip().casefold()


def check_password_rules(password: str, field: str = "password") -> list[FieldProblem]:
    if len(password) < MIN_PASSWORD_LENGTH:
        return [FieldProblem(field, _("Password: at least {n} characters.", n=MIN_PASSWORD_LENGTH))]
    return []


def _check_new_user(session: Session, username: str, full_name: str, role: str, password: str) -> None:
    problems: list[FieldProblem] = []
    if not USERNAME_RE.match(username):
        problems.append(
            FieldProblem(
                "username",
                _(
                    "User name: 2–60 Latin letters, digits, dot, dash or underscore, "
                    "starting with a letter or digit."
                ),
            )
        )
    elif session.scalar(select(func.count()).select_from(User).where(User.username == username)):
        problems.append(FieldProblem("username", _("User name: {username} is taken.", username=username)))
    if not full_name.strip():
        problems.append(FieldProblem("full_name", _("Full name: required.")))
    if session.get(Role, role) is None:
        problems.append(FieldProblem("role", _("Role: unknown role {role}.", role=role)))
    problems += check_password_rules(password)
    if problems:
        raise ValidationFailed(problems)


def add_user_in(
    session: Session,
    actor: Actor,
    username: str,
    full_name: str,
    role: str,
    password: str,
    position: str | None = None,
    user_id: uuid.UUID | None = None,
) -> User:
    """Add a user inside an open unit of work (first setup and the demo use this)."""
    username = normalize_username(username)
    _check_new_user(session, username, full_name, role, password)
    user = User(
        id=user_id or new_id(),
        username=username,
        full_name=full_name.strip(),
        role_code=role,
        password_hash=hash_password(password),
        position=position,
    )
    session.add(user)
    audit(session, actor, "user.create", user, details={"username": username, "role": role})
    return user


def add_user(
    db: Database,
    actor: Actor,
    username: str,
    full_name: str,
    role: str,
    password: str,
    position: str | None = None,
) -> uuid.UUID:
    with unit_of_work(db, actor, Permission.USERS_MANAGE) as session:
        return add_user_in(session, actor, username, full_name, role, password, position).id


@dataclass(frozen=True)
class UserRow:
    id: uuid.UUID
    username: str
    full_name: str
    role: str
    active: bool
    locked_until: datetime | None
    last_login_at: datetime | None


def list_users(db: Database, actor: Actor) -> list[UserRow]:
    require(actor, Permission.READ)
    with db.reading() as session:
        users = session.scalars(select(User).where(User.deleted_at.is_(None)).order_by(User.username))
        return [
            UserRow(u.id, u.username, u.full_name, u.role_code, u.active, u.locked_until, u.last_login_at)
            for u in users
        ]


def _user_by_name(session: Session, username: str) -> User:
    user = session.scalar(
        select(User).where(User.username == normalize_username(username), User.deleted_at.is_(None))
    )
    if user is None:
        raise NotFound(_("There is no user {username}.", username=username))
    return user


def set_password(db: Database, actor: Actor, username: str, new_password: str) -> None:
    """An administrator resets anyone's password; any user may change their own."""
    own = normalize_username(username) == actor.username
    with unit_of_work(db, actor, Permission.READ if own else Permission.USERS_MANAGE) as session:
        problems = check_password_rules(new_password)
        if problems:
            raise ValidationFailed(problems)
        user = _user_by_name(session, username)
        user.password_hash = hash_password(new_password)
        user.must_change_password = not own
        user.failed_logins = 0
        user.locked_until = None
        audit(session, actor, "user.password", user, details={"username": user.username})


def _active_admins(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.role_code == "administrator", User.active.is_(True), User.deleted_at.is_(None))
        )
        or 0
    )


def disable_user(db: Database, actor: Actor, username: str) -> None:
    with unit_of_work(db, actor, Permission.USERS_MANAGE) as session:
        user = _user_by_name(session, username)
        if user.id == actor.user_id:
            raise PermissionDenied(_("You cannot disable your own account."))
        if user.role_code == "administrator" and user.active and _active_admins(session) <= 1:
            raise PermissionDenied(_("The last active administrator cannot be disabled."))
        user.active = False
        audit(session, actor, "user.disable", user, details={"username": user.username})


def enable_user(db: Database, actor: Actor, username: str) -> None:
    with unit_of_work(db, actor, Permission.USERS_MANAGE) as session:
        user = _user_by_name(session, username)
        user.active = True
        user.failed_logins = 0
        user.locked_until = None
        audit(session, actor, "user.enable", user, details={"username": user.username})


def set_role(db: Database, actor: Actor, username: str, role: str) -> None:
    with unit_of_work(db, actor, Permission.USERS_MANAGE) as session:
        user = _user_by_name(session, username)
        if session.get(Role, role) is None:
            raise ValidationFailed([FieldProblem("role", _("Role: unknown role {role}.", role=role))])
        if user.role_code == "administrator" and role != "administrator" and _active_admins(session) <= 1:
            raise PermissionDenied(_("The last active administrator cannot lose the role."))
        old = user.role_code
        user.role_code = role
        audit(session, actor, "user.role", user, details={"username": user.username, "from": old, "to": role})


def authenticate(db: Database, username: str, password: str, now: datetime | None = None) -> Actor:
    """Sign in. Failures are counted and logged; too many lock the account for a while."""
    now = now or utcnow()
    name = normalize_username(username)
    with db.session() as session:
        session.info[SYSTEM_KEY] = True
        from models import audit as audit_log

        audit_log.lock_head(session)
        user = session.scalar(select(User).where(User.username == name, User.deleted_at.is_(None)))
        if user is None:
            _verify(_DUMMY_HASH, password)
            _failed(session, None, name, "unknown_user")
            raise AuthenticationFailed(_("Wrong user name or password."))
        if user.locked_until is not None and user.locked_until > now:
            _failed(session, user, name, "locked")
            minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
            raise AuthenticationFailed(
                _(
                    "The account is locked after too many failed sign-ins. Try again in {minutes} min "
                    "or ask the administrator.",
                    minutes=minutes,
                )
            )
        if not _verify(user.password_hash, password):
            user.failed_logins += 1
            limit = int(get_setting(session, "security.max_failed_logins", 5))
            locked = user.failed_logins >= limit
            if locked:
                user.locked_until = now + timedelta(
                    minutes=int(get_setting(session, "security.lockout_minutes", 15))
                )
                user.failed_logins = 0
            _failed(session, user, name, "locked_now" if locked else "password")
            if locked:
                raise AuthenticationFailed(
                    _(
                        "Wrong password. The account is now locked for {minutes} min.",
                        minutes=int(get_setting(session, "security.lockout_minutes", 15)),
                    )
                )
            raise AuthenticationFailed(_("Wrong user name or password."))
        if not user.active:
            _failed(session, user, name, "disabled")
            raise AuthenticationFailed(_("The account {username} is disabled.", username=name))
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        actor = Actor.of(user)
        audit(session, actor, "login", user)
        session.commit()
        return actor


def _failed(session: Session, user: User | None, username: str, reason: str) -> None:
    audit(
        session,
        SYSTEM if user is None else Actor(user.id, user.username, user.role_code),
        "login.failed",
        entity="users",
        entity_id=user.id if user else None,
        details={"username": username, "reason": reason},
    )
    session.commit()
