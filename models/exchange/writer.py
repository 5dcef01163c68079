"""Writing upload packages: full or incremental, personal or depersonalised, encrypted with age.

The rows are read in one consistent snapshot, without ORM objects. On SQLite the JSON lines are
built by SQLite itself (string functions over the stored values), on other databases in Python
from the driver's values; both give the same lines (tested). Two worker threads each make whole
members — lines, SHA-256, deflate — while the calling thread reports progress and watches for a
cancel. The package is assembled in memory (manifest first), encrypted when recipient keys are
configured, written to a temporary file in the target folder and renamed into place; only then is
its state row committed with the audit entry. A failure or a cancel leaves no file and no row.
"""

from __future__ import annotations

import hashlib
import json
import struct
import threading
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import partial
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, bindparam, desc, func, select, text
from sqlalchemy.orm import Session

from models.base import utcnow
from models.database import Database, schema_revision
from models.exchange import format as fmt
from models.exchange.settings import recipients as configured_recipients
from models.files import write_atomically
from models.i18n import _
from models.orm import AdminUnit, ChangeLogEntry, ExchangePackage
from models.permissions import Permission
from models.services.base import Actor, audit, require, unit_of_work
from models.settings import get_setting, office_district_id

# Parents read per query (their sub-records and associations are read for the same ids).
BATCH = 500
# Lines are hashed and compressed once this many characters of them are waiting.
CHUNK_CHARS = 1 << 20
# Measured on the 100,000-children demo with time-ordered ids (encrypted full package, two runs
# each): level 1 85.8 MB in 61.5–67.6 s, level 6 63.8 MB in 54.6–57.1 s. Building the lines in
# SQLite takes the time; the deflating beside it is not what the export waits for.
COMPRESS_LEVEL = 6
_MAX_ZIP32 = 0xFFFFFFFF
# Members made at the same time on SQLite (connections reading one snapshot); the machines have 2+ cores.
SQLITE_WORKERS = 2


class ExportCancelled(fmt.PackageRefused):
    """The user cancelled the export; nothing was written."""


@dataclass(frozen=True)
class PackageMade:
    """A package written: where, its number in its stream, what it holds."""

    path: Path
    sequence: int
    kind: str
    depersonalized: bool
    encrypted: bool
    counts: dict[str, dict[str, int]]
    size: int
    changes_through: int


def sent_packages(session: Session, limit: int = 50) -> list[ExchangePackage]:
    """The packages this database wrote, newest first (for the history on the exchange page)."""
    return list(
        session.scalars(
            select(ExchangePackage)
            .where(ExchangePackage.direction == fmt.DIRECTION_OUT)
            .order_by(desc(ExchangePackage.recorded_at), desc(ExchangePackage.sequence))
            .limit(limit)
        )
    )


def _app_version() -> str:
    try:
        return version("bala-korgoo")
    except PackageNotFoundError:
        return "0"


# --- reading rows ---------------------------------------------------------------------------


Converter = Callable[[Any], Any] | None


@dataclass
class _Plan:
    """How the rows of one table become line objects: the columns selected and each field's conversion."""

    table: str
    columns: list[str]
    fields: list[tuple[int, str, Converter]]
    nested: tuple[fmt.Nested, ...]
    associations: tuple[fmt.Association, ...]
    birth_index: int | None = None
    parent_index: int | None = None


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def _quote(name: str) -> str:
    return f'"{name}"'


