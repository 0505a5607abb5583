"""Source health: stable moves, network-wide outages, and failures reported once.

The pure rules as tables; then the pipeline on a real loopback server, SQLite or PostgreSQL,
a webhook receiver, and an injected clock (a day passes in a line).
"""

from __future__ import annotations

import asyncio
import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor import health
from monitor.config import (
    ChannelSettings,
    DeliverySettings,
    HttpSettings,
    LimitSettings,
    Settings,
    SourceSettings,
)
from monitor.fetch import Fetcher
from monitor.health import Moves, OutageWatch, follow_moves, should_report
from monitor.notify import Notifier
from monitor.pipeline import Pipeline, PollResult
from monitor.store import SourceState, Store
from monitor.workers import WorkerLimits, Workers
from tests.addresses import stub_resolver
from tests.feedserver import FeedServer, Route, running_feed_server
from tests.receivers import WebhookReceiver, closed_port

T0 = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)
HOUR = timedelta(hours=1)
FEED = b"<rss version='2.0'><channel><title>t</title><item><title>a</title><link>http://x.test/1</link></item></channel></rss>"


# --- pure rules --------------------------------------------------------------------------------


def test_a_move_is_followed_only_once_stable() -> None:
    """Three permanent redirects to the same place, over a day: then (and only then) it moves."""
    moves = Moves("http://old.test/rss")
    moves = follow_moves(moves, "http://new.test/rss", True, T0)
    assert moves == Moves("http://old.test/rss", "http://new.test/rss", 1, T0)
    moves = follow_moves(moves, "http://new.test/rss", True, T0 + HOUR)
    moves = follow_moves(moves, "http://new.test/rss", True, T0 + 2 * HOUR)
    assert moves.url == "http://old.test/rss" and moves.seen == 3  # seen enough, not long enough
    moves = follow_moves(moves, "http://new.test/rss", True, T0 + 25 * HOUR)
    assert moves == Moves("http://new.test/rss")


@pytest.mark.parametrize(
    ("final", "permanent", "expected"),
    [
        ("http://old.test/rss", False, Moves("http://old.test/rss")),  # no redirect: start over
        ("http://new.test/rss", False, Moves("http://old.test/rss")),  # a 302 on the way
        (
            "http://other.test/rss",
            True,
            Moves("http://old.test/rss", "http://other.test/rss", 1, T0),
        ),
    ],
)
def test_a_move_starts_over(final: str, permanent: bool, expected: Moves) -> None:
    """A temporary redirect, no redirect, or a different target resets the count."""
    seen = Moves("http://old.test/rss", "http://new.test/rss", 2, T0 - 30 * HOUR)
    assert follow_moves(seen, final, permanent, T0) == expected


@pytest.mark.parametrize(
    ("failing_since", "reported_at", "gone", "expected"),
    [
        (None, None, False, False),
        (T0 - 23 * HOUR, None, False, False),
        (T0 - 24 * HOUR, None, False, True),
        (T0 - 48 * HOUR, T0 - HOUR, False, False),  # reported already: never again
        (T0, None, True, True),  # a 410 is reported at once
        (T0, T0, True, False),
    ],
)
def test_should_report(
    failing_since: datetime | None, reported_at: datetime | None, gone: bool, expected: bool
) -> None:
    """A day of failures, or a 410, is reported once."""
    assert should_report(failing_since, reported_at, gone, T0) == expected


def _polled(**fields: object) -> SourceState:
    """A source polled before, at http://a.test/rss, with ``fields`` changed."""
    state = SourceState.fresh("a", "http://a.test/rss")
    polled: dict[str, object] = {"baselined": True, "last_check": T0 - HOUR, **fields}
    return replace(state, **polled)  # type: ignore[arg-type]


def test_a_success_clears_the_failures() -> None:
    """After failures (and a report), a success leaves a clean, ok state polled now."""
    failing = _polled(failures=3, status="failing", last_error="timeout", failing_since=T0,
                      reported_at=T0)  # fmt: skip
    expected = replace(_polled(), last_check=T0 + HOUR, last_success=T0 + HOUR)
    assert health.after_success(failing, "http://a.test/rss", False, T0 + HOUR) == expected


def test_a_failure_counts_and_keeps_when_the_run_began() -> None:
    """Failures count up; the run's start stays; a 410 is ``gone``; the error is cut at 300."""
    once = health.after_failure(_polled(), "x" * 400, False, T0 + HOUR, T0)
    assert (once.failures, once.status, once.failing_since, once.next_check) == (
        1, "failing", T0, T0 + HOUR
    )  # fmt: skip
    assert once.last_error == "x" * 300
    twice = health.after_failure(once, "gone", True, T0 + 2 * HOUR, T0 + HOUR)
    assert (twice.failures, twice.status, twice.failing_since) == (2, "gone", T0)


def test_an_outage_failure_is_not_counted() -> None:
    """During a network-wide outage only the check times and a noted error change."""
    note = health.outage_note("dns: no such host")
    state = health.during_outage(_polled(failures=1), note, T0 + HOUR, T0)
    assert state == _polled(failures=1, last_check=T0, next_check=T0 + HOUR, last_error=note)
    assert note.endswith("(network-wide outage: not counted against the source)")


