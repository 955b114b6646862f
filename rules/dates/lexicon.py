"""Date vocabulary per language, built from CLDR (Babel): month and weekday names, relative
day words ("yesterday", "आज", "昨日"), relative weekdays ("last Thursday", "上周四").

Owns the *words*; ``rules/dates/meeting.py`` owns finding and resolving them in text. Everything
is folded the same way as the text it will be matched against (``fold``). Only what CLDR
does not carry is listed by hand below (news-register variants such as 昨日 in Chinese,
kana spellings in Japanese, "this morning"), with the few phrases that look like a
relative day but are not ("la mañana" is "the morning", "오늘날" is "nowadays").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_day_names, get_month_names
from babel.localedata import locale_identifiers

# Arabic diacritics (harakat, tanween, superscript alef) and tatweel: spelling noise.
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")
_ALEF = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"})
# Nukta, ZWJ/ZWNJ, soft hyphen, word joiner: invisible or optional in the scripts we read.
_INVISIBLE = re.compile("[\u093c\u09bc\u200b-\u200d\u00ad\u2060\ufeff]")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'"})


def _ascii_digit(m: re.Match[str]) -> str:
    char = m.group()
    return str(unicodedata.decimal(char)) if unicodedata.category(char) == "Nd" else char


_DIGIT = re.compile(r"(?![0-9])\d")


def fold(text: str) -> str:
    """The one normalisation shared by lexicon and text: NFKC, casefold, every decimal
    digit to ASCII, Arabic marks and alef variants, nukta and zero-width characters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _DIGIT.sub(_ascii_digit, text).translate(_APOSTROPHES).translate(_ALEF)
    text = _ARABIC_MARKS.sub("", text)
    return _INVISIBLE.sub("", text)


# What CLDR lacks, by language: phrase -> day offsets (several offsets = ambiguous word,
# resolved by tense). ``None`` blocks a phrase that would otherwise read as a relative day.
_EXTRA_RELATIVE: dict[str, dict[str, tuple[int, ...] | None]] = {
    "en": {
        "earlier today": (0,),
        "this morning": (0,),
        "this afternoon": (0,),
        "this evening": (0,),
        "tonight": (0,),
        "last night": (-1,),
        "yesterday's": (-1,),
        "today's": (0,),
    },
    "hi": {"बीते कल": (-1,), "आने वाले कल": (1,)},
    "ur": {"کل": (-1, 1), "گزشتہ روز": (-1,)},
    "zh": {"昨日": (-1,), "今日": (0,), "明日": (1,), "昨晚": (-1,), "今晨": (0,), "当天": None},
    "ja": {
        "きのう": (-1,),
        "きょう": (0,),
        "あす": (1,),
        "あした": (1,),
        "本日": (0,),
        "昨夜": (-1,),
        "今朝": (0,),
        "前日": None,
    },
    "ko": {"오늘날": None, "어제오늘": None},
    "es": {
        "esta mañana": (0,),
        "anoche": (-1,),
        "este mediodía": (0,),
        "la mañana": None,
        "por la mañana": None,
        "de la mañana": None,
    },
    "pt": {"hoje de manhã": (0,), "ontem à noite": (-1,)},
    "fr": {"ce matin": (0,), "ce soir": (0,), "hier soir": (-1,)},
    "de": {"heute morgen": (0,), "gestern abend": (-1,), "am morgen": None, "jeden morgen": None},
    "ar": {"الامس": (-1,)},
}
# Weekday names CLDR does not give in the news register.
_EXTRA_WEEKDAYS: dict[str, dict[str, int]] = {
    "hi": {"बृहस्पतिवार": 3, "वीरवार": 3},
    "zh": {"礼拜一": 0, "礼拜二": 1, "礼拜三": 2, "礼拜四": 3, "礼拜五": 4, "礼拜六": 5},
    "ur": {"جمعرات": 3},
}
_EXTRA_MONTHS: dict[str, dict[str, int]] = {
    "en": {"sept": 9},
}
# Languages whose words take attached suffixes (compounds, case endings, particles), so
# a weekday or relative word may be followed by more letters: "Donnerstagvormittag",
# "गुरुवारी", "목요일에".
SUFFIXING = frozenset(
    {"de", "nl", "sv", "da", "nb", "no", "fi", "et", "hu", "tr", "az", "uz", "kk", "ky"}
    | {"ko", "ja", "zh", "bn", "mr", "gu", "ta", "te", "ml", "kn", "pa", "ne", "si"}
)
# Proclitics written attached in Arabic script: و (and), ب (in/at), ف (so), ل (for).
PROCLITIC_LANGS = frozenset({"ar", "ur", "fa", "ps"})
PROCLITICS = "وبفلك"


