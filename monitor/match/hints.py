"""Hints for query errors: what a user who wrote another search tool's syntax meant.

"missing operator between terms" is right but no help to someone who wrote ``rice && exports``
(as in a programming language), ``rice w/5 exports`` (LexisNexis), ``rice AROUND(5) exports``
(Google), ``"rice exports"~5`` (Lucene) or the operator in her own language (``beras atau
padi``, ``рис или пшеница``, ``gạo hoặc lúa``). Where the word at the error's position is one of
those, the message says what to write instead.

Owns: recognising those words and the message for each. Pure: a query's text and an error's
position in, a message out.
Does not own: the query language or its errors (``query``); where a message is shown
(``monitor.config``).
"""

from __future__ import annotations

import re
import unicodedata

from monitor.errors import QueryError

#: how the parser's message for two operands side by side begins
MISSING_OPERATOR = "missing operator between terms"

_SYMBOLS = {"&&": "AND", "&": "AND", "||": "OR", "|": "OR"}
#: ``and``/``or`` in Indonesian and Malay, Russian and Vietnamese (lower case or capitals: a
#: capitalised ``Dan`` is a name more often than a word)
_WORDS = {"atau": "OR", "dan": "AND", "или": "OR", "и": "AND", "hoặc": "OR", "và": "AND"}
_WORD = re.compile(r'[^\s()"{}]+')
_DISTANCE = re.compile(r"(?:w/(\d+)|AROUND\s*\(\s*(\d+)\s*\)|~(\d+))(?![^\s()])", re.IGNORECASE)
_PHRASE_BEFORE = re.compile(r'"([^"]*)"\s*$')


def explained(error: QueryError) -> str:
    """``error``'s reason, or, when two operands side by side are an operator of another
    syntax, a message that says which to write (with the same position)."""
    if not error.reason.startswith(MISSING_OPERATOR):
        return error.reason
    hint = foreign_operator(error.query, error.position)
    return error.reason if hint is None else f"{hint} (at position {error.position})"


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
