"""Date expressions in text, resolved against a reference date: the finder behind
``rules/dates/meeting.py``. PURE.

``find_dates`` returns every explicit date ("April 2, 2025", "2 avril", "2. April",
"2025年4月2日", "4월 2일", "2 апреля", "2 अप्रैल", "2025-04-02", "02.04.2025", "24日"),
weekday ("Thursday", "Donnerstagvormittag", "в среду", "गुरुवार", "목요일에"), relative day
("yesterday", "आज", "昨日", "أمس") and relative weekday ("last Thursday", "上周四") in a
text, each resolved to a date. Ambiguities (a year-less date, a bare weekday, "कल", which
is both yesterday and tomorrow) are resolved by the *tense*: ``past`` looks back and never
more than ``tolerance_days`` ahead, ``future`` looks ahead, ``any`` takes the nearest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from rules.dates.lexicon import PROCLITICS, DateLexicon, fold, known_language, lexicon

Tense = Literal["past", "future", "any"]
MentionKind = Literal["full", "month_day", "day", "weekday", "relative"]

RANK: dict[MentionKind, int] = {"full": 5, "month_day": 4, "day": 3, "weekday": 2, "relative": 1}


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression found in (folded) text, resolved against a reference date."""

    start: int
    end: int
    text: str
    kind: MentionKind
    value: date


def tense_for_status(status: str | None) -> Tense:
    """Held meetings and calls look back; scheduled and cancelled ones look forward."""
    if status in {"held", "call"}:
        return "past"
    if status in {"scheduled", "cancelled"}:
        return "future"
    return "any"


_SCRIPT_LANGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("DEVANAGARI", ("hi", "mr", "ne")),
    ("HIRAGANA", ("ja",)),
    ("KATAKANA", ("ja",)),
    ("HANGUL", ("ko",)),
    ("CJK", ("zh", "ja")),
    ("ARABIC", ("ar", "ur", "fa")),
    ("CYRILLIC", ("ru", "uk")),
    ("BENGALI", ("bn",)),
    ("TAMIL", ("ta",)),
    ("TELUGU", ("te",)),
    ("KANNADA", ("kn",)),
    ("MALAYALAM", ("ml",)),
    ("GUJARATI", ("gu",)),
    ("GURMUKHI", ("pa",)),
    ("THAI", ("th",)),
    ("HEBREW", ("he",)),
    ("GREEK", ("el",)),
)


def languages_for(lang: str | None, text: str) -> tuple[str, ...]:
    """The languages whose words to look for: the item's own (BCP 47 base) when CLDR knows
    it, else guessed from the script; English always, for numbers and agency copy."""
    base = (lang or "").replace("-", "_").split("_")[0].lower()
    if base and known_language(base):
        return (base, "en") if base != "en" else ("en",)
    counts: dict[tuple[str, ...], int] = {}
    for char in text[:2000]:
        if ord(char) < 0x250 or not char.isalpha():
            continue
        name = unicodedata.name(char, "")
        for prefix, langs in _SCRIPT_LANGS:
            if name.startswith(prefix):
                counts[langs] = counts.get(langs, 0) + 1
                break
    if not counts:
        return ("en",)
    best = max(counts, key=lambda k: counts[k])
    return (*best, "en")


def _alt(names: Sequence[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=lambda n: (-len(n), n)))


@dataclass(frozen=True, slots=True)
class _Patterns:
    lex: DateLexicon
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]
    words: re.Pattern[str]


_ISO = re.compile(r"(?<![\d.])(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?![\d])")
_NUMERIC = re.compile(r"(?<![\d./-])(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})(?![\d./-])")
_CJK_FULL = re.compile(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日号號일]")
# "24日", "29일", "21~22일" (a range starts on its first day); not "2日間" (two days).
_CJK_DAY = re.compile(
    r"(?<![\d月월年년~〜～\-–])(\d{1,2})\s*(?:[~〜～\-–]\s*\d{1,2}\s*)?[日号號일](?![本间間간])"
)


@lru_cache(maxsize=64)
def _patterns(langs: tuple[str, ...]) -> _Patterns:
    lex = lexicon(langs)
    months = _alt(list(lex.months))
    words = _alt([*lex.weekdays, *lex.relative, *lex.weekday_relative])
    ordinal = r"(?:\.|er|ª|º|st|nd|rd|th|-?го|-?е)?"
    return _Patterns(
        lex=lex,
        day_month=re.compile(
            rf"(?<!\d)(\d{{1,2}}){ordinal}\s*(?:de\s+)?(?P<m>{months})\.?"
            rf"(?:,?\s*(?:de\s+)?(\d{{4}})(?!\d))?"
        ),
        month_day=re.compile(
            rf"(?P<m>{months})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?!\d)(?:,?\s+(\d{{4}})(?!\d))?"
        ),
        words=re.compile(words) if words else re.compile(r"(?!x)x"),
    )


def _is_letter(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM"


def _is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))


def _left_ok(text: str, start: int, lex: DateLexicon) -> bool:
    if start == 0 or not _is_letter(text[start - 1]) or _is_cjk(text[start]):
        return True
    # Arabic script writes "and", "in" ... attached: وأمس, بالخميس is not, but وأمس is.
    return (
        lex.proclitics
        and text[start - 1] in PROCLITICS
        and (start < 2 or not _is_letter(text[start - 2]))
    )


def _right_ok(text: str, end: int, *, suffix: bool) -> bool:
    return end >= len(text) or suffix or not _is_letter(text[end]) or _is_cjk(text[end - 1])


def _valid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def plausible(value: date, ref: date, tense: Tense, tolerance: int) -> bool:
    if tense == "past":
        return value <= ref + timedelta(days=tolerance)
    if tense == "future":
        return value >= ref - timedelta(days=tolerance)
    return True


