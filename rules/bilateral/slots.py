"""The slot an entity fills in its sentence, read from the words around it.

Subject ("ने", "は", "은/는", a passive "by"), "with" object ("with", "से", "と", "과/와",
"مع", an attached "بـ"), location ("in", "में", "で", "에서"), destination ("to"), topic
("about", "पर"), object ("को", "を"). A dateline ("NEW DELHI, Sept 9 --") is marked too.
Each language's markers are compiled once into a lookup table and one regular expression.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from rules.bilateral.frames import Entity, bare_demonym
from rules.bilateral.glue import words_of
from rules.bilateral.lexicon import LangLex
from rules.bilateral.owned_topic import owned_topic
from rules.bilateral.records import CAPITAL, CITY, COUNTRY, ROLE
from rules.bilateral.status import SOV
from rules.bilateral.structure_words import name_stops

_ARTICLES = frozenset(
    """l d the an le la les el los las der die das den dem des lo gli il capital""".split()  # noqa: SIM905
)

_MERGED: dict[tuple[str, str], dict[str, frozenset[str]]] = {}


def _merged(lex: LangLex, en: LangLex | None) -> dict[str, frozenset[str]]:
    """The language's structure words plus English ones for the preposition slots."""
    key = (lex.code, en.code if en is not None else "")
    got = _MERGED.get(key)
    if got is None:
        enw = en.words if en is not None and en is not lex else {}
        got = {k: lex.words.get(k, frozenset()) | enw.get(k, frozenset()) for k in _PRE_SLOTS}
        _MERGED[key] = got
    return got


_PRE_SLOTS = ("with", "loc", "topic", "dest", "by", "obj")


_SLOT_ORDER = ("subj", "with", "loc", "topic", "dest", "by", "obj")  # by priority
_POST_WORDS = {
    "subj": ("subj_post", "by_post"),
    "with": ("with_post",),
    "loc": ("loc_post",),
    "topic": ("topic_post",),
    "dest": ("dest_post",),  # a dative written after a place ("ABD'ye"): where a visit goes
    "obj": ("obj_post",),
}
_PRE_WORDS = ("with", "loc", "topic", "dest", "by", "obj")


@dataclass(frozen=True, slots=True)
class _SlotTable:
    """One language's slot markers, compiled: a word before -> slot, a regex for after."""

    pre: dict[str, str]
    post: re.Pattern[str] | None
    suffixes: tuple[tuple[str, str], ...]  # CJK: prepositions written onto the next word
    # South Asian case endings written onto the name itself ("மோடியுடன்", "मोदीसँग"):
    # ``<slot>_tail`` in the language's [words]
    tails: tuple[tuple[str, str], ...] = ()


_SLOT_TABLES: dict[tuple[str, str], _SlotTable] = {}


def _slot_table(lex: LangLex, en: LangLex | None) -> _SlotTable:
    key = (lex.code, en.code if en is not None else "")
    table = _SLOT_TABLES.get(key)
    if table is not None:
        return table
    merged = _merged(lex, en)
    pre: dict[str, str] = {}
    for slot in reversed(_PRE_WORDS):  # higher priority written last, so it wins
        for word in merged[slot]:
            pre[word] = slot
    groups = []
    for slot, names in _POST_WORDS.items():
        words = sorted({x for n in names for x in lex.words.get(n, frozenset())}, key=len)
        alts = [re.escape(x) + (r"(?=\s|$)" if x.isascii() else "") for x in reversed(words)]
        if alts:
            groups.append(f"(?P<{slot}>{'|'.join(alts)})")
    post = re.compile(r"[ ,)]*(?:" + "|".join(groups) + ")") if groups else None
    suffixes: tuple[tuple[str, str], ...] = ()
    if lex.code in ("zh", "ja"):
        suffixes = tuple(
            (x, slot) for slot in _PRE_WORDS for x in merged[slot] if x and not x.isascii()
        )
    tails = tuple(
        (x, slot)
        for slot in _SLOT_ORDER
        for x in sorted(lex.words.get(f"{slot}_tail", ()), key=len, reverse=True)
    )
    table = _SLOT_TABLES[key] = _SlotTable(pre, post, suffixes, tails)
    return table


