"""The pipeline: the only place that sequences the stages.

    poll(source):  fetch the feed, listing page or sitemap (conditional GET, guarded, polite)
                   -> parse it (worker process with limits; a sitemap index: its newest child
                      sitemaps too) -> the first ``items_per_poll`` items
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
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from monitor import follow, health, policy, story
from monitor.config import Settings, SourceSettings
from monitor.deliver.crash import crash_point
from monitor.deliver.run import Deliverer, DeliveryReport
from monitor.errors import DeliveryError, FetchError, MonitorError, ParseError
from monitor.fetch import Fetcher, FetchOptions
from monitor.match import Matcher, lexicon_for
from monitor.notify import Notifier, render_source_notice
from monitor.sources import Sitemap, parse_feed, parse_listing, parse_sitemap
from monitor.store import ArticlePage, NewArticle, SourceState, Store
from monitor.types import Document, Fetched, Item, ParsedFeed, Topic, Validators
from monitor.workers import Workers

#: how far back a new article looks for another outlet's copy of its story
STORY_WINDOW = timedelta(days=3)
#: child sitemaps of a sitemap index read per poll (the newest by ``lastmod``)
SITEMAP_CHILDREN = 3
#: sitemap entries considered per poll (the newest)
SITEMAP_ENTRIES = 200

log = logging.getLogger("monitor.pipeline")


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll of one source did."""

    source_id: str
    #: "new" (parsed), "not_modified" (304), "failed", or "gone" (410: disabled)
    outcome: str
    #: items in the feed, of which new to the store, and new matches stored
    items: int = 0
    new_articles: int = 0
    new_matches: int = 0
    #: the classified error, secret-free, when outcome is failed or gone
    error: str | None = None
    next_check: datetime | None = None


