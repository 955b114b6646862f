"""Cleaning a sentence's mentions before they are read.

The scan finds every pattern; some finds are wrong in context: a surname alias after a
different first name ("Melania Trump"), a place name inside an Arabic surname ("al-Sudani"),
or a word of another language's lexicon.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rules.bilateral.gazetteer import Mention
from rules.bilateral.records import CAPITAL, CITY, COUNTRY, CUE, DEMONYM, PERSON
from rules.bilateral.roster import Roster
from rules.dates import lexicon as datelex

_PLACE_KINDS = frozenset((COUNTRY, DEMONYM, CAPITAL, CITY))
# Capitalised words that may stand before a surname without being a first name.
_NOT_FIRST_NAMES = frozenset(
    """the a an and or but in on at by for with after before when while as so then also
    yesterday today earlier later meanwhile mr mrs ms dr sir dame lord shri smt sri herr
    frau m mme monsieur madame sr sra señor don doña sheikh emir king queen prince princess
    gen general adm admiral president premier chancellor minister le la les un une el los
    las der die das den dem des ein eine il lo gli o os as um uma monday tuesday wednesday
    thursday friday saturday sunday january february march april may june july august
    september october november december lundi mardi mercredi jeudi vendredi samedi dimanche
    lunes martes miércoles jueves viernes sábado domingo montag dienstag mittwoch donnerstag
    freitag samstag sonntag и в на""".split()  # noqa: SIM905
) | frozenset(
    # sentence adverbs that open news sentences before a bare surname ("Ранее Путин
    # встретился", "Wcześniej Duda rozmawiał", "Ayrıca Erdoğan"): Russian, Ukrainian,
    # Polish, Turkish
    """ранее затем также позднее потом тогда однако впоследствии кроме после накануне
    раніше згодом потім також тоді однак проте крім після напередодні пізніше
    wcześniej następnie potem także również jednak ponadto później wtedy natomiast
    ayrıca ardından sonra öte daha""".split()  # noqa: SIM905
)


@lru_cache(maxsize=64)
def _date_words(lang: str) -> frozenset[str]:
    """Month, weekday and relative-day words of ``lang`` ("Сегодня", "Gestern", "Lundi"):
    sentence-initial capitals that stand before a surname without being a first name."""
    if not lang or not datelex.known_language(lang):
        return frozenset()
    d = datelex.lexicon((lang,))
    words = {*d.months, *d.weekdays, *d.relative}
    return frozenset(w for w in words if " " not in w)


_PREV_WORD = re.compile(r"([^\W\d_][\w'’-]*)\s+$")  # a word, not one ending a sentence


def filter_language(mentions: list[Mention], lang: str, strict: bool) -> list[Mention]:
    """Keep only entries of ``lang`` (and language-neutral names) when we know the language."""
    if not strict:
        return mentions
    out: list[Mention] = []
    for m in mentions:
        entries = tuple(e for e in m.entries if not e.lang or e.lang == lang)
        if entries:
            out.append(
                m
                if len(entries) == len(m.entries)
                else Mention(m.start, m.end, m.ostart, m.oend, entries)
            )
    return out


# "ad" and "as" are also words of their own (Italian "ad Ankara", English "such as China"):
# as particles they are read only when hyphenated
_SURNAME_PARTICLE = re.compile(
    r"(?:^|\W)(?:(?:al|el|ul|ash|az)[-‐‑ ]|(?:ad|as)[-‐‑])$", re.IGNORECASE
)


def drop_surname_places(mentions: list[Mention], text: str) -> list[Mention]:
    """An Arabic surname built on a place name is not the place ("al-Sudani")."""
    out: list[Mention] = []
    for m in mentions:
        if m.ostart >= 2 and _SURNAME_PARTICLE.search(text, max(0, m.ostart - 5), m.ostart):
            rest = tuple(e for e in m.entries if e.kind not in _PLACE_KINDS)
            if rest:
                out.append(Mention(m.start, m.end, m.ostart, m.oend, rest))
            continue
        out.append(m)
    return out


_ELISION = ("'", "’")


def drop_elided_name_parts(mentions: list[Mention], text: str) -> list[Mention]:
    """An elided word written onto a capital is the start of a name, not a cue ("Sassou
    N'Guesso", "N'Djamena", "N'Diaye" hold no French negation "n'")."""
    out: list[Mention] = []
    for m in mentions:
        if (
            text[m.ostart : m.oend].endswith(_ELISION)
            and text[m.oend : m.oend + 1].isupper()
            and all(e.kind == CUE for e in m.entries)
        ):
            continue
        out.append(m)
    return out


def _own_first_name(word: str, roster: Roster, pid: int) -> bool:
    """Is ``word`` the person's own first name, perhaps declined ("Giorgiom Meloni")?"""
    w = word.lower()
    for alias in roster.people[pid].aliases:
        first = alias.split(" ")[0].lower()
        if " " in alias and len(first) >= 4 and w[:4] == first[:4]:
            n = 0
            while n < min(len(w), len(first)) and w[n] == first[n]:
                n += 1
            if n >= max(4, len(first) - 2):
                return True
    return False


def drop_other_first_names(
    mentions: list[Mention], text: str, roster: Roster, floor: int = 0, lang: str = ""
) -> list[Mention]:
    """A surname alias after an unknown first name is someone else ("Melania Trump").

    A capitalised date word of ``lang`` is no first name ("Сегодня Лавров встретился").
    """
    out: list[Mention] = []
    prev_end = -1
    for m in mentions:
        person = m.first(PERSON)
        surface = text[m.ostart : m.oend]
        # a first name is written in its surname's script: a capitalised Latin word before
        # "मोदी" is a title or an acronym ("PM मोदी"), not someone else's first name
        if (
            person is not None
            and " " not in surface.strip()
            and m.ostart > 0
            and any(c.isupper() or c.islower() for c in surface)
        ):
            hit = _PREV_WORD.search(text, max(floor, m.ostart - 30), m.ostart)
            if hit and hit.start(1) >= prev_end:
                word = hit.group(1)
                if (
                    word[:1].isupper()
                    and word.lower().rstrip(".") not in _NOT_FIRST_NAMES
                    and not _own_first_name(word, roster, int(person.value))
                    and datelex.fold(word) not in _date_words(lang)
                ):
                    rest = tuple(e for e in m.entries if e.kind != PERSON)
                    if rest:
                        out.append(Mention(m.start, m.end, m.ostart, m.oend, rest))
                    prev_end = m.oend
                    continue
        out.append(m)
        prev_end = m.oend
    return out
