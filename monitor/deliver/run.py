"""Delivery rounds: carry out each channel's plan with the store and the notifier.

One round, for each channel with pending deliveries, side by side (a channel that is down, slow
or hanging holds up no other; a channel still busy from the last round is skipped, not waited
for)::

    channel backing off? -> skip
    resend digests recorded but not sent (a crash or stop came in between), same id
    queue + sends of the last hour -> plan (pure) -> record roll-ups
    digests: split to fit the channel -> record them (one transaction) -> send -> mark sent
    singles: render (fitted) -> send -> mark sent
    a failure: the channel backs off (Retry-After honoured), the delivery's attempt is counted,
      a digest is dissolved back into the queue; past the limits a delivery is dead
    then: dead deliveries are reported through ``delivery.dead_letter`` if set
    a database failure ends the round: reported to the daemon's database watch
      (``runtime.database``), not logged per round; the next round tries again

Guarantees kept here: a delivery is marked sent only after the channel accepted it; a digest and
all its members are marked sent in one transaction; a digest's composition is recorded before
it is sent, so a resend after a crash carries the same id. A crash between a successful send and
its record (crash point ``after_send``) is the one way to get a duplicate.
Owns: the order of those steps and their logging. Does not own: the rules (``plan``), back-off
arithmetic (``monitor.policy``), rendering and sending (``monitor.notify``), queries
(``monitor.store``), when rounds run (``monitor.scheduler``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from monitor import policy
from monitor.cluster import ChannelLeases, Lease
from monitor.config import ChannelSettings, Settings
from monitor.deliver import plan as rules
from monitor.errors import DeliveryError, LeaseLost, StoreError
from monitor.notify import Limits, Message, render
from monitor.notify.digest import DeadNotice, ordered, pack, render_dead_letters, render_digest
from monitor.runtime import Loaded, Runtime
from monitor.store import ChannelState, NewDigest, PendingDelivery, RecentSend, fenced
from monitor.types import Alert

log = logging.getLogger("monitor.deliver")

_HOUR = timedelta(hours=1)
#: what a channel round (or the dead-letter report) reports to the database watch as
ROUND = "delivery round"


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one delivery round did."""

    #: deliveries marked sent (alone or in a digest)
    sent: int = 0
    #: failed sends (a failed digest counts once)
    failed: int = 0
    #: digest messages sent
    digests: int = 0

    def __add__(self, other: DeliveryReport) -> DeliveryReport:
        return DeliveryReport(
            self.sent + other.sent, self.failed + other.failed, self.digests + other.digests
        )


