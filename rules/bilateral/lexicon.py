"""Language data -> (surface form, Entry, flags) records for the gazetteer.

Sources, read at build time, never at match time: CLDR territory and exemplar-city names
through Babel, and the TOML files in ``rules/data/`` (its README says where each comes from).
This module knows nothing about automata: ``rules.bilateral.gazetteer`` compiles the surfaces.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from rules.bilateral import cldr, inflect
from rules.bilateral.compounds import compounds
from rules.bilateral.hanzi import has_han, simplified_text
from rules.bilateral.hidden_triggers import TRIGGER_GROUPS as _TRIGGER_GROUPS
from rules.bilateral.hidden_triggers import hidden_triggers
from rules.bilateral.inflect_indic import indic_forms, title_forms
from rules.bilateral.lexicon_actors import load_demonyms, load_orgs, load_people, load_surnames
from rules.bilateral.paradigms import paradigm_triggers
from rules.bilateral.records import (
    BLOCK,
    BUILDING,
    CAP_INITIAL,
    CAPITAL,
    CASE_EXACT,
    CITY,
    COMPOUND,
    COUNTRY,
    CUE,
    DEMONYM,
    FLAG,
    NAME_PART,
    NEED_NEXT,
    OPEN_END,
    PERSON,
    REGION,
    ROLE,
    SAME_CASE,
    TRIGGER,
    Entry,
    data_file,
)
from rules.bilateral.romance_titles import title_plurals
from rules.bilateral.roster import Roster
from rules.bilateral.separable import Separable, SplitVerbs, joined_forms
from rules.bilateral.separable import parse as parse_separable
from rules.bilateral.surfaces import CHILLU_OLD, CHILLU_RE, alias_forms, country_forms, is_latin
from rules.bilateral.written_apart import other_spellings
from rules.text import fold

# CLDR locales are listed in rules/bilateral/cldr.py. Short names that are also given names
# (vi "Đức", "Nga") carry NAME_PART (``[name_part]`` in countries.toml); names that are
# everyday words elsewhere are listed in ``[cldr_skip]`` there and not loaded at all.
_NOT_COUNTRIES = frozenset(
    """AC CP DG EA IC TA UM AQ BV HM GS IO TF QO ZZ EU EZ UN XA XB CQ""".split()  # noqa: SIM905
)
LANG_ALIAS = {
    "hr": "sr",
    "bs": "sr",
    "me": "sr",
    "cnr": "sr",
    "sh": "sr",
    "zh-hant": "zh",
    "ms": "id",
}


@dataclass(frozen=True, slots=True)
class LangLex:
    """Structure words of one language, checked in the gaps between mentions."""

    code: str
    home: str  # country of unqualified national roles ("" when the language spans many)
    words: dict[str, frozenset[str]]
    compound_next: tuple[str, ...] = ()
    # verbs a main clause splits ("sagt ... ab"), and words that may follow their particle
    separable: tuple[Separable, ...] = ()
    separable_next: frozenset[str] = frozenset()
    # words that mark a regional press whose unqualified officials are another country's
    # (Sri Lankan Tamil "வெளிவிவகார" beside Indian "வெளியுறவு"): (country, folded words)
    regional_home: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # the same compiled for search, once per lexicon (every text of the language asks it)
    split: SplitVerbs | None = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        split = SplitVerbs(self.separable, self.separable_next) if self.separable else None
        object.__setattr__(self, "split", split)


@dataclass(slots=True)
class Lexicon:
    records: list[tuple[str, Entry, int]] = field(default_factory=list)
    langs: dict[str, LangLex] = field(default_factory=dict)
    english_names: dict[str, str] = field(default_factory=dict)
    roster: Roster | None = None
    name_parts: frozenset[str] = frozenset()
    _seen: set[tuple[str, Entry, int]] = field(default_factory=set)
    _entries: dict[Entry, Entry] = field(default_factory=dict)

    def add(self, surface: str, entry: Entry, flags: int = 0) -> None:
        surface = surface.strip()
        if surface in self.name_parts and entry.kind in (COUNTRY, DEMONYM):
            flags |= NAME_PART
        # one object per distinct entry and, where the automatic flags add nothing, one
        # tuple for the record and its key: ~180,000 records are held while building
        entry = self._entries.setdefault(entry, entry)
        key = (surface, entry, flags)
        if surface and key not in self._seen:
            self._seen.add(key)  # the same name comes from many locales
            auto = _auto_flags(surface, entry)
            self.records.append(key if flags | auto == flags else (surface, entry, flags | auto))
            if CHILLU_RE.search(surface):
                self.add(surface.translate(CHILLU_OLD), entry, flags)
            # a Chinese text is read simplified (hanzi.py); a Japanese phrase's simplified
            # form is another language's there, and the scan reads past it (``_instead``)
            if has_han(surface):
                plain = simplified_text(surface)
                if plain != surface:
                    self.add(plain, entry, flags)


def _lang_files() -> Iterator[dict[str, Any]]:
    folder = resources.files("rules").joinpath("data/lang")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".toml"):
            yield tomllib.loads(item.read_text(encoding="utf-8"))


_CAP_KINDS = frozenset((COUNTRY, CAPITAL, CITY, BUILDING, REGION, PERSON, FLAG))
# languages that capitalise their country adjectives ("Chinese", "Çinli", "Chinees", "Mchina")
_CAP_DEMONYMS = frozenset(("en", "", "tr", "nl", "sw"))


def _auto_flags(surface: str, entry: Entry) -> int:
    last = surface[-1]
    if "\uac00" <= last <= "\ud7a3":
        return OPEN_END  # Korean particles attach to the noun: 일본과, 장관이, 회담을
    first = surface[0]
    if not first.isupper():
        return 0
    if len(surface) <= 9 and surface.isascii():
        core = surface.replace(".", "").replace(" ", "").replace("-", "")
        if core.isalpha() and core.isupper() and len(core) <= 5:
            return CASE_EXACT
    capital = entry.kind in _CAP_KINDS or (entry.kind == DEMONYM and entry.lang in _CAP_DEMONYMS)
    return CAP_INITIAL if capital and is_latin(surface) else 0


def _load_countries(lex: Lexicon, snap: dict[str, Any]) -> None:
    english: dict[str, str] = snap["territories"]["en"]
    codes = sorted(c for c in english if len(c) == 2 and c.isalpha() and c not in _NOT_COUNTRIES)
    lex.english_names = {c: english[c] for c in codes}
    lex.english_names.update({"KR": "South Korea", "KP": "North Korea", "CD": "DR Congo"})
    data = data_file("countries.toml")
    lex.name_parts = frozenset(data.get("name_part", {}).get("names", []))
    skip: dict[str, list[str]] = data.get("cldr_skip", {})
    for loc, names in snap["territories"].items():
        lang = loc.split("_")[0]
        dropped = set(skip.get(loc, ()))
        for code in codes:
            name = names.get(code)
            if not name or name in dropped:
                continue
            for form in country_forms(name, lang if loc != "sr_Latn" else "sr"):
                lex.add(form, Entry(COUNTRY, code, "", ""))
    for code, aliases in data.get("alias", {}).items():
        for alias in aliases:
            for form in alias_forms(alias):
                lex.add(form, Entry(COUNTRY, code, "", ""))
    # names in a language that declines them (Polish "Waszyngton" -> "Waszyngtonie")
    for lang, table in data.get("lang_alias", {}).items():
        for code, aliases in table.items():
            for alias in aliases:
                for form in country_forms(alias, lang):
                    lex.add(form, Entry(COUNTRY, code, "", ""))
    for code in codes:  # flag emoji: two regional indicator symbols
        flag = "".join(chr(0x1F1E6 + ord(ch) - ord("A")) for ch in code)
        lex.add(flag, Entry(FLAG, code, "", ""))
    _load_places(lex, data, snap)
    for code, names in data.get("region", {}).items():
        for name in names:
            lex.add(name, Entry(REGION, code, "", ""))
    for name in data.get("block", {}).get("names", []):
        lex.add(name, Entry(BLOCK, "", "", ""), SAME_CASE)


def _load_places(lex: Lexicon, data: dict[str, Any], snap: dict[str, Any]) -> None:
    # English city name -> (country, kind, canonical) for localising from CLDR exemplar cities.
    known: dict[str, tuple[str, int, str]] = {}
    for kind, table in ((CAPITAL, data.get("capital", {})), (CITY, data.get("city", {}))):
        for code, names in table.items():
            canonical = names[0] if kind == CAPITAL else ""
            for name in names:
                canon = canonical or (name if is_latin(name) else "")
                for form in alias_forms(name):
                    lex.add(form, Entry(kind, code, "", canon))
                if is_latin(name):
                    known[name] = (code, kind, canon or name)
    capitals: dict[str, list[str]] = data.get("capital", {})
    for lang, table in data.get("lang_capital", {}).items():
        for code, names in table.items():
            for name in names:
                for form in country_forms(name, lang):
                    lex.add(form, Entry(CAPITAL, code, "", capitals[code][0]))
    for canonical, rec in data.get("building", {}).items():
        for name in rec["names"]:
            for form in alias_forms(name):
                lex.add(form, Entry(BUILDING, rec["country"], rec.get("lang", ""), canonical))
    zones: dict[str, str] = snap["zone_territories"]
    wanted = {
        tz: known[tz.split("/")[-1].replace("_", " ")]
        for tz, terr in zones.items()
        if tz.split("/")[-1].replace("_", " ") in known
        and known[tz.split("/")[-1].replace("_", " ")][0] == terr
    }
    skip: dict[str, list[str]] = data.get("cldr_skip", {})
    for loc, zones_l in snap["cities"].items():
        lang = loc.split("_")[0]
        for tz, (code, kind, canon) in wanted.items():
            city = zones_l.get(tz)
            if city and city not in skip.get(loc, ()):
                for form in inflect.name_forms(city, lang):
                    lex.add(form, Entry(kind, code, "", canon))


_SI_PARTY = re.compile("(ද්වි|ත්\u200dරි|ත්රි|බහු)පාර්ශ්වික")


def _phrases(items: Iterable[str], lang: str) -> Iterator[tuple[str, int]]:
    for item in items:
        flags = 0
        if item.endswith("~"):
            item, flags = item[:-1], OPEN_END
        elif item.endswith("="):  # only as written: the modal "may", not the month "May"
            item, flags = item[:-1], SAME_CASE
        if "\u200c" in item:  # Persian: the fold drops a ZWNJ; some write a space instead
            yield item.replace("\u200c", " "), flags
        if lang == "fa" and "ئ" in item:
            # Persian writes the hamza seat as a plain yeh too: رئیس / رییس, مسئول / مسیول
            plain = item.replace("ئ", "ی")
            yield plain, flags
            if "\u200c" in plain:
                yield plain.replace("\u200c", " "), flags
        if lang == "si" and _SI_PARTY.search(item):
            # "bilateral", "trilateral": the prefix is written with a short or long i, joined
            # to the noun or apart (ද්විපාර්ශ්වික, ද්වීපාර්ශ්වික, ද්වි පාර්ශ්වික)
            for spelled in {_SI_PARTY.sub(r"\1 පාර්ශ්වික", item), item.replace("ද්වි", "ද්වී")}:
                yield spelled, flags
                yield spelled.replace("ද්වි", "ද්වී"), flags
        if lang == "si" and "ථ" in item:
            # the aspirated th is often written plain (දුරකථන / දුරකතන, as in "-stan")
            yield item.replace("ථ", "ත"), flags
        # Malayalam and Urdu compound verbs, written joined or apart (written_apart.py)
        yield from ((other, flags) for other in other_spellings(item, lang))
        if "*" in item:
            for form in inflect.starred_forms(item, lang):
                yield form, flags
        else:
            yield item, flags


# languages that write case endings attached to nouns, titles included (Hindi, Urdu and
# Punjabi write them apart)
_ATTACHING = frozenset(("mr", "ne", "bn", "gu", "ta", "te", "ml", "si", "pa"))


def _load_langs(lex: Lexicon) -> None:
    for data in _lang_files():
        lang = data["lang"]
        data = {**data, "trigger": paradigm_triggers(lang, data)}  # verbs' tense forms
        for group in _TRIGGER_GROUPS:
            for form, flags in _phrases(data.get("trigger", {}).get(group, []), lang):
                lex.add(form, Entry(TRIGGER, group, lang, ""), flags)
        for cue, items in data.get("cue", {}).items():
            for form, flags in _phrases(items, lang):
                lex.add(form, Entry(CUE, cue, lang, ""), flags)
        for surface, entry, flags in hidden_triggers(lang, data, _phrases):
            lex.add(surface, entry, flags)
        separable, separable_next = parse_separable(data.get("separable", {}))
        _load_joined(lex, lang, data, separable)
        implied = {
            phrase: code
            for code, phrases in data.get("role_country", {}).items()
            for phrase in phrases
        }
        former = data.get("former_title", [])  # "前国务卿": "former" written onto any title
        for cls, items in data.get("role", {}).items():
            for raw in items:
                for form, flags in _phrases([raw], lang):
                    entry = Entry(ROLE, cls, lang, implied.get(raw, ""))
                    # "প্রধানমন্ত্রীর", "பிரதமருடன்": titles take the case endings too
                    attach = lang in _ATTACHING and not flags
                    forms = title_forms(form, lang) if attach else {form}
                    if not flags:  # "chefs de la diplomatie": a title shared by a list
                        forms |= title_plurals(form, lang)
                    if lang == "ml" and " " in form and not flags:
                        # a Malayalam compound title is written joined as often as apart
                        # (വിദേശകാര്യ സഹമന്ത്രി, വിദേശകാര്യസഹമന്ത്രി)
                        forms |= indic_forms(form.replace(" ", ""), lang=lang)
                    for f in forms:
                        lex.add(f, entry, flags)
                        for pre in former if cls in _NATIONAL_TITLES else ():
                            lex.add(pre + f, Entry(CUE, "former", lang, ""), flags)
        for code, items in data.get("visit_country", {}).items():
            for form in items:
                lex.add(form, Entry(TRIGGER, "weak", lang, ""))
                lex.add(form, Entry(COUNTRY, code, lang, "visit"))
        _load_compounds(lex, lang, data)
        _load_abbrev_titles(lex, lang, data)
        words = {k: frozenset(fold(w) for w in v) for k, v in data.get("words", {}).items()}
        lexl = LangLex(
            code=lang,
            home=data.get("home", ""),
            words=words,
            compound_next=tuple(data.get("compound", {}).get("next", [])),
            separable=separable,
            separable_next=separable_next,
            regional_home=tuple(
                (code, tuple(fold(w) for w in marks))
                for code, marks in data.get("regional_home", {}).items()
            ),
        )
        for code in data.get("langs", [lang]):
            lex.langs[code] = lexl


def _load_joined(
    lex: Lexicon, lang: str, data: dict[str, Any], separable: tuple[Separable, ...]
) -> None:
    """A separable verb's joined forms ("absagt", "uitstelt"): a subordinate clause keeps
    particle and verb together. A form the file already lists keeps its own reading (the
    joined plural is also the infinitive: "zusammenkommen" may be listed as a plan)."""
    listed = {
        fold(form)
        for table in (data.get("trigger", {}), data.get("cue", {}))
        for items in table.values()
        for form, _ in _phrases(items, lang)
    }
    for name, form in joined_forms(separable):
        if form not in listed:
            kind = TRIGGER if name in _TRIGGER_GROUPS else CUE
            lex.add(form, Entry(kind, name, lang, ""))


_NATIONAL_TITLES = ("hos", "hog", "fm", "minister", "military", "envoy")


def _load_abbrev_titles(lex: Lexicon, lang: str, data: dict[str, Any]) -> None:
    """A country's one-character abbreviation before a national title names the country:
    "トランプ米大統領", "美国务卿", "러 대통령", "美 국무장관" (``[abbrev_title]``: which
    abbreviations, ``hanja`` ones of their own, the separator, a former holder's prefixes)."""
    spec: dict[str, Any] = data.get("abbrev_title", {})
    tables = (data.get("abbrev", {}), spec.get("hanja", {}))
    codes = {ch: code for t in tables for code, ch in t.items() if isinstance(ch, str)}
    sep: str = spec.get("sep", "")
    roles: dict[str, list[str]] = data.get("role", {})
    former: list[str] = spec.get("former", [])
    for ch in spec.get("abbrevs", []):
        code = codes[ch]
        for cls in _NATIONAL_TITLES:
            for form, flags in _phrases(roles.get(cls, []), lang):
                lex.add(f"{ch}{sep}{form}", Entry(ROLE, cls, lang, code), flags)
                # "オバマ前米大統領": a former holder of the title
                for pre in former:
                    lex.add(f"{pre}{ch}{sep}{form}", Entry(CUE, "former", lang, ""), flags)


def _load_compounds(lex: Lexicon, lang: str, data: dict[str, Any]) -> None:
    if "abbrev" not in data:
        return
    names = {
        code: name
        for code, name in cldr.load()["territories"].get(lang, {}).items()
        if code in lex.english_names
    }
    for surface, codes in compounds(lang, data, names):
        lex.add(surface, Entry(COMPOUND, ",".join(codes), lang, ""), NEED_NEXT)


def build_lexicon() -> Lexicon:
    """Everything the gazetteer compiles, in one pass over the data."""
    lex = Lexicon()
    _load_countries(lex, cldr.load())
    load_demonyms(lex)
    load_orgs(lex)
    load_people(lex)
    _load_langs(lex)
    load_surnames(lex)
    return lex
