"""Precision patterns found by reading held-out false positives (benchmarks/judged), as data.

Each row is a general rule, not a topic: the rows use several languages and invented headlines.
"""

from __future__ import annotations

import pytest

from monitor.match import Matcher
from monitor.types import Document, Topic


def matches(query: str, title: str, text: str = "", expand: bool = False) -> bool:
    topic = Topic(id="t", name="t", query=query, threshold=0.0, expand=expand)
    return bool(Matcher([topic]).match(Document(id="d", title=title, text=text)))


# A short word written in capitals is an acronym: it matches only in capitals. Pati is a town
# in Java and "pati" starch (PATI: illegal immigrants in Malay); "tka" in lower case is no acronym.
ACRONYMS: list[tuple[str, str, bool]] = [
    ("PATI", "Aktivis AMPB Pati ditahan polisi", False),
    ("PATI", "Industri halal, pati ubi kayu jadi fokus", False),
    ("PATI", "224 PATI ditahan dalam operasi Imigresen", True),
    ("TKA", "Siswa kerjakan soal tes kemampuan akademik tka", False),
    ("TKA", "TKA asal China dipulangkan Imigrasi", True),
    ("ЦИК", "Цик цик — так звучит птица", False),
    ("ЦИК", "ЦИК подвел итоги выборов", True),
    ("KPU", "KPU tetapkan hasil rekapitulasi suara", True),
    ("H5N1", "Virus H5N1 terdeteksi di peternakan", True),
    # mixed or lower case, prefixes and phrases keep matching in any case
    ("Covid*", "COVID-19 cases rise again", True),
    ("COVID*", "Covid-19 cases rise again", True),
    ("pemilu", "PEMILU 2024 DIGELAR HARI INI", True),
    ('"TKA asing"', "Tka asing dipulangkan", True),
    # longer words in capitals are words, not acronyms
    ("ELECTION", "Election day in Ghana", True),
]


@pytest.mark.parametrize(("query", "title", "expected"), ACRONYMS)
def test_an_acronym_in_capitals_matches_only_in_capitals(
    query: str, title: str, expected: bool
) -> None:
    assert matches(query, title) is expected


def score(query: str, title: str, text: str = "") -> float:
    topic = Topic(id="t", name="t", query=query, threshold=0.0, expand=False)
    return Matcher([topic]).scores(Document(id="d", title=title, text=text)).get("t", 0.0)


_FILLER = " ".join(["The minister spoke about budgets and schools for the coming year."] * 20)

# An ANDed branch inside an OR is scored as an AND: each side must carry weight. A strong side
# with the other side in passing deep in the body scores below the same sides close together.
BRANCHES: list[tuple[str, str, str, str, str]] = [
    # (query, title, body where the AND is balanced, title, body where one side is a passing word)
    (
        '"illegal fishing" OR (piracy AND (ship OR vessel))',
        "Pirates attack a ship off Somalia",
        "Piracy returned as a vessel was boarded.",
        "The sea and the nation",
        f"The sea is wide. {_FILLER} Piracy was mentioned once.",
    ),
    (
        "pemilu OR (vote AND count)",
        "Vote count begins",
        "The count of the vote began at dawn.",
        "Count on us",
        f"Count on us, he said. {_FILLER} He did not vote.",
    ),
]


@pytest.mark.parametrize(("query", "title", "text", "weak_title", "weak_text"), BRANCHES)
def test_an_anded_branch_needs_both_sides(
    query: str, title: str, text: str, weak_title: str, weak_text: str
) -> None:
    assert score(query, title, text) > score(query, weak_title, weak_text)
    # the branch scores as the same AND would on its own
    branch = query.split(" OR ", 1)[1][1:-1]
    assert score(query, weak_title, weak_text) == pytest.approx(
        score(branch, weak_title, weak_text)
    )


def test_plain_alternatives_still_add_up() -> None:
    one = score("flood OR banjir OR typhoon", "News", "A flood hit the town.")
    two = score("flood OR banjir OR typhoon", "News", "A flood hit the town. Banjir di kota.")
    assert two > one


def expanded_matches(query: str, title: str, lang: str | None) -> bool:
    topic = Topic(id="t", name="t", query=query, threshold=0.0)
    return bool(Matcher([topic]).match(Document(id="d", title=title, text="", lang=lang)))


# A lexicon acronym stands for words of its own language: PMI (id: pekerja migran Indonesia) is
# a business index in English texts, PATI (ms: illegal immigrants) means nothing in Indonesian.
LEXICON_ACRONYMS: list[tuple[str, str, str | None, bool]] = [
    ('"migrant worker*"', "PMI ilegal dipulangkan dari Malaysia", "id", True),
    ('"migrant worker*"', "Manufacturing PMI falls to 48.5 in June", "en", False),
    ('"migrant worker*"', "PMI ilegal dipulangkan dari Malaysia", None, True),
    ('"illegal immigrant*"', "224 PATI ditahan dalam operasi", "ms", True),
    ('"illegal immigrant*"', "224 PATI ditahan dalam operasi", "id", False),
    # forms that are not acronyms match in every language as before
    ('"migrant worker*"', "Pekerja migran dipulangkan", "ms", True),
]


@pytest.mark.parametrize(("query", "title", "lang", "expected"), LEXICON_ACRONYMS)
def test_a_lexicon_acronym_matches_in_its_own_language(
    query: str, title: str, lang: str | None, expected: bool
) -> None:
    assert expanded_matches(query, title, lang) is expected
