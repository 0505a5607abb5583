"""``monitor eval`` and ``monitor explain``: figures on a small fixture whose answers are known.

The fixture (tests/data/eval) has 10 judged articles. Topic ``drugs`` matches en1, en4, id1, id2
and vi1 (en2, id3 and en3 have no police/arrest/seizure word in any language):
tp = en1, id1, id2, vi1; fp = en4 (judged 0); fn = en2, id3. Topic ``storms`` matches vi2 and x1,
both relevant. The judgments' topic ``other`` is not in the watchlist and is ignored.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.match import Matcher
from monitor.match.evaluation import Counts, Error, errors_text, evaluate, read_judgments
from monitor.types import Document, Topic

DATA = Path(__file__).parent / "data" / "eval"
WATCHLIST = str(DATA / "watchlist.yaml")
LABELS = str(DATA / "labels.jsonl")


def test_counts_and_figures() -> None:
    """Precision, recall and F1 from counts; undefined figures are None."""
    figures = [
        (c.precision, c.recall, c.f1)
        for c in (Counts(4, 1, 2), Counts(0, 0, 3), Counts(0, 2, 0), Counts())
    ]
    expected = [(0.8, 4 / 6, 2 * 0.8 * (4 / 6) / (0.8 + 4 / 6)), (None, 0.0, 0.0),
                (0.0, None, None), (None, None, None)]  # fmt: skip
    assert expected == figures


def test_eval_json_on_the_fixture(capsys: pytest.CaptureFixture[str]) -> None:
    """Per topic and language counts and figures, and the macro rows, as documented above."""
    code = main(["eval", "--watchlist", WATCHLIST, "--labels", LABELS, "--json"])
    rows = {(r["topic"], r["lang"]): r for r in json.loads(capsys.readouterr().out)["rows"]}
    drugs, storms, macro = rows["drugs", "all"], rows["storms", "all"], rows["macro", "all"]
    expected = (
        0,
        (4, 1, 2, 0.8, 0.6667, 0.7273),
        (2, 0, 0, 1.0, 1.0, 1.0),
        (0.9, 0.8333, 0.8636),
        (1, 1, 1, 0.5, 0.5, 0.5),
        (None, None, None),
        ("?", 1.0),
    )
    assert expected == (
        code,
        tuple(drugs[k] for k in ("tp", "fp", "fn", "precision", "recall", "f1")),
        tuple(storms[k] for k in ("tp", "fp", "fn", "precision", "recall", "f1")),
        tuple(macro[k] for k in ("precision", "recall", "f1")),
        tuple(rows["drugs", "en"][k] for k in ("tp", "fp", "fn", "precision", "recall", "f1")),
        tuple(rows["storms", "en"][k] for k in ("precision", "recall", "f1")),
        ("?", rows["storms", "?"]["recall"]),
    )  # fmt: skip


def test_eval_table_prints_every_language(capsys: pytest.CaptureFixture[str]) -> None:
    """The text table has a row per topic and language, and macro rows."""
    main(["eval", "--watchlist", WATCHLIST, "--labels", LABELS])
    lines = capsys.readouterr().out.split("\n\n")[0].splitlines()
    keys = [tuple(line.split()[:2]) for line in lines[2:]]
    langs = ["all", "?", "en", "id", "vi"]
    expected = [(t, lang) for t in ("drugs", "storms", "macro") for lang in langs]
    assert (["articles: 10"], expected) == (lines[:1], keys)


def test_a_bad_judgment_line_is_named(tmp_path: Path) -> None:
    """A judgment line whose topics are not grades is refused with its number."""
    with pytest.raises(ValueError, match="line 2: 'topics' must map"):
        read_judgments(['{"id": 1, "title": "a"}', '{"id": 2, "title": "b", "topics": [1]}'])


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '{"id": 2, "title": "Nickel mine", "topic": "nickel-mining", "relevant": true}',
            "line 2: unknown keys 'relevant', 'topic' (expected: id, title, text, lang, topics,"
            ' url, published; a judgment is written "topics": {"topic-id": 1})',
        ),
        (
            '{"id": 2, "topics": {"drugs": 1}}',
            "line 2: no 'title' or 'text': the article's text is what the watchlist is matched"
            " against (grades alone can be neither scored nor learned from)",
        ),
    ],
    ids=["another shape", "grades without the article"],
)
def test_a_judgment_line_of_another_shape_is_refused(line: str, expected: str) -> None:
    """A line the format does not describe is an error naming it, not an article judged
    relevant to nothing (which scored every topic 0 and exited 0)."""
    with pytest.raises(ValueError) as caught:
        read_judgments(
            ['{"id": 1, "title": "a", "url": "https://a.example/", "published": ""}', line]
        )
    assert expected == str(caught.value)


def test_an_articles_own_keys_beside_its_topics_are_left_alone() -> None:
    """A corpus line with its grades added (``source``, ``author``, ``date`` beside
    ``topics``) is read as ``monitor match`` reads it: only a line with keys of its own and no
    ``topics`` is of another shape."""
    line = (
        '{"id": 1, "title": "Bank", "text": "t", "source": "x", "date": "2021", "topics": {"b": 1}}'
    )
    [judged] = read_judgments([line])
    assert (judged.document.id, judged.relevant) == ("1", frozenset({"b"}))


def test_the_judged_sets_read_as_judgments() -> None:
    """Every judged set of benchmarks/judged reads under the checks above (keys id, title,
    text, lang, topics, url, published)."""
    sets = sorted((DATA.parent.parent.parent / "benchmarks" / "judged").glob("judgments-*.jsonl"))
    counts = []
    for path in sets:
        with path.open(encoding="utf-8") as lines:  # as the CLI reads (a title holds U+2028)
            counts.append(len(read_judgments(lines)))
    expected = (13, True)
    assert expected == (len(counts), all(counts))


def test_eval_names_the_topics_the_watchlist_does_not_define(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The fixture's topic ``other`` is named on stderr with its count, as ``feedback --import``
    names them; the figures are those of the watchlist's topics."""
    code = main(["eval", "--watchlist", WATCHLIST, "--labels", LABELS, "--json"])
    expected = (0, "warning: 1 judgments name topics no watchlist defines: other (1); not scored\n")
    assert expected == (code, capsys.readouterr().err)


