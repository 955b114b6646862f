"""The tense a meeting word takes from the words around it, after each was read alone
(``rules.bilateral.status``): a meeting noun governed by a verb of another tense ("will hold
talks"), a sentence-final predicate in Korean and Japanese, a journey the meeting is the
purpose of."""

from __future__ import annotations

import re
from collections.abc import Callable

from rules.bilateral.inflect_levels import PAST_FINAL, hangul_final
from rules.bilateral.journeys import purpose_of
from rules.bilateral.plans import COORD
from rules.bilateral.purpose import purpose_tense
from rules.bilateral.status import BUT_AFTER_MET, Cue, Trigger


def inherit(
    statuses: list[tuple[Trigger, str]],
    sov: bool,
    folded: str = "",
    words: dict[str, frozenset[str]] | None = None,
) -> list[tuple[Trigger, str]]:
    """A meeting noun takes the tense of the verb that governs it.

    "will hold the Strategic Dialogue" -> the dialogue is scheduled; "회담을 가질 예정" ->
    the talks are scheduled. The governing verb precedes the noun in verb-medial languages
    and follows it in verb-final ones. A journey's purpose is still to come: "arrives in
    Washington for talks with ...", "heads to Moscow for talks" (a ``purpose`` word of the
    language right before the noun, after a travel verb).
    """
    purpose = (words or {}).get("purpose", frozenset())
    withs = (words or {}).get("with", frozenset())
    out: list[tuple[Trigger, str]] = []
    for t, st in statuses:
        if st == "held" and sov and _medium_ahead(t, statuses, folded, withs):
            st = "call"
        elif st == "held" and t.group in ("held", "visit", "weak", "talk"):
            for u, su in statuses:
                if su not in ("scheduled", "call", "cancelled") or u is t:
                    continue
                if u.group not in ("visit", "talk"):
                    gap = (u.start - t.end) if sov else (t.start - u.end)
                    lo, hi = (t.end, u.start) if sov else (u.end, t.start)
                    # "회담을 가졌으나 오찬은 취소됐다": the held verb's own clause ends first
                    # nor a verb-final clause chained by a comma ("会談し、明日は…会談する")
                    cut = sov and COORD.search(folded[lo:hi]) is not None
                    if (
                        0 <= gap <= (30 if sov else 60)
                        and not cut
                        and not BUT_AFTER_MET.search(folded, lo, hi)
                    ):
                        st = su
                        break
                if u.group == "visit" and not u.noun and purpose_of(u, t, folded, purpose):
                    st = su
                    break
                # the medium right after the noun: "perbincangan lewat telepon", "talks by phone";
                # a plan predicate right after it: "talks to be held in Istanbul"
                plan = u.group == "scheduled" and t.noun
                if not sov and (u.group == "call" or plan) and 0 <= u.start - t.end <= 3:
                    st = su
                    break
        out.append((t, st))
    return out if sov else _call_named_after(out, folded, (words or {}).get("loc", frozenset()))


def _call_named_after(
    statuses: list[tuple[Trigger, str]], folded: str, locs: frozenset[str]
) -> list[tuple[Trigger, str]]:
    """A call noun right after a verb says how the verb's meeting is held: "will hold a phone
    call" (a planned call is a call), "berieten sich in einer Videokonferenz", "se sont
    entretenus en visioconférence" (after a word of place: in, en, op ...). At most one
    other word (an article) between, no punctuation; "met after a phone call" stays held."""
    calls = [u for u, su in statuses if su == "call" and u.group == "call"]
    if not calls:
        return statuses
    out: list[tuple[Trigger, str]] = []
    for t, st in statuses:
        plan = st == "scheduled" and t.group == "scheduled"
        held = st == "held" and t.group in ("held", "weak", "talk")
        if (plan or held) and not t.noun:
            for u in calls:
                gap = folded[t.end : u.start]
                words = gap.split()
                if not 0 <= len(gap) <= 16 or _BREAK.search(gap) or len(words) > 2:
                    continue
                if (plan and len(words) <= 1) or (words and words[0] in locs):
                    st = "call"
                    break
        out.append((t, st))
    return out


def _medium_ahead(
    t: Trigger, statuses: list[tuple[Trigger, str]], folded: str, withs: frozenset[str]
) -> bool:
    """ "در تماس تلفنی با X گفتگو کرد": in a verb-final clause a call phrase opening a
    prepositional "with" phrase ("in a phone call with X ... talked") is the manner of the
    verb that closes the clause, so the talk was a call (not after a clause break or another
    meeting word; a postposition "with", after the partner, never opens it this way)."""
    if t.noun or not withs:
        return False
    for u, su in statuses:
        if su != "call" or u.group != "call" or not 0 <= t.start - u.end <= 80:
            continue
        rest = folded[u.end : t.start]
        head = rest.lstrip().split(" ", 1)[0]
        if (
            head in withs
            and not _BREAK.search(rest)
            and not any(u.end <= w.start < t.start for w, _ in statuses if w is not t)
        ):
            return True
    return False


