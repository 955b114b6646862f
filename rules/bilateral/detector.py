"""The bilateral-meeting detector and the ``bilateral_meeting`` rule type.

``detect(text, title=, author=, lang=, published=)`` is pure: it folds the text, finds every
name/role/trigger/cue with one automaton pass (``rules.bilateral.gazetteer``), and returns nothing
unless a meeting word occurs. Otherwise it reads each sentence (``rules.bilateral.frames``):
who the sides are, which slot each is in, what the meeting word's status is
(``rules.bilateral.status``) and which pairs the sentence states (``rules.bilateral.pairing``).
Reports of the same pair are merged: a held meeting anywhere in the text wins over plans, calls
and cancellations of that pair.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import ClassVar
from weakref import WeakKeyDictionary

from pydantic import Field, field_validator

from monitor.model import Item, Match, Meeting, MeetingStatus
from rules.base import RuleOptions
from rules.bilateral.author import find_author
from rules.bilateral.gazetteer import Gazetteer, gazetteer
from rules.bilateral.hanzi import reads_simplified, simplified
from rules.bilateral.language import LATIN_LEXICONS, guess_among, guess_language, lexicon_for
from rules.bilateral.lexicon import LangLex
from rules.bilateral.reader import DocState, Report, read_segment
from rules.bilateral.records import COUNTRY, DEMONYM
from rules.bilateral.separable import SplitGate
from rules.bilateral.status import RANK
from rules.bilateral.statusmodel import StatusModel, status_model
from rules.text import Normalized, normalize
from rules.vocabulary import check_all, check_official, check_party

DETECT_MIN_CONFIDENCE = 0.5  # the grammar alone (no model)
_HELD_ONLY: tuple[MeetingStatus, ...] = ("held",)


def detect(
    text: str,
    *,
    title: str | None = None,
    author: str | None = None,
    lang: str | None = None,
    published: datetime | None = None,
    home: str | None = None,
    decide: bool = True,
) -> list[Meeting]:
    """Every bilateral meeting ``text`` (and ``title``) reports, one per pair.

    ``home`` is the publisher's country when known (a source's ``country``): unqualified
    officials ("the foreign minister") are its own, whatever the language usually implies.
    ``decide=False`` leaves out the trained model: the grammar's reading alone (its tests).
    """
    doc = read_document(text, title=title, author=author, lang=lang, published=published, home=home)
    return [] if doc is None else _merge(doc, status_model() if decide else None)


def read_document(
    text: str,
    *,
    title: str | None = None,
    author: str | None = None,
    lang: str | None = None,
    published: datetime | None = None,
    home: str | None = None,
) -> DocState | None:
    """The grammar's reading: every (pair, sentence) report, before the status decision."""
    g = gazetteer()
    segments = [s for s in (title, text) if s and s.strip()]
    if not segments:
        return None
    plain = None
    split: dict[str, list[list[int]]] | None = None  # the gate's split verbs, by language
    if not lang:
        # Most items name no meeting in any language. Guessing an undeclared language costs
        # four times the automaton pass, so the text first has to show a meeting word of
        # some language (any guess would only narrow that set; a guard phrase such as
        # "review meeting" belongs to no language and counts for none).
        plain = [normalize(seg) for seg in segments]
        some: set[str] = set()
        for n in plain:
            g.meeting_words(n.folded, None, some)
        if not some:
            split = _split_meeting_verbs(g, plain)
            some.update(split)
        if not some:
            for n in plain:  # a traditional Chinese text shows its words folded (hanzi.py)
                plain_hans = simplified(n)
                if plain_hans is not n:
                    g.meeting_words(plain_hans.folded, None, some)
        if not some:
            return None
    code = guess_language(lang, segments)
    if code not in g.langs:
        code = guess_language(None, segments)
    lex, strict = lexicon_for(g, code)
    verbatim = segments
    if code not in LATIN_LEXICONS:
        segments = [_blank_glosses(seg) for seg in segments]
    # a segment the gloss blanking left as it was keeps its fold from the gate above
    pres: Sequence[Normalized | None] = plain or [None] * len(segments)
    norms = [
        pre if pre is not None and seg == orig else normalize(seg)
        for seg, orig, pre in zip(segments, verbatim, pres, strict=True)
    ]
    if reads_simplified(code):
        norms = [simplified(n) for n in norms]
    if plain is None or any(n is not p for n, p in zip(norms, plain, strict=True)):
        split = None  # the gate read other segments (glosses blanked, simplified)
    hits = _hits(g, norms, code, strict, lex, split)
    if not any(hits) and not lang and strict:
        # an undeclared language guessed from a few function words can be wrong on a short
        # text full of names ("el-Sisi ... El Alamein"): the language whose meeting words the
        # text uses decides
        used: set[str] = set(split or ())
        for n in norms:
            g.meeting_words(n.folded, None, used)
        other = guess_among(segments, used)
        if other is not None and other != code and other in g.langs:
            code = other
            lex, strict = lexicon_for(g, code)
            hits = _hits(g, norms, code, True, lex, split)
    if not any(hits):
        return None  # most items: no meeting word in the text's language, nothing to read
    doc = DocState(g, code, lex, g.langs.get("en"), strict, published)
    doc.publisher_home = (home or "").upper() or _regional_home(g, lex, norms)
    if verbatim != segments:
        doc.verbatim = verbatim
    find_author(doc, text, author)
    for si, (seg, norm, pos) in enumerate(zip(segments, norms, hits, strict=True)):
        doc.segment = si
        read_segment(doc, seg, norm, pos, is_title=title is not None and si == 0)
    return doc


