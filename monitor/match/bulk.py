"""``monitor match``: match a JSON Lines stream of articles against topics, in input order.

Input, one article per line: ``{"id", "title", "text", "lang"?, "url"?, "published"?}`` (blank
lines are skipped; ``lang`` is a language code, tag or name: ``en-US`` and ``English`` are ``en``).
Output, one line per article, in input order::

    {"id": ..., "matches": [{"topic": ..., "score": 0.87, "terms": [...],
                             "hits": [{"term", "field", "position", "matched", "weight",
                                       "form"}]}]}

Big inputs are matched in a process pool (each worker builds its own ``Matcher`` once): it pays
off only when there is enough work to cover starting the workers, so the first ``POOL_MIN_LINES``
lines decide (``benchmarks/match_bench.py`` measures both ways).
Owns: the stream formats (and the shape of a judged article's line), line-numbered errors,
batching and the pool.
Does not own: matching itself (``engine``) or reading watchlists (``monitor.config``).
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

from monitor.langtag import LANGUAGE_CODES, code_for, language_error
from monitor.match.engine import Matcher
from monitor.match.lexicon import Lexicon
from monitor.types import Document, Match, Topic

#: below this many lines one process is faster than starting a pool
POOL_MIN_LINES = 500
#: lines per task sent to a worker: big enough to amortise pickling, small enough to balance
BATCH_LINES = 100
#: the keys of a judged article's line (``eval --labels``, a feedback file): an article's, and
#: the grades its ``topics`` give
JUDGED_KEYS = ("id", "title", "text", "lang", "topics", "url", "published")

_Numbered = tuple[int, str]


def match_stream(
    topics: Sequence[Topic],
    infile: Iterable[str],
    outfile: TextIO,
    *,
    workers: int | None = None,
    lexicon: Lexicon | None = None,
    matcher: Matcher | None = None,
) -> int:
    """Match every article of ``infile``, write one result line each to ``outfile``; count them.

    ``workers``: processes to use; None picks one per CPU for inputs of ``POOL_MIN_LINES`` or
    more, else 1. ``lexicon``: for expanding topics (None: the shipped one). ``matcher``: one
    built by the caller for ``topics`` (``monitor match --feedback`` passes a learned one). A
    line that is not a JSON article raises ValueError naming its line number (results for the
    lines before it have been written).
    """
    lines: Iterator[_Numbered] = ((n, line) for n, line in enumerate(infile, 1) if line.strip())
    head = list(itertools.islice(lines, POOL_MIN_LINES))
    if workers is None:
        workers = (os.cpu_count() or 1) if len(head) >= POOL_MIN_LINES else 1
    everything = itertools.chain(head, lines)
    many = workers > 1
    # Compiled once here; forked workers inherit it (compiling 1,000 expanded topics takes time).
    matcher = matcher or Matcher(topics, lexicon)
    results = _pooled(matcher, everything, workers) if many else _serial(matcher, everything)
    count = 0
    for batch in results:
        outfile.writelines(batch)
        count += len(batch)
    return count


def _serial(matcher: Matcher, lines: Iterable[_Numbered]) -> Iterator[list[str]]:
    for batch in _batches(lines):
        yield [_match_line(matcher, number, line) for number, line in batch]


def _pooled(matcher: Matcher, lines: Iterable[_Numbered], workers: int) -> Iterator[list[str]]:
    # "fork": workers start in milliseconds, need no importable ``__main__`` (``spawn`` re-runs
    # the caller's script) and inherit the compiled matcher. ``monitor match`` is a one-shot
    # command without threads, so forking is safe.
    context = multiprocessing.get_context("fork")
    _worker_matcher[:] = [matcher]
    try:
        with context.Pool(workers) as pool:
            yield from pool.imap(_work, _batches(lines))
    finally:
        _worker_matcher.clear()


def _batches(lines: Iterable[_Numbered]) -> Iterator[list[_Numbered]]:
    iterator = iter(lines)
    while batch := list(itertools.islice(iterator, BATCH_LINES)):
        yield batch


# The matcher that forked workers inherit (set just before the pool forks, cleared after).
_worker_matcher: list[Matcher] = []


def _work(batch: list[_Numbered]) -> list[str]:
    matcher = _worker_matcher[0]
    return [_match_line(matcher, number, line) for number, line in batch]


def _match_line(matcher: Matcher, number: int, line: str) -> str:
    doc = read_article(line, number)
    matches = [_match_json(m) for m in matcher.match(doc)]
    return json.dumps({"id": doc.id, "matches": matches}, ensure_ascii=False) + "\n"


def read_article(line: str, number: int) -> Document:
    """One input line as a Document; ValueError naming ``number`` when it is not an article."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"line {number}: not JSON: {e.msg} (column {e.colno})") from None
    if not isinstance(data, dict):
        raise ValueError(f"line {number}: expected a JSON object, got {type(data).__name__}")
    article_id = data.get("id")
    if not isinstance(article_id, str | int) or isinstance(article_id, bool):
        raise ValueError(f"line {number}: 'id' must be a string or a number")
    fields = {key: data.get(key) or "" for key in ("title", "text")}
    for key, value in fields.items():
        if not isinstance(value, str):
            raise ValueError(f"line {number}: {key!r} must be a string")
    return Document(str(article_id), fields["title"], fields["text"], _lang(data, number))


def _lang(data: dict[str, object], number: int) -> str | None:
    """The line's language as the matcher's code: ``en-US`` and ``English`` are ``en`` (read as
    written, the forms kept to English would not count); a value naming none is an error."""
    lang = data.get("lang")
    if lang is None or lang == "":
        return None
    if not isinstance(lang, str):
        raise ValueError(f"line {number}: 'lang' must be a string")
    if lang in LANGUAGE_CODES:
        return lang
    code = code_for(lang)
    if code is None:
        raise ValueError(f"line {number}: 'lang': {language_error(lang)}")
    return code


def check_judged_line(data: dict[str, object], number: int) -> None:
    """ValueError naming ``number`` when a judged article's line (``read_article`` read it) is
    of another shape, not an article judged for nothing: keys of its own and no ``topics``
    (``"topic": ..., "relevant": true``), or neither title nor text (grades without their
    article). Beside ``topics``, other keys are the article's own (a corpus line's ``source``,
    ``author``): left alone, as ``monitor match`` leaves them."""
    unknown = sorted(set(data) - set(JUDGED_KEYS))
    if unknown and "topics" not in data:
        names = ("unknown keys " if len(unknown) > 1 else "unknown key ") + ", ".join(
            repr(key) for key in unknown
        )
        raise ValueError(
            f"line {number}: {names} (expected: {', '.join(JUDGED_KEYS)}; a judgment is"
            ' written "topics": {"topic-id": 1})'
        )
    if "title" not in data and "text" not in data:
        raise ValueError(
            f"line {number}: no 'title' or 'text': the article's text is what the watchlist is"
            " matched against (grades alone can be neither scored nor learned from)"
        )


def _match_json(match: Match) -> dict[str, object]:
    return {
        "topic": match.topic,
        "score": round(match.score, 4),
        "terms": list(match.terms),
        "hits": [h.as_json() for h in match.hits],
    }
