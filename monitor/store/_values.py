"""The values the store takes and gives back: its vocabulary.

Owns: the frozen shapes that cross the store boundary (source state in and out, what a poll saves,
deliveries due, stored matches). Datetimes are timezone-aware UTC.
Does not own: table rows (``_tables``), the pipeline values they carry (``monitor.types``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Literal

from monitor.types import Alert, Document, Hit, Item, Match, Validators


@dataclass(frozen=True, slots=True)
class SourceState:
    """Where polling one source stands; saved after every poll, successful or not."""

    #: the source's id in the config
    source_id: str
    #: the URL polled now (a later change follows stable permanent redirects)
    url: str
    #: ETag / Last-Modified for the next conditional request
    validators: Validators
    #: when the source was last polled, and when it is due next
    last_check: datetime | None
    next_check: datetime | None
    #: when a poll last succeeded
    last_success: datetime | None
    #: consecutive failed polls (0 after a success)
    failures: int
    #: short, secret-free description of the last failure
    last_error: str | None
    #: items seen in total
    items_seen: int
    #: "ok" | "failing" | "gone"
    status: str
    #: True once the first (baseline) poll is done
    baselined: bool
    #: the configured URL that ``url`` derives from (a config edit starts over from the new one)
    configured_url: str | None = None
    #: a permanent redirect target seen so far, how often, and since when (``url`` follows it
    #: only once it is stable)
    moved_to: str | None = None
    moved_seen: int = 0
    moved_since: datetime | None = None
    #: when the current run of failures began (None while the source works)
    failing_since: datetime | None = None
    #: when that run of failures (or a 410) was reported through the channels, if it was
    reported_at: datetime | None = None
    #: what the last poll that read the source worked around ("no article links found",
    #: "dropped 40 older items over limits.items_per_poll"): one line, bounded, secret-free
    #: (``monitor.health.kept_warning``); None after a poll without one, kept by a 304 and a
    #: failure (nothing was read)
    warning: str | None = None

    @classmethod
    def fresh(cls, source_id: str, url: str) -> SourceState:
        """The state of a source never polled before, configured at ``url``."""
        return cls(
            source_id=source_id,
            url=url,
            configured_url=url,
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


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """What the article page added to an item (all empty when the item was not followed)."""

    #: the extracted main text
    text: str | None = None
    #: where the item's ``published`` came from (``Article.date_source``, or ``feed``)
    date_source: str | None = None
    canonical_url: str | None = None
    #: why the page could not be used; the item's own title and summary stand in
    follow_error: str | None = None
    #: near-duplicate story and the text's MinHash (``monitor.story``)
    story_id: str | None = None
    fingerprint: bytes | None = None
    #: the fingerprint's band keys (``monitor.story.band_keys``), indexed to find copies
    bands: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class NewArticle:
    """An item a poll found new, with the topics it matched."""

    item: Item
    #: the source that carried it (id and display name)
    source_id: str
    source_name: str
    #: (match, topic name, channels to notify for this match)
    matches: tuple[tuple[Match, str, tuple[str, ...]], ...]
    #: False during a source's baseline poll: matches are stored, nobody is notified
    notify: bool
    #: what following the item's link gave (empty when it was not followed)
    page: ArticlePage = field(default_factory=ArticlePage)


#: a stored article that may be a copy of a new one: (story id, source id, fingerprint)
Candidate = tuple[str, str, bytes]


@dataclass(frozen=True, slots=True)
class Placing:
    """How ``Store.save_poll`` places a poll's articles in stories, in the transaction that
    saves them (so that two polls, or two nodes, saving copies of one story see each other)."""

    #: only articles first seen at or after this may be copies
    since: datetime
    #: the story of an article with a fingerprint, given its candidates: the stored articles
    #: of other sources that share a band key with it (the decision is the caller's)
    story_of: Callable[[NewArticle, Sequence[Candidate]], str]


@dataclass(frozen=True, slots=True)
class PollSaved:
    """What ``Store.save_poll`` actually added (duplicates add nothing)."""

    new_articles: int
    new_matches: int
    new_deliveries: int
    #: (article key, why) of each article the database refused; the rest of the poll is saved
    refused: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class PendingDelivery:
    """A delivery that is due, with the alert to send."""

    #: stable id (article key x topic x channel)
    delivery_id: str
    #: channel name from the config
    channel: str
    #: failed attempts so far
    attempts: int
    alert: Alert
    #: when the delivery (with its match) was stored
    created: datetime
    #: a rate limit rolled it up: it goes in the next digest message, never alone
    rolled: bool = False


@dataclass(frozen=True, slots=True)
class StoredMatch:
    """A stored match with its article, for ``monitor matches``."""

    match_id: int
    topic_id: str
    topic_name: str
    score: float
    hits: tuple[Hit, ...]
    #: when the match was stored
    created: datetime
    #: the article
    article_key: str
    title: str
    url: str | None
    source_id: str
    published: datetime | None
    #: other outlets that carried the same story (display names)
    also_in: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """A stored article to match again (``monitor rematch``)."""

    #: the article's number
    article_id: int
    #: what to match: headline, the page's full text (the feed's summary when there is none),
    #: and the language the feed declared
    document: Document
    source_id: str
    #: the story it belongs to, if known
    story_id: str | None
    first_seen: datetime
    #: when it says it was published, if it says (a new match copies it)
    published: datetime | None = None


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One delivery in any status, for ``monitor deliveries``."""

    delivery_id: str
    channel: str
    #: "pending" | "sent" | "dead"
    status: str
    #: failed attempts (since it was last queued again from dead): the stored count, which
    #: the one that went through never adds to (``tries`` does)
    attempts: int
    next_attempt: datetime
    #: when it was last tried, if ever
    last_attempt: datetime | None
    last_error: str | None
    created: datetime
    sent_at: datetime | None
    #: what it is about
    topic_id: str
    title: str
    url: str | None
    #: the digest message it went (or goes) out in, if any
    digest_id: str | None = None

    @property
    def tries(self) -> int:
        """Attempts made: the failed ones, and for a sent delivery the one that went through."""
        return self.attempts + (1 if self.status == "sent" else 0)