@pytest.mark.parametrize(
    ("labels", "graded"),
    [
        ('{"id": 1, "title": "Police seize cocaine", "topics": {"nickel-mining": 1}}\n',
         "nickel-mining (1)"),
        ('{"id": 1, "title": "Police seize cocaine"}\n', "no topic at all"),
    ],
    ids=["other topics", "no topics"],
)  # fmt: skip
def test_eval_refuses_labels_that_grade_none_of_the_watchlist_topics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], labels: str, graded: str
) -> None:
    """Labels and a watchlist that do not belong together are an input error (exit 2), not a
    report of zeros."""
    path = tmp_path / "labels.jsonl"
    path.write_text(labels, encoding="utf-8")
    code = main(["eval", "--watchlist", WATCHLIST, "--labels", str(path)])
    expected = (
        2,
        "input error: the labels grade none of the watchlist's topics (drugs, storms); they"
        f" grade {graded}: check that labels and watchlist belong together (to count false"
        " positives on articles relevant to none of its topics, grade those topics 0)\n",
        "",
    )
    assert expected == (code, *reversed(capsys.readouterr()))


def test_evaluate_without_expansion_loses_the_other_languages() -> None:
    """The same English query with expand: false finds only the English articles."""
    judged = read_judgments((DATA / "labels.jsonl").read_text(encoding="utf-8").splitlines())
    query = "{drugs} AND (police OR arrest OR seizure)"
    topics = [Topic("drugs", "d", query, 0.3, expand=flag) for flag in (True, False)]
    recalls = [evaluate(Matcher([t]), ["drugs"], judged).row("drugs", "id") for t in topics]
    expected = [2 / 3, 0.0]
    assert expected == [r.recall if r else None for r in recalls]


def test_explain_prints_expansion_and_hits(capsys: pytest.CaptureFixture[str]) -> None:
    """monitor explain: the expanded terms, the verdict and a row per hit with its weight."""
    code = main(["explain", "drugs", "--watchlist", WATCHLIST, "--title", "Polisi sita 5 kg sabu"])
    out = capsys.readouterr().out
    expected_tail = [
        "result:    MATCH: score 0.862 >= threshold 0.20",
        "score:     evidence 0.862 (parts: 0.80, 0.93) x cohesion 1.00 x coverage 1.00 "
        "(100% of the text)",
        "hits:",
        "  field  word  term     matched   lexicon form  weight",
        "  title  0     police   → Polisi  polisi        0.644",
        "  title  1     seizure  → sita    sita          0.800",
        "  title  4     {drugs}  → sabu    sabu          0.800",
    ]
    assert (0, True, expected_tail) == (
        code,
        "{drugs} -> narcotics, narcotics/methamphetamine," in out,
        out.splitlines()[-7:],
    )