class _Reader:
    """Reads travelling rows in the snapshot of one connection and turns them into line objects."""

    def __init__(self, conn: Connection, depersonalized: bool, today: date) -> None:
        self.conn = conn
        self.depersonalized = depersonalized
        self.today = today
        units = conn.exec_driver_sql("SELECT id, code FROM admin_units").all()
        self.unit_codes: dict[Any, str] = {row[0]: row[1] for row in units if row[1] is not None}
        self._plans: dict[str, _Plan] = {}

    def plan(self, table_name: str) -> _Plan:
        plan = self._plans.get(table_name)
        if plan is not None:
            return plan
        columns = ["id", "deleted_at", "version"]
        fields: list[tuple[int, str, Converter]] = []
        for f in fmt.fields(table_name, depersonalized=self.depersonalized):
            converter: Converter
            if f.kind == fmt.UNIT:
                converter = self.unit_codes.get
            elif f.kind == fmt.UUID:
                converter = fmt.uuid_text
            elif f.kind == fmt.DATETIME:
                converter = fmt.datetime_text
            elif f.kind == fmt.DATE:
                converter = fmt.date_text
            elif f.kind == fmt.BOOL:
                converter = bool
            elif f.kind == fmt.DECIMAL:
                converter = partial(fmt.decimal_text, scale=fmt.decimal_scale(table_name, f.column))
            else:
                converter = None
            columns.append(f.column)
            fields.append((len(columns) - 1, f.key, converter))
        plan = _Plan(
            table_name, columns, fields, fmt.nested_tables(table_name), fmt.ASSOCIATIONS.get(table_name, ())
        )
        if self.depersonalized and (table_name, "birth_date") == fmt.AGE_SOURCE:
            columns.append("birth_date")
            plan.birth_index = len(columns) - 1
        parent = fmt.subrecord_parents().get(table_name)
        if parent is not None:
            columns.append(parent[1])
            plan.parent_index = len(columns) - 1
        self._plans[table_name] = plan
        return plan

    def _select(self, plan: _Plan, where: str = "") -> str:
        columns = ", ".join(map(_quote, plan.columns))
        return f"SELECT {columns} FROM {_quote(plan.table)}{where}"  # noqa: S608 - names from the metadata

    def rows_all(self, table_name: str) -> Iterator[Sequence[Any]]:
        result = self.conn.execution_options(yield_per=2000).exec_driver_sql(
            self._select(self.plan(table_name))
        )
        for partition in result.partitions():
            yield from partition

    def rows_in(self, table_name: str, column: str, ids: Sequence[Any]) -> list[Sequence[Any]]:
        plan = self.plan(table_name)
        statement = text(self._select(plan, f" WHERE {_quote(column)} IN :ids")).bindparams(
            bindparam("ids", expanding=True)
        )
        rows: list[Sequence[Any]] = []
        for start in range(0, len(ids), BATCH):
            rows += self.conn.execute(statement, {"ids": list(ids[start : start + BATCH])}).all()
        return rows

    def lines(self, plan: _Plan, rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
        """The line objects of *rows* of one table, with their sub-records and associations."""
        ids = [row[0] for row in rows]
        subs = {n.key: self._grouped(n, ids) for n in plan.nested}
        links = {a.key: self._linked(a, ids) for a in plan.associations}
        out = []
        for row in rows:
            record_id = row[0]
            if row[1] is not None:
                out.append(
                    {
                        "id": fmt.uuid_text(record_id),
                        "deleted_at": fmt.datetime_text(row[1]),
                        "version": row[2],
                    }
                )
                continue
            data = {}
            for index, key, convert in plan.fields:
                value = row[index]
                if value is not None:
                    if convert is not None:
                        value = convert(value)
                        if value is None:
                            continue
                    data[key] = value
            if plan.birth_index is not None and row[plan.birth_index] is not None:
                birth = row[plan.birth_index]
                data[fmt.AGE_KEY] = fmt.age_on(
                    fmt.parse_date(birth) if isinstance(birth, str) else birth, self.today
                )
            for key, grouped in subs.items():
                children = grouped.get(record_id)
                if children:
                    data[key] = children
            for key, linked in links.items():
                items = linked.get(record_id)
                if items:
                    data[key] = sorted(items)
            out.append({"id": fmt.uuid_text(record_id), "data": data})
        return out

    def encoded(self, record_type: str, ids: Sequence[Any] | None) -> Iterator[list[tuple[str, bool]]]:
        """The JSON lines of *record_type* (all, or those with *ids*) in batches, each with "is live"."""
        plan = self.plan(record_type)
        if ids is None:
            batches: Iterable[list[Sequence[Any]]] = _batched(self.rows_all(record_type))
        else:
            batches = (self.rows_in(record_type, "id", ids[s : s + BATCH]) for s in range(0, len(ids), BATCH))
        for rows in batches:
            yield [(_dumps(line), "data" in line) for line in self.lines(plan, rows)]

    def _grouped(self, nested: fmt.Nested, parent_ids: Sequence[Any]) -> dict[Any, list[dict[str, Any]]]:
        plan = self.plan(nested.table)
        rows = self.rows_in(nested.table, nested.parent_column, parent_ids)
        rows.sort(key=lambda row: row[0])
        grouped: dict[Any, list[dict[str, Any]]] = defaultdict(list)
        assert plan.parent_index is not None
        for row, line in zip(rows, self.lines(plan, rows), strict=True):
            grouped[row[plan.parent_index]].append(line)
        return grouped

    def _linked(self, assoc: fmt.Association, parent_ids: Sequence[Any]) -> dict[Any, list[str]]:
        owner, item = _quote(assoc.parent_column), _quote(assoc.item_column)
        sql = f"SELECT {owner}, {item} FROM {_quote(assoc.table)} WHERE {owner} IN :ids"  # noqa: S608
        statement = text(sql).bindparams(bindparam("ids", expanding=True))
        linked: dict[Any, list[str]] = defaultdict(list)
        for start in range(0, len(parent_ids), BATCH):
            for parent_id, item_id in self.conn.execute(
                statement, {"ids": list(parent_ids[start : start + BATCH])}
            ):
                linked[parent_id].append(fmt.uuid_text(item_id))
        return linked


_UUID_PARTS = ((1, 8), (9, 4), (13, 4), (17, 4), (21, 12))


class _SqliteReader:
    """Builds the JSON lines inside SQLite (string functions and json_quote), sub-records included.

    The same lines as :class:`_Reader` makes, from SQLite's storage form: UUIDs as 32 hex digits,
    timestamps as ``YYYY-MM-DD HH:MM:SS.ffffff`` (UTC), booleans as 0/1. About twice as fast as
    building them in Python, which matters at 100,000 children.
    """

    def __init__(self, conn: Connection, depersonalized: bool, today: date) -> None:
        self.conn = conn
        self.depersonalized = depersonalized
        self.today = today.isoformat()
        self._sql: dict[str, str] = {}

    @staticmethod
    def _uuid(x: str) -> str:
        parts = "||'-'||".join(f"substr({x},{start},{length})" for start, length in _UUID_PARTS)
        return f"({parts})"

    @staticmethod
    def _datetime(x: str) -> str:
        time = f"CASE WHEN substr({x},20)='.000000' THEN substr({x},12,8) ELSE substr({x},12) END"
        return f"(substr({x},1,10)||'T'||{time}||'Z')"

    def _value(self, table_name: str, f: fmt.Field, x: str) -> str:
        """The JSON text of column *x* (NULL when the column is NULL)."""
        if f.kind == fmt.UUID:
            return f"'\"'||{self._uuid(x)}||'\"'"
        if f.kind == fmt.DATETIME:
            return f"'\"'||{self._datetime(x)}||'\"'"
        if f.kind == fmt.DATE:
            return f"'\"'||{x}||'\"'"
        if f.kind == fmt.BOOL:
            return f"CASE WHEN {x} IS NULL THEN NULL WHEN {x} THEN 'true' ELSE 'false' END"
        if f.kind == fmt.INT:
            return x
        if f.kind == fmt.DECIMAL:
            scale = fmt.decimal_scale(table_name, f.column)
            return f"CASE WHEN {x} IS NULL THEN NULL ELSE '\"'||printf('%.{scale}f', {x})||'\"' END"
        if f.kind == fmt.UNIT:
            return f"'\"'||(SELECT u.code FROM admin_units u WHERE u.id = {x})||'\"'"  # noqa: S608
        return f"CASE WHEN {x} IS NULL THEN NULL ELSE json_quote({x}) END"

    def _line(self, table_name: str, depth: int) -> str:
        """The JSON text of a line of *table_name* (alias ``t<depth>``), by string concatenation only."""
        alias = f"t{depth}"
        columns = fmt.table(table_name).c
        pieces = [
            (f.key, self._value(table_name, f, f"{alias}.{_quote(f.column)}"))
            for f in fmt.fields(table_name, depersonalized=self.depersonalized)
        ]
        # Columns that are never NULL need no coalesce (one function call less per value).
        required = {
            f.key
            for f in fmt.fields(table_name, depersonalized=self.depersonalized)
            if not columns[f.column].nullable and f.kind != fmt.UNIT
        }
        if self.depersonalized and (table_name, "birth_date") == fmt.AGE_SOURCE:
            birth = f"{alias}.birth_date"
            pieces.append(
                (
                    fmt.AGE_KEY,
                    f"({int(self.today[:4])} - CAST(substr({birth},1,4) AS INTEGER) "
                    f"- ('{self.today[5:]}' < substr({birth},6,5)))",
                )
            )
        for nested in fmt.nested_tables(table_name):
            sub = f"t{depth + 1}"
            pieces.append(
                (
                    nested.key,
                    f"(SELECT '['||group_concat(s.line, ',')||']' FROM "  # noqa: S608 - names from the metadata
                    f"(SELECT {self._line(nested.table, depth + 1)} AS line "
                    f"FROM {_quote(nested.table)} {sub} "
                    f"WHERE {sub}.{_quote(nested.parent_column)} = {alias}.id ORDER BY {sub}.id) s)",
                )
            )
        for assoc in fmt.ASSOCIATIONS.get(table_name, ()):
            pieces.append(
                (
                    assoc.key,
                    f"(SELECT '['||group_concat('\"'||{self._uuid('s.item')}||'\"', ',')||']' FROM "  # noqa: S608
                    f"(SELECT {_quote(assoc.item_column)} AS item FROM {_quote(assoc.table)} "
                    f"WHERE {_quote(assoc.parent_column)} = {alias}.id ORDER BY item) s)",
                )
            )
        data = "||".join(
            f"',\"{key}\":'||{value}" if key in required else f"coalesce(',\"{key}\":'||{value}, '')"
            for key, value in pieces
        )
        record_id = self._uuid(f"{alias}.id")
        return (
            f"CASE WHEN {alias}.deleted_at IS NULL "
            f"THEN '{{\"id\":\"'||{record_id}||'\",\"data\":{{'||substr({data}, 2)||'}}}}' "
            f'ELSE \'{{"id":"\'||{record_id}||\'","deleted_at":"\'||{self._datetime(f"{alias}.deleted_at")}'
            f"||'\",\"version\":'||{alias}.version||'}}' END"
        )

    def _select(self, record_type: str) -> str:
        sql = self._sql.get(record_type)
        if sql is None:
            line = self._line(record_type, 0)
            sql = f"SELECT {line}, t0.deleted_at IS NULL FROM {_quote(record_type)} t0"  # noqa: S608
            self._sql[record_type] = sql
        return sql

    def encoded(self, record_type: str, ids: Sequence[Any] | None) -> Iterator[list[tuple[str, bool]]]:
        """The JSON lines of *record_type* (all, or those with *ids*) in batches, each with "is live"."""
        sql = self._select(record_type)
        if ids is None:
            result = self.conn.exec_driver_sql(sql)
            while batch := result.fetchmany(BATCH):
                yield [(line, bool(live)) for line, live in batch]
            return
        statement = text(sql + " WHERE t0.id IN :ids").bindparams(bindparam("ids", expanding=True))
        for start in range(0, len(ids), BATCH):
            rows = self.conn.execute(statement, {"ids": list(ids[start : start + BATCH])}).all()
            yield [(line, bool(live)) for line, live in rows]


# --- what an incremental package holds ----------------------------------------------------


def _changed_parents(conn: Connection, after: int, through: int) -> dict[str, set[Any]]:
    """The top-level records (raw ids, per type) changed in change-log rows ``after < seq <= through``."""
    changed: dict[str, set[Any]] = defaultdict(set)
    raw = conn.execute(
        text("SELECT DISTINCT table_name, record_id FROM change_log WHERE seq > :after AND seq <= :through"),
        {"after": after, "through": through},
    )
    for table_name, record_id in raw:
        changed[table_name].add(record_id)
    parents = fmt.subrecord_parents()
    # Children before parents: a decision's item is mapped to its meeting after the items themselves.
    for sub_table in reversed(list(parents)):
        ids = changed.pop(sub_table, set())
        if not ids:
            continue
        parent_table, parent_column = parents[sub_table]
        statement = text(
            f"SELECT DISTINCT {_quote(parent_column)} FROM {_quote(sub_table)} WHERE id IN :ids"  # noqa: S608
        ).bindparams(bindparam("ids", expanding=True))
        listed = list(ids)
        for start in range(0, len(listed), BATCH):
            changed[parent_table].update(
                row[0] for row in conn.execute(statement, {"ids": listed[start : start + BATCH]})
            )
    return {t: ids for t, ids in changed.items() if t in fmt.RECORD_TYPES and ids}


# --- compressing and assembling the zip -----------------------------------------------------


@dataclass
class _Member:
    """One zip member compressed as a raw deflate stream, with what its headers and the manifest need."""

    name: str
    compressed: bytearray = field(default_factory=bytearray)
    crc: int = 0
    size: int = 0
    lines: int = 0
    sha256: Any = field(default_factory=hashlib.sha256)
    deflate: Any = field(default_factory=lambda: zlib.compressobj(COMPRESS_LEVEL, zlib.DEFLATED, -15))

    def feed(self, data: bytes) -> None:
        self.sha256.update(data)
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self.compressed += self.deflate.compress(data)

    def finish(self) -> None:
        self.compressed += self.deflate.flush()


def _dos_time(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(UTC)
    return (
        (local.hour << 11) | (local.minute << 5) | (local.second // 2),
        ((local.year - 1980) << 9) | (local.month << 5) | local.day,
    )


def _zip_bytes(members: list[_Member], moment: datetime) -> bytes:
    """A zip archive of already-deflated *members*, in the given order (no zip64: refused above 4 GiB)."""
    dos_time, dos_date = _dos_time(moment)
    out = bytearray()
    central = bytearray()
    for member in members:
        compressed = len(member.compressed)
        if max(member.size, compressed, len(out) + compressed) > _MAX_ZIP32:
            raise fmt.PackageRefused(_("The package is too large for one file (over 4 GiB)."))
        name = member.name.encode("ascii")
        offset = len(out)
        sizes = (member.crc, compressed, member.size, len(name))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, dos_time, dos_date, *sizes, 0)
        out += name
        out += member.compressed
        member.compressed = bytearray()  # copied: let it go now (the package may be tens of megabytes)
        # made by Unix (3) zip 2.0; external attributes: a regular file, rw-r--r--
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 0x0314, 20, 0, 8, dos_time, dos_date, *sizes, 0, 0, 0, 0,
            0o100644 << 16, offset,
        )  # fmt: skip
        central += name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(out), 0)
    out += central
    out += end
    return bytes(out)


