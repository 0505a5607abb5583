"""The presearcher: the few topics a document might satisfy, found in one pass over its words.

Lucene Monitor's idea, for 10 to 100,000 topics:

* Every term is reduced to one *pattern* that each of its occurrences contains (a word, a
  prefix or a substring: the cheapest kind, then the longest text). A written term (or a
  ``{concept}``) becomes a *feature*: the patterns of every form it expands to. Features are
  shared by all the topics that write the same term; patterns by all the features.
* A topic *requires*, for each positive ANDed part of its query, one feature of a set (an OR
  needs one of its branches', an AND or a NEAR one of its most selective child's). It is
  indexed under the features of its most selective part only, so few topics are looked at.
* For a document: its distinct words -> the patterns present (one dictionary lookup per word,
  and per word the prefixes it starts with, remembered across documents) -> the features
  present -> the topics indexed under them -> those whose every required part has a feature
  present. Only those are evaluated and scored (``engine``).

Each step is a necessary condition of a query being satisfied, so no match is lost;
``tests/test_presearch.py`` checks the engine against evaluating every topic.

Owns: patterns, features, requirements and candidate selection.
Does not own: parsing or expanding queries (``query``, ``expand``), evaluation (``_view``).
"""

from __future__ import annotations

import collections
import itertools
import math
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from monitor.match._view import View
from monitor.match.query import And, ConceptRef, Near, Node, Not, Or, Pattern, Term, Title
from monitor.match.specificity import Background
from monitor.match.text import needs_substring

#: up to this many phrase patterns (in one form), each is looked for in the text; beyond, every
#: two words of the text are listed once and looked up
FEW_PAIRS = 200
#: words whose prefix patterns are remembered before the memo starts afresh (bounds memory)
MEMO_WORDS = 400_000
# Cheaper anchors first: a word is one lookup, a prefix one per length in use, a substring a scan.
_RANK = {"word": 0, "prefix": 1, "substring": 2}
#: estimated share of documents holding a prefix, per share holding the word it cuts
_PREFIX_SPREAD = 5.0


@dataclass(frozen=True, slots=True)
class Requirement:
    """What a document must hold before a topic is evaluated on it."""

    #: per positive ANDed part of the query, the features of which one must be present
    parts: tuple[frozenset[int], ...]
    #: which part the topic is indexed under (the most selective); -1: none (always evaluated)
    key: int
    #: the parts left to check once the topic is found under its key part's features
    others: tuple[frozenset[int], ...] = ()


