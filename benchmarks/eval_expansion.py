"""Expansion on against off: untuned boolean watchlists on judgments, macro P/R/F1 per style.

    .venv/bin/python benchmarks/eval_expansion.py [--labels /work/shared/eval/dev.jsonl]

Scores each watchlist of ``WATCHLISTS`` twice, as written (expansion on, the default) and with
``expand: false`` on every topic, and prints one table (macro precision, recall and F1 over the
topics) at the topics' own thresholds (the default one when they give none) and as plain boolean
filters (threshold 0: what expansion alone does, before any scoring). Then, for the English-only
style with expansion on, the pooled recall per language and its ratio to the English recall (the
bar: >= 0.8 for id, ms, vi and ru). Expansion on must never score below off.
"""

from __future__ import annotations

from pathlib import Path

from judgedsets import TEST_WATCHLISTS, judged_articles, parser, print_recall_ratios, topics_of

from monitor.match import Matcher
from monitor.match.evaluation import Judged, Report, evaluate

WATCHLISTS = {
    "multilingual expert": TEST_WATCHLISTS / "dev-expert.yaml",
    "English-only": TEST_WATCHLISTS / "dev-english.yaml",
}


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    judged = judged_articles(args.labels)
    print("| watchlist | expansion | threshold | macro P | macro R | macro F1 |")
    print("|---|---|---|---|---|---|")
    english: Report | None = None
    for name, path in WATCHLISTS.items():
        for boolean in (False, True):
            for expand in (False, True):
                report = _report(path, expand, boolean, judged)
                macro = report.row("macro")
                assert macro is not None
                cells = [_show(macro.precision), _show(macro.recall), _show(macro.f1)]
                where = "0 (boolean)" if boolean else "topic's"
                print(f"| {name} | {'on' if expand else 'off'} | {where} | {' | '.join(cells)} |")
                if expand and not boolean and name == "English-only":
                    english = report
    if english is not None:
        print("\nEnglish-only, expansion on: pooled recall per language, and its ratio to English")
        print_recall_ratios(english)


def _report(path: Path, expand: bool, boolean: bool, judged: list[Judged]) -> Report:
    topics = topics_of(path, expand=expand, boolean=boolean)
    return evaluate(Matcher(topics), [t.id for t in topics], judged)


def _show(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


if __name__ == "__main__":
    main()
