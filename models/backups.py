"""Automatic backups of a SQLite database: when one is due, where it goes, how many are kept.

Backups go to the ``backups`` folder next to the database (the user data directory by
default) and, when the office chose one, are copied to an extra folder (a USB stick). A
missing or unwritable extra folder never stops the main backup: the problem is recorded and
shown. Each file is named after the local date and time it was made, with a ``.sha256``
beside it; rotation keeps the newest backup of each of the last days and weeks.

The automatic ones run on exit and once a day while the program is open, only when the data
changed since the last backup. What the last backup was (time, files, the change marker) is
the setting :data:`LAST_SETTING`, written with the "backup.auto" audit entry. PostgreSQL
databases are backed up by the server (pg_dump), not here.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from models.base import utcnow
from models.database import Database, copy_sqlite, schema_revision
from models.errors import DomainError, FieldProblem, ValidationFailed
from models.files import sync_folder
from models.i18n import Message, _
from models.maintenance import BackupRefused, checksum_path, settle_copy
from models.permissions import Permission
from models.services.base import Actor, audit, require, unit_of_work
from models.settings import get_setting, put_setting

BACKUPS_FOLDER = "backups"
FOLDER_SETTING = "backups.folder"
KEEP_DAILY_SETTING = "backups.keep_daily"
KEEP_WEEKLY_SETTING = "backups.keep_weekly"
LAST_SETTING = "backups.last"
DEFAULT_KEEP_DAILY = 7
DEFAULT_KEEP_WEEKLY = 4
KEEP_LIMITS = (1, 60)
RECENT_HOURS = 24
RECENT_KEPT = 8
STALE_AFTER_DAYS = 3
"""The home page warns when the last backup is older than this and the data changed since."""

_STAMP = "%Y%m%d-%H%M%S"
_CHUNK = 1 << 20
# Where the data stands: the last change-log row, and the last audit entry of something that changes
# data. Views, sign-ins (which touch the account's row: changes of accounts count through their audit
# entries), printing, spreadsheet exports and backups change nothing worth a new backup.
_MARKER_SQL = """
SELECT (SELECT coalesce(max(seq), 0) FROM (
            SELECT seq FROM change_log WHERE table_name <> 'users' ORDER BY seq DESC LIMIT 1)),
       (SELECT coalesce(max(id), 0) FROM (
            SELECT id FROM audit_log
            WHERE action NOT LIKE '%.view'
              AND action NOT IN ('login', 'login.failed', 'document.print', 'document.save',
                                 'backup', 'backup.auto', 'register.export')
            ORDER BY id DESC LIMIT 1))
