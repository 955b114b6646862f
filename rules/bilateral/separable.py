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
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from ahocorasick_rs import AhoCorasick

from rules.bilateral.automata import compile_automaton
from rules.text import fold

TRIGGER_GROUPS = frozenset(("held", "weak", "visit", "scheduled", "call", "present", "talk"))
# the clause a particle closes: no sentence-internal break of a clause list, and a main
# clause long enough for an object, a date and a place between verb and particle
_REACH = 220
_CLAUSE_STOP = re.compile(r"[;:!?()\"«»“”]| [–—] ")
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


def find(
    folded: str, verbs: tuple[Separable, ...], nxt: frozenset[str], triggers_only: bool = False
) -> list[tuple[Separable, int, int, int]]:
    """(verb, verb start, verb end, particle end) for each split verb in ``folded``."""
    if not verbs:
        return []
    particles = {v.particle for v in verbs if v.trigger or not triggers_only}
    words = [(m.group(), m.start(), m.end()) for m in _WORD.finditer(folded)]
    out: list[tuple[Separable, int, int, int]] = []
    for i, (w, s, e) in enumerate(words):
        if w not in particles or not _closes_clause(folded, e, nxt):
            continue
        for v in verbs:
            if v.particle != w or (triggers_only and not v.trigger):
                continue
            # the nearest finite form before the particle, in the same clause
            for w2, s2, e2 in reversed(words[max(0, i - 40) : i - 1]):
                if s - e2 > _REACH or _CLAUSE_STOP.search(folded, e2, s):
                    break
                if w2 in v.forms:
                    out.append((v, s2, e2, e))
                    break
    return out


def gate(folded: str, verbs: tuple[Separable, ...], nxt: frozenset[str]) -> list[int]:
    """Offsets of split meeting verbs (the meeting-word gate's share: cues need a trigger
    anyway)."""
    if not may_hold(folded, verbs, nxt):
        return []
    return [s for _, s, _, _ in find(folded, verbs, nxt, triggers_only=True)]


def may_hold(folded: str, verbs: tuple[Separable, ...], nxt: frozenset[str]) -> bool:
    """Could ``folded`` hold a split meeting verb of ``verbs``: does a meeting verb's particle
    stand as a word where ``_closes_clause`` would accept it? One automaton pass (a regex
    or a substring test per particle cost most of a quiet text's reading: "an", "op" are
    in nearly every text); ``verbs`` may be several languages' together."""
    particles, automaton = _closings(verbs, nxt)
    for _, s, _ in automaton.find_matches_as_indexes(folded):
        if s == 0 or not (folded[s - 1] == "-" or folded[s - 1].isalnum()):
            return True
    last = folded[-60:].split()[-2:]  # the text may end with the particle (and a next word)
    if last and last[-1] in particles:
        return True
    return len(last) == 2 and last[1] in nxt and last[0] in particles


@lru_cache(maxsize=16)
def _closings(
    verbs: tuple[Separable, ...], nxt: frozenset[str]
) -> tuple[frozenset[str], AhoCorasick]:
    """Each meeting verb's particle with what may close its clause after it."""
    particles = frozenset(v.particle for v in verbs if v.trigger)
    ends = [*_CLOSERS, *(" " + c for c in _CLOSERS), *(f" {w} " for w in nxt)]
    ends += [f" {w}{c}" for w in nxt for c in _CLOSERS]
    return particles, compile_automaton(p + e for p in sorted(particles) for e in ends)


_CLOSERS = (".", ",", ";", ":", "!", "?", ")", '"', "»", "”", "\n")
