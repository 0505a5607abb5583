"""Evaluating a watchlist against relevance judgments: precision, recall, F1 per topic and language.

Judgments are JSON Lines, one article each::

    {"id": "...", "title": "...", "text": "...", "lang": "id",
     "topics": {"russia-asean-security": 2}}

A grade of 1 or more is relevant; a topic absent from ``topics`` is 0 (not relevant). ``url``
and ``published`` may be given (``monitor match`` reads the same lines); any other key is an
error, as is a line with neither ``title`` nor ``text``: a file of another shape
(``{"topic": ..., "relevant": true}``, or grades without the articles) would otherwise score as
"relevant to nothing". Topics of the judgments that the watchlist does not define are not scored
(``unknown_topics`` counts them for a warning); a watchlist topic that no article is judged
relevant for has no recall (shown as "-").

Per topic and per (topic, language) we count true positives, false positives and false
negatives; precision = tp / (tp + fp), recall = tp / (tp + fn), F1 their harmonic mean. A
figure with a zero denominator is undefined (None) and left out of averages; F1 is 0 when there
are relevant articles and the topic matched none of them. Macro averages are the mean over
topics of the defined figures; per language, the mean over topics too.

For tuning, ``sweep`` gives the same figures per topic at a range of thresholds (the scores are
computed once) with the best one, and ``errors`` lists the false positives and the misses with
their scores (a miss whose query is not satisfied has no score).

Owns: reading judgments (line-numbered errors), the topics they grade, counting, averaging,
sweeping thresholds, listing errors, the reports as text/JSON.
Does not own: matching (``engine``); reading watchlists (``monitor.config``).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from monitor.match.bulk import check_judged_line, read_article
from monitor.match.engine import Matcher
from monitor.match.explain import compared
from monitor.types import Document

#: the grade from which a judgment counts as relevant
RELEVANT = 1
ALL = "all"
#: the thresholds ``monitor eval`` tries for each topic
SWEEP = tuple(round(0.05 * step, 2) for step in range(1, 15))


@dataclass(frozen=True, slots=True)
class Judged:
    """One judged article."""

    document: Document
    #: ids of the topics it is relevant to (grade >= RELEVANT)
    relevant: frozenset[str]
    #: ids of every topic its line grades (0 too)
    listed: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Counts:
    """Confusion counts of one topic on one slice of the articles."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        if self.tp + self.fn == 0:
            return None
        p, r = self.precision or 0.0, self.recall or 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the report: a topic (or the macro average) on a language (or all)."""

    topic: str
    #: ISO code, "all", or "?" for articles without a language
    lang: str
    counts: Counts
    precision: float | None
    recall: float | None
    f1: float | None


@dataclass(frozen=True, slots=True)
class Report:
    """Every row: per topic x language (``all`` first), then ``macro`` per language."""

    rows: tuple[Row, ...]
    articles: int

    def row(self, topic: str, lang: str = ALL) -> Row | None:
        return next((r for r in self.rows if r.topic == topic and r.lang == lang), None)


def read_judgments(lines: Iterable[str]) -> list[Judged]:
    """Judged articles from JSON Lines; ValueError naming the line on a malformed one."""
    judged = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        document = read_article(line, number)
        data = json.loads(line)
        check_judged_line(data, number)
        topics = data.get("topics") or {}
        if not isinstance(topics, dict) or not all(
            isinstance(g, int | float) and not isinstance(g, bool) for g in topics.values()
        ):
            raise ValueError(f"line {number}: 'topics' must map topic ids to grades 0, 1 or 2")
        relevant = frozenset(t for t, grade in topics.items() if grade >= RELEVANT)
        judged.append(Judged(document, relevant, frozenset(topics)))
    return judged


def unknown_topics(judged: Iterable[Judged], topics: Collection[str]) -> Counter[str]:
    """The judgments' topic ids that are not in ``topics``, each with how many articles grade it
    (they are not scored)."""
    return Counter(t for item in judged for t in item.listed if t not in topics)


def duplicate_ids(judged: Iterable[Judged]) -> Counter[str]:
    """The article ids on more than one line, each with its number of lines: each line is
    scored, so such an article counts as many times (a warning says so)."""
    lines = Counter(item.document.id for item in judged)
    return Counter({article: n for article, n in lines.items() if n > 1})


def ungraded(judged: Iterable[Judged], topics: Sequence[str]) -> list[str]:
    """The topics no line grades at all, in ``topics``' order: every article one of them
    matches counts as a false positive (absent is grade 0), which is worth a note, as the
    labels may simply not be about it."""
    listed = {t for item in judged for t in item.listed}
    return [t for t in topics if t not in listed]


def grades_any(judged: Iterable[Judged], topics: Collection[str]) -> bool:
    """Whether some article grades one of ``topics`` (else every figure is 0 or undefined)."""
    return any(not item.listed.isdisjoint(topics) for item in judged)


@dataclass(frozen=True, slots=True)
class Scores:
    """Every judged article's scores: topic -> score for the topics whose query it satisfies."""

    judged: tuple[Judged, ...]
    scores: tuple[dict[str, float], ...]


