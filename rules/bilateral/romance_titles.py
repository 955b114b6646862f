"""Plural forms of French, Spanish, Portuguese and Italian titles.

"Les chefs de la diplomatie française et chinoise", "los primeros ministros español y
portugués", "i capi di Stato russo e cinese": a title shared by two coordinated demonyms is
written in the plural (``rules.bilateral.lists.share_titles`` gives each demonym its
office). The lexicon lists titles in the singular; every word before the title's first
preposition ("de", "des", "della", "dos") takes the plural, the complement does not
("ministre des affaires étrangères" -> "ministres des affaires étrangères").
"""

from __future__ import annotations

# the prepositions and articles that open a title's complement
_COMPLEMENT = frozenset(
    """de du des d' la le les del della dello delle degli dei di da do dos das
    al ao à aux y e et para per alla alle allo agli ai""".split()  # noqa: SIM905
)
# words a plural title keeps as they are ("vice-présidents", "re"), or whose plural is
# irregular ("primer ministro" -> "primeros ministros")
_SAME = frozenset(("vice", "premier", "vicepremier", "re", "papa"))
_IRREGULAR = {("es", "primer"): "primeros"}
_LANGS = frozenset(("fr", "es", "pt", "it"))
_ES_ACCENT = str.maketrans("áéíóú", "aeiou")


def _plural(word: str, lang: str) -> str:
    if word in _SAME or len(word) <= 2:
        return word
    if (lang, word) in _IRREGULAR:
        return _IRREGULAR[lang, word]
    if lang == "fr":
        if word.endswith(("s", "x", "z")):
            return word
        if word.endswith("al"):
            return word[:-2] + "aux"  # général -> généraux
        return word + ("x" if word.endswith("eau") else "s")
    if lang == "it":
        if word.endswith("io"):
            return word[:-1]  # segretario -> segretari
        if word.endswith(("o", "e")):
            return word[:-1] + ("hi" if word.endswith(("co", "go")) and len(word) < 5 else "i")
        return word[:-1] + "e" if word.endswith("a") else word  # ministra -> ministre
    if lang == "pt":
        if word.endswith("l"):
            return word[:-1] + "is"  # federal -> federais
        if word.endswith("m"):
            return word[:-1] + "ns"
        return word + ("es" if word.endswith(("r", "z")) else "s" if word[-1:] != "s" else "")
    if word[-1:] in "aeiouáéó":
        return word + "s"
    if word.endswith("s"):
        return word
    # a stressed last syllable loses its accent: "canciller" keeps, "jefe"; "capitán" ->
    # "capitanes"
    return (word[:-2] + word[-2:].translate(_ES_ACCENT) if word[-2:-1] in "áéíóú" else word) + "es"


def title_plurals(phrase: str, lang: str) -> set[str]:
    """The plural of a title ("chef de la diplomatie" -> "chefs de la diplomatie"); empty
    where the language is not one of these or the title names no head word."""
    if lang not in _LANGS or not phrase or phrase.startswith(("d'", "l'")):
        return set()
    words = phrase.split(" ")
    head: list[str] = []
    for i, w in enumerate(words):
        if w in _COMPLEMENT or "'" in w:  # "d'état", "dell'interno"
            rest = words[i:]
            break
        head.append("-".join(_plural(p, lang) for p in w.split("-")))
    else:
        rest = []
    out = " ".join(head + rest)
    return {out} if head and out != phrase else set()
