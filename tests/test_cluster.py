"""Several nodes on one database: the pure decisions, the leases and the fence in the store
(PostgreSQL), and the one-daemon lock on SQLite. Real processes: ``tests/test_nodes.py``."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from monitor import cluster
from monitor.cli.daemon import open_node
from monitor.cluster import Lease
from monitor.config import ClusterSettings, HttpSettings, load_settings
from monitor.database_watch import DatabaseWatch
from monitor.errors import FetchError, LeaseLost, StoreError
from monitor.fetch import Fetcher
from monitor.node import DatabaseHosts, Node, single_node
from monitor.notify import render_test
from monitor.pipeline import PollResult
from monitor.store import ArticlePage, Candidate, NewArticle, Placing, SourceState, Store, fenced
from monitor.story import band_keys, fingerprint, story_for
from monitor.types import Item, Validators
from tests.feedserver import Route, running_feed_server
from tests.nodes import wait_until
from tests.receivers import WebhookReceiver
from tests.test_store import stories_of
from tests.test_story import COPY, OTHER, SEED_TEXT

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
LEASE = 15.0
DAY = timedelta(days=1)


def state(source_id: str, next_check: datetime | None = NOW) -> SourceState:
    return SourceState(
        source_id, f"http://127.0.0.1/{source_id}", Validators(), None, next_check, None, 0, None,
        0, "ok", False,
    )  # fmt: skip


@pytest.fixture
def store(postgres_url: str) -> Iterator[Store]:
    with Store.open(postgres_url) as opened:
        yield opened


def expire(store: Store, owner: str) -> None:
    """Let ``owner``'s leases lapse, as if it had been silent past the lease time."""
    with store._engine.begin() as connection:
        past = {"owner": owner}
        connection.execute(
            text(
                "UPDATE source SET lease_expires = now() - interval '1 second'"
                " WHERE lease_owner = :owner"
            ),
            past,
        )
        connection.execute(
            text("UPDATE lease SET expires = now() - interval '1 second' WHERE owner = :owner"),
            past,
        )


def under(lease: Lease, call, *args):  # type: ignore[no-untyped-def]
    """Run ``call`` as a task working under ``lease`` would."""
    return fenced(lease).run(call, *args)


# --- pure decisions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wanted", "alive", "held", "expected"),
    [(4, 2, 0, 2), (5, 2, 0, 3), (4, 2, 2, 0), (1, 3, 0, 1), (3, 0, 0, 3), (2, 2, 3, 0)],
)
def test_fair_share(wanted: int, alive: int, held: int, expected: int) -> None:
    """A node takes its share of the waiting channels, counting those it runs already."""
    assert cluster.fair_share(wanted, alive, held) == expected


def test_next_claim_wakes_when_the_next_source_is_due_within_a_tick() -> None:
    """The claim loop sleeps until the next due source, at most one tick, never into the past."""
    tick, second = 2.0, timedelta(seconds=1)
    assert cluster.next_claim(NOW, NOW + second, tick) == NOW + second
    assert cluster.next_claim(NOW, NOW + timedelta(hours=1), tick) == NOW + 2 * second
    assert cluster.next_claim(NOW, NOW - timedelta(hours=1), tick) == NOW
    assert cluster.next_claim(NOW, None, tick) == NOW + 2 * second


def test_next_claim_does_not_spin() -> None:
    """Overdue sources it could not claim (others were) or no free slot: the loop waits."""
    overdue = NOW - timedelta(minutes=1)
    assert cluster.next_claim(NOW, overdue, 2.0, claimed=False) == NOW + timedelta(seconds=0.2)
    assert cluster.next_claim(NOW, overdue, 2.0, full=True) == NOW + timedelta(seconds=2)


def test_first_polls_are_staggered() -> None:
    """A cold cluster's sources fall due one after another, not all at once."""
    first = cluster.first_polls(["a", "b", "c"], NOW)
    assert sorted(first.values()) == list(first.values())
    assert len(set(first.values())) == 3


# --- claims ---------------------------------------------------------------------------------


