"""The pipeline: the only place that sequences the stages.

    poll(source):  fetch the feed (conditional GET) -> parse it (worker process)
                   -> keep items not stored yet -> match every topic
                   -> store articles + matches + pending deliveries in ONE transaction
                   -> record the source's state and when to check it next
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
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import datetime

from monitor import policy
from monitor.config import Settings, SourceSettings
from monitor.deliver.crash import crash_point
from monitor.deliver.run import Deliverer, DeliveryReport
from monitor.errors import FetchError, MonitorError, ParseError
from monitor.fetch import Fetcher
from monitor.match import Matcher
from monitor.notify import Notifier
from monitor.sources import parse_feed
from monitor.store import NewArticle, SourceState, Store
from monitor.types import Document, Item, ParsedFeed, Topic, Validators

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
        workers: Executor,
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
        self._matcher = Matcher(settings.topics)
        self._topics: dict[str, Topic] = {t.id: t for t in settings.topics}
        self._deliverer = Deliverer(
            settings, store=store, notifier=notifier, now=now, rng=self._rng
        )

    def use_settings(self, settings: Settings, notifier: Notifier) -> None:
        """Switch to a newly loaded configuration (hot reload); the old one was valid too."""
        self._matcher = Matcher(settings.topics)
        self._topics = {t.id: t for t in settings.topics}
        self._notifier = notifier
        self.settings = settings
        self._deliverer.use(settings, notifier)

    # --- polling ----------------------------------------------------------------------------

    async def poll(self, source: SourceSettings) -> PollResult:
        """Poll one source end to end; every failure ends as a recorded result."""
        state = await asyncio.to_thread(self.store.source_state, source.id)
        state = state or _fresh_state(source)
        if state.status == "gone" and state.url == source.url:
            # 410 Gone is final for that URL; editing the source's URL brings it back
            return PollResult(source.id, "gone", error=state.last_error)
        now = self._now()
        try:
            fetched = await self._fetcher.fetch(source.url, state.validators)
            if fetched.not_modified:
                return await self._record_unchanged(source, state, fetched.max_age, now)
            parsed = await self._parse(source, fetched.content, fetched.url, fetched.content_type)
            result = await self._store_new(
                source, state, parsed, fetched.validators, now, hints=(fetched.max_age, parsed.ttl)
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

    async def _parse(
        self, source: SourceSettings, content: bytes, url: str, content_type: str | None
    ) -> ParsedFeed:
        job = functools.partial(
            parse_feed, content, url=url, content_type=content_type, language=source.language
        )
        try:
            return await asyncio.get_running_loop().run_in_executor(self._workers, job)
        except ParseError:
            raise
        except Exception as e:  # a crashed worker costs this poll, never the daemon
            raise ParseError(f"parser failed: {type(e).__name__}") from e

    async def _store_new(
        self,
        source: SourceSettings,
        state: SourceState,
        parsed: ParsedFeed,
        validators: Validators,
        now: datetime,
        hints: tuple[float | None, ...],
    ) -> PollResult:
        keys = [item.key for item in parsed.items]
        unseen = await asyncio.to_thread(self.store.unseen_keys, keys)
        fresh = [item for item in parsed.items if item.key in unseen]
        articles = await asyncio.to_thread(self._articles, source, state, fresh, now)
        next_check = policy.next_check_after_success(
            now, source.every, source.jitter, hints, self._rng
        )
        new_state = replace(
            state,
            url=source.url,
            validators=validators,
            last_check=now,
            next_check=next_check,
            last_success=now,
            failures=0,
            last_error=None,
            status="ok",
            baselined=True,
            items_seen=state.items_seen + len(fresh),
        )
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
        self, source: SourceSettings, state: SourceState, items: Sequence[Item], now: datetime
    ) -> list[NewArticle]:
        """Match the new items and decide which are notified (CPU work: runs in a thread)."""
        return [
            NewArticle(
                item=item,
                source_id=source.id,
                source_name=source.name,
                matches=self._matches_for(source, item),
                notify=state.baselined or policy.notify_on_first_poll(item, now, source.backfill),
            )
            for item in items
        ]

    def _matches_for(self, source: SourceSettings, item: Item):
        document = Document(
            id=item.key, title=item.title, text=item.summary, lang=item.language or source.language
        )
        every_channel = tuple(c.name for c in self.settings.channels)
        found = []
        for match in self._matcher.match(document):
            if source.topics is not None and match.topic not in source.topics:
                continue
            topic = self._topics[match.topic]
            found.append((match, topic.name, topic.channels or every_channel))
        return tuple(found)

    async def _record_unchanged(
        self, source: SourceSettings, state: SourceState, max_age: float | None, now: datetime
    ) -> PollResult:
        next_check = policy.next_check_after_success(
            now, source.every, source.jitter, (max_age,), self._rng
        )
        new_state = replace(
            state,
            last_check=now,
            next_check=next_check,
            last_success=now,
            failures=0,
            last_error=None,
            status="ok",
        )
        await asyncio.to_thread(self.store.save_source_state, new_state)
        log.info("polled source=%s not_modified", source.id)
        return PollResult(source.id, "not_modified", next_check=next_check)

    async def _record_failure(
        self, source: SourceSettings, state: SourceState, error: MonitorError, now: datetime
    ) -> PollResult:
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
        )
        await asyncio.to_thread(self.store.save_source_state, new_state)
        log.warning("poll failed source=%s failures=%d error=%s", source.id, failures, error)
        return PollResult(
            source.id, "gone" if gone else "failed", error=str(error), next_check=next_check
        )

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


def _fresh_state(source: SourceSettings) -> SourceState:
    return SourceState(
        source_id=source.id,
        url=source.url,
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
