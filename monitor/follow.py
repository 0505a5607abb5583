"""Following items to their article pages, the pure half: which to follow, what a page adds.

Owns: the plan of one poll's follows (bounded per poll; the rest wait for the next poll), the
job the worker pool runs on a fetched page (extract + fingerprint), telling a page that is not
the article (no text, a login wall, a "not found" page served with 200) from one that is, and
merging the extracted article into the item that pointed at it, and the language of an item
known only from its listing. Pure: values in, values out;
no I/O.
Does not own: the I/O that applies it, the other half (``monitor.pipeline._follow_io``: fetches
the pages, runs the job in a worker, places articles in stories), fetching (``monitor.fetch``),
extraction (``monitor.extract``), stories (``monitor.story``), sequencing
(``monitor.pipeline``). Naming: see ``monitor.health``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

from monitor import policy
from monitor.extract import extract_article, listing_language
from monitor.story import fingerprint
from monitor.types import Article, Item

#: an item's summary made from its article text is cut near this many characters
SUMMARY_CHARS = 500
#: a page with fewer words of text than this, titled "not found", is a not-found page; an
#: article about a 404 error has more to say
NOT_FOUND_MAX_WORDS = 150

#: path segments of login, registration and subscription pages (a paywall redirects there)
_WALL_SEGMENTS = frozenset({
    "login", "log-in", "signin", "sign-in", "signup", "sign-up", "register", "registration",
    "subscribe", "subscription", "subscriptions", "paywall", "auth", "oauth", "sso",
    "anmelden", "anmeldung", "abo",  # de
    "masuk", "log-masuk", "daftar", "langganan", "berlangganan", "langgan",  # id, ms
    "dang-nhap", "dang-ky",  # vi: đăng nhập, đăng ký
    "вход", "войти", "регистрация", "подписка", "vhod", "voiti",  # ru
})  # fmt: skip
#: a title saying the page was not found, in the monitor's languages and a few more
_NOT_FOUND = re.compile(
    r"not\s+(?:be\s+)?found|can(?:no|['’])t\s+be\s+found|does\s*n(?:o|['’])t\s+exist|"
    r"tidak\s+(?:di)?temukan|tidak\s+dijumpai|tidak\s+wujud|tidak\s+tersedia|"
    r"не\s+найден\w*|не\s+существует|không\s+tìm\s+thấy|không\s+tồn\s+tại|"
    r"nicht\s+gefunden|introuvable",
    re.IGNORECASE,
)
_PAGE_WORDS = re.compile(
    r"\b(?:page|article|content|url|halaman|laman|artikel|konten|страниц\w*|"
    r"стать\w*|trang|bài\s+viết|seite)\b",
    re.IGNORECASE,
)
_STATUS_404 = re.compile(r"(?<![\w.,])404(?![\w.,])")
_ERROR_WORDS = re.compile(r"\b(?:error|fehler|galat|ralat|lỗi|ошибка|oops|maaf|sorry)\b", re.I)


@dataclass(frozen=True, slots=True)
class Plan:
    """What one poll does with its new items."""

    #: fetch these items' pages (at most ``max_follow``), newest first as listed
    follow: tuple[Item, ...]
    #: store these as they are (not followed); the rest stay unseen for a later poll
    plain: tuple[Item, ...]
    #: True when some new items wait for a later poll (over ``max_follow``): that poll must
    #: read the listing again, not be told it is unchanged
    deferred: bool = False


@dataclass(frozen=True, slots=True)
class Extracted:
    """What the worker made of one article page."""

    article: Article
    #: MinHash of the text (``monitor.story``); None for a text too short
    fingerprint: bytes | None


def plan(
    fresh: Sequence[Item],
    *,
    follow: bool,
    baselined: bool,
    backfill: float | None,
    max_follow: int,
    now: datetime,
) -> Plan:
    """Which new items to follow now.

    The first poll of a source stores its backlog silently and follows nothing (that would fetch
    a whole sitemap), except the items ``backfill`` will notify. Later polls follow up to
    ``max_follow`` items and leave the rest unseen, so the next poll takes them up; so do the
    items ``backfill`` notifies beyond ``max_follow`` (an alert is made from the article).
    """
    if not follow:
        return Plan((), tuple(fresh))
    if not baselined:
        notified = [i for i in fresh if policy.notify_on_first_poll(i, now, backfill)]
        chosen, waiting = notified[:max_follow], notified[max_follow:]
        plain = tuple(i for i in fresh if i not in notified)
        return Plan(tuple(chosen), plain, deferred=bool(waiting))
    return Plan(tuple(fresh[:max_follow]), (), deferred=len(fresh) > max_follow)


def extract_job(
    content: bytes,
    url: str,
    content_type: str | None,
    language: str | None,
    now: datetime | None,
) -> Extracted:
    """Extract a fetched page and fingerprint its text (runs in a worker process); no date more
    than a day after ``now`` is taken from it."""
    article = extract_article(content, url, content_type=content_type, language=language, now=now)
    return Extracted(article, fingerprint(article.text))


def unusable(requested: str, final: str, article: Article) -> str | None:
    """Why a fetched page is not the item's article, or None when it is.

    A page without article text; one reached by a redirect to a login, registration or
    subscription page (a paywall: "/login?next=..."); a "not found" page served as a success
    (a soft 404: its title says 404 or "not found", its text is short). The item then keeps
    the listing's or feed's title and summary, which the page's would replace.
    """
    if not article.text:
        return "no article text found on the page"
    wall = _wall(requested, final)
    if wall:
        return f"login wall: redirected to {wall[:120]}"
    if _says_not_found(article.title) and len(article.text.split()) < NOT_FOUND_MAX_WORDS:
        return f"not found page: titled {article.title[:80]!r}"
    return None


def _wall(requested: str, final: str) -> str | None:
    """The path a redirect led to when it is a login or subscription page's, else None."""
    path = urlsplit(final).path
    if path.rstrip("/") == urlsplit(requested).path.rstrip("/"):
        return None
    segments = (PurePosixPath(s).stem.lower() for s in unquote(path).split("/") if s)
    return path if any(segment in _WALL_SEGMENTS for segment in segments) else None


