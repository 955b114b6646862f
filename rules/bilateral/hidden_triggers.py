"""Meeting words a cue hides from the leftmost-longest scan, given back as longer patterns.

The automaton reports the longest pattern that starts leftmost and never a pattern that
starts inside it. So a cue whose last words begin a meeting phrase swallows the phrase's
start: "set to" takes the "to" of "to host" ("Meloni set to host ..." had no meeting word),
"via video" the "video" of "video link". Such a cue and meeting phrase joined on their
shared words ("set to host", "via video link") are added as the meeting phrase, carrying the
cue as well (one more entry on the same pattern). Only cues that agree with the meeting
word's reading or decide it are joined: a plan word ("future"), a medium ("call"), a
cancellation, speculation, a denial or a negation ("offer to" + "to host": no meeting);
others ("glad to" + "to host") would read a phrase the wrong way.

The same holds for a meeting phrase that contains the language's "bilateral" word
("bilateral meetings", "द्विपक्षीय बैठक"): it hides that cue, so it carries the cue itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from rules.bilateral.records import CUE, TRIGGER, Entry
from rules.text import fold

Phrases = Callable[[Iterable[str], str], Iterator[tuple[str, int]]]
TRIGGER_GROUPS = ("held", "weak", "visit", "scheduled", "call", "present", "talk")
_JOINED_CUES = ("future", "call", "cancel", "hypothetical", "deny", "negation")


def hidden_triggers(
    lang: str, data: dict[str, Any], phrases: Phrases
) -> Iterator[tuple[str, Entry, int]]:
    """(surface, entry, flags) records that give back what a cue hides in ``data``."""
    triggers = data.get("trigger", {})
    cues = data.get("cue", {})
    bilateral = {f" {fold(w)} " for w, _ in phrases(cues.get("bilateral", []), lang)}
    by_first: dict[str, list[tuple[list[str], str, int]]] = {}
    known: set[str] = set()
    for group in TRIGGER_GROUPS:
        for form, flags in phrases(triggers.get(group, []), lang):
            words = fold(form).split()
            if not words:
                continue
            known.add(" ".join(words))
            by_first.setdefault(words[0], []).append((words, group, flags))
            padded = f" {fold(form)} "
            if any(c in padded for c in bilateral):
                yield form, Entry(CUE, "bilateral", lang, ""), flags
    for name in _JOINED_CUES:
        for form, _ in phrases(cues.get(name, []), lang):
            words = fold(form).split()
            for k in range(1, len(words)):
                shared = words[len(words) - k :]
                for tw, group, flags in by_first.get(shared[0], ()):
                    if len(tw) <= k or tw[:k] != shared:
                        continue
                    joined = " ".join(words + tw[k:])
                    if joined in known:
                        continue
                    yield joined, Entry(TRIGGER, group, lang, ""), flags
                    yield joined, Entry(CUE, name, lang, ""), flags
