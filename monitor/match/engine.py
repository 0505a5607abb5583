"""Matching documents against many watch topics: compilation, candidates, scoring, explanation.

How one document is matched (the Lucene-Monitor idea, in pure Python):

1. Every topic's query is parsed once and, unless the topic says ``expand: false``, expanded
   with the multilingual lexicon (``monitor.match.expand``): each known term becomes an OR of
   its equivalents in many languages, all labelled with the analyst's term; a ``{concept}``
   becomes an OR of all the concept holds (with or without ``expand``).
2. From each query we pick *anchors* and index them word -> topics (``_anchors``).
3. A document is tokenised once (``monitor.match.text``). Its vocabulary is looked up in the
   anchor index; only the topics found (the candidates) are evaluated (``_view``).
4. The score (see ``score``) grows with the evidence; a match is kept when the score reaches
   the topic's threshold.

Owns: compiling topics, scoring, the ``Match``/``Scored``/``Explanation`` values.
Does not own: the query syntax (``query``), word forms (``text``), the lexicon (``lexicon``),
reading files (``bulk``, ``lexicon_files``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from monitor.errors import QueryError
from monitor.match._anchors import AnchorIndex
from monitor.match._view import BOTH, Occurrence, View, conjuncts, flat, positive_terms
from monitor.match.expand import (
    Expansion,
    concepts_of,
    expand,
    expansions,
    has_concepts,
    unknown_concept,
)
from monitor.match.lexicon import Lexicon
from monitor.match.query import Query, _Syntax, parse
from monitor.types import Document, Field, Hit, Match, Topic

#: threshold of a topic that gives none
DEFAULT_THRESHOLD = 0.3
#: evidence of one headline occurrence
TITLE_WEIGHT = 0.6
#: evidence of one occurrence at the start of the body; it halves ``EARLY_WORDS`` words later,
#: so one passing mention deep in a long body is noise
TEXT_WEIGHT = 0.35
EARLY_WORDS = 100

_FIELDS: tuple[Field, Field] = ("title", "text")


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
class Explanation:
    """Everything ``monitor explain`` shows about one topic and one document."""

    topic: Topic
    #: what each lexicon term of the query expands to (() when ``expand`` is off)
    expansions: tuple[Expansion, ...]
    #: the document's result
    result: Scored

    @property
    def matched(self) -> bool:
        return self.result.satisfied and self.result.score >= self.topic.threshold


@dataclass(frozen=True, slots=True)
class _Compiled:
    topic: Topic
    #: the query as written
    written: Query
    #: the query that is evaluated: expanded, or as written
    query: Query


class Matcher:
    """Matches documents against a fixed set of topics; build once, call ``match`` often."""

    def __init__(self, topics: Iterable[Topic], lexicon: Lexicon | None = None) -> None:
        parsed = [(topic, _parse(topic)) for topic in topics]
        if lexicon is None and any(t.expand or has_concepts(q) for t, q in parsed):
            from monitor.match.lexicon_files import default_lexicon  # reads the shipped data

            lexicon = default_lexicon()
        self._lexicon = lexicon
        self._topics = tuple(_compile(topic, written, lexicon) for topic, written in parsed)
        self._index = AnchorIndex([c.query.root for c in self._topics])

    def match(self, doc: Document) -> tuple[Match, ...]:
        """Topics whose query ``doc`` satisfies with a score at or above their threshold."""
        view = View(doc)
        found = []
        for number in self._index.candidates(view):
            compiled = self._topics[number]
            occurrences = conjuncts(compiled.query.root, view)
            if occurrences is None:
                continue
            value = score(occurrences)
            if value >= compiled.topic.threshold:
                found.append(Match(compiled.topic.id, value, _hits(occurrences, view)))
        return tuple(sorted(found, key=lambda m: (-m.score, m.topic)))

    def score_all(self, doc: Document) -> tuple[Scored, ...]:
        """Every topic's result for ``doc``, matched or not, in topic order (for ``check``)."""
        view = View(doc)
        return tuple(_scored(compiled, view) for compiled in self._topics)

    def explain(self, topic_id: str, doc: Document) -> Explanation:
        """``topic_id``'s expansion and its result for ``doc`` (KeyError if unknown)."""
        compiled = next((c for c in self._topics if c.topic.id == topic_id), None)
        if compiled is None:
            raise KeyError(topic_id)
        known: tuple[Expansion, ...] = ()
        if self._lexicon is not None:
            known = expansions(compiled.written, self._lexicon, terms=compiled.topic.expand)
        return Explanation(compiled.topic, known, _scored(compiled, View(doc)))


