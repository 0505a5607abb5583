"""A topic's learned filter: trained from judged candidates, kept only where it is shown to help.

The boolean query and the score propose candidates; the filter only keeps or drops them and
ranks what it keeps. It never adds a match.

Training (``train``), on the topic's judged articles that its query matches now (so an edit of
the query keeps the judgments: the evidence is recomputed, the verdicts stay):

1. Too few judgments (``MIN_JUDGMENTS``) or too few of either verdict (``MIN_EACH``: a topic
   judged all relevant or all not relevant teaches nothing to tell apart): inactive.
2. Logistic regression over ``features.rows`` (the match's evidence, which query terms fired,
   hashed words and characters), L2-regularised.
3. Cross-validation on the judgments: out-of-fold probabilities, shrunk toward "keep" (the plain
   score's decision) by ``PRIOR`` pseudo-judgments, decide each candidate; the filter turns on
   only when its F1 over the judged candidates beats keeping them all by ``MARGIN``.
4. The final model is fitted on every judgment.

Owns: training, the keep/drop decision and its probability, the top features of one decision,
and the model as JSON (coefficients, never pickle).
Does not own: where judgments come from (the store, a feedback file), matching, feature
definitions (``features``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from monitor.learn import features
from monitor.types import Document, Match

#: fewer judged candidates than this: the filter stays off (the plain score decides)
MIN_JUDGMENTS = 12
#: fewer of either verdict than this: stays off
MIN_EACH = 3
#: pseudo-judgments of "keep" the learned probability is shrunk toward
PRIOR = 4.0
#: cross-validated F1 must beat keeping every candidate by this much
MARGIN = 0.02
#: inverse regularisation strength of the logistic regression
C = 1.0
#: folds of the cross-validation (fewer when a verdict has fewer judgments)
FOLDS = 5
#: a shrunk probability below this drops the candidate
CUTOFF = 0.5
#: smaller coefficients are not saved
WEIGHT_FLOOR = 1e-4


@dataclass(frozen=True, slots=True)
class Judgment:
    """One judged article of a topic, with the topic's current match of it."""

    document: Document
    #: the topic's match of the document now; None when the query does not match it (then it
    #: teaches nothing about which candidates to keep, and is left out of training)
    match: Match | None
    relevant: bool


@dataclass(frozen=True, slots=True)
class LearnedFilter:
    """What a topic learned from its judgments (inactive: the plain score decides)."""

    topic: str
    #: True when cross-validation showed the filter beats the plain score
    active: bool
    #: why it is on or off, for ``monitor topics``
    reason: str
    #: judged candidates it was trained on, and how many of them relevant
    judgments: int = 0
    relevant: int = 0
    #: cross-validated F1 over the judged candidates: keeping them all, and filtering
    cv_plain: float | None = None
    cv_learned: float | None = None
    intercept: float = 0.0
    #: non-zero coefficients: (column, weight), column order
    weights: tuple[tuple[int, float], ...] = field(default=())
    version: str = features.VERSION

    def probability(self, doc: Document, match: Match) -> float:
        """The shrunk probability that ``match`` is worth an alert (1.0 when inactive)."""
        if not self.active:
            return 1.0
        return self.probabilities([(doc, match)])[0]

    def probabilities(self, items: Sequence[tuple[Document, Match]]) -> list[float]:
        if not self.active:
            return [1.0] * len(items)
        import numpy as np

        x = features.rows(items)
        columns = np.array([c for c, _ in self.weights], dtype=np.int64)
        values = np.array([w for _, w in self.weights])
        margin = x[:, columns] @ values + self.intercept
        return [_shrink(float(p), self.judgments) for p in 1 / (1 + np.exp(-margin))]

    def keeps(self, doc: Document, match: Match) -> bool:
        return self.probability(doc, match) >= CUTOFF

    def contributions(self, doc: Document, match: Match, top: int = 8) -> list[tuple[str, float]]:
        """The features that moved this decision most, in words, with their pull (+ keeps)."""
        x = features.rows([(doc, match)]).tocsr()
        weights = dict(self.weights)
        pulls = [(int(c), float(v) * weights[c]) for c, v in zip(x.indices, x.data, strict=True)
                 if c in weights]  # fmt: skip
        pulls.sort(key=lambda cw: -abs(cw[1]))
        return [(features.describe(c, [(doc, match)]), w) for c, w in pulls[:top]]


