"""Generated word forms for languages that inflect names, adjectives and role nouns.

The gazetteer stores surface forms, so a language that says "Китая" for Китай or "chinoise"
for chinois needs those forms listed. These generators are deliberately simple suffix rules:
they over-generate a little (a form nobody writes costs one unused pattern) and never need a
dictionary. Each function returns the input form too.
"""

from __future__ import annotations

from rules.bilateral.inflect_ar import ar_imperfect, ar_noun
from rules.bilateral.inflect_en import en_verb
from rules.bilateral.inflect_id import id_verb
from rules.bilateral.inflect_indic import attaches, indic_forms
from rules.bilateral.inflect_pl_uk import pl_adjective, pl_name, uk_adjective, uk_name
from rules.bilateral.inflect_si import si_verb
from rules.bilateral.inflect_slavic import (
    is_cyrillic,
    ru_adjective,
    ru_first_name,
    ru_noun,
    ru_surname,
    sh_adjective,
    sh_noun,
    sh_phrase,
    sq_adjective,
    sq_noun,
)


def romance_adjective(word: str, lang: str) -> set[str]:
    """Gender/number forms of fr/es/pt/it country adjectives (masculine singular in)."""
    out = {word}
    if lang == "fr":
        if word.endswith("e"):
            out |= {word + "s"}
        elif word.endswith(("en", "on")):  # ivoirien, ghanéen, libyen, letton: -enne, -onne
            out |= {word + "ne", word + "nes", word + "s"}
        elif word.endswith(("ais", "ois", "s")):
            out |= {word + "e", word + "es"}
        elif word.endswith("c"):  # grec -> grecque, turc -> turque
            fem = word + "que" if word.endswith("ec") else word[:-1] + "que"
            out |= {word + "s", fem, fem + "s"}
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


# Swahili verb forms of news prose: subject (a- "he/she", wa- "they") + tense + relative
# ("aliye-" who, "alipo-" when, "aliko-" where) + the stem (an object prefix written on it:
# "mpokea" receive him). The lexicon writes "<tense>-<stem>*": "li-kutana*" (past) ->
# alikutana, walikutana, aliyekutana, waliokutana, alipokutana, walipokutana, alikokutana ...
_SW_RELATIVE: dict[str, tuple[str, ...]] = {
    "li": ("liye", "lio", "lipo", "liko"),
    "me": (),
    "na": ("naye", "nao", "napo"),
    "ka": (),
    "ki": (),
    "a": (),  # the headline present: "Rais amkaribisha ..."
    "ta": ("takaye", "takao", "takapo"),
}


def sw_verb(word: str) -> set[str]:
    """Third-person forms of a Swahili verb written "<tense>-<stem>" (see above)."""
    tense, stem = word.split("-", 1)
    out: set[str] = set()
    for subj in ("a", "wa"):
        head = subj + tense if tense != "a" else subj
        out.add(head + stem)
        for rel in _SW_RELATIVE.get(tense, ()):
            # "who" agrees with the subject (singular -ye, plural -o); "when" -po and
            # "where" -ko do not
            plural_who = rel.endswith("o") and not rel.endswith(("po", "ko"))
            if (rel.endswith("ye") and subj == "wa") or (plural_who and subj == "a"):
                continue
            out.add(subj + rel + stem)
    return out


def tr_demonym(word: str) -> set[str]:
    """Turkish demonyms take plural and case suffixes without an apostrophe: "Rus" ->
    "Ruslar", "Rusların", "Ruslarla"; "Çinli" -> "Çinliler", "Çinlilerle"."""
    if " " in word and not word.endswith(("li", "lı", "lu", "lü")):
        return {word}
    vowels = [c for c in word.lower() if c in "aıoueiöü"]
    back = not vowels or vowels[-1] in "aıou"
    pl = word + ("lar" if back else "ler")
    tails = ("ın", "a", "ı", "la", "dan", "da") if back else ("in", "e", "i", "le", "den", "de")
    return {word, pl} | {pl + t for t in tails}


def nl_adjective(word: str) -> set[str]:
    """Dutch attributive -e: "Russisch" -> "Russische", "Chinees" -> "Chinese"."""
    if not word[-1:].isalpha() or word.endswith("e") or " " in word:
        return {word}
    if word[-3:-1] in ("ee", "aa", "oo", "uu") and word.endswith("s"):
        return {word, word[:-2] + "se"}  # Chinees -> Chinese, Indiaas -> Indiase
    return {word, word + "e"}


def fa_adjective(word: str) -> set[str]:
    """Persian relational adjectives as plural nouns: ایرانی -> ایرانیان, آمریکایی‌ها (the
    fold drops the ZWNJ, so the joined spelling covers both)."""
    if " " in word:
        return {word}
    return {word, word + "ها", word + "های", word + "ان"}


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


# languages whose demonyms take attached endings as nouns ("ভারতীয়দের", "भारतीयले")
_ATTACHING_DEMONYMS = frozenset(("mr", "bn", "gu", "ta", "ne"))
# Hindi writes its postpositions apart: its CLDR names need no endings (the Marathi and
# Nepali names, mostly the same words, get them)
_APART = frozenset(("hi",))


