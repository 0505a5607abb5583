"""Matching documents against many watch topics: compilation, candidates, scoring, explanation.

How one document is matched (the Lucene-Monitor idea, in pure Python):

1. Every topic's query is parsed once and, unless the topic says ``expand: false``, expanded
   with the multilingual lexicon (``monitor.match.expand``): each known term becomes an OR of
   its equivalents in many languages, all labelled with the analyst's term; a ``{concept}``
   becomes an OR of all the concept holds (with or without ``expand``).
2. From each query we take what a document must hold before it is worth evaluating (one
   feature of each ANDed part) and index the topic under its most selective part
   (``_presearch``). Terms written in many topics are parsed and expanded once.
3. A document is tokenised once (``monitor.match.text``). One pass over its vocabulary finds
   the features present and the topics whose every part has one (the candidates); those whose
   score cannot reach their threshold, from where their patterns occur, are dropped; only the
   rest are compiled (once, then kept) and evaluated (``_view``).
4. The score measures how much the document is *about* the topic (``scoring``: where the terms
   are, how specific the words that fired are, whether the ANDed parts meet, how much of the
   text carries them); a match is kept when the score reaches the topic's threshold.

Owns: compiling topics, the default threshold, the ``Scored``/``Explanation`` values.
Does not own: the query syntax (``query``), word forms (``text``), the lexicon (``lexicon``),
the score's formula (``scoring``), reading files (``bulk``, ``lexicon_files``,
``specificity``).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from monitor.errors import ConfigError, QueryError
from monitor.match._presearch import Dictionary, Presence, Requirement, TopicIndex, requirement
from monitor.match._view import (
    BOTH,
    Occurrence,
    View,
    conjuncts,
    evaluate,
    flat,
    positive_terms,
)
from monitor.match.expand import (
    Expansion,
    Memo,
    MemoKey,
    concepts_of,
    expand,
    expansions,
    has_concepts,
    memo_key,
    terms_of,
    unknown_concept,
)
from monitor.match.lexicon import Lexicon
from monitor.match.query import And, ConceptRef, Node, Or, Query, Term, parse_query, written
from monitor.match.scoring import Aboutness, aboutness, reaching, strongest, weight
from monitor.match.specificity import Background, background
from monitor.types import Document, Field, Hit, Match, Topic

#: threshold of a topic that gives none (see README, "Scores and thresholds", for how it was
#: calibrated: benchmarks/calibrate.py)
DEFAULT_THRESHOLD = 0.2
#: compiled (expanded) topics kept at once; beyond, the least recently matched is dropped
COMPILED_TOPICS = 20_000
# a bound computed in another order than the score may differ from it by rounding
_SLACK = 1e-9

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
    #: what the score is made of (None when not satisfied)
    aboutness: Aboutness | None = None


@dataclass(frozen=True, slots=True)
class Explanation:
    """Everything ``monitor explain`` shows about one topic and one document."""

    topic: Topic
    #: what each lexicon term of the query expands to (() when ``expand`` is off)
    expansions: tuple[Expansion, ...]
    #: the document's result
    result: Scored
    #: the document's language (None: unknown, so every form counts)
    lang: str | None = None
    #: the ANDed parts of the query as written that the document does not satisfy
    missing: tuple[str, ...] = ()

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
    #: what is scored: the query's root, or its ANDed OR branches (``_branches``)
    branches: tuple[Node, ...]


def _missing(compiled: _Compiled, view: View) -> tuple[str, ...]:
    """The ANDed parts of the query, as written, that ``view`` does not satisfy (expansion
    turns terms into ORs of forms and keeps the ANDs: the parts pair up one to one)."""
    written_root, evaluated = compiled.written.root, compiled.query.root
    if not isinstance(written_root, And) or not isinstance(evaluated, And):
        return ()
    if len(written_root.children) != len(evaluated.children):
        return ()
    pairs = zip(written_root.children, evaluated.children, strict=True)
    return tuple(written(w) for w, e in pairs if evaluate(e, view, BOTH) is None)


class Matcher:
    """Matches documents against a fixed set of topics; build once, call ``match`` often."""

    def __init__(
        self,
        topics: Iterable[Topic],
        lexicon: Lexicon | None = None,
        background: Background | None = None,
        *,
        previous: Matcher | None = None,
        presearch: bool = True,
    ) -> None:
        """``background``: word frequencies for specificity (None: the shipped table).

        ``previous``: a matcher to rebuild from (a hot reload): the topics it already held, with
        the same query, lexicon and background, are not parsed again, and what only the topics
        it no longer holds wrote is not kept. ``presearch=False``
        evaluates every topic on every document (the reference the presearch is tested against).
        Raises QueryError for a query that does not parse or names an unknown concept.
        """
        self._all = tuple(topics)
        needs = any(t.expand or "{" in t.query for t in self._all)
        if lexicon is None and needs:
            from monitor.match.lexicon_files import default_lexicon  # reads the shipped data

            lexicon = default_lexicon()
        self._lexicon = lexicon
        self._background = background or _shipped_background()
        self._presearch = presearch
        if previous is None or not previous._shares(lexicon, self._background):
            previous = None
        # Copies: the matcher in use goes on compiling (into its own) while this one is built.
        # Sharing the dictionary is safe (it only grows, under its lock; a crowded one is
        # copied, never cut).
        self._memo: Memo = {} if previous is None else dict(previous._memo)
        #: a written term or concept (``memo_key``) -> its feature
        self._leaves: dict[MemoKey, int] = {} if previous is None else dict(previous._leaves)
        #: a written term or concept -> how many times the topics' distinct queries write it
        self._written: Counter[MemoKey] = (
            Counter() if previous is None else previous._written.copy()
        )
        self._dictionary: Dictionary = (
            Dictionary(self._background) if previous is None else previous._dictionary
        )
        self._required = self._require_all({} if previous is None else previous._requirements())
        self._index = TopicIndex(self._dictionary, self._required)
        if presearch:
            self._dictionary.prepare()  # part of the build, not of the first match
        self._compiled: dict[int, _Compiled] = {}
        self._compiling = threading.Lock()

    @property
    def topics(self) -> tuple[Topic, ...]:
        """The topics, in the order given."""
        return self._all

    def match(self, doc: Document, below: Collection[str] = ()) -> tuple[Match, ...]:
        """Topics whose query ``doc`` satisfies with a score at or above their threshold.

        ``below``: topics whose threshold is not applied: every document their query satisfies
        is returned, whatever its score (a learned filter that re-admits candidates the score
        puts under the threshold decides on those, ``monitor.learn``).
        """
        view = View(doc)
        found = []
        numbers, presence = self._candidates(view)
        for number in numbers:
            topic = self._all[number]
            threshold = 0.0 if topic.id in below else topic.threshold
            # most candidates cannot reach their threshold: they are not evaluated
            least = threshold - _SLACK
            if least > 0.0 and presence and self._index.bound(number, presence, least) < least:
                continue
            compiled = self._compile(number)
            occurrences = conjuncts(compiled.query.root, view)
            if occurrences is None:
                continue
            about = _best(compiled.branches, view, self._background, threshold, occurrences)
            if about is not None and about.score >= threshold:
                hits = _hits(occurrences, view, self._background)
                found.append(Match(compiled.topic.id, about.score, hits))
        return tuple(sorted(found, key=lambda m: (-m.score, m.topic)))

    def scores(self, doc: Document) -> dict[str, float]:
        """The score of every topic whose query ``doc`` satisfies, thresholds not applied."""
        view = View(doc)
        found = {}
        for number in self._candidates(view)[0]:
            compiled = self._compile(number)
            occurrences = conjuncts(compiled.query.root, view)
            if occurrences is not None:
                about = _best(compiled.branches, view, self._background, 0.0, occurrences)
                found[compiled.topic.id] = about.score if about is not None else 0.0
        return found

    def score_all(self, doc: Document) -> tuple[Scored, ...]:
        """Every topic's result for ``doc``, matched or not, in topic order (for ``check``)."""
        view = View(doc)
        return tuple(
            _scored(self._compile(n), view, self._background) for n in range(len(self._all))
        )

    def explain(self, topic_id: str, doc: Document) -> Explanation:
        """``topic_id``'s expansion and its result for ``doc`` (KeyError if unknown)."""
        number = next((n for n, t in enumerate(self._all) if t.id == topic_id), None)
        if number is None:
            raise KeyError(topic_id)
        compiled = self._compile(number)
        known: tuple[Expansion, ...] = ()
        if self._lexicon is not None:
            known = expansions(compiled.written, self._lexicon, terms=compiled.topic.expand)
        view = View(doc)
        result = _scored(compiled, view, self._background)
        return Explanation(compiled.topic, known, result, doc.lang, _missing(compiled, view))

    def _candidates(self, view: View) -> tuple[Iterable[int], Presence | None]:
        if self._presearch:
            return self._index.candidates(view)
        return range(len(self._all)), None

    def _compile(self, number: int) -> _Compiled:
        """Topic ``number`` parsed and expanded: on first use, then kept (the most recent)."""
        with self._compiling:  # the daemon matches in several threads
            compiled = self._compiled.pop(number, None)
            if compiled is None:
                topic = self._all[number]
                compiled = _compile(topic, _parse(topic), self._lexicon, self._memo)
                if len(self._compiled) >= COMPILED_TOPICS:
                    del self._compiled[next(iter(self._compiled))]
            self._compiled[number] = compiled  # re-inserted: dicts keep insertion order
            return compiled

    def _require_all(self, known: dict[tuple[str, bool], Requirement]) -> tuple[Requirement, ...]:
        """Each topic's requirement: taken from ``known`` (the previous matcher's, by query;
        left holding those no topic writes any more) or made. Then what only those queries
        wrote is dropped (``_forget``), and a crowded dictionary is copied without it.

        So the memo, the leaves and the dictionary hold what the topics held now write (the
        dictionary at most twice that, ``Dictionary.crowded``), not every term written over
        the hot reloads of a long-running daemon.
        """
        held: dict[tuple[str, bool], Requirement] = {}
        required = []
        for topic in self._all:
            query = (topic.query, topic.expand)
            found = held.get(query)
            if found is None:
                found = held[query] = known.pop(query) if query in known else self._require(topic)
            required.append(found)
        self._forget(known)  # (what is left of it: the queries no topic writes any more)
        # the features of the terms written (every requirement's are: ``_forget`` keeps them)
        live = set(self._leaves.values())
        if self._dictionary.crowded(live):
            self._dictionary = self._dictionary.compacted(live)
        return tuple(required)

    def _require(self, topic: Topic) -> Requirement:
        written = _parse(topic)
        for ref in concepts_of(written) if "{" in topic.query else ():
            _check_concept(topic, ref, self._lexicon)
        # (by id: a key is a tuple of patterns, slow to hash, and ``requirement`` asks for the
        # feature of a term twice)
        keys = {id(leaf): memo_key(leaf, topic.expand) for leaf in terms_of(written)}
        self._written.update(keys.values())
        features: dict[int, int] = {}

        def feature(leaf: Term | ConceptRef) -> int:
            found = features.get(id(leaf))
            if found is None:
                # 100,000 topics write a few ten thousand distinct terms
                key = keys[id(leaf)]
                found = self._leaves.get(key)
                if found is None:
                    found = self._dictionary.feature(self._expand_leaf(topic, leaf))
                    self._leaves[key] = found
                features[id(leaf)] = found
            return found

        return requirement(written.root, feature, self._dictionary.costs)

    def _forget(self, gone: Iterable[tuple[str, bool]]) -> None:
        """Drop the ``gone`` queries' counts of what they write, and the expansions and
        features of what no query writes any more."""
        for query, terms in gone:
            for leaf in terms_of(parse_query(query)):
                key = memo_key(leaf, terms)
                left = self._written.pop(key) - 1
                if left:
                    self._written[key] = left
                else:
                    self._memo.pop(key, None)
                    self._leaves.pop(key, None)

    def _expand_leaf(self, topic: Topic, leaf: Term | ConceptRef) -> Node:
        """What ``leaf`` of ``topic`` is evaluated as (as ``_compile`` expands it)."""
        if self._lexicon is None or not (topic.expand or isinstance(leaf, ConceptRef)):
            return leaf
        alone = Query(topic.query, leaf)
        return expand(alone, self._lexicon, terms=topic.expand, memo=self._memo).root

    def _shares(self, lexicon: Lexicon | None, known: Background) -> bool:
        """Whether a matcher for ``lexicon`` and ``known`` may reuse this one's requirements."""
        return lexicon is self._lexicon and known is self._background

    def _requirements(self) -> dict[tuple[str, bool], Requirement]:
        return {(t.query, t.expand): r for t, r in zip(self._all, self._required, strict=True)}


