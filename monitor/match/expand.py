"""Multilingual expansion: a topic's query with every lexicon term replaced by all its forms.

``Russia AND security`` becomes, in effect, ``(Russia OR Rusia OR Nga[guarded] OR Росси* OR
俄罗斯 ...) AND (security OR keamanan OR "an ninh" OR безопасност* ...)``. Each added form is a
Term that keeps the label (and position) of the term the analyst wrote, so a hit on ``России``
reads ``term="Russia", matched="России"``. Expansion runs once, when a topic is compiled; the
anchor index then holds every form, so matching stays one dictionary lookup per document word.

A term that is itself an ambiguous form (an analyst writing ``Nga`` or ``US``) takes the form's
context rule: it means the name. Terms that no concept knows stay as written.

Owns: rewriting the syntax tree, and describing what each term became (for ``explain``).
Does not own: the lexicon's contents or lookup (``lexicon``), matching (``engine``).
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.match.guard import Guard
from monitor.match.lexicon import Form, Lexicon, Variant, key_of
from monitor.match.query import And, Near, Node, Not, Or, Query, Term, Title


@dataclass(frozen=True, slots=True)
class Expansion:
    """What one query term became."""

    #: the term as written in the query
    label: str
    #: ids of the concepts it is a form of
    concepts: tuple[str, ...]
    #: every form it now matches, the analyst's own first when kept
    forms: tuple[Form, ...]


def expand(query: Query, lexicon: Lexicon) -> Query:
    """``query`` with each term that the lexicon knows replaced by an OR of all its forms."""
    return Query(query.text, _expand(query.root, lexicon))


def expansions(query: Query, lexicon: Lexicon) -> tuple[Expansion, ...]:
    """For each distinct term of ``query`` that the lexicon knows, what it expands to."""
    found: dict[str, Expansion] = {}
    for term in _terms(query.root):
        concepts = lexicon.lookup(term)
        if concepts and term.label not in found:
            variants = _variants(term, concepts, lexicon)
            own = [] if _replaced(term, variants) else [Form(term.label.strip('"'), "")]
            unique = {(f.text, f.guard): f for f in (*own, *(v.form for v in variants))}
            forms = tuple(unique.values())
            found[term.label] = Expansion(term.label, concepts, forms)
    return tuple(found.values())


def _expand(node: Node, lexicon: Lexicon) -> Node:
    if isinstance(node, Term):
        return _term(node, lexicon)
    if isinstance(node, Title):
        return Title(_expand(node.child, lexicon), node.position)
    if isinstance(node, Not):
        return Not(_expand(node.child, lexicon), node.position)
    if isinstance(node, Near):
        left, right = _expand(node.left, lexicon), _expand(node.right, lexicon)
        return Near(left, right, node.distance, node.position)
    children = tuple(_expand(child, lexicon) for child in node.children)
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
    concepts = lexicon.lookup(term)
    if not concepts:
        return term
    variants = _variants(term, concepts, lexicon)
    children = [] if _replaced(term, variants) else [term]
    children += [Term(v.term.patterns, term.label, term.position, v.term.guard) for v in variants]
    return children[0] if len(children) == 1 else Or(tuple(children), term.position)


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
    """True when the analyst's own term is an ambiguous form of the lexicon (``Nga``, ``US``).

    It then takes the form's context rule. A form that only needs a capital (``Russia``) does
    not replace the term: the analyst's own word keeps matching as the query language says.
    """
    own = key_of(term)
    return any(
        key_of(v.term) == own and v.term.guard is not None and _context(v.term.guard)
        for v in variants
    )


def _context(guard: Guard) -> bool:
    return guard.case == "exact" or guard.marks or guard.not_after_capital


def _terms(node: Node) -> list[Term]:
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Title | Not):
        return _terms(node.child)
    if isinstance(node, Near):
        return [*_terms(node.left), *_terms(node.right)]
    return [term for child in node.children for term in _terms(child)]
