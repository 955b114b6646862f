"""A yes/no question reports no meeting: "Will Modi meet Xi at the SCO summit?"; nor does a
question about a plan: "Modi to meet Trump?".

A headline or sentence that opens with an auxiliary (the language's ``question_lead``
words) and ends in a question mark asks whether a meeting will be or was held; like "might"
or "possible", it is speculation, whatever meeting word it contains ("Why did Modi meet
Xi?" opens with no auxiliary and still reports one).
"""

from __future__ import annotations

from rules.bilateral.lexicon import LangLex
from rules.bilateral.status import Cue

_QUESTION_MARKS = ("?", "？", "؟")
_CLOSE = " \n\"'”’»)"


def question_cues(folded: str, lex: LangLex) -> list[Cue]:
    """A cue over the whole sentence when it is a question: speculation for a yes/no
    question, ``question`` (no plan is reported) for any other."""
    leads = lex.words.get("question_lead")
    if not leads or not folded.rstrip(_CLOSE).endswith(_QUESTION_MARKS):
        return []
    words = folded.split()
    first = words[0].strip("\"'“‘«(") if words else ""
    # any other question asks about a plan only ("Modi to meet Trump?"), not about a
    # meeting it reports ("Why did Modi meet Xi?")
    return [Cue(0, len(folded), "hypothetical" if first in leads else "question")]
