"""Reading one sentence: mentions -> entities (who), their grammatical slot, and their party.

An *entity* is a run of adjacent mentions joined only by glue ("'s", "of", "के", "の", "de"):
"Afghanistan's President Ashraf Ghani", "चीन के विदेश मंत्री वांग यी", "son homologue russe".
Each entity gets a party (person's term > handle > explicit country/demonym/org > the
country a role implies), flags that keep it out of pairs (a place, a topic, a dateline, a
former or non-official person, a sports team, a summit), and the slot its neighbours give
it (subject, "with" object, location, destination).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from rules.bilateral.gazetteer import Mention
from rules.bilateral.glue import is_glue, words_of
from rules.bilateral.lexicon import LangLex
from rules.bilateral.records import (
    BUILDING,
    CAPITAL,
    CITY,
    COMPOUND,
    COUNTRY,
    CUE,
    DEMONYM,
    FLAG,
    FORUM,
    HANDLE,
    ORG,
    PERSON,
    REGION,
    ROLE,
    TRIGGER,
)
from rules.bilateral.roster import Roster
from rules.bilateral.structure_words import structure_words
from rules.bilateral.tails import case_closed, genitive_end, in_place

_PLACE_KINDS = frozenset((COUNTRY, CAPITAL, CITY, BUILDING, REGION, FLAG))
_PART_KINDS = frozenset(
    (COUNTRY, DEMONYM, CAPITAL, CITY, BUILDING, REGION, ORG, PERSON, HANDLE, ROLE, FLAG, COMPOUND)
)
_OWNING = frozenset((COUNTRY, DEMONYM, FLAG, CAPITAL))  # places whose person is theirs
_COUNTRYISH = frozenset((COUNTRY, DEMONYM, CAPITAL, BUILDING, REGION, ORG, FLAG, COMPOUND, CITY))
# the offices of a national government: whose they are follows from the country (its own
# press, a demonym, the host), unlike an envoy's, an organisation head's or an "official"'s
NATIONAL_OFFICES = frozenset(("hos", "hog", "fm", "minister", "military", "speaker", "vp"))
OFFICIAL_ROLES = NATIONAL_OFFICES | {"envoy", "official", "org_head"}
_ROLE_RANK = {
    "hos": 9, "hog": 9, "fm": 8, "org_head": 8, "minister": 7, "speaker": 6, "military": 6,
    "envoy": 6, "counterpart": 5, "official": 3, "subnational": 2, "nonofficial": 1,
}  # fmt: skip


@dataclass(slots=True)
class Entity:
    start: int  # folded span
    end: int
    ostart: int
    oend: int
    parts: list[Mention] = field(default_factory=list)
    party: str = ""
    source: str = ""  # person | handle | explicit | role | home | host | actor
    codes: tuple[str, ...] = ()  # a CJK compound names two or three parties at once
    person: int = -1
    role: str = ""
    roles: set[str] = field(default_factory=set)
    official: bool = False
    nonofficial: bool = False
    subnational: bool = False
    former: bool = False
    counterpart: bool = False
    place_only: bool = True
    place_name: str = ""
    place_kind: int = 0
    org: bool = False
    org_party: bool = False
    posting: str = ""
    slot: str = ""  # subj | with | loc | dest | topic | by | obj | ""
    dateline: bool = False
    forum: bool = False
    visit: bool = False  # 访华, 来日: the country is a visit's destination

    @property
    def usable(self) -> bool:
        """Can this entity be a side of a bilateral meeting?"""
        if self.nonofficial or self.former or self.dateline or self.forum:
            return False
        if self.slot in ("loc", "topic"):
            return False
        if self.place_only and self.place_kind == CITY:
            return False
        if self.org and not self.org_party:
            return False
        return bool(self.party or self.codes)


def bare_demonym(ent: Entity) -> bool:
    """A country word alone: no role, person, organisation or compound goes with it."""
    return not ent.role and ent.person < 0 and not ent.org and not ent.codes and bool(ent.party)


_GENITIVE_FIRST = frozenset(("hi", "ur", "mr", "gu", "bn", "ta", "ja", "ko"))
_LEADERS = frozenset(("hos", "hog"))
_SEATED = frozenset(("hog", "fm", "minister", "speaker", "military", "subnational"))
_NOT_OWNED = {"hos": _LEADERS, "hog": _LEADERS, "envoy": _SEATED, "official": _SEATED}


def build_entities(
    mentions: list[Mention],
    folded: str,
    lex: LangLex,
    en: LangLex | None,
    lang: str = "",
    roster: Roster | None = None,
    original: str = "",
) -> list[Entity]:
    """Group adjacent entity mentions into entities (text order)."""
    out: list[Entity] = []
    cur: Entity | None = None
    prev_end = -1
    prev_oend = 0
    for i, m in enumerate(mentions):
        kinds = {e.kind for e in m.entries}
        if not kinds & _PART_KINDS or (
            kinds & {TRIGGER, CUE, FORUM}
            and not kinds
            & {
                COUNTRY,
                PERSON,
                HANDLE,
            }
        ):
            cur = None
            prev_end = m.end
            continue
        gap = folded[prev_end : m.start] if cur is not None else ""
        if cur is not None and _not_its_possessor(cur, m, kinds, gap, folded, lex, lang):
            cur = Entity(m.start, m.end, m.ostart, m.oend, [m])
            out.append(cur)
        elif (
            cur is not None
            and not cur.role
            and kinds & {PERSON, HANDLE, ROLE}
            and in_place(folded[cur.start : cur.end], lex)
        ):
            # "ചൈനയിൽ പ്രധാനമന്ത്രി", "ఢిల్లీలో ప్రధాని": a place in the locative case is
            # where the one named next is, not whose official they are
            cur = Entity(m.start, m.end, m.ostart, m.oend, [m])
            out.append(cur)
        elif cur is not None and _qualifies(cur, kinds, gap, mentions[i + 1 : i + 2], lang):
            cur = Entity(m.start, m.end, m.ostart, m.oend, [m])
            out.append(cur)
        elif cur is not None and case_closed(folded[cur.start : cur.end], cur.parts[-1], lex):
            # "మారిషస్ అధ్యక్షుడితో సీఎం ...", "પીએમએ કેનેડાના વડાપ્રધાન ...": a name with a
            # comitative, accusative or agent ending closes its phrase; what follows is another
            cur = Entity(m.start, m.end, m.ostart, m.oend, [m])
            out.append(cur)
        elif (
            cur is not None
            and "envoy" in cur.roles
            and _posting_gap(gap, lex, en)
            and kinds & {COUNTRY, CAPITAL, ORG}
        ):
            # "ambassador to India", "سفير ... لدى مصر": where the envoy is posted, not whose
            entry = m.first(COUNTRY) or m.first(CAPITAL) or m.first(ORG)
            cur.posting = entry.value if entry else ""
            cur.end, cur.oend = m.end, m.oend
        elif (
            cur is not None
            and (
                is_glue(gap, lex, en)
                or _ministry_gap(cur, m, original, prev_oend, gap, lex)
                or _portfolio_gap(cur, m, gap, lex)
            )
            and _fits(cur, m, roster)
            and not _next_title(cur, m, gap, lang)
            and not _new_titled(cur, m, mentions[i + 1 : i + 2], folded, gap, lang)
        ):
            cur.parts.append(m)
            cur.end, cur.oend = m.end, m.oend
        else:
            cur = Entity(m.start, m.end, m.ostart, m.oend, [m])
            out.append(cur)
        _note_role(cur, m)
        prev_end = m.end
        prev_oend = m.oend
    return out


def _not_its_possessor(
    cur: Entity, m: Mention, kinds: set[int], gap: str, folded: str, lex: LangLex, lang: str
) -> bool:
    """Where the possessor comes first ("प्रधानमंत्री की अमेरिका यात्रा", "प्रधानमन्त्रीको चीन
    भ्रमण"), a country after a titled official's genitive is something else (the visit's goal),
    as is one with a visit word right after it ("美 국무장관 방한": the visitor, then where to);
    and no leader has a leader, no envoy or delegation a minister of its own ("ईरानी राष्ट्रपति
    का प्रधानमंत्री को फोन", "امریکی سفیر کی وزیر داخلہ سے")."""
    if not (cur.role or any(p.first(PERSON) for p in cur.parts)):
        return False
    genitive_first = lang in _GENITIVE_FIRST
    if kinds & _COUNTRYISH and not kinds & {PERSON, HANDLE, ROLE}:
        visit = any(e.extra == "visit" for e in m.entries)
        if genitive_first and (gap.strip() or visit):
            return True
        return genitive_end(folded[cur.start : cur.end], lex)
    title = getattr(m.first(ROLE), "value", "")
    return genitive_first and bool(gap.strip()) and title in _NOT_OWNED.get(cur.role, ())


# languages that put a title before the name ("प्रधानमंत्री मोदी", "പ്രധാനമന്ത്രി മോദി",
# "பிரதமர் மோடி"), never after it: in the verb-final ones a bare subject is often followed
# straight by the object's title ("മുയിസു പ്രധാനമന്ത്രിയുമായി")
_TITLE_FIRST = frozenset(("hi", "ur", "mr", "gu", "bn", "ne", "pa", "ml", "ta", "te", "si"))


def _next_title(ent: Entity, m: Mention, gap: str, lang: str) -> bool:
    """ "मोदी राष्ट्रपति सिरिसेना से": a bare title right after a name is the next person's,
    and so is one right after an envoy's ("ඉන්දීය මහ කොමසාරිස් විදේශ අමාත්‍යාංශයට": no
    title is the envoy's). A title ends its official's phrase where it follows the name
    ("이 대통령, 트럼프와"): whatever follows the headline comma is another side."""
    if lang in ("ja", "ko") and ent.parts and ent.parts[-1].first(ROLE) is not None:
        return any(c in gap for c in ",、，")
    last = ent.parts[-1] if ent.parts else None
    return (
        lang in _TITLE_FIRST
        and not gap.strip()
        and last is not None
        and (last.first(PERSON) is not None or (_envoy(last) and not _envoy(m)))
        and m.first(ROLE) is not None
        and m.first(PERSON) is None
    )


def _qualifies(cur: Entity, kinds: set[int], gap: str, nxt: list[Mention], lang: str) -> bool:
    """ "পররাষ্ট্রমন্ত্রী মালয়েশিয়ার প্রধানমন্ত্রী": a country between a bare title and the next
    title or name is that one's (not in Urdu: "وزیر خارجہ پاکستان")."""
    return (
        lang in _TITLE_FIRST - {"ur"}
        and not gap.strip()
        and bool(cur.role)
        and not any(p.first(PERSON) for p in cur.parts)
        and bool(kinds & {COUNTRY, DEMONYM})
        and not kinds & {PERSON, HANDLE, ROLE}
        and any(e.kind in (ROLE, PERSON) for n in nxt for e in n.entries)
    )


def _envoy(m: Mention) -> bool:
    return any(e.kind == ROLE and e.value == "envoy" for e in m.entries)


# languages that put the country after the title ("prezydent Francji", "президент России",
# "Thủ tướng Nhật Bản"), with the genitive word that may stand between a country and a title
# that is not its own ("chuyến thăm Việt Nam của Thủ tướng Nhật Bản": Japan's prime minister)
_POSSESSOR_AFTER: dict[str, tuple[str, ...]] = {"pl": (), "uk": (), "ru": (), "vi": ("của",)}


def _new_titled(
    cur: Entity, m: Mention, nxt: list[Mention], folded: str, gap: str, lang: str
) -> bool:
    """Does the title ``m`` begin another official rather than describe ``cur``?

    "Joe Biden, President Andrzej Duda": a title followed by a name after a comma is the
    next person's, not an apposition of the one before; so is a title after a comma that
    follows a titled name ("Prime Minister Boris Johnson, President of France Emmanuel
    Macron"). In languages that put the country
    after the title ("prezydent Francji"), a bare country or organisation right before a
    title ("summit of NATO President of Poland") is not its possessor either."""
    kinds = {e.kind for e in m.entries}
    if ROLE not in kinds or PERSON in kinds or HANDLE in kinds:
        return False
    have = {e.kind for p in cur.parts for e in p.entries}
    if cur.roles == {"nonofficial"} and "," in gap:
        return True  # "X beserta istri, Perdana Menteri Y": a spouse, then the next guest
    if PERSON in have and words_of(gap) == [","]:
        if ROLE in have and all(p.first(PERSON) is None for p in cur.parts if p.first(ROLE)):
            return True
        if nxt and nxt[0].first(PERSON) is not None and not folded[m.end : nxt[0].start].strip():
            return True
    # "a Bruxelles il segretario generale della Nato": a place, an article, a title
    arts = _ARTICLE_TITLE.get(lang, "").split()
    if words_of(gap) and all(w in arts for w in words_of(gap)) and have & {COUNTRY, CAPITAL, ORG}:
        return not have & {ROLE, PERSON, HANDLE, DEMONYM}
    return (
        lang in _POSSESSOR_AFTER
        and (not gap.strip() or gap.strip() in _POSSESSOR_AFTER[lang])
        and bool(have & {COUNTRY, ORG})
        and not have & {ROLE, PERSON, HANDLE, DEMONYM}
    )


# Romance languages name a title's country after it ("il presidente francese")
_ARTICLE_TITLE = {
    "it": "il lo la l i gli le",
    "fr": "le la l les",
    "es": "el la los las",
    "pt": "o a os as",
}


def _ministry_gap(
    ent: Entity,
    m: Mention,
    original: str,
    prev_oend: int,
    gap: str = "",
    lex: LangLex | None = None,
) -> bool:
    """One word between a country (or an organisation) and a role ("US Treasury Secretary",
    "Indian Navy chief", "Chinese trade negotiators", "UN peacekeeping chief", "EU defence
    ministers") names a department or field, not a new actor; a structure word of the
    language ("... سازمان همکاری اسلامی با همتای ...": "with") does not."""
    role = m.first(ROLE)
    if not original or role is None or role.value == "nonofficial" or m.first(PERSON):
        return False
    if not all({e.kind for e in p.entries} & {COUNTRY, DEMONYM, FLAG, ORG} for p in ent.parts):
        return False
    if lex is not None and gap.strip() in structure_words(lex):
        return False
    word = original[prev_oend : m.ostart].strip()
    if word.isalpha():
        return True
    # an abugida's vowel signs are marks, not letters ("সহকারী"); there a country's noun
    # takes a case ending ("चीनमा रहँदा ..."), so only an adjective ("মার্কিন") names the
    # ministry's country
    return (
        bool(word)
        and word[0].isalpha()
        and all(c.isalpha() or unicodedata.category(c)[0] == "M" for c in word)
        and any(p.first(DEMONYM) for p in ent.parts)
    )


def _portfolio_gap(ent: Entity, m: Mention, gap: str, lex: LangLex) -> bool:
    """ "le ministre chilien des Affaires étrangères N. N.", "el ministro peruano de Asuntos
    Exteriores": a Romance title puts the country adjective between its head and
    its portfolio, so the portfolio after a titled demonym still belongs to the title."""
    portfolios = lex.words.get("portfolio")
    if not portfolios or not ent.parts or ent.parts[-1].first(DEMONYM) is None:
        return False
    if not any(p.first(ROLE) for p in ent.parts) or not (m.first(PERSON) or m.first(ROLE)):
        return False
    words = " ".join(w for w in words_of(gap) if w != ",")
    return any(words == " ".join(words_of(p)) for p in portfolios)


def _posting_gap(gap: str, lex: LangLex, en: LangLex | None) -> bool:
    words = words_of(gap.strip())
    posting = lex.words.get("posting", frozenset()) | frozenset(("to", "in", "at"))
    return 0 < len(words) <= 4 and words[-1] in posting


def _note_role(ent: Entity, m: Mention) -> None:
    role = m.first(ROLE)
    if role is not None:
        ent.roles.add(role.value)
        if _ROLE_RANK.get(role.value, 0) > _ROLE_RANK.get(ent.role, 0):
            ent.role = role.value


def _fits(ent: Entity, m: Mention, roster: Roster | None = None) -> bool:
    """May ``m`` join ``ent``? Each entity has one person and one country-ish source."""
    kinds = {e.kind for e in m.entries}
    have = {e.kind for p in ent.parts for e in p.entries}
    person = m.first(PERSON)
    if person is not None and roster is not None:
        # "présidents russe et français, Vladimir Poutine": a person never joins a country
        # that is not theirs
        parties = {t.party for t in roster.people[int(person.value)].terms}
        named = {
            e.value
            for p in ent.parts
            for e in p.entries
            if e.kind in (COUNTRY, DEMONYM, FLAG, CAPITAL)
        }
        if named and not named & parties:
            return False
    if roster is not None and kinds & _OWNING and not kinds & {PERSON, HANDLE}:
        # ... and a country never joins a person who is not from it ("मोदी इलंगै अதிபர்"); nor does a
        # capital ("la visita de Milei a Pekín" is no Argentine's Beijing)
        code = next(e.value for e in m.entries if e.kind in _OWNING)
        for p in ent.parts:
            pe = p.first(PERSON)
            if pe is not None and code not in {t.party for t in roster.people[int(pe.value)].terms}:
                return False
    if kinds & {PERSON, HANDLE} and have & {PERSON} and not (kinds & have & {HANDLE}):
        # a handle right after the person's name ("Modi (@narendramodi)") joins; a second
        # person does not
        return bool(kinds & {HANDLE}) and not kinds & {PERSON}
    if kinds & _COUNTRYISH and not kinds & {PERSON, HANDLE, ROLE}:
        countryish = [p for p in ent.parts if {e.kind for e in p.entries} & _COUNTRYISH]
        if countryish and not kinds & {ORG}:
            return False
        if countryish and kinds & {ORG} and any(p.first(ORG) for p in countryish):
            return False
    roles = sum(1 for p in ent.parts if p.first(ROLE) is not None and p.first(PERSON) is None)
    return not (kinds == {ROLE} and roles >= 2)
