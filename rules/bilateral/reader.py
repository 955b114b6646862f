"""Reading a text sentence by sentence: mentions -> entities -> pairs with a status each.

For every sentence: drop lexicon entries of other languages, group mentions into entities
(``rules.bilateral.frames``), refine what the words around them say (a former office holder, a
spouse who shares a surname, the object right after "met", the country before "visit"),
give unnamed national officials their country, then pair (``rules.bilateral.pairing``) and take, for
each pair, the status of the meeting word nearest to it (``rules.bilateral.status``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from monitor.model import MeetingStatus
from rules.bilateral.context import (
    refine,
    topic_trigger,
    welcomes_a_thing,
    written_verbs,
)
from rules.bilateral.cooccur import governing, sentence_candidates
from rules.bilateral.frames import Entity, build_entities
from rules.bilateral.gazetteer import Gazetteer, Mention
from rules.bilateral.hanzi import reads_simplified, simplified
from rules.bilateral.implicit import (
    dateline_office,
    default_unnamed,
    meeting_place,
    posted_in_place,
    that_country,
)
from rules.bilateral.infinitive import done_infinitives
from rules.bilateral.lexicon import LangLex
from rules.bilateral.lists import share_titles
from rules.bilateral.mentions import (
    drop_elided_name_parts,
    drop_other_first_names,
    drop_surname_places,
)
from rules.bilateral.old_year import old_year
from rules.bilateral.pairfeatures import pair_features
from rules.bilateral.pairing import Context, Pairing, Side, pair_sentence
from rules.bilateral.questions import question_cues
from rules.bilateral.records import (
    CAPITAL,
    CITY,
    COUNTRY,
    CUE,
    DEMONYM,
    FORUM,
    HANDLE,
    PERSON,
    ROLE,
)
from rules.bilateral.resolve import resolve
from rules.bilateral.slots import mark_dateline, mark_slots
from rules.bilateral.status import (
    SOV,
    Cue,
    Trigger,
    by_name,
    split_mentions,
    split_verbs,
    trigger_status,
)
from rules.bilateral.suffix_cues import suffix_cues
from rules.bilateral.surname_title import surname_titles
from rules.bilateral.tense import inherit, predicate_tense
from rules.bilateral.time_cues import time_cues
from rules.bilateral.visiting import the_visitor
from rules.bilateral.weak_words import compound_sides, weak_ok
from rules.sentences import Sentence, SentenceFinder
from rules.text import Normalized, normalize

_CJK_LANGS = frozenset(("zh", "ja"))
_PROTAGONIST_SENTENCES = 3  # the article's main actor is named in its opening sentences
_PLACE_KINDS = frozenset((COUNTRY, DEMONYM, CAPITAL, CITY))
_OFFICIAL_KINDS = frozenset((PERSON, HANDLE, ROLE))


@dataclass(slots=True)
class Report:
    """One pair in one sentence."""

    pair: tuple[str, str]
    status: MeetingStatus
    confidence: float
    evidence: str
    officials: list[str]
    location: str | None
    order: int
    # what the status model reads: the sentence with the pair and other parties masked, and
    # the grammar's view of the pair (trigger group, cues, how each side was found)
    features: tuple[str, ...] = ()
    cooccur: bool = False  # a candidate only the model may keep (``rules.bilateral.cooccur``)


@dataclass(slots=True)
class DocState:
    g: Gazetteer
    lang: str
    lex: LangLex
    en: LangLex | None
    strict: bool
    published: datetime | None
    main: Side | None = None
    author: Side | None = None
    author_name: str = ""  # the roster's name for the author of a social post, if known
    social: bool = False
    reports: list[Report] = field(default_factory=list)
    order: int = 0
    prev_order: int = -1  # the sentence with a meeting word read before this one
    segment: int = 0
    opening: list[tuple[str, SentenceFinder]] = field(default_factory=list)
    main_done: bool = False
    # the segments as written, when the ones read had glosses blanked (same offsets): the
    # evidence quotes the text verbatim
    verbatim: list[str] = field(default_factory=list)
    publisher_home: str = ""  # the source's country, when its configuration says

    @property
    def home(self) -> str:
        """Whose unqualified officials these are: the publisher's country, else the
        language's usual one."""
        return self.publisher_home or self.lex.home

    def scan_sentence(
        self, seg: str, sent: Sentence, whole: Normalized | None = None
    ) -> tuple[str, list[Mention]]:
        """Fold and scan one sentence; mentions get original offsets into ``seg``."""
        if whole is not None and whole.starts is None:
            # the segment folded letter for letter (and simplified, for Chinese, by the
            # detector): its slice is the sentence's fold
            sub = seg[sent.start : sent.end]
            norm = Normalized(sub, whole.folded[sent.start : sent.end])
        else:
            norm = normalize(seg[sent.start : sent.end])
            if reads_simplified(self.lang):
                norm = simplified(norm)
        ms = self.g.scan(norm, sent.start, self.lang if self.strict else None)
        ms = drop_other_first_names(ms, seg, self.g.roster, sent.start, self.lang)
        ms = drop_surname_places(ms, seg)
        ms = drop_elided_name_parts(ms, seg)
        return norm.folded, ms

    def protagonist(self) -> Side | None:
        """The article's main actor: the first official subject of its opening sentences."""
        if self.main is None and not self.main_done:
            self.main_done = True
            for seg, finder in self.opening:
                for rank, sent in enumerate(finder.first(_PROTAGONIST_SENTENCES)):
                    folded, ms = self.scan_sentence(seg, sent)
                    if not any(e.kind in _OFFICIAL_KINDS for m in ms for e in m.entries):
                        continue  # no named or titled official: no protagonist here
                    trigs, cues = split_mentions(ms, folded, self.lang, False)
                    ents = _prepare(self, seg, folded, ms, trigs, cues, rank == 0)[0]
                    self.main = _protagonist(ents)
                    if self.main is not None:
                        return self.main
        return self.main


