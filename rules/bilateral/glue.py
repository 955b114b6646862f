"""Words between two mentions: the text split into words, and whether a gap is only glue
("'s", "of the", "के", "の", "de la") that joins two mentions into one entity."""

from __future__ import annotations

import re

from rules.bilateral.lexicon import LangLex

_WORD = re.compile(r"[^\s,;:()\[\]\"'«»“”‘’.!?،、]+|[(),;:]")
_CJK_GAP = re.compile(r"^[\s\u3000、・·の的]*$")


def words_of(gap: str) -> list[str]:
    return _WORD.findall(gap.replace("،", ","))  # the Arabic-script comma is a comma


def is_glue(gap: str, lex: LangLex, en: LangLex | None) -> bool:
    """Is the text between two mentions only glue ("'s", "of the", "के", "の", "de la")?"""
    stripped = gap.strip().replace("'s", " ").replace("s'", " ").strip()
    if ".." in stripped or "…" in stripped:
        return False  # "방한…조현 장관": a headline's ellipsis parts two phrases
    if not stripped or _CJK_GAP.match(gap) or stripped == "'":
        return True  # "Kenya's president", "the ministers' meeting"
    # a name's initials spelt out in the script ("அமைச்சர் எஸ். ஜெய்சங்கர்") sit between a
    # title and the name as glue does
    glue = lex.words.get("glue", frozenset()) | lex.words.get("initials", frozenset())
    extra = en.words.get("glue", frozenset()) if en is not None else frozenset()
    # ... but not the language's own "in"/"to" that English spells as glue ("Zelensky a Roma")
    extra = extra - lex.words.get("loc", frozenset()) - lex.words.get("dest", frozenset())
    for w in words_of(stripped):
        if w in ",()" or w in glue or w in extra or w in ("-", "–", "—"):
            continue
        return False
    return True


def word_listed(word: str, listed: frozenset[str]) -> bool:
    """Is ``word`` one of a [words] list, where an entry ending in "~" is a stem whose endings
    vary ("देशा~": देशांना, देशाला; "पहुंच~": पहुंचेंगे, पहुंचे)?"""
    return word in listed or any(a.endswith("~") and word.startswith(a[:-1]) for a in listed)