class Deliverer:
    """Runs delivery rounds with the runtime it is given (store, clock, settings, notifier).

    A round takes the runtime's configuration once (``runtime.loaded``) when it starts: after a
    hot reload, rounds started from then on use the new one.
    """

    def __init__(self, runtime: Runtime, *, leases: ChannelLeases | None = None) -> None:
        """``leases``: several nodes share the database; a channel's round runs on the node
        holding its lease, fenced by it (None: this is the only node)."""
        self._runtime = runtime
        self._store = runtime.store
        self._now = runtime.now
        self._leases = leases
        self._inflight: dict[str, asyncio.Task[DeliveryReport]] = {}
        self._stopping = False

    def stop_sending(self) -> None:
        """Start no new send; sends in flight finish and are recorded (see ``drain``)."""
        self._stopping = True

    async def drain(self, timeout: float) -> None:
        """Wait up to ``timeout`` seconds for channel rounds in flight."""
        if self._inflight:
            await asyncio.wait(list(self._inflight.values()), timeout=timeout)

    async def round(self, *, wait: bool = True) -> DeliveryReport:
        """Start a round for every channel with pending deliveries that is not busy.

        With ``wait`` (``monitor once``, tests) return when they are done; without (the daemon),
        return at once and let them run: a hanging channel never holds up the next round.
        """
        if self._stopping:
            return DeliveryReport()
        loaded = self._runtime.loaded
        settings = loaded.settings
        now = self._now()
        names = {c.name for c in settings.channels}
        too_old = now - timedelta(seconds=settings.delivery.max_age)
        await asyncio.to_thread(self._store.expire_orphans, names, too_old, now)
        pending = await asyncio.to_thread(self._store.pending_channels)
        wanted = [
            c for c in settings.channels if c.name in pending and c.name not in self._inflight
        ]
        leases = await self._claim([c.name for c in wanted])
        started = [self._start(c, leases[c.name], loaded) for c in wanted if c.name in leases]
        report = DeliveryReport()
        if wait:
            for done in await asyncio.gather(*started):
                report += done
            await self._report_dead(loaded)
        else:
            self._start_dead_report(loaded)
        return report

    async def _claim(self, names: Sequence[str]) -> dict[str, Lease | None]:
        """The channels this node runs a round for now: all (one node), or those it leased."""
        if self._leases is None:
            return dict.fromkeys(names)
        busy = sum(1 for name in self._inflight if name != "\0dead")
        return dict(await self._leases.claim_channels(names, busy))

    def _start(
        self, channel: ChannelSettings, lease: Lease | None, loaded: Loaded
    ) -> asyncio.Task[DeliveryReport]:
        task = self._task(channel.name, self._channel_round(channel, loaded), lease)
        self._inflight[channel.name] = task
        task.add_done_callback(lambda t: self._finished(channel.name, t))
        return task

    def _task(
        self, key: str, work: Coroutine[object, object, DeliveryReport], lease: Lease | None
    ) -> asyncio.Task[DeliveryReport]:
        """A task for ``work``; under a lease, fenced by it (every write and send checks it)."""
        if lease is None:
            return asyncio.create_task(work, name=f"deliver:{key}")
        leased = self._leased(lease, work)
        return asyncio.create_task(leased, name=f"deliver:{key}", context=fenced(lease))

    async def _leased(
        self, lease: Lease, work: Coroutine[object, object, DeliveryReport]
    ) -> DeliveryReport:
        assert self._leases is not None
        try:
            return await work
        except LeaseLost as error:
            # paused or cut off past the lease: another node serves the channel now
            log.warning("delivery round abandoned channel=%s: %s", lease.name, error)
            return DeliveryReport()
        finally:
            await self._leases.release(lease)

    def _finished(self, name: str, task: asyncio.Task[DeliveryReport]) -> None:
        self._inflight.pop(name, None)
        if task.cancelled():
            return
        error = task.exception()
        if isinstance(error, StoreError):
            # the database, not the channel: one record of the outage, no line per round
            self._runtime.database.failed(ROUND, error)
        elif error is not None:
            log.error("delivery round failed channel=%s error=%s", name, error)
        else:
            self._runtime.database.reached(ROUND)

    def _start_dead_report(self, loaded: Loaded) -> None:
        if "\0dead" not in self._inflight and loaded.settings.delivery.dead_letter:
            task = asyncio.create_task(self._dead_report_task(loaded))
            self._inflight["\0dead"] = task
            task.add_done_callback(lambda t: self._finished("\0dead", t))

    async def _dead_report_task(self, loaded: Loaded) -> DeliveryReport:
        """Report dead deliveries; with several nodes, on the one holding that lease."""
        if self._leases is None:
            await self._report_dead(loaded)
            return DeliveryReport()
        lease = await self._leases.claim_dead_letters()
        if lease is not None:
            await self._task("dead-letters", self._reported(loaded), lease)
        return DeliveryReport()

    async def _reported(self, loaded: Loaded) -> DeliveryReport:
        await self._report_dead(loaded)
        return DeliveryReport()

    # --- one channel --------------------------------------------------------------------------

    async def _channel_round(self, channel: ChannelSettings, loaded: Loaded) -> DeliveryReport:
        store, name, settings = self._store, channel.name, loaded.settings
        now = self._now()
        state = await asyncio.to_thread(store.channel_state, name)
        if state is not None and state.blocked_until is not None and state.blocked_until > now:
            return DeliveryReport()
        context = _Round(self._runtime, loaded, channel, state, lambda: self._stopping)
        for left in await asyncio.to_thread(store.open_digests, name):
            alerts = [m.alert for m in left.members]
            if not await context.send_digest(left.digest_id, left.kind, left.members, alerts):
                return context.report
        queue = await asyncio.to_thread(store.channel_queue, name, now)
        recent = await asyncio.to_thread(store.recent_sends, name, now - _HOUR)
        decided = rules.plan(
            _channel_rules(channel, settings),
            _topic_rules(settings),
            [_queued(p) for p in queue],
            _messages(recent),
            now,
            ZoneInfo(settings.timezone),
        )
        if decided.rolled:
            await asyncio.to_thread(store.mark_rolled, decided.rolled)
            log.info("rolled up channel=%s deliveries=%d", name, len(decided.rolled))
        by_id = {p.delivery_id: p for p in queue}
        for digest in decided.digests:
            members = [by_id[i] for i in digest.delivery_ids]
            if not await context.compose_and_send(digest.kind, members):
                return context.report
        for delivery_id in decided.singles:
            if not await context.send_single(by_id[delivery_id]):
                break
        return context.report

    # --- dead letters -------------------------------------------------------------------------

    async def _report_dead(self, loaded: Loaded) -> None:
        """Tell the dead-letter channel about deliveries that died; retried until it worked."""
        target = loaded.settings.delivery.dead_letter
        channel = next((c for c in loaded.settings.channels if c.name == target), None)
        if channel is None or self._stopping:
            return
        state = await asyncio.to_thread(self._store.channel_state, channel.name)
        if state is not None and state.blocked_until and state.blocked_until > self._now():
            return  # the dead-letter channel is backing off too: report when it is back
        dead = await asyncio.to_thread(self._store.unreported_dead)
        if not dead:
            return
        notices = [
            DeadNotice(d.delivery_id, d.channel, d.topic_id, d.title, d.url, d.attempts,
                       d.last_error)
            for d in dead
        ]  # fmt: skip
        message = render_dead_letters(notices, channel.format, self._now())
        try:
            await loaded.notifier.send(channel.name, message)
        except DeliveryError as error:
            log.warning("dead-letter report failed channel=%s error=%s", channel.name, error)
            return
        await asyncio.to_thread(self._store.mark_reported, [d.delivery_id for d in dead])
        log.info("dead letters reported channel=%s deliveries=%d", channel.name, len(dead))


