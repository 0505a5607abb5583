"""Fuzz the readers of untrusted input: feeds, listing pages, sitemaps, and the query parser.

    .venv/bin/pip install atheris        # not in the `test` extra: no test needs it
    .venv/bin/python benchmarks/fuzz_readers.py -max_total_time=180 -timeout=20 \\
        -artifact_prefix=/tmp/fuzz-

Every input must end in a result or a classified error: ``ParseError`` from a reader,
``QueryError`` from the parser. Anything else is a crash and libFuzzer stops with the input
saved (``-artifact_prefix``); found crashers become cases in ``tests/test_hostile.py``.
A reader's result must also pass through ``monitor.bounds`` into text every database takes
(encodable, keys that fit a unique index). The first byte picks the target; the seeds are the
feeds and pages in ``tests/data`` and the shipped watchlists' queries.

Run under ``atheris`` the readers are instrumented for coverage; ``--once DIR`` replays the
files of a folder (e.g. found crashers) without atheris.
"""

from __future__ import annotations

import contextlib
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = [ROOT / "tests" / "data" / "feeds", ROOT / "tests" / "data" / "listings"]
URL = "https://news.example/section/feed.xml"


def _feed(data: bytes) -> None:
    from monitor import bounds
    from monitor.sources import parse_feed

    for content_type in (None, "application/rss+xml; charset=utf-8"):
        _check(bounds.feed(parse_feed(data, url=URL, content_type=content_type)))


def _listing(data: bytes) -> None:
    from monitor import bounds
    from monitor.sources import parse_listing

    _check(bounds.feed(parse_listing(data, url=URL, content_type="text/html")))


def _sitemap(data: bytes) -> None:
    from monitor import bounds
    from monitor.sources import parse_sitemap

    sitemap = parse_sitemap(data, url=URL, limit=200)
    _check(bounds.feed(sitemap.feed))
    for child in sitemap.children:
        child.encode("utf-8", "surrogatepass")


def _query(data: bytes) -> None:
    from monitor.match.query import parse_query

    parse_query(data.decode("utf-8", "replace"))


TARGETS: list[Callable[[bytes], None]] = [_feed, _listing, _sitemap, _query]


def _check(parsed: object) -> None:
    """What the pipeline stores: every string encodes as UTF-8, every key fits an index."""
    from monitor import bounds

    for item in parsed.items:  # type: ignore[attr-defined]
        for value in (item.key, item.url, item.guid, item.title, item.summary, item.author):
            if value is not None:
                value.encode("utf-8")
                assert "\x00" not in value, item
        assert len(item.key.encode()) <= bounds.KEY_MAX or item.key.startswith("sha256:")


def one_input(data: bytes) -> None:
    """One fuzz input: the first byte picks the target, the rest is its input."""
    from monitor.errors import ParseError, QueryError

    if not data:
        return
    target = TARGETS[data[0] % len(TARGETS)]
    # classified errors are what a hostile input is allowed to cause
    with contextlib.suppress(ParseError, QueryError):
        target(data[1:])


def _seed_corpus(folder: Path) -> None:
    """Seed files for each target (prefixed with its byte) in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    files = [p for seed in SEEDS if seed.exists() for p in sorted(seed.rglob("*")) if p.is_file()]
    for n, path in enumerate(files[:400]):
        body = path.read_bytes()[:200_000]
        for index in range(3):
            (folder / f"{n}-{index}").write_bytes(bytes([index]) + body)
    queries = (ROOT / "config" / "watchlists").rglob("*.yaml")
    for n, path in enumerate(queries):
        (folder / f"q{n}").write_bytes(bytes([3]) + path.read_bytes()[:20_000])


def _replay(folder: Path) -> int:
    failed = 0
    for path in sorted(folder.iterdir()):
        try:
            one_input(path.read_bytes())
        except Exception as error:  # the point: report any unclassified one
            failed += 1
            print(f"{path}: {type(error).__name__}: {str(error)[:200]}")
    print(f"{failed} unclassified exception(s)")
    return 1 if failed else 0


def main() -> None:
    if sys.argv[1:2] == ["--once"]:
        raise SystemExit(_replay(Path(sys.argv[2])))
    import atheris

    with atheris.instrument_imports(include=["monitor"]):
        for module in ("monitor.sources", "monitor.match.query", "monitor.bounds"):
            importlib.import_module(module)
    corpus = Path("/tmp/fuzz-readers-corpus")
    if not corpus.exists():
        _seed_corpus(corpus)
    atheris.Setup([*sys.argv, str(corpus)], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
