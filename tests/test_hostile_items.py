"""Issue 11 end to end: single hostile items through `monitor once` and `monitor sources`, on a
SQLite file and on PostgreSQL (``database_url``), with a healthy control source beside them.

Each hostile source is one that used to crash `once` or leave the source stuck: an invalid IDNA
host in an item link (followed) or in a sitemap child, a non-ASCII ETag stored and sent back, a
lone surrogate in a JSON Feed or as an XML character reference, a link and a guid too long for
PostgreSQL's unique index, an RSS date in year 0001. After two cycles every source is "ok", the
control stored its items, and the hostile items are stored (keys bounded) where they should be.
A poll whose item the database refuses saves the others and shows the source as failing, with
the classified reason, in `monitor sources`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.exc import DataError

from monitor import bounds
from monitor.cli import main
from monitor.config import SourceSettings
from monitor.fetch import Fetcher
from monitor.notify import Notifier
from monitor.pipeline import Pipeline
from monitor.store import SourceState, Store
from monitor.types import Validators
from monitor.workers import WorkerLimits, Workers
from tests.addresses import stub_resolver
from tests.feedserver import FeedServer, Route, running_feed_server
from tests.test_hostile import GOOD, HTTP, LIMITS, SURROGATE_JSON, _settings, _source, item, rss

LONG = "L" * 5000


def sitemap_index(*children: str) -> bytes:
    body = "".join(f"<sitemap><loc>{child}</loc></sitemap>" for child in children)
    return (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{body}</sitemapindex>"
    ).encode()


def urlset(*links: str) -> bytes:
    body = "".join(f"<url><loc>{link}</loc></url>" for link in links)
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{body}</urlset>"
    ).encode()


@dataclass(frozen=True)
class Hostile:
    """A source (kind, path) served hostile content, and the keys it must have stored."""

    id: str
    kind: str
    path: str
    keys: tuple[str, ...]
    follow: bool = False


def serve(server: FeedServer) -> list[Hostile]:
    base = f"http://127.0.0.1:{server.port}"
    server.serve("/control.xml", GOOD)
    server.serve("/surrogate.json", SURROGATE_JSON, "application/feed+json")
    server.serve("/charref.xml", rss(item(1, "bad &#xD800; title") + item(2)))
    server.serve(
        "/long.xml",
        rss(item(LONG) + f"<item><title>G</title><guid>{'g' * 5000}</guid></item>"),
    )
    server.route(
        "/etag.xml",
        Route(
            body=rss(item("etag")),
            headers=(("Content-Type", "application/rss+xml"), ("ETag", '"\u00e9t\u00e9"')),
        ),
    )
    server.serve("/stored-etag.xml", rss(item("stored")))
    server.serve(
        "/idna.xml",
        rss(item("i").replace("http://feeds.test/n/i", "http://xn--ls8h.la/a") + item("ok")),
    )
    server.serve(
        "/index.xml",
        sitemap_index("http://xn--ls8h.la/s.xml", f"{base}/missing.xml", f"{base}/child.xml"),
        "application/xml",
    )
    server.serve("/child.xml", urlset("http://feeds.test/sm/1"), "application/xml")
    server.serve(
        "/year1.xml",
        rss(item("y1", extra="<pubDate>Mon, 01 Jan 0001 00:00:00 GMT</pubDate>")),
    )
    return [
        Hostile("surrogate", "feed", "/surrogate.json", ("http://feeds.test/s/\ufffd",)),
        Hostile("charref", "feed", "/charref.xml", ("http://feeds.test/n/1",)),
        Hostile(
            "long",
            "feed",
            "/long.xml",
            (
                bounds.key("http://feeds.test/n/" + LONG),
                bounds.key(f"{base}/" + "g" * 5000),  # a guid is a permalink by default
            ),
        ),
        Hostile("etag", "feed", "/etag.xml", ("http://feeds.test/n/etag",)),
        Hostile("stored-etag", "feed", "/stored-etag.xml", ("http://feeds.test/n/stored",)),
        Hostile("idna", "feed", "/idna.xml", ("http://xn--ls8h.la/a",), follow=True),
        Hostile("index", "sitemap", "/index.xml", ("http://feeds.test/sm/1",)),
        Hostile("year1", "feed", "/year1.xml", ("http://feeds.test/n/y1",)),
    ]


def write_config(folder: Path, server: FeedServer, hostile: list[Hostile], db: str) -> Path:
    sources = "".join(
        f"  - id: {h.id}\n    {h.kind}: {server.url(h.path)}\n    follow: {str(h.follow).lower()}\n"
        for h in hostile
    )
    config = folder / "monitor.yaml"
    config.write_text(
        f"database: {db}\ntimezone: UTC\nwatchlists: []\n"
        "http:\n  allow_private_networks: true\n  per_host_interval: 0s\n  timeout: 20s\n"
        "defaults:\n  every: 10m\n  jitter: 0s\n  follow: false\n"
        f"sources:\n  - id: control\n    feed: {server.url('/control.xml')}\n{sources}",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def world(tmp_path: Path, database_url: str) -> Iterator[tuple[Path, FeedServer, list[Hostile]]]:
    with running_feed_server() as server:
        hostile = serve(server)
        yield write_config(tmp_path, server, hostile, database_url), server, hostile


def test_hostile_items_never_stop_once_or_a_source(
    world: tuple[Path, FeedServer, list[Hostile]],
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Two `monitor once` cycles: every source ok, every hostile item stored (bounded), the
    non-ASCII ETag never sent back, the control polled and stored both times."""
    config, server, hostile = world
    with Store.open(database_url) as store:  # a non-ASCII ETag stored by an older version
        store.save_source_state(
            _state("stored-etag", server.url("/stored-etag.xml"), '"\u00e9"')
        )
    for _cycle in range(2):
        assert main(["--config", str(config), "once"]) == 0
    out = capsys.readouterr().out
    assert main(["--config", str(config), "sources"]) == 0
    table = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()]
    outcomes = {row[1] for row in rows if row[0] not in ("source", "deliveries:")}
    assert outcomes == {"new", "not_modified"}, out
    statuses = {line.split()[0]: line.split()[1] for line in table.splitlines()[1:] if line}
    assert statuses == {h: "ok" for h in ["control", *(x.id for x in hostile)]}, table
    with Store.open(database_url) as store:
        for source in hostile:
            assert store.unseen_keys(list(source.keys)) == set(), source.id
        assert store.unseen_keys(["http://feeds.test/n/1", "http://feeds.test/n/2"]) == set()
    assert len(server.requests_to("/control.xml")) == 2
    sent = [e.headers.get("If-None-Match") for e in server.requests_to("/stored-etag.xml")]
    assert sent[0] is None and (sent[1] or "").isascii()  # the stored one dropped, the new kept
    assert [e.headers.get("If-None-Match") for e in server.requests_to("/etag.xml")] == [None] * 2


