"""``monitor extract``: extract many saved pages (and fetched ones) in input order.

Output with ``--json``, one object per input, in input order, as JSON Lines::

    {"input", "title", "text", "published" (ISO 8601 UTC or null), "language",
     "canonical_url", "author", "date_source"}

or ``{"input", "error"}`` for an input that could not be read. Many files are extracted in a
process pool (``POOL_MIN_FILES`` or more; each worker loads trafilatura and the language model
once), a few in this process: starting workers costs more than a handful of pages.
Owns: reading the files (``.gz`` inflated), the pool, the output formats.
Does not own: extraction (``monitor.extract``), fetching URLs (the CLI does, with the fetcher).
"""

from __future__ import annotations

import gzip
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from monitor.extract import extract_article
from monitor.types import Article

#: from this many files on, a process pool pays for its start
POOL_MIN_FILES = 8
_CHUNK = 4


@dataclass(frozen=True, slots=True)
class Page:
    """One input: its name as given, and its bytes (or why there are none)."""

    input: str
    content: bytes = b""
    #: the URL to resolve links against (a fetched page's final URL, else a file URL)
    url: str = ""
    content_type: str | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    input: str
    article: Article | None
    error: str | None = None


def read_file(path: str) -> Page:
    """A saved page; ``.gz`` files are inflated."""
    try:
        data = Path(path).read_bytes()
        if path.endswith(".gz") or data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
    except (OSError, EOFError) as e:
        return Page(path, error=f"cannot read: {getattr(e, 'strerror', None) or e}")
    return Page(path, data, url=Path(path).resolve().as_uri())


def extract_pages(
    pages: Iterable[Page],
    *,
    count: int,
    language: str | None,
    workers: int | None = None,
    now: datetime | None = None,
) -> Iterator[Outcome]:
    """Extract each page, yielding outcomes in input order; as the daemon does, no date more
    than a day after ``now`` is taken."""
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if count >= POOL_MIN_FILES else 1
    if workers <= 1:
        yield from (_extract(page, language, now) for page in pages)
        return
    context = multiprocessing.get_context("spawn")  # like the daemon's pool: no fork of threads
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        yield from pool.map(_extract, pages, [language] * count, [now] * count, chunksize=_CHUNK)


def _extract(page: Page, language: str | None, now: datetime | None) -> Outcome:
    if page.error is not None:
        return Outcome(page.input, None, page.error)
    try:
        article = extract_article(
            page.content, page.url, content_type=page.content_type, language=language, now=now
        )
    except Exception as e:  # one broken page must not end a run over an archive
        return Outcome(page.input, None, f"extraction failed: {type(e).__name__}: {e}")
    return Outcome(page.input, article)


def as_json(outcome: Outcome) -> str:
    if outcome.article is None:
        return json.dumps({"input": outcome.input, "error": outcome.error}, ensure_ascii=False)
    a = outcome.article
    published = (
        a.published.astimezone(UTC).isoformat().replace("+00:00", "Z") if a.published else None
    )
    return json.dumps(
        {
            "input": outcome.input,
            "title": a.title,
            "text": a.text,
            "published": published,
            "language": a.language,
            "canonical_url": a.canonical_url,
            "author": a.author,
            "date_source": a.date_source,
        },
        ensure_ascii=False,
    )


def as_text(outcome: Outcome) -> str:
    if outcome.article is None:
        return f"== {outcome.input}\nerror: {outcome.error}\n"
    a = outcome.article
    when = a.published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if a.published else "-"
    lines = [
        f"== {outcome.input}",
        f"title:     {a.title}",
        f"published: {when} ({a.date_source or 'no date found'})",
        f"language:  {a.language or '-'}",
        f"author:    {a.author or '-'}",
        f"canonical: {a.canonical_url or '-'}",
        "",
        a.text,
        "",
    ]
    return "\n".join(lines)
