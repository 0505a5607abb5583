"""Matching documents against many watch topics: candidate selection, evaluation, scoring.

How one document is matched (the Lucene-Monitor idea, in pure Python):

1. Every topic's query is parsed once. From it we pick *anchors*: query words such that any
   document satisfying the query contains at least one of them (an OR needs one anchor per
   branch, an AND only those of its cheapest child, NOT gives none). Anchors are indexed
   word -> topics (and prefix -> topics, substring -> topics).
2. A document is tokenised once (``monitor.match.text``). Its vocabulary is looked up in the
   anchor index; only the topics found (the candidates) are evaluated.
3. Evaluation walks the syntax tree against word positions, memoising each term's occurrences
   for the document (topics share terms). It returns the occurrences that satisfied the query.
4. The score (see ``score``) grows with that evidence; a match is kept when the score reaches the
   topic's threshold.

Owns: the anchor index, evaluation, scoring and the ``Match`` values.
Does not own: the query syntax (``query``), word forms (``text``), reading files (``bulk``).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from monitor.errors import QueryError
from monitor.match.query import (
    And,
    Near,
    Node,
    Not,
    Or,
    Pattern,
    Query,
    Term,
    Title,
    _Syntax,
    parse,
)
from monitor.match.text import words
from monitor.types import Document, Field, Hit, Match, Topic

#: threshold of a topic that gives none
DEFAULT_THRESHOLD = 0.3
#: evidence of one headline occurrence
TITLE_WEIGHT = 0.6
#: evidence of one occurrence at the start of the body; it halves ``EARLY_WORDS`` words later,
#: so one passing mention deep in a long body is noise
TEXT_WEIGHT = 0.35
EARLY_WORDS = 100

_T = TypeVar("_T")
_FIELDS: tuple[Field, Field] = ("title", "text")
_BOTH = (0, 1)
_TITLE_ONLY = (0,)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where a term occurred: field index (0 title, 1 text) and first/last word positions."""

    field: int
    start: int
    end: int
    term: Term