"""
# One backup at a time in this program (the timer, the exit and "Back up now" may meet).
_making = threading.Lock()

Marker = tuple[int, int]
"""Where the data stood: the last change-log sequence and the last audit entry that changed something."""


class Occasion(StrEnum):
    DAILY = "daily"
    EXIT = "exit"
    MANUAL = "manual"


class BackupCancelled(DomainError):
    """The backup was stopped (the program was closing); nothing was kept of it."""


# --- settings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupSettings:
    """Where the extra copy goes ("" for none) and how many daily and weekly backups are kept."""

    folder: str = ""
    keep_daily: int = DEFAULT_KEEP_DAILY
    keep_weekly: int = DEFAULT_KEEP_WEEKLY


def _read_settings(session: Session) -> BackupSettings:
    return BackupSettings(
        str(get_setting(session, FOLDER_SETTING, "") or ""),
        int(get_setting(session, KEEP_DAILY_SETTING, DEFAULT_KEEP_DAILY)),
        int(get_setting(session, KEEP_WEEKLY_SETTING, DEFAULT_KEEP_WEEKLY)),
    )


def get_backup_settings(db: Database, actor: Actor) -> BackupSettings:
    require(actor, Permission.READ)
    with db.reading() as session:
        return _read_settings(session)


def update_backup_settings(db: Database, actor: Actor, settings: BackupSettings) -> list[str]:
    """Save the backup settings (all or nothing); returns the setting keys that changed."""
    with unit_of_work(db, actor, Permission.SETTINGS_WRITE) as session:
        problems = []
        low, high = KEEP_LIMITS
        labels = {KEEP_DAILY_SETTING: _("Daily backups kept"), KEEP_WEEKLY_SETTING: _("Weekly backups kept")}
        values: dict[str, Any] = {
            FOLDER_SETTING: settings.folder.strip(),
            KEEP_DAILY_SETTING: settings.keep_daily,
            KEEP_WEEKLY_SETTING: settings.keep_weekly,
        }
        for key, label in labels.items():
            value = values[key]
            if type(value) is not int or not low <= value <= high:
                problems.append(
                    FieldProblem(
                        key,
                        _(
                            "{field}: a whole number from {minimum} to {maximum}.",
                            field=label,
                            minimum=low,
                            maximum=high,
                        ),
                    )
                )
        folder = values[FOLDER_SETTING]
        if folder and not Path(folder).expanduser().is_absolute():
            problems.append(
                FieldProblem(FOLDER_SETTING, _("Extra folder: choose a full path, e.g. E:\\Backups."))
            )
        elif folder and db.path is not None and _same_folder(Path(folder), backups_folder(db.path)):
            problems.append(
                FieldProblem(
                    FOLDER_SETTING,
                    _("Extra folder: choose another place than the data folder's backups, e.g. a USB stick."),
                )
            )
        if problems:
            raise ValidationFailed(problems)
        changed = [key for key, value in values.items() if get_setting(session, key, None) != value]
        for key in changed:
            put_setting(session, key, values[key])
        if changed:
            audit(session, actor, "settings.update", entity="settings", details={"keys": changed})
        return changed


# --- places and files -------------------------------------------------------------------


def _same_folder(first: Path, second: Path) -> bool:
    try:
        return first.expanduser().resolve() == second.resolve()
    except OSError:
        return False


def applies(db: Database) -> bool:
    """Whether this program backs *db* up (a SQLite file; PostgreSQL is the server's job)."""
    return db.is_sqlite and db.path is not None


def backups_folder(database: Path) -> Path:
    """The folder of automatic backups: ``backups`` next to the database file."""
    return database.parent / BACKUPS_FOLDER


def _pattern(stem: str) -> re.Pattern[str]:
    return re.compile(rf"{re.escape(stem)}-(\d{{8}}-\d{{6}})(?:-(\d+))?\.sqlite")


def backup_name(stem: str, made_at: datetime, n: int = 1) -> str:
    """``<database name>-YYYYMMDD-HHMMSS.sqlite`` in local time (``-2``… when that second is taken)."""
    stamp = made_at.astimezone().strftime(_STAMP)
    return f"{stem}-{stamp}.sqlite" if n == 1 else f"{stem}-{stamp}-{n}.sqlite"


@dataclass(frozen=True)
class BackupFile:
    """A backup found in a folder: when it was made (local time, from its name), its size, its place."""

    path: Path
    made_at: datetime
    size: int
    extra: bool
    has_checksum: bool


def list_backups(folder: Path, stem: str, *, extra: bool = False) -> list[BackupFile]:
    """The backups of the database named *stem* in *folder*, newest first (none if it is unreadable)."""
    pattern = _pattern(stem)
    found = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        match = pattern.fullmatch(path.name)
        if match is None:
            continue
        try:
            size = path.stat().st_size
            made_at = datetime.strptime(match.group(1), _STAMP).astimezone()
        except (OSError, ValueError):
            continue
        found.append(BackupFile(path, made_at, size, extra, checksum_path(path).is_file()))
    found.sort(key=lambda b: (b.made_at, b.path.name), reverse=True)
    return found


def backups_of(db: Database, actor: Actor) -> list[BackupFile]:
    """Every backup of *db* in the backups folder and the extra folder, newest first."""
    require(actor, Permission.BACKUP)
    if not applies(db) or db.path is None:
        return []
    settings = get_backup_settings(db, actor)
    found = list_backups(backups_folder(db.path), db.path.stem)
    if settings.folder:
        found += list_backups(Path(settings.folder).expanduser(), db.path.stem, extra=True)
    found.sort(key=lambda b: (b.made_at, b.extra), reverse=True)
    return found


# --- rotation ---------------------------------------------------------------------------


def backups_to_keep(made: Iterable[datetime], keep_daily: int, keep_weekly: int) -> set[datetime]:
    """Which backups rotation keeps.

    Every backup of the last :data:`RECENT_HOURS` (at most :data:`RECENT_KEPT`), so this morning's
    is still there when the afternoon's went wrong; the newest of each of the last *keep_daily*
    days that have one; then the newest of each of *keep_weekly* earlier ISO weeks (weeks whose
    newest is kept already do not count). Days and weeks are local.
    """
    ordered = sorted(set(made), reverse=True)
    if not ordered:
        return set()
    kept = {m for m in ordered[:RECENT_KEPT] if ordered[0] - m < timedelta(hours=RECENT_HOURS)}
    daily = weekly = 0
    last_day: date | None = None
    last_week: tuple[int, int] | None = None
    for moment in ordered:  # the newest of each day
        day = moment.astimezone().date()
        if day != last_day and daily < keep_daily:
            last_day = day
            kept.add(moment)
            daily += 1
    for moment in ordered:  # the newest of each week, counting only weeks not kept already
        year, week, _weekday = moment.astimezone().isocalendar()
        if (year, week) == last_week or weekly >= keep_weekly:
            continue
        last_week = (year, week)
        if moment not in kept:
            kept.add(moment)
            weekly += 1
    return kept


def rotate(folder: Path, stem: str, keep_daily: int, keep_weekly: int) -> list[Path]:
    """Delete the backups in *folder* that rotation does not keep (with their checksum files)."""
    backups = list_backups(folder, stem)
    by_moment: dict[datetime, list[BackupFile]] = {}
    for backup in backups:
        by_moment.setdefault(backup.made_at, []).append(backup)
    keep = backups_to_keep(by_moment, keep_daily, keep_weekly)
    removed = []
    for moment, group in by_moment.items():
        # Of several backups made within one second, the last one made (the highest number) counts.
        group.sort(key=lambda b: (len(b.path.name), b.path.name), reverse=True)
        doomed = group[1:] if moment in keep else group
        for backup in doomed:
            for path in (backup.path, checksum_path(backup.path)):
                with suppress(OSError):
                    path.unlink()
            removed.append(backup.path)
    return removed


# --- when a backup is due ---------------------------------------------------------------


@dataclass(frozen=True)
class LastBackup:
    """The last automatic (or "Back up now") backup: when, where, and the data it holds."""

    made_at: datetime  # UTC
    file: str
    folder: str
    marker: Marker
    extra_folder: str = ""
    extra_copied: bool = False
    extra_problem: str = ""  # "missing", "cancelled", or the system's words for the failure

    def to_json(self) -> dict[str, Any]:
        return {
            "at": self.made_at.isoformat(),
            "file": self.file,
            "folder": self.folder,
            "marker": list(self.marker),
            "extra_folder": self.extra_folder,
            "extra_copied": self.extra_copied,
            "extra_problem": self.extra_problem,
        }

    @classmethod
    def from_json(cls, value: object) -> LastBackup | None:
        if not isinstance(value, dict):
            return None
        try:
            seq, audit_id = value["marker"]
            return cls(
                datetime.fromisoformat(value["at"]),
                str(value["file"]),
                str(value["folder"]),
                (int(seq), int(audit_id)),
                str(value.get("extra_folder", "")),
                bool(value.get("extra_copied", False)),
                str(value.get("extra_problem", "")),
            )
        except (KeyError, TypeError, ValueError):
            return None

    def extra_message(self) -> Message | None:
        """What went wrong with the copy to the extra folder, for people (None: nothing)."""
        if not self.extra_folder or self.extra_copied:
            return None
        if self.extra_problem == "missing":
            return _(
                "The extra folder {folder} was not found (is the USB stick plugged in?); "
                "the backup was made in the data folder only.",
                folder=self.extra_folder,
            )
        if self.extra_problem == "cancelled":
            return _("The copy to {folder} was skipped as the program was closing.", folder=self.extra_folder)
        return _(
            "The backup could not be copied to {folder}: {reason}",
            folder=self.extra_folder,
            reason=self.extra_problem,
        )


def backup_due(last: LastBackup | None, marker: Marker, occasion: Occasion, now: datetime) -> bool:
    """Whether an automatic backup is wanted now: "Back up now" always; otherwise only when the data
    changed since the last backup — on exit at once, daily when none was made today (local)."""
    if occasion is Occasion.MANUAL or last is None:
        return True
    if last.marker == marker:
        return False
    if occasion is Occasion.EXIT:
        return True
    return last.made_at.astimezone().date() < now.astimezone().date()


def _marker(session: Session) -> Marker:
    row = session.execute(text(_MARKER_SQL)).one()
    return int(row[0]), int(row[1])


def _file_marker(path: Path) -> Marker:
    connection = sqlite3.connect(path)
    try:
        row = connection.execute(_MARKER_SQL).fetchone()
    finally:
        connection.close()
    return int(row[0]), int(row[1])


@dataclass(frozen=True)
class BackupStatus:
    """For the home page: the last backup (None: never), whether data changed since, whether it is old."""

    applies: bool
    last: LastBackup | None
    changed_since: bool

    def stale(self, today: date) -> bool:
        """No backup at all, or an old one with changes since (older than :data:`STALE_AFTER_DAYS`)."""
        if not self.applies:
            return False
        if self.last is None:
            return True
        age = today - self.last.made_at.astimezone().date()
        return self.changed_since and age > timedelta(days=STALE_AFTER_DAYS)


def backup_status(db: Database) -> BackupStatus:
    """The last backup of *db* and whether the data changed since (no personal data: no permission)."""
    if not applies(db):
        return BackupStatus(False, None, False)
    with db.reading() as session:
        last = LastBackup.from_json(get_setting(session, LAST_SETTING))
        marker = _marker(session)
    return BackupStatus(True, last, last is None or last.marker != marker)


def is_due(db: Database, occasion: Occasion, now: datetime | None = None) -> bool:
    if not applies(db):
        return False
    with db.reading() as session:
        last = LastBackup.from_json(get_setting(session, LAST_SETTING))
        marker = _marker(session)
    return backup_due(last, marker, occasion, now or utcnow())


# --- making a backup --------------------------------------------------------------------


@dataclass(frozen=True)
class BackupOutcome:
    """A backup made: the main file, the copy in the extra folder (if any), what rotation removed."""

    path: Path
    size: int
    sha256: str
    last: LastBackup
    extra_path: Path | None
    removed: tuple[Path, ...]

    @property
    def problem(self) -> Message | None:
        return self.last.extra_message()


def auto_backup(
    db: Database,
    actor: Actor,
    occasion: Occasion,
    *,
    should_stop: Callable[[], bool] | None = None,
    now: datetime | None = None,
) -> BackupOutcome | None:
    """Make the backup of *occasion* if it is due (None when it is not, or for PostgreSQL)."""
    if not applies(db):
        return None
    with _making:
        if occasion is not Occasion.MANUAL and not is_due(db, occasion, now):
            return None
        return _make(db, actor, occasion, should_stop or (lambda: False), now)


def make_backup(
    db: Database, actor: Actor, *, should_stop: Callable[[], bool] | None = None, now: datetime | None = None
) -> BackupOutcome:
    """ "Back up now": a backup of *db* into its backups folder (and the extra folder), rotated."""
    require(actor, Permission.BACKUP)
    if not applies(db) or db.path is None:
        raise BackupRefused(
            _(
                "{database} is a PostgreSQL database: the server backs it up (pg_dump). "
                "Bala Korgoo makes backups of SQLite database files only.",
                database=db.describe(),
            )
        )
    with _making:
        return _make(db, actor, Occasion.MANUAL, should_stop or (lambda: False), now)


def _make(
    db: Database, actor: Actor, occasion: Occasion, should_stop: Callable[[], bool], now: datetime | None
) -> BackupOutcome:
    assert db.path is not None
    require(actor, Permission.BACKUP if occasion is Occasion.MANUAL else Permission.READ)
    with db.reading() as session:
        settings = _read_settings(session)
    made_at = now or utcnow()
    stem = db.path.stem
    folder = backups_folder(db.path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BackupRefused(
            _(
                "The backup folder {folder} could not be created: {reason}",
                folder=str(folder),
                reason=str(exc),
            )
        ) from exc
    out = _free_name(folder, stem, made_at)
    if should_stop():
        raise BackupCancelled(_("The backup was cancelled."))
    digest, size, marker = _write_backup(db.path, out)
    written = [out, checksum_path(out)]
    try:
        if should_stop():
            raise BackupCancelled(_("The backup was cancelled."))
        extra_path, problem = _copy_to_extra(out, digest, settings.folder, should_stop)
        if extra_path is not None:
            written += [extra_path, checksum_path(extra_path)]
        last = LastBackup(
            made_at,
            out.name,
            str(folder),
            marker,
            settings.folder,
            extra_path is not None,
            problem,
        )
        with db.engine.connect() as connection:
            revision = schema_revision(connection) or ""
        with unit_of_work(
            db, actor, Permission.BACKUP if occasion is Occasion.MANUAL else Permission.READ
        ) as session:
            audit(
                session,
                actor,
                "backup" if occasion is Occasion.MANUAL else "backup.auto",
                details={
                    "occasion": str(occasion),
                    "file": out.name,
                    "sha256": digest,
                    "bytes": size,
                    "schema": revision,
                    "extra_folder": settings.folder,
                    "extra_copied": extra_path is not None,
                    "extra_problem": problem,
                },
            )
            put_setting(session, LAST_SETTING, last.to_json())
    except BaseException:
        for path in written:
            with suppress(OSError):
                path.unlink()
        raise
    removed = rotate(folder, stem, settings.keep_daily, settings.keep_weekly)
    if extra_path is not None:
        removed += rotate(extra_path.parent, stem, settings.keep_daily, settings.keep_weekly)
    return BackupOutcome(out, size, digest, last, extra_path, tuple(removed))


def _free_name(folder: Path, stem: str, made_at: datetime) -> Path:
    n = 1
    while True:
        out = folder / backup_name(stem, made_at, n)
        if not out.exists() and not checksum_path(out).exists():
            return out
        n += 1


def _write_backup(source: Path, out: Path) -> tuple[str, int, Marker]:
    """A consistent, checked, self-contained copy of *source* at *out* with its checksum file."""
    partial = out.with_name(out.name + ".writing")
    try:
        copy_sqlite(source, partial)
        settle_copy(partial)
        marker = _file_marker(partial)
        digest, size = _sync_and_hash(partial)
        partial.replace(out)
        _write_text(checksum_path(out), f"{digest}  {out.name}\n")
        sync_folder(out.parent)
    except (OSError, sqlite3.Error) as exc:
        for path in (partial, out, checksum_path(out)):
            with suppress(OSError):
                path.unlink()
        raise BackupRefused(
            _("The backup could not be written to {path}: {reason}", path=str(out), reason=str(exc))
        ) from exc
    except BaseException:
        for path in (partial, out, checksum_path(out)):
            with suppress(OSError):
                path.unlink()
        raise
    return digest, size, marker


def _sync_and_hash(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb+") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
        os.fsync(fh.fileno())
    return digest.hexdigest(), size


def _write_text(path: Path, content: str) -> None:
    partial = path.with_name(path.name + ".writing")
    with partial.open("w", encoding="ascii") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    partial.replace(path)


def _copy_to_extra(
    backup: Path, digest: str, extra: str, should_stop: Callable[[], bool]
) -> tuple[Path | None, str]:
    """Copy *backup* into the extra folder; the copy, or None and what went wrong ("" when no folder)."""
    if not extra:
        return None, ""
    folder = Path(extra).expanduser()
    if not folder.is_dir():
        return None, "missing"
    out = folder / backup.name
    partial = out.with_name(out.name + ".writing")
    try:
        copied = hashlib.sha256()
        with backup.open("rb") as source, partial.open("wb") as target:
            while chunk := source.read(_CHUNK):
                if should_stop():
                    raise BackupCancelled(_("The backup was cancelled."))
                target.write(chunk)
                copied.update(chunk)
            target.flush()
            os.fsync(target.fileno())
        if copied.hexdigest() != digest:
            raise OSError(str(_("the copy differs from the backup")))
        partial.replace(out)
        _write_text(checksum_path(out), f"{digest}  {out.name}\n")
        sync_folder(folder)
    except BackupCancelled:
        _remove(partial, out)
        return None, "cancelled"
    except OSError as exc:
        _remove(partial, out)
        return None, exc.strerror or str(exc)
    return out, ""


def _remove(partial: Path, out: Path) -> None:
    sidecar = checksum_path(out)
    for path in (partial, out, sidecar, sidecar.with_name(sidecar.name + ".writing")):
        with suppress(OSError):
            path.unlink()
