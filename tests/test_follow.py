"""``monitor.follow.plan``: which new items a poll follows, stores as they are, or leaves for the
next poll."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.follow import Plan, plan
from monitor.types import Item

NOW = datetime(2021, 12, 7, 13, 33, tzinfo=UTC)


def item(n: int, hours_old: float = 1.0) -> Item:
    when = NOW - timedelta(hours=hours_old)
    return Item(f"https://example.org/{n}", f"https://example.org/{n}", None, f"Item {n}", "", when)


def test_a_later_poll_follows_up_to_the_cap_and_defers_the_rest() -> None:
    """Over ``max_follow``, the rest wait (unseen) for the next poll: the plan says so."""
    fresh = [item(n) for n in range(3)]
    expected = Plan((fresh[0], fresh[1]), (), deferred=True)
    assert expected == plan(
        fresh, follow=True, baselined=True, backfill=None, max_follow=2, now=NOW
    )


def test_a_later_poll_within_the_cap_defers_nothing() -> None:
    """Every new item followed: nothing waits."""
    fresh = [item(n) for n in range(2)]
    expected = Plan(tuple(fresh), (), deferred=False)
    assert expected == plan(
        fresh, follow=True, baselined=True, backfill=None, max_follow=2, now=NOW
    )


def test_a_first_poll_follows_backfilled_items_and_defers_those_over_the_cap() -> None:
    """The backlog is stored as it is; the items ``backfill`` notifies are followed up to the
    cap, and the others wait, to be alerted from their article (not from a title alone)."""
    recent, old = [item(n) for n in range(3)], [item(9, hours_old=100)]
    expected = Plan((recent[0],), (old[0],), deferred=True)
    found = plan(
        [*recent, *old], follow=True, baselined=False, backfill=86400.0, max_follow=1, now=NOW
    )
    assert expected == found


def test_without_follow_every_item_is_stored_as_it_is() -> None:
    """``follow: false``: nothing is fetched, nothing waits."""
    fresh = [item(n) for n in range(30)]
    assert Plan((), tuple(fresh)) == plan(
        fresh, follow=False, baselined=True, backfill=None, max_follow=2, now=NOW
    )
