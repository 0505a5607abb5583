"""What the listing heuristic finds on the corpus listing pages, and how that changed.

    .venv/bin/python benchmarks/listing_bench.py [--save FILE] [--against FILE] [--show]
        [--corpus /work/shared/corpus/listings]

Prints the number of items per page (``parse_listing`` without selectors). ``--save`` writes
each page's items (URL and title) as JSON; ``--against`` compares with such a file written by
another version of the code: the items added, dropped and retitled per page, to be judged by
hand (there is no ground truth for listing pages: the README's precision is a hand check of a
sample). ``--show`` prints every item.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path

from monitor.sources.listing import parse_listing

CORPUS = Path("/work/shared/corpus/listings")
#: each page and the URL it was captured from (``SOURCES.md``; the Yahoo page is the UK one)
PAGES = {
    "frontpage-archive__faz.net_politik.html.gz": "https://www.faz.net/aktuell/politik/",
    "frontpage-archive__heise.de_newsticker.html.gz": "https://www.heise.de/newsticker/",
    "frontpage-archive__spiegel.de_ausland.html.gz": "https://www.spiegel.de/ausland/",
    "frontpage-archive__spiegel.de_schlagzeilen.html.gz": "https://www.spiegel.de/schlagzeilen/",
    "frontpage-archive__sueddeutsche.de_politik.html.gz": "https://www.sueddeutsche.de/politik",
    "frontpage-archive__t-online.de_politik.html.gz": "https://www.t-online.de/nachrichten/",
    "frontpage-archive__welt.de_newsticker.html.gz": "https://www.welt.de/newsticker/",
    "frontpage-archive__zeit.de_news.html.gz": "https://www.zeit.de/news/index",
    "frontpage-archive__zeit.de_politik.html.gz": "https://www.zeit.de/politik/index",
    "newspaper4k__wired.com_homepage.html.gz": "https://www.wired.com/",
    "newspaper__cnn.com_homepage.html": "http://www.cnn.com/",
    "newspaper__yahoo.com_homepage.html": "https://uk.yahoo.com/",
}

Found = dict[str, list[tuple[str, str]]]


def found(corpus: Path) -> Found:
    """Each page's items, as (URL, title) in page order."""
    result: Found = {}
    for name, url in PAGES.items():
        data = (corpus / name).read_bytes()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        result[name] = [(item.url or "", item.title) for item in parse_listing(data, url=url).items]
    return result


def compare(before: Found, after: Found) -> None:
    for name, items in after.items():
        old, new = dict(before.get(name, [])), dict(items)
        added = [(url, title) for url, title in items if url not in old]
        dropped = [(url, title) for url, title in old.items() if url not in new]
        retitled = [(url, old[url], title) for url, title in items if old.get(url, title) != title]
        if not (added or dropped or retitled):
            continue
        print(f"== {name}: +{len(added)} -{len(dropped)} ~{len(retitled)}")
        for url, title in added:
            print(f"  + {url}  | {title}")
        for url, title in dropped:
            print(f"  - {url}  | {title}")
        for url, was, title in retitled:
            print(f"  ~ {url}  | {was} -> {title}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--save", type=Path, help="write the items found as JSON")
    parser.add_argument("--against", type=Path, help="compare with items saved earlier")
    parser.add_argument("--show", action="store_true", help="print every item")
    args = parser.parse_args()
    now = found(args.corpus)
    for name, items in now.items():
        print(f"{len(items):5d}  {name}")
        for url, title in items if args.show else ():
            print(f"         {url}  | {title}")
    print(f"{sum(len(items) for items in now.values()):5d}  in all")
    if args.save:
        args.save.write_text(json.dumps(now, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.against:
        compare(json.loads(args.against.read_text(encoding="utf-8")), now)


if __name__ == "__main__":
    main()