def mark_slots(
    ents: list[Entity],
    folded: str,
    lex: LangLex,
    en: LangLex | None,
    sent_start: int,
    stops: tuple[int, ...] = (),
) -> None:
    """Set each entity's slot from the words just before and after it.

    ``stops``: starts of meeting words and cues, which a postposition is never read across.
    """
    table = _slot_table(lex, en)
    rank = {slot: i for i, slot in enumerate(_SLOT_ORDER)}
    for i, ent in enumerate(ents):
        if ent.nonofficial or ent.former:
            continue  # never a side: its slot does not matter
        if not ent.party and not ent.codes and not ent.role and ent.place_kind != CITY:
            continue  # a city is never a side, but "in Qingdao" is where they met
        before = folded[max(sent_start, ent.start - 40) : ent.start]
        nxt = ents[i + 1].start if i + 1 < len(ents) else ent.end + 40
        after = folded[ent.end : min(nxt, ent.end + 40)]
        bw = words_of(before)
        if bw and before.rstrip().endswith(("'" + bw[-1], "’" + bw[-1])):
            bw = []  # a case ending after an apostrophe ("Tokayev'in"), not the word "in"
        # "en la capital argentina": an adjective after a place noun names a place
        headed = bool(bw) and bw[-1] in lex.words.get("place_head", ())
        while len(bw) > 1 and (bw[-1] in _ARTICLES or (bw[-1] == "a" and lex.code == "en")):
            bw.pop()  # "à l'Élysée", "en el Palacio": the preposition is before the article
        headed = _drop_determiners(bw, lex, table) or headed
        found: list[str] = []
        if bw:
            slot = table.pre.get(" ".join(bw[-2:])) if len(bw) >= 2 else None
            slot = slot or table.pre.get(bw[-1])
            if slot:
                found.append(slot)
        for suffix, slot in table.suffixes:
            # Chinese/Japanese write prepositions onto the next word: "同俄罗斯总统", "在北京"
            if before.endswith(suffix):
                found.append(slot)
        surface = folded[ent.start : ent.end]
        for tail, slot in table.tails:
            if surface.endswith(tail) and len(surface) > len(tail) + 1:
                found.append(slot)
                break
        if _arabic_with(folded, ent.start):
            # "التقى بالرئيس" is with him; "ببرلين" is in Berlin
            found.append("loc" if ent.place_only else "with")
        elif ent.place_only and _arabic_to(folded, ent.start, ent.end):
            found.append("dest")
        if table.post is not None:
            m = table.post.match(after)
            if (m is None or not m.lastgroup) and _role_before_unknown_name(ent, lex):
                m = _post_after_name(table.post, after, lex)
            if m is not None and m.lastgroup and (m.lastgroup != "dest" or ent.place_only):
                found.append(m.lastgroup)
        if not found and lex.code in SOV and not ent.place_only and (ent.role or ent.person >= 0):
            end = min((s for s in stops if s >= ent.end), default=len(folded))
            # a title with no known person may be followed by a whole name the roster lacks
            reach = _NAME_WORDS if ent.person < 0 else _REACH_WORDS
            slot = _reach_post(table, after[: max(0, end - ent.end)], lex, reach)
            if slot in _REACHED:
                found.append(slot)
        stop = min((s for s in stops if s >= ent.end), default=len(folded))
        if not found and ent.place_only and ent.party and owned_topic(after[: stop - ent.end], lex):
            found.append("topic")  # "अमेरिका के टैरिफ पर": whose tariffs, not a side
        if not found and lex.code == "pl" and _instrumental_title(ent, folded):
            found.append("obj")
        if found:
            ent.slot = min(found, key=rank.__getitem__)
        if ent.slot == "dest" and not ent.place_only and bw and bw[-1] in lex.words.get("obj", ()):
            ent.slot = "obj"  # Spanish "a" before a person marks the object: "recibió a X"
        # "in Chinese" / "on his counterpart" are not places or topics; "in the French
        # capital" is
        named_place = headed and ent.slot == "loc" and not ent.role and ent.person < 0
        # "w szwajcarskiej Genewie": the demonym qualifies the town that follows
        town = ent.slot == "loc" and lex.code in _PLACE_ADJECTIVE and bare_demonym(ent)
        if (
            ent.slot in ("loc", "topic")
            and not ent.place_only
            and not _bare_org(ent)
            and not named_place
            and not town
        ):
            ent.slot = ""
    # "在泰国首都曼谷" (in Thailand's capital Bangkok): the preposition before the country
    # reaches the city its ``city_head`` word names
    heads = lex.words.get("city_head", frozenset())
    for land, city in pairwise(ents):
        if (
            land.slot == "loc"
            and land.place_only
            and not city.slot
            and city.place_kind in (CITY, CAPITAL)
        ):
            city.slot = "loc" if folded[land.end : city.start].strip() in heads else city.slot
    if lex.code in _COUNTRY_THEN_CITY:
        glue = lex.words.get("glue", frozenset()) | _CITY_HEAD.get(lex.code, frozenset())
        for i, a in enumerate(ents):
            b = ents[i + 1] if i + 1 < len(ents) else None
            if not a.place_only or a.slot:
                continue
            # "태국 방콕에서", "अमेरिका के न्यूयॉर्क में", "چین کے شہر تیانجن میں", "अमेरिकाको
            # न्युयोर्कमा": the country of the meeting's city, its genitive on the name or
            # a word of its own
            if b is not None and b.slot == "loc" and b.place_kind in (CITY, CAPITAL):
                if all(w in glue for w in words_of(folded[a.end : b.start].strip(" ·"))):
                    a.slot = "loc"
            elif lex.code == "ko":
                # a city the gazetteer lacks, one word before "에서"
                after = folded[a.end : b.start if b is not None else len(folded)]
                if _KO_CITY_LOC.match(after):
                    a.slot = "loc"


