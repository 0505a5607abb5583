"""Write the golden file ``NAME.expected.json`` beside every feed in this folder.

Run from the repository root after a deliberate change to ``monitor.sources.feed``:

    .venv/bin/python tests/data/feeds/regenerate.py

then read ``git diff tests/data/feeds`` line by line before committing: a golden file is only
worth something when a person has checked it (characters of non-UTF-8 feeds, dates, links).
The feeds are byte-for-byte copies of ``/work/shared/corpus/feeds`` (provenance: ``SOURCES.md``);
``cross-check/`` holds the expectations of the projects the feeds come from.

Each feed is parsed as if fetched from ``feed_url(name)`` with no Content-Type header, so the
charset comes from the document alone (the hard case); a body that is no feed records the error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from monitor.errors import ParseError  # noqa: E402 - needs the path above when run as a script
from monitor.sources import parse_feed  # noqa: E402
from monitor.types import ParsedFeed  # noqa: E402

SUMMARY_CHARS = 80


def feed_files() -> list[Path]:
    """The feed documents here (not the golden files next to them)."""
    paths = [*HERE.glob("*.xml"), *HERE.glob("*.json")]
    return sorted(path for path in paths if not path.name.endswith(".expected.json"))


def golden_path(feed: Path) -> Path:
    return feed.with_name(feed.name.rsplit(".", 1)[0] + ".expected.json")


def feed_url(name: str) -> str:
    """Where the tests pretend the feed was fetched from (relative links resolve against it)."""
    return f"https://feeds.example.org/{name}"


def summarize(feed: Path) -> dict[str, Any]:
    """The golden view of one feed: what parse_feed returns, dates as ISO, summaries cut short."""
    try:
        parsed = parse_feed(feed.read_bytes(), url=feed_url(feed.name))
    except ParseError as e:
        return {"error": str(e)}
    return as_golden(parsed)


def as_golden(parsed: ParsedFeed) -> dict[str, Any]:
    return {
        "title": parsed.title,
        "language": parsed.language,
        "ttl": parsed.ttl,
        "warning": parsed.warning,
        "items": [
            {
                "key": item.key,
                "url": item.url,
                "guid": item.guid,
                "title": item.title,
                "published": item.published.isoformat() if item.published else None,
                "summary": item.summary[:SUMMARY_CHARS],
                "author": item.author,
                "language": item.language,
            }
            for item in parsed.items
        ],
    }


def main() -> None:
    for feed in feed_files():
        text = json.dumps(summarize(feed), ensure_ascii=False, indent=1) + "\n"
        golden_path(feed).write_text(text, encoding="utf-8")
        print(golden_path(feed).name)


if __name__ == "__main__":
    main()
