"""Relevance feedback, measured by the protocol of issue 12, per topic.

    .venv/bin/python benchmarks/feedback_eval.py [--judged DIR] [--dev FILE] [--sets S] [--json]

``--sets dev,a,b`` runs only those sets (default: all). Sets e, f, g, h, i, j, k, l and m are
held out (``judgedsets``): choose and tune on the others (``--sets dev,a,b,c,d``) and run e, f, g,
h, i, j, k, l and m once each, to report (``--sets m``).

For each judged set and each of its watchlists:

1. split the judged articles 30/70 by a hash of their id (sha256, first 8 hex digits, mod 100);
2. match the 30% without feedback; judge each alert produced there with the labels, as the
   analyst would (she marks what she received: relevant or not relevant);
3. learn from those judgments (``monitor.learn.learn``: the code ``monitor match --feedback``
   and the daemon use), once with all of them and once with only each topic's first 10;
4. match the 70% and score it, per topic, without feedback, with all judgments, with 10.

Prints one table per set and watchlist: F1 on the 70% for each topic and the macro average, the
alerts judged, whether the learned filter turned itself on, and the ceiling: the best F1 a filter
that only keeps or drops can reach there (every false positive dropped, the query's recall),
with that recall ("recall"; "recall bool.": the boolean query's, whatever the score). Under each
table, the check the issue asks for: with only 10 judgments per topic, no topic scores below the
plain score (and the topics that do, if any).

Beyond the protocol, one more column ("+below") shows what a filter that may re-admit
candidates below the threshold does when the analyst has also judged the 30%'s candidates the
boolean query accepts but the score drops (judgments made elsewhere, ``feedback --import``);
"ceiling bool." is the best F1 any filter of the boolean query's candidates can reach.
Sets: the dev set (``/work/shared/eval/dev.jsonl`` with the shipped and English-only
watchlists) and the judged sets ``benchmarks/judged/judgments-*.jsonl`` with their watchlists
(English-only and multilingual), where present.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from judgedsets import LABELS as DEV
from judgedsets import ROOT, TEST_WATCHLISTS, judged_articles

from monitor.config import load_watchlist
from monitor.learn import PLAIN, Filters, Refiner, learn
from monitor.match import Matcher
from monitor.match.evaluation import Counts, Judged
from monitor.types import Document, Match

DEV_WATCHLISTS = (
    ROOT / "config" / "watchlists" / "security.yaml",
    TEST_WATCHLISTS / "english-only.yaml",
)
LEARN_PERCENT = 30
FEW = 10


def in_learning_part(article_id: str) -> bool:
    """The 30%: by a hash of the id, so the split is the same on every run and machine."""
    digest = hashlib.sha256(article_id.encode("utf-8")).hexdigest()
    return int(digest[:8], 16) % 100 < LEARN_PERCENT


def run(labels: Path, watchlist: Path) -> dict[str, object]:
    """The protocol on one judged set and one watchlist; per-topic figures."""
    topics = load_watchlist(watchlist)
    ids = [t.id for t in topics]
    judged = judged_articles(labels)
    thresholds = {t.id: t.threshold for t in topics}
    matcher = Matcher(topics)
    learning = [j for j in judged if in_learning_part(j.document.id)]
    scoring = [j for j in judged if not in_learning_part(j.document.id)]
    alerts = _judged(matcher, learning)
    first = _first(alerts, FEW)
    full = Filters(learn(topics, alerts, matcher))
    few = Filters(learn(topics, first, matcher))
    below = Filters(learn(topics, _judged(matcher, learning, below=ids), matcher))
    # matched once, thresholds not applied: each refiner gets the plain matches, plus the
    # candidates below the threshold of the topics it re-admits for
    scored = [(item, matcher.match(item.document, below=ids)) for item in scoring]
    rows = {}
    for topic in ids:
        model, small, more = full.get(topic), few.get(topic), below.get(topic)
        mine = [(item, tuple(m for m in ms if m.topic == topic)) for item, ms in scored]
        rows[topic] = {
            "judged": sum(topic in v for _, v in alerts),
            "plain": _f1(PLAIN, mine, topic, thresholds),
            "ceiling": _ceiling(mine, topic, thresholds[topic]),
            "recall": _recall(mine, topic, thresholds[topic]),
            "recall_bool": _recall(mine, topic, 0.0),
            "feedback": _f1(full, mine, topic, thresholds),
            "ten": _f1(few, mine, topic, thresholds),
            "below": _f1(below, mine, topic, thresholds),
            "ceiling_bool": _ceiling(mine, topic, 0.0),
            "active": bool(model and model.active),
            "active_ten": bool(small and small.active),
            "readmits": bool(more and more.active and more.readmits),
        }
    return rows


def _judged(
    matcher: Matcher, learning: Sequence[Judged], below: Sequence[str] = ()
) -> list[tuple[Document, dict[str, bool]]]:
    """What the analyst received from the 30%, judged: one verdict per alert; with ``below``
    (topic ids), also those topics' candidates the boolean query accepts, whatever their score.
    """
    out = []
    for item in learning:
        found = matcher.match(item.document, below=below)
        if found:
            out.append((item.document, {m.topic: m.topic in item.relevant for m in found}))
    return out


def _first(alerts, n: int) -> list[tuple[Document, dict[str, bool]]]:
    """Only each topic's first ``n`` judged alerts (in the order the hash sorts the ids)."""
    order = sorted(alerts, key=lambda a: hashlib.sha256(a[0].id.encode()).hexdigest())
    seen: dict[str, int] = {}
    out = []
    for doc, verdicts in order:
        kept = {}
        for topic, verdict in verdicts.items():
            if seen.get(topic, 0) < n:
                seen[topic] = seen.get(topic, 0) + 1
                kept[topic] = verdict
        if kept:
            out.append((doc, kept))
    return out


