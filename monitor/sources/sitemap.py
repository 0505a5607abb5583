"""XML sitemaps -> ``Sitemap``: the newest pages (a ``ParsedFeed``) or the child sitemaps.

Owns: reading ``<urlset>`` sitemaps (with Google News ``<news:news>``: publication date, title,
language), ``<sitemapindex>`` indexes, and gzipped sitemaps; ordering entries newest first and
keeping at most ``limit`` of them; keeping only the pages and child sitemaps on the sitemap's
own host (the protocol's rule: "all URLs in a Sitemap must be from a single host"), where
``example.org`` and ``www.example.org`` count as one. Pure: no I/O, no clock. Given ``now``, a
date more than a day after it is no date (``monitor.timestamps.believable``): a ``2099`` entry
or child sitemap would otherwise come first in every poll.
Does not own: fetching the child sitemaps of an index (the pipeline does, newest first), deciding
which entries are new (the store), reading the articles (``monitor.extract``).

Safety: the XML goes through ``defusedxml``, which refuses DTDs with entities (billion laughs) and
external entities; gzip is inflated with a cap (``max_bytes``), so a small bomb cannot fill memory.
Element names are matched on their local part: sitemaps in the wild get the namespace wrong.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element
from xml.etree.ElementTree import ParseError as XmlParseError

import defusedxml.ElementTree as SafeXml
from defusedxml import DefusedXmlException

from monitor.errors import ParseError
from monitor.identity import http_link, item_key
from monitor.langtag import primary_subtag
from monitor.timestamps import believable, parse_date
from monitor.types import Item, ParsedFeed

#: the sitemap protocol caps a sitemap at 50 MB uncompressed
MAX_BYTES = 50 * 1024 * 1024
DEFAULT_LIMIT = 100
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Sitemap:
    """A sitemap's pages, newest first; or, for an index, its child sitemaps, newest first."""

    #: the pages (no items for an index)
    feed: ParsedFeed
    #: child sitemap URLs of an index (empty for a ``<urlset>``)
    children: tuple[str, ...] = ()


def parse_sitemap(
    content: bytes,
    *,
    url: str,
    language: str | None = None,
    limit: int = DEFAULT_LIMIT,
    max_bytes: int = MAX_BYTES,
    now: datetime | None = None,
) -> Sitemap:
    """Read a sitemap or sitemap index fetched from ``url``; ``ParseError`` if it is neither."""
    root = _root(_inflate(content, max_bytes))
    kind = _local(root.tag)
    if kind == "sitemapindex":
        children, elsewhere = _children(root, url, limit, now)
        warning = f"dropped {elsewhere} child sitemaps on another host" if elsewhere else None
        return Sitemap(ParsedFeed(title=None, items=(), warning=warning), children)
    if kind != "urlset":
        raise ParseError(f"not a sitemap: document element <{kind}>")
    entries = [_entry(node, url, language, now) for node in root if _local(node.tag) == "url"]
    here = [e for e in entries if e is not None and same_host(e.url or "", url)]
    elsewhere = sum(e is not None for e in entries) - len(here)
    # newest first; sorting is stable, so undated entries keep their document order, last
    items = sorted(here, key=lambda i: i.published or _OLDEST, reverse=True)
    unique = list({item.key: item for item in items[::-1]}.values())[::-1]
    unique.sort(key=lambda i: i.published or _OLDEST, reverse=True)
    unusable = len(entries) - elsewhere - len(unique)
    warnings = [
        f"dropped {unusable} entries without a new, usable <loc>" if unusable else "",
        f"dropped {elsewhere} entries on another host" if elsewhere else "",
    ]
    return Sitemap(
        ParsedFeed(
            title=None,
            items=tuple(unique[:limit]),
            language=language,
            warning="; ".join(filter(None, warnings)) or None,
        )
    )


def same_host(link: str, sitemap: str) -> bool:
    """True when ``link`` is on the sitemap's host, or its ``www.`` twin (``example.org`` and
    ``www.example.org``): the sitemap protocol admits no other host, and a page elsewhere in a
    source's sitemap (``evil.example.org``) would be fetched and alerted as the source's."""
    return _host(link) == _host(sitemap) != ""


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").removeprefix("www.")


def _inflate(content: bytes, max_bytes: int) -> bytes:
    if not content.startswith(b"\x1f\x8b"):
        return content
    inflater = zlib.decompressobj(wbits=31)
    try:
        data = inflater.decompress(content, max_bytes)
    except zlib.error as e:
        raise ParseError(f"not a sitemap: broken gzip ({e})") from e
    if inflater.unconsumed_tail:
        raise ParseError(f"sitemap is over {max_bytes} bytes uncompressed")
    return data


def _root(content: bytes) -> Element:
    try:
        return SafeXml.fromstring(content.lstrip(b"\xef\xbb\xbf \t\r\n"))
    except DefusedXmlException as e:
        raise ParseError(f"refused XML: {type(e).__name__}") from e
    except (LookupError, UnicodeError, ValueError) as e:  # encoding="bogus" and its kin
        raise ParseError(f"not a sitemap: unreadable encoding ({type(e).__name__})") from e
    except XmlParseError as e:
        head = content[:512].lower()
        if b"<html" in head or b"<!doctype html" in head:
            raise ParseError("an HTML page, not a sitemap") from e
        raise ParseError(f"not a sitemap: {e}") from e


def _children(
    root: Element, base: str, limit: int, now: datetime | None
) -> tuple[tuple[str, ...], int]:
    """The child sitemaps on the index's host, newest first; and how many stood elsewhere."""
    found: list[tuple[datetime, str]] = []
    elsewhere = 0
    for node in root:
        if _local(node.tag) != "sitemap":
            continue
        loc = http_link(_text(node, "loc"), base)
        if loc and not same_host(loc, base):
            elsewhere += 1
        elif loc:
            found.append((_date(_text(node, "lastmod"), now) or _OLDEST, loc))
    found.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(dict.fromkeys(loc for _, loc in found))[:limit], elsewhere


def _entry(node: Element, base: str, language: str | None, now: datetime | None) -> Item | None:
    loc = http_link(_text(node, "loc"), base)
    if loc is None:
        return None
    news = _child(node, "news")
    publication = _child(news, "publication") if news is not None else None
    published = _date(_text(news, "publication_date"), now) if news is not None else None
    return Item(
        key=item_key(loc, None),
        url=loc,
        guid=None,
        title=" ".join(_text(news, "title").split()) if news is not None else "",
        summary="",
        published=published or _date(_text(node, "lastmod"), now),
        language=primary_subtag(_text(publication, "language")) or language,
    )


def _date(raw: str, now: datetime | None) -> datetime | None:
    return believable(parse_date(raw), now)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child(node: Element | None, name: str) -> Element | None:
    if node is None:
        return None
    return next((c for c in node if _local(c.tag) == name), None)


def _text(node: Element | None, name: str) -> str:
    child = _child(node, name)
    return (child.text or "").strip() if child is not None else ""
