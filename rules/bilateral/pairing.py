"""From a sentence's entities to bilateral pairs.

The sentence's *hub* is its subject (marked by "ने", "は", "은/는", a passive "by", or simply
the first side in verb-medial languages); every other side is paired with the hub
("met the foreign ministers of Belarus and Tajikistan" -> two meetings). Two coordinated
subjects ("Modi and Putin held talks") pair with each other. A list of three or more
coordinated sides with no "with" and no "bilateral" cue is a multilateral meeting and
yields nothing. An official named only by role ("the Prime Minister", "विदेश सचिव", "首相")
takes the language's home country, else the host country of the meeting place, else the
article's main actor -- never a guess when none of those is known.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

from rules.bilateral.frames import Entity
from rules.bilateral.implicit import dropped_subject
from rules.bilateral.lexicon import LangLex
from rules.bilateral.lists import (
    AGENT_SLOTS,
    continue_with_list,
    coordination_groups,
    hyphen_pairs,
    met_separately,
    spread_slots,
    subjects_after_verb,
)
from rules.bilateral.places import place_is_side, seat_host, visit_goal
from rules.bilateral.status import SOV, Trigger

_SUBJ_PARTICLE_LANGS = frozenset(("hi", "ur", "mr", "gu", "ja", "ko", "bn", "ta"))


@dataclass(slots=True)
class Side:
    party: str
    entity: Entity | None
    how: str  # person | handle | explicit | role | actor | home | host | main | author


@dataclass(slots=True)
class Context:
    lang: str
    lex: LangLex
    home: str
    main_of: Callable[[], Side | None]  # the article's protagonist, found when first needed
    author: Side | None
    host: str  # country of the sentence's meeting place, if any
    cues: frozenset[str]
    social: bool = False

    @property
    def main(self) -> Side | None:
        return self.main_of()


@dataclass(slots=True)
class Pairing:
    a: Side
    b: Side
    trigger: Trigger
    notes: list[str] = field(default_factory=list)


def _marked_subject_outside(grp: list[Entity], ents: list[Entity], parties: set[str]) -> bool:
    """Is another side the marked subject, so that the list is whom it met?

    "X ने A, B और C के नेताओं से मुलाकात की": the list is X's counterparts, one meeting
    each, not a multilateral meeting of A, B and C (which would be their own subject).
    """
    return any(
        e.usable and e.slot in AGENT_SLOTS and e not in grp and e.party not in parties for e in ents
    )


def _parties(ent: Entity) -> tuple[str, ...]:
    return ent.codes if ent.codes else ((ent.party,) if ent.party else ())


def pair_sentence(
    ents: list[Entity],
    trigs: list[Trigger],
    folded: str,
    ctx: Context,
) -> list[Pairing]:
    """Bilateral pairs a sentence states (status is decided separately per trigger)."""
    # read before the sentence's slots are spread over its lists
    named = hyphen_pairs(ents, trigs, folded, ctx.lang == "en") if trigs else []
    out = _pair_sentence(ents, trigs, folded, ctx)
    for a, b, t in named:
        if all({p.a.party, p.b.party} != {a.party, b.party} for p in out):
            out.append(Pairing(Side(a.party, a, "explicit"), Side(b.party, b, "explicit"), t))
    return out


def _pair_sentence(
    ents: list[Entity],
    trigs: list[Trigger],
    folded: str,
    ctx: Context,
) -> list[Pairing]:
    if not trigs:
        return []
    groups = coordination_groups(ents, folded, ctx.lex)
    spread_slots(groups)
    continue_with_list(ents, trigs, folded, ctx.lex)
    bilateral_cue = "bilateral" in ctx.cues
    multilateral = "multilateral" in ctx.cues or "forum" in ctx.cues
    usable_groups: list[list[Entity]] = []
    for grp in groups:
        members = [e for e in grp if e.usable and not (e.codes and _relations(e, folded, ctx.lex))]
        # a place-like member counts too: "in the Russia, India and China ministers' meeting"
        parties = {p for e in grp if e.usable or e.slot == "loc" for p in _parties(e)}
        if (
            len(parties) >= 3
            and members
            # a list of pair compounds names one pair each: "한중, 한일 외교장관 회담"
            and not all(len(e.codes) == 2 for e in members)
            and not bilateral_cue
            and all(e.slot not in ("with", "dest", "obj", "by") for e in grp)
            and not _marked_subject_outside(grp, ents, parties)
            and visit_goal(ents, parties) is None  # "A, B and C's ministers will visit D"
        ):
            multilateral = True  # "The US, Russia and Switzerland met": not bilateral
            continue
        if members:
            usable_groups.append(members)
    # CJK compounds name the pair themselves: 中美元首会晤, 日韓首脳会談, 한중 외교장관회담
    # (a sentence may list several: 日・インドネシア外相会談、日・シンガポール外相会談)
    named: list[Pairing] = []
    for grp in usable_groups:
        for e in grp:
            if len(e.codes) >= 3:
                return []
            if len(e.codes) == 2 and all(set(e.codes) != {p.a.party, p.b.party} for p in named):
                a, b = Side(e.codes[0], e, "explicit"), Side(e.codes[1], e, "explicit")
                named.append(Pairing(a, b, trigs[0]))
    if named:
        return named
    usable = [e for grp in usable_groups for e in grp]
    first_trig = trigs[0].start
    hub = _hub(usable, usable_groups, first_trig, ctx)
    sides = [Side(e.party, e, e.source or "explicit") for e in usable]
    if hub is not None:
        hub_grp = next(g for g in usable_groups if hub in g)
        hub_parties = {e.party for e in hub_grp}
        rest = {e.party for e in usable if e not in hub_grp and not e.place_only}
        if len(hub_grp) >= 2 and len(hub_parties) == 2 and rest <= hub_parties:
            # "Modi and Putin held talks": two coordinated subjects meet each other -- unless
            # they travel together to a third country ("A and B's ministers will visit C"):
            # each visits it; "met during a visit to C": they met each other there
            met = trigs[0].group == "held" and not trigs[0].noun
            goal = None if met else visit_goal(usable, hub_parties)
            # (a bare comma between a place and an official is a clause break more often
            # than a list: "After Oman, the Qatari emir flies on to Italy")
            listed = len({e.place_only for e in hub_grp}) == 1 or not any(
                c in folded[a.end : b.start] for a, b in pairwise(hub_grp) for c in ",،"
            )
            if goal is not None and listed:
                return [
                    p for m in _distinct(hub_grp) for p in _star(_side(m), [_side(goal)], trigs[0])
                ]
            first = hub_grp[0]
            second = next(e for e in hub_grp if e.party != first.party)
            return [Pairing(_side(first), _side(second), trigs[0])]
        others = [s for s in sides if s.entity is not hub and s.party != hub.party]
        after = subjects_after_verb(hub, [s.entity for s in others], trigs, ctx.lang in SOV)
        if after and not (multilateral and not bilateral_cue):
            whom = [s for s in others if s.entity is not None and s.entity.slot in ("with", "obj")]
            return [p for m in _distinct(after) for p in _star(_side(m), whom, trigs[0])]
        if len(hub_parties) >= 3 or (len(hub_parties) == 2 and met_separately(folded, ctx.lex)):
            # the subject is one of a list ("the leaders of A, B and C held bilateral
            # meetings", "A and B separately met C"): no member pairs with another
            others = [s for s in others if s.entity not in hub_grp]
            if not others or (multilateral and not bilateral_cue):
                return []
            # each member met the one named outside the list
            return [p for m in _distinct(hub_grp) for p in _star(_side(m), others, trigs[0])]
        if not others:
            return _complete(_side(hub), usable, ents, trigs, ctx, multilateral, folded)
        others = _drop_bare_places(others, ents, folded, ctx.lex)
        if multilateral and not bilateral_cue:
            # at a summit, only someone the subject explicitly met is a bilateral side; under
            # a passive ("X was received by Y") the one received is the grammatical subject
            passive = hub.slot == "by" and not hub.place_only and hub.start >= first_trig
            others = [
                s
                for s in others
                if s.entity is not None
                and (
                    s.entity.slot in ("with", "obj")
                    or (
                        passive
                        and not s.entity.slot
                        and not s.entity.place_only
                        and s.entity.end <= first_trig
                    )
                )
            ]
            if not others:
                return []
            if "multilateral" in ctx.cues and _one_list(others, usable_groups, folded, ctx.lex):
                return []  # "hosted his Japanese, Australian and Indian counterparts for a
                # Quad ministerial": one meeting of them all
        return _star(_side(hub), others, trigs[0])
    # no subject: everything is an object ("से मिले", "と会談") -> the protagonist is the hub
    uniq: list[Side] = []
    for s in sides:
        if s.party not in [p.party for p in uniq]:
            uniq.append(s)
    # no side is a subject: a pronoun or a dropped subject ("Allí se reunió con Trump",
    # "他同普京举行会谈") stands for the article's protagonist
    carrier = _carrier(ctx, ents, folded, subjectless=True)
    if carrier is not None and all(s.party != carrier.party for s in uniq) and uniq:
        return _star(carrier, uniq, trigs[0])
    if len(uniq) == 2:
        if (
            multilateral
            and not bilateral_cue
            and not all(s.entity is not None and s.entity.slot in ("with", "obj") for s in uniq[1:])
        ):
            return []  # two names around a summit are not a bilateral meeting by themselves
        return [Pairing(uniq[0], uniq[1], trigs[0])]
    if len(uniq) == 1:
        return _complete(uniq[0], usable, ents, trigs, ctx, multilateral, folded)
    return []


def _one_list(others: list[Side], groups: list[list[Entity]], folded: str, lex: LangLex) -> bool:
    """The sides are two or more countries coordinated in one list ("A, B and C") that the
    sentence does not meet one by one ("held separate meetings with A, B and C")."""
    grp = next((g for g in groups if others[0].entity in g), None)
    return (
        grp is not None
        and len({s.party for s in others}) >= 2
        and all(s.entity in grp for s in others)
        and not met_separately(folded, lex)
    )


def _drop_bare_places(
    others: list[Side], ents: list[Entity], folded: str, lex: LangLex
) -> list[Side]:
    """The subject met an official named as such ("with Y", "met Y"): a bare place beside
    them that no preposition ties to the meeting ("arrived in X", "in X's capital") is where
    it happened, not a side -- unless a list goes on after it ("A, B and C's ministers") or
    it owns an official a word or two on ("Ukraine's acting president")."""
    met = any(
        s.entity is not None and s.entity.slot in ("with", "obj") and s.entity.official
        for s in others
    )
    if not met:
        return others
    return [
        s
        for s in others
        if s.entity is None
        or not s.entity.place_only
        or s.entity.slot in ("with", "obj")
        or place_is_side(s.entity, ents, folded, lex)
    ]


def _relations(e: Entity, folded: str, lex: LangLex) -> bool:
    """Is this pair compound the two countries' relations ("日中関係", "한미 관계"), the
    topic of what was said rather than the meeting's sides?"""
    words = lex.words.get("relation", frozenset())
    rest = folded[e.end : e.end + 6].lstrip(" ・·-の")  # "日米の関係" too
    return any(rest.startswith(w) for w in words)


