"""Score the shipped and the English-only watchlists on the dev judgments, per topic and language.

    .venv/bin/python benchmarks/eval_dev.py [--labels /work/shared/eval/dev.jsonl]

Prints ``monitor eval``'s table for each watchlist, then, for the English-only watchlist, the
pooled recall per language (all topics: tp / relevant) and its ratio to the English recall: the
issue's bar is >= 0.8 for id, ms, vi and ru.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from monitor.config import load_watchlist
from monitor.match import Matcher
from monitor.match.evaluation import Report, evaluate, read_judgments, report_text

ROOT = Path(__file__).resolve().parent.parent
LABELS = Path("/work/shared/eval/dev.jsonl")
WATCHLISTS = {
    "shipped (config/watchlists/security.yaml)": ROOT / "config" / "watchlists" / "security.yaml",
    "English-only (tests/data/watchlists/english-only.yaml)": (
        ROOT / "tests" / "data" / "watchlists" / "english-only.yaml"
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS)
    args = parser.parse_args()
    judged = read_judgments(args.labels.read_text(encoding="utf-8").split("\n"))
    for name, path in WATCHLISTS.items():
        topics = load_watchlist(path)
        report = evaluate(Matcher(topics), [t.id for t in topics], judged)
        print(f"\n== {name}\n{report_text(report)}")
    print("\n== English-only: pooled recall per language, and its ratio to English")
    _recall_ratios(report)


def _recall_ratios(report: Report) -> None:
    pooled = {r.lang: r.counts for r in report.rows if r.topic == "macro"}
    english = pooled["en"].recall or 0.0
    for lang, counts in pooled.items():
        recall = counts.recall or 0.0
        ratio = recall / english if english else 0.0
        relevant = counts.tp + counts.fn
        print(f"{lang:4} relevant {relevant:3}  recall {recall:.3f}  ratio {ratio:.2f}")


if __name__ == "__main__":
    main()
