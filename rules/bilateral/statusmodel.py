"""The trained status decision: held / scheduled / call / cancelled / none for one pair.

A multinomial logistic regression over hashed features (the grammar's view of the pair and
character n-grams of the masked sentence, ``pairfeatures``), trained by ``make train``
(``bench/train.py``, scikit-learn) and stored as plain float32 weights in
``rules/data/status-model.bin`` with a JSON header, so the detector needs no numerical
library at run time.

A meeting's confidence is the model's probability of its status, mapped through a monotone
calibration fitted on the training split's out-of-fold predictions (isotonic, one curve per
status): a confidence of 0.8 means that, of the meetings reported at 0.8, about four in five
have the right pair and status (``make eval`` reports the expected calibration error on the
splits the model never saw). The two thresholds (drop a report when p(none) reaches
``none_at``; report a meeting from ``min_confidence`` up) are chosen on the same out-of-fold
predictions and stored with the weights.
"""

from __future__ import annotations

import json
import math
import zlib
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.resources import files
from itertools import repeat

import numpy as np

from rules.bilateral.pairfeatures import MASKED

CLASSES = ("held", "scheduled", "call", "cancelled", "none")
_NGRAMS = (2, 3, 4)
# used when a model file predates stored thresholds
DEFAULT_NONE_AT = 0.7
DEFAULT_MIN_CONFIDENCE = 0.3
Curve = tuple[tuple[float, ...], tuple[float, ...]]  # increasing knots x -> y


# The sentence's character n-grams are hashed as vectors (a polynomial over code points,
# then a multiplicative mix): per token in Python, hashing was half the detector's time.
_PRIME = np.uint64(1099511628211)
_MIX = np.uint64(0x9E3779B97F4A7C15)
_SHIFT_A = np.uint64(33)
_SHIFT_B = np.uint64(29)


# The n-gram of length n at i hashes to n * P^n + c[i] * P^(n-1) + ... + c[i+n-1] (mod 2^64,
# the length is part of the key: "ab" != "ab "). Each length follows from the one before,
# h[n+1] = (h[n] + P^n) * P + c[i+n], and all are written into one array: numpy's cost per
# call, not per element, is what a sentence of a hundred characters pays.
_FIRST = np.uint64(_NGRAMS[0] * int(_PRIME))
_POWER = {n: np.uint64(pow(int(_PRIME), n, 1 << 64)) for n in _NGRAMS}


def _gram_buckets(text: str, buckets: int) -> np.ndarray:
    """The buckets of ``text``'s n-grams, in no particular order (callers count them)."""
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    size = len(cps)
    total = sum(max(0, size - n + 1) for n in _NGRAMS)
    if not total:
        return np.zeros(0, dtype=np.int64)
    h = np.empty(total, dtype=np.uint64)
    prev = h[: size - 1]  # bigrams: _NGRAMS is 2, 3, 4, each length one more than the last
    np.add(cps[:-1], _FIRST, out=prev)
    prev *= _PRIME
    prev += cps[1:]
    at = len(prev)
    for n in _NGRAMS[1:]:
        m = size - n + 1
        if m <= 0:
            break
        cur = h[at : at + m]
        np.add(prev[:m], _POWER[n - 1], out=cur)
        cur *= _PRIME
        cur += cps[n - 1 :]
        prev, at = cur, at + m
    h ^= h >> _SHIFT_A
    h *= _MIX
    h ^= h >> _SHIFT_B
    h %= np.uint64(buckets)
    return h.view(np.int64)  # the same numbers: a bucket is far below 2**63


# A word token "w:word" and a pair token "w2:word next" hash as crc32 of their UTF-8 bytes;
# crc32 continues from the crc of a prefix, so each is one C call over the word's own bytes
# (a pair's from its first word's "w2:word "), mapped over the sentence with no Python loop.
# A cache of the words' buckets missed on most words of a stream it had not seen: its
# misses built each token's string and cost more than this whole pass.
_W1 = zlib.crc32(b"w:")
_W2 = zlib.crc32(b"w2:")


def _word_buckets(text: str, buckets: int) -> np.ndarray:
    """``_bucket`` of each word's token ("w:word") and then of each two words' ("w2:word
    next")."""
    enc = [w.encode() for w in text.split()]
    crcs = list(map(zlib.crc32, enc, repeat(_W1)))
    if len(enc) > 1:
        heads = map(zlib.crc32, map(bytes.__add__, enc, repeat(b" ")), repeat(_W2))
        crcs += map(zlib.crc32, enc[1:], heads)
    out = np.array(crcs, dtype=np.int64)
    out %= buckets
    return out


@lru_cache(maxsize=1 << 16)
def _bucket(tok: str, buckets: int) -> int:
    # the grammar's features and most words recur from text to text: hash each once
    return zlib.crc32(tok.encode("utf-8")) % buckets


