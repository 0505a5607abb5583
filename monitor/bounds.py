"""The one boundary where what came from the network becomes valid, bounded text.

Owns: the sizes the monitor keeps of anything a server sent (titles, summaries, article text,
URLs, identity keys, header values, hits) and the repair of text no database or encoder accepts
(lone surrogates, C0 controls, NUL). Everything a reader or the extractor hands the pipeline
goes through ``item`` / ``page_text`` / ``page_url`` before it is matched or stored; validators
go through ``header`` before they are stored or sent back; hits through ``hits``.
Pure: no I/O, no third-party import.
Does not own: where a fetch may go (``monitor.fetch``), how text is read out of a document
(``monitor.sources``, ``monitor.extract``), what is stored (``monitor.store``).

Why each bound is where it is:

* a key over ``KEY_MAX`` bytes is stored as ``sha256:<digest>`` of itself: PostgreSQL's B-tree
  unique index refuses entries over ~2.7 KB, and a digest is as unique as the key;
* a URL over ``URL_MAX`` characters is no link (no browser or server takes it): the item keeps
  its key, and is not followed;
* a header value that is not printable ASCII is dropped: ``httpx`` cannot send it back, and a
  validator that does not round-trip is worthless;
* titles, summaries and texts are cut to sizes no real article reaches, so one hostile item
  cannot make the matcher or the store hold megabytes;
* hits: a few per term and field, the last one counting the rest (``Hit.count``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace

from monitor.types import Hit, Item, ParsedFeed

#: identity keys longer than this (UTF-8 bytes) are stored as their digest
KEY_MAX = 1024
#: longest URL kept as a link
URL_MAX = 4096
#: longest title, summary, author and article text kept (characters)
TITLE_MAX = 1_000
SUMMARY_MAX = 20_000
AUTHOR_MAX = 200
TEXT_MAX = 500_000
#: longest header value kept (ETag, Last-Modified)
HEADER_MAX = 512
#: hits kept per (term, field); the last kept one counts those dropped
HITS_PER_TERM = 3

# lone (unpaired) surrogates: Python strings hold them, no encoder or database takes them
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# C0 controls but tab/newline/carriage return, and DEL: PostgreSQL refuses NUL in text
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*\Z")


def text(value: str, limit: int) -> str:
    """``value`` encodable and at most ``limit`` characters: a lone surrogate becomes U+FFFD, a
    control character a space."""
    if len(value) > limit:
        value = value[:limit]
    return _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", value))


def optional(value: str | None, limit: int) -> str | None:
    return None if value is None else text(value, limit)


def url(value: str | None) -> str | None:
    """A link as it may be kept: encodable, no whitespace controls, not absurdly long."""
    if value is None:
        return None
    cleaned = text(value, URL_MAX + 1).strip()
    return cleaned if cleaned and len(cleaned) <= URL_MAX else None


def key(value: str) -> str:
    """An identity key that fits a unique index: a long one becomes its digest."""
    cleaned = text(value, len(value))
    if len(cleaned.encode()) <= KEY_MAX:
        return cleaned
    return "sha256:" + hashlib.sha256(cleaned.encode()).hexdigest()


def header(value: str | None) -> str | None:
    """A response header value that can be stored and sent back, else None."""
    if value is None or len(value) > HEADER_MAX or not _PRINTABLE_ASCII.match(value):
        return None
    return value


def item(raw: Item) -> Item:
    """``raw`` with every field valid and bounded (see the module docstring)."""
    return replace(
        raw,
        key=key(raw.key),
        url=url(raw.url),
        guid=optional(raw.guid, KEY_MAX),
        title=text(raw.title, TITLE_MAX),
        summary=text(raw.summary, SUMMARY_MAX),
        author=optional(raw.author, AUTHOR_MAX),
        language=optional(raw.language, 16),
    )


def feed(parsed: ParsedFeed) -> ParsedFeed:
    """``parsed`` with its title and every item valid and bounded."""
    return replace(
        parsed,
        title=optional(parsed.title, TITLE_MAX),
        items=tuple(item(raw) for raw in parsed.items),
        language=optional(parsed.language, 16),
        warning=optional(parsed.warning, TITLE_MAX),
    )


def page_text(value: str | None) -> str | None:
    """An extracted article text, bounded."""
    return optional(value, TEXT_MAX)


def hits(found: tuple[Hit, ...]) -> tuple[Hit, ...]:
    """At most ``HITS_PER_TERM`` hits per (term, field), in order; the last one kept carries
    the count of the occurrences it stands for, so the total is not lost."""
    kept: list[Hit] = []
    last: dict[tuple[str, str], int] = {}
    taken: dict[tuple[str, str], int] = {}
    for hit in found:
        group = (hit.term, hit.field)
        if taken.get(group, 0) < HITS_PER_TERM:
            taken[group] = taken.get(group, 0) + 1
            last[group] = len(kept)
            kept.append(replace(hit, matched=text(hit.matched, TITLE_MAX)))
        else:
            at = last[group]
            kept[at] = replace(kept[at], count=kept[at].count + hit.count)
    return tuple(kept)
