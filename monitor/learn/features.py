"""What the learner sees of a candidate match: its own evidence and the article's words.

Owns: turning (topic, document, match) into one sparse feature row, and naming a feature
index in words for ``monitor explain``. Three blocks, each hashed into its own range so a
saved model needs no vocabulary (hashing is stateless: the same text gives the same row in
any process, today and after a restart):

- evidence: the match's score, how many hits, in which field, how early, which query terms
  fired (``term:<term>@<field>``): what the boolean query already knew;
- words: hashed word unigrams and bigrams of title and text (the title's marked ``t:``);
- characters: hashed character 3- to 5-grams inside words, which cross scripts and
  inflections without a language model.

``profiles`` gives the same three blocks without the dense evidence, as one unit-length row per
candidate: what ``nearest`` compares candidates by (cosine).

Does not own: training or deciding (``monitor.learn.model``), matching (``monitor.match``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.types import Document, Match

#: bump when a feature or the decision changes meaning: a saved model of another version is
#: retrained (3: ``model.CUTOFF`` 0.5 -> 0.4, its turn-on was cross-validated at the old one;
#: 4: the near-alert rule, ``nearest``, and its judged profiles in the JSON; 5: the term rule,
#: ``terms``, and its counts in the JSON)
VERSION = "5"

#: size of each hashed block (a power of two)
WORD_BITS = 18
CHAR_BITS = 18
TERM_BITS = 12
#: how much of the text is read (the assessors read the title and about this much)
TEXT_CHARS = 3000

#: the dense evidence features, in column order
EVIDENCE = (
    "score",
    "hits (log)",
    "distinct terms",
    "title hits",
    "early hits (first 100 words)",
    "first text position (scaled)",
    "mean hit weight",
)

_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each block's columns start; the total width."""

    evidence: int = 0
    terms: int = len(EVIDENCE)
    words: int = len(EVIDENCE) + (1 << TERM_BITS)
    chars: int = len(EVIDENCE) + (1 << TERM_BITS) + (1 << WORD_BITS)
    width: int = len(EVIDENCE) + (1 << TERM_BITS) + (1 << WORD_BITS) + (1 << CHAR_BITS)


LAYOUT = Layout()


def evidence(match: Match | None) -> list[float]:
    """The dense evidence block (all zero without a match)."""
    if match is None or not match.hits:
        return [match.score if match else 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0]
    hits = match.hits
    text_positions = [h.position for h in hits if h.field == "text"]
    first = min(text_positions) if text_positions else 0
    return [
        match.score,
        math.log1p(len(hits)),
        min(len(match.terms), 10) / 10,
        min(sum(h.field == "title" for h in hits), 5) / 5,
        sum(h.field == "title" or h.position < 100 for h in hits) / len(hits),
        min(first, 1000) / 1000,
        sum(h.weight for h in hits) / len(hits),
    ]


def term_tokens(match: Match | None) -> list[str]:
    """Which query terms fired, and where: ``term:<term>@title``."""
    if match is None:
        return []
    return sorted({f"term:{h.term.lower()}@{h.field}" for h in match.hits})


def word_tokens(doc: Document) -> list[str]:
    """Lower-cased words and word bigrams; the title's words are marked ``t:``."""
    tokens = []
    for prefix, text in (("t:", doc.title), ("", doc.text[:TEXT_CHARS])):
        words = _WORD.findall(text.lower())
        tokens += [prefix + w for w in words]
        tokens += [f"{prefix}{a} {b}" for a, b in itertools.pairwise(words)]
    return tokens


def char_tokens(doc: Document) -> list[str]:
    """Character 3- to 5-grams inside words (padded with spaces), of title and text."""
    grams = []
    for word in _WORD.findall(f"{doc.title} {doc.text[:TEXT_CHARS]}".lower()):
        padded = f" {word} "
        for n in (3, 4, 5):
            grams += [padded[i : i + n] for i in range(max(1, len(padded) - n + 1))]
    return grams


def rows(items: Sequence[tuple[Document, Match | None]]):  # -> scipy.sparse.csr_matrix
    """One feature row per (document, match), each block l2-normalised."""
    from scipy import sparse

    from monitor.learn._hash import hashed

    dense = sparse.csr_matrix([evidence(m) for _, m in items], shape=(len(items), len(EVIDENCE)))
    terms = hashed([term_tokens(m) for _, m in items], TERM_BITS)
    words = hashed([word_tokens(d) for d, _ in items], WORD_BITS)
    chars = hashed([char_tokens(d) for d, _ in items], CHAR_BITS)
    return sparse.hstack([dense, terms, words, chars], format="csr")


def profiles(items: Sequence[tuple[Document, Match | None]]):  # -> scipy.sparse.csr_matrix
    """One unit-length row per (document, match): which query terms fired, words, characters,
    each block l2-normalised and weighed alike, so the dot product of two rows is their cosine."""
    from scipy import sparse

    from monitor.learn._hash import hashed

    terms = hashed([term_tokens(m) for _, m in items], TERM_BITS)
    words = hashed([word_tokens(d) for d, _ in items], WORD_BITS)
    chars = hashed([char_tokens(d) for d, _ in items], CHAR_BITS)
    return sparse.hstack([terms, words, chars], format="csr") / math.sqrt(3)


def describe(index: int, items: Sequence[tuple[Document, Match | None]]) -> str:
    """A feature column in words, as far as the given examples tell (hashing loses names)."""
    from monitor.learn._hash import bucket

    if index < LAYOUT.terms:
        return EVIDENCE[index]
    blocks = (
        (LAYOUT.chars, CHAR_BITS, "characters", lambda d, m: char_tokens(d)),
        (LAYOUT.words, WORD_BITS, "word", lambda d, m: word_tokens(d)),
        (LAYOUT.terms, TERM_BITS, "query", lambda d, m: term_tokens(m)),
    )
    for start, bits, kind, tokens in blocks:
        if index >= start:
            wanted = index - start
            for doc, match in items:
                for token in tokens(doc, match):
                    if bucket(token, bits) == wanted:
                        return _named(kind, token)
            return f"{kind} #{wanted}"
    return f"feature #{index}"


def _named(kind: str, token: str) -> str:
    """A hashed token as ``monitor explain`` shows it."""
    if kind == "query":
        term, _, where = token.removeprefix("term:").rpartition("@")
        return f"query term {term!r} in the {where}"
    if kind == "word":
        if token.startswith("t:"):
            return f"headline words {token[2:]!r}"
        return f"words {token!r}"
    where = " at a word's start" if token.startswith(" ") else ""
    where = " at a word's end" if token.endswith(" ") and not where else where
    return f"characters {token.strip()!r}{where}"
