"""The trained status model: shipped, loadable, deterministic, and used the way the detector
documents (drop what is clearly no meeting, confidence = probability of the status)."""

from __future__ import annotations

from array import array
from dataclasses import replace
from itertools import pairwise

import numpy as np

from rules.bilateral.detector import Report, _decide, _merge, detect, read_document
from rules.bilateral.statusmodel import (
    _MIX,
    _NGRAMS,
    _PRIME,
    CLASSES,
    StatusModel,
    _bucket,
    _counted,
    _gram_buckets,
    _word_buckets,
    interpolate,
    status_model,
    vector,
)

TEXT = "External Affairs Minister S. Jaishankar met Chinese Foreign Minister Wang Yi in Astana."


def _report(status: str = "held") -> Report:
    return Report(
        pair=("CN", "IN"),
        status=status,  # type: ignore[arg-type]
        confidence=0.9,
        evidence=TEXT,
        officials=[],
        location=None,
        order=0,
        features=("g:held", "t:held", "m:⟨a⟩ met ⟨b⟩ in astana"),
    )


def _biased(towards: str, buckets: int = 64) -> StatusModel:
    """A model whose only opinion is its bias: the probabilities are easy to predict."""
    bias = tuple(4.0 if c == towards else 0.0 for c in CLASSES)
    return StatusModel(CLASSES, buckets, array("f", [0.0] * (len(CLASSES) * buckets)), bias)


def test_the_shipped_model_loads_and_gives_probabilities() -> None:
    model = status_model()
    assert model is not None and model.classes == CLASSES
    probs = model.probabilities(_report().features)
    assert set(probs) == set(CLASSES)
    assert abs(sum(probs.values()) - 1.0) < 1e-6
    assert probs["held"] > probs["call"]


def test_features_hash_the_same_way_every_time() -> None:
    feats = _report().features
    (idx, vals), (again, again_vals) = vector(feats, 1 << 16), vector(feats, 1 << 16)
    assert idx.tolist() == again.tolist() and vals.tolist() == again_vals.tolist()
    assert all(0 <= k < 1 << 16 for k in idx.tolist())


def _gram_bucket_by_definition(gram: str, buckets: int) -> int:
    """One n-gram's bucket as the model was trained: the length, then each code point,
    through the polynomial and the mix, all modulo 2**64."""
    wrap = (1 << 64) - 1
    h = len(gram)
    for ch in gram:
        h = (h * int(_PRIME) + ord(ch)) & wrap
    h ^= h >> 33
    h = (h * int(_MIX)) & wrap
    h ^= h >> 29
    return h % buckets


def test_the_vectorised_n_gram_hash_is_the_definition() -> None:
    for text in (" ⟨a⟩ met ⟨b⟩ in astana ", " 会谈 ", "ab", "a", "", " नरेंद्र मोदी 😀 "):
        for buckets in (1 << 16, 1000003):
            want = sorted(
                _gram_bucket_by_definition(text[i : i + n], buckets)
                for n in _NGRAMS
                for i in range(len(text) - n + 1)
            )
            assert sorted(_gram_buckets(text, buckets).tolist()) == want, text


def test_the_word_buckets_are_those_of_the_word_tokens() -> None:
    text = " ⟨a⟩ met ⟨b⟩ in astana and met ⟨b⟩ again "
    words = text.split()
    tokens = [f"w:{w}" for w in words] + [f"w2:{x} {y}" for x, y in pairwise(words)]
    for buckets in (1 << 16, 1000003):
        assert _word_buckets(text, buckets).tolist() == [_bucket(t, buckets) for t in tokens]
    assert _word_buckets(" ", 1 << 16).tolist() == []
    assert _word_buckets(" één ", 1 << 16).tolist() == [_bucket("w:één", 1 << 16)]


