"""Normalisation and tokenising, shared by documents and query words.

Owns: what a "word" is and the two forms every word is compared in:

* ``exact``: NFKC, case-folded, ``ё`` read as ``е``. A query word written with diacritics is
  compared in this form, so ``bão`` (storm) never matches ``báo`` (newspaper).
* ``folded``: ``exact`` with Latin/Greek/Cyrillic combining diacritics removed (``đ`` -> ``d``;
  ``й`` kept, it is a letter of its own). A query word written without diacritics is compared in
  this form, so ``bao`` matches ``bao``, ``bão`` and ``báo``.

A word is a run of letters, digits and combining marks: hyphens, apostrophes and other
punctuation split words (``Rusia-ASEAN`` is ``rusia`` + ``asean``). Invisible format characters
inside a word (a soft hyphen, a zero-width space or joiner) do not: ``berji\u00adran`` is
``berjiran``, and its span in the text still holds them. Thai, Lao, Khmer, Myanmar,
Tibetan, Chinese and Japanese are written without spaces: a run of them is one long word, and
query words in those scripts are matched as substrings of it (see ``needs_substring``).
Vietnamese writes every syllable as a word of its own (``bầu cử``, election, is two): a
Vietnamese text has about ``SYLLABLES_PER_WORD`` times as many words as the same text in a
language that writes words whole, and whatever counts words to say how deep in a text or how
long a passage is measures in ``word_scale(lang)`` of them (``scoring``, ``_view``).
A headline written without capitals reads its words in its body's letter case (``headline``):
the letters context rules look at (``guard``) are then those of the names it holds.
Does not own: the query syntax (``query``) or how words are matched and scored (``engine``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters and digits (``\w``) plus the combining marks that ``\w`` leaves out, so that decomposed
# Vietnamese or Thai vowel signs stay inside their word. Underscores are replaced before matching.
_WORD_CHAR = (
    r"[\w\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
    r"\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u1ab0-\u1aff"
    r"\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u3099\u309a]"
)
# Invisible format characters a text may hold inside a word: the soft hyphen (a hyphenation
# point a site or an editor put in, ``berji\u00adran``), zero-width space, non-joiner, joiner,
# word joiner and the byte-order mark, and the directional marks, embeddings, overrides and
# isolates (which a hostile feed puts inside a word to split it for a reader, not for the eye).
# Inside a word they are part of it (the word is read without them, ``normalise``); elsewhere
# they are no word.
_INVISIBLE_CHAR = r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
_INVISIBLE = re.compile(_INVISIBLE_CHAR)
_WORD = re.compile(f"{_WORD_CHAR}+(?:{_INVISIBLE_CHAR}+{_WORD_CHAR}+)*")
# ``_WORD`` in a text of ASCII characters alone (most texts in Latin script): the same words
# (``\w`` of an ASCII character is one of these, and the other ranges are not ASCII), found
# several times faster (a class of ranges is one table look-up a character; ``\w`` is not).
_ASCII_WORD = re.compile(r"[0-9A-Z_a-z]+")
_NO_SPACE_SCRIPT = re.compile(
    r"[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff"
    r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
)
# The domain suffix of a host name written in a text (``VOV.VN -``, ``REPUBLIKA.CO.ID,``,
# ``Amazon.com``) is no word of it: ``VN`` there names no Vietnam, ``ID`` no Indonesia. The
# site's own name before it stays a word (``Amazon``). Country codes of the region and the
# common generic endings only, each after a dot that follows a letter or digit directly.
# (The pattern opens with the dot, its lookbehind after it: a pattern that starts with a literal
# is searched for that character, several times faster than one tried at every position.)
_HOST_SUFFIX = re.compile(
    r"\.(?<=[0-9A-Za-z]\.)(?:(?:co|com|net|org|gov|go|or|ac|edu|info|news|biz|tv|io)\.)*"
    r"(?:com|net|org|info|news|biz|tv|io|vn|id|my|sg|th|ph|kh|la|mm|bn|tl|ru|cn|au|uk|in)"
    r"(?![0-9A-Za-z])",
    re.IGNORECASE,
)
# The letters of a dollar sign (``US$5 million``, ``S$``, ``HK$``) name a currency, not its
# country: ``US`` there is no mention of the United States (a fifth of the corpus's English
# texts write ``US$``, a quarter of those mention the US no other way). Blanked like a domain
# suffix, in a text that holds a dollar sign. A code of two letters names the currency also
# when a space parts it from the sign and an amount follows (``US $2 million``); a letter alone
# before `` $`` is more often a word (``A $5 fee``) and is left.
_DOLLAR_LETTERS = re.compile(
    r"(?<![0-9A-Za-z])(?:(?:US|HK|NZ|NT|AU|SG|S|A|C)(?=\$)|(?:US|HK|NZ|NT|AU|SG)(?=\s\$\s?\d))"
)
_LETTER = re.compile(r"[A-Za-z]")
#: the fewest words of a headline that tell it is written without capitals (``headline``)
CASELESS_WORDS = 4
#: how many words (syllables) a Vietnamese text has for one word of meaning
SYLLABLES_PER_WORD = 1.5
_MARKS = re.compile(r"[\u0300-\u036f]")
# letters with a diacritic that Unicode does not decompose
_LETTERS = (("đ", "d"), ("ł", "l"), ("ø", "o"), ("ħ", "h"), ("ı", "i"), ("ŀ", "l"))


@dataclass(frozen=True, slots=True)
class Words:
    """The words of one text (a headline or a body), in order, in three forms."""

    #: the text the words were read from
    source: str
    #: each word as written in ``source``
    original: tuple[str, ...]
    #: each word NFKC-normalised, case-folded, ``ё`` -> ``е``
    exact: tuple[str, ...]
    #: each ``exact`` word without diacritics
    folded: tuple[str, ...]
    #: True when the words were read with another text's help (``headline``: ``original`` in
    #: the body's letter case, a possessive's ``exact`` as the name), not from ``source`` alone
    recased: bool = False

    def span(self, start: int, end: int) -> str:
        """The original text from word ``start`` to word ``end`` (inclusive), as written."""
        if start == end and not self.recased:
            return self.original[start]
        spans = [m.span() for m in _word(self.source).finditer(_clean(self.source))]
        return self.source[spans[start][0] : spans[end][1]]


def words(text: str) -> Words:
    """Split ``text`` into words and compute their exact and folded forms."""
    original = tuple(_word(text).findall(_clean(text)))
    if not original:
        return Words(text, (), (), ())
    # One conversion of the joined words is several times faster than one per word; it is safe
    # when the word count is kept (NFKC can, rarely, turn a character into a space: such a space
    # is dropped, here as in query words, so that no word holds one).
    exact = normalise(" ".join(original)).split(" ")
    if len(exact) != len(original):
        exact = [normalise_word(word) for word in original]
    joined = " ".join(exact)
    if joined.isascii():  # folding changes no ASCII letter: one tuple serves both forms
        same = tuple(exact)
        return Words(text, original, same, same)
    folded = fold(joined).split(" ")
    if len(folded) != len(exact):
        folded = [fold(word) for word in exact]
    return Words(text, original, tuple(exact), tuple(folded))


def headline(title: Words, body: Words) -> Words:
    """``title`` with its words in the letter case its ``body`` writes them, when the title is
    written without capitals (``Italy tells china it is leaving belt and road initiative``,
    a headline made from a web address): a name's capital or an acronym's letters are the
    body's most common spelling of the word (``China``, ``US``). Such a headline has also lost
    its apostrophes: a word the body never writes, which is a name the body writes followed by
    ``s`` (``chinas``, ``trumps``), is read as the name (``China``). Otherwise ``title`` as it is.
    """
    if not _caseless(title.original):
        return title
    # the body's spellings that are not its words' exact forms: its capitals, mostly (set
    # operations and counts run in C: this is on the path of every such document)
    written = set(body.exact)
    spellings: dict[str, list[str]] = {}
    for spelling in set(body.original) - written:
        spellings.setdefault(normalise_word(spelling), []).append(spelling)
    original, exact, folded = list(title.original), list(title.exact), list(title.folded)
    for index in range(1, len(exact)):
        word = exact[index]
        if word in spellings:
            original[index] = _commonest(spellings[word], original[index], body.original)
        elif word.endswith("s") and word not in written and word[:-1] in spellings:
            name = _commonest(spellings[word[:-1]], word[:-1], body.original)
            if name != word[:-1]:
                original[index], exact[index], folded[index] = name, word[:-1], fold(word[:-1])
    return Words(title.source, tuple(original), tuple(exact), tuple(folded), recased=True)


def _caseless(original: tuple[str, ...]) -> bool:
    """True for at least ``CASELESS_WORDS`` words with letters and no capital after the first."""
    lettered = [word for word in original if not word.isdigit()]
    return len(lettered) >= CASELESS_WORDS and not any(
        char.isupper() for word in lettered[1:] for char in word
    )


def _commonest(spellings: list[str], word: str, written: tuple[str, ...]) -> str:
    """The one of ``spellings`` written most often, ``word`` when none is more often."""
    best = max(spellings, key=written.count)
    return best if written.count(best) > written.count(word) else word


def normalise(text: str) -> str:
    """NFKC, case-fold, read ``ё`` as ``е`` and drop invisible format characters (a soft
    hyphen, a zero-width space or joiner): the ``exact`` form."""
    if text.isascii():
        return text.lower()
    if _INVISIBLE.search(text) is not None:  # rare: one search in C spares most texts a copy
        text = _INVISIBLE.sub("", text)
    return unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")


def normalise_word(word: str) -> str:
    """``normalise`` for one word: never holds a space (NFKC makes one of ``ͺ`` and of some
    Arabic presentation forms)."""
    return normalise(word).replace(" ", "")


def fold(text: str) -> str:
    """Remove diacritics from an already normalised text: the ``folded`` form."""
    if text.isascii():
        return text
    # ``й`` is protected from mark stripping (NFD splits it into и + breve) by a stand-in.
    decomposed = unicodedata.normalize("NFD", text.replace("й", "\ue000"))
    stripped = unicodedata.normalize("NFC", _MARKS.sub("", decomposed)).replace("\ue000", "й")
    for letter, plain in _LETTERS:
        if letter in stripped:
            stripped = stripped.replace(letter, plain)
    return stripped


def needs_substring(word: str) -> bool:
    """True for a word in a script written without spaces (matched as a substring)."""
    return _NO_SPACE_SCRIPT.search(word) is not None


def _word(text: str) -> re.Pattern[str]:
    """What finds the words of ``text`` (``isascii`` costs nothing: a string knows it)."""
    return _ASCII_WORD if text.isascii() else _WORD


def _clean(text: str) -> str:
    """``text`` as words are read from it: the same length (spans map back to ``text``)."""
    if "_" in text:
        text = text.replace("_", " ")
    if "$" in text:
        text = _DOLLAR_LETTERS.sub(_blank, text)
    return _HOST_SUFFIX.sub(_blank, text) if "." in text else text


def _blank(found: re.Match[str]) -> str:
    """``.CO.ID`` -> `` __ __``, ``US`` (of ``US$``) -> ``__``: words that no query word
    matches, where the suffix's (letters') were, so that every other word keeps its place
    (distances, depth and text length are unchanged)."""
    return _LETTER.sub("_", found.group()).replace(".", " ")


def count_words(text: str) -> int:
    """How many words ``words(text)`` has (cheaper than reading them)."""
    return len(_word(text).findall(_clean(text)))


def holds_word(text: str) -> bool:
    """Whether ``text`` has a word (cheaper than counting them: the search stops at the first)."""
    return _word(text).search(_clean(text)) is not None


def word_scale(lang: str | None) -> float:
    """How many of our words make one word of meaning in a text of ``lang`` (1.0: one)."""
    return SYLLABLES_PER_WORD if lang == "vi" else 1.0
