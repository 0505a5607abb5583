"""monitor.deliver: delivery rounds with the real store (SQLite and PostgreSQL), the real notifier
and real receivers on loopback, driven by a simulated clock. Includes the outage test: a channel
down for an hour while 100 matches arrive."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.config import ChannelSettings, DeliverySettings, HttpSettings, Settings
from monitor.deliver.run import Deliverer, DeliveryReport, digest_id
from monitor.notify import Notifier
from monitor.runtime import Loaded, Runtime
from monitor.store import NewArticle, NewDigest, SourceState, Store
from monitor.types import Hit, Item, Match, Topic, Validators
from monitor.vocab import parse_quiet
from tests.receivers import SmtpReceiver, WebhookReceiver, WebhookRequest, closed_port

# 2024-03-04 09:00 in Jakarta
T0 = datetime(2024, 3, 4, 2, 0, tzinfo=UTC)
TOPICS = (
    Topic("asean", "Russia–ASEAN security ties", "Rusia AND ASEAN", 0.3),
    Topic("sea", "South China Sea", "Laut AND Cina", 0.3),
)


class Clock:
    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Desk:
    """A store, a clock and a deliverer for some channels; ``add`` stores new matches."""

    store: Store
    clock: Clock
    settings: Settings
    runtime: Runtime = field(init=False)
    deliverer: Deliverer = field(init=False)
    count: int = 0

    def __post_init__(self) -> None:
        loaded = Loaded(self.settings, Notifier(self.settings.channels))
        self.runtime = Runtime(loaded, store=self.store, now=self.clock, rng=random.Random(5))
        self.deliverer = Deliverer(self.runtime)

    def use(self, settings: Settings, timeout: float = 10.0) -> None:
        """Hot reload: the same deliverer's rounds use ``settings`` from now on."""
        self.settings = settings
        self.runtime.reload(Loaded(settings, Notifier(settings.channels, timeout=timeout)))

    def add(self, n: int = 1, topic: str = "asean", score: float = 0.5, **article: Any) -> None:
        channels = tuple(c.name for c in self.settings.channels)
        new = []
        for _ in range(n):
            self.count += 1
            key = f"https://news.example/{self.count}"
            item = Item(
                key=key,
                url=key,
                guid=None,
                title=article.get("title", f"Rusia dan ASEAN, berita {self.count}"),
                summary=article.get("summary", "Rusia dan ASEAN sepakat bekerja sama."),
                published=self.clock.now,
            )
            match = Match(topic, score, (Hit("Rusia", "title", 0, "Rusia"),))
            name = next(t.name for t in TOPICS if t.id == topic)
            new.append(NewArticle(item, "src", "Republika", ((match, name, channels),), True))
        self.store.save_poll(_state(), new, self.clock.now)

    def round(self) -> DeliveryReport:
        return asyncio.run(self.deliverer.round())


def _state() -> SourceState:
    return SourceState("src", "https://news.example/rss", Validators(), None, None, None, 0, None,
                       0, "ok", True)  # fmt: skip


def settings(*channels: ChannelSettings, **delivery: Any) -> Settings:
    return Settings(
        path="monitor.yaml",
        database_url="",
        timezone="Asia/Jakarta",
        http=HttpSettings("test"),
        sources=(),
        channels=channels,
        topics=TOPICS,
        delivery=replace(DeliverySettings(), **delivery),
    )


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store.open(database_url) as opened:
        yield opened


@pytest.fixture
def hook() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as receiver:
        yield receiver


def desk_for(store: Store, *channels: ChannelSettings, **delivery: Any) -> Desk:
    return Desk(store, Clock(), settings(*channels, **delivery))


def ids_in(requests: list[WebhookRequest]) -> list[str]:
    """Every delivery id the receiver got: a single's own, or each one a digest carried."""
    found: list[str] = []
    for request in requests:
        payload = request.json()
        found += payload.get("delivery_ids") or [payload["delivery_id"]]
    return found


