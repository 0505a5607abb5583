"""Pure helpers of the pipeline: the per-poll item cap (``capped``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import LimitSettings
from monitor.pipeline._read import capped
from monitor.types import Item, ParsedFeed

START = datetime(2024, 3, 4, tzinfo=UTC)


class _Settings:
    """Only what ``_capped`` reads."""

    def __init__(self, cap: int) -> None:
        self.limits = LimitSettings(items_per_poll=cap)


def feed(published: list[datetime | None]) -> ParsedFeed:
    items = tuple(
        Item(key=f"k{n}", url=None, guid=f"g{n}", title=f"t{n}", summary="", published=when)
        for n, when in enumerate(published)
    )
    return ParsedFeed(title="f", items=items)


def keys(parsed: ParsedFeed) -> list[str]:
    return [item.key for item in parsed.items]


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ([START + timedelta(minutes=n) for n in range(5)], ["k2", "k3", "k4"]),  # oldest first
        ([START - timedelta(minutes=n) for n in range(5)], ["k0", "k1", "k2"]),  # newest first
        ([None] * 5, ["k0", "k1", "k2"]),  # undated: document order
        ([None, START, None, START + timedelta(1), None], ["k0", "k1", "k3"]),
    ],
)
def test_cap_keeps_the_newest_items_in_document_order(published, expected) -> None:
    """An oldest-first feed over the cap must not lose its new items."""
    # _Settings stands in for Settings: ``capped`` reads only ``limits.items_per_poll``
    assert keys(capped(feed(published), _Settings(3))) == expected  # type: ignore[arg-type]


def test_cap_says_what_it_dropped() -> None:
    """The dropped count is added to the feed's warning."""
    parsed = replace(feed([None] * 4), warning="bozo")
    result = capped(parsed, _Settings(1))  # type: ignore[arg-type]  # as above
    assert result.warning == "bozo; dropped 3 older items over limits.items_per_poll"