@pytest.mark.postgres
def test_due_sources_are_claimed_once_most_overdue_first(store: Store) -> None:
    """Two nodes claiming at once get disjoint sources; a source not due yet is not claimed."""
    store.register_sources(
        [state("late", NOW - timedelta(minutes=5)), state("due"), state("later", NOW + DAY)]
    )
    ids = ["late", "due", "later"]
    a = store.claim_sources(ids, "a", NOW, LEASE, limit=1)
    b = store.claim_sources(ids, "b", NOW, LEASE, limit=5)
    assert [lease.name for lease in a] == ["late"]
    assert [lease.name for lease in b] == ["due"]
    assert store.claim_sources(ids, "c", NOW, LEASE, limit=5) == []


@pytest.mark.postgres
def test_a_node_claims_its_share_of_the_waiting_sources(store: Store) -> None:
    """With two nodes alive, one claim takes half of the due sources (rounded up)."""
    ids = [f"s{n}" for n in range(5)]
    store.register_sources([state(i) for i in ids])
    first = store.claim_sources(ids, "a", NOW, LEASE, limit=10, nodes=2)
    second = store.claim_sources(ids, "b", NOW, LEASE, limit=10, nodes=2)
    assert (len(first), len(second)) == (3, 1)


@pytest.mark.postgres
def test_a_lapsed_lease_is_claimed_again_with_a_new_epoch(store: Store) -> None:
    """A node silent past its lease loses its sources to the next claim."""
    store.register_sources([state("s")])
    (first,) = store.claim_sources(["s"], "a", NOW, LEASE, limit=1)
    assert store.claim_sources(["s"], "b", NOW, LEASE, limit=1) == []
    expire(store, "a")
    (second,) = store.claim_sources(["s"], "b", NOW, LEASE, limit=1)
    assert (second.owner, second.epoch) == ("b", first.epoch + 1)


@pytest.mark.postgres
def test_heartbeat_renews_held_leases_but_not_lapsed_ones(store: Store) -> None:
    """A heartbeat keeps a node's leases; one that lapsed (a pause) stays lost."""
    store.register_sources([state("kept"), state("lapsed")])
    store.claim_sources(["lapsed"], "a", NOW, LEASE, limit=1)
    expire(store, "a")
    store.claim_sources(["kept"], "a", NOW, LEASE, limit=1)
    store.heartbeat("a", "host", 1, LEASE)
    (node,) = store.nodes()
    assert (node.node, node.alive, node.sources) == ("a", True, ("kept",))
    assert store.claim_sources(["kept", "lapsed"], "b", NOW, LEASE, limit=5)[0].name == "lapsed"


@pytest.mark.postgres
def test_a_release_says_whether_it_gave_the_lease_back(store: Store) -> None:
    """Held: given back (True); lapsed and claimed again by another node: nothing (False)."""
    store.register_sources([state("held"), state("taken")])
    held, stale = store.claim_sources(["held", "taken"], "a", NOW, LEASE, limit=2)
    expire(store, "a")
    (taken,) = store.claim_sources(["taken"], "b", NOW, LEASE, limit=1)
    assert (store.release(held), store.release(stale)) == (True, False)
    assert store.release(taken) is True