_BREAK = re.compile(r"[,;:.!?،؛]")

# what may follow a sentence's last predicate: spaces, full stops, closing quotes and brackets
_SENTENCE_CLOSE = " \n.。!?\"'”」』）)"


def _held_as_planned(
    statuses: list[tuple[Trigger, str]], planned: Callable[[Trigger], bool]
) -> list[tuple[Trigger, str]]:
    """The held readings ``planned`` picks out, read as scheduled."""
    return [(t, "scheduled" if st == "held" and planned(t) else st) for t, st in statuses]


def converb_tense(
    statuses: list[tuple[Trigger, str]],
    future: list[Cue],
    folded: str,
    converbs: frozenset[str] | None,
) -> list[tuple[Trigger, str]]:
    """A meeting verb in a clause-chaining converb has no tense of its own: it takes the
    tense of the predicate that ends the sentence ("회담을 갖고 ... 논의할 예정이다": the
    talks are planned too). ``converbs`` are the language's converb endings (Korean -고)."""
    if not converbs or not future:
        return statuses
    tail = len(folded.rstrip(_SENTENCE_CLOSE))
    # the plan word ends the sentence, before at most a copula ("예정이다", "계획입니다")
    final = [c for c in future if c.end >= tail - 4]
    if not final:
        return statuses
    ends = tuple(converbs)

    def chained(t: Trigger) -> bool:
        # the meeting word's own word or the verb after it ("회담을 갖고", "회담하고")
        words = (t.text.split()[-1] + folded[t.end : t.end + 12]).split()[:2]
        return any(w.rstrip(",、").endswith(ends) for w in words)

    return _held_as_planned(statuses, lambda t: any(c.start >= t.end for c in final) and chained(t))


def nonpast_final(
    statuses: list[tuple[Trigger, str]],
    named: dict[str, list[Cue]],
    folded: str,
    words: dict[str, frozenset[str]],
) -> list[tuple[Trigger, str]]:
    """Japanese and Korean mark tense on the sentence's last predicate: a sentence that ends
    in the plain non-past ("…と会談する。", "…협의한다.") announces what is to come, and a
    meeting word in it that carries no past of its own (会談した, 회담을 가졌다) is a plan.

    ``words`` gives the non-past endings (``nonpast_end``), the endings that are no future
    (``nonpast_not``: the copula, the progressive, hearsay, "is seen to", "must") and the
    syllables that mark the past right after a meeting word (``past_mark``).
    """
    ends, nots = words.get("nonpast_end"), words.get("nonpast_not", frozenset())
    if not ends or "past_time" in named:
        return statuses
    tail = folded.rstrip(_SENTENCE_CLOSE)
    if not tail.endswith(tuple(ends)) or tail.endswith(tuple(nots)) or formal_past(tail):
        return statuses
    marks = tuple(words.get("past_mark", ()))

    def own_past(t: Trigger) -> bool:
        return any(m in t.text or m in folded[t.end : t.end + 5] for m in marks)

    return _held_as_planned(statuses, lambda t: t.group == "held" and not own_past(t))


def formal_past(tail: str) -> bool:
    """Does ``tail`` end in the Korean formal past (-았습니다, -했습니다, -갔습니다)? The
    formal ending -니다 is non-past but after the past marker, a syllable closed by ㅆ,
    which no ending list can spell out syllable by syllable; 겠 ("will") closes so too."""
    if not tail.endswith("습니다") or len(tail) < 4 or tail[-4] == "겠":
        return False
    return hangul_final(tail[-4]) == PAST_FINAL


def predicate_tense(
    statuses: list[tuple[Trigger, str]],
    named: dict[str, list[Cue]],
    folded: str,
    words: dict[str, frozenset[str]],
) -> list[tuple[Trigger, str]]:
    """The tense a sentence-final predicate gives meeting words that carry none of their own
    (Korean converbs, Japanese and Korean plain non-past); see the two functions."""
    live = converb_tense(statuses, named.get("future", []), folded, words.get("converb"))
    live = purpose_tense(live, folded, words)  # "मुलाकात के लिए मॉस्को रवाना": a plan
    return nonpast_final(live, named, folded, words)
