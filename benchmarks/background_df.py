"""Build ``monitor/data/background_df.tsv``: in how many news texts of each language a word occurs.

    .venv/bin/python benchmarks/background_df.py [--min-df 3]

Reads the corpus texts (``/work/shared/corpus/texts/news_pool.jsonl`` and
``news_pool_extra.jsonl``: en, id, ms, vi, ru news) and counts, per language and over all of
them (``*``), the documents (title + text) each word occurs in, in its ``exact`` form
(``monitor.match.text``). The matcher reads it to tell a common word (``drug``, ``fire``) from a
rare name (``Jemaah Islamiyah``); see ``monitor.match.specificity``. Words in fewer than
``--min-df`` documents are left out: the matcher treats an unlisted word as rare. No labels are
read, only texts, so the file holds no judgment.

Format, one line each: ``#docs<TAB>lang<TAB>N`` (documents per language), then
``lang<TAB>word<TAB>df`` sorted by language and word.
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from monitor.match.text import words

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path("/work/shared/corpus/texts")
FILES = ("news_pool.jsonl", "news_pool_extra.jsonl")
OUTPUT = ROOT / "monitor" / "data" / "background_df.tsv"
ALL = "*"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--min-df", type=int, default=3)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    docs: collections.Counter[str] = collections.Counter()
    df: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for name in FILES:
        # split on "\n" only: JSON strings may hold U+2028, which splitlines() would cut at
        for line in (args.corpus / name).read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            article = json.loads(line)
            lang = article.get("lang") or "?"
            vocabulary = set(words(article.get("title", "") + "\n" + article["text"]).exact)
            for key in (lang, ALL):
                docs[key] += 1
                df[key].update(vocabulary)
    lines = [f"#docs\t{lang}\t{n}" for lang, n in sorted(docs.items()) if n >= 100]
    for lang in sorted(lang for lang in df if docs[lang] >= 100):
        lines += [
            f"{lang}\t{word}\t{n}"
            for word, n in sorted(df[lang].items())
            if n >= args.min_df and "\t" not in word
        ]
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(lines)} lines, {dict(docs)}")


if __name__ == "__main__":
    main()
