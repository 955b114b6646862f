"""One Aho-Corasick automaton over every name, role, trigger and cue in every language.

``Gazetteer.scan(norm)`` runs the automaton (leftmost-longest, so "South Sudan" beats
"Sudan" and "印度尼西亚" beats "印度") over folded text, then keeps a match only if it sits on
word boundaries for its script (``rules.text``), its case rules hold against the original
text ("US" yes, "us" no; "Turkey" yes, "turkey" no), and, for CJK country-pair compounds, a
diplomatic noun follows. The result is a list of ``Mention``s in text order.

Built once per process (``gazetteer()``, seconds; a disk cache at the edge loads it faster).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from rules.bilateral.automata import GROUPS, ScriptAutomata, group_index
from rules.bilateral.casing import after_capitalised, case_ok
from rules.bilateral.gate import (
    Gate,
    inner_starts,
    is_hangul,
    joined,
    next_start,
    prefixes,
    spans_words,
    stationed,
)
from rules.bilateral.lexicon import LangLex, Lexicon, build_lexicon
from rules.bilateral.loaders import loader_or
from rules.bilateral.patterntable import PatternTable, Rec, compacted
from rules.bilateral.records import (
    BEFORE_HYPHEN,
    CAP_INITIAL,
    CASE_EXACT,
    COMPOUND,
    COUNTRY,
    CUE,
    NAME_PART,
    NEED_NEXT,
    OPEN_END,
    ROLE,
    SAME_CASE,
    TRIGGER,
    Entry,
)
from rules.bilateral.roster import Roster
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


class Mention(NamedTuple):
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


_COMPOUND_LIST = frozenset("、,，")


class Gazetteer:
    """The compiled matcher plus the language tables and roster it was built from."""

    # ``Gate.meeting_words`` (offsets of meeting words, of a language if given; a stem takes
    # endings; errs on yes), bound when the gazetteer is compiled: every text asks it
    meeting_words: Callable[..., list[int]]

    def __init__(self, lex: Lexicon, *, compile_now: bool = True) -> None:
        table: dict[str, Rec | list[Rec]] = {}
        shared_recs: dict[Rec, Rec] = {}
        folds: dict[str, str] = {}
        shared: dict[Entry, Entry] = {}  # one object per distinct entry (memory)
        cased = CASE_EXACT | CAP_INITIAL | SAME_CASE
        # the meeting words, stems and guard phrases of each language, for the gate (gate.py)
        gate: dict[str, tuple[set[str], set[str], set[str]]] = {}
        # Korean pair compounds and country names written solid with their noun
        # ("한미정상회담", "일본대사"): the noun starts right after one, inside the word
        joins: set[str] = set()
        # the short pair compounds, which a list may give before one noun ("日中、日韓の会談")
        listed: set[str] = set()
        lex._seen.clear()  # only needed while the lexicon was being filled
        lex._entries.clear()
        for surface, entry, flags in lex.records:
            key = folds.get(surface)
            if key is None:
                key = folds[surface] = fold(surface)
            # one folded character is never a safe name; a Chinese function word
            # (将 "will", 未 "not", 拟 "plans to") is a fine meeting word or cue
            if (
                len(key) < 2
                and not (flags & CASE_EXACT)
                and not (entry.kind in (TRIGGER, CUE) and entry.lang == "zh")
            ):
                continue
            if entry.kind == TRIGGER:
                langs = gate.setdefault(key, (set(), set(), set()))
                langs[0].add(entry.lang)
                if flags & OPEN_END:
                    langs[2].add(entry.lang)
            elif entry.kind == CUE and entry.value == "guard":
                gate.setdefault(key, (set(), set(), set()))[1].add(entry.lang)
            elif entry.kind == COMPOUND:
                if len(key) <= 3:
                    listed.add(key)
                if is_hangul(key[-1]) and is_hangul(key[0]):
                    joins.add(key)
            elif entry.kind in (COUNTRY, ROLE) and all(is_hangul(c) for c in key):
                # "일본대사", "미국대통령": the title written solid after the country; and
                # the meeting noun after the title ("장관회담", "총리회담")
                joins.add(key)
            entry = shared.setdefault(entry, entry)
            # the original surface is kept only where a case check needs it; the case forms
            # of a name share one record, and a pattern with one record needs no list
            rec = (entry, flags, surface if flags & cased else "")
            rec = shared_recs.setdefault(rec, rec)
            recs = table.get(key)
            if recs is None:
                table[key] = rec
            elif isinstance(recs, list):
                if rec not in recs:
                    recs.append(rec)
            elif recs != rec:
                table[key] = [recs, rec]
        lex.records.clear()
        del folds, shared, shared_recs
        self._table = PatternTable(table, group_index, len(GROUPS))
        plain = self._table.plain
        self._lang_plains = [i for i, p in enumerate(plain) if p and any(e.lang for e in p)]
        self._gate = Gate(gate, frozenset(joins))
        self._joins = self._gate.joins
        self._listed = frozenset(listed)
        del table, gate
        self._plain_by_lang: dict[str, list[tuple[Entry, ...] | None]] = {}
        self.langs: dict[str, LangLex] = lex.langs
        self.english_names: dict[str, str] = lex.english_names
        assert lex.roster is not None
        self.roster: Roster = lex.roster
        self.handles = self.roster.by_handle()
        nexts: set[str] = set()
        for lang in self.langs.values():
            nexts.update(fold(n) for n in lang.compound_next)
        self._compound_next = tuple(sorted(nexts, key=len, reverse=True))
        if compile_now:
            self.__setstate__(self.__dict__)

    def __len__(self) -> int:
        return self._table.count

    # pickled by monitor/warmup.py; the automatons are rebuilt from their patterns, the
    # gazetteer's own per script when a text first needs it (``rules.bilateral.automata``)
    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        del state["_automaton"]
        state.pop("meeting_words", None)  # a bound method of the gate, bound again on load
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._automaton = ScriptAutomata(self._table.group_patterns, self._table.starts)
        self.meeting_words = self._gate.meeting_words

    def compile_all(self) -> None:
        """Compile every script's automaton now, not when a text first needs it."""
        self._automaton.compile_all()

    def raw_matches(self, folded: str) -> list[tuple[int, int, int]]:
        """The bare pass of one automaton over every pattern (the benchmark's reference)."""
        result: list[tuple[int, int, int]] = self._automaton.single().find_matches_as_indexes(
            folded
        )
        return result

    def scan(
        self, norm: Normalized, base_offset: int = 0, lang: str | None = None
    ) -> list[Mention]:
        """Mentions in ``norm`` (original offsets shifted by ``base_offset``).

        With ``lang``, entries of other languages' lexicons are left out (names, which belong
        to no language, are kept).
        """
        folded = norm.folded
        out: list[Mention] = []
        base = 0
        n = len(folded)
        plain_of = self._table.plain if lang is None else self._plain_for(lang)
        plain_id = self._table.plain_of
        find = self._automaton.find_matches_as_indexes
        identity = norm.starts is None
        while base < n:
            resume = -1
            hay = folded[base:] if base else folded
            for pid, s, e in find(hay):
                s += base
                e += base
                plain = plain_of[plain_id[pid]]
                # fast path: a pattern without case rules, between two non-letters
                if (
                    plain is not None
                    and (s == 0 or not is_word_char(folded[s - 1]))
                    and (e == n or not is_word_char(folded[e]))
                ):
                    if plain:
                        if identity:
                            out.append(Mention(s, e, s + base_offset, e + base_offset, plain))
                        else:
                            out.append(self._mention(norm, s, e, plain, base_offset))
                        continue
                    foreign = True  # only other languages' words here
                else:
                    keep = self._check(norm, pid, s, e)
                    foreign = bool(keep)
                    if keep and lang is not None:
                        keep = [x for x in keep if not x.lang or x.lang == lang]
                    if keep:
                        out.append(self._mention(norm, s, e, keep, base_offset))
                        continue
                if (
                    not foreign
                    and not spans_words(folded, s, e)
                    and not inner_starts(folded[s])
                    and not stationed(folded, s + 1)  # "한중" of "주한중국대사" hid "중국"
                ):
                    continue  # failed inside one word of a spaced script: nothing hides there
                resume = self._instead(norm, s, e, lang, foreign, out, base_offset)
                if resume >= 0:
                    break
            if resume < 0:
                break
            base = resume
        return out

    def _instead(
        self,
        norm: Normalized,
        s: int,
        e: int,
        lang: str | None,
        foreign: bool,
        out: list[Mention],
        base_offset: int,
    ) -> int:
        """Where to read on when the longest pattern at ``[s, e)`` gave nothing: -1 to go on
        with the automaton's next match, else a position to scan again from.

        Leftmost-longest, the automaton reported no pattern that starts inside the failed
        match, nor a shorter one at ``s``. Those are what a scan over the patterns of this
        text's language alone would have found: the Marathi "द्विपक्षीय चर्चा" hides the
        Hindi "द्विपक्षीय" and "चर्चा की" of a Hindi text, "washington post" the "Washington"
        of "Washington postponed", a "وي" the "يلتقي" of "ويلتقي" after its proclitic.
        So the longest pattern at ``s`` that this text accepts is taken instead, and the scan
        resumes at its end or, if there is none, at the next place a word may start.
        """
        folded = norm.folded
        # a pattern that failed its own tests inside one word of a spaced script leaves
        # nothing behind it: a shorter one at ``s`` ends inside the word too
        if (foreign or spans_words(folded, s, e) or script_of(folded[s]) == SCRIPT_CJK) and (
            boundary_before(folded, s)
        ):
            k, keep = self._shorter(norm, s, e, lang)
            if keep:
                out.append(self._mention(norm, s, k, keep, base_offset))
                return k
        return next_start(folded, s, e)

    def _plain_for(self, lang: str) -> list[tuple[Entry, ...] | None]:
        """Plain-pattern entries restricted to ``lang`` (an empty tuple when none is left)."""
        table = self._plain_by_lang.get(lang)
        if table is None:
            # only the entry lists with a language's word in them differ from the shared table
            plain = self._table.plain
            table = list(plain)
            for i in self._lang_plains:
                table[i] = tuple(e for e in plain[i] or () if not e.lang or e.lang == lang)
            self._plain_by_lang[lang] = table
        return table

    def _mention(
        self,
        norm: Normalized,
        s: int,
        e: int,
        keep: list[Entry] | tuple[Entry, ...],
        base_offset: int = 0,
    ) -> Mention:
        os, oe = norm.span(s, e)
        return Mention(s, e, os + base_offset, oe + base_offset, tuple(keep))

    def _check(self, norm: Normalized, pid: int, s: int, e: int) -> list[Entry] | tuple[Entry, ...]:
        folded = norm.folded
        keep: list[Entry] = []
        if not boundary_before(folded, s) and not joined(folded, s, self._joins):
            return keep
        t = self._table
        plain = t.plain[t.plain_of[pid]]
        if plain is not None:
            return plain if boundary_after(folded, e) else keep
        after: bool | None = None
        for entry, flags, surface in t.recs[t.rec_of[pid]]:
            if not flags & OPEN_END:
                if after is None:
                    after = boundary_after(folded, e)
                if not after:
                    continue
            if flags & (CASE_EXACT | CAP_INITIAL | SAME_CASE):
                os, oe = norm.span(s, e)
                if not case_ok(norm.original[os:oe], surface, flags):
                    continue
            if flags & NEED_NEXT and not self._next_ok(folded, e):
                continue
            if flags & NAME_PART and after_capitalised(norm, s):
                continue
            if flags & BEFORE_HYPHEN and not _hyphen_joined(folded, e):
                continue
            keep.append(entry)
        return keep

    def _shorter(
        self, norm: Normalized, s: int, e: int, lang: str | None = None
    ) -> tuple[int, list[Entry] | tuple[Entry, ...]]:
        """The end and entries of the longest pattern in ``folded[s:e - 1]`` that starts at
        ``s`` and passes its tests (and, given ``lang``, has an entry this text accepts)."""
        for pid, k in prefixes(self._automaton.longest_prefix, norm.folded, s, e):
            keep = self._check(norm, pid, s, k)
            if keep and lang is not None:
                keep = [x for x in keep if not x.lang or x.lang == lang]
            if keep:
                return k, keep
        return -1, []

    def _next_ok(self, folded: str, end: int) -> bool:
        rest = folded[end : end + 12].lstrip(" -·")
        # the Japanese genitive may stand between the pair and its noun: "日豪の防衛相会談"
        if rest.startswith(self._compound_next) or (
            rest[:1] == "の" and rest[1:].startswith(self._compound_next)
        ):
            return True
        # one of a list of compounds: "日中、日韓の首脳会談", "한미, 한일 정상회담"
        if rest[:1] in _COMPOUND_LIST:
            after = end + len(folded[end : end + 12]) - len(rest) + 1
            while after < len(folded) and folded[after] == " ":
                after += 1
            for k in (3, 2):
                if folded[after : after + k] in self._listed:
                    return self._next_ok(folded, after + k)
        return False

    def has_compound(self, mention: Mention) -> bool:
        return mention.first(COMPOUND) is not None


def _hyphen_joined(folded: str, end: int) -> bool:
    """A hyphen and a letter follow: "franco-allemand", not "un dialogue franco"."""
    return folded[end : end + 1] in ("-", "‐", "‑") and folded[end + 1 : end + 2].isalpha()


def build_gazetteer() -> Gazetteer:
    """A gazetteer compiled from the language data, its long-lived state copied into fresh
    memory once the lexicon and the build's garbage are gone (``compacted``)."""
    built = Gazetteer(build_lexicon(), compile_now=False)
    gz = Gazetteer.__new__(Gazetteer)
    gz.__setstate__(compacted(built.__dict__))
    return gz


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The process-wide gazetteer, built (or loaded) on first use."""
    gz: Gazetteer = loader_or(build_gazetteer)()
    return gz


def scan_text(text: str) -> tuple[Normalized, list[Mention]]:
    norm = normalize(text)
    return norm, gazetteer().scan(norm)