# --- the export -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Office:
    district_code: str
    name_ky: str
    name_ru: str


def _office(session: Session) -> _Office:
    district_id = office_district_id(session)
    unit = session.get(AdminUnit, district_id) if district_id else None
    if unit is None or not unit.code:
        raise fmt.PackageRefused(_("The office is not set up yet."))
    name_ky = str(get_setting(session, "office.department_name_ky", "") or unit.name_ky)
    name_ru = str(get_setting(session, "office.department_name_ru", "") or unit.name_ru)
    return _Office(unit.code, name_ky, name_ru)


def _last_sent(session: Session, district_code: str, stream: str) -> ExchangePackage | None:
    return session.scalars(
        select(ExchangePackage)
        .where(
            ExchangePackage.direction == fmt.DIRECTION_OUT,
            ExchangePackage.district_code == district_code,
            ExchangePackage.stream == stream,
        )
        .order_by(desc(ExchangePackage.sequence))
        .limit(1)
    ).first()


def _snapshot(db: Database) -> Connection:
    """A connection whose reads all see one state of the database."""
    if db.is_sqlite:
        conn = db.engine.connect()
        conn.exec_driver_sql("BEGIN")  # pysqlite starts no transaction for reads on its own
        return conn
    return db.engine.connect().execution_options(isolation_level="REPEATABLE READ")


