"""Score the shipped and the English-only watchlists on the dev judgments, per topic and language.

    .venv/bin/python benchmarks/eval_dev.py [--labels /work/shared/eval/dev.jsonl]

Prints ``monitor eval``'s table for each watchlist, then, for the English-only watchlist, the
pooled recall per language (all topics: tp / relevant) and its ratio to the English recall: the
issue's bar is >= 0.8 for id, ms, vi and ru.
"""

from __future__ import annotations

from judgedsets import ROOT, TEST_WATCHLISTS, judged_articles, parser, print_recall_ratios

from monitor.config import load_watchlist
from monitor.match import Matcher
from monitor.match.evaluation import evaluate, report_text

WATCHLISTS = {
    "shipped (config/watchlists/security.yaml)": ROOT / "config" / "watchlists" / "security.yaml",
    "English-only (tests/data/watchlists/english-only.yaml)": TEST_WATCHLISTS / "english-only.yaml",
}


def main() -> None:
    args = parser(__doc__.splitlines()[0]).parse_args()
    judged = judged_articles(args.labels)
    for name, path in WATCHLISTS.items():
        topics = load_watchlist(path)
        report = evaluate(Matcher(topics), [t.id for t in topics], judged)
        print(f"\n== {name}\n{report_text(report)}")
    print("\n== English-only: pooled recall per language, and its ratio to English")
    print_recall_ratios(report)


if __name__ == "__main__":
    main()
