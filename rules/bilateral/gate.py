"""The detector's first pass: a small automaton over the meeting words alone, and the word
positions both it and the gazetteer's scan read on from when a longest match gave nothing.

Most items have no meeting word in their language, and for them this pass is all the
detector does. Guard phrases ("met with criticism", "समीक्षा बैठक") are in it too, so that the
longest match hides the meeting word inside them, as in the full scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import ahocorasick_rs

from rules.bilateral.automata import compile_automaton
from rules.text import (
    SCRIPT_ARABIC,
    SCRIPT_CJK,
    SCRIPT_KANA,
    boundary_after,
    boundary_before,
    is_word_char,
    script_of,
)

# scripts in which a word may start inside a run of letters: after an Arabic proclitic
# ("و" + "يلتقي"), at any Han character, at katakana after other letters
_INNER_STARTS = frozenset((SCRIPT_ARABIC, SCRIPT_CJK, SCRIPT_KANA))


class Gate:
    """Meeting-word offsets of a folded text, by language. Cheap; errs on yes."""

    def __init__(
        self,
        patterns: dict[str, tuple[set[str], set[str], set[str]]],
        joins: frozenset[str] = frozenset(),
    ) -> None:
        """``patterns``: folded phrase -> the languages it is a meeting word of, a guard
        phrase of, and a stem of (a meeting word with any ending attached); ``joins``: the
        Korean pair compounds and country names a noun may be written solid with ("한미" +
        "정상회담", "일본" + "대사")."""
        shared: dict[frozenset[str], frozenset[str]] = {}  # a few distinct sets (memory)

        def one(langs: set[str]) -> frozenset[str]:
            return shared.setdefault(frozenset(langs), frozenset(langs))

        self._patterns = list(patterns)
        self._langs = [one(v[0]) for v in patterns.values()]
        self._guards = [one(v[1]) for v in patterns.values()]
        self._stems = [one(v[2]) for v in patterns.values()]
        self.joins = joins
        self._automaton = compile_automaton(self._patterns)

    # the automaton cannot be pickled: rebuilt from its patterns (``monitor.warmup``)
    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        del state["_automaton"]
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._automaton = compile_automaton(self._patterns)

    def meeting_words(
        self, folded: str, lang: str | None, langs_out: set[str] | None = None
    ) -> list[int]:
        """Folded offsets of meeting words (of ``lang``, if given).

        ``langs_out`` collects the languages whose meeting words were found.
        """
        out: list[int] = []
        base, n = 0, len(folded)
        find = self._automaton.find_matches_as_indexes
        langs = self._langs
        while base < n:
            resume = -1
            for pid, s, e in find(folded[base:] if base else folded):
                s += base
                e += base
                if not boundary_before(folded, s) and not joined(folded, s, self.joins):
                    # "to host" inside "Ruto hosted" hid "hosted": look again from there
                    resume = next_start(folded, s, e)
                    if resume >= 0:
                        break
                    continue
                if lang is not None and lang not in langs[pid]:
                    if lang in self._guards[pid]:
                        continue  # the language's own guard phrase hides its meeting word
                    # another language's phrase: the text's own may be shorter or start later
                    resume = self._instead(folded, s, e, lang, out)
                    if resume >= 0:
                        break
                    continue
                if _word_ends(folded, s, e):
                    out.append(s)
                    if langs_out is not None:
                        langs_out.update(langs[pid])
                    continue
                # a stem ("சந்தித்து~") is a meeting word with any ending, in its languages
                stem_of = self._stems[pid]
                if stem_of and (lang is None or lang in stem_of):
                    out.append(s)
                    if langs_out is not None:
                        langs_out.update(stem_of)
            if resume < 0:
                break
            base = resume
        return out

    def _instead(self, folded: str, s: int, e: int, lang: str, out: list[int]) -> int:
        """Where to read on past another language's phrase at ``[s, e)``: after the longest
        phrase of ``lang`` it starts with (noted, unless a guard), else at the next place a
        word may start (-1: none before ``e``)."""
        longest = partial(first_at_start, self._automaton)
        for pid, k in prefixes(longest, folded, s, e):
            if lang in self._langs[pid] and (_word_ends(folded, s, k) or lang in self._stems[pid]):
                out.append(s)
                return k
            if lang in self._guards[pid] and boundary_after(folded, k):
                return k
        return next_start(folded, s, e)


def joined(folded: str, s: int, joins: frozenset[str]) -> bool:
    """Does a Hangul word at ``s`` follow a pair compound or a country name in the same
    word ("한미" in "한미정상회담", "일본" in "일본대사")? Then a pattern may start there."""
    if not joins or s < 2 or not is_hangul(folded[s]):
        return False
    for k in range(2, min(s, _LONGEST_JOIN) + 1):
        if folded[s - k : s] in joins and (
            boundary_before(folded, s - k) or stationed(folded, s - k)
        ):
            return True
    return stationed(folded, s)


def stationed(folded: str, s: int) -> bool:
    """Does ``s`` follow 주(駐) and the host's one-syllable name, written solid before the
    sending country ("주한중국대사": China's ambassador in Korea; "주미일본대사관")?"""
    return (
        s >= 2
        and folded[s - 1] in _STATIONED
        and folded[s - 2] == "주"
        and boundary_before(folded, s - 2)
    )


_STATIONED = frozenset("한미일중러영독불북인호")


_LONGEST_JOIN = 8  # Hangul country names are shorter ("우즈베키스탄")


def is_hangul(ch: str) -> bool:
    return "\uac00" <= ch <= "\ud7a3"


def _word_ends(folded: str, s: int, e: int) -> bool:
    """Does a meeting phrase ``[s, e)`` end where a meeting word may (errs on yes)?"""
    return boundary_after(folded, e) or spans_words(folded, s, e) or open_end(folded, e)


def prefixes(
    longest: Callable[[str], tuple[int, int] | None], folded: str, s: int, e: int
) -> Iterator[tuple[int, int]]:
    """(pattern id, end) of the patterns that ``folded[s:e - 1]`` starts with, longest
    first; ``longest(text)`` is the (id, length) of the longest one ``text`` starts with."""
    k = e - 1
    while k > s:
        # the longest pattern that is a prefix of folded[s:k]: no end in between is one
        found = longest(folded[s:k])
        if found is None:
            return
        pid, n = found
        yield pid, s + n
        k = s + n - 1


def first_at_start(automaton: ahocorasick_rs.AhoCorasick, text: str) -> tuple[int, int] | None:
    """(id, end) of the longest pattern of a leftmost-longest ``automaton`` that ``text``
    starts with, if any."""
    for pid, s, e in automaton.find_matches_as_indexes(text):
        return (pid, e) if s == 0 else None
    return None


def inner_starts(ch: str) -> bool:
    """May a word start inside a run of letters that begins with ``ch``?"""
    return script_of(ch) in _INNER_STARTS


def next_start(folded: str, s: int, e: int) -> int:
    """The first place after ``s`` and before ``e`` where a word may start, or -1."""
    for p in range(s + 1, e):
        prev = folded[p - 1]
        if not is_word_char(prev):
            return p
        # inside a run of letters only some scripts start words (``boundary_before``)
        if (
            script_of(folded[p]) in _INNER_STARTS or script_of(prev) == SCRIPT_CJK
        ) and boundary_before(folded, p):
            return p
        if stationed(folded, p):
            return p  # "한일" of "주한일본" hid "일본"
    return -1


def open_end(folded: str, e: int) -> bool:
    """Hangul and stems may be followed by letters (particles, endings)."""
    return "\uac00" <= folded[e - 1] <= "\ud7a3"


def spans_words(folded: str, s: int, e: int) -> bool:
    return any(not is_word_char(c) for c in folded[s + 1 : e])
