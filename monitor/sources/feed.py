"""Feed documents -> ``ParsedFeed``: RSS 0.9x/1.0 (RDF)/2.0, Atom and JSON Feed.

Owns: turning the bytes of a feed into plain-text items with absolute links, UTC dates and identity
keys; telling a feed with recoverable problems (``ParsedFeed.warning``) from a body that is no feed
at all (``ParseError``). Pure: no I/O, no clock (``now`` is passed in), no module state, so it
runs in a process pool.
Does not own: fetching (``monitor.fetch``), deciding which items are new (the store), or reading
article pages (``monitor.extract``).

Choices, each measured on ``/work/shared/corpus/feeds`` (see ``benchmarks/feed_parse.py``):

* XML goes through feedparser, the reference for lenient parsing and charset detection. It is
  handed a ``BytesIO``, never ``bytes`` or ``str``: given a string it opens URLs and local files.
  The HTTP ``Content-Type`` goes in ``response_headers`` so a charset declared only there counts,
  and the source URL goes in as ``Content-Location`` so relative links resolve against it.
  Its HTML sanitizer and URI rewriting are off: we reduce all HTML to text ourselves, which drops
  scripts and markup anyway, and they cost about half the parse time (469 -> 241 ms, corpus).
  (fastfeedparser 0.6.5 was ~25x faster but disagreed on 7 of the 49 XML feeds, 5 times
  wrongly: no items from an RDF feed, mojibake in two ISO-8859-1 feeds without a declaration, a
  lost feed title, "04:42 PM" read as 04:42. Those are silent errors, so a fast path with
  fallback-on-exception cannot catch them; the two dates it got right are fixed in our date
  reading, ``monitor.timestamps``.)
* JSON Feed (1.0/1.1) is read here with ``json``: feedparser 6.0 does not read it. Other JSON
  (e.g. Dave Winer's "RSS in JSON") is a ``ParseError``.
* Dates: our own reading of the raw string first (``monitor.timestamps.parse_date``: RFC 822,
  ISO 8601, ``2020/1/10 14:33``, zone abbreviations such as ``WIB``, ``MSK``, ``GMT+7``), then
  feedparser's parsed value. feedparser alone read ``2020/1/10 14:33:00`` as 1 November 2020, and
  reads ``WIB`` or any zone it does not know as UTC: a string ending in a zone abbreviation
  neither of us knows gives no date (``updated`` may still give one). Given ``now``, a date
  more than a day after it is no date (``monitor.timestamps.believable``).
* Titles and summaries are plain text: HTML reduced with selectolax (Lexbor), entities decoded,
  whitespace collapsed. ``summary`` is the item's summary/description, else its content.
* Language: the entry's ``xml:lang``, else the feed's, else the caller's hint; reduced to its
  primary subtag (``en-US`` -> ``en``) because matching works on ISO 639-1 codes.
* An item with neither an http(s) link nor a guid gets a derived guid, ``hash:`` plus a digest of
  its title and summary, so it is still seen (and seen once). One with no title and no summary
  either is dropped. Items whose key repeats an earlier one in the same feed are dropped (the first
  wins). Both drops are counted in ``warning``.
* A document that is not well-formed XML is a ``warning`` when items were read from it, and a
  ``ParseError`` when none were (a truncated body: ``<rss><channel><item><title>...``): a source
  shown as working with no items would hide the breakage. A well-formed feed with no items is
  a feed; so is one with no items whose only problem is its declared charset or media type.
  Of the 162 malformed cases, 4 are refused this way (all four not well-formed, no items).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from xml.sax import SAXParseException

import feedparser
from selectolax.lexbor import LexborHTMLParser

from monitor.errors import ParseError
from monitor.identity import http_link, item_key
from monitor.langtag import primary_subtag
from monitor.timestamps import EARLIEST_YEAR, believable, parse_date, unknown_zone
from monitor.types import Item, ParsedFeed

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# A space before block-level tags, so "<p>one</p><p>two</p>" reads "one two", not "onetwo".
_BLOCK_TAG = re.compile(
    r"<(?=/?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|blockquote|pre|section|"
    r"article|header|footer|aside|figure|figcaption|img)\b)",
    re.IGNORECASE,
)
_CHAR_REF = re.compile(rb"&#([xX][0-9a-fA-F]+|[0-9]+);")


# --- entry point ---------------------------------------------------------------------------------


def parse_feed(
    content: bytes,
    *,
    url: str,
    content_type: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """Parse a feed body fetched from ``url``; raise ``ParseError`` when it is not a feed.
    Given ``now``, an item dated more than a day after it has no date."""
    head = content[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head:
        raise ParseError("empty body")
    if head.startswith((b"{", b"[")):
        return _parse_json(content, url=url, language=language, now=now)
    return _parse_xml(content, url=url, content_type=content_type, language=language, now=now)


# --- XML (feedparser) ----------------------------------------------------------------------------


def _parse_xml(
    content: bytes,
    *,
    url: str,
    content_type: str | None,
    language: str | None,
    now: datetime | None,
) -> ParsedFeed:
    headers = {"content-location": url, "content-type": _xml_content_type(content_type)}
    try:
        result = feedparser.parse(
            io.BytesIO(_valid_char_refs(content)), response_headers=headers,
            sanitize_html=False, resolve_relative_uris=False,
        )  # fmt: skip
    except RecursionError as e:
        raise ParseError("not a feed: nested too deeply") from e
    except Exception as e:
        # feedparser's lenient fallback has bugs of its own on hostile markup (``</height>``
        # with no ``<height>``: TypeError); its failure on this body is this body's problem
        raise ParseError(f"not a feed: the feed parser failed ({type(e).__name__})") from e
    if not result.get("version") and not result.entries:
        raise ParseError(_not_a_feed_reason(content, result))
    channel = result.feed
    feed_language = primary_subtag(channel.get("language")) or primary_subtag(language)
    raw = [_xml_raw_item(entry, url, feed_language) for entry in result.entries]
    problem = _describe(result.get("bozo_exception")) if result.get("bozo") else None
    parsed = _assemble(
        title=_detail_text(channel, "title") or None,
        raw_items=raw,
        language=feed_language,
        ttl=_ttl(channel.get("ttl")),
        problems=[problem] if problem else [],
        now=now,
    )
    if not parsed.items and isinstance(result.get("bozo_exception"), SAXParseException):
        # nothing was recovered from a document the XML parser gave up on (a truncated body):
        # shown as "ok" with no items, the breakage would go unseen
        raise ParseError(f"a broken feed with no items ({problem})")
    return parsed


def _valid_char_refs(content: bytes) -> bytes:
    """``content`` with character references to no character (``&#xD800;``, a lone surrogate;
    ``&#0;``; past U+10FFFF) replaced by U+FFFD: the strict parser rejects the document for
    them, and feedparser's lenient fallback then fails on the whole feed (UnicodeEncodeError)."""
    if b"&#" not in content:
        return content
    return _CHAR_REF.sub(_valid_char_ref, content)


def _valid_char_ref(match: re.Match[bytes]) -> bytes:
    digits = match.group(1).lstrip(b"xX0") or b"0"
    if len(digits) > 8:
        return b"&#xFFFD;"
    code = int(digits, 16) if match.group(1)[:1] in (b"x", b"X") else int(digits)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group(0)


def _xml_content_type(content_type: str | None) -> str:
    """The Content-Type to show feedparser: the real one when it names a charset.

    Without a charset the body's own declaration, BOM or a sniff decides (RFC 7303). feedparser
    still applies RFC 3023, where bare ``text/xml`` means US-ASCII, and would flag most of the
    web's feeds; with no header at all it flags "no Content-type specified".
    """
    if content_type and "charset=" in content_type.lower():
        return content_type
    return "application/xml"


def _xml_raw_item(entry: Mapping[str, Any], base: str, feed_language: str | None) -> _RawItem:
    # feedparser copies Atom <content> into ``summary`` without a ``summary_detail``: the
    # content's own type says whether that is HTML.
    contents = entry.get("content") or [{}]
    summary = _to_text(
        entry.get("summary"), (entry.get("summary_detail") or contents[0]).get("type")
    )
    if not summary:
        summary = _to_text(contents[0].get("value"), contents[0].get("type"))
    detail = entry.get("title_detail") or entry.get("summary_detail") or {}
    return _RawItem(
        # FeedBurner's origLink is the publisher's URL behind FeedBurner's redirect: the
        # same story from another source carries that one.
        url=http_link(entry.get("feedburner_origlink"), base) or http_link(entry.get("link"), base),
        guid=_clean(entry.get("id")),
        title=_detail_text(entry, "title"),
        summary=summary,
        published=_entry_date(entry),
        author=_clean(entry.get("author")),
        language=primary_subtag(detail.get("language")) or feed_language,
    )


def _detail_text(node: Mapping[str, Any], name: str) -> str:
    detail = node.get(name + "_detail") or {}
    return _to_text(node.get(name), detail.get("type"))


def _entry_date(entry: Mapping[str, Any]) -> datetime | None:
    for name in ("published", "updated"):
        raw = _own(entry, name)
        value = parse_date(raw)
        if value is None and not unknown_zone(raw):
            # feedparser reads shapes we do not, but takes a zone it does not know for UTC
            value = _from_struct(_own(entry, name + "_parsed"))
        if value is not None:
            return value
    return None


def _own(entry: Mapping[str, Any], name: str) -> Any:
    """The entry's own value: feedparser answers "updated" with "published" when an entry has
    no ``updated`` (and warns), which would read the same date twice."""
    return dict.get(entry, name) if isinstance(entry, dict) else entry.get(name)


def _from_struct(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        year, month, day, hour, minute, second = (int(part) for part in value[:6])
        when = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return when if year >= EARLIEST_YEAR else None


def _ttl(value: Any) -> float | None:
    """RSS ``<ttl>`` is in minutes; ours is in seconds."""
    try:
        minutes = float(value)
    except (TypeError, ValueError):
        return None
    return minutes * 60 if minutes > 0 else None


def _not_a_feed_reason(content: bytes, result: Mapping[str, Any]) -> str:
    head = content[:2048].lower()
    if b"<html" in head or b"<!doctype html" in head:
        return "an HTML page, not a feed"
    if result.get("bozo"):
        return f"not a feed: {_describe(result.get('bozo_exception'))}"
    return "not a feed: no RSS, Atom or RDF document element"


def _describe(error: Any) -> str:
    """A short, human description of what feedparser's lenient parser worked around."""
    if isinstance(error, SAXParseException):
        return f"{error.getMessage()} at line {error.getLineNumber()}"
    text = " ".join(str(error).split())
    return text[:200] or type(error).__name__


# --- JSON Feed -----------------------------------------------------------------------------------


def _parse_json(
    content: bytes, *, url: str, language: str | None, now: datetime | None
) -> ParsedFeed:
    try:
        document = json.loads(content)
    except (ValueError, UnicodeDecodeError) as e:
        raise ParseError(f"not a feed: invalid JSON ({str(e)[:200]})") from e
    except RecursionError as e:
        raise ParseError("not a feed: JSON nested too deeply") from e
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise ParseError("not a feed: JSON without a JSON Feed 'items' list")
    feed_language = primary_subtag(_string(document.get("language"))) or primary_subtag(language)
    base = http_link(_string(document.get("home_page_url")), url) or url
    items = [item for item in document["items"] if isinstance(item, dict)]
    return _assemble(
        title=_to_text(_string(document.get("title")), "text/plain") or None,
        raw_items=[_json_raw_item(item, base, feed_language) for item in items],
        language=feed_language,
        ttl=None,
        problems=[] if len(items) == len(document["items"]) else ["items that are not objects"],
        now=now,
    )


def _json_raw_item(item: Mapping[str, Any], base: str, feed_language: str | None) -> _RawItem:
    summary = _to_text(_string(item.get("summary")), "text/plain")
    summary = summary or _to_text(_string(item.get("content_text")), "text/plain")
    summary = summary or _to_text(_string(item.get("content_html")), "text/html")
    link = _string(item.get("url")) or _string(item.get("external_url"))
    published = _string(item.get("date_published")) or _string(item.get("date_modified"))
    item_id = item.get("id")
    return _RawItem(
        url=http_link(link, base),
        guid=_clean(str(item_id)) if isinstance(item_id, (str, int, float)) else None,
        title=_to_text(_string(item.get("title")), "text/plain"),
        summary=summary,
        published=parse_date(published),
        author=_json_author(item),
        language=primary_subtag(_string(item.get("language"))) or feed_language,
    )


def _json_author(item: Mapping[str, Any]) -> str | None:
    """JSON Feed 1.1 ``authors`` (a list), else 1.0 ``author`` (one object)."""
    authors = item.get("authors")
    author = authors[0] if isinstance(authors, list) and authors else item.get("author")
    return _clean(_string(author.get("name"))) if isinstance(author, dict) else None


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --- shared: assembling items --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _RawItem:
    """An item as read from one format, before identity and duplicates are decided."""

    url: str | None
    guid: str | None
    title: str
    summary: str
    published: datetime | None
    author: str | None
    language: str | None


def _assemble(
    *,
    title: str | None,
    raw_items: Iterable[_RawItem],
    language: str | None,
    ttl: float | None,
    problems: list[str],
    now: datetime | None,
) -> ParsedFeed:
    items: list[Item] = []
    seen: set[str] = set()
    unnamed = repeated = 0
    for raw in raw_items:
        item = _identified(raw, now)
        if item is None:
            unnamed += 1
        elif item.key in seen:
            repeated += 1
        else:
            seen.add(item.key)
            items.append(item)
    if unnamed:
        problems.append(f"dropped {unnamed} item(s) with no link, guid, title or summary")
    if repeated:
        problems.append(f"dropped {repeated} item(s) repeating an earlier item's link or guid")
    return ParsedFeed(
        title=title,
        items=tuple(items),
        language=language,
        ttl=ttl,
        warning="; ".join(problems) or None,
    )


def _identified(raw: _RawItem, now: datetime | None) -> Item | None:
    guid = raw.guid
    if raw.url is None and guid is None:
        if not (raw.title or raw.summary):
            return None
        digest = hashlib.sha256(f"{raw.title}\x00{raw.summary}".encode()).hexdigest()
        guid = "hash:" + digest[:32]
    return Item(
        key=item_key(raw.url, guid),
        url=raw.url,
        guid=guid,
        title=raw.title,
        summary=raw.summary,
        published=believable(raw.published, now),
        author=raw.author,
        language=raw.language,
    )


# --- shared: values ------------------------------------------------------------------------------


# C0 controls and DEL: never text, and PostgreSQL refuses NUL in a string (hostile feeds send it)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _one_line(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _clean(value: str | None) -> str | None:
    return (_one_line(value) or None) if value else None


def _to_text(value: str | None, content_type: str | None) -> str:
    """Plain text of a feed text construct: HTML reduced to text, whitespace collapsed.

    An unknown type counts as HTML: stripping tags that were not there costs little, showing
    markup to a reader looks broken.
    """
    if not value:
        return ""
    if content_type is None or content_type in _HTML_TYPES:
        return html_to_text(value)
    return _one_line(value)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment: tags and scripts removed, entities decoded, one line."""
    if "<" not in html and "&" not in html:
        return _one_line(html)
    tree = LexborHTMLParser(_BLOCK_TAG.sub(" <", html))
    tree.strip_tags(["script", "style", "noscript", "template"])
    root = tree.body or tree.root
    return _one_line(root.text(separator="") if root else "")