def check_examples(topic: Topic, lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """Human-readable failures of the topic's examples (headline-only documents); () is ok."""
    try:
        matcher = Matcher([topic], lexicon)
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


def score(conjuncts: Sequence[Sequence[Occurrence]]) -> float:
    """The mean, over the query's ANDed parts, of how strongly each part is present.

    A part's strength is ``1 - prod(1 - weight)`` over its occurrences (a "noisy OR"): each
    occurrence adds evidence, repeated mentions add more, nothing ever subtracts. A headline
    occurrence weighs ``TITLE_WEIGHT``; a body occurrence ``TEXT_WEIGHT``, less the later it is;
    the sides of a ``NEAR`` weigh less the farther apart they are (down to half at the full
    distance). NOT parts contribute nothing and are left out.
    """
    strengths = []
    for occurrences in conjuncts:
        missing = 1.0
        for occurrence in _strongest(occurrences):
            missing *= 1.0 - weight(occurrence)
        strengths.append(1.0 - missing)
    if not strengths or min(strengths) <= 0.0:
        return 0.0
    return math.exp(math.fsum(math.log(s) for s in strengths) / len(strengths))


def weight(occurrence: Occurrence) -> float:
    """The evidence of one occurrence, in (0, ``TITLE_WEIGHT``]."""
    if occurrence.field == 0:
        return TITLE_WEIGHT * occurrence.closeness
    return occurrence.closeness * TEXT_WEIGHT / (1.0 + occurrence.start / EARLY_WORDS)


def _strongest(occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    """Each piece of evidence once, at its best weight.

    Two terms or two NEAR pairs can find the same words: one occurrence per place, the closest.
    Two forms of one term can overlap (``Pemberantasan Terorisme`` and ``Terorisme``): the
    longer one stands for both.
    """
    best: dict[tuple[int, int, int], Occurrence] = {}
    for occurrence in occurrences:
        place = (occurrence.field, occurrence.start, occurrence.end)
        known = best.get(place)
        if known is None or occurrence.closeness > known.closeness:
            best[place] = occurrence
    ordered = sorted(best.values(), key=lambda o: (o.term.label, o.field, o.start, -o.end))
    kept: list[Occurrence] = []
    reach: dict[tuple[str, int], int] = {}
    for occurrence in ordered:
        key = (occurrence.term.label, occurrence.field)
        if occurrence.end <= reach.get(key, -1):
            continue  # inside a longer form of the same term
        reach[key] = occurrence.end
        kept.append(occurrence)
    return kept


def _parse(topic: Topic) -> Query:
    try:
        return parse(topic.query)
    except _Syntax as e:
        raise QueryError(
            f"topic {topic.id}: {e.message}", position=e.position, query=topic.query
        ) from None


def _compile(topic: Topic, written: Query, lexicon: Lexicon | None) -> _Compiled:
    if lexicon is None or not (topic.expand or has_concepts(written)):
        return _Compiled(topic, written, written)
    for ref in concepts_of(written):
        problem = unknown_concept(ref, lexicon)
        if problem is not None:
            where = f" ({topic.file}:{topic.line})" if topic.file else ""
            raise QueryError(
                f"topic {topic.id}{where}: {problem}", position=ref.position, query=topic.query
            )
    return _Compiled(topic, written, expand(written, lexicon, terms=topic.expand))


def _scored(compiled: _Compiled, view: View) -> Scored:
    topic = compiled.topic
    occurrences = conjuncts(compiled.query.root, view)
    if occurrences is None:
        every = [view.occurrences(term, BOTH) for term in positive_terms(compiled.query.root)]
        return Scored(topic.id, False, 0.0, topic.threshold, _hits([[*flat(every)]], view))
    return Scored(topic.id, True, score(occurrences), topic.threshold, _hits(occurrences, view))


def _hits(conjuncts: Sequence[Sequence[Occurrence]], view: View) -> tuple[Hit, ...]:
    """Hits for the occurrences, headline first then by position, each place once."""
    unique = sorted(
        _strongest(flat(conjuncts)), key=lambda o: (o.field, o.start, o.end, o.term.label)
    )
    return tuple(
        Hit(
            o.term.label,
            _FIELDS[o.field],
            o.start,
            view.fields[o.field].span(o.start, o.end),
            round(weight(o), 4),
            o.term.form,
        )
        for o in unique
    )
