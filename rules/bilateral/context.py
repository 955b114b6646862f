"""What a sentence's context says about its entities and meeting words.

A former office holder, a sports team, an organisation that names an event ("ASEAN
summit"), the destination of a visit, the person met right after "met", and meeting words
used as a topic (whose an official named by role only is, and the meeting place:
``rules.bilateral.implicit``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from rules.bilateral.destination import (
    arrives_at,
    names_destination,
    visitor_after_place,
    visitor_between,
)
from rules.bilateral.forums import membership, names_event, occasion, occasion_word
from rules.bilateral.frames import Entity, bare_demonym
from rules.bilateral.gazetteer import Mention
from rules.bilateral.glue import words_of
from rules.bilateral.lexicon import LangLex
from rules.bilateral.status import SOV, Cue, Trigger

_VSO = frozenset(("ar",))  # the side right after the verb is its subject
# verb-second languages: a clause opened by a time or place ("Am Montag traf Merz ...") puts
# its subject right after the finite verb
_V2 = frozenset(("de", "nl"))
# Urdu and Persian also name a visit's destination after the noun, Persian-style ("دورہ چین"),
# and so do Vietnamese ("chuyến thăm Nhật Bản") and Swahili headlines ("ziara Kenya")
_VISIT_FIRST = frozenset(("ur", "fa", "vi", "sw", "ar"))


# languages that capitalise nouns: a lower-case meeting word after "über X" is the verb
# closing the clause, and X is its topic ("hat mit Y über die Lage telefoniert")
_CAPITALISED_NOUNS = frozenset(("de",))
_NEXT_LETTER = re.compile(r"[^\w.,;:!?()]*(\w)")


def written_verbs(ms: list[Mention], seg: str, lex: LangLex) -> set[int]:
    """Folded starts of the mentions written as verbs, in a language that capitalises nouns.

    A lower-case word is a verb unless a capitalised noun follows it: "geplanten" in "die
    geplanten Gespräche" is the noun's adjective.
    """
    if lex.code not in _CAPITALISED_NOUNS:
        return set()
    verbs = set()
    for m in ms:
        if not seg[m.ostart : m.ostart + 1].islower():
            continue
        nxt = _NEXT_LETTER.match(seg, m.oend, m.oend + 30)
        if nxt is None or not nxt.group(1).isupper():
            verbs.add(m.start)
    return verbs


def topic_trigger(
    t: Trigger, folded: str, lex: LangLex, floor: int, verbs: Collection[int] = ()
) -> bool:
    """A meeting mentioned as a topic ("about EU-India FTA negotiations"); a verb (``verbs``:
    starts of meeting words written as verbs) has what precedes it as its topic instead."""
    topic = lex.words.get("topic_trigger", frozenset())
    if not topic or t.start in verbs:
        return False
    before = words_of(folded[max(floor, t.start - 40) : t.start])[-4:]
    if lex.code in SOV:
        # the verb ends the clause: "درباره سوریه گفت‌وگو کردند" talked about Syria; only
        # "about" right before a meeting noun makes it the topic ("درباره مذاکرات")
        before = before[-1:]
    return any(w in topic for w in before)


_POSSESSIVE_NEXT = re.compile(r" (?:[\w.-]+ ){0,3}[\w.-]+['’]s ")


def welcomes_a_thing(t: Trigger, folded: str, lang: str, ents: Sequence[Entity] = ()) -> bool:
    """English "welcomed Biden's decision", "calls Trump's tariffs blackmail": a possessive
    object is a thing, not a visitor or the one called -- unless an official follows the
    possessive ("welcomed India's Prime Minister")."""
    if lang != "en" or not t.text.startswith(("welcom", "call")):
        return False
    m = _POSSESSIVE_NEXT.match(folded, t.end, t.end + 40)
    if m is None:
        return False
    after = m.end()
    return not any(e.start <= after < e.end and (e.official or e.person >= 0) for e in ents)


_POSSESSIVE = frozenset(("", "'s", "’s", "'", "’"))
# languages that write a title after the name
_TITLE_AFTER_NAME = frozenset(("ja", "ko", "zh"))


def refine(
    ents: list[Entity],
    trigs: list[Trigger],
    cues: list[Cue],
    folded: str,
    lex: LangLex,
    cue_names: set[str],
) -> None:
    """Flags and slots that follow from the words around each entity."""
    sport = "sport" in cue_names
    multi = "forum" in cue_names or "multilateral" in cue_names
    former = [c for c in cues if c.name == "former" and not _former_as_time(c, folded, lex)]
    glue = lex.words.get("glue", frozenset())
    for ent in ents:
        if any(
            0 <= ent.start - c.end <= 25 or (c.start >= ent.start and c.end <= ent.end)
            for c in former
        ):
            ent.former = True
        elif lex.code in _TITLE_AFTER_NAME and any(
            c.start >= ent.end and not folded[ent.end : c.start].strip() for c in former
        ):
            ent.former = True  # "トランプ次期大統領", "윤석열 전 대통령": the title follows
        elif (ent.place_only or bare_demonym(ent)) and any(
            (gap := folded[ent.end : c.start].strip()) in _POSSESSIVE or gap in glue
            for c in former
            if c.start >= ent.end
        ):
            # "Brazil's President-elect X", "Mexican President-elect X", "मालदीव के पूर्व
            # राष्ट्रपति": the country is X's
            ent.former = True
        if sport and (ent.place_only or ent.role in ("", "official")) and ent.person < 0:
            ent.nonofficial = True  # "India and Pakistan" in a cricket story are teams
        if (
            ent.org
            and ent.role != "org_head"
            and ent.person < 0
            and (
                (ent.role != "official" and (multi or names_event(ent, trigs, cues, folded)))
                # "ASEAN leaders", "SCO foreign ministers": its members, whatever the title
                or membership(ent, folded, lex)
            )
        ):
            ent.forum = True  # "SCO summit": the organisation is the setting, not a side
        elif ent.org and ent.role != "org_head" and ent.person < 0 and occasion(ent, folded, lex):
            ent.forum = True  # "on the margins of an ASEAN leaders' retreat"
    if lex.code == "en":
        _adjectives_of_unknown_nouns(ents, trigs, cues, folded)
        _attributive_orgs(ents, trigs, cues, folded)
    if lex.words.get("of_before"):
        _owned_by_orgs(ents, trigs, cues, folded, lex)
    sov = lex.code in SOV
    for t in trigs:
        for ent in ents:
            gap = folded[ent.end : t.start]
            visit_like = t.group in ("visit", "weak")
            before = t.start >= ent.end
            if visit_like and ent.place_only and before and names_destination(gap, sov, lex):
                ent.slot = "dest"  # "अमेरिका यात्रा", "China visit": where the visit goes
            elif (
                visit_like
                and before
                and len(gap) <= 3
                and lex.code in _ATTRIBUTIVE_DEMONYM
                and bare_demonym(ent)
            ):
                ent.slot = "dest"  # "இந்திய பயணம்", "ഇന്ത്യൻ സന്ദർശനം": the India visit
            elif (
                t.group == "visit"
                and ent.place_only
                and lex.code in _VISIT_FIRST
                and 0 <= ent.start - t.end <= 2
            ):
                ent.slot = "dest"  # "دورہ پاکستان": the visit, then where it goes
            elif (
                t.group == "visit"
                and ent.place_only
                and ent.slot == "loc"
                and 0 <= ent.start - t.end <= 100
                and (
                    ent.start - t.end <= 30
                    or visitor_between(t, ent, ents, folded, lex)
                    or (
                        ent.start - t.end <= 80
                        and ";" not in folded[t.end : ent.start]
                        and not any(t.end <= u.start < ent.start for u in trigs)
                    )
                )
            ):
                # "la visite ... à Paris", "визит премьера Индии Н. Н. в Россию", "ziara ya
                # Rais X, ... nchini Y": the visit's destination, however long the visitor's
                # name and title between them, in the same clause
                ent.slot = "dest"
            elif (
                sov
                and t.group == "visit"
                and ent.place_only
                and ent.slot == "loc"
                and before
                and visitor_after_place(t, ent, ents, folded, lex)
            ):
                ent.slot = "dest"  # "चीन में भारत के विदेश मंत्री का दौरा": place, visitor, visit
            elif (
                sov
                and t.group == "visit"
                and ent.place_only
                and not ent.slot
                and arrives_at(t, ent, folded, lex)
            ):
                ent.slot = "dest"  # "दौरे पर कल इस्लामाबाद पहुंचेंगे": where the visitor arrives
            elif (
                sov
                and t.group == "weak"
                and ent.place_only
                and ent.slot == "loc"
                and 0 <= ent.start - t.end <= 2
            ):
                # a visit word right before its place in the locative ("সফরে জাপানে যাবেন"):
                # where the visitor goes; a place further on is only where they met. (English
                # "arrived in X for a visit" is left alone: the labels read an arrival as the
                # start of a visit whose meetings are still to come, not as a meeting.)
                ent.slot = "dest"
            elif (
                not sov
                and lex.code not in _VSO
                and not (lex.code in _V2 and not _side_before(t, ents))
                and not occasion_word(t.start, folded, lex, 30)
                and t.group != "visit"
                and not ent.slot
                and 0 <= ent.start - t.end <= 30
                and "," not in folded[t.end : ent.start]
            ):
                between = words_of(folded[t.end : ent.start])
                glue = lex.words.get("glue", frozenset()) | {"the", "visiting", "a", "with"}
                # a manner adverb may stand between ("a rencontré séparément ses homologues")
                adverb = tuple(lex.words.get("adverb_suffix", ()))
                if all(w in glue or w in ",()" or (adverb and w.endswith(adverb)) for w in between):
                    ent.slot = "obj"  # "met Chinese President Xi": the one met
            del gap
    if lex.code == "zh":
        _with_after_meeting(ents, trigs, folded)


def _with_after_meeting(ents: list[Entity], trigs: list[Trigger], folded: str) -> None:
    """Chinese puts the one met before the verb ("同特朗普通电话"): a country behind 与/和
    after every meeting word, in a later clause, is one of the things talked about
    ("……通电话，谈及关税与台湾")."""
    last = max((t.end for t in trigs), default=len(folded))
    for ent in ents:
        later = ent.start > last and any(c in folded[last : ent.start] for c in ",，;；")
        if later and ent.slot == "with" and ent.place_only:
            ent.slot = "topic"


def _side_before(t: Trigger, ents: list[Entity]) -> bool:
    """A possible subject stands before the meeting word (not a summit, place or topic)."""
    return any(e.end <= t.start and e.usable and e.slot != "dest" for e in ents)


def _former_as_time(c: Cue, folded: str, lex: LangLex) -> bool:
    """The word for "former" also means "before" or "earlier" in some languages: "बैठक से
    पूर्व" (before the meeting), "पूर्व में" (earlier), which name no former office holder."""
    before = lex.words.get("former_time_before", frozenset())
    after = lex.words.get("former_time_after", frozenset())
    if not before and not after:
        return False
    prev = words_of(folded[max(0, c.start - 20) : c.start])[-1:]
    nxt = words_of(folded[c.end : c.end + 20])[:1]
    return bool(prev and prev[0] in before) or bool(nxt and nxt[0] in after)


