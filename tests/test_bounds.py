"""``monitor.bounds``: the boundary where network text becomes valid and bounded."""

from __future__ import annotations

import pytest

from monitor import bounds
from monitor.types import Hit, Item


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("plain", "plain"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        (
            "pair \ud83d\udca9",
            "pair \ufffd\ufffd",
        ),  # halves, not a pair
        ("nul\x00bell\x07esc\x1b", "nul bell esc "),
        ("tab\tnewline\n", "tab\tnewline\n"),
    ],
)
def test_text_is_encodable(raw: str, expected: str) -> None:
    """Lone surrogates become U+FFFD, control characters spaces; tabs and newlines stay."""
    assert bounds.text(raw, 100) == expected
    bounds.text(raw, 100).encode("utf-8")


def test_text_is_cut_to_its_limit() -> None:
    assert bounds.text("x" * 50, 10) == "x" * 10


def test_long_key_is_stored_as_its_digest() -> None:
    """A key over 1 KB becomes ``sha256:<hex>``, the same for the same key, different else."""
    long = "http://a.example/" + "x" * 3000
    assert bounds.key(long) == bounds.key(long) != bounds.key(long + "y")
    assert bounds.key(long).startswith("sha256:") and len(bounds.key(long)) == 71
    assert bounds.key("http://a.example/short") == "http://a.example/short"


def test_url_over_the_limit_is_no_link() -> None:
    assert bounds.url("http://a.example/" + "x" * 5000) is None
    assert bounds.url(" http://a.example/\x00x ") == "http://a.example/ x"


@pytest.mark.parametrize(
    ("value", "kept"),
    [('"abc"', True), ('W/"\u00e9t\u00e9"', False), ("x" * 600, False), ("a\r\nb", False)],
)
def test_header_values_that_cannot_be_sent_back_are_dropped(value: str, kept: bool) -> None:
    assert (bounds.header(value) == value) is kept


def test_item_fields_are_all_bounded() -> None:
    raw = Item(
        key="guid:" + "k" * 2000,
        url="http://a.example/\ud800",
        guid="g\x00",
        title="t" * 5000,
        summary="s" * 50_000,
        author="a" * 500,
    )
    item = bounds.item(raw)
    assert item.key.startswith("sha256:") and item.guid == "g "
    assert (len(item.title), len(item.summary), len(item.author or "")) == (
        bounds.TITLE_MAX,
        bounds.SUMMARY_MAX,
        bounds.AUTHOR_MAX,
    )
    assert item.url == "http://a.example/\ufffd"


def test_hits_keep_a_few_per_term_and_field_with_counts() -> None:
    """Ten title hits of one term keep three, the last counting eight; other groups apart."""
    found = (*(Hit("a", "title", n, "A") for n in range(10)), Hit("a", "text", 0, "a"))
    kept = bounds.hits(found)
    assert [(h.field, h.position, h.count) for h in kept] == [
        ("title", 0, 1),
        ("title", 1, 1),
        ("title", 2, 8),
        ("text", 0, 1),
    ]
