"""The attributive form of a country name, as it stands before the noun it qualifies.

Sinhala and Tamil write a country name that ends in a long vowel or a definite ending
without it before a title or a noun ("ඕස්ට්‍රේලියා අගමැති", "தென் கொரிய வெளியுறவு அமைச்சர்"):
the names the lexicon stores in their dictionary form need that form too.
"""

from __future__ import annotations

from rules.bilateral.inflect_indic import script_of, spelling_variants


def si_attributive(name: str) -> set[str]:
    """A Sinhala country name in its definite form (චීනය, ඕස්ට්‍රේලියාව, දකුණු කොරියාව) is
    written without the -ය/-ව before the noun it qualifies ("ඕස්ට්‍රේලියා අගමැති", "ඉරාක
    ජනාධිපති", "දකුණු කොරියා විදේශ ඇමති"); a stem in -ා or in "-stan" also makes the
    adjective in -නු/-ු (ඉන්දියානු, මැලේසියානු, පාකිස්තානු)."""
    out: set[str] = set()
    for form in spelling_variants(name):
        head, _, last = form.rpartition(" ")
        if script_of(last) != "si" or len(last) < 4 or last[-1] not in "යව" or last[-2] == "\u0dca":
            continue
        stem = (head + " " if head else "") + last[:-1]
        out.add(stem)
        if stem.endswith("ා"):
            out.add(stem + "නු")
        elif stem.endswith(("ස්තාන", "ස්ථාන")):
            out.add(stem + "ු")
    return out


# a vowel-final modifier doubles the stop the next word starts with ("இந்தியப் பிரதமர்")
_TA_STOPS = ("க்", "ச்", "த்", "ப்")


def ta_attributive(name: str) -> set[str]:
    """A Tamil country name in long -ா (கொரியா, ரஷ்யா, ஆஸ்திரேலியா) qualifies a noun with
    the short vowel ("தென் கொரிய அமைச்சர்", "ரஷ்ய அதிபர்", "இந்தியப் பிரதமர்")."""
    head, _, last = name.strip().rpartition(" ")
    if script_of(last) != "ta" or len(last) < 4 or not last.endswith("ா"):
        return set()
    stem = (head + " " if head else "") + last[:-1]
    return {stem} | {stem + s for s in _TA_STOPS}
