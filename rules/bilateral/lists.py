"""Lists of sides in a sentence: which names are coordinated ("Belarus and Tajikistan"), which
slot a postposition or preposition on one member gives the whole list, and where a list of
counterparts continues past names the roster lacks. ``rules.bilateral.pairing`` pairs what
these runs leave.
"""

from __future__ import annotations

import re
from itertools import pairwise

from rules.bilateral.frames import Entity, bare_demonym
from rules.bilateral.glue import words_of
from rules.bilateral.lexicon import LangLex
from rules.bilateral.records import DEMONYM, PERSON, ROLE
from rules.bilateral.status import SOV, Trigger

_CONJ_EXTRA = frozenset((",", "、", "·", "/", "&", "-", "–", "und", "and"))
AGENT_SLOTS = frozenset(("subj", "by"))


def coordination_groups(ents: list[Entity], folded: str, lex: LangLex) -> list[list[Entity]]:
    """Runs of entities joined only by "and"/commas ("Belarus and Tajikistan")."""
    conj = lex.words.get("conj", frozenset()) | _CONJ_EXTRA
    glue = lex.words.get("glue", frozenset())
    det = lex.words.get("det", frozenset())  # "le président X et les ministres Y"
    sov = lex.code in SOV
    groups: list[list[Entity]] = []
    by_comma: list[bool] = []  # was every join of the group a bare comma?
    aside = False  # the last member was a bracketed short form of the one before it
    for ent in ents:
        if groups:
            prev = groups[-1][-1]
            if prev.slot in AGENT_SLOTS and ent.slot != prev.slot:
                # a subject marked by its particle ("मंत्री ने", "外相は") ends its group:
                # the names after it are its counterparts, not co-subjects
                groups.append([ent])
                by_comma.append(True)
                continue
            gap = folded[prev.end : ent.start]
            ws = words_of(gap)
            if aside and ws[:1] == [")"]:
                ws = ws[1:]  # "the United Arab Emirates (UAE), Spain and Hungary"
            aside = ws == ["("] and prev.party == ent.party != ""
            if aside:
                groups[-1].append(ent)
                continue
            if not ws and _ends_counterpart(prev):
                # "التقى فيدان نظيريه السعودي ... والتونسي ...": the names right after a
                # named official's "his counterpart(s)" are whom he met, not co-subjects
                groups.append([ent])
                by_comma.append(True)
                continue
            # juxtaposed names are one list only where they share a slot or no space parts
            # them (中美): "मोदी ब्रिटेन के प्रधानमंत्री से मिले" is a subject and whom it met
            # (in a verb-final language an unmarked official before a bare place is a subject
            # and where it goes: "मोदी घाना, नामीबिया और ब्राज़ील की यात्रा करेंगे")
            same = prev.slot == ent.slot and (
                bool(prev.slot) or not sov or prev.place_only == ent.place_only
            )
            juxtaposed = not ws and not gap.strip() and (not gap or same)
            joined = juxtaposed or (ws and all(w in conj for w in ws))
            joined = joined or (
                len(ws) > 1 and ws[0] in conj and all(w in conj or w in det for w in ws[1:])
            )
            joined = joined or (ws == [] and gap.strip() in conj)
            # an article after the separator ("A, the United Arab Emirates and B") still lists
            articled = not joined and _articled(ws, conj, glue)
            if joined or articled:
                groups[-1].append(ent)
                by_comma[-1] = by_comma[-1] and (ws == [","] or (articled and ws[0] == ","))
                continue
        groups.append([ent])
        by_comma.append(True)
    out = [
        part for grp, comma in zip(groups, by_comma, strict=True) for part in _clause(grp, comma)
    ]
    if lex.code in _COMMA_SUBJECT:
        out = [part for grp in out for part in _comma_subject(grp, folded)]
    return out


def _ends_counterpart(e: Entity) -> bool:
    """A named official whose mention ends on "his counterpart(s)" (Arabic نظيره/نظيريه)."""
    last = e.parts[-1].first(ROLE) if e.parts else None
    return e.person >= 0 and last is not None and last.value == "counterpart"