def _says_not_found(title: str) -> bool:
    """True for a title that is a not-found message: "404 - Halaman tidak ditemukan", "Page not
    found", "Error 404", "Страница не найдена": a 404 or a not-found phrase, with a word for a
    page or next to nothing else. A headline such as "Pesawat hilang tidak ditemukan" or "Die
    404 besten Spiele" is not."""
    if not (_NOT_FOUND.search(title) or _STATUS_404.search(title)):
        return False
    rest = re.findall(
        r"\w+", _ERROR_WORDS.sub(" ", _STATUS_404.sub(" ", _NOT_FOUND.sub(" ", title)))
    )
    return bool(_PAGE_WORDS.search(title)) or len(rest) <= 1


def merged(item: Item, article: Article) -> tuple[Item, str | None]:
    """The item as the page tells it, and where its date came from.

    The page's headline replaces the listing's (a listing's link text is often a teaser); a date
    the feed or sitemap gave is kept (structured, and the publisher's own), else the page's.
    """
    date_source = "feed" if item.published else article.date_source
    summary = item.summary or _cut(article.text, SUMMARY_CHARS)
    return (
        replace(
            item,
            title=article.title or item.title,
            summary=summary,
            published=item.published or article.published,
            author=item.author or article.author,
            language=article.language or item.language,
        ),
        date_source,
    )


def as_listed(item: Item) -> Item:
    """An item known only from its listing (not followed, or its page unusable), in the
    language its headline and summary are in when neither the listing nor the source says
    (``listing_language``): forms kept to a language count as on a followed page's text."""
    if item.language:
        return item
    return replace(item, language=listing_language(f"{item.title}\n{item.summary}"))


def _cut(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + "…"
