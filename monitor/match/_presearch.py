"""The presearcher: the few topics a document might satisfy, found in one pass over its words.

Lucene Monitor's idea, for 10 to 100,000 topics:

* Every term is reduced to one *pattern* that each of its occurrences contains (a word, a
  prefix or a substring: the cheapest kind, then the longest text). A written term (or a
  ``{concept}``) becomes a *feature*: the patterns of every form it expands to. Features are
  shared by all the topics that write the same term; patterns by all the features.
* A topic *requires*, for each positive ANDed part of its query, one feature of a set (an OR
  needs one of its branches', an AND or a NEAR one of its most selective child's). It is
  indexed under the features of its most selective part, and of its next most selective one.
* For a document: its words -> the patterns present (one Aho-Corasick pass per form, in C, over
  the words joined by spaces, ``View.haystack``: a word, a prefix and a phrase's first two
  words are each one key of the automaton; substrings, of scripts written without spaces,
  have an automaton of their own, run only on texts in those scripts) -> the features present
  -> the topics found under both of their first two parts (set operations in C) -> those
  whose every other required part has a feature present.
* A candidate whose score cannot reach its threshold is dropped before it is evaluated: every
  occurrence of a term starts at an occurrence of its pattern (``View.find``), and weighs at
  most what its place allows (``scoring.place``; times the word's specificity when every term
  of the pattern is that one word), so the patterns' places bound each ANDed part's strength;
  the headline and body blocks they are in bound the coverage (first counting each word they
  are at as a block, of at least one block a line holding a word: the body's paragraphs are
  only counted for the few that pass that); and so the score (``TopicIndex.bound``). Only the
  rest are evaluated and scored (``engine``).

Each step is a necessary condition of a query being satisfied (or of its score reaching the
threshold), so no match is lost;
``tests/test_presearch.py`` checks the engine against evaluating every topic.

Owns: patterns, features, requirements and candidate selection.
Does not own: parsing or expanding queries (``query``, ``expand``), evaluation (``_view``).
"""

from __future__ import annotations

import collections
import itertools
import math
import operator
import threading
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

import ahocorasick

from monitor.match._view import View, needle
from monitor.match.query import And, ConceptRef, Near, Node, Not, Or, Pattern, Term, Title
from monitor.match.scoring import COVERAGE_FLOOR, TITLE_WEIGHT, body_places
from monitor.match.specificity import Background
from monitor.match.text import needs_substring

