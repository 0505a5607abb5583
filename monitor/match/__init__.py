"""Watch-topic matching: the query language, normalisation, candidate selection and scoring.

Owns: deciding which topics a document matches, how strongly, and on which words. Pure: no I/O
except ``bulk``, which reads and writes JSON Lines streams it is given.
Does not own: reading watchlists (``monitor.config``), storing or notifying matches.

The query language is documented in ``monitor.match.query``; scoring in ``monitor.match.engine``.
"""

from monitor.match.engine import DEFAULT_THRESHOLD, Matcher, Scored, check_examples
from monitor.match.query import Query, parse_query

__all__ = ["DEFAULT_THRESHOLD", "Matcher", "Query", "Scored", "check_examples", "parse_query"]
