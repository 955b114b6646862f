"""Turkish verb forms of news prose from a verb stem: "karşıla" -> karşıladı, karşılamıştı,
karşılıyor, karşılayarak, karşılayan, karşılayacak ...

Suffixes follow vowel harmony (two-way a/e, four-way ı/i/u/ü), take a buffer y after a
vowel, devoice d to t after a voiceless consonant, and voice the t of "et-"/"git-" before a
vowel ("kabul ederek"). Forms that take further person and case endings are written open
("karşıladı~" also reads karşıladılar, "karşılayacağ~" karşılayacağını). The future and its
participle are plans; every other form is the stem's own group.
"""

from __future__ import annotations

_BACK = frozenset("aıou")
_VOWELS = frozenset("aıoueiöü")
_VOICELESS = frozenset("fstkçşhp")


def _last_vowel(word: str) -> str:
    return next((c for c in reversed(word) if c in _VOWELS), "e")


def _four(word: str) -> str:
    """The four-way harmony vowel after ``word``."""
    return {"a": "ı", "ı": "ı", "o": "u", "u": "u", "e": "i", "i": "i", "ö": "ü", "ü": "ü"}[
        _last_vowel(word)
    ]


def _two(word: str) -> str:
    return "a" if _last_vowel(word) in _BACK else "e"


def _before_vowel(stem: str) -> str:
    """The stem before a vowel-initial suffix: "et" -> "ed", "git" -> "gid"."""
    if stem.split()[-1] in ("et", "git"):
        return stem[:-1] + "d"
    return stem


def tr_verb(stem: str) -> tuple[set[str], set[str]]:
    """(held-reading forms, future forms) of the verb ``stem`` (its imperative)."""
    ends_vowel = stem[-1] in _VOWELS
    v = _before_vowel(stem)
    d = "t" if stem[-1] in _VOICELESS else "d"
    i4, a2 = _four(stem), _two(stem)
    buf = "y" if ends_vowel else ""
    past = {
        f"{stem}{d}{i4}~",  # görüştü, görüştüler, görüştükten, görüştüğü
        f"{stem}m{i4}ş~",  # görüşmüş, görüşmüştü, görüşmüşlerdi
        f"{v}{buf}{a2}r{a2}k",  # görüşerek
        f"{v}{buf}{a2}n",  # görüşen
    }
    # the progressive narrows a final a/e to ı/i: karşıla -> karşılıyor
    if ends_vowel:
        narrowed = stem[:-1] + ("ı" if stem[-1] == "a" else "i" if stem[-1] == "e" else stem[-1])
        past.add(f"{narrowed}yor~")
    else:
        past.add(f"{v}{i4}yor~")
    future = {f"{v}{buf}{a2}c{a2}k~", f"{v}{buf}{a2}c{a2}ğ~"}  # görüşecek(ler), görüşeceği
    return past, future
