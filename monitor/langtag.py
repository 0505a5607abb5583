"""Language tags: ``en-US``, ``pt_BR``, ``id`` -> the primary subtag the matcher works with.

Owns: ``primary_subtag`` and the table of codes it accepts, ``code_for`` (the code a person
means by ``eng``, ``IN``, ``en-US`` or ``Indonesian``) and ``language_error`` (the hint a config
and the command line give for such a value). Pure: readers of feeds, sitemaps and pages all use it.
Does not own: detecting a text's language (``monitor.extract``).

Only a real language code counts: a page served with ``Content-Language: utf-8`` declares no
language (not "utf"), so its text decides. The table is ISO 639-1 (every two-letter code) and
the three-letter ISO 639-3 codes py3langid can answer, so that a page's word can agree with
what its text looks like; another three-letter code counts as none, and the text decides.
``tests/test_langtag.py`` checks the table against CLDR (babel) and py3langid's model; babel is
imported here only by ``code_for``, on an error path, as loading its data costs about
0.2 s a process.
"""

from __future__ import annotations

import functools
import unicodedata

#: ISO 639-1: the 183 two-letter codes (CLDR knows the same set), as the standard lists them
_ISO_639_1_TABLE = (
    "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy "
    "da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht "
    "hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky "
    "la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny "
    "oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss "
    "st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo "
    "za zh zu"
)
_ISO_639_1 = frozenset(_ISO_639_1_TABLE.split())
#: two-letter codes ISO 639 withdrew (1989) that old software still writes: Java's Locale
#: gives "in" for Indonesian, which would miss the Indonesian/Malay choice
_WITHDRAWN = {"in": "id", "iw": "he", "ji": "yi", "jw": "jv", "mo": "ro"}
#: the ISO 639-3 codes py3langid 0.4 answers besides the two-letter ones ("zxx", no
#: linguistic content, is not a language a page is written in)
_PY3LANGID_639_3 = frozenset(
    {"ace", "ary", "arz", "bcl", "crh", "ext", "fuv", "gcf", "gcr", "gom", "grc", "gug", "guw",
     "hbo", "kab", "kik", "lij", "ltg", "nso", "pcm", "sdh", "uzs", "vec", "wuu", "yue"}
)  # fmt: skip
#: every code ``primary_subtag`` accepts
LANGUAGE_CODES = _ISO_639_1 | _PY3LANGID_639_3


def primary_subtag(tag: str | None) -> str | None:
    """``en-US`` -> ``en``: the primary subtag, lower case, if it is a language code (above);
    None otherwise (``utf-8``, ``x-default``, ``und``)."""
    primary = (tag or "").strip().replace("_", "-").split("-")[0].lower()
    primary = _WITHDRAWN.get(primary, primary)
    return primary if primary in LANGUAGE_CODES else None


@functools.lru_cache(maxsize=256)  # a JSON Lines file repeats its few names on every line
def code_for(value: str) -> str | None:
    """The accepted code a person most likely meant by ``value`` when it is not one: ``en`` for
    ``eng`` (ISO 639-2/3, CLDR's aliases: ``ger`` and ``deu`` are ``de``), ``id`` for the
    withdrawn ``in``, ``vi`` for ``VI``, ``en`` for ``en-US`` (the primary subtag), ``tl`` for
    ``fil``, and the code of a language's name (``Indonesian``, ``Bahasa Indonesia``,
    ``Filipino``); None when there is none."""
    lower = " ".join(value.split()).lower()
    if lower in LANGUAGE_CODES:
        return lower
    if lower in _WITHDRAWN or lower in _SAME_AS:
        return _WITHDRAWN.get(lower) or _SAME_AS[lower]
    primary, dash, region = lower.replace("_", "-").partition("-")
    if dash and primary and region and " " not in lower:
        return code_for(primary)  # a region or script: en-US, zh-Hant, pt_BR
    from babel.core import get_global  # error path only: see the module docstring

    alias = str(get_global("language_aliases").get(lower, ""))
    return alias if alias in LANGUAGE_CODES else _named(value)


def language_error(value: str) -> str | None:
    """Why ``value`` is not a language code, with the code meant if there is one (the hint a
    config and the command line give alike); None when it is a code."""
    if value in LANGUAGE_CODES:
        return None
    meant = code_for(value)
    if meant is not None:
        return f"not a language code the monitor knows: {value!r} (write {meant!r})"
    return f"not a language code the monitor knows: {value!r} (use ISO 639-1 such as 'id', 'ru')"


#: codes CLDR names that the table writes as another: Filipino is the standard form of Tagalog,
#: and py3langid answers ``tl`` for it
_SAME_AS = {"fil": "tl"}
#: the languages whose own name (``Bahasa Indonesia``, ``Tiếng Việt``, ``русский``) is read as
#: the language: the lexicon's and the commonest in news. Each costs loading its CLDR locale
#: (~5 ms); a name in English is looked up among every language CLDR names, in one table.
_OWN_NAMES = ("en", "id", "ms", "vi", "ru", "th", "zh", "fr", "es", "de", "pt", "it", "nl",
              "ar", "ja", "ko", "hi", "tr")  # fmt: skip


def _named(name: str) -> str | None:
    """The code of the language ``name`` names in English (``Indonesian``) or in its own
    language (``Bahasa Indonesia``, ``Melayu``, ``Tiếng Việt``), in any case; None if none."""
    from babel import Locale  # error path only: see the module docstring

    wanted = unicodedata.normalize("NFC", " ".join(name.split())).casefold()
    wanted = wanted.removeprefix("bahasa ")  # Bahasa Indonesia, Bahasa Melayu: "language"
    english = {n.casefold(): _SAME_AS.get(c, c) for c, n in Locale("en").languages.items()}
    if english.get(wanted) in LANGUAGE_CODES:
        return english[wanted]
    own = ((code, Locale(code).get_language_name()) for code in _OWN_NAMES)
    return next((code for code, n in own if (n or "").casefold() == wanted), None)
