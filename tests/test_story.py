"""Tests of monitor.story: syndicated copies are one story, different stories are not."""

from __future__ import annotations

from monitor.story import BANDS, SAME_STORY, band_keys, fingerprint, resemblance, story_for
from tests.pages import SEED_PARAGRAPHS

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


def test_minhash_constants_and_a_fingerprint_are_fixed_values() -> None:
    """BLAKE2b-derived constants: the same on every platform and numpy release (stored
    fingerprints keep comparing after an upgrade)."""
    from monitor.story import _A, _B

    assert [int(a) for a in _A[:3]] == [
        1835473401120061070,
        933151660980272776,
        1878916267218161398,
    ]
    assert [int(b) for b in _B[:3]] == [73547603044711752, 83300265901262449, 1545355939118541341]
    print_ = fingerprint(" ".join(f"word{i}" for i in range(60)))
    assert print_ is not None and len(print_) == 256
    assert print_[:16].hex() == "8ea3f5a43266a7adb2374f43be4866d4"