@dataclass(frozen=True, slots=True)
class OpenDigest:
    """A digest composed and recorded but not yet sent (the process stopped or died before)."""

    digest_id: str
    channel: str
    #: "scheduled" | "backlog" | "rollup"
    kind: str
    #: its deliveries, in the order composed (highest score first)
    members: tuple[PendingDelivery, ...]


@dataclass(frozen=True, slots=True)
class NewDigest:
    """A digest to record before it is sent."""

    digest_id: str
    kind: str
    delivery_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RecentSend:
    """One delivery sent recently, alone (``message_id`` is its own id) or in a digest."""

    #: the message it went out in: the delivery id, or the digest id
    message_id: str
    topic_id: str
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class ChannelState:
    """Where sending to one channel stands."""

    channel: str
    #: consecutive failed sends (0 after a success)
    failures: int
    #: nothing is sent to the channel before this (back-off after failures)
    blocked_until: datetime | None
    last_failure: datetime | None
    last_error: str | None


# --- the web side (issue 16): feedback and the dashboard's views -------------------------------

#: the verdicts a person can give a match
VERDICTS = ("relevant", "not-relevant")

#: the largest id the store can hold (SQLite's INTEGER, PostgreSQL's BIGINT): a larger one
#: names nothing, and the database driver would refuse to even compare with it
ID_MAX = 2**63 - 1


def row_id(text: str) -> int | None:
    """A row id typed or in a URL (decimal digits, at most ``ID_MAX``); None for anything else,
    which names no row."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(ID_MAX)):
        return None
    number = int(text)
    return number if number <= ID_MAX else None


@dataclass(frozen=True, slots=True)
class Feedback:
    """A person's verdict on a match (relevance feedback; ``monitor.learn`` reads it)."""

    feedback_id: int
    #: the match judged; None once that match was deleted
    match_id: int | None
    topic_id: str
    #: the judged article's key (its URL or guid)
    article_key: str
    #: "relevant" | "not-relevant"
    verdict: str
    #: who gave it ("web", a user name)
    who: str
    created: datetime


