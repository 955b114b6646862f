"""Surnames alone as names of roster people ("Kerry", "Baerbock", "Maas", "Duda").

News text names a well-known official by surname after the first mention, and headlines do
so from the start. The roster lists full names; this derives, for every person, the last
word of the Latin name as a further alias when it is safe on any text:

- four letters or more, a capital initial (the gazetteer matches it only capitalised);
- one roster person only: a surname two people share ("Kim", "Khan", "Salman") says nobody;
- not a word the lexicon already knows (a country, city, role, meeting word or cue in any
  language: "Major", "Costa", "Jordan"), and not a first name of another roster person;
- not a name particle ("bin", "von", "da"), nor a father's name after "bin"/"ibn".

Runs once on the collected records, before the automaton is compiled; nothing happens per text.
"""

from __future__ import annotations

from collections import defaultdict

from rules.bilateral import inflect
from rules.bilateral.roster import Roster
from rules.text import fold

_PARTICLES = frozenset(
    "al el bin ibn bint von van der den de da dos das du di del la le ben abu ould".split()  # noqa: SIM905
)
_MIN_LEN = 4
# English everyday words, weekdays and places that are also surnames: capitalised at the start
# of a sentence or in a title, they would name a person ("Friday", "Major", "Austin").
_COMMON = frozenset(
    """
    monday tuesday wednesday thursday friday saturday sunday january february march april june
    july august september october november december english french major young long cook
    hunt baker bishop straw peach sing gang ming nova luna mason smith cooper wagner drew henry
    king rice bush price love hope rich strong little small wise bird stone wood hill field ford
    moore ward walker parker carter turner miller taylor hunter fisher church marshall page bell
    hall lord power sharp dean frank grant read best swift short booth burns banks mills wells
    fields woods knight summers winter spring chase cash gold silver steel rose nash rush duncan
    howard austin hague medina valencia kelantan davis peters simons young andrews campbell todd
    johnston nicholson reynolds wallace williamson gustaf michal halina blok borg kern stier
    linde marin long tong peng sang sein meta barre sharon mulk martí cruz reagan
    """.split()  # noqa: SIM905
)


# "Haitham bin Tariq": the word after these is the father's given name, not a family name
_PATRONYMIC = frozenset(("bin", "ibn", "bint", "binti", "ben", "ould", "abu"))


def _last_word(name: str) -> str:
    words = name.replace("-", " ").split()
    if len(words) < 2 or words[-2].lower() in _PATRONYMIC:
        return ""
    return words[-1]


def surname_aliases(roster: Roster, known: set[str]) -> dict[int, set[str]]:
    """Person id -> the surname forms to add (``known``: folded surfaces of other entries)."""
    owners: dict[str, set[int]] = defaultdict(set)
    given: set[str] = set()
    alias_of: dict[str, set[int]] = defaultdict(set)  # every alias on the roster, folded
    for person in roster.people:
        for alias in (person.name, *person.aliases):
            alias_of[fold(alias)].add(person.id)
            words = alias.split()
            given.update(fold(w) for w in words[:-1])
        last = _last_word(person.name)
        if last:
            owners[fold(last)].add(person.id)
    out: dict[int, set[str]] = {}
    for person in roster.people:
        last = _last_word(person.name)
        key = fold(last)
        if (
            len(last) < _MIN_LEN
            or not last.isalpha()
            or not last[0].isupper()
            or key in _PARTICLES
            or key in _COMMON
            or len(owners[key]) != 1
            or key in known
            or key in given
            or alias_of.get(key, {person.id}) != {person.id}
        ):
            continue
        forms = inflect.person_forms(last, "latin") | {last}
        out[person.id] = {f for f in forms if fold(f) not in known and fold(f) not in given}
    return out
