"""Generated word forms for languages that inflect names, adjectives and role nouns.

The gazetteer stores surface forms, so a language that says "Китая" for Китай or "chinoise"
for chinois needs those forms listed. These generators are deliberately simple suffix rules:
they over-generate a little (a form nobody writes costs one unused pattern) and never need a
dictionary. Each function returns the input form too.
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
_LAT2CYR = str.maketrans(
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


def _is_cyrillic(word: str) -> bool:
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


def ru_surname(word: str) -> set[str]:
    if word[-1:] in "аяиоуеыэю":
        return ru_noun(word) if word[-1:] in "ая" else {word}
    if word.endswith(("ин", "ов", "ев", "ёв", "ын")):
        return {word + e for e in _RU_SURNAME}
    return {word + e for e in ("", "а", "у", "ом", "е", "ем")}


def ru_first_name(word: str) -> set[str]:
    if word[-1:] in "ая":
        return ru_noun(word)
    if word.endswith("й"):
        return {word[:-1] + e for e in ("й", "я", "ю", "ем", "е")}
    if word[-1:] in "иоуеыэю":
        return {word}
    return {word + e for e in ("", "а", "у", "ом", "ем", "е")}


def sh_noun(word: str) -> set[str]:
    cyr = _is_cyrillic(word)
    table = _SH_NOUN_LAT
    if cyr:
        table = tuple(
            (e.translate(_LAT2CYR), tuple(f.translate(_LAT2CYR) for f in fs)) for e, fs in table
        )
    hit = _ends(word, table)
    if hit is None:
        ends = _SH_CONS_LAT if not cyr else tuple(e.translate(_LAT2CYR) for e in _SH_CONS_LAT)
        return {word + e for e in ends}
    end, forms = hit
    stem = word[: len(word) - len(end)]
    return {stem + f for f in forms} | {word}


def sh_adjective(word: str) -> set[str]:
    cyr = _is_cyrillic(word)
    if not word.endswith("и" if cyr else "i"):
        return {word}
    stem = word[:-1]
    ends = _SH_ADJ_LAT if not cyr else tuple(e.translate(_LAT2CYR) for e in _SH_ADJ_LAT)
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


def romance_adjective(word: str, lang: str) -> set[str]:
    """Gender/number forms of fr/es/pt/it country adjectives (masculine singular in)."""
    out = {word}
    if lang == "fr":
        if word.endswith("e"):
            out |= {word + "s"}
        elif word.endswith("ien"):
            out |= {word + "ne", word + "nes", word + "s"}
        elif word.endswith(("ais", "ois", "s")):
            out |= {word + "e", word + "es"}
        elif word.endswith("c"):
            out |= {word + "s", word + "que", word + "ques"}
        else:
            out |= {word + "e", word + "es", word + "s"}
    elif lang == "es":
        if word.endswith("o"):
            s = word[:-1]
            out |= {s + "a", s + "os", s + "as"}
        elif word.endswith("e"):
            out |= {word + "s"}
        elif word.endswith(("és", "án", "ón")):
            s = word[:-2] + {"é": "e", "á": "a", "ó": "o"}[word[-2]] + word[-1]
            out |= {s + "a", s + "as", s + "es"}
        elif word.endswith("í"):
            out |= {word + "es", word + "s"}
        else:
            out |= {word + "a", word + "as", word + "es"}
    elif lang == "pt":
        if word.endswith("o"):
            s = word[:-1]
            out |= {s + "a", s + "os", s + "as"}
        elif word.endswith("ês"):
            s = word[:-2] + "es"
            out |= {s + "a", s + "as", s + "es"}
        elif word.endswith("ão"):
            s = word[:-2]
            out |= {s + "ã", s + "ãs", s + "ães", s + "ões"}
        elif word.endswith("l"):
            out |= {word + "a", word + "as", word[:-1] + "is", word[:-2] + "óis"}
        elif word.endswith("e"):
            out |= {word + "s"}
        else:
            out |= {word + "a", word + "as", word + "es", word + "s"}
    elif lang == "it":
        if word.endswith("o"):
            s = word[:-1]
            out |= {s + "a", s + "i", s + "e"}
        elif word.endswith("e"):
            out |= {word[:-1] + "i"}
    return out


def de_adjective(word: str) -> set[str]:
    if word[:1].isupper():
        return {word}  # "Schweizer" does not inflect
    return {word, word + "e", word + "en", word + "er", word + "es", word + "em"}


def de_name(word: str) -> set[str]:
    """German genitive -s for (neuter) country names: Deutschlands, Chinas, Polens."""
    if word.endswith(("s", "x", "z", "ß", "ei", "e")) or " " in word:
        return {word}
    return {word, word + "s"}


def ar_nisba(word: str) -> set[str]:
    """Arabic relational adjective: مصري -> المصري, مصرية, المصرية (proclitics are boundaries)."""
    base = word[2:] if word.startswith("ال") else word
    return {base, base + "ة", "ال" + base, "ال" + base + "ة"}


def ar_name(word: str) -> set[str]:
    """Arabic country names with the article also appear as لل+stem ("للصين")."""
    if word.startswith("ال") and len(word) > 4:
        return {word, "لل" + word[2:]}
    return {word}


# Indic and other languages that attach case endings to the name itself.
_MR_SUFFIXES = ("च्या", "चे", "ची", "चा", "शी", "त", "ला", "ने", "कडे", "मध्ये", "तील", "चाही")
_BN_SUFFIXES = ("ের", "র", "কে", "ে", "য়", "তে", "ও", "েও", "এর")
_GU_SUFFIXES = ("ના", "ની", "નું", "નો", "માં", "ને", "થી", "એ", "ના")
_TA_VOWEL = ("வின்", "வுடன்", "வில்", "வை", "வுக்கு", "வும்", "விடம்", "வோடு")
_TA_VIRAMA = ("ின்", "ுடன்", "ில்", "ை", "ுக்கு", "ும்", "ிடம்")


def attached_forms(word: str, lang: str) -> set[str]:
    """Forms with attached case endings for mr, bn, gu, ta."""
    out = {word}
    if lang == "mr":
        if word.endswith("ा"):
            base = word[:-1] + "े"  # अमेरिका -> अमेरिकेच्या
        elif word[-1:] in "ीूेैोौं":
            base = word
        else:
            base = word + "ा"  # भारत -> भारताच्या
        out |= {base + s for s in _MR_SUFFIXES} | {word + s for s in _MR_SUFFIXES}
    elif lang == "bn":
        out |= {word + s for s in _BN_SUFFIXES}
    elif lang == "gu":
        out |= {word + s for s in _GU_SUFFIXES}
    elif lang == "ta":
        if word.endswith("ா"):
            out |= {word + s for s in _TA_VOWEL}
        elif word.endswith("்"):
            out |= {word[:-1] + s for s in _TA_VIRAMA}
        else:
            out |= {word + "யின்", word + "யுடன்", word + "யில்", word + "க்கு", word + "யும்"}
    return out


def name_forms(name: str, lang: str) -> set[str]:
    """All generated surface forms of a country/capital name in ``lang``."""
    if lang in ("ru", "uk", "be") and _is_cyrillic(name):
        words = name.split()
        if len(words) == 1:
            return ru_noun(name) if not name.isupper() else {name}
        # inflect the last word as a noun and preceding adjectives in step
        last = sorted(ru_noun(words[-1]))
        heads = [
            sorted(ru_adjective(w)) if w.endswith(("ий", "ый", "ой", "ая", "ые")) else [w]
            for w in words[:-1]
        ]
        out = {name}
        for tail in last:
            for i in range(max(len(h) for h in heads) if heads else 1):
                out.add(" ".join([h[min(i, len(h) - 1)] for h in heads] + [tail]))
        return out
    if lang in ("sr", "hr", "bs"):
        words = name.split()
        if len(words) == 1:
            return sh_noun(name)
        # every word declines: "Bosna i Hercegovina" -> "Bosne i Hercegovine"
        out = {name}
        for combo in _sh_phrase(words):
            out.add(combo)
        return out
    if lang == "sq" and " " not in name:
        return sq_noun(name)
    if lang == "de":
        return de_name(name)
    if lang == "ar":
        return ar_name(name)
    if lang in ("mr", "bn", "gu", "ta") and " " not in name:
        return attached_forms(name, lang)
    return {name}


def _sh_phrase(words: list[str]) -> set[str]:
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
                parts.append(w[:-1] + (end if not _is_cyrillic(w) else end.translate(_LAT2CYR)))
            else:
                parts.append(w)
        out.add(" ".join(parts))
    return out


def adjective_forms(adj: str, lang: str) -> set[str]:
    """Generated forms of a country adjective/demonym in ``lang``."""
    if lang == "ru":
        return ru_adjective(adj)
    if lang in ("sr", "hr", "bs"):
        return sh_adjective(adj)
    if lang == "sq":
        return sq_adjective(adj)
    if lang in ("fr", "es", "pt", "it"):
        return romance_adjective(adj, lang)
    if lang == "de":
        return de_adjective(adj)
    if lang == "ar":
        return ar_nisba(adj)
    if lang == "en":
        out = {adj}
        if adj[-1:] in ("n", "i") and " " not in adj:
            out.add(adj + "s")  # Indians, Israelis
        return out
    if lang in ("mr", "bn", "gu", "ta"):
        return attached_forms(adj, lang)
    return {adj}


def starred_forms(phrase: str, lang: str) -> set[str]:
    """Expand a lexicon phrase whose words marked with a trailing ``*`` take case forms."""
    words = phrase.split()
    options: list[list[str]] = []
    for w in words:
        if not w.endswith("*"):
            options.append([w])
            continue
        w = w[:-1]
        if lang in ("ru", "uk", "be"):
            forms = ru_adjective(w) if w.endswith(("ий", "ый", "ой", "ая")) else ru_noun(w)
        elif lang in ("sr", "hr", "bs"):
            forms = sh_adjective(w) if w.endswith(("i", "и")) and len(w) > 4 else sh_noun(w)
        elif lang == "sq":
            forms = sq_noun(w)
        else:
            forms = {w}
        options.append(sorted(forms))
    out = {""}
    for opts in options:
        out = {f"{a} {b}".strip() for a in out for b in opts}
    return out


def person_forms(alias: str, lang_hint: str = "") -> set[str]:
    """Case forms of a person's name: Russian/Serbian declension of the last word."""
    words = alias.split()
    if not words:
        return set()
    last = words[-1]
    if _is_cyrillic(last):
        serbian = any(c in "јљњћђџ" for c in alias.lower())
        decl = sh_noun if serbian else ru_surname
        if len(words) == 2:
            # first names decline too: "Владимиром Путиным"
            firsts = sorted(decl(words[0]) if serbian else ru_first_name(words[0]))
            lasts = sorted(decl(last))
            return {f"{a} {b}" for a in firsts for b in lasts}
        return {" ".join([*words[:-1], f]) for f in decl(last)}
    if lang_hint == "latin" and last.isalpha() and last[:1].isupper() and len(last) > 3:
        # Serbian/Croatian/Bosnian and Albanian write foreign names with case endings too,
        # first name included: "Robertom Golobom", "Erdoganin"
        if last[-1] in "aeiou":
            return {alias}
        tails = ("a", "u", "om", "e", "i", "it", "in")
        out = {alias} | {" ".join([*words[:-1], last + t]) for t in tails}
        if len(words) == 2 and words[0].isalpha() and words[0][-1] not in "aeiou":
            out |= {f"{words[0]}{t} {last}{t}" for t in ("a", "u", "om", "e")}
        return out
    return {alias}
