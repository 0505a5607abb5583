"""Listing pages (a section or home page in HTML) -> ``ParsedFeed`` of article links.

Owns: finding the article links on a listing page, with the source's CSS selectors when it has
them, else with a heuristic; the items carry the link, its text as a provisional title, and a date
when the selectors point at one (given ``now``, none more than a day after it:
``monitor.timestamps.believable``). Pure: no I/O, no clock, so it runs in the worker pool.
Does not own: fetching, deciding which links are new (the store), reading the articles
(``monitor.extract``).

The heuristic keeps a link when it stays on the listing's site (same host or a subdomain of the
same registered domain), is not inside navigation (``nav``, ``header``, ``footer``, ``aside``,
menus, breadcrumbs, pagination), its path does not name a section, tag, author, search or page
(``/tag/``, ``/author/``, ``/page/2``...), and it looks like a story: a path with a long slug or
a numeric id, and link text of at least four words. An element marked as navigation that holds
many stories with their own link text is a content column, not navigation (Yahoo's home page
puts all its stories in ``<div class="main-row nav-col">``). Links to one article (the same
canonical URL: ``#comments`` or a tracking fragment does not make another) are one item, titled
with the best link text: a title made from the URL's slug never beats a real one. Precision on
the corpus listings is in the README (measured by hand on a sample; ``benchmarks/listing_bench.py``
lists what the heuristic finds).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from urllib.parse import urldefrag, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from monitor.config import ListingSelectors
from monitor.errors import ParseError
from monitor.extract.dates import written_dates
from monitor.extract.decode import decode_html
from monitor.identity import http_link, item_key
from monitor.timestamps import believable, parse_date
from monitor.types import Item, ParsedFeed

_NAVIGATION = frozenset({"nav", "menu", "form"})
_PAGE_PARTS = frozenset({"header", "footer", "aside"})
#: a teaser is often an ``<article>`` with its own ``<header>``: above one, stop looking
_STORY_ANCESTORS = frozenset({"article", "main"})
_SKIP_MARKS = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|pagination|pager|footer|"
    r"topbar|sidebar|social|share|tag-?list|tags|login|subscribe|newsletter)(?:$|[\s_-])",
    re.IGNORECASE,
)
_SKIP_PATHS = re.compile(
    r"/(?:tags?|topics?|topik|themen?|thema|author|authors|autor|penulis|reporter|profile|"
    r"kategori|category|categories|rubrik|kanal|section|page|halaman|seite|search|cari|suche|"
    r"login|register|signup|subscribe|abo|newsletter|about|contact|kontak|impressum|privacy|"
    r"datenschutz|terms|rss|feed|video-?s?|galleries|foto|fotos|podcasts?)(?:/|$|\.)",
    re.IGNORECASE,
)
_FILES = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|zip|mp[34]|css|js|xml)$", re.IGNORECASE)
_ID_OR_DATE = re.compile(r"\d{4,}|/\d{4}/\d{1,2}/|\d{4}-\d{2}-\d{2}")
#: bullets, arrows, bars and dashes that stand alone before or after a link's text ("• Mother's
#: regret...", "Weiter ›"): decoration, not title; quotes, "?" and "!" are text (French spaces them)
_DECORATION = "•·▪▫►▶▸▹‣◦●○■□◆◇★☆➤➔→|¦–—~*>›-"
_DECORATED = re.compile(rf"^(?:[{_DECORATION}]+\s+)+|(?:\s+[{_DECORATION}]+)+$")
_SLUG_WORDS = 3
#: an element holding this many distinct story links with their own text is a column of stories
_COLUMN_STORIES = 10
_TEXT_WORDS = 4
_TitleSource = Literal["text", "label", "slug"]
_MULTI_LABEL_SUFFIXES = frozenset({"co", "com", "net", "org", "ac", "go", "or", "gov", "edu"})


@dataclass(frozen=True, slots=True)
class _Link:
    """One article link found on the page."""

    url: str
    title: str
    published: datetime | None = None
    #: where the title comes from: the link's ``text``; an image-only teaser's ``label`` (its
    #: aria-label, title or alt text); else the URL's ``slug`` (a made-up title)
    source: _TitleSource = "text"


def parse_listing(
    content: bytes,
    *,
    url: str,
    content_type: str | None = None,
    language: str | None = None,
    selectors: ListingSelectors | None = None,
    now: datetime | None = None,
) -> ParsedFeed:
    """The article links of a listing page, in page order, each once."""
    html = decode_html(content, content_type)
    if "<" not in html[:4096]:
        raise ParseError("not an HTML page")
    tree = LexborHTMLParser(html)
    tree.strip_tags(["script", "style", "noscript", "template", "svg"])
    base = _base(tree, url)
    found = _by_selectors(tree, base, selectors) if selectors else _by_heuristic(tree, base)
    items = [_item(key, best, language, now) for key, best in _one_per_article(found).items()]
    page_title = tree.css_first("title")
    return ParsedFeed(
        title=" ".join(page_title.text().split()) if page_title else None,
        items=tuple(items),
        language=language,
        warning=None if items else "no article links found",
    )


def _one_per_article(found: list[_Link]) -> dict[str, _Link]:
    """The links by article (canonical URL), in page order; of several links to one article, the
    one with the best title: its own text over one made from the slug (the comment-count link
    ``...#comments`` beside the headline has none), then the longer."""
    best: dict[str, _Link] = {}
    for link in found:
        key = item_key(link.url, None)
        if key not in best or _rank(link) > _rank(best[key]):
            best[key] = link
    return best


def _item(key: str, link: _Link, language: str | None, now: datetime | None) -> Item:
    return Item(key=key, url=_without_spot(link.url), guid=None, title=link.title, summary="",
                published=believable(link.published, now), language=language)  # fmt: skip


def _rank(link: _Link) -> tuple[bool, int]:
    return (link.source != "slug", len(link.title))


def _without_spot(link: str) -> str:
    """The link without its ``#fragment`` (a spot in the article, or a tracking tag: the item's
    URL is the article's); a ``#!`` route addresses content and is kept."""
    address, fragment = urldefrag(link)
    return link if fragment.startswith("!") else address


def _base(tree: LexborHTMLParser, url: str) -> str:
    node = tree.css_first("base[href]")
    return (http_link(node.attributes.get("href") or "", url) or url) if node else url


# --- with selectors ------------------------------------------------------------------------------


def _by_selectors(tree: LexborHTMLParser, base: str, selectors: ListingSelectors) -> list[_Link]:
    found: list[_Link] = []
    for element in tree.css(selectors.links):
        anchor = element if element.tag == "a" else element.css_first("a[href]")
        link = _http(anchor.attributes.get("href") if anchor else None, base)
        if link is None or anchor is None:
            continue
        title_node = element.css_first(selectors.title) if selectors.title else anchor
        date_node = element.css_first(selectors.date) if selectors.date else None
        found.append(_Link(link, _text(title_node), _date(date_node)))
    return found


def _date(node: LexborNode | None) -> datetime | None:
    if node is None:
        return None
    attribute = node.attributes.get("datetime") or node.attributes.get("content")
    if attribute:
        return parse_date(attribute)
    text = _text(node)
    written = written_dates(text)
    return written[0].when if written else parse_date(text)


# --- without: the heuristic ----------------------------------------------------------------------


def _by_heuristic(tree: LexborHTMLParser, base: str) -> list[_Link]:
    site = _site(urlsplit(base).hostname or "")
    candidates: list[tuple[LexborNode, _Link]] = []
    for anchor in tree.css("a[href]"):
        link = _http(anchor.attributes.get("href"), base)
        if link is None or not is_article_link(link, site):
            continue
        title, source = _link_title(anchor, link)
        if len(title.split()) >= _TEXT_WORDS:
            candidates.append((anchor, _Link(link, title, None, source)))
    columns = _content_columns(candidates)
    return [link for anchor, link in candidates if not _in_navigation(anchor, columns)]


def _link_title(anchor: LexborNode, link: str) -> tuple[str, _TitleSource]:
    """The link's text; for an image-only teaser, its label or alt text, else its slug; and
    which of them it is."""
    text = _text(anchor)
    if len(text.split()) >= _TEXT_WORDS:
        return text, "text"
    image = anchor.css_first("img[alt]")
    for label in (
        anchor.attributes.get("aria-label"),
        anchor.attributes.get("title"),
        image.attributes.get("alt") if image else None,
    ):
        if label and len(_undecorated(label).split()) >= _TEXT_WORDS:
            return _undecorated(label), "label"
    # a provisional title: the article's own comes from its page when it is followed
    slug = [segment for segment in urlsplit(link).path.split("/") if segment][-1]
    words = re.sub(r"\.\w+$", "", slug).split("-")
    words = [w for w in words if not re.fullmatch(r"[a-z]{0,2}\d[\w.]*|[a-z]\d*", w)]
    return (" ".join(words).capitalize(), "slug") if len(words) >= _TEXT_WORDS else (text, "text")


def is_article_link(link: str, site: str) -> bool:
    """True when ``link`` stays on ``site`` and its path looks like a story, not a section."""
    parts = urlsplit(link)
    host = parts.hostname or ""
    if _site(host) != site:
        return False
    path = parts.path
    if _SKIP_PATHS.search(path) or _FILES.search(path) or path.rstrip("/") == "":
        return False
    last = [segment for segment in path.split("/") if segment][-1]
    slug_words = len(re.split(r"[-_]+", re.sub(r"\.\w+$", "", last)))
    return slug_words >= _SLUG_WORDS or bool(_ID_OR_DATE.search(path))


def _content_columns(candidates: list[tuple[LexborNode, _Link]]) -> frozenset[int]:
    """The elements (``mem_id``) holding ``_COLUMN_STORIES`` or more distinct story links with
    a text of their own. A navigation menu holds section links, and its few story-shaped ones
    are mostly tools and puzzles titled from their slugs or icons ("Bussgeldrechner", a games
    bar of icons: "Öffnen Sie das Spiel Wordle"); a column of headlines is content, whatever
    its class says."""
    stories: dict[int, set[str]] = {}
    for anchor, link in candidates:
        if link.source != "text":
            continue
        key = item_key(link.url, None)
        parent = anchor.parent
        while parent is not None and parent.tag not in ("body", "html"):
            stories.setdefault(parent.mem_id, set()).add(key)
            parent = parent.parent
    return frozenset(node for node, keys in stories.items() if len(keys) >= _COLUMN_STORIES)


def _in_navigation(node: LexborNode, columns: frozenset[int]) -> bool:
    """True inside page furniture; a ``<header>`` or ``<aside>`` within a story is not, and an
    element in ``columns`` (one holding many stories) is not furniture, whatever it is marked."""
    furniture = False
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag in _STORY_ANCESTORS:
            return False
        if parent.mem_id not in columns:
            if parent.tag in _NAVIGATION or _SKIP_MARKS.search(_marks(parent)):
                return True
            furniture = furniture or parent.tag in _PAGE_PARTS
        parent = parent.parent
    return furniture


def _marks(node: LexborNode) -> str:
    attrs = node.attributes
    return f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('role') or ''}"


def _site(host: str) -> str:
    """The registered domain, roughly: ``www.republika.co.id`` -> ``republika.co.id``."""
    labels = host.lower().rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _MULTI_LABEL_SUFFIXES else 2
    return ".".join(labels[-keep:])


# --- small helpers -------------------------------------------------------------------------------


def _http(href: str | None, base: str) -> str | None:
    """An article link: not a link to a place on the page itself (``#...``)."""
    if (href or "").strip().startswith("#"):
        return None
    return http_link(href, base)


def _text(node: LexborNode | None) -> str:
    return _undecorated(node.text(separator=" ")) if node is not None else ""


def _undecorated(text: str) -> str:
    """``text`` on one line, without the decoration that stands alone at either end."""
    return _DECORATED.sub("", " ".join(text.split()))