def vector(features: tuple[str, ...], buckets: int) -> tuple[np.ndarray, np.ndarray]:
    """(buckets, values) of one report, stable across runs and machines.

    The grammar's own features count 1 each; the sentence's n-grams and words share a unit
    norm between them, so a long sentence neither shouts down the grammar nor is shouted down.
    """
    own: list[int] = []
    grams: list[np.ndarray] = []
    for f in features:
        if f.startswith(MASKED):
            text = f" {f[len(MASKED) :]} "
            grams.append(_gram_buckets(text, buckets))
            grams.append(_word_buckets(text, buckets))
        else:
            own.append(_bucket(f, buckets))
    idx = np.array(own, dtype=np.int64)
    vals = np.ones(len(own))
    if grams:
        g_idx, g_cnt = _counted(np.concatenate(grams))
        if len(g_cnt):
            g_vals = g_cnt / math.sqrt(float(np.dot(g_cnt, g_cnt)))
            idx = np.concatenate((idx, g_idx))
            vals = np.concatenate((vals, g_vals))
    return idx, vals


def _counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_counts=True)``, sorting ``keys`` in place: the same arrays
    in half the time on a sentence's few hundred keys (no generic checks and wrappers)."""
    n = len(keys)
    if not n:
        return keys, np.zeros(0, dtype=np.intp)
    keys.sort()
    first = np.empty(n, dtype=bool)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = first.nonzero()[0]
    counts = np.empty_like(starts)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = n - starts[-1]
    return keys[starts], counts


@dataclass(frozen=True)
class StatusModel:
    classes: tuple[str, ...]
    buckets: int
    weights: array[float]  # len(classes) * buckets, class-major
    bias: tuple[float, ...]
    none_at: float = DEFAULT_NONE_AT
    min_confidence: float = DEFAULT_MIN_CONFIDENCE
    curves: tuple[tuple[str, Curve], ...] = ()  # per status; "*" for the pooled curve

    def calibrated(self, status: str, p: float) -> float:
        """The chance that a meeting reported with raw probability ``p`` is right."""
        curve = next((c for s, c in self.curves if s == status), None)
        if curve is None:
            curve = next((c for s, c in self.curves if s == "*"), None)
        return p if curve is None else interpolate(curve, p)

    @cached_property
    def _by_bucket(self) -> np.ndarray:
        """The weights bucket-major: a report's few hundred buckets are scattered over the
        matrix, and each one's classes then share a cache line instead of taking five.
        Widened to float64 once here (exactly: every float32 is a float64), not the
        gathered rows of every report."""
        matrix = np.frombuffer(self.weights, dtype=np.float32).reshape(len(self.classes), -1)
        return np.ascontiguousarray(matrix.T, dtype=np.float64)

    def probabilities(self, features: tuple[str, ...]) -> dict[str, float]:
        idx, vals = vector(features, self.buckets)
        # (classes, buckets) in Fortran order, as the product was always taken (a gather of
        # the class-major matrix's columns gave that): the same sums, bit for bit
        # ``take``: the same rows as ``[idx]`` without fancy indexing's generic path
        rows = self._by_bucket.take(idx, axis=0).T
        scores = rows @ vals
        # in place, and the maximum of five floats in Python: each step a few numpy calls
        # cost more than its arithmetic (the sum stays numpy's, whose order is its own)
        scores += self._bias
        scores -= max(scores.tolist())
        np.exp(scores, out=scores)
        scores /= scores.sum()
        return dict(zip(self.classes, scores.tolist(), strict=True))

    @cached_property
    def _bias(self) -> np.ndarray:
        return np.asarray(self.bias)


def interpolate(curve: Curve, p: float) -> float:
    xs, ys = curve
    if not xs:
        return p
    i = bisect_right(xs, p)
    if i == 0:
        return ys[0]
    if i == len(xs):
        return ys[-1]
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 if x1 == x0 else y0 + (y1 - y0) * (p - x0) / (x1 - x0)


def _data_path() -> str:
    return str(files("rules") / "data" / "status-model.bin")


@lru_cache(maxsize=1)
def status_model() -> StatusModel | None:
    """The shipped model, or None when none was trained (the grammar decides alone)."""
    try:
        with open(_data_path(), "rb") as fh:
            header = json.loads(fh.readline())
            weights = array("f")
            weights.frombytes(fh.read())
    except FileNotFoundError:
        return None
    curves = tuple(
        (status, (tuple(xs), tuple(ys))) for status, (xs, ys) in header.get("curves", {}).items()
    )
    model = StatusModel(
        tuple(header["classes"]),
        int(header["buckets"]),
        weights,
        tuple(header["bias"]),
        float(header.get("none_at", DEFAULT_NONE_AT)),
        float(header.get("min_confidence", DEFAULT_MIN_CONFIDENCE)),
        curves,
    )
    if len(weights) != len(model.classes) * model.buckets:
        raise ValueError(f"{_data_path()}: {len(weights)} weights, header says otherwise")
    return model


def write_model(
    path: str,
    classes: list[str],
    buckets: int,
    coef: list[list[float]],
    bias: list[float],
    meta: dict[str, object],
) -> None:
    """Store a trained model (used by ``make train``)."""
    header = {"classes": classes, "buckets": buckets, "bias": bias, **meta}
    weights = array("f", (w for row in coef for w in row))
    with open(path, "wb") as fh:
        fh.write(json.dumps(header).encode() + b"\n")
        fh.write(weights.tobytes())