def check_examples(topic: Topic, lexicon: Lexicon | None = None) -> tuple[str, ...]:
    """Human-readable failures of the topic's examples (headline-only documents); () is ok.

    Each names the example as a config error does: file, its line and key path
    (``a.yaml:7: topics[0].examples.match[1]: should match ...``), as far as the topic knows them.
    """
    try:
        matcher = Matcher([topic], lexicon)
    except QueryError as e:
        return (str(e),)
    failures = []
    for n, text in enumerate(topic.examples_match):
        (result,) = matcher.score_all(Document(id="example", title=text, text=""))
        if not result.satisfied:
            problem = f"should match but the query is not satisfied: {text!r}"
        elif result.score < topic.threshold:
            problem = (
                f"should match but scores {result.score:.2f} below the threshold "
                f"{topic.threshold:.2f}: {text!r}"
            )
        else:
            continue
        failures.append(_example_failure(topic, "match", n, problem))
    for n, text in enumerate(topic.examples_no_match):
        if matcher.match(Document(id="example", title=text, text="")):
            problem = f"should not match but does: {text!r}"
            failures.append(_example_failure(topic, "no_match", n, problem))
    return tuple(failures)


def _example_failure(topic: Topic, kind: str, n: int, problem: str) -> str:
    """``problem`` of example ``n`` of ``examples.<kind>``, where it is written."""
    lines = topic.examples_match_lines if kind == "match" else topic.examples_no_match_lines
    line = lines[n] if n < len(lines) else topic.line
    key = f"{topic.key or topic.id}.examples.{kind}[{n}]"
    return str(ConfigError(problem, file=topic.file or None, line=line or None, key=key))


