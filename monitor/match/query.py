"""The watch-topic query language: text -> a small immutable syntax tree, or a QueryError.

Syntax (operators in capitals; see below for what is forgiven)::

    query   := or
    or      := and ("OR" and)*
    and     := unary (("AND" | <before NOT>) unary)*     a NOT b  ==  a AND NOT b
    unary   := "NOT" unary | near
    near    := primary ["NEAR/n" primary]                 1 <= n <= 1000, no chains
    primary := "(" or ")" | "title:" primary | "{" concept "}" | term
    term    := word | word* | "a quoted phrase"

* Two terms side by side (``Russia ASEAN``) are an error, not an implicit AND: analysts mean
  AND, OR or a phrase about equally often, and the error says which to write.
* A word or a phrase led by ``-`` or ``!`` (``-recipe``, ``!nickel``, ``-"Elon Musk"``) is
  excluded, as search engines read it: ``rice AND export -recipe`` is ``rice AND export AND
  NOT recipe`` (read as the word, the exclusion asked for the very articles to leave out).
  Where an exclusion would leave an OR branch with no positive term (``a OR -b``), the query
  reads as it did before ``-`` excluded: ``-b`` is the word ``b``, ``-"b c"`` the phrase.
* Unicode spaces (no-break, thin, ideographic) separate words as a space does: a query pasted
  from a document holds them, and ``dengue OR DBD`` with no-break spaces was one phrase.
* A query that does not parse as written is read once more, forgiving what users write: a
  lowercase ``and``, ``or``, ``not`` or ``near/n`` between two operands (``Russia and ASEAN``;
  ``not`` also before one, ``not football``) is the operator, and typographic quotes
  (``“…”``, ``„…“``, ``«…»``) quote a phrase as ``"`` does (pasted from a document; Russian
  is written with guillemets). Elsewhere those are words: a query that parses as written reads
  as written.
* A word matches a whole word; ``word*`` matches words starting with ``word`` (at least two
  letters before the ``*``); a phrase matches consecutive words. A word written without
  diacritics matches with or without them, unless it is in a phrase that has some (or is a
  one-word term in a Vietnamese text: ``_view.View.single_as_written``). A word that
  splits into several (``Rusia-ASEAN``, ``U.S.``) is the phrase of its parts. Inside a phrase
  ``*`` ends a word too.
* ``NEAR/n`` joins terms, phrases, prefixes and parenthesised OR-groups of those (optionally
  under ``title:``): some occurrence of each side within ``n`` words of the other, either order.
* ``title:`` restricts what follows to the headline.
* ``{concept}`` (braces) asks for a whole lexicon concept: every sense, narrower and related word
  it holds (``{terrorism}``, ``{disaster}``, ``{Russia}``). A plain term expands only to what
  means the same (``monitor.match.expand``); the braces are how broader words are asked for. The
  name is checked against the lexicon when the topic is compiled, not here.
* Every query needs a positive term on every OR branch (``NOT x`` alone or ``a OR NOT b`` would
  match almost every article, and could not be indexed): rejected.

Owns: lexing, parsing, the syntax tree and the checks above, with the position of each problem.
Does not own: evaluating it on documents (``_view``), scoring (``scoring``), word forms (``text``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal, NamedTuple

from monitor.errors import QueryError
from monitor.match.guard import Guard
from monitor.match.text import fold, needs_substring, normalise_word, words

WordKind = Literal["word", "prefix", "substring"]
MAX_NEAR = 1000
MIN_PREFIX = 2
#: longest query, and deepest nesting of parentheses, NOT and title: (the parser and every
#: walk over the tree recurse once per level: a hostile query must not reach Python's limit)
MAX_QUERY = 20_000
MAX_DEPTH = 50


@dataclass(frozen=True, slots=True)
class Pattern:
    """One query word, ready to compare with one document word."""

    #: the word in the form it is compared in (``folded`` or ``exact``, see ``monitor.match.text``)
    text: str
    #: whole word, start of a word (``word*``), or substring (scripts without spaces)
    kind: WordKind
    #: True when the query word has no diacritics, so it is compared with folded words
    folded: bool


@dataclass(frozen=True, slots=True)
class Term:
    """A word, prefix or phrase: consecutive document words matching ``patterns``."""

    patterns: tuple[Pattern, ...]
    #: the term as the topic's author wrote it (shown in hits; an expanded form keeps the label
    #: of the term it was expanded from)
    label: str
    position: int
    #: context rules an occurrence must pass (lexicon forms of ambiguous names), or None
    guard: Guard | None = None
    #: the lexicon form this term was expanded to (``России``); "" for the term as written
    form: str = ""
    #: the languages of a lexicon form that counts only in their texts (``Guard.own_language``:
    #: ``PMI`` is Indonesian for migrant workers, English for a business index), or in texts of
    #: none given; () in any
    langs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ConceptRef:
    """``{name}``: every form of a lexicon concept; replaced by an OR when the topic compiles."""

    #: the name between the braces, stripped (``terrorism``, ``Russia``)
    name: str
    position: int

    @property
    def label(self) -> str:
        return f"{{{self.name}}}"


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]
    position: int


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]
    position: int


@dataclass(frozen=True, slots=True)
class Not:
    child: Node
    position: int


@dataclass(frozen=True, slots=True)
class Near:
    left: Node
    right: Node
    #: the most words apart the two sides may be (adjacent words are 1 apart)
    distance: int
    position: int


@dataclass(frozen=True, slots=True)
class Title:
    """Its child must be satisfied in the headline alone."""

    child: Node
    position: int


Node = Term | And | Or | Not | Near | Title | ConceptRef


def written(node: Node) -> str:
    """``node`` as a query string (``(security OR defence)``): for naming a part of a query."""
    if isinstance(node, Term | ConceptRef):
        return node.label
    if isinstance(node, Title):
        return f"title:{written(node.child)}"
    if isinstance(node, Not):
        return f"NOT {written(node.child)}"
    if isinstance(node, Near):
        return f"{written(node.left)} NEAR/{node.distance} {written(node.right)}"
    joined = (" AND " if isinstance(node, And) else " OR ").join(map(written, node.children))
    return f"({joined})"


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query."""

    #: the query as written
    text: str
    root: Node


