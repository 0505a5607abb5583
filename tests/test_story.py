"""Tests of monitor.story: syndicated copies are one story, different stories are not."""

from __future__ import annotations

import hashlib
import random

from monitor.story import (
    BANDS,
    SAME_STORY,
    band_keys,
    fingerprint,
    resemblance,
    shingles,
    story_for,
)
from tests.pages import DRILL_PARAGRAPHS, SEED_PARAGRAPHS, SHARED_SENTENCE

SEED_TEXT = "\n".join(SEED_PARAGRAPHS)
# the wire copy on another site: its own dateline and lead, a word changed, the last paragraph cut
COPY = "\n".join(
    [
        "JAKARTA, ANTARA - Kerja sama Rusia dan ASEAN terus diperkuat.",
        SEED_PARAGRAPHS[0].replace("REPUBLIKA.CO.ID, MOSKOW --", "MOSKOW (ANTARA) -"),
        *SEED_PARAGRAPHS[1:-1],
    ]
).replace("berkembang cepat", "berkembang pesat")
OTHER = (
    "Harga cabai rawit di pasar tradisional Jakarta naik tajam menjelang Natal dan Tahun Baru. "
    "Pedagang menyebut pasokan dari sentra produksi di Jawa Tengah berkurang karena hujan deras "
    "yang merusak tanaman, sementara permintaan rumah tangga dan rumah makan terus meningkat. "
    "Dinas Perdagangan DKI Jakarta berjanji memantau harga setiap hari dan menyiapkan operasi "
    "pasar bila kenaikan berlanjut hingga akhir Desember, kata kepala dinas kepada wartawan."
)


def test_copy_resembles_and_other_story_does_not() -> None:
    seed, copy, other = fingerprint(SEED_TEXT), fingerprint(COPY), fingerprint(OTHER)
    assert seed and copy and other
    assert resemblance(seed, copy) >= SAME_STORY
    assert resemblance(seed, other) < 0.1


def test_copy_joins_the_story_of_another_outlet_only() -> None:
    """A copy joins another source's story; an outlet's own articles never group."""
    seed, copy = fingerprint(SEED_TEXT), fingerprint(COPY)
    assert seed and copy
    known = [("story-1", "republika", seed)]
    assert story_for(copy, "antara", known) == "story-1"
    assert story_for(copy, "republika", known) is None
    assert story_for(fingerprint(OTHER), "antara", known) is None


def test_short_text_has_no_fingerprint() -> None:
    """A teaser is not evidence of a story."""
    assert fingerprint("Rusia-ASEAN Perbarui Kerja Sama Pemberantasan Terorisme") is None
    assert story_for(None, "antara", []) is None


def test_a_copy_shares_a_band_and_another_story_does_not() -> None:
    """Band keys are what the store indexes: a copy is found through them, another story not."""
    seed, copy, other = fingerprint(SEED_TEXT), fingerprint(COPY), fingerprint(OTHER)
    assert seed and copy and other
    assert len(band_keys(seed)) == BANDS
    assert set(band_keys(seed)) & set(band_keys(copy))
    assert not set(band_keys(seed)) & set(band_keys(other))
    assert band_keys(seed) == band_keys(fingerprint(SEED_TEXT) or b"")  # stable across runs


def exact(a: str, b: str) -> float:
    """The Jaccard resemblance of the two texts' shingles: what a fingerprint estimates."""
    first, second = shingles(a) or set(), shingles(b) or set()
    return len(first & second) / len(first | second)


def test_a_sentence_in_common_is_not_a_story() -> None:
    """Two different stories sharing one sentence resemble as little as their shingles do.
    QA: "Trump win propels bitcoin to all time high" and "How a second Trump presidency will
    impact Indonesian economy" were one story (estimated 0.55, exact 0.005): half the 64 values
    kept the order of one hash and all took the shingle it put first."""
    first, second = f"{SEED_TEXT}\n{SHARED_SENTENCE}", "\n".join(DRILL_PARAGRAPHS)
    one, two = fingerprint(first), fingerprint(second)
    assert one and two
    assert exact(first, second) < 0.05
    assert resemblance(one, two) < 0.1
    assert story_for(two, "antara", [("story-1", "republika", one)]) is None


def _edited(words: list[str], share: float, rng: random.Random, vocabulary: list[str]) -> str:
    return " ".join(rng.choice(vocabulary) if rng.random() < share else w for w in words)


def test_the_estimate_tracks_the_exact_resemblance() -> None:
    """On random texts edited to every degree (exact resemblance from 0 to 1), the estimate errs
    as 64 independent samples do (a standard deviation of at most 0.0625): 0.036 on average here,
    at most 0.18. Each of the 64 values is an independent min-wise hash; before, the mean error
    was 0.17 (half the values took the same shingle)."""
    rng = random.Random(11)
    vocabulary = [f"w{i}" for i in range(5000)]
    errors = []
    for _ in range(300):
        words = rng.choices(vocabulary, k=rng.randrange(60, 500))
        text, copy = " ".join(words), _edited(words, rng.uniform(0, 0.6), rng, vocabulary)
        estimate = resemblance(fingerprint(text) or b"", fingerprint(copy) or b"")
        errors.append(abs(estimate - exact(text, copy)))
    assert sum(errors) / len(errors) < 0.06
    assert max(errors) < 0.25


def test_minhash_constants_and_a_fingerprint_are_fixed_values() -> None:
    """BLAKE2b-derived constants and uint64 arithmetic: the same on every platform and numpy
    release (stored fingerprints keep comparing after an upgrade)."""
    from monitor.story import _MASKS

    assert [int(m) for m in _MASKS[:3]] == [
        10460766780683696913,
        117162715639370013,
        12859368380834122275,
    ]
    print_ = fingerprint(" ".join(f"word{i}" for i in range(60)))
    assert print_ is not None and len(print_) == 256
    assert print_[:16].hex() == "f3ed08acfc574ff98d76206966e78c51"


def _splitmix64(value: int) -> int:
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) % 2**64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) % 2**64
    return value ^ (value >> 31)


def test_a_fingerprint_is_the_minhash_written_out_in_python_integers() -> None:
    """What numpy computes is the documented hash: value i is the low 32 bits of the least
    splitmix64(BLAKE2b-64(shingle) XOR mask i) over the shingles."""
    from monitor.story import _MASKS

    hashes = [
        int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "big")
        for s in shingles(SEED_TEXT) or ()
    ]
    values = [min(_splitmix64(h ^ int(mask)) for h in hashes) % 2**32 for mask in _MASKS]
    assert fingerprint(SEED_TEXT) == b"".join(v.to_bytes(4, "big") for v in values)
