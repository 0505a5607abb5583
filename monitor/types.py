"""The small immutable values that flow between the stages of the pipeline.

Owns: the shapes of data passed from one stage to the next (fetch -> parse -> match -> store ->
notify). Every field is documented with a ``#:`` comment. Datetimes are timezone-aware UTC.
Does not own: settings (``monitor.config``), table rows (``monitor.store``), errors
(``monitor.errors``). Nothing here does I/O or imports a third-party library.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Field = Literal["title", "text"]


# --- fetch -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Validators:
    """What a server gave us to make the next request conditional."""

    #: the ``ETag`` response header, sent back as ``If-None-Match``
    etag: str | None = None
    #: the ``Last-Modified`` response header, sent back as ``If-Modified-Since``
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful HTTP response (2xx), or a 304 when ``not_modified``."""

    #: the URL finally answered, after redirects
    url: str
    #: HTTP status of the final response
    status: int
    #: the decoded (gzip/br undone) body; empty on 304
    content: bytes
    #: the ``Content-Type`` header, if any (it may carry the charset)
    content_type: str | None
    #: validators to store for the next conditional request
    validators: Validators
    #: True on 304 Not Modified: nothing to parse
    not_modified: bool = False
    #: seconds the server says the response stays fresh (Cache-Control max-age / Expires)
    max_age: float | None = None
    #: True when a permanent redirect (301/308) led here
    moved_permanently: bool = False


