"""Which lexicon phrases match exactly one item of the labelled corpus.

A phrase that only one labelled text contains is either a word the corpus is too small to
show twice or a phrase lifted from that text; the second learns the item, not the language.
Shared by the hygiene test and by whoever refreshes its baseline
(``python -m tests.rules.lexicon_hygiene > tests/rules/lexicon_singletons.txt``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.evalscore import blind, load_items, unread
from rules.bilateral.inflect import starred_forms
from rules.bilateral.paradigms import paradigm_forms

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "meetings"
LANG_DIR = ROOT / "rules" / "data" / "lang"
BASELINE = Path(__file__).with_name("lexicon_singletons.txt")

# Closed grammatical classes: adpositions, case endings, conjunctions (of purpose too: "for",
# "per", "aby", "щоб"), pronouns, the "next"/"last" of a relative weekday ("kommenden",
# "geçen") and the letters of a script's initials. A grammar lists them
# whole; none is learnt from a text, and a correct member that one corpus item happens to show
# (Turkish "'a", Tamil "எஃப்") must not be dropped for it. Only single words count as members:
# a phrase filed under these keys ("both leaders") is still held to the rule.
CLOSED_CLASSES = frozenset(
    (
        "words.glue", "words.conj", "words.with", "words.with_post", "words.of_before",
        "words.loc", "words.loc_post", "words.dest", "words.by_post", "words.topic_post",
        "words.initials", "words.purpose", "cue.pronoun", "cue.first_person",
        "words.next_day", "words.day_next", "words.last_day", "words.day_last",
    )
)  # fmt: skip
_MEMBER_MAX = 12  # characters of a closed-class word


def closed_class_word(where: str, phrase: str) -> bool:
    """``where`` is "lang:key" as ``lexicon_phrases`` gives it."""
    key = where.split(":", 1)[1]
    word = phrase.strip()
    return key in CLOSED_CLASSES and " " not in word and len(word) <= _MEMBER_MAX


def corpus_texts() -> list[str]:
    """The texts phrases could have been learnt from: every set but the blind block and the
    sets only the model trains on.

    Those are never read while the lexicons are written, so they can neither have taught a
    phrase nor be allowed to excuse one; counting them would also make each new labelling
    round move this test's verdicts.
    """
    return [
        item["text"].casefold()
        for item in load_items(CORPUS)
        if not blind(item) and not unread(item)
    ]


def _strings(table: dict[str, Any], path: str) -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        where = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            yield from _strings(value, where)
        elif isinstance(value, list):
            yield from ((where, v) for v in value if isinstance(v, str))


def lexicon_phrases() -> Iterator[tuple[str, str, str]]:
    """(``lang:key``, phrase, language code) for every phrase of every language file."""
    for path in sorted(LANG_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key, phrase in _strings(data, ""):
            yield f"{path.stem}:{key}", phrase, data.get("lang", path.stem)


def surfaces(phrase: str, lang: str, where: str = "") -> list[tuple[str, bool]]:
    """(text, stem) the detector looks for in place of ``phrase``, read as the lexicon loader
    reads it (``rules.bilateral.lexicon._phrases``): a trailing "~" marks a stem that letters
    may follow, a word's trailing "*" stands for its case forms, a ``[paradigm]`` verb for
    every form ``rules.bilateral.paradigms`` gives it. Taken literally, such an
    entry would match only the texts that happen to use its citation form."""
    forms = paradigm_forms(phrase, lang) if ":paradigm." in where else None
    if forms is not None:
        own, plan = forms
        return [(f.removesuffix("~"), f.endswith("~")) for f in sorted(own | plan)]
    stem = phrase.endswith("~")
    if stem:
        phrase = phrase[:-1]
    forms = starred_forms(phrase, lang) if "*" in phrase else {phrase}
    return [(form, stem) for form in sorted(forms)]


def matches(phrase: str, texts: list[str], stem: bool = False) -> int:
    """Items containing ``phrase``; Latin phrases only as whole words ("met" is not in "metro"),
    a ``stem`` only at the start of a word ("treff" is in "treffen", not in "betreffend")."""
    return sum(1 for t in texts if _contains(t, phrase.casefold().strip(), stem))


def _contains(text: str, p: str, stem: bool) -> bool:
    if p not in text:
        return False
    if not p.isascii():
        return True
    end = "" if stem else r"(?![\w])"
    return re.search(r"(?<![\w])" + re.escape(p) + end, text) is not None


def phrase_matches(phrase: str, lang: str, texts: list[str], where: str = "") -> int:
    """Items containing any surface of the lexicon ``phrase`` of language ``lang``."""
    forms = [(f.casefold().strip(), stem) for f, stem in surfaces(phrase, lang, where)]
    return sum(1 for t in texts if any(_contains(t, f, stem) for f, stem in forms if f))


def singletons() -> list[str]:
    texts = corpus_texts()
    found = {
        f"{where}\t{phrase}"
        for where, phrase, lang in lexicon_phrases()
        if len(phrase.strip()) >= 2
        and not closed_class_word(where, phrase)
        and phrase_matches(phrase, lang, texts, where) == 1
    }
    return sorted(found)


if __name__ == "__main__":
    print("\n".join(singletons()))