def _shrink(p: float, judgments: int) -> float:
    """``p`` pulled toward 1 (keep, as the plain score does) by ``PRIOR`` pseudo-judgments."""
    return (judgments * p + PRIOR) / (judgments + PRIOR)


def train(topic: str, judged: Sequence[Judgment]) -> LearnedFilter:
    """Learn ``topic``'s filter from its judgments (see the module docstring)."""
    candidates = [j for j in judged if j.match is not None]
    n, relevant = len(candidates), sum(j.relevant for j in candidates)
    off = _too_few(n, relevant)
    if off:
        return LearnedFilter(topic, False, off, n, relevant)
    items = [(j.document, j.match) for j in candidates]
    labels = [j.relevant for j in candidates]
    x = features.rows(items)
    plain, learned = _cross_validated(x, labels)
    model = _fit(x, labels)
    active = learned >= plain + MARGIN
    reason = (
        f"on: cross-validated F1 {learned:.2f} > {plain:.2f} keeping all"
        if active
        else f"off: cross-validated F1 {learned:.2f} does not beat {plain:.2f} keeping all"
    )
    coef = model.coef_[0]
    # an inactive filter decides nothing: its coefficients are not kept. Below WEIGHT_FLOOR a
    # coefficient moves no decision (features are at most 1) but would fill the saved JSON.
    kept = (abs(coef) >= WEIGHT_FLOOR).nonzero()[0] if active else []
    weights = tuple((int(c), round(float(coef[c]), 5)) for c in kept)
    return LearnedFilter(topic, active, reason, n, relevant, round(plain, 4), round(learned, 4),
                         float(model.intercept_[0]), weights)  # fmt: skip


def _too_few(n: int, relevant: int) -> str:
    if n < MIN_JUDGMENTS:
        return f"off: {n} judged matches, it learns from {MIN_JUDGMENTS}"
    if relevant < MIN_EACH or n - relevant < MIN_EACH:
        return (
            f"off: {relevant} relevant and {n - relevant} not relevant; it needs {MIN_EACH} of each"
        )
    return ""


def _fit(x, labels: Sequence[bool]):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=C, solver="liblinear", class_weight="balanced")
    model.fit(x, labels)
    return model


def _cross_validated(x, labels: Sequence[bool]) -> tuple[float, float]:
    """F1 over the judged candidates: keeping all, and keeping what out-of-fold models keep."""
    from sklearn.model_selection import StratifiedKFold

    n = len(labels)
    folds = min(FOLDS, sum(labels), n - sum(labels))
    kept = [True] * n
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    for fit_rows, test_rows in splitter.split(x, labels):
        model = _fit(x[fit_rows], [labels[i] for i in fit_rows])
        for i, p in zip(test_rows, model.predict_proba(x[test_rows])[:, 1], strict=True):
            kept[i] = _shrink(float(p), len(fit_rows)) >= CUTOFF
    return _f1([True] * n, labels), _f1(kept, labels)


def _f1(kept: Sequence[bool], labels: Sequence[bool]) -> float:
    tp = sum(k and y for k, y in zip(kept, labels, strict=True))
    fp = sum(k and not y for k, y in zip(kept, labels, strict=True))
    fn = sum(y and not k for k, y in zip(kept, labels, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


# --- JSON ---------------------------------------------------------------------------------------


def to_json(model: LearnedFilter) -> str:
    """The model as JSON text (what the store keeps)."""
    data = {
        "topic": model.topic, "active": model.active, "reason": model.reason,
        "judgments": model.judgments, "relevant": model.relevant,
        "cv_plain": model.cv_plain, "cv_learned": model.cv_learned,
        "intercept": model.intercept, "weights": [list(cw) for cw in model.weights],
        "version": model.version,
    }  # fmt: skip
    return json.dumps(data, separators=(",", ":"))


def from_json(text: str) -> LearnedFilter | None:
    """A model saved by ``to_json``; None when it is of another feature version (retrain)."""
    data = json.loads(text)
    if data.get("version") != features.VERSION:
        return None
    return LearnedFilter(
        topic=str(data["topic"]),
        active=bool(data["active"]),
        reason=str(data["reason"]),
        judgments=int(data["judgments"]),
        relevant=int(data["relevant"]),
        cv_plain=data["cv_plain"],
        cv_learned=data["cv_learned"],
        intercept=float(data["intercept"]),
        weights=tuple((int(c), float(w)) for c, w in data["weights"]),
        version=str(data["version"]),
    )
