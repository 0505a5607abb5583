"""monitor.slots: a bounded number of polls in flight, the earliest due first, and the backlog
the metrics show (futures and a fixed clock: no waiting on wall time)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from monitor.slots import Backlog, PollSlots, Waiting, backlog

T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def minutes_ago(n: int) -> datetime:
    return T0 - timedelta(minutes=n)


async def _settle() -> None:
    """Let every task run until it waits again."""
    for _ in range(5):
        await asyncio.sleep(0)


def test_k_slots_hold_k_polls_and_a_freed_slot_goes_to_the_most_overdue() -> None:
    """With 2 slots taken, 5 sources wait whatever order they came in; each slot given back
    starts the one due earliest."""

    async def scenario() -> tuple[list[str], int, list[str]]:
        slots = PollSlots(2)
        started: list[str] = []

        async def poll(source_id: str, due: datetime) -> None:
            assert await slots.take(source_id, due, 60.0)
            started.append(source_id)

        first = [asyncio.create_task(poll(s, minutes_ago(1))) for s in ("x", "y")]
        await _settle()
        ages = {"a": 3, "b": 30, "c": 7, "d": 90, "e": 12}
        waiting = [asyncio.create_task(poll(s, minutes_ago(n))) for s, n in ages.items()]
        await _settle()
        queued = [w.source_id for w in slots.waiting()]
        busy_while_waiting = slots.busy
        for _ in ages:
            slots.give_back()
            await _settle()
        await asyncio.gather(*first, *waiting)
        return started, busy_while_waiting, queued

    started, busy, queued = asyncio.run(scenario())
    assert busy == 2
    assert queued == ["d", "b", "e", "c", "a"]
    assert started == ["x", "y", "d", "b", "e", "c", "a"]


def test_a_stop_sends_the_waiting_away_and_a_cancelled_waiter_takes_no_slot() -> None:
    """``close`` answers False to every waiter; a waiter cancelled is skipped, its slot kept."""

    async def scenario() -> tuple[bool, bool | None, int]:
        slots = PollSlots(1)
        assert await slots.take("held", T0, 60.0)
        gone = asyncio.create_task(slots.take("gone", minutes_ago(9), 60.0))
        later = asyncio.create_task(slots.take("later", minutes_ago(1), 60.0))
        await _settle()
        gone.cancel()
        await _settle()
        slots.give_back()  # to "later": the cancelled one is passed over
        await _settle()
        got_later = later.result()
        waiter = asyncio.create_task(slots.take("stopped", T0, 60.0))
        await _settle()
        slots.close()
        await _settle()
        return got_later, waiter.result(), slots.busy

    assert asyncio.run(scenario()) == (True, False, 1)


def test_more_slots_after_a_reload_start_the_waiting_at_once() -> None:
    async def scenario() -> list[str]:
        slots = PollSlots(1)
        assert await slots.take("held", T0, 60.0)
        tasks = [asyncio.create_task(slots.take(s, T0, 60.0)) for s in ("a", "b")]
        await _settle()
        slots.resize(3)
        await _settle()
        return [w.source_id for w in slots.waiting()] + [str(t.result()) for t in tasks]

    assert asyncio.run(scenario()) == ["True", "True"]


def test_backlog_counts_the_waiting_those_past_their_interval_and_the_oldest() -> None:
    waiting = [
        Waiting("fresh", T0 - timedelta(seconds=30), 60.0),
        Waiting("late", T0 - timedelta(minutes=5), 60.0),
        Waiting("hourly", T0 - timedelta(minutes=20), 3600.0),
    ]
    assert backlog(waiting, T0) == Backlog(waiting=3, overdue=1, oldest=1200.0)
    assert backlog([], T0) == Backlog()
