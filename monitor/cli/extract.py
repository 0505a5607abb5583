"""``monitor extract``: article pages (saved files or URLs) to text, title and date.

Owns: fetching the URLs among the inputs (default HTTP settings and limits, no config needed),
handing every page to the batch extractor, and printing one result per input, in order.
Does not own: extraction (``monitor.extract``, imported only when this command runs, so that
the other commands start without trafilatura) or fetching (``monitor.fetch``).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Mapping

from monitor.cli.common import EXIT_CONFIG, now
from monitor.fetch import Fetcher


def cmd_extract(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Needs no config: URLs are fetched with the default HTTP settings and limits."""
    from monitor.extract import batch  # only this command needs trafilatura

    urls = [i for i in args.inputs if i.lower().startswith(("http://", "https://"))]
    fetched = asyncio.run(_fetch_pages(urls)) if urls else {}
    pages = (fetched[i] if i in fetched else batch.read_file(i) for i in args.inputs)
    failed = 0
    show = batch.as_json if args.json else batch.as_text
    outcomes = batch.extract_pages(
        pages, count=len(args.inputs), language=args.language, workers=args.workers,
        now=now(),
    )  # fmt: skip
    for outcome in outcomes:
        failed += outcome.article is None
        print(show(outcome), flush=True)
    return EXIT_CONFIG if failed else 0


async def _fetch_pages(urls: list[str]):
    from monitor.config import DEFAULT_USER_AGENT, HttpSettings
    from monitor.errors import FetchError
    from monitor.extract.batch import Page

    fetcher = Fetcher(HttpSettings(DEFAULT_USER_AGENT))

    async def one(url: str) -> Page:
        try:
            got = await fetcher.fetch(url)
        except FetchError as error:
            return Page(url, error=str(error))
        return Page(url, got.content, url=got.url, content_type=got.content_type)

    try:
        return {page.input: page for page in await asyncio.gather(*(one(u) for u in urls))}
    finally:
        await fetcher.aclose()
