"""Benchmark ``monitor prune``: how long it takes, how long it holds writers up, what it frees.

A store (a SQLite file, and PostgreSQL when one answers at 127.0.0.1:5432 and ``--postgres``)
is filled with ``--articles`` articles first seen evenly over ``--span`` days: every second one
followed (a page text of about 3 KB, a 256-byte fingerprint and its 32 band keys), every fifth
one matched (one match, two sent deliveries), every 50th match with another outlet, every 200th
judged, every 500th with a delivery still pending. Then, with articles older than
``--older-than`` days:

1. the dry run's counts (``Store.prune_counts``), timed;
2. the prune itself (``monitor.retention.prune``, as the command and the daemon run it: batches
   of ``retention.BATCH`` with the pause between), timed, with the longest batch; meanwhile a
   thread writes a row every 20 ms, as the daemon's polls would, and its longest wait is printed
   (what "writers are not blocked for long" means in numbers);
3. the database's size before, after the prune and after ``VACUUM`` (SQLite: the file and its
   WAL; PostgreSQL: ``pg_database_size``), and the size of the ``seen_key`` table per key.

    .venv/bin/python benchmarks/prune_bench.py [--articles 100000] [--span 180]
        [--older-than 90] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import Engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor import retention  # noqa: E402 (after the path)
from monitor.store import Store  # noqa: E402
from monitor.store._tables import (  # noqa: E402
    ArticleRow,
    DeliveryRow,
    FeedbackRow,
    MatchOutletRow,
    MatchRow,
    SourceRow,
    StoryBandRow,
)

NOW = datetime(2026, 12, 7, tzinfo=UTC)
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"
WORDS = [
    "kerja",
    "sama",
    "keamanan",
    "kawasan",
    "menteri",
    "luar",
    "negeri",
    "pertemuan",
    "tahunan",
    "rusia",
    "asean",
]


def page_text(n: int) -> str:
    """About 3 KB of text that differs from article to article."""
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] + str((n + i) % 97) for i in range(400)]
    return " ".join(words)


def fill(store: Store, count: int, span_days: float) -> None:
    """``count`` articles as the module docstring says, in batches of plain INSERTs."""
    engine = store._engine
    step = span_days * 86400 / count
    batch = 2000
    for start in range(0, count, batch):
        rows: dict[str, list[dict[str, object]]] = {
            "article": [], "match": [], "delivery": [], "band": [], "outlet": [], "feedback": [],
        }  # fmt: skip
        for n in range(start, min(count, start + batch)):
            _article(rows, n, NOW - timedelta(seconds=(count - n) * step))
        with engine.begin() as connection:
            for table, key in (
                (ArticleRow, "article"), (MatchRow, "match"), (DeliveryRow, "delivery"),
                (StoryBandRow, "band"), (MatchOutletRow, "outlet"), (FeedbackRow, "feedback"),
            ):  # fmt: skip
                if rows[key]:
                    connection.execute(table.__table__.insert(), rows[key])  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in ("article", "match", "match_outlet", "feedback"):
                connection.exec_driver_sql(
                    f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM \"{table}\"))"
                )
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")


def _article(rows: dict[str, list[dict[str, object]]], n: int, seen: datetime) -> None:
    key = f"https://news.example/{n}"
    followed = n % 2 == 0
    rows["article"].append({
        "id": n + 1, "key": key, "url": key, "title": f"Rusia dan ASEAN nomor {n}",
        "summary": f"Ringkasan berita nomor {n} tentang kerja sama kawasan. " * 3,
        "source_id": f"source{n % 6}", "source_name": f"Source {n % 6}", "first_seen": seen,
        "published": seen, "language": "id", "text": page_text(n) if followed else None,
        "fingerprint": n.to_bytes(8, "big") * 32 if followed else None,
        "story_id": f"story-{n}" if followed else None,
    })  # fmt: skip
    if followed:
        rows["band"] += [{"band": (n << 5) + i, "article_id": n + 1} for i in range(32)]
    if n % 5:
        return
    hits = [{"term": "Rusia", "field": "title", "position": 0, "matched": "Rusia"}]
    rows["match"].append({
        "id": n + 1, "article_id": n + 1, "topic_id": "asean", "topic_name": "ASEAN",
        "score": 0.5, "hits": hits, "created": seen, "story_id": f"story-{n}" if followed else None,
        "source_id": f"source{n % 6}", "language": "id",
    })  # fmt: skip
    for channel in ("hook", "mail"):
        pending = n % 2500 == 0 and channel == "hook"  # every 500th match
        rows["delivery"].append({
            "id": f"d-{n}-{channel}", "match_id": n + 1, "channel": channel,
            "status": "pending" if pending else "sent", "attempts": 0, "next_attempt": seen,
            "created": seen, "sent_at": None if pending else seen, "rolled": False,
            "reported": False,
        })  # fmt: skip
    if n % 250 == 0 and n > 0:  # every 50th match: the article before carried the story too
        rows["outlet"].append({
            "match_id": n + 1, "article_id": n, "source_name": "Copy", "url": key, "created": seen,
        })  # fmt: skip
    if n % 1000 == 0:  # every 200th match judged
        rows["feedback"].append({
            "match_id": n + 1, "topic_id": "asean", "article_key": key, "verdict": "relevant",
            "who": "bench", "created": seen,
        })  # fmt: skip


class Writer(threading.Thread):
    """Updates a source row every 20 ms in its own transaction; keeps each write's duration."""

    def __init__(self, engine: Engine) -> None:
        super().__init__(daemon=True)
        self.engine, self.waits, self.failures = engine, [], 0
        self.done = threading.Event()
        with engine.begin() as connection:
            connection.execute(SourceRow.__table__.insert(), [{"id": "bench", "url": "x"}])  # type: ignore[attr-defined]

    def run(self) -> None:
        n = 0
        while not self.done.is_set():
            n += 1
            started = time.perf_counter()
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        text("UPDATE source SET items_seen = :n WHERE id = 'bench'"), {"n": n}
                    )
            except Exception:
                self.failures += 1
            self.waits.append(time.perf_counter() - started)
            self.done.wait(0.02)