@dataclass(frozen=True, slots=True)
class Scored:
    """A topic's result for a document before the threshold is applied (for explaining)."""

    topic: str
    #: True when the query is satisfied
    satisfied: bool
    #: the score the match would have (0 when not satisfied)
    score: float
    threshold: float
    #: the occurrences that satisfied the query, or, when not satisfied, of every positive term
    hits: tuple[Hit, ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    topic: Topic
    query: Query


class Matcher:
    """Matches documents against a fixed set of topics; build once, call ``match`` often."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self._topics = tuple(_compile(topic) for topic in topics)
        self._index = _AnchorIndex(self._topics)

    def match(self, doc: Document) -> tuple[Match, ...]:
        """Topics whose query ``doc`` satisfies with a score at or above their threshold."""
        view = _View(doc)
        found = []
        for number in self._index.candidates(view):
            compiled = self._topics[number]
            occurrences = _conjuncts(compiled.query.root, view)
            if occurrences is None:
                continue
            value = score(occurrences, view)
            if value >= compiled.topic.threshold:
                found.append(Match(compiled.topic.id, value, _hits(occurrences, view)))
        return tuple(sorted(found, key=lambda m: (-m.score, m.topic)))

    def score_all(self, doc: Document) -> tuple[Scored, ...]:
        """Every topic's result for ``doc``, matched or not, in topic order (for ``check``)."""
        view = _View(doc)
        return tuple(_scored(compiled, view) for compiled in self._topics)


def check_examples(topic: Topic) -> tuple[str, ...]:
    """Human-readable failures of the topic's examples (headline-only documents); () is ok."""
    try:
        matcher = Matcher([topic])
    except QueryError as e:
        return (str(e),)
    failures = []
    for text in topic.examples_match:
        (result,) = matcher.score_all(Document(id="example", title=text, text=""))
        if not result.satisfied:
            failures.append(f"{topic.id}: should match but the query is not satisfied: {text!r}")
        elif result.score < topic.threshold:
            failures.append(
                f"{topic.id}: should match but scores {result.score:.2f} below the threshold "
                f"{topic.threshold:.2f}: {text!r}"
            )
    for text in topic.examples_no_match:
        if matcher.match(Document(id="example", title=text, text="")):
            failures.append(f"{topic.id}: should not match but does: {text!r}")
    return tuple(failures)


def score(conjuncts: Sequence[Sequence[Occurrence]], view: _View) -> float:
    """The mean, over the query's ANDed parts, of how strongly each part is present.

    A part's strength is ``1 - prod(1 - weight)`` over its occurrences (a "noisy OR"): each
    occurrence adds evidence, repeated mentions add more, nothing ever subtracts. A headline
    occurrence weighs ``TITLE_WEIGHT``; a body occurrence ``TEXT_WEIGHT``, less the later it is.
    NOT parts contribute nothing and are left out.
    """
    strengths = []
    for occurrences in conjuncts:
        missing = 1.0
        for occurrence in set(occurrences):
            missing *= 1.0 - _weight(occurrence)
        strengths.append(1.0 - missing)
    return math.fsum(strengths) / len(strengths) if strengths else 0.0


def _weight(occurrence: Occurrence) -> float:
    if occurrence.field == 0:
        return TITLE_WEIGHT
    return TEXT_WEIGHT / (1.0 + occurrence.start / EARLY_WORDS)


def _compile(topic: Topic) -> _Compiled:
    try:
        return _Compiled(topic, parse(topic.query))
    except _Syntax as e:
        raise QueryError(
            f"topic {topic.id}: {e.message}", position=e.position, query=topic.query
        ) from None


def _scored(compiled: _Compiled, view: _View) -> Scored:
    topic = compiled.topic
    occurrences = _conjuncts(compiled.query.root, view)
    if occurrences is None:
        every = [view.occurrences(term, _BOTH) for term in _positive_terms(compiled.query.root)]
        return Scored(topic.id, False, 0.0, topic.threshold, _hits([[*_flat(every)]], view))
    return Scored(
        topic.id, True, score(occurrences, view), topic.threshold, _hits(occurrences, view)
    )


def _flat(groups: Iterable[Iterable[_T]]) -> Iterable[_T]:
    for group in groups:
        yield from group


def _hits(conjuncts: Sequence[Sequence[Occurrence]], view: _View) -> tuple[Hit, ...]:
    """Hits for the occurrences, headline first then by position, each once."""
    unique = sorted(set(_flat(conjuncts)), key=lambda o: (o.field, o.start, o.end, o.term.label))
    return tuple(
        Hit(o.term.label, _FIELDS[o.field], o.start, view.fields[o.field].span(o.start, o.end))
        for o in unique
    )


# --- evaluation ----------------------------------------------------------------------------------


def _conjuncts(root: Node, view: _View) -> list[list[Occurrence]] | None:
    """The occurrences satisfying each positive ANDed part of ``root``; None if not satisfied."""
    parts = root.children if isinstance(root, And) else (root,)
    found = []
    for part in parts:
        occurrences = _evaluate(part, view, _BOTH)
        if occurrences is None:
            return None
        if not isinstance(part, Not):
            found.append(occurrences)
    return found


def _evaluate(node: Node, view: _View, fields: tuple[int, ...]) -> list[Occurrence] | None:
    """The occurrences that satisfy ``node`` within ``fields``, or None when it is not satisfied."""
    if isinstance(node, Term):
        found = view.occurrences(node, fields)
        return list(found) if found else None
    if isinstance(node, Title):
        return _evaluate(node.child, view, _TITLE_ONLY)
    if isinstance(node, Not):
        return [] if _evaluate(node.child, view, fields) is None else None
    if isinstance(node, And):
        collected: list[Occurrence] = []
        for child in node.children:
            occurrences = _evaluate(child, view, fields)
            if occurrences is None:
                return None
            collected.extend(occurrences)
        return collected
    if isinstance(node, Or):
        satisfied = [r for c in node.children if (r := _evaluate(c, view, fields)) is not None]
        return [*_flat(satisfied)] if satisfied else None
    return _near(node, view, fields)


def _near(node: Near, view: _View, fields: tuple[int, ...]) -> list[Occurrence] | None:
    left = _evaluate(node.left, view, fields)
    right = _evaluate(node.right, view, fields) if left else None
    if not left or not right:
        return None
    close = {
        occurrence
        for a in left
        for b in right
        if a.field == b.field and _gap(a, b) <= node.distance
        for occurrence in (a, b)
    }
    return list(close) or None


def _gap(a: Occurrence, b: Occurrence) -> int:
    """Words from one occurrence to the other (adjacent: 1; overlapping: 0)."""
    return max(0, b.start - a.end, a.start - b.end)


def _positive_terms(node: Node) -> Iterable[Term]:
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Title):
        yield from _positive_terms(node.child)
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from _positive_terms(child)
    elif isinstance(node, Near):
        yield from _positive_terms(node.left)
        yield from _positive_terms(node.right)


