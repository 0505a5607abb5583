"""Context rules for ambiguous words: when an occurrence of a term really is the name it looks like.

Some names are also ordinary words or given names: Vietnamese ``Nga`` is Russia, a given name
(``Thúy Nga``) and a district (``Nga Sơn``); ``Mỹ`` (America) ends ``thẩm mỹ`` (aesthetics);
``US`` and ``AS`` are English words in lower case; ``Turkey`` and ``China`` are nouns too. A
``Guard`` attached to a term (by the lexicon, see ``monitor.match.lexicon``) looks at the
document words as written and at their neighbours, and rejects the occurrences that are not the
name. It never adds occurrences.

Owns: the Guard value and its check against one occurrence.
Does not own: which forms carry which guard (``lexicon``), finding occurrences (``engine``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from monitor.match.text import Words

Case = Literal["any", "proper", "exact"]
#: how far into a body a dateline reaches (``KUALA LUMPUR, 5 Jun (Bernama) --``)
DATELINE_WORDS = 3


@dataclass(frozen=True, slots=True)
class Guard:
    """Conditions on the words of an occurrence, as written, and on its neighbours."""

    #: the guard's name in the lexicon data (shown by ``monitor explain``)
    name: str
    #: "exact": written with the letter case of ``spelling`` (acronyms: ``US``, ``AS``);
    #: "proper": first letter a capital (names); "any": no condition
    case: Case = "any"
    #: the form as written in the lexicon, word by word (for ``case="exact"``)
    spelling: tuple[str, ...] = ()
    #: True: diacritics as written, even for a form written without them (``Nga`` must not
    #: match ``ngã``); applied when the term is built (``monitor.match.lexicon``)
    marks: bool = False
    #: True: a capitalised word just before rejects (a given name: ``Thúy Nga``), unless that
    #: word is in ``allow_before`` (``Việt-Nga``); the first word of a field is never rejected
    not_after_capital: bool = False
    #: lower-cased words allowed before despite ``not_after_capital``
    allow_before: frozenset[str] = frozenset()
    #: words that reject when just before (``chị Nga``: Ms Nga; ``Utusan Malaysia``: a paper).
    #: A word stored with a capital compares with the text as written (``Post`` rejects
    #: ``Jakarta Post``, not "Jakarta post-election"); a lower-case one in any case.
    reject_before: frozenset[str] = frozenset()
    #: words that reject when just after (``Nga Sơn``: a district), compared the same way
    reject_after: frozenset[str] = frozenset()
    #: word sequences that reject when they follow (Russian ``банке с огурцами``: a jar of
    #: pickles, where ``банке с`` alone may be the bank's, ``в банке с 2005 года``); each word
    #: compared as ``reject_after`` compares one, or a prefix when it ends with ``*``
    reject_after_words: tuple[tuple[str, ...], ...] = ()
    #: when given, one of these words must follow: the head of compounds whose other uses are
    #: another sense (Indonesian ``pemilihan`` is an election in ``pemilihan umum``, ``pemilihan
    #: wali kota``, a selection in ``pemilihan bahan``), compared the same way
    require_after: frozenset[str] = frozenset()
    #: True: an all-capitals occurrence among the first ``DATELINE_WORDS`` words of a body is a
    #: dateline (``JAKARTA, KOMPAS.com -``, ``MOSCOW (Reuters) -``), not a mention
    not_dateline: bool = False
    #: True: the form counts only in texts of its own language or languages (``Term.langs``),
    #: or of none known: another language writes the same word with another meaning (German
    #: ``Marine`` is a navy, English ``marine`` life is not; the acronym ``PMI`` is Indonesian
    #: migrant workers, an English business index). Applied when the lexicon builds the term
    own_language: bool = False
    #: False: an analyst's term written like the form does not find its entry (``lexicon``):
    #: English writes the word with another meaning (an English ``fiscal`` is no Spanish
    #: prosecutor, ``Island`` no German Iceland)
    finds_entry: bool = True

    def allows(self, field: Words, start: int, end: int, *, body: bool = False) -> bool:
        """True when the occurrence of words ``start``..``end`` of ``field`` passes the rules.

        ``body``: the field is an article's body (not its headline).
        """
        written = field.original[start : end + 1]
        if not self._case_ok(written):
            return False
        if self.not_dateline and body and start < DATELINE_WORDS and _capitals(written):
            return False
        before = start - 1 if start > 0 else None
        after = end + 1 if end + 1 < len(field.exact) else None
        if before is not None and _listed(field, before, self.reject_before):
            return False
        if after is not None and _listed(field, after, self.reject_after):
            return False
        if after is not None and any(_follows(field, after, w) for w in self.reject_after_words):
            return False
        if self.require_after and (after is None or not _listed(field, after, self.require_after)):
            return False
        if (
            self.not_after_capital
            and before is not None
            and field.exact[before] not in self.allow_before
        ):
            previous = field.original[before]
            if previous[:1].isupper() and not previous.isupper():
                return False
        return True

    def _case_ok(self, written: tuple[str, ...]) -> bool:
        if self.case == "proper":
            return written[0][:1].isupper()
        if self.case == "exact":
            return all(
                w == s or (s.endswith("*") and w.startswith(s[:-1]))
                for w, s in zip(written, self.spelling, strict=False)
            )
        return True


def _listed(field: Words, at: int, words: frozenset[str]) -> bool:
    return field.exact[at] in words or field.original[at] in words


def _follows(field: Words, at: int, words: tuple[str, ...]) -> bool:
    """Whether ``words`` are the words of ``field`` from ``at`` on (``word*``: a prefix)."""
    if at + len(words) > len(field.exact):
        return False
    return all(_is(field, at + i, word) for i, word in enumerate(words))


def _is(field: Words, at: int, word: str) -> bool:
    if word.endswith("*"):
        stem = word[:-1]
        return field.exact[at].startswith(stem) or field.original[at].startswith(stem)
    return field.exact[at] == word or field.original[at] == word


def _capitals(written: tuple[str, ...]) -> bool:
    return all(w.isupper() and len(w) > 1 for w in written)
