"""Arabic pronoun suffixes on meeting nouns: اجتماعه "his meeting", زيارتها "her visit".

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
