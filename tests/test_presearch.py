"""The presearcher loses nothing: the engine with it finds exactly what evaluating every topic
finds (same topics, scores and hits), over generated topics, the shipped watchlist and corpus
texts; a matcher rebuilt from another (hot reload) matches like one built afresh."""

from __future__ import annotations

import collections
import functools
import itertools
import json
import random
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from monitor.config import load_watchlist
from monitor.match import Matcher
from monitor.match.lexicon_files import lexicon_for, read_lexicon_file
from monitor.match.text import words
from monitor.types import Document, Topic

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("/work/shared/corpus/texts/news_pool.jsonl")
#: every STRIDE-th corpus text: the corpus is grouped by source, so this mixes languages
STRIDE = 17
TEXTS = 300


@functools.cache
def _rows() -> tuple[dict[str, str], ...]:
    with CORPUS.open(encoding="utf-8", newline="\n") as lines:
        found = (json.loads(line) for line in lines if line.strip())
        return tuple(itertools.islice(itertools.islice(found, 0, None, STRIDE), TEXTS))


def _documents() -> list[Document]:
    return [
        *_PLAIN,
        *(Document(str(r["id"]), r["title"], r["text"], r.get("lang")) for r in _rows()),
    ]


# Texts without diacritics holding words that lexicon forms with a marks guard match exactly
# (``Nga`` is Russia in Vietnamese): the presearch must not skip exact-form patterns for them.
_PLAIN = [
    Document("plain-1", "Quan he Nga va Trung Quoc", "Tong thong Nga Putin tham Ha Noi."),
    Document("plain-2", "Russia and ASEAN", "Nga, Rusia and Russia met in Jakarta on terrorism."),
    # scripts written without spaces: their words are found as substrings (an automaton of
    # their own, run only on such texts)
    Document("thai-1", "รัสเซียและอาเซียน", "ประธานาธิบดีรัสเซีย ปูติน\nกรุงเทพ รัสเซีย", "th"),
    Document("zh-1", "俄罗斯与东盟", "俄罗斯总统普京访问雅加达。\n Russia 俄罗斯", "zh"),
    # a phrase whose first word is a prefix is looked for by its second word, one word in
    Document("pair-1", "President Putin", "The presidential Putin visit.\nPresidents Putin met."),
]


def _generated(count: int, seed: int) -> list[Topic]:
    """Topics over the texts' own words: AND-groups of OR terms, prefixes, phrases, NEAR,
    title:, NOT and concepts, with expansion on or off."""
    frequency: collections.Counter[str] = collections.Counter()
    pairs: collections.Counter[tuple[str, str]] = collections.Counter()
    for row in _rows():
        found = words(row["title"] + "\n" + row["text"]).original
        frequency.update(set(found))
        pairs.update(set(itertools.pairwise(found)))
    vocabulary = sorted(w for w, n in frequency.items() if 2 <= n <= 40 and len(w) > 3)
    phrases = sorted(f"{a} {b}" for (a, b), n in pairs.items() if n >= 2 and len(a + b) > 7)
    rng = random.Random(seed)

    def term() -> str:
        draw = rng.random()
        word = rng.choice(vocabulary)
        if draw < 0.15:
            return f'"{rng.choice(phrases)}"'
        if draw < 0.25:
            return word[: max(3, len(word) - 2)] + "*"
        if draw < 0.3:
            return rng.choice(["{terrorism}", "{Russia}", "{disaster}", "title:" + word])
        return word

    topics = []
    for number in range(count):
        groups = [
            "(" + " OR ".join(term() for _ in range(rng.randint(1, 4))) + ")"
            for _ in range(rng.randint(1, 3))
        ]
        if rng.random() < 0.15:
            groups.append(f"({term()} NEAR/{rng.randint(2, 8)} {term()})")
        if rng.random() < 0.1:
            groups.append(f"NOT {term()}")
        topics.append(
            Topic(
                f"gen-{number}",
                f"gen {number}",
                " AND ".join(groups),
                rng.choice([0.0, 0.1, 0.3]),
                expand=rng.random() < 0.8,
            )
        )
    return topics


def _shipped() -> list[Topic]:
    folder = ROOT / "config" / "watchlists"
    return [t for path in sorted(folder.glob("*.yaml")) for t in load_watchlist(path)]


def _named() -> list[Topic]:
    return [
        Topic("ru", "Russia", "Russia", 0.0),
        Topic("ru-sec", "s", "Russia AND {terrorism}", 0.0),
        Topic("ru-high", "r", "Russia", 0.5),
        Topic("th", "t", "รัสเซีย AND (ปูติน OR กรุงเทพ)", 0.2, expand=False),
        Topic("zh", "z", "俄罗斯 AND 普京", 0.2, expand=False),
        Topic("pair", "p", '"presid* Putin" AND Putin', 0.3, expand=False),
    ]


@pytest.mark.parametrize(
    "topics",
    [
        pytest.param(_shipped, id="shipped"),
        pytest.param(lambda: _generated(400, 15), id="gen"),
        pytest.param(_named, id="named"),
    ],
)
def test_presearch_finds_what_evaluating_every_topic_finds(topics) -> None:
    """Same matches (topics, scores, hits) and same unthresholded scores, text by text."""
    chosen = topics()
    fast, brute = Matcher(chosen), Matcher(chosen, presearch=False)
    found = 0
    for doc in _documents():
        assert fast.match(doc) == brute.match(doc), doc.id
        assert fast.scores(doc) == brute.scores(doc), doc.id
        found += len(fast.match(doc))
    assert found > 0  # the comparison saw matches, not only empty results


