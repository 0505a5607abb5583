"""Reading lexicon files: the shipped data, CLDR names via babel, and users' ``lexicon:`` files.

A lexicon file is YAML (``monitor/data/*.yaml`` are the shipped ones)::

    guards:                       # named context rules (see monitor.match.guard)
      vi-name: {case: proper, marks: true, not_after_capital: true, reject_after: [sơn]}
    concepts:                     # vocabulary
      terrorism:
        en: [terrorism, terror, terrorist*]     # equivalents: one sense, per language
        id: [terorisme, teroris]
        vi: ["khủng bố"]
        senses:                   # the concept's further senses, each a set of equivalents
          counter-terrorism:      # (an entry of its own: terrorism/counter-terrorism)
            en: ["counter-terrorism", counterterror*]
            id: [~berantas]       # ~root: Indonesian/Malay derived words
        members:                  # related or narrower words: only in {terrorism}
          en: [jihadist*]
        includes: [ISIS]          # other entries {terrorism} holds
    territories:                  # ISO 3166 codes: CLDR names in LANGUAGES are added
      RU:
        en: [Russian, "Russian Federation"]
        vi: [{form: Nga, guard: vi-name}]
        includes: [Moscow]
    names:                        # organisations, places, seas: their own names only
      ASEAN:
        en: [ASEAN, "Association of Southeast Asian Nations"]

The rule for the data: a form is an *equivalent* only when it means the same thing at the same
specificity as the others (``police``: polisi, polis, công an, полиция); a broader, narrower or
related word is a *member* or a further sense (``police``: Polda, Bareskrim, МВД). A name's
equivalents are its own names in other languages and scripts, never its category, capital or
organs. tests/test_lexicon_audit.py holds the audit of every shipped entry.

Names (territories and names) get a context rule unless a form names one: an acronym of up to
three capitals must be written so (``acronym``: ``US``, ``AS``); a Vietnamese one-word name
takes ``vi-name`` (``Nga``, ``Mỹ``, ``Pháp``); a form written with a capital first letter must
be capitalised in the text (``name``); a CLDR name in French, Spanish, German, Portuguese or
Italian that English writes otherwise also counts only in that language's texts
(``foreign-name``: French ``Chili`` is Chile, English chili a pepper). Russian CLDR names also
match their case forms (``monitor.match.inflect``).

Owns: the file format and its validation (errors name file, line and key), CLDR import, the
shipped lexicon (read once per process, through the compiled cache in ``lexicon_cache``).
Does not own: lookup and expansion (``lexicon``, ``expand``).
"""

from __future__ import annotations

import functools
import os
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from monitor.errors import QueryError
from monitor.match.guard import Guard
from monitor.match.inflect import malay_forms, russian_forms
from monitor.match.lexicon import Concept, ConceptKind, Form, Lexicon, LexiconData
from monitor.match.lexicon_cache import cache_dir, cached_lexicon
from monitor.match.query import parse_form
from monitor.match.text import normalise
from monitor.yamlsafe import At, read_yaml

#: CLDR locales whose territory names are added to every territory
LANGUAGES = ("en", "id", "ms", "vi", "th", "ru", "zh", "zh_Hant", "fr", "es", "de", "pt", "it")
#: the shipped lexicon files, in ``monitor/data``
SHIPPED = ("guards.yaml", "names.yaml", "concepts.yaml", "concepts-news.yaml")
#: CLDR locales whose names count only in their own language's texts (``_foreign_name``)
OWN_LANGUAGE_NAMES = ("fr", "es", "de", "pt", "it")
#: CLDR region codes worth a concept of their own (Southeast Asia, Asia, Europe, ...)
REGIONS = ("002", "019", "142", "150", "035", "030", "034", "145", "143", "053", "054", "057")

_SECTIONS: dict[str, ConceptKind] = {"concepts": "concept", "territories": "territory",
                                     "names": "name"}  # fmt: skip
#: keys of an entry besides language codes
_ENTRY_KEYS = ("senses", "members", "includes")
_GUARD_KEYS = ("case", "marks", "not_after_capital", "allow_before", "reject_before",
               "reject_after", "require_after", "not_dateline", "own_language",
               "finds_entry")  # fmt: skip
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}")
#: an included entry: an id, or ``concept/sense``
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9_:.-]{0,63}(/[A-Za-z0-9][A-Za-z0-9_:.-]{0,63})?")
_LANG = re.compile(r"[a-z]{2,3}(_[A-Za-z]{2,4})?")
_ACRONYM = re.compile(r"[A-Z]{2,3}")


@functools.cache
def default_lexicon() -> Lexicon:
    """The shipped lexicon with CLDR names; read once per process (it never changes).

    Loaded from the compiled cache (``lexicon_cache``) when it matches the installed package.
    """
    return cached_lexicon(build_default_lexicon, cache_dir(os.environ))


