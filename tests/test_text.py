"""Words and their forms: no word holds a space (``View.find`` relies on it), and a word
that NFKC turns into two pieces still matches the same word in a query."""

from __future__ import annotations

from monitor.match import Matcher
from monitor.match.text import normalise_word, words
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