def _drop_determiners(bw: list[str], lex: LangLex, table: _SlotTable) -> bool:
    """Drop the articles and possessives a preposition governs ("avec son homologue", "con
    sus homólogos", "com o seu homólogo") and a place noun before an adjective ("dans la
    capitale argentine"), so that the slot word stands last. Only after a slot word:
    Portuguese "a" is also "to" ("viajou a Lisboa"). True when a place noun was dropped."""
    det = lex.words.get("det", frozenset())
    heads = lex.words.get("place_head", frozenset())
    k = len(bw)
    headed = k > 1 and bw[-1] in heads
    if headed:
        k -= 1
    while k > 1 and bw[k - 1] in det:
        k -= 1
    if k == len(bw):
        return False
    if bw[k - 1] in table.pre or " ".join(bw[max(0, k - 2) : k]) in table.pre:
        del bw[k:]
        return headed
    return False


def _instrumental_title(ent: Entity, folded: str) -> bool:
    """A Polish title in the instrumental ("prezydentem", "premierem", "ministrami") is
    governed by a preposition or a verb ("poza prezydentem X", "został premierem"), never
    the subject: no title's nominative ends so."""
    for part in ent.parts:
        if any(e.kind == ROLE for e in part.entries):
            word = folded[part.start : part.end].split()[0]
            return len(word) > 5 and word.endswith(("em", "ą", "ami"))
    return False


_COUNTRY_THEN_CITY = frozenset(("ko", "hi", "ur", "bn", "mr", "ne", "pa"))
# "the city (of)" between a country's genitive and its city ("चीन के शहर तियानजिन में")
_CITY_HEAD = {
    "hi": frozenset(("शहर", "नगर")),
    "ur": frozenset(("شهر",)),
    "bn": frozenset(("শহর",)),
    "mr": frozenset(("शहर",)),
    "ne": frozenset(("शहर",)),
    "pa": frozenset(("ਸ਼ਹਿਰ",)),
}
_KO_CITY_LOC = re.compile(r" [\uac00-\ud7a3]{2,}에서(?:\s|$)")


_NAME_WORDS = 4  # "<country> के राष्ट्रपति N N N से": a title, a name the roster lacks, "with"
_NAME_WORD = re.compile(r"\s*([^\s,;:()\[\]\"'«»“”‘’.!?।؟،、]+)")


def _role_before_unknown_name(ent: Entity, lex: LangLex) -> bool:
    """A title with no known person, in a language that writes postpositions apart: the
    name after it is likely one the roster lacks, and the postposition after that name marks
    the title's slot."""
    return bool(ent.role) and ent.person < 0 and not ent.place_only and lex.code in _SPACED_POST


_SPACED_POST = frozenset(("hi", "ur", "pa", "ne", "mr", "gu", "bn"))


def _name_words(after: str, lex: LangLex, reach: int) -> Iterator[tuple[str, int]]:
    """Up to ``reach`` words at the start of ``after``, each with where it ends, stopping at
    a structure word of the language (there the clause goes on: no name or title)."""
    known = name_stops(lex)
    pos = 0
    for _ in range(reach):
        w = _NAME_WORD.match(after, pos)
        if w is None or w.group(1) in known:
            return
        pos = w.end()
        yield w.group(1), pos


def _post_after_name(post: re.Pattern[str], after: str, lex: LangLex) -> re.Match[str] | None:
    """The postposition after at most a few words that are no structure word of the
    language (an unknown name), else None."""
    for _, end in _name_words(after, lex, _NAME_WORDS):
        m = post.match(after, end)
        if m is not None and m.lastgroup:
            return m
    return None


