"""Hints for query errors: what a user who wrote another search tool's syntax meant.

"missing operator between terms" is right but no help to someone who wrote ``rice && exports``
(as in a programming language), ``rice w/5 exports`` (LexisNexis), ``rice AROUND(5) exports``
(Google), ``"rice exports"~5`` (Lucene) or the operator in her own language (``beras atau
padi``, ``рис или пшеница``, ``gạo hoặc lúa``). Where the word at the error's position is one of
those, the message says what to write instead. So it does for an operator mistyped in
capitals (``ADN``, ``NTO``, ``RO``: two letters swapped) and a distance written without its
slash (``NEAR10``, ``NEAR 10``, ``NEAR(10)``). Those words can be acronyms, so they are only
named in the error of a query that fails to parse anyway: a query that parses reads as written.

Owns: recognising those words and the message for each. Pure: a query's text and an error's
position in, a message out.
Does not own: the query language or its errors (``query``); where a message is shown
(``monitor.config``).
"""

from __future__ import annotations

import re
import unicodedata

from monitor.errors import QueryError
from monitor.match.query import MAX_NEAR

#: how the parser's message for two operands side by side begins
MISSING_OPERATOR = "missing operator between terms"

_SYMBOLS = {"&&": "AND", "&": "AND", "||": "OR", "|": "OR"}
#: ``and``/``or`` in Indonesian and Malay, Russian and Vietnamese (lower case or capitals: a
#: capitalised ``Dan`` is a name more often than a word)
_WORDS = {"atau": "OR", "dan": "AND", "или": "OR", "и": "AND", "hoặc": "OR", "và": "AND"}
_WORD = re.compile(r'[^\s()"{}]+')
_DISTANCE = re.compile(r"(?:w/(\d+)|AROUND\s*\(\s*(\d+)\s*\)|~(\d+))(?![^\s()])", re.IGNORECASE)
_PHRASE_BEFORE = re.compile(r'"([^"]*)"\s*$')


#: an operator with two letters swapped, as typed in a hurry (the capitals say an operator
#: was meant; in lower case they are words)
_SWAPPED = {"ADN": "AND", "NAD": "AND", "RO": "OR", "NTO": "NOT", "ONT": "NOT"}
#: ``NEAR`` with its distance but no slash (``NEAR10``, ``NEAR 10``, ``NEAR:10``, ``NEAR(10)``)
_NEAR_NO_SLASH = re.compile(r"NEAR\s*(?:[:\-]\s*)?(?:(\d+)|\(\s*(\d+)\s*\))(?![^\s()])", re.I)
#: the parser's reasons a ``NEAR`` without its slash gives (two terms side by side, a bare
#: ``NEAR``, ``NEAR:`` read as a field)
_NEAR_REASONS = (MISSING_OPERATOR, "NEAR needs a distance", "unknown field 'NEAR:'")


def explained(error: QueryError) -> str:
    """``error``'s reason, or, when it comes from an operator of another syntax, a mistyped
    operator or ``NEAR`` without its slash, a message that says what to write."""
    if error.reason.startswith(_NEAR_REASONS):
        near = _near_without_slash(error.query, error.position)
        if near is not None:
            return f"{near} (at position {error.position})"
    if not error.reason.startswith(MISSING_OPERATOR):
        return error.reason
    hint = foreign_operator(error.query, error.position)
    if hint is not None:
        return f"{hint} (at position {error.position})"
    swapped = _swapped_operator(error.query, error.position)
    return error.reason if swapped is None else swapped


def _near_without_slash(query: str, position: int) -> str | None:
    found = _NEAR_NO_SLASH.match(query, position)
    if found is None:
        return None
    number = int(found.group(1) or found.group(2))
    if not 1 <= number <= MAX_NEAR:
        return None  # the parser's message says the range
    return f"'{found.group()}' is not an operator here: write NEAR/{number}"


def _swapped_operator(query: str, position: int) -> str | None:
    """The message for an operator typed with two letters swapped, at ``position`` (``rice
    ADN export``) or as the word before it (``rice AND NTO export``: ``NTO`` read as a term),
    with that word's position; None when there is none."""
    before = [m for m in _WORD.finditer(query, 0, position) if m.end() <= position]
    candidates = [_WORD.match(query, position), *before[-1:]]
    for found in candidates:
        if found is not None and found.group() in _SWAPPED:
            word, operator = found.group(), _SWAPPED[found.group()]
            return (
                f"'{word}' is not an operator (a mistyped {operator}?): write {operator};"
                f" if '{word}' is a term, join it with AND or OR (at position {found.start()})"
            )
    return None


def foreign_operator(query: str, position: int) -> str | None:
    """What to write for the operator of another syntax at ``position``, or None."""
    found = _WORD.match(query, position)
    if found is None:
        return None
    word = unicodedata.normalize("NFC", found.group())
    if word in _SYMBOLS:
        return f"'{word}' is not an operator here: write {_SYMBOLS[word]}"
    if word.lower() in _WORDS and word in (word.lower(), word.upper()):
        return (
            f"'{word}' is not an operator here: operators are written in English capitals:"
            f" write {_WORDS[word.lower()]}"
        )
    return _distance(query, position)


def _distance(query: str, position: int) -> str | None:
    found = _DISTANCE.match(query, position)
    if found is None:
        return None
    written = found.group()
    number = next(n for n in found.groups() if n is not None)
    if not written.startswith("~"):
        return f"'{written}' is not an operator here: write NEAR/{number}"
    phrase = _PHRASE_BEFORE.search(query, 0, position)
    if phrase is None:
        return None  # ``word~5`` is Lucene's fuzzy search, not a distance
    words = phrase.group(1).split()
    example = f"{words[0]} NEAR/{number} {words[1]}" if len(words) == 2 else f"a NEAR/{number} b"
    return (
        f"a phrase followed by '{written}' is not a distance here: write the words with"
        f" NEAR/{number} between them ({example})"
    )