def test_candidates_dropped_by_their_bound_could_not_have_matched() -> None:
    """Thresholds from 0.05 to 0.75 (most candidates are dropped before they are evaluated,
    some just under their bound): the same matches as evaluating every topic, with and
    without thresholds waived (``below``)."""
    chosen = [replace(t, threshold=0.05 + 0.1 * (n % 8)) for n, t in enumerate(_generated(300, 21))]
    waived = {t.id for t in chosen[::5]}
    fast, brute = Matcher(chosen), Matcher(chosen, presearch=False)
    found = 0
    for doc in _documents():
        assert fast.match(doc) == brute.match(doc), doc.id
        assert fast.match(doc, below=waived) == brute.match(doc, below=waived), doc.id
        found += len(fast.match(doc))
    assert found > 0


def test_rebuilt_matcher_matches_like_a_new_one() -> None:
    """A hot reload that changes, adds and removes topics reuses the rest, with no effect."""
    before = _generated(200, 16)
    after = [
        replace(before[0], query=before[0].query + " AND NOT zzzq"),
        replace(before[1], threshold=0.0),
        *before[3:],
        *_generated(30, 17)[:30],
    ]
    after[-30:] = [replace(t, id=f"new-{n}") for n, t in enumerate(after[-30:])]
    old = Matcher(before)
    rebuilt, fresh = Matcher(after, previous=old), Matcher(after)
    assert rebuilt.topics == fresh.topics
    for doc in _documents()[:150]:
        assert rebuilt.match(doc) == fresh.match(doc), doc.id
    afresh = Matcher(before)
    for doc in _documents()[:20]:
        assert old.match(doc) == afresh.match(doc), doc.id  # the old one is intact


def test_many_reloads_keep_only_what_the_topics_held_write() -> None:
    """Reloads that each edit, remove and add topics (new words every time): the expansion
    memo and the leaf table hold what a new matcher of the same topics holds, the dictionary
    at most twice its features and patterns (it is copied without the rest once it holds more,
    at least once here), and every reload matches like a new matcher."""
    topics, pool = _generated(120, 22), _generated(1_000, 23)
    rng = random.Random(24)
    matcher = Matcher(topics)
    copies = matched = 0
    for step in range(1, 61):
        topics = list(topics)
        for edit in range(4):
            where, drawn = rng.randrange(len(topics)), pool[rng.randrange(len(pool))]
            unheard = f'zzq{step}x{edit} OR "zzq{step} y{edit}" OR zzq{step}z{edit}*'
            topics[where] = replace(topics[where], query=f"({drawn.query}) OR {unheard}")
        del topics[rng.randrange(len(topics))]
        topics.append(replace(pool[rng.randrange(len(pool))], id=f"new-{step}"))
        where = rng.randrange(len(topics))
        topics[where] = replace(topics[where], expand=not topics[where].expand)
        rebuilt = Matcher(topics, previous=matcher)
        copies += rebuilt._dictionary is not matcher._dictionary
        matcher = rebuilt
        if step % 6:
            continue
        fresh = Matcher(topics)
        fresh.score_all(_PLAIN[0])  # compiles every topic: its memo holds all they expand
        assert matcher._leaves.keys() == fresh._leaves.keys()
        assert matcher._memo.keys() <= fresh._memo.keys()
        held, needed = matcher._dictionary, fresh._dictionary
        assert len(held.costs) <= 2 * len(needed.costs)
        assert len(held._holders) <= 2 * len(needed._holders)
        required = {f for r in matcher._required for part in r.spread + r.parts for f in part}
        assert required <= held.costs.keys()
        for doc in _documents()[step % 12 :: 12]:
            found = matcher.match(doc)
            assert found == fresh.match(doc), (step, doc.id)
            matched += len(found)
    assert copies > 0
    assert matched > 0


def test_compiled_topics_beyond_the_cap_are_compiled_again(monkeypatch) -> None:
    """Dropping compiled topics (to bound memory) changes no result."""
    topics = _generated(120, 18)
    monkeypatch.setattr("monitor.match.engine.COMPILED_TOPICS", 5)
    small, brute = Matcher(topics), Matcher(topics, presearch=False)
    for doc in _documents()[:100]:
        assert small.match(doc) == brute.match(doc), doc.id


def test_matching_in_several_threads_gives_the_serial_results() -> None:
    """Threads share one fresh matcher (compiling, presearch memo) while another is rebuilt
    from it: every result is the serial one."""
    topics, documents = _generated(300, 19), _documents()[:120]
    reference = Matcher(topics)  # used by one thread only
    serial = [reference.match(doc) for doc in documents]
    shared = Matcher(topics)
    edited = [*topics[:-1], replace(topics[-1], query="zzzq")]
    with ThreadPoolExecutor(4) as pool:
        rebuilt = pool.submit(Matcher, edited, previous=shared)
        threaded = list(pool.map(shared.match, documents))
        rebuilt.result()
    assert threaded == serial


def test_a_reload_with_the_same_lexicon_files_reuses_the_matcher(tmp_path) -> None:
    """``lexicon:`` files read again with the same content give the lexicon the matcher in use
    was built with, so a hot reload reuses its compiled topics."""
    path = tmp_path / "extra.yaml"
    path.write_text("concepts:\n  zzwidget:\n    en: [zzwidget, zzgadget]\n", encoding="utf-8")
    first, again = lexicon_for(read_lexicon_file(path)), lexicon_for(read_lexicon_file(path))
    assert first is again
    topics = _generated(20, 20)
    old = Matcher(topics, first)
    assert Matcher(topics, again, previous=old)._dictionary is old._dictionary  # reused
    path.write_text("concepts:\n  zzwidget:\n    en: [zzwidget]\n", encoding="utf-8")
    assert lexicon_for(read_lexicon_file(path)) is not first
