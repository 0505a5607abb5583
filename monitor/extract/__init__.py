"""Article pages -> ``Article``: main text, title, author, canonical URL, language, UTC date.

Pure: bytes and a URL (and the source's language hint) in, a value out; no I/O, no clock, so it
runs in the worker pool and in ``monitor extract``.

    extract_article(content, url, content_type=None, language=None, now=None) -> Article
    text_language(text) -> str | None
    listing_language(text) -> str | None

Owns: decoding the page, and choosing among the sources of each field. The date is chosen in
this order, the first that gives one wins (``Article.date_source`` says which):

1. structured metadata with a zone: JSON-LD ``datePublished`` (``NewsArticle`` and kin), then
   ``article:published_time`` and other publication ``<meta>`` tags, then ``<time datetime>``;
2. a date-time written in the page near the headline, with a zone written or implied by the
   language (``dates``): "Selasa 07 Dec 2021 20:33 WIB" is 2021-12-07T13:33:00Z;
3. structured metadata without a zone, read as UTC (the day is right, the hour may not be).

Given ``now``, a date more than a day after it is no fact, and the next source is asked.

Submodules ``decode`` (bytes -> text) and ``dates`` (dates written in text) are shared with
listing pages (``monitor.sources.listing``), which import them directly.
Does not own: fetching pages (``monitor.fetch``), finding article links (``monitor.sources``),
near-duplicate detection (``monitor.story``).
"""

from __future__ import annotations

from datetime import datetime

from selectolax.lexbor import LexborHTMLParser

from monitor.extract._language import choose_language, listing_language
from monitor.extract._meta import Meta, read_meta
from monitor.extract._text import clean_lines, main_text
from monitor.extract.dates import written_dates
from monitor.extract.decode import decode_html
from monitor.timestamps import believable
from monitor.types import Article

__all__ = [
    "Article",
    "clean_lines",
    "decode_html",
    "extract_article",
    "listing_language",
    "text_language",
]

#: how far around the headline a written date may stand (characters of page text)
_BEFORE_TITLE, _AFTER_TITLE = 400, 1500


def extract_article(
    content: bytes,
    url: str,
    *,
    content_type: str | None = None,
    language: str | None = None,
    now: datetime | None = None,
) -> Article:
    """Read an article page fetched from ``url``; ``language`` is the source's hint, if any.
    Given ``now``, no date more than a day after it is taken."""
    html = decode_html(content, content_type)
    tree = LexborHTMLParser(html)
    meta = read_meta(tree, url, now)
    text = main_text(html, url, _captions(tree))
    title = meta.title or (text.splitlines()[0] if text else "")
    lang = choose_language(text or title, meta.lang, language)
    published, source = _published(meta, _page_text(tree), title, lang, now)
    return Article(
        url=url,
        title=title,
        text=_without_title(text, title),
        published=published,
        date_source=source,
        language=lang,
        canonical_url=meta.canonical_url,
        author=meta.author,
    )


def text_language(text: str) -> str | None:
    """The language of a text that declares none (a pasted one), identified as an article's
    is when its page declares none; None for a text without words."""
    return choose_language(text, None, None)


def _published(
    meta: Meta, page: str, title: str, language: str | None, now: datetime | None
) -> tuple[datetime | None, str | None]:
    if meta.published and not meta.published_naive:
        return meta.published
    near, title_at = _near_title(page, title)
    found = [f for f in written_dates(near, language) if believable(f.when, now)]
    if found:
        # the date closest to the headline is the article's; others belong to other stories
        best = min(found, key=lambda f: abs(f.start - title_at))
        return best.when, "text"
    return meta.published or (None, None)


def _captions(tree: LexborHTMLParser) -> set[str]:
    """Photo captions and alt texts, one line each, to tell a caption repeated in the text."""
    found = set()
    for node in tree.css("figcaption, [class*=caption]"):
        found.add(" ".join(node.text(separator=" ").split()))
    for node in tree.css("img[alt]"):
        found.add(" ".join((node.attributes.get("alt") or "").split()))
    return {caption for caption in found if caption}


def _page_text(tree: LexborHTMLParser) -> str:
    """The visible text of the page on one line (the tree is not needed after this)."""
    tree.strip_tags(["script", "style", "noscript", "template", "svg"])
    body = tree.body
    return " ".join(body.text(separator=" ").split()) if body is not None else ""


def _near_title(page: str, title: str) -> tuple[str, int]:
    """The stretch of page text around the headline, and where the headline starts in it."""
    probe = " ".join(title.split())[:60]
    at = page.find(probe) if probe else -1
    if at < 0:
        return page[:3000], 0
    start = max(0, at - _BEFORE_TITLE)
    return page[start : at + len(probe) + _AFTER_TITLE], at - start


def _without_title(text: str, title: str) -> str:
    lines = text.splitlines()
    if lines and title and " ".join(lines[0].split()) == " ".join(title.split()):
        lines = lines[1:]
    return "\n".join(lines)
