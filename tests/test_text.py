"""Words and their forms: no word holds a space (``View.find`` relies on it), and a word
that NFKC turns into two pieces still matches the same word in a query."""

from __future__ import annotations

from monitor.match import Matcher
from monitor.match.text import holds_word, normalise_word, words
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