def statuses(store: Store) -> dict[str, int]:
    counts = Counter(d.status for d in store.deliveries(limit=10_000))
    return {s: counts[s] for s in ("pending", "sent", "dead")}


# --- sending and recording -----------------------------------------------------------------------


def test_single_alert_is_sent_once_with_its_id(store: Store, hook: WebhookReceiver) -> None:
    """A match reaches the webhook with its delivery id; it is marked sent; nothing is re-sent."""
    desk = desk_for(store, ChannelSettings("hook", (hook.url,), "markdown"))
    desk.add()
    assert desk.round() == DeliveryReport(sent=1)
    [request] = hook.received
    [record] = store.deliveries()
    assert request.json()["delivery_id"] == record.delivery_id == request.headers["x-delivery-id"]
    assert record.status == "sent" and record.sent_at == T0
    assert desk.round() == DeliveryReport()
    assert len(hook.received) == 1


def test_email_carries_the_delivery_id(store: Store) -> None:
    with SmtpReceiver() as smtp:
        desk = desk_for(store, ChannelSettings("mail", (smtp.apprise_url,), "html"))
        desk.add()
        desk.round()
        [mail] = smtp.messages
    [record] = store.deliveries()
    assert mail.message["X-Delivery-Id"] == record.delivery_id
    assert f"id: {record.delivery_id}" in mail.text()


@pytest.mark.parametrize(
    ("reply", "expected_wait"),
    [
        ({"status": 500}, (30, 60)),  # first retry: retry_base 1m with jitter in [base/2, base]
        ({"status": 429, "retry_after": "600"}, (600, 600)),  # Retry-After honoured
        ({"status": 503, "retry_after": "7200"}, (7200, 7200)),  # even beyond retry_max
    ],
)
def test_failed_send_backs_the_channel_off(
    store: Store, hook: WebhookReceiver, reply: dict[str, Any], expected_wait: tuple[int, int]
) -> None:
    """A refused send leaves the delivery pending, counts the attempt, and blocks the channel
    until the back-off (or the receiver's Retry-After) has passed; then it goes through."""
    hook.reply(**reply)
    desk = desk_for(store, ChannelSettings("hook", (hook.url,)))
    desk.add()
    assert desk.round() == DeliveryReport(failed=1)
    state = store.channel_state("hook")
    assert state is not None and state.blocked_until is not None
    wait = (state.blocked_until - T0).total_seconds()
    low, high = expected_wait
    assert low <= wait <= high
    [record] = store.deliveries()
    assert (record.status, record.attempts) == ("pending", 1)
    hook.reply(200)
    desk.clock.advance(seconds=wait - 1)
    assert desk.round() == DeliveryReport()  # still backing off: not even tried
    assert len(hook.received) == 1
    desk.clock.advance(seconds=2)
    assert desk.round() == DeliveryReport(sent=1)
    state = store.channel_state("hook")
    assert state is not None and state.failures == 0


def test_refused_connection_is_retried(store: Store) -> None:
    url = f"json://127.0.0.1:{closed_port()}/hook?cto=1&rto=1"
    desk = desk_for(store, ChannelSettings("down", (url,)))
    desk.add()
    assert desk.round() == DeliveryReport(failed=1)
    [record] = store.deliveries()
    assert record.status == "pending" and "connection failed" in (record.last_error or "")


