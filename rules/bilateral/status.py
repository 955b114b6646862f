"""What a meeting word means in its sentence: held, scheduled, a call, cancelled, or nothing.

A trigger ("met", "मुलाकात की", "会談した") carries a default status; cues near it override
it in a fixed order of precedence: denial, negation, hypothesis and history make it nothing;
then cancelled; then a call (phone/video); then scheduled (future, announced, "to meet");
else the default. Distances are in folded characters and shrink for CJK text, where a word
is one or two characters long.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rules.bilateral.gazetteer import Mention
from rules.bilateral.lexicon import LangLex
from rules.bilateral.plans import own_plan_words, past_then_plan
from rules.bilateral.records import CUE, TRIGGER

# re-exported: the modules that read statuses import Cue and Trigger from here
from rules.bilateral.triggers import Cue as Cue
from rules.bilateral.triggers import Trigger as Trigger

RANK = {"held": 4, "cancelled": 3, "call": 2, "scheduled": 1}
# Verb-final languages put tense/negation after the meeting word.
SOV = frozenset(
    ("hi", "ur", "mr", "gu", "bn", "ta", "ja", "ko", "tr", "fa", "ne", "pa", "te", "ml", "si")
)
# Verb-second languages with a clause-final participle and a movable negation.
_V2_FINAL = frozenset(("de", "nl"))


def split_mentions(
    mentions: list[Mention], folded: str, lang: str, strict: bool
) -> tuple[list[Trigger], list[Cue]]:
    """Triggers and cues among ``mentions``, keeping only those of ``lang`` when ``strict``."""
    trigs: list[Trigger] = []
    cues: list[Cue] = []
    for m in mentions:
        noun = any(e.kind == CUE and e.value == "nouns" for e in m.entries)
        for e in m.entries:
            if e.kind not in (TRIGGER, CUE) or (strict and e.lang and e.lang != lang):
                continue
            if e.kind == TRIGGER:
                trigs.append(Trigger(m.start, m.end, e.value, folded[m.start : m.end], noun))
            elif e.value != "nouns":
                cues.append(Cue(m.start, m.end, e.value))
    return trigs, _threatened(_no_longer(trigs, cues, folded), folded)


def _threatened(cues: list[Cue], folded: str) -> list[Cue]:
    """A cancellation word with a word of possibility right against it ("可能会推迟", "或将
    取消": may be put off) threatens the plan, which by the labelling rules stays scheduled:
    the two read as one word of planning, neither speculation nor a cancellation."""
    cancels = [c for c in cues if c.name == "cancel"]
    out = list(cues)
    for h in (c for c in cues if c.name == "hypothetical"):
        c = next((c for c in cancels if 0 <= c.start - h.end <= 1 and c in out), None)
        if c is not None and not folded[h.end : c.start].strip(" 会會将將"):
            out.remove(h)
            out.remove(c)
            out.append(Cue(h.start, c.end, "future"))
    return out


def _no_longer(trigs: list[Trigger], cues: list[Cue], folded: str) -> list[Cue]:
    """A negation split around a planned meeting word by the language's "any more" word
    ("non incontrerà più", "no longer") reads as one cancellation word: the plan was called
    off, where a plain negation ("non incontrerà") only says there is no meeting."""
    ends = [c for c in cues if c.name == "no_longer"]
    if not ends:
        return cues
    negations = [c for c in cues if c.name == "negation"]
    futures = [c for c in cues if c.name in ("future", "future_time")]
    out = list(cues)
    for t in trigs:
        neg = next((c for c in negations if 0 <= t.start - c.end <= 16 and c in out), None)
        end = next((c for c in ends if 0 <= c.start - t.end <= 3), None)
        if neg is None or end is None:
            continue
        if t.group == "scheduled" or any(_near(c, t, 40, 60, folded) for c in futures):
            out.remove(neg)
            out.append(Cue(neg.start, end.end, "cancel"))
    return out


def split_verbs(folded: str, lex: LangLex) -> tuple[list[Trigger], list[Cue]]:
    """Triggers and cues of the sentence's split verbs ("sagt ... ab", "komt ... samen").

    A trigger sits on the finite verb, where a joined verb would stand; a cue spans verb to
    particle, so that it governs every meeting word the clause holds between them.
    """
    trigs: list[Trigger] = []
    cues: list[Cue] = []
    if lex.split is None:
        return trigs, cues
    for v, s, e, pend in lex.split.find(folded):
        if v.trigger:
            trigs.append(Trigger(s, e, v.name, f"{folded[s:e]} … {v.particle}"))
        else:
            cues.append(Cue(s, pend, v.name))
    return trigs, cues


# Clause boundaries a cue does not reach across: ";" and ":" everywhere, dashes, and Korean
# connective endings ("회담을 하고 ...", "...동석하면서"), with the adversative after a past
# meeting verb ("회담을 가졌으나 오찬은 취소됐다": the talks took place), not after an
# attempt ("만나려 했으나 무산됐다")
_BUT_AFTER_MET = r"(?<!려 )(?<!려고 )(?<!고자 )(?:했|가졌|열었|만났)(?:으나|지만) "
BUT_AFTER_MET = re.compile(_BUT_AFTER_MET)
_CLAUSE_BREAK = re.compile(
    r";|:(?!\d)| — | – |(?:하|갖|했|가졌|열었)고 |면서 |으며 |하며 |" + _BUT_AFTER_MET
)


_CJK_CLAUSE = re.compile(r"[,，、。；]")
# a comma that opens the cue's object clause ("zaprzecza, że ...", "dementiert, dass ...",
# "отрицает, что ..."): the clause denied is the cue's own
_THAT_CLAUSE = re.compile(r"\s*,\s*(?:że|dass|что|що|da)\s[^,，、。；]*$")


def _near(
    cue: Cue,
    t: Trigger,
    before: int,
    after: int,
    folded: str,
    comma: bool = False,
    own_clause: bool = False,
) -> bool:
    if cue.end <= t.start:
        ok = t.start - cue.end <= before
        between = folded[cue.end : t.start]
        if own_clause and _CJK_CLAUSE.search(between) and not _THAT_CLAUSE.match(between):
            return False
    elif cue.start >= t.end:
        ok = cue.start - t.end <= after
        between = folded[t.end : cue.start]
    else:
        return True  # overlapping / inside
    # a cue in another clause ("... will help build trust: sources on talks") does not count
    if comma and _CJK_CLAUSE.search(between):
        return False
    return ok and _CLAUSE_BREAK.search(between) is None


def by_name(cues: list[Cue]) -> dict[str, list[Cue]]:
    """Cues grouped by name (status checks look up one kind at a time)."""
    out: dict[str, list[Cue]] = {}
    for c in cues:
        out.setdefault(c.name, []).append(c)
    return out


def _clause_cue(t: Trigger, found: list[Cue] | None, folded: str, others: list[Trigger]) -> bool:
    """A cue anywhere in the trigger's clause, when no other meeting word stands between
    them: "the visit ..., which was to have ... next week, has been postponed" names the
    visit however long the clause in between ("; : —" end a clause, the sentence ends it)."""
    for c in found or ():
        lo, hi = (c.end, t.start) if c.end <= t.start else (t.end, c.start)
        if lo > hi:
            return True  # overlapping
        if _CLAUSE_BREAK.search(folded, lo, hi) is None and not any(
            lo <= u.start < hi for u in others if u is not t
        ):
            return True
    return False


def _negated_plan(t: Trigger, cues: dict[str, list[Cue]], folded: str) -> bool:
    """ "non ha in programma un incontro", "no está previsto un encuentro": a negated word of
    planning right before the meeting word negates the meeting it plans."""
    for f in cues.get("future", ()):
        if not (f.end <= t.start and t.start - f.end <= 16) or _CLAUSE_BREAK.search(
            folded, f.end, t.start
        ):
            continue
        if any(n.end <= f.start and f.start - n.end <= 16 for n in cues.get("negation", ())):
            return True
    return False


def _gap(c: Cue, t: Trigger) -> int:
    return max(c.start - t.end, t.start - c.end, 0)


def _clause_call(
    t: Trigger, found: list[Cue] | None, folded: str, others: list[Trigger] | None
) -> bool:
    """ "discussed ... with his US counterpart ... over the phone": a medium named later in
    the meeting word's clause, not part of another meeting word ("after their phone call")."""
    if not found or others is None or t.group not in ("held", "weak", "talk"):
        return False
    # after the meeting word only: a medium before it in the clause is more often a name
    # ("(آن لائن)" agency datelines) than the way they talked
    free = [
        c for c in found if c.start >= t.end and not any(u.start <= c.start < u.end for u in others)
    ]
    return _clause_cue(t, free, folded, others)


def _cancel_of_another(t: Trigger, found: list[Cue] | None, others: list[Trigger] | None) -> bool:
    """A call ("telephoned X to explain the postponement of his visit") is not what was
    called off when every cancellation word is nearer another meeting word (the visit)."""
    if t.group not in ("call", "talk") or not found or not others:
        return False
    rivals = [u for u in others if u is not t and u.group not in ("call", "talk")]
    return bool(rivals) and all(any(_gap(c, u) < _gap(c, t) for u in rivals) for c in found)


def _any_then_not(t: Trigger, cues: dict[str, list[Cue]], folded: str) -> bool:
    """A verb-final clause's negation of "any plan/proposal" ("... करण्याचा कोणताही प्रस्ताव
    नाही": no proposal at all to hold talks) negates the meeting word the clause opens with:
    "any plan" soon after the meeting word, the negation soon after it, no comma between
    (not "any" alone: "talks ... no agreement at all" still reports the talks)."""
    for a in cues.get("any_plan", ()):
        if 0 <= a.start - t.end <= 24 and not _PUNCT_BREAK.search(folded[t.end : a.start]):
            for n in cues.get("negation", ()):
                if 0 <= n.start - a.end <= 24 and not _PUNCT_BREAK.search(folded[a.end : n.start]):
                    return True
    return False


_PUNCT_BREAK = re.compile(r"[,;:।.!?]")


def _not_to_occur(t: Trigger, cues: dict[str, list[Cue]], folded: str) -> bool:
    """A meeting noun whose own clause then says, negated, that it takes place (the
    language's ``occur`` words: "will not take place", "won't happen"): the meeting that was
    planned is off."""
    for o in cues.get("occur", ()):
        if not 0 <= o.start - t.end <= 80 or _CLAUSE_BREAK.search(folded, t.end, o.start):
            continue
        if any(0 <= o.start - n.end <= 2 for n in cues.get("negation", ())):
            return True
    return False


def _unopened(t: Trigger, found: Sequence[Cue], cues: dict[str, list[Cue]]) -> list[Cue]:
    """Cues ``t`` is governed by: not one before a clause opened between it and ``t`` by a
    subordinator (the ``clause_open`` cues) with a pronoun subject right after it ("wanted to
    deepen ties as he met ..."), or by "and" before a cancellation word (``verb_and``); that
    clause tells its meeting as a fact."""
    pron = {p.start for p in cues.get("pronoun", ())}
    opens = [o for o in cues.get("clause_open", ()) if o.end + 1 in pron]
    # a cancellation as a second predicate of the subject ("urged restraint and cancelled the
    # talks"): the wish's object ends where it begins
    called_off = {c.start for c in cues.get("cancel", ())}
    starts = [o.start for o in opens if o.end <= t.start]
    starts += [
        o.start for o in cues.get("verb_and", ()) if o.end + 1 in called_off and o.start < t.start
    ]
    return [c for c in found if not (c.end <= t.start and any(c.end <= s for s in starts))]


def trigger_status(
    t: Trigger,
    cues: dict[str, list[Cue]],
    lang: str,
    cjk: bool,
    folded: str = "",
    others: list[Trigger] | None = None,
    conj: frozenset[str] = frozenset(),
) -> str | None:
    """The status ``t`` reports in its sentence, or None when it reports no meeting.

    ``others`` are the sentence's meeting words: with them, a cancellation reaches the whole
    clause of the nearest meeting word, not only a window of characters."""
    k = 0.4 if cjk else 1.0
    sov = lang in SOV

    def has(name: str, before: float, after: float, comma: bool = False, own: bool = False) -> bool:
        found = cues.get(name)
        if not found:
            return False
        b, a = int(before * k), int(after * k)
        return any(_near(c, t, b, a, folded, comma, own) for c in found)

    neg_after = 14 if sov else 3
    # Chinese negates the whole verb phrase ahead: 没有安排王毅与布林肯会面 (within the clause)
    neg_before = 36 if lang == "zh" else 16
    # German and Dutch put "nicht"/"niet" after the object of a finite verb ("traf sich ...
    # nicht") and before a final participle ("hat sich nicht mit ... getroffen"): the clause,
    # up to a comma, is the reach
    v2 = lang in _V2_FINAL
    if v2:
        neg_before, neg_after = 40, 60
    # a request, offer or refusal ahead of the meeting word governs it only in its own
    # clause: "at the request of the US side, the PM held a call with ..." was held
    # a meeting noun right after "during" is the occasion of what the sentence tells, as a
    # fact: "called for a ceasefire during talks with ...", "rejected it during a meeting"
    occasion = has("during", 16, 0)
    hyp_before = 110 if lang == "de" else 60  # "könnte am Freitag in Paris X treffen"
    if not occasion and (
        has("deny", 90, 90, own=True)
        or any(
            _near(c, t, int(hyp_before * k), int(45 * k), folded, own_clause=True)
            for c in _unopened(t, cues.get("hypothetical", ()), cues)
        )
    ):
        return None
    if has("history", 120, 120):
        return None
    # "3자 회동", "3カ国会談": the meeting word itself names a multilateral format (not in
    # German or Dutch, where a clause-opening phrase ends right before the finite verb: "Am
    # Rande der Konferenz traf ...", and not when a bilateral one names it first: "the 2+2
    # ministerial dialogue")
    bil = [c.end for c in cues.get("bilateral", ())]
    if not v2 and any(
        0 <= t.start - c.end <= 1 and not any(0 <= c.start - e <= 1 for e in bil)
        for c in cues.get("multilateral", ())
    ):
        return None
    if (
        has("negation", neg_before, neg_after, comma=cjk or v2)
        or has("coattend", 30, 30)
        or _negated_plan(t, cues, folded)
    ):
        return None
    if sov and _any_then_not(t, cues, folded):
        return None  # "वार्ता गर्ने कुनै तयारी छैन": no plan at all to hold talks
    if t.noun and _not_to_occur(t, cues, folded):
        return "cancelled"  # "the talks set for May ... will not take place"
    if (
        has("cancel", 120, 120)
        or (others is not None and _clause_cue(t, cues.get("cancel"), folded, others))
    ) and not _cancel_of_another(t, cues.get("cancel"), others):
        return "cancelled"
    if (
        t.group == "call"
        or has("call", 45, 45)
        or _clause_call(t, cues.get("call"), folded, others)
    ):
        return "call"
    # "spoke with", "called" name no medium: news prose says "met" for a meeting in person,
    # so talking is a call unless the sentence puts the two in one place
    if t.group == "talk" and not has("bilateral", 60, 60) and not has("visiting", 90, 60):
        return "call"
    # German puts the infinitive last: "wird ... nächste Woche ... treffen"; in English a
    # modal governs the verb after it ("will meet"), or a noun before it ("the meeting is
    # expected"), not a verb before it ("met ... for what is expected to be ...")
    if not sov and not t.noun:  # ``has`` reads the rebound ``cues``
        cues = own_plan_words(t, cues, folded, others or [], conj)
    fut_before = 110 if lang == "de" else (60 if lang == "zh" else 40)  # 将于…举行会谈
    fut_after = 25 if sov else (0 if lang == "en" and not t.noun else 60)
    reach = (int(fut_before * k), int(max(fut_after, 60) * k), int(40 * k))
    if t.group == "scheduled" or (
        (has("future", fut_before, fut_after) or has("future_time", 40, 60))
        and not past_then_plan(t, cues, folded, reach)
    ):
        return None if "question" in cues else "scheduled"  # "Modi to meet Trump?": asked
    # a relative past word ("yesterday", "last week", "गत सप्ताह") dates a tense-neutral
    # meeting word in the past: neither an announcement nor a plan
    past = has("past_time", 40, 60) or (t.group == "visit" and has("during", 40, 0))
    # a German subordinate clause puts the verb last, after its time ("..., wo sie am Montag
    # mit ... zusammentrifft"); Dutch present plurals are also participles ("heeft dinsdag
    # ... ontvangen"), so Dutch keeps the short reach
    when_before = 100 if lang == "de" else 40
    if t.group == "present" and has("when", when_before, 60) and not past:
        return "scheduled"  # "Scholz empfängt am Mittwoch Macron": an announcement
    if t.group == "visit" and not past:
        return "scheduled"  # a bare "visit" noun with no held verb is a plan
    return "held"


def best(statuses: list[str]) -> str:
    return max(statuses, key=lambda s: RANK[s])
