"""Calibrate the default threshold: macro P/R/F1 of untuned watchlists at each threshold.

    .venv/bin/python benchmarks/calibrate.py [--labels FILE] [--watchlist NAME=FILE ...]

Untuned watchlists are plain boolean queries written as a user would write them on the first
day (no ``threshold``, no ``NEAR``): ``tests/data/watchlists/untuned-expert.yaml`` (terms in the
five languages) and ``untuned-english.yaml`` (English only; expansion supplies the rest). Each is
scored once with expansion on and once off; for every threshold of the sweep the table shows
macro precision, recall and F1 over the topics, and then each topic's best threshold: a default
is good when it sits where every column is near its best, not where one topic peaks.
"""

from __future__ import annotations

from judgedsets import TEST_WATCHLISTS, judged_articles, parser, topics_of

from monitor.match import DEFAULT_THRESHOLD, Matcher
from monitor.match.evaluation import SWEEP, best, score_judged, sweep

WATCHLISTS = {
    "expert": TEST_WATCHLISTS / "untuned-expert.yaml",
    "english": TEST_WATCHLISTS / "untuned-english.yaml",
}


def main() -> None:
    arguments = parser(__doc__.splitlines()[0])
    arguments.add_argument("--watchlist", action="append", default=[], metavar="NAME=FILE")
    args = arguments.parse_args()
    watchlists = dict(w.split("=", 1) for w in args.watchlist) or WATCHLISTS
    judged = judged_articles(args.labels)
    columns, bests = {}, []
    for name, path in watchlists.items():
        for expand in (True, False):
            topics = topics_of(path, expand=expand)
            ids = [t.id for t in topics]
            matcher = Matcher(topics)
            points = sweep(score_judged(matcher, judged), {t.id: t.threshold for t in topics})
            label = f"{name} expand={'on' if expand else 'off'}"
            columns[label] = {t: _macro([p for p in points if p.threshold == t]) for t in SWEEP}
            for topic in ids:
                top = best(points, topic)
                if top is not None:
                    bests.append(f"  {label:20} {topic:28} {top.threshold:.2f}  "
                                 f"F1 {top.counts.f1:.3f}")  # fmt: skip
    print(f"articles: {len(judged)}; default threshold {DEFAULT_THRESHOLD}")
    print("threshold  " + "  ".join(f"{label:^23}" for label in columns))
    print("           " + "  ".join(f"{'P     R     F1':^23}" for _ in columns))
    for t in SWEEP:
        cells = ["{:.3f} {:.3f} {:.3f}".format(*columns[label][t]) for label in columns]
        mark = " <- default" if abs(t - DEFAULT_THRESHOLD) < 1e-9 else ""
        print(f"{t:9.2f}  " + "  ".join(f"{c:^23}" for c in cells) + mark)
    print("best threshold per topic:")
    print("\n".join(bests))


def _macro(points: list) -> tuple[float, float, float]:
    figures = [(p.counts.precision, p.counts.recall, p.counts.f1) for p in points]
    return tuple(_mean([f[i] for f in figures]) for i in range(3))  # type: ignore[return-value]


def _mean(values: list[float | None]) -> float:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else 0.0


if __name__ == "__main__":
    main()
