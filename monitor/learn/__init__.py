"""Topics that learn from the analyst: relevance feedback turned into a per-topic filter.

Owns: what a topic learns from judged articles (``model``: train, keep/drop, rank, explain,
JSON; its rules for few judgments, ``nearest`` and ``terms``), the features it learns over
(``features``), the feedback file format (``feedback_file``), the small interface the places
that produce matches call (``Refiner``), the matcher as the learner calls it (``Candidates``),
and a saved filter's status in words (``status``). Pure: no I/O, no store, no event loop; the
caller trains off the loop and persists the JSON.
Does not own: matching (``monitor.match``: the learner only sees a match's public values, its
score and hits), storing judgments or models (``monitor.store``), when to retrain (the pipeline
and the CLI).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Protocol

from monitor.learn.judged import marks, once
from monitor.learn.model import CUTOFF, Judgment, LearnedFilter, from_json, to_json, train
from monitor.types import Document, Match, Topic

__all__ = [
    "CUTOFF",
    "PLAIN",
    "Candidates",
    "Filters",
    "Judgment",
    "LearnedFilter",
    "Refiner",
    "candidates",
    "from_json",
    "learn",
    "status",
    "to_json",
    "train",
]


class Refiner(Protocol):
    """What produces matches calls after matching: keeps or drops, and ranks, candidates."""

    @property
    def readmitting(self) -> frozenset[str]: ...

    def refine(self, doc: Document, matches: Sequence[Match]) -> tuple[Match, ...]: ...


class Candidates(Protocol):
    """The matcher as the learner uses it (``monitor.match.Matcher``)."""

    def match(self, doc: Document, below: Collection[str] = ()) -> tuple[Match, ...]: ...


class Filters:
    """The learned filters of some topics; a topic without one (or an inactive one) keeps all."""

    def __init__(self, models: Mapping[str, LearnedFilter] | None = None) -> None:
        self._models = dict(models or {})
        self._readmitting = frozenset(t for t, m in self._models.items() if m.active and m.readmits)

    def get(self, topic: str) -> LearnedFilter | None:
        return self._models.get(topic)

    @property
    def models(self) -> Mapping[str, LearnedFilter]:
        return dict(self._models)

    @property
    def readmitting(self) -> frozenset[str]:
        """Topics whose filter decides on candidates below the threshold too: the matcher is
        to give those (``Matcher.match(doc, below=filters.readmitting)``)."""
        return self._readmitting

    def refine(self, doc: Document, matches: Sequence[Match]) -> tuple[Match, ...]:
        """The matches the learned filters keep, the likeliest first (then by score).

        ``matches``: the matcher's, thresholds applied except for the ``readmitting`` topics.
        """
        ranked = []
        for match in matches:
            model = self._models.get(match.topic)
            p = model.probability(doc, match) if model is not None else 1.0
            if p >= CUTOFF:
                ranked.append((p, match))
        ranked.sort(key=lambda pm: (-pm[0], -pm[1].score, pm[1].topic))
        return tuple(m for _, m in ranked)


#: no learned filter: every candidate kept, in the matcher's order
PLAIN = Filters()


def learn(
    topics: Iterable[Topic],
    judged: Iterable[tuple[Document, Mapping[str, bool]]],
    matcher: Candidates,
) -> dict[str, LearnedFilter]:
    """Train a filter for each of ``topics`` from judged documents (``{topic: relevant}``).

    Each judged document is matched now, thresholds not applied, so the evidence is that of the
    current queries and a judged candidate below the threshold can teach re-admitting. A topic
    a document is not judged for teaches nothing about it. An article judged twice for a topic
    (under two keys) teaches once, by its latest verdict (``monitor.learn.judged``).
    """
    thresholds = {t.id: t.threshold for t in topics}
    judged = list(judged)
    kept = _judged_once(judged, thresholds)
    per_topic: dict[str, list[Judgment]] = {t: [] for t in thresholds}
    for at, (doc, verdicts) in enumerate(judged):
        mine = {t: v for t, v in verdicts.items() if (at, t) in kept}
        if not mine:
            continue
        found = candidates(matcher, doc, mine)
        for topic, relevant in mine.items():
            per_topic[topic].append(Judgment(doc, found.get(topic), relevant))
    return {t: train(t, per_topic[t], thresholds[t]) for t in sorted(thresholds)}


def _judged_once(
    judged: Sequence[tuple[Document, Mapping[str, bool]]], topics: Collection[str]
) -> set[tuple[int, str]]:
    """The (position, topic) judgments to learn from: of each topic's, each article once."""
    told = [marks(doc) for doc, _ in judged]
    kept: set[tuple[int, str]] = set()
    for topic in topics:
        mine = [at for at, (_, verdicts) in enumerate(judged) if topic in verdicts]
        kept.update((mine[n], topic) for n in once([told[at] for at in mine]))
    return kept


def candidates(matcher: Candidates, doc: Document, topics: Collection[str]) -> dict[str, Match]:
    """The match of ``doc`` by each of ``topics`` whose query accepts it, whatever its score:
    what a judgment of ``doc`` teaches from. A topic missing here rejects ``doc``: its
    judgment is kept but left out of training (``Judgment.match``)."""
    found = matcher.match(doc, below=tuple(topics))
    return {m.topic: m for m in found if m.topic in topics}


def status(saved: str | None) -> str:
    """A topic's learned filter in words (``monitor topics``, the dashboard): on or off, by
    which parts, and why; ``saved``: its JSON as stored (None: never trained)."""
    if saved is None:
        return "off: not judged yet"
    model = from_json(saved)
    return model.reason if model is not None else "off: saved by another version, retraining"
