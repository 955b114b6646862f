"""Candidates the grammar left unpaired (``rules.bilateral.cooccur``): the model's alone."""

from __future__ import annotations

from array import array

from rules.bilateral.detector import _decide, _merge, detect, read_document
from rules.bilateral.statusmodel import CLASSES, StatusModel

UNPAIRED = "Turkey signed a gas deal with Azerbaijan."  # no structure the grammar pairs


def _biased(towards: str, buckets: int = 64) -> StatusModel:
    """A model whose only opinion is its bias: it keeps every report as ``towards``."""
    bias = tuple(4.0 if c == towards else 0.0 for c in CLASSES)
    return StatusModel(CLASSES, buckets, array("f", [0.0] * (len(CLASSES) * buckets)), bias)


def test_an_unpaired_sentence_gets_candidates_only_a_model_may_keep() -> None:
    doc = read_document(UNPAIRED)
    assert doc is not None
    assert [(r.pair, r.cooccur) for r in doc.reports] == [(("AZ", "TR"), True)]
    assert "a:how:cooccur" in doc.reports[0].features  # the model knows what it reads
    assert detect(UNPAIRED, decide=False) == []
    kept = _merge(doc, _biased("held"))
    assert [m.parties for m in kept] == [("AZ", "TR")]
    assert _merge(doc, _biased("none")) == []


def test_a_pair_the_grammar_read_keeps_the_grammars_reading() -> None:
    doc = read_document("Modi met Xi in Kazan on Tuesday. India and China signed a border deal.")
    assert doc is not None
    assert sorted(r.cooccur for r in doc.reports if r.pair == ("CN", "IN")) == [False, True]
    (kept,) = _decide(doc.reports, _biased("held"))
    assert not kept.cooccur and kept.evidence.startswith("Modi met Xi")


def test_three_parties_give_no_candidates() -> None:
    doc = read_document("Turkey, Iran and Russia signed a gas deal in Astana.")
    assert doc is None or not any(r.cooccur for r in doc.reports)


def test_a_side_the_grammar_filled_in_or_an_organisation_is_no_candidate() -> None:
    # the unnamed minister is the publisher's own only by default; the SCO is a membership
    for text in (
        "विदेश मंत्री ने अज़रबैजान के साथ गैस समझौते पर हस्ताक्षर किए।",  # a Hindi outlet: IN
        "The SCO welcomed Belarus as its newest member.",
    ):
        doc = read_document(text)
        assert doc is None or not any(r.cooccur for r in doc.reports), text


def test_a_sentence_the_grammar_paired_gets_no_candidates() -> None:
    doc = read_document("Brazilian and Argentine diplomats held talks in Brasilia on beef.")
    assert doc is not None
    assert [(r.pair, r.cooccur) for r in doc.reports] == [(("AR", "BR"), False)]