# Anchors that fewer documents hold first: a whole word, a prefix, then a substring.
_RANK = {"word": 0, "prefix": 1, "substring": 2}
#: estimated share of documents holding a prefix, per share holding the word it cuts
_PREFIX_SPREAD = 5.0


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a document must hold before a topic is evaluated on it."""

    #: per positive ANDed part of the query, the features of which one must be present
    parts: tuple[tuple[int, ...], ...]
    #: which part the topic is indexed under (the most selective); -1: none (always evaluated)
    key: int
    #: the parts left to check once the topic is found under its key part's features, the most
    #: selective first
    others: tuple[tuple[int, ...], ...] = ()
    #: per positive ANDed part of the query (as the engine scores them), the features of every
    #: positive term in it (what its occurrences can come from: for ``TopicIndex.bound``)
    spread: tuple[tuple[int, ...], ...] = ()


class Dictionary:
    """Every pattern and feature of the topics indexed with it.

    It only grows: a matcher rebuilt from another (hot reload) shares it, so unchanged topics
    keep their requirements and only new terms are added. Once most of what it holds is of
    terms no topic writes any more (``crowded``), the rebuilt matcher takes a copy of the rest
    instead (``compacted``): a feature keeps its number for good, so requirements stay valid.
    """

    def __init__(self, known: Background) -> None:
        self._known = known
        # The daemon matches in several threads, and a hot reload adds to the dictionary while
        # the old matcher still matches: its tables and automata change under one lock.
        self._lock = threading.Lock()
        self._ids: dict[Anchor, int] = {}
        #: per form (0: exact, 1: folded), what the automaton looks for (``_key``) -> pattern
        self._keys: tuple[dict[str, int], dict[str, int]] = ({}, {})
        #: automata over the keys of both forms, each found as its (exact, folded) patterns
        #: (``NONE``: no pattern in that form): words, prefixes and phrases, then substrings
        #: (None: no such key); () when a pattern was added since they were made
        self._automata: tuple[ahocorasick.Automaton | None, ...] = ()
        #: pattern -> the features holding it
        self._holders: list[list[int]] = []
        #: pattern -> how many words before it a term holding it may start
        self._offsets: list[int] = []
        #: pattern -> its key and form (where ``View.find`` looks for it)
        self._needles: list[tuple[str, bool]] = []
        #: pattern -> whether every term holding it is that one word (its specificity is then
        #: known where it occurs; it only turns False, as terms are added)
        self._alone: list[bool] = []
        #: feature -> its patterns
        self._patterns: dict[int, frozenset[int]] = {}
        self._pattern_costs: list[float] = []
        self._features: dict[frozenset[int], int] = {}
        #: feature -> estimated share of documents holding one of its patterns
        self.costs: dict[int, float] = {}
        #: features numbered so far (by this dictionary and those it is a copy of)
        self._numbered = 0

    def feature(self, node: Node) -> int:
        """The feature of an expanded term or concept (a term, or an OR of its forms)."""
        with self._lock:
            return self._feature(node)

    def _feature(self, node: Node) -> int:
        terms = node.children if isinstance(node, Or) else (node,)
        patterns = frozenset(self._pattern(t) for t in terms if isinstance(t, Term))
        number = self._features.get(patterns)
        if number is None:
            number = self._new_feature(patterns, min(1.0, sum(map(self._cost, patterns))))
        return number

    def _new_feature(self, patterns: frozenset[int], cost: float, number: int | None = None) -> int:
        if number is None:
            number = self._numbered
            self._numbered += 1
        self._features[patterns] = number
        self.costs[number] = cost
        self._patterns[number] = patterns
        for pattern in patterns:
            self._holders[pattern].append(number)
        return number

    def crowded(self, live: Collection[int]) -> bool:
        """Whether most of the features, or of the patterns, are not those of ``live`` (the
        features the topics require): then a ``compacted`` copy is worth making."""
        with self._lock:
            patterns = frozenset().union(*map(self._patterns.__getitem__, live))
            return len(self.costs) > 2 * len(live) or len(self._holders) > 2 * len(patterns)

    def compacted(self, live: Collection[int]) -> Dictionary:
        """A new dictionary of the ``live`` features (with their numbers) and their patterns
        alone. (A pattern keeps the offset and the ``alone`` of every term that held it: a
        bound from terms no topic writes any more is looser, never wrong.)"""
        with self._lock:
            anchors = {number: anchor for anchor, number in self._ids.items()}
            kept = Dictionary(self._known)
            kept._numbered = self._numbered
            patterns: dict[int, int] = {}
            for feature in sorted(live):
                for old in self._patterns[feature]:
                    if old not in patterns:
                        patterns[old] = kept._new_pattern(
                            anchors[old], self._offsets[old], self._alone[old]
                        )
                own = frozenset(map(patterns.__getitem__, self._patterns[feature]))
                kept._new_feature(own, self.costs[feature], feature)
            return kept

    def prepare(self) -> None:
        """Make the automata now (a matcher's build) rather than on the next look-up."""
        with self._lock:
            self._prepare()

    def _prepare(self) -> None:
        if not self._automata and self._holders:  # (an automaton needs a pattern)
            self._automata = _automata(*self._keys)

    def present(self, view: View) -> Presence:
        """The features of which ``view`` holds a pattern."""
        with self._lock:
            patterns = self._present(view)
            features: set[int] = set()
            features.update(*map(self._holders.__getitem__, patterns))  # one call, looped in C
            return Presence(self, view, features, patterns)

    def _present(self, view: View) -> set[int]:
        self._prepare()
        if not self._automata:
            return set()  # no pattern yet
        patterns: set[int] = set()
        # A text without letters that folding changes (most of them) reads the same in both
        # forms: one pass finds the patterns of both (exact ones still count: ``Nga`` with its
        # marks guard). Each pass runs in C, hits included; a key found many times is
        # unpacked once.
        if view.plain():
            patterns.update(*self._found(view.haystack(False)))
        else:
            patterns.update(map(_EXACT, self._found(view.haystack(False))))
            patterns.update(map(_FOLDED, self._found(view.haystack(True))))
        patterns.discard(NONE)
        return patterns

    def _found(self, haystack: str) -> set[tuple[int, int]]:
        """The (exact, folded) patterns of the keys in ``haystack``."""
        words, substrings = self._automata
        found = set(map(_VALUE, words.iter(haystack))) if words is not None else set()
        # A substring is a word of a script written without spaces (Thai, Chinese...): a text
        # without those letters holds none, and skips their automaton (its many first letters
        # slow down every step of a pass).
        if substrings is not None and not haystack.isascii() and needs_substring(haystack):
            found.update(map(_VALUE, substrings.iter(haystack)))
        return found

    def _pattern(self, term: Term) -> int:
        pattern = _anchor(term)
        # a term starts this many words before its anchor (a phrase's pair starts it)
        offset = 0 if isinstance(pattern, tuple) else term.patterns.index(pattern)
        alone = len(term.patterns) == 1
        number = self._ids.get(pattern)
        if number is not None:
            # (in this order: a matcher reading both meanwhile sees no offset without it)
            self._alone[number] = self._alone[number] and alone
            self._offsets[number] = max(self._offsets[number], offset)
            return number
        return self._new_pattern(pattern, offset, alone)

    def _new_pattern(self, pattern: Anchor, offset: int, alone: bool) -> int:
        number = self._ids[pattern] = len(self._holders)
        self._holders.append([])
        self._offsets.append(offset)
        self._alone.append(alone)
        if isinstance(pattern, tuple):
            self._pattern_costs.append(min(map(self._estimate, pattern)) / 2)
            folded = pattern[0].folded
        else:
            self._pattern_costs.append(self._estimate(pattern))
            folded = pattern.folded
        key = _key(pattern)
        self._needles.append((key, folded))
        self._keys[int(folded)][key] = number
        self._automata = ()  # made again when the matcher is built (or on the next look-up)
        return number

    def _cost(self, number: int) -> float:
        return self._pattern_costs[number]

    def _estimate(self, pattern: Pattern) -> float:
        """The share of documents that hold ``pattern``, roughly (for choosing what to index)."""
        share = math.exp(-self._known.idf(pattern.text, None))
        if pattern.kind == "prefix":
            # a prefix is rarely a listed word: count it as broad as its length suggests
            return max(_PREFIX_SPREAD * share, 0.1 / max(1, len(pattern.text) - 1))
        return share if pattern.kind == "word" else 0.01


#: what a term is looked for by: a pattern, or the first two words of a phrase
Anchor = Pattern | tuple[Pattern, Pattern]


class Presence:
    """What one document holds of a dictionary: its features, and (asked for) how much the
    occurrences of a feature's terms can weigh and how much of the text they can cover. Lives
    for one match."""

    def __init__(
        self, dictionary: Dictionary, view: View, features: set[int], patterns: set[int]
    ) -> None:
        #: the features of which the document holds a pattern
        self.features = features
        #: per feature, at most what ``1 - strength`` of the occurrences of its terms can fall
        #: to: the product of ``1 - weight`` over every place where one of its patterns occurs,
        #: a weight being what the place allows, times the word's specificity when every term
        #: of the pattern is that word alone (computed when first looked up:
        #: ``map(missing.__getitem__, ...)`` loops in C)
        self.missing = _Missing(dictionary, view, features, patterns)
        self._view = view

    def coverage(self, features: Collection[int]) -> float:
        """At most the coverage (``scoring``) of occurrences of the terms of ``features``: the
        headline and the body's blocks where one of their patterns occurs, of all blocks."""
        if not self._view.fields[1].exact:
            return 1.0
        segments = self._view.segments()
        places = {
            (-1, 0) if start < 0 else segments.block(start) for start in self._starts(features)
        }
        return min(1.0, len(places) / (segments.blocks + 1))

    def most_coverage(self, features: Collection[int]) -> float:
        """At least ``coverage``, without the body's paragraphs (counting their words costs
        about as much as reading the text's words): each word where a term may start counts as
        a block of its own, of at least ``View.least_blocks``."""
        if not self._view.fields[1].exact:
            return 1.0
        return min(1.0, len(self._starts(features)) / (self._view.least_blocks() + 1))

    def _starts(self, features: Collection[int]) -> set[int]:
        """The body's words where the terms of ``features`` may start; -1 for the headline."""
        found: set[int] = set()
        found.update(*map(self.missing.starts, self.features.intersection(features)))
        return found


class _Missing(dict[int, float]):
    def __init__(
        self, dictionary: Dictionary, view: View, features: set[int], patterns: set[int]
    ) -> None:
        super().__init__()
        self._features = features
        self._dictionary = dictionary
        self._view = view
        self._patterns = patterns
        self._of_pattern: dict[int, float] = {}
        self._specific: dict[str, float] = {}

    def __missing__(self, feature: int) -> float:
        if feature in self._features:
            present = self._patterns.intersection(self._dictionary._patterns[feature])
            found = self[feature] = math.prod(map(self._pattern, present))
        else:
            found = self[feature] = 1.0
        return found

    def _pattern(self, pattern: int) -> float:
        found = self._of_pattern.get(pattern)
        if found is not None:
            return found
        view = self._view
        title, body = self._found_at(pattern)
        if self._dictionary._alone[pattern]:
            # every term of the pattern is one word, found where the pattern is: its weight
            # there is known but for closeness
            specific = self._specificity
            words = view.fields[0].exact
            found = math.prod(1.0 - TITLE_WEIGHT * specific(words[p]) for p in title)
            words = view.fields[1].exact
            weights: Iterable[float] = map(
                operator.mul,
                body_places(body, view.scale),
                map(specific, map(words.__getitem__, body)),
            )
        else:
            offset = self._dictionary._offsets[pattern]
            found = (1.0 - TITLE_WEIGHT) ** len(title)
            starts = [max(0, p - offset) for p in body] if offset else body
            weights = body_places(starts, view.scale)
        found *= math.prod(map(_LESS_THAN_ONE, weights))
        self._of_pattern[pattern] = found
        return found

    def _specificity(self, word: str) -> float:
        found = self._specific.get(word)
        if found is None:
            found = self._dictionary._known.specificity((word,), self._view.lang)
            self._specific[word] = found
        return found

    def starts(self, feature: int) -> set[int]:
        """The body's words where the feature's terms may start; -1 for the headline."""
        present = self._patterns.intersection(self._dictionary._patterns[feature])
        found: set[int] = set()
        for pattern in present:
            title, body = self._found_at(pattern)
            if title:
                found.add(-1)
            # a term holding the pattern further in starts up to ``offset`` words before it
            for back in range(self._dictionary._offsets[pattern] + 1):
                found.update(max(0, p - back) for p in body)
        return found

    def _found_at(self, pattern: int) -> tuple[list[int], list[int]]:
        return self._view.find(*self._dictionary._needles[pattern])


_VALUE = _FOLDED = operator.itemgetter(1)
#: 1 - w, looped in C
_LESS_THAN_ONE = (1.0).__sub__
_EXACT = operator.itemgetter(0)
#: no pattern (of a key in one form only)
NONE = -1


def _anchor(term: Term) -> Anchor:
    """What every occurrence of ``term`` holds that is cheapest to look for (a phrase's first
    two words when they are whole words: one of them alone is far more common)."""
    first, *rest = term.patterns
    if rest and first.kind == rest[0].kind == "word" and first.folded == rest[0].folded:
        return (first, rest[0])
    return min(term.patterns, key=lambda p: (_RANK[p.kind], -len(p.text)))


def _key(anchor: Anchor) -> str:
    """What the automaton finds in ``View.haystack`` where ``anchor`` occurs: a pattern's
    ``needle``, or " first second " (a phrase's first two words)."""
    if isinstance(anchor, tuple):
        return f" {anchor[0].text} {anchor[1].text} "
    return needle(anchor)


def _automata(
    exact: dict[str, int], folded: dict[str, int]
) -> tuple[ahocorasick.Automaton | None, ahocorasick.Automaton | None]:
    """Automata over the keys of words, prefixes and phrases (they start with a space), and
    over substrings; None for a kind without keys."""
    keys = exact.keys() | folded.keys()
    spaced = [key for key in keys if key.startswith(" ")]
    substrings = [key for key in keys if not key.startswith(" ")]
    return _automaton(spaced, exact, folded), _automaton(substrings, exact, folded)


def _automaton(
    keys: list[str], exact: dict[str, int], folded: dict[str, int]
) -> ahocorasick.Automaton | None:
    if not keys:
        return None
    automaton = ahocorasick.Automaton()
    for key in keys:
        automaton.add_word(key, (exact.get(key, NONE), folded.get(key, NONE)))
    automaton.make_automaton()
    return automaton


def requirement(root: Node, feature: Callable[[Term | ConceptRef], int],
                costs: Mapping[int, float]) -> Requirement:  # fmt: skip
    """What ``root`` (a written query) requires; ``feature`` gives each term's."""
    parts = [
        p for p in (root.children if isinstance(root, And) else (root,)) if not isinstance(p, Not)
    ]
    spread = tuple(tuple(sorted({feature(t) for t in _positive(part)})) for part in parts)
    found = [_needs(part, feature, costs) for part in parts]
    # the parser refuses a query without a positive term, but be safe: a part with no
    # requirement is not one
    usable = tuple(part for part in found if part is not None)
    if not usable:
        return Requirement((), -1)
    key = min(range(len(usable)), key=lambda i: _part_cost(usable[i], costs))
    # Tuples of numbers, not sets: the cycle collector stops looking at such tuples, and
    # 100,000 topics hold a few hundred thousand of them (``set.isdisjoint`` takes either).
    kept = tuple(tuple(sorted(part)) for part in usable)
    # the other parts most selective first (the index checks the first one in C)
    others = sorted(kept[:key] + kept[key + 1 :], key=lambda part: _part_cost(part, costs))
    return Requirement(kept, key, tuple(others), spread)


def _positive(node: Node) -> list[Term | ConceptRef]:
    """The terms and concepts of ``node`` outside a NOT (those an occurrence can come from)."""
    if isinstance(node, Term | ConceptRef):
        return [node]
    if isinstance(node, Title):
        return _positive(node.child)
    if isinstance(node, Near):
        return [*_positive(node.left), *_positive(node.right)]
    if isinstance(node, And | Or):
        return [term for child in node.children for term in _positive(child)]
    return []  # NOT


def _needs(
    node: Node, feature: Callable[[Term | ConceptRef], int], costs: Mapping[int, float]
) -> frozenset[int] | None:
    """Features of which any document satisfying ``node`` holds one; None: no such set."""
    if isinstance(node, Term | ConceptRef):
        return frozenset((feature(node),))
    if isinstance(node, Title):
        return _needs(node.child, feature, costs)
    if isinstance(node, Or):
        branches = [_needs(child, feature, costs) for child in node.children]
        if any(b is None for b in branches):
            return None
        return frozenset().union(*(b for b in branches if b is not None))
    if isinstance(node, And | Near):
        sides = node.children if isinstance(node, And) else (node.left, node.right)
        options = [o for o in (_needs(s, feature, costs) for s in sides) if o is not None]
        return min(options, key=lambda o: _part_cost(o, costs)) if options else None
    return None  # NOT


def _part_cost(part: Collection[int], costs: Mapping[int, float]) -> float:
    return sum(costs[f] for f in part)


class TopicIndex:
    """Topics under the features of their most selective part, and of their next most selective
    one; the candidates of a document."""

    def __init__(self, dictionary: Dictionary, requirements: Sequence[Requirement]) -> None:
        self._dictionary = dictionary
        self._spread = [r.spread for r in requirements]
        self._always = [n for n, r in enumerate(requirements) if r.key < 0]
        topics: dict[int, list[int]] = collections.defaultdict(list)
        second: dict[int, list[int]] = collections.defaultdict(list)
        #: the topics with no part but their key part
        self._alone: set[int] = set()
        #: per topic with more than two parts, those left to check one by one
        self._rest: dict[int, tuple[tuple[int, ...], ...]] = {}
        for number, required in enumerate(requirements):
            if required.key < 0:
                continue
            for feature in required.parts[required.key]:
                topics[feature].append(number)
            if not required.others:
                self._alone.add(number)
                continue
            for feature in required.others[0]:
                second[feature].append(number)
            if len(required.others) > 1:
                self._rest[number] = required.others[1:]
        self._topics = dict(topics)
        self._second = dict(second)

    def candidates(self, view: View) -> tuple[list[int], Presence]:
        """Numbers of the topics whose every required part ``view`` holds, ascending, and what
        the document holds (for ``bound``)."""
        presence = self._dictionary.present(view)
        present = presence.features
        # set operations in C: the topics found under a present feature of their key part,
        # and of their second part (one of the two sets is all most topics are found in)
        # (a feature under which no topic is indexed, or one added by a hot reload meanwhile,
        # finds none: ``dict.get`` with ``()``, one look-up each)
        found: set[int] = set()
        found.update(*map(self._topics.get, present, itertools.repeat(())))
        met: set[int] = set()
        met.update(*map(self._second.get, present, itertools.repeat(())))
        passing = found & met
        passing.update(found & self._alone)
        rest, disjoint = self._rest, present.isdisjoint
        if rest:
            # (in C: map) a topic passes when no other part is disjoint from what is present
            passing.difference_update(
                [n for n in passing if n in rest and any(map(disjoint, rest[n]))]
            )
        found = passing.union(self._always)
        return sorted(found), presence

    def bound(self, number: int, presence: Presence, threshold: float = 0.0) -> float:
        """The most topic ``number`` can score on the document: the geometric mean of its ANDed
        parts' most possible strengths times the coverage factor of the most they can cover
        (the score is the geometric mean of their strengths times the coverage factor and a
        cohesion of at most 1, ``scoring``); 0.0 as soon as that is sure to be under
        ``threshold``."""
        spread = self._spread[number]
        if not spread:
            return 1.0
        missing = presence.missing.__getitem__
        present = presence.features.intersection
        logs = 0.0
        # each part's log only lowers the sum: stop once it is under the threshold's
        floor = len(spread) * math.log(threshold) if threshold > 0.0 else -math.inf
        for part in spread:
            left = math.prod(map(missing, present(part)))
            if left >= 1.0:
                return 0.0
            logs += math.log(1.0 - left)
            if logs < floor:
                return 0.0
        evidence = math.exp(logs / len(spread))
        # the coverage factor, only for the few whose evidence reaches the threshold: first
        # without the body's paragraphs, which most of those then fall short with
        features = tuple(itertools.chain.from_iterable(spread))
        most = evidence * _factor(presence.most_coverage(features))
        if most < threshold:
            return most
        return evidence * _factor(presence.coverage(features))


def _factor(coverage: float) -> float:
    """The coverage factor of the score (``scoring``)."""
    return COVERAGE_FLOOR + (1.0 - COVERAGE_FLOOR) * coverage
