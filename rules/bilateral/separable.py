"""Separable verbs: a finite verb and the particle its main clause puts at the end.

German and Dutch split a verb such as "absagen" (cancel) or "samenkomen" (meet) in a main
clause: the finite stem stands second and the particle closes the clause ("sagt das für
Montag geplante Treffen mit ... ab", "stelt zijn reis naar ... uit"). A phrase list cannot
hold the words in between, so each language file lists, under ``[separable]``, the particle
and the finite forms of the base verb, grouped by the trigger group or cue the whole verb
reads as. A sentence is searched for a particle that ends its clause and, before it in the
same clause, one of that verb's finite forms (``rules.bilateral.status.split_verbs`` turns
them into triggers and cues).

The joined forms (a subordinate clause's "..., weil er das Treffen absagt", "dat hij zijn
reis uitstelt") are ordinary phrases; ``joined_forms`` spells them for the lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Set
from typing import NamedTuple

from rules.bilateral.automata import compile_automaton
from rules.text import fold

TRIGGER_GROUPS = frozenset(("held", "weak", "visit", "scheduled", "call", "present", "talk"))
# the clause a particle closes: no sentence-internal break of a clause list, and a main
# clause long enough for an object, a date and a place between verb and particle
_REACH = 220
_CLAUSE_STOP = re.compile(r"[;:!?()\"«»“”]| [–—] ")
# the last clause stop of a window, in one search (the greedy prefix backs off from its end)
_LAST_STOP = re.compile(r"(?s:.*)([;:!?()\"«»“”]| [–—] )")
_WORD = re.compile(r"\w+(?:-\w+)*")
# what may follow a clause-final particle: the end of the clause or sentence
_END = re.compile(r"\s*(?:[.,;:!?)\"»”]|$)")


class Separable(NamedTuple):
    """One separable verb: the particle and the finite forms of its base verb."""

    name: str  # trigger group or cue name
    particle: str  # folded
    forms: frozenset[str]  # folded finite forms

    @property
    def trigger(self) -> bool:
        return self.name in TRIGGER_GROUPS


def parse(table: dict[str, list[str]]) -> tuple[tuple[Separable, ...], frozenset[str]]:
    """``[separable]`` of a language file: (verbs, words allowed after a particle).

    Each entry is "particle: form form ...", e.g. ``cancel = ["ab: sagt sagen sagte"]``.
    """
    verbs: list[Separable] = []
    nxt: frozenset[str] = frozenset(fold(w) for w in table.get("next", []))
    for name, items in table.items():
        if name == "next":
            continue
        for item in items:
            particle, _, forms = item.partition(":")
            words = frozenset(fold(w) for w in forms.split())
            if not particle.strip() or not words:
                raise ValueError(f"separable entry {item!r}: want 'particle: form form ...'")
            verbs.append(Separable(name, fold(particle.strip()), words))
    return tuple(verbs), nxt


def joined_forms(verbs: Iterable[Separable]) -> Iterator[tuple[str, str]]:
    """(name, particle + form) for each verb: the order of a subordinate clause."""
    for v in verbs:
        for form in sorted(v.forms):
            yield v.name, v.particle + form


def _closes_clause(folded: str, end: int, nxt: frozenset[str]) -> bool:
    if _END.match(folded, end):
        return True
    m = _WORD.match(folded, end + 1) if folded[end : end + 1] == " " else None
    return m is not None and m.group() in nxt


class SplitVerbs:
    """Separable verbs compiled for search, once per lexicon (``LangLex.split``) or for
    several languages together (the gate of a text of no declared language)."""

    __slots__ = ("_by_particle", "_closing", "_keys", "_particle_re", "nxt", "triggers", "verbs")

    def __init__(self, verbs: tuple[Separable, ...], nxt: frozenset[str]) -> None:
        self.verbs = verbs
        self.nxt = nxt
        self.triggers = frozenset(v.particle for v in verbs if v.trigger)
        by_particle: dict[str, list[Separable]] = {}
        for v in verbs:
            by_particle.setdefault(v.particle, []).append(v)
        self._by_particle = {p: tuple(vs) for p, vs in by_particle.items()}
        # a particle as ``_WORD`` would read it: not inside a word or a hyphened compound
        alts = "|".join(re.escape(p) for p in sorted(by_particle, key=len, reverse=True))
        self._particle_re = re.compile(rf"(?<!\w)(?<!\w-)(?:{alts})(?!\w|-\w)")
        # each meeting verb's particle with what may close its clause after it
        ends = [*_CLOSERS, *(" " + c for c in _CLOSERS), *(f" {w} " for w in sorted(nxt))]
        ends += [f" {w}{c}" for w in sorted(nxt) for c in _CLOSERS]
        self._keys = [p for p in sorted(self.triggers) for _ in ends]
        self._closing = compile_automaton(p + e for p in sorted(self.triggers) for e in ends)

    # pickled with the gazetteer (``monitor.warmup``): the automaton cannot be, so it is
    # rebuilt from the verbs
    def __reduce__(self) -> tuple[type[SplitVerbs], tuple[tuple[Separable, ...], frozenset[str]]]:
        return SplitVerbs, (self.verbs, self.nxt)

    def may_hold(self, folded: str) -> frozenset[str]:
        """The meeting verbs' particles that stand in ``folded`` as a word where
        ``_closes_clause`` would accept them: one automaton pass (a regex or a substring
        test per particle cost most of a quiet text's reading: "an", "op" are in nearly
        every text). Empty for most texts."""
        found: set[str] = set()
        for pi, s, _ in self._closing.find_matches_as_indexes(folded):
            if s == 0 or not (folded[s - 1] == "-" or folded[s - 1].isalnum()):
                found.add(self._keys[pi])
        last = folded[-60:].split()[-2:]  # the text may end with the particle (and a next word)
        if last and last[-1] in self.triggers:
            found.add(last[-1])
        elif len(last) == 2 and last[1] in self.nxt and last[0] in self.triggers:
            found.add(last[0])
        return frozenset(found)

    def find(
        self, folded: str, triggers_only: bool = False, particles: frozenset[str] | None = None
    ) -> list[tuple[Separable, int, int, int]]:
        """(verb, verb start, verb end, particle end) for each split verb in ``folded``
        (of the ``particles`` given only, e.g. those ``may_hold`` saw)."""
        wanted: Set[str] = self.triggers if triggers_only else self._by_particle.keys()
        if particles is not None:
            wanted = wanted & particles
        if not wanted:
            return []
        out: list[tuple[Separable, int, int, int]] = []
        for m in self._particle_re.finditer(folded):
            w, s, e = m.group(), m.start(), m.end()
            if w not in wanted or not _closes_clause(folded, e, self.nxt):
                continue
            verbs = [v for v in self._by_particle[w] if v.trigger or not triggers_only]
            # the clause before the particle: the window a verb may stand in, back to the
            # word it cuts, and after the last clause stop in it
            lo = max(0, s - _REACH)
            while lo > 0 and (folded[lo - 1].isalnum() or folded[lo - 1] in "-_"):
                lo -= 1
            stop = _LAST_STOP.match(folded, lo, s)
            after = stop.start(1) if stop is not None else -1
            words = [(t.group(), t.start(), t.end()) for t in _WORD.finditer(folded, lo, s)]
            for v in verbs:
                # the nearest finite form before the particle, in the same clause
                for w2, s2, e2 in reversed(words[-40:]):
                    if s - e2 > _REACH or after >= e2:
                        break
                    if w2 in v.forms:
                        out.append((v, s2, e2, e))
                        break
        return out

    def gate(self, folded: str, particles: frozenset[str] | None = None) -> list[int]:
        """Offsets of split meeting verbs (the meeting-word gate's share: cues need a
        trigger anyway); ``particles``: what ``may_hold`` already found, if it ran."""
        if particles is None:
            particles = self.may_hold(folded)
        if not particles:
            return []
        return [s for _, s, _, _ in self.find(folded, True, particles)]


class SplitGate:
    """Every language's split meeting verbs together: the gate of a text of no declared
    language pays one automaton pass for all of them."""

    def __init__(self, langs: Iterable[tuple[str, SplitVerbs]]) -> None:
        self.langs = list(langs)
        verbs = tuple(v for _, sv in self.langs for v in sv.verbs)
        self.together = SplitVerbs(verbs, frozenset(w for _, sv in self.langs for w in sv.nxt))

    def find(self, segments: list[str]) -> dict[str, list[list[int]]]:
        """Offsets of split meeting verbs in each folded segment, by language (only the
        languages that have some)."""
        seen = [self.together.may_hold(folded) for folded in segments]
        found: dict[str, list[list[int]]] = {}
        if not any(seen):
            return found  # most texts end here
        for code, sv in self.langs:
            if not any(sv.triggers & particles for particles in seen):
                continue  # find runs only where one of this language's particles stands
            offsets = [sv.gate(f, ps) for f, ps in zip(segments, seen, strict=True)]
            if any(offsets):
                found[code] = offsets
        return found


_CLOSERS = (".", ",", ";", ":", "!", "?", ")", '"', "»", "”", "\n")