@dataclass(frozen=True, slots=True)
class Recorded:
    """What recording a verdict did (``record_feedback``, ``record_article_feedback``)."""

    #: the match judged; None for an article the topic did not match (a near miss)
    match_id: int | None
    topic_id: str
    #: the judged article's key (its URL or guid)
    article_key: str
    #: "relevant" | "not-relevant": the verdict given, now the current one
    verdict: str
    #: False when it repeated the current verdict of that article and topic (a double click,
    #: a command run twice): nothing was added, so one ``undo`` takes it back
    stored: bool


@dataclass(frozen=True, slots=True)
class Undone:
    """What ``undo_feedback`` took back, and what is current after it."""

    #: the verdict taken back
    verdict: str
    #: the verdict current now (an earlier one, given here or imported); None: not judged
    now: str | None


@dataclass(frozen=True, slots=True)
class MatchFilter:
    """Which matches a dashboard page lists; None means any."""

    topic: str | None = None
    #: the source that carried the article (its id)
    source: str | None = None
    #: the article's language (ISO 639-1); ``NO_LANGUAGE``: the articles with no known language
    language: str | None = None
    #: matched at or after ``since``, and before ``until``
    since: datetime | None = None
    until: datetime | None = None
    min_score: float | None = None
    #: the article published at or after ``published_since``, and before ``published_until``
    #: (either one set leaves out the articles that give no published time)
    published_since: datetime | None = None
    published_until: datetime | None = None


#: ``MatchFilter.language`` for the matches whose article has no known language (stored as
#: NULL; no stored code is empty: a reader keeps a code or none)
NO_LANGUAGE = ""


#: the orders of the match list: by when it was matched (the default), or by the article's
#: published time (the articles without one last); newest first, ties by match id, either way
MatchOrder = Literal["matched", "published"]
MATCH_ORDERS: tuple[MatchOrder, ...] = ("matched", "published")


@dataclass(frozen=True, slots=True)
class MatchCursor:
    """A keyset position in the list, in its order: the matches strictly after this one."""

    #: the match's time the list is ordered by (matched, or published); None: an article that
    #: gives no published time (those come last, by match id)
    at: datetime | None
    match_id: int


@dataclass(frozen=True, slots=True)
class MatchDetail:
    """A stored match as the dashboard shows it."""

    match: StoredMatch
    #: the article's page text when it was followed and extracted ("" when not), cut to a
    #: bounded length (``monitor.snippet.TEXT_CHARS``, and one more: a longer text goes on)
    text: str
    language: str | None
    #: the source's display name when the article was stored
    source_name: str
    #: (channel, "pending" | "sent" | "dead"), by channel
    deliveries: tuple[tuple[str, str], ...] = ()
    #: the latest feedback verdict, if any
    verdict: str | None = None
    #: the feed's summary, cut like ``text``: the snippet's text when there is no page text
    summary: str = ""


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many of something happened on one UTC day."""

    #: "YYYY-MM-DD"
    day: str
    count: int


@dataclass(frozen=True, slots=True)
class Pruned:
    """What ``monitor prune`` deleted (or, on a dry run, would delete), per table."""

    #: articles deleted, and how many of them had their page's text
    articles: int = 0
    texts: int = 0
    #: their matches, those matches' deliveries (all sent) and other outlets, their band keys
    matches: int = 0
    deliveries: int = 0
    outlets: int = 0
    bands: int = 0
    #: sent digest messages none of whose deliveries is left
    digests: int = 0
    #: keys added to ``seen_key``: the deleted articles stay seen, never stored or alerted again
    seen_keys: int = 0
    #: articles old enough but kept: judged, queued or dead deliveries, matched or carried lately
    kept: int = 0

    def __add__(self, other: Pruned) -> Pruned:
        return Pruned(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))
