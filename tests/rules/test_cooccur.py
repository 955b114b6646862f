"""Candidates the grammar left unpaired (``rules.bilateral.cooccur``): the model's alone."""

from __future__ import annotations

from array import array

from rules.bilateral.cooccur import sentence_candidates
from rules.bilateral.detector import _decide, _merge, detect, read_document
from rules.bilateral.frames import Entity
from rules.bilateral.pairing import Pairing
from rules.bilateral.status import Trigger
from rules.bilateral.statusmodel import CLASSES, StatusModel

# a summit word in the sentence: the grammar pairs no one, though the meeting is bilateral
UNPAIRED = "De Belgische premier voerde overleg met de Franse president tijdens de NAVO-top."


def _biased(towards: str, buckets: int = 64) -> StatusModel:
    """A model whose only opinion is its bias: it keeps every report as ``towards``."""
    bias = tuple(4.0 if c == towards else 0.0 for c in CLASSES)
    return StatusModel(CLASSES, buckets, array("f", [0.0] * (len(CLASSES) * buckets)), bias)


def test_an_unpaired_sentence_gets_candidates_only_a_model_may_keep() -> None:
    doc = read_document(UNPAIRED)
    assert doc is not None
    assert [(r.pair, r.cooccur) for r in doc.reports] == [(("BE", "FR"), True)]
    assert "a:how:cooccur" in doc.reports[0].features  # the model knows what it reads
    assert detect(UNPAIRED, decide=False) == []
    kept = _merge(doc, _biased("held"))
    assert [m.parties for m in kept] == [("BE", "FR")]
    assert _merge(doc, _biased("none")) == []


def test_a_pair_the_grammar_read_keeps_the_grammars_reading() -> None:
    doc = read_document(
        "Modi ontmoette Xi dinsdag in Kazan. "
        "De Indiase premier voerde overleg met de Chinese president tijdens de BRICS-top."
    )
    assert doc is not None
    assert sorted(r.cooccur for r in doc.reports if r.pair == ("CN", "IN")) == [False, True]
    (kept,) = _decide(doc.reports, _biased("held"))
    assert not kept.cooccur and kept.evidence.startswith("Modi ontmoette Xi")


def test_three_parties_or_weak_words_only_give_no_candidates() -> None:
    for text in (
        "De Belgische, Duitse en Franse premiers voerden overleg tijdens de NAVO-top.",
        "Turkey signed a gas deal with Azerbaijan.",  # "signed" alone: the grammar's call
    ):
        doc = read_document(text)
        assert doc is None or not any(r.cooccur for r in doc.reports), text


def _side(party: str, start: int, **kw: object) -> Entity:
    return Entity(start, start + 5, start, start + 5, party=party, place_only=False, **kw)  # type: ignore[arg-type]


def test_a_side_the_grammar_filled_in_or_an_organisation_is_no_candidate() -> None:
    """The publisher's own official by default ("the foreign minister" in a Hindi outlet), a
    meeting place's host, an organisation next to a country (membership): no structure read,
    nothing says they are in the meeting."""
    talks = [(Trigger(20, 25, "held", "talks"), "held")]
    emitted: list[tuple[str, str]] = []

    def emit(p: Pairing, st: str, t: Trigger) -> None:
        emitted.append((p.a.party, p.b.party))

    named = _side("DE", 30, source="explicit")
    for other in (
        _side("IN", 0, source="home", official=True),
        _side("FR", 0, source="host"),
        _side("SCO", 0, source="explicit", org=True, org_party=True),
    ):
        sentence_candidates([other, named], talks, emit)
    assert emitted == []
    sentence_candidates([_side("IN", 0, source="person", official=True), named], talks, emit)
    assert emitted == [("IN", "DE")]


def test_a_sentence_the_grammar_paired_gets_no_candidates() -> None:
    doc = read_document("Brazilian and Argentine diplomats held talks in Brasilia on beef.")
    assert doc is not None
    assert [(r.pair, r.cooccur) for r in doc.reports] == [(("AR", "BR"), False)]