def _state(source_id: str, url: str, etag: str) -> SourceState:
    return SourceState(
        source_id=source_id,
        url=url,
        configured_url=url,
        validators=Validators(etag=etag),
        last_check=None,
        next_check=None,
        last_success=None,
        failures=0,
        last_error=None,
        items_seen=0,
        status="ok",
        baselined=True,
    )


class RefusingStore(Store):
    """A database that refuses one article (as PostgreSQL refused a 3 KB key): the seam for
    'an item the store cannot take', whatever the next such item turns out to be."""

    def _save_article(self, connection, new, now):  # type: ignore[no-untyped-def]
        if "poison" in new.item.key:
            raise DataError("INSERT", {}, Exception("value too long for the index"))
        return super()._save_article(connection, new, now)


def test_an_item_the_store_refuses_costs_that_item_and_shows_in_sources(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The poll saves the other items and the state; the source shows as failing with the
    classified reason ("item: store: ..."); the control beside it is unaffected."""
    body = rss(item("poison") + item("fine"))
    workers = Workers(WorkerLimits(1, LIMITS.worker_memory, LIMITS.worker_timeout))
    store = RefusingStore.open(database_url)
    try:
        with running_feed_server() as server:
            server.serve("/p.xml", body)
            server.serve("/control.xml", GOOD)
            poisoned = _source("poisoned", f"http://feeds.test:{server.port}/p.xml", True)
            control = _source("control", f"http://control.test:{server.port}/control.xml", True)

            async def run():  # type: ignore[no-untyped-def]
                fetcher = Fetcher(HTTP, resolver=stub_resolver)
                pipeline = Pipeline(
                    _settings(),
                    store=store,
                    fetcher=fetcher,
                    notifier=Notifier(()),
                    workers=workers,
                    now=lambda: datetime.now(UTC),
                )
                try:
                    return await asyncio.gather(pipeline.poll(poisoned), pipeline.poll(control))
                finally:
                    await fetcher.aclose()

            result, controlled = asyncio.run(run())
        assert (result.outcome, result.new_articles) == ("new", 1), result
        assert (result.error or "").startswith("item: store: "), result
        assert "value too long" in (result.error or ""), result
        assert (controlled.outcome, controlled.error) == ("new", None)
        assert store.unseen_keys(["http://feeds.test/n/fine"]) == set()
        assert store.unseen_keys(["http://feeds.test/n/poison"]) == {"http://feeds.test/n/poison"}
        state = store.source_state("poisoned")
        assert state is not None and state.status == "failing"
        assert (state.last_error or "").startswith("item: store: ")
    finally:
        store.close()
        workers.close()
    _sources_table(tmp_path, database_url, [poisoned, control], capsys)


def _sources_table(
    tmp_path: Path,
    database_url: str,
    sources: list[SourceSettings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    listed = "".join(f"  - id: {s.id}\n    feed: {s.url}\n" for s in sources)
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"database: {database_url}\nwatchlists: []\nsources:\n{listed}", encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["--config", str(config), "sources"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[1:]}
    assert " failing " in rows["poisoned"] and "item: store: " in rows["poisoned"]
    assert " ok " in rows["control"]


def test_surrogate_json_is_valid_json_in_the_test() -> None:
    """The hostile JSON Feed really carries lone surrogates once decoded."""
    decoded = json.loads(SURROGATE_JSON)
    assert "\ud800" in decoded["items"][0]["id"]