def test_counting_keys_gives_what_numpy_unique_gives() -> None:
    for keys in ([], [7], [3, 3, 3], [5, 1, 5, 9, 1, 5, 0], list(range(40, 0, -3)) * 2):
        want_keys, want_counts = np.unique(np.array(keys, dtype=np.int64), return_counts=True)
        got_keys, got_counts = _counted(np.array(keys, dtype=np.int64))
        assert got_keys.tolist() == want_keys.tolist()
        assert got_counts.tolist() == want_counts.tolist()
        assert got_counts.dtype == want_counts.dtype


def test_bucket_major_weights_give_the_class_major_product_bit_for_bit() -> None:
    rng = np.random.default_rng(5)
    buckets = 1 << 12
    weights = array("f", rng.normal(size=len(CLASSES) * buckets).astype(np.float32).tobytes())
    model = StatusModel(CLASSES, buckets, weights, tuple(rng.normal(size=len(CLASSES))))
    matrix = np.frombuffer(weights, dtype=np.float32).reshape(len(CLASSES), -1)
    for feats in (_report().features, ("g:call", "m:⟨a⟩ spoke with ⟨b⟩ by phone on monday")):
        idx, vals = vector(feats, buckets)
        scores = np.asarray(model.bias) + matrix[:, idx].astype(np.float64) @ vals
        exps = np.exp(scores - scores.max())
        assert list(model.probabilities(feats).values()) == (exps / exps.sum()).tolist()


def test_a_report_the_model_calls_no_meeting_is_dropped() -> None:
    model = _biased("none")
    assert model.probabilities(())["none"] >= model.none_at
    assert _decide([_report()], model) == []


def test_a_kept_report_carries_the_probability_of_its_own_status() -> None:
    model = _biased("held")
    (kept,) = _decide([_report("held")], model)
    assert kept.status == "held"
    assert abs(kept.confidence - model.probabilities(())["held"]) < 1e-9
    # the model never rewrites the grammar's status, only weighs it
    (call,) = _decide([_report("call")], model)
    assert call.status == "call" and call.confidence < 0.1


def test_the_detector_uses_the_model_unless_told_not_to() -> None:
    shipped = detect(TEXT)
    grammar = detect(TEXT, decide=False)
    assert [m.parties for m in shipped] == [m.parties for m in grammar] == [("CN", "IN")]
    assert shipped[0].confidence != grammar[0].confidence


def test_a_curve_maps_raw_probabilities_monotonically() -> None:
    curve = ((0.2, 0.5, 0.8), (0.1, 0.4, 0.9))
    assert interpolate(curve, 0.0) == 0.1  # clipped below the first knot
    assert interpolate(curve, 1.0) == 0.9  # and above the last
    assert abs(interpolate(curve, 0.35) - 0.25) < 1e-9


def test_a_status_without_its_own_curve_uses_the_pooled_one() -> None:
    base = _biased("held")
    pooled = ((0.0, 1.0), (0.0, 0.5))
    own = ((0.0, 1.0), (0.2, 0.2))
    model = replace(base, curves=(("*", pooled), ("held", own)))
    assert model.calibrated("held", 0.9) == 0.2
    assert abs(model.calibrated("call", 0.9) - 0.45) < 1e-9
    assert replace(base, curves=()).calibrated("call", 0.9) == 0.9


def test_the_shipped_model_carries_its_thresholds_and_increasing_curves() -> None:
    model = status_model()
    assert model is not None
    assert 0.5 <= model.none_at < 1.0 and 0.0 < model.min_confidence < 0.6
    statuses = dict(model.curves)
    assert "*" in statuses and "held" in statuses
    for xs, ys in statuses.values():
        assert list(xs) == sorted(xs) and list(ys) == sorted(ys)
        assert all(0.0 <= y <= 1.0 for y in ys)


def test_a_reported_confidence_is_the_calibrated_probability() -> None:
    model = replace(_biased("held"), curves=(("*", ((0.0, 1.0), (0.0, 0.5))),), min_confidence=0.1)
    doc = read_document(TEXT)
    assert doc is not None
    (meeting,) = _merge(doc, model)
    raw = model.probabilities(())["held"]
    assert abs(meeting.confidence - round(raw * 0.5, 3)) < 1e-3