__all__ = ["DeliveryReport", "Pipeline", "PollResult"]


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
    ) -> None:
        self.store = store
        self._fetcher = fetcher
        self._workers = workers
        self._now = now
        self._rng = rng or random.Random()
        self._notifier = notifier
        self.settings = settings
        self._matcher = Matcher(settings.topics, lexicon_for(settings.lexicon))
        self._topics: dict[str, Topic] = {t.id: t for t in settings.topics}
        # placing articles in stories and saving them is one step across sources: two polls
        # saving copies of one story side by side would each miss the other's copy
        self._saving = asyncio.Lock()
        self._outages = health.OutageWatch()
        self._deliverer = Deliverer(
            settings, store=store, notifier=notifier, now=now, rng=self._rng
        )

    def use_settings(self, settings: Settings, notifier: Notifier) -> None:
        """Switch to a newly loaded configuration (hot reload); the old one was valid too."""
        self._matcher = Matcher(settings.topics, lexicon_for(settings.lexicon))
        self._topics = {t.id: t for t in settings.topics}
        self._notifier = notifier
        self.settings = settings
        self._deliverer.use(settings, notifier)

    # --- polling ----------------------------------------------------------------------------

    async def poll(self, source: SourceSettings) -> PollResult:
        """Poll one source end to end; every failure ends as a recorded result."""
        stored = await asyncio.to_thread(self.store.source_state, source.id)
        state = _for_config(stored or _fresh_state(source), source)
        if state.status == "gone":
            # 410 Gone is final for that URL; editing the source's URL brings it back
            return PollResult(source.id, "gone", error=state.last_error)
        now = self._now()
        try:
            fetched = await self._fetcher.fetch(state.url, state.validators, _options(source))
            if fetched.not_modified:
                return await self._record_unchanged(source, state, fetched, now)
            parsed = await self._read(source, fetched.content, fetched.url, fetched.content_type)
            result = await self._store_new(
                source, state, _capped(parsed, self.settings), fetched, now
            )
        except (FetchError, ParseError) as error:
            return await self._record_failure(source, state, error, now)
        log.info(
            "polled source=%s items=%d new=%d matches=%d",
            source.id,
            result.items,
            result.new_articles,
            result.new_matches,
        )
        return result

    async def _read(
        self, source: SourceSettings, content: bytes, url: str, content_type: str | None
    ) -> ParsedFeed:
        """The items of a fetched feed, listing page or sitemap."""
        hint = source.language
        if source.kind == "listing":
            return await self._parse(
                functools.partial(
                    parse_listing,
                    content,
                    url=url,
                    content_type=content_type,
                    language=hint,
                    selectors=source.selectors,
                )
            )
        if source.kind == "sitemap":
            return await self._read_sitemap(source, content, url)
        return await self._parse(
            functools.partial(
                parse_feed, content, url=url, content_type=content_type, language=hint
            )
        )

    async def _read_sitemap(self, source: SourceSettings, content: bytes, url: str) -> ParsedFeed:
        """A sitemap's newest entries; for an index, those of its newest child sitemaps."""
        job = functools.partial(
            parse_sitemap, content, url=url, language=source.language, limit=SITEMAP_ENTRIES
        )
        sitemap: Sitemap = await self._parse(job)
        if not sitemap.children:
            return sitemap.feed
        items: dict[str, Item] = {}
        for child in sitemap.children[:SITEMAP_CHILDREN]:
            fetched = await self._fetcher.fetch(child, options=_options(source))
            job = functools.partial(
                parse_sitemap, fetched.content, url=fetched.url, language=source.language,
                limit=SITEMAP_ENTRIES,
            )  # fmt: skip
            part: Sitemap = await self._parse(job)
            items.update((item.key, item) for item in part.feed.items if item.key not in items)
        oldest = datetime.min.replace(tzinfo=UTC)
        newest = sorted(items.values(), key=lambda i: i.published or oldest, reverse=True)
        return ParsedFeed(
            title=None, items=tuple(newest[:SITEMAP_ENTRIES]), language=source.language
        )

    async def _parse(self, job: functools.partial):
        """Run in a worker: a crash, hang or memory hog costs this job, never the daemon."""
        return await self._workers.run(job)

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
        pages = await self._follow(source, todo.follow)
        pages += [(item, ArticlePage()) for item in todo.plain]
        fresh = [item for item, _ in pages]
        next_check = policy.next_check_after_success(
            now, source.every, source.jitter, (fetched.max_age, parsed.ttl), self._rng
        )
        new_state = replace(
            self._healthy(source, state, fetched, now),
            validators=fetched.validators,
            next_check=next_check,
            baselined=True,
            items_seen=state.items_seen + len(fresh),
        )
        async with self._saving:
            pages = await self._in_stories(source, pages, now)
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
        for match in self._matcher.match(document):
            if source.topics is not None and match.topic not in source.topics:
                continue
            topic = self._topics[match.topic]
            # None means every channel; an empty tuple (its channels disabled) means none
            channels = every_channel if topic.channels is None else topic.channels
            found.append((match, topic.name, channels))
        return tuple(found)

    # --- following items to their article pages -------------------------------------------------

    async def _follow(
        self, source: SourceSettings, items: Sequence[Item]
    ) -> list[tuple[Item, ArticlePage]]:
        """Fetch and extract each item's page (the fetcher bounds concurrency per host). A page
        that fails leaves the item as the listing gave it, with the reason recorded."""
        return list(await asyncio.gather(*(self._follow_one(source, item) for item in items)))

    async def _in_stories(
        self, source: SourceSettings, pages: list[tuple[Item, ArticlePage]], now: datetime
    ) -> list[tuple[Item, ArticlePage]]:
        """Each followed article in its story: another outlet's copy's, else a new one."""
        if not any(page.fingerprint for _, page in pages):
            return pages
        known = await asyncio.to_thread(self.store.recent_fingerprints, now - STORY_WINDOW)
        return [self._in_story(source, item, page, known) for item, page in pages]

    async def _follow_one(self, source: SourceSettings, item: Item) -> tuple[Item, ArticlePage]:
        if item.url is None:
            return item, ArticlePage(follow_error="no link to follow")
        try:
            fetched = await self._fetcher.fetch(item.url, options=_options(source, article=True))
            job = functools.partial(
                follow.extract_job, fetched.content, fetched.url, fetched.content_type,
                item.language or source.language,
            )  # fmt: skip
            extracted: follow.Extracted = await self._parse(job)
        except (FetchError, ParseError) as error:
            log.info("follow failed source=%s url=%s error=%s", source.id, item.url, error)
            return item, ArticlePage(follow_error=str(error))
        if not extracted.article.text:
            return item, ArticlePage(follow_error="no article text found on the page")
        merged, date_source = follow.merged(item, extracted.article)
        page = ArticlePage(
            text=extracted.article.text,
            date_source=date_source,
            canonical_url=extracted.article.canonical_url,
            fingerprint=extracted.fingerprint,
        )
        return merged, page

    @staticmethod
    def _in_story(
        source: SourceSettings,
        item: Item,
        page: ArticlePage,
        known: list[tuple[str, str, bytes]],
    ) -> tuple[Item, ArticlePage]:
        if page.fingerprint is None:
            return item, page
        story_id = story.story_for(page.fingerprint, source.id, known) or item.key
        known.append((story_id, source.id, page.fingerprint))
        return item, replace(page, story_id=story_id)

    def _healthy(
        self, source: SourceSettings, state: SourceState, fetched: Fetched, now: datetime
    ) -> SourceState:
        """The state after a successful poll: failures cleared, a stable move followed."""
        self._outages.record(source.id, now, network_failure=False)
        current = health.Moves(state.url, state.moved_to, state.moved_seen, state.moved_since)
        moves = health.follow_moves(current, fetched.url, fetched.moved_permanently, now)
        if moves.url != state.url:
            log.warning("source=%s moved permanently: now polled at its new URL", source.id)
        return replace(
            state,
            url=moves.url,
            moved_to=moves.moved_to,
            moved_seen=moves.seen,
            moved_since=moves.since,
            last_check=now,
            last_success=now,
            failures=0,
            last_error=None,
            status="ok",
            failing_since=None,
            reported_at=None,
        )

    async def _record_unchanged(
        self, source: SourceSettings, state: SourceState, fetched: Fetched, now: datetime
    ) -> PollResult:
        next_check = policy.next_check_after_success(
            now, source.every, source.jitter, (fetched.max_age,), self._rng
        )
        new_state = replace(self._healthy(source, state, fetched, now), next_check=next_check)
        await asyncio.to_thread(self.store.save_source_state, new_state)
        log.info("polled source=%s not_modified", source.id)
        return PollResult(source.id, "not_modified", next_check=next_check)

    async def _record_failure(
        self, source: SourceSettings, state: SourceState, error: MonitorError, now: datetime
    ) -> PollResult:
        network = isinstance(error, FetchError) and error.kind in health.NETWORK_KINDS
        self._outages.record(source.id, now, network_failure=network)
        if network and self._outages.is_outage(now):
            return await self._record_outage(source, state, error, now)
        failures = state.failures + 1
        gone = isinstance(error, FetchError) and error.status == 410
        retry_after = error.retry_after if isinstance(error, FetchError) else None
        next_check = policy.next_check_after_failure(
            now, source.every, failures, retry_after, self._rng
        )
        new_state = replace(
            state,
            last_check=now,
            next_check=next_check,
            failures=failures,
            last_error=str(error)[:300],
            status="gone" if gone else "failing",
            failing_since=state.failing_since or now,
        )
        due = health.should_report(new_state.failing_since, state.reported_at, gone, now)
        if due and await self._report(source, new_state, error, gone):
            new_state = replace(new_state, reported_at=now)
        await asyncio.to_thread(self.store.save_source_state, new_state)
        log.warning("poll failed source=%s failures=%d error=%s", source.id, failures, error)
        return PollResult(
            source.id, "gone" if gone else "failed", error=str(error), next_check=next_check
        )

    async def _record_outage(
        self, source: SourceSettings, state: SourceState, error: MonitorError, now: datetime
    ) -> PollResult:
        """Most sources fail at the network level at once: the network is down, not this source.
        The failure is not counted (no back-off, no report); the source is tried on schedule."""
        next_check = policy.next_check_after_success(
            now, source.every, source.jitter, (), self._rng
        )
        note = f"{error} (network-wide outage: not counted against the source)"
        new_state = replace(state, last_check=now, next_check=next_check, last_error=note[:300])
        await asyncio.to_thread(self.store.save_source_state, new_state)
        log.warning("poll failed source=%s during a network-wide outage: %s", source.id, error)
        return PollResult(source.id, "failed", error=note, next_check=next_check)

    async def _report(
        self, source: SourceSettings, state: SourceState, error: MonitorError, gone: bool
    ) -> bool:
        """Tell every channel about a gone or day-long failing source; True if one accepted it
        (or there is none to tell), so the report is recorded and never repeated."""
        since = state.failing_since or self._now()
        problem = (
            "answered 410 Gone: it is no longer polled until its URL changes in the config"
            if gone
            else f"failing since {since:%Y-%m-%d %H:%M} UTC ({state.failures} polls in a row);"
            f" last error: {error}"
        )
        log.error("source=%s %s", source.id, problem)
        notice_id = f"source-{source.id}-{since:%Y%m%dT%H%M%SZ}"
        reached = not self.settings.channels
        for channel in self.settings.channels:
            message = render_source_notice(notice_id, source.name, problem, channel.format)
            try:
                await self._notifier.send(channel.name, message)
                reached = True
            except DeliveryError as failure:
                log.warning("source notice not delivered channel=%s: %s", channel.name, failure)
        return reached

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


