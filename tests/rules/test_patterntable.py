"""rules.bilateral.patterntable: the gazetteer's compact per-pattern storage."""

from __future__ import annotations

import zlib

import pytest

from rules.bilateral.gate import prefixes
from rules.bilateral.gazetteer import gazetteer
from rules.bilateral.patterntable import PatternTable, compacted
from rules.bilateral.records import CAP_INITIAL, COUNTRY, PERSON, Entry
from rules.text import normalize

_IN = Entry(COUNTRY, "IN", "", "India")
_MODI = Entry(PERSON, "7", "", "")


def test_patterns_share_one_record_list_and_keep_their_order() -> None:
    """The case forms of one name share their records; the pattern ids follow the table."""
    table = {
        "ভারত": [(_IN, 0, "")],
        "ভারতের": [(_IN, 0, "")],
        "modi": [(_MODI, CAP_INITIAL, "Modi")],
    }
    t = PatternTable(table)
    assert t.patterns() == list(table)
    assert t.count == 3
    assert t.rec_of[0] == t.rec_of[1] != t.rec_of[2]
    assert t.recs[t.rec_of[2]] == ((_MODI, CAP_INITIAL, "Modi"),)
    assert t.plain[t.plain_of[0]] == (_IN,)
    assert t.plain[t.plain_of[2]] is None  # a flagged record: checked one by one


def test_patterns_are_numbered_group_by_group_each_group_read_from_its_own_blob() -> None:
    table = {
        "ভারত": [(_IN, 0, "")],
        "modi": [(_MODI, CAP_INITIAL, "Modi")],
        "ভারতের": [(_IN, 0, "")],
        "narendra modi": [(_MODI, CAP_INITIAL, "Narendra Modi")],
    }
    t = PatternTable(table, lambda p: 0 if p.isascii() else 2, 3)
    assert t.patterns() == ["modi", "narendra modi", "ভারত", "ভারতের"]
    assert list(t.starts) == [0, 2, 2, 4]
    assert list(t.group_patterns(0)) == ["modi", "narendra modi"]
    assert list(t.group_patterns(1)) == []  # an empty group holds no (empty) pattern
    assert list(t.group_patterns(2)) == ["ভারত", "ভারতের"]
    assert zlib.decompress(t.blobs[2]) == "ভারত\0ভারতের".encode()
    assert t.recs[t.rec_of[1]] == ((_MODI, CAP_INITIAL, "Narendra Modi"),)
    assert t.plain[t.plain_of[3]] == (_IN,)


def test_a_pattern_holding_the_separator_is_refused() -> None:
    with pytest.raises(ValueError):
        PatternTable({"a\0b": [(_IN, 0, "")]})


def test_compacted_copies_the_state_and_empties_the_original() -> None:
    shared = (_IN, 0, "")
    state: dict[str, object] = {"recs": [shared, shared], "n": 3}
    copy = compacted(state)
    assert state == {}
    assert copy == {"recs": [shared, shared], "n": 3}
    recs = copy["recs"]
    assert isinstance(recs, list) and recs[0] is recs[1]  # sharing survives the copy


def test_prefixes_finds_the_patterns_a_text_starts_with_longest_first() -> None:
    """What the scanner's fallback asks for when a longer match gave nothing."""
    g = gazetteer()
    patterns = g._table.patterns()
    folded = normalize("South Sudan xq").folded
    found = list(prefixes(g._automaton.longest_prefix, folded, 0, len(folded) + 1))
    assert found and patterns[found[0][0]] == folded[: found[0][1]] == "south sudan"
    ends = [end for _, end in found]
    assert ends == sorted(ends, reverse=True) and len(set(ends)) == len(ends)
    assert all(patterns[pid] == folded[:end] for pid, end in found)
    assert not list(
        prefixes(g._automaton.longest_prefix, "zzqx south", 0, 11)
    )  # nothing starts at "zzqx"