_WORD_START = r"(?:^|(?<=[\s(\"'“‘«,.:;/-]))"


def _regional_home(g: Gazetteer, lex: LangLex, norms: list[Normalized]) -> str:
    """The country a regional press of the language writes from, when its own words show
    it ("" otherwise: the language's usual home stands).

    A mark that a country or demonym qualifies ("the Russian president") names that
    country's office, which any press of the language may write about: it shows nothing of
    where the text was written."""
    for code, marks in lex.regional_home:
        pattern = _marks_pattern(marks)
        for n in norms:
            found = [m.start() for m in pattern.finditer(n.folded)]
            if found and any(not _qualified(g, lex, n, at) for at in found):
                return code
    return ""


_QUALIFIERS = frozenset((COUNTRY, DEMONYM))


def _qualified(g: Gazetteer, lex: LangLex, n: Normalized, at: int) -> bool:
    """A country or demonym ends right before ``at``, spaces between."""
    head = n.folded[max(0, at - 40) : at]
    if not head.strip():
        return False
    lead = at - len(head)
    return any(
        not head[m.end - lead :].strip() and bool(m.kinds() & _QUALIFIERS)
        for m in g.scan(Normalized(head, head), lang=lex.code)
    )


@lru_cache(maxsize=64)
def _marks_pattern(marks: tuple[str, ...]) -> re.Pattern[str]:
    """Built once per language's marks, not for every text of the language."""
    return re.compile(_WORD_START + "(?:" + "|".join(map(re.escape, marks)) + ")")


def _hits(
    g: Gazetteer,
    norms: list[Normalized],
    code: str,
    strict: bool,
    lex: LangLex,
    split: dict[str, list[list[int]]] | None,
) -> list[list[int]]:
    """Folded offsets of each segment's meeting words, split verbs ("kommt ... zusammen":
    no meeting word until the particle) included; ``split``: what the gate found in these
    very segments, if it looked."""
    hits = [g.meeting_words(n.folded, code if strict else None) for n in norms]
    if lex.split is None:
        return hits
    if split is not None:
        verbs = split.get(lex.code) or [[] for _ in norms]
    else:
        verbs = [lex.split.gate(n.folded) for n in norms]
    return [sorted(h + v) if v else h for h, v in zip(hits, verbs, strict=True)]


