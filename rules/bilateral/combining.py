"""The combining form of a Slavic country adjective, the first half of a hyphenated pair.

Russian, Ukrainian, Polish and Serbian/Croatian/Bosnian name talks between two countries by
a compound adjective whose first half ends in -o: "российско-китайские переговоры",
"українсько-польські консультації", "polsko-ukraińskie rozmowy", "srpsko-ruski odnosi". The
half is made regularly from the adjective's masculine nominative, so every demonym in
``demonyms.toml`` gets it; it never stands as a word of its own.
"""

from __future__ import annotations

_ENDINGS = {
    "ru": (("ский", "ско"), ("цкий", "цко"), ("кий", "ко")),
    "uk": (("ський", "сько"), ("цький", "цько"), ("зький", "зько")),
    "pl": (("ski", "sko"), ("cki", "cko")),
    "sr": (("ski", "sko"), ("čki", "čko"), ("ški", "ško"), ("ски", "ско"), ("чки", "чко")),
}
_ENDINGS["hr"] = _ENDINGS["bs"] = _ENDINGS["sr"]


def combining_form(adj: str, lang: str) -> str | None:
    """The "-o" half of ``adj`` ("российский" -> "российско"), or None."""
    if " " in adj:
        return None
    for ending, half in _ENDINGS.get(lang, ()):
        if adj.endswith(ending) and len(adj) > len(ending) + 2:
            return adj[: -len(ending)] + half
    return None
