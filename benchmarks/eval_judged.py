"""Untuned watchlists on every judged set: macro precision / recall / F1, per set and pooled.

    .venv/bin/python benchmarks/eval_judged.py

For the dev judgments (``../shared/eval/dev.jsonl`` with ``tests/data/watchlists/untuned-*.yaml``)
and the judged sets a to m of ``benchmarks/judged/`` (each with the two watchlists its assessors
wrote before judging), scores the multilingual watchlist with expansion on and off and the
English-only one with expansion on, at the topics' own thresholds (the default: none is given).
Macro figures average the topics that have relevant articles (set c's wildlife topic has none).
"untuned" pools a, b, c and d: the topics no part of the matcher was tuned on (set d was made
after the others, and nothing has been tuned on it); the last columns
add the held-out sets, made after d, that nothing may be tuned on (report them, never fit to
them): e, then e and f (f was made after e by the same method), then e, f and g (g was made after
f by the same method), then e to h (h was made after g by the same method; its fires-explosions
topic has only 4 relevant articles), then e to i (i was made after h by the same method), then
e to j (j was made after i by the same method), then e to k (k was made after j by the same
method), then e to l (l was made after k by the same method), then e to m (m was made after l
by the same method). Then the English-only recall per language, pooled over each set's topics,
as a ratio to English recall.

The README ("Measuring a watchlist") holds the current per-set table;
``benchmarks/QUALITY.md`` keeps every earlier run, per set and per change.
"""

from __future__ import annotations

from pathlib import Path

from judgedsets import (
    HELD_OUT_SETS,
    JUDGED,
    LABELS,
    TEST_WATCHLISTS,
    UNTUNED_SETS,
    judged_articles,
    topics_of,
)

from monitor.match import Matcher
from monitor.match.evaluation import Counts, Report, evaluate

#: set -> (judgments, multilingual watchlist, English-only watchlist)
SETS = {
    "dev": (
        LABELS,
        TEST_WATCHLISTS / "untuned-expert.yaml",
        TEST_WATCHLISTS / "untuned-english.yaml",
    ),
    **{
        name: (
            JUDGED / f"judgments-{name}.jsonl",
            JUDGED / "watchlists" / f"multilingual-{name}.yaml",
            JUDGED / "watchlists" / f"english-{name}.yaml",
        )
        for name in (*UNTUNED_SETS, *HELD_OUT_SETS)
    },
}
#: the pooled columns: the untuned sets, the same with held-out set e (as first reported), with
#: e and f (as reported next), with e, f and g (as reported after), with e to h, with e to i, with
#: e to j, with e to k, with e to l, and with every held-out set
POOLS = (("untuned (a, b, c, d)", UNTUNED_SETS),
         ("untuned + held-out (a-e)", (*UNTUNED_SETS, "e")),
         ("untuned + held-out (a-f)", (*UNTUNED_SETS, "e", "f")),
         ("untuned + held-out (a-g)", (*UNTUNED_SETS, "e", "f", "g")),
         ("untuned + held-out (a-h)", (*UNTUNED_SETS, "e", "f", "g", "h")),
         ("untuned + held-out (a-i)", (*UNTUNED_SETS, "e", "f", "g", "h", "i")),
         ("untuned + held-out (a-j)", (*UNTUNED_SETS, "e", "f", "g", "h", "i", "j")),
         ("untuned + held-out (a-k)", (*UNTUNED_SETS, "e", "f", "g", "h", "i", "j", "k")),
         ("untuned + held-out (a-l)", (*UNTUNED_SETS, "e", "f", "g", "h", "i", "j", "k", "l")),
         ("untuned + held-out (a-m)", (*UNTUNED_SETS, *HELD_OUT_SETS)))  # fmt: skip
#: (label, which watchlist: 1 multilingual / 2 English-only, expansion)
STYLES = (("multilingual, expansion on", 1, True), ("multilingual, expansion off", 1, False),
          ("English-only, expansion on", 2, True))  # fmt: skip
LANGUAGES = ("en", "id", "ms", "vi", "ru")


def main() -> None:
    reports = {
        (name, style): _report(paths[index], expand, paths[0])
        for name, paths in SETS.items()
        for style, index, expand in STYLES
    }
    print("| watchlist | " + " | ".join([*SETS, *(label for label, _ in POOLS)]) + " |")
    print("|---" * (len(SETS) + len(POOLS) + 1) + "|")
    for style, _, _ in STYLES:
        cells = [_macro([reports[name, style]]) for name in SETS]
        cells += [_macro([reports[name, style] for name in names]) for _, names in POOLS]
        print(f"| {style} | " + " | ".join(cells) + " |")
    print("\nEnglish-only, expansion on: recall per language (pooled), ratio to English recall")
    print("| set | " + " | ".join(LANGUAGES) + " |\n" + "|---" * (len(LANGUAGES) + 1) + "|")
    for name in SETS:
        print(f"| {name} | " + " | ".join(_ratios(reports[name, STYLES[2][0]])) + " |")


def _report(watchlist: Path, expand: bool, labels: Path) -> Report:
    topics = topics_of(watchlist, expand=expand)
    return evaluate(Matcher(topics), [t.id for t in topics], judged_articles(labels))


def _macro(reports: list[Report]) -> str:
    """Mean P / R / F1 over the topics of ``reports`` that have relevant articles."""
    rows = [r for report in reports for r in report.rows
            if r.lang == "all" and r.topic != "macro" and r.recall is not None]  # fmt: skip
    figures = [(r.precision or 0.0, r.recall or 0.0, r.f1 or 0.0) for r in rows]
    return " / ".join(f"{sum(f[i] for f in figures) / len(figures):.2f}" for i in range(3))


def _ratios(report: Report) -> list[str]:
    pooled: dict[str, Counts] = {}
    for row in report.rows:
        if row.topic != "macro" and row.lang in LANGUAGES:
            pooled[row.lang] = pooled.get(row.lang, Counts()) + row.counts
    english = pooled["en"].recall or 0.0
    return [
        _ratio(pooled[lang], english) if lang in pooled and english else "-" for lang in LANGUAGES
    ]


def _ratio(counts: Counts, english: float) -> str:
    recall = counts.recall or 0.0
    return f"{recall:.2f} ({recall / english:.2f}×, {counts.tp + counts.fn} relevant)"


if __name__ == "__main__":
    main()
