"""How well MinHash groups syndicated copies and keeps different stories apart.

    .venv/bin/python benchmarks/story_bench.py [/work/shared/corpus/texts/news_pool.jsonl] [N]

Different stories: all pairs of different outlets among N corpus texts (en, id, vi, ms, ru); we
count pairs at or above each estimated resemblance (false groupings), and check each pair grouped
at ``SAME_STORY`` against the exact Jaccard resemblance of its shingles (a pair under 0.1 is two
stories the MinHash took for one). Copies: each text lightly edited the way syndication edits wire
copy (a new dateline and lead sentence, the last paragraph dropped, ~3% of words replaced) and its
resemblance to the original (missed groupings), with the mean error of the estimate against the
exact resemblance. Prints both beside ``SAME_STORY``, and the time per fingerprint (wall clock
and CPU: the CPU time is the one that does not move with the machine's load).
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

from monitor.story import SAME_STORY, fingerprint, resemblance, shingles

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


def exact(a: str, b: str) -> float:
    """The Jaccard resemblance of the two texts' shingles, which a fingerprint estimates."""
    first, second = shingles(a) or set(), shingles(b) or set()
    return len(first & second) / max(1, len(first | second))


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
    start, cpu = time.perf_counter(), time.process_time()
    prints = [fingerprint(t) for t in texts]
    per = (time.perf_counter() - start) / len(texts)
    per_cpu = (time.process_time() - cpu) / len(texts)
    kept = [t for t, p in zip(texts, prints, strict=True) if p is not None]
    values = [p for p in prints if p is not None]
    outlets = np.array([sources[t] for t, p in zip(texts, prints, strict=True) if p is not None])
    matrix = np.stack([np.frombuffer(v, ">u4") for v in values])
    apart: Counter[float] = Counter()
    grouped: list[tuple[int, int]] = []
    for i in range(len(values) - 1):
        # story_for never groups an outlet with itself: count pairs of different outlets only
        other = np.flatnonzero(outlets[i + 1 :] != outlets[i]) + i + 1
        shares = (matrix[other] == matrix[i]).mean(axis=1)
        apart.update(np.round(shares, 2).tolist())
        grouped += [(i, int(j)) for j in other[shares >= SAME_STORY]]
    unlike = sum(exact(kept[i], kept[j]) < 0.1 for i, j in grouped)
    copies: Counter[float] = Counter()
    errors = []
    for t, p in zip(texts, prints, strict=True):
        if p:
            copy = edited(t, rng)
            estimate = resemblance(p, fingerprint(copy) or b"")
            copies[round(estimate, 2)] += 1
            errors.append(abs(estimate - exact(t, copy)))
    pairs = sum(apart.values())
    print(f"{len(values)} texts, {pairs} pairs of different stories; "
          f"{per * 1000:.2f} ms/fingerprint ({per_cpu * 1000:.2f} ms of CPU)")  # fmt: skip
    print(f"grouped at SAME_STORY: {len(grouped)} pairs, {unlike} of them with an exact "
          f"resemblance under 0.1; copies: mean |estimated - exact| "
          f"{np.mean(errors):.3f}")  # fmt: skip
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