def test_explain_reads_a_pasted_text_in_its_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A pasted text is matched in the language identified from it, as the daemon matches an
    article (Malay "ribut" is a storm, Indonesian "ribut" a quarrel); ``--lang`` says it."""
    watchlist = tmp_path / "storm.yaml"
    watchlist.write_text("topics:\n  - {id: storm, name: Storms, query: storm}\n", "utf-8")
    malay = (
        "Ribut kencang melanda kawasan pantai timur semalam, menurut Jabatan Meteorologi "
        "Malaysia yang berkata keadaan itu dijangka berterusan hingga esok kerana monsun."
    )
    indonesian = "Pemain itu ribut dengan rekannya di lapangan, kata polisi di Jakarta."
    runs = [
        ["--text", malay],
        ["--text", indonesian],
        ["--text", indonesian, "--lang", "ms"],
    ]
    found = []
    for extra in runs:
        main(["explain", "storm", "--watchlist", str(watchlist), *extra])
        lines = capsys.readouterr().out.splitlines()
        language = next(line for line in lines if line.startswith("language:"))
        found.append((language.split()[1], any("MATCH" in line for line in lines)))
    expected = [("ms", True), ("id", False), ("ms", True)]
    assert expected == found


def test_explain_takes_the_title_with_a_file_or_a_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``--title`` with ``--file``: the title is the headline and the whole file the body
    (without ``--title`` the file's first line is the headline); with ``--text`` the same.
    ``--title`` with ``--article``, or two bodies, is a usage error."""
    watchlist = tmp_path / "storm.yaml"
    watchlist.write_text("topics:\n  - {id: storm, name: Storms, query: storm}\n", "utf-8")
    body = tmp_path / "body.txt"
    body.write_text("Residents were evacuated overnight.\nMore rain is expected.\n", "utf-8")
    explain = ["explain", "storm", "--watchlist", str(watchlist), "--lang", "en"]
    runs = [
        ["--title", "Storm hits the coast", "--file", str(body)],
        ["--title", "Storm hits the coast", "--text", body.read_text("utf-8")],
        ["--file", str(body)],
    ]
    found = []
    for extra in runs:
        code = main([*explain, *extra])
        rows = [line.split()[:2] for line in capsys.readouterr().out.splitlines()]
        found.append((code, ["title", "0"] in rows, ["text", "0"] in rows))
    refused = main([*explain, "--title", "Storm", "--article", "1"])
    said = capsys.readouterr().err
    with pytest.raises(SystemExit) as two_bodies:
        main([*explain, "--text", "storm", "--file", str(body)])
    expected = [(0, True, False), (0, True, False), (0, False, False)]
    assert (expected, 2, True, 2) == (
        found,
        refused,
        "not --article" in said,
        two_bodies.value.code,
    )


def test_explain_an_unknown_topic_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown topic id exits 2 and lists the defined ones."""
    code = main(["explain", "nope", "--watchlist", WATCHLIST, "--text", "x"])
    expected = (2, "unknown topic 'nope'; defined: drugs, storms\n")
    assert expected == (code, capsys.readouterr().err)


def test_eval_sweep_marks_the_current_and_best_thresholds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--json holds a sweep row per topic and threshold; the text marks current and best."""
    main(["eval", "--watchlist", WATCHLIST, "--labels", LABELS, "--json"])
    sweep = json.loads(capsys.readouterr().out)["sweep"]
    main(["eval", "--watchlist", WATCHLIST, "--labels", LABELS])
    text = capsys.readouterr().out
    drugs = [r for r in sweep if r["topic"] == "drugs"]
    expected = (14, (4, 1, 2), True, True)
    assert expected == (
        len(drugs),
        (drugs[0]["tp"], drugs[0]["fp"], drugs[0]["fn"]),
        any(line.endswith("current") for line in text.splitlines()),
        any(" best" in line for line in text.splitlines()),
    )


@pytest.mark.parametrize(("threshold", "rows"), [("0.12", 15), ("0.15", 14)])
def test_eval_sweep_has_a_row_at_the_current_threshold_off_the_grid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], threshold: str, rows: int
) -> None:
    """A topic whose threshold is not on the 0.05 grid gets a row there, marked current; one on
    the grid is not repeated."""
    watchlist = tmp_path / "watchlist.yaml"
    text = Path(WATCHLIST).read_text(encoding="utf-8")
    watchlist.write_text(
        text.replace("    query: storm", f"    query: storm\n    threshold: {threshold}")
    )
    main(["eval", "--watchlist", str(watchlist), "--labels", LABELS, "--json"])
    sweep = [r for r in json.loads(capsys.readouterr().out)["sweep"] if r["topic"] == "storms"]
    main(["eval", "--watchlist", str(watchlist), "--labels", LABELS])
    current = [line.split()[:2] for line in capsys.readouterr().out.splitlines()
               if line.startswith("storms") and line.endswith("current")]  # fmt: skip
    assert (rows, [["storms", threshold]]) == (len(sweep), current)


