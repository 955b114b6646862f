"""Arabic pronoun suffixes on meeting nouns: اجتماعه "his meeting", زيارتها "her visit";
the third persons of an imperfect verb: يلتقي, تلتقي, يلتقيان, يلتقون.

A noun of the lexicon marked with ``*`` gets its forms with the attached possessive
pronouns of news prose (his, her, their two, their, our); a noun ending in taa marbuta
writes it as taa before the suffix (زيارة -> زيارته). Proclitics (و ب ل ف) need no forms:
the gazetteer's word boundary already lets them precede any word.
"""

from __future__ import annotations

_SUFFIXES = ("ه", "ها", "هما", "هم", "نا", "كما")
_ARTICLE = "ال"


def ar_noun(word: str) -> set[str]:
    """The bare noun and its suffixed forms (a definite noun takes no suffix)."""
    out = {word}
    if word.startswith(_ARTICLE) and len(word) > 4:
        word = word[len(_ARTICLE) :]
        out.add(word)
    stem = word[:-1] + "ت" if word.endswith("ة") else word
    if stem.endswith("اء"):  # لقاء -> لقاؤه / لقائه as well as لقاءه
        out.update(stem[:-1] + hamza + s for hamza in ("ؤ", "ئ") for s in _SUFFIXES)
    out.update(stem + s for s in _SUFFIXES)
    return out


def ar_imperfect(word: str) -> set[str]:
    """Third persons of an imperfect written "<proclitics>ي-<stem>": "ي-لتقي" -> يلتقي تلتقي
    يلتقيان تلتقيان يلتقون; "سي-جتمع" (future) -> سيجتمع ستجتمع سيجتمعان ... ; "وي-" (and).

    He and she differ in the prefix (ي/ت), the dual adds ان and the masculine plural ون (ا
    and وا after "that", the subjunctive: أن يلتقيا); a stem ending in a weak yeh (يلتقي)
    drops it before the plural ending.
    """
    head, stem = word.split("-", 1)
    clitics = head[:-1]  # the person prefix is the last letter written before the hyphen
    plural = stem[:-1] if stem.endswith("ي") and len(stem) > 3 else stem
    out: set[str] = set()
    for person in ("ي", "ت"):
        out.update(clitics + person + stem + end for end in ("", "ان", "ا"))
    out.update(clitics + "ي" + plural + end for end in ("ون", "وا"))
    return out
