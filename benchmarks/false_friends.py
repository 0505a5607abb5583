"""The lexicon's false friends, found on real text: forms that fire on words meaning otherwise.

    .venv/bin/python benchmarks/false_friends.py [--corpus FILE ...] [--langs en,id,ms,vi,ru]
                                                 [--top 40] [--prefixes]

For each language of the corpus's texts, every one-word lexicon form of another language that
would count there (no ``own_language`` guard keeping it to its own texts) and matches words of
those texts that none of its entry's forms in that language matches: German ``Import*`` on
English ``important``, Malay ``pasukan`` (a team) on Indonesian ``pasukan`` (troops). Words
are read and compared as the matcher does (``monitor.match.text.words``: a form without
diacritics compares folded, but for one word in a Vietnamese text). A row is a candidate to
read, not a verdict: a Malay word in an Indonesian text often means the same (``cedera``,
injured). ``--prefixes`` lists instead, for each prefix form of a text language, the words of
its texts it matches (``protest*``: Protestant).

What the lexicon's ``own-language``, ``foreign-word`` and ``foreign-name`` guards were set from
(CHANGELOG, 2026-12-06); run it again after adding forms.
"""

from __future__ import annotations

import argparse
import bisect
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from monitor.match import default_lexicon
from monitor.match.lexicon import Lexicon, Variant
from monitor.match.query import Pattern
from monitor.match.text import words

CORPUS = (
    Path("/work/shared/corpus/texts/news_pool.jsonl"),
    Path("/work/shared/corpus/texts/news_pool_extra.jsonl"),
)


class Vocabulary:
    """The words of one language's texts, in both forms the matcher compares, with counts."""

    def __init__(self, texts: Iterable[str], lang: str) -> None:
        self.exact: Counter[str] = Counter()
        self.folded: Counter[str] = Counter()
        for text in texts:
            found = words(text)
            self.exact.update(found.exact)
            self.folded.update(found.folded)
        self._lang = lang
        self._sorted = {False: sorted(self.exact), True: sorted(self.folded)}

    def matches(self, pattern: Pattern) -> dict[str, int]:
        """The words ``pattern`` (one word or a prefix) fits, with their counts."""
        folded = pattern.folded and self._lang != "vi"  # ``_view.View.single_as_written``
        counts = self.folded if folded else self.exact
        if pattern.kind == "word":
            return {pattern.text: counts[pattern.text]} if pattern.text in counts else {}
        ordered = self._sorted[folded]
        found = {}
        for word in ordered[bisect.bisect_left(ordered, pattern.text) :]:
            if not word.startswith(pattern.text):
                break
            found[word] = counts[word]
        return found


def read_texts(paths: Iterable[Path], langs: set[str]) -> dict[str, list[str]]:
    """Headline and body of each text, per language (those in ``langs``)."""
    texts: dict[str, list[str]] = {lang: [] for lang in langs}
    for path in paths:
        # split at newlines only: a text may hold U+2028, which splitlines() also cuts at
        for line in filter(None, path.read_text(encoding="utf-8").split("\n")):
            item = json.loads(line)
            if item.get("lang") in texts:
                texts[item["lang"]].append(f"{item.get('title', '')}\n{item.get('text', '')}")
    return texts


def one_word(variants: Iterable[Variant]) -> Iterator[Variant]:
    """The one-word forms (words and prefixes)."""
    return (
        v for v in variants if len(v.term.patterns) == 1 and v.term.patterns[0].kind != "substring"
    )


def foreign(lexicon: Lexicon, vocabulary: Vocabulary, lang: str) -> list[tuple[int, str, str]]:
    """(count, entry, line) for forms of other languages that fire on words of ``lang`` texts
    that the entry's own ``lang`` forms leave alone."""
    rows = []
    for entry in lexicon.concepts:
        variants = lexicon.variants(entry)
        own: set[str] = set()
        for variant in one_word(variants):
            if variant.form.lang in (lang, ""):
                own |= vocabulary.matches(variant.term.patterns[0]).keys()
        for variant in one_word(variants):
            langs = variant.term.langs
            if variant.form.lang in (lang, "") or (langs and lang not in langs):
                continue
            extra = {w: n for w, n in vocabulary.matches(variant.term.patterns[0]).items()
                     if w not in own}  # fmt: skip
            if extra:
                rows.append((sum(extra.values()), entry, _line(variant, extra)))
    return sorted(rows, reverse=True)


def prefixes(lexicon: Lexicon, vocabulary: Vocabulary, lang: str) -> list[tuple[int, str, str]]:
    """(count, entry, line) for each prefix form of ``lang`` matching two words or more."""
    rows = []
    for entry in lexicon.concepts:
        for variant in one_word(lexicon.variants(entry)):
            pattern = variant.term.patterns[0]
            if variant.form.lang == lang and pattern.kind == "prefix":
                found = vocabulary.matches(pattern)
                if len(found) > 1:
                    rows.append((sum(found.values()), entry, _line(variant, found)))
    return sorted(rows, reverse=True)


def _line(variant: Variant, found: dict[str, int]) -> str:
    guard = f" ({variant.term.guard.name})" if variant.term.guard else ""
    top = sorted(found.items(), key=lambda item: -item[1])[:10]
    return f"{variant.form.text} [{variant.form.lang}]{guard}: " + ", ".join(
        f"{word} {count}" for word, count in top
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append", help="JSON Lines texts")
    parser.add_argument("--langs", default="en,id,ms,vi,ru", help="text languages to read")
    parser.add_argument("--top", type=int, default=40, help="rows per language")
    parser.add_argument("--prefixes", action="store_true", help="list prefix forms instead")
    args = parser.parse_args()
    langs = [lang for lang in args.langs.split(",") if lang]
    texts = read_texts(args.corpus or CORPUS, set(langs))
    lexicon = default_lexicon()
    report = prefixes if args.prefixes else foreign
    for lang in langs:
        print(f"== {lang} texts ({len(texts[lang])})")
        for count, entry, line in report(lexicon, Vocabulary(texts[lang], lang), lang)[: args.top]:
            print(f"{count:6}  {entry:28}  {line}")
        print()


if __name__ == "__main__":
    main()