# languages whose country adjective is the attributive form of the name before a noun
# ("இந்திய பயணம்", "ഇന്ത്യൻ സന്ദർശനം" = the India visit), not a person's nationality
_ATTRIBUTIVE_DEMONYM = frozenset(("ta", "te", "ml", "si", "mr", "gu", "bn", "ne", "pa"))


_WORD_AFTER = re.compile(r"[ \t]*([a-z][a-z-]+)")


def _adjectives_of_unknown_nouns(
    ents: list[Entity], trigs: list[Trigger], cues: list[Cue], folded: str
) -> None:
    """ "Chinese and American scientists met": a bare demonym before a noun that is no role
    describes people who are not officials (English puts the adjective first)."""
    known = {e.start for e in ents} | {t.start for t in trigs} | {c.start for c in cues}
    for ent in ents:
        if ent.role or ent.person >= 0 or ent.org or ent.place_only or ent.codes:
            continue
        if ent.source == "handle":
            continue  # "@POTUS at the White House": an official's account, not an adjective
        surface = folded[ent.start : ent.end]
        if surface.endswith("s") and not surface.endswith("ss"):
            continue  # "Israelis", "Palestinians": the plural noun names the side itself
        if ent.start > 0 and folded[ent.start - 1] in "-–":
            continue  # "India-Saudi Strategic Partnership Council": one side of a pair
        m = _WORD_AFTER.match(folded, ent.end)
        if m is None or m.start(1) in known or m.group(1) in ("and", "or", "side", "sides"):
            continue
        ent.nonofficial = True


