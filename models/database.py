"""The one way to open a database: a file path or a URL in, a ready :class:`Database` out.

Opening applies the Alembic migrations shipped in ``models/migrations`` (creating a new
database from them), sets the SQLite pragmas on every connection, and refuses — without
touching it — a file that is not a database, a database whose schema is newer than this
program, or a path that does not exist when creation was not asked for.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import ArgumentError, DatabaseError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from models import events
from models.errors import DatabaseRefused
from models.i18n import _
from models.paths import default_database_path

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 10_000


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


CACHE_KIB = 64 * 1024


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    # Up to 64 MiB of pages per connection, filled only as pages are read (SQLite's default is
    # 2 MiB): the home page's overdue lists and name lookups of a large office re-read the same
    # index pages (at 100,000 children, 20-30% faster in paired runs).
    cursor.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
    cursor.close()


def resolve_target(target: str | Path | None) -> URL:
    """A URL for *target*: a database URL as given, or a SQLite file path (default: the data directory)."""
    if target is None:
        return URL.create("sqlite+pysqlite", database=str(default_database_path()))
    text = str(target)
    if "://" in text:
        try:
            url = make_url(text)
        except ArgumentError as exc:
            raise DatabaseRefused(_("Not a database address: {target}", target=text)) from exc
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url
    return URL.create("sqlite+pysqlite", database=str(Path(text).expanduser().resolve()))


def describe(url: URL) -> str:
    """The database for people: a file path, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return str(url.database)
    return url.render_as_string(hide_password=True)


def _check_sqlite_file(path: Path, create: bool) -> None:
    if path.is_dir():
        raise DatabaseRefused(_("{path} is a folder, not a database file.", path=str(path)))
    if not path.exists():
        if not create:
            raise DatabaseRefused(_("There is no database at {path}.", path=str(path)))
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        return
    if path.stat().st_size == 0:
        return  # an empty file: SQLite treats it as a new database
    with path.open("rb") as fh:
        header = fh.read(len(SQLITE_HEADER))
    if header != SQLITE_HEADER:
        raise DatabaseRefused(_("{path} is not a Bala Korgoo database file.", path=str(path)))


class Database:
    """An opened, migrated database: the engine and its session factory."""

    def __init__(self, engine: Engine, url: URL) -> None:
        self.engine = engine
        self.url = url
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def path(self) -> Path | None:
        return Path(str(self.url.database)) if self.is_sqlite else None

    def describe(self) -> str:
        return describe(self.url)

    def session(self) -> Session:
        """A plain session; writes through it are refused unless a service marks it (see models.events)."""
        return self._sessions()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        # hide_parameters: tracebacks in the log must not carry children's data.
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000}, hide_parameters=True)
        event.listen(engine, "connect", _set_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def schema_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _check_revision(connection: Connection, url: URL) -> str | None:
    """The database's revision; refuses a revision this program does not know (a newer schema)."""
    try:
        current = schema_revision(connection)
    except DatabaseError as exc:
        raise DatabaseRefused(_("{path} is not a Bala Korgoo database file.", path=describe(url))) from exc
    if current is None:
        return None
    scripts = ScriptDirectory.from_config(alembic_config())
    try:
        scripts.get_revision(current)
    except CommandError as exc:
        raise DatabaseRefused(
            _(
                "The database {path} was made by a newer version of Bala Korgoo (schema {revision}). "
                "Install the newer version; this database was not changed.",
                path=describe(url),
                revision=current,
            )
        ) from exc
    return current


def _looks_empty(connection: Connection) -> bool:
    from sqlalchemy import inspect

    return not inspect(connection).get_table_names()


def _backup_before_upgrade(url: URL, revision: str) -> None:
    """Copy a SQLite file before migrating it, so an interrupted upgrade loses nothing."""
    source = Path(str(url.database))
    stamp = datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    target = source.with_name(f"{source.stem}.before-upgrade-{revision}-{stamp}{source.suffix}")
    copy_sqlite(source, target)


def open_database(target: str | Path | None = None, *, create: bool = True, migrate: bool = True) -> Database:
    """Open (and create or upgrade) the database at *target*: a path, a URL, or None for the default file.

    Raises :class:`DatabaseRefused` with a message for people when it cannot be used; in
    that case the file or server was not changed.
    """
    url = resolve_target(target)
    if url.get_backend_name() == "sqlite":
        _check_sqlite_file(Path(str(url.database)), create)
    engine = _make_engine(url)
    try:
        with engine.connect() as connection:
            current = _check_revision(connection, url)
            if current is None and not _looks_empty(connection):
                raise DatabaseRefused(
                    _("{path} holds tables of another program; it was not changed.", path=describe(url))
                )
        if current is None and not create:
            raise DatabaseRefused(_("There is no database at {path}.", path=describe(url)))
        if url.get_backend_name() == "sqlite":
            # WAL is a property of the file: set once, only after the file was found to be ours.
            with engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        if migrate and current != head_revision():
            if current is not None and url.get_backend_name() == "sqlite":
                _backup_before_upgrade(url, current)
            upgrade(engine)
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseRefused(
            _("Cannot open the database {path}: {reason}", path=describe(url), reason=str(exc.orig))
        ) from exc
    except DatabaseError as exc:
        engine.dispose()
        raise DatabaseRefused(_("{path} is not a Bala Korgoo database file.", path=describe(url))) from exc
    except BaseException:
        engine.dispose()
        raise
    return Database(engine, url)


def upgrade(engine: Engine) -> None:
    """Apply the migrations up to head in one transaction."""
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def remove_sqlite_files(path: Path) -> None:
    """Delete a SQLite database file and its WAL side files (tests and restore use it)."""
    for suffix in ("", "-wal", "-shm"):
        candidate = path.with_name(path.name + suffix)
        if candidate.exists():
            candidate.unlink()


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database through the online backup API."""
    tmp = target.with_name(target.name + ".partial")
    if tmp.exists():
        tmp.unlink()
    try:
        src = sqlite3.connect(source)
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
        shutil.move(str(tmp), str(target))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


events.install()