class Dictionary:
    """Every pattern and feature of the topics indexed with it.

    It only grows: a matcher rebuilt from another (hot reload) shares it, so unchanged topics
    keep their requirements and only new terms are added.
    """

    def __init__(self, known: Background) -> None:
        self._known = known
        # The daemon matches in several threads, and a hot reload adds to the dictionary while
        # the old matcher still matches: its memo and tables change under one lock.
        self._lock = threading.Lock()
        self._ids: dict[Anchor, int] = {}
        #: per form (0: exact, 1: folded), word -> pattern
        self._words: tuple[dict[str, int], dict[str, int]] = ({}, {})
        #: per form, prefix length -> prefix -> pattern
        self._prefixes: tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]] = ({}, {})
        self._substrings: list[tuple[Pattern, int]] = []
        #: per form, (first word, second word) -> pattern of the phrases starting with them
        self._pairs: tuple[dict[Pair, int], dict[Pair, int]] = ({}, {})
        #: pattern -> the features holding it
        self._holders: list[list[int]] = []
        self._pattern_costs: list[float] = []
        self._features: dict[frozenset[int], int] = {}
        #: feature -> estimated share of documents holding one of its patterns
        self.costs: list[float] = []
        # id of an expanded term (kept alive beside its feature) -> feature: expansions are
        # shared objects, and a 100,000-topic watchlist names each one many times
        self._nodes: dict[int, tuple[Node, int]] = {}
        # Per form, the words already cut into prefixes, and those that start with some prefix
        # pattern -> which (valid while no prefix is added). Set operations in C then find a
        # document's new words and its hits: no Python loop over every word of every document.
        self._seen: tuple[set[str], set[str]] = (set(), set())
        self._starting: tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]]] = ({}, {})

    def feature(self, node: Node) -> int:
        """The feature of an expanded term or concept (a term, or an OR of its forms)."""
        with self._lock:
            return self._feature(node)

    def _feature(self, node: Node) -> int:
        known = self._nodes.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        terms = node.children if isinstance(node, Or) else (node,)
        patterns = frozenset(self._pattern(_anchor(t)) for t in terms if isinstance(t, Term))
        number = self._features.get(patterns)
        if number is None:
            number = self._features[patterns] = len(self.costs)
            self.costs.append(min(1.0, sum(self._cost(p) for p in patterns)))
            for pattern in patterns:
                self._holders[pattern].append(number)
        self._nodes[id(node)] = (node, number)
        return number

    def present(self, view: View) -> set[int]:
        """The features of which ``view`` holds a pattern."""
        with self._lock:
            return self._present(view)

    def _present(self, view: View) -> set[int]:
        patterns: set[int] = set()
        # A text without letters that folding changes (most of them) has the same words in both
        # forms: they are read once (exact patterns still count: ``Nga`` with its marks guard)
        plain = view.plain()
        adjacent: dict[bool, set[Pair]] = {}
        for form in (0, 1):
            folded = bool(form) or plain
            vocabulary = view.vocabulary(folded)
            words = self._words[form]
            patterns.update(map(words.__getitem__, words.keys() & vocabulary))
            if self._prefixes[form]:
                patterns.update(self._prefixed(form, vocabulary))
            if (pairs := self._pairs[form]) and len(pairs) <= FEW_PAIRS:
                patterns.update(_few_pairs(pairs, view, folded, vocabulary))
            elif pairs:
                if folded not in adjacent:
                    adjacent[folded] = _adjacent(view, folded)
                patterns.update(map(pairs.__getitem__, pairs.keys() & adjacent[folded]))
        if self._substrings:
            patterns.update(self._in_substrings(view))
        features: set[int] = set()
        features.update(*map(self._holders.__getitem__, patterns))  # one call, looped in C
        return features

    def _prefixed(self, form: int, vocabulary: set[str]) -> set[int]:
        """Prefix patterns that some word of ``vocabulary`` starts with."""
        seen, starting = self._seen[form], self._starting[form]
        if len(seen) > MEMO_WORDS:
            self._forget(form)
        new = vocabulary - seen
        for length, prefixes in self._prefixes[form].items():
            cut = {word[:length] for word in new}
            if prefixes.keys().isdisjoint(cut):
                continue  # the common case: no new word starts with a prefix of this length
            for word in new:
                number = prefixes.get(word[:length])
                if number is not None:
                    starting[word] = (*starting.get(word, ()), number)
        seen |= new
        return set().union(*map(starting.__getitem__, starting.keys() & vocabulary))

    def _forget(self, form: int) -> None:
        self._seen[form].clear()
        self._starting[form].clear()

    def _in_substrings(self, view: View) -> Iterable[int]:
        if not any(needs_substring(field.source) for field in view.fields):
            return  # one search in C: most documents hold no word of those scripts
        joined = {
            folded: "\n".join(w for w in view.vocabulary(folded) if needs_substring(w))
            for folded in (False, True)
        }
        if not joined[False]:
            return
        for pattern, number in self._substrings:
            if pattern.text in joined[pattern.folded]:
                yield number

    def _pattern(self, pattern: Anchor) -> int:
        number = self._ids.get(pattern)
        if number is not None:
            return number
        number = self._ids[pattern] = len(self._holders)
        self._holders.append([])
        if isinstance(pattern, tuple):
            first, second = pattern
            self._pattern_costs.append(min(map(self._estimate, pattern)) / 2)
            self._pairs[int(first.folded)][first.text, second.text] = number
            return number
        self._pattern_costs.append(self._estimate(pattern))
        form = int(pattern.folded)
        if pattern.kind == "word":
            self._words[form][pattern.text] = number
        elif pattern.kind == "prefix":
            self._prefixes[form].setdefault(len(pattern.text), {})[pattern.text] = number
            self._forget(form)  # a word already cut may start with the new prefix
        else:
            self._substrings.append((pattern, number))
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
Pair = tuple[str, str]


