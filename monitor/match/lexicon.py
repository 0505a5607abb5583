"""The multilingual lexicon: concepts and names, each a set of forms in many languages.

An *entry* (``terrorism``, ``arrest``, ``RU`` for Russia, ``ASEAN``, ``south-china-sea``) has
*forms*: words, prefixes (``teroris*``) or phrases, each tagged with its language, that all mean
the same thing at the same specificity (translations, spellings, transliterations, inflected
and derived forms). A query term that is one of an entry's forms (``Russia``, ``terorisme``,
``"Biển Đông"``) stands for all of them when the topic is expanded (``monitor.match.expand``):
that is *sense-preserving* expansion, and the only kind a plain term gets.

An entry also says what else its *concept* holds, for the query operator ``{name}``: *members*
(related or narrower words: ``jihadist*`` in terrorism, ``Moscow`` in Russia) and *includes*
(other entries: the senses ``terrorism/counter-terrorism`` and the names ``ISIS``, ``densus-88``).
A sense of a concept is an entry of its own, with the id ``concept/sense``. Forms of ambiguous
names carry a ``Guard`` (``monitor.match.guard``): Vietnamese ``Nga`` only counts where it is
Russia, ``US`` only in capitals.

How a query term finds its concepts (``Lexicon.lookup``): by its words as written (a term
written with diacritics only finds forms with the same ones: ``báo``, a newspaper, never finds
the storm concept of ``bão``); phrases and long words also by their folded words (``"Viet Nam"``
finds ``Việt Nam``); a word also by a prefix form that covers it (``arrested`` finds ``arrest*``)
or without an English plural ``s``, and last by its plural where the dictionary holds it as
a noun only (``asset`` finds an entry of ``assets``; not ``local``, whose ``locals`` are
residents); a prefix also by the one-word forms it covers that are at
most ``MAX_COVERED_ENDING`` letters longer (``embezzl*`` finds ``embezzle*``, ``bribe*`` finds
``bribery``): an ending, not another word built on the stem (``sea*`` never finds ``search``).

Owns: the Form/Concept values, merging concepts, building each form's Term once, lookup of a
term's senses and of a ``{concept}``'s whole content.
Does not own: reading the data files (``monitor.match.lexicon_files``), rewriting queries
(``expand``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Literal

from monitor.errors import QueryError
from monitor.match.guard import Guard
from monitor.match.inflect import english_singulars, noun_plurals
from monitor.match.query import Pattern, Term, parse_form
from monitor.match.text import fold

ConceptKind = Literal["concept", "territory", "name"]
#: the shortest prefix form through which a query word finds a concept (``arrest*``: arrested)
MIN_LOOKUP_PREFIX = 4
#: the shortest prefix query through which the one-word forms it covers are found
MIN_COVERING_PREFIX = 5
#: how many letters longer than a prefix query a form it covers may be (an inflection or suffix)
MAX_COVERED_ENDING = 3
#: the shortest single word also looked up without its diacritics
MIN_FOLDED_LOOKUP = 6


@dataclass(frozen=True, slots=True)
class Form:
    """One way of writing a concept."""

    #: a word, ``word*``, or words separated by spaces (a phrase), as in a query
    text: str
    #: ISO 639-1 code of its language ("" when it is the same in many)
    lang: str
    #: the name of the guard its occurrences must pass, or None
    guard: str | None = None


@dataclass(frozen=True, slots=True)
class Concept:
    """A concept's sense or a name: its equivalent forms, and what else its concept holds."""

    #: ``terrorism``, ``terrorism/counter-terrorism`` (a further sense), ``RU`` (an ISO 3166
    #: territory), ``ASEAN``
    id: str
    kind: ConceptKind
    #: equivalents: a query term that is one of them expands to all of them
    forms: tuple[Form, ...]
    #: ``file:line`` where it was (last) defined, for messages
    origin: str = ""
    #: related or narrower words, matched only for ``{id}`` (each stands only for itself)
    members: tuple[Form, ...] = ()
    #: ids of the entries ``{id}`` also holds (its further senses, names, narrower concepts)
    includes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LexiconData:
    """What lexicon files define (the shipped ones, or a user's ``lexicon:`` files)."""

    concepts: tuple[Concept, ...] = ()
    #: named context rules that forms refer to
    guards: tuple[Guard, ...] = ()
    #: the files read
    files: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Variant:
    """A compiled form: the Term to match and where it came from."""

    term: Term
    form: Form
    concept: str