class _View:
    """One document's words, with lazily built lookups and per-term memo (lives for one match)."""

    def __init__(self, doc: Document) -> None:
        self.fields = (words(doc.title), words(doc.text))
        self._positions: dict[tuple[int, bool], dict[str, list[int]]] = {}
        self._sorted: dict[tuple[int, bool], list[str]] = {}
        self._memo: dict[tuple[tuple[Pattern, ...], tuple[int, ...]], list[Occurrence]] = {}

    def vocabulary(self, folded: bool) -> set[str]:
        """Distinct words of headline and body in one form."""
        if folded:
            return {*self.fields[0].folded, *self.fields[1].folded}
        return {*self.fields[0].exact, *self.fields[1].exact}

    def occurrences(self, term: Term, fields: tuple[int, ...]) -> list[Occurrence]:
        key = (term.patterns, fields)
        found = self._memo.get(key)
        if found is None:
            found = [
                Occurrence(field, start, start + len(term.patterns) - 1, term)
                for field in fields
                for start in self._starts(term.patterns, field)
            ]
            self._memo[key] = found
        elif found and found[0].term is not term:
            # Same words written differently by another topic (``Rusia`` / ``rusia``): relabel.
            found = [Occurrence(o.field, o.start, o.end, term) for o in found]
        return found

    def _starts(self, patterns: tuple[Pattern, ...], field: int) -> list[int]:
        first, rest = patterns[0], patterns[1:]
        starts = self._positions_of(first, field)
        if not rest:
            return starts
        forms = [self._form(field, p.folded) for p in rest]
        return [
            s
            for s in starts
            if s + len(rest) < len(forms[0])
            and all(
                _fits(p, form[s + k + 1])
                for k, (p, form) in enumerate(zip(rest, forms, strict=True))
            )
        ]

    def _positions_of(self, pattern: Pattern, field: int) -> list[int]:
        if pattern.kind == "word":
            return self._index(field, pattern.folded).get(pattern.text, [])
        if pattern.kind == "substring":
            form = self._form(field, pattern.folded)
            return [i for i, word in enumerate(form) if pattern.text in word]
        vocab = self._vocab_sorted(field, pattern.folded)
        index = self._index(field, pattern.folded)
        found: list[int] = []
        at = bisect.bisect_left(vocab, pattern.text)
        while at < len(vocab) and vocab[at].startswith(pattern.text):
            found.extend(index[vocab[at]])
            at += 1
        return sorted(found)

    def _form(self, field: int, folded: bool) -> tuple[str, ...]:
        return self.fields[field].folded if folded else self.fields[field].exact

    def _index(self, field: int, folded: bool) -> dict[str, list[int]]:
        key = (field, folded)
        index = self._positions.get(key)
        if index is None:
            index = defaultdict(list)
            for position, word in enumerate(self._form(field, folded)):
                index[word].append(position)
            self._positions[key] = index = dict(index)
        return index

    def _vocab_sorted(self, field: int, folded: bool) -> list[str]:
        key = (field, folded)
        if key not in self._sorted:
            self._sorted[key] = sorted(self._index(field, folded))
        return self._sorted[key]


def _fits(pattern: Pattern, word: str) -> bool:
    if pattern.kind == "word":
        return word == pattern.text
    if pattern.kind == "prefix":
        return word.startswith(pattern.text)
    return pattern.text in word


# --- the anchor index ----------------------------------------------------------------------------


class _AnchorIndex:
    """Anchor word -> topic numbers, so that a document is evaluated only against candidates."""

    def __init__(self, topics: Sequence[_Compiled]) -> None:
        self._words: dict[bool, dict[str, list[int]]] = {False: {}, True: {}}
        # prefix anchors grouped by length, so a document's words are cut once per length
        self._prefixes: dict[bool, dict[int, dict[str, list[int]]]] = {False: {}, True: {}}
        self._substrings: list[tuple[Pattern, int]] = []
        for number, compiled in enumerate(topics):
            for pattern in set(_anchors(compiled.query.root) or ()):
                self._add(pattern, number)

    def _add(self, pattern: Pattern, number: int) -> None:
        if pattern.kind == "word":
            self._words[pattern.folded].setdefault(pattern.text, []).append(number)
        elif pattern.kind == "prefix":
            by_length = self._prefixes[pattern.folded].setdefault(len(pattern.text), {})
            by_length.setdefault(pattern.text, []).append(number)
        else:
            self._substrings.append((pattern, number))

    def candidates(self, view: _View) -> list[int]:
        """Numbers of the topics that ``view`` might satisfy, ascending."""
        found: set[int] = set()
        for folded in (False, True):
            vocab = view.vocabulary(folded)
            words_index = self._words[folded]
            for word in words_index.keys() & vocab:
                found.update(words_index[word])
            for length, prefixes in self._prefixes[folded].items():
                for stem in prefixes.keys() & {w[:length] for w in vocab if len(w) >= length}:
                    found.update(prefixes[stem])
            if self._substrings:
                joined = "\n".join(vocab)
                found.update(
                    n for p, n in self._substrings if p.folded == folded and p.text in joined
                )
        return sorted(found)


def _anchors(node: Node) -> list[Pattern] | None:
    """Patterns of which any satisfying document contains one; None when there is no such set."""
    if isinstance(node, Term):
        return [min(node.patterns, key=_anchor_cost)]
    if isinstance(node, Title):
        return _anchors(node.child)
    if isinstance(node, Near):
        options = [_anchors(node.left), _anchors(node.right)]
    elif isinstance(node, Or):
        branches = [_anchors(child) for child in node.children]
        return None if any(b is None for b in branches) else [*_flat(b or () for b in branches)]
    elif isinstance(node, And):
        options = [_anchors(child) for child in node.children]
    else:
        return None
    usable = [option for option in options if option is not None]
    return min(usable, key=lambda o: sum(1 + _RANK[p.kind] for p in o)) if usable else None


# Cheaper anchors first: a word is one dictionary lookup, a prefix one per word length in use.
_RANK = {"word": 0, "prefix": 1, "substring": 2}


def _anchor_cost(pattern: Pattern) -> tuple[int, int]:
    """Prefer whole words to prefixes to substrings, then longer (rarer) words."""
    return (_RANK[pattern.kind], -len(pattern.text))
