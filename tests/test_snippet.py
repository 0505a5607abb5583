"""Tests of monitor.snippet: the one snippet alerts, payloads, the dashboard and Atom show."""

from __future__ import annotations

import pytest

from monitor.snippet import (
    SNIPPET_CHARS,
    TEXT_CHARS,
    article_snippet,
    excerpt,
    matched_words,
    trim,
)
from monitor.types import Hit

#: a feed teaser as Antara and Republika write them: a photo caption and a byline before the
#: lead, cut by the feed inside a word
TEASER = (
    "Foto selebaran yang disediakan oleh Tuan Rumah KTT ASEAN. Thanh Hà - Thứ hai, 09/09/2024 "
    "06:42 (GMT+7) The visit lifted Washington to Hanoi's highest diplomatic s"
)
#: the same article's page text as extraction left it: no caption, no byline
PAGE = "The visit lifted Washington to Hanoi's highest diplomatic status, beside Russia."


def test_a_followed_article_shows_its_page_text_not_the_teaser() -> None:
    """The cleaned text wins: what extraction removed (captions, bylines) is not shown."""
    assert article_snippet(PAGE, TEASER, ["Washington"]) == PAGE


@pytest.mark.parametrize("text", [None, "", "  \n "])
def test_an_article_without_page_text_shows_the_teaser(text: str | None) -> None:
    """Not followed, or nothing extracted: the feed's summary, its cut in a word marked."""
    shown = article_snippet(text, TEASER, ["Washington"])
    assert shown == " ".join(TEASER.split()) + "…"


@pytest.mark.parametrize(
    ("summary", "expected"),
    [
        ("Harga cabai naik tajam.", "Harga cabai naik tajam."),
        ("… to addre", "… to addre…"),
        ("The ministry said [...]", "The ministry said [...]"),
        ("Palm oil exports fell…", "Palm oil exports fell…"),
        ("“We will act,” she said", "“We will act,” she said…"),
        ("", ""),
    ],
)
def test_a_teaser_ending_inside_a_word_gets_an_ellipsis(summary: str, expected: str) -> None:
    """The feed cut it; a summary ending in a stop, a bracket or its own ellipsis is whole."""
    assert article_snippet(None, summary, []) == expected


def test_page_text_ending_without_a_stop_is_shown_as_it_is() -> None:
    """Only a feed's teaser is taken for cut by its last letter: a page's text is whole."""
    assert article_snippet("Rep: Kamran Dikarma", "x", []) == "Rep: Kamran Dikarma"


def test_snippet_centres_on_the_first_hit() -> None:
    """A long text is cut around the first matched word, on word edges, with ellipses."""
    text = "word " * 200 + "Rice is dearer " + "word " * 200
    cut = excerpt(text, ["Rice"], limit=90)
    assert cut.startswith("… word") and cut.endswith("word…") and "Rice is dearer" in cut
    assert len(cut) <= 90
    assert excerpt("short text", ["x"]) == "short text"


@pytest.mark.parametrize("limit", [40, 41, 57, 90, 160, SNIPPET_CHARS])
@pytest.mark.parametrize("teaser", [False, True])
def test_a_snippet_we_cut_ends_at_a_whole_word_with_an_ellipsis(limit: int, teaser: bool) -> None:
    """Whatever the limit: never longer, never a broken word, always the ellipsis."""
    words = [f"w{n}" for n in range(400)]
    cut = excerpt(" ".join(words), ["w3"], limit=limit, teaser=teaser)
    assert len(cut) <= limit and cut.endswith("…")
    assert all(word in words for word in cut[:-1].split())


def test_a_teaser_just_at_the_limit_is_cut_by_a_word_for_its_ellipsis() -> None:
    """A teaser cut in a word that fills the limit loses its last word, not the ellipsis."""
    teaser = "a" * 25 + " " + "b" * 14  # 40 characters, stopping inside a word
    assert excerpt(teaser, [], limit=40, teaser=True) == "a" * 25 + "…"


def test_only_the_first_text_chars_are_searched_and_a_longer_text_is_marked_cut() -> None:
    """The store reads ``TEXT_CHARS + 1`` characters for the dashboard: the same snippet as the
    whole text gives an alert, even when the matched word comes late."""
    text = "lead " * (TEXT_CHARS // 5 - 30) + "Rice " + "tail " * 2000
    assert excerpt(text[: TEXT_CHARS + 1], ["Rice"]) == excerpt(text, ["Rice"])
    shown = excerpt(text, ["Rice"])
    assert "Rice" in shown and shown.endswith("…") and len(shown) <= SNIPPET_CHARS


def test_trim_cuts_a_single_long_word_inside_it() -> None:
    assert trim("x" * 100, 10) == "x" * 9 + "…"
    assert trim("short", 10) == "short"


def test_matched_words_are_the_documents_words_once() -> None:
    hits = (
        Hit(term="Russia", field="title", position=0, matched="Rusia"),
        Hit(term="Russia", field="text", position=9, matched="Rusia"),
        Hit(term="ASEAN", field="text", position=3, matched="ASEAN"),
        Hit(term="x", field="text", position=4, matched=" "),
    )
    assert matched_words(hits) == ("Rusia", "ASEAN")
