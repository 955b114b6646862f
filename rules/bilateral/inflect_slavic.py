"""Case forms of Russian, Serbian/Croatian/Bosnian and Albanian names and role nouns.

Suffix rules by the ending of the nominative ("Китай" -> "Китая", "Китаю"; "Rusija" ->
"Rusije"; "Turqi" -> "Turqisë"). They over-generate a little, which costs unused patterns
only, and need no dictionary.
"""

from __future__ import annotations

# Russian (and other East Slavic) noun endings by the final letter(s) of the nominative.
_RU_NOUN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ия", ("ия", "ии", "ию", "ией")),
    ("ея", ("ея", "еи", "ее", "ею", "еей")),
    ("я", ("я", "и", "е", "ю", "ей", "ям", "ями", "ях")),
    ("а", ("а", "ы", "и", "е", "у", "ой", "ам", "ами", "ах")),
    ("ь", ("ь", "я", "ю", "ем", "е", "и", "ей")),
    ("й", ("й", "я", "ю", "ем", "е", "и", "ев")),
    ("ы", ("ы", "ов", "ам", "ами", "ах", "")),
    ("и", ("и",)),
    ("о", ("о",)),
    ("е", ("е",)),
    ("у", ("у",)),
    ("ю", ("ю",)),
)
_RU_CONSONANT = ("", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах", "и")
_RU_ADJ: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "ский",
        (
            "ский",
            "ского",
            "скому",
            "ским",
            "ском",
            "ская",
            "ской",
            "скую",
            "ское",
            "ские",
            "ских",
            "скими",
        ),
    ),
    (
        "цкий",
        (
            "цкий",
            "цкого",
            "цкому",
            "цким",
            "цком",
            "цкая",
            "цкой",
            "цкую",
            "цкое",
            "цкие",
            "цких",
            "цкими",
        ),
    ),
    (
        "ий",
        (
            "ий",
            "его",
            "ему",
            "им",
            "ем",
            "яя",
            "ей",
            "юю",
            "ее",
            "ие",
            "их",
            "ими",
            "ого",
            "ому",
            "ом",
            "ая",
            "ой",
            "ую",
            "ое",
        ),
    ),
    ("ый", ("ый", "ого", "ому", "ым", "ом", "ая", "ой", "ую", "ое", "ые", "ых", "ыми")),
    ("ой", ("ой", "ого", "ому", "ым", "ом", "ая", "ую", "ое", "ые", "ых", "ыми")),
    ("ая", ("ая", "ой", "ую", "ые", "ых", "ым")),
    ("ые", ("ые", "ых", "ым", "ыми")),
)
# Путин, Лавров: -а, -у, -ым, -е; foreign names in -ин/-ов take -ом ("Цзиньпином")
_RU_SURNAME = ("", "а", "у", "ым", "ом", "е")

# Serbian/Croatian/Bosnian (Latin and Cyrillic share the rules, letter for letter).
_SH_NOUN_LAT: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ska", ("ska", "ske", "skoj", "sku", "skom")),
    ("a", ("a", "e", "i", "u", "om", "o", "oj")),
    ("i", ("i", "ija", "iju", "ijem")),
    ("o", ("o", "a", "u", "om")),
    ("e", ("e", "ea", "eu", "eom")),
)
_SH_CONS_LAT = ("", "a", "u", "om", "e", "i", "ima", "ovi", "ova", "ove", "em")
_SH_ADJ_LAT = ("i", "a", "e", "o", "og", "oga", "om", "oj", "u", "im", "ih", "ima")
LAT2CYR = str.maketrans(
    {
        "a": "а",
        "e": "е",
        "i": "и",
        "o": "о",
        "u": "у",
        "m": "м",
        "g": "г",
        "j": "ј",
        "v": "в",
        "h": "х",
        "s": "с",
        "k": "к",
    }
)


def _ends(
    word: str, table: tuple[tuple[str, tuple[str, ...]], ...]
) -> tuple[str, tuple[str, ...]] | None:
    for end, forms in table:
        if word.endswith(end):
            return end, forms
    return None


def is_cyrillic(word: str) -> bool:
    return any("\u0400" <= c <= "\u04ff" for c in word)


def ru_noun(word: str) -> set[str]:
    hit = _ends(word, _RU_NOUN)
    if hit is None:
        if word[-1:].isalpha():
            return {word + e for e in _RU_CONSONANT}
        return {word}
    end, forms = hit
    stem = word[: len(word) - len(end)]
    out = {stem + f for f in forms}
    if end == "а" and stem[-1:] in "гкхжшчщ":
        out.discard(stem + "ы")
    return out | {word}


def ru_adjective(word: str) -> set[str]:
    hit = _ends(word, _RU_ADJ)
    if hit is None:
        return {word}
    end, forms = hit
    stem = word[: len(word) - len(end)]
    return {stem + f for f in forms} | {word}