class _Round:
    """One channel's round in progress: sends, records, and what it has done so far.

    Given what it uses: the runtime (store, clock, checkpoint, metrics, random source), the
    configuration the round started with, and ``stopping`` (True once a stop is under way: no
    new send starts).
    """

    def __init__(
        self,
        runtime: Runtime,
        loaded: Loaded,
        channel: ChannelSettings,
        state: ChannelState | None,
        stopping: Callable[[], bool],
    ) -> None:
        self._runtime = runtime
        self._store = runtime.store
        self._notifier = loaded.notifier
        self._delivery = loaded.settings.delivery
        self._stopping = stopping
        self.channel = channel
        self._state = state
        self._tz = ZoneInfo(loaded.settings.timezone)
        self._limits: Limits = loaded.notifier.limits(channel)
        self.report = DeliveryReport()

    async def send_single(self, pending: PendingDelivery) -> bool:
        message = render(pending.alert, self.channel.format, self._tz, self._limits)
        if not await self._send(message, [pending]):
            return False
        await asyncio.to_thread(self._store.mark_sent, pending.delivery_id, self._runtime.now())
        self._runtime.checkpoint("after_record")
        log.info("sent channel=%s delivery=%s", self.channel.name, pending.delivery_id)
        self.report += DeliveryReport(sent=1)
        return True

    async def compose_and_send(self, kind: str, members: Sequence[PendingDelivery]) -> bool:
        """Split into messages that fit, record them all, then send them one by one."""
        by_id = {p.delivery_id: p for p in members}
        parts = pack(ordered([p.alert for p in members]), self.channel.format, self._tz,
                     self._limits)  # fmt: skip
        digests = [
            NewDigest(digest_id([a.delivery_id for a in part]), kind,
                      tuple(a.delivery_id for a in part))
            for part in parts
        ]  # fmt: skip
        await asyncio.to_thread(
            self._store.compose_digests, self.channel.name, digests, self._runtime.now()
        )
        self._runtime.checkpoint("after_compose")
        for number, (digest, part) in enumerate(zip(digests, parts, strict=True), start=1):
            shown = (number, len(parts))
            part_members = [by_id[a.delivery_id] for a in part]
            if not await self.send_digest(digest.digest_id, kind, part_members, part, shown):
                for later in digests[number:]:  # not sent: back to the queue
                    await asyncio.to_thread(self._store.dissolve_digest, later.digest_id)
                return False
        return True

    async def send_digest(
        self,
        digest_id: str,
        kind: str,
        members: Sequence[PendingDelivery],
        alerts: Sequence[Alert],
        part: tuple[int, int] = (1, 1),
    ) -> bool:
        message = render_digest(
            digest_id, alerts, self.channel.format, self._tz, kind, part, self._limits
        )
        if not await self._send(message, members, digest=digest_id):
            return False
        await asyncio.to_thread(self._store.mark_digest_sent, digest_id, self._runtime.now())
        self._runtime.checkpoint("after_record")
        log.info(
            "digest sent channel=%s digest=%s kind=%s deliveries=%d",
            self.channel.name, digest_id, kind, len(members),
        )  # fmt: skip
        self.report += DeliveryReport(sent=len(members), digests=1)
        return True

    async def _send(
        self, message: Message, members: Sequence[PendingDelivery], digest: str | None = None
    ) -> bool:
        """Send; on failure record it (back-off, attempts, dead) and say so."""
        if self._stopping():
            return False
        metrics = self._runtime.metrics
        try:
            with metrics.timed("send"):
                await self._notifier.send(self.channel.name, message)
        except DeliveryError as error:
            metrics.delivered(self.channel.name, "failed", len(members))
            await self._failed(members, error, digest)
            return False
        metrics.delivered(self.channel.name, "sent", len(members))
        self._runtime.checkpoint("after_send")
        if self._state is not None and self._state.failures:
            await asyncio.to_thread(
                self._store.save_channel_state, ChannelState(self.channel.name, 0, None, None, None)
            )
            self._state = None
        return True

    async def _failed(
        self, members: Sequence[PendingDelivery], error: DeliveryError, digest: str | None
    ) -> None:
        store, settings, now = self._store, self._delivery, self._runtime.now()
        if digest is not None:
            await asyncio.to_thread(store.dissolve_digest, digest)
        failures = (self._state.failures if self._state else 0) + 1
        retry = policy.next_delivery_attempt(
            now,
            failures,
            settings.retry_base,
            settings.retry_max,
            error.retry_after,
            self._runtime.rng,
        )
        state = ChannelState(self.channel.name, failures, retry, now, str(error))
        await asyncio.to_thread(store.save_channel_state, state)
        self._state = state
        ids = [p.delivery_id for p in members]
        await asyncio.to_thread(store.mark_attempt_failed, ids, str(error), retry, now)
        self.report += DeliveryReport(failed=1)
        log.warning(
            "delivery failed channel=%s deliveries=%d failures=%d retry_at=%s error=%s",
            self.channel.name, len(ids), failures, retry.isoformat(timespec="seconds"), error,
        )  # fmt: skip
        # each delivery's own attempts, not the channel's run of failures (after a long
        # outage a delivery tried 3 times would say 45)
        dead: dict[int, list[str]] = {}
        for p in members:
            tried = p.attempts + 1
            if policy.delivery_is_dead(
                tried, p.created, now, settings.max_attempts, settings.max_age
            ):
                dead.setdefault(tried, []).append(p.delivery_id)
        for tried, ids in dead.items():
            reason = f"gave up after {tried} failed attempt(s): {error}"
            await asyncio.to_thread(store.mark_dead_many, ids, reason, now)
            self._runtime.metrics.delivered(self.channel.name, "dead", len(ids))
            log.error(
                "delivery dead channel=%s deliveries=%d ids=%s",
                self.channel.name, len(ids), ",".join(ids[:10]),
            )  # fmt: skip


