"""The officials roster: who holds (or held) which office for which party, and when.

Loaded from ``rules/data/officials*.toml`` (``ROSTER_FILES``: the main file, predecessors, one
file per region and one for international organisations). A person can hold several terms
(Boris Johnson was foreign secretary, then prime minister; Mark Rutte was the Dutch prime
minister, then NATO's secretary-general); ``Person.term_at(day)`` picks the one in force on
the item's date, or the latest one when the date is unknown.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from importlib import resources


@dataclass(frozen=True, slots=True)
class Term:
    party: str  # ISO 3166-1 alpha-2 or an organisation code
    office: str  # hos, hog, fm, vp, minister, nsa, envoy, military, speaker, org_head
    start: date | None
    end: date | None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str  # canonical Latin-script name
    terms: tuple[Term, ...]
    aliases: tuple[str, ...]
    handles: tuple[str, ...]

    def term_at(self, day: date | None) -> Term | None:
        """The term in force on ``day`` (the latest term if ``day`` is None or not covered)."""
        if not self.terms:
            return None
        if day is not None:
            for term in reversed(self.terms):
                if term.covers(day):
                    return term
            # out of office on that day: the closest earlier term still names the party
            earlier = [t for t in self.terms if t.start is None or t.start <= day]
            if earlier:
                return earlier[-1]
        return self.terms[-1]

    def in_office(self, day: date | None) -> bool:
        if day is None:
            return True
        return any(t.covers(day) for t in self.terms)


@dataclass(frozen=True, slots=True)
class Roster:
    people: tuple[Person, ...]
    office_handles: dict[str, str]  # lower-case "@handle" -> party code

    def by_handle(self) -> dict[str, int]:
        return {h.lower(): p.id for p in self.people for h in p.handles}


# The roster files, in a fixed order (a person's id is their position in the concatenation).
# The first one also holds the office accounts ([office_handle]).
ROSTER_FILES = (
    "officials.toml",
    "officials-history.toml",
    "officials-asia.toml",
    "officials-mideast.toml",
    "officials-europe.toml",
    "officials-africa.toml",
    "officials-americas.toml",
    "officials-orgs.toml",
)


def _date(value: str) -> date | None:
    return date.fromisoformat(value) if value else None


def load_roster() -> Roster:
    folder = resources.files("rules").joinpath("data")
    raw = tomllib.loads(folder.joinpath(ROSTER_FILES[0]).read_text(encoding="utf-8"))
    records = list(raw.get("person", []))
    for name in ROSTER_FILES[1:]:
        more = tomllib.loads(folder.joinpath(name).read_text(encoding="utf-8"))
        records += more.get("person", [])
    people: list[Person] = []
    for i, rec in enumerate(records):
        terms = tuple(
            Term(party=t[0], office=t[1], start=_date(t[2]), end=_date(t[3]))
            for t in rec.get("terms", [])
        )
        people.append(
            Person(
                id=i,
                name=rec["name"],
                terms=terms,
                aliases=tuple(rec.get("aliases", [])),
                handles=tuple(rec.get("handles", [])),
            )
        )
    handles = {k.lower(): v for k, v in raw.get("office_handle", {}).items()}
    return Roster(people=tuple(people), office_handles=handles)


_loader: Callable[[], Roster] = load_roster


def load_with(loader: Callable[[], Roster]) -> None:
    """Have ``roster()`` obtain the roster from ``loader`` (a cache at the edge)."""
    global _loader
    _loader = loader


def roster() -> Roster:
    """The roster through the process's loader (``load_roster`` unless a cache was set)."""
    return _loader()