def test_only_a_poll_that_reads_the_source_replaces_its_warning() -> None:
    """A 304 and a failure read nothing: the last warning stays (``SourceHealth.read`` sets it)."""
    warned = _polled(warning="no article links found")
    unchanged = health.after_success(warned, "http://a.test/rss", False, T0)
    failed = health.after_failure(warned, "timeout: read", False, T0 + HOUR, T0)
    outage = health.during_outage(warned, "dns", T0 + HOUR, T0)
    assert {s.warning for s in (unchanged, failed, outage)} == {"no article links found"}


FEED_KEY = "PlantedFeedKey12345"


@pytest.mark.parametrize(
    ("warning", "expected"),
    [
        (None, None),
        (" \n ", None),
        ("mismatched tag\nat line 12", "mismatched tag at line 12"),
        ("see http://u:pw@h.test/x?token=abc", "see http://***@h.test/x?token=***"),
        (f"echo={FEED_KEY}", "echo=***"),  # the source URL's own token, masked by value
        ("x" * 400, "x" * 300),
        # masked before it is cut: a cut first would leave the token's prefix, unrecognised
        ("x" * 290 + f" {FEED_KEY}", "x" * 290 + " ***"),
    ],
)
def test_a_kept_warning_is_one_secret_free_bounded_line(
    warning: str | None, expected: str | None
) -> None:
    assert health.kept_warning(warning, f"http://a.test/rss?k={FEED_KEY}") == expected


@pytest.mark.parametrize(
    ("stored", "configured", "kept"),
    [
        ("http://a.test/rss", "http://a.test/rss", True),
        ("http://u:p@a.test/rss", "http://a.test/rss", True),  # credentials are not compared
        ("http://a.test/rss", "http://b.test/rss", False),  # edited: start over
    ],
)
def test_for_config_starts_over_only_when_the_url_is_edited(
    stored: str, configured: str, kept: bool
) -> None:
    state = _polled(configured_url=stored, status="gone", moved_to="http://c.test/rss",
                    warning="no article links found")  # fmt: skip
    result = health.for_config(state, configured)
    assert (result == state) is kept
    if not kept:  # the warning was the old URL's
        expected = (configured, "ok", None, None)
        assert (result.url, result.status, result.moved_to, result.warning) == expected


def test_outage_needs_most_of_several_sources_failing_recently() -> None:
    """Three of four sources failing at the network level within 15 minutes is an outage;
    two sources, or old failures, are not."""
    watch = OutageWatch()
    watch.record("a", T0, network_failure=True)
    watch.record("b", T0, network_failure=True)
    assert not watch.is_outage(T0)  # too few sources to tell
    watch.record("c", T0, network_failure=True)
    watch.record("d", T0, network_failure=False)
    assert watch.is_outage(T0)
    assert not watch.is_outage(T0 + health.OUTAGE_WINDOW + timedelta(seconds=1))
    watch.record("b", T0, network_failure=False)
    assert not watch.is_outage(T0)


# --- the pipeline -----------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    server: FeedServer
    hook: WebhookReceiver
    store: Store
    workers: Workers
    clock: Clock

    def poll(self, *sources: SourceSettings) -> list[PollResult]:
        """A fresh pipeline (as after a restart) polls the sources at once."""

        async def go() -> list[PollResult]:
            fetcher = Fetcher(_http(), resolver=stub_resolver, now=self.clock)
            pipeline = Pipeline(
                _settings(self.hook.url),
                store=self.store,
                fetcher=fetcher,
                notifier=Notifier((ChannelSettings("hook", (self.hook.url,)),)),
                workers=self.workers,
                now=self.clock,
            )
            try:
                return list(await asyncio.gather(*(pipeline.poll(s) for s in sources)))
            finally:
                await fetcher.aclose()

        return asyncio.run(go())


def _http() -> HttpSettings:
    # deadlines no loopback answer comes near, however busy the machine
    return HttpSettings("monitor-tests", timeout=60.0, connect_timeout=30.0, per_host_interval=0.0)


def _settings(hook_url: str) -> Settings:
    return Settings(
        path="health.yaml",
        database_url="sqlite://",
        timezone="UTC",
        http=_http(),
        sources=(),
        channels=(ChannelSettings("hook", (hook_url,)),),
        topics=(),
        delivery=DeliverySettings(),
        limits=LimitSettings(worker_timeout=120.0),
    )


def stored(world: World, source_id: str) -> SourceState:
    """The stored state of a source the test has polled."""
    state = world.store.source_state(source_id)
    assert state is not None, f"{source_id} was never polled"
    return state


def source(source_id: str, url: str) -> SourceSettings:
    return SourceSettings(
        id=source_id,
        name=source_id.title(),
        kind="feed",
        url=url,
        every=600.0,
        jitter=0.0,
        allow_networks=(ipaddress.ip_network("127.0.0.1/32"),),
    )


