"""Tests of the adaptive threshold: a topic's threshold lowered from its judged alerts.

The pure part (``monitor.learn.threshold.lower``: scores and verdicts in) as a table, then the
learned filter with it: what the matcher gives and the filter keeps, "never worse" with 0, 1
and 10 judgments, topics judged all one way, and the lowered threshold through JSON and the
store. The topic is ``bank`` at threshold 0.2; relevant articles are river banks that say
"bank" twice, some deep in the text (they score 0.15 to 0.19, under the threshold); not
relevant are money banks that say it once in passing, further down (under 0.1), or, for the
check, near the top (just above the threshold).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config import load_settings
from monitor.learn import PLAIN, Filters, LearnedFilter, from_json, learn, threshold, to_json
from monitor.match import Matcher
from monitor.pipeline import relearn
from monitor.store import Store
from monitor.types import Document, Topic
from monitor.workers import WorkerLimits, Workers
from tests.test_learn import FILLER, _kept, _pipeline, write_config
from tests.test_store import T0

TOPIC = Topic(id="bank", name="River banks", query="bank", threshold=0.2, expand=False)


@pytest.mark.parametrize(
    ("alerts", "lowered"),
    [
        # all relevant, three of them just above the threshold: lowered, by at most half
        ([(0.8, True), (0.6, True), (0.4, True), (0.27, True), (0.25, True), (0.22, True)], 0.1),
        # two just above it, both relevant: too few to tell the band's precision
        ([(0.8, True), (0.6, True), (0.4, True), (0.27, True), (0.22, True)], None),
        # too few alerts
        ([(0.6, True), (0.27, True), (0.22, True)], None),
        # no alert scores near the threshold: nothing shows what lies under it
        ([(0.9, True), (0.8, True), (0.7, True), (0.6, True), (0.5, True)], None),
        # precision falls toward the threshold
        ([(0.8, True), (0.6, True), (0.5, True), (0.27, False), (0.22, True)], None),
        # all not relevant
        ([(0.8, False), (0.6, False), (0.4, False), (0.27, False), (0.22, False)], None),
    ],
)
def test_lower_from_judged_alerts(alerts: list[tuple[float, bool]], lowered: float | None) -> None:
    """The threshold goes down only where the alerts near it were worth it."""
    found, reason = threshold.lower(alerts, 0.2)
    assert found == lowered, reason
    assert reason.startswith("threshold lowered" if lowered else "threshold kept")


def test_a_band_of_few_alerts_is_not_taken_for_a_precise_one() -> None:
    """Two relevant alerts just above the threshold could be luck: the lower end of the
    band's Wilson interval (95%) must reach the bar, as it does for five of five."""
    alerts = [(0.8, True), (0.6, True), (0.4, True), (0.27, True), (0.22, True)]
    found, reason = threshold.lower(alerts, 0.2)
    assert found is None and "2 of 2 alerts under 0.30 relevant: too few to tell" in reason
    assert threshold.wilson_lower(2, 2) < 0.43 < threshold.wilson_lower(5, 5)
    assert threshold.wilson_lower(3, 4) < 0.5 < threshold.wilson_lower(3, 3)


def test_lower_never_under_its_floor_nor_for_a_plain_boolean_topic() -> None:
    """At most half the threshold; a topic at threshold 0 (the query alone) has nothing to
    lower."""
    alerts = [(0.22 + n / 100, True) for n in range(12)]
    found, _ = threshold.lower(alerts, 0.2)
    assert found is not None and 0.1 <= found < 0.2
    assert threshold.lower([(s - 0.2, y) for s, y in alerts], 0.0)[0] is None


def river(n: int, depth: int, rng: random.Random, title: str = "River rises") -> Document:
    """Relevant: "bank" twice, the first ``depth`` words in."""
    words = [*rng.choices(FILLER, k=depth), "bank", *rng.choices(FILLER, k=30), "bank"]
    words += ["river", "flood", *rng.choices(FILLER, k=100)]
    return Document(f"river-{n}-{depth}", title, " ".join(words), "en")


