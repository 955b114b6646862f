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
from functools import lru_cache
from importlib.resources import files
from itertools import pairwise

from rules.bilateral.pairfeatures import MASKED

CLASSES = ("held", "scheduled", "call", "cancelled", "none")
_NGRAMS = (2, 3, 4)
# used when a model file predates stored thresholds
DEFAULT_NONE_AT = 0.7
DEFAULT_MIN_CONFIDENCE = 0.3
Curve = tuple[tuple[float, ...], tuple[float, ...]]  # increasing knots x -> y


def _text_tokens(masked: str) -> list[str]:
    text = f" {masked} "
    out: list[str] = []
    for n in _NGRAMS:
        out.extend(f"n{n}:{text[i : i + n]}" for i in range(len(text) - n + 1))
    words = text.split()
    out.extend(f"w:{w}" for w in words)
    out.extend(f"w2:{x} {y}" for x, y in pairwise(words))
    return out


def _bucket(tok: str, buckets: int) -> int:
    return zlib.crc32(tok.encode("utf-8")) % buckets


def hashed(features: tuple[str, ...], buckets: int) -> dict[int, float]:
    """Bucket -> value for one report, hashed with CRC-32 (stable across runs and machines).

    The grammar's own features count 1 each; the sentence's n-grams share a unit norm
    between them, so a long sentence neither shouts down the grammar nor is shouted down.
    """
    counts: dict[int, float] = {}
    grams: dict[int, float] = {}
    for f in features:
        if f.startswith(MASKED):
            for tok in _text_tokens(f[len(MASKED) :]):
                h = _bucket(tok, buckets)
                grams[h] = grams.get(h, 0.0) + 1.0
        else:
            h = _bucket(f, buckets)
            counts[h] = counts.get(h, 0.0) + 1.0
    norm = math.sqrt(sum(v * v for v in grams.values())) or 1.0
    for h, v in grams.items():
        counts[h] = counts.get(h, 0.0) + v / norm
    return counts


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

    def probabilities(self, features: tuple[str, ...]) -> dict[str, float]:
        x = hashed(features, self.buckets)
        scores = []
        for ci, b in enumerate(self.bias):
            base = ci * self.buckets
            scores.append(b + sum(self.weights[base + k] * v for k, v in x.items()))
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}


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
