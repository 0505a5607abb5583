"""Word forms a term stands for, where a language inflects: Indonesian/Malay affixes, Russian
cases, and the number of an English noun and the forms of an English verb an analyst writes
that no lexicon entry holds.

* Indonesian and Malay build words from a root with prefixes and suffixes whose first sound
  changes with the root (``tangkap`` -> ``menangkap``, ``penangkapan``; ``berantas`` ->
  ``pemberantasan``; ``selundup`` -> ``penyelundupan``). A lexicon root written ``~tangkap``
  stands for the root and its common derived words (``malay_forms``). Only roots that a person
  wrote into the lexicon are derived: no stemmer ever runs on names or acronyms (Snowball's
  Indonesian stemmer turns ``asean`` into ``ase``).
* Russian nouns change their ending with the case (``Россия``, ``России``, ``Россией``). A
  one-word name gets the case forms of its declension listed, and the start of its adjective
  and demonym where they are regular (``Китай``: ``Китая``, ``Китаем`` ... ``Китайск*``,
  ``Китаец``), never a bare stem, which starts other words: ``Франци*`` was Pope Francis
  (``Франциск``) and San Francisco, ``Дани*`` Daniil, ``Нигер*`` Nigeria, ``Куб*`` a cup
  (``кубок``). A foreign name ending in ``о``, ``е``, ``и``, ``у``, ``ю``, ``э`` or in a vowel
  and ``а`` does not decline (``Перу``, ``Сомали``, ``Самоа``): it is kept as written. In a
  name of several words each word becomes a prefix of its stem when the stem keeps at least
  ``MIN_RU_STEM`` letters (``Южн* Коре*``): the words together are specific.

* An English noun is written in one number and found in both: an analyst who writes
  ``lighthouse`` wants the lighthouses too, and ``"car sales"`` a car sale. The forms come from
  LemmInflect's dictionary of English nouns (``crisis``: ``crises``; ``child``: ``children``),
  never from a rule on a word it does not hold (``stunting`` stays as written; a rule would
  take ``bus`` for the plural of ``bu``, an Indonesian "madam"). A lone plural keeps its
  number: its singular often means otherwise (``shares``, ``talks``, ``arms``, ``customs``).
* An English verb written alone is found in its forms: ``launch`` finds ``launched``,
  ``launching``, ``launches``; ``sack`` ``sacked``; ``seek`` ``sought``. The forms again come
  from LemmInflect, only for a word it holds as a verb's base form and as no other verb's form
  (``fell`` is also fall's past: it gets no ``felled``; ``found``, ``saw``, ``left`` neither)
  and no auxiliary (``can``: no ``could``); a form it holds as a word of its own is left out,
  as it often means otherwise (``building``, ``meeting``, ``housing``, ``interested``,
  ``united``).

Owns: the generation rules above. Pure (LemmInflect's tables are read once, when first asked).
Does not own: which forms exist (``monitor/data/*.yaml``) or how they are matched.
"""

from __future__ import annotations

import re

from lemminflect import getAllInflections, getAllLemmas

MIN_RU_STEM = 4
_RU_VOWEL_ENDINGS = ("ая", "яя", "ое", "ее", "ые", "ие", "ий", "ый", "ой")
_RU_ONE = "аяьйоеыиу"
_RU_INDECLINABLE = "оеиуюэ"
#: a one-word name's forms by how it ends: (letters its stem drops, what may follow the stem:
#: case endings, then the start of its adjective and demonym where they are regular:
#: бельгийский, бельгиец; китайский, китайцы; украинский, украинец; грузинский). Irregular
#: ones (кубинский, литовский) are left to names.yaml
_RU_NAME_FORMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ия", ("ия", "ии", "ию", "ией", "иею", "ийск*", "инск*", "иец", "ийц*")),
    ("ея", ("ея", "еи", "ее", "ею", "еей", "ейск*", "еец", "ейц*")),
    ("а", ("а", "ы", "и", "е", "у", "ой", "ою", "ск*", "ец", "цы", "цев", "цам", "цами", "цах")),
    ("ы", ("ы", "", "ам", "ами", "ах", "ск*", "ец", "ц*")),
    ("я", ("я", "и", "е", "ю", "ей", "ею")),
    ("й", ("й", "я", "ю", "ем", "е", "и", "ев", "йск*", "ец", "йц*")),
    ("ь", ("ь", "я", "ю", "ем", "е", "и", "ьск*")),
    ("", ("", "а", "у", "е", "ом", "ы", "ов", "ск*", "ец", "ц*")),
)
_RU_VOWELS = "аеёиоуыэюя"


