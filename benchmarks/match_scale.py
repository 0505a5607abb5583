"""Benchmark matching at scale: 10 to 100,000 generated topics, our engine beside a peer.

Topics are generated from the corpus's own words so that they really hit: 2-3 AND-groups of
2-5 OR terms, some terms prefixes (``word*``), some phrases (two words that follow each other in
a text). Expansion is on (every lexicon term becomes an OR of its forms). Each size runs in a
fresh process on one core, over the first ``--docs`` texts of the corpus, and prints:

* ``ours``: ``Matcher.match`` docs per CPU second, the time to build the matcher (CPU, and
  wall), the process's peak RSS, and (when the engine can) the seconds of a hot reload that
  changes one topic (``Matcher(..., previous=)``); "matches" counts matches (for the peer:
  topics whose every group has a form present, a boolean superset);
* ``peer``: a quick presearcher written here with pyahocorasick: one automaton over every form
  of every topic's terms (expanded as ours are), then the candidate topics, indexed under their
  first AND-group, verified as booleans (every group has a form present). No NEAR, no guards,
  no scoring: a floor for what a presearch costs.

    .venv/bin/python benchmarks/match_scale.py [--sizes 10,1000,10000,100000] [--docs 1000]
    .venv/bin/python benchmarks/match_scale.py --sizes 10,1000 --docs 200      # a quick run
    .venv/bin/python benchmarks/match_scale.py --against /tmp/before          # main's engine too

``--against DIR`` runs ``ours`` also with another checkout (``git archive main | tar -x -C
/tmp/before``) on PYTHONPATH, as "before"; ``--no-peer`` skips the peer. pyahocorasick is a
dependency (our presearch uses it too).
"""

from __future__ import annotations