def size(store: Store, path: str | None) -> int:
    if path is not None:
        return sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    with store._engine.connect() as connection:
        return int(
            connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        )


def mb(value: int) -> str:
    return f"{value / 1e6:,.1f} MB"


class Timed:
    """A store whose batches are timed (the longest one is how long a writer may wait)."""

    def __init__(self, store: Store) -> None:
        self.store, self.batches = store, []

    def prune_batch(self, cutoff: datetime, after: int, limit: int):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return self.store.prune_batch(cutoff, after, limit)
        finally:
            self.batches.append(time.perf_counter() - started)

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


def run(label: str, url: str, path: str | None, args: argparse.Namespace) -> None:
    print(f"{label}: filling {args.articles:,} articles over {args.span} days ...", flush=True)
    started = time.perf_counter()
    cutoff = retention.cutoff(NOW, args.older_than)
    with Store.open(url) as store:
        fill(store, args.articles, args.span)
        print(f"  filled in {time.perf_counter() - started:.0f} s; size {mb(size(store, path))}")
        started = time.perf_counter()
        counts = store.prune_counts(cutoff)
        print(f"  dry run: {time.perf_counter() - started:.2f} s: {counts}")
        before = size(store, path)
        writer = Writer(store._engine)
        writer.start()
        timed = Timed(store)
        started = time.perf_counter()
        pruned = retention.prune(timed, cutoff)  # type: ignore[arg-type]
        took = time.perf_counter() - started
        writer.done.set()
        writer.join()
        print(f"  prune: {took:.1f} s ({len(timed.batches)} batches of {retention.BATCH},"
              f" median {statistics.median(timed.batches) * 1000:.0f} ms,"
              f" longest {max(timed.batches) * 1000:.0f} ms): {pruned}")  # fmt: skip
        waits = sorted(writer.waits)
        print(f"  a writer meanwhile: {len(waits)} writes, median"
              f" {statistics.median(waits) * 1000:.1f} ms, 99th percentile"
              f" {waits[int(len(waits) * 0.99)] * 1000:.0f} ms, longest {waits[-1] * 1000:.0f} ms,"
              f" failed {writer.failures}")  # fmt: skip
        after = size(store, path)
        started = time.perf_counter()
        store.vacuum()
        vacuumed = size(store, path)
        print(f"  size: before {mb(before)}, after the prune {mb(after)}, after VACUUM"
              f" {mb(vacuumed)} ({time.perf_counter() - started:.1f} s)")  # fmt: skip
        if path is not None:
            seen_key_size(path, pruned.seen_keys)


def seen_key_size(path: str, keys: int) -> None:
    """The pages ``seen_key`` takes (``dbstat``, when the SQLite build has it)."""
    import sqlite3

    with sqlite3.connect(path) as connection:
        try:
            (pages,) = connection.execute(
                "SELECT sum(pgsize) FROM dbstat WHERE name = 'seen_key'"
            ).fetchone()
        except sqlite3.OperationalError:
            print("  seen_key: (no dbstat in this SQLite build)")
            return
    print(f"  seen_key: {keys:,} keys in {mb(pages)} ({pages / max(1, keys):.1f} bytes a key)")


def postgres_url() -> tuple[str, Callable[[], None]] | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True) as conn:
            name = f"prune_bench_{uuid.uuid4().hex[:8]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--span", type=float, default=180.0)
    parser.add_argument("--older-than", type=int, default=90)
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M')}")
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.db", f"{tmp}/bench.db", args)
    if args.postgres:
        found = postgres_url()
        if found is None:
            print("PostgreSQL: not reachable at 127.0.0.1:5432, skipped")
            return
        url, drop = found
        try:
            run("PostgreSQL", url, None, args)
        finally:
            drop()


if __name__ == "__main__":
    main()
