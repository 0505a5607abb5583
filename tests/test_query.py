"""The query language: precedence, NEAR, title:, phrases, prefixes, and errors with positions."""

from __future__ import annotations

import pytest

from monitor.errors import QueryError
from monitor.match import parse_query
from monitor.match.query import And, ConceptRef, Near, Node, Not, Or, Term, Title


def show(node: Node) -> str:
    """A compact rendering of a syntax tree, so expectations read like the query."""
    if isinstance(node, Term):
        shown = " ".join(_word(p.text, p.kind) for p in node.patterns)
        return shown if len(node.patterns) == 1 else f"[{shown}]"
    if isinstance(node, And):
        return "(" + " & ".join(show(c) for c in node.children) + ")"
    if isinstance(node, Or):
        return "(" + " | ".join(show(c) for c in node.children) + ")"
    if isinstance(node, Not):
        return "!" + show(node.child)
    if isinstance(node, Near):
        return f"({show(node.left)} ~{node.distance} {show(node.right)})"
    assert isinstance(node, Title)
    return "title:" + show(node.child)


def _word(text: str, kind: str) -> str:
    return {"word": text, "prefix": text + "*", "substring": "~" + text}[kind]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a", "a"),
        ("a AND b OR c", "((a & b) | c)"),
        ("a OR b AND c", "(a | (b & c))"),
        ("a OR b AND NOT c", "(a | (b & !c))"),
        ("NOT a AND b", "(!a & b)"),
        ("a NOT b", "(a & !b)"),
        ("(a OR b) AND c", "((a | b) & c)"),
        ("a AND (b OR (c AND d))", "(a & (b | (c & d)))"),
        ("a and b", "(a & b)"),
    ],
)
def test_precedence(query: str, expected: str | None) -> None:
    """NOT binds tighter than AND, AND tighter than OR."""
    if expected is None:
        with pytest.raises(QueryError):
            parse_query(query)
    else:
        assert expected == show(parse_query(query).root)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("russia and asean", "(russia & asean)"),
        ("a And b or c", "((a & b) | c)"),
        ("(a or b) and not c", "((a | b) & !c)"),
        ("Russia not football", "(russia & !football)"),
        ("not football and Russia", "(!football & russia)"),
        ("a and NOT b", "(a & !b)"),
        ("Putin near/5 ASEAN", "(putin ~5 asean)"),
        # where the word is no error it stays a word: every query valid before reads the same
        ("near AND far", "(near & far)"),
        ("a AND not", "(a & not)"),
        ("Not AND Flüchtlinge", "(not & flüchtlinge)"),
        ('"rock and roll" OR jazz', "([rock and roll] | jazz)"),
        ('"not" AND x', "(not & x)"),
        ("and", "and"),
    ],
)
def test_lowercase_operators(query: str, expected: str) -> None:
    """A lowercase operator between two operands (where a word would be an error) is the
    operator; anywhere else it is the word it always was."""
    assert expected == show(parse_query(query).root)


def test_a_hostile_run_of_lowercase_nots_is_a_query_error() -> None:
    """Thousands of lowercase ``not`` (read once more, forgiving) end in the nesting limit's
    error, not in Python's recursion limit."""
    with pytest.raises(QueryError, match="nested too deeply"):
        parse_query("not " * 4_000 + "x")


@pytest.mark.parametrize("query", ["a and", "x and not", "and b", "a near b", "a near/0 b"])
def test_lowercase_operators_that_are_still_errors(query: str) -> None:
    """A lowercase operator without an operand on each side is left a word: the error stays."""
    with pytest.raises(QueryError):
        parse_query(query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("rice AND export AND -recipe", "(rice & export & !recipe)"),
        ("rice -recipe", "(rice & !recipe)"),
        ("!nickel AND mining", "(!nickel & mining)"),
        ("rice AND –recipe", "(rice & !recipe)"),
        # a hyphen inside a word, or before a digit, is no exclusion
        ("COVID-19 AND Rusia-ASEAN", "([covid 19] & [rusia asean])"),
        ("x AND -5", "(x & 5)"),
        # NOT before an exclusion is one NOT, not a double negation
        ("drugs NOT -cannabis", "(drugs & !cannabis)"),
        ("Russia AND NOT !Ukraine", "(russia & !ukraine)"),
        # where an exclusion leaves a branch no positive term, it reads as before it excluded
        # (a query that loaded then still loads; `monitor check` warns)
        ("sabu OR !narkoba", "(sabu | narkoba)"),
        ("title:-recipe AND rice", "(title:recipe & rice)"),
        # a phrase too (found by a tester: `tesla -"Elon Musk"` was a missing operator)
        ('tesla -"Elon Musk"', "(tesla & ![elon musk])"),
        ('tesla !"Elon Musk" AND car', "(tesla & ![elon musk] & car)"),
        ("tesla -“Elon Musk”", "(tesla & ![elon musk])"),
        ('tesla AND NOT -"Elon Musk"', "(tesla & ![elon musk])"),
        ('tesla OR -"Elon Musk"', "(tesla | [elon musk])"),
        # a mark inside a phrase is no exclusion
        ('"nickel -" OR ore', "(nickel | ore)"),
    ],
)
def test_excluded_words(query: str, expected: str) -> None:
    """A word led by - or ! is excluded, as search engines read it (as a word it asked for
    the very articles to leave out)."""
    assert expected == show(parse_query(query).root)


