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
a numeric id, and link text of at least four words. Precision on the corpus listings is in the
README (measured by hand on a sample).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

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
_TEXT_WORDS = 4
_MULTI_LABEL_SUFFIXES = frozenset({"co", "com", "net", "org", "ac", "go", "or", "gov", "edu"})


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
    items: dict[str, Item] = {}
    for link, title, published in found:
        key = item_key(link, None)
        if key not in items or len(title) > len(items[key].title):
            items[key] = Item(key=key, url=link, guid=None, title=title, summary="",
                              published=believable(published, now),
                              language=language)  # fmt: skip
    page_title = tree.css_first("title")
    return ParsedFeed(
        title=" ".join(page_title.text().split()) if page_title else None,
        items=tuple(items.values()),
        language=language,
        warning=None if items else "no article links found",
    )


def _base(tree: LexborHTMLParser, url: str) -> str:
    node = tree.css_first("base[href]")
    return (http_link(node.attributes.get("href") or "", url) or url) if node else url


# --- with selectors ------------------------------------------------------------------------------


def _by_selectors(
    tree: LexborHTMLParser, base: str, selectors: ListingSelectors
) -> list[tuple[str, str, datetime | None]]:
    found: list[tuple[str, str, datetime | None]] = []
    for element in tree.css(selectors.links):
        anchor = element if element.tag == "a" else element.css_first("a[href]")
        link = _http(anchor.attributes.get("href") if anchor else None, base)
        if link is None or anchor is None:
            continue
        title_node = element.css_first(selectors.title) if selectors.title else anchor
        date_node = element.css_first(selectors.date) if selectors.date else None
        found.append((link, _text(title_node), _date(date_node)))
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


def _by_heuristic(tree: LexborHTMLParser, base: str) -> list[tuple[str, str, datetime | None]]:
    site = _site(urlsplit(base).hostname or "")
    found: list[tuple[str, str, datetime | None]] = []
    for anchor in tree.css("a[href]"):
        link = _http(anchor.attributes.get("href"), base)
        if link is None or not is_article_link(link, site):
            continue
        title = _link_title(anchor, link)
        if len(title.split()) < _TEXT_WORDS or _in_navigation(anchor):
            continue
        found.append((link, title, None))
    return found


def _link_title(anchor: LexborNode, link: str) -> str:
    """The link's text; for an image-only teaser, its label or alt text, else its slug."""
    text = _text(anchor)
    if len(text.split()) >= _TEXT_WORDS:
        return text
    image = anchor.css_first("img[alt]")
    for label in (
        anchor.attributes.get("aria-label"),
        anchor.attributes.get("title"),
        image.attributes.get("alt") if image else None,
    ):
        if label and len(_undecorated(label).split()) >= _TEXT_WORDS:
            return _undecorated(label)
    # a provisional title: the article's own comes from its page when it is followed
    slug = [segment for segment in urlsplit(link).path.split("/") if segment][-1]
    words = re.sub(r"\.\w+$", "", slug).split("-")
    words = [w for w in words if not re.fullmatch(r"[a-z]{0,2}\d[\w.]*|[a-z]\d*", w)]
    return " ".join(words).capitalize() if len(words) >= _TEXT_WORDS else text


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


def _in_navigation(node: LexborNode) -> bool:
    """True inside page furniture; a ``<header>`` or ``<aside>`` within a story is not."""
    furniture = False
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag in _STORY_ANCESTORS:
            return False
        if parent.tag in _NAVIGATION:
            return True
        attrs = parent.attributes
        marks = f"{attrs.get('class') or ''} {attrs.get('id') or ''} {attrs.get('role') or ''}"
        if _SKIP_MARKS.search(marks):
            return True
        furniture = furniture or parent.tag in _PAGE_PARTS
        parent = parent.parent
    return furniture


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
