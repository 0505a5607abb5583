"""The precision a topic's judgments imply (``monitor topics``, the dashboard's topics page).

Precision is a property of what the query accepts, so it counts only the judged articles the
topic's query accepts now, whatever their score (its matches and near misses: what the learned
filter learns from too). An imported label of an article the query rejects, or one judged
before the query was edited, says nothing of the query's precision: counted in, twelve judged
articles the query never sent would turn 2 of 6 into 2 of 18. Those are counted apart. Each
article counts once, at its latest verdict (``monitor.learn.judged``).
Owns: that arithmetic. Does not own: where judgments come from, matching.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

from monitor.learn import Candidates
from monitor.learn.judged import Marks, marks, once
from monitor.types import Document


@dataclass(frozen=True, slots=True)
class Tally:
    """A topic's judged articles, as its precision reads them."""

    #: judged articles the query accepts: relevant, not relevant (what precision rests on)
    relevant: int = 0
    not_relevant: int = 0
    #: judged articles the query does not accept (imported labels, judged before an edit)
    rejected: int = 0

    @property
    def accepted(self) -> int:
        """The judged articles the precision rests on."""
        return self.relevant + self.not_relevant

    @property
    def precision(self) -> float | None:
        """Relevant of the judged articles the query accepts; None with none."""
        return self.relevant / self.accepted if self.accepted else None


def tallies(
    judged: Mapping[str, Sequence[tuple[Document, bool]]], matcher: Candidates
) -> dict[str, Tally]:
    """Each topic's ``Tally`` from its judged articles (oldest first, topic id -> articles);
    ``matcher`` holds the topics. An article judged for several topics is matched once."""
    topics = tuple(judged)
    accepting: dict[str, frozenset[str]] = {}
    told: dict[str, Marks] = {}

    def accepts(topic: str, doc: Document) -> bool:
        if doc.id not in accepting:  # thresholds not applied: near misses count
            accepting[doc.id] = _accepting(matcher, doc, topics)
        return topic in accepting[doc.id]

    def marks_of(doc: Document) -> Marks:
        if doc.id not in told:
            told[doc.id] = marks(doc)
        return told[doc.id]

    return {
        topic: _tally(topic, [mine[at] for at in once([marks_of(d) for d, _ in mine])], accepts)
        for topic, mine in judged.items()
    }


def _accepting(matcher: Candidates, doc: Document, topics: Collection[str]) -> frozenset[str]:
    return frozenset(m.topic for m in matcher.match(doc, below=topics))


def _tally(
    topic: str, judged: Sequence[tuple[Document, bool]], accepts: Callable[[str, Document], bool]
) -> Tally:
    """``judged``: the topic's judged articles, each once."""
    kept = [relevant for doc, relevant in judged if accepts(topic, doc)]
    return Tally(sum(kept), len(kept) - sum(kept), len(judged) - len(kept))
