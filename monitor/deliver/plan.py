"""What to send to one channel now: single alerts, digests, or nothing yet. Pure: no I/O.

Owns: the calm rules, decided from values and ``now``:

1. **Scheduled digests.** A channel with ``digest`` sends everything as one digest when its cron
   fires; a topic with ``digest`` does the same for its matches. Until then they wait.
2. **Quiet hours.** Inside the channel's quiet window nothing is sent, except matches scoring at
   least ``urgent_score``. What waited goes out when the window closes (by rule 4, as a digest
   when there are more than a few).
3. **Rate limits.** ``max_per_hour`` per channel and per topic counts messages sent in the last
   hour (a digest counts once). What exceeds it is *rolled up*: kept, and sent in the next digest
   message once the hour has room again. Nothing is dropped.
4. **No bursts.** When more than ``burst`` alerts are waiting at once (after an outage, a restart
   or quiet hours), they go as one digest, not one by one.

Does not own: reading the queue or recording the outcome (``monitor.deliver.run``), rendering and
splitting long digests (``monitor.notify``), retries (``monitor.policy``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from monitor.deliver.schedule import digest_due
from monitor.vocab import Quiet, is_quiet

DigestKind = Literal["scheduled", "backlog", "rollup"]


@dataclass(frozen=True, slots=True)
class ChannelRules:
    """The calm settings of one channel."""

    #: cron expression of the channel's digest, or None (alerts go as they come)
    digest: str | None = None
    #: most messages per hour, or None for no limit
    max_per_hour: int | None = None
    #: the quiet window, or None
    quiet: Quiet | None = None
    #: matches scoring at least this are sent even in quiet hours; None: none are
    urgent_score: float | None = None
    #: more than this many alerts waiting at once go as one digest
    burst: int = 5


@dataclass(frozen=True, slots=True)
class TopicRules:
    """The calm settings of one topic (on every channel)."""

    digest: str | None = None
    max_per_hour: int | None = None


@dataclass(frozen=True, slots=True)
class Queued:
    """A pending delivery waiting for this channel, not yet part of a digest."""

    delivery_id: str
    topic_id: str
    score: float
    #: when its match was stored
    created: datetime
    #: True once a rate limit rolled it up: it goes in the next digest, never alone
    rolled: bool = False


@dataclass(frozen=True, slots=True)
class SentMessage:
    """A message sent to this channel in the last hour (for rate limits)."""

    at: datetime
    #: the topics it was about (one for a single alert, maybe several for a digest)
    topics: frozenset[str]


@dataclass(frozen=True, slots=True)
class DigestPlan:
    """Deliveries to send together as one digest (split later if too long for the channel)."""

    kind: DigestKind
    #: highest score first
    delivery_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Plan:
    """What one delivery round does for one channel."""

    #: deliveries sent as single alerts, in this order
    singles: tuple[str, ...] = ()
    digests: tuple[DigestPlan, ...] = ()
    #: deliveries newly rolled up by a rate limit (record it; they wait for room)
    rolled: tuple[str, ...] = ()


def plan(
    rules: ChannelRules,
    topics: Mapping[str, TopicRules],
    queue: Sequence[Queued],
    recent: Sequence[SentMessage],
    now: datetime,
    tz: ZoneInfo,
) -> Plan:
    """Decide what to send to one channel at ``now`` (see the module docstring for the rules)."""
    if not queue:
        return Plan()
    quiet = is_quiet(rules.quiet, now, tz)
    digests, free = ([], list(queue)) if quiet else _scheduled(rules, topics, queue, now, tz)
    free = [q for q in free if not _scheduled_later(rules, topics, q)]
    if quiet:
        urgent = rules.urgent_score
        free = [q for q in free if urgent is not None and q.score >= urgent]
    budget = _Budget.of(rules, topics, recent)
    return _limited(rules, free, budget, digests)


def _scheduled(
    rules: ChannelRules,
    topics: Mapping[str, TopicRules],
    queue: Sequence[Queued],
    now: datetime,
    tz: ZoneInfo,
) -> tuple[list[DigestPlan], list[Queued]]:
    """Digests whose schedule fired, and what is left over."""
    if rules.digest is not None:
        if digest_due(rules.digest, min(q.created for q in queue), now, tz):
            return [_digest("scheduled", queue)], []
        return [], list(queue)
    digests: list[DigestPlan] = []
    left = list(queue)
    for topic_id in sorted({q.topic_id for q in queue}):
        cron = topics.get(topic_id, TopicRules()).digest
        own = [q for q in left if q.topic_id == topic_id]
        if cron is not None and digest_due(cron, min(q.created for q in own), now, tz):
            digests.append(_digest("scheduled", own))
            left = [q for q in left if q.topic_id != topic_id]
    return digests, left


def _scheduled_later(rules: ChannelRules, topics: Mapping[str, TopicRules], q: Queued) -> bool:
    """Still waiting for a channel or topic digest that has not fired yet."""
    return rules.digest is not None or topics.get(q.topic_id, TopicRules()).digest is not None


@dataclass(slots=True)
class _Budget:
    """Messages still allowed in the current hour: for the channel, and per topic."""

    channel: float
    limits: dict[str, float]
    used: Counter[str]

    @classmethod
    def of(
        cls, rules: ChannelRules, topics: Mapping[str, TopicRules], recent: Sequence[SentMessage]
    ) -> _Budget:
        channel = float("inf") if rules.max_per_hour is None else rules.max_per_hour - len(recent)
        limits = {
            topic_id: float(t.max_per_hour)
            for topic_id, t in topics.items()
            if t.max_per_hour is not None
        }
        used: Counter[str] = Counter(topic for m in recent for topic in m.topics)
        return cls(channel, limits, used)

    def allows(self, topic_id: str) -> bool:
        return self.channel >= 1 and self.topic_left(topic_id) >= 1

    def topic_left(self, topic_id: str) -> float:
        return self.limits.get(topic_id, float("inf")) - self.used[topic_id]

    def spend(self, topic_ids: set[str]) -> None:
        self.channel -= 1
        self.used.update(topic_ids)


def _limited(
    rules: ChannelRules, free: list[Queued], budget: _Budget, digests: list[DigestPlan]
) -> Plan:
    """Apply the burst rule and the rate limits to what may go now."""
    bundle = [q for q in free if q.rolled]
    fresh = sorted((q for q in free if not q.rolled), key=lambda q: (q.created, q.delivery_id))
    kind: DigestKind = "rollup"
    if len(fresh) > rules.burst:
        bundle, fresh, kind = bundle + fresh, [], "backlog"
    rolled: list[str] = []
    if bundle and budget.channel >= 1:
        fits = [q for q in bundle if budget.topic_left(q.topic_id) >= 1]
        if fits:
            digests.append(_digest(kind, fits))
            budget.spend({q.topic_id for q in fits})
        bundle = [q for q in bundle if q not in fits]
    rolled += [q.delivery_id for q in bundle if not q.rolled]
    singles: list[str] = []
    for q in fresh:
        if budget.allows(q.topic_id):
            singles.append(q.delivery_id)
            budget.spend({q.topic_id})
        else:
            rolled.append(q.delivery_id)
    return Plan(tuple(singles), tuple(digests), tuple(rolled))


def _digest(kind: DigestKind, items: Sequence[Queued]) -> DigestPlan:
    ordered = sorted(items, key=lambda q: (-q.score, q.created, q.delivery_id))
    return DigestPlan(kind, tuple(q.delivery_id for q in ordered))
