"""English verb forms: "cancel*" -> cancel, cancels, cancelled, canceled, cancelling ...

A verb of the English lexicon marked with ``*`` gets its third person, past, participle and
gerund, so that one paradigm is written once rather than the forms one text happened to use
("fell through", "backing out", "ditches"). Regular suffix rules over-generate a little (a
form nobody writes costs one unused pattern); the irregular verbs of meeting and
cancellation phrases are listed.
"""

from __future__ import annotations

# base -> (past, participle): the irregular verbs the lexicon's phrases use
_IRREGULAR = {
    "fall": ("fell", "fallen"),
    "put": ("put", "put"),
    "hold": ("held", "held"),
    "meet": ("met", "met"),
    "speak": ("spoke", "spoken"),
    "call": ("called", "called"),
    "set": ("set", "set"),
    "give": ("gave", "given"),
    "take": ("took", "taken"),
    "break": ("broke", "broken"),
    "sit": ("sat", "sat"),
    "ring": ("rang", "rung"),
}
_VOWELS = frozenset("aeiou")


def en_verb(word: str) -> set[str]:
    """The verb ``word`` (its base form) in every tense form news prose writes."""
    out = {word}
    if word in _IRREGULAR:
        out.update(_IRREGULAR[word])
    if word.endswith(("s", "sh", "ch", "x", "z", "o")):
        out.add(word + "es")
    elif word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        out.add(word[:-1] + "ies")
    else:
        out.add(word + "s")
    if word.endswith("e"):
        stem = word[:-1]
        out.update({word + "d", stem + "ing"})
        return out
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        out.update({word[:-1] + "ied", word + "ing"})
        return out
    double = _doubles(word)
    # Only a stressed final syllable doubles its consonant: every one-syllable verb ("scrap",
    # "stop"), some longer ones ("admit"), not "offer" or "visit". Stress is not in the
    # spelling, so a longer verb gets both forms; American English does not double an
    # unstressed final l either ("canceled", "canceling").
    if not double or _syllables(word) > 1:
        out.add(word + "ing")
        if word not in _IRREGULAR:
            out.add(word + "ed")
    if double:
        # "scrapped" (never "scraped"), British "cancelled"
        out.add(word + word[-1] + "ing")
        if word not in _IRREGULAR:
            out.add(word + word[-1] + "ed")
    return out


def _syllables(word: str) -> int:
    """Groups of vowel letters: "offer" 2, "scrap" 1."""
    return sum(
        1 for i, c in enumerate(word) if c in _VOWELS and (i == 0 or word[i - 1] not in _VOWELS)
    )


def _doubles(word: str) -> bool:
    """A short vowel before one final consonant doubles it ("scrap", "cancel")."""
    return (
        len(word) >= 3
        and word[-1] not in _VOWELS
        and word[-1] not in "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    )