#: a word LemmInflect is asked about: lower-case English letters, as analysts write a noun
_ENGLISH_NOUN = re.compile(r"[a-z]{3,}")


def english_numbers(word: str, *, singular: bool) -> tuple[str, ...]:
    """The other number of the English noun ``word``: its plurals when it is a singular noun
    (``lighthouse``: ``lighthouses``), and, with ``singular``, its singular when it is a plural one
    (``sales``: ``sale``); () for a word the dictionary holds as no noun, a name or a word
    of another script."""
    if not _ENGLISH_NOUN.fullmatch(word):
        return ()
    plurals = _plurals(word)
    if plurals:
        return plurals
    return _singulars(word) if singular else ()


def english_singulars(word: str) -> tuple[str, ...] | None:
    """The singulars of ``word`` when the dictionary holds it as an English plural noun
    (``fees``: ``fee``; ``cares``: ``care``, never ``car``), () when it holds it otherwise
    (``news``, ``crisis``), None when it does not hold it (or it is no lower-case English
    word)."""
    if not _ENGLISH_NOUN.fullmatch(word):
        return None
    if getAllInflections(word, upos="NOUN"):
        return ()  # a singular or uncountable noun
    singulars = _singulars(word)
    if singulars:
        return singulars
    return () if getAllLemmas(word) else None


def english_word(word: str) -> bool:
    """Whether the dictionary holds ``word`` (lower-case letters) as an English word of any part
    of speech (``dam``, ``song``, ``sot``; not ``gao`` or ``bao``)."""
    return bool(_ENGLISH_NOUN.fullmatch(word)) and bool(getAllLemmas(word))


def noun_plurals(word: str) -> tuple[str, ...]:
    """The plurals of ``word`` when the dictionary holds it as a noun and as nothing else
    (``asset``: ``assets``); () for a word that is also a verb or an adjective (``share``,
    ``local``, ``aid``), whose plural may be another word (``shares``, ``locals``, ``aids``)."""
    if not _ENGLISH_NOUN.fullmatch(word) or set(getAllLemmas(word)) != {"NOUN"}:
        return ()
    return _plurals(word)


def _plurals(word: str) -> tuple[str, ...]:
    """The dictionary's plurals of the noun ``word``, other than itself (``sheep``)."""
    plurals = getAllInflections(word, upos="NOUN").get("NNS", ())
    return tuple(p for p in plurals if p != word)


def _singulars(word: str) -> tuple[str, ...]:
    """The nouns ``word`` is the dictionary's plural of (``fees``: ``fee``)."""
    lemmas = getAllLemmas(word, upos="NOUN").get("NOUN", ())
    return tuple(
        lemma
        for lemma in lemmas
        if lemma != word and word in getAllInflections(lemma, upos="NOUN").get("NNS", ())
    )


def verb_forms(word: str) -> tuple[str, ...]:
    """The inflections of the English verb ``word`` (``launch``: ``launched``, ``launching``,
    ``launches``; ``seek``: ``sought``), where the dictionary holds ``word`` as a verb's base
    form and as no other verb's form or auxiliary (``fell``, ``found``, ``saw``, ``can``: ());
    a form it holds as a word of its own is left out, as it often means otherwise
    (``building``, ``meeting``, ``interested``, ``united``, ``left``). () for a name or a word
    of another script."""
    if not _ENGLISH_NOUN.fullmatch(word):
        return ()
    lemmas = getAllLemmas(word)
    if lemmas.get("VERB") != (word,) or "AUX" in lemmas:
        return ()
    tables = getAllInflections(word, upos="VERB")
    forms = dict.fromkeys(form for tag in _VERB_TAGS for form in tables.get(tag, ()))
    return tuple(form for form in forms if form != word and not _own_word(form))