def read_segment(
    doc: DocState, seg: str, norm: Normalized, hits: list[int], is_title: bool
) -> None:
    """Read every sentence that has a meeting word (``hits``: folded offsets in ``norm``)."""
    finder = SentenceFinder(seg)
    doc.opening.append((seg, finder))
    wanted: dict[int, Sentence] = {}
    last: Sentence | None = None
    for fpos in hits:
        pos = norm.pos(fpos)
        if last is not None and last.start <= pos < last.end:
            continue
        last = finder.around(pos)
        wanted.setdefault(last.start, last)
    lead = len(seg) - len(seg.lstrip())
    for start in sorted(wanted):
        sent = wanted[start]
        folded, ms = doc.scan_sentence(seg, sent, norm)
        doc.prev_order, doc.order = doc.order, doc.segment * 1_000_000 + sent.start
        if ms:
            _read_sentence(doc, seg, folded, sent, ms, is_title, sent.start <= lead)


def _read_sentence(
    doc: DocState,
    seg: str,
    folded: str,
    sent: Sentence,
    ms: list[Mention],
    is_title: bool,
    first: bool,
) -> None:
    day = doc.published.date() if doc.published else None
    trigs, cues = split_mentions(ms, folded, doc.lang, False)
    cues += suffix_cues(folded, doc.lex) + question_cues(folded, doc.lex)
    cues += time_cues(folded, doc.lang, doc.lex, doc.published, is_title)  # "next Friday"
    if doc.lex.split is not None:
        split_t, split_c = split_verbs(folded, doc.lex)
        taken = {t.start for t in trigs}
        trigs += [t for t in split_t if t.start not in taken]
        cues += split_c
    if not trigs:
        return
    ents, trigs, cue_names, host, location = _prepare(doc, seg, folded, ms, trigs, cues, first)
    trigs = done_infinitives(trigs, folded, doc.lex.words)  # "the first leader to meet X"
    if doc.main is None and first:
        doc.main = _protagonist(ents)
    written = doc.verbatim[doc.segment] if doc.verbatim else seg
    sentence_text = written[sent.start : sent.end]
    since = doc.lex.words.get("since", frozenset())
    if "history" in cue_names or old_year(sentence_text, day.year if day else None, since):
        return
    cjk = doc.lang in _CJK_LANGS
    named = by_name(cues)
    conj = doc.lex.words.get("conj", frozenset())
    statuses = [(t, trigger_status(t, named, doc.lang, cjk, folded, trigs, conj)) for t in trigs]
    live = inherit([(t, s) for t, s in statuses if s], doc.lang in SOV, folded, doc.lex.words)
    live = predicate_tense(live, named, folded, doc.lex.words)
    if not live or _restates_as_call(doc, ents, live):
        return
    words = doc.lex.words
    if not any(t.strong for t, _ in live) and not weak_ok(ents, cue_names, live, folded, words):
        return
    dead = [(t, "") for t, s in statuses if s is None]
    first_trig = min(t.start for t, _ in live)
    if any(c.name == "pronoun" and c.end <= first_trig for c in cues):
        cue_names.add("pronoun_subject")  # "Il a reçu X ...": the subject is a pronoun
    ctx = Context(
        doc.lang,
        doc.lex,
        doc.home,
        doc.protagonist,
        doc.author,
        host,
        frozenset(cue_names),
        doc.social,
    )
    ordered = sorted(live, key=lambda ts: ts[0].start)
    before = len(doc.reports)
    timed = sorted(live + dead, key=lambda ts: ts[0].start)
    objects_follow = doc.lang not in SOV and not cjk  # not Chinese 同X会谈: "with X" comes first
    for p in pair_sentence(ents, [t for t, _ in ordered], folded, ctx):
        t, st = governing(p, timed, objects_follow, folded, conj)
        own = compound_sides(t, ents, folded)
        if own is not None and own != {p.a.party, p.b.party}:
            continue  # "... welcomed X as a step towards U.S.-Soviet talks": not X's talks
        if st:  # the nearest meeting word may be denied/negated for this pair
            _report(doc, p, st, t, sentence_text, location, cue_names, ents, folded)
    if len(doc.reports) == before:
        _candidates(doc, ents, live + dead, sentence_text, location, cue_names, folded)