# Words after an organisation's name that do not make the name a modifier of a noun.
_NOT_NOUNS = frozenset(
    """and or nor but side sides is are was were has have had will would shall should can
    could may might must also to in on at by for with from of as than that which who whose
    where when while after before during since until per via into onto over under about
    against between among amid said says say told""".split()  # noqa: SIM905
)


def _attributive_orgs(
    ents: list[Entity], trigs: list[Trigger], cues: list[Cue], folded: str
) -> None:
    """ "amid EU sanctions", "NATO spending": an organisation's bare name before a common
    noun modifies that noun; it is what is talked about, not a side (English puts the
    modifier first; "EU officials", "UN peacekeeping chief" are roles and join the name)."""
    known = {e.start for e in ents} | {t.start for t in trigs} | {c.start for c in cues}
    for ent in ents:
        if not ent.org or ent.role or ent.person >= 0 or ent.codes or ent.slot:
            continue
        m = _WORD_AFTER.match(folded, ent.end)
        if m is None or m.start(1) in known or m.group(1) in _NOT_NOUNS:
            continue
        ent.slot = "topic"


_LAST_WORD = re.compile(r"([^\W\d_][\w'-]*)\s+$")


def _owned_by_orgs(
    ents: list[Entity], trigs: list[Trigger], cues: list[Cue], folded: str, lex: LangLex
) -> None:
    """ "les sanctions de l'UE", "la reforma de la ONU": an organisation's bare name after
    a common noun and "of" owns that noun; it is what is talked about, not a side ("le
    secrétaire général de l'ONU" is a role and joins the name)."""
    linkers = sorted(lex.words["of_before"], key=len, reverse=True)
    structure = frozenset().union(*lex.words.values())
    spans = [(e.start, e.end) for e in ents] + [(t.start, t.end) for t in trigs]
    spans += [(c.start, c.end) for c in cues]
    for ent in ents:
        if not ent.org or ent.role or ent.person >= 0 or ent.codes or ent.slot:
            continue
        head = folded[max(0, ent.start - 50) : ent.start]
        base = ent.start - len(head)
        tight = head.rstrip()
        for w in linkers:
            if not tight.endswith(w) or not (w.endswith("'") or len(tight) < len(head)):
                continue
            m = _LAST_WORD.search(tight, 0, len(tight) - len(w))
            if m is None or m.end() != len(tight) - len(w):
                continue
            at = base + m.start(1)
            if m.group(1) in structure or any(a <= at < b for a, b in spans):
                break  # "avec les responsables de l'UE": a role, a side
            ent.slot = "topic"
            break
