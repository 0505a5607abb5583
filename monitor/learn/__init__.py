"""Topics that learn from the analyst: relevance feedback turned into a per-topic filter.

Owns: what a topic learns from judged articles (``model``: train, keep/drop, rank, explain,
JSON), the features it learns over (``features``), the feedback file format (``feedback_file``)
and the small interface the places that produce matches call (``Refiner``). Pure: no I/O,
no store, no event loop; the caller trains off the loop and persists the JSON.
Does not own: matching (``monitor.match``: the learner only sees a match's public values, its
score and hits), storing judgments or models (``monitor.store``), when to retrain (the pipeline
and the CLI).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Protocol

from monitor.learn.model import CUTOFF, Judgment, LearnedFilter, from_json, to_json, train
from monitor.types import Document, Match

__all__ = [
    "PLAIN",
    "Filters",
    "Judgment",
    "LearnedFilter",
    "Refiner",
    "from_json",
    "learn",
    "to_json",
    "train",
]


class Refiner(Protocol):
    """What produces matches calls after matching: keeps or drops, and ranks, candidates."""

    def refine(self, doc: Document, matches: Sequence[Match]) -> tuple[Match, ...]: ...


class Filters:
    """The learned filters of some topics; a topic without one (or an inactive one) keeps all."""

    def __init__(self, models: Mapping[str, LearnedFilter] | None = None) -> None:
        self._models = dict(models or {})

    def get(self, topic: str) -> LearnedFilter | None:
        return self._models.get(topic)

    @property
    def models(self) -> Mapping[str, LearnedFilter]:
        return dict(self._models)

    def refine(self, doc: Document, matches: Sequence[Match]) -> tuple[Match, ...]:
        """The matches the learned filters keep, the likeliest first (then by score)."""
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
    topics: Iterable[str],
    judged: Iterable[tuple[Document, Mapping[str, bool]]],
    match: Callable[[Document], Sequence[Match]],
) -> dict[str, LearnedFilter]:
    """Train a filter for each of ``topics`` from judged documents (``{topic: relevant}``).

    ``match`` is the matcher: each judged document is matched now, so the evidence is that of
    the current queries. A topic a document is not judged for teaches nothing about it.
    """
    wanted = set(topics)
    per_topic: dict[str, list[Judgment]] = {t: [] for t in wanted}
    for doc, verdicts in judged:
        mine = {t: v for t, v in verdicts.items() if t in wanted}
        if not mine:
            continue
        found = {m.topic: m for m in match(doc)}
        for topic, relevant in mine.items():
            per_topic[topic].append(Judgment(doc, found.get(topic), relevant))
    return {topic: train(topic, per_topic[topic]) for topic in sorted(wanted)}