def _candidates(
    doc: DocState,
    ents: list[Entity],
    timed: list[tuple[Trigger, str]],
    sentence_text: str,
    location: str | None,
    cue_names: set[str],
    folded: str,
) -> None:
    """The pairs of a sentence the grammar left unpaired, for the model alone to judge."""

    def emit(p: Pairing, st: str, t: Trigger) -> None:
        own = compound_sides(t, ents, folded)
        if own is None or own == {p.a.party, p.b.party}:
            _report(doc, p, st, t, sentence_text, location, cue_names, ents, folded, True)

    timed.sort(key=lambda ts: ts[0].start)
    sentence_candidates(ents, timed, emit)


def _restates_as_call(doc: DocState, ents: list[Entity], live: list[tuple[Trigger, str]]) -> bool:
    """ "The talks were held by telephone": a sentence whose meeting words all report a call
    and that names no side of its own says how the meeting the sentence before it reported
    took place, so that sentence's held pairs were a call."""
    if any(st != "call" for _, st in live) or any(e.usable and e.party for e in ents):
        return False
    changed = False
    for r in doc.reports:
        if r.order == doc.prev_order and r.status == "held":
            r.status = "call"
            r.features = tuple("g:call" if f == "g:held" else f for f in r.features)
            changed = True
    return changed


