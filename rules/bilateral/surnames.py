"""Surnames alone as names of roster people ("Kerry", "Baerbock", "Maas", "Duda").

News text names a well-known official by surname after the first mention, and headlines do
so from the start. The roster lists full names; this derives, for every person, the family
name of the Latin name (its last word; its first for Chinese, Korean and Vietnamese names)
as a further alias when it is safe on any text:

- four letters or more, a capital initial (the gazetteer matches it only capitalised);
- one roster person only, or up to three office holders of one country ("Sharif",
  "Rajapaksa"): a surname people of several countries share ("Kim", "Salman") says nobody,
  nor does a name common everywhere ("Khan");
- not a word the lexicon already knows (a country, city, role, meeting word or cue in any
  language: "Major", "Costa", "Jordan"), and not a first name of another roster person
  (a Spanish paternal surname is not one: "Sánchez" of "Salvador Sánchez Cerén", whom the
  roster also calls "Sánchez Cerén", leaves "Sánchez" to Pedro Sánchez);
- not a name particle ("bin", "von", "da"), nor a father's name after "bin"/"ibn".

Runs once on the collected records, before the automaton is compiled; nothing happens per text.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict

from rules.bilateral import inflect
from rules.bilateral.roster import Person, Roster
from rules.bilateral.surnames_native import native_surnames
from rules.text import fold

_PARTICLES = frozenset(
    "al el bin ibn bint von van der den de da dos das du di del la le ben abu ould".split()  # noqa: SIM905
)
_MIN_LEN = 4
# English everyday words, weekdays and places that are also surnames: capitalised at the start
# of a sentence or in a title, they would name a person ("Friday", "Major", "Austin"); and
# surnames so common in their language's news that alone they name nobody ("Rodríguez").
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
    johnson johnston nicholson reynolds wallace williamson gustaf michal halina blok borg kern
    stier linde marin long tong peng sang sein meta barre sharon mulk martí cruz reagan peña
    álvarez alvarez espinosa sosa rodríguez ramírez
    """.split()  # noqa: SIM905
)


# "Haitham bin Tariq": the word after these is the father's given name, not a family name
_PATRONYMIC = frozenset(("bin", "ibn", "bint", "binti", "ben", "ould", "abu"))
# Everyday words and given names common in many countries: a roster's holders all being of
# one country does not make the word alone theirs.
_COMMON_SHARED = frozenset(("khan", "ibrahim", "fall", "ali", "ahmed", "kumar", "hassan"))
# Presses of these countries, and the world's press after them, put the family name first:
# "Qin Gang" is Mr Qin, "Yoon Suk Yeol" is President Yoon.
_FAMILY_FIRST = frozenset(("CN", "TW", "HK", "MO", "KR", "KP", "VN"))
_MAX_SHARED = 3  # one family's office holders ("Sharif", "Rajapaksa"), not a common name


def _plain(word: str) -> str:
    """A word without case or accents: "Luís" and "Luis" are one given name."""
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold()) if c.isalnum())


# generational suffixes: "Ferdinand Marcos Jr." is Mr Marcos ("Charles III", a regnal name
# of one word and a number, has no family name)
_SUFFIXES = frozenset(("jr", "jr.", "sr", "sr.", "ii", "iii", "iv"))


def _last_word(name: str) -> str:
    if len(name.split()) > 2 and name.split()[-1].lower() in _SUFFIXES:
        name = name.rsplit(None, 1)[0]
    words = name.replace("-", " ").split()
    if len(words) < 2 or words[-2].lower() in _PATRONYMIC:
        return ""
    return words[-1]


def _family_name(person: Person) -> str:
    """The Latin name's family name: its first word where the family name comes first."""
    if person.terms and all(t.party in _FAMILY_FIRST for t in person.terms):
        words = person.name.split()
        return words[0] if len(words) >= 2 else ""
    return _last_word(person.name)


def _parties(roster: Roster, ids: set[int]) -> set[str]:
    return {t.party for i in ids for t in roster.people[i].terms}


def surname_aliases(roster: Roster, known: set[str]) -> dict[int, set[str]]:
    """Person id -> the surname forms to add (``known``: folded surfaces of other entries).

    A surname several holders share counts when they are all of one country and few
    ("Sharif", "Rajapaksa", "Clinton"): the detector's resolver picks the one in office on
    the text's date, and the side is the same country whichever it is."""
    owners: dict[str, set[int]] = defaultdict(set)
    given: set[str] = set()
    surnames_only: set[str] = set()
    alias_of: dict[str, set[int]] = defaultdict(set)  # every alias on the roster, folded
    family: dict[int, str] = {}
    for person in roster.people:
        family[person.id] = name = _family_name(person)
        own = fold(name) if name else ""
        full = [_plain(w) for w in person.name.split()]
        for alias in (person.name, *person.aliases):
            alias_of[fold(alias)].add(person.id)
            words = alias.split()
            # a person's own family name written first ("Hayashi Yoshimasa", the Japanese
            # order) is not a given name
            given.update(f for f in map(fold, words[:-1]) if f != own)
            if 2 <= len(words) < len(full) and [_plain(w) for w in words] == full[-len(words) :]:
                # the name without its given name ("Sánchez Cerén" of Salvador Sánchez
                # Cerén): a paternal surname, not a given name
                surnames_only.update(fold(w) for w in words)
        if name:
            owners[fold(name)].add(person.id)
    given -= surnames_only
    for person in roster.people:  # a family name that comes first is not a given name
        name = family[person.id]
        if name and person.name.startswith(name):
            given.discard(fold(name))
    out: dict[int, set[str]] = {}
    latin: dict[int, str] = {}
    for person in roster.people:
        name = family[person.id]
        forms = _forms(roster, person.id, name, owners, given, alias_of, known) if name else None
        if forms:
            out[person.id] = forms
        # safe alone: derived here, or listed alone on the roster ("Takaichi"); not a
        # family-first name (its native spellings end in the given name)
        alone = bool(forms) or alias_of.get(fold(name)) == {person.id}
        if name and alone and not person.name.startswith(name):
            latin[person.id] = name
    for pid, forms in native_surnames(roster, latin, given, alias_of, known).items():
        out.setdefault(pid, set()).update(forms)
    return out


def _forms(
    roster: Roster,
    pid: int,
    name: str,
    owners: dict[str, set[int]],
    given: set[str],
    alias_of: dict[str, set[int]],
    known: set[str],
) -> set[str]:
    key = fold(name)
    mine = owners[key]
    if (
        len(name) < _MIN_LEN
        or not name.isalpha()
        or not name[0].isupper()
        or key in _PARTICLES
        or key in _COMMON
        or key in known
        or key in given
        or not alias_of.get(key, {pid}) <= mine
    ):
        return set()
    if len(mine) > 1 and (
        len(mine) > _MAX_SHARED or len(_parties(roster, mine)) != 1 or key in _COMMON_SHARED
    ):
        return set()
    forms = inflect.person_forms(name, "latin") | {name}
    return {f for f in forms if fold(f) not in known and fold(f) not in given}
