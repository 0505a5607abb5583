"""What the hostile-input tests share (``test_hostile``, ``test_hostile_items``): the HTTP and
limit settings they poll with, RSS builders, loopback sources, and one way to build a pipeline
with no channels and poll with it.

Owns: those helpers. Does not own: the cases (each test module), the servers
(``tests.feedserver``), name resolution (``tests.addresses``).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from monitor.config import DeliverySettings, HttpSettings, LimitSettings, Settings, SourceSettings
from monitor.fetch import Fetcher
from monitor.notify import Notifier
from monitor.pipeline import Pipeline, PollResult
from monitor.store import SourceState, Store
from monitor.types import Validators
from monitor.workers import Workers
from tests.addresses import stub_resolver

LOOPBACK = (ipaddress.ip_network("127.0.0.1/32"),)
HTTP = HttpSettings(
    user_agent="monitor-tests (+https://example.org/contact)",
    timeout=60.0,
    connect_timeout=30.0,
    max_bytes=2 * 1024 * 1024,
    max_redirects=4,
    concurrency=10,
    per_host=2,
    per_host_interval=0.0,
)
LIMITS = LimitSettings(items_per_poll=50, worker_memory=768 * 1024**2, worker_timeout=120.0)


def rss(items: str, *, head: str = "", encoding: str = "utf-8") -> bytes:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>{head}<rss version="2.0"><channel>'
        f"<title>t</title><link>http://feeds.test/</link>{items}</channel></rss>"
    ).encode(encoding)


def item(n: int | str, title: str = "", extra: str = "") -> str:
    return f"<item><title>{title or f'Item {n}'}</title><link>http://feeds.test/n/{n}</link>{extra}</item>"


GOOD = rss(item(1) + item(2))
SURROGATE_JSON = (
    b'{"version": "https://jsonfeed.org/version/1.1", "title": "s\\ud800", "items": ['
    b'{"id": "a\\ud800", "title": "t\\udfff", "url": "http://feeds.test/s/\\ud800"},'
    b'{"id": "b", "title": "fine", "content_text": "x\\ud83d y"}]}'
)


def source(source_id: str, url: str, allowed: bool) -> SourceSettings:
    """A feed source; ``allowed``: it may reach loopback (``feeds.test`` resolves there)."""
    return SourceSettings(
        id=source_id,
        name=source_id,
        kind="feed",
        url=url,
        every=60.0,
        jitter=0.0,
        allow_networks=LOOPBACK if allowed else (),
    )


def settings() -> Settings:
    """No topics, no channels; ``HTTP`` and ``LIMITS``."""
    return Settings(
        path="hostile.yaml",
        database_url="sqlite://",
        timezone="UTC",
        http=HTTP,
        sources=(),
        channels=(),
        topics=(),
        delivery=DeliverySettings(),
        limits=LIMITS,
    )


def polled_state(source_id: str, url: str, etag: str | None = None) -> SourceState:
    """A source past its silent first poll (its new items are followed and notified)."""
    fresh = SourceState.fresh(source_id, url)
    return replace(fresh, validators=Validators(etag=etag), baselined=True)


def pipeline(settings: Settings, store: Store, fetcher: Fetcher, workers: Workers) -> Pipeline:
    """A pipeline with no channels to notify, on the wall clock."""
    return Pipeline(
        settings,
        store=store,
        fetcher=fetcher,
        notifier=Notifier(()),
        workers=workers,
        now=lambda: datetime.now(UTC),
    )


def poll(
    store: Store,
    workers: Workers,
    sources: Sequence[SourceSettings],
    config: Settings | None = None,
) -> list[PollResult]:
    """Poll ``sources`` side by side once, with a fetcher of its own (closed after)."""

    async def run() -> list[PollResult]:
        fetcher = Fetcher(HTTP, resolver=stub_resolver)
        polling = pipeline(config or settings(), store, fetcher, workers)
        try:
            return list(await asyncio.gather(*(polling.poll(s) for s in sources)))
        finally:
            await fetcher.aclose()

    return asyncio.run(run())


def refuse_keys_with(store: Store, word: str, why: str = "value too long for the index") -> None:
    """Make the database itself refuse every article whose key contains ``word`` (a trigger
    that raises ``why``), as PostgreSQL refused a 3 KB key: the store sees the database's own
    error, in a batch of articles or alone, whatever the next such item turns out to be."""
    import sqlalchemy

    if store._engine.dialect.name == "postgresql":
        statements = [
            "CREATE FUNCTION refuse_article() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            f" IF NEW.key LIKE '%{word}%' THEN RAISE EXCEPTION '{why}'; END IF; RETURN NEW;"
            " END $$",
            "CREATE TRIGGER refuse_article BEFORE INSERT ON article FOR EACH ROW"
            " EXECUTE FUNCTION refuse_article()",
        ]
    else:
        statements = [
            f"CREATE TRIGGER refuse_article BEFORE INSERT ON article WHEN NEW.key LIKE"
            f" '%{word}%' BEGIN SELECT RAISE(ABORT, '{why}'); END"
        ]
    with store._engine.begin() as connection:  # a test changes the schema no command changes
        for statement in statements:
            connection.execute(sqlalchemy.text(statement))