def test_eval_show_errors_lists_false_positives_and_misses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--show-errors: en4 matched though judged 0; en2 and id3 missed (query not satisfied)."""
    main(["eval", "--watchlist", WATCHLIST, "--labels", LABELS, "--json", "--show-errors"])
    errors = json.loads(capsys.readouterr().out)["errors"]
    found = [(e["topic"], e["error"], e["id"], e["score"] is None) for e in errors]
    expected = [
        ("drugs", "false positive", "en4", False),
        ("drugs", "miss", "en2", True),
        ("drugs", "miss", "id3", True),
    ]
    assert expected == found


def _split_watchlist(folder: Path) -> list[str]:
    """The fixture's two topics, one file each."""
    paths = []
    for name, topic in (("a", DRUGS), ("b", STORMS)):
        path = folder / f"{name}.yaml"
        path.write_text(f"topics:\n{topic}", encoding="utf-8")
        paths.append(str(path))
    return paths


DRUGS = '  - id: drugs\n    query: "{drugs} AND (police OR arrest OR seizure)"\n'
STORMS = "  - id: storms\n    query: storm\n"


def test_eval_reads_several_watchlists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--watchlist` repeated: the topics of every file, scored as if in one file."""
    main(["eval", "--watchlist", WATCHLIST, "--labels", LABELS, "--json"])
    one = json.loads(capsys.readouterr().out)["rows"]
    first, second = _split_watchlist(tmp_path)
    code = main(["eval", "--watchlist", first, "--watchlist", second, "--labels", LABELS, "--json"])
    assert (0, one) == (code, json.loads(capsys.readouterr().out)["rows"])


def test_match_reads_several_watchlists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`monitor match` matches against the topics of every `--watchlist` file."""
    first, second = _split_watchlist(tmp_path)
    articles = tmp_path / "in.jsonl"
    articles.write_text(
        '{"id": "1", "title": "Police seize cocaine in a storm", "text": ""}\n', encoding="utf-8"
    )
    code = main(["match", "--watchlist", first, "--watchlist", second, "--input", str(articles)])
    (line,) = capsys.readouterr().out.splitlines()
    topics = sorted(m["topic"] for m in json.loads(line)["matches"])
    expected = (0, ["drugs", "storms"])
    assert expected == (code, topics)


def test_a_topic_in_two_watchlists_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same topic id in two `--watchlist` files names both places."""
    first, _ = _split_watchlist(tmp_path)
    code = main(["eval", "--watchlist", first, "--watchlist", first, "--labels", LABELS])
    assert code != 0
    assert "duplicate topic id 'drugs'" in capsys.readouterr().err


def test_eval_warns_of_article_ids_on_several_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by QA: an article id on two lines was counted twice without a word. Each line is
    still scored (two assessors' files joined may repeat an article on purpose), and stderr
    names the ids with their number of lines."""
    lines = (DATA / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join([*lines, lines[0], lines[0], lines[1]]) + "\n", encoding="utf-8")
    code = main(["eval", "--watchlist", WATCHLIST, "--labels", str(path), "--json"])
    warnings = capsys.readouterr().err.splitlines()[1:]
    expected = (0, ["warning: 2 article ids are on more than one line: en1 (3), en2 (2); each"
                    " line is scored, so such an article counts once per line"])  # fmt: skip
    assert expected == (code, warnings)


def test_eval_notes_a_topic_no_line_grades(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Found by QA: a watchlist topic the labels never grade scored every match as a false
    positive (absent is grade 0) without a word; a note now says so."""
    lines = (DATA / "labels.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(x for x in lines if "storms" not in x) + "\n", encoding="utf-8")
    code = main(["eval", "--watchlist", WATCHLIST, "--labels", str(path), "--json"])
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    expected = (0, ["note: no line grades topic storms: every article it matches counts as a"
                    " false positive (a topic absent from 'topics' is grade 0)"])  # fmt: skip
    assert expected == (code, notes)


def test_a_miss_just_under_the_threshold_shows_under_it() -> None:
    """Found by QA (in ``explain``): 0.1996 at threshold 0.20 showed as 0.200, a miss that
    reads as a match; a miss's score is rounded down, a false positive's as usual."""
    doc = Document("a", "A title", "", "en")
    found = [Error("t", "miss", 0.1996, doc, 0.2), Error("t", "false positive", 0.2004, doc, 0.2)]
    header, *rows = errors_text(found).splitlines()
    scores = [row[header.index("score") :].split()[0] for row in rows]
    expected = ["0.199", "0.200"]
    assert expected == scores