def test_a_down_or_rejecting_channel_never_delays_another(store: Store) -> None:
    """401, refused, and hanging channels fail on their own; the good one is served while the
    hanging one still waits for its answer (it is answered only after that)."""
    with WebhookReceiver() as good, WebhookReceiver() as rejecting, WebhookReceiver() as hanging:
        rejecting.reply(401)
        hanging.reply(503, held=True)
        refused = f"json://127.0.0.1:{closed_port()}/x?cto=1"
        desk = desk_for(
            store,
            ChannelSettings("hanging", (hanging.url + "?rto=300",)),
            ChannelSettings("rejecting", (rejecting.url,)),
            ChannelSettings("refused", (refused,)),
            ChannelSettings("good", (good.url,)),
        )
        desk.use(desk.settings, timeout=300)
        desk.add()

        async def rounds() -> str:
            await desk.deliverer.round(wait=False)  # the daemon's way: do not wait
            await asyncio.to_thread(good.wait_for, 1, 60)
            [waiting] = [d for d in store.deliveries() if d.channel == "hanging"]
            hanging.release()
            await desk.deliverer.drain(60)
            return waiting.status + (waiting.last_error or "")

        assert asyncio.run(rounds()) == "pending"  # not yet answered when good was served
    by_channel = {d.channel: d for d in store.deliveries()}
    assert by_channel["good"].status == "sent"
    assert "HTTP 401" in (by_channel["rejecting"].last_error or "")
    assert "HTTP 503" in (by_channel["hanging"].last_error or "")
    assert by_channel["refused"].status == "pending"


def test_graceful_stop_finishes_and_records_a_send_in_flight(
    store: Store, hook: WebhookReceiver
) -> None:
    """A stop during a slow send waits for it and records it; nothing new starts after."""
    hook.reply(200, held=True)
    desk = desk_for(store, ChannelSettings("hook", (hook.url,)))
    desk.add(2)

    async def stop_midway() -> None:
        await desk.deliverer.round(wait=False)
        await asyncio.to_thread(hook.wait_for_arrivals, 1)  # the first send is in flight
        desk.deliverer.stop_sending()
        hook.release()
        await desk.deliverer.drain(60)

    asyncio.run(stop_midway())
    assert len(hook.received) == 1
    assert statuses(store) == {"pending": 1, "sent": 1, "dead": 0}


# --- dead letters ---------------------------------------------------------------------------


def test_dead_after_the_attempt_limit_and_reported(store: Store, hook: WebhookReceiver) -> None:
    """After ``max_attempts`` failures a delivery is dead, listed, and reported elsewhere."""
    with WebhookReceiver() as ops:
        hook.reply(500)
        desk = desk_for(
            store,
            ChannelSettings("hook", (hook.url,)),
            ChannelSettings("ops", (ops.url,)),
            max_attempts=3,
            dead_letter="ops",
        )
        desk.add()
        ops_id = next(d.delivery_id for d in store.deliveries() if d.channel == "ops")
        for _ in range(3):
            desk.round()
            desk.clock.advance(hours=1)
        [dead] = store.deliveries(status="dead")
        assert (
            dead.channel == "hook" and dead.attempts == 3 and "HTTP 500" in (dead.last_error or "")
        )
        reports = [r.json() for r in ops.received if r.json()["delivery_id"] != ops_id]
        assert len(reports) == 1 and reports[0]["delivery_ids"] == [dead.delivery_id]
        assert "could not be delivered" in reports[0]["title"]
        desk.round()
        assert len(ops.received) == 2  # reported once
    assert len(hook.received) == 3  # never tried again


def test_a_dead_deliverys_reason_counts_its_own_attempts(
    store: Store, hook: WebhookReceiver
) -> None:
    """Found by an operator: a delivery tried twice said "gave up after 4 failed attempts",
    the channel's run of failures, which a long outage makes any length."""
    hook.reply(500)
    desk = desk_for(store, ChannelSettings("hook", (hook.url,)), max_attempts=2)
    for _ in range(2):  # the first delivery dies after 2 attempts; the channel keeps failing
        desk.add()
        for _ in range(2):
            desk.round()
            desk.clock.advance(hours=1)
    dead = store.deliveries(status="dead")
    assert [d.attempts for d in dead] == [2, 2]
    assert all((d.last_error or "").startswith("gave up after 2 failed") for d in dead)


def test_dead_after_max_age(store: Store, hook: WebhookReceiver) -> None:
    hook.reply(503)
    desk = desk_for(store, ChannelSettings("hook", (hook.url,)), max_age=3600)
    desk.add()
    desk.round()
    desk.clock.advance(hours=2)
    desk.round()
    [dead] = store.deliveries(status="dead")
    assert dead.attempts == 2