def _for_config(state: SourceState, source: SourceSettings) -> SourceState:
    """The state for the source as configured now: an edited URL starts over (a stored move,
    validators and a 410 belonged to the old one)."""
    if state.configured_url == source.url:
        return state
    if state.configured_url is None and state.url == source.url:
        return replace(state, configured_url=source.url)  # stored before moves were recorded
    return replace(
        state,
        url=source.url,
        configured_url=source.url,
        validators=Validators(),
        status="ok" if state.status == "gone" else state.status,
        moved_to=None,
        moved_seen=0,
        moved_since=None,
        reported_at=None,
    )


def _fresh_state(source: SourceSettings) -> SourceState:
    return SourceState(
        source_id=source.id,
        url=source.url,
        configured_url=source.url,
        validators=Validators(),
        last_check=None,
        next_check=None,
        last_success=None,
        failures=0,
        last_error=None,
        items_seen=0,
        status="ok",
        baselined=False,
    )


def _options(source: SourceSettings, *, article: bool = False) -> FetchOptions:
    """Where the source may connect; robots.txt is asked for listing pages and articles (a feed
    or sitemap is published for machines to read)."""
    robots = source.respect_robots and (article or source.kind == "listing")
    return FetchOptions(allow_networks=source.allow_networks, respect_robots=robots)


def _capped(parsed: ParsedFeed, settings: Settings) -> ParsedFeed:
    """At most ``limits.items_per_poll`` items: the newest (feeds are not always newest-first),
    in document order; the rest are dropped with a warning."""
    cap = settings.limits.items_per_poll
    if len(parsed.items) <= cap:
        return parsed
    oldest = datetime.min.replace(tzinfo=UTC)
    by_age = sorted(
        range(len(parsed.items)),
        key=lambda n: (parsed.items[n].published or oldest, -n),
        reverse=True,
    )
    keep = sorted(by_age[:cap])
    dropped = f"dropped {len(parsed.items) - cap} older items over limits.items_per_poll"
    warning = "; ".join(filter(None, (parsed.warning, dropped)))
    return replace(parsed, items=tuple(parsed.items[n] for n in keep), warning=warning)
