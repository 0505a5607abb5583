"""Judged articles counted once: one article judged under two keys is one judgment.

The store keeps one verdict per article key, but an article judged on its stored match and
imported under the id of the file it came from has two keys (and a feedback file may hold one
article twice). Counted twice, it weighs double in training, and cross-validation may hold one
copy out while training on the other, so the learned filter seems to generalise where it only
remembers. Two judgments are of one article when the headline is the same and so is the text:
the same words, or nearly (``monitor.story``'s resemblance: a stored page's text and the text
imported with it differ a little). The later verdict is the current one.

Owns: that rule (``once``: which of a topic's judgments to keep; ``distinct``: those kept).
Does not own: where the judgments come from, what is learned from them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import NamedTuple

from monitor import story
from monitor.types import Document


class Marks(NamedTuple):
    """What tells one judged article from another, computed once per document."""

    title: str
    text: str
    print_: bytes | None


def marks(doc: Document) -> Marks:
    """What tells ``doc`` apart from other judged articles."""
    return Marks(_plain(doc.title), _plain(doc.text), story.fingerprint(doc.text))


def once(judged: Sequence[Marks]) -> list[int]:
    """The positions in ``judged`` (one topic's, oldest first) to keep: each article once, at
    its latest judgment, in the order the articles were first judged. A document without a
    headline has nothing to tell it by: it stays an article of its own."""
    kept: list[int] = []
    by_title: dict[str, list[tuple[Marks, int]]] = {}
    for at, doc in enumerate(judged):
        same = by_title.setdefault(doc.title, []) if doc.title else []
        slot = next((n for s, n in same if s.text == doc.text or _resemble(s, doc)), None)
        if slot is None:
            same.append((doc, len(kept)))
            kept.append(at)
        else:
            kept[slot] = at  # the later verdict is the current one
    return kept


def distinct(judged: Sequence[tuple[Document, bool]]) -> list[tuple[Document, bool]]:
    """``judged`` (oldest first) with each article once, at its latest verdict (``once``)."""
    return [judged[at] for at in once([marks(doc) for doc, _ in judged])]


def _plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _resemble(a: Marks, b: Marks) -> bool:
    if a.print_ is None or b.print_ is None:
        return False
    return story.resemblance(a.print_, b.print_) >= story.SAME_STORY
