"""Tests of monitor.langtag: language tags to the primary subtag, real language codes only."""

from __future__ import annotations

import pytest

from monitor.langtag import LANGUAGE_CODES, code_for, language_error, primary_subtag


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en-US", "en"),
        ("pt_BR", "pt"),
        (" ID ", "id"),
        ("zh-Hant-TW", "zh"),
        ("yue-HK", "yue"),  # a three-letter code py3langid answers
        ("in", "id"),  # withdrawn from ISO 639, still written by Java
        ("iw-IL", "he"),
        # not language codes: a charset in Content-Language, BCP 47's special codes
        ("utf-8", None),
        ("UTF8", None),
        ("x-default", None),
        ("und", None),
        ("zxx", None),
        ("eng", None),  # ISO 639-2 for a language with a two-letter code: the text decides
        ("", None),
        (None, None),
    ],
)
def test_primary_subtag(tag: str | None, expected: str | None) -> None:
    """The primary subtag of a language tag, or None when it names no language."""
    assert expected == primary_subtag(tag)


def test_the_codes_are_cldrs() -> None:
    """Every accepted code is a language CLDR knows (some only as an alias: "tw" of "ak"), and
    every two-letter CLDR language is accepted (or mapped: the withdrawn codes, as CLDR maps
    them)."""
    from babel.core import get_global

    cldr = {key.split("_")[0] for key in get_global("likely_subtags")}
    aliases = get_global("language_aliases")
    assert set() == LANGUAGE_CODES - cldr - set(aliases)
    two_letter = {code for code in cldr if len(code) == 2}
    assert set() == {code for code in two_letter if primary_subtag(code) is None}
    for withdrawn in two_letter - LANGUAGE_CODES:
        assert aliases[withdrawn] == primary_subtag(withdrawn)


def test_every_language_py3langid_answers_is_accepted() -> None:
    """A page's declaration can agree with any language the text can be identified as."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    classes = set(LanguageIdentifier.from_model_file(MODEL_FILE).nb_classes) - {"zxx"}
    assert set() == classes - LANGUAGE_CODES


@pytest.mark.parametrize(
    ("code", "meant"),
    [("eng", "en"), ("deu", "de"), ("ger", "de"), ("ind", "id"), ("in", "id"), ("VI", "vi"),
     ("yue", "yue"), ("xyz", None), ("Indonesian", "id"), ("und", None), ("en-US", "en"),
     ("zh-TW", "zh"), ("pt_BR", "pt"), ("fil", "tl"), ("Filipino", "tl"), ("x-default", None),
     ("Bahasa Indonesia", "id")],
)  # fmt: skip
def test_code_for(code: str, meant: str | None) -> None:
    """The accepted code a person most likely means (an error suggests it)."""
    assert meant == code_for(code)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("id", None),
     ("indonesian", "not a language code the monitor knows: 'indonesian' (write 'id')"),
     ("zh-TW", "not a language code the monitor knows: 'zh-TW' (write 'zh')"),
     ("zz", "not a language code the monitor knows: 'zz' (use ISO 639-1 such as 'id', 'ru')")],
)  # fmt: skip
def test_language_error(value: str, expected: str | None) -> None:
    """The hint a config and the command line give for a value that is not a code."""
    assert expected == language_error(value)
