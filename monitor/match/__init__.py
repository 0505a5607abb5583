"""Watch-topic matching: the query language, normalisation, candidate selection and scoring.

Owns: deciding which topics a document matches, how strongly, and on which words, across
languages (the lexicon and expansion), and measuring it (``evaluation``). Pure: no I/O except
``bulk`` (JSON Lines streams it is given) and ``lexicon_files`` (the lexicon's YAML files).
Does not own: reading watchlists (``monitor.config``), storing or notifying matches.

The query language is documented in ``monitor.match.query``; scoring in ``monitor.match.scoring``.
"""

from monitor.match.engine import DEFAULT_THRESHOLD, Explanation, Matcher, Scored, check_examples
from monitor.match.lexicon import Lexicon, LexiconData
from monitor.match.lexicon_files import default_lexicon, lexicon_for
from monitor.match.query import Query, parse_query

__all__ = [
    "DEFAULT_THRESHOLD",
    "Explanation",
    "Lexicon",
    "LexiconData",
    "Matcher",
    "Query",
    "Scored",
    "check_examples",
    "default_lexicon",
    "lexicon_for",
    "parse_query",
]
