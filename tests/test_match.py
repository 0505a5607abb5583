"""Matching and scoring: multilingual cases as data tables, the shipped watchlist's examples."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from monitor.errors import QueryError
from monitor.match import DEFAULT_THRESHOLD, Matcher, check_examples
from monitor.match.scoring import TITLE_WEIGHT
from monitor.match.specificity import NEUTRAL, background
from monitor.types import Document, Hit, Topic

DATA = Path(__file__).parent / "data"
WATCHLIST = Path(__file__).parent.parent / "config" / "watchlists" / "security.yaml"
SEED = (DATA / "seed" / "republika-2021-12-07-rusia-asean.txt").read_text(encoding="utf-8")
SEED_TITLE = "Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme"
EXAMPLE_QUERY = """
    (Russia OR Rusia OR Moscow OR Moskow OR Kremlin OR Putin)
    AND (ASEAN OR "Southeast Asia" OR "Asia Tenggara" OR Indonesia OR Vietnam)
    AND (security OR keamanan OR terror* OR teroris* OR defence OR pertahanan)
"""


def topic(query: str, threshold: float = 0.0, topic_id: str = "t") -> Topic:
    """A topic without multilingual expansion: these tables test the query language itself
    (expansion has its own tables in test_expand.py)."""
    return Topic(id=topic_id, name=topic_id, query=query, threshold=threshold, expand=False)


def terms(query: str, title: str, text: str = "") -> tuple[str, ...] | None:
    """The terms that fired for a one-topic matcher (threshold 0), or None when no match."""
    found = Matcher([topic(query)]).match(Document(id="d", title=title, text=text))
    return found[0].terms if found else None


def title_weight(word: str, lang: str | None = None) -> float:
    """A headline hit's weight: the headline's, times the word's specificity."""
    return round(TITLE_WEIGHT * background().specificity((word,), lang), 4)


def score(query: str, title: str, text: str = "") -> float:
    found = Matcher([topic(query)]).match(Document(id="d", title=title, text=text))
    return found[0].score if found else 0.0


@pytest.mark.parametrize(
    ("query", "title", "expected"),
    [
        # Vietnamese: diacritics written in the query must be there; unwritten ones are free.
        ("bão", "Cơn bão số 3 đổ bộ", ("bão",)),
        ("bão", "Tờ báo đưa tin", None),
        ("bao", "Tờ báo đưa tin", ("bao",)),
        ("bao", "Cơn bão số 3", ("bao",)),
        ('"Việt Nam"', "Tổng thống Nga thăm Việt Nam", ('"Việt Nam"',)),
        ('"Viet Nam"', "Tổng thống Nga thăm Việt Nam", ('"Viet Nam"',)),
        # whole words, case-insensitive
        ("ISIS", "Krisis ekonomi memburuk", None),
        ("ISIS", "Serangan ISIS di Suriah", ("ISIS",)),
        ("isis", "ISIS claims attack", ("isis",)),
        ("krisis", "KRISIS politik", ("krisis",)),
        # prefixes
        ("teroris*", "Pemberantasan Terorisme", ("teroris*",)),
        ("teroris*", "Pemberantasan teror", None),
        # hyphenated compounds split, and a hyphenated query term is a phrase
        ("ASEAN", "Rusia-ASEAN Perbarui Kerja Sama", ("ASEAN",)),
        ("Rusia-ASEAN", "Kerja sama Rusia ASEAN", ("Rusia-ASEAN",)),
        ("Rusia-ASEAN", "Kerja sama ASEAN dan Rusia", None),
        # phrases are consecutive words
        ('"Asia Tenggara"', "Kawasan Asia Tenggara", ('"Asia Tenggara"',)),
        ('"Asia Tenggara"', "Asia dan Tenggara", None),
        # a dash written between a phrase's words: the text's words, dash or none
        ('"Bắc - Nam"', "Đường sắt tốc độ cao Bắc - Nam", ('"Bắc - Nam"',)),
        ('"Bắc - Nam"', "Đường sắt Bắc–Nam khởi công", ('"Bắc - Nam"',)),
        ('"Bắc - Nam"', "Bắc Ninh và Nam Định", None),
        # Cyrillic: case folding, ё read as е
        ("РОССИЯ", "россия и АСЕАН", ("РОССИЯ",)),
        ("россия", "РОССИЯ И АСЕАН", ("россия",)),
        ("Росси*", "Президент России", ("Росси*",)),
        ("елка", "Новогодняя ёлка", ("елка",)),
        ("ёлка", "Новогодняя елка", ("ёлка",)),
        # scripts without spaces match by substring
        ("กองทัพ", "กองทัพเรือไทยซ้อมรบร่วมกับรัสเซีย", ("กองทัพ",)),
        ("南海", "中国海警在南海拦截菲律宾船只", ("南海",)),
        ("南海", "中国海警拦截菲律宾船只", None),
        # operators
        ("Putin AND NOT Ukraine", "Putin visits Hanoi", ("Putin",)),
        ("Putin AND NOT Ukraine", "Putin talks about Ukraine", None),
        ("(Putin OR Kremlin) AND ASEAN", "Kremlin hosts ASEAN envoys", ("Kremlin", "ASEAN")),
        ("title:Putin AND ASEAN", "ASEAN summit", None),
    ],
)
def test_headline_cases(query: str, title: str, expected: tuple[str, ...] | None) -> None:
    """Whole words, diacritics, compounds, phrases, Cyrillic, substring scripts, operators."""
    assert expected == terms(query, title)