class Lexicon:
    """Concepts merged by id (forms of a later definition are added), ready for lookup."""

    def __init__(self, concepts: Iterable[Concept], guards: Mapping[str, Guard]) -> None:
        merged: dict[str, Concept] = {}
        for concept in concepts:
            known = merged.get(concept.id)
            if known is not None:
                concept = replace(
                    concept,
                    forms=(*known.forms, *concept.forms),
                    members=(*known.members, *concept.members),
                    includes=tuple(dict.fromkeys((*known.includes, *concept.includes))),
                )
            merged[concept.id] = concept
        self.concepts = merged
        self.guards = dict(guards)
        self._variants: dict[str, tuple[Variant, ...]] = {
            cid: tuple(_variants(c.id, c.forms, self.guards)) for cid, c in merged.items()
        }
        self._members: dict[str, tuple[Variant, ...]] = {
            cid: tuple(_variants(c.id, c.members, self.guards)) for cid, c in merged.items()
        }
        self._ids = {cid.casefold(): cid for cid in merged}
        self._keys: dict[str, set[str]] = {}
        self._prefixes: dict[str, set[str]] = {}
        for cid, variants in self._variants.items():
            for variant in filter(_leads, variants):
                for key in _form_keys(variant.term):
                    self._keys.setdefault(key, set()).add(cid)
                only = variant.term.patterns
                one_prefix = len(only) == 1 and only[0].kind == "prefix"
                if one_prefix and len(only[0].text) >= MIN_LOOKUP_PREFIX:
                    self._prefixes.setdefault(only[0].text, set()).add(cid)
        self._longest_prefix = max(map(len, self._prefixes), default=0)
        #: one-word forms (words and prefixes, ``*`` dropped), sorted, with their concepts
        self._words = sorted(_one_words(self._variants))

    def extended(self, data: LexiconData) -> Lexicon:
        """This lexicon with more concepts (same id: forms added) and guards."""
        if not data.concepts and not data.guards:
            return self
        guards = {**self.guards, **{g.name: g for g in data.guards}}
        return Lexicon([*self.concepts.values(), *data.concepts], guards)

    def lookup(self, term: Term) -> tuple[str, ...]:
        """Ids of the concepts ``term`` is a form of, sorted; () when none."""
        found: set[str] = set()
        for key in _query_keys(term):
            found |= self._keys.get(key, set())
        if not found and not _capitalised(term):
            # a plural finds the entry of its singular only when it finds none as written:
            # ``taxes`` is a tax, never also ``taxis`` (LemmInflect's other singular of it)
            for key in _singular_query_keys(term):
                found |= self._keys.get(key, set())
        if not found and len(term.patterns) == 1 and term.patterns[0].kind == "word":
            found = self._stored_prefix(term.patterns[0].text)
        if not found and len(term.patterns) > 1 and term.patterns[-1].kind == "word":
            found = self._stored_phrase_prefix(term)
        if not found and len(term.patterns) == 1 and term.patterns[0].kind == "prefix":
            # the one-word forms the stem covers, else the stored prefix its stem starts with,
            # as for a word: every word ``volcano*`` finds is a ``volcan*``
            stem = term.patterns[0].text
            found = self._covered(stem) or self._stored_prefix(stem)
        if not found and term.patterns[-1].kind == "word":
            for key in _plural_keys(key_of(term), term.patterns[-1].text):
                found |= self._keys.get(key, set())
        return tuple(sorted(found))

    def _stored_prefix(self, word: str) -> set[str]:
        """Concepts of the longest stored prefix that starts ``word``, alone: ``airliner`` is
        an ``airliner*``, not also a German ``Airline*``. No prefix is longer than the longest
        stored one: linear, not quadratic, in a hostile 1 MB word."""
        for length in range(min(len(word), self._longest_prefix), MIN_LOOKUP_PREFIX - 1, -1):
            found = self._prefixes.get(word[:length], set())
            if found:
                return found
        return set()

    def _stored_phrase_prefix(self, term: Term) -> set[str]:
        """Concepts of the stored phrase whose last word is the longest prefix of ``term``'s:
        ``"suicide bomber"`` is a ``"suicide bomb*"``, as a word finds its stored prefix."""
        *head, last = term.patterns
        words = " ".join(p.text + ("*" if p.kind == "prefix" else "") for p in head)
        for length in range(min(len(last.text), self._longest_prefix), MIN_LOOKUP_PREFIX - 1, -1):
            found = self._keys.get(f"{words} {last.text[:length]}*")
            if found:
                return set(found)
        return set()

    def _covered(self, stem: str) -> set[str]:
        """Concepts of the one-word forms that ``stem*`` covers, ending at most
        ``MAX_COVERED_ENDING`` letters after it."""
        if len(stem) < MIN_COVERING_PREFIX:
            return set()
        found: set[str] = set()
        at = bisect.bisect_left(self._words, (stem, ""))
        while at < len(self._words) and self._words[at][0].startswith(stem):
            word, cid = self._words[at]
            if len(word) - len(stem) <= MAX_COVERED_ENDING:
                found.add(cid)
            at += 1
        return found

    def variants(self, concept: str) -> tuple[Variant, ...]:
        """The compiled forms of ``concept`` (its equivalents only)."""
        return self._variants.get(concept, ())

    def resolve(self, name: str) -> tuple[str, ...]:
        """The entries ``{name}`` stands for: the id (any case), else the senses it is a form of.

        () when the lexicon knows neither.
        """
        for spelling in (name, "-".join(name.split())):
            exact = self._ids.get(spelling.casefold())
            if exact is not None:
                return (exact,)
        try:
            return self.lookup(parse_form(name))
        except QueryError:
            return ()

    def closure(self, ids: Iterable[str]) -> tuple[str, ...]:
        """``ids`` and every entry they include, directly or not, in first-seen order."""
        seen: dict[str, None] = {}
        pending = list(ids)
        while pending:
            cid = pending.pop(0)
            if cid in seen or cid not in self.concepts:
                continue
            seen[cid] = None
            pending += self.concepts[cid].includes
        return tuple(seen)

    def concept_variants(self, ids: Iterable[str]) -> tuple[Variant, ...]:
        """Every compiled form and member of the entries ``ids`` and all they include."""
        found: dict[object, Variant] = {}
        for cid in self.closure(ids):
            for variant in (*self._variants[cid], *self._members[cid]):
                found.setdefault((variant.term.patterns, variant.term.guard), variant)
        return tuple(found.values())


