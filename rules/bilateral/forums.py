"""An organisation named as the setting of a meeting rather than a side: an event it gives
its name to ("ASEAN summit", "SCO की बैठक", "szczyt NATO"), its members ("GCC states"), an
occasion ("on the sidelines of the OIC plenary")."""

from __future__ import annotations

import re

from rules.bilateral.frames import Entity
from rules.bilateral.lexicon import LangLex
from rules.bilateral.records import ORG
from rules.bilateral.status import Cue, Trigger
from rules.text import fold


def names_event(ent: Entity, trigs: list[Trigger], cues: list[Cue], folded: str) -> bool:
    """An organisation naming a meeting, not a side: "ASEAN summit", "SCO की बैठक"."""
    if ent.role or ent.person >= 0:
        return False  # "UN special envoy" is someone
    starts = [t.start for t in trigs if t.text in _EVENT_NOUNS]
    starts += [c.start for c in cues if c.name == "multilateral"]
    for start in starts:
        if 0 <= start - ent.end <= 4 and _NAME_GLUE.match(folded[ent.end : start]):
            return True
    # Slavic languages put the organisation after the event, in the genitive: "szczytu NATO",
    # "в рамках саммита АСЕАН", "засідання НАТО", "конференції ОБСЄ"
    before = folded[max(0, ent.start - 40) : ent.start].split()
    # and so do the Romance languages and Dutch, often through "of the": "vertice Nato",
    # "sommet de l'Otan", "cumbre de la OTAN", "top van de NAVO"
    head = before[:]
    while len(head) > 1 and len(before) - len(head) < 2 and head[-1] in _OF_THE:
        head.pop()
    if head and head[-1].startswith(_EVENT_STEMS_BEFORE):
        return True
    # Persian: the event and its organisation in one ezafe chain, an adjective between
    # ("نشست فوق‌العاده سازمان همکاری اسلامی", "اجلاس سران ...")
    return any(w in _FA_EVENTS for w in before[-2:])


_EVENT_STEMS_BEFORE = (
    "szczyt", "szczyci", "posiedzeni", "саммит", "саміт", "заседани", "засідан",
    "ассамбле", "асамбле", "генассамбле", "генасамбле",
    "vertic", "sommet", "cumbre", "cimeira", "cúpula", "top",
)  # fmt: skip
_OF_THE = frozenset("del della dello dei degli de la l' l’ du des van het".split())  # noqa: SIM905
_FA_EVENTS = frozenset(fold(w) for w in ("نشست", "اجلاس", "مجمع", "همایش", "کنفرانس"))


def membership(ent: Entity, folded: str, lex: LangLex) -> bool:
    """An organisation named as its members ("GCC states", "دول مجلس التعاون", "стран ШОС")."""
    before = lex.words.get("members_before", frozenset())
    after = lex.words.get("members_after", frozenset())
    head = folded[max(0, ent.start - 30) : ent.start].rstrip()
    # the name's own end: a plural title the entity took in ("SCO foreign ministers") follows it
    end = min((m.end for m in ent.parts if ORG in m.kinds()), default=ent.end)
    tail = folded[end : end + 30]
    if any(head.endswith(w) and _word_start(head, len(head) - len(w)) for w in before):
        return True
    tail_s = tail.lstrip()
    return any(
        tail_s.startswith(w) and (len(tail_s) == len(w) or not tail_s[len(w)].isalnum())
        for w in after
    ) and (lex.code in ("zh", "ja", "ko") or tail[:1] in (" ", "-") or not tail[:1].isalnum())


def occasion(ent: Entity, folded: str, lex: LangLex) -> bool:
    """An organisation inside "on the sidelines of ..." names the occasion ("the annual plenary
    of the OIC", "a SCO conclave"), not whom anyone met (``occasion`` in [words])."""
    return occasion_word(ent.start, folded, lex, 60)


def occasion_word(at: int, folded: str, lex: LangLex, reach: int) -> bool:
    """An occasion word ("on the sidelines of", "a margine") opens the phrase ``at`` is in: a
    meeting word there ("a margine del vertice Meloni ...") is the occasion, and the name
    after it the subject of the clause, not the one met."""
    head = folded[max(0, at - reach) : at]
    return any(
        (i := head.rfind(w)) >= 0 and _word_start(head, i) and not _CLAUSE_END.search(head, i)
        for w in lex.words.get("occasion", ())
    )


_CLAUSE_END = re.compile(r"[,;:.!?]\s")


def _word_start(s: str, i: int) -> bool:
    return i == 0 or not s[i - 1].isalnum()


# Meeting words that name an event an organisation can give its name to ("ASEAN summit").
_EVENT_NOUNS = frozenset(
    """summit meeting meetings talks conference session sessions ministerial समिट सम्मेलन
    बैठक اجلاس ميٹنگ 峰会 峰會 会议 會議 サミット 首脳会議 会合 정상회의 회의 قمة اجتماع
    sommet réunion cumbre reunión gipfel gipfeltreffen treffen саммит встреча cúpula cimeira
    samit""".split()  # noqa: SIM905
)
_NAME_GLUE = re.compile(r"^[\s'’s]*(?:की|के|का|كي|كے|كا)?\s*$")