# one xdist worker runs this module: its worker pool (a module fixture) is built once
pytestmark = pytest.mark.xdist_group("health")


@pytest.fixture(scope="module")
def workers() -> Iterator[Workers]:
    pool = Workers(WorkerLimits(1, 768 * 1024**2, 10.0))
    yield pool
    pool.close()


@pytest.fixture
def world(database_url: str, workers: Workers) -> Iterator[World]:
    store = Store.open(database_url)
    with running_feed_server() as server, WebhookReceiver() as hook:
        yield World(server, hook, store, workers, Clock())
    store.close()


def _url(world: World, path: str) -> str:
    return f"http://feeds.test:{world.server.port}{path}"


def test_permanent_redirect_moves_the_source_once_stable(world: World) -> None:
    """A 301 is followed every poll; the stored URL changes after 3 sightings over a day, and
    from then on the old URL is not requested any more."""
    world.server.route("/old.xml", Route(status=301, headers=(("Location", "/new.xml"),)))
    world.server.serve("/new.xml", FEED)
    feed = source("moving", _url(world, "/old.xml"))
    for hours in (0, 1, 2):
        world.clock.now = T0 + hours * HOUR
        [result] = world.poll(feed)
        assert result.outcome in ("new", "not_modified")
        assert stored(world, "moving").url == feed.url  # not yet
    world.clock.now = T0 + 25 * HOUR
    world.poll(feed)
    assert stored(world, "moving").url == _url(world, "/new.xml")
    before = len(world.server.requests_to("/old.xml"))
    world.clock.now = T0 + 26 * HOUR
    world.poll(feed)
    assert len(world.server.requests_to("/old.xml")) == before == 4


def test_editing_the_url_starts_over(world: World) -> None:
    """A moved (or gone) source whose URL is edited in the config polls the new URL."""
    world.server.route("/gone.xml", Route(status=410))
    world.server.serve("/fresh.xml", FEED)
    [gone] = world.poll(source("edited", _url(world, "/gone.xml")))
    assert gone.outcome == "gone"
    [again] = world.poll(source("edited", _url(world, "/gone.xml")))
    assert again.outcome == "gone" and len(world.server.requests_to("/gone.xml")) == 1
    [fresh] = world.poll(source("edited", _url(world, "/fresh.xml")))
    assert fresh.outcome == "new"


def test_gone_is_reported_once(world: World) -> None:
    """A 410 disables the source and tells the channels, once (even after a restart)."""
    world.server.route("/gone.xml", Route(status=410))
    feed = source("dropped", _url(world, "/gone.xml"))
    [result] = world.poll(feed)
    assert result.outcome == "gone"
    [notice] = world.hook.wait_for(1)
    assert "Dropped" in notice.json()["title"] + notice.json()["message"]
    assert "410" in notice.json()["message"]
    world.poll(feed)
    world.poll(feed)
    assert len(world.hook.received) == 1
    assert stored(world, "dropped").status == "gone"


def test_a_day_of_failures_is_reported_once(world: World) -> None:
    """Failing polls over a day: one notice after 24 h, none before, none again after a
    restart; a success clears it so a later day of failures is reported again."""
    world.server.route("/down.xml", Route(status=500))
    feed = source("flaky", _url(world, "/down.xml"))
    for hours in (0, 6, 12, 23):
        world.clock.now = T0 + hours * HOUR
        world.poll(feed)
    assert world.hook.received == []
    world.clock.now = T0 + 24 * HOUR
    world.poll(feed)
    [notice] = world.hook.wait_for(1)
    assert "failing since 2021-12-07 13:33 UTC" in notice.json()["message"]
    for hours in (25, 30):  # each poll by a fresh pipeline: a restart
        world.clock.now = T0 + hours * HOUR
        world.poll(feed)
    assert len(world.hook.received) == 1
    world.server.serve("/down.xml", FEED)
    world.clock.now = T0 + 31 * HOUR
    world.poll(feed)
    world.server.route("/down.xml", Route(status=500))
    for hours in (32, 57):
        world.clock.now = T0 + hours * HOUR
        world.poll(feed)
    assert len(world.hook.wait_for(2)) == 2


def test_network_outage_does_not_count_against_sources(world: World) -> None:
    """Most sources failing to connect at once is the network's fault: their failure count
    and back-off stay as they were; one source failing alone is counted."""
    dead = f"http://feeds.test:{closed_port()}"
    sources = [source(f"net-{i}", f"{dead}/feed{i}.xml") for i in range(4)]
    world.poll(sources[0])  # alone: counted
    assert stored(world, "net-0").failures == 1
    results = world.poll(*sources)
    failures = {s.id: stored(world, s.id).failures for s in sources}
    assert all(r.outcome == "failed" for r in results)
    assert sum(failures.values()) <= 3 and failures["net-0"] <= 2
    outage = [r for r in results if "network-wide outage" in (r.error or "")]
    assert outage and all(r.next_check == T0 + timedelta(seconds=600) for r in outage)
