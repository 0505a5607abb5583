"""An article page's metadata, read with selectolax (Lexbor): title, author, URL, lang, dates.

Owns: reading JSON-LD (``NewsArticle`` and kin, also inside ``@graph`` and as another object's
``mainEntity``, ``mainEntityOfPage`` or ``hasPart``), OpenGraph and other ``<meta>`` tags,
``<link rel=canonical>``, ``<html lang>``, ``<time datetime>`` and the ``<h1>``; and the order in
which each of them is trusted. A date more than a day after ``now`` (when given) is skipped.
Does not own: the main text (``_text``), dates written in the text (``dates``), choosing the
language (``_language``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.identity import http_link
from monitor.langtag import primary_subtag
from monitor.timestamps import believable, parse_date

_ARTICLE_TYPES = frozenset(
    {"newsarticle", "article", "reportagenewsarticle", "analysisnewsarticle", "blogposting",
     "opinionnewsarticle", "backgroundnewsarticle", "liveblogposting", "scholarlyarticle",
     "techarticle", "report", "webpage"}
)  # fmt: skip
#: meta tags that carry a publication time, most trusted first
_DATE_META = (
    "article:published_time", "og:article:published_time", "datepublished", "pubdate",
    "publishdate", "publish-date", "published_time", "article.published", "parsely-pub-date",
    "sailthru.date", "dc.date.issued", "dcterms.created", "dc.date", "date", "og:published_time",
    "cxenseparse:recs:publishtime", "article_date_original", "original-publish-date",
)  # fmt: skip
_AUTHOR_META = (
    "author", "article:author", "dc.creator", "byl", "parsely-author", "sailthru.author",
)  # fmt: skip
#: where JSON-LD nests the article inside another object: a ``WebPage`` whose ``mainEntity`` is
#: the ``NewsArticle`` (Google's examples; Ippen's sites such as fr.de and merkur.de)
_NESTED = ("@graph", "mainEntity", "mainEntityOfPage", "hasPart")
#: how deep objects are looked into: real pages nest 2 or 3 levels, hostile ones thousands
_MAX_DEPTH = 8
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TITLE_SEPARATORS = re.compile(r"\s+[|–—·»:-]\s+")


@dataclass(frozen=True, slots=True)
class Meta:
    """What the page's markup says about the article."""

    title: str
    author: str | None
    canonical_url: str | None
    #: the ``<html lang>`` (or content-language) primary subtag, lower case
    lang: str | None
    #: (time, where it came from) of the most trusted structured date, if any
    published: tuple[datetime, str] | None
    #: True when that date had no zone (taken as UTC: may be off by hours)
    published_naive: bool


def read_meta(tree: LexborHTMLParser, url: str, now: datetime | None = None) -> Meta:
    metas = _meta_tags(tree)
    ld = list(_json_ld_articles(tree))
    published, naive = _published(ld, metas, tree, now)
    return Meta(
        title=_title(ld, metas, tree),
        author=_author(ld, metas),
        canonical_url=_canonical(tree, metas, url),
        lang=_lang(tree, metas),
        published=published,
        published_naive=naive,
    )


# --- sources of metadata -------------------------------------------------------------------------


def _meta_tags(tree: LexborHTMLParser) -> dict[str, str]:
    """``<meta>`` name/property/itemprop -> content, lower-cased names, first occurrence wins."""
    found: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        content = (attrs.get("content") or "").strip()
        if not content:
            continue
        for key in ("property", "name", "itemprop", "http-equiv"):
            name = (attrs.get(key) or "").strip().lower()
            if name and name not in found:
                found[name] = content
    return found


def _json_ld_articles(tree: LexborHTMLParser) -> Iterator[dict[str, Any]]:
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(_CONTROL.sub(" ", node.text(deep=True)), strict=False)
        except (ValueError, RecursionError):
            # a broken block is common, one nested thousands deep is hostile; the other
            # sources remain
            continue
        yield from (obj for obj in _walk(data) if _is_article(obj))


def _walk(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every object of a JSON-LD block that may be the article, outer ones first. Only the keys
    of ``_NESTED`` are followed: a ``BreadcrumbList``'s items are ``WebPage`` objects too."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        for key in _NESTED:
            if isinstance(data.get(key), (dict, list)):
                yield from _walk(data[key], depth + 1)


def _is_article(obj: dict[str, Any]) -> bool:
    kinds = obj.get("@type")
    names = kinds if isinstance(kinds, list) else [kinds]
    return any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in names)