def money(n: int, depth: int, rng: random.Random, again: bool = False) -> Document:
    """Not relevant: "bank" once, ``depth`` words in (``again``: once more, further on)."""
    words = [*rng.choices(FILLER, k=depth), "bank", "loan", "rate", *rng.choices(FILLER, k=30)]
    words += ["bank" if again else "loan", *rng.choices(FILLER, k=70)]
    return Document(f"money-{n}-{depth}", "Markets today", " ".join(words), "en")


def alerts(count: int, near: bool = True) -> list[tuple[Document, bool]]:
    """``count`` judged alerts: river banks with "bank" in the headline (scoring well above
    the threshold), and river banks scoring 0.22 to 0.28 (``near``: half of those money banks
    instead, judged not relevant)."""
    rng = random.Random(5)
    out = []
    for n in range(count):
        if n % 2 == 0:
            out.append((river(n, 0, rng, title="River bank bursts"), True))
        elif near and n % 4 == 1:
            out.append((money(n, 0, rng, again=True), False))
        else:
            out.append((river(n, (0, 5, 20)[n % 3], rng), True))
    return out


UNSEEN_RNG = random.Random(11)
#: river banks under the threshold (0.15-0.19) and above it; money banks far under it
UNSEEN = [river(100 + n, (40, 60, 0, 20)[n % 4], UNSEEN_RNG) for n in range(12)] + [
    money(200 + n, 300, UNSEEN_RNG) for n in range(8)
]


def trained(examples: list[tuple[Document, bool]], topic: Topic = TOPIC) -> LearnedFilter:
    judged = [(d, {topic.id: r}) for d, r in examples]
    return learn([topic], judged, Matcher([topic]))[topic.id]


def kept(filters: Filters, documents: list[Document]) -> set[str]:
    matcher = Matcher([TOPIC])
    given = (filters.refine(d, matcher.match(d, below=filters.readmitting)) for d in documents)
    return {d.id for d, found in zip(documents, given, strict=True) if found}


def f1(found: set[str], relevant: set[str]) -> float:
    tp = len(found & relevant)
    return 2 * tp / (len(found) + len(relevant)) if tp else 0.0


RELEVANT = {d.id for d in UNSEEN if d.id.startswith("river")}


def test_the_scenario_scores_as_described() -> None:
    """River banks deep in the text score between the floor and the threshold; money banks
    far under the floor: the plain score misses half the river banks."""
    matcher = Matcher([TOPIC])
    scores = {d.id: matcher.match(d, below={"bank"})[0].score for d in UNSEEN}
    assert all(0.1 <= scores[i] < 0.2 for i in RELEVANT if i.endswith(("-40", "-60")))
    assert all(s < 0.1 for i, s in scores.items() if i not in RELEVANT)
    assert kept(PLAIN, UNSEEN) == {i for i in RELEVANT if i.endswith(("-0", "-20"))}


def test_alerts_all_relevant_near_the_threshold_lower_it() -> None:
    """Twelve alerts judged relevant, several just above the threshold: the threshold is
    lowered, the matcher gives the topic's candidates under it, and the river banks under it
    come in; the money banks stay out."""
    model = trained(alerts(12, near=False))
    assert model.active and model.lowered is not None, model.reason
    assert 0.1 <= model.lowered < 0.2 and "threshold lowered 0.20 ->" in model.reason
    filters = Filters({TOPIC.id: model})
    assert filters.readmitting == {TOPIC.id}
    assert kept(filters, UNSEEN) == RELEVANT


def test_alerts_not_relevant_near_the_threshold_keep_it() -> None:
    """The alerts just above the threshold were money banks judged not relevant: kept."""
    model = trained(alerts(12))
    assert model.lowered is None and "threshold kept" in model.reason, model.reason
    assert Filters({TOPIC.id: model}).readmitting == frozenset()


@pytest.mark.parametrize("count", [0, 1, 10])
@pytest.mark.parametrize("near", [True, False])
def test_few_judgments_never_do_worse_than_the_plain_score(count: int, near: bool) -> None:
    """With 0, 1 or 10 judged alerts, whatever they say near the threshold, F1 on unseen
    articles is at least the plain score's."""
    filters = Filters({TOPIC.id: trained(alerts(count, near))})
    assert f1(kept(filters, UNSEEN), RELEVANT) >= f1(kept(PLAIN, UNSEEN), RELEVANT)