def _max_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.coalesce(func.max(ChangeLogEntry.seq), 0))).scalar_one())


def _snapshots(db: Database) -> list[Connection]:
    """Connections that all read one state of the database: one per worker (two on SQLite, one otherwise).

    Each SQLite connection fixes its snapshot at its first read; they are the same state when they
    see the same last change-log row (every write of a travelling record adds one), else they are
    opened again.
    """
    if not db.is_sqlite:
        return [_snapshot(db)]
    for _attempt in range(10):
        conns = [_snapshot(db) for _ in range(SQLITE_WORKERS)]
        if len({_max_seq(c) for c in conns}) == 1:
            return conns
        for c in conns:
            c.rollback()
            c.close()
    return [_snapshot(db)]


def _write_member(
    reader: _Reader | _SqliteReader,
    record_type: str,
    ids: list[Any] | None,
    member: _Member,
    advance: Callable[[int], None],
    stop: threading.Event,
) -> dict[str, int]:
    """Make, hash and compress the lines of one record type (zlib and hashlib let the other thread run)."""
    live = deleted = 0
    pending: list[str] = []
    pending_chars = 0
    for batch in reader.encoded(record_type, ids):
        if stop.is_set():
            raise ExportCancelled(_("The export was cancelled; no package was written."))
        for line, is_live in batch:
            pending.append(line)
            pending_chars += len(line)
            if is_live:
                live += 1
            else:
                deleted += 1
        if pending_chars >= CHUNK_CHARS:
            member.feed(("\n".join(pending) + "\n").encode())
            pending, pending_chars = [], 0
        advance(len(batch))
    if pending:
        member.feed(("\n".join(pending) + "\n").encode())
    member.finish()
    member.lines = live + deleted
    return {"records": live, "deleted": deleted}


