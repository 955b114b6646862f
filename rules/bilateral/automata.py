"""The gazetteer's automaton, compiled per script when a text first needs it.

Compiling one Aho-Corasick automaton over all 180,000 patterns takes most of a cold start
(about 0.75 s, holding the GIL, and the library cannot serialise it). A one-line
``bilat scan`` of an English text needs only the quarter of them written in Latin letters. So
the patterns are grouped by the script of their first letter, and a group is compiled the
first time a text contains a letter of that script (a text can only hold a pattern whose first
letter it holds). Patterns without a letter of a grouped script form a group every text
runs. The gazetteer numbers its patterns group by group (``PatternTable``), so a group is
compiled from its own patterns alone and its automaton's ids are the global ids less the
group's first.

The groups' matches are the single automaton's exactly (leftmost-longest, not overlapping) as
long as no match of one group overlaps a match of another: each group then skips only what
its own matches cover, as the single automaton would. Two groups meet only where a pattern
mixes scripts or is made of digits and marks; when their matches overlap, the text is read by
the single automaton instead, compiled then (rare: a few texts in the labelled corpus).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from itertools import chain

import ahocorasick_rs

Match = tuple[int, int, int]  # pattern id, start, end
_REST = "rest"
# (group, letters of its script): a pattern goes to the group of its first letter
_SCRIPTS: tuple[tuple[str, str], ...] = (
    ("latin", "A-Za-z\u00c0-\u024f\u1e00-\u1eff"),
    ("cyrillic", "\u0400-\u052f"),
    ("arabic", "\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff"),
    ("devanagari", "\u0900-\u097f"),
    ("bengali", "\u0980-\u09ff"),
    ("gurmukhi", "\u0a00-\u0a7f"),
    ("gujarati", "\u0a80-\u0aff"),
    ("tamil", "\u0b80-\u0bff"),
    ("telugu", "\u0c00-\u0c7f"),
    ("malayalam", "\u0d00-\u0d7f"),
    ("sinhala", "\u0d80-\u0dff"),
    ("hangul", "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"),
    ("cjk", "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"),
)
_LETTERS = dict(_SCRIPTS)
_FIRST = re.compile("|".join(f"(?P<{name}>[{letters}])" for name, letters in _SCRIPTS))


def compile_automaton(patterns: Iterable[str]) -> ahocorasick_rs.AhoCorasick:
    return ahocorasick_rs.AhoCorasick(
        patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest, store_patterns=False
    )


def group_of(pattern: str) -> str:
    """The group a pattern is compiled in: the script of its first grouped letter."""
    m = _FIRST.search(pattern)
    return m.lastgroup if m is not None and m.lastgroup else _REST


class ScriptAutomata:
    """``find_matches_as_indexes`` of one automaton over the patterns, compiled by parts."""

    def __init__(self, patterns: Callable[[int], Iterable[str]], starts: Sequence[int]) -> None:
        """``patterns(gi)`` yields group ``gi``'s patterns (``GROUPS[gi]``, ``group_index``)
        in id order, ids ``starts[gi]`` to ``starts[gi + 1]``: the ids run group by group."""
        if len(starts) != len(GROUPS) + 1:
            raise ValueError(f"{len(starts)} group starts for {len(GROUPS)} groups")
        self._patterns = patterns
        self._starts = tuple(starts)
        self._compiled: dict[int, tuple[ahocorasick_rs.AhoCorasick, int]] = {}
        self._whole: ahocorasick_rs.AhoCorasick | None = None

    def _compile(self, wanted: set[int]) -> None:
        for gi in sorted(wanted):
            self._compiled[gi] = (compile_automaton(self._patterns(gi)), self._starts[gi])

    def compile_all(self) -> None:
        """Every group now (a daemon warms up before its first item)."""
        self._compile({gi for gi in range(len(GROUPS)) if gi not in self._compiled})

    def find_matches_as_indexes(self, text: str) -> list[Match]:
        found: list[Match] = []
        parts = 0
        needed = groups_in(text)
        missing = {gi for gi in needed if gi not in self._compiled}
        if missing:
            self._compile(missing)
        for gi in needed:
            automaton, first = self._compiled[gi]
            matches = automaton.find_matches_as_indexes(text)
            if matches:
                parts += 1
                found.extend((first + pid, s, e) for pid, s, e in matches)
        if parts <= 1:
            return found
        found.sort(key=lambda m: m[1])
        end = 0
        for _, s, e in found:
            if s < end:
                return self.single().find_matches_as_indexes(text)  # two groups overlap
            end = e
        return found

    def longest_prefix(self, text: str) -> tuple[int, int] | None:
        """(id, end) of the longest pattern that ``text`` starts with, if any: what the
        first match of ``find_matches_as_indexes`` says when it starts at 0, read in the
        only groups such a pattern can be in (that of ``text``'s first grouped letter, and
        the group without one)."""
        best: tuple[int, int] | None = None
        for gi in {_GROUP_INDEX[group_of(text)], _REST_INDEX}:
            if gi not in self._compiled:
                self._compile({gi})
            automaton, first = self._compiled[gi]
            for pid, s, e in automaton.find_matches_as_indexes(text):
                if s == 0 and (best is None or e > best[1]):
                    best = (first + pid, e)
                break
        return best

    def single(self) -> ahocorasick_rs.AhoCorasick:
        """The one automaton over every pattern (compiled on first use)."""
        if self._whole is None:
            groups = range(len(GROUPS))
            self._whole = compile_automaton(chain.from_iterable(map(self._patterns, groups)))
        return self._whole


GROUPS: tuple[str, ...] = (*(name for name, _ in _SCRIPTS), _REST)
_GROUP_INDEX = {name: i for i, name in enumerate(GROUPS)}
_REST_INDEX = _GROUP_INDEX[_REST]


def groups_in(text: str) -> list[int]:
    """The indexes of the groups whose script has a letter in ``text``, and the group
    without one, in ``GROUPS`` order.

    One search per script found plus one that fails, not one per script: the scripts' letters
    are disjoint, so a search for the letters of the scripts not found yet finds each one
    that is there in turn."""
    found: list[int] = []
    at = 0
    while len(found) < len(_SCRIPTS):  # then no letter is left to look for
        m = _letters_but(frozenset(found)).search(text, at)
        if m is None:
            break
        found.append(_GROUP_INDEX[group_of(m.group())])
        at = m.end()
    found.sort()
    found.append(_REST_INDEX)
    return found


@lru_cache(maxsize=256)
def _letters_but(found: frozenset[int]) -> re.Pattern[str]:
    """One class of the letters of every script whose group is not in ``found``."""
    return re.compile(
        "[" + "".join(_LETTERS[GROUPS[gi]] for gi in range(len(_SCRIPTS)) if gi not in found) + "]"
    )


def group_index(pattern: str) -> int:
    """The index in ``GROUPS`` of ``pattern``'s group."""
    return _GROUP_INDEX[group_of(pattern)]


__all__ = ["GROUPS", "ScriptAutomata", "compile_automaton", "group_index", "group_of"]