import argparse
import collections
import gc
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("/work/shared/corpus/texts/news_pool.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--sizes", default="10,1000,10000,100000", help="topic counts, commas")
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--against", type=Path, help="another checkout, shown as 'before'")
    parser.add_argument("--no-peer", action="store_true")
    parser.add_argument("--one", nargs=3, metavar=("WHAT", "SIZE", "DOCS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        _one(args.corpus, args.one[0], Path(args.one[1]), int(args.one[2]))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = [("before", args.against)] if args.against else []
    runs.append(("ours", ROOT))
    if not args.no_peer:
        runs.append(("peer", ROOT))
    print(f"{args.docs} texts of {args.corpus.name}, one core, expansion on")
    print(f"{'topics':>7} {'engine':>7} {'docs/s':>8} {'build s':>8} {'(wall)':>8} {'peak MB':>8}"
          f" {'reload s':>8} {'matches':>8}")  # fmt: skip
    rows = _rows(args.corpus)
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            topics = Path(folder) / f"{size}.json"
            topics.write_text(json.dumps([t.query for t in generated(rows, size)]))
            for name, root in runs:
                print(f"{size:>7} {name:>7} {_fresh(root, args.corpus, name, topics, args.docs)}")
                sys.stdout.flush()


def _rows(corpus: Path, count: int | None = None) -> list[dict[str, str]]:
    # read by "\n" only: JSON strings may hold U+2028, which splitlines() would cut at
    with corpus.open(encoding="utf-8", newline="\n") as lines:
        found = (json.loads(line) for line in lines if line.strip())
        return list(itertools.islice(found, count))


def _fresh(root: Path, corpus: Path, what: str, topics: Path, docs: int) -> str:
    """One measurement in a new process pinned to one core (peak RSS is then its own: the
    process reads only the topics and the texts it matches)."""
    here = Path(__file__).resolve()
    command = [sys.executable, str(here), "--corpus", str(corpus), "--one", what, str(topics),
               str(docs)]  # fmt: skip
    if hasattr(os, "sched_setaffinity"):
        command = ["taskset", "-c", "0", *command]
    env = {**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return "failed: " + done.stderr.strip().splitlines()[-1]
    return done.stdout.strip()


def _one(corpus: Path, what: str, queries: Path, count: int) -> None:
    from monitor.types import Document, Topic

    topics = [
        Topic(f"gen-{n}", f"gen {n}", query, 0.3)
        for n, query in enumerate(json.loads(queries.read_text()))
    ]
    docs = [
        Document(str(a["id"]), a["title"], a["text"], a.get("lang")) for a in _rows(corpus, count)
    ]
    _warm(what)
    started, cpu = time.perf_counter(), time.process_time()
    matcher = _Peer(topics) if what == "peer" else _ours(topics)
    built, built_cpu = time.perf_counter() - started, time.process_time() - cpu
    # a build leaves a full collection owing (its objects are new); whichever text comes next
    # pays it, once per build and not per text (0.1 s at 1,000 topics: a fifth of the whole
    # pass), so it is paid here, for every engine alike, as timeit keeps it out of its loops
    gc.collect()
    started = time.process_time()
    matched = sum(len(matcher.match(doc)) for doc in docs)
    rate = len(docs) / (time.process_time() - started)
    reload = _reload(matcher, topics, docs[0]) if what == "ours" else None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    shown = "-" if reload is None else f"{reload:.2f}"
    print(f"{rate:8.0f} {built_cpu:8.2f} {built:8.2f} {peak:8.0f} {shown:>8} {matched:>8}")


def _warm(what: str) -> None:
    """Load the lexicon first (each process pays it once, whatever it matches)."""
    from monitor.match.lexicon_files import default_lexicon
    from monitor.match.specificity import background

    default_lexicon()
    background()


def _ours(topics: list) -> object:
    from monitor.match import Matcher

    return Matcher(topics)


def _reload(matcher: object, topics: list, doc: object) -> float | None:
    """Seconds to rebuild with one topic's query changed, reusing the rest, and match the next
    text (what the daemon waits before it matches again; None: unsupported)."""
    import inspect

    from monitor.match import Matcher

    if "previous" not in inspect.signature(Matcher).parameters:
        return None
    changed = [*topics[:-1], replace(topics[-1], query=topics[-1].query + " AND NOT zzzq")]
    started = time.perf_counter()
    Matcher(changed, previous=matcher).match(doc)  # type: ignore[call-arg, arg-type]
    return time.perf_counter() - started


# --- generated topics ----------------------------------------------------------------------------


def generated(rows: list[dict[str, str]], count: int, seed: int = 15) -> list:
    """Boolean topics over the corpus's content words: 2-3 AND-groups of 2-5 OR terms."""
    from monitor.match.text import words
    from monitor.types import Topic

    frequency: collections.Counter[str] = collections.Counter()
    pairs: collections.Counter[tuple[str, str]] = collections.Counter()
    for row in rows:
        found = words(row["title"] + "\n" + row["text"]).exact
        frequency.update(set(found))
        pairs.update(set(itertools.pairwise(found)))
    low, high = len(rows) * 0.002, len(rows) * 0.05
    vocabulary = sorted(
        w for w, n in frequency.items() if low <= n <= high and w.isalpha() and len(w) > 3
    )
    phrases = sorted(
        f"{a} {b}"
        for (a, b), n in pairs.items()
        if n >= low and a.isalpha() and b.isalpha() and len(a) > 3 and len(b) > 3
    )
    rng = random.Random(seed)
    topics = []
    for number in range(count):
        groups = []
        for _ in range(rng.randint(2, 3)):
            terms = [_term(vocabulary, phrases, rng) for _ in range(rng.randint(2, 5))]
            groups.append("(" + " OR ".join(terms) + ")")
        topics.append(Topic(f"gen-{number}", f"gen {number}", " AND ".join(groups), 0.3))
    return topics


def _content(*found: str) -> bool:
    return all(w.isalpha() and len(w) > 3 for w in found)


def _term(vocabulary: list[str], phrases: list[str], rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.1:
        return f'"{rng.choice(phrases)}"'
    word = rng.choice(vocabulary)
    return word[: max(4, len(word) - 3)] + "*" if draw < 0.2 else word


# --- the peer: pyahocorasick over every form, boolean verification -------------------------------


class _Peer:
    """Automaton over all forms -> candidate topics (by their first group) -> every group hit."""

    def __init__(self, topics: list) -> None:
        import ahocorasick

        from monitor.match.lexicon_files import default_lexicon

        lexicon = default_lexicon()
        self._automata = {False: ahocorasick.Automaton(), True: ahocorasick.Automaton()}
        keys: dict[tuple[bool, str], int] = {}
        forms: dict[object, frozenset[int]] = {}  # a written term -> ids of its forms' keys
        self._groups: list[list[frozenset[int]]] = []
        self._by_key: dict[int, list[int]] = collections.defaultdict(list)
        for number, topic in enumerate(topics):
            groups = [
                frozenset().union(*(self._forms(t, lexicon, keys, forms) for t in group))
                for group in _groups(topic.query)
            ]
            self._groups.append(groups)
            for key in groups[0]:
                self._by_key[key].append(number)
        for (folded, text), key in keys.items():
            self._automata[folded].add_word(text, key)
        for automaton in self._automata.values():
            automaton.make_automaton()

    def _forms(self, term: object, lexicon: object, keys: dict, forms: dict) -> frozenset[int]:
        from monitor.match.expand import expand
        from monitor.match.query import Or, Query, Term

        cache_key = (term.patterns, term.guard)  # type: ignore[attr-defined]
        if cache_key not in forms:
            node = expand(Query("", term), lexicon).root  # type: ignore[arg-type]
            leaves = node.children if isinstance(node, Or) else (node,)
            found = set()
            for leaf in leaves:
                assert isinstance(leaf, Term)
                key = (leaf.patterns[0].folded, _key(leaf.patterns))
                found.add(keys.setdefault(key, len(keys)))
            forms[cache_key] = frozenset(found)
        return forms[cache_key]

    def match(self, doc: object) -> list[int]:
        from monitor.match.text import words

        present: set[int] = set()
        for field in (doc.title, doc.text):  # type: ignore[attr-defined]
            found = words(field)
            for folded, form in ((False, found.exact), (True, found.folded)):
                haystack = " " + " ".join(form) + " "
                present.update(key for _, key in self._automata[folded].iter(haystack))
        candidates = {n for key in present for n in self._by_key.get(key, ())}
        return [n for n in candidates if all(not g.isdisjoint(present) for g in self._groups[n])]


def _key(patterns: tuple) -> str:
    """What the automaton looks for: " word ", " prefix", " two words ", or a substring."""
    if len(patterns) == 1 and patterns[0].kind == "substring":
        return str(patterns[0].text)
    joined = " ".join(p.text for p in patterns)
    return f" {joined}" if patterns[-1].kind == "prefix" else f" {joined} "


def _groups(query: str) -> list[list[object]]:
    """The generated query's AND-groups, each its terms."""
    from monitor.match.query import And, Or, parse

    root = parse(query).root
    parts = root.children if isinstance(root, And) else (root,)
    return [list(p.children) if isinstance(p, Or) else [p] for p in parts]


if __name__ == "__main__":
    main()
