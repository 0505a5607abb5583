"""One document's words and the evaluation of a query's syntax tree against them.

Owns: where each term occurs in a document (with the per-document memo that topics share), and
which occurrences satisfy a node (AND, OR, NOT, NEAR, ``title:``), with how close NEAR sides are.
Does not own: scoring or thresholds (``engine``), candidate selection (``_presearch``).
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from monitor.match.query import And, ConceptRef, Near, Node, Not, Or, Pattern, Term, Title
from monitor.match.text import count_words, headline, holds_word, word_scale, words
from monitor.types import Document

_T = TypeVar("_T")
BOTH = (0, 1)
TITLE_ONLY = (0,)
#: a NEAR pair at its full distance counts this much of a pair side by side
FAR_NEAR = 0.5
# A paragraph ends at a line break (extracted text holds one paragraph per line); a sentence
# there, or at . ! ? (and their CJK forms) followed by space. The pattern holds no word
# character, so cutting a text at it keeps its words whole.
_SENTENCE_END = re.compile(r"[.!?\u2026\u3002\uff01\uff1f]+[\"'\u201d\u2019)\]]*\s+")
#: a paragraph longer than this many words (of meaning) counts as several blocks (for coverage)
BLOCK_WORDS = 100


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where a term occurred: field index (0 title, 1 text) and first/last word positions."""

    field: int
    start: int
    end: int
    term: Term
    #: 1.0, or for a side of a NEAR how close the nearest other side was (``FAR_NEAR`` at the
    #: full distance, 1.0 adjacent)
    closeness: float = 1.0


def flat(groups: Iterable[Iterable[_T]]) -> Iterable[_T]:
    for group in groups:
        yield from group


def conjuncts(root: Node, view: View) -> list[list[Occurrence]] | None:
    """The occurrences satisfying each positive ANDed part of ``root``; None if not satisfied."""
    parts = root.children if isinstance(root, And) else (root,)
    found = []
    for part in parts:
        occurrences = evaluate(part, view, BOTH)
        if occurrences is None:
            return None
        if not isinstance(part, Not):
            found.append(occurrences)
    return found


def evaluate(node: Node, view: View, fields: tuple[int, ...]) -> list[Occurrence] | None:
    """The occurrences that satisfy ``node`` within ``fields``, or None when it is not satisfied."""
    if isinstance(node, Term):
        found = view.occurrences(node, fields)
        return list(found) if found else None
    if isinstance(node, Title):
        return evaluate(node.child, view, TITLE_ONLY)
    if isinstance(node, Not):
        return [] if evaluate(node.child, view, fields) is None else None
    if isinstance(node, And):
        collected: list[Occurrence] = []
        for child in node.children:
            occurrences = evaluate(child, view, fields)
            if occurrences is None:
                return None
            collected.extend(occurrences)
        return collected
    if isinstance(node, Or):
        found = []
        vocabularies = (view.vocabulary(False), view.vocabulary(True))
        for child in node.children:
            # an expanded term is an OR of hundreds of terms, most of them words absent from
            # the document: the common case, inlined (``View.present`` of a word)
            if isinstance(child, Term):
                first = child.patterns[0]
                if first.kind != "word" or first.text in vocabularies[first.folded]:
                    found.extend(view.occurrences(child, fields))
            elif (occurrences := evaluate(child, view, fields)) is not None:
                found.extend(occurrences)
        # a satisfied branch always has an occurrence (the parser refuses NOT-only branches)
        return found or None
    if isinstance(node, ConceptRef):
        raise TypeError(f"{node.label} was not expanded")  # the engine expands every concept
    return _near(node, view, fields)


