"""Benchmark ``monitor match`` (``match_stream``) against a naive regex-per-topic matcher.

Runs over ``/work/shared/corpus/texts/news_pool.jsonl`` (5,260 articles) with (a) the shipped
watchlist and (b) 1,000 generated topics (ORs of 3-8 words sampled from the corpus, ANDed in 2-3
groups, some words as prefixes), in one process and in a pool of two, with multilingual
expansion on (the default; every lexicon term becomes an OR of its forms) and, for comparison,
off. It also times compiling the topics (parsing, expansion, anchor index). Beside them, in the
same run, a baseline: one compiled ``re`` per topic (lookaheads for AND/NOT, ``\\b`` word
boundaries, IGNORECASE, no diacritic folding, no scoring, no expansion) searched over title +
text of each article. The baseline is slow, so by default it runs on the first
``--baseline-articles`` articles and its articles/second are compared with ours.

    .venv/bin/python benchmarks/match_bench.py [--corpus PATH] [--baseline-articles 300]

Before/after a change, in the same run: ``--against DIR`` (another checkout of the project, e.g.
``git archive main | tar -x -C /tmp/before``) times ``Matcher.match`` in CPU seconds for the
shipped watchlist and ``--topics`` generated topics, alternating that checkout and this one
(``--rounds`` times each, in fresh processes), so that a busy machine slows both alike.

    .venv/bin/python benchmarks/match_bench.py --against /tmp/before [--articles 1500]
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import yaml

from monitor.match import Matcher
from monitor.match.bulk import match_stream
from monitor.match.query import And, ConceptRef, Near, Node, Not, Or, Term, Title, parse, parse_form
from monitor.match.text import words
from monitor.types import Topic

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("/work/shared/corpus/texts/news_pool.jsonl")
WATCHLIST = ROOT / "config" / "watchlists" / "security.yaml"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--baseline-articles", type=int, default=300)
    parser.add_argument("--topics", type=int, default=1000)
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--articles", type=int, default=1500, help="articles for --against")
    parser.add_argument("--rounds", type=int, default=2, help="alternations for --against")
    parser.add_argument("--rates", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rates:
        _rates(args.corpus, args.articles, args.topics)
        return
    if args.against:
        _compare(args)
        return
    # split on "\n" only: JSON strings may hold U+2028, which splitlines() would cut at
    lines = [line for line in args.corpus.read_text(encoding="utf-8").split("\n") if line]
    articles = [json.loads(line) for line in lines]
    print(f"corpus: {len(lines)} articles, {sum(len(line) for line in lines) / 1e6:.1f} MB")
    for name, topics in (
        ("shipped watchlist", _watchlist()),
        (f"{args.topics} generated topics", _generated(articles, args.topics)),
    ):
        print(f"\n== {name} ({len(topics)} topics)")
        ours = {}
        for expand in (True, False):
            chosen = [replace(t, expand=expand) for t in topics]
            started = time.perf_counter()
            matcher = Matcher(chosen)
            compiled = time.perf_counter() - started
            print(f"expand={expand}: compiling {len(chosen)} topics: {compiled:.2f} s"
                  f" ({_forms(matcher)} anchor words)")  # fmt: skip
            for workers in (1, 2):
                seconds, matched = _run(chosen, lines, workers)
                if expand:
                    ours[workers] = len(lines) / seconds
                print(
                    f"  match_stream workers={workers}: {seconds:7.2f} s  "
                    f"{len(lines) / seconds:8.0f} articles/s  ({matched} matches)"
                )
        sample = articles[: args.baseline_articles]
        seconds, matched = _baseline(topics, sample)
        rate = len(sample) / seconds
        print(
            f"regex per topic (first {len(sample)} articles): {seconds:7.2f} s  {rate:8.0f} "
            f"articles/s  ({matched} matches; ~{len(lines) / rate:.0f} s for all)"
        )
        print(
            f"speedup with expansion on: {ours[1] / rate:.1f}x (1 process), "
            f"{ours[2] / rate:.1f}x (2 processes)"
        )


def _compare(args: argparse.Namespace) -> None:
    """Alternate the other checkout and this one, each in a fresh process."""
    here = Path(__file__).resolve()
    for _ in range(args.rounds):
        for root in (args.against.resolve(), ROOT):
            command = [sys.executable, str(here), "--rates", "--corpus", str(args.corpus),
                       "--articles", str(args.articles), "--topics", str(args.topics)]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
            out = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
            print(f"{root!s:40} {out.stdout.strip()}")


def _rates(corpus: Path, count: int, topics: int) -> None:
    """Articles per CPU second of ``Matcher.match`` (the ``monitor`` on PYTHONPATH)."""
    from monitor.types import Document

    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").split("\n") if line]
    docs = [Document(str(a["id"]), a["title"], a["text"], a.get("lang")) for a in rows[:count]]
    shown = []
    for name, chosen in (
        ("shipped", _watchlist()),
        (f"{topics} generated", _generated(rows, topics)),
    ):
        matcher = Matcher(chosen)
        matcher.match(docs[0])  # loads what is loaded once per process
        started = time.process_time()
        matched = sum(len(matcher.match(doc)) for doc in docs)
        rate = len(docs) / (time.process_time() - started)
        shown.append(f"{name}: {rate:6.0f} articles/CPU-s ({matched} matches)")
    print("   ".join(shown))


def _forms(matcher: Matcher) -> int:
    """How many distinct words, prefixes, phrase starts and substrings the presearcher holds."""
    return len(matcher._dictionary._ids)  # a benchmark may look inside


def _run(topics: list[Topic], lines: list[str], workers: int) -> tuple[float, int]:
    out = io.StringIO()
    started = time.perf_counter()
    match_stream(topics, io.StringIO("\n".join(lines) + "\n"), out, workers=workers)
    seconds = time.perf_counter() - started
    matched = sum(len(json.loads(line)["matches"]) for line in out.getvalue().split("\n") if line)
    return seconds, matched


def _watchlist() -> list[Topic]:
    raw = yaml.safe_load(WATCHLIST.read_text(encoding="utf-8"))["topics"]
    return [Topic(t["id"], t["name"], t["query"], t.get("threshold", 0.3)) for t in raw]


def _generated(articles: list[dict[str, str]], count: int) -> list[Topic]:
    """Analyst-shaped topics: content words (neither rare nor stop words), ORed and ANDed."""
    frequency: collections.Counter[str] = collections.Counter()
    for article in articles:
        frequency.update({w for w in words(article["title"] + " " + article["text"]).exact})
    low, high = len(articles) * 0.002, len(articles) * 0.05
    vocabulary = sorted(
        w for w, n in frequency.items() if low <= n <= high and w.isalpha() and len(w) > 3
    )
    rng = random.Random(7)
    topics = []
    for number in range(count):
        groups = []
        for _ in range(rng.randint(2, 3)):
            terms = [_term(rng.choice(vocabulary), rng) for _ in range(rng.randint(3, 8))]
            groups.append("(" + " OR ".join(terms) + ")")
        topics.append(Topic(f"gen-{number}", f"gen {number}", " AND ".join(groups), 0.3))
    return topics


def _term(word: str, rng: random.Random) -> str:
    return word[: max(4, len(word) - 3)] + "*" if rng.random() < 0.1 else word


# --- the naive baseline: one regex per topic -----------------------------------------------------


def _baseline(topics: list[Topic], articles: list[dict[str, str]]) -> tuple[float, int]:
    patterns = [re.compile(r"\A" + _lookahead(parse(t.query).root), re.IGNORECASE) for t in topics]
    texts = [article["title"] + "\n" + article["text"] for article in articles]
    started = time.perf_counter()
    matched = sum(1 for text in texts for pattern in patterns if pattern.match(text))
    return time.perf_counter() - started, matched


def _lookahead(node: Node) -> str:
    """A zero-width pattern, matched at the start of the text, that holds when ``node`` does."""
    if isinstance(node, And):
        return "".join(_lookahead(child) for child in node.children)
    if isinstance(node, Or):
        return "(?:" + "|".join(_lookahead(child) for child in node.children) + ")"
    if isinstance(node, Not):
        return "(?!" + _lookahead(node.child) + ")"
    if isinstance(node, Title):
        return _lookahead(node.child)
    if isinstance(node, Near):
        left, right, gap = _inline(node.left), _inline(node.right), node.distance - 1
        between = rf"\W+(?:\w+\W+){{0,{gap}}}"
        return rf"(?=[\s\S]*?(?:{left}{between}{right}|{right}{between}{left}))"
    return rf"(?=[\s\S]*?{_inline(node)})"


def _inline(node: Node) -> str:
    if isinstance(node, Title):
        return _inline(node.child)
    if isinstance(node, Or):
        return "(?:" + "|".join(_inline(child) for child in node.children) + ")"
    if isinstance(node, ConceptRef):
        node = parse_form(node.name)  # no expansion in the baseline: the concept's name
    assert isinstance(node, Term)
    parts = []
    for pattern in node.patterns:
        text = re.escape(pattern.text)
        parts.append(
            text
            if pattern.kind == "substring"
            else rf"\b{text}\w*"
            if pattern.kind == "prefix"
            else rf"\b{text}\b"
        )
    return r"\W+".join(parts)


if __name__ == "__main__":
    main()
