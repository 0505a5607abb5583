"""``monitor.match.hints``: the operators of other search syntaxes, named with what to write."""

from __future__ import annotations

import unicodedata

import pytest

from monitor.errors import QueryError
from monitor.match import parse_query
from monitor.match.hints import explained

_CAPITALS = "is not an operator here: operators are written in English capitals: write"
_GENERIC = "missing operator between terms: write AND or OR, or quote a phrase"
_SWAPPED = "is not an operator (a mistyped"


def _as_term(word: str) -> str:
    return f"if '{word}' is a term, join it with AND or OR"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rice && exports", "'&&' is not an operator here: write AND (at position 5)"),
        ("rice & exports", "'&' is not an operator here: write AND (at position 5)"),
        ("rice || exports", "'||' is not an operator here: write OR (at position 5)"),
        ("rice w/5 exports", "'w/5' is not an operator here: write NEAR/5 (at position 5)"),
        ("rice W/10 exports", "'W/10' is not an operator here: write NEAR/10 (at position 5)"),
        (
            "rice AROUND(5) exports",
            "'AROUND(5)' is not an operator here: write NEAR/5 (at position 5)",
        ),
        (
            '"rice exports"~5',
            "a phrase followed by '~5' is not a distance here: write the words with NEAR/5"
            " between them (rice NEAR/5 exports) (at position 14)",
        ),
        (
            '"rice export ban" ~3 OR x',
            "a phrase followed by '~3' is not a distance here: write the words with NEAR/3"
            " between them (a NEAR/3 b) (at position 18)",
        ),
        ("beras atau padi", f"'atau' {_CAPITALS} OR (at position 6)"),
        ("beras dan padi", f"'dan' {_CAPITALS} AND (at position 6)"),
        ("beras DAN padi", f"'DAN' {_CAPITALS} AND (at position 6)"),
        ("рис или пшеница", f"'или' {_CAPITALS} OR (at position 4)"),
        ("рис и пшеница", f"'и' {_CAPITALS} AND (at position 4)"),
        ("gạo hoặc lúa", f"'hoặc' {_CAPITALS} OR (at position 4)"),
        ("gạo và lúa", f"'và' {_CAPITALS} AND (at position 4)"),
        # written decomposed (as some editors save Vietnamese): the same word
        (unicodedata.normalize("NFD", "gạo và lúa"), f"'và' {_CAPITALS} AND (at position 5)"),
        # NEAR without its slash (found by a tester: "missing operator between terms")
        (
            "nickel NEAR10 smelter",
            "'NEAR10' is not an operator here: write NEAR/10 (at position 7)",
        ),
        (
            "nickel NEAR 10 smelter",
            "'NEAR 10' is not an operator here: write NEAR/10 (at position 7)",
        ),
        (
            "nickel NEAR(5) smelter",
            "'NEAR(5)' is not an operator here: write NEAR/5 (at position 7)",
        ),
        ("nickel NEAR:5 smelter", "'NEAR:5' is not an operator here: write NEAR/5 (at position 7)"),
        (
            "nickel NEAR 0 smelter",
            "NEAR needs a distance from 1 to 1000, e.g. NEAR/5 (at position 7)",
        ),
        # an operator with two letters swapped, in capitals, in a query that fails anyway
        (
            "nickel ADN smelter",
            f"'ADN' {_SWAPPED} AND?): write AND; {_as_term('ADN')} (at position 7)",
        ),
        ("nickel RO smelter", f"'RO' {_SWAPPED} OR?): write OR; {_as_term('RO')} (at position 7)"),
        (
            "nickel AND NTO smelter",
            f"'NTO' {_SWAPPED} NOT?): write NOT; {_as_term('NTO')} (at position 11)",
        ),
        ("nickel adn smelter", f"{_GENERIC} (at position 7)"),  # lower case: a word
        # nothing recognisable: the parser's own message
        ("palm oil", f"{_GENERIC} (at position 5)"),
        ("Putin Dan Jokowi", f"{_GENERIC} (at position 6)"),  # a name, not Indonesian "and"
        ("rice ~5", f"{_GENERIC} (at position 5)"),  # Lucene's fuzzy search, not a distance
        ("rice AROUND(5)exports", f"{_GENERIC} (at position 5)"),
    ],
)
def test_an_operator_of_another_syntax_says_what_to_write(query: str, expected: str) -> None:
    """Two operands side by side, the second another syntax's operator: the message names it."""
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert expected == explained(caught.value)


@pytest.mark.parametrize("query", ["nickel AND RO", "RO OR ADN OR NTO", "smelter NEAR/10 ADN"])
def test_a_query_that_parses_is_never_hinted_at(query: str) -> None:
    """``RO``, ``ADN``, ``NTO`` can be acronyms (Romania): a query that parses reads as written."""
    assert parse_query(query).text == query


def test_other_errors_keep_their_message() -> None:
    """Only a missing operator is explained: ``(rice AND exports`` is an unbalanced '('."""
    with pytest.raises(QueryError) as caught:
        parse_query("(rice AND exports")
    assert caught.value.reason == explained(caught.value)
