"""The term rule: drop a candidate whose query terms the analyst's judgments distrust.

What carries over from a dozen judged alerts is less the story (``nearest``) than the word
that brought it: ``doctors`` firing in health-advice pieces for a health-care topic, ``migrant``
in a wildlife story for labour migration. So each query term that fired in a topic's judged
alerts gets a *trust*: the share of those alerts judged relevant, shrunk toward the topic's
judged precision by ``PSEUDO`` judgments (a term seen once says little; a term never judged
takes the topic's). A candidate is as trusted as its most trusted term (the query's ``OR``:
any one good term may carry it) and is dropped when that trust is below the cutoff that
maximises F1 on the judged alerts: half the F1 of keeping them all (Lipton, Elkan and
Naryanaswamy 2014), ``P / (1 + P)`` for the topic's judged precision ``P``. A topic with few
relevant alerts drops only what is much worse than its average; one with many drops more.

The topic's precision is itself shrunk toward ``TYPICAL_PRECISION`` (the plain matcher's
pooled precision on the judged sets) by ``PSEUDO_TOPIC`` judgments. Like the near-alert rule it
turns on only when leave-one-out on the judged alerts (each decided by a rule fitted on the
others) scores above keeping them all, and it decides on alerts only: a candidate a
re-admitting filter takes from below the threshold is the logistic part's call.

Chosen on the dev set and judged sets a-d, g, h and i (``benchmarks/feedback_eval.py``; g and i
were already used for the learner); unlike the wrong-term rule measured before it (drop an
alert whose terms fired only in wrong ones, with no count behind it), it needs the counts to
say so and a leave-one-out gain.

Owns: training the rule, its decision and the reason in words, its counts as JSON values.
Does not own: the other parts and the JSON document (``model``), matching.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.learn.nearest import f1
from monitor.types import Document, Match

#: pseudo-judgments at the topic's precision added to each term's own
PSEUDO = 2.0
#: the precision a topic's is shrunk toward, and by how many pseudo-judgments: the plain
#: matcher's pooled precision over the judged sets a-d and g-j, multilingual watchlists
#: (1,125 of 1,602 alerts)
TYPICAL_PRECISION = 0.7
PSEUDO_TOPIC = 2.0


@dataclass(frozen=True, slots=True)
class TermRule:
    """A topic's judged alerts counted per query term."""

    #: the topic's judged precision, shrunk (``TYPICAL_PRECISION``)
    precision: float
    #: query term (lower-cased) -> (alerts judged relevant it fired in, all it fired in)
    counts: Mapping[str, tuple[int, int]]

    @property
    def cutoff(self) -> float:
        """Half the F1 of keeping every judged alert: below it a candidate is dropped."""
        return self.precision / (1 + self.precision)

    def trust(self, match: Match) -> tuple[float, str]:
        """The candidate's most trusted term's trust, and that term ("" for a term never
        judged)."""
        counts = self.counts
        return max(((self._trust(*counts.get(t, (0, 0))), t if t in counts else "")
                    for t in _terms(match)), default=(self.precision, ""))  # fmt: skip

    def drops(self, match: Match) -> bool:
        return self.trust(match)[0] < self.cutoff

    def _trust(self, good: int, seen: int) -> float:
        return (good + PSEUDO * self.precision) / (seen + PSEUDO)

    def why(self, match: Match) -> str:
        """The decision in words, for ``monitor explain``."""
        trust, term = self.trust(match)
        counts = self.counts
        fired = ", ".join(f"{t!r} {counts[t][0]} of {counts[t][1]}"
                          for t in _terms(match) if t in counts)  # fmt: skip
        verb = "dropped" if trust < self.cutoff else "kept"
        named = f"{term!r}" if term else "a term never judged"
        return (f"{verb}: its most trusted term, {named}, has trust {trust:.2f} against the "
                f"cutoff {self.cutoff:.2f} (relevant of judged alerts: "
                f"{fired or 'none'})")  # fmt: skip


def _terms(match: Match) -> set[str]:
    return {hit.term.lower() for hit in match.hits}


def train(
    judged: Sequence[tuple[Document, Match, bool]], threshold: float
) -> tuple[TermRule | None, str]:
    """The rule from a topic's judged candidates (document, match, relevant), and why it is on
    or off; None when off."""
    alerts = [(m, relevant) for _, m, relevant in judged if m.score >= threshold]
    relevant = sum(r for _, r in alerts)
    if relevant in (0, len(alerts)):  # all one way (or none): nothing to tell apart
        return None, (f"term rule off: {relevant} alerts judged relevant and "
                      f"{len(alerts) - relevant} not; it needs both")  # fmt: skip
    labels = [r for _, r in alerts]
    left_out = [not _fit(alerts[:i] + alerts[i + 1 :]).drops(m) for i, (m, _) in enumerate(alerts)]
    plain, rule = f1([True] * len(alerts), labels), f1(left_out, labels)
    if rule <= plain:
        return None, f"term rule off: leave-one-out F1 {rule:.2f} <= {plain:.2f} plain"
    return _fit(alerts), f"term rule on: leave-one-out F1 {rule:.2f} > {plain:.2f} plain"


def _fit(alerts: Sequence[tuple[Match, bool]]) -> TermRule:
    good: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for match, verdict in alerts:
        for term in _terms(match):
            seen[term] += 1
            good[term] += verdict
    relevant = sum(r for _, r in alerts)
    precision = (relevant + PSEUDO_TOPIC * TYPICAL_PRECISION) / (len(alerts) + PSEUDO_TOPIC)
    return TermRule(precision, {t: (good[t], seen[t]) for t in sorted(seen)})


def to_text(rule: TermRule) -> dict[str, object]:
    """The rule as JSON-ready values (``model.to_json`` embeds them)."""
    return {"precision": rule.precision,
            "counts": [[t, good, seen] for t, (good, seen) in rule.counts.items()]}  # fmt: skip


def from_text(data: Mapping[str, Any]) -> TermRule:
    """``to_text``'s values read back."""
    return TermRule(float(data["precision"]),
                    {str(t): (int(g), int(s)) for t, g, s in data["counts"]})  # fmt: skip