class _Syntax(Exception):
    """A parse problem before it is wrapped into QueryError (with the query text)."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def parse_query(text: str, *, where: str = "") -> Query:
    """Parse ``text``; raise QueryError with the 0-based position of the first problem, its
    message led by ``where`` (``"topic sea: "``)."""
    try:
        return parse(text)
    except _Syntax as e:
        raise QueryError(where + e.message, position=e.position, query=text) from None


def parse(text: str) -> Query:
    """Parse ``text``; raise ``_Syntax`` (message and position) on a problem."""
    if len(text) > MAX_QUERY:
        raise _Syntax(f"query too long: {len(text)} characters (at most {MAX_QUERY})", MAX_QUERY)
    # a no-break or other Unicode space (pasted from a document) separates as a space does
    spaced = text if text.isascii() else _UNICODE_SPACE.sub(" ", text)
    excluding = any(c in spaced for c in _EXCLUDING)
    try:
        return Query(text, _checked(_lex(spaced, excluding), len(text)))
    except _Syntax as strict:
        try:
            return Query(text, _forgiving(spaced, excluding, strict))
        except _Syntax as error:
            if not excluding:
                raise
            try:  # as it read before -word excluded: a query that loaded then still loads
                return Query(text, _checked(_lex(spaced, False), len(text)))
            except _Syntax:
                raise error from None


def _checked(tokens: list[_Token], length: int) -> Node:
    """The tree of ``tokens``, every OR branch with a positive term."""
    root = _Parser(tokens, length).parse()
    bad = _unanchored(root)
    if bad is not None:
        raise _Syntax(
            "a branch of this query has no positive term (a NOT alone would match almost "
            "every article): combine it with a term, e.g. 'a AND NOT b'",
            bad.position,
        )
    return root


def _forgiving(text: str, excluding: bool, strict: _Syntax) -> Node:
    """``text``, which does not parse as written, read with typographic quotes as ``"`` and
    lowercase operators between operands as operators; ``strict`` (the error as written) when
    that does not parse either. Tried only after the strict parse fails, so a query that parses
    as written always reads as written (and pays nothing for this)."""
    try:
        tokens = _lowercase_operators(_lex(_typographic_quotes(text), excluding))
        return _checked(tokens, len(text))
    except _Syntax as forgiven:
        # the later problem is the real one: the earlier was a lowercase operator it forgave
        raise (forgiven if forgiven.position > strict.position else strict) from None


def _typographic_quotes(text: str) -> str:
    """``text`` with its typographic quotes as ``"``, but for those inside a phrase quoted with
    ``"``: there they are the phrase's own marks (``"газета «Коммерсантъ»"``), and read as
    quotes they would end it. The same length: positions stay those of the text."""
    if '"' not in text:
        return text.translate(_QUOTES)
    pieces = text.split('"')
    # the even pieces are outside "...", the odd ones inside (an unclosed one runs to the end)
    return '"'.join(p if i % 2 else p.translate(_QUOTES) for i, p in enumerate(pieces))


# --- lexing --------------------------------------------------------------------------------------


# A named tuple, not a frozen dataclass: a 100,000-topic watchlist makes millions of tokens,
# and a frozen dataclass's __init__ costs several times more.
class _Token(NamedTuple):
    kind: Literal["(", ")", "AND", "OR", "NOT", "NEAR", "FIELD", "WORD", "PHRASE", "CONCEPT"]
    text: str
    position: int
    #: the distance of a NEAR token
    number: int = 0
    #: the exclusion mark a phrase was written after, read as the phrase (``-"a phrase"``
    #: where an exclusion would leave a branch unanchored: see ``parse``)
    lead: str = ""


# One search in C per token: white space (as str.isspace), then a parenthesis, a quote, a brace,
# or a word: everything up to the next white space, parenthesis, quote or brace.
_LEXEME = re.compile(r'\s*(?:([()])|(")|([{}])|([^ \t\r\n()"{}]+))?')
#: the longest name between braces
MAX_CONCEPT = 64


# The common query (no braces, every quote closed) in one pass of C: a parenthesis, a phrase, or
# a word (what ``_LEXEME`` finds after white space). Anything else takes the loop below, which
# also says what is wrong.
_SIMPLE = re.compile(r'([()])|"([^"]*)"|([^\s()"{}][^ \t\r\n()"{}]*)')
_KEYWORDS = frozenset({"AND", "OR", "NOT", "NEAR"})


#: white space other than the ASCII the lexer splits on (no-break, thin, ideographic spaces...)
_UNICODE_SPACE = re.compile(r"[^\S \t\r\n]")
#: what starts an excluded word as search engines write it (``-recipe``, ``!nickel``)
_EXCLUDING = frozenset("-!–−")


def read_from_exclusion(label: str) -> bool:
    """Whether a term labelled ``label`` was written as an exclusion and read as the word or
    phrase (``-b``, ``-"b c"`` in ``a OR -b``: see ``parse``): kept as written, no more."""
    return label[:1] in _EXCLUDING


#: typographic quotation marks, each one character like ``"`` (positions stay those of the text)
_QUOTES = str.maketrans(dict.fromkeys("“”„‟«»", '"'))


def _lex(text: str, excluding: bool = False) -> list[_Token]:
    """The tokens of ``text``; ``excluding``: ``-word``, ``!word``, ``-"a phrase"`` and
    ``!"a phrase"`` are ``NOT word`` and ``NOT "a phrase"`` (a ``NOT`` right before one stays
    one ``NOT``: ``NOT -cannabis`` is no double negation)."""
    tokens = _tokens(text, excluding)
    if '"' in text and any(mark + '"' in text for mark in _EXCLUDING):
        tokens = _excluded_phrases(tokens, excluding)
    return _one_not(tokens) if excluding else tokens


def _excluded_phrases(tokens: list[_Token], excluding: bool) -> list[_Token]:
    """``tokens`` with a lone ``-`` or ``!`` glued to the phrase after it read as its exclusion
    (``NOT``), or, not ``excluding``, as part of the phrase's term (which reads as the phrase,
    labelled ``-"a phrase"``, as ``-word`` reads as ``word``). Before, the mark was a word with
    no letters beside a phrase, an error: no query that parsed reads otherwise."""
    out: list[_Token] = []
    for token in tokens:
        mark = out[-1] if out and token.kind == "PHRASE" else None
        if mark is None or not _glued(mark, token):
            out.append(token)
        elif excluding:
            out[-1] = _Token("NOT", mark.text, mark.position)
            out.append(token)
        else:
            out[-1] = token._replace(position=mark.position, lead=mark.text)
    return out


def _glued(mark: _Token, phrase: _Token) -> bool:
    """Whether ``mark`` is a lone ``-`` or ``!`` written right before ``phrase``."""
    return mark.kind == "WORD" and mark.text in _EXCLUDING and mark.position + 1 == phrase.position


def _tokens(text: str, excluding: bool) -> list[_Token]:
    if "{" in text or "}" in text or text.count('"') % 2:
        return _lex_slowly(text, excluding)
    tokens: list[_Token] = []
    for match in _SIMPLE.finditer(text):
        paren, phrase, word = match.groups()
        if word is not None:
            if word.isalpha() and word not in _KEYWORDS:  # the common word: no field, no NEAR/n
                tokens.append(_Token("WORD", word, match.start()))
            else:
                tokens.extend(_word_tokens(word, match.start(), excluding))
        elif paren is not None:
            tokens.append(_Token(paren, paren, match.start()))  # type: ignore[arg-type]  # ( or )
        else:
            tokens.append(_Token("PHRASE", phrase, match.start()))
    return tokens


def _lex_slowly(text: str, excluding: bool) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(text):
        lexeme = _LEXEME.match(text, i)
        assert lexeme is not None  # every group is optional
        paren, quote, brace, word = lexeme.groups()
        at = lexeme.start(lexeme.lastindex) if lexeme.lastindex else lexeme.end()
        if word is not None:
            tokens.extend(_word_tokens(word, at, excluding))
        elif paren is not None:
            tokens.append(_Token(paren, paren, at))  # type: ignore[arg-type]  # "(" or ")"
        elif quote is not None:
            end = text.find('"', at + 1)
            if end < 0:
                raise _Syntax("unterminated phrase: add the closing quote", at)
            tokens.append(_Token("PHRASE", text[at + 1 : end], at))
            i = end + 1
            continue
        elif brace is not None:
            tokens.append(_concept_token(text, at))
            i = text.index("}", at) + 1
            continue
        i = max(lexeme.end(), i + 1)
    return tokens


def _concept_token(text: str, position: int) -> _Token:
    end = text.find("}", position + 1)
    if text[position] == "}":
        raise _Syntax("unbalanced '}': no '{' opens it", position)
    if end < 0:
        raise _Syntax("unterminated concept: add the closing '}'", position)
    name = " ".join(text[position + 1 : end].split())
    if not name:
        raise _Syntax("empty braces: write a concept's name, e.g. {terrorism}", position)
    if len(name) > MAX_CONCEPT or any(c in name for c in '{"()*'):
        raise _Syntax(
            f"a concept's name is a word or a few words (at most {MAX_CONCEPT} characters)",
            position,
        )
    return _Token("CONCEPT", name, position)


def _one_not(tokens: list[_Token]) -> list[_Token]:
    """``tokens`` less an exclusion's ``NOT`` right after a ``NOT`` (``NOT -x`` is ``NOT x``)."""
    return [
        t
        for i, t in enumerate(tokens)
        if not (t.kind == "NOT" and t.text in _EXCLUDING and i and tokens[i - 1].kind == "NOT")
    ]


