"""Warnings about queries that load and run but do not do what their author means.

A query that parses is valid and stays so; these are the ways a valid query still surprised
testers who wrote watchlists as analysts do. ``monitor check`` prints them and the daemon logs
them, each with the file, line, topic and term, and the fix:

* **A Vietnamese word typed without its diacritics.** In an article known to be Vietnamese a
  one-word term without diacritics matches only that word as written
  (``_view.View.single_as_written``), so ``gao`` never finds ``gạo`` (rice), nor ``sot`` ``sốt``
  (fever). Warned when the term, folded, is a Vietnamese word that the background lists with
  diacritics (in at least 1 of 200 Vietnamese texts). Not warned: a word the lexicon knows (it
  has a meaning of its own, and brings its Vietnamese forms with it), an English word (one the
  dictionary holds that English news writes: ``dam``, ``song``), a word common in English,
  Indonesian or Malay news (``COMMON_SHARE`` of their texts: ``ban``, ``bot``), an acronym
  (matched in capitals only: ``VAT``), or a word whose query also writes it with diacritics.
  Of the 873 words the background lists with diacritics, folded, 149 are let be so; English
  words too rare for the background's 1,336 English texts are warned (``rat``: ``rất``;
  ``tram``: ``trạm``; ``sot`` too, which the tester meant as ``sốt``), and the warning is
  written for that: "to find it, write ...".
* **Syntax of other search tools, read as words.** ``?`` inside a word (``colo?r`` is the
  phrase ``colo r``), a boost (``nickel^2`` is ``nickel 2``), a proximity or fuzziness after a
  word (``nickel~5`` is ``nickel 5``): each matches almost nothing. What the parser rejects
  (``w/5`` between terms, ``"a b"~5``, ``a*``) is an error already, not a warning.

* **A lowercase operator.** ``and``, ``or``, ``not`` or ``near/5`` between two terms is read as
  the operator (as a word it would leave two terms side by side, an error), which an analyst
  who meant a name (``Johnson and Johnson``) would not know: said, with the fix.

A phrase whose words are separated by punctuation (``"N. Korea"``) matches across sentence
punctuation too, as every phrase does; that is documented in the README, not warned: the
punctuation in ``"U.S. Navy"`` or ``"Bắc - Nam"`` is meant.

Owns: deciding the warnings from a topic, its parsed query and a ``Vocabulary`` (values in,
values out). Does not own: parsing (``query``), the background table (``specificity``), the
dictionary (``inflect``), printing or logging the warnings (``monitor.cli``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from monitor.match.expand import terms_of
from monitor.match.lexicon import Lexicon
from monitor.match.query import Query, Term
from monitor.match.specificity import Background
from monitor.match.text import fold
from monitor.types import Topic

#: the languages whose common words are no mistyped Vietnamese (the watchlists' other languages
#: in Latin script)
OTHER_LANGUAGES = ("en", "id", "ms")
#: the share of a language's background texts from which a word is common there (``bot``: 3% of
#: English texts; ``gao``, the GAO, 0.7%)
COMMON_SHARE = 0.01
#: the most marked spellings a warning suggests
MAX_SUGGESTED = 4


@dataclass(frozen=True, slots=True)
class QueryWarning:
    """One thing a topic's query does that its author probably does not mean."""

    #: the topic's id
    topic: str
    #: the term as written in the query (``gao``, ``colo?r``)
    term: str
    #: what the term does, and the fix
    message: str
    #: where the query is written: file, line and key path (``topics[0].query``)
    file: str = ""
    line: int = 0
    key: str = ""

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "") + ": " if self.file else ""
        key = f"{self.key}: " if self.key else ""
        return f"{where}{key}topic {self.topic}: {self.term}: {self.message}"


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """What the warnings know of words (built once per configuration by ``vocabulary``)."""

    #: the lexicon in use: a word it knows has a meaning of its own
    lexicon: Lexicon
    #: each folded word that the Vietnamese background lists with diacritics, and those
    #: spellings, commonest first (``gao``: ``gạo``; ``bao``: ``báo``, ``bảo``, ``bão`` ...)
    marked: Mapping[str, tuple[str, ...]]
    #: the background's document frequencies (is a word common in English news?)
    background: Background
    #: whether a lower-case word is in an English dictionary (``inflect.english_word``)
    english: Callable[[str], bool]