def _parse(topic: Topic) -> Query:
    return parse_query(topic.query, where=f"topic {topic.id}: ")


def _compile(topic: Topic, written: Query, lexicon: Lexicon | None, memo: Memo) -> _Compiled:
    if lexicon is None or not (topic.expand or has_concepts(written)):
        return _compiled(topic, written, written)
    for ref in concepts_of(written):
        _check_concept(topic, ref, lexicon)
    return _compiled(topic, written, expand(written, lexicon, terms=topic.expand, memo=memo))


def _check_concept(topic: Topic, ref: ConceptRef, lexicon: Lexicon | None) -> None:
    problem = "no lexicon" if lexicon is None else unknown_concept(ref, lexicon)
    if problem is not None:
        where = f" ({topic.file}:{topic.line})" if topic.file else ""
        raise QueryError(
            f"topic {topic.id}{where}: {problem}", position=ref.position, query=topic.query
        )


def _compiled(topic: Topic, written: Query, query: Query) -> _Compiled:
    return _Compiled(topic, written, query, tuple(_branches(query.root)))


def _shipped_background() -> Background:
    return background()


def _scored(compiled: _Compiled, view: View, known: Background) -> Scored:
    topic = compiled.topic
    occurrences = conjuncts(compiled.query.root, view)
    if occurrences is None:
        every = [view.occurrences(term, BOTH) for term in positive_terms(compiled.query.root)]
        hits = _hits([[*flat(every)]], view, known)
        return Scored(topic.id, False, 0.0, topic.threshold, hits)
    about = _best(compiled.branches, view, known, 0.0, occurrences) or aboutness(
        occurrences, view, known
    )
    hits = _hits(occurrences, view, known)
    return Scored(topic.id, True, about.score, topic.threshold, hits, about)