def _word_tokens(word: str, position: int, excluding: bool = False) -> list[_Token]:
    if excluding and word[0] in _EXCLUDING and word[1:2].isalpha():  # -recipe: NOT recipe
        return [_Token("NOT", word[0], position), *_word_tokens(word[1:], position + 1)]
    if word in ("AND", "OR", "NOT"):
        return [_Token(word, word, position)]  # type: ignore[arg-type]  # one of the three
    if word == "NEAR" or word.startswith("NEAR/"):
        return [_Token("NEAR", word, position, _near_distance(word, position))]
    field, colon, rest = word.partition(":")
    if colon and field.isalpha() and field.isascii():
        if field.lower() != "title":
            raise _Syntax(f"unknown field '{field}:' (only 'title:' is supported)", position)
        head = _Token("FIELD", "title", position)
        rest_at = position + len(field) + 1
        return [head, *_word_tokens(rest, rest_at, excluding)] if rest else [head]
    return [_Token("WORD", word, position)]


def _near_distance(word: str, position: int) -> int:
    number = word[len("NEAR/") :]
    valid = number.isdigit() and number.isascii() and len(number) <= len(str(MAX_NEAR))
    if not valid or not 1 <= int(number) <= MAX_NEAR:
        raise _Syntax(f"NEAR needs a distance from 1 to {MAX_NEAR}, e.g. NEAR/5", position)
    return int(number)