@dataclass(frozen=True, slots=True)
class Point:
    """One topic's figures at one threshold."""

    topic: str
    threshold: float
    counts: Counts


@dataclass(frozen=True, slots=True)
class Error:
    """A false positive (matched, judged not relevant) or a miss (relevant, not matched)."""

    topic: str
    #: "false positive" or "miss"
    kind: str
    #: the score; None when the query is not satisfied at all
    score: float | None
    document: Document
    #: the topic's threshold the score was held against
    threshold: float


def score_judged(matcher: Matcher, judged: Sequence[Judged]) -> Scores:
    """Score every judged article once (thresholds are applied later)."""
    return Scores(tuple(judged), tuple(matcher.scores(item.document) for item in judged))


def evaluate(matcher: Matcher, topics: Sequence[str], judged: Sequence[Judged]) -> Report:
    """Match every judged article and compare with the judgments."""
    return report(score_judged(matcher, judged), _thresholds(matcher, topics))


def report(scored: Scores, thresholds: dict[str, float]) -> Report:
    """The report for the topics of ``thresholds``, each matched at its own threshold."""
    topics = list(thresholds)
    counts: dict[tuple[str, str], Counts] = {}
    for item, scores in zip(scored.judged, scored.scores, strict=True):
        found = {t for t, score in scores.items() if t in thresholds and score >= thresholds[t]}
        lang = item.document.lang or "?"
        for topic in topics:
            one = _count(topic in found, topic in item.relevant)
            for key in ((topic, ALL), (topic, lang)):
                counts[key] = counts.get(key, Counts()) + one
    languages = [ALL, *sorted({lang for _, lang in counts} - {ALL})]
    rows = [
        _row(topic, lang, counts.get((topic, lang), Counts()))
        for topic in topics
        for lang in languages
    ]
    rows += [_macro(rows, lang) for lang in languages]
    return Report(tuple(rows), len(scored.judged))


def sweep(
    scored: Scores, current: Mapping[str, float], thresholds: Sequence[float] = SWEEP
) -> list[Point]:
    """Each topic's counts at each threshold and at its ``current`` one (off the grid too: a
    topic at 0.12 gets its row), topic by topic, thresholds ascending."""
    points = []
    for topic, own in current.items():
        for threshold in sorted({*thresholds, own}):  # the grid's 0.15 is the float 0.15
            one = report(scored, {topic: threshold}).row(topic)
            points.append(Point(topic, threshold, one.counts if one else Counts()))
    return points


def best(points: Sequence[Point], topic: str) -> Point | None:
    """The topic's point with the highest F1 (the higher threshold on a tie); None if no F1."""
    mine = [p for p in points if p.topic == topic and p.counts.f1 is not None]
    return max(mine, key=lambda p: (p.counts.f1 or 0.0, p.threshold), default=None)


def errors(scored: Scores, thresholds: dict[str, float]) -> list[Error]:
    """False positives and misses of each topic at its threshold, highest score first."""
    found = []
    for item, scores in zip(scored.judged, scored.scores, strict=True):
        for topic, threshold in thresholds.items():
            score = scores.get(topic)
            matched = score is not None and score >= threshold
            relevant = topic in item.relevant
            if matched != relevant:
                kind = "false positive" if matched else "miss"
                found.append(Error(topic, kind, score, item.document, threshold))
    return sorted(found, key=lambda e: (e.topic, e.kind, -(e.score or -1.0), e.document.id))