def _variants(cid: str, forms: Iterable[Form], guards: Mapping[str, Guard]) -> Iterable[Variant]:
    forms = tuple(forms)
    # a word several languages of the entry write alike counts in the texts of each
    languages: dict[tuple[str, str | None], set[str]] = {}
    for form in forms:
        languages.setdefault((form.text, form.guard), set()).add(form.lang)
    for form in forms:
        term = parse_form(form.text)
        guard = guards.get(form.guard) if form.guard else None
        if guard is not None:
            if guard.case == "exact":
                guard = replace(guard, spelling=tuple(form.text.split()))
            if guard.marks:
                patterns = tuple(Pattern(p.text, p.kind, False) for p in term.patterns)
                term = replace(term, patterns=patterns)
            term = replace(term, guard=guard)
        own = term.guard is not None and term.guard.own_language
        langs = tuple(sorted(languages[form.text, form.guard])) if own else ()
        yield Variant(replace(term, form=form.text, langs=langs), form, cid)


def _leads(variant: Variant) -> bool:
    """Whether a query term written like this form finds its entry (``Guard.finds_entry``)."""
    guard = variant.term.guard
    return guard is None or guard.finds_entry


def _one_words(variants: Mapping[str, tuple[Variant, ...]]) -> set[tuple[str, str]]:
    """(word, concept) for every one-word form (a prefix without its ``*``) that leads to it."""
    return {
        (v.term.patterns[0].text, cid)
        for cid, found in variants.items()
        for v in filter(_leads, found)
        if len(v.term.patterns) == 1 and v.term.patterns[0].kind != "substring"
    }


def key_of(term: Term) -> str:
    """The words of a term as compared (``*`` after a prefix): ``"teroris*"``, ``"việt nam"``."""
    return " ".join(p.text + ("*" if p.kind == "prefix" else "") for p in term.patterns)


def _form_keys(term: Term) -> set[str]:
    key = key_of(term)
    keys = {key}
    if len(term.patterns) > 1 or len(fold(key)) >= MIN_FOLDED_LOOKUP:
        keys.add(fold(key))
    return keys


def _singular_keys(key: str, last: str) -> list[str]:
    """``key`` with its last word ``last`` in the singular: the dictionary's, for an English
    word it holds (``"school fees"``: ``school fee``; ``cares`` is care, not car), or the
    word without ``s``/``es`` (``teroris``... ``missiles``: ``missile``, ``missil``)."""
    head = key[: len(key) - len(last)]
    singulars = english_singulars(last)
    if singulars is not None:
        return [head + singular for singular in singulars]
    if len(last) <= MIN_LOOKUP_PREFIX:
        return []
    return [key[:-1], key[:-2]] if key.endswith("es") else [key[:-1]]


def _plural_keys(key: str, last: str) -> list[str]:
    """``key`` with its last word ``last`` in the plural, where the dictionary holds it as a
    noun only (``asset``: ``assets``; not ``local``, whose ``locals`` are residents)."""
    head = key[: len(key) - len(last)]
    return [head + plural for plural in noun_plurals(last)]


def _query_keys(term: Term) -> list[str]:
    """The keys a term is looked up by, as written."""
    key = key_of(term)
    keys = [key]
    if term.patterns[-1].kind == "prefix":
        keys.append(key[:-1])  # ``teroris*`` finds the concept of the word ``teroris``
    return _starred(term, keys)


def _singular_query_keys(term: Term) -> list[str]:
    """The keys of a term ending in a plural, with its last word in the singular."""
    key, last = key_of(term), term.patterns[-1]
    if last.kind != "word" or not key.endswith("s"):
        return []
    return _starred(term, _singular_keys(key, last.text))


def _starred(term: Term, keys: list[str]) -> list[str]:
    """``"military exercise"`` finds ``military exercise*``, ``"food prices"`` ``food price*``."""
    if term.patterns[-1].kind == "word" and len(term.patterns) > 1:
        return [*keys, *(k + "*" for k in keys)]
    return keys


def _capitalised(term: Term) -> bool:
    """True when the analyst wrote the term's last word with a capital (a name, an acronym):
    it has no number to change (``Celebes`` is no plural of ``celeb``)."""
    written = term.label.strip('"').split()
    return bool(written) and written[-1][:1].isupper()
