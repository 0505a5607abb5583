"""monitor.deliver.plan and monitor.deliver.schedule: the calm rules, as values in and out."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.deliver.plan import (
    ChannelRules,
    DigestPlan,
    Plan,
    Queued,
    SentMessage,
    TopicRules,
    plan,
)
from monitor.deliver.schedule import check_cron, digest_due, next_fire
from monitor.vocab import Quiet, is_quiet, parse_quiet

JAKARTA = ZoneInfo("Asia/Jakarta")  # UTC+7, no daylight saving
# 2024-03-04 09:00 in Jakarta
T0 = datetime(2024, 3, 4, 2, 0, tzinfo=UTC)


def q(n: int, topic: str = "t", score: float = 0.5, minutes: float = 0, **kw: bool) -> Queued:
    return Queued(f"d{n}", topic, score, T0 + timedelta(minutes=minutes), **kw)


def sent(minutes_ago: float, *topics: str) -> SentMessage:
    return SentMessage(T0 - timedelta(minutes=minutes_ago), frozenset(topics or {"t"}))


# --- schedule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22:00-07:00", Quiet(time(22), time(7))),
        ("9:30 - 17:00", Quiet(time(9, 30), time(17))),
        ("00:00-23:59", Quiet(time(0), time(23, 59))),
    ],
)
def test_parse_quiet(text: str, expected: Quiet) -> None:
    assert parse_quiet(text) == expected


@pytest.mark.parametrize(
    "text", ["22:00", "25:00-07:00", "22:00-07:00-08:00", "7-8", "08:00-08:00"]
)
def test_bad_quiet_windows(text: str) -> None:
    with pytest.raises(ValueError, match="time window"):
        parse_quiet(text)


@pytest.mark.parametrize(
    ("local", "quiet"),
    [("21:59", False), ("22:00", True), ("03:00", True), ("06:59", True), ("07:00", False)],
)
def test_quiet_window_spans_midnight(local: str, quiet: bool) -> None:
    hour, minute = map(int, local.split(":"))
    now = datetime(2024, 3, 4, hour, minute, tzinfo=JAKARTA)
    assert is_quiet(Quiet(time(22), time(7)), now, JAKARTA) is quiet


@pytest.mark.parametrize("text", ["0 8 * * *", "*/15 * * * 1-5", "0 8,17 * * mon"])
def test_good_cron(text: str) -> None:
    assert check_cron(text) == text


@pytest.mark.parametrize("text", ["0 25 * * *", "every day", "0 8 * *", "0 8 * * * *"])
def test_bad_cron(text: str) -> None:
    with pytest.raises(ValueError, match="not a cron expression"):
        check_cron(text)


def test_next_fire_is_in_the_configured_zone() -> None:
    """08:00 in Jakarta is 01:00 UTC; a fire time equal to ``after`` is not "after"."""
    assert next_fire("0 8 * * *", T0, JAKARTA) == datetime(2024, 3, 5, 1, 0, tzinfo=UTC)
    at_eight = datetime(2024, 3, 5, 1, 0, tzinfo=UTC)
    assert next_fire("0 8 * * *", at_eight, JAKARTA) == at_eight + timedelta(days=1)


def test_next_fire_across_daylight_saving() -> None:
    """In Berlin, 08:00 is 07:00 UTC in winter and 06:00 UTC after the March change."""
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2024, 3, 30, 12, 0, tzinfo=UTC)
    assert next_fire("0 8 * * *", before, berlin) == datetime(2024, 3, 31, 6, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("oldest", "now", "due"),
    [
        ("2024-03-04 07:30", "2024-03-04 08:00", True),  # waited since before 08:00
        ("2024-03-04 07:30", "2024-03-04 07:59", False),
        ("2024-03-04 09:00", "2024-03-04 23:00", False),  # arrived after today's digest
        ("2024-03-04 09:00", "2024-03-05 08:00", True),
    ],
)
def test_digest_due(oldest: str, now: str, due: bool) -> None:
    def local(text: str) -> datetime:
        return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)

    assert digest_due("0 8 * * *", local(oldest), local(now), JAKARTA) is due


# --- plan --------------------------------------------------------------------------------------


def run(
    queue: list[Queued],
    rules: ChannelRules | None = None,
    topics: dict[str, TopicRules] | None = None,
    recent: list[SentMessage] | None = None,
    now: datetime = T0,
) -> Plan:
    return plan(rules or ChannelRules(), topics or {}, queue, recent or [], now, JAKARTA)


def test_a_few_alerts_go_one_by_one_oldest_first() -> None:
    assert run([q(2, minutes=1), q(1)]) == Plan(singles=("d1", "d2"))


def test_more_than_a_burst_goes_as_one_digest_best_first() -> None:
    """Six waiting at once (burst 5) -> one digest, highest score first."""
    queue = [q(n, score=n / 10) for n in range(1, 7)]
    expected = DigestPlan("backlog", ("d6", "d5", "d4", "d3", "d2", "d1"))
    assert run(queue) == Plan(digests=(expected,))


def test_channel_rate_limit_rolls_up_the_excess() -> None:
    """Two of three sent this hour: one more single, the rest rolled up."""
    rules = ChannelRules(max_per_hour=3)
    assert run([q(1), q(2), q(3)], rules, recent=[sent(10), sent(20)]) == Plan(
        singles=("d1",), rolled=("d2", "d3")
    )


def test_rolled_up_alerts_go_as_one_digest_when_the_hour_has_room() -> None:
    rules = ChannelRules(max_per_hour=3)
    queue = [q(1, rolled=True), q(2, rolled=True), q(3)]
    assert run(queue, rules, recent=[sent(30)]) == Plan(
        singles=("d3",), digests=(DigestPlan("rollup", ("d1", "d2")),)
    )


def test_rolled_up_alerts_wait_while_the_hour_is_full() -> None:
    rules = ChannelRules(max_per_hour=1)
    assert run([q(1, rolled=True), q(2)], rules, recent=[sent(59)]) == Plan(rolled=("d2",))


def test_topic_rate_limit_counts_only_that_topic() -> None:
    topics = {"busy": TopicRules(max_per_hour=1)}
    queue = [q(1, "busy"), q(2, "busy"), q(3, "calm")]
    assert run(queue, topics=topics, recent=[sent(5, "busy")]) == Plan(
        singles=("d3",), rolled=("d1", "d2")
    )


def test_channel_digest_holds_everything_until_it_fires() -> None:
    rules = ChannelRules(digest="0 8 * * *")
    queue = [q(1), q(2, "u", 0.9)]
    assert run(queue, rules) == Plan()  # 09:00 local: tomorrow's 08:00 is next
    tomorrow = T0 + timedelta(hours=23)
    assert run(queue, rules, now=tomorrow) == Plan(digests=(DigestPlan("scheduled", ("d2", "d1")),))


def test_topic_digest_holds_only_that_topic() -> None:
    topics = {"weekly": TopicRules(digest="0 8 * * mon")}
    queue = [q(1, "weekly"), q(2, "now")]
    assert run(queue, topics=topics) == Plan(singles=("d2",))
    next_monday = T0 + timedelta(days=7)
    assert run(queue[:1], topics=topics, now=next_monday) == Plan(
        digests=(DigestPlan("scheduled", ("d1",)),)
    )


def test_quiet_hours_hold_all_but_urgent() -> None:
    """At 23:00 local, inside 22:00-07:00: only the match scoring >= 0.8 goes."""
    rules = ChannelRules(quiet=Quiet(time(22), time(7)), urgent_score=0.8)
    at_night = T0 + timedelta(hours=14)
    queue = [q(1, score=0.5), q(2, score=0.85)]
    assert run(queue, rules, now=at_night) == Plan(singles=("d2",))
    quiet_only = ChannelRules(quiet=Quiet(time(22), time(7)))
    assert run(queue, quiet_only, now=at_night) == Plan()


def test_after_quiet_hours_the_pile_arrives_as_a_digest() -> None:
    rules = ChannelRules(quiet=Quiet(time(22), time(7)))
    queue = [q(n, minutes=-600 + n) for n in range(8)]
    morning = T0 - timedelta(hours=1, minutes=30)  # 07:30 local
    [digest] = run(queue, rules, now=morning).digests
    assert digest.kind == "backlog" and len(digest.delivery_ids) == 8


def test_nothing_is_ever_dropped() -> None:
    """Whatever the rules, every queued delivery is sent, in a digest, rolled, or left waiting
    (scheduled or quiet): the plan never mentions one twice."""
    rules = ChannelRules(max_per_hour=2, burst=3)
    topics = {"a": TopicRules(max_per_hour=1)}
    queue = [q(n, "a" if n % 2 else "b", n / 20) for n in range(12)]
    result = run(queue, rules, topics, recent=[sent(1, "b")])
    mentioned = [
        *result.singles,
        *result.rolled,
        *(i for d in result.digests for i in d.delivery_ids),
    ]
    assert sorted(mentioned) == sorted(x.delivery_id for x in queue)