def _split_meeting_verbs(g: Gazetteer, plain: list[Normalized]) -> dict[str, list[list[int]]]:
    """The split meeting verbs ("komt ... samen") of each language, in a text with no meeting
    word of any language: offsets by segment, of the languages that have some."""
    every = _SPLITTING.get(g)
    if every is None:
        lexes = {id(lx): lx for lx in g.langs.values()}.values()
        every = _SPLITTING[g] = SplitGate((lx.code, lx.split) for lx in lexes if lx.split)
    return every.find([n.folded for n in plain])


# per gazetteer, held weakly (a test's gazetteer is freed, and another may take its id)
_SPLITTING: WeakKeyDictionary[Gazetteer, SplitGate] = WeakKeyDictionary()


# "नरेंद्र मोदी (Prime Minister Narendra Modi)": Indian and other non-Latin outlets gloss names,
# titles and places in English; read twice, a gloss doubles every entity and mixes English
# meeting words into the sentence.
_GLOSS = re.compile(r"\((?=[^()]*[A-Za-z])[A-Za-z0-9 .,'’&\-–/]{2,80}\)")


def _blank_glosses(segment: str) -> str:
    """Glosses become spaces of the same length, so offsets still point into the original."""
    return _GLOSS.sub(lambda m: " " * len(m.group()), segment)


def _decide(reports: list[Report], model: StatusModel | None) -> list[Report]:
    """The trained model's say on each (pair, sentence) the grammar proposed: dropped when
    it is clearly no meeting at all (the grammar's false friends, topics, venues and
    non-officials), else kept with the model's probability of its status as confidence.

    The model does not change a status: on the held-out split letting it do so changed no
    figure, and a cue the grammar reads right ("the meeting was cancelled") must not be
    outvoted by n-grams learnt from a few hundred examples.
    """
    if model is None:
        return [r for r in reports if not r.cooccur]
    grammar = {r.pair for r in reports if not r.cooccur}
    out = []
    for r in reports:
        if r.cooccur and r.pair in grammar:
            continue
        probs = model.probabilities(r.features)
        if probs["none"] < model.none_at:
            out.append(replace(r, confidence=probs[r.status]))
    return out


def _merge(doc: DocState, model: StatusModel | None = None) -> list[Meeting]:
    reports = _decide(doc.reports, model)
    by_pair: dict[tuple[str, str], list[Report]] = {}
    for r in reports:
        by_pair.setdefault(r.pair, []).append(r)
    # one place named for all held meetings of an article is where the others were held too
    # (of the reports kept: a place the model dropped with its report is no meeting's place)
    locations = {r.location for r in reports if r.location and r.status == "held"}
    doc_location = next(iter(locations)) if len(locations) == 1 else None
    out: list[Meeting] = []
    for pair, reps in sorted(by_pair.items()):
        status = max((r.status for r in reps), key=lambda s: RANK[s])
        mine = [r for r in reps if r.status == status]
        conf = max(r.confidence for r in mine)
        if model is None:
            conf += 0.03 * (len(mine) - 1)
        else:
            conf = model.calibrated(status, conf)
        if conf < (model.min_confidence if model is not None else DETECT_MIN_CONFIDENCE):
            continue
        officials: list[str] = []
        for r in mine:
            officials.extend(n for n in r.officials if n not in officials)
        evidence: list[str] = []
        for r in sorted(mine, key=lambda r: r.order):
            if r.evidence not in evidence:
                evidence.append(r.evidence)
        location = next((r.location for r in mine if r.location), None)
        if location is None and status == "held":
            location = doc_location
        out.append(
            Meeting(
                parties=pair,
                status=status,
                officials=tuple(officials),
                location=location,
                confidence=round(min(conf, 0.99), 3),
                evidence=tuple(evidence[:3]),
            )
        )
    return out


# --- the rule type --------------------------------------------------------------------------


