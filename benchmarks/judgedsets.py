"""What the benchmarks on judged articles share: where the judgments and watchlists are, reading
them, and the per-language recall table.

    calibrate.py, eval_expansion.py, eval_dev.py,  import it as a sibling (run from the repo:
    eval_judged.py, feedback_eval.py               ``.venv/bin/python benchmarks/<name>.py``)

Owns: the default labels file, the watchlist folders, the names of the judged sets (which are
untuned, which held out), ``--labels``, reading the judgments, a
watchlist's topics with expansion (and threshold) overridden, and the pooled recall per language
with its ratio to English. Does not own: scoring (``monitor.match.evaluation``), each script's
table.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from monitor.config import load_watchlist
from monitor.match.evaluation import Judged, Report, read_judgments
from monitor.types import Topic

ROOT = Path(__file__).resolve().parent.parent
#: the dev judgments (shared outside the repository)
LABELS = Path("/work/shared/eval/dev.jsonl")
#: the test watchlists (untuned, dev, English-only)
TEST_WATCHLISTS = ROOT / "tests" / "data" / "watchlists"
#: the judged sets: judgments-<name>.jsonl and watchlists/{multilingual,english}-<name>.yaml
JUDGED = ROOT / "benchmarks" / "judged"
#: sets whose topics nothing was tuned on (d: checked once, after the fixes made on a-c)
UNTUNED_SETS = ("a", "b", "c", "d")
#: sets made to be reported only: no change to the matcher or lexicon may be chosen on them
#: (f: made after e by the same method; g: made after f by the same method; h: made after g by
#: the same method; i: made after h by the same method; j: made after i by the same method; k:
#: made after j by the same method; l: made after k by the same method; k and l run once on
#: 2026-12-06, l since used for the lexicon's politics entries; m: made after l by the same
#: method, not yet run)
HELD_OUT_SETS = ("e", "f", "g", "h", "i", "j", "k", "l", "m")


def parser(description: str) -> argparse.ArgumentParser:
    """A parser with ``--labels`` (default ``LABELS``)."""
    arguments = argparse.ArgumentParser(description=description)
    arguments.add_argument("--labels", type=Path, default=LABELS)
    return arguments


def judged_articles(labels: Path) -> list[Judged]:
    """The judged articles of a JSON-lines file."""
    return read_judgments(labels.read_text(encoding="utf-8").split("\n"))


def topics_of(path: Path | str, *, expand: bool, boolean: bool = False) -> list[Topic]:
    """A watchlist's topics with expansion on or off; ``boolean``: threshold 0 (plain filters)."""
    chosen = [replace(t, expand=expand) for t in load_watchlist(path)]
    return [replace(t, threshold=0.0) for t in chosen] if boolean else chosen


def print_recall_ratios(report: Report) -> None:
    """The pooled recall per language (all topics: tp / relevant) and its ratio to English."""
    pooled = {r.lang: r.counts for r in report.rows if r.topic == "macro"}
    english = pooled["en"].recall or 0.0
    for lang, counts in pooled.items():
        recall = counts.recall or 0.0
        ratio = recall / english if english else 0.0
        relevant = counts.tp + counts.fn
        print(f"{lang:4} relevant {relevant:3}  recall {recall:.3f}  ratio {ratio:.2f}")
