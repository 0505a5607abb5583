"""Story look-up at 100,000 stored fingerprints: the band index against the old linear scan.

    .venv/bin/python benchmarks/story_lookup_bench.py [N] [LOOKUPS]

Fills a fresh SQLite store with N articles (default 100,000) of other outlets' stories, each
with a fingerprint and its band keys (random MinHash values: stories that share no shingle),
plus the originals of LOOKUPS syndicated copies. Then, in the same run, places each copy in its
story both ways and prints the time per article:

- the old way: read the 20,000 newest fingerprints (``recent_fingerprints`` before the band
  index) and compare each in Python (it runs in a thread now; it ran on the event loop);
- a full scan: compare all N in memory (what a correct scan would cost, reading aside);
- the band index: ``Store.story_candidates`` (one indexed look-up) and compare the candidates.

Both must find the same story for every copy that the old way could see.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert, select
from sqlmodel import col

from monitor.store import Store
from monitor.store._tables import ArticleRow, StoryBandRow
from monitor.story import PERMUTATIONS, band_keys, fingerprint, story_for

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
LOOKUPS = int(sys.argv[2]) if len(sys.argv) > 2 else 50
OLD_LIMIT = 20_000
T0 = datetime(2026, 12, 5, tzinfo=UTC)
WORDS = [f"w{i}" for i in range(5000)]


def text(rng: random.Random, words: int = 300) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def copy_of(original: str, rng: random.Random) -> str:
    words = original.split()[20:-40]  # a new lead, the last paragraph cut, a few words changed
    for _ in range(len(words) // 33):
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    return "JAKARTA (Wire) - " + " ".join(words)


def fill(store: Store, rng: random.Random) -> list[tuple[str, bytes]]:
    """N random articles, then LOOKUPS originals (the newest); returns (story id, copy print)."""
    values = np.random.default_rng(5).integers(0, 2**32, size=(N, PERMUTATIONS), dtype=np.uint64)
    rows = [(f"story-{i}", values[i].astype(">u4").tobytes()) for i in range(N)]
    copies = []
    for n in range(LOOKUPS):
        original = text(rng)
        print_, copy = fingerprint(original), fingerprint(copy_of(original, rng))
        assert print_ and copy
        rows.append((f"original-{n}", print_))
        copies.append((f"original-{n}", copy))
    engine = store._engine  # a benchmark may reach in: bulk rows, not one poll per article
    with engine.begin() as connection:
        for start in range(0, len(rows), 5000):
            chunk = rows[start : start + 5000]
            articles = [
                {"key": f"https://{story}.example/", "title": story, "summary": "",
                 "source_id": f"outlet-{i % 40}", "source_name": "Outlet", "story_id": story,
                 "fingerprint": print_, "first_seen": T0 + timedelta(seconds=start + i)}
                for i, (story, print_) in enumerate(chunk)
            ]  # fmt: skip
            connection.execute(insert(ArticleRow), articles)
        ids = dict(connection.execute(select(ArticleRow.story_id, ArticleRow.id)).all())
        bands = [
            {"band": band, "article_id": ids[story]}
            for story, print_ in rows
            for band in set(band_keys(print_))
        ]
        for start in range(0, len(bands), 50_000):
            connection.execute(insert(StoryBandRow), bands[start : start + 50_000])
    return copies


def old_way(store: Store, print_: bytes, since: datetime) -> str | None:
    query = (
        select(ArticleRow.story_id, ArticleRow.source_id, ArticleRow.fingerprint)
        .where(col(ArticleRow.first_seen) >= since, col(ArticleRow.fingerprint).is_not(None))
        .order_by(col(ArticleRow.first_seen).desc())
        .limit(OLD_LIMIT)
    )
    with store._engine.connect() as connection:
        known = [(s or "", o, bytes(p)) for s, o, p in connection.execute(query)]
    return story_for(print_, "copying-outlet", known)


def full_scan(known: list[tuple[str, str, bytes]], print_: bytes) -> str | None:
    return story_for(print_, "copying-outlet", known)


def banded(store: Store, print_: bytes, since: datetime) -> str | None:
    candidates = store.story_candidates(band_keys(print_), since, other_than="copying-outlet")
    return story_for(print_, "copying-outlet", candidates)


def timed(fn, copies) -> tuple[float, list[str | None]]:  # type: ignore[no-untyped-def]  # a script
    times, found = [], []
    for _, print_ in copies:
        start = time.perf_counter()
        found.append(fn(print_))
        times.append(time.perf_counter() - start)
    return statistics.median(times), found


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        store = Store.open(f"sqlite:///{Path(folder) / 'bench.db'}")
        started = time.perf_counter()
        copies = fill(store, rng)
        print(f"{N + LOOKUPS} stored fingerprints ({time.perf_counter() - started:.0f} s to fill)")
        since = T0 - timedelta(days=1)
        with store._engine.connect() as connection:
            rows = connection.execute(
                select(ArticleRow.story_id, ArticleRow.source_id, ArticleRow.fingerprint)
            )
            known = [(s or "", o, bytes(p)) for s, o, p in rows]
        expected = [story for story, _ in copies]
        for name, fn in (
            ("old: 20,000 newest, compared one by one", lambda p: old_way(store, p, since)),
            (f"full scan of all {len(known)} in memory", lambda p: full_scan(known, p)),
            ("band index (LSH), compared candidates", lambda p: banded(store, p, since)),
        ):
            median, found = timed(fn, copies)
            right = sum(f == e for f, e in zip(found, expected, strict=True))
            print(f"{name:45} {median * 1000:9.2f} ms/article   {right}/{len(copies)} found")
        store.close()


if __name__ == "__main__":
    main()
