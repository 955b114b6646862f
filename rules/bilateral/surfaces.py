"""Surface forms of names: CLDR display names cleaned, inflected and without accents.

Used by ``rules.bilateral.lexicon`` while it collects records: a CLDR name as texts write it
("Myanmar (Burma)" -> "Myanmar"), its case forms in the languages that decline names
(``rules.bilateral.inflect``), its accent-free spelling, and Malayalam words in the older
encoding of chillu letters. Pure string functions; no data files.
"""

from __future__ import annotations

import re
import unicodedata

from rules.bilateral import inflect
from rules.bilateral.attributive import si_attributive, ta_attributive
from rules.bilateral.inflect_indic import attaches, indic_forms

_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff\u2000-\u206f]")


def is_latin(s: str) -> bool:
    if s.isascii():
        return any(c.isalpha() for c in s)
    return _NON_LATIN.search(s) is None and any(c.isalpha() for c in s)


def ascii_variant(name: str) -> str:
    """Latin names without accents: "Côte d'Ivoire" -> "Cote d'Ivoire"."""
    if name.isascii():
        return name
    decomposed = unicodedata.normalize("NFD", name)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


def clean_cldr(name: str, lang: str) -> set[str]:
    """CLDR display names -> the forms a text would use."""
    out = {name}
    if "(" in name and ")" in name:
        # "Myanmar (Burma)" names the same country; elsewhere the brackets hold the sovereign
        # ("Виргинские о-ва (США)"), which must not become a name of the territory
        head, _, rest = name.partition("(")
        out = {head.strip()}
        if lang == "en":
            out.add(rest.split(")")[0].strip())
    conj = {
        "en": "and", "fr": "et", "es": "y", "pt": "e", "de": "und", "it": "e", "pl": "i",
        "nl": "en", "id": "dan", "sw": "na", "vi": "và", "tr": "ve",
    }.get(lang)  # fmt: skip
    for form in list(out):
        if "&" in form and conj:
            out.add(form.replace("&", conj))
        if form.startswith("St. "):
            out.add("Saint " + form[4:])
        if " - " in form:
            out.add(form.replace(" - ", "-"))
    return {o for o in out if o}


def country_forms(name: str, lang: str) -> set[str]:
    forms: set[str] = set()
    for clean in clean_cldr(name, lang):
        forms |= inflect.name_forms(clean, lang)
        if lang == "si":
            forms |= si_attributive(clean)
        elif lang == "ta":
            forms |= ta_attributive(clean)
    if is_latin(name):
        forms |= {ascii_variant(f) for f in forms if len(f) >= 5}
    return forms


def script_lang(surface: str) -> str:
    """Which inflection rules apply to a language-less alias, judged by its script."""
    for c in surface:
        o = ord(c)
        if 0x0400 <= o < 0x0530:
            if any(ch in "іїєґІЇЄҐ" for ch in surface):
                return "uk"
            return "sr" if any(ch in "јљњћђџЈЉЊЋЂЏ" for ch in surface) else "ru"
        if 0x0600 <= o < 0x0700:
            return "ar" if surface.startswith("ال") else ""
    return ""


def alias_forms(alias: str) -> set[str]:
    lang = script_lang(alias)
    forms = inflect.name_forms(alias, lang) if lang else {alias}
    if attaches(alias):
        forms |= indic_forms(alias)  # Marathi, Bengali, Tamil ... attach case endings
        forms |= si_attributive(alias) | ta_attributive(alias)
    if is_latin(alias) and len(alias) >= 5:
        forms |= {ascii_variant(f) for f in forms}
    return forms


# Malayalam chillu letters: atomic since Unicode 5.1 (U+0D7B), earlier written consonant +
# virama + ZWJ, which the fold turns into consonant + virama. Both spellings are in use.
CHILLU_OLD = {
    c: base + "\u0d4d"
    for c, base in zip(range(0x0D7A, 0x0D80), "\u0d23\u0d28\u0d30\u0d32\u0d33\u0d15", strict=True)
}
CHILLU_RE = re.compile("[\u0d7a-\u0d7f]")