def _f1(
    refiner: Refiner,
    scored: Sequence[tuple[Judged, tuple[Match, ...]]],
    topic: str,
    thresholds: dict[str, float],
) -> float | None:
    """F1 of ``topic``, its candidates (``scored``) as ``refiner`` keeps them."""
    counts = Counts()
    for item, candidates in scored:
        given = [m for m in candidates
                 if m.score >= thresholds[m.topic] or m.topic in refiner.readmitting]  # fmt: skip
        found = refiner.refine(item.document, given)
        matched, relevant = bool(found), topic in item.relevant
        counts += Counts(int(matched and relevant), int(matched and not relevant),
                         int(relevant and not matched))  # fmt: skip
    return counts.f1


def _ceiling(
    scored: Sequence[tuple[Judged, tuple[Match, ...]]], topic: str, threshold: float
) -> float | None:
    """The best F1 a filter of the candidates at or above ``threshold`` can reach: every false
    positive dropped (precision 1, the candidates' recall)."""
    recall = _recall(scored, topic, threshold)
    return None if recall is None else 2 * recall / (1 + recall)


def _recall(
    scored: Sequence[tuple[Judged, tuple[Match, ...]]], topic: str, threshold: float
) -> float | None:
    """The share of ``topic``'s relevant articles among its candidates at or above
    ``threshold``: what no filter of them can pass."""
    relevant = sum(topic in item.relevant for item, _ in scored)
    found = sum(topic in item.relevant and any(m.score >= threshold for m in ms)
                for item, ms in scored)  # fmt: skip
    return found / relevant if relevant else None


def _sets(judged_dir: Path, dev: Path, only: Sequence[str] = ()) -> list[tuple[str, Path, Path]]:
    """(name, labels, watchlist) of each set; ``only``: these set names ("dev", "a", ...)."""
    sets = [(f"dev / {w.name}", dev, w) for w in DEV_WATCHLISTS
            if dev.exists() and (not only or "dev" in only)]  # fmt: skip
    for labels in sorted(judged_dir.glob("judgments-*.jsonl")):
        letter = labels.stem.split("-", 1)[1]
        if only and letter not in only:
            continue
        for kind in ("english", "multilingual"):
            watchlist = judged_dir / "watchlists" / f"{kind}-{letter}.yaml"
            if watchlist.exists():
                sets.append((f"judged-{letter} / {watchlist.name}", labels, watchlist))
    return sets


def _macro(values: list[object]) -> str:
    defined = [v for v in values if isinstance(v, float)]
    return _show(sum(defined) / len(defined) if defined else None)


def _show(value: object) -> str:
    return "-" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def _table(name: str, rows: dict[str, dict[str, object]]) -> str:
    header = ["topic", "judged", "F1 plain", "F1 feedback", "F1 10 judg.", "filter", "filter 10",
              "F1 ceiling", "recall", "F1 +below", "re-admits", "ceiling bool.",
              "recall bool."]  # fmt: skip
    lines = [header]
    for topic, r in rows.items():
        lines.append([topic, _show(r["judged"]), _show(r["plain"]), _show(r["feedback"]),
                      _show(r["ten"]), "on" if r["active"] else "off",
                      "on" if r["active_ten"] else "off", _show(r["ceiling"]),
                      _show(r["recall"]), _show(r["below"]), "yes" if r["readmits"] else "no",
                      _show(r["ceiling_bool"]), _show(r["recall_bool"])])  # fmt: skip
    macro = {k: _macro([r[k] for r in rows.values()])
             for k in ("plain", "feedback", "ten", "ceiling", "recall", "below", "ceiling_bool",
                       "recall_bool")}  # fmt: skip
    lines.append(["macro", "", macro["plain"], macro["feedback"], macro["ten"], "", "",
                  macro["ceiling"], macro["recall"], macro["below"], "", macro["ceiling_bool"],
                  macro["recall_bool"]])  # fmt: skip
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    body = ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
            for line in lines]  # fmt: skip
    return "\n".join([f"== {name}", *body, _never_worse(rows)])


def _never_worse(rows: dict[str, dict[str, object]]) -> str:
    """The issue's check: with only 10 judgments per topic, is any topic below the plain score?"""
    worse = [topic for topic, r in rows.items() if _below(r["ten"], r["plain"])]
    verdict = "yes" if not worse else "NO (" + ", ".join(worse) + ")"
    return f"10 judgments never worse than none: {verdict}"


def _below(value: object, plain: object) -> bool:
    """``value`` (an F1; None: nothing matched, 0) is below ``plain`` (None: nothing to lose)."""
    return isinstance(plain, float) and (value if isinstance(value, float) else 0.0) < plain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--judged", type=Path, default=ROOT / "benchmarks" / "judged")
    parser.add_argument("--dev", type=Path, default=DEV)
    parser.add_argument("--sets", default="", help="only these sets, e.g. dev,a,b (default: all)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    only = [s for s in args.sets.split(",") if s]
    results = {name: run(labels, w) for name, labels, w in _sets(args.judged, args.dev, only)}
    if args.json:
        print(json.dumps(results, indent=1))
        return
    for name, rows in results.items():
        print(_table(name, rows) + "\n")


if __name__ == "__main__":
    main()
