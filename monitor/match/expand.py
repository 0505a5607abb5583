"""Multilingual expansion: a topic's query with every lexicon term replaced by its equivalents.

Expansion preserves the sense: ``Russia AND security`` becomes, in effect, ``(Russia OR Rusia OR
Nga[guarded] OR России OR 俄罗斯 ...) AND (security OR keamanan OR "an ninh" OR безопасност*
...)``, the same things in other languages, spellings and inflections, never a broader or a
related word (not ``Moscow``, not ``силовик*``). A whole concept, narrower and related words
included, comes only from the braces the analyst writes: ``{terrorism}``, ``{Russia}``; those
expand even in a topic with ``expand: false``, which turns off only the expansion of terms.

Each added form is a Term that keeps the label (and position) of the term the analyst wrote, and
names the lexicon form it is (``Term.form``), so a hit on ``России`` reads ``term="Russia",
matched="России"`` and says which form fired. Expansion runs once, when a topic is compiled; the
presearcher then holds every form, so matching stays one dictionary lookup per document word.

A term that is itself an ambiguous form (an analyst writing ``Nga`` or ``US``) takes the form's
context rule: it means the name. A term that no concept knows stays as written, but for an
English noun's other number (``lighthouse`` finds ``lighthouses``, ``"car sales"`` ``car sale``:
``inflect.english_numbers``) and a lower-case English verb's forms (``launch`` finds
``launched``, ``launching``, ``launches``; ``sack`` ``sacked``: ``inflect.verb_forms``).

Owns: rewriting the syntax tree (an unknown ``{name}`` is a QueryError), and describing what
each term and concept became (for ``explain``).
Does not own: the lexicon's contents or lookup (``lexicon``), matching (``engine``).
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.errors import QueryError
from monitor.match.guard import Guard
from monitor.match.inflect import english_numbers, verb_forms
from monitor.match.lexicon import Form, Lexicon, Variant, key_of
from monitor.match.query import (
    And,
    ConceptRef,
    Near,
    Node,
    Not,
    Or,
    Pattern,
    Query,
    Term,
    Title,
    read_from_exclusion,
)


@dataclass(frozen=True, slots=True)
class Expansion:
    """What one query term became."""

    #: the term as written in the query (``{terrorism}`` for a concept)
    label: str
    #: ids of the entries it is a form of (for a concept: every entry it holds)
    concepts: tuple[str, ...]
    #: every form it now matches, the analyst's own first when kept
    forms: tuple[Form, ...]


def expand(
    query: Query, lexicon: Lexicon, *, terms: bool = True, memo: Memo | None = None
) -> Query:
    """``query`` with each ``{concept}`` replaced by an OR of everything it holds and (``terms``)
    each term that the lexicon knows by an OR of its equivalents.

    ``memo``: what each term and concept became, shared by the calls given the same dict and
    lexicon (a big watchlist writes the same terms thousands of times). The forms of a term
    found there carry the query position of the first query that wrote it (positions only
    serve parse errors). Raises QueryError for a ``{name}`` the lexicon does not know.
    """
    try:
        return Query(query.text, _expand(query.root, lexicon, terms, memo))
    except _Unknown as e:
        raise QueryError(e.message, position=e.node.position, query=query.text) from None


def has_concepts(query: Query) -> bool:
    """True when ``query`` holds a ``{concept}`` (it needs the lexicon even without ``expand``)."""
    return bool(concepts_of(query))


def concepts_of(query: Query) -> tuple[ConceptRef, ...]:
    """The ``{concept}`` references of ``query``, in order."""
    return tuple(term for term in _terms(query.root) if isinstance(term, ConceptRef))


def terms_of(query: Query) -> list[Term | ConceptRef]:
    """The terms and concepts of ``query``, in order (those under a NOT too)."""
    return _terms(query.root)


def unknown_concept(ref: ConceptRef, lexicon: Lexicon) -> str | None:
    """Why ``ref`` cannot be expanded, or None when the lexicon knows it."""
    if lexicon.resolve(ref.name):
        return None
    return (
        f"unknown concept {ref.label}: write a lexicon concept's id or one of its words "
        "(`monitor explain` lists what a term expands to), or add it in a lexicon: file"
    )


def expansions(query: Query, lexicon: Lexicon, *, terms: bool = True) -> tuple[Expansion, ...]:
    """For each distinct ``{concept}`` and (``terms``) each term the lexicon knows, its forms."""
    found: dict[str, Expansion] = {}
    for term in _terms(query.root):
        if isinstance(term, ConceptRef):
            if term.label not in found and lexicon.resolve(term.name):
                ids = lexicon.closure(lexicon.resolve(term.name))
                forms = tuple(v.form for v in lexicon.concept_variants(ids))
                found[term.label] = Expansion(term.label, ids, forms)
            continue
        concepts, inflected = _known(term, lexicon) if terms else ((), [])
        if (concepts or inflected) and term.label not in found:
            variants = _variants(term, concepts, lexicon)
            own = [] if _replaced(term, variants) else [Form(_label_shown(term.label), "")]
            own += [Form(other.form, "en") for other in inflected]
            unique = {(f.text, f.guard): f for f in (*own, *(v.form for v in variants))}
            forms = tuple(unique.values())
            found[term.label] = Expansion(term.label, concepts, forms)
    return tuple(found.values())


class _Unknown(Exception):
    def __init__(self, message: str, node: ConceptRef) -> None:
        super().__init__(message)
        self.message = message
        self.node = node


#: a term or concept as written, anywhere in a query, and ``terms`` (``memo_key``)
MemoKey = tuple[object, bool]
#: a term or concept as written, anywhere in a query, and ``terms`` -> what it expands to
Memo = dict[MemoKey, Node]


def memo_key(node: Term | ConceptRef, terms: bool) -> MemoKey:
    """Where a memo keeps what ``node`` expands to (with ``terms``): what it is, wherever and
    in whichever query it is written. A memo holding the keys of every term and concept
    (``terms_of``) of the queries it serves holds all that expanding them looks up."""
    if isinstance(node, ConceptRef):
        return (node.name, terms)
    return ((node.patterns, node.label, node.guard, node.form, node.langs), terms)


def _expand(node: Node, lexicon: Lexicon, terms: bool, memo: Memo | None) -> Node:
    if memo is not None and isinstance(node, Term | ConceptRef):
        key = memo_key(node, terms)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _expand(node, lexicon, terms, None)
        return found
    if isinstance(node, Term):
        return _term(node, lexicon) if terms else node
    if isinstance(node, ConceptRef):
        return _concept(node, lexicon)
    if isinstance(node, Title):
        return Title(_expand(node.child, lexicon, terms, memo), node.position)
    if isinstance(node, Not):
        return Not(_expand(node.child, lexicon, terms, memo), node.position)
    if isinstance(node, Near):
        left = _expand(node.left, lexicon, terms, memo)
        right = _expand(node.right, lexicon, terms, memo)
        return Near(left, right, node.distance, node.position)
    children = tuple(_expand(child, lexicon, terms, memo) for child in node.children)
    if isinstance(node, And):
        return And(children, node.position)
    return Or(_merged(children), node.position)


def _merged(children: tuple[Node, ...]) -> tuple[Node, ...]:
    """An OR's children with expanded ORs flattened into it and repeated forms dropped.

    ``Russia OR Rusia OR Moscow`` all expand to the forms of one concept: kept once each (the
    first term's label names them), so evaluation does not try the same form thirty times.
    """
    flat: list[Node] = []
    seen: set[object] = set()
    for child in children:
        for node in child.children if isinstance(child, Or) else (child,):
            key = (node.patterns, node.guard) if isinstance(node, Term) else id(node)
            if key not in seen:
                seen.add(key)
                flat.append(node)
    return tuple(flat)


def _term(term: Term, lexicon: Lexicon) -> Node:
    concepts, inflected = _known(term, lexicon)
    variants = _variants(term, concepts, lexicon)
    replaced = _replaced(term, variants)
    children = [] if replaced else [term]
    children += inflected
    children += [_labelled(v, term.label, term.position) for v in variants]
    if replaced:
        own = key_of(term)
        children = [_as_written(child, own) for child in children]
    return children[0] if len(children) == 1 else Or(tuple(children), term.position)


def _as_written(form: Term, own: str) -> Term:
    """``form`` as the analyst's own word where it is written alike (a hit on it names no
    lexicon form): it replaced the term to lend it its rule, not to stand for another word."""
    if form.form == "" or key_of(form) != own:
        return form
    return Term(form.patterns, form.label, form.position, form.guard, "", form.langs)


def _known(term: Term, lexicon: Lexicon) -> tuple[tuple[str, ...], list[Term]]:
    """The concepts ``term`` is a form of, or for a term no concept knows, the term in its
    other English number and verb forms (``lighthouse``: ``lighthouses``; ``launch``:
    ``launched``). Those are not looked up in the lexicon here: a lookup finds a word's entry
    by its start (``arrested``: ``arrest*``), and ``cares`` would find cars, ``locals``
    residents (the lookup itself tries the plural of a word that is only a noun: ``asset``)."""
    concepts = lexicon.lookup(term)
    if concepts:
        return concepts, []
    return (), [other for other in _english_forms(term) if not _a_name(other, lexicon)]


def _a_name(number: Term, lexicon: Lexicon) -> bool:
    """True when the lexicon holds ``number`` written with capitals: a name or an acronym
    (``aid``'s plural is no ``AIDS``, ``real``'s no ``Reis``)."""
    key = key_of(number)
    return any(
        key_of(v.term) == key and v.form.text != v.form.text.lower()
        for concept in lexicon.lookup(number)
        for v in lexicon.variants(concept)
    )


def _english_forms(term: Term) -> list[Term]:
    """``term`` with its last word in the other number, where it is an English noun written in
    lower case (a name or an acronym keeps its letters; a lone plural keeps its number), and a
    one-word term written in lower case in its verb forms (``launch``: ``launched``,
    ``launching``, ``launches``): a phrase's last word is its head noun (``"missile launch"``),
    and a word with a capital a name (``Trump``, never ``trumped``)."""
    if term.guard is not None or term.form or read_from_exclusion(term.label):
        return []  # an exclusion read as the word asked for no more than the word
    *head, last = term.patterns
    if last.kind != "word" or not last.folded:
        return []
    numbers = english_numbers(last.text, singular=bool(head))
    verbs: tuple[str, ...] = ()
    if not head and not _capitalised(term):
        verbs = tuple(v for v in verb_forms(last.text) if v not in numbers)
    # a verb's forms count in English texts only (and those of no known language): written
    # alike elsewhere they are other words (`sang`, `sung` of sing: Indonesian `Sang`,
    # Vietnamese `bổ sung`; `won`, Korea's currency in Indonesian news)
    return [
        Term(
            (*head, Pattern(other, "word", True)),
            term.label,
            term.position,
            form=_text(term, other),
            langs=("en",) if other in verbs else (),
        )
        for other in (*numbers, *verbs)
    ]


def _capitalised(term: Term) -> bool:
    """True when the analyst wrote a capital in ``term`` (a name, an acronym: ``Trump``)."""
    return term.label != term.label.lower()


def _label_shown(label: str) -> str:
    """A term's label as shown among its forms: a phrase without its quotes (``Elon Musk``),
    anything else as written (``-"Elon Musk"``, read from an exclusion, keeps both)."""
    return label[1:-1] if len(label) > 1 and label[0] == label[-1] == '"' else label


def _text(term: Term, last: str) -> str:
    """The words of ``term`` with ``last`` for its last one (the form a hit names)."""
    return " ".join([*(p.text for p in term.patterns[:-1]), last])


def _concept(ref: ConceptRef, lexicon: Lexicon) -> Node:
    problem = unknown_concept(ref, lexicon)
    if problem is not None:
        raise _Unknown(problem, ref)
    variants = lexicon.concept_variants(lexicon.resolve(ref.name))
    children = tuple(_labelled(v, ref.label, ref.position) for v in variants)
    return children[0] if len(children) == 1 else Or(children, ref.position)


def _labelled(variant: Variant, label: str, position: int) -> Term:
    term = variant.term
    return Term(term.patterns, label, position, term.guard, term.form, term.langs)


def _variants(term: Term, concepts: tuple[str, ...], lexicon: Lexicon) -> list[Variant]:
    seen: set[object] = set()
    unique = []
    for concept in concepts:
        for variant in lexicon.variants(concept):
            key = (variant.term.patterns, variant.term.guard)
            if key not in seen:
                seen.add(key)
                unique.append(variant)
    return unique


def _replaced(term: Term, variants: list[Variant]) -> bool:
    """True when the analyst's own term is an ambiguous form of the lexicon (``Nga``, ``US``,
    Malay ``kerajaan``, a kingdom in Indonesian; ``Papua``, not Papua New Guinea; ``Trump``,
    not Ivanka Trump; ``Jakarta``, not the dateline ``JAKARTA, KOMPAS.com -``).

    It then takes the form's context rule (the words around it, a dateline, the diacritics,
    and with them a name's capital: ``Cuba``, not the Malay ``cuba``, to try) or its
    languages. A form that only needs a capital does not replace the term: the analyst's own
    word keeps matching as the query language says.
    """
    own = key_of(term)
    return any(
        key_of(v.term) == own and v.term.guard is not None and _context(v.term.guard)
        for v in variants
    )


def _context(guard: Guard) -> bool:
    """True when ``guard`` rules on more than a capital: the words around, the diacritics or
    the text's language, which tell the name or sense from another one written alike."""
    around = (
        guard.reject_before or guard.reject_after or guard.reject_after_words or guard.require_after
    )
    return bool(
        guard.case == "exact"
        or guard.marks
        or guard.not_after_capital
        or guard.own_language
        or around
        or guard.not_dateline
    )


def _terms(node: Node) -> list[Term | ConceptRef]:
    if isinstance(node, Term | ConceptRef):
        return [node]
    if isinstance(node, Title | Not):
        return _terms(node.child)
    if isinstance(node, Near):
        return [*_terms(node.left), *_terms(node.right)]
    return [term for child in node.children for term in _terms(child)]
