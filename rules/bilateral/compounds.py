"""CJK and Korean country-pair compounds: 中美, 日韓, 한중, and one abbreviation with a full name.

Japanese and Korean name a bilateral meeting by its two sides before the noun: two
one-character abbreviations ("日韓首脳会談", "한미 정상회담"), or, for a country without an
abbreviation, the abbreviation, a separator and the country's full name ("日・インドネシア外相
会談", "한-인도네시아 정상회담", "한·베트남"). The full names are the CLDR names of every
country in that language, so the compounds cover every country at once. Each compound
matches only before a diplomatic noun (``[compound] next``; the gazetteer checks it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

# separators between an abbreviation and a full country name, per language
_NAME_SEPS = {"ja": ("・", "·", "="), "ko": ("-", "·", "–", "・")}
_PAIR_SEPS = {"ko": ("", "-", "·", ".")}  # "한.미": a period for the middle dot


def compounds(
    lang: str, data: dict[str, Any], names: dict[str, str]
) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(surface, party codes) of every compound of one language.

    ``data`` is the language's lexicon file (``[abbrev]``), ``names`` its CLDR country names
    (code -> name).
    """
    abbrev: dict[str, Any] = dict(data.get("abbrev", {}))
    core = set(abbrev.pop("core", []))
    # the halves of a divided country, abbreviated only together ("남북", "南北" = the two
    # Koreas): alone, "남" or "南" is any "south"
    halves: dict[str, str] = dict(abbrev.pop("halves", {}))
    if not abbrev:
        return
    for a, ca in ((ch, code) for code, ch in halves.items()):
        for b, cb in ((ch, code) for code, ch in halves.items()):
            if ca != cb:
                for sep in _PAIR_SEPS.get(lang, ("",)):
                    yield f"{a}{sep}{b}", (ca, cb)
    chars = {ch: code for code, ch in abbrev.items()}
    # two abbreviations that spell a country's own name ("독일" = Germany, not 독+일) are
    # that name, never a pair
    own = set(names.values())
    for a, ca in chars.items():
        for b, cb in chars.items():
            if ca == cb:
                continue
            for sep in _PAIR_SEPS.get(lang, ("",)):
                if f"{a}{sep}{b}" not in own:
                    yield f"{a}{sep}{b}", (ca, cb)
            if a in core and b in core:
                for c in core - {a, b}:
                    yield f"{a}{b}{c}", (ca, cb, chars[c])
    for a, ca in chars.items():
        for code, name in names.items():
            if code == ca or len(name) < 2:
                continue
            for sep in _NAME_SEPS.get(lang, ()):
                yield f"{a}{sep}{name}", (ca, code)
