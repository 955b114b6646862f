"""Where a visit goes: the place a visit word names as its destination, in the languages'
orders (adjacent, after a genitive, a list closed by "these countries", after the visitor's
title and name). Imports only entity and lexicon types."""

from __future__ import annotations

from rules.bilateral.frames import Entity
from rules.bilateral.glue import word_listed, words_of
from rules.bilateral.lexicon import LangLex
from rules.bilateral.status import Trigger


def _visitors(
    start: int, stop: int, ents: list[Entity], folded: str, first_names: bool
) -> tuple[list[Entity], list[str]] | None:
    """The officials between ``start`` and ``stop`` and the words around them, or None when
    anything but an official (a place, another actor) stands there. ``first_names``: up to
    two words before a known person may be a first name the roster lacks ("Дениса
    Шмыгаля")."""
    between: list[Entity] = []
    gap: list[str] = []
    end = start
    for e in ents:
        if start <= e.start and e.end <= stop:
            if e.place_only or not e.official:
                return None
            words = words_of(folded[end : e.start])
            gap.extend(words[: len(words) - 2] if first_names and e.person >= 0 else words)
            between.append(e)
            end = e.end
    gap.extend(words_of(folded[end:stop]))
    return between, gap


def _allowed(lex: LangLex, keys: tuple[str, ...]) -> set[str]:
    return set().union(*(lex.words.get(k, ()) for k in keys))


def visitor_between(t: Trigger, ent: Entity, ents: list[Entity], folded: str, lex: LangLex) -> bool:
    """Only the visitor (named officials and their glue) stands between the visit and the place."""
    found = _visitors(t.end, ent.start, ents, folded, first_names=True)
    if found is None or not found[0]:
        return False
    ok = _allowed(lex, ("glue", "det", "loc", "dest"))
    return all(w in ok or w == "," for w in found[1])


def names_destination(gap: str, sov: bool, lex: LangLex) -> bool:
    """The place right before a visit word is its destination: adjacent ("China visit"), or in
    a verb-final language joined by the genitive ("پاکستان کا دورہ", "भारत की यात्रा")."""
    if len(gap) <= 3:
        return True
    # a list closed by an appositive "(these) countries" in the destination case ("A, B மற்றும்
    # C ஆகிய நாடுகளுக்கு பயணம்", "A, B आणि C या देशांना भेट"): the list is where the visit goes
    appos = lex.words.get("dest_appos", frozenset())
    listed = bool(appos) and len(gap) <= 30
    joined = sov and len(gap) <= 12
    if not (listed or joined):
        return _modified_visit(gap, sov, lex)  # most gaps end here
    between = words_of(gap)
    if listed and between and any(word_listed(w, appos) for w in between):
        glue = lex.words.get("glue", frozenset())
        return all(word_listed(w, appos) or w in glue for w in between)
    return (
        joined and bool(between) and all(w in lex.words.get("glue", frozenset()) for w in between)
    ) or _modified_visit(gap, sov, lex)


# languages that write the genitive or locative onto the name ("ভারতের", "भारताच्या",
# "भारतको"): the modifiers of a visit follow the name with no glue word between
_CASE_ON_NAME = frozenset(("bn", "mr", "ne", "gu", "ta", "te", "ml", "si"))


def _modified_visit(gap: str, sov: bool, lex: LangLex) -> bool:
    """ "भारत की चार दिन की आधिकारिक यात्रा": the genitive, then the visit's length and kind."""
    mods = lex.words.get("visit_mod", frozenset())
    if not sov or not mods or len(gap) > 40:
        return False
    between = words_of(gap)
    glue = lex.words.get("glue", frozenset())
    return (
        bool(between)
        and (between[0] in glue or lex.code in _CASE_ON_NAME)
        and all(w in glue or w in mods or w.isdigit() for w in between)
    )


def arrives_at(t: Trigger, ent: Entity, folded: str, lex: LangLex) -> bool:
    """ "दौरे पर कल इस्लामाबाद पहुंचेंगे", "دورے پر پاکستان آئیں گے": in a verb-final language a
    bare place after the visit word and right before a verb of arriving, coming or going (its
    ``motion`` words; "~" ends a stem) is where the visit goes, in the same clause."""
    motion = lex.words.get("motion", frozenset())
    gap = folded[t.end : ent.start]
    if not motion or not 0 <= len(gap) <= 40 or any(c in gap for c in ",;:.।۔،"):
        return False
    nxt = words_of(folded[ent.end : ent.end + 30])[:1]
    return bool(nxt) and word_listed(nxt[0], motion)


def visitor_after_place(
    t: Trigger, ent: Entity, ents: list[Entity], folded: str, lex: LangLex
) -> bool:
    """ "श्रीलंका में भारत के प्रधानमंत्री की यात्रा", "ચીનમાં ભારતના વિદેશ મંત્રીની મુલાકાત",
    "భారత్‌లో శ్రీలంక అధ్యక్షుడి పర్యటన": in a verb-final language a place in the locative (a
    postposition or a case ending), then the visitor (officials of another country, not an
    envoy posted there), then the visit word: the place is where the visit goes."""
    found = _visitors(ent.end, t.start, ents, folded, first_names=False)
    if found is None or not found[0]:
        return False
    between, gap = found
    if any(e.role == "envoy" or e.party in ("", ent.party) for e in between):
        return False
    ok = _allowed(lex, ("glue", "loc", "loc_post", "loc_tail", "visit_mod"))
    return len(gap) <= 8 and all(w in ok or w.isdigit() for w in gap)
