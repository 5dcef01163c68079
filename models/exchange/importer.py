"""Importing upload packages: consolidation at a regional office, or moving an office to a new PC.

A package is verified first (models.exchange.reader), then its sequence is checked against the
packages already received from the same district, then every record is applied in ONE
transaction with Core statements in batches (imported writes make no change-log rows: they are
not this database's own changes). A record changed both here and in the package since the last
exchange becomes an :class:`ExchangeConflict` with both versions; the local one stays until a
person decides (:func:`resolve_conflict`).
"""

from __future__ import annotations

import contextlib
import functools
import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Table, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from models import names, register_index
from models.base import Record, utcnow
from models.database import CACHE_KIB, Database
from models.errors import NotFound
from models.exchange import format as fmt
from models.exchange.format import (
    Association,
    Nested,
    PackageDamaged,
    PackageOutOfSequence,
    PackageRefused,
)
from models.exchange.reader import Package, open_package
from models.i18n import N_, _
from models.ids import new_id
from models.orm import Base, ChangeLogEntry, ExchangeConflict, ExchangePackage, NumberCounter, Person
from models.permissions import Permission
from models.services.base import Actor, audit, changed_fields, require, unit_of_work

AUDIT_LABELS: dict[str, str] = {
    "package.import": N_("Upload package imported"),
    "package.conflict": N_("Import conflict resolved"),
}

BATCH = 2000
BULK_CACHE_KIB = 256 * 1024  # the page cache while a new database is loaded (as models.demo does)
UNUSABLE_PASSWORD = "!imported: no password"  # noqa: S105 - never a valid argon2 hash, so nobody signs in with it
OUTCOMES = ("inserted", "updated", "unchanged", "deleted")
# Human numbers: scope → (table, year column, number column), see models.numbering.
NUMBERED = {
    "case": ("cases", "case_year", "case_no"),
    "report": ("reports", "reg_year", "reg_no"),
    "referral": ("referrals", "out_year", "out_no"),
    "kdd_meeting": ("kdd_meetings", "meeting_year", "meeting_no"),
}


class ImportCancelled(PackageRefused):
    """The user cancelled the import; nothing was changed."""


@dataclass(frozen=True)
class PackageImported:
    """What an import did: per table, how many records were inserted, updated, unchanged and deleted."""

    district_code: str
    sequence: int
    kind: str
    already_imported: bool
    counts: dict[str, dict[str, int]]
    conflicts: int
    imported_on: datetime | None = None


@dataclass(frozen=True)
class ConflictView:
    """An open conflict for people: which record, and the fields that differ between the two versions."""

    id: uuid.UUID
    table_name: str
    record_id: uuid.UUID
    description: str
    district_code: str
    sequence: int
    detected_at: datetime
    local: dict[str, Any]
    incoming: dict[str, Any]
    changed_fields: tuple[str, ...]


# --- the shape of the records, derived from the format -----------------------------------------


@dataclass(frozen=True)
class _Spec:
    name: str
    table: Table
    fields: tuple[fmt.Field, ...]
    parent_column: str | None
    nested: tuple[Nested, ...]
    associations: tuple[Association, ...]
    deferred: frozenset[str]


@functools.cache
def _apply_order() -> tuple[str, ...]:
    order: list[str] = []

    def walk(nested: tuple[Nested, ...]) -> None:
        for sub in nested:
            order.append(sub.table)
            walk(sub.nested)

    for record_type in fmt.RECORD_TYPES:
        order.append(record_type)
        walk(fmt.nested_tables(record_type))
    return tuple(order)


@functools.cache
def _spec(name: str) -> _Spec:
    """How the rows of one travelling table are read; references to tables applied later are deferred."""
    order = _apply_order()
    applied_before = set(order[: order.index(name)])
    travelling = set(order)
    table = fmt.table(name)
    deferred = {
        column.name
        for column in table.columns
        for fk in column.foreign_keys
        if fk.column.table.name in travelling and fk.column.table.name not in applied_before
    }
    parent = fmt.subrecord_parents().get(name)
    return _Spec(
        name,
        table,
        fmt.fields(name),
        parent[1] if parent else None,
        fmt.nested_tables(name),
        fmt.ASSOCIATIONS.get(name, ()),
        frozenset(deferred),
    )


_DECODERS: dict[str, Callable[[Any], Any]] = {
    fmt.UUID: uuid.UUID,
    fmt.DATETIME: fmt.parse_datetime,
    fmt.DATE: date.fromisoformat,
    fmt.DECIMAL: Decimal,
}


def _decoder(kind: str) -> Callable[[Any], Any] | None:
    return _DECODERS.get(kind)


# --- the apply engine ----------------------------------------------------------------------------


