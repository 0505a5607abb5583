"""The pipeline: the only place that sequences the stages.

    poll(source):  fetch the feed, listing page or sitemap (conditional GET, guarded, polite)
                   -> parse it (worker process with limits; a sitemap index: its newest child
                      sitemaps too, a failing child costing only its own entries)
                   -> valid, bounded text (``monitor.bounds``) -> the newest ``items_per_poll``
                   -> keep items not stored yet
                   -> follow them (``follow: true``; bounded per poll): fetch each article page,
                      extract it (worker process), group syndicated copies into stories
                   -> match every topic on title + full text
                   -> store articles + matches + pending deliveries in ONE transaction
                      (a story already matched for a topic gains an outlet, not a delivery;
                      an item the matcher or database refuses is left out, and the source
                      shows as failing with ``item: <reason>``)
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

from monitor import bounds, follow, policy
from monitor.cluster import ChannelLeases
from monitor.config import Settings, SourceSettings
from monitor.deliver.crash import Checkpoint, unchecked
from monitor.deliver.run import Deliverer, DeliveryReport
from monitor.errors import FetchError, LeaseLost, ParseError, StoreError
from monitor.fetch import Fetcher
from monitor.identity import with_credentials
from monitor.learn import PLAIN, Filters
from monitor.match import Matcher, lexicon_for
from monitor.metrics import NO_METRICS, Metrics
from monitor.notify import Notifier
from monitor.pipeline._follow import Follower
from monitor.pipeline._health import SourceHealth, for_config, fresh_state
from monitor.pipeline._learn import relearn
from monitor.pipeline._read import SourceReader, capped, fetch_options
from monitor.pipeline._result import PollResult
from monitor.store import ArticlePage, NewArticle, PollSaved, SourceState, Store
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
        checkpoint: Checkpoint = unchecked,
        metrics: Metrics = NO_METRICS,
        leases: ChannelLeases | None = None,
    ) -> None:
        """``leases``: other nodes share the store; channel rounds run under leases."""
        self.store = store
        self._checkpoint = checkpoint
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
            settings,
            store=store,
            notifier=notifier,
            now=now,
            rng=self._rng,
            checkpoint=checkpoint,
            metrics=metrics,
            leases=leases,
        )

    def use_settings(self, settings: Settings, notifier: Notifier) -> None:
        """Switch to a newly loaded configuration (hot reload); the old one was valid too."""
        # rebuilt from the old matcher: only new or edited topics are parsed and indexed
        lexicon = lexicon_for(settings.lexicon)
        self._matcher = Matcher(settings.topics, lexicon, previous=self._matcher)
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
        """Poll one source end to end; every failure ends as a recorded result (a database
        outage as a result that says so: it cannot be recorded in the database)."""
        try:
            return await self._poll(source)
        except LeaseLost:
            raise  # another node owns the source now: its caller (the node) discards the poll
        except StoreError as error:
            # one line per poll, not a traceback; the source is polled again on schedule
            log.warning("poll not saved source=%s: %s", source.id, error)
            return PollResult(source.id, "failed", error=f"store: {error}")

    async def _poll(self, source: SourceSettings) -> PollResult:
        stored = await asyncio.to_thread(self.store.source_state, source.id)
        state = for_config(stored or fresh_state(source), source)
        if state.status == "gone":
            # 410 Gone is final for that URL; editing the source's URL brings it back
            return PollResult(source.id, "gone", error=state.last_error)
        now = self._now()
        try:
            url = with_credentials(state.url, source.url)  # the store keeps no password
            with self._metrics.timed("fetch"):
                fetched = await self._fetcher.fetch(url, state.validators, fetch_options(source))
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
        unseen = await asyncio.to_thread(self.store.unseen_keys, keys, source.id)
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
        articles, unmatched = await asyncio.to_thread(self._articles, source, state, pages, now)
        async with self._saving:
            saved = await self._save_in_stories(source, new_state, articles, now)
        self._checkpoint("after_store")
        error = await self._item_failures(source, new_state, (*unmatched, *saved.refused))
        return PollResult(
            source.id,
            "new",
            len(parsed.items),
            saved.new_articles,
            saved.new_matches,
            error=error,
            next_check=next_check,
        )

    async def _save_in_stories(
        self, source: SourceSettings, state: SourceState, articles: list[NewArticle], now: datetime
    ) -> PollSaved:
        """Place the articles in stories and save the poll: one step, also across nodes (the
        cluster's story lock on PostgreSQL)."""
        lease = self.settings.cluster.lease  # a paused holder stalls the others no longer
        clustered = self.store.clustered
        unlock = await asyncio.to_thread(self.store.lock_stories, lease) if clustered else None
        try:
            pages = [(a.item, a.page) for a in articles]
            placed = await self._follower.in_stories(source, pages, now)
            placed_articles = [
                replace(a, page=page) for a, (_, page) in zip(articles, placed, strict=True)
            ]
            return await asyncio.to_thread(self.store.save_poll, state, placed_articles, now)
        finally:
            if unlock is not None:
                await asyncio.to_thread(unlock)

    async def _item_failures(
        self, source: SourceSettings, state: SourceState, failed: Sequence[tuple[str, str]]
    ) -> str | None:
        """The one place where items that could not be matched or stored become the source's
        visible error ("failing" in ``monitor sources``, with the reason); the poll's other
        items are saved, and the failed ones stay unseen, so the next poll tries them again."""
        if not failed:
            return None
        key, why = failed[0]
        more = f" (and {len(failed) - 1} more)" if len(failed) > 1 else ""
        error = f"item: {why}{more} [{key[:120]}]"
        log.warning("poll item failed source=%s key=%s error=%s", source.id, key[:120], why)
        failing = replace(state, status="failing", last_error=error[:300])
        await asyncio.to_thread(self.store.save_source_state, failing)
        return error

    def _articles(
        self,
        source: SourceSettings,
        state: SourceState,
        pages: Sequence[tuple[Item, ArticlePage]],
        now: datetime,
    ) -> tuple[list[NewArticle], list[tuple[str, str]]]:
        """Match the new items and decide which are notified (CPU work: runs in a thread).
        An item the matcher fails on is left out and named, with the reason."""
        with self._metrics.timed("match"):
            return self._new_articles(source, state, pages, now)

    def _new_articles(
        self,
        source: SourceSettings,
        state: SourceState,
        pages: Sequence[tuple[Item, ArticlePage]],
        now: datetime,
    ) -> tuple[list[NewArticle], list[tuple[str, str]]]:
        articles, failed = [], []
        for item, page in pages:
            try:
                matches = self._matches_for(source, item, page.text)
            except (RecursionError, MemoryError, ValueError) as error:
                failed.append((item.key, f"match: {type(error).__name__}"))
                continue
            notify = state.baselined or policy.notify_on_first_poll(item, now, source.backfill)
            articles.append(
                NewArticle(
                    item=item,
                    source_id=source.id,
                    source_name=source.name,
                    matches=matches,
                    notify=notify,
                    page=page,
                )
            )
        return articles, failed

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
            found.append((replace(match, hits=bounds.hits(match.hits)), topic.name, channels))
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