def _write_members(
    readers: Sequence[_Reader | _SqliteReader],
    changed: dict[str, set[Any]] | None,
    progress: Callable[[int, int], None],
    cancelled: Callable[[], bool],
) -> tuple[list[_Member], dict[str, dict[str, int]]]:
    """Every member, made by one worker thread per reader (largest types first); progress from this thread."""
    if changed is None:
        weights = {t: _weight(readers[0].conn, t) for t in fmt.RECORD_TYPES}
        total = sum(_count(readers[0].conn, t) for t in fmt.RECORD_TYPES)
    else:
        weights = {t: len(changed.get(t, ())) for t in fmt.RECORD_TYPES}
        total = sum(weights.values())
    members = {t: _Member(fmt.member_name(t)) for t in fmt.RECORD_TYPES}
    todo = sorted(fmt.RECORD_TYPES, key=lambda t: -weights[t])
    lock = threading.Lock()
    stop = threading.Event()
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        with lock:
            done += count

    def work(reader: _Reader | _SqliteReader) -> dict[str, dict[str, int]]:
        counts = {}
        while not stop.is_set():
            with lock:
                if not todo:
                    break
                record_type = todo.pop(0)
            ids = None if changed is None else sorted(changed.get(record_type, ()))
            try:
                counts[record_type] = _write_member(
                    reader, record_type, ids, members[record_type], advance, stop
                )
            except BaseException:
                stop.set()
                raise
        return counts

    progress(0, total)
    counts: dict[str, dict[str, int]] = {}
    with ThreadPoolExecutor(max_workers=len(readers), thread_name_prefix="package") as pool:
        futures = [pool.submit(work, reader) for reader in readers]
        pending = set(futures)
        while pending:
            _finished, pending = wait(pending, timeout=0.2)
            if cancelled():
                stop.set()
            with lock:
                reached = done
            progress(reached, total)
        for future in futures:
            counts.update(future.result())
    if stop.is_set() and len(counts) < len(fmt.RECORD_TYPES):
        raise ExportCancelled(_("The export was cancelled; no package was written."))
    return [members[t] for t in fmt.RECORD_TYPES], {t: counts[t] for t in fmt.RECORD_TYPES}