def vocabulary(
    lexicon: Lexicon, background: Background, english: Callable[[str], bool]
) -> Vocabulary:
    """The vocabulary of ``lexicon`` and ``background``, its Vietnamese words by folded form."""
    listed = background.idfs.get("vi", {})
    marked: dict[str, list[str]] = {}
    for word in sorted(listed, key=lambda w: (listed[w], w)):  # commonest (lowest idf) first
        plain = fold(word)
        if plain != word and word.isalpha():
            marked.setdefault(plain, []).append(word)
    return Vocabulary(lexicon, {k: tuple(v) for k, v in marked.items()}, background, english)


def lint_topics(
    topics: Iterable[tuple[Topic, Query]], vocabulary: Vocabulary
) -> tuple[QueryWarning, ...]:
    """The warnings of each topic with its parsed query, in order."""
    return tuple(w for topic, query in topics for w in lint(topic, query, vocabulary))


def lint(topic: Topic, query: Query, vocabulary: Vocabulary) -> tuple[QueryWarning, ...]:
    """The warnings of one topic's query, each term warned about once."""
    terms = [term for term in terms_of(query) if isinstance(term, Term)]
    found: dict[tuple[str, str], None] = {}
    for term in terms:
        messages = (*_foreign_syntax(term), _unexcluded(term), _unmarked(term, terms, vocabulary))
        for message in messages:
            if message:
                found[term.label, message] = None
    for word in _forgiven_operators(query, terms):
        found[word, _operator_message(word)] = None
    key = f"{topic.key}.query" if topic.key else "query"
    line = topic.query_line or topic.line
    return tuple(
        QueryWarning(topic.id, label, message, topic.file, line, key) for label, message in found
    )


# --- Vietnamese without diacritics ---------------------------------------------------------------


def _unmarked(term: Term, terms: list[Term], vocabulary: Vocabulary) -> str | None:
    """Why ``term``, a Vietnamese word typed without diacritics, misses it; None when it is no
    such word, or the query's ``terms`` also write it with them (its author knows them)."""
    if len(term.patterns) != 1 or term.guard is not None:  # a phrase folds; an acronym is none
        return None
    pattern = term.patterns[0]
    if pattern.kind != "word" or not pattern.folded:
        return None
    spellings = vocabulary.marked.get(pattern.text)
    if not spellings or _known_elsewhere(term, vocabulary) or _spelt(pattern.text, terms):
        return None
    written = term.label.strip('"')
    shown = [_cased(spelling, written) for spelling in spellings[:MAX_SUGGESTED]]
    if len(shown) == 1:
        missed, fix = f"`{shown[0]}`", f"to find it, write it with its diacritics (`{shown[0]}`)"
    else:
        listed = ", ".join(f"`{s}`" for s in shown[:-1])
        missed = f"{listed} or `{shown[-1]}` (commonest first)"
        fix = "to find one, write it with its diacritics"
    return (
        f"in a Vietnamese article it matches only `{written}` as written, never {missed}: "
        f"{fix}, or in a phrase of two or more words, which is compared without them "
        '(`"gia gao"` finds `giá gạo`)'
    )


def _spelt(plain: str, terms: list[Term]) -> bool:
    """Whether one of ``terms`` writes the word ``plain`` with diacritics."""
    return any(not p.folded and fold(p.text) == plain for term in terms for p in term.patterns)


def _cased(spelling: str, written: str) -> str:
    """``spelling`` with a capital when ``written`` starts with one (``Nguyen``: ``Nguyễn``)."""
    return spelling[:1].upper() + spelling[1:] if written[:1].isupper() else spelling


def _known_elsewhere(term: Term, vocabulary: Vocabulary) -> bool:
    """Whether ``term`` is a word of its own: the lexicon knows it, the dictionary holds it and
    English news writes it, or news in another language writes it often."""
    word = term.patterns[0].text
    if vocabulary.lexicon.lookup(term):
        return True
    idfs = vocabulary.background.idfs
    if vocabulary.english(word) and word in idfs.get("en", {}):
        return True
    return any(
        word in idfs.get(lang, {}) and vocabulary.background.share(word, lang) >= COMMON_SHARE
        for lang in OTHER_LANGUAGES
    )