def digest_id(delivery_ids: Sequence[str]) -> str:
    """The same members always give the same digest id (a resend is recognisable)."""
    joined = "\n".join(sorted(delivery_ids))
    return "dg-" + hashlib.sha256(joined.encode()).hexdigest()[:21]


def _channel_rules(channel: ChannelSettings, settings: Settings) -> rules.ChannelRules:
    return rules.ChannelRules(
        digest=channel.digest,
        max_per_hour=channel.max_per_hour,
        quiet=channel.quiet,
        urgent_score=channel.urgent_score,
        burst=settings.delivery.burst,
    )


def _topic_rules(settings: Settings) -> dict[str, rules.TopicRules]:
    return {
        t.id: rules.TopicRules(t.digest, t.max_per_hour)
        for t in settings.topics
        if t.digest is not None or t.max_per_hour is not None
    }


def _queued(pending: PendingDelivery) -> rules.Queued:
    alert = pending.alert
    return rules.Queued(
        pending.delivery_id, alert.topic_id, alert.score, pending.created, pending.rolled
    )


def _messages(recent: Sequence[RecentSend]) -> list[rules.SentMessage]:
    """Deliveries sent recently, as the messages they went out in."""
    grouped: dict[str, list[RecentSend]] = {}
    for send in recent:
        grouped.setdefault(send.message_id, []).append(send)
    return [
        rules.SentMessage(max(s.sent_at for s in sends), frozenset(s.topic_id for s in sends))
        for sends in grouped.values()
    ]
