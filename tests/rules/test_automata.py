"""rules.bilateral.automata: the automaton compiled per script reads every text exactly as
one automaton over all patterns does, and compiles only the scripts a text holds."""

from __future__ import annotations

from rules.bilateral.automata import (
    GROUPS,
    ScriptAutomata,
    compile_automaton,
    group_index,
    groups_in,
)

_LISTED = [
    "modi",
    "narendra modi",
    "मोदी",
    "प्रधानमंत्री मोदी",
    "g20",
    "g20 शिखर",  # mixed scripts: compiled with the Latin group (its first letter)
    "शिखर सम्मेलन",  # Devanagari: overlaps the mixed pattern in "g20 शिखर सम्मेलन"
    "20",  # no letter: compiled with the group every text runs
    "中美",
    "中美会谈",
    "путин",
]
# numbered group by group, as the gazetteer numbers its patterns (``PatternTable``)
PATTERNS = sorted(_LISTED, key=group_index)
TEXTS = [
    "narendra modi met xi",
    "प्रधानमंत्री मोदी ने कहा",
    "modi (प्रधानमंत्री मोदी) in g20",
    "g20 शिखर सम्मेलन में मोदी",
    "中美会谈 and путин in 2020",
    "",
    "nothing here",
]


def automata() -> ScriptAutomata:
    starts = [0]
    for gi in range(len(GROUPS)):
        starts.append(starts[-1] + sum(group_index(p) == gi for p in PATTERNS))
    return ScriptAutomata(lambda gi: iter(PATTERNS[starts[gi] : starts[gi + 1]]), starts)


def test_every_text_reads_as_one_automaton_reads_it() -> None:
    whole = compile_automaton(PATTERNS)
    split = automata()
    for text in TEXTS:
        assert split.find_matches_as_indexes(text) == whole.find_matches_as_indexes(text), text


def test_overlapping_groups_fall_back_to_the_single_automaton() -> None:
    split = automata()
    # the Latin group reads "g20 शिखर", the Devanagari group "शिखर सम्मेलन": they overlap
    got = split.find_matches_as_indexes("g20 शिखर सम्मेलन")
    assert got == compile_automaton(PATTERNS).find_matches_as_indexes("g20 शिखर सम्मेलन")
    assert split._whole is not None


def test_a_text_compiles_only_the_scripts_it_holds() -> None:
    split = automata()
    split.find_matches_as_indexes("narendra modi met xi")
    assert {GROUPS[gi] for gi in split._compiled} == {"latin", "rest"}
    split.find_matches_as_indexes("प्रधानमंत्री मोदी")
    assert {GROUPS[gi] for gi in split._compiled} == {"latin", "devanagari", "rest"}
    split.compile_all()
    assert len(split._compiled) == len(GROUPS)
    assert split._whole is None


def test_longest_prefix_is_what_one_automaton_finds_at_the_start() -> None:
    """The scanner's fallback asks for the longest pattern a text starts with; reading two
    groups gives what the single automaton's first match says when it starts at 0."""
    whole = compile_automaton(PATTERNS)
    split = automata()
    for text in [*TEXTS, "g20 शिखर", "20 modi", "中美会", "modiji", "प्रधानमंत्री"]:
        for k in range(1, len(text) + 1):
            first = next(iter(whole.find_matches_as_indexes(text[:k])), None)
            want = (first[0], first[2]) if first is not None and first[1] == 0 else None
            assert split.longest_prefix(text[:k]) == want, text[:k]
    assert split._whole is None


def test_groups_in_names_each_script_a_text_holds_once() -> None:
    text = "Путин и 習近平 met in дели, मोदी ने 한국 ... 20"
    scripts = [GROUPS[gi] for gi in groups_in(text)]
    assert scripts == ["latin", "cyrillic", "devanagari", "hangul", "cjk", "rest"]
    assert [GROUPS[gi] for gi in groups_in("")] == ["rest"]
    every = "a ж ع क ক ਗ ગ த త മ ස 가 中 1"  # one letter of each script
    assert [GROUPS[gi] for gi in groups_in(every)] == list(GROUPS)