# --- other tools' syntax -------------------------------------------------------------------------

#: ``?`` between two letters or digits (``colo?r``, ``nick??l``)
#: a quoted phrase, straight or typographic (its words are no operators)
_PHRASE = re.compile(r'"[^"]*"|“[^”]*”|„[^“”]*[“”]|«[^»]*»')
#: a word that spells an operator in some case (its capitals are the operator itself)
_SOFT_OPERATOR = re.compile(r"(?<![^\s(])(?i:and|or|not|near/\d+)(?![^\s)])")
_INNER_QUESTION = re.compile(r"(?<=\w)\?+(?=\w)")
#: a boost after a word (``nickel^2``, ``nickel^0.5``)
_BOOST = re.compile(r"(?<=\w)\^\d+(?:\.\d+)?(?!\S)")
#: a proximity or fuzziness after a word (``nickel~5``, ``ore~0.8``)
_TILDE = re.compile(r"(?<=\w)~\d+(?:\.\d+)?(?!\S)")


def _unexcluded(term: Term) -> str | None:
    """A ``-word``, ``!word`` or ``-"a phrase"`` the parser read as the word or phrase:
    excluded there, it would leave an OR branch with no positive term (``Russia OR -ASEAN``),
    so the query reads as it did before ``-`` excluded, and the analyst meant an exclusion it
    is not."""
    label = term.label
    if label[:1] not in "-!–−" or not (label[1:2].isalpha() or label[1:2] == '"'):
        return None
    what = "phrase" if label[1:2] == '"' else "word"
    return (
        f"`{label}` is read as the {what} `{label[1:]}`, not excluded: here an exclusion would "
        f"leave its branch with no term to match; to leave `{label[1:]}` out, write "
        f"`... AND NOT {label[1:]}`"
    )


def _forgiven_operators(query: Query, terms: list[Term]) -> list[str]:
    """The lowercase ``and``/``or``/``not``/``near/n`` the parser read as operators (it does
    so only where the word would be an error): ``Johnson and Johnson`` is ``Johnson AND
    Johnson``, any Johnson, where the analyst may have meant the name."""
    outside = _PHRASE.sub(lambda phrase: " " * len(phrase.group()), query.text)
    words = {term.label for term in terms}
    return [
        m.group()
        for m in _SOFT_OPERATOR.finditer(outside)
        if m.group() not in words and not m.group().isupper()
    ]


def _operator_message(word: str) -> str:
    operator = word.upper()
    return (
        f"read as the operator {operator} (as a word it would leave two terms side by side);"
        f" write {operator} to say so, or quote the words for a phrase or a name"
        ' ("Johnson and Johnson")'
    )


def _foreign_syntax(term: Term) -> tuple[str, ...]:
    """What in ``term`` another search tool's syntax means otherwise, and the fix."""
    label = term.label
    if "?" not in label and "^" not in label and "~" not in label:
        return ()  # the common term: no regular expression is tried
    read = " ".join(p.text + ("*" if p.kind == "prefix" else "") for p in term.patterns)
    found = []
    if inner := _INNER_QUESTION.search(label):
        stem = label[: inner.start()].strip('"')
        prefix = f", or a prefix (`{stem}*`)" if " " not in stem and len(stem) >= 2 else ""
        found.append(
            f'`?` is no wildcard: it is read as the phrase `"{read}"`, which matches almost '
            f"nothing; write each spelling, joined with OR{prefix}"
        )
    if _BOOST.search(label):
        found.append(
            f'boosts are not supported: it is read as the phrase `"{read}"`, which matches '
            f"almost nothing; write `{_BOOST.sub('', label)}`"
        )
    if _TILDE.search(label):
        found.append(
            f'`~` is no operator: it is read as the phrase `"{read}"`, which matches almost '
            f"nothing; write `{_TILDE.sub('', label)}`, and for words near each other "
            "`a NEAR/5 b`"
        )
    return tuple(found)