@pytest.mark.parametrize(
    ("query", "title", "expected"),
    [
        # a one-word term without diacritics is that word as written, not every syllable it
        # folds to: English "ban" is not bạn (friend), bán (sell) or bàn (table) ...
        ("ban", "Tôi và bạn bè đi bán bàn ghế", None),
        ("ban", "Chính phủ ban hành lệnh cấm", ("ban",)),
        ("song", "Người dân sống bên sông", None),
        ("bao", "Cơn bão số 3 đổ bộ", None),
        ("viet*", "Việt Nam và Lào", None),
        ("Ukraine", "Nga và Ukraine đàm phán", ("Ukraine",)),
        # ... while a phrase still folds: a name typed without its marks
        ('"To Lam"', "Tổng Bí thư Tô Lâm thăm Lào", ('"To Lam"',)),
        ('"Viet Nam"', "Tổng thống Nga thăm Việt Nam", ('"Viet Nam"',)),
        # marks written in the query compare as before
        ("bão", "Cơn bão số 3 đổ bộ", ("bão",)),
    ],
)
def test_vietnamese_text_single_words_as_written(
    query: str, title: str, expected: tuple[str, ...] | None
) -> None:
    """In a text known to be Vietnamese, a one-word term without diacritics compares as written."""
    doc = Document(id="d", title=title, text="", lang="vi")
    found = Matcher([topic(query)]).match(doc)
    assert expected == (found[0].terms if found else None)


def test_an_expanded_english_word_is_no_vietnamese_syllable() -> None:
    """English "song" (expanded) finds Vietnamese songs, not sống (to live) or sông (a river)."""
    matcher = Matcher([Topic(id="t", name="t", query="song", threshold=0.0)])
    living = Document(id="a", title="Người dân sống bên sông", text="", lang="vi")
    songs = Document(id="b", title="Bài hát mới của ca sĩ trẻ", text="", lang="vi")
    assert (matcher.match(living), bool(matcher.match(songs))) == ((), True)


@pytest.mark.parametrize(
    ("query", "title", "text", "expected"),
    [
        ("title:Putin", "Kremlin statement", "Putin said", None),
        ("title:Putin", "Putin statement", "Putin said", ("Putin",)),
        ("Putin NEAR/3 ASEAN", "", "Putin met the ASEAN leaders", ("Putin", "ASEAN")),
        ("Putin NEAR/3 ASEAN", "", "Putin met many of the ten ASEAN leaders", None),
        ("ASEAN NEAR/3 Putin", "", "Putin met the ASEAN leaders", ("Putin", "ASEAN")),
        ("Putin NEAR/3 ASEAN", "Putin speaks", "The ASEAN leaders", None),
        (
            '(Rusia OR Russia) NEAR/2 "Asia Tenggara"',
            "",
            "Rusia dan Asia Tenggara",
            ("Rusia", '"Asia Tenggara"'),
        ),
    ],
)
def test_field_and_near_cases(
    query: str, title: str, text: str, expected: tuple[str, ...] | None
) -> None:
    """title: looks at the headline only; NEAR/n needs both sides within n words, either order."""
    assert expected == terms(query, title, text)