@pytest.mark.postgres
def test_the_beat_logs_only_the_leases_it_gave_back(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    """Two releases failed in an outage; one lease lapsed meanwhile and node B claimed it.
    A's next beat gives back the one it still held and says so; of the other it says nothing
    (a tester read "lease given back" for a lease B held)."""
    store.register_sources([state("kept"), state("lapsed")])
    a = Node(store, ClusterSettings(lease=LEASE), lambda: NOW, name="a")
    (lapsed,) = store.claim_sources(["lapsed"], "a", NOW, LEASE, limit=1)
    expire(store, "a")
    store.claim_sources(["lapsed"], "b", NOW, LEASE, limit=1)
    (kept,) = store.claim_sources(["kept"], "a", NOW, LEASE, limit=1)
    a.unreleased = {kept, lapsed}
    with caplog.at_level(logging.INFO, logger="monitor.node"):
        asyncio.run(a.beat())
    given_back = [r.getMessage() for r in caplog.records if "given back" in r.getMessage()]
    assert given_back == ["lease given back after the database failed source=kept"]
    assert a.unreleased == set() and a.database.health.ok
    taken = store.claim_sources(["kept", "lapsed"], "c", NOW, LEASE, limit=2)
    assert [lease.name for lease in taken] == ["kept"]  # B still holds "lapsed"


@pytest.mark.postgres
def test_leaving_gives_everything_back(store: Store) -> None:
    store.register_sources([state("s")])
    store.heartbeat("a", "host", 1, LEASE)
    store.claim_sources(["s"], "a", NOW, LEASE, limit=1)
    store.claim_leases(["channel:c"], "a", LEASE, limit=1)
    store.leave("a")
    assert store.nodes() == []
    assert store.claim_sources(["s"], "b", NOW, LEASE, limit=1)[0].owner == "b"
    assert store.claim_leases(["channel:c"], "b", LEASE, limit=1)[0].owner == "b"


# --- the fence ------------------------------------------------------------------------------


@pytest.mark.postgres
def test_the_polls_write_releases_the_source(store: Store) -> None:
    """The poll's final write, under its lease, records the state and frees the source."""
    store.register_sources([state("s")])
    (lease,) = store.claim_sources(["s"], "a", NOW, LEASE, limit=1)
    polled = replace(state("s", NOW + timedelta(minutes=1)), items_seen=3)
    under(lease, store.save_source_state, polled)
    assert store.source_state("s") == polled
    assert store.nodes() == [] and store.next_due(["s"]) == NOW + timedelta(minutes=1)
    with pytest.raises(LeaseLost):  # released: a second write under it is refused
        under(lease, store.save_source_state, polled)


@pytest.mark.postgres
def test_a_node_that_lost_its_source_records_nothing(store: Store) -> None:
    """Paused past the lease, another node took the source: the late write is refused whole."""
    store.register_sources([state("s")])
    (stale,) = store.claim_sources(["s"], "a", NOW, LEASE, limit=1)
    expire(store, "a")
    (current,) = store.claim_sources(["s"], "b", NOW, LEASE, limit=1)
    late = replace(state("s"), items_seen=99, last_error="late")
    with pytest.raises(LeaseLost):
        under(stale, store.save_poll, late, [], NOW)
    assert store.source_state("s") == state("s")
    under(current, store.save_source_state, replace(state("s"), items_seen=1))
    assert store.source_state("s").items_seen == 1  # type: ignore[union-attr]


@pytest.mark.postgres
def test_a_lapsed_lease_fences_even_if_nobody_took_it(store: Store) -> None:
    """Fencing is by owner, epoch and expiry: a lapsed lease writes nothing either."""
    store.register_sources([state("s")])
    (lease,) = store.claim_sources(["s"], "a", NOW, LEASE, limit=1)
    expire(store, "a")
    with pytest.raises(LeaseLost):
        under(lease, store.save_source_state, state("s"))


@pytest.mark.postgres
def test_channel_round_is_fenced_before_each_send_and_write(store: Store) -> None:
    """A channel round checks its lease before a send and in every write; lost: nothing."""
    (lease,) = store.claim_leases(["channel:hook"], "a", LEASE, limit=1)
    assert store.claim_leases(["channel:hook"], "b", LEASE, limit=1) == []
    under(lease, store.check_fence)  # held: no error
    expire(store, "a")
    (taken,) = store.claim_leases(["channel:hook"], "b", LEASE, limit=1)
    assert taken.epoch == lease.epoch + 1
    with pytest.raises(LeaseLost):
        under(lease, store.check_fence)
    with pytest.raises(LeaseLost):
        under(lease, store.mark_rolled, ["x"])
    store.release(lease)  # the stale holder's release changes nothing
    assert store.claim_leases(["channel:hook"], "c", LEASE, limit=1) == []


@pytest.mark.postgres
def test_no_fence_outside_a_lease(store: Store) -> None:
    """Outside a leased task (one node, ``monitor once``) writes are not fenced."""
    assert contextvars.copy_context().run(store.check_fence) is None
    store.save_source_state(state("s"))
    assert store.source_state("s") == state("s")


# --- SQLite: one daemon ---------------------------------------------------------------------


def test_a_second_daemon_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    """The first holds a lock file next to the database; the second gets a clear error."""
    url = f"sqlite:///{tmp_path / 'data' / 'monitor.db'}"
    refused = pytest.raises(StoreError, match=r"another `monitor run` is using .*use PostgreSQL")
    with single_node(url), refused, single_node(url):
        pass
    with single_node(url):  # released on exit
        pass


def test_no_lock_on_postgresql() -> None:
    url = "postgresql+psycopg://u@127.0.0.1:5432/db"
    with single_node(url), single_node(url):
        pass


# --- politeness the nodes agree on ----------------------------------------------------------

UA = "news-monitor-tests/0.1 (+https://example.org/contact)"


@pytest.mark.postgres
def test_host_starts_are_reserved_in_one_sequence(store: Store) -> None:
    """Each reservation for a host is one interval after the last anyone took."""
    assert store.reserve_host("a.example", 10.0) == 0.0
    assert 9.0 < store.reserve_host("a.example", 10.0) <= 10.0
    assert 19.0 < store.reserve_host("a.example", 10.0) <= 20.0
    assert store.reserve_host("b.example", 10.0) == 0.0


@pytest.mark.postgres
def test_two_nodes_space_their_requests_to_one_host(store: Store) -> None:
    """Two fetchers (two nodes) fetching one host at once take their start times from one
    sequence: the sixth request starts five intervals after the first could (each node alone
    would take two). A busy machine only makes requests later, never earlier, so the bound
    holds however slow it is; single gaps are not judged (a late start shortens the next)."""
    with running_feed_server() as server:
        url = server.serve("/feed.xml", b"<rss/>")
        settings = HttpSettings(UA, per_host_interval=0.5, allow_private_networks=True)

        async def go() -> None:
            nodes = [
                Fetcher(settings, hosts=DatabaseHosts(store, DatabaseWatch(lambda: NOW)))
                for _ in range(2)
            ]
            try:
                await asyncio.gather(*(f.fetch(url) for f in nodes for _ in range(3)))
            finally:
                for fetcher in nodes:
                    await fetcher.aclose()

        began = time.monotonic()  # the clock of the server's log
        asyncio.run(go())
        starts = sorted(entry.at for entry in server.log)
    assert len(starts) == 6
    assert starts[-1] - began >= 2.5  # 5 x 0.5 s


@pytest.mark.postgres
def test_a_retry_after_given_to_one_node_holds_every_node(store: Store) -> None:
    """A 429 with Retry-After to one node: the other sends nothing to that host either (the
    first closes first, which waits for the hold to be written: the write does not hold up
    the fetch that was refused)."""
    with running_feed_server() as server:
        busy = server.route("/busy", Route(status=429, headers=(("Retry-After", "60"),)))
        other = server.serve("/other.xml", b"<rss/>")
        settings = HttpSettings(UA, per_host_interval=0.0, allow_private_networks=True)

        async def go() -> tuple[FetchError, FetchError]:
            first = Fetcher(settings, hosts=DatabaseHosts(store, DatabaseWatch(lambda: NOW)))
            second = Fetcher(settings, hosts=DatabaseHosts(store, DatabaseWatch(lambda: NOW)))
            try:
                with pytest.raises(FetchError) as refused:
                    await first.fetch(busy)
            finally:
                await first.aclose()
            try:
                with pytest.raises(FetchError) as held:
                    await second.fetch(other)
            finally:
                await second.aclose()
            return refused.value, held.value

        refused, held = asyncio.run(go())
        paths = [entry.path for entry in server.log]
    assert refused.status == 429
    assert held.status == 429 and held.retry_after is not None and held.retry_after > 50
    assert paths == ["/busy"]


# --- a node in process: fenced polls and sends ----------------------------------------------


def node_config(tmp_path: Path, database_url: str, feed_url: str, hook_url: str) -> Path:
    (tmp_path / "watchlists").mkdir(exist_ok=True)
    (tmp_path / "watchlists" / "w.yaml").write_text(
        "topics:\n  - id: t\n    query: Rusia AND ASEAN\n    threshold: 0.1\n"
    )
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"database: {database_url}\n"
        "web: {listen: off}\n"
        "http: {user_agent: t, allow_private_networks: true, per_host_interval: 0s}\n"
        f"sources:\n  - id: s\n    feed: {feed_url}\n    follow: false\n"
        f"channels:\n  hook:\n    urls: ['{hook_url}?rto=5']\n"
    )
    return config


