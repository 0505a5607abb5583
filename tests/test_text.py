"""Words and their forms: no word holds a space (``View.find`` relies on it), and a word
that NFKC turns into two pieces still matches the same word in a query; a headline written
without capitals reads its names as its body writes them."""

from __future__ import annotations

import pytest

from monitor.match import Matcher
from monitor.match.text import count_words, headline, holds_word, normalise_word, words
from monitor.snippet import matched_words, words_pattern
from monitor.types import Document, Topic

#: ``ͺ`` (Greek ypogegrammeni) and ``ﹰ`` (an Arabic presentation form) are word characters
#: that NFKC turns into a space and a mark
ODD = "καιͺ ﹰعرب"


def test_no_word_holds_a_space() -> None:
    """The exact and folded forms of words that NFKC splits hold no space."""
    found = words(ODD)
    assert [" " in w for w in (*found.exact, *found.folded)] == [False] * 4
    assert normalise_word("ͺ") == "ι"


def test_a_word_that_nfkc_splits_matches_itself() -> None:
    """A query word with such a character matches the document word that holds it."""
    matcher = Matcher([Topic("odd", "odd", "καιͺ", 0.0, expand=False)])
    assert [m.topic for m in matcher.match(Document("d", ODD, ""))] == ["odd"]


def test_an_ascii_text_has_the_words_the_unicode_class_finds() -> None:
    """An ASCII text's words (found with an ASCII class) are those of the same text with a
    non-ASCII word added (found with the Unicode class), and one tuple serves both forms."""
    text = "Jakarta_Post: 3 killed, 12-year-old [held]\n\nPOLICE said ... ok"
    ascii_words = words(text)
    assert ascii_words.original == words(text + " é").original[:-1]
    assert ascii_words.exact == words(text + " é").exact[:-1]
    assert ascii_words.folded is ascii_words.exact


def test_holds_word() -> None:
    """A text holds a word when it has a letter or digit; punctuation and underscores alone
    are none."""
    found = [holds_word(t) for t in ("", " -- ", "_", "a", "— é", "7")]
    assert found == [False, False, False, True, True, True]


def test_a_headline_without_capitals_takes_the_letter_case_of_its_body() -> None:
    """A headline made from a web address: its names and acronyms as the body writes them."""
    body = words("China said the US would leave. The talks went on; the US and China agreed.")
    title = headline(words("Italy tells china the us is leaving belt and road talks"), body)
    expected = ("Italy", "tells", "China", "the", "US", "is", "leaving", "belt", "and", "road")
    shown = (title.span(2, 2), title.span(3, 4))  # as the headline writes them
    assert (expected, ("china", "the us")) == (title.original[:10], shown)


def test_a_headline_with_capitals_or_too_short_is_kept() -> None:
    body = words("China and the US met.")
    kept = [words("Italy tells China to go"), words("Talks in china")]
    assert kept == [headline(title, body) for title in kept]


def test_a_name_in_a_headline_without_capitals_counts_as_the_body_writes_it() -> None:
    """``China`` (a name that needs its capital) is found in such a headline; a turkey the
    body writes in lower case stays a bird."""
    topic = Topic("t", "t", "China OR Turkey", 0.0)
    found = [
        Matcher([topic]).match(Document("d", title, text, lang="en"))
        for title, text in (
            ("Italy tells china it is leaving the belt and road", "Italy told China on Monday."),
            ("How to roast a turkey for the holidays", "Roast the turkey for two hours."),
        )
    ]
    expected: tuple[list[str], list[object]] = (["title"], [])
    assert expected == ([h.field for h in found[0][0].hits][:1], list(found[1]))


def test_a_headline_without_apostrophes_reads_a_possessive_as_the_name() -> None:
    """``chinas`` is China's: a word the body never writes, a name it writes with an ``s``; a
    plural of a word the body does not write as a name (``elections``; ``groups``, as the body
    writes ``group`` in lower case more often than ``Group``) stays."""
    body = words("China's leaders met. The Group of Seven met the group, and the group left.")
    title = headline(words("Italy tells chinas leaders of elections and groups"), body)
    shown = (title.original[2], title.exact[2], title.exact[5], title.exact[7], title.span(2, 2))
    expected = ("China", "china", "elections", "groups", "chinas")
    assert expected == shown


