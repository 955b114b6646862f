"""Places among a sentence's sides: where a meeting happened, where a visit goes, and whose
seat of government received a visitor. Imports only entity and trigger types (no pairing)."""

from __future__ import annotations

from rules.bilateral.frames import Entity
from rules.bilateral.glue import words_of
from rules.bilateral.lexicon import LangLex
from rules.bilateral.records import BUILDING, CAPITAL
from rules.bilateral.status import Trigger


def visit_goal(ents: list[Entity], parties: set[str]) -> Entity | None:
    """The country a visit goes to (访华, "to China"), when it is none of ``parties``."""
    return next(
        (e for e in ents if e.usable and (e.slot == "dest" or e.visit) and e.party not in parties),
        None,
    )


def place_is_side(e: Entity, ents: list[Entity], folded: str, lex: LangLex) -> bool:
    """Beside an official the subject met, is the bare place ``e`` a side after all? Only as a
    member of a list ("A, B and C's ministers") or as the owner of an official a word or two
    on ("Ukraine's acting president"); otherwise it is where the meeting happened."""
    after = folded[e.end : e.end + 30].lstrip()
    conj = lex.words.get("conj", frozenset())
    if after[:1] in (",", "、", "،", "/") or next(iter(words_of(after)), "") in conj:
        return True
    nxt = next((o for o in ents if o.start >= e.end), None)
    if nxt is None or not nxt.official or nxt.place_only:
        return False
    gap = folded[e.end : nxt.start].strip()
    words = words_of(gap)
    # the genitive may be written onto the name ("જાપાનના પીએમ"): nothing between
    owner = (
        not gap
        or gap.startswith(("'s", "’s", "'", "’"))
        or (bool(words) and words[0] in lex.words.get("glue", frozenset()))
    )
    return owner and len(words) <= 3


def passive_receipt(t: Trigger, lex: LangLex) -> bool:
    """Is the meeting word a passive "was received" ("fue recibido", "a été reçu", "sera
    reçu", a headline's bare "reçu")? Its subject is the visitor."""
    words = t.text.split()
    # the participle's stems ("recibid~": recibido, recibida, recibidos, recibidas)
    stems = tuple(w.rstrip("~") for w in lex.words.get("passive", ()))
    return (
        bool(words)
        and bool(stems)
        and words[-1].startswith(stems)
        and (len(words) == 1 or words[-2] in lex.words.get("passive_aux", frozenset()))
    )


def seat_host(
    e: Entity,
    ents: list[Entity],
    trigs: list[Trigger],
    lang: str,
    host: str,
    lex: LangLex,
    folded: str = "",
) -> str:
    """ "N received Peru's trade minister in Hanoi": a visiting official received or met, as
    the verb's object, in another country's capital or seat of government by someone the
    roster does not know, met the host country (English, where no home country stands in
    for an unnamed host). The visitor must follow the verb: a known official before it who
    "met reporters in X" or "met opposition leaders in X" names no host. In any language a
    visitor "received at the Élysée" ("fue recibido en la Casa Blanca") is the subject of a
    passive verb, before it.

    In any language, an envoy summoned or received at another country's seat of government
    ("convocato alla Farnesina", "im Kanzleramt einbestellt") met that government."""
    if e.role == "envoy" and e.party and not e.place_only and not e.former:
        seats = {
            x.party
            for x in ents
            if x.slot == "loc" and x.place_kind == BUILDING and x.party and not x.dateline
        }
        if seats == {host} and host != e.party and any(t.group == "held" for t in trigs):
            return host
    if not e.official or e.place_only:
        return ""
    # a verb says they met ("received", "met with"), with someone before it; an event noun
    # may be a summit there
    verbs = [t for t in trigs if t.group in ("held", "scheduled") and not t.noun]
    # a passive's agent other than a named official ("por miles de seguidores") received
    # the visitor, not the seat's government
    by = lex.words.get("by", frozenset())
    passive = any(
        e.end <= t.start
        and passive_receipt(t, lex)
        and not by.intersection(words_of(folded[t.end :]))
        for t in verbs
    )
    if not passive and (
        lang != "en"
        or not any(t.start > 0 and t.end <= e.start and t.group == "held" for t in verbs)
    ):
        return ""
    if any(x.nonofficial for x in ents):
        return ""
    seats = {
        x.party
        for x in ents
        if x.slot == "loc" and x.place_kind in (CAPITAL, BUILDING) and x.party and not x.dateline
    }
    return host if seats == {host} and host != e.party else ""