def test_a_mark_apart_from_its_phrase_is_still_an_error() -> None:
    """``tesla - "Elon Musk"``: a ``-`` alone is no exclusion (nor a term)."""
    with pytest.raises(QueryError):
        parse_query('tesla - "Elon Musk"')


def test_an_unanchored_excluded_phrase_is_labelled_as_written() -> None:
    """Read as the phrase, the term keeps its mark in its label (the lint warning names it)
    and its position (the mark's)."""
    root = parse_query('tesla OR -"Elon Musk"').root
    assert isinstance(root, Or) and isinstance(root.children[1], Term)
    term = root.children[1]
    expected = ('-"Elon Musk"', 9)
    assert expected == (term.label, term.position)


@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", "\u3000"])
def test_unicode_spaces_separate_words(space: str) -> None:
    """A no-break or other Unicode space pasted from a document separates like a space: the
    query was one phrase that matched nothing."""
    assert show(parse_query(f"dengue{space}OR{space}DBD").root) == "(dengue | dbd)"
    assert show(parse_query(f'"Asia{space}Tenggara"').root) == "[asia tenggara]"


def test_the_later_error_is_named_when_lowercase_operators_are_forgiven() -> None:
    """Past a forgiven lowercase operator, the error is where the query really fails."""
    with pytest.raises(QueryError) as raised:
        parse_query("rice or palm oil")
    assert raised.value.position == len("rice or palm ")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("“South China Sea” AND sovereignty", "([south china sea] & sovereignty)"),
        (
            "«Южно-Китайское море» OR „Südchinesisches Meer“",
            "([южно китайское море] | [südchinesisches meer])",
        ),
        ("»Asia Tenggara« AND Rusia", "([asia tenggara] & rusia)"),
    ],
)
def test_typographic_quotes(query: str, expected: str) -> None:
    """Curly quotes and guillemets quote a phrase as the straight quote does."""
    assert expected == show(parse_query(query).root)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"газета «Коммерсантъ»" and Россия', "([газета коммерсантъ] & россия)"),
        ('"the “Belt and Road”" or «Пояс и путь»', "([the belt and road] | [пояс и путь])"),
    ],
)
def test_typographic_quotes_inside_a_quoted_phrase_are_its_own(query: str, expected: str) -> None:
    """A lowercase operator has the query read forgivingly: the guillemets inside an already
    quoted phrase stay the phrase's marks (read as quotes, they ended it: a parse error)."""
    assert expected == show(parse_query(query).root)


