"""Where a document's words are: ``View.find`` gives the positions a scan of the words gives,
per field, for words, prefixes, phrases and substrings."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from monitor.match._view import View, needle
from monitor.match.query import Pattern
from monitor.types import Document

CORPUS = Path("/work/shared/corpus/texts/news_pool.jsonl")


def _scanned(view: View, patterns: tuple[Pattern, ...], field: int) -> list[int]:
    """Where consecutive words fit ``patterns``, by looking at every word (the reference)."""
    form = view.words(field, patterns[0].folded)

    def fits(pattern: Pattern, word: str) -> bool:
        if pattern.kind == "word":
            return word == pattern.text
        return word.startswith(pattern.text) if pattern.kind == "prefix" else pattern.text in word

    return [
        start
        for start in range(len(form) - len(patterns) + 1)
        if all(fits(p, form[start + k]) for k, p in enumerate(patterns))
    ]


def _spaced(patterns: tuple[Pattern, ...]) -> str:
    return needle(patterns[0]) if len(patterns) == 1 else f" {' '.join(p.text for p in patterns)} "


DOC = Document("d", "Rusia dan ASEAN", "Rusia-ASEAN bertemu.\nRusia, rusia; Rusiaku 東京都庁 京都")
CASES = [
    # (patterns, expected per field)
    ((Pattern("rusia", "word", True),), ([0], [0, 3, 4])),
    ((Pattern("rus", "prefix", True),), ([0], [0, 3, 4, 5])),
    ((Pattern("rusia", "word", True), Pattern("asean", "word", True)), ([], [0])),
    ((Pattern("dan", "word", True), Pattern("asean", "word", True)), ([1], [])),
    ((Pattern("京都", "substring", True),), ([], [6, 7])),  # once per word holding it
    ((Pattern("asean", "word", True), Pattern("bertemu", "word", True)), ([], [1])),
    ((Pattern("asean", "word", True), Pattern("rusia", "word", True)), ([], [])),  # no field spans
]


@pytest.mark.parametrize(("patterns", "expected"), CASES)
def test_find_gives_where_a_needle_starts_in_each_field(patterns, expected) -> None:
    """Words, prefixes, phrases and substrings, in the headline and in the body."""
    assert expected == View(DOC).find(_spaced(patterns), patterns[0].folded)


def test_find_agrees_with_scanning_every_word_on_corpus_texts() -> None:
    """For every word of 60 corpus texts (and its first three letters as a prefix), in both
    forms: the positions of a scan, headline and body."""
    with CORPUS.open(encoding="utf-8", newline="\n") as lines:
        rows = [json.loads(line) for line in itertools.islice(lines, 0, 6000, 100)]
    for row in rows:
        view = View(Document(str(row["id"]), row["title"], row["text"], row.get("lang")))
        for folded in (False, True):
            for word in sorted(view.vocabulary(folded))[:80]:
                for pattern in (Pattern(word, "word", folded), Pattern(word[:3], "prefix", folded)):
                    expected = (_scanned(view, (pattern,), 0), _scanned(view, (pattern,), 1))
                    assert expected == view.find(needle(pattern), folded), (row["id"], pattern)


def test_least_blocks_is_at_most_the_blocks_counted_on_corpus_texts() -> None:
    """The blocks counted without each paragraph's words never exceed those counted with them
    (the score bound's cheap coverage relies on it); 60 corpus texts."""
    with CORPUS.open(encoding="utf-8", newline="\n") as lines:
        rows = [json.loads(line) for line in itertools.islice(lines, 0, 6000, 100)]
    for row in rows:
        doc = Document(str(row["id"]), row["title"], row["text"], row.get("lang"))
        least = View(doc).least_blocks()
        assert 1 <= least <= View(doc).segments().blocks, row["id"]
