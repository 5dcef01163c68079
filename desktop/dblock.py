"""The lock file beside a SQLite database that one program at a time holds while it uses the file.

The desktop client holds it for its whole session; ``bala-korgoo restore`` takes it too, so a
restore never replaces a file under a running program. Only QtCore's :class:`QLockFile` is used
(no QApplication), so the command line shares the protocol with the window exactly.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLockFile

from models.paths import default_database_path

LOCK_SUFFIX = ".lock"

log = logging.getLogger("bala_korgoo")


class LockHeld(Exception):
    """Another program holds the database's lock: which process, on which computer."""

    def __init__(self, path: Path, pid: int, host: str) -> None:
        super().__init__(f"{path} is locked by process {pid} on {host}")
        self.path = path
        self.pid = pid
        self.host = host


def database_file(target: str | Path | None) -> Path | None:
    """The SQLite file *target* names (None for a database server or an in-memory database).

    A plain path is read without the database code, so that the desktop client can take the lock
    before SQLAlchemy is loaded; only a URL goes through :func:`models.database.resolve_target`.
    """
    if target is None:
        return default_database_path()
    text = str(target)
    if "://" not in text:
        return Path(text).expanduser().resolve()
    from models.database import resolve_target

    url = resolve_target(text)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def take_lock(target: str | Path | None) -> QLockFile | None:
    """Hold the lock of the SQLite database *target*, or raise :class:`LockHeld`.

    None when there is nothing to lock: a database server, or a folder where no lock file can be
    written (a read-only share: nothing else writes there either). A lock left by a program that
    crashed is taken over; one left by another PC is not, as Qt cannot tell whether it still runs.
    """
    path = database_file(target)
    if path is None:
        return None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None  # opening the database will say what is wrong with the folder
    lock = QLockFile(str(path) + LOCK_SUFFIX)
    lock.setStaleLockTime(0)  # held for the whole session: never stale while its program runs
    if lock.tryLock(0):
        return lock
    if lock.error() != QLockFile.LockError.LockFailedError:
        log.warning("no lock file for %s: %s", path, lock.error())
        return None
    pid, host, _app = lock.getLockInfo()
    raise LockHeld(path, pid, host)