def _anchor(term: Term) -> Anchor:
    """What every occurrence of ``term`` holds that is cheapest to look for (a phrase's first
    two words when they are whole words: one of them alone is far more common)."""
    first, *rest = term.patterns
    if rest and first.kind == rest[0].kind == "word" and first.folded == rest[0].folded:
        return (first, rest[0])
    return min(term.patterns, key=lambda p: (_RANK[p.kind], -len(p.text)))


def _few_pairs(
    pairs: dict[Pair, int], view: View, folded: bool, vocabulary: set[str]
) -> Iterable[int]:
    """Of a few phrase patterns, those whose two words follow each other in ``view`` (cheaper
    than listing every two words of the text)."""
    texts: list[str] = []
    for (first, second), number in pairs.items():
        if first in vocabulary and second in vocabulary:
            if not texts:
                texts = [f" {' '.join(view.words(field, folded))} " for field in (0, 1)]
            pair = f" {first} {second} "
            if pair in texts[0] or pair in texts[1]:
                yield number


def _adjacent(view: View, folded: bool) -> set[Pair]:
    """Every two words that follow each other in a field of ``view`` (built in C)."""
    title, body = view.words(0, folded), view.words(1, folded)
    return {*itertools.pairwise(title), *itertools.pairwise(body)}


def requirement(root: Node, feature: Callable[[Term | ConceptRef], int], costs: Sequence[float]
                ) -> Requirement:  # fmt: skip
    """What ``root`` (a written query) requires; ``feature`` gives each term's."""
    parts = root.children if isinstance(root, And) else (root,)
    found = [_needs(part, feature, costs) for part in parts if not isinstance(part, Not)]
    # the parser refuses a query without a positive term, but be safe: a part with no
    # requirement is not one
    usable = tuple(part for part in found if part is not None)
    if not usable:
        return Requirement((), -1)
    key = min(range(len(usable)), key=lambda i: _part_cost(usable[i], costs))
    return Requirement(usable, key, usable[:key] + usable[key + 1 :])


def _needs(
    node: Node, feature: Callable[[Term | ConceptRef], int], costs: Sequence[float]
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


def _part_cost(part: frozenset[int], costs: Sequence[float]) -> float:
    return sum(costs[f] for f in part)


class TopicIndex:
    """Topics under the features of their most selective part; the candidates of a document."""

    def __init__(self, dictionary: Dictionary, requirements: Sequence[Requirement]) -> None:
        self._dictionary = dictionary
        self._others = [r.others for r in requirements]
        self._always = [n for n, r in enumerate(requirements) if r.key < 0]
        topics: dict[int, list[int]] = collections.defaultdict(list)
        for number, required in enumerate(requirements):
            if required.key >= 0:
                for feature in required.parts[required.key]:
                    topics[feature].append(number)
        self._topics = dict(topics)

    def candidates(self, view: View) -> list[int]:
        """Numbers of the topics whose every required part ``view`` holds, ascending."""
        present = self._dictionary.present(view)
        found = set(self._always)
        topics = self._topics
        found.update(*(topics[f] for f in topics.keys() & present))
        others = self._others
        disjoint = present.isdisjoint
        # a topic passes when no other part is disjoint from what is present (in C: map)
        passing = [n for n in found if not any(map(disjoint, others[n]))]
        passing.sort()
        return passing