def _weight(conn: Connection, record_type: str) -> int:
    """Rows of a type and of its sub-records: how long its member takes to make, roughly."""
    tables = [record_type]
    tables += [t for t in fmt.subrecord_parents() if fmt.top_level_of(t) == record_type]
    return sum(_count(conn, t) for t in tables)


def _count(conn: Connection, table_name: str) -> int:
    return int(conn.execute(text(f"SELECT count(*) FROM {_quote(table_name)}")).scalar_one())  # noqa: S608


def _batched(rows: Iterator[Sequence[Any]]) -> Iterator[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _write_file(path: Path, data: bytes) -> None:
    """Write *data* to *path* whole or not at all; an existing package is never replaced."""
    try:
        write_atomically(path, data, overwrite=False)
    except FileExistsError:
        raise fmt.PackageRefused(
            _("{path} already exists; a package is never overwritten.", path=str(path))
        ) from None
    except OSError as exc:
        raise fmt.PackageRefused(
            _("The package could not be written to {path}: {reason}", path=str(path), reason=str(exc))
        ) from exc


def export_package(
    db: Database,
    actor: Actor,
    out_dir: Path,
    *,
    full: bool = False,
    depersonalized: bool = False,
    plaintext: bool = False,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PackageMade:
    """Write the next package of this office's stream into *out_dir* and record it.

    Incremental unless *full* (the first package of a stream is always full). Encrypted to the
    configured recipients unless *plaintext*; personal data without recipients is refused unless
    *plaintext* is chosen explicitly (the choice is audited).
    """
    require(actor, Permission.EXPORT)
    out_dir = out_dir.expanduser().absolute()
    if not out_dir.is_dir():
        raise fmt.PackageRefused(
            _("The folder {folder} does not exist; create it or choose another.", folder=str(out_dir))
        )
    stream = fmt.stream_of(depersonalized)
    with db.reading() as session:
        office = _office(session)
        keys = configured_recipients(session)
        last = _last_sent(session, office.district_code, stream)
    if not depersonalized and not keys and not plaintext:
        raise fmt.EncryptionRequired(
            _(
                "No public key to encrypt the package to is configured, and the package holds personal "
                "data. Configure the recipient's public key in the exchange settings, or choose explicitly "
                "to write the package unencrypted."
            )
        )
    encrypted = bool(keys) and not plaintext
    sequence = (last.sequence if last else 0) + 1
    kind = fmt.KIND_INCREMENTAL if last is not None and not full else fmt.KIND_FULL
    created = utcnow().replace(microsecond=0)
    name = fmt.package_file_name(
        office.district_code, sequence, kind, depersonalized=depersonalized, encrypted=encrypted
    )
    path = out_dir / name
    if path.exists():
        raise fmt.PackageRefused(_("{path} already exists; a package is never overwritten.", path=str(path)))

    conns = _snapshots(db)
    try:
        conn = conns[0]
        revision = schema_revision(conn) or ""
        through = _max_seq(conn)
        changed = None
        if kind == fmt.KIND_INCREMENTAL:
            assert last is not None
            changed = _changed_parents(conn, last.changes_through or 0, through)
        readers: list[_Reader | _SqliteReader] = [
            _SqliteReader(c, depersonalized, created.date())
            if db.is_sqlite
            else _Reader(c, depersonalized, created.date())
            for c in conns
        ]
        members, counts = _write_members(
            readers, changed, progress or (lambda _d, _t: None), cancelled or (lambda: False)
        )
    finally:
        for c in conns:
            c.rollback()
            c.close()

    manifest = {
        "format": fmt.FORMAT_NAME,
        "format_version": fmt.FORMAT_VERSION,
        "schema_version": revision,
        "office": {
            "district_code": office.district_code,
            "name_ky": office.name_ky,
            "name_ru": office.name_ru,
        },
        "kind": kind,
        "depersonalized": depersonalized,
        "sequence": sequence,
        "previous_sequence": last.sequence if last else None,
        "changes_through": through,
        "created_at": fmt.datetime_text(created),
        "created_by": actor.username,
        "app_version": _app_version(),
        "counts": counts,
        "members": {
            m.name: {"sha256": m.sha256.hexdigest(), "size": m.size, "lines": m.lines} for m in members
        },
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    head = _Member(fmt.MANIFEST_MEMBER)
    head.feed(manifest_bytes)
    head.finish()
    payload = _zip_bytes([head, *members], created)
    if encrypted:
        from models.exchange.crypto import encrypt

        payload = encrypt(payload, keys)
    if cancelled is not None and cancelled():
        raise ExportCancelled(_("The export was cancelled; no package was written."))

    _write_file(path, payload)
    try:
        with unit_of_work(db, actor, Permission.EXPORT) as session:
            now_last = _last_sent(session, office.district_code, stream)
            if (now_last.sequence if now_last else 0) != sequence - 1:
                raise fmt.PackageRefused(
                    _("Another package was written at the same time; write this one again.")
                )
            session.add(
                ExchangePackage(
                    direction=fmt.DIRECTION_OUT,
                    district_code=office.district_code,
                    stream=stream,
                    sequence=sequence,
                    previous_sequence=last.sequence if last else None,
                    kind=kind,
                    encrypted=encrypted,
                    manifest_sha256=hashlib.sha256(manifest_bytes).hexdigest(),
                    changes_through=through,
                    local_changes_through=None,
                    file_name=name,
                    counts=json.dumps(counts, ensure_ascii=False),
                    created_at=created,
                    recorded_at=utcnow(),
                    user_id=actor.user_id,
                    username=actor.username,
                )
            )
            audit(
                session,
                actor,
                "package.export",
                entity="exchange_packages",
                details={
                    "file": name,
                    "sequence": sequence,
                    "kind": kind,
                    "depersonalized": depersonalized,
                    "encrypted": encrypted,
                    "plaintext": not encrypted,
                    "plaintext_chosen": plaintext,
                    "records": sum(c["records"] for c in counts.values()),
                    "deleted": sum(c["deleted"] for c in counts.values()),
                    "bytes": len(payload),
                },
            )
    except BaseException:
        with suppress(OSError):
            path.unlink()
        raise
    return PackageMade(path, sequence, kind, depersonalized, encrypted, counts, len(payload), through)
