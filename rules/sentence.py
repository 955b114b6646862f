"""Reading a text sentence by sentence: mentions -> entities -> pairs with a status each.

For every sentence: drop lexicon entries of other languages, group mentions into entities
(``rules.frames``), refine what the words around them say (a former office holder, a
spouse who shares a surname, the object right after "met", the country before "visit"),
give unnamed national officials their country, then pair (``rules.pairing``) and take, for
each pair, the status of the meeting word nearest to it (``rules.status``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from monitor.model import MeetingStatus
from rules.frames import Entity, build_entities, mark_dateline, mark_slots, resolve, words_of
from rules.gazetteer import Gazetteer, Mention
from rules.lexicon import (
    BUILDING,
    CAPITAL,
    CITY,
    COUNTRY,
    CUE,
    DEMONYM,
    FORUM,
    HANDLE,
    PERSON,
    ROLE,
    LangLex,
)
from rules.officials import Roster
from rules.pairing import Context, Pairing, Side, old_year, pair_sentence
from rules.status import (
    RANK,
    SOV,
    Cue,
    Trigger,
    by_name,
    inherit,
    split_mentions,
    trigger_status,
)
from rules.text import Normalized, Sentence, SentenceFinder, normalize

_CJK_LANGS = frozenset(("zh", "ja"))
_PROTAGONIST_SENTENCES = 3  # the article's main actor is named in its opening sentences
_PLACE_KINDS = frozenset((COUNTRY, DEMONYM, CAPITAL, CITY))
_OFFICIAL_KINDS = frozenset((PERSON, HANDLE, ROLE))
_VSO = frozenset(("ar",))  # the side right after the verb is its subject
_NATIONAL_ROLES = frozenset(("hos", "hog", "fm", "minister", "military", "speaker", "vp"))
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
)
_PREV_WORD = re.compile(r"([^\W\d_][\w'’.-]*)\s+$")


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
    social: bool = False
    reports: list[Report] = field(default_factory=list)
    order: int = 0
    segment: int = 0
    opening: list[tuple[str, SentenceFinder]] = field(default_factory=list)
    main_done: bool = False

    def scan_sentence(
        self, seg: str, sent: Sentence, whole: Normalized | None = None
    ) -> tuple[str, list[Mention]]:
        """Fold and scan one sentence; mentions get original offsets into ``seg``."""
        if whole is not None and whole.starts is None:
            # the segment folded letter for letter: its slice is the sentence's fold
            sub = seg[sent.start : sent.end]
            norm = Normalized(sub, whole.folded[sent.start : sent.end])
        else:
            norm = normalize(seg[sent.start : sent.end])
        ms = self.g.scan(norm, sent.start, self.lang if self.strict else None)
        ms = drop_other_first_names(ms, seg, self.g.roster)
        ms = drop_surname_places(ms, seg)
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


_SURNAME_PARTICLE = re.compile(r"(?:^|\W)(?:al|el|ul|ad|as|ash|az)[-‐‑ ]$", re.IGNORECASE)


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


def drop_other_first_names(mentions: list[Mention], text: str, roster: Roster) -> list[Mention]:
    """A surname alias after an unknown first name is someone else ("Melania Trump")."""
    out: list[Mention] = []
    prev_end = -1
    for m in mentions:
        person = m.first(PERSON)
        surface = text[m.ostart : m.oend]
        if person is not None and " " not in surface.strip() and m.ostart > 0:
            hit = _PREV_WORD.search(text, max(0, m.ostart - 30), m.ostart)
            if hit and hit.start(1) >= prev_end:
                word = hit.group(1)
                if (
                    word[:1].isupper()
                    and word.lower().rstrip(".") not in _NOT_FIRST_NAMES
                    and not _own_first_name(word, roster, int(person.value))
                ):
                    rest = tuple(e for e in m.entries if e.kind != PERSON)
                    if rest:
                        out.append(Mention(m.start, m.end, m.ostart, m.oend, rest))
                    prev_end = m.oend
                    continue
        out.append(m)
        prev_end = m.oend
    return out


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
        doc.order = doc.segment * 1_000_000 + sent.start
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
    if not trigs:
        return
    ents, trigs, cue_names, host, location = _prepare(doc, seg, folded, ms, trigs, cues, first)
    if doc.main is None and first:
        doc.main = _protagonist(ents)
    sentence_text = seg[sent.start : sent.end]
    if "history" in cue_names or old_year(sentence_text, day.year if day else None):
        return
    cjk = doc.lang in _CJK_LANGS
    named = by_name(cues)
    statuses = [(t, trigger_status(t, named, doc.lang, cjk, folded)) for t in trigs]
    live = inherit([(t, s) for t, s in statuses if s is not None], doc.lang in SOV)
    if not live:
        return
    if not any(t.strong for t, _ in live) and not _weak_ok(ents, cue_names):
        return
    dead = [(t, "") for t, s in statuses if s is None]
    ctx = Context(
        doc.lang,
        doc.lex,
        doc.lex.home,
        doc.protagonist,
        doc.author,
        host,
        frozenset(cue_names),
        doc.social,
    )
    ordered = sorted(live, key=lambda ts: ts[0].start)
    for p in pair_sentence(ents, [t for t, _ in ordered], folded, ctx):
        t, st = _governing(p, sorted(live + dead, key=lambda ts: ts[0].start))
        if st:  # the nearest meeting word may be denied/negated for this pair
            _report(doc, p, st, t, sentence_text, location, cue_names)


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
        resolve(ent, doc.g.roster, day)
    mark_slots(ents, folded, doc.lex, doc.en, 0)
    if first:
        for ent in ents[:1]:
            mark_dateline(ent, seg, 0)
    cue_names = {c.name for c in cues}
    if any(e.kind == FORUM for m in ms for e in m.entries):
        cue_names.add("forum")
    trigs = [t for t in trigs if not _topic_trigger(t, folded, doc.lex, 0)]
    _refine(ents, trigs, cues, folded, doc, cue_names)
    host, location, host_kind = _place(ents)
    _default_unnamed(ents, doc.lex.home, host, host_kind)
    return ents, trigs, cue_names, host, location


def _topic_trigger(t: Trigger, folded: str, lex: LangLex, floor: int) -> bool:
    """A meeting mentioned as a topic ("about EU-India FTA negotiations")."""
    topic = lex.words.get("topic_trigger", frozenset())
    if not topic:
        return False
    before = words_of(folded[max(floor, t.start - 40) : t.start])[-4:]
    return any(w in topic for w in before)


def _refine(
    ents: list[Entity],
    trigs: list[Trigger],
    cues: list[Cue],
    folded: str,
    doc: DocState,
    cue_names: set[str],
) -> None:
    sport = "sport" in cue_names
    multi = "forum" in cue_names or "multilateral" in cue_names
    former = [c for c in cues if c.name == "former"]
    for ent in ents:
        if any(
            0 <= ent.start - c.end <= 25 or (c.start >= ent.start and c.end <= ent.end)
            for c in former
        ):
            ent.former = True
        if sport and (ent.place_only or ent.role in ("", "official")) and ent.person < 0:
            ent.nonofficial = True  # "India and Pakistan" in a cricket story are teams
        if (
            ent.org
            and ent.role not in ("org_head", "official")
            and ent.person < 0
            and (multi or _names_event(ent, trigs, cues, folded))
        ):
            ent.forum = True  # "SCO summit": the organisation is the setting, not a side
    sov = doc.lang in SOV
    for t in trigs:
        for ent in ents:
            gap = folded[ent.end : t.start]
            if t.group in ("visit", "weak") and ent.place_only and 0 <= t.start - ent.end <= 3:
                ent.slot = "dest"  # "अमेरिका यात्रा", "China visit": where the visit goes
            elif (
                t.group == "visit"
                and ent.place_only
                and ent.slot == "loc"
                and 0 <= ent.start - t.end <= 30
            ):
                ent.slot = "dest"  # "la visite ... à Paris": the visit's destination
            elif (
                not sov
                and doc.lang not in _VSO
                and t.group != "visit"
                and not ent.slot
                and 0 <= ent.start - t.end <= 30
                and "," not in folded[t.end : ent.start]
            ):
                between = words_of(folded[t.end : ent.start])
                glue = doc.lex.words.get("glue", frozenset()) | {"the", "visiting", "a", "with"}
                if all(w in glue or w in ",()" for w in between):
                    ent.slot = "obj"  # "met Chinese President Xi": the one met
            del gap


def _names_event(ent: Entity, trigs: list[Trigger], cues: list[Cue], folded: str) -> bool:
    """An organisation naming a meeting, not a side: "ASEAN summit", "SCO की बैठक"."""
    if ent.role or ent.person >= 0:
        return False  # "UN special envoy" is someone
    starts = [t.start for t in trigs if t.text in _EVENT_NOUNS]
    starts += [c.start for c in cues if c.name == "multilateral"]
    for start in starts:
        if 0 <= start - ent.end <= 4 and _NAME_GLUE.match(folded[ent.end : start]):
            return True
    return False


# Meeting words that name an event an organisation can give its name to ("ASEAN summit").
_EVENT_NOUNS = frozenset(
    """summit meeting meetings talks conference session sessions ministerial समिट सम्मेलन
    बैठक 峰会 峰會 会议 會議 サミット 首脳会議 会合 정상회의 회의 قمة اجتماع sommet réunion
    cumbre reunión gipfel gipfeltreffen treffen саммит встреча cúpula cimeira samit""".split()  # noqa: SIM905
)
_NAME_GLUE = re.compile(r"^[\s'’s]*(?:की|के|का)?\s*$")


def _default_unnamed(ents: list[Entity], home: str, host: str, host_kind: int) -> None:
    """The country of an official named by role only ("प्रधानमंत्री", "首相", "the president
    ... at the Blue House")."""
    for ent in ents:
        if ent.party or ent.codes or ent.counterpart or ent.nonofficial or ent.former:
            continue
        if ent.slot in ("loc", "topic") or not (ent.role in _NATIONAL_ROLES or ent.subnational):
            continue
        if home:
            ent.party, ent.source = home, "home"
        elif host and host_kind in (BUILDING, CAPITAL):
            # only a seat of government or a capital says whose official this is; a summit
            # venue ("talks in Geneva") does not
            ent.party, ent.source = host, "host"


def _weak_ok(ents: list[Entity], cues: set[str]) -> bool:
    """A weak word (visit, welcome, signed) counts only between two named officials."""
    if ("multilateral" in cues or "forum" in cues) and "bilateral" not in cues:
        return False
    strong = [
        e for e in ents if e.usable and (e.person >= 0 or e.official or e.visit or e.slot == "dest")
    ]
    return len({e.party for e in strong}) >= 2 or any(e.visit for e in ents)


def _protagonist(ents: list[Entity]) -> Side | None:
    for e in ents:
        if e.usable and e.official and e.slot not in ("with", "obj", "dest", "loc"):
            return Side(e.party, e, "main")
    return None


def _place(ents: list[Entity]) -> tuple[str, str | None, int]:
    """(host country, location name, kind of place) of the sentence's meeting place."""
    best: Entity | None = None
    for e in ents:
        if e.slot != "loc" or e.dateline or not e.place_kind:
            continue
        if best is None or _place_rank(e) > _place_rank(best):
            best = e
    if best is None:
        for e in ents:  # a seat of government names the host even as a subject
            if e.place_kind == BUILDING and not e.dateline:
                return e.party, e.place_name or None, BUILDING
        return "", None, 0
    host = best.party or best.posting
    name = None if best.place_kind == COUNTRY else (best.place_name or None)
    return host, name, best.place_kind


def _place_rank(e: Entity) -> int:
    return {BUILDING: 4, CITY: 3, CAPITAL: 3, COUNTRY: 1}.get(e.place_kind, 0)


def _governing(p: Pairing, ordered: list[tuple[Trigger, str]]) -> tuple[Trigger, str]:
    """The meeting word nearest the pair's second side decides that pair's status.

    A full meeting word ("received", "talks") outranks a nearer weak one ("visit"), which
    usually describes the occasion rather than the meeting.
    """
    anchor = p.b.entity if p.b.entity is not None else p.a.entity
    if anchor is None:
        return max(ordered, key=lambda ts: RANK.get(ts[1], 0))

    def dist(ts: tuple[Trigger, str]) -> tuple[bool, int, int]:
        t = ts[0]
        d = max(t.start - anchor.end, anchor.start - t.end, 0)
        return not t.strong, d, -RANK.get(ts[1], 0)

    return min(ordered, key=dist)


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
    names = [
        doc.g.roster.people[s.entity.person].name
        for s in (p.a, p.b)
        if s.entity is not None and s.entity.person >= 0
    ]
    doc.reports.append(
        Report(
            pair=(a, b) if a < b else (b, a),
            status=status,  # type: ignore[arg-type]
            confidence=max(0.05, min(0.99, conf)),
            evidence=sentence,
            officials=names,
            location=location,
            order=doc.order,
        )
    )


__all__ = ["CAPITAL", "CITY", "CUE", "DocState", "Report", "read_segment"]