def _thresholds(matcher: Matcher, topics: Sequence[str]) -> dict[str, float]:
    own = {t.id: t.threshold for t in matcher.topics}
    return {topic: own[topic] for topic in topics}


def _count(matched: bool, relevant: bool) -> Counts:
    return Counts(tp=int(matched and relevant), fp=int(matched and not relevant),
                  fn=int(relevant and not matched))  # fmt: skip


def _row(topic: str, lang: str, counts: Counts) -> Row:
    return Row(topic, lang, counts, counts.precision, counts.recall, counts.f1)


def _macro(rows: Sequence[Row], lang: str) -> Row:
    mine = [r for r in rows if r.lang == lang]
    total = sum((r.counts for r in mine), Counts())
    return Row(
        "macro",
        lang,
        total,
        _mean(r.precision for r in mine),
        _mean(r.recall for r in mine),
        _mean(r.f1 for r in mine),
    )


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def report_text(report: Report) -> str:
    """The report as an aligned table."""
    header = ["topic", "lang", "relevant", "matched", "tp", "precision", "recall", "f1"]
    lines = [header]
    for r in report.rows:
        c = r.counts
        lines.append([
            r.topic, r.lang, str(c.tp + c.fn), str(c.tp + c.fp), str(c.tp),
            _show(r.precision), _show(r.recall), _show(r.f1),
        ])  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            for line in lines]  # fmt: skip
    return "\n".join([f"articles: {report.articles}", *text])


def report_json(report: Report) -> dict[str, object]:
    """The report as plain data (``monitor eval --json``)."""
    return {
        "articles": report.articles,
        "rows": [
            {
                "topic": r.topic,
                "lang": r.lang,
                "tp": r.counts.tp,
                "fp": r.counts.fp,
                "fn": r.counts.fn,
                "precision": _round(r.precision),
                "recall": _round(r.recall),
                "f1": _round(r.f1),
            }
            for r in report.rows
        ],
    }


def sweep_text(points: Sequence[Point], thresholds: dict[str, float]) -> str:
    """Per topic, the figures at each threshold, with the topic's own and the best marked."""
    lines = [["topic", "threshold", "matched", "tp", "precision", "recall", "f1", ""]]
    for topic, own in thresholds.items():
        top = best(points, topic)
        for p in (p for p in points if p.topic == topic):
            c = p.counts
            marks = ["best"] * (p is top) + ["current"] * (abs(p.threshold - own) < 1e-9)
            figures = [_show(c.precision), _show(c.recall), _show(c.f1)]
            row = [topic, f"{p.threshold:.2f}", str(c.tp + c.fp), str(c.tp), *figures]
            lines.append([*row, " ".join(marks)])
    return _aligned(lines)


def sweep_json(points: Sequence[Point]) -> list[dict[str, object]]:
    return [
        {"topic": p.topic, "threshold": p.threshold, "tp": p.counts.tp, "fp": p.counts.fp,
         "fn": p.counts.fn, "precision": _round(p.counts.precision),
         "recall": _round(p.counts.recall), "f1": _round(p.counts.f1)}
        for p in points
    ]  # fmt: skip


def errors_text(found: Sequence[Error]) -> str:
    """One line per error: topic, kind, score (``-``: query not satisfied), id, lang, title."""
    lines = [["topic", "error", "score", "id", "lang", "title"]]
    for e in found:
        # a miss just under the threshold shows under it (0.199, not 0.200 at 0.20)
        score = "-" if e.score is None else compared(e.score, e.threshold)[0]
        title = " ".join(e.document.title.split())[:80]
        lines.append([e.topic, e.kind, score, e.document.id, e.document.lang or "?", title])
    return _aligned(lines)


def errors_json(found: Sequence[Error]) -> list[dict[str, object]]:
    return [
        {"topic": e.topic, "error": e.kind, "score": None if e.score is None else round(e.score, 4),
         "id": e.document.id, "lang": e.document.lang, "title": e.document.title}
        for e in found
    ]  # fmt: skip


def _aligned(lines: list[list[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
        for line in lines
    )


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