# adjectival surnames decline as masculine adjectives: "Зеленский" -> "Зеленским",
# Ukrainian "Зеленський" -> "Зеленським", "Сікорський" -> "Сікорського" (never the feminine:
# "Зеленская" is someone else)
_ADJ_SURNAME = (
    (("ський", "цький", "зький"), ("ий", ("ий", "ого", "ому", "им", "ім"))),
    (("ский", "цкий", "зкий"), ("ий", ("ий", "ого", "ому", "им", "ом"))),
    (("ской", "цкой"), ("ой", ("ой", "ого", "ому", "им", "ом"))),
)


def ru_surname(word: str) -> set[str]:
    for endings, (end, forms) in _ADJ_SURNAME:
        if word.endswith(endings) and len(word) > len(endings[0]) + 1:
            return {word[: -len(end)] + f for f in forms}
    if word.endswith("а"):  # Ukrainian text adds "Кулебою", "Кулебі"
        return ru_noun(word) | {word[:-1] + "ою", word[:-1] + "і"}
    if word[-1:] in "аяиоуеыэю":
        return ru_noun(word) if word[-1:] in "ая" else {word}
    if word.endswith(("ин", "ов", "ев", "ёв", "ын")):
        return {word + e for e in _RU_SURNAME}
    if word.endswith("ь"):
        return _ru_soft(word)
    return {word + e for e in ("", "а", "у", "ом", "е", "ем")}


def _ru_soft(word: str) -> set[str]:
    """A masculine name ending in a soft sign: "Цзюнь" -> "Цзюня", "Цзюнем", "Цзюне"."""
    stem = word[:-1]
    return {word} | {stem + e for e in ("я", "ю", "ем", "е")}


def ru_first_name(word: str) -> set[str]:
    if word[-1:] in "ая":
        return ru_noun(word)
    if word.endswith("ій"):  # Ukrainian "Андрій" -> "Андрія", "Андрієм"
        return {word[:-1] + e for e in ("й", "я", "ю", "єм", "ї")}
    if word.endswith("й"):
        return {word[:-1] + e for e in ("й", "я", "ю", "ем", "е")}
    if word.endswith(("ро", "ло")) and len(word) > 4:  # Ukrainian "Дмитро", "Петро", "Павло"
        return {word} | {word[:-1] + e for e in ("а", "у", "ом", "ові")}
    if word[-1:] in "иоуеыэю":
        return {word}
    if word.endswith("ь"):
        return _ru_soft(word)  # "Игорь" -> "Игорем"
    return {word + e for e in ("", "а", "у", "ом", "ем", "е")}


def sh_noun(word: str) -> set[str]:
    cyr = is_cyrillic(word)
    table = _SH_NOUN_LAT
    if cyr:
        table = tuple(
            (e.translate(LAT2CYR), tuple(f.translate(LAT2CYR) for f in fs)) for e, fs in table
        )
    hit = _ends(word, table)
    if hit is None:
        ends = _SH_CONS_LAT if not cyr else tuple(e.translate(LAT2CYR) for e in _SH_CONS_LAT)
        return {word + e for e in ends}
    end, forms = hit
    stem = word[: len(word) - len(end)]
    return {stem + f for f in forms} | {word}


def sh_adjective(word: str) -> set[str]:
    cyr = is_cyrillic(word)
    if not word.endswith("и" if cyr else "i"):
        return {word}
    stem = word[:-1]
    ends = _SH_ADJ_LAT if not cyr else tuple(e.translate(LAT2CYR) for e in _SH_ADJ_LAT)
    return {stem + e for e in ends}


def sq_noun(word: str) -> set[str]:
    """Albanian definite/case forms: Turqi -> Turqia, Turqisë; Sudan -> Sudani, Sudanit."""
    if word.endswith("ë"):
        s = word[:-1]
        return {word, s + "a", s + "ës", s + "ën", s + "ës"}
    if word.endswith("i"):
        return {word, word + "a", word + "së", word + "në", word + "ë"}
    if word.endswith("a"):
        return {word, word + "s", word + "n"}
    return {word, word + "i", word + "it", word + "in", word + "ë", word + "ët"}


def sq_adjective(word: str) -> set[str]:
    return {word, word + "e", word + "i", word + "it", word + "in", word + "ë", word + "ët"}


def sh_phrase(words: list[str]) -> set[str]:
    """Case forms of a multi-word South Slavic name, declining its words in step."""
    lat = ("a", "e", "i", "u", "om", "oj")
    out: set[str] = set()
    for end in lat:
        parts = []
        for w in words:
            if len(w) <= 2 or not w[-1:].isalpha():
                parts.append(w)
            elif w.endswith(("a", "а")) or (
                w.endswith(("i", "и")) and end in ("e", "oj", "om", "u", "a")
            ):
                parts.append(w[:-1] + (end if not is_cyrillic(w) else end.translate(LAT2CYR)))
            else:
                parts.append(w)
        out.add(" ".join(parts))
    return out
