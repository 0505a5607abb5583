"""Warnings about queries that load but do not do what their author means (``monitor.match.lint``):
Vietnamese typed without diacritics and other tools' syntax read as words; none on the shipped,
test and judged watchlists."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from monitor.config import load_watchlists
from monitor.match import default_lexicon, parse_query
from monitor.match.inflect import english_word
from monitor.match.lint import QueryWarning, Vocabulary, lint, vocabulary
from monitor.match.specificity import background
from monitor.types import Topic

ROOT = Path(__file__).resolve().parent.parent
#: every watchlist the project ships, tests with or measures with
WATCHLISTS = sorted(
    [
        *ROOT.glob("benchmarks/judged/watchlists/*.yaml"),
        *ROOT.glob("tests/data/watchlists/*.yaml"),
        *ROOT.glob("config/watchlists/*.yaml"),
        *ROOT.glob("tests/data/config/good/watchlists/*.yaml"),
        ROOT / "tests" / "data" / "eval" / "watchlist.yaml",
    ]
)


@functools.cache
def shipped() -> Vocabulary:
    return vocabulary(default_lexicon(), background(), english_word)


def warnings(query: str) -> list[tuple[str, str]]:
    """The terms warned about in ``query``, each with the start of its message."""
    topic = Topic("t", "t", query, 0.2, file="w.yaml", line=3, key="topics[0]", query_line=4)
    found = lint(topic, parse_query(query), shipped())
    return [(w.term, next(k for k in KINDS if w.message.startswith(k))) for w in found]


UNMARKED = "in a Vietnamese article it matches only"
WILDCARD = "`?` is no wildcard"
BOOST = "boosts are not supported"
TILDE = "`~` is no operator"
UNEXCLUDED = "`-ASEAN` is read as the word"
UNEXCLUDED_PHRASE = '`-"Elon Musk"` is read as the phrase `"Elon Musk"`, not excluded'
OPERATOR = "read as the operator"
KINDS = (UNMARKED, WILDCARD, BOOST, TILDE, UNEXCLUDED, UNEXCLUDED_PHRASE, OPERATOR)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # the tester's Vietnamese, typed without diacritics
        ("gao OR bao OR sot", [("gao", UNMARKED), ("bao", UNMARKED), ("sot", UNMARKED)]),
        ('"gao" AND export', [('"gao"', UNMARKED)]),  # one word in quotes is still one word
        ("Nguyen AND election", [("Nguyen", UNMARKED)]),
        ("rice AND NOT gao", [("gao", UNMARKED)]),  # under NOT too: it excludes no `gạo`
        # English, Indonesian and Malay words that fold to Vietnamese ones
        ("ban OR song OR bank OR dam OR bot OR gas", []),
        ("dan OR tim OR bom OR kem", []),
        # the lexicon knows them (they bring their Vietnamese forms), acronyms, capitals only
        ("Nga OR Thai OR dong OR GOP OR VAT OR MUI", []),
        # a phrase folds; a prefix and a marked spelling are as meant
        ('"gia gao" OR "To Lam" OR gạo OR bão OR bao* OR Rusia-ASEAN', []),
        ("(gao OR gạo) AND price", []),  # the query knows the marked spelling
        # other tools' syntax, read as words
        ("colo?r OR nick?l", [("colo?r", WILDCARD), ("nick?l", WILDCARD)]),
        ('"colo?r printer"', [('"colo?r printer"', WILDCARD)]),
        ("nickel^2 AND ore", [("nickel^2", BOOST)]),
        ("nickel~5 OR ore~0.8", [("nickel~5", TILDE), ("ore~0.8", TILDE)]),
        ("title:nickel^2", [("nickel^2", BOOST)]),
        # read as meant, or not another tool's syntax
        ("nickel? OR nickel~ OR +ore OR COVID-19 OR U.S. OR Rp5", []),
        # an exclusion with no term to exclude from reads as the word, as it did before
        ("Russia OR -ASEAN", [("-ASEAN", UNEXCLUDED)]),
        ("Russia AND -ASEAN", []),  # excluded, as meant
        ('Tesla OR -"Elon Musk"', [('-"Elon Musk"', UNEXCLUDED_PHRASE)]),
        ('Tesla -"Elon Musk"', []),
        # a lowercase operator the parser read as one (a name would have meant a phrase)
        ("Johnson and Johnson", [("and", OPERATOR)]),
        ("rice or palm AND oil", [("or", OPERATOR)]),
        ("(a OR b) and not c", [("and", OPERATOR), ("not", OPERATOR)]),
        # a word, a phrase's word, or written in capitals: no operator forgiven
        ('near AND far OR "rock and roll" OR Russia AND not', []),
    ],
)
def test_warned_terms(query: str, expected: list[tuple[str, str]]) -> None:
    """Each warned term, with what the warning says, in query order."""
    assert expected == warnings(query)


def test_a_warning_names_file_line_topic_term_and_the_fix() -> None:
    """The Vietnamese warning suggests the marked spellings, commonest first, in the term's
    case, and the phrase; the syntax warning says how the term is read and what to write."""
    query = "Bao OR nickel^2"
    topic = Topic("rice", "r", query, 0.2, file="w.yaml", line=3, key="topics[0]", query_line=4)
    found = [str(w) for w in lint(topic, parse_query(query), shipped())]
    expected = [
        "w.yaml:4: topics[0].query: topic rice: Bao: in a Vietnamese article it matches only"
        " `Bao` as written, never `Báo`, `Bảo`, `Bão` or `Bào` (commonest first): to find one,"
        " write it with its diacritics, or in a phrase of two or more words, which is compared"
        ' without them (`"gia gao"` finds `giá gạo`)',
        "w.yaml:4: topics[0].query: topic rice: nickel^2: boosts are not supported: it is read"
        ' as the phrase `"nickel 2"`, which matches almost nothing; write `nickel`',
    ]
    assert expected == found


def test_a_term_written_twice_is_warned_about_once() -> None:
    assert warnings("(gao AND export) OR (gao AND import)") == [("gao", UNMARKED)]


def test_a_warning_without_a_query_line_names_the_topic_line() -> None:
    topic = Topic("t", "t", "gao", 0.2, file="w.yaml", line=3, key="topics[0]")
    (found,) = lint(topic, parse_query("gao"), shipped())
    assert (found.file, found.line) == ("w.yaml", 3)
    assert str(found).startswith("w.yaml:3: topics[0].query: topic t: gao: ")


def test_a_warning_of_a_topic_from_nowhere_names_the_topic() -> None:
    """A topic made in code (no file) is still named."""
    assert str(QueryWarning("t", "x", "m", key="query")) == "query: topic t: x: m"


def test_no_warning_on_the_shipped_test_and_judged_watchlists() -> None:
    """Measured on every watchlist the project holds (35 files, 142 topics, 3,538 terms, 785
    distinct one-word terms without diacritics): no warning. Seven of those terms fold to a
    marked Vietnamese word and are rightly let be: ``dam``, ``bot`` (English), ``Nga``,
    ``dong`` (the lexicon's), ``GOP``, ``VAT``, ``MUI`` (acronyms)."""
    assert len(WATCHLISTS) >= 30
    found = [str(w) for t in _all_topics() for w in lint(t, parse_query(t.query), shipped())]
    assert found == []


def _all_topics() -> list[Topic]:
    """The topics of every watchlist (topic ids repeat across files: each read on its own)."""
    return [topic for path in WATCHLISTS for topic in load_watchlists([path])]
