"""``monitor extract``: article pages (saved files or URLs) to text, title and date.

Owns: fetching the URLs among the inputs, handing every page to the batch extractor, and
printing one result per input, in order. URLs are fetched with the default HTTP settings and
limits (no config needed), or, when ``--config`` or ``$MONITOR_CONFIG`` names a config, with its
``http`` settings and, for a URL on a source's host, the networks that source may reach
(``allow_networks``): an intranet page a source reads can be extracted as the daemon would fetch
it, and no other URL gets that source's exemption.
Does not own: extraction (``monitor.extract``, imported only when this command runs, so that
the other commands start without trafilatura) or fetching (``monitor.fetch``).
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Mapping, Sequence
from ipaddress import IPv4Network, IPv6Network
from urllib.parse import urlsplit

from monitor.cli.common import EXIT_CONFIG, now, settings_from
from monitor.config import HttpSettings, SourceSettings
from monitor.fetch import Fetcher, FetchOptions

#: the fetch options of one URL
OptionsFor = Callable[[str], FetchOptions]


def cmd_extract(args: argparse.Namespace, env: Mapping[str, str]) -> int:
    """Needs no config; one named by ``--config`` or ``$MONITOR_CONFIG`` gives the HTTP settings."""
    from monitor.extract import batch  # only this command needs trafilatura

    urls = [i for i in args.inputs if i.lower().startswith(("http://", "https://"))]
    fetched = asyncio.run(_fetch_pages(urls, *_http(args, env))) if urls else {}
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


def _http(args: argparse.Namespace, env: Mapping[str, str]) -> tuple[HttpSettings, OptionsFor]:
    """The config's HTTP settings and each URL's source's ``allow_networks`` when a config is
    named (an invalid one is a config error), else the defaults; robots.txt is not asked (a
    person asks for these pages, one each)."""
    from monitor.config import DEFAULT_USER_AGENT

    if not (args.config or env.get("MONITOR_CONFIG")):
        return HttpSettings(DEFAULT_USER_AGENT), lambda _url: FetchOptions()
    settings = settings_from(args, env)
    return settings.http, lambda url: FetchOptions(
        allow_networks=allowed_networks(url, settings.sources)
    )


def allowed_networks(
    url: str, sources: Sequence[SourceSettings]
) -> tuple[IPv4Network | IPv6Network, ...]:
    """The ``allow_networks`` of the sources whose URL has ``url``'s host (any port), as the
    daemon fetches that source's feed and pages; none for a URL on no source's host."""
    try:
        host = urlsplit(url).hostname
    except ValueError:  # "http://[::1": the fetch says what is wrong with it
        return ()
    if host is None:
        return ()
    own = (s for s in sources if urlsplit(s.url).hostname == host)
    return tuple(dict.fromkeys(network for source in own for network in source.allow_networks))


async def _fetch_pages(urls: list[str], http: HttpSettings, options: OptionsFor):
    from monitor.errors import FetchError
    from monitor.extract.batch import Page

    fetcher = Fetcher(http)

    async def one(url: str) -> Page:
        try:
            got = await fetcher.fetch(url, options=options(url))
        except FetchError as error:
            return Page(url, error=str(error))
        return Page(url, got.content, url=got.url, content_type=got.content_type)

    try:
        return {page.input: page for page in await asyncio.gather(*(one(u) for u in urls))}
    finally:
        await fetcher.aclose()