def test_typographic_quote_positions_are_the_texts() -> None:
    """An error after a typographic phrase points into the query as written."""
    with pytest.raises(QueryError) as raised:
        parse_query("«море» Китай")
    assert raised.value.position == len("«море» ")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Putin NEAR/5 ASEAN", "(putin ~5 asean)"),
        ('"Asia Tenggara" NEAR/3 Rusia', "([asia tenggara] ~3 rusia)"),
        ("terror* NEAR/10 (Russia OR Rusia)", "(terror* ~10 (russia | rusia))"),
        ("title:a NEAR/2 b", "(title:a ~2 b)"),
        ("a NEAR/2 b AND c", "((a ~2 b) & c)"),
        ("near AND far", "(near & far)"),
    ],
)
def test_near(query: str, expected: str) -> None:
    """NEAR/n joins terms, phrases, prefixes and OR-groups; it binds tighter than AND."""
    assert expected == show(parse_query(query).root)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:Putin", "title:putin"),
        ("title:(Putin OR Kremlin) AND ASEAN", "(title:(putin | kremlin) & asean)"),
        ('title:"Asia Tenggara"', "title:[asia tenggara]"),
        ("Title:x", "title:x"),
    ],
)
def test_title(query: str, expected: str) -> None:
    """title: applies to the term or group right after it."""
    assert expected == show(parse_query(query).root)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('"a quoted phrase"', "[a quoted phrase]"),
        ("Rusia-ASEAN", "[rusia asean]"),
        ("terror*", "terror*"),
        ('"Asia Tengg*"', "[asia tengg*]"),
        ("ROSSIYA-ASEAN*", "[rossiya asean*]"),
        ("РОССИЯ", "россия"),
        ("Ёлка", "елка"),
        ("bão", "bão"),
        ("กองทัพ", "~กองทัพ"),
        ("南海", "~南海"),
        # a dash between a phrase's words is not a word (the text's words skip it too)
        ('"Bắc - Nam"', "[bắc nam]"),
        ('"Hà Nội – Hải Phòng"', "[hà nội hải phòng]"),
    ],
)
def test_terms(query: str, expected: str) -> None:
    """Phrases, hyphenated compounds (as phrases), prefixes, case folding, substring scripts,
    punctuation between a phrase's words."""
    assert expected == show(parse_query(query).root)


@pytest.mark.parametrize(
    ("query", "folded"),
    [("bao", True), ("bão", False), ("Việt Nam", False), ("Moskow", True), ("йод", True)],
)
def test_diacritic_sensitivity(query: str, folded: bool) -> None:
    """A word without diacritics is compared folded; a word with them, exactly (й is a letter)."""
    root = parse_query(f'"{query}"').root
    assert isinstance(root, Term)
    assert folded == root.patterns[0].folded


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ("", 0, "empty query"),
        ("(a OR b", 0, "unbalanced '('"),
        ("a OR (b AND (c)", 5, "unbalanced '('"),
        ("a)", 1, "unbalanced ')'"),
        ("a AND", 5, "ends where a term is expected"),
        ("OR a", 0, "expected a term"),
        ("a AND OR b", 6, "expected a term"),
        ("a b", 2, "missing operator"),
        ('a AND ""', 6, "empty phrase"),
        ('a AND " - "', 6, "empty phrase"),
        ('a AND "open', 6, "unterminated phrase"),
        ("a NEAR b", 2, "NEAR needs a distance"),
        ("a NEAR/0 b", 2, "NEAR needs a distance"),
        ("a NEAR/x b", 2, "NEAR needs a distance"),
        ("a NEAR/5000 b", 2, "NEAR needs a distance"),
        ("a NEAR/3 b NEAR/3 c", 11, "cannot be chained"),
        ("(a AND b) NEAR/3 c", 1, "NEAR joins"),
        ("*", 0, "'*' alone"),
        ("a OR *", 5, "'*' alone"),
        ("*ism", 0, "'*' may only end a word"),
        ("te*st", 2, "'*' may only end a word"),
        ("x*", 0, "at least 2 letters"),
        ("NOT a", 0, "no positive term"),
        ("a OR NOT b", 5, "no positive term"),
        ("()", 0, "empty parentheses"),
        ("url:x", 0, "unknown field"),
        ("title:", 6, "ends where a term is expected"),
        ("a AND -", 6, "no letters or digits"),
        ("a AND {}", 6, "empty braces"),
        ("a AND { }", 6, "empty braces"),
        ("a AND {terror", 6, "unterminated concept"),
        ("a}", 1, "unbalanced '}'"),
        ("{terrorism} Russia", 12, "missing operator"),
        ('{"terrorism"}', 0, "a concept's name is a word"),
        ("{terror*}", 0, "a concept's name is a word"),
    ],
)
def test_errors(query: str, position: int, message: str) -> None:
    """Invalid queries raise QueryError with the position of the problem and the query."""
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert (position, True, query) == (
        caught.value.position,
        message in str(caught.value),
        caught.value.query,
    )


def test_concept_in_braces() -> None:
    """``{name}`` is a concept reference (spaces normalised), usable wherever a term is."""
    root = parse_query("{military  exercise} NEAR/5 Russia AND NOT {terrorism}").root
    assert isinstance(root, And)
    near, negated = root.children
    assert isinstance(near, Near) and isinstance(negated, Not)
    military, terrorism = ConceptRef("military exercise", 0), ConceptRef("terrorism", 43)
    assert isinstance(near.left, ConceptRef)
    expected = (military, "{military exercise}", terrorism)
    assert expected == (near.left, near.left.label, negated.child)