def _best(
    branches: tuple[Node, ...],
    view: View,
    known: Background,
    threshold: float,
    whole: list[list[Occurrence]],
) -> Aboutness | None:
    """The best-scoring satisfied branch (None: none reaches ``threshold``).

    A query ``A OR B OR (C AND D)`` is about A or B, or about C *and* D: each ANDed branch is
    scored on its own, so that its parts must each carry weight (a strong C with a passing D
    is not C AND D), while the plain alternatives are scored together (several of them add up).
    ``whole``: the occurrences satisfying the root (used as they are when it has no branches).
    """
    if len(branches) == 1:
        return reaching(whole, view, known, threshold)
    found = None
    for branch in branches:
        occurrences = conjuncts(branch, view)
        if occurrences is None:
            continue
        about = reaching(occurrences, view, known, threshold)
        if about is not None and (found is None or about.score > found.score):
            found = about
    return found


def _branches(root: Node) -> list[Node]:
    """``root``, or when it is an OR with ANDed branches: its plain alternatives as one OR,
    then each ANDed branch."""
    if not isinstance(root, Or) or not any(isinstance(c, And) for c in root.children):
        return [root]
    plain = [c for c in root.children if not isinstance(c, And)]
    anded: list[Node] = [c for c in root.children if isinstance(c, And)]
    first: list[Node] = [Or(tuple(plain), root.position)] if plain else []
    return first + anded


def _hits(
    conjuncts: Sequence[Sequence[Occurrence]], view: View, known: Background
) -> tuple[Hit, ...]:
    """Hits for the occurrences, headline first then by position, each place once."""
    unique = sorted(
        strongest(flat(conjuncts)), key=lambda o: (o.field, o.start, o.end, o.term.label)
    )
    return tuple(
        Hit(
            o.term.label,
            _FIELDS[o.field],
            o.start,
            view.fields[o.field].span(o.start, o.end),
            round(weight(o, view, known), 4),
            o.term.form,
        )
        for o in unique
    )
