"""Language identification on corpus texts: py3langid alone, and with our page/source rules.

    .venv/bin/python benchmarks/language_bench.py [/work/shared/corpus/texts/news_pool.jsonl]

Each text's ``lang`` label (en, id, vi, ms, ru) is the truth. "alone" is py3langid's answer on
the first ``_SAMPLE`` letters; "with hint" gives ``choose_language`` the outlet's language as a
source hint (as a configured source would), the way the pipeline runs it. Prints accuracy per
language and texts per second.
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path

from monitor.extract._language import choose_language, identify

PATH = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/texts/news_pool.jsonl")


def main() -> None:
    records = [json.loads(line) for line in PATH.open(encoding="utf-8")]
    records = [r for r in records if r.get("lang") in {"en", "id", "vi", "ms", "ru"}]
    identify("warm up")
    total: Counter[str] = Counter()
    alone: Counter[str] = Counter()
    hinted: Counter[str] = Counter()
    start = time.perf_counter()
    for record in records:
        lang, text = record["lang"], f"{record.get('title', '')}\n{record['text']}"
        total[lang] += 1
        alone[lang] += identify(text)[0] == lang
        hinted[lang] += choose_language(text, None, lang) == lang
    speed = len(records) / (time.perf_counter() - start)
    print(f"{len(records)} texts; {speed:.0f} texts/s (both ways)")
    print(f"{'lang':5} {'texts':>6} {'alone':>7} {'with hint':>10}")
    for lang in sorted(total):
        n = total[lang]
        print(f"{lang:5} {n:6} {alone[lang] / n:7.1%} {hinted[lang] / n:10.1%}")


if __name__ == "__main__":
    main()
