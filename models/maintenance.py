"""Looking after the database file: checking it, backing it up, restoring a backup.

A backup is a consistent copy of the SQLite file made through SQLite's online backup API,
verified, with a ``<file>.sha256`` next to it. Restoring verifies the backup completely
(a SQLite file, intact, a schema this program knows, an untampered audit log, the checksum)
before it touches anything; the database it replaces is kept next to it. PostgreSQL
databases are backed up with the server's own tools (pg_dump), not here.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import func, select
from sqlalchemy.exc import DatabaseError as SQLAlchemyDatabaseError

from models.audit import ChainProblem, verify_chain
from models.base import utcnow
from models.database import (
    SQLITE_HEADER,
    Database,
    alembic_config,
    copy_sqlite,
    describe,
    head_revision,
    open_database,
    remove_sqlite_files,
    resolve_target,
    schema_revision,
    upgrade,
)
from models.errors import DatabaseRefused, DomainError
from models.events import SYSTEM_KEY
from models.i18n import Message, _
from models.orm import AuditEntry
from models.permissions import Permission
from models.services.base import Actor, audit, require, unit_of_work

CHECKSUM_SUFFIX = ".sha256"
_SHOWN_PROBLEMS = 5
_CHUNK = 1 << 20


class BackupRefused(DomainError):
    """A backup cannot be made; nothing was written."""


class RestoreRefused(DomainError):
    """A backup cannot be restored (missing, damaged, tampered, too new, in use); nothing was changed."""


# --- checking ---------------------------------------------------------------------------


class CheckStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    NOT_APPLICABLE = "not_applicable"


@dataclass(frozen=True)
class CheckItem:
    """One check: what was checked, how it went, and lines that explain it."""

    title: Message
    status: CheckStatus
    details: tuple[Message, ...] = ()


_Result = tuple[CheckStatus, tuple[Message, ...]]


@dataclass(frozen=True)
class CheckReport:
    database: str
    items: tuple[CheckItem, ...]

    @property
    def ok(self) -> bool:
        return all(item.status is not CheckStatus.FAILED for item in self.items)


def check_database(db: Database) -> CheckReport:
    """Check the file, the foreign keys, the schema revision and the audit chain of *db*."""
    if db.is_sqlite:
        items = [
            _guarded(_("File integrity"), _check_integrity, db),
            _guarded(_("References between records"), _check_foreign_keys, db),
        ]
    else:
        items = [
            CheckItem(
                _("File integrity"),
                CheckStatus.NOT_APPLICABLE,
                (_("The PostgreSQL server looks after its own files."),),
            ),
            CheckItem(
                _("References between records"),
                CheckStatus.NOT_APPLICABLE,
                (_("The PostgreSQL server enforces them on every write."),),
            ),
        ]
    items.append(_guarded(_("Schema version"), _check_schema, db))
    items.append(_guarded(_("Audit log"), _check_audit_chain, db))
    return CheckReport(db.describe(), tuple(items))


def _guarded(title: Message, check: Callable[[Database], _Result], db: Database) -> CheckItem:
    """Run one check; a database error while checking is itself a failed check."""
    try:
        status, details = check(db)
    except SQLAlchemyDatabaseError as exc:
        return CheckItem(
            title, CheckStatus.FAILED, (_("The database could not be read: {reason}", reason=str(exc.orig)),)
        )
    return CheckItem(title, status, details)


def _check_integrity(db: Database) -> _Result:
    with db.engine.connect() as connection:
        rows = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA integrity_check")]
    if rows == ["ok"]:
        return CheckStatus.OK, (_("The database file is intact."),)
    return CheckStatus.FAILED, (
        _("The database file is damaged:"),
        *(_("SQLite reports: {text}", text=row) for row in rows[:_SHOWN_PROBLEMS]),
    )


def _check_foreign_keys(db: Database) -> _Result:
    with db.engine.connect() as connection:
        rows = list(connection.exec_driver_sql("PRAGMA foreign_key_check"))
    if not rows:
        return CheckStatus.OK, (_("Every reference points to an existing record."),)
    tables = ", ".join(sorted({str(row[0]) for row in rows}))
    return CheckStatus.FAILED, (
        _(
            "{count} rows refer to records that do not exist (tables: {tables}).",
            count=len(rows),
            tables=tables,
        ),
    )


def _check_schema(db: Database) -> _Result:
    head = head_revision()
    with db.engine.connect() as connection:
        current = schema_revision(connection)
    if current == head:
        return CheckStatus.OK, (_("Schema {revision}, the current one.", revision=head),)
    if current is None:
        return CheckStatus.FAILED, (_("The database has no schema version."),)
    if not _known_revision(current):
        return CheckStatus.FAILED, (
            _("Schema {revision} is newer than this program knows.", revision=current),
        )
    return CheckStatus.OK, (
        _(
            "Schema {revision}; this program upgrades it to {head} when it opens the database.",
            revision=current,
            head=head,
        ),
    )


def _check_audit_chain(db: Database) -> _Result:
    with db.reading() as session:
        entries = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        problems = verify_chain(session)
    if not problems:
        return CheckStatus.OK, (_("{count} entries; the chain of hashes is intact.", count=entries),)
    return CheckStatus.FAILED, _chain_problem_lines(problems)


def _chain_problem_lines(problems: list[ChainProblem]) -> tuple[Message, ...]:
    lines = [_("The audit log was changed after it was written:")]
    for problem in problems[:_SHOWN_PROBLEMS]:
        lines.append(_describe_chain_problem(problem))
    if len(problems) > _SHOWN_PROBLEMS:
        lines.append(_("… and {count} more.", count=len(problems) - _SHOWN_PROBLEMS))
    return tuple(lines)


def _describe_chain_problem(problem: ChainProblem) -> Message:
    if problem.reason == "hash":
        return _("entry {id} was edited", id=problem.entry_id)
    if problem.reason == "link":
        return _("entry {id} does not follow the entry before it", id=problem.entry_id)
    if problem.reason == "gap":
        return _("entries before {id} are missing", id=problem.entry_id)
    return _("the end of the log does not match its last entry (entries removed or added)")


def _known_revision(revision: str) -> bool:
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(revision)
    except CommandError:
        return False
    return True


# --- files ------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + CHECKSUM_SUFFIX)


def _sqlite_integrity(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()


def _local_stamp() -> str:
    return datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")


# --- backup -----------------------------------------------------------------------------


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    checksum_path: Path
    sha256: str
    size: int
    revision: str
    made_at: datetime


def backup_source(db: Database) -> Path:
    """The SQLite file behind *db*; a PostgreSQL database is refused (the server's tools back it up)."""
    if not db.is_sqlite or db.path is None:
        raise BackupRefused(
            _(
                "{database} is a PostgreSQL database: back it up with the server's tools (pg_dump). "
                "Bala Korgoo copies SQLite database files only.",
                database=db.describe(),
            )
        )
    return db.path


def backup_database(db: Database, actor: Actor, out: Path) -> BackupInfo:
    """Write a verified copy of the SQLite database *db* to *out* (never overwriting) and audit it."""
    source = backup_source(db)
    require(actor, Permission.BACKUP)
    out = out.expanduser().absolute()
    sidecar = checksum_path(out)
    _check_backup_target(out, sidecar)
    with db.engine.connect() as connection:
        revision = schema_revision(connection) or ""
    partial = out.with_name(out.name + ".writing")
    sidecar_partial = sidecar.with_name(sidecar.name + ".writing")
    # In the order they appear; whatever exists of them is removed when the backup fails.
    written = [partial.with_name(partial.name + ".partial"), partial, sidecar_partial]
    try:
        copy_sqlite(source, partial)
        settle_copy(partial)
        digest = file_sha256(partial)
        size = partial.stat().st_size
        _check_backup_target(out, sidecar)
        partial.rename(out)
        written.append(out)
        sidecar_partial.write_text(f"{digest}  {out.name}\n", encoding="ascii")
        sidecar_partial.rename(sidecar)
        written.append(sidecar)
        with unit_of_work(db, actor, Permission.BACKUP) as session:
            audit(
                session,
                actor,
                "backup",
                details={"file": out.name, "sha256": digest, "bytes": size, "schema": revision},
            )
    except (OSError, sqlite3.Error) as exc:
        _remove(written)
        raise BackupRefused(
            _("The backup could not be written to {path}: {reason}", path=str(out), reason=str(exc))
        ) from exc
    except BaseException:
        _remove(written)
        raise
    return BackupInfo(out, sidecar, digest, size, revision, utcnow())


def _remove(paths: list[Path]) -> None:
    for path in paths:
        with suppress(OSError):
            path.unlink()


def _check_backup_target(out: Path, sidecar: Path) -> None:
    if not out.parent.is_dir():
        raise BackupRefused(
            _("The folder {folder} does not exist; create it or choose another.", folder=str(out.parent))
        )
    for path in (out, sidecar):
        if path.exists():
            raise BackupRefused(
                _(
                    "{path} already exists; a backup never overwrites a file. Choose another name.",
                    path=str(path),
                )
            )


def settle_copy(path: Path) -> None:
    """Make the copy one self-contained file (no WAL) and check that it is intact."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA journal_mode=DELETE")
        rows = [str(row[0]) for row in connection.execute("PRAGMA integrity_check")]
    finally:
        connection.close()
    if rows != ["ok"]:
        raise BackupRefused(
            _(
                "The copy failed its integrity check ({reason}); no backup was made.",
                reason=rows[0] if rows else "?",
            )
        )


# --- verifying a backup -----------------------------------------------------------------


@dataclass(frozen=True)
class VerifiedBackup:
    """What verification found: the file's checksum, whether a checksum file confirmed it, its schema."""

    path: Path
    sha256: str
    checksum_confirmed: bool
    revision: str


def _read_sidecar(backup: Path) -> str | None:
    sidecar = checksum_path(backup)
    if not sidecar.is_file():
        return None
    try:
        text = sidecar.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        text = ""
    return text.split()[0].lower() if text else ""


def _verify_into(backup: Path, copy: Path) -> VerifiedBackup:
    """Check *backup* and leave a verified copy of it at *copy* (the backup itself is only read).

    Raises :class:`RestoreRefused`; the caller removes *copy* then.
    """
    backup = backup.expanduser().absolute()
    try:
        return _check_into(backup, copy)
    except (OSError, sqlite3.Error) as exc:
        raise RestoreRefused(
            _(
                "The backup {path} could not be copied and checked: {reason}",
                path=str(backup),
                reason=str(exc),
            )
        ) from exc


def _check_into(backup: Path, copy: Path) -> VerifiedBackup:
    if not backup.is_file():
        raise RestoreRefused(_("There is no backup file {path}.", path=str(backup)))
    with backup.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise RestoreRefused(_("{path} is not a Bala Korgoo backup (not a database file).", path=str(backup)))
    digest = file_sha256(backup)
    expected = _read_sidecar(backup)
    if expected is not None and expected != digest:
        raise RestoreRefused(
            _(
                "The backup {path} does not match its checksum file {checksum}: it was changed or damaged "
                "after it was made.",
                path=str(backup),
                checksum=str(checksum_path(backup)),
            )
        )
    try:
        copy_sqlite(backup, copy)
        rows = _sqlite_integrity(copy)
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") not in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
            raise
        raise RestoreRefused(
            _("The backup {path} is damaged: {reason}", path=str(backup), reason=str(exc))
        ) from exc
    if rows != ["ok"]:
        raise RestoreRefused(
            _("The backup {path} is damaged: {reason}", path=str(backup), reason=rows[0] if rows else "?")
        )
    revision = _sqlite_revision(copy)
    if revision is None:
        raise RestoreRefused(_("{path} is not a Bala Korgoo backup (no schema version).", path=str(backup)))
    if not _known_revision(revision):
        raise RestoreRefused(
            _(
                "The backup {path} was made by a newer version of Bala Korgoo (schema {revision}). "
                "Install the newer version to restore it.",
                path=str(backup),
                revision=revision,
            )
        )
    try:
        opened = open_database(copy, create=False, migrate=False)
    except DatabaseRefused as exc:
        raise RestoreRefused(
            _("The backup {path} cannot be used: {reason}", path=str(backup), reason=exc.message)
        ) from exc
    try:
        with opened.reading() as session:
            problems = verify_chain(session)
    finally:
        opened.dispose()
    if problems:
        raise RestoreRefused(
            _(
                "The audit log in the backup {path} was changed after it was written ({problem}); "
                "it is not restored.",
                path=str(backup),
                problem=_describe_chain_problem(problems[0]),
            )
        )
    return VerifiedBackup(backup, digest, expected is not None, revision)


def _sqlite_revision(path: Path) -> str | None:
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError:
        return None
    finally:
        connection.close()
    return str(row[0]) if row else None


def verify_backup(backup: Path) -> VerifiedBackup:
    """Verify *backup* without changing it (the checks run on a temporary copy)."""
    with tempfile.TemporaryDirectory(prefix="bala-korgoo-") as folder:
        copy = Path(folder) / "backup.sqlite"
        try:
            return _verify_into(backup, copy)
        finally:
            remove_sqlite_files(copy)


@contextmanager
def opened_backup(backup: Path) -> Iterator[Database]:
    """A verified, upgraded temporary copy of *backup*, e.g. to sign in against its accounts.

    Whatever is written to it is thrown away; the backup file itself is only read.
    """
    with tempfile.TemporaryDirectory(prefix="bala-korgoo-") as folder:
        copy = Path(folder) / "backup.sqlite"
        try:
            _verify_into(backup, copy)
            database = open_database(copy, create=False, migrate=False)
            try:
                upgrade(database.engine)
                yield database
            finally:
                database.dispose()
        finally:
            remove_sqlite_files(copy)


# --- restore ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreInfo:
    target: Path
    backup: Path
    sha256: str
    checksum_confirmed: bool
    backup_revision: str
    revision: str
    replaced: Path | None  # where the database it replaced was kept (None: there was none)

    @property
    def upgraded(self) -> bool:
        return self.backup_revision != self.revision


def restore_target(target: str | Path | None) -> Path:
    """The SQLite file a restore would replace (None: the default file); PostgreSQL is refused."""
    url = resolve_target(target)
    if url.get_backend_name() != "sqlite":
        raise RestoreRefused(
            _(
                "{database} is a PostgreSQL database: restore it with the server's tools (pg_restore). "
                "Bala Korgoo restores SQLite database files only.",
                database=describe(url),
            )
        )
    return Path(str(url.database))


def restore_database(target_path: Path, backup: Path, actor: Actor) -> RestoreInfo:
    """Replace the SQLite database at *target_path* with the backup, keeping the old file next to it.

    *actor* signed in already (against the current database, or the backup's accounts when
    the current one cannot be opened). Every check runs on a copy in the target's folder
    before anything is moved; the copy is upgraded and gets a "restore" audit entry, then
    the old database is moved aside and the copy renamed into place. Close every program
    that uses the database first: an open database is refused.
    """
    require(actor, Permission.RESTORE)  # restoring brings back old accounts and settings too
    target = target_path.expanduser().absolute()
    backup = backup.expanduser().absolute()
    if target.is_dir():
        raise RestoreRefused(_("{path} is a folder, not a database file.", path=str(target)))
    if backup == target:
        raise RestoreRefused(_("The backup and the database are the same file: {path}.", path=str(target)))
    created = _make_folder(target.parent)
    staged = target.with_name(target.name + ".restoring")
    remove_sqlite_files(staged)
    try:
        verified = _verify_into(backup, staged)
        revision = _finish_restored_copy(staged, actor, verified, target)
        replaced = _move_aside(target)
        try:
            staged.replace(target)
        except OSError as exc:
            if replaced is not None:
                _move_files(replaced, target)
            raise RestoreRefused(
                _(
                    "The restored database could not be put in place of {path} ({reason}); "
                    "nothing was changed.",
                    path=str(target),
                    reason=str(exc),
                )
            ) from exc
    except BaseException:
        remove_sqlite_files(staged)
        for folder in created:
            with suppress(OSError):
                folder.rmdir()
        raise
    return RestoreInfo(
        target, backup, verified.sha256, verified.checksum_confirmed, verified.revision, revision, replaced
    )


def _make_folder(folder: Path) -> list[Path]:
    """Create *folder* if missing; the folders created, innermost first (removed again on failure)."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        current = current.parent
    folder.mkdir(parents=True, exist_ok=True)
    return missing


def _finish_restored_copy(staged: Path, actor: Actor, verified: VerifiedBackup, target: Path) -> str:
    """Upgrade the verified copy and write the "restore" audit entry into it; its schema revision."""
    restored = open_database(staged, create=False, migrate=False)
    try:
        if verified.revision != head_revision():
            upgrade(restored.engine)
        # The acting account may not exist in the backup (it signed in against the replaced
        # database), so this entry is written without the unit of work's account check.
        with restored.session() as session:
            session.info[SYSTEM_KEY] = True
            audit(
                session,
                actor,
                "restore",
                details={
                    "backup": verified.path.name,
                    "sha256": verified.sha256,
                    "checksum_file": verified.checksum_confirmed,
                    "schema": verified.revision,
                    "database": target.name,
                },
            )
            session.commit()
    finally:
        restored.dispose()
    _checkpoint(staged)
    return head_revision()


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the file, so that the file alone holds everything."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        connection.execute("PRAGMA journal_mode=DELETE")
    finally:
        connection.close()


def _is_busy(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "") in ("SQLITE_BUSY", "SQLITE_LOCKED")


def _move_aside(target: Path) -> Path | None:
    """Move the current database (with any WAL files) to ``<name>.replaced-<stamp>.sqlite``.

    Taking an exclusive lock first refuses a database that another program has open, and
    the checkpoint folds its WAL into the file so nothing is left behind.
    """
    if not target.exists():
        return None
    try:
        connection = sqlite3.connect(target, timeout=1, isolation_level=None)
        try:
            connection.execute("PRAGMA locking_mode=EXCLUSIVE")
            connection.execute("BEGIN EXCLUSIVE")
            connection.execute("COMMIT")
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
    except sqlite3.Error as exc:
        if _is_busy(exc):
            raise RestoreRefused(
                _(
                    "The database {path} is in use. Close Bala Korgoo (and any other program using it) "
                    "and try again; nothing was changed.",
                    path=str(target),
                )
            ) from exc
        # A damaged database: it is kept as it is, with its WAL files.
    stamp = _local_stamp()
    suffix = target.suffix or ".sqlite"
    kept = target.with_name(f"{target.stem}.replaced-{stamp}{suffix}")
    n = 1
    while any(_with_extra(kept, extra).exists() for extra in _SQLITE_FILES):
        n += 1
        kept = target.with_name(f"{target.stem}.replaced-{stamp}-{n}{suffix}")
    try:
        _move_files(target, kept)
    except OSError as exc:
        raise RestoreRefused(
            _(
                "The database {path} could not be moved aside ({reason}); nothing was changed.",
                path=str(target),
                reason=str(exc),
            )
        ) from exc
    return kept


_SQLITE_FILES = ("", "-wal", "-shm")


def _with_extra(path: Path, extra: str) -> Path:
    return path.with_name(path.name + extra)


def _move_files(source: Path, target: Path) -> None:
    """Rename a database file with its WAL files; all of them or (after an error) none."""
    moved: list[str] = []
    try:
        for extra in _SQLITE_FILES:
            if _with_extra(source, extra).exists():
                _with_extra(source, extra).rename(_with_extra(target, extra))
                moved.append(extra)
    except OSError:
        for extra in moved:
            with suppress(OSError):
                _with_extra(target, extra).rename(_with_extra(source, extra))
        raise
