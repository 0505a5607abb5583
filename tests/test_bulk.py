"""match_stream: JSON Lines in, one result line per article out, in input order."""

from __future__ import annotations

import io
import json

import pytest

from monitor.match import Matcher
from monitor.match.bulk import match_stream, read_article
from monitor.match.scoring import LEAD_WEIGHT, TITLE_WEIGHT
from monitor.match.specificity import background
from monitor.types import Document, Topic

TOPICS = [
    Topic("putin", "Putin", "Putin", 0.3),
    Topic("asean", "ASEAN", 'ASEAN OR "Asia Tenggara"', 0.3),
]
ARTICLES: list[dict[str, object]] = [
    {"id": "a1", "title": "Putin meets ASEAN leaders", "text": "Putin spoke first."},
    {"id": "a2", "title": "Weather", "text": "Rain all week."},
    {"id": 3, "title": "Kerja sama Asia Tenggara", "text": "", "lang": "id", "url": "http://x"},
]
#: how specific the shipped background finds the words (hit weights are scaled by it)
SPECIFIC = {word: background().specificity((word,), None) for word in ("putin", "asean")}


def run(lines: list[str], workers: int | None = 1) -> tuple[int, list[dict[str, object]]]:
    out = io.StringIO()
    count = match_stream(TOPICS, io.StringIO("".join(lines)), out, workers=workers)
    return count, [json.loads(line) for line in out.getvalue().splitlines()]


def test_output_shape() -> None:
    """Each article gives one line with its id and matches: topic, score, terms, hits."""
    count, results = run([json.dumps(ARTICLES[0]) + "\n"])
    doc = Document("a1", "Putin meets ASEAN leaders", "Putin spoke first.")
    scores = {m.topic: m.score for m in Matcher(TOPICS).match(doc)}
    expected = {
        "id": "a1",
        "matches": [
            {
                "topic": "putin",
                "score": round(scores["putin"], 4),
                "terms": ["Putin"],
                "hits": [
                    {
                        "term": "Putin",
                        "field": "title",
                        "position": 0,
                        "matched": "Putin",
                        "weight": round(TITLE_WEIGHT * SPECIFIC["putin"], 4),
                        "form": None,
                    },
                    {
                        "term": "Putin",
                        "field": "text",
                        "position": 0,
                        "matched": "Putin",
                        "weight": round(LEAD_WEIGHT * SPECIFIC["putin"], 4),
                        "form": None,
                    },
                ],
            },
            {
                "topic": "asean",
                "score": round(scores["asean"], 4),
                "terms": ["ASEAN"],
                "hits": [
                    {
                        "term": "ASEAN",
                        "field": "title",
                        "position": 2,
                        "matched": "ASEAN",
                        "weight": round(TITLE_WEIGHT * SPECIFIC["asean"], 4),
                        "form": None,
                    }
                ],
            },
        ],
    }
    assert (1, [expected]) == (count, results)


@pytest.mark.parametrize("workers", [1, 2])
def test_order_is_preserved(workers: int) -> None:
    """Results come out in input order, with or without a process pool; blank lines skipped."""
    lines = [json.dumps(ARTICLES[i % 3] | {"id": f"n{i}"}) + "\n" for i in range(250)]
    count, results = run([*lines[:100], "\n", *lines[100:]], workers=workers)
    expected = (250, [f"n{i}" for i in range(250)])
    assert expected == (count, [r["id"] for r in results])


def test_matches_per_article() -> None:
    """Articles without matches get an empty list; numeric ids come back as strings."""
    _, results = run([json.dumps(a) + "\n" for a in ARTICLES])
    expected = [("a1", ["putin", "asean"]), ("a2", []), ("3", ["asean"])]
    # each line's "matches" is a list of objects (JSON read back as ``object``)
    actual = [(r["id"], [m["topic"] for m in r["matches"]]) for r in results]  # type: ignore[attr-defined]
    assert expected == actual


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "line 3: not JSON"),
        ("[1, 2]", "line 3: expected a JSON object"),
        ('{"title": "no id"}', "line 3: 'id' must be"),
        ('{"id": "x", "title": 5}', "line 3: 'title' must be a string"),
        ('{"id": "x", "lang": "klingonese"}', "line 3: 'lang': not a language code .* 'ru'"),
        ('{"id": "x", "lang": 5}', "line 3: 'lang' must be a string"),
    ],
)
def test_a_bad_line_names_its_number(bad_line: str, message: str) -> None:
    """A line that is not a JSON article raises ValueError naming its line number."""
    lines = [json.dumps(ARTICLES[0]) + "\n", "\n", bad_line + "\n"]
    with pytest.raises(ValueError, match=message):
        run(lines)


def test_a_language_tag_or_name_reads_as_its_code() -> None:
    """``en-US``, ``Indonesian``, ``eng`` are the matcher's ``en``/``id`` (as written, the forms
    kept to a language would not count); a missing or empty ``lang`` is no language."""
    langs = ["en-US", "Indonesian", "eng", "pt_BR", "zh-TW", "id", "", None]
    lines = [json.dumps({"id": n, "title": "t", "lang": lang}) for n, lang in enumerate(langs)]
    expected = ["en", "id", "en", "pt", "zh", "id", None, None]
    assert expected == [read_article(line, n).lang for n, line in enumerate(lines, 1)]
