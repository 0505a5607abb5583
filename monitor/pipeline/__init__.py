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
                      count against it; a day of failures or a 410 is reported once; what
                      the parse or the cap worked around is kept as its warning)
    deliver():     for each channel, side by side (``monitor.deliver``): pending deliveries
                   -> plan (digests, quiet hours, rate limits, no bursts) -> render to fit
                   -> send -> mark sent only after success; else back off, retry, or
                   declare dead and report it through the dead-letter channel

A failing source becomes a recorded result (``PollResult.error``), never an exception out of
``poll``; a database outage a ``store:`` result and the daemon's ``Pipeline.database`` state;
a failing channel never holds up another channel.
Owns: the order of stages and the hand-over of values between them.
Does not own: how each stage works (fetch, sources, match, store, notify, policy), nor when
polls run (``monitor.scheduler``).

    __init__.py     Pipeline: the stages in order (``poll``, ``deliver``); matching new items
    _read.py        a fetched source -> its items (feed, listing, sitemap and its children); the cap
    _follow_io.py   items -> their article pages (fetched, extracted in a worker) -> their stories
    _health_io.py   a poll's outcome -> the source's state, saved (moves, failures, outages, report)
    _result.py      PollResult, what one poll did
    _learn.py       judgments -> each topic's learned filter, retrained when they change
    _near_misses_io.py  stored articles -> a topic's near misses (``monitor.rematch`` decides)