def test_deliveries_of_a_removed_channel_die_after_max_age(store: Store) -> None:
    with WebhookReceiver() as hook:
        desk = desk_for(store, ChannelSettings("gone", (hook.url,)), max_age=3600)
        desk.add()
        desk.use(settings(ChannelSettings("other", (hook.url,)), max_age=3600))
        desk.round()
        assert statuses(store)["pending"] == 1  # not yet: the channel may come back
        desk.clock.advance(hours=2)
        desk.round()
    [dead] = store.deliveries(status="dead")
    assert dead.last_error == "the channel is no longer configured"


def test_a_hot_reload_moves_the_next_round_to_the_new_channels(store: Store) -> None:
    """One runtime, one deliverer: after ``reload`` the next round sends through the channels
    (and notifier) of the new configuration, and the old channel gets nothing more."""
    with WebhookReceiver() as old, WebhookReceiver() as new:
        desk = desk_for(store, ChannelSettings("old", (old.url,)))
        desk.add()
        assert desk.round() == DeliveryReport(sent=1)
        desk.use(settings(ChannelSettings("new", (new.url,))))
        desk.add()
        assert desk.round() == DeliveryReport(sent=1)
        assert (len(old.received), len(new.received)) == (1, 1)


# --- calm ----------------------------------------------------------------------------------------


def test_scheduled_digest_groups_by_topic_best_first(store: Store, hook: WebhookReceiver) -> None:
    """``digest: "0 8 * * *"``: nothing until 08:00 local, then one message, by topic, best
    first, each line with its own delivery id."""
    desk = desk_for(store, ChannelSettings("hook", (hook.url,), "text", digest="0 8 * * *"))
    desk.add(1, "sea", 0.4, title="Kapal Cina di Laut Natuna")
    desk.add(1, "asean", 0.6, title="Rusia ASEAN latihan")
    desk.add(1, "asean", 0.9, title="Rusia ASEAN pertahanan")
    assert desk.round() == DeliveryReport()
    desk.clock.advance(hours=22, minutes=59)  # 07:59 local
    assert desk.round() == DeliveryReport()
    desk.clock.advance(minutes=1)
    assert desk.round() == DeliveryReport(sent=3, digests=1)
    [request] = hook.received
    body = request.json()["message"]
    assert body.index("pertahanan") < body.index("latihan") < body.index("Natuna")
    assert body.index("Russia–ASEAN security ties (2)") < body.index("South China Sea (1)")
    assert set(request.json()["delivery_ids"]) == {d.delivery_id for d in store.deliveries()}
    assert all(f"id: {i}" in body for i in request.json()["delivery_ids"])
    assert request.json()["delivery_id"] == digest_id(request.json()["delivery_ids"])


def test_rate_limit_rolls_the_excess_into_the_next_digest(
    store: Store, hook: WebhookReceiver
) -> None:
    """``max_per_hour: 2``: two singles, the next three wait, then come as one digest."""
    desk = desk_for(store, ChannelSettings("hook", (hook.url,), max_per_hour=2))
    for _ in range(5):
        desk.add()
        desk.round()
        desk.clock.advance(minutes=5)
    assert len(hook.received) == 2
    assert statuses(store) == {"pending": 3, "sent": 2, "dead": 0}
    desk.clock.advance(minutes=40)  # the first single is an hour old
    desk.round()
    assert len(hook.received) == 3 and len(hook.received[2].json()["delivery_ids"]) == 3
    assert statuses(store) == {"pending": 0, "sent": 5, "dead": 0}


def test_quiet_hours_hold_all_but_urgent(store: Store, hook: WebhookReceiver) -> None:
    quiet = parse_quiet("22:00-07:00")
    desk = desk_for(store, ChannelSettings("hook", (hook.url,), quiet=quiet, urgent_score=0.8))
    desk.clock.advance(hours=14)  # 23:00 local
    desk.add(2, score=0.5)
    desk.add(1, score=0.9)
    assert desk.round() == DeliveryReport(sent=1)
    desk.clock.advance(hours=8)  # 07:00
    assert desk.round() == DeliveryReport(sent=2)
    assert len(hook.received) == 3