def _ranked(ld: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Article objects before a bare ``WebPage`` (which describes the page, not the story)."""
    return sorted(ld, key=lambda obj: str(obj.get("@type")).lower() == "webpage")


# --- each field ----------------------------------------------------------------------------------


def _published(
    ld: list[dict[str, Any]], metas: dict[str, str], tree: LexborHTMLParser, now: datetime | None
) -> tuple[tuple[datetime, str] | None, bool]:
    """The most trusted date with a zone; else the most trusted without one (flagged naive).
    A date in the future is no fact: the next source is asked."""
    candidates: list[tuple[str | None, str]] = [
        (_string(obj.get("datePublished")), "json-ld") for obj in _ranked(ld)
    ]
    candidates += [(metas.get(name), f"meta:{name}") for name in _DATE_META]
    candidates += [(_time_attr(tree), "time")]
    naive: tuple[datetime, str] | None = None
    for raw, where in candidates:
        when = believable(parse_date(raw), now) if raw else None
        if when is None:
            continue
        if _has_zone(raw or ""):
            return (when, where), False
        naive = naive or (when, where)
    return naive, naive is not None


def _has_zone(raw: str) -> bool:
    return bool(re.search(r"(?:Z|[+-]\d{2}:?\d{2}|GMT|UTC|[A-Z]{3})\s*$", raw.strip()))


def _time_attr(tree: LexborHTMLParser) -> str | None:
    for node in tree.css("time[datetime]"):
        value = (node.attributes.get("datetime") or "").strip()
        if len(value) >= 10:  # a full date, not a duration or a bare year
            return value
    return None


def _title(ld: list[dict[str, Any]], metas: dict[str, str], tree: LexborHTMLParser) -> str:
    """The headline: the ``<h1>`` when the metadata confirms it, else og:title and kin.

    Social titles (og:title, twitter:title) are often shortened or carry " | Site"; the page's
    ``<h1>`` is the headline as printed, but on some pages it is the site's name. So the ``<h1>``
    wins when a metadata title contains it or is contained in it.
    """
    h1 = _clean(_text_of(tree.css_first("h1")))
    said = [
        _clean(candidate)
        for candidate in (
            metas.get("og:title"),
            metas.get("twitter:title"),
            *(_string(obj.get("headline")) for obj in _ranked(ld)),
        )
    ]
    said = [title for title in said if title]
    if h1 and len(h1) >= 10 and any(_overlaps(h1, title) for title in said):
        return h1
    if said:
        return _strip_site(said[0])
    return h1 or _strip_site(_clean(_text_of(tree.css_first("title"))))


def _overlaps(h1: str, title: str) -> bool:
    a, b = h1.casefold(), title.casefold()
    return a in b or _strip_site(title).casefold() in a


def _strip_site(title: str) -> str:
    """``Headline | Site`` -> ``Headline`` when the last part is short (a site name)."""
    separators = list(_TITLE_SEPARATORS.finditer(title))
    if not separators:
        return title
    last = separators[-1]
    head, tail = title[: last.start()], title[last.end() :]
    if len(tail) <= 30 and len(head) >= 15:
        title = head
    # "Section | Headline": a short first part before a bar is a section name
    first, bar, rest = title.partition(" | ")
    return rest if bar and len(first) <= 20 and len(rest) >= 15 else title


def _author(ld: list[dict[str, Any]], metas: dict[str, str]) -> str | None:
    for obj in _ranked(ld):
        name = _person(obj.get("author"))
        if name:
            return name
    for key in _AUTHOR_META:
        value = _clean(metas.get(key))
        if value and not urlsplit(value).scheme:  # article:author is often a profile URL
            return value
    return None


def _person(value: Any) -> str | None:
    if isinstance(value, list):
        names = [n for n in (_person(v) for v in value) if n]
        return ", ".join(dict.fromkeys(names)) or None
    if isinstance(value, dict):
        return _clean(_string(value.get("name")))
    return _clean(_string(value))


def _canonical(tree: LexborHTMLParser, metas: dict[str, str], url: str) -> str | None:
    for node in tree.css("link[rel]"):
        rel = (node.attributes.get("rel") or "").lower().split()
        href = (node.attributes.get("href") or "").strip()
        if "canonical" in rel and href:
            return http_link(href, url)
    return http_link(metas["og:url"], url) if metas.get("og:url") else None


def _lang(tree: LexborHTMLParser, metas: dict[str, str]) -> str | None:
    html = tree.css_first("html")
    raw = (html.attributes.get("lang") or html.attributes.get("xml:lang")) if html else None
    raw = raw or metas.get("content-language") or metas.get("og:locale")
    return primary_subtag(raw)


# --- small helpers -------------------------------------------------------------------------------


def _text_of(node: LexborNode | None) -> str:
    return node.text(deep=True, separator=" ") if node is not None else ""


def _string(value: Any) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    return value if isinstance(value, str) else None


def _clean(value: str | None) -> str:
    if not value:
        return ""
    if "&" in value or "<" in value:
        # a fragment parsed from "<p>...</p>" always has a body; selectolax types it Optional
        value = LexborHTMLParser(f"<p>{value}</p>").body.text(separator=" ")  # type: ignore[union-attr]
    return " ".join(value.split())
