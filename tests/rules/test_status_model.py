"""The trained status model: shipped, loadable, deterministic, and used the way the detector
documents (drop what is clearly no meeting, confidence = probability of the status)."""

from __future__ import annotations

from array import array

from rules.bilateral.detector import NONE_AT, Report, _decide, detect
from rules.bilateral.statusmodel import CLASSES, StatusModel, hashed, status_model

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
    assert hashed(feats, 1 << 16) == hashed(feats, 1 << 16)
    assert all(0 <= k < 1 << 16 for k in hashed(feats, 1 << 16))


def test_a_report_the_model_calls_no_meeting_is_dropped() -> None:
    model = _biased("none")
    assert model.probabilities(())["none"] >= NONE_AT
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