@dataclass(frozen=True, slots=True)
class DateLexicon:
    """Folded words for one set of languages. Weekdays are 0 = Monday ... 6 = Sunday."""

    langs: tuple[str, ...]
    months: dict[str, int]
    weekdays: dict[str, int]
    weekday_relative: dict[str, tuple[int, int]]  # "last thursday" -> (3, -1)
    relative: dict[str, tuple[int, ...] | None]  # "yesterday" -> (-1,); None = blocked
    day_first: bool  # numeric dates read day before month ("02.04.2025", "2/4/2025")
    suffixing: bool
    proclitics: bool


_LOCALES_BY_LANG: dict[str, list[str]] = {}


# Historic or constructed scripts CLDR carries for English; no newsroom writes in them.
_SKIP_SCRIPTS = frozenset({"Dsrt", "Shaw"})


def _regional_locales(lang: str) -> list[str]:
    """``lang`` and its regional variants (ar_SY spells months differently from ar_EG)."""
    if not _LOCALES_BY_LANG:
        for ident in locale_identifiers():
            base, *rest = ident.split("_")
            if not _SKIP_SCRIPTS.intersection(rest):
                _LOCALES_BY_LANG.setdefault(base, []).append(ident)
    return sorted(_LOCALES_BY_LANG.get(lang, []))


def known_language(lang: str) -> bool:
    if _source and _language(lang) is not None:
        return True  # a cached lexicon: no need to load the locale
    return _babel_knows(lang)


def _babel_knows(lang: str) -> bool:
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


def _east_slavic_forms(name: str) -> set[str]:
    """Accusative of feminine weekdays: "в среду", "в пятницу", "у п'ятницю"."""
    if name.endswith("а"):
        return {name[:-1] + "у"}
    if name.endswith("я"):
        return {name[:-1] + "ю"}
    return set()


def _add_weekday_forms(lang: str, name: str, index: int, into: dict[str, int]) -> None:
    into[name] = index
    if lang in {"ru", "uk", "be"}:
        for form in _east_slavic_forms(name):
            into[form] = index
    if lang == "ja" and name.endswith("日") and len(name) >= 3:
        into[name[:-1]] = index  # 木曜日 -> 木曜


def _relative_entries(locale: Locale) -> tuple[dict[str, set[int]], dict[str, tuple[int, int]]]:
    fields = locale._data.get("date_fields", {})
    relative: dict[str, set[int]] = {}
    for width in ("day", "day-short", "day-narrow"):
        rel = fields.get(width, {}).get("relative", {})
        for offset, phrase in rel.items():
            relative.setdefault(fold(phrase), set()).add(int(offset))
    weekday_rel: dict[str, tuple[int, int]] = {}
    for index, key in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun")):
        rel = fields.get(key, {}).get("relative", {})
        for offset, phrase in rel.items():
            weekday_rel[fold(phrase)] = (index, int(offset))
    return relative, weekday_rel