# only the slots that make a side: "N सोमवार को" is "on Monday", "N 12 मई में" "in May"
_REACHED = frozenset(("with", "subj", "by"))
_REACH_WORDS = 2  # "N जी से", "N साहब के साथ", "N bey ile": a title or honorific after the name
_CJK_TITLE = re.compile(r"[\u30a0-\u30ff\u4e00-\u9fff]{1,3}")  # "N氏と", "N長官と": written on


def _reach_post(table: _SlotTable, after: str, lex: LangLex, reach: int) -> str:
    """The slot of a postposition a verb-final language puts after a title, an honorific or
    the rest of a name that follows a person ("N जी से", "N氏と", "N 장관과"): at most a few
    words, none a structure word of the language (so no clause break) and none a number
    (a date: "N 12 मई से" is "from"), else ""."""
    post = table.post
    if lex.code == "ja":
        run = _CJK_TITLE.match(after)
        m = post.match(after, run.end()) if run is not None and post is not None else None
        return m.lastgroup or "" if m is not None else ""
    for word, end in _name_words(after, lex, reach):
        if any(ch.isdigit() for ch in word):
            return ""
        for tail, slot in table.tails:  # "மாண்புமிகு N வேலனுடன்": the case ending on the last word
            if word.endswith(tail) and len(word) > len(tail) + 1:
                return slot
        if lex.code in _ATTACHED and post is not None and _ends_with_with(post, word):
            return "with"
        m = post.match(after, end) if post is not None else None
        if m is not None and m.lastgroup:
            return m.lastgroup
    return ""


_ATTACHED = frozenset(("ko",))  # particles written onto the word before: "N 대통령님과"


def _ends_with_with(post: re.Pattern[str], word: str) -> bool:
    """Does the word end in the language's "with" particle ("님과")? Only "with": the subject
    and topic particles ("이", "가") end too many words to be read off a word's end."""
    for i in range(1, len(word)):
        m = post.fullmatch(word, i)
        if m is not None:
            return m.lastgroup == "with"
    return False


# "w szwajcarskiej Genewie", "в американском Анкоридже": a country adjective after "in"
# qualifies the town that follows (the language is "po angielsku", "по-английски")
_PLACE_ADJECTIVE = frozenset(("pl", "ru", "uk"))


def _bare_org(ent: Entity) -> bool:
    """An organisation named without a person or role ("about UN reform", "discussed NATO
    spending") can be a topic; "the UN chief" or "NATO's Rutte" cannot."""
    return ent.org and not ent.role and ent.person < 0


def _arabic_to(folded: str, start: int, end: int) -> bool:
    """Arabic attaches "to" (ل) to a destination: "زيارته لإندونيسيا", "زيارة للصين"."""
    if folded.startswith("لل", start) and end - start > 4:
        return True  # the name's own "لل" form (rules/bilateral/inflect.py, ar_name)
    return start > 0 and folded[start - 1] == "ل" and (start < 2 or not folded[start - 2].isalpha())


def _arabic_with(folded: str, start: int) -> bool:
    """Arabic attaches "with/at" (ب) to the next word: "التقى بسفير"."""
    return start > 0 and folded[start - 1] == "ب" and (start < 2 or not folded[start - 2].isalpha())


_DATELINE_AFTER = re.compile(
    r"\s*(?:\[[^\]\n]{0,30}\])?\s*(?:,[^:\n–—]{0,40}?)?\s*(?:\([^)\n]{0,30}\))?\s*"
    r"(?:[:–—]|--|\.-|-\s|\s-)"
)


def mark_dateline(ent: Entity, original: str, seg_start: int, nxt: Entity | None = None) -> None:
    """A dateline ("NAIROBI, Oct 3 (AFP) --", "Dhaka:") names where it was filed, not a side.

    A country joined by a dash to another country right after it is the first half of a
    pair ("Việt Nam - Campuchia hội đàm", "Россия — Индия: переговоры"), not a dateline."""
    if ent.ostart - seg_start > 2 or not ent.place_only:
        return
    m = _DATELINE_AFTER.match(original, ent.oend)
    if m is None:
        return
    if (
        nxt is not None
        and ent.place_kind == COUNTRY
        and nxt.place_only
        and nxt.party
        and nxt.party != ent.party
        and nxt.ostart >= m.end()
        and original[ent.oend : nxt.ostart].strip() in ("-", "–", "—")
    ):
        return
    ent.dateline = True