def _distinct(grp: list[Entity]) -> list[Entity]:
    first: dict[str, Entity] = {}
    for e in grp:
        first.setdefault(e.party, e)
    return list(first.values())


def _side(e: Entity) -> Side:
    return Side(e.party, e, e.source or "explicit")


def _star(hub: Side, others: list[Side], trig: Trigger) -> list[Pairing]:
    first: dict[str, Side] = {}
    for s in others:
        if s.party != hub.party:
            first.setdefault(s.party, s)
    return [Pairing(hub, s, trig) for s in first.values()]


def _hub(
    usable: list[Entity], groups: list[list[Entity]], first_trig: int, ctx: Context
) -> Entity | None:
    if ctx.social and ctx.author is not None and usable:
        # "Name (@handle): good to meet X ... hosted by Y": the post's author, named before
        # the handle, is who speaks and met, whatever "by" phrase follows
        first = usable[0]
        if first.start <= 2 and not first.slot and first.party == ctx.author.party:
            return first
    for e in usable:
        if e.slot in ("subj", "by"):
            return e
    free = [e for e in usable if e.slot not in ("with", "dest", "obj")]
    if not free:
        return None
    if ctx.lang in _SUBJ_PARTICLE_LANGS or ctx.lang == "ar":
        # the subject is the side that is not marked as "with"/object; in Arabic, a named or
        # titled official before an organisation or a demonym ("في قمتي حلف ... التقى الرئيس")
        officials = [e for e in free if not e.place_only]
        if ctx.lang == "ar":
            officials = [e for e in officials if e.official] or officials
        if not officials and "pronoun_subject" in ctx.cues and "forum" not in ctx.cues:
            return None  # "वह X से मिलेंगे, फिर लंदन जाएंगे": the pronoun is the subject
        return (officials or free)[0]
    before = [e for e in free if e.start < first_trig]
    if before:
        officials = [e for e in before if not e.place_only]
        return (officials or before)[0]
    if "pronoun_subject" in ctx.cues:
        # "Il a reçu X, puis Y et Z": the pronoun before the verb is its subject and everyone
        # after it is whom it met; the article's protagonist stands for it, else no pair
        return None
    officials = [e for e in free if not e.place_only]
    return officials[0] if officials else free[0]


