"""One Aho-Corasick automaton over every name, role, trigger and cue in every language.

``Gazetteer.scan(norm)`` runs the automaton (leftmost-longest, so "South Sudan" beats
"Sudan" and "印度尼西亚" beats "印度") over folded text, then keeps a match only if it sits on
word boundaries for its script (``rules.text``), its case rules hold against the original
text ("US" yes, "us" no; "Turkey" yes, "turkey" no), and, for CJK country-pair compounds, a
diplomatic noun follows. The result is a list of ``Mention``s in text order.

Building takes a fraction of a second and happens once per process (``gazetteer()``); the
compiled tables are immutable and shared.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import ahocorasick_rs

from rules.lexicon import (
    CAP_INITIAL,
    CASE_EXACT,
    COMPOUND,
    NEED_NEXT,
    OPEN_END,
    Entry,
    LangLex,
    Lexicon,
    build_lexicon,
)
from rules.officials import Roster
from rules.text import (
    SCRIPT_CJK,
    Normalized,
    boundary_after,
    boundary_before,
    fold,
    is_word_char,
    normalize,
    script_of,
)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int  # folded offsets
    end: int
    ostart: int  # original offsets
    oend: int
    entries: tuple[Entry, ...]

    def kinds(self) -> set[int]:
        return {e.kind for e in self.entries}

    def first(self, kind: int) -> Entry | None:
        for e in self.entries:
            if e.kind == kind:
                return e
        return None


# One record per (pattern, entry): flags and, for case-checked entries, the surface form.
_Rec = tuple[Entry, int, str]


class Gazetteer:
    """The compiled matcher plus the language tables and roster it was built from."""

    def __init__(self, lex: Lexicon) -> None:
        table: dict[str, list[_Rec]] = {}
        folds: dict[str, str] = {}
        for surface, entry, flags in lex.records:
            key = folds.get(surface)
            if key is None:
                key = folds[surface] = fold(surface)
            if len(key) < 2 and not (flags & CASE_EXACT):
                continue  # one folded character is never a safe pattern
            recs = table.setdefault(key, [])
            rec = (entry, flags, surface)
            if all(r[0] != entry or r[1] != flags for r in recs):
                recs.append(rec)
        self.patterns: list[str] = list(table)
        self._index: dict[str, int] = {p: i for i, p in enumerate(self.patterns)}
        self._recs: list[tuple[_Rec, ...]] = [tuple(table[p]) for p in self.patterns]
        self._automaton = ahocorasick_rs.AhoCorasick(
            self.patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
        )
        self.langs: dict[str, LangLex] = lex.langs
        self.english_names: dict[str, str] = lex.english_names
        assert lex.roster is not None
        self.roster: Roster = lex.roster
        self.handles = self.roster.by_handle()
        nexts: set[str] = set()
        for lang in self.langs.values():
            nexts.update(fold(n) for n in lang.compound_next)
        self._compound_next = tuple(sorted(nexts, key=len, reverse=True))

    def __len__(self) -> int:
        return len(self.patterns)

    def raw_matches(self, folded: str) -> list[tuple[int, int, int]]:
        """The bare automaton pass (used by the benchmark's reference loop)."""
        result: list[tuple[int, int, int]] = self._automaton.find_matches_as_indexes(folded)
        return result

    def scan(self, norm: Normalized) -> list[Mention]:
        folded = norm.folded
        out: list[Mention] = []
        base = 0
        while base < len(folded):
            resume = -1
            hay = folded[base:] if base else folded
            for pid, s, e in self._automaton.find_matches_as_indexes(hay):
                s += base
                e += base
                keep = self._check(norm, pid, s, e)
                if keep:
                    out.append(self._mention(norm, s, e, keep))
                    continue
                # The longest pattern here failed its boundary/case test ("washington post"
                # in "Washington postponed"): try shorter patterns at the same start, then
                # resume the scan at the next word, which the failed match had swallowed.
                k, keep = self._shorter(norm, s, e)
                if keep:
                    out.append(self._mention(norm, s, k, keep))
                resume = max(k, _next_word(folded, s))
                break
            if resume < 0:
                break
            base = resume
        return out

    def _mention(self, norm: Normalized, s: int, e: int, keep: list[Entry]) -> Mention:
        os, oe = norm.span(s, e)
        return Mention(s, e, os, oe, tuple(keep))

    def _check(self, norm: Normalized, pid: int, s: int, e: int) -> list[Entry]:
        folded = norm.folded
        keep: list[Entry] = []
        if not boundary_before(folded, s):
            return keep
        after: bool | None = None
        for entry, flags, surface in self._recs[pid]:
            if not flags & OPEN_END:
                if after is None:
                    after = boundary_after(folded, e)
                if not after:
                    continue
            if flags & (CASE_EXACT | CAP_INITIAL):
                os, oe = norm.span(s, e)
                if not _case_ok(norm.original[os:oe], surface, flags):
                    continue
            if flags & NEED_NEXT and not self._next_ok(folded, e):
                continue
            keep.append(entry)
        return keep

    def _shorter(self, norm: Normalized, s: int, e: int) -> tuple[int, list[Entry]]:
        folded = norm.folded
        for k in range(e - 1, s + 1, -1):
            if is_word_char(folded[k]) and script_of(folded[k - 1]) != SCRIPT_CJK:
                continue
            pid = self._index.get(folded[s:k])
            if pid is not None:
                keep = self._check(norm, pid, s, k)
                if keep:
                    return k, keep
        return -1, []

    def _next_ok(self, folded: str, end: int) -> bool:
        rest = folded[end : end + 12].lstrip(" -·")
        return rest.startswith(self._compound_next)

    def has_compound(self, mention: Mention) -> bool:
        return mention.first(COMPOUND) is not None


def _next_word(folded: str, s: int) -> int:
    """Start of the word after the one at ``s`` (``s + 1`` in scripts without spaces)."""
    if script_of(folded[s]) == SCRIPT_CJK:
        return s + 1
    i = s + 1
    n = len(folded)
    while i < n and is_word_char(folded[i]):
        i += 1
    while i < n and not is_word_char(folded[i]):
        i += 1
    return i


def _case_ok(found: str, surface: str, flags: int) -> bool:
    import unicodedata

    found = unicodedata.normalize("NFKC", found)
    if flags & CASE_EXACT:
        return found.replace(" ", "") == surface.replace(" ", "") or (
            found.isupper() and found.replace(" ", "").upper() == surface.replace(" ", "").upper()
        )
    first = next((c for c in found if c.isalpha()), "")
    return first.isupper()


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built on first use."""
    return Gazetteer(build_lexicon())


def scan_text(text: str) -> tuple[Normalized, list[Mention]]:
    norm = normalize(text)
    return norm, gazetteer().scan(norm)