def build_default_lexicon() -> Lexicon:
    """The shipped lexicon with CLDR names, built from the files (no cache)."""
    data = [read_lexicon_file(_shipped(name)) for name in SHIPPED]
    guards = {g.name: g for d in data for g in d.guards}
    concepts = [*cldr_concepts(set(guards)), *(c for d in data for c in d.concepts)]
    return Lexicon(concepts, guards)


def lexicon_for(data: LexiconData | None) -> Lexicon:
    """The shipped lexicon extended with ``data`` (a config's ``lexicon:`` files), if any.

    Files read again with the same content give the same object: a hot reload reuses the
    matcher in use only with the very lexicon it was built with (``Matcher(previous=)``).
    """
    return default_lexicon() if data is None else _extended(data)


@functools.lru_cache(maxsize=1)  # the configuration in use: a changed one frees the old
def _extended(data: LexiconData) -> Lexicon:
    # LexiconData is a frozen value (concepts, forms, guards, origins): equal files, equal key
    return default_lexicon().extended(data)


def read_lexicon_file(path: str | Path, known_guards: Iterable[str] = ()) -> LexiconData:
    """One lexicon file; ConfigError naming file, line and key on any problem.

    Forms may name the shipped guards, ``known_guards`` and the file's own.
    """
    shipped = {g.name for g in _shipped_guards()}
    return _read(path, {*shipped, *known_guards})


def cldr_concepts(guards: set[str]) -> list[Concept]:
    """A territory concept per ISO 3166 code and one per region in ``REGIONS``, CLDR names."""
    from babel import Locale  # only here: importing babel's data costs time

    names: dict[str, list[Form]] = {}
    english = {
        code: {clean.casefold() for clean in _clean_names(name)}
        for code, name in Locale.parse("en").territories.items()
    }
    for language in LANGUAGES:
        lang = language.split("_")[0]
        for code, name in Locale.parse(language).territories.items():
            if (len(code) == 2 and code.isalpha()) or code in REGIONS:
                for clean in _clean_names(name):
                    guard = _foreign_name(clean, lang, english.get(code, set()), guards)
                    names.setdefault(code, []).extend(_name_forms(clean, lang, guard, guards))
    return [
        Concept(code if code.isalpha() else f"region:{code}", "territory", tuple(forms), "CLDR")
        for code, forms in names.items()
    ]


# --- reading ---------------------------------------------------------------------------------


def _shipped(name: str) -> Path:
    return Path(str(resources.files("monitor").joinpath("data", name)))


@functools.cache
def _shipped_guards() -> tuple[Guard, ...]:
    return _read(_shipped("guards.yaml"), set()).guards


def _read(path: str | Path, known_guards: set[str]) -> LexiconData:
    doc = read_yaml(path)
    if doc.data is None:
        return LexiconData(files=(str(path),))
    fields = doc.root().mapping(["guards", *_SECTIONS])
    guards = tuple(_guard(name, at) for name, at in _entries(fields.get("guards")))
    names = {*known_guards, *(g.name for g in guards)}
    concepts = tuple(
        concept
        for section, kind in _SECTIONS.items()
        for concept_id, at in _entries(fields.get(section))
        for concept in _concept(concept_id, at, kind, names)
    )
    return LexiconData(concepts, guards, (str(path),))


def _entries(at: At | None) -> list[tuple[str, At]]:
    if at is None:
        return []
    found = []
    for key, child in at.mapping().items():
        if not _ID.fullmatch(key):
            child.fail("an id is letters, digits, '_', '-', ':' or '.' (at most 64)")
        found.append((key, child))
    return found


def _guard(name: str, at: At) -> Guard:
    fields = at.mapping(_GUARD_KEYS)
    case = fields["case"].string() if "case" in fields else "any"
    if case not in ("any", "proper", "exact"):
        fields["case"].fail("expected any, proper or exact")

    def each(key: str, *, cased: bool = False) -> list[str]:
        found = fields[key].strings() if key in fields else ()
        # reject lists keep a capitalised word as written: it compares case-sensitively
        return [w if cased and w[:1].isupper() else normalise(w) for w in found]

    def words(key: str, *, cased: bool = False) -> frozenset[str]:
        return frozenset(w for w in each(key, cased=cased) if " " not in w)

    def sequences(key: str) -> tuple[tuple[str, ...], ...]:
        # an entry of several words ("с огурц*") is a sequence, compared word by word
        return tuple(tuple(w.split()) for w in each(key, cased=True) if " " in w)

    def flag(key: str, default: bool = False) -> bool:
        return fields[key].boolean() if key in fields else default

    return Guard(
        name,
        case,  # type: ignore[arg-type]  # checked above
        marks=flag("marks"),
        not_after_capital=flag("not_after_capital"),
        not_dateline=flag("not_dateline"),
        own_language=flag("own_language"),
        finds_entry=flag("finds_entry", default=True),
        allow_before=words("allow_before"),
        reject_before=words("reject_before", cased=True),
        reject_after=words("reject_after", cased=True),
        reject_after_words=sequences("reject_after"),
        require_after=words("require_after", cased=True),
    )