@pytest.mark.parametrize("relevant", [True, False])
def test_a_topic_judged_all_one_way(relevant: bool) -> None:
    """All relevant: only the threshold can move (nothing to tell apart), and it only lets
    more in; all not relevant: the filter stays off and keeps every alert."""
    examples = [(d, relevant) for d, _ in alerts(12, near=False)]
    model = trained(examples)
    assert (model.logistic, model.near) == (False, None)
    assert (model.lowered is not None) is relevant and model.active is relevant
    assert kept(Filters({TOPIC.id: model}), UNSEEN) >= kept(PLAIN, UNSEEN)


def test_the_lowered_threshold_round_trips_through_json() -> None:
    """Saved and read back, the lowered threshold is the same and decides the same."""
    model = trained(alerts(12, near=False))
    again = from_json(to_json(model))
    assert again == model and again is not None and again.lowered == model.lowered
    assert kept(Filters({TOPIC.id: again}), UNSEEN) == kept(Filters({TOPIC.id: model}), UNSEEN)
    older = to_json(model).replace(f'"version":"{model.version}"', '"version":"4"')
    assert from_json(older) is None  # the shape before the adaptive threshold: retrained


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    with Store.open(database_url) as opened:
        yield opened


def test_the_lowered_threshold_persists_in_the_store(store: Store) -> None:
    """Judgments imported, the topic trained and saved; read back at the next start (judgments
    unchanged: not retrained), the filter lowers the threshold the same."""
    store.import_judgments([(d, {TOPIC.id: r}) for d, r in alerts(12, near=False)], "ana", T0)
    matcher = Matcher([TOPIC])
    first = relearn(store, [TOPIC], matcher, T0)[TOPIC.id]
    saved = store.learned()[TOPIC.id]
    assert first.lowered is not None
    again = relearn(store, [TOPIC], matcher, T0)[TOPIC.id]
    assert store.learned()[TOPIC.id].trained == saved.trained  # read back, not retrained
    assert again == first
    assert kept(Filters({TOPIC.id: again}), UNSEEN) == RELEVANT


def test_the_daemon_and_the_cli_apply_the_lowered_threshold(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Judgments imported: the pipeline's next relearn lowers the threshold and its matching
    lets the river banks under it in, as ``learn`` does; ``monitor topics`` shows the lowered
    threshold and ``monitor explain`` says an alert came in through it."""
    config = write_config(tmp_path, database_url)
    watchlist = tmp_path / "watchlists" / "bank.yaml"
    watchlist.write_text(watchlist.read_text(encoding="utf-8") + "    threshold: 0.2\n", "utf-8")
    settings = load_settings(config, {})
    workers = Workers(WorkerLimits(processes=1))
    try:
        with Store.open(database_url) as store:
            judged = [(d, {TOPIC.id: r}) for d, r in alerts(12, near=False)]
            store.import_judgments(judged, "ana", T0)
            pipeline = _pipeline(settings, store, workers, T0)
            assert set(_kept(pipeline, settings, UNSEEN)) == kept(PLAIN, UNSEEN)
            asyncio.run(pipeline.relearn())
            assert set(_kept(pipeline, settings, UNSEEN)) == RELEVANT
    finally:
        workers.close()
    run = ["--config", str(config)]
    assert main([*run, "topics"]) == 0
    assert "0.20 -> 0.10" in capsys.readouterr().out
    # language unknown, it scores higher than in English: 0.141, still under the threshold
    deep = river(300, 120, random.Random(3))
    assert main([*run, "explain", "bank", "--title", deep.title, "--text", deep.text]) == 0
    assert "came in through the lowered threshold: score 0.14" in capsys.readouterr().out


def test_judged_near_misses_can_veto_lowering() -> None:
    """Alerts that would lower the threshold, but two candidates judged under it were not
    relevant: kept."""
    alerts = [(0.8, True), (0.6, True), (0.4, True), (0.27, True), (0.25, True), (0.22, True)]
    found, reason = threshold.lower([*alerts, (0.18, False), (0.15, False)], 0.2)
    assert found is None and "judged candidates under it" in reason
    assert threshold.lower([*alerts, (0.18, True), (0.15, False)], 0.2)[0] == 0.1