def name_forms(name: str, lang: str) -> set[str]:
    """All generated surface forms of a country/capital name in ``lang``."""
    if lang == "uk" and is_cyrillic(name):
        return uk_name(name)
    if lang == "pl":
        return pl_name(name)
    if lang in ("ru", "be") and is_cyrillic(name):
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
        for combo in sh_phrase(words):
            out.add(combo)
        return out
    if lang == "sq" and " " not in name:
        return sq_noun(name)
    if lang == "de":
        return de_name(name)
    if lang == "ar":
        return ar_name(name)
    if attaches(name) and lang not in _APART:
        return indic_forms(name, lang=lang)
    return {name}


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
    if lang == "pl":
        return pl_adjective(adj)
    if lang == "uk":
        return uk_adjective(adj) if is_cyrillic(adj) else {adj}
    if lang == "tr":
        return tr_demonym(adj)
    if lang == "nl":
        return nl_adjective(adj)
    if lang == "fa":
        return fa_adjective(adj)
    if lang == "de":
        return de_adjective(adj)
    if lang == "ar":
        return ar_nisba(adj)
    if lang == "en":
        out = {adj}
        if adj[-1:] in ("n", "i") and " " not in adj:
            out.add(adj + "s")  # Indians, Israelis
        return out
    if lang in _ATTACHING_DEMONYMS:
        return indic_forms(adj, lang=lang)
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
        if lang == "uk":
            forms = uk_adjective(w) if w.endswith("ий") else uk_name(w)
        elif lang == "pl":
            forms = pl_adjective(w) if w.endswith(("ski", "cki", "wy", "ny")) else pl_name(w)
        elif lang in ("ru", "be"):
            forms = ru_adjective(w) if w.endswith(("ий", "ый", "ой", "ая")) else ru_noun(w)
        elif lang in ("sr", "hr", "bs"):
            forms = sh_adjective(w) if w.endswith(("i", "и")) and len(w) > 4 else sh_noun(w)
        elif lang == "sq":
            forms = sq_noun(w)
        elif lang == "ar":
            forms = ar_imperfect(w) if "-" in w else ar_noun(w)
        elif lang == "en":
            forms = en_verb(w)
        elif lang == "sw" and "-" in w:
            forms = sw_verb(w)
        elif lang == "id" and "-" in w:
            forms = id_verb(w)
        elif lang == "si":
            forms = si_verb(w)
        elif lang == "ta" and w.endswith("ார்"):
            # a finite verb agrees with an honorific plural subject ("both leaders", "ஆகிய
            # இருவரும்") by adding கள்: சந்தித்தார் -> சந்தித்தார்கள்
            forms = {w, w + "கள்"}
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
    if attaches(alias):
        return indic_forms(alias, person=True)  # "শেখ হাসিনার", "மோடியை", "ജയശങ്കറുമായി"
    last = words[-1]
    if is_cyrillic(last):
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
            return {alias} | _pl_vowel_forms(words)
        # Polish instrumental after "z" ("z Adamem Lisem", "z Janem Kotem"); German
        # genitive in "-s" ("nach Scholzs Rede" is rare, "Macrons Besuch" common)
        tails = ("a", "u", "om", "e", "i", "it", "in", "s", _pl_ins(last))
        out = {alias} | {" ".join([*words[:-1], last + t]) for t in tails}
        if len(words) == 2 and words[0].isalpha() and words[0][-1] not in "aeiou":
            out |= {f"{words[0]}{t} {last}{t}" for t in ("a", "u", "om", "e")}
            out.add(f"{words[0]}{_pl_ins(words[0])} {last}{_pl_ins(last)}")
        return out
    return {alias}


_PL_ADJECTIVAL = ("ski", "cki", "dzki")


def _pl_vowel_forms(words: list[str]) -> set[str]:
    """Polish case forms of a name ending in a vowel: an adjectival surname declines as an
    adjective ("Radosława Sikorskiego", "Karolem Nawrockim"), one in -a as a feminine noun
    ("Andrzejem Dudą", "Sergio Mattarellą", "Dudy"); a first name in a consonant agrees."""
    last = words[-1]
    first = words[0] if len(words) == 2 and words[0].isalpha() else ""
    male_first = bool(first) and first[-1] not in "aeiouy"
    if last.endswith(_PL_ADJECTIVAL):
        stem = last[:-1]
        gen, dat, ins = stem + "iego", stem + "iemu", stem + "im"
        paired = (f"{first}a {gen}", f"{first}owi {dat}", f"{first}{_pl_ins(first)} {ins}")
    elif last.endswith("a") and len(last) > 3:
        stem = last[:-1]
        gen, dat, ins = stem + ("i" if stem[-1] in "kglj" else "y"), stem + "ę", stem + "ą"
        paired = (f"{first}a {gen}", f"{first}a {dat}", f"{first}{_pl_ins(first)} {ins}")
    else:
        return set()
    out = {" ".join([*words[:-1], f]) for f in (gen, dat, ins)}
    if male_first:
        out.update(paired)
    return out


def _pl_ins(word: str) -> str:
    """The Polish instrumental ending of a foreign name: -iem after k/g, else -em."""
    return "iem" if word[-1:] in "kg" else "em"