def _concept(concept_id: str, at: At, kind: ConceptKind, guards: set[str]) -> list[Concept]:
    """The entry and, after it, one entry per further sense (``id/sense``), which it includes."""
    fields = at.mapping()
    if "senses" in fields and "/" in concept_id:
        fields["senses"].fail("a sense has no senses of its own: add them to the concept")
    senses = [
        one
        for sense_id, sense_at in _entries(fields.get("senses"))
        for one in _concept(f"{concept_id}/{sense_id}", sense_at, kind, guards)
    ]
    members = _forms(fields["members"], kind, guards) if "members" in fields else []
    includes = fields["includes"].strings() if "includes" in fields else ()
    for item in fields["includes"].items() if "includes" in fields else ():
        if not _REF.fullmatch(item.string()):
            item.fail("expected an entry's id, or concept/sense")
    own = {lang: items for lang, items in fields.items() if lang not in _ENTRY_KEYS}
    forms = [f for lang, items in own.items() for f in _language(lang, items, kind, guards)]
    origin = f"{at.doc.file}:{at.doc.line(at.path) or 0}"
    includes = (*(s.id for s in senses), *includes)
    return [Concept(concept_id, kind, tuple(forms), origin, tuple(members), includes), *senses]


def _forms(at: At, kind: ConceptKind, guards: set[str]) -> list[Form]:
    """``members``: forms per language, like an entry's own."""
    return [f for lang, items in at.mapping().items() for f in _language(lang, items, kind, guards)]


def _language(lang: str, items: At, kind: ConceptKind, guards: set[str]) -> list[Form]:
    if not _LANG.fullmatch(lang):
        items.fail(
            "expected a language code such as en, id, vi, zh_Hant, or one of "
            + ", ".join(_ENTRY_KEYS)
        )
    return [
        f for item in items.items() for f in _item_forms(item, lang.split("_")[0], kind, guards)
    ]


def _item_forms(at: At, lang: str, kind: ConceptKind, guards: set[str]) -> list[Form]:
    if isinstance(at.value, dict):
        fields = at.mapping(("form", "guard"))
        if "form" not in fields:
            at.fail("missing key 'form'")
        text = fields["form"].string()
        guard = fields["guard"].string() if "guard" in fields else None
        if guard is not None and guard not in guards:
            fields["guard"].fail(f"unknown guard {guard!r} (known: {', '.join(sorted(guards))})")
    else:
        text, guard = at.string(), None
    texts = malay_forms(text[1:]) if text.startswith("~") else (text,)
    for one in texts:
        try:
            parse_form(one)
        except QueryError as e:
            at.fail(f"invalid form {one!r}: {e}")
    if kind == "concept":
        return [Form(t, lang, guard or _acronym(t)) for t in texts]
    return [f for t in texts for f in _name_forms(t, lang, guard, guards)]


# --- names -----------------------------------------------------------------------------------


def _name_forms(text: str, lang: str, guard: str | None, guards: set[str]) -> list[Form]:
    """A name's form with its context rule, and for Russian its case forms."""
    guard = guard or _acronym(text) or _name_guard(text, lang)
    if guard is not None and guard not in guards:
        guard = None  # a user file may leave the shipped guards out of its own reading
    forms = [Form(text, lang, guard)]
    if lang == "ru" and "*" not in text:
        forms += [Form(f, lang, guard) for f in russian_forms(text) if f != text]
    return forms


def _foreign_name(text: str, lang: str, english: set[str], guards: set[str]) -> str | None:
    """``foreign-name`` for a name in a European language other than English that English does
    not write so: French ``Chili`` (Chile) is English chili, German ``Island`` (Iceland) an
    island, French ``Grenade`` (Grenada) a grenade: in that language's texts only."""
    foreign = lang in OWN_LANGUAGE_NAMES and text.casefold() not in english
    return "foreign-name" if foreign and "foreign-name" in guards else None


def _acronym(text: str) -> str | None:
    return "acronym" if _ACRONYM.fullmatch(text) else None


def _name_guard(text: str, lang: str) -> str | None:
    if lang == "vi" and " " not in text and "*" not in text:
        return "vi-name"
    return "name" if text[:1].isupper() else None


def _clean_names(name: str) -> list[str]:
    """``Myanmar (Burma)`` -> Myanmar; ``Antigua & Barbuda`` -> ``Antigua Barbuda``.

    A part in parentheses is dropped: it qualifies more often than it names (``RAE de Hong
    Kong (China)``); names.yaml adds the short names that matter.
    """
    base = re.sub(r"[(（].*?[)）]", " ", name)
    kept = "".join(c if unicodedata.category(c)[0] in "LMN" or c in "'-." else " " for c in base)
    words = [w for w in kept.split() if any(char.isalnum() for char in w)]
    return [" ".join(words)] if words else []
