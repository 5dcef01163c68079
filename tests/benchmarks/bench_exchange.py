"""Exchange benchmark: upload packages (full, incremental, import) and the children register as XLSX.

Run on purpose (not part of `uv run pytest`):

    uv run python tests/benchmarks/bench_exchange.py --children 100000 --workdir bench-data --reuse

It uses (or builds) the demo office of ``--children`` children in the work directory and works
on a copy of it (``exchange-<children>.sqlite``; the demo file itself is never written), with a
new age key pair configured as the recipient. It measures:

1. a full package (every record, encrypted): time and size;
2. an incremental package after 100 changes made through the services (100 children's notes
   edited with :func:`models.services.people.update_person`);
3. the full package imported into an empty consolidating database (another district);
4. the whole children register written as XLSX (:func:`models.exchange.spreadsheets.export_register`).

The baseline of each, measured in the same run: the same rows fetched with ``sqlite3`` and written
with the ``json`` module alone (one ``json.dumps`` line per row into a plain file; for the import,
those lines read back with ``json.loads`` and inserted with ``executemany`` into empty tables of
the same schema), and for the register the same rows written with ``csv.writer``. Targets
(issue 6): full export under 20 s, incremental of 100 changes under 1 s, full import under 60 s,
XLSX of the children register under 30 s; package size under 40 MB. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sqlite3
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import select

from models import registers
from models.database import Database, open_database, remove_sqlite_files
from models.exchange.crypto import generate_keys
from models.exchange.format import travelling_tables
from models.exchange.importer import import_package
from models.exchange.settings import set_exchange_settings
from models.exchange.spreadsheets import export_register
from models.exchange.writer import export_package
from models.orm import Person
from models.registers import RegisterQuery
from models.services.base import Actor
from models.services.office import OfficeDetails, set_up_office
from models.services.people import get_person, update_person
from models.services.users import authenticate

from tests.benchmarks.common import demo_office

CHANGES = 100
REGISTER_BLOCK = 1000  # rows read at a time, as the spreadsheet export reads them
REGION_DISTRICT = "41702205"  # Ак-Суйский район: the consolidating office
REGION_PASSWORD = "bench-Пароль-1"
T = TypeVar("T")


def timed(work: Callable[[], T]) -> tuple[T, float]:
    started = time.perf_counter()
    result = work()
    return result, time.perf_counter() - started


def size_text(size: int) -> str:
    """A file size in MB (in KB below 1 MB)."""
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def _plain(value: Any) -> Any:
    return value.hex() if isinstance(value, bytes) else str(value)


def raw_rows(
    raw: sqlite3.Connection, table: str, where: str = "", params: tuple[Any, ...] = ()
) -> Iterator[dict[str, Any]]:
    cursor = raw.execute(f'SELECT * FROM "{table}" {where}', params)
    names = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def json_lines(raw: sqlite3.Connection, tables: tuple[str, ...], path: Path) -> int:
    """Every row of *tables* as one json.dumps line each into *path*; the number of lines."""
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for table in tables:
            for row in raw_rows(raw, table):
                out.write(json.dumps({"table": table, "row": row}, ensure_ascii=False, default=_plain) + "\n")
                lines += 1
    return lines


def empty_tables(schema_from: sqlite3.Connection, tables: tuple[str, ...], target: Path) -> None:
    """A new database file at *target* with *tables* (and their indexes) as *schema_from* has them."""
    remove_sqlite_files(target)
    raw = sqlite3.connect(target, isolation_level=None)
    try:
        raw.execute("BEGIN")
        for (sql,) in schema_from.execute(
            "SELECT sql FROM sqlite_master WHERE type IN ('table', 'index') AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join('?' * len(tables))}) ORDER BY type DESC",
            tables,
        ):
            raw.execute(sql)
        raw.execute("COMMIT")
    finally:
        raw.close()


def json_insert(lines_path: Path, target: Path) -> None:
    """The lines of :func:`json_lines` read back (json.loads), inserted in one transaction into *target*."""
    raw = sqlite3.connect(target)
    try:
        batches: dict[str, list[dict[str, Any]]] = {}
        with lines_path.open(encoding="utf-8") as lines:
            for line in lines:
                item = json.loads(line)
                batches.setdefault(item["table"], []).append(item["row"])
        for table, rows in batches.items():
            names = list(rows[0])
            raw.executemany(
                f'INSERT INTO "{table}" ({", ".join(names)}) VALUES ({", ".join("?" * len(names))})',
                [tuple(row[name] for name in names) for row in rows],
            )
        raw.commit()
    finally:
        raw.close()


def change_children(db: Database, actor: Actor, count: int) -> list[uuid.UUID]:
    """Edit the notes of *count* children through the person service (as a specialist's form does)."""
    with db.reading() as session:
        ids = list(
            session.scalars(
                select(Person.id).where(Person.is_child.is_(True), Person.deleted_at.is_(None)).limit(count)
            )
        )
    for number, person_id in enumerate(ids, 1):
        details = get_person(db, actor, person_id)
        update_person(
            db, actor, person_id, replace(details.data, notes=f"Проверка № {number}"), details.version
        )
    return ids


def region_database(path: Path) -> tuple[Database, Actor]:
    """An empty consolidating office of another district, its administrator signed in."""
    remove_sqlite_files(path)
    db = open_database(path)
    set_up_office(
        db,
        OfficeDetails(REGION_DISTRICT, "Ак-Суу району", "Ак-Суйский район", "Бенчмарк", ""),
        "admin",
        "Администратор Области",
        REGION_PASSWORD,
    )
    return db, authenticate(db, "admin", REGION_PASSWORD)


def bench_packages(copy: Path, workdir: Path) -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    keys_dir = workdir / "exchange-keys"
    shutil.rmtree(keys_dir, ignore_errors=True)
    keys_dir.mkdir()
    pair = generate_keys(keys_dir)
    out = workdir / "exchange-packages"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    tables = travelling_tables()

    db = open_database(copy, create=False)
    try:
        actor = authenticate(db, "admin", "demo-admin-1")
        set_exchange_settings(db, actor, recipients=[pair.recipient], identity_file=pair.identity_path)
        full, full_s = timed(lambda: export_package(db, actor, out, full=True))
        raw = sqlite3.connect(copy)
        try:
            baseline_file = workdir / "exchange-baseline.jsonl"
            lines, json_s = timed(lambda: json_lines(raw, tables, baseline_file))
            records = sum(c.get("records", 0) for c in full.counts.values())
            rows.append(
                (
                    f"full package, encrypted ({records} records)",
                    f"{full_s:.1f} s, {size_text(full.size)}",
                    f"{json_s:.1f} s, {size_text(baseline_file.stat().st_size)} ({lines} json lines, no zip)",
                    "< 20 s, < 40 MB",
                )
            )
            changed = change_children(db, actor, CHANGES)
            incremental, incremental_s = timed(lambda: export_package(db, actor, out))
            assert incremental.kind == "incremental", incremental

            def changed_lines() -> None:
                marks = ", ".join("?" * len(changed))
                with (workdir / "exchange-baseline-100.jsonl").open("w", encoding="utf-8") as fh:
                    for row in raw_rows(
                        raw, "persons", f"WHERE id IN ({marks})", tuple(i.hex for i in changed)
                    ):
                        fh.write(json.dumps(row, ensure_ascii=False, default=_plain) + "\n")

            _none, changed_s = timed(changed_lines)
            rows.append(
                (
                    f"incremental package after {CHANGES} changes",
                    f"{incremental_s * 1000:.0f} ms, {size_text(incremental.size)}",
                    f"{changed_s * 1000:.1f} ms (the {CHANGES} rows as json lines)",
                    "< 1 s",
                )
            )
            region_path = workdir / "exchange-region.sqlite"
            region, region_actor = region_database(region_path)
            try:
                imported, import_s = timed(
                    lambda: import_package(region, region_actor, full.path, identity=pair.identity_path)
                )
            finally:
                region.dispose()
            baseline_db = workdir / "exchange-baseline.sqlite"
            empty_tables(raw, tables, baseline_db)
            _none, insert_s = timed(lambda: json_insert(baseline_file, baseline_db))
            inserted = sum(c.get("inserted", 0) for c in imported.counts.values())
            rows.append(
                (
                    f"full package imported into an empty database ({inserted} records)",
                    f"{import_s:.1f} s",
                    f"{insert_s:.1f} s (json.loads + executemany into the same tables)",
                    "< 60 s",
                )
            )
        finally:
            raw.close()
        rows += bench_register(db, actor, workdir)
    finally:
        db.dispose()
    return rows


def bench_register(db: Database, actor: Actor, workdir: Path) -> list[tuple[str, str, str, str]]:
    """The whole children register as XLSX, against its rows (read the same way) written with csv.writer."""
    path = workdir / "exchange-children.xlsx"
    written, xlsx_s = timed(lambda: export_register(db, actor, "children", path, "xlsx"))
    query = RegisterQuery("children")
    keys = [spec.key for spec in registers.columns("children")]

    def read_rows() -> list[Any]:
        with db.reading() as session:
            ids = registers.ordered_ids(session, query)
            return [
                row
                for start in range(0, len(ids), REGISTER_BLOCK)
                for row in registers.rows_by_ids(session, query, ids[start : start + REGISTER_BLOCK])
            ]

    rows, read_s = timed(read_rows)

    def write_csv() -> None:
        with (workdir / "exchange-children.csv").open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, delimiter=";")
            writer.writerow(keys)
            writer.writerows([getattr(row, key) for key in keys] for row in rows)

    _none, csv_s = timed(write_csv)
    return [
        (
            f"children register as XLSX ({written.rows} rows, {size_text(written.size)})",
            f"{xlsx_s:.1f} s",
            f"{read_s + csv_s:.1f} s (the rows read the same way {read_s:.1f} s + csv.writer {csv_s:.1f} s)",
            "< 30 s",
        )
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=3000)
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument("--reuse", action="store_true", help="reuse the demo database of an earlier run")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    source, reused = demo_office(args.children, args.workdir, args.reuse)
    copy = args.workdir / f"exchange-{args.children}.sqlite"
    remove_sqlite_files(copy)
    for upgraded in args.workdir.glob(f"{copy.stem}.before-upgrade-*"):  # left by an earlier run's migration
        upgraded.unlink()
    shutil.copyfile(source, copy)
    rows = bench_packages(copy, args.workdir)
    print(f"Demo office of {args.children} children ({'reused' if reused else 'generated'}).\n")
    print("| measure | figure | baseline: json / csv modules alone | target |")
    print("|---|---|---|---|")
    for what, figure, baseline, target in rows:
        print(f"| {what} | {figure} | {baseline} | {target} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
