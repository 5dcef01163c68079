"""Foundation benchmark: demo generation, register pages, name search, duplicate finder, size.

Run on purpose (not part of `uv run pytest`):

    uv run python tests/benchmarks/bench_foundation.py --sizes 10000 100000

Every figure has a baseline measured in the same run: the register, search and duplicate
figures replay exactly the SQL statements that our code sent (captured from the engine)
through the plain ``sqlite3`` module on the same file; demo generation is compared with
SQLite copying the same rows into an empty schema (``INSERT … SELECT``), the bare storage
cost of that data. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from models.database import Database, open_database, remove_sqlite_files
from models.demo import generate
from models.duplicates import find_duplicates
from models.names import name_key
from models.orm import Person
from models.registers import RegisterQuery, fetch_page

from tests.benchmarks.common import AS_OF, Statement, capture, ms, replay


@dataclass
class Row:
    size: int
    what: str
    ours: str
    baseline: str
    note: str = ""


def _timed_with_baseline(
    db: Database, raw: sqlite3.Connection, work: list[Callable[[], object]]
) -> tuple[list[float], list[float]]:
    """Time each piece of work through our code, then the same SQL replayed through sqlite3."""
    ours: list[float] = []
    replays: list[list[Statement]] = []
    for job in work:
        with capture(db) as statements:
            started = time.perf_counter()
            job()
            ours.append(time.perf_counter() - started)
        replays.append(statements)
    return ours, [replay(raw, statements)[0] for statements in replays]


def _reading(db: Database, read: Callable[[Any, Any], object], argument: Any) -> Callable[[], object]:
    """A piece of work: *read* (session, argument) in a session of its own, as a window would."""

    def job() -> object:
        with db.reading() as session:
            return read(session, argument)

    return job


def _latency_row(
    size: int,
    what: str,
    db: Database,
    raw: sqlite3.Connection,
    work: list[Callable[[], object]],
    note: str = "",
) -> Row:
    """p50/p95 of *work* through our code and of the same SQL through sqlite3, after a warm-up."""
    _timed_with_baseline(db, raw, work[:10])
    ours, base = _timed_with_baseline(db, raw, work)
    (p50, p95), (b50, b95) = ms(ours), ms(base)
    return Row(
        size,
        what,
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms",
        f"p50 {b50:.1f} ms, p95 {b95:.1f} ms",
        f"{note}p95 ratio {p95 / b95:.2f}×",
    )


def _copy_baseline(source: Path, workdir: Path) -> float:
    """Seconds SQLite takes to copy every row of *source* into an empty migrated schema."""
    target = workdir / "copy-baseline.sqlite"
    remove_sqlite_files(target)
    open_database(target).dispose()
    conn = sqlite3.connect(target, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=OFF")
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM src.sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT IN ('alembic_version')"
        )
    ]
    started = time.perf_counter()
    conn.execute("BEGIN")
    for table in tables:
        conn.execute(f"DELETE FROM main.{table}")
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM src.{table}")
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    remove_sqlite_files(target)
    return seconds


def _search_queries(db: Database, rng: random.Random, n: int) -> list[str]:
    with db.reading() as session:
        people = session.execute(
            select(Person.last_name, Person.first_name).where(Person.is_child).order_by(Person.id).limit(5000)
        ).all()
    queries: list[str] = []
    for last, first in rng.sample(people, n):
        kind = rng.randrange(4)
        if kind == 0:
            queries.append(last[: rng.randint(3, len(last))])
        elif kind == 1:
            queries.append(name_key(last)[: rng.randint(4, 9)])  # typed in Latin: "usonbaeva"
        elif kind == 2:
            queries.append(f"{last} {first[:3]}")
        else:
            queries.append(f"{first} {last[:4]}")
    return queries


def _duplicate_probes(db: Database, rng: random.Random, n: int) -> list[dict[str, Any]]:
    with db.reading() as session:
        people = session.execute(
            select(Person.last_name, Person.first_name, Person.patronymic, Person.birth_date, Person.pin)
            .where(Person.is_child)
            .order_by(Person.id)
            .limit(5000)
        ).all()
    probes = []
    for last, first, patronymic, born, pin in rng.sample(people, n):
        kind = rng.randrange(3)
        if kind == 0:
            probes.append(
                {
                    "last_name": last,
                    "first_name": first,
                    "patronymic": patronymic,
                    "birth_date": born,
                    "pin": pin,
                }
            )
        elif kind == 1:
            misspelt = first[:-1] + ("а" if first[-1] != "а" else "о")
            probes.append({"last_name": last, "first_name": misspelt, "birth_date": born})
        else:
            probes.append(
                {
                    "last_name": name_key(last).capitalize(),
                    "first_name": name_key(first).capitalize(),
                    "birth_date": born,
                }
            )
    return probes


def run(size: int, workdir: Path, rng: random.Random, reuse: bool) -> list[Row]:
    rows: list[Row] = []
    path = workdir / f"demo-{size}.sqlite"
    if not (reuse and path.exists()):
        remove_sqlite_files(path)
        db = open_database(path)
        result = generate(db, size, seed=2026, as_of=AS_OF)
        db.dispose()
        copy = _copy_baseline(path, workdir)
        total = sum(result.counts.values())
        rows.append(
            Row(
                size,
                "demo generation",
                f"{result.seconds:.1f} s",
                f"{copy:.1f} s",
                f"{total:,} rows; baseline: SQLite INSERT…SELECT of the same rows",
            )
        )
    db = open_database(path, create=False)
    raw = sqlite3.connect(path)
    try:
        with db.engine.connect() as conn:
            conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        categories = [
            "labour_migrants",
            "low_income",
            "neglect",
            "disability",
            "not_in_school",
            "orphans",
            "violence_physical",
            "no_documents",
        ]
        statuses = ["implementation", "monitoring", "assessment", "planning", "closed"]

        page_queries = [
            RegisterQuery("children", categories=(c,), statuses=(st,), sort="full_name", limit=100)
            for c in categories
            for st in statuses
        ]
        rows.append(
            _latency_row(
                size,
                "children register page (100 rows, category + status, by name, with total)",
                db,
                raw,
                [_reading(db, fetch_page, q) for q in page_queries],
                f"{len(page_queries)} filter combinations; ",
            )
        )
        search_queries = [
            RegisterQuery("children", search=q, limit=100) for q in _search_queries(db, rng, 200)
        ]
        rows.append(
            _latency_row(
                size,
                "name search (200 different queries, Cyrillic and Latin)",
                db,
                raw,
                [_reading(db, fetch_page, q) for q in search_queries],
            )
        )
        probes = _duplicate_probes(db, rng, 200)
        rows.append(
            _latency_row(
                size,
                "duplicate finder (200 probes: exact, misspelt, Latin)",
                db,
                raw,
                [_reading(db, lambda s, p: find_duplicates(s, **p), p) for p in probes],
            )
        )
        with db.reading() as session:
            children = session.scalar(text("SELECT COUNT(*) FROM persons WHERE is_child")) or 1
    finally:
        raw.close()
        db.dispose()
    size_mb = path.stat().st_size / 1024 / 1024
    vacuumed = workdir / "vacuumed.sqlite"
    remove_sqlite_files(vacuumed)
    plain = sqlite3.connect(path)
    plain.execute("VACUUM INTO ?", (str(vacuumed),))
    plain.close()
    vac_mb = vacuumed.stat().st_size / 1024 / 1024
    remove_sqlite_files(vacuumed)
    rows.append(
        Row(
            size,
            "database size per 1,000 children",
            f"{size_mb / children * 1000:.2f} MB",
            f"{vac_mb / children * 1000:.2f} MB",
            f"file {size_mb:.0f} MB; baseline: VACUUM INTO copy",
        )
    )
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--workdir", type=Path, default=Path("bench-data"))
    parser.add_argument("--reuse", action="store_true", help="reuse demo databases from an earlier run")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    results: list[Row] = []
    for size in args.sizes:
        print(f"… {size:,} children", file=sys.stderr, flush=True)
        results += run(size, args.workdir, rng, args.reuse)
    print("| children | measure | Bala Korgoo | baseline (same run) | note |")
    print("|---:|---|---|---|---|")
    for row in results:
        print(f"| {row.size:,} | {row.what} | {row.ours} | {row.baseline} | {row.note} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
