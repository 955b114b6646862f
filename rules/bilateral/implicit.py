"""What a sentence leaves implicit: whose an official named only by role is (the language's
or the publisher's home, the host, "that country"), and where the meeting took place."""

from __future__ import annotations

from itertools import pairwise

from rules.bilateral.frames import NATIONAL_OFFICES, Entity
from rules.bilateral.glue import words_of
from rules.bilateral.lexicon import LangLex
from rules.bilateral.records import BUILDING, CAPITAL, CITY, COUNTRY

# the Japanese press drops the subject that is its own government's official (when no other
# one, such as "トヨタ社長、", stands unmarked for it)
_DROPPED_HOME = frozenset(("ja",))


def dropped_subject(met: Entity, ents: list[Entity], lang: str, home: str) -> str:
    """The home side of "Xと会談した": the one side is the counterpart, nobody else is named."""
    if met.slot != "with" or lang not in _DROPPED_HOME:
        return ""
    return home if all(e is met or e.slot in ("loc", "topic") for e in ents) else ""


def default_unnamed(
    ents: list[Entity],
    home: str,
    host: str,
    host_kind: int,
    folded: str = "",
    lex: LangLex | None = None,
) -> None:
    """The country of an official named by role only ("प्रधानमंत्री", "首相", "the president
    ... at the Blue House", "X's ambassador to Y called on the minister": Y)."""
    if lex is not None:
        posted_in_place(ents, folded, lex)
    posted = _posting(ents)
    if home and not (posted and posted != home and _home_envoy(ents, home)):
        # the home press's own envoy abroad ("श्रीलंका में भारत के उच्चायुक्त") calls on the
        # government they are posted to; otherwise an unqualified official is the home's
        posted = ""
    elif posted:
        home = ""
    for ent in ents:
        if ent.party or ent.codes or ent.counterpart or ent.nonofficial or ent.former:
            continue
        if ent.slot in ("loc", "topic") or not (ent.role in NATIONAL_OFFICES or ent.subnational):
            continue
        if home:
            ent.party, ent.source = home, "home"
        elif posted and ent.role != "envoy":
            # an envoy deals with the government they are accredited to: the minister or
            # president they call on, present credentials to or bid farewell to is its own
            ent.party, ent.source = posted, "host"
        elif host and host_kind in (BUILDING, CAPITAL):
            # only a seat of government or a capital says whose official this is; a summit
            # venue ("talks in Geneva") does not
            ent.party, ent.source = host, "host"


def _home_envoy(ents: list[Entity], home: str) -> bool:
    return any(e.role == "envoy" and e.party == home and e.posting for e in ents)


def posted_in_place(ents: list[Entity], folded: str, lex: LangLex) -> None:
    """ "श्रीलंका में भारत के उच्चायुक्त", "ભારત સ્થિત બ્રિટીશ હાઇકમિશનર": in a verb-final
    language a place in the locative right before an envoy (nothing but the locative
    postposition between) is where the envoy is posted."""
    words = lex.words.get("loc_post", frozenset()) | lex.words.get("posted_post", frozenset())
    for prev, ent in pairwise(ents):
        if ent.role != "envoy" or ent.posting or not ent.party or prev.slot != "loc":
            continue
        if not prev.place_only or not prev.party or prev.party == ent.party or prev.dateline:
            continue
        gap = words_of(folded[prev.end : ent.start])
        if all(w in words for w in gap):
            ent.posting = prev.party


def _posting(ents: list[Entity]) -> str:
    """The one country the sentence's envoys are posted to ("" if none or several)."""
    posts = {
        e.posting
        for e in ents
        if e.role == "envoy" and e.posting and e.party and e.posting != e.party and not e.former
    }
    return next(iter(posts)) if len(posts) == 1 else ""


def that_country(ents: list[Entity], folded: str, lex: LangLex) -> None:
    """An official of "that country" ("அந்நாட்டு அமைச்சர்", "ఆ దేశ విదేశాంగ మంత్రి", "එරට
    ජනාධිපති") belongs to the country named last before it in the sentence (the one visited),
    not to the language's home."""
    words = lex.words.get("that_country")
    if not words:
        return
    for i, ent in enumerate(ents):
        if ent.party or ent.codes or not (ent.role in NATIONAL_OFFICES or ent.subnational):
            continue
        head = folded[max(0, ent.start - 24) : ent.start].rstrip()
        if not any(
            head.endswith(w) and (len(head) == len(w) or not head[-len(w) - 1].isalnum())
            for w in words
        ):
            continue
        named = [e for e in ents[:i] if e.place_only and e.party and not e.dateline]
        if named:
            ent.party, ent.source = named[-1].party, "host"


def meeting_place(ents: list[Entity]) -> tuple[str, str | None, int]:
    """(host country, location name, kind of place) of the sentence's meeting place."""
    best: Entity | None = None
    for e in ents:
        if e.slot != "loc" or e.dateline or not e.place_kind:
            continue
        if best is None or place_rank(e) > place_rank(best):
            best = e
    if best is None:
        for e in ents:  # a seat of government names the host even as a subject
            if e.place_kind == BUILDING and not e.dateline:
                return e.party, e.place_name or None, BUILDING
        for e in ents:  # "will travel to Seoul ... to meet": the visit's destination
            if e.slot == "dest" and e.place_kind in (CAPITAL, CITY) and e.place_name:
                return "", e.place_name, 0
        return "", None, 0
    host = best.party or best.posting
    name = None if best.place_kind == COUNTRY else (best.place_name or None)
    return host, name, best.place_kind


def place_rank(e: Entity) -> int:
    return {BUILDING: 4, CITY: 3, CAPITAL: 3, COUNTRY: 1}.get(e.place_kind, 0)
