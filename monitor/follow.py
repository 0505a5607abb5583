"""Following items to their article pages, the pure half: which to follow, what a page adds.

Owns: the plan of one poll's follows (bounded per poll; the rest wait for the next poll), the
job the worker pool runs on a fetched page (extract + fingerprint), and merging the extracted
article into the item that pointed at it. Pure: values in, values out; no I/O.
Does not own: the I/O that applies it, the other half (``monitor.pipeline._follow_io``: fetches
the pages, runs the job in a worker, places articles in stories), fetching (``monitor.fetch``),
extraction (``monitor.extract``), stories (``monitor.story``), sequencing
(``monitor.pipeline``). Naming: see ``monitor.health``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from monitor import policy
from monitor.extract import extract_article
from monitor.story import fingerprint
from monitor.types import Article, Item

#: an item's summary made from its article text is cut near this many characters
SUMMARY_CHARS = 500


@dataclass(frozen=True, slots=True)
class Plan:
    """What one poll does with its new items."""

    #: fetch these items' pages (at most ``max_follow``), newest first as listed
    follow: tuple[Item, ...]
    #: store these as they are (not followed); the rest stay unseen for a later poll
    plain: tuple[Item, ...]
    #: True when some new items wait for a later poll (over ``max_follow``): that poll must
    #: read the listing again, not be told it is unchanged
    deferred: bool = False


@dataclass(frozen=True, slots=True)
class Extracted:
    """What the worker made of one article page."""

    article: Article
    #: MinHash of the text (``monitor.story``); None for a text too short
    fingerprint: bytes | None


def plan(
    fresh: Sequence[Item],
    *,
    follow: bool,
    baselined: bool,
    backfill: float | None,
    max_follow: int,
    now: datetime,
) -> Plan:
    """Which new items to follow now.

    The first poll of a source stores its backlog silently and follows nothing (that would fetch
    a whole sitemap), except the items ``backfill`` will notify. Later polls follow up to
    ``max_follow`` items and leave the rest unseen, so the next poll takes them up; so do the
    items ``backfill`` notifies beyond ``max_follow`` (an alert is made from the article).
    """
    if not follow:
        return Plan((), tuple(fresh))
    if not baselined:
        notified = [i for i in fresh if policy.notify_on_first_poll(i, now, backfill)]
        chosen, waiting = notified[:max_follow], notified[max_follow:]
        plain = tuple(i for i in fresh if i not in notified)
        return Plan(tuple(chosen), plain, deferred=bool(waiting))
    return Plan(tuple(fresh[:max_follow]), (), deferred=len(fresh) > max_follow)


def extract_job(
    content: bytes,
    url: str,
    content_type: str | None,
    language: str | None,
    now: datetime | None,
) -> Extracted:
    """Extract a fetched page and fingerprint its text (runs in a worker process); no date more
    than a day after ``now`` is taken from it."""
    article = extract_article(content, url, content_type=content_type, language=language, now=now)
    return Extracted(article, fingerprint(article.text))


def merged(item: Item, article: Article) -> tuple[Item, str | None]:
    """The item as the page tells it, and where its date came from.

    The page's headline replaces the listing's (a listing's link text is often a teaser); a date
    the feed or sitemap gave is kept (structured, and the publisher's own), else the page's.
    """
    date_source = "feed" if item.published else article.date_source
    summary = item.summary or _cut(article.text, SUMMARY_CHARS)
    return (
        replace(
            item,
            title=article.title or item.title,
            summary=summary,
            published=item.published or article.published,
            author=item.author or article.author,
            language=article.language or item.language,
        ),
        date_source,
    )


def _cut(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + "…"