Which topics a new item is matched for (the matcher's candidates, the learned filters, the
source's ``topics``) is ``monitor.found``'s decision, the one ``monitor rematch`` makes too.

Which half is pure: a decision that takes values and returns values lives outside this package,
named for its subject (``monitor.follow``: which items to follow, merging a page into its item;
``monitor.health``: a source's next state, moves, outages, reports); the module here that
applies it with the fetcher, workers, store or notifier carries ``_io`` (``_follow_io``,
``_health_io``). The pipeline, its health records and its deliveries share one
``monitor.runtime.Runtime``; ``use_settings`` is the one place a hot reload happens.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from monitor import follow, health, policy
from monitor.cluster import ChannelLeases
from monitor.config import Settings, SourceSettings
from monitor.database_watch import POLL, DatabaseWatch
from monitor.deliver.crash import Checkpoint, unchecked
from monitor.deliver.run import Deliverer, DeliveryReport
from monitor.errors import FetchError, LeaseLost, ParseError, StoreError
from monitor.fetch import Fetcher
from monitor.found import Found, found_in
from monitor.identity import with_credentials, without_credentials
from monitor.learn import PLAIN, Filters
from monitor.match import Matcher, lexicon_for
from monitor.metrics import NO_METRICS, Metrics
from monitor.notify import Notifier
from monitor.pipeline._follow_io import Follower
from monitor.pipeline._health_io import SourceHealth
from monitor.pipeline._learn import relearn
from monitor.pipeline._near_misses_io import NEAR_MISS_DAYS, NEAR_MISS_LIMIT, near_misses
from monitor.pipeline._read import SourceReader, capped, fetch_options
from monitor.pipeline._result import PollResult
from monitor.runtime import Loaded, Runtime
from monitor.store import ArticlePage, NewArticle, PollSaved, SourceState, Store
from monitor.types import Document, Fetched, Item, ParsedFeed, Topic, Validators
from monitor.workers import Workers

log = logging.getLogger("monitor.pipeline")

__all__ = [
    "NEAR_MISS_DAYS",
    "NEAR_MISS_LIMIT",
    "DeliveryReport",
    "Pipeline",
    "PollResult",
    "near_misses",
    "relearn",
]


@dataclass(frozen=True, slots=True)
class _Matching:
    """The settings' topics compiled for matching; replaced whole on a hot reload."""

    #: the settings they were compiled from
    settings: Settings
    matcher: Matcher
    #: the topics by id
    topics: dict[str, Topic]

    @classmethod
    def of(cls, settings: Settings, previous: _Matching | None = None) -> _Matching:
        """``previous``: the matching in use, so a reload parses and indexes only new or
        edited topics."""
        old = previous.matcher if previous is not None else None
        matcher = Matcher(settings.topics, lexicon_for(settings.lexicon), previous=old)
        return cls(settings, matcher, {t.id: t for t in settings.topics})


class Pipeline:
    """Runs polls and deliveries with the clients it is given; its ``Runtime`` holds the
    configuration in use."""

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
        database: DatabaseWatch | None = None,
    ) -> None:
        """``leases``: other nodes share the store; channel rounds run under leases.
        ``database``: the daemon's one record of its database (None: the pipeline keeps its own)."""
        self.store = store
        # one runtime for the pipeline, its health records and its deliveries: a hot reload
        # swaps its configuration in one place (``use_settings``)
        self._runtime = Runtime(
            Loaded(settings, notifier),
            store=store,
            now=now,
            rng=rng,
            checkpoint=checkpoint,
            metrics=metrics,
            database=database,
        )
        self._fetcher = fetcher
        self._matching = _Matching.of(settings)
        #: each topic's learned filter (issue 12): keeps or drops the matcher's candidates
        self._learned: Filters = PLAIN
        #: the database as the daemon's jobs found it (``/healthz``); the daemon's, not the store's
        self.database = self._runtime.database
        # placing articles in stories and saving them is one step across sources: two polls
        # saving copies of one story side by side would each miss the other's copy. The
        # store's band locks make it one across nodes (PostgreSQL); this, on SQLite, and it
        # bounds the locks a node holds at once to one poll's
        self._saving = asyncio.Lock()
        self._reader = SourceReader(fetcher, workers)
        self._follower = Follower(fetcher, workers, metrics)
        self._health = SourceHealth(self._runtime)
        self._deliverer = Deliverer(self._runtime, leases=leases)

    @property
    def settings(self) -> Settings:
        """The settings in use."""
        return self._runtime.loaded.settings

    async def use_settings(self, settings: Settings, notifier: Notifier) -> None:
        """Switch to a newly loaded configuration (hot reload), all or nothing: its topics are
        compiled and their learned filters retrained first (an edited query keeps its
        judgments), and only then is it put in use; an exception on the way leaves the
        configuration in use as it was. The one place a reload happens: polls and rounds that
        start from now on use it."""
        # from the old one: only new or edited topics are parsed and indexed
        matching = _Matching.of(settings, self._matching)
        learned = await self._filters(matching)
        # nothing below can fail: a poll never sees half a reload
        self._matching = matching
        if learned is not None:  # else the store failed: the filters in use stay
            self._learned = learned
        self._runtime.reload(Loaded(settings, notifier))

    async def relearn(self) -> None:
        """Retrain the topics whose judgments or query changed (off the loop), then use every
        topic's saved filter. A store failure keeps the filters in use."""
        matching = self._matching
        learned = await self._filters(matching)
        if learned is not None and self._matching is matching:  # else a reload came between
            self._learned = learned

    async def _filters(self, matching: _Matching) -> Filters | None:
        """The learned filters of ``matching``'s topics, or None when the store failed (logged)."""
        topics = matching.settings.topics
        try:
            models = await asyncio.to_thread(
                relearn, self.store, topics, matching.matcher, self._runtime.now()
            )
        except StoreError as error:
            self.database.failed("learn", error)  # the filters in use stay; logged there, once
            return None
        self.database.reached("learn")
        return Filters(models)

    # --- polling ----------------------------------------------------------------------------

    async def poll(self, source: SourceSettings) -> PollResult:
        """Poll one source end to end; every failure ends as a recorded result (a database
        outage as a result that says so: it cannot be recorded in the database)."""
        try:
            result = await self._poll(source)
        except LeaseLost:
            raise  # another node owns the source now: its caller (the node) discards the poll
        except StoreError as error:
            # no traceback, and no line per poll: the watch logs the outage once; the source
            # is polled again on schedule
            log.debug("poll not saved source=%s: %s", source.id, error)
            self.database.failed(POLL, error)
            return PollResult(source.id, "failed", error=f"store: {error}")
        self.database.reached(POLL)
        return result

    async def _poll(self, source: SourceSettings) -> PollResult:
        stored = await asyncio.to_thread(self.store.source_state, source.id)
        state = health.for_config(stored or SourceState.fresh(source.id, source.url), source.url)
        if state.status == "gone":
            # 410 Gone is final for that URL; editing the source's URL brings it back
            return PollResult(source.id, "gone", error=state.last_error)
        now = self._runtime.now()
        try:
            url = with_credentials(state.url, source.url)  # the store keeps no password
            with self._runtime.metrics.timed("fetch"):
                fetched = await self._fetcher.fetch(url, state.validators, fetch_options(source))
            if fetched.not_modified:
                return await self._health.record_unchanged(source, state, fetched, now)
            with self._runtime.metrics.timed("parse"):
                # the feed's password is ours: links relative to it must not carry it
                parsed = await self._reader.read(
                    source, fetched.content, without_credentials(fetched.url),
                    fetched.content_type, now,
                )  # fmt: skip
            result = await self._store_new(
                source, state, capped(parsed, self.settings), fetched, now
            )
        except (FetchError, ParseError) as error:
            self._runtime.metrics.fetch_error(
                error.kind if isinstance(error, FetchError) else "parse"
            )
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
        pages = await self._follower.follow(source, todo.follow, now)
        pages += [(item, ArticlePage()) for item in todo.plain]
        fresh = [item for item, _ in pages]
        next_check = policy.next_check_after_success(
            now, source.every, source.jitter, (fetched.max_age, parsed.ttl), self._runtime.rng
        )
        new_state = replace(
            self._health.read(source, state, fetched, parsed.warning, now),
            # with items waiting for the next poll, a conditional request would be answered
            # "not modified" and they would never be read: the next request is unconditional
            validators=Validators() if todo.deferred else fetched.validators,
            next_check=next_check,
            baselined=True,
            items_seen=state.items_seen + len(fresh),
        )
        articles, unmatched = await asyncio.to_thread(self._articles, source, state, pages, now)
        async with self._saving:
            saved = await self._save_in_stories(source, new_state, articles, now)
        self._runtime.checkpoint("after_store")
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
        """Place the articles in stories and save the poll: one step, in one transaction
        (on PostgreSQL under a lock per band key: copies saved by two nodes see each other)."""
        placing = self._follower.placing(source, now)
        return await asyncio.to_thread(self.store.save_poll, state, articles, now, placing)

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
        with self._runtime.metrics.timed("match"):
            return self._new_articles(source, state, pages, now)

    def _new_articles(
        self,
        source: SourceSettings,
        state: SourceState,
        pages: Sequence[tuple[Item, ArticlePage]],
        now: datetime,
    ) -> tuple[list[NewArticle], list[tuple[str, str]]]:
        articles, failed = [], []
        for listed, page in pages:
            item = listed if page.text else follow.as_listed(listed)
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

    def _matches_for(
        self, source: SourceSettings, item: Item, text: str | None = None
    ) -> tuple[Found, ...]:
        """The item's matches as stored: decided by ``monitor.found``, as ``monitor rematch``
        decides a stored article's."""
        matching = self._matching  # taken once: matcher and topics of one configuration
        document = Document(
            id=item.key, title=item.title, text=text or item.summary, lang=item.language
        )
        every_channel = tuple(c.name for c in matching.settings.channels)
        found = found_in(
            document, source, matching.matcher, matching.topics, every_channel, self._learned
        )
        for match, _, _ in found:
            self._runtime.metrics.matched(match.topic)
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
