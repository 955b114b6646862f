"""Case forms of Polish and Ukrainian country names, capitals and country adjectives.

Both languages decline names in six cases ("Polska", "Polski", "Polsce", "Polskę", "Polską";
"Україна", "України", "Україні", "Україну", "Україною"). A paradigm here is one tuple of
endings per case (nominative, genitive, dative, accusative, instrumental, locative), chosen
by the ending of the nominative, so that a multi-word name declines its adjectives and its
noun in step ("Wielka Brytania" -> "Wielkiej Brytanii", "Велика Британія" -> "Великою
Британією") and words that do not decline ("Republika Południowej Afryki": only "Republika"
moves) are left as written. The rules over-generate a little (a form nobody writes costs
one unused pattern) and need no dictionary; the few names with stem changes are listed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

# one tuple of alternatives per case: nom, gen, dat, acc, ins, loc
Cases = tuple[tuple[str, ...], ...]
_N = 6

# --- Polish -------------------------------------------------------------------------------

# Plural and other names whose stem changes: every case form, nominative first.
_PL_IRREGULAR: dict[str, Cases] = {
    "Niemcy": (("Niemcy",), ("Niemiec",), ("Niemcom",), ("Niemcy",), ("Niemcami",), ("Niemczech",)),
    "Węgry": (("Węgry",), ("Węgier",), ("Węgrom",), ("Węgry",), ("Węgrami",), ("Węgrzech",)),
    "Włochy": (("Włochy",), ("Włoch",), ("Włochom",), ("Włochy",), ("Włochami",), ("Włoszech",)),
    # the genitive "Czech" is left out: it is the English adjective
    "Czechy": (("Czechy",), (), ("Czechom",), ("Czechy",), ("Czechami",), ("Czechach",)),
    "Chiny": (("Chiny",), ("Chin",), ("Chinom",), ("Chiny",), ("Chinami",), ("Chinach",)),
    "Egipt": (("Egipt",), ("Egiptu",), ("Egiptowi",), ("Egipt",), ("Egiptem",), ("Egipcie",)),
    "Wiedeń": (("Wiedeń",), ("Wiednia",), ("Wiedniowi",), ("Wiedeń",), ("Wiedniem",), ("Wiedniu",)),
    "Kreml": (("Kreml",), ("Kremla",), ("Kremlowi",), ("Kreml",), ("Kremlem",), ("Kremlu",)),
    # a feminine soft stem, not the masculine declension its final consonant suggests
    "Białoruś": (
        ("Białoruś",), ("Białorusi",), ("Białorusi",), ("Białoruś",), ("Białorusią",),
        ("Białorusi",),
    ),
}  # fmt: skip
# Locative of masculine/neuter stems by their last consonant(s): "Katar" -> "Katarze".
_PL_LOC = (
    ("st", "ście"),
    ("zd", "ździe"),
    ("sł", "śle"),
    ("t", "cie"),
    ("d", "dzie"),
    ("r", "rze"),
    ("ł", "le"),
    ("n", "nie"),
    ("m", "mie"),
    ("w", "wie"),
    ("b", "bie"),
    ("p", "pie"),
    ("f", "fie"),
    ("s", "sie"),
    ("z", "zie"),
)
_PL_SOFT = ("sz", "cz", "rz", "ż", "c", "j", "l", "k", "g", "ch", "dż", "ń", "ś", "ź", "ć")


def _pl_loc(stem: str) -> str:
    for end, loc in _PL_LOC:
        if stem.endswith(end):
            return stem[: len(stem) - len(end)] + loc
    return stem + "u"  # Irak -> Iraku, Nepal -> Nepalu, Bangladesz -> Bangladeszu


def pl_noun_cases(word: str) -> Cases:
    """The case forms of a Polish name in the nominative."""
    if word in _PL_IRREGULAR:
        return _PL_IRREGULAR[word]
    w = word
    if w.endswith(("ia", "ja")):  # Hiszpania, Rosja: -ii/-ji, -ię/-ję, -ią/-ją
        s, v = w[:-1], w[-2]
        return (
            (w,),
            (s + "i",) if v == "i" else (s[:-1] + "ji",),
            (s + "i",) if v == "i" else (s[:-1] + "ji",),
            (s + "ę",),
            (s + "ą",),
            (s + "i",) if v == "i" else (s[:-1] + "ji",),
        )
    if w.endswith("ea"):  # Korea -> Korei, Koreę, Koreą
        s = w[:-1]
        return ((w,), (s + "i",), (s + "i",), (s + "ę",), (s + "ą",), (s + "i",))
    if w.endswith("a"):
        s = w[:-1]
        if s.endswith(("k", "g")):  # Polska -> Polski, Polsce; Praga -> Pragi, Pradze
            loc = s[:-1] + ("c" if s.endswith("k") else "dz") + "e"
            return ((w,), (s + "i",), (loc,), (s + "ę",), (s + "ą",), (loc,))
        if s.endswith(("l", "j")):  # Bruksela -> Brukseli
            return ((w,), (s + "i",), (s + "i",), (s + "ę",), (s + "ą",), (s + "i",))
        if s.endswith(_PL_SOFT):  # Rzesza -> Rzeszy; Warszawa is hard: -y/-ie below
            return ((w,), (s + "y",), (s + "y",), (s + "ę",), (s + "ą",), (s + "y",))
        loc = _pl_loc(s)
        return ((w,), (s + "y",), (loc,), (s + "ę",), (s + "ą",), (loc,))
    if w.endswith("ie") and len(w) > 4:  # Indie -> Indii, Indiom, Indiami, Indiach
        s = w[:-1]
        return ((w,), (s + "i",), (s + "om",), (w,), (s + "ami",), (s + "ach",))
    if w.endswith("y") and len(w) > 4:  # plural: Filipiny, Stany, Bahamy
        s = w[:-1]
        return ((w,), (s, s + "ów"), (s + "om",), (w,), (s + "ami",), (s + "ach",))
    if w.endswith("o") and len(w) > 3:  # Kosowo -> Kosowa, Kosowie; Maroko -> Maroku
        s = w[:-1]
        ins = s + ("iem" if s.endswith(("k", "g")) else "em")
        return ((w,), (s + "a",), (s + "u",), (w,), (ins,), (_pl_loc(s),))
    if w.endswith("ów"):  # Kijów -> Kijowa, Kijowie; Kraków -> Krakowa
        s = w[:-2] + "ow"
        return ((w,), (s + "a",), (s + "owi",), (w,), (s + "em",), (s + "ie",))
    if w[-1:].isalpha() and w[-1] not in "aeiouyąęó" and len(w) > 2:  # Iran, Izrael, Katar
        ins = w + ("iem" if w.endswith(("k", "g")) else "em")
        return ((w,), (w + "u", w + "a"), (w + "owi",), (w,), (ins,), (_pl_loc(w),))
    return ((w,),) * _N  # Peru, Chile, Mali, Fidżi


def pl_adjective_cases(word: str) -> Cases:
    """Case forms of a Polish adjective, in its gender and number, as written."""
    if word.endswith(("ki", "gi")):  # masculine: polski, brytyjski
        s = word[:-1]
        return ((word,), (s + "iego",), (s + "iemu",), (word, s + "iego"), (s + "im",), (s + "im",))
    if word.endswith("y"):
        s = word[:-1]
        return ((word,), (s + "ego",), (s + "emu",), (word, s + "ego"), (s + "ym",), (s + "ym",))
    if word.endswith("a"):  # feminine: Wielka, Południowa, Saudyjska
        s = word[:-1]
        soft = s.endswith(("k", "g"))
        gen = s + ("iej" if soft else "ej")
        return ((word,), (gen,), (gen,), (s + "ą",), (s + "ą",), (gen,))
    if word.endswith("e"):  # plural: Zjednoczone, Arabskie
        s = word[:-1]
        if s.endswith(("ki", "gi")):
            s = s[:-1]
            return ((word,), (s + "ich",), (s + "im",), (word,), (s + "imi",), (s + "ich",))
        return ((word,), (s + "ych",), (s + "ym",), (word,), (s + "ymi",), (s + "ych",))
    return ((word,),) * _N


def pl_adjective(word: str) -> set[str]:
    """Every gender/number/case form of a Polish country adjective (masculine in)."""
    if not word.endswith(("i", "y")):
        return {word}
    stem = word[:-1]
    plural = word + "e" if word.endswith(("ki", "gi")) else stem + "e"  # polskie, nowe
    out: set[str] = set()
    for form in (word, stem + "a", plural):
        out.update(f for case in pl_adjective_cases(form) for f in case)
    return out


_PL_ADJ_WORDS = frozenset(("Wielka", "Nowa", "Zielony"))
_UK_ADJ_WORDS = frozenset(("Велика", "Нова"))


def _is_pl_adjective(word: str) -> bool:
    return word in _PL_ADJ_WORDS or word.endswith(("ska", "cka", "owa", "na", "ne", "kie", "ckie"))


# --- Ukrainian ----------------------------------------------------------------------------

_UK_IRREGULAR: dict[str, Cases] = {
    "Єгипет": (
        ("Єгипет",),
        ("Єгипту",),
        ("Єгиптові", "Єгипту"),
        ("Єгипет",),
        ("Єгиптом",),
        ("Єгипті",),
    ),
    "Кремль": (("Кремль",), ("Кремля",), ("Кремлю",), ("Кремль",), ("Кремлем",), ("Кремлі",)),
    "Відень": (("Відень",), ("Відня",), ("Відню",), ("Відень",), ("Віднем",), ("Відні",)),
    "Київ": (("Київ",), ("Києва",), ("Києву",), ("Київ",), ("Києвом",), ("Києві",)),
    "Львів": (("Львів",), ("Львова",), ("Львову",), ("Львів",), ("Львовом",), ("Львові",)),
}
_UK_HUSH = ("ж", "ч", "ш", "щ", "ц")


def uk_noun_cases(word: str) -> Cases:
    """The case forms of a Ukrainian name in the nominative."""
    if word in _UK_IRREGULAR:
        return _UK_IRREGULAR[word]
    w = word
    if w.endswith("ія"):  # Індія -> Індії, Індію, Індією
        s = w[:-1]
        return ((w,), (s + "ї",), (s + "ї",), (s + "ю",), (s + "єю",), (s + "ї",))
    if w.endswith(("ея", "ая", "уя")):  # Корея -> Кореї, Корею, Кореєю
        s = w[:-1]
        return ((w,), (s + "ї",), (s + "ї",), (s + "ю",), (s + "єю",), (s + "ї",))
    if w.endswith("я"):
        s = w[:-1]
        return ((w,), (s + "і",), (s + "і",), (s + "ю",), (s + "ею",), (s + "і",))
    if w.endswith("а"):
        s = w[:-1]
        loc = s + "і"
        for hard, soft in (("к", "ц"), ("г", "з"), ("х", "с")):
            if s.endswith(hard):
                loc = s[:-1] + soft + "і"  # Америка -> Америці, Прага -> Празі
        if s.endswith(_UK_HUSH):  # Польща -> Польщі, Польщею
            return ((w,), (s + "і",), (loc,), (s + "у",), (s + "ею",), (loc,))
        return ((w,), (s + "и",), (loc,), (s + "у",), (s + "ою",), (loc,))
    if w.endswith(("и", "і")) and len(w) > 4:  # plural: Нідерланди, Філіппіни, Штати
        s = w[:-1]
        return ((w,), (s + "ів", s), (s + "ам",), (w,), (s + "ами",), (s + "ах",))
    if w.endswith("о") and len(w) > 3:  # Косово -> Косова, Косові
        s = w[:-1]
        return ((w,), (s + "а",), (s + "у",), (w,), (s + "ом",), (s + "і",))
    if w.endswith("й"):  # Китай -> Китаю, Китаєві, Китаєм, Китаї
        s = w[:-1]
        return ((w,), (s + "ю",), (s + "єві", s + "ю"), (w,), (s + "єм",), (s + "ї",))
    if w.endswith("ь"):  # Ізраїль -> Ізраїлю, Ізраїлем, Ізраїлі
        s = w[:-1]
        return ((w,), (s + "ю", s + "я"), (s + "еві", s + "ю"), (w,), (s + "ем",), (s + "і",))
    if w.endswith("секретар"):  # soft: секретаря, секретареві, секретарем (not *секретара)
        dat = (w + "еві", w + "ю")
        return ((w,), (w + "я",), dat, (w + "я",), (w + "ем",), (w + "еві", w + "і"))
    if w[-1:].isalpha() and w[-1] not in "аеєиіїоуюяʼ'" and len(w) > 2:  # Іран, Пакистан
        velar = w.endswith(("к", "г", "х"))
        ins = w + ("ем" if w.endswith(("ш", "ж", "ч", "щ", "ц")) else "ом")
        locs: tuple[str, ...] = (w + "у",) if velar else (w + "і", w + "у")
        return ((w,), (w + "у", w + "а"), (w + "ові", w + "у"), (w,), (ins,), locs)
    return ((w,),) * _N  # Перу, Чилі, Малі, Того


def uk_adjective_cases(word: str) -> Cases:
    """Case forms of a Ukrainian adjective, in its gender and number, as written."""
    if word.endswith("ий"):
        s = word[:-2]
        loc = (s + "ому", s + "ім")
        return ((word,), (s + "ого",), (s + "ому",), (word, s + "ого"), (s + "им",), loc)
    if word.endswith("а"):
        s = word[:-1]
        return ((word,), (s + "ої",), (s + "ій",), (s + "у",), (s + "ою",), (s + "ій",))
    if word.endswith("і"):
        s = word[:-1]
        return ((word,), (s + "их",), (s + "им",), (word,), (s + "ими",), (s + "их",))
    if word.endswith("е"):
        s = word[:-1]
        return ((word,), (s + "ого",), (s + "ому",), (word,), (s + "им",), (s + "ому",))
    return ((word,),) * _N


def uk_adjective(word: str) -> set[str]:
    """Every gender/number/case form of a Ukrainian country adjective (masculine in)."""
    if not word.endswith("ий"):
        return {word}
    s = word[:-2]
    out: set[str] = set()
    for form in (word, s + "а", s + "і", s + "е"):
        out.update(f for case in uk_adjective_cases(form) for f in case)
    return out


def _is_uk_adjective(word: str) -> bool:
    ends = ("ий", "ська", "цька", "на", "ні", "ські", "цькі")
    return word in _UK_ADJ_WORDS or word.endswith(ends)


# --- phrases ------------------------------------------------------------------------------


def _phrase(
    words: Sequence[str],
    noun: Callable[[str], Cases],
    adjective: Callable[[str], Cases],
    is_adjective: Callable[[str], bool],
) -> set[str]:
    """Decline a name of one or more words case by case. The first noun is the head;
    adjectives before and after it agree with it; words after a genitive stay."""
    head = next((i for i, w in enumerate(words) if not is_adjective(w)), len(words) - 1)
    table: list[Cases] = []
    for i, w in enumerate(words):
        if "-" in w and i != head:  # "Південно-Африканська": the last part declines
            left, _, right = w.rpartition("-")
            cases = adjective(right) if is_adjective(right) else ((right,),) * _N
            table.append(tuple(tuple(f"{left}-{f}" for f in c) for c in cases))
        elif i == head:
            table.append(noun(w))
        elif i == head + 1 or i < head:
            table.append(adjective(w) if is_adjective(w) else ((w,),) * _N)
        else:
            table.append(((w,),) * _N)
    out: set[str] = set()
    for case in range(_N):
        combos = [""]
        for cases in table:
            combos = [f"{c} {f}".strip() for c in combos for f in cases[case]]
        out.update(combos)
    return out


def _hyphenated(name: str, noun: Callable[[str], Cases]) -> set[str]:
    """A one-word name; in a hyphenated one the last part declines ("Шрі-Ланки")."""
    left, dash, right = name.rpartition("-")
    return {left + dash + f for case in noun(right) for f in case} | {name}


def pl_name(name: str) -> set[str]:
    """All case forms of a Polish country or city name ("Korea Południowa" -> "Korei
    Południowej"); adjectives are the capitalised "-a/-e/-ska" words around the noun."""
    words = name.split()
    if len(words) == 1:
        return _hyphenated(name, pl_noun_cases)
    return _phrase(words, pl_noun_cases, pl_adjective_cases, _is_pl_adjective) | {name}


def uk_name(name: str) -> set[str]:
    """All case forms of a Ukrainian country or city name ("Велика Британія" ->
    "Великої Британії", "Сполучені Штати" -> "Сполученими Штатами")."""
    words = name.split()
    if len(words) == 1:
        return _hyphenated(name, uk_noun_cases)
    return _phrase(words, uk_noun_cases, uk_adjective_cases, _is_uk_adjective) | {name}


_RU_TO_UK = str.maketrans({"и": "і", "И": "І", "ы": "и", "э": "е", "Э": "Е"})
_UK_ONLY = frozenset("іїєґІЇЄҐ")
_RU_ONLY = frozenset("ъёЪЁјљњћђџЈЉЊЋЂЏ")  # and Serbian letters


def uk_spelling(alias: str) -> str | None:
    """The Ukrainian press spelling of a foreign name the roster gives in Russian only
    ("Рекс Тиллерсон" -> "Рекс Тіллерсон", "Энтони Блинкен" -> "Ентоні Блінкен"): Russian
    и is і, ы is и, э is е. A short single word is left alone: its respelling may be a
    Ukrainian word ("Моди" -> "моді")."""
    if any(c in _UK_ONLY for c in alias) or not any(c in "иИыэЭ" for c in alias):
        return None
    if " " not in alias and len(alias) < 5:
        return None
    if any(c in _RU_ONLY for c in alias):
        return None
    return alias.translate(_RU_TO_UK)
