"""Dates as press-release pages print them (pure), in the languages CLDR names months in:
"Apr 14, 2015", "05 MAR 2024 5:22PM", "14 mars 2024", "14 de marzo de 2024", "14 марта 2024 г.",
"14 मार्च 2024", "١٤ مارس ٢٠٢٤", "2024年3月14日", "2024년 3월 14일", ISO 8601, RFC 2822, and
"12/03/2024" with a configured layout.

English layouts are read first, as before (ISO 8601, RFC 2822, a few ``strptime`` layouts).
Anything else goes to the date finder the detector uses (``rules.dates.find``), whose month
and weekday names come from CLDR through Babel (``rules.dates.lexicon``, every regional
variant: Levantine آذار beside Egyptian مارس, Russian genitive марта); only a *full* date
(day, month by name or in CJK form, four-digit year) counts. The language tried first is the
page's or the source's (``lang``), then the one the script suggests; Latin-script dates of an
undeclared language are tried in the common Latin-script languages and read only if all that
know the words agree.

A configured ``date_format`` is a ``strptime`` layout. ``strptime`` knows only English names,
so month and weekday names of the page's language are put into English first: with
``date_format = "%d %B %Y"``, "14 mars 2024" reads as 14 March 2024.

Layouts that can be read two ways (05.06.2024: May or June?) are never guessed: without a
configured ``date_format`` they give None, and the html_list source notes it once per poll.
So do dates a calendar other than the Gregorian one numbers (Hijri, Persian, Japanese eras
other than Reiwa and Heisei): their month names are not CLDR's Gregorian ones.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.dates import get_period_names

from rules.dates.find import find_dates, languages_for
from rules.dates.lexicon import fold, known_language, lexicon

# Date layouts that cannot be read two ways; anything else needs ``date_format``.
_DATE_FORMATS = (
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%d %B, %Y",
    "%B %d, %Y %I:%M %p",
    "%d %b %Y %I:%M%p",
    "%d %b %Y %I:%M %p",
    "%d %B %Y %H:%M",
    "%A, %B %d, %Y",
    "%Y-%m-%d",
    "%Y/%m/%d",
)
_WS = re.compile(r"\s+")
# Undeclared Latin-script dates are tried in these (CLDR) languages; others need ``lang``.
# Czech and Croatian are there to disagree with Polish: listopad is November in Polish and
# Czech, October in Croatian, so an undeclared "listopada" is not guessed.
LATIN_GUESSES = ("en", "fr", "es", "pt", "de", "it", "nl", "pl", "cs", "hr", "tr", "id", "ro")
# Only full dates are read, and those do not depend on the reference date.
_REFERENCE = date(2000, 1, 1)
_YEARS = range(1900, 2200)
_AMBIGUOUS = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}")  # 05.06.2024, 05/06/24
_TIME = re.compile(r"(?<![\d:.])([01]?\d|2[0-3])\s?[:h]\s?([0-5]\d)(?::([0-5]\d))?(?![\d:])")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_NUMBER = re.compile(r"\d+")
# How far after a year-less day and month its year may stand: one short word between,
# "14 tháng 3 năm 2024", "8 มกราคม ค.ศ. 2024" (Thai: "AD").
_YEAR_AFTER = 12
# Japanese era years (令和6年 = 2024); MOFA and ministries print them.
_ERAS = {"令和": 2018, "平成": 1988}
_ERA_YEAR = re.compile(r"(令和|平成)\s*(\d{1,2}|元)\s*年")
_BUDDHIST_ERA = 543  # Thai pages count years from 543 BC: 2567 is 2024


def _read_english(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        pass
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(value, fmt)
        except ValueError:
            continue
    return None


def _base(lang: str | None) -> str | None:
    base = (lang or "").replace("-", "_").split("_")[0].lower()
    return base if base and known_language(base) else None


# (the ``lang`` to give ``find_dates``, the languages that means, trusted?)
_LanguageSet = tuple[str | None, tuple[str, ...], bool]


def _language_sets(lang: str | None, text: str) -> Iterator[_LanguageSet]:
    """In the order to try them: the declared language, the languages of the script, then
    (untrusted, for Latin letters only) the common Latin-script languages."""
    declared = _base(lang)
    if declared:
        yield declared, languages_for(declared, text), True
    by_script = languages_for(None, text)
    if by_script != ("en",) or not any(unicodedata.name(c, "").startswith("LATIN") for c in text):
        yield None, by_script, True  # another script, or digits only ("2024.03.14")
        return
    for guess in LATIN_GUESSES:
        yield guess, languages_for(guess, text), False


def _gregorian_years(text: str, langs: tuple[str, ...]) -> str:
    """Japanese era and Thai Buddhist-era years written as Gregorian ones."""
    text = _ERA_YEAR.sub(lambda m: f"{_ERAS[m[1]] + (1 if m[2] == '元' else int(m[2]))}年", text)
    if "th" in langs:
        text = _YEAR.sub(lambda m: str(int(m[0]) - _BUDDHIST_ERA * (int(m[0]) > 2400)), text)
    return text


def _full_dates(folded: str, lang: str | None) -> dict[date, str]:
    """Each full date in ``folded`` with the text around it (where a time may be)."""
    found: dict[date, str] = {}
    for mention in find_dates(folded, reference=_REFERENCE, lang=lang):
        rest = folded[: mention.start] + " " + folded[mention.end :]
        value: date | None = None
        if mention.kind == "full" and not _AMBIGUOUS.fullmatch(mention.text):
            value = mention.value
        elif mention.kind == "month_day":
            # The year before the day ("2024. március 14.", "2024 m. kovo 14 d.") or a word
            # after it ("14 tháng 3 năm 2024"), and no other number; a number further away
            # ("14 mars — participants : 2000") is not its year.
            numbers = _NUMBER.findall(rest)
            near = folded[: mention.start] + folded[mention.end : mention.end + _YEAR_AFTER]
            if len(numbers) == 1 and _YEAR.search(near) and len(numbers[0]) == 4:
                value = _safe_date(int(numbers[0]), mention.value.month, mention.value.day)
                rest = rest.replace(numbers[0], " ", 1)
        if value is not None and value.year in _YEARS:
            found.setdefault(value, rest)
    return found


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


@lru_cache(maxsize=64)
def _periods(langs: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str]]:
    """Folded words for AM and PM in ``langs`` (CLDR day periods), plus "a.m."/"p.m."."""
    am, pm = {"am", "a.m.", "a.m"}, {"pm", "p.m.", "p.m"}
    for lang in langs:
        try:
            locale = Locale.parse(lang)
        except (UnknownLocaleError, ValueError):
            continue
        for width in ("abbreviated", "wide"):
            names = get_period_names(width, "format", locale)
            am.update(fold(names[k]) for k in ("am",) if k in names)
            pm.update(fold(names[k]) for k in ("pm",) if k in names)
    return frozenset(am), frozenset(pm)


_PERIOD_AFTER = re.compile(r"\s?([^\W\d_]+(?:\.[^\W\d_]+)*\.?)")
_PERIOD_BEFORE = re.compile(r"([^\W\d_]+)\s?$")


def _time_of_day(rest: str, langs: tuple[str, ...]) -> time:
    """The time printed beside the date ("15:30", "10h30", "5:22PM", "10:30 م", "下午3:30"),
    else 00:00. An AM/PM word counts only right after the time, or right before it."""
    m = _TIME.search(rest)
    if m is None:
        return time()
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    am, pm = _periods(langs)
    after = _PERIOD_AFTER.match(rest, m.end())
    before = _PERIOD_BEFORE.search(rest, 0, m.start())
    words = {w[1] for w in (after, before) if w is not None}
    if hour <= 12 and words & pm:
        hour = hour % 12 + 12
    elif hour == 12 and words & am:
        hour = 0
    return time(hour, minute, second)


def _read_localized(value: str, lang: str | None) -> datetime | None:
    folded = fold(value)
    guessed: set[datetime] = set()
    for find_lang, langs, trusted in _language_sets(lang, value):
        found = _full_dates(_gregorian_years(folded, langs), find_lang)
        if len(found) > 1:
            return None  # two different dates: never guessed
        if not found:
            continue
        ((day, rest),) = found.items()
        when = datetime.combine(day, _time_of_day(rest, langs))
        if trusted:
            return when
        guessed.add(when)
    return next(iter(guessed)) if len(guessed) == 1 else None


@lru_cache(maxsize=64)
def _names_pattern(langs: tuple[str, ...]) -> re.Pattern[str]:
    lex = lexicon(langs)
    names = sorted({*lex.months, *lex.weekdays}, key=lambda n: (-len(n), n))
    alternation = "|".join(re.escape(n) for n in names) or r"(?!x)x"
    return re.compile(rf"(?<![^\W\d_])(?:{alternation})(?![^\W\d_])")


def _fold_format(date_format: str) -> str:
    """Fold the literal parts of a layout like the text, leaving its directives alone."""
    parts = re.split(r"(%.)", date_format)
    return "".join(p if p.startswith("%") and len(p) == 2 else fold(p) for p in parts)


def _in_english(folded: str, langs: tuple[str, ...], date_format: str) -> str:
    """Month and weekday names put into the English forms the layout asks for."""
    lex = lexicon(langs)
    short_month = "%b" in date_format and "%B" not in date_format
    short_day = "%a" in date_format and "%A" not in date_format

    def english(m: re.Match[str]) -> str:
        word = m.group()
        if word in lex.months:
            months = calendar.month_abbr if short_month else calendar.month_name
            return months[lex.months[word]]
        days = calendar.day_abbr if short_day else calendar.day_name
        return days[lex.weekdays[word]]

    return _names_pattern(langs).sub(english, folded)


def _read_with_format(value: str, date_format: str, lang: str | None) -> datetime | None:
    try:
        return datetime.strptime(value, date_format)
    except ValueError:
        pass
    folded, layout = fold(value), _fold_format(date_format)
    guessed: set[datetime] = set()
    for _, langs, trusted in _language_sets(lang, value):
        try:
            when = datetime.strptime(_in_english(folded, langs, layout), layout)
        except ValueError:
            continue
        if trusted:
            return when
        guessed.add(when)
    return next(iter(guessed)) if len(guessed) == 1 else None


def parse_listing_date(
    text: str | None,
    *,
    date_format: str | None = None,
    tz: tzinfo | None = None,
    lang: str | None = None,
) -> datetime | None:
    """A date from a listing: ``date_format`` (strptime, month and weekday names in any
    language) when given, else ISO 8601, RFC 2822, a few unambiguous English layouts, or a
    full date in ``lang`` (the page's language) or the language its script suggests. Naive
    results are taken in ``tz`` (default UTC)."""
    if not text:
        return None
    value = _WS.sub(" ", text).strip().replace("Sept ", "Sep ")
    if date_format:
        when = _read_with_format(value, date_format, lang)
    else:
        when = _read_english(value) or _read_localized(value, lang)
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=tz or UTC)
    return when.astimezone(UTC)
