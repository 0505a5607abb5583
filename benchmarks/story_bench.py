"""How well MinHash groups syndicated copies and keeps different stories apart.

    .venv/bin/python benchmarks/story_bench.py [/work/shared/corpus/texts/news_pool.jsonl] [N]

Different stories: all pairs among N corpus texts (en, id, vi, ms, ru); we count pairs within each
distance (false groupings). Copies: each text lightly edited the way syndication edits wire copy
(a new dateline and lead sentence, the last paragraph dropped, ~3% of words replaced) and its
distance to the original (missed groupings). Prints both beside the chosen ``NEAR_BITS``, and the
time per fingerprint.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from monitor.story import SAME_STORY, fingerprint, resemblance

PATH = Path(sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus/texts/news_pool.jsonl")
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1500


def edited(text: str, rng: random.Random) -> str:
    paragraphs = [p for p in text.split("\n") if p.strip()] or [text]
    if len(paragraphs) > 2:
        paragraphs = paragraphs[:-1]
    words = " ".join(paragraphs).split()
    for _ in range(max(1, len(words) // 33)):
        words[rng.randrange(len(words))] = rng.choice(["kata", "word", "слово", "từ", "the"])
    return "JAKARTA (Wire) - Reported by our correspondent. " + " ".join(words)


def main() -> None:
    rng = random.Random(7)
    texts = []
    with PATH.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if len(record.get("text", "").split()) >= 80:
                texts.append((record["text"], record.get("source", "")))
    rng.shuffle(texts)
    sources = dict(texts[::-1])
    texts = list(dict.fromkeys(t for t, _ in texts))[:N]
    start = time.perf_counter()
    prints = [fingerprint(t) for t in texts]
    per = (time.perf_counter() - start) / len(texts)
    values = [p for p in prints if p is not None]
    outlets = np.array([sources[t] for t, p in zip(texts, prints, strict=True) if p is not None])
    matrix = np.stack([np.frombuffer(v, ">u4") for v in values])
    apart: Counter[float] = Counter()
    for i in range(len(values) - 1):
        # story_for never groups an outlet with itself: count pairs of different outlets only
        other = outlets[i + 1 :] != outlets[i]
        shares = (matrix[i + 1 :][other] == matrix[i]).mean(axis=1)
        apart.update(np.round(shares, 2).tolist())
    copies = Counter(
        round(resemblance(p, fingerprint(edited(t, rng)) or b""), 2)
        for t, p in zip(texts, prints, strict=True)
        if p
    )
    pairs = sum(apart.values())
    print(f"{len(values)} texts, {pairs} pairs of different stories; "
          f"{per * 1000:.2f} ms/fingerprint")  # fmt: skip
    print(f"threshold  different stories grouped (false)   copies missed (of {len(values)})")
    for step in range(1, 10):
        threshold = step / 10
        false = sum(n for d, n in apart.items() if d >= threshold)
        missed = sum(n for d, n in copies.items() if d < threshold)
        mark = "  <- SAME_STORY" if abs(threshold - SAME_STORY) < 1e-9 else ""
        print(f"{threshold:9.1f}  {false:10} ({false / pairs:.2e})          {missed:6} "
              f"({missed / len(values):.1%}){mark}")  # fmt: skip


if __name__ == "__main__":
    main()
