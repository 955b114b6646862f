"""Which party an entity stands for: the roster's term in force on the text's date (a person
long out of office is no side), the country a role implies, the home term of an undated
text."""

from __future__ import annotations

from datetime import date

from rules.bilateral.frames import OFFICIAL_ROLES, Entity
from rules.bilateral.records import (
    BUILDING,
    CAPITAL,
    CITY,
    COMPOUND,
    COUNTRY,
    DEMONYM,
    FLAG,
    HANDLE,
    ORG,
    PERSON,
    REGION,
    ROLE,
)
from rules.bilateral.roster import Roster


def resolve(ent: Entity, roster: Roster, published: date | None, home: str = "") -> None:
    """Fill party, officialness and the other flags from the entity's parts; ``home`` is the
    country whose press the text is (it picks an undated person's term, see ``_home_term``)."""
    explicit = implied = ""
    for m in ent.parts:
        for e in m.entries:
            k = e.kind
            if k == PERSON and (ent.person < 0 or _better(roster, ent.person, e.value, published)):
                ent.former = ent.former and ent.person < 0
                _set_person(ent, roster, int(e.value), published)
                ent.source = "person"
            elif k == HANDLE and ent.person < 0 and not ent.source:
                if e.value.startswith("p:"):
                    _set_person(ent, roster, int(e.value[2:]), published)
                else:
                    ent.party = e.value
                    ent.official = True
                ent.source, ent.place_only = "handle", False
            elif k in (COUNTRY, DEMONYM, FLAG, CAPITAL, BUILDING) and not explicit:
                explicit = e.value
                ent.visit = ent.visit or e.extra == "visit"
                if k == DEMONYM:
                    ent.place_only = False
                if k in (CAPITAL, BUILDING, COUNTRY) and not ent.place_kind:
                    ent.place_kind, ent.place_name = k, e.extra
            elif k == CITY and not ent.place_kind:
                ent.place_kind, ent.place_name = CITY, e.extra
                ent.posting = ent.posting or e.value
            elif k == REGION:
                ent.subnational = True
                explicit = explicit or e.value
            elif k == ORG and not explicit:
                explicit = e.value
                ent.org, ent.org_party = True, e.extra == "party"
                ent.place_only = False
            elif k == COMPOUND and not ent.codes:
                ent.codes = tuple(e.value.split(","))
                ent.place_only = False
            elif k == ROLE:
                _set_role(ent, e.value)
                implied = implied or e.extra
    if ent.source in ("person", "handle") and ent.party:
        if (
            ent.person >= 0
            and explicit
            and explicit != ent.party
            and explicit in {t.party for t in roster.people[ent.person].terms}
        ):
            ent.party = explicit  # "Soviet FM Shevardnadze" (he later led Georgia)
        elif ent.person >= 0 and not explicit and ent.roles:
            _party_by_office(ent, roster)
        elif ent.person >= 0 and not explicit and published is None and home:
            _home_term(ent, roster, home)
        return
    if explicit:
        ent.party, ent.source = explicit, "explicit"
    elif implied:
        ent.party, ent.source = implied, "role"


def _better(roster: Roster, current: int, other: str, published: date | None) -> bool:
    """A shared alias ("Clinton", "Kirchner"): prefer the person in office on the date."""
    return (
        published is not None
        and not roster.people[current].in_office(published)
        and roster.people[int(other)].in_office(published)
    )


def _set_person(ent: Entity, roster: Roster, pid: int, published: date | None) -> None:
    person = roster.people[pid]
    term = person.term_at(published)
    ent.person = pid
    ent.place_only = False
    if term is not None:
        ent.party = term.party
        ent.official = True
        if term.party in _ORG_CODES:
            ent.org = ent.org_party = True
    if published is not None and not person.in_office(published):
        ent.former = ent.former or _left_long_ago(person, published)


def _party_by_office(ent: Entity, roster: Roster) -> None:
    """ "Secretary General Stoltenberg": the office the text names picks the term (NATO, not
    the Norway of his later posts), when only one of the person's terms held it."""
    fits = {t.party for t in roster.people[ent.person].terms if t.office in ent.roles}
    if len(fits) == 1 and ent.party not in fits:
        ent.party = next(iter(fits))
        ent.org = ent.org_party = ent.party in _ORG_CODES


def _home_term(ent: Entity, roster: Roster, home: str) -> None:
    """An undated text in a country's own language names that country's former leader by
    the national office, not by a later international post: a Dutch "Rutte" is the prime
    minister before he is NATO's secretary-general (a dated text picks the term by date)."""
    if ent.party != home and home in {t.party for t in roster.people[ent.person].terms}:
        ent.party = home
        ent.org = ent.org_party = False


def _set_role(ent: Entity, cls: str) -> None:
    ent.place_only = False
    if cls == "nonofficial":
        ent.nonofficial = True
    elif cls == "subnational":
        ent.subnational = True
    elif cls == "counterpart":
        ent.counterpart = ent.official = True
    elif cls in OFFICIAL_ROLES:
        ent.official = True


_ORG_CODES = frozenset(
    """UN EU NATO ASEAN AUC SCO WHO IAEA IMF WB WTO OSCE LAS GCC OIC OPEC UNESCO UNICEF
    UNHCR""".split()  # noqa: SIM905
)


def _left_long_ago(person: object, published: date) -> bool:
    from rules.bilateral.roster import Person

    assert isinstance(person, Person)
    ends = [t.end for t in person.terms if t.end is not None]
    return len(ends) == len(person.terms) and bool(ends) and (published - max(ends)).days > 60
