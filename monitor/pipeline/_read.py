"""Reading a source: its fetched body -> its items (feed, listing page or news sitemap).

Owns: which parser a source's kind takes (run in a worker process), a sitemap index's newest
child sitemaps (fetched and read too) and its newest entries, the per-poll item cap
(``limits.items_per_poll``), and the fetch options a source's requests carry.
Does not own: fetching the source itself (``monitor.pipeline``), recording the outcome
(``_health_io``), how a body is parsed (``monitor.sources``), what happens to the items next.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import replace
from datetime import UTC, datetime

from monitor import bounds
from monitor.config import Settings, SourceSettings
from monitor.errors import FetchError, ParseError
from monitor.fetch import Fetcher, FetchOptions
from monitor.sources import Sitemap, parse_feed, parse_listing, parse_sitemap
from monitor.types import Item, ParsedFeed
from monitor.workers import Workers

log = logging.getLogger("monitor.pipeline")

#: child sitemaps of a sitemap index read per poll (the newest by ``lastmod``)
SITEMAP_CHILDREN = 3
#: sitemap entries considered per poll (the newest)
SITEMAP_ENTRIES = 200


class SourceReader:
    """Parses what a source served, with the fetcher (sitemap children) and workers it is given."""

    def __init__(self, fetcher: Fetcher, workers: Workers) -> None:
        self._fetcher = fetcher
        self._workers = workers

    async def read(
        self,
        source: SourceSettings,
        content: bytes,
        url: str,
        content_type: str | None,
        now: datetime,
    ) -> ParsedFeed:
        """The items of a fetched feed, listing page or sitemap, valid and bounded; a date more
        than a day after ``now`` is none (the parsers drop it: ``monitor.timestamps``)."""
        return bounds.feed(await self._read(source, content, url, content_type, now))

    async def _read(
        self,
        source: SourceSettings,
        content: bytes,
        url: str,
        content_type: str | None,
        now: datetime,
    ) -> ParsedFeed:
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
                    now=now,
                )
            )
        if source.kind == "sitemap":
            return await self._read_sitemap(source, content, url, now)
        return await self._parse(
            functools.partial(
                parse_feed, content, url=url, content_type=content_type, language=hint, now=now
            )
        )

    async def _read_sitemap(
        self, source: SourceSettings, content: bytes, url: str, now: datetime
    ) -> ParsedFeed:
        """A sitemap's newest entries; for an index, those of its newest child sitemaps."""
        job = functools.partial(
            parse_sitemap, content, url=url, language=source.language, limit=SITEMAP_ENTRIES,
            now=now,
        )  # fmt: skip
        sitemap: Sitemap = await self._parse(job)
        if not sitemap.children:
            return sitemap.feed
        items: dict[str, Item] = {}
        failures: list[FetchError | ParseError] = []
        warnings = [sitemap.feed.warning]
        for child in sitemap.children[:SITEMAP_CHILDREN]:
            try:
                part = await self._read_child(source, child, now)
            except (FetchError, ParseError) as error:
                # one broken child costs its own entries only, not the whole index
                log.warning("sitemap child failed source=%s error=%s", source.id, error)
                failures.append(error)
                continue
            items.update((item.key, item) for item in part.feed.items if item.key not in items)
            warnings.append(part.feed.warning)
        if failures and len(failures) == len(sitemap.children[:SITEMAP_CHILDREN]):
            raise failures[0]
        oldest = datetime.min.replace(tzinfo=UTC)
        newest = sorted(items.values(), key=lambda i: i.published or oldest, reverse=True)
        if failures:
            warnings.append(f"{len(failures)} child sitemap(s) failed: {failures[0]}")
        return ParsedFeed(
            title=None,
            items=tuple(newest[:SITEMAP_ENTRIES]),
            language=source.language,
            warning="; ".join(filter(None, warnings)) or None,
        )

    async def _read_child(self, source: SourceSettings, url: str, now: datetime) -> Sitemap:
        fetched = await self._fetcher.fetch(url, options=fetch_options(source))
        job = functools.partial(
            parse_sitemap, fetched.content, url=fetched.url, language=source.language,
            limit=SITEMAP_ENTRIES, now=now,
        )  # fmt: skip
        part: Sitemap = await self._parse(job)
        return part

    async def _parse(self, job: functools.partial):
        """Run in a worker: a crash, hang or memory hog costs this job, never the daemon."""
        return await self._workers.run(job)


def fetch_options(source: SourceSettings, *, article: bool = False) -> FetchOptions:
    """Where the source may connect; robots.txt is asked for listing pages and articles (a feed
    or sitemap is published for machines to read)."""
    robots = source.respect_robots and (article or source.kind == "listing")
    return FetchOptions(allow_networks=source.allow_networks, respect_robots=robots)


def capped(parsed: ParsedFeed, settings: Settings) -> ParsedFeed:
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