@pytest.mark.postgres
def test_a_poll_whose_lease_lapsed_meanwhile_records_nothing(
    tmp_path: Path, postgres_url: str
) -> None:
    """The node is stopped in the middle of a poll (the feed answers slowly) past its lease:
    the poll ends without recording anything; the source is due as before, for any node."""
    with running_feed_server() as server, WebhookReceiver() as hook:
        feed = server.route("/feed.xml", Route(body=b"<rss version='2.0'></rss>", delay=1.0))
        settings = load_settings(node_config(tmp_path, postgres_url, feed, hook.url), {})

        async def go() -> PollResult | None:
            async with open_node(settings, True) as (pipeline, node):
                assert node is not None
                await node.beat()
                await node.register(settings.sources)
                (lease,) = await node.claim(["s"], 1)
                polling = asyncio.create_task(node.poll(pipeline, settings.sources[0], lease))
                while not server.requests_to("/feed.xml"):
                    await asyncio.sleep(0.01)
                await asyncio.to_thread(expire, pipeline.store, node.name)
                return await polling

        with Store.open(postgres_url) as store:
            result = asyncio.run(go())
            after = store.source_state("s")
    assert result is None
    assert after is not None and after.last_check is None and not after.baselined


@pytest.mark.postgres
def test_a_node_that_lost_its_lease_sends_nothing(tmp_path: Path, postgres_url: str) -> None:
    """The notifier of a node checks the task's lease before sending: lost, nothing goes out."""
    with running_feed_server() as server, WebhookReceiver() as hook:
        settings = load_settings(
            node_config(tmp_path, postgres_url, server.url("/f.xml"), hook.url), {}
        )
        with Store.open(postgres_url) as store:
            node = Node(store, settings.cluster, lambda: NOW)
            notifier = node.notifier(settings.channels)
            (lease,) = store.claim_leases(["channel:hook"], node.name, LEASE, limit=1)
            message = render_test("hook", "text", NOW)

            async def send() -> None:
                await asyncio.create_task(notifier.send("hook", message), context=fenced(lease))

            asyncio.run(send())
            assert len(hook.received) == 1
            expire(store, node.name)
            with pytest.raises(LeaseLost):
                asyncio.run(send())
        assert len(hook.received) == 1


