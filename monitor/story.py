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

Why 64 independent hashes: value i is the least, over the shingles, of splitmix64(BLAKE2b-64 of
the shingle XOR mask i), keeping its low 32 bits. Each value is then a min-wise hash of its own,
so the share of equal values estimates the resemblance s with a standard deviation of
sqrt(s(1 - s)/64): on the benchmark's edited copies the mean error is 0.040, no different-outlet
pair of the 1,500 texts reaches 0.3 and 0.2% of the copies fall under it. The hash this replaced,
(a*h + b) mod 2^61-1 with a < 2^29 and h < 2^32, never wrapped for about half the values: they
kept the order of h and all took the same shingle, so one phrase in common gave 0.55 (48 pairs
grouped, 47 of them under 0.1 exact; copies missed 2.1%, mean error 0.18; migration 0011).

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
_WORD = re.compile(r"\w+")
_SEED = b"news-monitor minhash 2"
_LOW32 = np.uint64(0xFFFFFFFF)
# splitmix64's finalizer (Steele, Lea and Flood 2014): shifts and multipliers
_SHIFTS = (np.uint64(30), np.uint64(27), np.uint64(31))
_MULTIPLIERS = (np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB))


def _constant(kind: bytes, index: int) -> int:
    """A fixed pseudo-random 64-bit integer: BLAKE2b of the seed, the kind and the index.

    Not numpy's generator: its stream is promised for one numpy build only, and fingerprints
    stored today must compare with those computed after an upgrade.
    """
    digest = hashlib.blake2b(_SEED + kind + index.to_bytes(4, "big"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


#: one mask per MinHash value: value i hashes a shingle as mix(BLAKE2b(shingle) XOR mask i)
_MASKS = np.array([_constant(b"mask", i) for i in range(PERMUTATIONS)], dtype=np.uint64)


def fingerprint(text: str) -> bytes | None:
    """The MinHash of ``text`` (``PERMUTATIONS`` 32-bit values); None for a text too short."""
    found = shingles(text)
    if found is None:
        return None
    digests = b"".join(_hash64(s) for s in found)
    hashes = np.frombuffer(digests, dtype=">u8").astype(np.uint64)
    values = _mixed(hashes[:, None] ^ _MASKS[None, :])
    # the minimum's low 32 bits: two minima of different shingles are equal once in 2^32
    return (values.min(axis=0) & _LOW32).astype(">u4").tobytes()


def shingles(text: str) -> set[str] | None:
    """The word 3-shingles of ``text`` (after NFKC and case folding), whose Jaccard resemblance
    a fingerprint estimates; None for a text shorter than ``MIN_WORDS`` words."""
    words = _WORD.findall(unicodedata.normalize("NFKC", text).casefold())
    if len(words) < MIN_WORDS:
        return None
    return {" ".join(words[i : i + _SHINGLE]) for i in range(len(words) - _SHINGLE + 1)}


def _hash64(shingle: str) -> bytes:
    return hashlib.blake2b(shingle.encode(), digest_size=8).digest()


def _mixed(values: np.ndarray) -> np.ndarray:
    """splitmix64's finalizer on every value: a bijection in which each output bit depends on
    each input bit, so the 64 masked copies of the shingles' hashes are ordered independently.
    XOR alone is not enough: which of two masked hashes is smaller depends on one bit of the mask
    (the highest bit where the hashes differ), so the 64 minima would come from a few shingles.
    uint64 arithmetic wraps modulo 2^64 on every platform and numpy release."""
    values = (values ^ (values >> _SHIFTS[0])) * _MULTIPLIERS[0]
    values = (values ^ (values >> _SHIFTS[1])) * _MULTIPLIERS[1]
    return values ^ (values >> _SHIFTS[2])


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
