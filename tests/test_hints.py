"""``monitor.match.hints``: the operators of other search syntaxes, named with what to write."""

from __future__ import annotations

import unicodedata

import pytest

from monitor.errors import QueryError
from monitor.match import parse_query
from monitor.match.hints import explained

_CAPITALS = "is not an operator here: operators are written in English capitals: write"
_GENERIC = "missing operator between terms: write AND or OR, or quote a phrase"


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


def test_other_errors_keep_their_message() -> None:
    """Only a missing operator is explained: ``(rice AND exports`` is an unbalanced '('."""
    with pytest.raises(QueryError) as caught:
        parse_query("(rice AND exports")
    assert caught.value.reason == explained(caught.value)