# --- parse -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a feed, a listing page or a sitemap."""

    #: identity across sources: the canonical URL if there is a link, else ``guid:<guid>``
    key: str
    #: the item's link, absolute, as published (not canonicalised)
    url: str | None
    #: the feed's own id for the item (RSS ``guid``, Atom ``id``, JSON Feed ``id``)
    guid: str | None
    #: headline as plain text (entities decoded, tags removed, whitespace collapsed)
    title: str
    #: summary or content as plain text; may be empty
    summary: str
    #: publication (or, failing that, update) time in UTC, if the feed gave a usable one (not
    #: more than a day in the future: ``monitor.timestamps.believable``)
    published: datetime | None = None
    #: author name, if given
    author: str | None = None
    #: language of the item, if the feed declared one (e.g. ``id``, ``ru``)
    language: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a feed document said, as a value."""

    #: the feed's own title, if any
    title: str | None
    #: its items, in document order
    items: tuple[Item, ...]
    #: the feed's declared language (RSS ``language``, ``xml:lang``), if any
    language: str | None = None
    #: RSS ``<ttl>`` in seconds, if given (may lengthen, never shorten, the poll interval)
    ttl: float | None = None
    #: a non-fatal problem the lenient parser worked around (e.g. "mismatched tag at line 12")
    warning: str | None = None


# --- extract -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Article:
    """What an article page says, as read by ``monitor.extract``."""

    #: the URL the page was fetched from (or the file it was read from)
    url: str
    #: headline as plain text; empty when the page gave none
    title: str
    #: main text, one paragraph per line, boilerplate removed; empty when none was found
    text: str
    #: publication time in UTC, if the page told it reliably
    published: datetime | None = None
    #: where ``published`` came from: ``json-ld``, ``meta:<name>``, ``time``, ``text``, or None
    date_source: str | None = None
    #: ISO 639-1 code of the text's language, if it could be told
    language: str | None = None
    #: the page's own canonical URL (``<link rel=canonical>``, else ``og:url``), absolute
    canonical_url: str | None = None
    #: author or byline, if given
    author: str | None = None


# --- match -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Document:
    """A text to match against watch topics."""

    #: caller's id (the article key in the pipeline, the JSON ``id`` in ``monitor match``)
    id: str
    #: headline
    title: str
    #: body: summary or full text
    text: str
    #: language hint (ISO 639-1), if known
    lang: str | None = None


@dataclass(frozen=True, slots=True)
class Hit:
    """One occurrence of a query term in a document."""

    #: the query term as the topic's author wrote it (``terror*``, ``"Asia Tenggara"``)
    term: str
    #: where it occurred
    field: Field
    #: index of the first matching word in that field (0-based)
    position: int
    #: the words of the document that matched, as they appear there (with expansion, the form
    #: of ``term`` that fired: ``term="Russia"``, ``matched="России"``)
    matched: str
    #: the evidence this occurrence adds to the score, in [0, 1] (0 when not recorded)
    weight: float = 0.0
    #: the lexicon form that fired (``Росси*`` for ``term="Russia"``), "" when the term as
    #: written did (or for hits stored before forms were recorded)
    form: str = ""
    #: occurrences this hit stands for: more than 1 when later ones of the same term and field
    #: were not kept (``monitor.bounds.hits``)
    count: int = 1

    @property
    def expanded(self) -> bool:
        """True when the words that matched are not just the term as written (case, quotes and
        a prefix's ending aside): alerts then show them, ``Russia → России``."""
        written = self.term.strip('"').rstrip("*").casefold()
        found = self.matched.casefold()
        return not (found == written or (self.term.endswith("*") and found.startswith(written)))

    def as_json(self) -> dict[str, str | int | float | None]:
        """The hit as a JSON object: how it is stored, and how every JSON output shows it
        (``--json``, ``monitor match``, webhooks); ``form`` is null when the term as written
        fired."""
        return {
            "term": self.term,
            "field": self.field,
            "position": self.position,
            "matched": self.matched,
            "weight": self.weight,
            "form": self.form or None,
            **({"count": self.count} if self.count > 1 else {}),
        }


@dataclass(frozen=True, slots=True)
class Match:
    """A topic that a document satisfies, with the evidence."""

    #: the topic's id
    topic: str
    #: strength of the evidence in [0, 1]; at or above the topic's threshold
    score: float
    #: every occurrence that fired, title hits first, then in position order
    hits: tuple[Hit, ...] = field(default=())

    @property
    def terms(self) -> tuple[str, ...]:
        """The distinct query terms that fired, in first-hit order."""
        return tuple(dict.fromkeys(hit.term for hit in self.hits))


# --- notify ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alert:
    """Everything a channel message about one match shows."""

    #: stable id of this delivery (channel x match); receivers use it to drop repeats
    delivery_id: str
    #: topic id and display name
    topic_id: str
    topic_name: str
    #: the article
    title: str
    url: str | None
    #: display name of the source that carried it
    source: str
    published: datetime | None
    #: the match: score in [0, 1] and the terms that fired, with where (title/text)
    score: float
    hits: tuple[Hit, ...]
    #: a short plain-text excerpt of the article
    snippet: str
    #: other outlets that carried the same story
    also_in: tuple[str, ...] = ()
    #: id of the source that carried it ("" when not known)
    source_id: str = ""
    #: the stored match's id, for ``monitor feedback MATCH relevant|not-relevant`` (footer)
    match_id: int | None = None


# --- topics ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Topic:
    """A watch topic, as written in a watchlist (validated by ``monitor.config``)."""

    #: unique id, e.g. ``russia-asean-security``
    id: str
    #: display name
    name: str
    #: the query, in the query language of ``monitor.match``
    query: str
    #: minimum score in [0, 1] for a match to count
    threshold: float
    #: channel names to notify; None means every channel
    channels: tuple[str, ...] | None = None
    #: texts that must match / must not match (``monitor check`` runs them)
    examples_match: tuple[str, ...] = ()
    examples_no_match: tuple[str, ...] = ()
    #: True: the query's terms also match their forms in other languages (the lexicon)
    expand: bool = True
    #: where the topic was defined, for error messages: file, line, key path (``topics[0]``)
    file: str = ""
    line: int = 0
    key: str = ""
    #: the line of the query (warnings about it name it); 0: unknown, ``line`` is shown
    query_line: int = 0
    #: the line of each of ``examples_match`` and ``examples_no_match`` (``monitor check``)
    examples_match_lines: tuple[int, ...] = ()
    examples_no_match_lines: tuple[int, ...] = ()
    #: cron expression ("0 8 * * *", configured time zone): this topic's matches wait for a
    #: digest on that schedule instead of being sent one by one; None: sent as they come
    digest: str | None = None
    #: most messages per hour about this topic on one channel; the excess rolls into a digest
    max_per_hour: int | None = None