def summary(m: Meeting) -> str:
    """A line a person reads: "IN–CN held: S. Jaishankar met Wang Yi in Astana"."""
    pair = "–".join(m.parties)
    who = " met ".join(m.officials[:2]) if len(m.officials) >= 2 else ""
    verb = {
        "held": "met",
        "scheduled": "to meet",
        "call": "spoke by phone with",
        "cancelled": "meeting cancelled with",
    }[m.status]
    if len(m.officials) >= 2:
        who = f"{m.officials[0]} {verb} {m.officials[1]}"
    elif m.officials:
        who = f"{m.officials[0]} {verb} {m.parties[1] if m.officials else ''}".strip()
    else:
        who = f"{m.parties[0]} {verb} {m.parties[1]}"
    where = f" in {m.location}" if m.location else ""
    return f"{pair} {m.status}: {who}{where}"


class BilateralMeetingOptions(RuleOptions):
    """Options of a ``type = "bilateral_meeting"`` rule (``[[rules]]`` in the config)."""

    countries: list[str] = Field(default_factory=list)  # all must be parties
    any_countries: list[str] = Field(default_factory=list)  # at least one is a party
    # which statuses alert (applied by the alert decisions; every status reaches the event)
    statuses: list[MeetingStatus] = Field(default_factory=lambda: list(_HELD_ONLY))
    officials: list[str] = Field(default_factory=list)  # only meetings naming these
    # the status model's probability that the meeting and its status are right. The detector
    # already leaves out what falls below the floor its training chose (``make train``: the
    # best out-of-fold choice); this only makes a rule stricter, so by default it adds nothing
    min_confidence: float = Field(default=0.0, ge=0.0, le=1.0)

    # A code or name the detector never emits would silently match nothing: refuse it.
    @field_validator("countries", "any_countries")
    @classmethod
    def _known_parties(cls, value: list[str]) -> list[str]:
        return check_all(value, check_party)

    @field_validator("officials")
    @classmethod
    def _known_officials(cls, value: list[str]) -> list[str]:
        return check_all(value, check_official)


class BilateralMeetingRule:
    """``type = "bilateral_meeting"``: meetings between the configured parties.

    ``evaluate`` reports a meeting whatever its status: the event layer needs the "will
    meet" report so that a later "held" is an update of the same event, and the
    cancellation so that it is recorded. ``statuses`` says which statuses *alert*; the
    alert decisions (``monitor.events.alerts.AlertRule``) apply it. Every other option filters here.
    """

    type_name: ClassVar[str] = "bilateral_meeting"
    Options: ClassVar[type[RuleOptions]] = BilateralMeetingOptions

    def __init__(self, options: RuleOptions) -> None:
        if not isinstance(options, BilateralMeetingOptions):
            raise TypeError(f"bilateral_meeting rule needs its own Options, got {type(options)}")
        self.options: RuleOptions = options
        self._opts = options

    def warm(self) -> None:
        """Build the gazetteer now (the daemon does at startup), not on the first item."""
        gazetteer().compile_all()

    def evaluate(self, item: Item) -> list[Match]:
        o = self._opts
        if not o.enabled or not o.accepts(item):
            return []
        meetings = detect(
            item.text,
            title=item.title or None,
            author=item.author_handle or item.author,
            lang=item.lang,
            published=item.published_at,
            home=item.country,
        )
        out: list[Match] = []
        wanted = {c.upper() for c in o.countries}
        anyc = {c.upper() for c in o.any_countries}
        people = {p.casefold() for p in o.officials}
        for m in meetings:
            if m.confidence < o.min_confidence:
                continue
            if wanted and not wanted <= set(m.parties):
                continue
            if anyc and not anyc & set(m.parties):
                continue
            if people and not people & {n.casefold() for n in m.officials}:
                continue
            out.append(
                Match(
                    rule_id=o.id,
                    item_key=item.key,
                    kind="bilateral_meeting",
                    summary=summary(m),
                    evidence=m.evidence,
                    meeting=m,
                    confidence=m.confidence,
                )
            )
        return out
