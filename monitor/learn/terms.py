"""The wrong-term rule: drop a candidate fired only by query terms the analyst's judgments condemn.

A topic's false alerts are often a term firing in a sense or a story the analyst does not want:
``"human trafficking"`` in articles about online casinos for a labour-migration topic, ``malaria``
in a piece on drug-resistant bacteria for an epidemics one. What carries over from the handful of
alerts she judges is which terms fired where: a term (in the headline or the text) seen in
alerts she judged not relevant and in none she judged relevant is *condemned*, and a new
candidate every one of whose fired terms is condemned is dropped. A candidate with one term
that fired in a relevant alert, or one never judged, is kept: the rule knows nothing against it.

It turns on with at least one alert judged relevant and ``MIN_UNLIKE`` judged not relevant,
and when leave-one-out on the judged alerts (each decided by the others' verdicts) does not
score below keeping them all. Like the near-alert rule (``nearest``) it decides on alerts only
(judged candidates the score keeps; a candidate re-admitted from below the threshold is the
logistic part's call). ``MIN_UNLIKE`` and the (term, field) key were chosen on the dev set and
the judged sets a-d (``benchmarks/feedback_eval.py --sets dev,a,b,c,d``: judging the term alone,
or the lexicon form that fired, dropped relevant floods and energy-price alerts), e and f held out.

Owns: training the rule, its decision, the reason in words, its JSON values.
Does not own: the near-alert rule (``nearest``), the logistic part and the JSON document
(``model``), matching (the terms and fields are the match's hits).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from monitor.learn.nearest import f1
from monitor.types import Document, Match

#: fewer judged not-relevant alerts than this: off
MIN_UNLIKE = 2


@dataclass(frozen=True, slots=True)
class WrongTerms:
    """A topic's condemned (term, field) pairs: fired in judged not-relevant alerts only."""

    #: ``<term>@<field>`` (the term as written, lower-cased), sorted
    condemned: tuple[str, ...]

    def drops(self, match: Match) -> bool:
        """True when every term that fired in ``match`` (where it fired) is condemned."""
        fired = keys(match)
        return bool(fired) and fired <= set(self.condemned)

    def why(self, match: Match) -> str:
        """The rule's decision in words (for ``monitor explain``)."""
        fired = ", ".join(sorted(keys(match)))
        if self.drops(match):
            return f"dropped: only terms seen in alerts judged not relevant fired ({fired})"
        return ""


def keys(match: Match) -> set[str]:
    """The (term, field) pairs that fired, as ``<term>@<field>``."""
    return {f"{h.term.lower()}@{h.field}" for h in match.hits}


def train(
    judged: Sequence[tuple[Document, Match, bool]], threshold: float
) -> tuple[WrongTerms | None, str]:
    """The rule from a topic's judged candidates (document, match, relevant), and why it is on
    or off; None when off."""
    alerts = [(m, relevant) for _, m, relevant in judged if m.score >= threshold]
    unlike = sum(not relevant for _, relevant in alerts)
    if unlike < MIN_UNLIKE or unlike == len(alerts):
        return None, (f"wrong-term rule off: {len(alerts) - unlike} alerts judged relevant and "
                      f"{unlike} not; it needs 1 and {MIN_UNLIKE}")  # fmt: skip
    verdicts = [relevant for _, relevant in alerts]
    plain, rule = f1([True] * len(verdicts), verdicts), f1(_left_out(alerts), verdicts)
    if rule < plain:
        return None, f"wrong-term rule off: leave-one-out F1 {rule:.2f} < {plain:.2f} plain"
    rule_on = _condemned(alerts)
    if not rule_on.condemned:
        return None, "wrong-term rule off: no term fired only in not-relevant alerts"
    return rule_on, (f"wrong-term rule on: {len(rule_on.condemned)} terms condemned, "
                     f"leave-one-out F1 {rule:.2f} >= {plain:.2f} plain")  # fmt: skip


def _left_out(alerts: Sequence[tuple[Match, bool]]) -> list[bool]:
    """Each judged alert kept or dropped by the rule trained on the others."""
    return [not _condemned([*alerts[:i], *alerts[i + 1 :]]).drops(match)
            for i, (match, _) in enumerate(alerts)]  # fmt: skip


def _condemned(alerts: Sequence[tuple[Match, bool]]) -> WrongTerms:
    liked: set[str] = set()
    unliked: set[str] = set()
    for match, relevant in alerts:
        (liked if relevant else unliked).update(keys(match))
    return WrongTerms(tuple(sorted(unliked - liked)))


def to_text(rule: WrongTerms) -> list[str]:
    """The rule as JSON-ready values (``model.to_json`` embeds them)."""
    return list(rule.condemned)


def from_text(data: list[str]) -> WrongTerms:
    """``to_text``'s values read back."""
    return WrongTerms(tuple(str(k) for k in data))