def test_a_second_monitor_run_on_one_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    """A real second daemon on the same SQLite file exits at once with a clear message."""
    config = tmp_path / "monitor.yaml"
    config.write_text(
        f"database: sqlite:///{tmp_path / 'monitor.db'}\nhttp: {{user_agent: t}}\n"
        "web: {listen: off}\n"
    )
    command = [sys.executable, "-m", "monitor", "--config", str(config), "run"]
    log = tmp_path / "first.log"
    with open(log, "wb") as out:
        first = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while "daemon started" not in log.read_text():
            assert time.monotonic() < deadline and first.poll() is None, log.read_text()
            time.sleep(0.05)
        second = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        first.terminate()
        first.wait(timeout=300)
    assert second.returncode == 3
    assert "another `monitor run` is using" in second.stderr
    assert "use PostgreSQL" in second.stderr


class _Held:
    """A story decision that holds its save open (band keys locked, story chosen, nothing
    committed) until ``go``: another node's save, caught in the middle."""

    def __init__(self) -> None:
        self.placed, self.go = threading.Event(), threading.Event()

    def __call__(self, article: NewArticle, candidates: Sequence[Candidate]) -> str:
        self.placed.set()
        assert self.go.wait(60)
        return _story_of(article, candidates)


def _saving(
    store: Store, source_id: str, key: str, text_: str, story_of: Placer | None = None,
    lease: Lease | None = None,
) -> threading.Thread:  # fmt: skip
    """A thread saving a poll of one article (under ``lease``, if given), placed in stories."""
    placing = Placing(NOW - DAY, story_of or _story_of)
    args = (state(source_id), [_article(source_id, key, text_)], NOW, placing)
    if lease is None:
        saving = threading.Thread(target=store.save_poll, args=args)
    else:
        saving = threading.Thread(target=under, args=(lease, store.save_poll, *args))
    saving.start()
    return saving