def test_seed_headline_scores_at_least_0_4() -> None:
    """The seed headline alone reaches 0.4 on the README's example query."""
    assert score(EXAMPLE_QUERY, SEED_TITLE) >= 0.4


def test_seed_article_matches_with_title_hits_first() -> None:
    """The full seed article matches strongly, with the headline hits listed first."""
    (match,) = Matcher([topic(EXAMPLE_QUERY, 0.4)]).match(Document("seed", SEED_TITLE, SEED))
    expected_head = (
        Hit("Rusia", "title", 0, "Rusia", title_weight("rusia")),
        Hit("ASEAN", "title", 1, "ASEAN", title_weight("asean")),
        Hit("teroris*", "title", 6, "Terorisme", title_weight("terorisme")),
    )
    assert (True, expected_head, True) == (
        match.score > 0.8,
        match.hits[:3],
        {"Moskow", "keamanan", '"Asia Tenggara"'} <= set(match.terms),
    )


def test_passing_mentions_deep_in_a_long_body_are_noise() -> None:
    """One mention of each term deep in a long body scores below the default threshold."""
    filler = " ".join(["lorem"] * 600)
    text = f"{filler} Rusia {filler} ASEAN {filler} keamanan"
    assert 0 < score(EXAMPLE_QUERY, "Berita hari ini", text) < DEFAULT_THRESHOLD


def test_adding_hits_never_lowers_the_score() -> None:
    """Each added mention (title, early, late, repeated) keeps or raises the score."""
    filler = " ".join(["kata"] * 80)
    steps = [
        ("Berita", f"{filler} Rusia {filler} ASEAN {filler} keamanan"),
        ("Berita", f"{filler} Rusia {filler} ASEAN {filler} keamanan Rusia"),
        ("Berita", f"Rusia {filler} Rusia {filler} ASEAN {filler} keamanan Rusia"),
        ("Berita", f"Rusia ASEAN {filler} Rusia {filler} ASEAN {filler} keamanan Rusia"),
        ("Berita Rusia", f"Rusia ASEAN {filler} Rusia {filler} ASEAN {filler} keamanan Rusia"),
        (
            "Berita Rusia ASEAN",
            f"Rusia ASEAN {filler} Rusia {filler} ASEAN {filler} keamanan Rusia",
        ),
        ("Rusia ASEAN keamanan", f"Rusia ASEAN {filler} Rusia {filler} ASEAN {filler} keamanan"),
    ]
    scores = [score(EXAMPLE_QUERY, title, text) for title, text in steps]
    assert scores == sorted(scores)
    assert len(set(scores)) == len(scores)


def test_near_terms_closer_together_score_more() -> None:
    """The sides of a NEAR weigh more the closer they are (the same words, moved apart)."""
    query = "Rusia NEAR/20 ASEAN"
    texts = [f"Rusia {' '.join(['kata'] * gap)} ASEAN" for gap in (0, 5, 10, 19)]
    scores = [score(query, "Berita", text) for text in texts]
    assert scores == sorted(scores, reverse=True)
    assert len(set(scores)) == len(scores)


def test_a_weak_and_part_pulls_the_score_down() -> None:
    """AND parts combine by geometric mean: a passing mention of one part is not carried by
    a strong other part."""
    filler = " ".join(["kata"] * 600)
    strong_both = score(EXAMPLE_QUERY, "Rusia ASEAN keamanan", "")
    one_passing = score(EXAMPLE_QUERY, "Rusia ASEAN", f"{filler} keamanan")
    assert strong_both > DEFAULT_THRESHOLD > one_passing > 0


def test_title_hits_outrank_body_hits() -> None:
    """The same words score higher in the headline than at the start of the body."""
    in_title = score(EXAMPLE_QUERY, "Rusia ASEAN keamanan", "")
    in_body = score(EXAMPLE_QUERY, "Berita", "Rusia ASEAN keamanan")
    late_in_body = score(
        EXAMPLE_QUERY, "Berita", " ".join(["kata"] * 300) + " Rusia ASEAN keamanan"
    )
    assert in_title > in_body > late_in_body > 0


