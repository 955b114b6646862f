"""A lexicon's ``[paradigm]`` table: meeting verbs named once, their tense forms by rule.

The table lists verbs by their citation form under the trigger group of their past and
present ("held = ["recevoir", "se réunir"]"). Each language's rules give the forms news
prose writes: French, Spanish, Portuguese and Italian simple tenses
(``rules.bilateral.inflect_romance``), Turkish stems (``rules.bilateral.inflect_tr``), and the
English base form after a modal ("will host", "would receive", "'ll meet"), whose other
tenses the ``*`` of the English lists already gives (``rules.bilateral.inflect_en``).
"""

from __future__ import annotations

from typing import Any

from rules.bilateral.inflect_romance import ROMANCE, verb_forms
from rules.bilateral.inflect_tr import tr_verb

# a plan in news English; "may", "might" and "could" are speculation, not plans
_EN_MODALS = ("will", "would", "'ll", "’ll", "to", "set to", "is to", "are to", "due to")


def _en_modal(verb: str) -> tuple[set[str], set[str]]:
    return set(), {f"{m} {verb}" for m in _EN_MODALS}


# Hindi futures in "-ूं/-ें-गा/गी/गे" (मिलूंगा, मिलेंगे): the third singular "-एगा/-एगी" is
# left out, it is as often "will get" (मिलेगा) as a meeting, and news writes leaders plural
_HI_FUTURE = ("ूंगा", "ूंगी", "ूँगा", "ूँगी", "ेंगे", "ेंगी", "ेंगें")


def paradigm_forms(verb: str, lang: str) -> tuple[set[str], set[str]] | None:
    """(forms of the verb's own group, forms of a plan), or None where ``lang`` has no rules."""
    if lang == "hi":
        return set(), {verb + end for end in _HI_FUTURE}
    if lang == "tr":
        return tr_verb(verb)
    if lang in ROMANCE:
        return verb_forms(verb, lang)
    if lang == "en":
        return _en_modal(verb)
    return None


def paradigm_triggers(lang: str, data: dict[str, Any]) -> dict[str, list[str]]:
    """``data``'s trigger lists with the forms of its ``[paradigm]`` verbs added.

    A planned call stays a call in English, as its lists already read "will speak by phone";
    in the other languages a plan of any meeting, a call included, is "scheduled", as their
    lists read it.
    """
    triggers: dict[str, list[str]] = {k: list(v) for k, v in data.get("trigger", {}).items()}
    for group, verbs in data.get("paradigm", {}).items():
        for verb in verbs:
            forms = paradigm_forms(verb, lang)
            if forms is None:
                continue
            own, plan = forms
            triggers.setdefault(group, []).extend(sorted(own))
            plan_group = "call" if group == "call" and lang == "en" else "scheduled"
            triggers.setdefault(plan_group, []).extend(sorted(plan))
    return triggers