def _near(node: Near, view: View, fields: tuple[int, ...]) -> list[Occurrence] | None:
    left = evaluate(node.left, view, fields)
    right = evaluate(node.right, view, fields) if left else None
    if not left or not right:
        return None
    closest: dict[Occurrence, float] = {}
    for a in left:
        for b in right:
            gap = _gap(a, b)
            if a.field != b.field or gap > node.distance:
                continue
            # adjacent (gap <= 1) counts fully; at the full distance, FAR_NEAR of that
            share = 1.0 - (1.0 - FAR_NEAR) * max(0, gap - 1) / max(1, node.distance - 1)
            for occurrence in (a, b):
                closest[occurrence] = max(closest.get(occurrence, 0.0), share)
    return [_closer(o, share) for o, share in closest.items()] or None


def _closer(occurrence: Occurrence, share: float) -> Occurrence:
    closeness = occurrence.closeness * share
    o = occurrence
    return Occurrence(o.field, o.start, o.end, o.term, closeness)


def _gap(a: Occurrence, b: Occurrence) -> int:
    """Words from one occurrence to the other (adjacent: 1; overlapping: 0)."""
    return max(0, b.start - a.end, a.start - b.end)


def positive_terms(node: Node) -> Iterable[Term]:
    if isinstance(node, Term):
        yield node
    elif isinstance(node, Title):
        yield from positive_terms(node.child)
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from positive_terms(child)
    elif isinstance(node, Near):
        yield from positive_terms(node.left)
        yield from positive_terms(node.right)


# Keyed by the identity of a term's patterns and guard: the forms of an expanded topic share the
# lexicon's objects (and equal analysts' terms rarely repeat), and hashing ints is what keeps a
# document's look-ups cheap across hundreds of forms. The objects outlive the View. The
# languages a form counts in are part of the key (almost always (), cheap to hash).
_MemoKey = tuple[int, int, tuple[int, ...], tuple[str, ...]]


