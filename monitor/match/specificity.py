"""How specific a word is: background document frequencies per language, as shipped data.

A rare name (``Jemaah Islamiyah``, ``Natuna``) says more about what a text is about than a
common word (``meeting``, ``police``, ``api``), so the scorer weighs each occurrence by the
specificity of the words that fired. Specificity comes from inverse document frequency over a
background of news texts: ``monitor/data/background_df.tsv`` (built by
``benchmarks/background_df.py`` from the corpus texts in en, id, ms, vi and ru; ``*`` pools every
language, for texts of another or unknown language). A word that is not listed occurs in fewer
than ``min_df`` background texts: it is rare.

Owns: reading the table and mapping a word (or a phrase) to a specificity in
[``SPEC_FLOOR``, 1]. Pure apart from ``background`` reading the shipped file once per process.
Does not own: how specificity enters the score (``scoring``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.errors import ConfigError

#: the shipped table
SHIPPED = Path(__file__).resolve().parent.parent / "data" / "background_df.tsv"
#: the pooled table's key: every language together
ALL = "*"
#: specificity of the most common words (``the``); occurrences never count for nothing
SPEC_FLOOR = 0.3
#: inverse document frequency (natural log) from which a word counts as fully specific:
#: 5.0 is a word in fewer than 1 text of 150
IDF_FULL = 5.0
#: each further word of a phrase makes it rarer than its rarest word by this much idf
PHRASE_BONUS = 1.0


@dataclass(frozen=True, slots=True)
class Background:
    """Inverse document frequencies per language (``*``: every language together)."""

    #: per language, ``ln(N / df)`` of each listed word (computed once, when read)
    idfs: Mapping[str, Mapping[str, float]]
    #: per language, the idf of a word that is not listed (rarer than any listed word)
    unlisted: Mapping[str, float]

    def idf(self, word: str, lang: str | None) -> float:
        """The idf of a word (``exact`` form) in a language (``*`` when not covered)."""
        key = lang if lang is not None and lang in self.idfs else ALL
        table = self.idfs.get(key)
        return IDF_FULL if table is None else table.get(word, self.unlisted[key])

    def share(self, word: str, lang: str | None) -> float:
        """The share of the language's background texts that hold ``word`` (an unlisted word:
        fewer than the rarest listed one; a background that knows no word: under 1%)."""
        return math.exp(-self.idf(word, lang))

    def specificity(self, phrase: Sequence[str], lang: str | None) -> float:
        """In [``SPEC_FLOOR``, 1]: how rare the phrase's words are (1: rare, a name)."""
        key = lang if lang is not None and lang in self.idfs else ALL
        table = self.idfs.get(key)
        if table is None or not phrase:
            return 1.0
        rare = self.unlisted[key]
        if len(phrase) == 1:  # the common case, kept cheap: this runs for every hit
            idf = table.get(phrase[0], rare)
        else:
            idf = max(table.get(word, rare) for word in phrase) + PHRASE_BONUS * (len(phrase) - 1)
        return SPEC_FLOOR + (1.0 - SPEC_FLOOR) * min(1.0, idf / IDF_FULL)


#: a background that knows no word: every word counts as fully specific (scores without it)
NEUTRAL = Background({}, {})


@functools.cache
def background() -> Background:
    """The shipped background table, read once per process."""
    return read_background(SHIPPED.read_text(encoding="utf-8").split("\n"), str(SHIPPED))


def read_background(lines: Iterable[str], name: str = "background") -> Background:
    """A table in ``benchmarks/background_df.py``'s format; ConfigError naming a bad line."""
    docs: dict[str, int] = {}
    df: dict[str, dict[str, int]] = {}
    least = None
    for number, line in enumerate(lines, 1):
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not fields[2].isdigit():
            raise ConfigError(f"{name}:{number}: expected three tab-separated fields")
        first, second, count = fields[0], fields[1], int(fields[2])
        if first == "#docs":
            docs[second] = count
        else:
            df.setdefault(first, {})[second] = count
            least = count if least is None else min(least, count)
    return _idfs(docs, df, least or 1)


def _idfs(docs: Mapping[str, int], df: Mapping[str, Mapping[str, int]], least: int) -> Background:
    """Idfs from counts; an unlisted word counts as in half as many texts as the rarest listed."""
    idfs, unlisted = {}, {}
    for lang, table in df.items():
        total = docs.get(lang, 0)
        if total:
            idfs[lang] = {word: math.log(total / min(n, total)) for word, n in table.items()}
            unlisted[lang] = math.log(total / (least / 2))
    return Background(idfs, unlisted)