def _lexicon_for(lang: str) -> DateLexicon:
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    relative: dict[str, set[int]] = {}
    weekday_rel: dict[str, tuple[int, int]] = {}
    for ident in _regional_locales(lang):
        locale = Locale.parse(ident)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in get_month_names(width, context, locale).items():
                    folded = fold(name).rstrip(".")
                    # One- or two-letter abbreviations and numeric ones ("9月") are not
                    # names; two-letter full names are (Hindi मई, Tamil மே: May).
                    shortest = 2 if width == "wide" else 3
                    if len(folded) >= shortest and not folded[:1].isdigit():
                        months.setdefault(folded, number)
            for index, name in get_day_names("wide", context, locale).items():
                _add_weekday_forms(lang, fold(name), index, weekdays)
        if lang == "zh":
            for index, name in get_day_names("abbreviated", "format", locale).items():
                weekdays.setdefault(fold(name), index)  # 周四
        rel, wrel = _relative_entries(locale)
        for phrase, offsets in rel.items():
            relative.setdefault(phrase, set()).update(offsets)
        for phrase, pair in wrel.items():
            weekday_rel.setdefault(phrase, pair)
    for name, number in _EXTRA_MONTHS.get(lang, {}).items():
        months.setdefault(fold(name), number)
    if lang == "he":  # "ב" (in) is written attached: "14 במרץ 2024"
        for name, number in list(months.items()):
            months.setdefault("ב" + name, number)
    for name, index in _EXTRA_WEEKDAYS.get(lang, {}).items():
        _add_weekday_forms(lang, fold(name), index, weekdays)
    rel_final: dict[str, tuple[int, ...] | None] = {
        phrase: tuple(sorted(offsets)) for phrase, offsets in relative.items()
    }
    for phrase, extra in _EXTRA_RELATIVE.get(lang, {}).items():
        key = fold(phrase)
        known = rel_final.get(key)
        merged = None if extra is None else tuple(sorted(set(known or ()) | set(extra)))
        rel_final[key] = merged
    short = Locale.parse(lang).date_formats["short"].pattern.lower() if _babel_knows(lang) else ""
    day_first = short.find("d") < short.find("m") if "d" in short and "m" in short else True
    return DateLexicon(
        langs=(lang,),
        months=months,
        weekdays=weekdays,
        weekday_relative=weekday_rel,
        relative=rel_final,
        day_first=day_first,
        suffixing=lang in SUFFIXING,
        proclitics=lang in PROCLITIC_LANGS,
    )


def build_language(lang: str) -> DateLexicon | None:
    """``lang``'s own lexicon from CLDR, None when CLDR has no locale of ``lang``."""
    return _lexicon_for(lang) if _regional_locales(lang) else None


# Building a language's lexicon reads its CLDR locales (English has 126 regional ones): with
# Babel's first loads, a fifth of a one-line ``bilat scan``. A process may route it through
# a cache of its own (``monitor.warmup``), as it does the roster; rules/ does no I/O itself.
_source: list[Callable[[str], DateLexicon | None]] = []


def load_with(source: Callable[[str], DateLexicon | None] | None) -> None:
    """Build each language's lexicon with ``source`` instead of ``build_language`` (None: with
    ``build_language`` again)."""
    _source[:] = [] if source is None else [source]
    _language.cache_clear()
    lexicon.cache_clear()


@lru_cache(maxsize=64)
def _language(lang: str) -> DateLexicon | None:
    return (_source[0] if _source else build_language)(lang)


@lru_cache(maxsize=64)
def lexicon(langs: tuple[str, ...]) -> DateLexicon:
    """The merged lexicon of ``langs`` (earlier languages win on conflicts)."""
    parts = [part for part in map(_language, langs) if part is not None]
    if not parts:
        parts = [_language("en") or _lexicon_for("en")]
    months: dict[str, int] = {}
    weekdays: dict[str, int] = {}
    weekday_rel: dict[str, tuple[int, int]] = {}
    relative: dict[str, tuple[int, ...] | None] = {}
    for part in parts:
        for name, number in part.months.items():
            months.setdefault(name, number)
        for name, index in part.weekdays.items():
            weekdays.setdefault(name, index)
        for phrase, pair in part.weekday_relative.items():
            weekday_rel.setdefault(phrase, pair)
        for phrase, offsets in part.relative.items():
            relative.setdefault(phrase, offsets)
    return DateLexicon(
        langs=tuple(p.langs[0] for p in parts),
        months=months,
        weekdays=weekdays,
        weekday_relative=weekday_rel,
        relative=relative,
        day_first=parts[0].day_first,
        suffixing=any(p.suffixing for p in parts),
        proclitics=any(p.proclitics for p in parts),
    )