def test_long_snippet_is_shortened_to_fit_the_channel(store: Store, hook: WebhookReceiver) -> None:
    desk = desk_for(store, ChannelSettings("hook", (hook.url,), "markdown", max_length=600))
    desk.add(summary="Rusia dan ASEAN " * 2000)
    desk.round()
    message = hook.received[0].json()["message"]
    assert len(message) <= 600 and "…" in message and "id: " in message


def test_long_digest_is_split_into_messages_that_fit(store: Store, hook: WebhookReceiver) -> None:
    desk = desk_for(store, ChannelSettings("hook", (hook.url,), "html", max_length=2000))
    desk.add(30)
    desk.round()
    bodies = [r.json()["message"] for r in hook.received]
    assert len(bodies) > 1 and all(len(b) <= 2000 for b in bodies)
    assert f"(part 1 of {len(bodies)})" in hook.received[0].json()["title"]
    assert sorted(ids_in(hook.received)) == sorted(d.delivery_id for d in store.deliveries())


def test_digest_recorded_before_a_crash_is_resent_with_the_same_id(
    store: Store, hook: WebhookReceiver
) -> None:
    """A digest composed (recorded) but never marked sent goes out as it was, same id."""
    desk = desk_for(store, ChannelSettings("hook", (hook.url,)))
    desk.add(3)
    members = tuple(d.delivery_id for d in store.deliveries())
    store.compose_digests("hook", [NewDigest("dg-left-over", "backlog", members)], T0)
    desk.add(1)
    assert desk.round() == DeliveryReport(sent=4, digests=1)
    first, second = hook.received
    assert first.json()["delivery_id"] == "dg-left-over"
    assert sorted(first.json()["delivery_ids"]) == sorted(members)
    assert "delivery_ids" not in second.json()


# --- the outage test ------------------------------------------------------------------------------


def test_outage_of_an_hour_ends_in_a_few_digests_and_spares_the_other_channel(
    store: Store,
) -> None:
    """One channel answers 503 for an hour (simulated clock) while 100 matches arrive, one every
    36 s. The other channel gets each match within a minute. After recovery the down channel gets
    all 100 within minutes, as at most a few digest messages, none lost, none twice."""
    with WebhookReceiver() as down, WebhookReceiver() as up:
        desk = desk_for(
            store, ChannelSettings("down", (down.url,)), ChannelSettings("up", (up.url,))
        )
        down.reply(503)
        lag = timedelta(0)
        for _minute in range(100):
            desk.add()
            sent_before = len(up.received)
            desk.round()
            if len(up.received) == sent_before:  # not sent at once: count the wait
                lag += timedelta(seconds=36)
            desk.clock.advance(seconds=36)
        recovered = desk.clock.now
        down.reply(200)
        failed_tries = len(down.received)
        while statuses(store)["pending"] and desk.clock.now < recovered + timedelta(hours=1):
            desk.round()
            desk.clock.advance(seconds=30)
        took = desk.clock.now - recovered
    after = [r for r in down.received[failed_tries:]]
    assert statuses(store) == {"pending": 0, "sent": 200, "dead": 0}
    assert took <= timedelta(minutes=16)  # the back-off is capped at retry_max (15 min)
    assert 1 <= len(after) <= 3 and all("delivery_ids" in r.json() for r in after)
    assert sorted(ids_in(after)) == sorted(
        d.delivery_id for d in store.deliveries(limit=500) if d.channel == "down"
    )
    assert len(up.received) == 100 and lag == timedelta(0)
    assert failed_tries <= 12  # backed off, not hammered
    print(f"outage: {failed_tries} failed tries; recovered in {took}; {len(after)} digest(s)")