def _closest(candidates: Sequence[date | None], ref: date, tense: Tense, tol: int) -> date | None:
    ok = [d for d in candidates if d is not None and plausible(d, ref, tense, tol)]
    return min(ok, key=lambda d: (abs((d - ref).days), d)) if ok else None


def _year(text: str | None, ref: date) -> int | None:
    if not text:
        return None
    value = int(text)
    if len(text) == 2:  # "08.04.25": the century of the reference date
        value += ref.year - ref.year % 100
    return value


def _month_day(
    month: int, day: int, year: int | None, ref: date, tense: Tense, tol: int
) -> date | None:
    if year is not None:
        return _closest([_valid(year, month, day)], ref, tense, tol)
    years = (ref.year - 1, ref.year, ref.year + 1)
    return _closest([_valid(y, month, day) for y in years], ref, tense, tol)


def _day_only(day: int, ref: date, tense: Tense, tol: int) -> date | None:
    first = ref.replace(day=1)
    months = [
        (first - timedelta(days=1)).replace(day=1),
        first,
        (first + timedelta(days=32)).replace(day=1),
    ]
    return _closest([_valid(m.year, m.month, day) for m in months], ref, tense, tol)


def _weekday(target: int, direction: int | None, ref: date, tense: Tense, calendar: bool) -> date:
    back = (ref.weekday() - target) % 7
    ahead = (target - ref.weekday()) % 7
    if calendar and direction is not None:  # 上周四 / 先週の木曜日: Thursday of last week
        monday = ref - timedelta(days=ref.weekday())
        return monday + timedelta(days=7 * direction + target)
    if direction == -1:
        return ref - timedelta(days=back or 7)
    if direction == 1:
        return ref + timedelta(days=ahead or 7)
    if tense == "future" or (tense == "any" and ahead < back):
        return ref + timedelta(days=ahead)
    return ref - timedelta(days=back)


def _pick_offset(offsets: tuple[int, ...], tense: Tense) -> int:
    if len(offsets) == 1:
        return offsets[0]
    if tense == "future":
        return min((o for o in offsets if o >= 0), default=offsets[-1])
    return max((o for o in offsets if o <= 0), default=offsets[0])


def find_dates(
    text: str,
    *,
    reference: date,
    lang: str | None = None,
    tense: Tense = "any",
    tolerance_days: int = 2,
) -> list[DateMention]:
    """Every date expression in ``text`` that resolves to a plausible date, in text order.
    Positions refer to ``fold(text)`` (folding can change lengths)."""
    folded = fold(text)
    pats = _patterns(languages_for(lang, text))
    lex = pats.lex
    tol = tolerance_days
    found: list[DateMention] = []

    def add(m: re.Match[str], kind: MentionKind, value: date | None) -> None:
        if value is not None:
            found.append(DateMention(m.start(), m.end(), m.group(), kind, value))

    for m in _ISO.finditer(folded):
        add(m, "full", _closest([_valid(int(m[1]), int(m[3]), int(m[4]))], reference, tense, tol))
    for m in _NUMERIC.finditer(folded):
        a, b, year = int(m[1]), int(m[3]), _year(m[4], reference)
        assert year is not None
        orders = [(a, b), (b, a)] if lex.day_first else [(b, a), (a, b)]
        cands = [_valid(year, month, day) for day, month in orders]
        add(m, "full", _closest(cands, reference, tense, tol))
    for m in _CJK_FULL.finditer(folded):
        year = _year(m[1], reference)
        add(
            m,
            "full" if year else "month_day",
            _month_day(int(m[2]), int(m[3]), year, reference, tense, tol),
        )
    for m in _CJK_DAY.finditer(folded):
        add(m, "day", _day_only(int(m[1]), reference, tense, tol))
    for m, day_group, year_group in (
        *((m, 1, 3) for m in pats.day_month.finditer(folded)),
        *((m, 2, 3) for m in pats.month_day.finditer(folded)),
    ):
        if not (_left_ok(folded, m.start(), lex) and _right_ok(folded, m.end("m"), suffix=False)):
            continue
        month = lex.months[m["m"]]
        year = _year(m[year_group], reference)
        add(
            m,
            "full" if year else "month_day",
            _month_day(month, int(m[day_group]), year, reference, tense, tol),
        )
    for m in pats.words.finditer(folded):
        phrase = m.group()
        is_weekday = phrase in lex.weekdays
        if not (
            _left_ok(folded, m.start(), lex)
            and _right_ok(folded, m.end(), suffix=is_weekday and lex.suffixing)
        ):
            continue
        if phrase in lex.weekday_relative:
            target, direction = lex.weekday_relative[phrase]
            calendar = "周" in phrase or "週" in phrase
            add(m, "weekday", _weekday(target, direction, reference, tense, calendar))
        elif is_weekday:
            add(m, "weekday", _weekday(lex.weekdays[phrase], None, reference, tense, False))
        else:
            offsets = lex.relative.get(phrase)
            if offsets:  # None: a blocked look-alike ("la mañana")
                value = reference + timedelta(days=_pick_offset(offsets, tense))
                add(m, "relative", value if plausible(value, reference, tense, tol) else None)
    return _without_overlaps(found)


def _without_overlaps(found: list[DateMention]) -> list[DateMention]:
    """Longer (then more specific) expressions win over those they overlap:
    "jeudi 13 juillet" is one date, not a weekday and a date."""
    kept: list[DateMention] = []
    for mention in sorted(found, key=lambda x: (-(x.end - x.start), -RANK[x.kind], x.start)):
        if all(mention.end <= k.start or mention.start >= k.end for k in kept):
            kept.append(mention)
    return sorted(kept, key=lambda x: x.start)
