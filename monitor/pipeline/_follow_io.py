"""Following items to their article pages, the I/O half: fetching, extracting, placing in stories.

Owns: fetching each item's page (the fetcher bounds concurrency per host) and extracting it in a
worker process, where a page that fails leaves the item as the listing gave it with the reason
recorded; the story of each followed article: another outlet's copy's within ``STORY_WINDOW``,
else a new one (``placing``: applied by the store as it saves the poll).
Does not own: the decisions (``monitor.follow``, the pure half: which items are followed,
the worker's extract job, which pages are not the article, merging a page into its item),
comparing fingerprints (``monitor.story``), the look-up of candidates and the locks that make
story placement and saving one step across polls and nodes (``Store.save_poll``).
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from monitor import bounds, follow, story
from monitor.config import SourceSettings
from monitor.errors import FetchError, ParseError
from monitor.fetch import Fetcher
from monitor.identity import with_credentials, without_credentials
from monitor.metrics import NO_METRICS, Metrics
from monitor.pipeline._read import fetch_options
from monitor.store import ArticlePage, Candidate, NewArticle, Placing
from monitor.types import Item
from monitor.workers import Workers

#: how far back a new article looks for another outlet's copy of its story
STORY_WINDOW = timedelta(days=3)

log = logging.getLogger("monitor.pipeline")


class Follower:
    """Follows items with the clients it is given, and says how to place them in stories."""

    def __init__(self, fetcher: Fetcher, workers: Workers, metrics: Metrics = NO_METRICS) -> None:
        self._fetcher = fetcher
        self._metrics = metrics
        self._workers = workers

    async def follow(
        self, source: SourceSettings, items: Sequence[Item], now: datetime
    ) -> list[tuple[Item, ArticlePage]]:
        """Fetch and extract each item's page (the fetcher bounds concurrency per host). A page
        that fails leaves the item as the listing gave it, with the reason recorded. A page's
        date more than a day after ``now`` is none."""
        jobs = (self._follow_one(source, item, now) for item in items)
        return list(await asyncio.gather(*jobs))

    def placing(self, source: SourceSettings, now: datetime) -> Placing:
        """How the store places this poll's followed articles in stories as it saves them
        (``Store.save_poll``): another outlet's copy's story within ``STORY_WINDOW``, else a
        new one. The look-up is the store's, in the poll's transaction."""
        return Placing(now - STORY_WINDOW, functools.partial(_story_of, source.id))

    async def _follow_one(
        self, source: SourceSettings, item: Item, now: datetime
    ) -> tuple[Item, ArticlePage]:
        if item.url is None:
            return item, ArticlePage(follow_error="no link to follow")
        try:
            # an article on the feed's own host is fetched with the feed's password (kept in the
            # config only: never in an item's URL, which is stored, shown and sent)
            fetched = await self._fetcher.fetch(
                with_credentials(item.url, source.url), options=fetch_options(source, article=True)
            )
            job = functools.partial(
                follow.extract_job, fetched.content, without_credentials(fetched.url),
                fetched.content_type, item.language or source.language, now,
            )  # fmt: skip
            with self._metrics.timed("extract"):
                extracted: follow.Extracted = await self._parse(job)
        except (FetchError, ParseError) as error:
            log.info("follow failed source=%s url=%s error=%s", source.id, item.url, error)
            return item, ArticlePage(follow_error=str(error))
        unusable = follow.unusable(item.url, fetched.url, extracted.article)
        if unusable:
            log.info("follow unusable source=%s url=%s: %s", source.id, item.url, unusable)
            return item, ArticlePage(follow_error=unusable)
        merged, date_source = follow.merged(item, extracted.article)
        page = ArticlePage(
            text=bounds.page_text(extracted.article.text),
            date_source=date_source,
            canonical_url=bounds.url(extracted.article.canonical_url),
            fingerprint=extracted.fingerprint,
            bands=story.band_keys(extracted.fingerprint) if extracted.fingerprint else (),
        )
        return bounds.item(merged), page

    async def _parse(self, job: functools.partial):
        """Run in a worker: a crash, hang or memory hog costs this page, never the daemon."""
        return await self._workers.run(job)


def _story_of(source_id: str, article: NewArticle, candidates: Sequence[Candidate]) -> str:
    """The story of another outlet's copy among the articles sharing a band with this one
    (an outlet's own articles never group, so those of this poll need not be looked at)."""
    found = story.story_for(article.page.fingerprint, source_id, candidates)
    return found or article.item.key
