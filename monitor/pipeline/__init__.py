"""The pipeline: the only place that sequences the stages.

    poll(source):  fetch the feed, listing page or sitemap (conditional GET, guarded, polite)
                   -> parse it (worker process with limits; a sitemap index: its newest child
                      sitemaps too) -> the newest ``items_per_poll`` items
                   -> keep items not stored yet
                   -> follow them (``follow: true``; bounded per poll): fetch each article page,
                      extract it (worker process), group syndicated copies into stories
                   -> match every topic on title + full text
                   -> store articles + matches + pending deliveries in ONE transaction
                      (a story already matched for a topic gains an outlet, not a delivery)
                   -> record the source's state and when to check it next
                      (a stable permanent redirect moves it; a network-wide outage does not
                      count against it; a day of failures or a 410 is reported once)
    deliver():     for each channel, side by side (``monitor.deliver``): pending deliveries
                   -> plan (digests, quiet hours, rate limits, no bursts) -> render to fit
                   -> send -> mark sent only after success; else back off, retry, or
                   declare dead and report it through the dead-letter channel

A failing source becomes a recorded result (``PollResult.error``), never an exception out of
``poll``; a failing channel never holds up another channel.
Owns: the order of stages and the hand-over of values between them.
Does not own: how each stage works (fetch, sources, match, store, notify, policy), nor when
polls run (``monitor.scheduler``).

    __init__.py   Pipeline: the stages in order (``poll``, ``deliver``); matching new items
    _read.py      a fetched source -> its items (feed, listing, sitemap and its children); the cap
    _follow.py    items -> their article pages (fetched, extracted in a worker) -> their stories
    _health.py    a poll's outcome -> the source's state (moves, failures, outages, one report)
    _result.py    PollResult, what one poll did
    _learn.py     judgments -> each topic's learned filter, retrained when they change (``relearn``)
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from monitor import follow, policy
from monitor.config import Settings, SourceSettings
from monitor.deliver.crash import crash_point
from monitor.deliver.run import Deliverer, DeliveryReport
from monitor.errors import FetchError, ParseError, StoreError
from monitor.fetch import Fetcher
from monitor.learn import PLAIN, Filters
from monitor.match import Matcher, lexicon_for
from monitor.metrics import NO_METRICS, Metrics
from monitor.notify import Notifier
from monitor.pipeline._follow import Follower
from monitor.pipeline._health import SourceHealth, for_config, fresh_state
from monitor.pipeline._learn import relearn
from monitor.pipeline._read import SourceReader, capped, fetch_options
from monitor.pipeline._result import PollResult
from monitor.store import ArticlePage, NewArticle, SourceState, Store
from monitor.types import Document, Fetched, Item, ParsedFeed, Topic
from monitor.workers import Workers

log = logging.getLogger("monitor.pipeline")

__all__ = ["DeliveryReport", "Pipeline", "PollResult", "relearn"]


class Pipeline:
    """Runs polls and deliveries with the clients it is given; holds the current settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: Store,
        fetcher: Fetcher,
        notifier: Notifier,
        workers: Workers,
        now: Callable[[], datetime],
        rng: random.Random | None = None,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.store = store
        self._metrics = metrics
        self._fetcher = fetcher
        self._now = now
        self._rng = rng or random.Random()
        self.settings = settings
        self._matcher = Matcher(settings.topics, lexicon_for(settings.lexicon))
        self._topics: dict[str, Topic] = {t.id: t for t in settings.topics}
        #: each topic's learned filter (issue 12): keeps or drops the matcher's candidates
        self._learned: Filters = PLAIN
        # placing articles in stories and saving them is one step across sources: two polls
        # saving copies of one story side by side would each miss the other's copy
        self._saving = asyncio.Lock()
        self._reader = SourceReader(fetcher, workers)
        self._follower = Follower(fetcher, workers, store, metrics)
        self._health = SourceHealth(
            settings, store=store, notifier=notifier, now=now, rng=self._rng
        )
        self._deliverer = Deliverer(
            settings, store=store, notifier=notifier, now=now, rng=self._rng, metrics=metrics
        )

    def use_settings(self, settings: Settings, notifier: Notifier) -> None:
        """Switch to a newly loaded configuration (hot reload); the old one was valid too."""
        self._matcher = Matcher(settings.topics, lexicon_for(settings.lexicon))
        self._topics = {t.id: t for t in settings.topics}
        self.settings = settings
        self._health.use(settings, notifier)
        self._deliverer.use(settings, notifier)

    async def relearn(self) -> None:
        """Retrain the topics whose judgments or query changed (off the loop), then use every
        topic's saved filter. A failure keeps the filters in use."""
        matcher, topics = self._matcher, self.settings.topics
        try:
            models = await asyncio.to_thread(
                relearn, self.store, topics, matcher.match, self._now()
            )
        except StoreError as error:
            log.error("learned filters not refreshed: %s", error)
            return
        self._learned = Filters(models)

    # --- polling ----------------------------------------------------------------------------

    async def poll(self, source: SourceSettings) -> PollResult:
        """Poll one source end to end; every failure ends as a recorded result."""
        stored = await asyncio.to_thread(self.store.source_state, source.id)
        state = for_config(stored or fresh_state(source), source)
        if state.status == "gone":
            # 410 Gone is final for that URL; editing the source's URL brings it back
            return PollResult(source.id, "gone", error=state.last_error)
        now = self._now()
        try:
            with self._metrics.timed("fetch"):
                fetched = await self._fetcher.fetch(
                    state.url, state.validators, fetch_options(source)
                )
            if fetched.not_modified:
                return await self._health.record_unchanged(source, state, fetched, now)
            with self._metrics.timed("parse"):
                parsed = await self._reader.read(
                    source, fetched.content, fetched.url, fetched.content_type
                )
            result = await self._store_new(
                source, state, capped(parsed, self.settings), fetched, now
            )
        except (FetchError, ParseError) as error:
            self._metrics.fetch_error(error.kind if isinstance(error, FetchError) else "parse")
            return await self._health.record_failure(source, state, error, now)
        log.info(
            "polled source=%s items=%d new=%d matches=%d",
            source.id,
            result.items,
            result.new_articles,
            result.new_matches,
        )
        return result

    async def _store_new(
        self,
        source: SourceSettings,
        state: SourceState,
        parsed: ParsedFeed,
        fetched: Fetched,
        now: datetime,
    ) -> PollResult:
        keys = [item.key for item in parsed.items]
        unseen = await asyncio.to_thread(self.store.unseen_keys, keys)
        fresh = [item for item in parsed.items if item.key in unseen]
        todo = follow.plan(
            fresh, follow=source.follow, baselined=state.baselined, backfill=source.backfill,
            max_follow=min(source.max_follow, self.settings.limits.article_fetches_per_poll),
            now=now,
        )  # fmt: skip
        pages = await self._follower.follow(source, todo.follow)
        pages += [(item, ArticlePage()) for item in todo.plain]
        fresh = [item for item, _ in pages]
        next_check = policy.next_check_after_success(
            now, source.every, source.jitter, (fetched.max_age, parsed.ttl), self._rng
        )
        new_state = replace(
            self._health.healthy(source, state, fetched, now),
            validators=fetched.validators,
            next_check=next_check,
            baselined=True,
            items_seen=state.items_seen + len(fresh),
        )
        async with self._saving:
            pages = await self._follower.in_stories(source, pages, now)
            articles = await asyncio.to_thread(self._articles, source, state, pages, now)
            saved = await asyncio.to_thread(self.store.save_poll, new_state, articles, now)
        crash_point("after_store")
        return PollResult(
            source.id,
            "new",
            len(parsed.items),
            saved.new_articles,
            saved.new_matches,
            next_check=next_check,
        )

    def _articles(
        self,
        source: SourceSettings,
        state: SourceState,
        pages: Sequence[tuple[Item, ArticlePage]],
        now: datetime,
    ) -> list[NewArticle]:
        """Match the new items and decide which are notified (CPU work: runs in a thread)."""
        with self._metrics.timed("match"):
            return self._new_articles(source, state, pages, now)

    def _new_articles(
        self,
        source: SourceSettings,
        state: SourceState,
        pages: Sequence[tuple[Item, ArticlePage]],
        now: datetime,
    ) -> list[NewArticle]:
        return [
            NewArticle(
                item=item,
                source_id=source.id,
                source_name=source.name,
                matches=self._matches_for(source, item, page.text),
                notify=state.baselined or policy.notify_on_first_poll(item, now, source.backfill),
                page=page,
            )
            for item, page in pages
        ]

    def _matches_for(self, source: SourceSettings, item: Item, text: str | None = None):
        document = Document(
            id=item.key,
            title=item.title,
            text=text or item.summary,
            lang=item.language or source.language,
        )
        every_channel = tuple(c.name for c in self.settings.channels)
        found = []
        for match in self._learned.refine(document, self._matcher.match(document)):
            if source.topics is not None and match.topic not in source.topics:
                continue
            topic = self._topics[match.topic]
            # None means every channel; an empty tuple (its channels disabled) means none
            channels = every_channel if topic.channels is None else topic.channels
            found.append((match, topic.name, channels))
            self._metrics.matched(match.topic)
        return tuple(found)

    # --- delivery -----------------------------------------------------------------------------

    async def deliver(self, *, wait: bool = True) -> DeliveryReport:
        """One delivery round for every channel with pending deliveries (``monitor.deliver``).

        Channels run side by side, so one down channel delays none; ``wait=False`` (the daemon)
        returns at once and leaves a slow channel's round running.
        """
        return await self._deliverer.round(wait=wait)

    def stop_sending(self) -> None:
        """From now on start no new send (a stop is under way)."""
        self._deliverer.stop_sending()

    async def drain_sends(self, grace: float) -> None:
        """Give sends in flight up to ``grace`` seconds to finish and be recorded. One still
        running after that is abandoned: its delivery stays pending."""
        await self._deliverer.drain(grace)
