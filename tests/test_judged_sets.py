"""The held-out judged sets in ``benchmarks/judged/`` are well formed.

A judged set is only a measure if its files agree: both watchlists load, they name the same
topics, every grade in the judgments is a 1 or 2 for one of those topics (absent means 0), ids are
unique, and the second assessor's grades cover judged articles only.
"""

import json
from pathlib import Path

import pytest

from monitor.config import load_watchlist

JUDGED = Path(__file__).resolve().parent.parent / "benchmarks" / "judged"
SETS = sorted(p.stem.removeprefix("judgments-") for p in JUDGED.glob("judgments-*.jsonl"))


def _rows(path: Path) -> list[dict]:
    # split on "\n" only: texts may hold U+2028, which str.splitlines() would also split on
    lines = path.read_text(encoding="utf-8").split("\n")
    return [json.loads(line) for line in lines if line.strip()]


def _topics(name: str, kind: str) -> set[str]:
    return {topic.id for topic in load_watchlist(JUDGED / "watchlists" / f"{kind}-{name}.yaml")}


def test_every_set_is_found() -> None:
    """Sets a, b, c, d, e, f, g, h, i, j, k, l and m are all there."""
    assert {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"} <= set(SETS)


@pytest.mark.parametrize("name", SETS)
def test_watchlists_name_the_same_topics(name: str) -> None:
    """The multilingual and the English-only watchlist cover the same topics."""
    assert _topics(name, "multilingual") == _topics(name, "english")


@pytest.mark.parametrize("name", SETS)
def test_judgments_grade_only_the_sets_topics(name: str) -> None:
    """Every stored grade is 1 or 2 for a topic of the set, and ids are unique."""
    topics = _topics(name, "multilingual")
    rows = _rows(JUDGED / f"judgments-{name}.jsonl")
    assert len({row["id"] for row in rows}) == len(rows)
    grades = {(topic, grade) for row in rows for topic, grade in row["topics"].items()}
    assert {topic for topic, _ in grades} <= topics
    assert {grade for _, grade in grades} <= {1, 2}


@pytest.mark.parametrize("name", SETS)
def test_second_grades_cover_judged_articles_only(name: str) -> None:
    """The second assessor graded articles of the set and nothing else."""
    judged = {row["id"] for row in _rows(JUDGED / f"judgments-{name}.jsonl")}
    second = {row["id"] for row in _rows(JUDGED / f"second-{name}.jsonl")}
    assert second <= judged