@dataclass
class _Applier:
    """Applies the lines of one package inside the caller's transaction."""

    session: Session
    district_code: str
    package: Package | None
    since_seq: int | None  # this database's change-log position after the last package of the district
    since_created: datetime | None  # the sender's creation time of that package
    progress: Callable[[int, int], None] | None
    cancelled: Callable[[], bool] | None
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    conflicts: list[ExchangeConflict] = field(default_factory=list)
    touched_children: set[uuid.UUID] = field(default_factory=set)
    _units: dict[str, uuid.UUID] = field(default_factory=dict)
    _unit_codes: dict[uuid.UUID, str] = field(default_factory=dict)
    _usernames: dict[str, uuid.UUID] = field(default_factory=dict)
    _empty: dict[str, bool] = field(default_factory=dict)
    _changed_ids: dict[str, set[uuid.UUID]] = field(default_factory=dict)
    _deferred: dict[tuple[str, str], list[tuple[uuid.UUID, Any]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _deferred_raw: dict[tuple[str, str], list[tuple[Any, str]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    _suspended: list[str] = field(default_factory=list)
    _done_lines: int = 0
    _package_row: ExchangePackage | None = None

    def run(self, package: Package, package_row: ExchangePackage) -> None:
        self.package = package
        self._package_row = package_row
        self._load_units()
        self._usernames = {
            name: user_id
            for user_id, name in self.session.execute(
                select(fmt.table("users").c.id, fmt.table("users").c.username)
            )
        }
        for name in _apply_order():
            table = fmt.table(name)
            self._empty[name] = self.session.execute(select(table.c.id).limit(1)).first() is None
        bulk = self.session.get_bind().dialect.name == "sqlite" and any(self._empty.values())
        if bulk:
            self._suspend_indexes()
        try:
            total = package.total_lines()
            for record_type in fmt.RECORD_TYPES:
                self._apply_type(record_type, total)
                if record_type == "admin_units":
                    self._load_units()
            self._apply_deferred()
        except BaseException:
            if bulk:  # the rollback brings the indexes back; the pooled connection gets its page cache back
                with contextlib.suppress(DBAPIError):
                    self.session.connection().exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")
            raise
        if bulk:
            self._restore_indexes()
        self._raise_counters()
        if self._empty["persons"]:
            register_index.rebuild_all(self.session)  # every child here came with this package: one pass
        elif self.touched_children:
            register_index.refresh(self.session, self.touched_children)

    def _suspend_indexes(self) -> None:
        """Drop the secondary indexes of the tables that were empty until :meth:`_restore_indexes` (SQLite).

        As models.demo does for a bulk load: an index built once from the loaded rows costs much
        less than one kept up to date row by row, and the keys that stay fit in a larger page cache.
        The statements that made the indexes run again unchanged, in the same transaction.
        """
        connection = self.session.connection()
        connection.exec_driver_sql(f"PRAGMA cache_size=-{BULK_CACHE_KIB}")
        tables = [name for name, empty in self._empty.items() if empty]
        tables += [a.table for name in tables for a in fmt.ASSOCIATIONS.get(name, ())]
        for name in tables:
            found = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                (name,),
            ).all()
            for index_name, sql in found:
                connection.exec_driver_sql(f'DROP INDEX "{index_name}"')
                self._suspended.append(sql)

    def _restore_indexes(self) -> None:
        connection = self.session.connection()
        for sql in self._suspended:
            connection.exec_driver_sql(sql)
        self._suspended.clear()
        connection.exec_driver_sql(f"PRAGMA cache_size=-{CACHE_KIB}")

    # --- admin units by СОАТЕ code --------------------------------------------------------

    def _load_units(self) -> None:
        units = fmt.table("admin_units")
        rows = list(
            self.session.execute(
                select(units.c.id, units.c.code, units.c.valid_to).where(units.c.code.is_not(None))
            )
        )
        # A code names the current unit; an older row of the same code only when there is no current one.
        rows.sort(key=lambda r: r.valid_to is None)
        self._units = {r.code: r.id for r in rows}
        self._unit_codes = {r.id: r.code for r in rows}

    def _unit(self, code: str) -> uuid.UUID:
        unit_id = self._units.get(code)
        if unit_id is None:
            raise PackageDamaged(
                _("The package refers to an administrative unit {code} that it does not contain.", code=code)
            )
        return unit_id

    # --- reading lines --------------------------------------------------------------------

    def _apply_type(self, record_type: str, total: int) -> None:
        live = deleted = 0
        batch: list[dict[str, Any]] = []
        assert self.package is not None
        for line in self.package.lines(record_type):
            if "data" in line:
                live += 1
            else:
                deleted += 1
            batch.append(line)
            if len(batch) >= BATCH:
                self._apply_batch(record_type, batch, total)
                batch = []
        if batch:
            self._apply_batch(record_type, batch, total)
        expected = self.package.manifest["counts"][record_type]
        if (live, deleted) != (expected["records"], expected["deleted"]):
            raise PackageDamaged(
                _(
                    "The package's manifest does not match its data (member {member}).",
                    member=fmt.member_name(record_type),
                )
            )

    def _apply_batch(self, record_type: str, lines: list[dict[str, Any]], total: int) -> None:
        if self.cancelled is not None and self.cancelled():
            raise ImportCancelled(_("The import was cancelled; nothing was changed."))
        groups: dict[str, list[tuple[dict[str, Any], str | None]]] = defaultdict(list)
        try:
            # Lines and their sub-records, depth first (a loop, not a nested recursive function: that
            # would be a reference cycle keeping each batch alive until the garbage collector ran).
            top = _spec(record_type)
            todo: list[tuple[_Spec, dict[str, Any], str | None]] = [
                (top, line, None) for line in reversed(lines)
            ]
            while todo:
                spec, line, parent_id = todo.pop()
                groups[spec.name].append((line, parent_id))
                data = line.get("data")
                if data:
                    todo += [
                        (_spec(sub.table), item, line["id"])
                        for sub in reversed(spec.nested)
                        for item in reversed(data.get(sub.key, ()))
                    ]
            for name in _apply_order():
                if name in groups:
                    self._apply_rows(_spec(name), groups[name])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise PackageDamaged(
                _(
                    "The package's manifest does not match its data (member {member}).",
                    member=fmt.member_name(record_type),
                )
            ) from exc
        self._done_lines += len(lines)
        if self.progress is not None:
            self.progress(self._done_lines, total)

    # --- decoding -------------------------------------------------------------------------

    def _decode(self, spec: _Spec, line: dict[str, Any], parent_id: str | uuid.UUID | None) -> dict[str, Any]:
        """The column values of a line (a tombstone gives only deleted_at and version)."""
        row: dict[str, Any] = {"id": uuid.UUID(line["id"])}
        data = line.get("data")
        if data is None:
            row["deleted_at"] = fmt.parse_datetime(line["deleted_at"])
            row["version"] = int(line["version"])
            return row
        for f in spec.fields:
            value = data.get(f.key)
            if value is not None:
                if f.kind == fmt.UNIT:
                    # A parent unit of this very package is found once all the units are written.
                    pending = f.column in spec.deferred and value not in self._units
                    value = _Pending(value) if pending else self._unit(value)
                else:
                    decode = _decoder(f.kind)
                    if decode is not None:
                        value = decode(value)
            row[f.column] = value
        row["deleted_at"] = None
        if spec.parent_column is not None:
            row[spec.parent_column] = uuid.UUID(str(parent_id))
        if spec.name == "persons":
            row["last_name_key"] = _name_key(row["last_name"])
            row["first_name_key"] = _name_key(row["first_name"])
            row["patronymic_key"] = _name_key(row["patronymic"])
        return row

    def _associations(self, spec: _Spec, line: dict[str, Any]) -> dict[str, frozenset[uuid.UUID]]:
        data = line.get("data") or {}
        return {a.table: frozenset(uuid.UUID(v) for v in data.get(a.key, ())) for a in spec.associations}

    def _user_row(self, row: dict[str, Any], local: dict[str, Any] | None) -> dict[str, Any]:
        """An incoming user: a new one arrives inactive without a password; a taken name gets the district."""
        if "username" not in row:
            return row
        wanted = row["username"]
        holder = self._usernames.get(wanted)
        if holder is not None and holder != row["id"]:
            wanted = f"{wanted}.{self.district_code}"
            holder = self._usernames.get(wanted)
            if holder is not None and holder != row["id"]:
                raise PackageRefused(
                    _(
                        "The user name {username} is taken twice; the package cannot be applied.",
                        username=wanted,
                    )
                )
        row["username"] = wanted
        if local is None:
            row.update(
                active=False,
                password_hash=UNUSABLE_PASSWORD,
                must_change_password=True,
                failed_logins=0,
                locked_until=None,
                last_login_at=None,
            )
        else:
            row["active"] = bool(local["active"]) and bool(row["active"])
        return row

    # --- applying rows --------------------------------------------------------------------

    def _apply_rows(self, spec: _Spec, entries: list[tuple[dict[str, Any], str | None]]) -> None:
        tally = self.counts.setdefault(spec.name, dict.fromkeys(OUTCOMES, 0))
        if (
            self._empty[spec.name]
            and self.session.get_bind().dialect.name == "sqlite"
            and spec.name != "users"
        ):
            self._insert_raw(spec, entries, tally)
            return
        ids = [uuid.UUID(line["id"]) for line, _parent in entries]
        local_rows: dict[uuid.UUID, dict[str, Any]] = {}
        local_sets: dict[str, dict[uuid.UUID, set[uuid.UUID]]] = {}
        if not self._empty[spec.name]:
            local_rows = {
                r.id: dict(r._mapping)
                for r in self.session.execute(select(spec.table).where(spec.table.c.id.in_(ids)))
            }
            live_ids = list(local_rows)
            for assoc in spec.associations:
                local_sets[assoc.table] = self._association_sets(assoc, live_ids)
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        replaced: dict[str, list[tuple[uuid.UUID, frozenset[uuid.UUID]]]] = defaultdict(list)
        for line, parent_id in entries:
            row = self._decode(spec, line, parent_id)
            local = local_rows.get(row["id"])
            if spec.name == "users":
                row = self._user_row(row, local)
            sets = self._associations(spec, line)
            if local is None:
                if "data" not in line:
                    tally["unchanged"] += 1  # deleted there before it ever came here
                    continue
                inserts.append(row)
                for assoc_table, items in sets.items():
                    replaced[assoc_table].append((row["id"], items))
                tally["inserted"] += 1
                self._touch(spec.name, row)
                continue
            local_assoc = {t: frozenset(local_sets[t].get(row["id"], ())) for t in sets}
            same = all(local.get(k) == v for k, v in row.items()) and (
                "data" not in line or local_assoc == sets
            )
            if same:
                tally["unchanged"] += 1
                continue
            if not self._changed_there(row):
                tally["unchanged"] += 1  # only changed here since the last exchange: the local one is newer
                continue
            # A user account is administered here (enabled, given a password) but described by its office:
            # the office's name, position and role win, and no conflict is made of it.
            if spec.name != "users" and self._changed_here(spec.name, row["id"]):
                self._conflict(spec, line, local, local_assoc)
                continue
            updates.append(row)
            if "data" in line:
                for assoc_table, items in sets.items():
                    replaced[assoc_table].append((row["id"], items))
            tally["deleted" if row.get("deleted_at") and local["deleted_at"] is None else "updated"] += 1
            self._touch(spec.name, {**local, **row})
        self._write(spec, inserts, updates)
        for assoc in spec.associations:
            self._replace_associations(assoc, replaced.get(assoc.table, []))

    def _insert_raw(
        self, spec: _Spec, entries: list[tuple[dict[str, Any], str | None]], tally: dict[str, int]
    ) -> None:
        """Rows of a table that was empty: converted from the lines straight to SQLite's storage, no lookups.

        The bulk of a full import into a new database goes this way (the same values the ORM types
        would store: UUIDs as 32 hex digits, timestamps as ``YYYY-MM-DD HH:MM:SS.ffffff``).
        """
        plan = _raw_plan(spec.name)
        rows: list[tuple[Any, ...]] = []
        deferred: list[list[tuple[Any, str]]] = [[] for _ in plan.deferred]
        links: list[list[tuple[str, str]]] = [[] for _ in spec.associations]
        for line, parent_id in entries:
            data = line.get("data")
            if data is None:
                tally["unchanged"] += 1  # deleted there before it ever came here
                continue
            record_id = _raw_uuid(line["id"])
            values: list[Any] = [record_id, *map(data.get, plan.keys_in_order)]
            for index, convert in plan.converted:
                value = values[index]
                if value is not None:
                    values[index] = convert(value)
            for index in plan.units:
                value = values[index]
                if value is not None:
                    values[index] = self._unit(value).hex
            if plan.parent:
                values.append(str(parent_id).replace("-", ""))
            if plan.keys:
                values += [_name_key(data.get(k)) for k in plan.keys]
            for slot, index in enumerate(plan.deferred):
                if values[index] is not None:
                    deferred[slot].append((values[index], record_id))
                    values[index] = None
            rows.append(tuple(values))
            for slot, assoc in enumerate(spec.associations):
                links[slot] += [(record_id, item.replace("-", "")) for item in data.get(assoc.key, ())]
            if spec.name == "persons":
                self.touched_children.add(uuid.UUID(record_id))
            elif spec.name == "cases":
                self.touched_children.add(uuid.UUID(str(data["child_id"])))
        connection = self.session.connection()
        if rows:
            connection.exec_driver_sql(plan.insert, rows)
        tally["inserted"] += len(rows)
        for slot, column in enumerate(plan.deferred_columns):
            self._deferred_raw[(spec.name, column)] += deferred[slot]
        for slot, assoc in enumerate(spec.associations):
            if links[slot]:
                columns = f'"{assoc.parent_column}", "{assoc.item_column}"'
                sql = f'INSERT INTO "{assoc.table}" ({columns}) VALUES (?, ?)'  # noqa: S608 - names from the metadata
                connection.exec_driver_sql(sql, links[slot])

    def _touch(self, table_name: str, row: dict[str, Any]) -> None:
        if table_name == "persons":
            self.touched_children.add(row["id"])
        elif table_name == "cases":
            self.touched_children.add(row["child_id"])

    def _changed_there(self, row: dict[str, Any]) -> bool:
        """Whether the sender changed the record after its previous package to this database."""
        if self.since_created is None:
            return True
        stamp = row.get("updated_at") or row.get("deleted_at")
        return stamp is None or stamp > self.since_created

    def _changed_here(self, table_name: str, record_id: uuid.UUID) -> bool:
        """Whether this database changed the record itself since the last package of the district."""
        if table_name not in self._changed_ids:
            log = ChangeLogEntry.__table__
            query = select(log.c.record_id).where(log.c.table_name == table_name).distinct()
            if self.since_seq is not None:
                query = query.where(log.c.seq > self.since_seq)
            # A record whose conflict no one has decided yet stays "changed here" until someone does.
            undecided = select(ExchangeConflict.record_id).where(
                ExchangeConflict.table_name == table_name, ExchangeConflict.resolved_at.is_(None)
            )
            self._changed_ids[table_name] = set(self.session.scalars(query)) | set(
                self.session.scalars(undecided)
            )
        return record_id in self._changed_ids[table_name]

    def _conflict(
        self,
        spec: _Spec,
        line: dict[str, Any],
        local: dict[str, Any],
        local_assoc: dict[str, frozenset[uuid.UUID]],
    ) -> None:
        incoming = dict(line)
        if "data" in incoming:
            incoming["data"] = {
                k: v for k, v in incoming["data"].items() if k not in {n.key for n in spec.nested}
            }
        conflict = ExchangeConflict(
            id=new_id(),
            package_id=self._package_row.id if self._package_row else None,
            table_name=spec.name,
            record_id=local["id"],
            local_data=json.dumps(self._encode(spec, local, local_assoc), ensure_ascii=False, sort_keys=True),
            incoming_data=json.dumps(incoming, ensure_ascii=False, sort_keys=True),
            detected_at=utcnow(),
        )
        self.conflicts.append(conflict)

    def _encode(
        self, spec: _Spec, local: dict[str, Any], local_assoc: dict[str, frozenset[uuid.UUID]]
    ) -> dict[str, Any]:
        """The local record as a package line, so both versions of a conflict read alike."""
        if local["deleted_at"] is not None:
            return {
                "id": str(local["id"]),
                "deleted_at": fmt.datetime_text(local["deleted_at"]),
                "version": local["version"],
            }
        data: dict[str, Any] = {}
        for f in spec.fields:
            value = local.get(f.column)
            if value is None:
                continue
            if f.kind == fmt.UNIT:
                data[f.key] = self._unit_codes.get(value, str(value))
            else:
                data[f.key] = fmt.encode_value(f.kind, value, scale=_scale(spec.name, f))
        for assoc in spec.associations:
            items = local_assoc.get(assoc.table)
            if items:
                data[assoc.key] = sorted(str(i) for i in items)
        return {"id": str(local["id"]), "data": data}

    def _association_sets(
        self, assoc: Association, parent_ids: list[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        table = fmt.table(assoc.table)
        out: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        if parent_ids:
            parent, item = table.c[assoc.parent_column], table.c[assoc.item_column]
            for parent_id, item_id in self.session.execute(
                select(parent, item).where(parent.in_(parent_ids))
            ):
                out[parent_id].add(item_id)
        return out

    def _write(self, spec: _Spec, inserts: list[dict[str, Any]], updates: list[dict[str, Any]]) -> None:
        table = spec.table
        for rows in (inserts, updates):
            for row in rows:
                for column in spec.deferred:
                    value = row.get(column)
                    if value is not None:
                        self._deferred[(spec.name, column)].append((row["id"], value))
                        row[column] = None
        if inserts:
            columns = [c.name for c in table.columns]
            self.session.execute(insert(table), [{c: row.get(c) for c in columns} for row in inserts])
            if spec.name == "users":
                self._usernames.update({row["username"]: row["id"] for row in inserts})
        by_shape: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
        for row in updates:
            by_shape[tuple(sorted(row))].append(row)
        for shape, rows in by_shape.items():
            values: dict[str, Any] = {c: bindparam(f"v_{c}") for c in shape if c != "id"}
            statement = update(table).where(table.c.id == bindparam("v_id")).values(values)
            self.session.execute(statement, [{f"v_{k}": v for k, v in row.items()} for row in rows])
            if spec.name == "users":
                self._usernames.update({row["username"]: row["id"] for row in rows if "username" in row})

    def _replace_associations(
        self, assoc: Association, items: list[tuple[uuid.UUID, frozenset[uuid.UUID]]]
    ) -> None:
        if not items:
            return
        table = fmt.table(assoc.table)
        parent = table.c[assoc.parent_column]
        for start in range(0, len(items), 500):
            chunk = [parent_id for parent_id, _items in items[start : start + 500]]
            self.session.execute(delete(table).where(parent.in_(chunk)))
        rows = [{assoc.parent_column: p, assoc.item_column: i} for p, values in items for i in values]
        if rows:
            self.session.execute(insert(table), rows)
        if assoc.table == "case_categories":
            cases = fmt.table("cases")
            parent_ids = [p for p, _values in items]
            for start in range(0, len(parent_ids), 500):
                chunk = parent_ids[start : start + 500]
                self.touched_children.update(
                    self.session.scalars(select(cases.c.child_id).where(cases.c.id.in_(chunk)))
                )

    def _apply_deferred(self) -> None:
        """The references that pointed forward (or to the same table) when their rows were written."""
        connection = self.session.connection()
        for (table_name, column), pairs in self._deferred_raw.items():
            sql = f'UPDATE "{table_name}" SET "{column}" = ? WHERE id = ?'  # noqa: S608 - names from the metadata
            for start in range(0, len(pairs), BATCH):
                connection.exec_driver_sql(sql, pairs[start : start + BATCH])
        for (table_name, column), values in self._deferred.items():
            table = _spec(table_name).table
            statement = (
                update(table).where(table.c.id == bindparam("v_id")).values({column: bindparam("v_value")})
            )
            rows = [
                {
                    "v_id": record_id,
                    "v_value": self._unit(value.code) if isinstance(value, _Pending) else value,
                }
                for record_id, value in values
            ]
            for start in range(0, len(rows), BATCH):
                self.session.execute(statement, rows[start : start + BATCH])

    def _raise_counters(self) -> None:
        """Raise the number counters so that numbers issued here never repeat imported ones."""
        counters = fmt.table(NumberCounter.__tablename__)
        current = {
            (r.scope, r.district_id, r.year): r.last_value
            for r in self.session.execute(
                select(counters.c.scope, counters.c.district_id, counters.c.year, counters.c.last_value)
            )
        }
        for scope, (table_name, year_column, number_column) in NUMBERED.items():
            table = fmt.table(table_name)
            year, number = table.c[year_column], table.c[number_column]
            query = (
                select(table.c.district_id, year, func.max(number))
                .where(year.is_not(None), number.is_not(None))
                .group_by(table.c.district_id, year)
            )
            for district_id, year_value, highest in self.session.execute(query):
                key = (scope, district_id, year_value)
                if key not in current:
                    self.session.execute(
                        insert(counters).values(
                            scope=scope, district_id=district_id, year=year_value, last_value=highest
                        )
                    )
                elif current[key] < highest:
                    self.session.execute(
                        update(counters)
                        .where(
                            counters.c.scope == scope,
                            counters.c.district_id == district_id,
                            counters.c.year == year_value,
                        )
                        .values(last_value=highest)
                    )


def _raw_datetime(text: str) -> str:
    """A package timestamp as SQLite stores a UTC timestamp (what UTCDateTime binds)."""
    if len(text) == 20 and text[10] == "T" and text[19] == "Z":
        return f"{text[:10]} {text[11:19]}.000000"
    if len(text) == 27 and text[10] == "T" and text[26] == "Z":
        return f"{text[:10]} {text[11:26]}"
    return fmt.parse_datetime(text).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _raw_uuid(text: str) -> str:
    value = text.replace("-", "").lower()
    if len(value) != 32:
        raise ValueError(text)
    return value


# JSON value → SQLite storage; None: stored as read (a bool binds as 0/1, a date is ISO text already).
_RAW_CONVERTERS: dict[str, Callable[[Any], Any] | None] = {
    fmt.UUID: _raw_uuid,
    fmt.DATETIME: _raw_datetime,
    fmt.DATE: None,
    fmt.BOOL: None,
    fmt.DECIMAL: float,
    fmt.INT: None,
    fmt.STR: None,
    fmt.UNIT: None,  # looked up by code (see _RawPlan.units)
}


@dataclass(frozen=True)
class _RawPlan:
    insert: str
    keys_in_order: tuple[str, ...]  # the JSON keys of the fields, in column order after the id
    converted: tuple[tuple[int, Callable[[Any], Any]], ...]  # positions whose value needs converting
    units: tuple[int, ...]  # positions holding an admin-unit code
    parent: bool
    keys: tuple[str, ...]
    deferred: tuple[int, ...]  # positions in the row tuple
    deferred_columns: tuple[str, ...]


@functools.cache
def _raw_plan(table_name: str) -> _RawPlan:
    spec = _spec(table_name)
    columns = ["id"] + [f.column for f in spec.fields]
    converted = []
    for position, f in enumerate(spec.fields, start=1):
        convert = _RAW_CONVERTERS[f.kind]
        if convert is not None and f.kind != fmt.UNIT:
            converted.append((position, convert))
    units = tuple(position for position, f in enumerate(spec.fields, start=1) if f.kind == fmt.UNIT)
    if spec.parent_column is not None:
        columns.append(spec.parent_column)
    keys: tuple[str, ...] = ()
    if table_name == "persons":
        columns += ["last_name_key", "first_name_key", "patronymic_key"]
        keys = ("last_name", "first_name", "patronymic")
    deferred_columns = tuple(c for c in columns if c in spec.deferred)
    names_sql = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    return _RawPlan(
        f'INSERT INTO "{table_name}" ({names_sql}) VALUES ({marks})',  # noqa: S608 - names from the metadata
        tuple(f.key for f in spec.fields),
        tuple(converted),
        units,
        spec.parent_column is not None,
        keys,
        tuple(columns.index(c) for c in deferred_columns),
        deferred_columns,
    )


@functools.lru_cache(maxsize=1 << 16)
def _name_key(text: str | None) -> str:
    """models.names.name_key, remembered: the same names come back many times in a package."""
    return names.name_key(text)


@dataclass(frozen=True)
class _Pending:
    """An admin-unit code not yet known when its row was read (a unit of the same package)."""

    code: str


def _scale(table_name: str, f: fmt.Field) -> int:
    return fmt.decimal_scale(table_name, f.column) if f.kind == fmt.DECIMAL else 0


# --- sequence rules -------------------------------------------------------------------------------


def _last_received(session: Session, district_code: str) -> ExchangePackage | None:
    return session.scalar(
        select(ExchangePackage)
        .where(
            ExchangePackage.direction == fmt.DIRECTION_IN,
            ExchangePackage.district_code == district_code,
            ExchangePackage.stream == fmt.STREAM_PERSONAL,
        )
        .order_by(ExchangePackage.sequence.desc())
        .limit(1)
    )


def _check_sequence(package: Package, last: ExchangePackage | None) -> None:
    """Refuse a gap (packages missing before this one) and a replay of an older package."""
    district = package.district_code
    sequence = package.sequence
    last_sequence = last.sequence if last is not None else 0
    if package.kind == fmt.KIND_FULL:
        if sequence <= last_sequence:
            raise PackageOutOfSequence(
                _(
                    "Package {sequence} of district {district} is older than package {last}, already "
                    "imported; it was not applied.",
                    sequence=sequence,
                    district=district,
                    last=last_sequence,
                )
            )
        return
    previous = package.previous_sequence
    if previous is None:
        raise PackageDamaged(_("The package's manifest is not valid; the package was changed or damaged."))
    if previous > last_sequence:
        raise PackageOutOfSequence(
            _(
                "Packages {first}–{last} of district {district} are missing; import them first "
                "(this is package {sequence}).",
                first=last_sequence + 1,
                last=previous,
                district=district,
                sequence=sequence,
            )
        )
    if previous < last_sequence or sequence <= last_sequence:
        raise PackageOutOfSequence(
            _(
                "Package {sequence} of district {district} is older than package {last}, already "
                "imported; it was not applied.",
                sequence=sequence,
                district=district,
                last=last_sequence,
            )
        )


# --- the services ---------------------------------------------------------------------------------


def _configured_identity(db: Database) -> Path | None:
    from models.exchange import settings

    with db.reading() as session:
        return settings.identity_file(session)


def import_package(
    db: Database,
    actor: Actor,
    path: Path,
    *,
    identity: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PackageImported:
    """Verify and apply the package at *path* in one transaction; a second import of it changes nothing.

    *identity* is the age private key file (by default the configured one). Raises
    :class:`PackageRefused` (with the reason) when the package cannot be applied; nothing is changed then.
    """
    require(actor, Permission.IMPORT)
    if identity is None:
        identity = _configured_identity(db)
    with open_package(path, identity) as package, unit_of_work(db, actor, Permission.IMPORT) as session:
        seen = session.scalar(
            select(ExchangePackage).where(
                ExchangePackage.direction == fmt.DIRECTION_IN,
                ExchangePackage.manifest_sha256 == package.manifest_sha256,
            )
        )
        if seen is not None:
            return PackageImported(
                package.district_code, package.sequence, package.kind, True, {}, 0, seen.recorded_at
            )
        last = _last_received(session, package.district_code)
        _check_sequence(package, last)
        row = ExchangePackage(
            id=new_id(),
            direction=fmt.DIRECTION_IN,
            district_code=package.district_code,
            stream=fmt.STREAM_PERSONAL,
            sequence=package.sequence,
            previous_sequence=package.previous_sequence,
            kind=package.kind,
            encrypted=package.encrypted,
            manifest_sha256=package.manifest_sha256,
            changes_through=package.manifest.get("changes_through"),
            file_name=package.file_name[:255],
            counts="{}",
            created_at=fmt.parse_datetime(package.manifest["created_at"]),
            recorded_at=utcnow(),
            user_id=actor.user_id,
            username=actor.username,
        )
        session.add(row)
        session.flush()
        applier = _Applier(
            session,
            package.district_code,
            None,
            last.local_changes_through if last is not None else None,
            last.created_at if last is not None else None,
            progress,
            cancelled,
        )
        try:
            applier.run(package, row)
        except IntegrityError as exc:
            raise PackageRefused(
                _(
                    "The package does not fit this database ({reason}); nothing was changed.",
                    reason=str(exc.orig).splitlines()[0],
                )
            ) from exc
        session.add_all(applier.conflicts)
        row.counts = json.dumps(applier.counts, sort_keys=True)
        row.local_changes_through = session.scalar(select(func.max(ChangeLogEntry.seq))) or 0
        audit(
            session,
            actor,
            "package.import",
            entity="exchange_packages",
            entity_id=row.id,
            details={
                "district": package.district_code,
                "sequence": package.sequence,
                "kind": package.kind,
                "file": package.file_name,
                "counts": applier.counts,
                "conflicts": len(applier.conflicts),
            },
        )
        return PackageImported(
            package.district_code,
            package.sequence,
            package.kind,
            False,
            applier.counts,
            len(applier.conflicts),
            row.recorded_at,
        )


def received_packages(session: Session, limit: int = 50) -> list[ExchangePackage]:
    """The packages this database imported, newest first (for the history on the exchange page)."""
    return list(
        session.scalars(
            select(ExchangePackage)
            .where(ExchangePackage.direction == fmt.DIRECTION_IN)
            .order_by(ExchangePackage.recorded_at.desc())
            .limit(limit)
        )
    )


def _describe(session: Session, table_name: str, record_id: uuid.UUID, line: dict[str, Any]) -> str:
    """A short human description of the record: a person's name, a case number, or the table."""
    data = line.get("data") or {}
    if table_name == "persons" and "last_name" in data:
        return names.full_name(data.get("last_name"), data.get("first_name"), data.get("patronymic"))
    if table_name == "cases" and "case_no" in data:
        return f"№ {data['case_no']}/{data.get('case_year', '')}"
    if table_name == "reports" and "reg_no" in data:
        return f"№ {data['reg_no']}/{data.get('reg_year', '')}"
    if table_name == "users" and "username" in data:
        return str(data["username"])
    person = session.get(Person, record_id) if table_name == "persons" else None
    return person.full_name if person is not None else table_name


def _differing(local: dict[str, Any], incoming: dict[str, Any]) -> tuple[str, ...]:
    if "data" not in local or "data" not in incoming:
        return ("deleted_at",)
    a, b = local["data"], incoming["data"]
    ignored = set(fmt.METADATA_COLUMNS)
    return tuple(sorted(k for k in set(a) | set(b) if k not in ignored and a.get(k) != b.get(k)))


def open_conflicts(session: Session) -> list[ConflictView]:
    """The conflicts no one has decided yet, oldest first."""
    rows = session.execute(
        select(ExchangeConflict, ExchangePackage.district_code, ExchangePackage.sequence)
        .join(ExchangePackage, ExchangePackage.id == ExchangeConflict.package_id)
        .where(ExchangeConflict.resolved_at.is_(None))
        .order_by(ExchangeConflict.detected_at, ExchangeConflict.table_name)
    ).all()
    views = []
    for conflict, district_code, sequence in rows:
        local = json.loads(conflict.local_data)
        incoming = json.loads(conflict.incoming_data)
        views.append(
            ConflictView(
                conflict.id,
                conflict.table_name,
                conflict.record_id,
                _describe(
                    session,
                    conflict.table_name,
                    conflict.record_id,
                    incoming if "data" in incoming else local,
                ),
                district_code,
                sequence,
                conflict.detected_at,
                local,
                incoming,
                _differing(local, incoming),
            )
        )
    return views


def _model(table_name: str) -> type[Record]:
    for mapper in Base.registry.mappers:
        if mapper.class_.__tablename__ == table_name:
            model = mapper.class_
            assert issubclass(model, Record)
            return model
    raise KeyError(table_name)


def resolve_conflict(
    db: Database, actor: Actor, conflict_id: uuid.UUID, keep: Literal["local", "incoming"]
) -> None:
    """Decide a conflict: keep the local record, or apply the incoming version as a local change."""
    with unit_of_work(db, actor, Permission.IMPORT) as session:
        conflict = session.get(ExchangeConflict, conflict_id)
        if conflict is None or conflict.resolved_at is not None:
            raise NotFound(_("The conflict was not found; it may have been resolved already."))
        fields: list[str] = []
        if keep == "incoming":
            fields = _apply_incoming(session, conflict)
        conflict.resolved_at = utcnow()
        conflict.resolved_by = actor.user_id
        conflict.resolution = keep
        audit(
            session,
            actor,
            "package.conflict",
            entity=conflict.table_name,
            entity_id=conflict.record_id,
            details={"keep": keep, "fields": fields},
        )


def _apply_incoming(session: Session, conflict: ExchangeConflict) -> list[str]:
    """Write the incoming version through the ORM: the change log and the name keys follow as for any edit."""
    model = _model(conflict.table_name)
    obj = session.get(model, conflict.record_id)
    if obj is None:
        raise NotFound(_("The record was not found; it may have been deleted."))
    spec = _spec(conflict.table_name)
    line = json.loads(conflict.incoming_data)
    applier = _Applier(session, "", None, None, None, None, None)
    applier._load_units()
    local = {c.name: getattr(obj, c.key) for c in spec.table.columns}
    parent_id = local.get(spec.parent_column) if spec.parent_column else None
    row = applier._decode(spec, line, parent_id)
    skip = {"id", "version", "created_at", "created_by", "updated_at", "updated_by"}
    for column, value in row.items():
        if column not in skip:
            setattr(obj, column, applier._unit(value.code) if isinstance(value, _Pending) else value)
    fields = changed_fields(obj)
    if "data" in line:
        for assoc in spec.associations:
            items = frozenset(uuid.UUID(v) for v in line["data"].get(assoc.key, ()))
            table = fmt.table(assoc.table)
            current = set(
                session.scalars(
                    select(table.c[assoc.item_column]).where(table.c[assoc.parent_column] == obj.id)
                )
            )
            if current != items:
                applier._replace_associations(assoc, [(obj.id, items)])
                fields.append(assoc.key)
    if fields:
        obj.updated_at = utcnow()  # a change of the associations alone still makes a change-log row
    session.flush()
    if applier.touched_children:
        register_index.refresh(session, applier.touched_children)
    return fields
