"""The anchor index: query words -> topics, so a document is evaluated only against candidates.

Anchors are query words such that any document satisfying the query contains at least one of
them (an OR needs one anchor per branch, an AND only those of its cheapest child, NOT gives
none). This is the Lucene-Monitor idea: with 10k-100k topics a document's vocabulary selects the
few candidate topics, and only those are evaluated. Expanded topics index every expanded form.

Owns: choosing anchors and looking a document's vocabulary up.
Does not own: evaluation (``_view``) or scoring (``engine``).
"""

from __future__ import annotations

from collections.abc import Sequence

from monitor.match._view import View, flat
from monitor.match.query import And, Near, Node, Or, Pattern, Term, Title
from monitor.match.text import needs_substring


class AnchorIndex:
    """Anchor word -> topic numbers."""

    def __init__(self, roots: Sequence[Node]) -> None:
        self._words: dict[bool, dict[str, list[int]]] = {False: {}, True: {}}
        # prefix anchors grouped by length, so a document's words are cut once per length
        self._prefixes: dict[bool, dict[int, dict[str, list[int]]]] = {False: {}, True: {}}
        # substring anchors (Thai, Chinese ...) by (folded, text): many topics share a form
        self._substrings: dict[tuple[bool, str], list[int]] = {}
        for number, root in enumerate(roots):
            for pattern in set(_anchors(root) or ()):
                self._add(pattern, number)

    def _add(self, pattern: Pattern, number: int) -> None:
        if pattern.kind == "word":
            self._words[pattern.folded].setdefault(pattern.text, []).append(number)
        elif pattern.kind == "prefix":
            by_length = self._prefixes[pattern.folded].setdefault(len(pattern.text), {})
            by_length.setdefault(pattern.text, []).append(number)
        else:
            self._substrings.setdefault((pattern.folded, pattern.text), []).append(number)

    def candidates(self, view: View) -> list[int]:
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
            if self._substrings and any(needs_substring(word) for word in vocab):
                joined = "\n".join(w for w in vocab if needs_substring(w))
                for (form, text), numbers in self._substrings.items():
                    if form == folded and text in joined:
                        found.update(numbers)
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
        return None if any(b is None for b in branches) else [*flat(b or () for b in branches)]
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