def test_a_host_names_domain_suffix_is_no_word() -> None:
    """``VOV.VN -`` opens a Vietnamese text: ``VN`` there is the site's domain, no Vietnam;
    the site's own name stays a word, the suffix's words keep their places (as words that
    nothing matches), and spans still map back to the text."""
    found = words("VOV.VN - Ukraine; REPUBLIKA.CO.ID, MOSKOW; Amazon.com Inc; 3.5 U.S.")
    assert (
        " ".join(found.original) == "VOV __ Ukraine REPUBLIKA __ __ MOSKOW Amazon ___ Inc 3 5 U S"
    )
    assert (found.span(7, 9), found.span(1, 1)) == ("Amazon.com Inc", "__")


def test_a_dollar_signs_letters_are_no_word() -> None:
    """``US$5 million`` is a sum in US dollars, no mention of the US (nor ``HK$`` of Hong
    Kong): the letters keep their places as a word nothing matches; ``US`` alone stays."""
    found = words("US$5 million (HK$39 million, S$ 6.7 million) for US firms; BONUS$")
    expected = "__ 5 million __ 39 million _ 6 7 million for US firms BONUS"
    assert (" ".join(found.original), found.span(0, 1)) == (expected, "US$5")


def test_a_dollar_sign_after_a_space_is_a_currency_too() -> None:
    """``US $2 million`` is a sum in US dollars as ``US$2 million`` is; ``US`` before a dollar
    sign with no amount after it, and a letter alone before `` $``, stay words."""
    found = words("US $2 million, HK $ 5, AU $3; US $ rates; A $5 fee")
    expected = "__ 2 million __ 5 __ 3 US rates A 5 fee"
    assert (" ".join(found.original), found.span(0, 1)) == (expected, "US $2")


@pytest.mark.parametrize(
    "invisible",
    ["\u00ad", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u202e", "\u2066"],
    ids=["soft-hyphen", "zwsp", "zwnj", "zwj", "word-joiner", "bom", "lrm", "rlo", "lri"],
)
def test_an_invisible_format_character_inside_a_word_does_not_split_it(invisible: str) -> None:
    """Malay ``berji\u00adran`` (a soft hyphen a site put in) is ``berjiran``, not ``berji`` +
    ``ran``; the word as written, and its span, still hold the character (a snippet's
    highlight finds it in the text); one alone between words is no word."""
    text = f"Singa{invisible}pura dan Malaysia berji{invisible}ran {invisible} ya"
    found = words(text)
    assert (found.exact, found.original[3], found.span(3, 4)) == (
        ("singapura", "dan", "malaysia", "berjiran", "ya"),
        f"berji{invisible}ran",
        f"berji{invisible}ran {invisible} ya",
    )
    assert count_words(text) == 5


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("berjiran", "Malaysia dan Singapura negara yang berji\u00adran."),
        ("berjir*", "Malaysia dan Singapura negara yang berji\u00adran."),
        ('"Singapura negara"', "Malaysia dan Singa\u200bpura negara yang berjiran."),
        ("berji\u00adran", "Malaysia dan Singapura negara yang berjiran."),
    ],
)
def test_a_term_matches_across_an_invisible_character(query: str, text: str) -> None:
    """A term finds the word a soft hyphen or zero-width space is inside (in the text or in the
    query), and the matched word, as written, is what a snippet's highlight finds in the text."""
    (found,) = Matcher([Topic("t", "t", query, 0.0, expand=False)]).match(
        Document("d", "", text, lang="ms")
    )
    pattern = words_pattern(matched_words(found.hits))
    assert pattern is not None and pattern.search(text) is not None


def test_a_domain_in_a_dateline_does_not_satisfy_a_query() -> None:
    """Found by an analyst: ``Vietnam AND Ukraine`` matched a text on Ukraine alone."""
    topic = Topic("t", "t", "Vietnam AND Ukraine", 0.0)
    text = "VOV.VN - Ukraine mới đây đã tăng cường lực lượng ở biên giới với Belarus."
    matcher = Matcher([topic])
    assert not matcher.match(Document("d", "Ukraine và Belarus", text, lang="vi"))
    assert matcher.match(Document("d", "Việt Nam và Ukraine", text, lang="vi"))
