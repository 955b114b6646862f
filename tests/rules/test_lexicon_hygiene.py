"""No lexicon phrase may be learnt from a single labelled item.

The corpus (``data/meetings/``, 713 items) is still small, so many honest words occur in only
one of its texts; those present when this test was written are listed in
``lexicon_singletons.txt`` as known debt. A phrase added since that matches exactly one
corpus item fails here: show it generalises (more labelled text where it occurs) or drop it.
"""

from __future__ import annotations

from tests.rules.lexicon_hygiene import (
    BASELINE,
    closed_class_word,
    corpus_texts,
    matches,
    phrase_matches,
    singletons,
)


def test_no_new_phrase_matches_exactly_one_corpus_item() -> None:
    known = set(BASELINE.read_text(encoding="utf-8").splitlines())
    new = [s for s in singletons() if s not in known]
    assert not new, "lexicon phrases found in exactly one corpus item:\n" + "\n".join(new)


def test_the_baseline_only_shrinks() -> None:
    """A phrase removed from the lexicons, or now seen twice, leaves the debt list too."""
    known = set(BASELINE.read_text(encoding="utf-8").splitlines())
    stale = sorted(known - set(singletons()))
    assert not stale, "no longer singletons; delete from lexicon_singletons.txt:\n" + "\n".join(
        stale
    )


def test_matching_counts_whole_words_in_latin_scripts() -> None:
    texts = ["the ministers met in the metro", "talks were held", "会谈在北京举行"]
    assert matches("met", texts) == 1
    assert matches("metro", texts) == 1
    assert matches("held", texts) == 1
    assert matches("会谈", texts) == 1
    assert matches("summit", texts) == 0


def test_marked_phrases_count_as_the_detector_reads_them() -> None:
    """A stem ("~") is the start of a word, a starred word ("*") any of its case forms."""
    texts = ["sie sollten sich treffen", "er sollte kommen", "betreffend", "ze szefem msz"]
    assert phrase_matches("sollte~", "de", texts) == 2
    assert phrase_matches("treff~", "de", texts) == 1
    assert phrase_matches("sollte", "de", texts) == 1
    assert phrase_matches("szef* msz", "pl", texts) == 1
    assert phrase_matches("szef msz", "pl", texts) == 0


def test_the_corpus_is_in_the_project() -> None:
    assert len(corpus_texts()) >= 700


def test_closed_class_words_are_exempt_and_nothing_else() -> None:
    """A case ending or an initial's letter is grammar, not something learnt from an item;
    a meeting phrase, or a several-word phrase filed under a closed class, is not."""
    assert closed_class_word("tr:words.glue", "'a")
    assert closed_class_word("ta:words.initials", "எஃப்")
    assert not closed_class_word("ta:cue.pronoun", "இரு தலைவர்களும்")
    assert not closed_class_word("en:trigger.held", "met")
    assert not closed_class_word("en:words.glue", "a very long glue phrase")