class View:
    """One document's words, with lazily built lookups and per-term memo (lives for one match)."""

    def __init__(self, doc: Document) -> None:
        body = words(doc.text)
        self.fields = (headline(words(doc.title), body), body)
        #: the document's language hint (for word specificity)
        self.lang = doc.lang
        #: words per word of meaning in that language (``text.word_scale``)
        self.scale = word_scale(doc.lang)
        #: a one-word term written without diacritics compares with the words as written, not
        #: folded: in Vietnamese the marks tell almost every syllable apart, so English ``ban``
        #: or ``song`` folded would be ``bạn`` (friend), ``bán`` (sell), ``sống`` (live). A
        #: phrase still folds: a name typed without its marks (``To Lam``) is its words together.
        self.single_as_written = doc.lang == "vi"
        self._segments: Segments | None = None
        self._plain: bool | None = None
        self._memo: dict[_MemoKey, list[Occurrence]] = {}
        self._vocabulary: dict[bool, set[str]] = {}
        self._haystacks: dict[bool, str] = {}
        self._marks: dict[bool, list[int]] = {}
        self._found: dict[tuple[str, bool], tuple[list[int], list[int]]] = {}

    def segments(self) -> Segments:
        """The body's sentences and paragraphs (built on first use: only scoring needs them)."""
        if self._segments is None:
            self._segments = Segments(self.fields[1].source, self.scale)
        return self._segments

    def least_blocks(self) -> int:
        """At most ``segments().blocks``, without counting each paragraph's words: a block per
        line holding a word, or per ``BLOCK_WORDS`` words of the body, whichever is more."""
        if self._segments is not None:
            return self._segments.blocks
        body = self.fields[1]
        lines = sum(map(holds_word, body.source.split("\n")))
        return max(1, lines, -(-len(body.exact) // round(BLOCK_WORDS * self.scale)))

    def vocabulary(self, folded: bool) -> set[str]:
        """Distinct words of headline and body in one form."""
        key = folded and not self.plain()  # most texts read the same in both forms
        found = self._vocabulary.get(key)
        if found is None:
            found = {*self._form(0, folded), *self._form(1, folded)}
            self._vocabulary[key] = found
        return found

    def haystack(self, folded: bool) -> str:
        """The headline's and the body's words in one form, each word between spaces (no word
        holds one, ``text.words``), a line break between the fields: where ``find`` looks for
        ``needle``s (and the presearch's automata look for all of them at once)."""
        key = folded and not self.plain()
        found = self._haystacks.get(key)
        if found is None:
            title, body = self._form(0, folded), self._form(1, folded)
            found = self._haystacks[key] = f" {' '.join(title)} \n {' '.join(body)} "
        return found

    def present(self, pattern: Pattern) -> bool:
        """Whether some word of the document fits ``pattern`` (a quick test before positions).

        An expanded topic has hundreds of forms, most absent from any one document: this test
        (a set lookup, or a substring search in C) spares finding their positions.
        """
        if pattern.kind == "word":
            return pattern.text in self.vocabulary(pattern.folded)
        return needle(pattern) in self.haystack(pattern.folded)

    def find(self, spaced: str, folded: bool) -> tuple[list[int], list[int]]:
        """Per field (headline, body), the words where ``spaced`` (a ``needle``, or a phrase's
        words between spaces) is found in ``haystack(folded)``: those it starts at (when it
        starts with a space) or is in (a substring), ascending, each once.

        A search in C per key, and a count of the spaces before each hit (from the nearest of
        ``_marks``), cost less than a table of every word's positions: a text is asked for few
        of its words.
        """
        form = folded and not self.plain()
        memo = (spaced, form)
        found = self._found.get(memo)
        if found is None:
            marks = self._marks.get(form)
            if marks is None:
                marks = self._marks[form] = _marks(self.haystack(folded))
            found = self._found[memo] = _find(self.haystack(folded), spaced, marks)
        return found

    def occurrences(self, term: Term, fields: tuple[int, ...]) -> list[Occurrence]:
        key = (id(term.patterns), id(term.guard), fields, term.langs)
        found = self._memo.get(key)
        if found is None and not self.present(term.patterns[0]):
            found = self._memo[key] = []
        if found is None and term.langs and self.lang and self.lang not in term.langs:
            found = self._memo[key] = []
        if found is None:
            found = [
                Occurrence(field, start, start + len(term.patterns) - 1, term)
                for field in fields
                for start in self._starts(term.patterns, field)
            ]
            if term.guard is not None:
                guard = term.guard
                found = [
                    o
                    for o in found
                    if guard.allows(self.fields[o.field], o.start, o.end, body=o.field == 1)
                ]
            self._memo[key] = found
        elif found and found[0].term is not term:
            # The same words under another label (``Rusia`` / ``rusia``, or one lexicon form
            # expanded from two analysts' terms): relabel.
            found = [Occurrence(o.field, o.start, o.end, term) for o in found]
        return found

    def _starts(self, patterns: tuple[Pattern, ...], field: int) -> list[int]:
        first, rest = patterns[0], patterns[1:]
        folded = first.folded and (bool(rest) or not self.single_as_written)
        starts = self.find(needle(first), folded)[field]
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

    def plain(self) -> bool:
        """True when no word has a letter that folding changes (its two forms are the same)."""
        if self._plain is None:
            self._plain = all(f.exact == f.folded for f in self.fields)
        return self._plain

    def words(self, field: int, folded: bool) -> tuple[str, ...]:
        """The words of a field (0 headline, 1 body) in one form."""
        return self._form(field, folded)

    def _form(self, field: int, folded: bool) -> tuple[str, ...]:
        return self.fields[field].folded if folded else self.fields[field].exact


def needle(pattern: Pattern) -> str:
    """What ``View.find`` looks for where ``pattern`` fits a word: " word ", " prefix", or the
    substring itself (no word holds a space)."""
    if pattern.kind == "substring":
        return pattern.text
    return f" {pattern.text} " if pattern.kind == "word" else f" {pattern.text}"


def _find(haystack: str, spaced: str, marks: list[int]) -> tuple[list[int], list[int]]:
    """``View.find`` in ``haystack``: a word's index is the count of spaces before it, less one
    (in the body, less the spaces before the body too); ``marks``: ``_marks(haystack)``."""
    found: tuple[list[int], list[int]] = ([], [])
    body = haystack.index("\n")
    # a key with a space first starts at the space before its word; a substring is in its word
    lead = 1 if spaced.startswith(" ") else 0
    field, before = 0, 0
    at = haystack.find(spaced)
    while at >= 0:
        if field == 0 and at > body:
            field, before = 1, _spaces(haystack, marks, body)
        count = _spaces(haystack, marks, at + lead) - before - 1
        positions = found[field]
        if not positions or positions[-1] != count:  # a substring found twice in one word
            positions.append(count)
        at = haystack.find(spaced, at + 1)
    return found


#: characters of a haystack between two of its ``_marks``
_STEP = 256


def _marks(haystack: str) -> list[int]:
    """The spaces before every ``_STEP``-th character of ``haystack``: a word's index is the
    count of spaces before it, counted from the mark before it (a few hundred characters at
    most) rather than from its field's start (the body's words deep in a text are most)."""
    counts = (haystack.count(" ", at, at + _STEP) for at in range(0, len(haystack), _STEP))
    return list(itertools.accumulate(counts, initial=0))


def _spaces(haystack: str, marks: list[int], end: int) -> int:
    """The spaces in ``haystack[:end]``."""
    mark = end // _STEP
    return marks[mark] + haystack.count(" ", mark * _STEP, end)


class Segments:
    """Where a body's paragraphs (lines) and sentences start, as word indexes (as in ``words``).

    Paragraphs are found when made (one pass over the lines: cheaper than tokenising again);
    a paragraph's sentences only when asked for (only scoring ``AND`` parts needs them).
    """

    def __init__(self, text: str, scale: float = 1.0) -> None:
        """``scale``: words per word of meaning (a block is ``BLOCK_WORDS`` of those)."""
        self._block = round(BLOCK_WORDS * scale)
        self._lines = text.split("\n")
        #: index of the first word of each paragraph that has words, and that paragraph's line
        self.paragraph_starts: list[int] = []
        self._paragraph_lines: list[int] = []
        count = 0
        for number, line in enumerate(self._lines):
            found = count_words(line)
            if found:
                self.paragraph_starts.append(count)
                self._paragraph_lines.append(number)
                count += found
        #: words in the body
        self.words = count
        self._sentences: dict[int, list[int]] = {}

    def paragraph(self, word: int) -> int:
        return max(0, bisect.bisect_right(self.paragraph_starts, word) - 1)

    def sentence(self, word: int) -> tuple[int, int]:
        """The paragraph, and which sentence of it, a word is in."""
        paragraph = self.paragraph(word)
        starts = self._sentences.get(paragraph)
        if starts is None:
            starts = self._sentences[paragraph] = self._sentence_starts(paragraph)
        return paragraph, bisect.bisect_right(starts, word) - 1

    def block(self, word: int) -> tuple[int, int]:
        """The paragraph, and which ``BLOCK_WORDS`` run of it, a word is in."""
        paragraph = self.paragraph(word)
        return paragraph, (word - self.paragraph_starts[paragraph]) // self._block

    @property
    def blocks(self) -> int:
        """How many blocks the body has (at least 1): a paragraph of n words has
        ``ceil(n / BLOCK_WORDS)``, so a text without line breaks still has parts."""
        ends = [*self.paragraph_starts[1:], self.words]
        sizes = (end - start for start, end in zip(self.paragraph_starts, ends, strict=True))
        return max(1, sum(-(-size // self._block) for size in sizes))

    def _sentence_starts(self, paragraph: int) -> list[int]:
        count = self.paragraph_starts[paragraph] if self.paragraph_starts else 0
        starts = [count]
        line = self._lines[self._paragraph_lines[paragraph]] if self.paragraph_starts else ""
        for piece in _SENTENCE_END.split(line):
            count += count_words(piece)
            starts.append(count)
        return starts


def _fits(pattern: Pattern, word: str) -> bool:
    if pattern.kind == "word":
        return word == pattern.text
    if pattern.kind == "prefix":
        return word.startswith(pattern.text)
    return pattern.text in word