# --- parsing -------------------------------------------------------------------------------------

_STARTS_OPERAND = frozenset({"(", "FIELD", "WORD", "PHRASE", "CONCEPT"})
_ENDS_OPERAND = frozenset({")", "WORD", "PHRASE", "CONCEPT"})
_SOFT_OPERATORS = {"and": "AND", "or": "OR", "not": "NOT"}


def _lowercase_operators(tokens: list[_Token]) -> list[_Token]:
    """``tokens`` with a lowercase ``and``/``or``/``not``/``near/n`` read as the operator where
    the word would leave two operands side by side (an error): every such word is followed by
    an operand, and ``and``/``or``/``near/n`` also follow one. Users write ``Russia and ASEAN``."""
    out: list[_Token] = []
    for i, token in enumerate(tokens):
        operator = _soft_operator(token) if token.kind == "WORD" else None
        if operator is not None:
            after_operand = bool(out) and out[-1].kind in _ENDS_OPERAND
            before_operand = _starts_operand(tokens, i + 1)
            if before_operand and (after_operand or operator == "NOT"):
                number = _near_distance(token.text, token.position) if operator == "NEAR" else 0
                token = _Token(operator, operator, token.position, number)  # type: ignore[arg-type]
        out.append(token)
    return out


def _soft_operator(token: _Token) -> str | None:
    """The operator a word spells in any case but capitals (``and`` -> AND), else None."""
    text = token.text
    if len(text) <= 3:
        return _SOFT_OPERATORS.get(text.lower()) if text not in _KEYWORDS else None
    if text[:5].lower() == "near/" and not text.startswith("NEAR/") and text[5:].isdigit():
        return "NEAR"
    return None


