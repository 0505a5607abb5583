"""Parse time per corpus feed: our ``parse_feed`` against plain ``feedparser.parse(bytes)``.

    .venv/bin/python benchmarks/feed_parse.py [FEED_DIR] [--runs N]

FEED_DIR defaults to ``tests/data/feeds`` (copies of ``/work/shared/corpus/feeds``). Each figure
is the median of N runs (default 7) in milliseconds. ``parse_feed`` does more than feedparser
(HTML -> text with selectolax, date reading, identity keys) but switches feedparser's sanitizer
and URI rewriting off. When ``fastfeedparser`` is installed, its time is shown as well: it was
the candidate fast parser (see the docstring of ``monitor.sources.feed`` for why it is not used).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import feedparser

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.errors import ParseError  # noqa: E402 - needs the path above when run as a script
from monitor.sources import parse_feed  # noqa: E402

try:
    import fastfeedparser  # type: ignore[import-not-found, unused-ignore]
except ImportError:
    fastfeedparser = None


def median_ms(parse: Callable[[], Any], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        parse()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def plain_feedparser(body: bytes) -> None:
    feedparser.parse(io.BytesIO(body))


def ours(body: bytes, name: str) -> None:
    with contextlib.suppress(ParseError):
        parse_feed(body, url=f"https://feeds.example.org/{name}")


def fast(body: bytes) -> None:
    with contextlib.suppress(ValueError):
        fastfeedparser.parse(body)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("feeds", nargs="?", type=Path, default=ROOT / "tests" / "data" / "feeds")
    args.add_argument("--runs", type=int, default=7)
    options = args.parse_args()
    paths = sorted(
        path
        for path in [*options.feeds.glob("*.xml"), *options.feeds.glob("*.json")]
        if not path.name.endswith(".expected.json")
    )
    header = f"{'feed':<58} {'KiB':>6} {'feedparser':>10} {'ours':>8} {'ratio':>6}"
    print(header + (f" {'fastfp':>8}" if fastfeedparser else ""))
    totals = [0.0, 0.0, 0.0]
    for path in paths:
        body = path.read_bytes()
        baseline = median_ms(partial(plain_feedparser, body), options.runs)
        mine = median_ms(partial(ours, body, path.name), options.runs)
        line = f"{path.name[:58]:<58} {len(body) / 1024:6.1f} {baseline:10.2f} {mine:8.2f}"
        line += f" {mine / baseline:6.2f}"
        totals[0] += baseline
        totals[1] += mine
        if fastfeedparser:
            other = median_ms(partial(fast, body), options.runs)
            totals[2] += other
            line += f" {other:8.2f}"
        print(line)
    summary = (
        f"{'TOTAL (' + str(len(paths)) + ' feeds, ms)':<65} {totals[0]:10.2f} {totals[1]:8.2f}"
    )
    summary += f" {totals[1] / totals[0]:6.2f}"
    print(summary + (f" {totals[2]:8.2f}" if fastfeedparser else ""))


if __name__ == "__main__":
    main()
