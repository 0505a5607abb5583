"""The language of an article: offline identification (py3langid), checked against the page.

Owns: combining what the text looks like (py3langid's naive Bayes model, shipped inside the
package: nothing is downloaded) with what the page declares (``<html lang>``) and what the source's
configuration hints. Indonesian and Malay are close relatives that a character n-gram model
confuses on short texts, so between those two the page's word (or the source's) wins.
Does not own: reading the declaration (``_meta``).

The model is loaded once per process, on first use (about 0.2 s; workers keep it).
"""

from __future__ import annotations

import functools

from py3langid.langid import MODEL_FILE, LanguageIdentifier

#: pairs a character model confuses; between them a declaration decides
RELATIVES = ({"id", "ms"},)
#: below this many letters the text says too little to overrule a declaration
SHORT_TEXT = 200
#: py3langid's normalised probability above which the text overrules the page
CONFIDENT = 0.95
#: below this probability a short text that declares nothing keeps its language unknown (every
#: form counts) rather than take a guess: "Polisi sita 5 kg sabu" looks Tagalog (0.13), and a
#: wrong language is worse than none (forms kept to their own language stop counting)
SHORT_SURE = 0.5
#: letters read to tell the language: enough for a clear answer, cheap (measured on AEB)
_SAMPLE = 1200
#: the languages the shipped lexicon writes forms in (``monitor.match.lexicon_files.LANGUAGES``)
LEXICON_LANGUAGES = ("en", "id", "ms", "vi", "th", "ru", "zh", "fr", "es", "de", "pt", "it")
#: py3langid's probability, among ``LEXICON_LANGUAGES`` only, from which a listing's headline
#: and summary are taken to be in a language. Measured on the corpus's 6,633 texts (headline and
#: the first 300 letters): 4,759 right, 1 wrong, 1,873 left unknown (mostly Indonesian against
#: Malay); at 0.5, 96 wrong; unrestricted, English headlines read as Nigerian Pidgin or Zulu
LISTING_SURE = 0.9


@functools.cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@functools.cache
def _lexicon_identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(LEXICON_LANGUAGES)
    return identifier


def identify(text: str) -> tuple[str, float]:
    """py3langid's best language for ``text`` and its probability."""
    language, probability = _identifier().classify(text[:_SAMPLE])
    return str(language), float(probability)


def choose_language(text: str, declared: str | None, hint: str | None) -> str | None:
    """The article's language: ``declared`` is the page's, ``hint`` the source's setting."""
    said = declared or hint
    if len(text) < SHORT_TEXT:
        return said or _short_guess(text)
    detected, probability = identify(text)
    if said is None:
        return detected
    if detected == said:
        return said
    for family in RELATIVES:
        if detected in family:
            # the page's own word first, then the source's, when either names a relative
            for word in (declared, hint):
                if word in family:
                    return word
    return detected if probability >= CONFIDENT else said


def listing_language(text: str) -> str | None:
    """The language of an item known only from its listing (headline and summary), when the
    model is sure among the lexicon's languages; None else, so that every form counts. A
    wrong language costs more than none: the forms kept to the right one stop counting."""
    if not text.strip():
        return None
    language, probability = _lexicon_identifier().classify(text[:_SAMPLE])
    return str(language) if probability >= LISTING_SURE else None


def _short_guess(text: str) -> str | None:
    """The language of a short text that declares none, when py3langid is fairly sure."""
    if not text.strip():
        return None
    language, probability = identify(text)
    return language if probability >= SHORT_SURE else None