def _carrier(
    ctx: Context, ents: list[Entity], folded: str, subjectless: bool = False
) -> Side | None:
    """The protagonist carried into a sentence without a subject of its own."""
    if ctx.social and ctx.author is not None:
        return ctx.author
    if (
        subjectless
        or {"pronoun", "first_person"} & ctx.cues
        or not ents
        or ctx.lang in _SUBJ_PARTICLE_LANGS
    ):
        return ctx.main  # found (and cached) only now that it is needed
    return None


def _complete(
    only: Side,
    usable: list[Entity],
    ents: list[Entity],
    trigs: list[Trigger],
    ctx: Context,
    multilateral: bool,
    folded: str = "",
) -> list[Pairing]:
    """One side named: find the other among unnamed officials, the host, the protagonist."""
    if not trigs[0].strong or (multilateral and "bilateral" not in ctx.cues):
        return []
    unnamed = [
        e
        for e in ents
        if not e.party
        and not e.codes
        and (e.official or e.subnational)
        and not e.counterpart
        and not e.nonofficial
        and not e.former
        and e.slot not in ("loc", "topic")
    ]
    for e in unnamed:
        for party, how in ((ctx.home, "home"), (ctx.host, "host")):
            if party:
                if party == only.party:
                    return []  # domestic: the PM met his own country's governor
                return [Pairing(only, Side(party, e, how), trigs[0])]
    carrier = _carrier(ctx, ents, "")
    if (
        carrier is not None
        and carrier.party != only.party
        and (
            {"pronoun", "first_person"} & ctx.cues
            or only.entity is None
            or only.entity.slot in ("with", "obj", "dest")
            # a Hindi/Urdu post names only whom its author met, welcomed or heard from ("X का
            # नई दिल्ली में स्वागत किया", "X کا ٹیلیفون موصول ہوا"): no case of its own (there a
            # subject takes ने/نے; English "X held talks" is someone else's meeting)
            or (ctx.social and not only.entity.slot and ctx.lang in _ERGATIVE_POSTS)
        )
    ):
        return [Pairing(carrier, only, trigs[0])]
    met = only.entity
    host = seat_host(met, ents, trigs, ctx.lang, ctx.host, ctx.lex, folded) if met else ""
    if not host and met:
        host = dropped_subject(met, ents, ctx.lang, ctx.home)
    if host:
        return [Pairing(Side(host, None, "host"), only, trigs[0])]
    return []


_ERGATIVE_POSTS = frozenset(("hi", "ur"))
