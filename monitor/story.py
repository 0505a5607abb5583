"""Stories: near-duplicate articles (a wire story on several sites) grouped by MinHash.

Owns: the fingerprint of an article's text (a 64-value MinHash of its word 3-shingles, after
NFKC and case folding), its band keys (locality-sensitive hashing: the store indexes them, so
finding the candidate copies of an article is one indexed look-up, not a scan of every recent
fingerprint), the estimated resemblance above which two articles are one story, and picking the
story a new article joins. Pure: no I/O; the store keeps fingerprints, band keys and story ids.
Does not own: canonical identity of URLs (``monitor.identity``: the same link is the same
article before any text is read), nor what a story changes in notifying (the store's unique
index on story and topic does that).

Why MinHash and these numbers (``benchmarks/story_bench.py``, 1,500 corpus texts in five
languages): a 64-bit SimHash of the same shingles missed 81% of lightly edited copies at the
distance where it began to group different stories; MinHash estimates the share of shingles two
texts have in common (Jaccard), which is near 0 for different stories and well above 0.3 for a
copy with a new lead, a dropped paragraph and a few words changed.

Why 32 bands of 2 values: two texts share a band (and so become candidates) with probability
1 - (1 - s^2)^32 for a resemblance s: 95% at the threshold 0.3, 99.6% at 0.4, while texts of
different stories (s near 0.01) are candidates 0.3% of the time. Every candidate is then checked
against the threshold, so bands only decide which fingerprints are compared, never the verdict.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

import numpy as np

#: estimated Jaccard resemblance at or above which two texts are one story
SAME_STORY = 0.3
#: texts shorter than this (in words) get no fingerprint: a teaser is not evidence of a story
MIN_WORDS = 50
PERMUTATIONS = 64
#: locality-sensitive hashing: the MinHash cut into this many bands of ``PERMUTATIONS // BANDS``
BANDS = 32
_SHINGLE = 3
_PRIME = (1 << 61) - 1
_WORD = re.compile(r"\w+")
_SEED = b"news-monitor minhash 1"


def _constant(kind: bytes, index: int, low: int) -> int:
    """A fixed pseudo-random integer in [low, _PRIME): BLAKE2b of the seed, the kind and index.

    Not numpy's generator: its stream is promised for one numpy build only, and fingerprints
    stored today must compare with those computed after an upgrade.
    """
    digest = hashlib.blake2b(_SEED + kind + index.to_bytes(4, "big"), digest_size=8).digest()
    return low + int.from_bytes(digest, "big") % (_PRIME - low)


_A = np.array([_constant(b"a", i, 1) for i in range(PERMUTATIONS)], dtype=np.uint64)
_B = np.array([_constant(b"b", i, 0) for i in range(PERMUTATIONS)], dtype=np.uint64)


def fingerprint(text: str) -> bytes | None:
    """The MinHash of ``text`` (``PERMUTATIONS`` 32-bit values); None for a text too short."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < MIN_WORDS:
        return None
    shingles = {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}
    hashes = np.fromiter((_hash32(s) for s in shingles), dtype=np.uint64, count=len(shingles))
    # (a*h + b) mod p with h < 2^32 and a, b < 2^61 would overflow 64 bits: take a, b mod 2^29
    mixed = (hashes[:, None] * (_A[None, :] >> np.uint64(32)) + _B[None, :]) % np.uint64(_PRIME)
    return (mixed.min(axis=0) & np.uint64(0xFFFFFFFF)).astype(">u4").tobytes()


def _hash32(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode(), digest_size=4).digest(), "big")


def band_keys(print_: bytes) -> tuple[int, ...]:
    """One key per band of the fingerprint: two texts with a band in common share its key.
    Signed 64-bit integers (what a database's BIGINT holds), with the band's number hashed in."""
    size = len(print_) // BANDS
    return tuple(
        int.from_bytes(
            hashlib.blake2b(
                print_[i * size : (i + 1) * size], digest_size=8, salt=bytes([i])
            ).digest(),
            "big",
            signed=True,
        )
        for i in range(BANDS)
    )


def resemblance(a: bytes, b: bytes) -> float:
    """The estimated Jaccard resemblance of the two texts (share of equal MinHash values)."""
    if len(a) != len(b) or not a:
        return 0.0
    return float(np.mean(np.frombuffer(a, ">u4") == np.frombuffer(b, ">u4")))


def story_for(
    print_: bytes | None, source_id: str, known: Iterable[tuple[str, str, bytes]]
) -> str | None:
    """The story of the most resembling article of *another* source, at or above ``SAME_STORY``.

    ``known`` holds (story id, source id, fingerprint): the candidates that share a band with
    ``print_`` (``band_keys``), or any others. An outlet's own articles never group:
    its pages share boilerplate that extraction may leave in (in the corpus, 93% of the
    different-story pairs above the threshold came from one outlet), and an outlet does not
    syndicate to itself.
    """
    if print_ is None:
        return None
    best: tuple[float, str] | None = None
    for story_id, other_source, other in known:
        if other_source == source_id:
            continue
        score = resemblance(print_, other)
        if score >= SAME_STORY and (best is None or score > best[0]):
            best = (score, story_id)
    return best[1] if best else None
