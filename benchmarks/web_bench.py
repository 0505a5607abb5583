"""Benchmark the web side: dashboard pages over 100,000 stored matches, and whether page traffic
slows the daemon's polling.

1. Pages. A database (a SQLite file, and PostgreSQL when one answers at 127.0.0.1:5432) is
   filled with ``--matches`` articles, each with one match (8 topics, 6 sources, 3 languages,
   scores 0.3-1.0) and two deliveries. Then the app (``monitor.web.app``) answers, in process
   through ``httpx.ASGITransport`` (so the time is the server's: routing, queries, rendering),
   these requests ``--repeat`` times each (after one untimed request): the first page; a
   filtered first page (topic + language + score); first pages filtered by a source and by a
   language no match has (the worst case of a scan: every match read); a page 1,800 pages deep
   (keyset ``?after=``, no OFFSET); the list by published date (``sort=published``: first
   page, filtered, 1,800 pages deep) and one day's matches (``from=``/``to=``); the topics
   page (per-day counts per topic); /feeds/all.atom; /metrics (the queue gauges counted at
   each scrape). Median and 95th percentile are printed.
2. Polling under page load, in one run. The real pipeline (``monitor run``'s: store, fetcher,
   parser workers) polls a loopback feed that has 20 new matching items at every poll, in a
   tight loop, for ``--seconds`` with no page traffic and ``--seconds`` while another process
   requests dashboard pages (4 threads, no pause) from the web side served by uvicorn on the
   daemon's own loop (three rounds of each, alternating). Polls per minute and pages per second
   are printed. The page budget (``monitor.web.budget``) is on, as in the daemon.

    .venv/bin/python benchmarks/web_bench.py [--matches 100000] [--repeat 30] [--seconds 20]
        [--no-postgres] [--no-polls]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from monitor.cli.daemon import open_pipeline  # noqa: E402 (after the path)
from monitor.config import load_settings  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.store._tables import ArticleRow, DeliveryRow, MatchRow  # noqa: E402
from monitor.web.app import build_app  # noqa: E402
from monitor.web.budget import Budget  # noqa: E402
from monitor.web.context import WebContext  # noqa: E402
from monitor.web.metrics import PrometheusMetrics  # noqa: E402
from monitor.web.server import WebServer, bind  # noqa: E402
from tests.feedserver import running_feed_server  # noqa: E402

TOPICS = [f"topic-{n}" for n in range(8)]
SOURCES = [f"source-{n}" for n in range(6)]
LANGUAGES = ["en", "id", "ru"]
NOW = datetime.now(UTC).replace(microsecond=0)
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


def watchlist() -> str:
    lines = ["topics:"]
    for n, topic in enumerate(TOPICS):
        lines += [f"  - id: {topic}", f"    query: word{n} OR Russia", "    threshold: 0.1"]
    return "\n".join(lines) + "\n"


def write_config(folder: Path, database_url: str, feed_url: str, listen: str = "off") -> Path:
    (folder / "watchlists").mkdir(exist_ok=True)
    (folder / "watchlists" / "w.yaml").write_text(watchlist())
    sources = "".join(f"  - {{id: {s}, feed: 'https://{s}.example/feed'}}\n" for s in SOURCES)
    config = folder / "monitor.yaml"
    config.write_text(
        f"database: {database_url}\nwatchlists: ['watchlists/*.yaml']\n"
        "http: {user_agent: web-bench, allow_private_networks: true, per_host_interval: 0s}\n"
        "defaults: {follow: false, jitter: 0s}\n"
        f"web: {{listen: '{listen}'}}\n"
        f"sources:\n{sources}  - {{id: bench, feed: '{feed_url}'}}\n"
        "channels:\n  hook: {urls: ['json://127.0.0.1:9/hook']}\n"
        "  mail: {urls: ['json://127.0.0.1:9/mail']}\n"
    )
    return config


# --- filling the database ------------------------------------------------------------------------


def fill(store: Store, count: int) -> None:
    """``count`` articles, one match and two deliveries each, in batches of plain INSERTs."""
    rng = random.Random(16)
    engine = store._engine
    batch = 5000
    for start in range(0, count, batch):
        articles, matches, deliveries = [], [], []
        for n in range(start, min(count, start + batch)):
            created = NOW - timedelta(seconds=(count - n) * 30)
            topic = TOPICS[n % len(TOPICS)]
            articles.append({
                "id": n + 1, "key": f"https://news.example/{n}", "url": f"https://news.example/{n}",
                "title": f"Russia word{n % 8} headline number {n}", "source_id": SOURCES[n % 6],
                "summary": f"Russia and word{n % 8} in a summary of article {n}. " * 3,
                "source_name": SOURCES[n % 6].title(), "first_seen": created,
                "published": created, "language": LANGUAGES[n % 3],
            })  # fmt: skip
            hits = [{"term": "Russia", "field": "title", "position": 0, "matched": "Russia"}]
            matches.append({
                "id": n + 1, "article_id": n + 1, "topic_id": topic, "topic_name": topic,
                "score": round(0.3 + 0.7 * rng.random(), 3), "hits": hits, "created": created,
                "source_id": SOURCES[n % 6], "language": LANGUAGES[n % 3],  # copied (0012)
                "published": created,  # copied (0014)
            })  # fmt: skip
            for channel in ("hook", "mail"):
                deliveries.append({
                    "id": f"d-{n}-{channel}", "match_id": n + 1, "channel": channel,
                    "status": "sent", "attempts": 0, "next_attempt": created, "created": created,
                    "sent_at": created, "rolled": False, "reported": False,
                })  # fmt: skip
        with engine.begin() as connection:
            connection.execute(ArticleRow.__table__.insert(), articles)  # type: ignore[attr-defined]
            connection.execute(MatchRow.__table__.insert(), matches)  # type: ignore[attr-defined]
            connection.execute(DeliveryRow.__table__.insert(), deliveries)  # type: ignore[attr-defined]
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.exec_driver_sql(
                "SELECT setval('article_id_seq', (SELECT max(id) FROM article))"
            )
            connection.exec_driver_sql("SELECT setval('match_id_seq', (SELECT max(id) FROM match))")
            connection.exec_driver_sql("ANALYZE")


# --- 1. pages -----------------------------------------------------------------------------------


async def time_pages(config: Path, repeat: int) -> None:
    settings = load_settings(config, {})
    store = Store.open(settings.database_url)
    try:
        context = WebContext(
            store=store, settings=lambda: settings, metrics=PrometheusMetrics(),
            last_tick=lambda: datetime.now(UTC), now=lambda: datetime.now(UTC),
            budget=Budget(share=1.0),  # time the work, not the rests the budget imposes
        )  # fmt: skip
        transport = httpx.ASGITransport(app=build_app(context))
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            deep = _deep_cursor()
            requests = {
                "first page": "/",
                "filtered (topic+language+score)": "/?topic=topic-3&language=en&min_score=0.5",
                "filtered: a source with no match": "/?source=nowhere",
                "filtered: a language with no match": "/?language=th",
                "/metrics": "/metrics",
                "page ~1800 deep (keyset)": f"/?after={deep}",
                "by published date": "/?sort=published",
                "by published date, filtered": "/?sort=published&topic=topic-3&language=en",
                "by published date, ~1800 deep": f"/?sort=published&after={deep}",
                "one day (from=to)": f"/?from={DAY}&to={DAY}",
                "topics page": "/topics",
                "/feeds/all.atom": "/feeds/all.atom",
            }
            for label, path in requests.items():
                await _time(client, label, path, repeat)
    finally:
        store.close()


#: a day about 50,000 matches down (the 100,000 are 30 s apart: 2,880 a day)
DAY = (NOW - timedelta(seconds=50_000 * 30)).date().isoformat()


def _deep_cursor() -> str:
    """The ``after`` cursor of a match about 90,000 matches down (the 100,000 are 30 s apart)."""
    from monitor.store import MatchCursor
    from monitor.web import present

    when = NOW - timedelta(seconds=90_000 * 30)
    return present.cursor_text(MatchCursor(when, 10**9))


async def _time(client: httpx.AsyncClient, label: str, path: str, repeat: int) -> None:
    await client.get(path)  # warm: the matcher is built once per configuration, caches filled
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = await client.get(path)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    times.sort()
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"  {label:36} median {statistics.median(times) * 1000:7.1f} ms"
          f"   p95 {p95 * 1000:7.1f} ms   ({len(response.content) // 1024} KB)")  # fmt: skip


# --- 2. polling with and without page load -------------------------------------------------------


def feed(round_: int) -> bytes:
    items = "".join(
        f"<item><title>Russia word{n % 8} news {round_}-{n}</title>"
        f"<link>https://bench.example/{round_}/{n}</link>"
        f"<description>{escape('Russia and word' + str(n % 8) + ' again. ' * 20)}</description>"
        f"<pubDate>{format_datetime(datetime.now(UTC))}</pubDate></item>"
        for n in range(20)
    )
    return f"<rss version='2.0'><channel><title>bench</title>{items}</channel></rss>".encode()


def load_pages(url: str, seconds: float, counter: multiprocessing.Value) -> None:  # type: ignore[valid-type]
    """Another process: 4 threads requesting dashboard pages with no pause for ``seconds``."""
    paths = ["/", "/?topic=topic-3&min_score=0.5", "/topics", "/sources", "/feeds/all.atom"]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            n = 0
            while time.monotonic() < deadline:
                client.get(paths[n % len(paths)])
                n += 1
                with counter.get_lock():
                    counter.value += 1

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


async def time_polls(folder: Path, database_url: str, seconds: float, rounds: int = 3) -> None:
    with running_feed_server() as feeds:
        feeds.serve("/bench.xml", feed(0))
        config = write_config(folder, database_url, feeds.url("/bench.xml"), "127.0.0.1:0")
        settings = load_settings(config, {})
        source = next(s for s in settings.sources if s.id == "bench")
        sock = bind(settings.web)
        assert sock is not None
        metrics = PrometheusMetrics()
        async with open_pipeline(settings, metrics=metrics) as pipeline:
            context = WebContext(
                store=pipeline.store, settings=lambda: settings, metrics=metrics,
                last_tick=lambda: datetime.now(UTC), now=lambda: datetime.now(UTC),
            )  # fmt: skip
            server = WebServer(build_app(context), sock)
            server.start()
            try:
                generation = [0]

                async def polls(during: float) -> int:
                    done, deadline = 0, time.monotonic() + during
                    while time.monotonic() < deadline:
                        generation[0] += 1
                        feeds.serve("/bench.xml", feed(generation[0]))
                        result = await pipeline.poll(source)
                        assert result.outcome == "new", result
                        done += 1
                    return done

                # quiet and busy windows alternate, so drift in the machine's other load
                # (a shared machine) falls on both alike
                quiet = busy = served = 0
                host, port = server.address
                for _ in range(rounds):
                    quiet += await polls(seconds / rounds)
                    counter = multiprocessing.Value("i", 0)
                    loader = multiprocessing.Process(
                        target=load_pages, args=(f"http://{host}:{port}", seconds / rounds, counter)
                    )
                    loader.start()
                    busy += await polls(seconds / rounds)
                    await asyncio.to_thread(loader.join)
                    served += counter.value
            finally:
                await server.stop()
        per_minute = 60 / seconds
        print(f"  polls/minute, no page traffic:      {quiet * per_minute:7.1f}")
        print(f"  polls/minute, with page traffic:    {busy * per_minute:7.1f}"
              f"   ({served / seconds:.1f} pages/s served meanwhile)")  # fmt: skip


# --- main -----------------------------------------------------------------------------------------


def postgres_url() -> tuple[str, Callable[[], None]] | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3, autocommit=True) as conn:
            name = f"web_bench_{uuid.uuid4().hex[:8]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error:
        return None

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", drop


def run(label: str, url: str, folder: Path, args: argparse.Namespace, polls: bool) -> None:
    print(f"{label}: filling {args.matches:,} matches ...", flush=True)
    started = time.perf_counter()
    with Store.open(url) as store:
        fill(store, args.matches)
    print(f"  filled in {time.perf_counter() - started:.0f} s; server time per request:")
    config = write_config(folder, url, "https://unused.example/feed")
    asyncio.run(time_pages(config, args.repeat))
    if polls:
        asyncio.run(time_polls(folder, url, args.seconds))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--matches", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-polls", action="store_true", help="time the pages only")
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; {time.strftime('%Y-%m-%d %H:%M')}")
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{tmp}/bench.db", Path(tmp), args, polls=not args.no_polls)
    if not args.no_postgres:
        found = postgres_url()
        if found is None:
            print("PostgreSQL: not reachable at 127.0.0.1:5432, skipped")
            return
        url, drop = found
        try:
            with tempfile.TemporaryDirectory() as tmp:
                run("PostgreSQL", url, Path(tmp), args, polls=False)
        finally:
            drop()


if __name__ == "__main__":
    main()