def share_titles(ents: list[Entity], folded: str, lex: LangLex) -> None:
    """One title shared by coordinated demonyms names an official of each: "les présidents
    russe et américain", "the Indian and Chinese foreign ministers", "der deutsche und der
    französische Außenminister". The title stands on the first demonym when it comes
    before it and on the last when it comes after it; the bare demonyms of the list take
    its office (and its "former"), so each names a side as an official does."""
    if not any(e.role and e.person < 0 for e in ents) or not any(map(_bare_demonym, ents)):
        return  # most sentences: no list to read (pairing reads the sentence's lists again)
    for grp in coordination_groups(ents, folded, lex):
        titled = [e for e in grp if e.role and e.person < 0 and e.party]
        bare = [e for e in grp if _bare_demonym(e)]
        if len(grp) < 2 or len(titled) != 1 or len(bare) != len(grp) - 1:
            continue
        t = titled[0]
        roles = [m.start for m in t.parts if m.first(ROLE) is not None]
        demonyms = [m.start for m in t.parts if m.first(DEMONYM) is not None]
        if not roles or not demonyms:
            continue
        before = t is grp[0] and min(roles) < min(demonyms)  # "présidents russe et ..."
        after = t is grp[-1] and max(demonyms) < max(roles)  # "... and Chinese ministers"
        if not (before or after):
            continue
        for e in bare:
            e.role, e.roles = t.role, set(e.roles) | {t.role}
            e.official, e.former, e.nonofficial = t.official, t.former, t.nonofficial
            e.counterpart, e.subnational = t.counterpart, t.subnational


def _bare_demonym(e: Entity) -> bool:
    """A demonym alone ("américain", "Indian"): no title, name or place of its own."""
    return (
        bare_demonym(e)
        and bool(e.parts)
        and all(m.first(DEMONYM) is not None and m.first(PERSON) is None for m in e.parts)
    )


# languages whose news copy sets the subject off with a comma before the rest of the clause
# ("Bakan X, İran, Cezayir ve Rusya dışişleri bakanlarıyla görüştü")
_COMMA_SUBJECT = frozenset(("tr",))


def _comma_subject(grp: list[Entity], folded: str) -> list[list[Entity]]:
    """An official followed by a bare comma and then a list marked "with" is the subject and
    its counterparts, not one list of co-members."""
    if len(grp) < 2 or grp[0].slot or grp[0].place_only:
        return [grp]
    if not (grp[0].role or grp[0].person >= 0):
        return [grp]
    if words_of(folded[grp[0].end : grp[1].start]) != [","]:
        return [grp]
    if not any(e.slot == "with" for e in grp[1:]):
        return [grp]
    return [grp[:1], grp[1:]]


def _articled(ws: list[str], conj: frozenset[str], glue: frozenset[str]) -> bool:
    """Separators, then only glue words: a list member with its article."""
    seps = [i for i, w in enumerate(ws) if w == "," or w in conj]
    if not seps or seps[-1] == len(ws) - 1 or len(ws) - seps[-1] > 3:
        return False
    return all(w == "," or w in conj for w in ws[: seps[-1]]) and all(
        w in glue for w in ws[seps[-1] + 1 :]
    )


def _clause(grp: list[Entity], by_comma: bool) -> list[list[Entity]]:
    """Two names joined by a bare comma, the first governed ("after meeting X, Y will ...";
    "met with X, Y said"), are the end of one clause and the start of the next, not a list:
    a list of two has its "and", and a list of more its "and" or its run of commas."""
    if by_comma and len(grp) == 2 and grp[0].slot in ("obj", "with", "dest") and not grp[1].slot:
        return [grp[:1], grp[1:]]
    return [grp]


def spread_slots(groups: list[list[Entity]]) -> None:
    """A postposition or preposition on one member of a list marks the whole list."""
    for grp in groups:
        if len(grp) < 2:
            continue
        if any(e.nonofficial for e in grp):
            for e in grp:
                if e.place_only:
                    e.nonofficial = True  # "Students from India and Pakistan"
        slot = next((e.slot for e in reversed(grp) if e.slot in ("with", "loc", "topic")), "")
        if not slot:
            slot = next((e.slot for e in grp if e.slot in ("dest", "obj")), "")
        if slot:
            for e in grp:
                if slot == "loc" and not e.place_only:
                    continue  # "in the Russia, India and China foreign ministers' meeting"
                if not e.slot or e.slot == "obj":
                    e.slot = slot


_LIST_GAP_WORDS = 4  # an unknown name between two listed officials ("Dmitri Medvedev, the")