def test_matches_are_filtered_by_threshold_and_sorted() -> None:
    """Only topics at or above their threshold, by score descending, then topic id."""
    topics = [
        topic("ASEAN", 0.0, "b-body"),
        topic("Putin", 0.0, "a-title"),
        topic("Kremlin", 0.0, "c-title"),
        topic("ASEAN", 0.99, "d-too-high"),
        topic("Hanoi", 0.0, "e-absent"),
    ]
    doc = Document("d", "Putin and the Kremlin", "The ASEAN leaders met")
    found = Matcher(topics, background=NEUTRAL).match(doc)  # every word equally specific
    expected = ["a-title", "c-title", "b-body"]
    assert expected == [m.topic for m in found]


def test_score_all_explains_every_topic() -> None:
    """score_all reports unsatisfied topics too, with the positive terms that did occur."""
    results = Matcher([topic("Putin AND ASEAN", 0.5, "x")]).score_all(Document("d", "Putin", ""))
    (result,) = results
    expected = (False, 0.0, ("Putin",))
    assert expected == (result.satisfied, result.score, tuple(h.term for h in result.hits))


def test_a_bad_topic_query_names_the_topic() -> None:
    """Matcher() raises QueryError naming the topic and the position."""
    with pytest.raises(QueryError, match=r"topic broken: .*at position 2"):
        Matcher([topic("a b", topic_id="broken")])


def test_candidate_index_agrees_with_evaluating_every_topic() -> None:
    """The anchor index never drops a topic that the full evaluation would match."""
    queries = [
        "Putin AND (ASEAN OR Vietnam)",
        "NOT Ukraine AND Putin",
        "(as* OR Kreml*) AND title:Putin",
        "Putin NEAR/5 (Hanoi OR Jakarta)",
        '"Asia Tenggara" OR 南海',
        "bão OR bao*",
    ]
    matcher = Matcher([topic(q, 0.0, str(i)) for i, q in enumerate(queries)])
    doc = Document("d", "Putin di Hanoi: Kremlin dan Asia Tenggara", "Cơn bão ở 南海 và Jakarta")
    full = [s.topic for s in matcher.score_all(doc) if s.satisfied]
    assert full == sorted(m.topic for m in matcher.match(doc))


def _watchlist_topics() -> list[Topic]:
    raw = yaml.safe_load(WATCHLIST.read_text(encoding="utf-8"))["topics"]
    return [
        Topic(
            id=t["id"],
            name=t["name"],
            query=t["query"],
            threshold=t.get("threshold", DEFAULT_THRESHOLD),
            examples_match=tuple(t.get("examples", {}).get("match", ())),
            examples_no_match=tuple(t.get("examples", {}).get("no_match", ())),
        )
        for t in raw
    ]


@pytest.mark.parametrize("watch_topic", _watchlist_topics(), ids=lambda t: t.id)
def test_shipped_watchlist_examples(watch_topic: Topic) -> None:
    """Every example of every topic in config/watchlists/security.yaml behaves as declared."""
    expected: tuple[bool, tuple[str, ...]] = (True, ())
    assert expected == (bool(watch_topic.examples_match), check_examples(watch_topic))


def test_check_examples_reports_failures() -> None:
    """A wrong example is reported in words, naming the text and where it is written: file,
    its line and key path when the topic knows them (read from a watchlist), else the topic."""
    bad = Topic("t", "t", "Putin", 0.3, examples_match=("Kremlin",), examples_no_match=("Putin",))
    read = replace(
        bad, file="a.yaml", line=2, key="topics[3]",
        examples_match_lines=(6,), examples_no_match_lines=(8,),
    )  # fmt: skip
    expected = (
        (
            "t.examples.match[0]: should match but the query is not satisfied: 'Kremlin'",
            "t.examples.no_match[0]: should not match but does: 'Putin'",
        ),
        (
            "a.yaml:6: topics[3].examples.match[0]: should match but the query is not"
            " satisfied: 'Kremlin'",
            "a.yaml:8: topics[3].examples.no_match[0]: should not match but does: 'Putin'",
        ),
    )
    assert expected == (check_examples(bad), check_examples(read))


def test_example_topic_is_in_the_shipped_watchlist() -> None:
    """The README's example topic id ships, and its seed headline matches it."""
    by_id = {t.id: t for t in _watchlist_topics()}
    shipped = Matcher([by_id["russia-asean-security"]])
    expected = ["russia-asean-security"]
    assert expected == [m.topic for m in shipped.match(Document("s", SEED_TITLE, ""))]