#: past, participles, third person (the base form and the present are ``word`` itself)
_VERB_TAGS = ("VBD", "VBN", "VBG", "VBZ")


def _own_word(form: str) -> bool:
    """True when the dictionary holds ``form`` as a word of its own (a noun, an adjective or
    a verb it is the base form of: ``building``, ``united``, ``found``), not only as an
    inflection."""
    return any(form in lemmas for lemmas in getAllLemmas(form).values())


def malay_forms(root: str) -> tuple[str, ...]:
    """The root and its common affixed words (di-, ter-, ber-, meN-, peN-, -an, -kan, ke-an ...)."""
    root = root.lower()
    men, pen = _nasal("me", root), _nasal("pe", root)
    forms = [
        root,
        f"{root}an",
        f"di{root}",
        f"di{root}kan",
        f"di{root}i",
        f"ter{root}",
        f"ber{root}",
        men,
        f"{men}kan",
        f"{men}i",
        pen,
        f"{pen}an",
        f"per{root}an",
        f"ke{root}an",
    ]
    return tuple(dict.fromkeys(forms))


def _nasal(prefix: str, root: str) -> str:
    """``meN-``/``peN-`` + root, with the nasal assimilated to the root's first sound."""
    head = root[:1]
    if head in "aeiou":
        return f"{prefix}ng{root}"
    if head in "bfv":
        return f"{prefix}m{root}"
    if head == "p":
        return f"{prefix}m{root[1:]}"
    if head in "dcjz" or root.startswith("sy"):
        return f"{prefix}n{root}"
    if head == "t":
        return f"{prefix}n{root[1:]}"
    if head in "gh":
        return f"{prefix}ng{root}"
    if head == "k":
        return f"{prefix}ng{root[1:]}"
    if head == "s":
        return f"{prefix}ny{root[1:]}"
    return f"{prefix}{root}"


def russian_forms(name: str) -> tuple[str, ...]:
    """Forms covering the case endings of a Russian name (one word or a phrase of words).

    ``Россия`` -> ``("Россия", "России", ..., "Российск*", "Россиец", ...)``;
    ``Южная Корея`` -> ``("Южн* Коре*",)``; ``Куба`` -> ``("Куба", "Кубы", "Кубе", ...)``.
    """
    parts = name.split()
    if len(parts) == 1:
        return _russian_word(parts[0])
    return (" ".join(_russian_prefix(p) or p for p in parts),)


def _russian_word(word: str) -> tuple[str, ...]:
    if not word.isalpha() or word.isupper() or _indeclinable(word):
        return (word,)  # ``Кот-д’Ивуар``, ``САР``: no rule for compounds and acronyms
    ending, forms = next((e, f) for e, f in _RU_NAME_FORMS if word.lower().endswith(e))
    stem = word[: len(word) - len(ending)]
    return tuple(dict.fromkeys(stem + form for form in forms))


def _russian_prefix(word: str) -> str | None:
    if not _is_cyrillic(word) or not word.isalpha() or _indeclinable(word):
        return None
    stem = _russian_stem(word)
    # an adjective's stem is shorter for the same rarity (``Южн*``: южный, южной, южная)
    adjective = word.lower().endswith(_RU_VOWEL_ENDINGS)
    return f"{stem}*" if len(stem) >= MIN_RU_STEM - adjective else None


def _russian_stem(word: str) -> str:
    lower = word.lower()
    if lower.endswith(_RU_VOWEL_ENDINGS):
        return word[:-2]
    if lower.endswith("ия"):
        return word[:-1]
    if lower[-1:] and lower[-1] in _RU_ONE:
        return word[:-1]
    return word


def _indeclinable(word: str) -> bool:
    lower = word.lower()
    if lower.endswith(_RU_VOWEL_ENDINGS):
        return False  # an adjective (``Южная``, ``Американское``): it declines
    return lower[-1:] in _RU_INDECLINABLE or (lower[-1:] == "а" and lower[-2:-1] in _RU_VOWELS)


def _is_cyrillic(word: str) -> bool:
    return any("\u0400" <= char <= "\u04ff" for char in word)