def _starts_operand(tokens: list[_Token], i: int) -> bool:
    """Whether an operand starts at ``tokens[i]``: a lowercase ``not`` counts when one follows
    (a loop, not recursion: a hostile query may repeat ``not`` thousands of times)."""
    while i < len(tokens) and tokens[i].kind == "WORD" and _soft_operator(tokens[i]) == "NOT":
        i += 1
    return i < len(tokens) and (tokens[i].kind in _STARTS_OPERAND or tokens[i].kind == "NOT")


_TERMS = frozenset({"WORD", "PHRASE"})


class _Parser:
    """Recursive descent over the tokens; one method per grammar rule."""

    def __init__(self, tokens: list[_Token], length: int) -> None:
        self.tokens = tokens
        self.count = len(tokens)
        self.length = length
        self.at = 0
        self.depth = 0

    def deeper(self, token: _Token) -> None:
        """One more level of nesting (a group, NOT or title:) under ``MAX_DEPTH``."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Syntax(f"nested too deeply (at most {MAX_DEPTH} levels)", token.position)

    def parse(self) -> Node:
        if not self.tokens:
            raise _Syntax("empty query", 0)
        node = self.or_()
        if self.at < len(self.tokens):
            token = self.tokens[self.at]
            if token.kind == ")":
                raise _Syntax("unbalanced ')': no '(' to close", token.position)
            raise _Syntax(f"unexpected {token.text!r}", token.position)
        return node

    def peek(self) -> _Token | None:
        at = self.at
        return self.tokens[at] if at < self.count else None

    def take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def or_(self) -> Node:
        first = self.peek()
        children = [self.and_()]
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            children.append(self.and_())
        return children[0] if len(children) == 1 else Or(tuple(children), _pos(first))

    def and_(self) -> Node:
        first = self.peek()
        children = [self.unary()]
        while (token := self.peek()) is not None and token.kind in ("AND", "NOT"):
            if token.kind == "AND":
                self.take()
            children.append(self.unary())
        if (token := self.peek()) is not None and token.kind in _STARTS_OPERAND:
            raise _Syntax(
                "missing operator between terms: write AND or OR, or quote a phrase",
                token.position,
            )
        return children[0] if len(children) == 1 else And(tuple(children), _pos(first))

    def unary(self) -> Node:
        token = self.peek()
        at = self.at + 1
        if (
            token is not None
            and token.kind in _TERMS
            and (at == self.count or self.tokens[at].kind != "NEAR")
        ):
            self.at = at  # a term alone (most operands of a big watchlist): near and primary
            return _term(token)
        if token is not None and token.kind == "NOT":
            self.take()
            self.deeper(token)
            child = self.unary()
            self.depth -= 1
            return Not(child, token.position)
        return self.near()

    def near(self) -> Node:
        left = self.primary()
        token = self.peek()
        if token is None or token.kind != "NEAR":
            return left
        self.take()
        right = self.primary()
        for side in (left, right):
            if not _nearable(side):
                raise _Syntax(
                    "NEAR joins terms, phrases, prefixes or (OR-groups) of them, "
                    "not AND, NOT or another NEAR",
                    side.position,
                )
        following = self.peek()
        if following is not None and following.kind == "NEAR":
            raise _Syntax(
                "NEAR cannot be chained: write (a NEAR/n b) AND (b NEAR/n c)", following.position
            )
        return Near(left, right, token.number, token.position)

    def primary(self) -> Node:
        token = self.peek()
        if token is None:
            raise _Syntax("the query ends where a term is expected", self.length)
        if token.kind == "(":
            return self.group()
        if token.kind == "FIELD":
            self.take()
            self.deeper(token)
            child = self.primary()
            self.depth -= 1
            return Title(child, token.position)
        if token.kind in ("WORD", "PHRASE"):
            self.take()
            return _term(token)
        if token.kind == "CONCEPT":
            self.take()
            return ConceptRef(token.text, token.position)
        raise _Syntax(f"expected a term, found {token.text!r}", token.position)

    def group(self) -> Node:
        opening = self.take()
        if (token := self.peek()) is not None and token.kind == ")":
            raise _Syntax("empty parentheses", opening.position)
        self.deeper(opening)
        node = self.or_()
        self.depth -= 1
        token = self.peek()
        if token is None or token.kind != ")":
            raise _Syntax("unbalanced '(': no ')' closes it", opening.position)
        self.take()
        return node


def _pos(token: _Token | None) -> int:
    return token.position if token is not None else 0


def _nearable(node: Node) -> bool:
    if isinstance(node, Term | ConceptRef):
        return True
    if isinstance(node, Title):
        return _nearable(node.child)
    if isinstance(node, Or):
        return all(_nearable(child) for child in node.children)
    return False


def _unanchored(node: Node) -> Node | None:
    """The first part of ``node`` that could be satisfied without any positive term, if any."""
    if isinstance(node, Not):
        return node
    if isinstance(node, Title):
        return _unanchored(node.child)
    if isinstance(node, Or):
        return next((bad for c in node.children if (bad := _unanchored(c)) is not None), None)
    if isinstance(node, And):
        problems = [_unanchored(child) for child in node.children]
        return problems[0] if all(p is not None for p in problems) else None
    return None


# --- terms ---------------------------------------------------------------------------------------


def _term(token: _Token) -> Term:
    try:
        patterns, label, guard = _term_parts(token.kind, token.text)
    except _Syntax as e:
        raise _Syntax(e.message, token.position + len(token.lead) + e.position) from None
    return Term(patterns, token.lead + label, token.position, guard)


# Big watchlists write the same words thousands of times (100,000 topics hold a few ten
# thousand distinct terms): tokenising each once makes parsing them several times faster.
# The parts are immutable and depend on the text alone, so sharing them is safe.
@functools.lru_cache(maxsize=1 << 16)
def _term_parts(kind: str, text: str) -> tuple[tuple[Pattern, ...], str, Guard | None]:
    """A term's patterns, label and guard; ``_Syntax`` positions are relative to the token."""
    if kind == "PHRASE":
        if not words(text).exact:
            raise _Syntax("empty phrase", 0)
        parts = text.split()
        label = f'"{text}"'
    else:
        parts = [text]
        label = text
    patterns: list[Pattern] = []
    offset = 1 if kind == "PHRASE" else 0
    for part in parts:
        if kind == "PHRASE" and not words(part).original:
            continue  # "Bắc - Nam": a dash between a phrase's words, as the text's words skip it
        patterns.extend(_patterns(part, offset + text.find(part)))
    if any(not p.folded for p in patterns):
        # a phrase with diacritics is in a language that has them: its plain words are plain
        # there too ("thiên tai" is a disaster, "thiên tài" a genius)
        patterns = [Pattern(p.text, p.kind, False) for p in patterns]
    return tuple(patterns), label, _acronym_guard(kind, text)