def continue_with_list(ents: list[Entity], trigs: list[Trigger], folded: str, lex: LangLex) -> None:
    """A "with" list of officials whose members are split by names the roster lacks
    ("with the Canadian premier N N, the Japanese premier N N and the Brazilian president"): a
    member after a separator and at most a few words continues the list, so each is one
    counterpart of the subject, never the subject of the others. Only a list of three or
    more: one link alone ("a call with N on Monday, the secretary said") may start a clause."""
    conj = lex.words.get("conj", frozenset()) | _CONJ_EXTRA
    glue = lex.words.get("glue", frozenset())
    chain: list[Entity] = []
    for prev, ent in pairwise(ents):
        if prev.slot == "with" and not chain:
            chain = [prev]
        if chain and chain[-1] is prev and _list_link(prev, ent, trigs, folded, conj, glue):
            chain.append(ent)
            continue
        _close_chain(chain)
        chain = []
    _close_chain(chain)


def _list_link(
    prev: Entity,
    ent: Entity,
    trigs: list[Trigger],
    folded: str,
    conj: frozenset[str],
    glue: frozenset[str],
) -> bool:
    if ent.slot or ent.place_only or prev.place_only:
        return False
    if any(prev.end <= t.start < ent.start for t in trigs):
        return False  # a meeting word between: a new clause
    ws = words_of(folded[prev.end : ent.start])
    seps = [i for i, w in enumerate(ws) if w == "," or w in conj]
    if not seps or len(ws) > _LIST_GAP_WORDS + 2 or any(w in "();:" for w in ws):
        return False
    return all(w in glue for w in ws[seps[-1] + 1 :])


def _close_chain(chain: list[Entity]) -> None:
    if len(chain) >= 3:
        for e in chain[1:]:
            e.slot = "with"


# what joins the two sides of a pair compound ("India-China", "US/EU")
JOINERS = frozenset(("-", "–", "—", "/"))
# a numeral or adjectives before the noun ("A-B 3+3 energy forum")
_DETERMINERS = frozenset(("the", "a", "an", "this", "that", "its", "their", "his", "her"))
_COMPOUND_GAP = re.compile(r"^[\w\s'’+.]*$")


def hyphen_pairs(
    ents: list[Entity], trigs: list[Trigger], folded: str, english: bool = True
) -> list[tuple[Entity, Entity, Trigger]]:
    """ "the Peru-Norway trade dialogue", "the Korea-Chile foreign ministers' phone call": two
    sides joined by a hyphen before a meeting noun name that meeting's pair, whatever else
    the sentence says (a third member, "A-B-C talks", makes it no pair). Other languages
    than English mark no meeting nouns: there the meeting word must follow the pair at once
    ("Việt Nam - Campuchia hội đàm", "Indonesia-Australia pertemuan ...")."""
    out: list[tuple[Entity, Entity, Trigger]] = []
    for i in range(len(ents) - 1):
        a, b = ents[i], ents[i + 1]
        if folded[a.end : b.start].strip() not in JOINERS or not (a.usable and b.usable):
            continue
        if not a.party or not b.party or a.party == b.party or a.codes or b.codes:
            continue
        if i > 0 and folded[ents[i - 1].end : a.start].strip() in JOINERS:
            continue
        if i + 2 < len(ents) and folded[b.end : ents[i + 2].start].strip() in JOINERS:
            continue
        t = next((t for t in trigs if (t.noun or not english) and t.start >= b.end), None)
        gap = folded[b.end : t.start] if t is not None else ""
        if not english and t is not None and gap.strip() not in ("", ":"):
            continue
        # a determiner opens another noun phrase ("the A-B conflict dominated the meeting"):
        # the meeting noun is then no head of the compound
        words = gap.split()
        if (
            t is not None
            and len(words) <= 3
            and _COMPOUND_GAP.match(gap)
            and not _DETERMINERS.intersection(words)
        ):
            out.append((a, b, t))
    return out


def subjects_after_verb(
    hub: Entity, others: list[Entity | None], trigs: list[Trigger], sov: bool
) -> list[Entity]:
    """The subjects of a verb-final clause written with the verb first and its subjects
    after it, whom they met before it ("প্রধানমন্ত্রীর সঙ্গে সাক্ষাৎ করেন A-র রাষ্ট্রদূত ... ও
    B-র রাষ্ট্রদূত"): each official after the verb met that side, not each other (unknown names
    between them can split the list, so no coordination is required)."""
    if not sov or not hub.official or any(t.end > hub.start for t in trigs):
        return []
    met = [e for e in others if e is not None and e.slot in ("with", "obj")]
    if not met or any(e.end > hub.start for e in met):
        return []
    subjects = [hub] + [
        e
        for e in others
        if e is not None and e.start > hub.start and e.official and not e.place_only and not e.slot
    ]
    return subjects if len({e.party for e in subjects}) >= 2 else []
