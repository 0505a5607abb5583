"""Helpers of the pipeline: the per-poll item cap (``capped``), and the reader handing the
poll's ``now`` to the parsers (run inline here, not in a worker process)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.config import LimitSettings, SourceSettings
from monitor.pipeline._read import SourceReader, capped
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


class _InlineWorkers:
    """Runs a parser job in this process (the reader's only use of its workers here)."""

    async def run(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)


FUTURE_FEED = (
    b'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
    b"<item><title>placeholder</title><link>https://x.example/p</link>"
    b"<pubDate>Thu, 01 Jan 2099 00:00:00 GMT</pubDate></item>"
    b"<item><title>new</title><link>https://x.example/n</link>"
    b"<pubDate>Mon, 04 Mar 2024 09:00:00 WIB</pubDate></item>"
    b"<item><title>old</title><link>https://x.example/o</link>"
    b"<pubDate>Sun, 03 Mar 2024 09:00:00 +0000</pubDate></item>"
    b"</channel></rss>"
)


def test_a_future_dated_item_is_undated_and_not_kept_first_by_the_cap() -> None:
    """The reader gives the parser the poll's ``now``: the 2099 item has no date, so the
    per-poll cap keeps the newest real item instead of it (poll after poll)."""
    source = SourceSettings(
        id="s", name="s", kind="feed", url="https://x.example/feed", every=600.0, jitter=0.0
    )
    # only ``run`` is used: the fetcher is asked for sitemap children only
    reader = SourceReader(None, _InlineWorkers())  # type: ignore[arg-type]
    now = START + timedelta(hours=12)
    parsed = asyncio.run(reader.read(source, FUTURE_FEED, source.url, None, now))
    assert [(item.title, item.published) for item in parsed.items] == [
        ("placeholder", None),
        ("new", datetime(2024, 3, 4, 2, 0, tzinfo=UTC)),
        ("old", datetime(2024, 3, 3, 9, 0, tzinfo=UTC)),
    ]
    kept = capped(parsed, _Settings(1))  # type: ignore[arg-type]  # as above
    assert [item.title for item in kept.items] == ["new"]