#: the longest word that counts as an acronym when written in capitals
ACRONYM_LENGTH = 5


def _acronym_guard(kind: str, text: str) -> Guard | None:
    """A short word written in capitals (``PATI``, ``TKA``, ``PRU``, ``ЦИК``) is an acronym and
    matches only in capitals: ``Pati`` is a town, ``pati`` starch. Mixed or lower case, a
    prefix or a phrase match in any case, as before. As a lexicon form it stands for words of
    its own language (``own_language``); an analyst's term has none, so it counts anywhere."""
    letters = sum(c.isalpha() for c in text)
    if kind == "PHRASE" or "*" in text or len(text) > ACRONYM_LENGTH or letters < 2:
        return None
    acronym = Guard("acronym", case="exact", spelling=(text,), own_language=True)
    return acronym if text.isupper() else None


def _patterns(part: str, position: int) -> list[Pattern]:
    """The patterns of one space-free piece of a term: usually one, several for ``Rusia-ASEAN``."""
    star = part.find("*")
    if star >= 0 and star != len(part) - 1:
        raise _Syntax("'*' may only end a word (no leading or inner wildcards)", position + star)
    stem = part[:-1] if star >= 0 else part
    pieces = words(stem).original
    if not pieces:
        what = "'*' alone is not a term" if star >= 0 else f"{part!r} has no letters or digits"
        raise _Syntax(what, position)
    patterns = [_pattern(piece, prefix=False) for piece in pieces]
    if star >= 0:
        patterns[-1] = _pattern(pieces[-1], prefix=True)
        last = patterns[-1]
        if last.kind == "prefix" and len(last.text) < MIN_PREFIX:
            raise _Syntax(f"a prefix needs at least {MIN_PREFIX} letters before '*'", position)
    return patterns


def _pattern(piece: str, *, prefix: bool) -> Pattern:
    exact = normalise_word(piece)
    folded = fold(exact)
    plain = folded == exact
    kind: WordKind = "substring" if needs_substring(exact) else "prefix" if prefix else "word"
    return Pattern(folded if plain else exact, kind, plain)


def parse_form(form: str) -> Term:
    """One lexicon form as a term: a word, ``word*``, or words separated by spaces (a phrase).

    Raises QueryError when the form has no letters or digits or misplaces ``*``.
    """
    kind: Literal["WORD", "PHRASE"] = "PHRASE" if " " in form.strip() else "WORD"
    try:
        return _term(_Token(kind, form.strip(), 0))
    except _Syntax as e:
        raise QueryError(e.message, position=e.position, query=form) from None