@pytest.mark.postgres
def test_copies_saved_by_two_nodes_at_once_join_one_story(store: Store) -> None:
    """A node saving a copy while another is between placing the original and committing it
    waits for that commit (they share a band key), then joins its story; a save of another
    story (no band in common) does not wait."""
    held = _Held()
    first = _saving(store, "src-a", "https://a.example/1", SEED_TEXT, held)
    try:
        assert held.placed.wait(60)
        other = _saving(store, "src-c", "https://c.example/1", OTHER)
        other.join(60)
        assert not other.is_alive()  # another story: saved while the original is held
        copy = _saving(store, "src-b", "https://b.example/1", COPY)
        wait_until(lambda: _waiting_for_advisory_locks(store) == 1, 60, "the copy to wait")
    finally:
        held.go.set()
        first.join(60)
    copy.join(60)
    assert stories_of(store) == {
        "https://a.example/1": "https://a.example/1",
        "https://b.example/1": "https://a.example/1",
        "https://c.example/1": "https://c.example/1",
    }


@pytest.mark.postgres
def test_a_save_waiting_for_a_copys_holds_up_no_heartbeat(store: Store) -> None:
    """A copy's save waits for the original's with no row locked: the heartbeat of its node,
    which renews the lease row the save is fenced by, goes on (else a wait for a paused node's
    save could cost the waiting node all its leases)."""
    store.register_sources([state("src-b")])
    (lease,) = store.claim_sources(["src-b"], "b", NOW, LEASE, limit=1)
    held = _Held()
    first = _saving(store, "src-a", "https://a.example/1", SEED_TEXT, held)
    try:
        assert held.placed.wait(60)
        copy = _saving(store, "src-b", "https://b.example/1", COPY, lease=lease)
        wait_until(lambda: _waiting_for_advisory_locks(store) == 1, 60, "the copy to wait")
        beat = threading.Thread(target=store.heartbeat, args=("b", "host", 1, LEASE))
        beat.start()
        beat.join(60)
        assert not beat.is_alive()
    finally:
        held.go.set()
        first.join(60)
    copy.join(60)
    assert store.source_state("src-b") == state("src-b")  # saved under its lease, released
    assert store.nodes()[0].sources == ()


Placer = Callable[[NewArticle, Sequence[Candidate]], str]


def _article(source_id: str, key: str, text_: str) -> NewArticle:
    print_ = fingerprint(text_)
    assert print_ is not None
    item = Item(key, key, None, "Title", "", None, None)
    page = ArticlePage(text=text_, fingerprint=print_, bands=band_keys(print_))
    return NewArticle(item, source_id, source_id, (), False, page)


def _story_of(article: NewArticle, candidates: Sequence[Candidate]) -> str:
    return story_for(article.page.fingerprint, article.source_id, candidates) or article.item.key


def _waiting_for_advisory_locks(store: Store) -> int:
    query = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND wait_event = 'advisory'"
    )
    with store._engine.connect() as connection:
        return int(connection.execute(text(query)).scalar_one())
