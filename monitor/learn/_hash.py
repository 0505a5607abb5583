"""Stateless token hashing into a fixed number of columns (a saved model needs no vocabulary).

Owns: the hash (scikit-learn's signed 32-bit murmurhash3, the one ``FeatureHasher`` uses)
and turning token lists into an l2-normalised sparse count matrix.
Does not own: which tokens a document has (``features``).
"""

from __future__ import annotations

from collections.abc import Sequence


def bucket(token: str, bits: int) -> int:
    """The column of ``token`` in a block of ``2**bits`` columns."""
    from sklearn.utils import murmurhash3_32

    # as FeatureHasher does: the absolute value of the signed hash, modulo the width
    return abs(int(murmurhash3_32(token, seed=0))) % (1 << bits)


def hashed(token_lists: Sequence[Sequence[str]], bits: int):  # -> scipy.sparse.csr_matrix
    """Counts of each row's tokens in ``2**bits`` columns, each row scaled to unit length."""
    from sklearn.feature_extraction import FeatureHasher
    from sklearn.preprocessing import normalize

    hasher = FeatureHasher(n_features=1 << bits, input_type="string", alternate_sign=False)
    return normalize(hasher.transform(token_lists), norm="l2")