def _prepare(
    doc: DocState,
    seg: str,
    folded: str,
    ms: list[Mention],
    trigs: list[Trigger],
    cues: list[Cue],
    first: bool,
) -> tuple[list[Entity], list[Trigger], set[str], str, str | None]:
    """Entities of one sentence with everything the words around them say about them."""
    day = doc.published.date() if doc.published else None
    ents = build_entities(ms, folded, doc.lex, doc.en, doc.lang, doc.g.roster, seg)
    for ent in ents:
        resolve(ent, doc.g.roster, day, doc.home)
    surname_titles(ents, folded, doc.lang, doc.g.roster, day)
    stops = tuple(sorted([t.start for t in trigs] + [c.start for c in cues]))
    mark_slots(ents, folded, doc.lex, doc.en, 0, stops)
    if first:
        for ent in ents[:1]:
            mark_dateline(ent, seg, 0, ents[1] if len(ents) > 1 else None)
    cue_names = {c.name for c in cues}
    if any(e.kind == FORUM for m in ms for e in m.entries):
        cue_names.add("forum")
    verbs = written_verbs(ms, seg, doc.lex)
    trigs = [
        t
        for t in trigs
        if not topic_trigger(t, folded, doc.lex, 0, verbs)
        and not welcomes_a_thing(t, folded, doc.lang, ents)
    ]
    refine(ents, trigs, cues, folded, doc.lex, cue_names)
    share_titles(ents, folded, doc.lex)  # "les présidents russe et américain"
    host, location, host_kind = meeting_place(ents)
    that_country(ents, folded, doc.lex)
    dateline_office(ents, folded, doc.lex)
    posted_in_place(ents, folded, doc.lex)  # "A में B के राजदूत": posted in A
    default_unnamed(ents, doc.home, host, host_kind)
    the_visitor(ents, cues, [r.pair for r in doc.reports if r.order < doc.order and not r.cooccur])
    return ents, trigs, cue_names, host, location


def _protagonist(ents: list[Entity]) -> Side | None:
    for e in ents:
        if e.usable and e.official and e.slot not in ("with", "obj", "dest", "loc"):
            return Side(e.party, e, "main")
    return None


_HOW_BONUS = {
    "person": 0.1, "handle": 0.1, "author": 0.08, "explicit": 0.04, "role": 0.04,
    "home": -0.08, "host": -0.08, "main": -0.03,
}  # fmt: skip


def _report(
    doc: DocState,
    p: Pairing,
    status: str,
    t: Trigger,
    sentence: str,
    location: str | None,
    cues: set[str],
    ents: list[Entity],
    folded: str,
    cooccur: bool = False,
) -> None:
    a, b = p.a.party, p.b.party
    if not a or not b or a == b:
        return
    conf = 0.55 + (0.2 if t.strong else 0.05)
    for side in (p.a, p.b):
        how = (
            side.entity.source
            if side.entity is not None and side.how not in ("main", "author")
            else side.how
        )
        conf += _HOW_BONUS.get(how, 0.0)
        if side.entity is not None and side.entity.place_only:
            conf -= 0.05
    if "bilateral" in cues:
        conf += 0.05
    if "multilateral" in cues or "forum" in cues:
        conf -= 0.05
    names: list[str] = []
    for s in (p.a, p.b):
        if s.entity is not None and s.entity.person >= 0:
            names.append(doc.g.roster.people[s.entity.person].name)
        elif s.how == "author" and doc.author_name:
            names.append(doc.author_name)  # "Good meeting with FM Wang Yi" by @DrSJaishankar
    for ent in ents:  # named officials of either side elsewhere in the sentence
        if ent.person >= 0 and ent.usable and ent.party in (a, b):
            name = doc.g.roster.people[ent.person].name
            if name not in names:
                names.append(name)
    doc.reports.append(
        Report(
            pair=(a, b) if a < b else (b, a),
            status=status,  # type: ignore[arg-type]
            confidence=max(0.05, min(0.99, conf)),
            evidence=sentence,
            officials=names,
            location=location,
            order=doc.order,
            features=pair_features(p, status, t, cues, ents, folded),
            cooccur=cooccur,
        )
    )


__all__ = ["CAPITAL", "CITY", "CUE", "DocState", "Report", "read_segment"]
