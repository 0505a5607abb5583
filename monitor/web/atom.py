"""Atom 1.0 feeds of matches: values in, bytes out. Pure.

One entry per match, newest first: the headline as title, the article as link (http and https
only; else the match on the dashboard, since an entry without content must have an alternate
link), the article's published time (else when it matched), the source as the entry's
``<source>``, the topic as ``<category>``, and a text summary carrying the score, why it matched
and the snippet; an entry is in the article's language (``xml:lang``) when that is known and
not English. Entry ids are stable tag URIs (``tag:<host>,2025:match:<id>``, the host of
``web.base_url``; ``news-monitor`` when it is not set), so a reader never shows one match twice;
the feed's own id is a tag URI of its name (``tag:<host>,2025:feed:rice``), never the URL it
was asked by. Without ``web.base_url`` every link is root-relative (``/feeds/rice.atom``,
``/?after=...``): a reader resolves it against the URL it fetched, and nothing in the feed comes
from the request's ``Host`` header, which anyone can write.
Owns: the document's shape and keeping hostile text well-formed and in its place (ElementTree
escapes; characters XML forbids and bidi controls are dropped), and a feed response's
validators (``validators``, ``not_modified``: an ETag of the body, the newest entry's time).
Does not own: which matches (``app``), the snippet (``monitor.snippet``).
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlencode, urlsplit

from monitor.snippet import article_snippet, matched_words
from monitor.store import MatchCursor, MatchDetail, StoredMatch
from monitor.web import present

ATOM = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
#: ``xml:lang`` (ElementTree writes this namespace with its reserved ``xml`` prefix)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
#: XML 1.0 forbids these even escaped; a feed carrying them would not parse
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: a host name a tag URI may carry (RFC 4151: a DNS name; not an IPv6 literal or a port)
_DNS_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
#: the tag URIs' authority when ``web.base_url`` is not set
DEFAULT_AUTHORITY = "news-monitor"
#: an empty feed's ``updated``: a fixed time, so that its body (and ETag) stays the same
EMPTY_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
#: feed readers may reuse a feed for a minute; then they ask again with the validators
#: (``private``: behind a token a feed must not sit in a shared cache)
CACHE_CONTROL = "private, max-age=60"


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """What the feed says about itself."""

    title: str
    #: the feed's own URL (its rel="self" link): absolute under ``web.base_url``, else
    #: root-relative
    self_url: str
    #: the dashboard page it mirrors (rel="alternate"), written like ``self_url``
    page_url: str
    #: when the feed last changed: the newest match's time (``EMPTY_UPDATED`` when empty)
    updated: datetime
    #: the entry ids' tag authority (``tag_authority``): two deployments must not share ids
    authority: str = DEFAULT_AUTHORITY
    #: the feed's name in its id: ``all`` or a topic id (``feed_id``)
    name: str = "all"


def tag_authority(base_url: str | None) -> str:
    """The host of ``base_url`` for entry ids, else ``news-monitor`` (then every deployment
    without a public URL writes the same ids, as before: a reader following two of them, or a
    database made anew, may hide entries it takes for ones it has shown)."""
    host = (urlsplit(base_url).hostname or "") if base_url else ""
    return host if _DNS_NAME.fullmatch(host) else DEFAULT_AUTHORITY


def feed_id(info: FeedInfo) -> str:
    """The feed's id: a tag URI of its name, the same whatever host or URL it was fetched by."""
    return f"tag:{info.authority},2025:feed:{info.name}"


def render_feed(info: FeedInfo, matches: Sequence[MatchDetail]) -> bytes:
    """The Atom document, UTF-8 encoded with its XML declaration."""
    feed = ET.Element("feed", xmlns=ATOM)
    _text(feed, "id", feed_id(info))
    _text(feed, "title", info.title)
    _text(feed, "updated", _when(info.updated))
    ET.SubElement(feed, "link", rel="self", type="application/atom+xml", href=info.self_url)
    ET.SubElement(feed, "link", rel="alternate", type="text/html", href=info.page_url)
    author = ET.SubElement(feed, "author")
    _text(author, "name", "news-monitor")
    _text(feed, "generator", "news-monitor")
    for detail in matches:
        feed.append(_entry(info, detail))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _entry(info: FeedInfo, detail: MatchDetail) -> ET.Element:
    match = detail.match
    entry = ET.Element("entry")
    language = present.lang_tag(detail.language)
    if language:  # the headline's and snippet's; English, as the dashboard, is left unsaid
        entry.set(XML_LANG, language)
    _text(entry, "id", f"tag:{info.authority},2025:match:{match.match_id}")
    _text(entry, "title", match.title or "(no title)")
    href = present.safe_href(match.url) or _on_dashboard(info.page_url, match)
    ET.SubElement(entry, "link", rel="alternate", type="text/html", href=_NOT_XML.sub("", href))
    _text(entry, "published", _when(match.published or match.created))
    _text(entry, "updated", _when(match.created))
    ET.SubElement(entry, "category", term=match.topic_id, label=_clean(match.topic_name))
    source = ET.SubElement(entry, "source")
    _text(source, "title", detail.source_name)
    _text(entry, "summary", _summary(detail), type="text")
    return entry


def _summary(detail: MatchDetail) -> str:
    match = detail.match
    words = matched_words(match.hits)
    lines = [f"Score {match.score:.2f} for {match.topic_name}."]
    lines += [f"Matched: {'; '.join(present.why(match.hits))}."] if match.hits else []
    if match.also_in:
        lines.append(f"Also in: {', '.join(match.also_in)}.")
    text = article_snippet(detail.text, detail.summary, words)
    return "\n".join([*lines, "", text] if text else lines)


def _on_dashboard(page_url: str, match: StoredMatch) -> str:
    """The match on the dashboard: the page that starts with it (a keyset cursor just after it,
    so the link holds however many matches come later), scrolled to it."""
    after = present.cursor_text(MatchCursor(match.created, match.match_id + 1))
    joiner = "&" if "?" in page_url else "?"
    return f"{page_url}{joiner}{urlencode({'after': after})}#match-{match.match_id}"


def _text(parent: ET.Element, tag: str, value: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    element.text = _clean(value)
    return element


def _clean(value: str) -> str:
    """Text XML can carry, without the bidi controls that would reorder a reader's line."""
    return present.without_bidi_controls(_NOT_XML.sub("", value))


def _when(value: datetime) -> str:
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


def validators(body: bytes, newest: datetime | None) -> dict[str, str]:
    """A feed response's headers for conditional requests: a strong ETag (a hash of the body:
    any change a reader could see changes it), ``Last-Modified`` (the newest entry's time)
    when there is an entry, and ``Cache-Control``."""
    headers = {"ETag": f'"{hashlib.sha256(body).hexdigest()[:32]}"', "Cache-Control": CACHE_CONTROL}
    if newest is not None:
        headers["Last-Modified"] = format_datetime(newest.astimezone(UTC), usegmt=True)
    return headers


def not_modified(
    if_none_match: str | None, if_modified_since: str | None, etag: str, newest: datetime | None
) -> bool:
    """True when a conditional GET can be answered 304 (RFC 9110 13.2.2: ``If-None-Match``,
    when sent, decides alone; else ``If-Modified-Since`` at or after the newest entry, which
    an empty feed never is)."""
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return "*" in tags or etag in tags
    if if_modified_since is None or newest is None:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False
    if since.tzinfo is None:
        return False  # not an HTTP-date (those are GMT)
    return newest.replace(microsecond=0) <= since
