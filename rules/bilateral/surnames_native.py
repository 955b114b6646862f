"""Surnames alone in the Indic scripts ("ਦਿਸਾਨਾਇਕੇ", "దిసానాయకే", "അമരസൂരിയ").

``rules.bilateral.surnames`` derives a roster person's surname alone from the Latin name. The
South Asian press does the same in its own script, yet the roster mostly lists a person's full
name there. Where the Latin surname alone was found safe, the last word of each full name
written in an Indic script with as many words as the Latin name is the same surname, and is
added with the endings its script attaches, unless it is another entry's word, a given name
or another person's name in that script. Family-first names (Chinese, Korean) are left out:
their last word is the given name.
"""

from __future__ import annotations

from collections import defaultdict

from rules.bilateral import inflect
from rules.bilateral.roster import Roster
from rules.text import fold

# Bengali, Gurmukhi, Gujarati, Tamil, Telugu, Malayalam, Sinhala (the Hindi roster lists the
# surnames it can name alone, and Devanagari surnames such as "आनंद", "रूट" are common words)
_INDIC = (0x0980, 0x0E00)
_MIN_LEN = 3
# surnames common across South Asia: safe alone in Latin news, never in its own press
_COMMON_HERE = frozenset(
    "hossain hussain hasan rahman islam chowdhury haque uddin singh sharma kumar munir "  # noqa: SIM905
    "anand zaman mukherjee sajjan momen".split()
)


def _indic(word: str) -> bool:
    return all(_INDIC[0] <= ord(ch) < _INDIC[1] or ch in "\u200c\u200d" for ch in word)


def native_surnames(
    roster: Roster,
    latin: dict[int, str],
    given: set[str],
    alias_of: dict[str, set[int]],
    known: set[str],
) -> dict[int, set[str]]:
    """Person id -> surname forms in Indic scripts; ``latin``: person id -> the Latin surname
    found safe for that person."""
    found: dict[str, set[int]] = defaultdict(set)
    # a word inside another entry's phrase ("ਆਨੰਦ" in a phrase of joy) is a word, not a name
    inner = {w for phrase in known for w in phrase.split()}
    for pid, surname in latin.items():
        if fold(surname) in _COMMON_HERE:
            continue
        person = roster.people[pid]
        size = len(person.name.replace("-", " ").split())
        for alias in person.aliases:
            words = alias.split()
            if len(words) == size >= 2 and _indic(words[-1]) and len(words[-1]) >= _MIN_LEN:
                found[words[-1]].add(pid)
    out: dict[int, set[str]] = defaultdict(set)
    for word, pids in found.items():
        key = fold(word)
        if len({fold(latin[p]) for p in pids}) != 1 or key in inner or key in given:
            continue
        if not alias_of.get(key, pids) <= pids:
            continue  # another person's name in that script
        forms = inflect.person_forms(word) | {word}
        keep = {f for f in forms if fold(f) not in known and fold(f) not in given}
        for pid in pids:
            out[pid] |= keep
    return out
