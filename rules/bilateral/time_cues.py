"""Times that date a meeting word in the future or the past: a weekday named with "next"
or "last", and a date some days after or before the day the text was published.

"Macron-Scholz meeting next Friday", "Treffen am kommenden Montag", "Встреча в следующую
пятницу", "Pertemuan Jumat depan", "मोदी-बाइडेन वार्ता अगले शुक्रवार को": a verbless headline
with a future-only time is a plan, where a bare weekday ("talks on Friday") is not (a report
of a held meeting published the same day names the day too). "Last Friday" dates it in the
past the same way. These read as the language's ``future_time`` / ``past_time`` cues, so
``rules.bilateral.status`` weighs them as it weighs "next week" and "yesterday".

The weekday names and CLDR's own "next Friday" / "last Friday" phrases come from
``rules.dates.lexicon``; what CLDR lacks (other inflections, synonyms such as "kommenden",
"önümüzdeki", "depan") is in the language's [words]: ``next_day`` / ``last_day`` before the
weekday, ``day_next`` / ``day_last`` after it ("~" ends a stem).

"Rencontre Macron-Meloni le 12 mars" is a plan when published on 3 March and a report when
published on the 13th; without a publication date it stays as the words say. Two days'
margin keeps a date that is already today in the publisher's time zone from reading as
future (a publication time is UTC). Only a headline's date counts: prose names the dates of
other events beside a held meeting ("met on Monday to prepare the 20 March summit"), a
headline names the meeting's own.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

from rules.bilateral.identity_cache import IdentityCache
from rules.bilateral.lexicon import LangLex
from rules.bilateral.status import Cue
from rules.dates import lexicon as datelex
from rules.dates.find import find_dates
from rules.text import fold

# scripts written without spaces: a one-character "next" (下, 来) is no word of its own there
_UNSPACED = frozenset(("zh", "ja"))
# weekday names these languages decline ("пятница" -> "пятницу", "piątek" -> "piątku")
_DECLINED = frozenset(("ru", "uk", "pl", "be", "cs", "sk", "sr", "hr", "bs", "bg"))
# the cue a "next" (+1) / "last" (-1) weekday gives, and its [words] before / after the day
_SIGNS = (("future_time", 1, "next_day", "day_next"), ("past_time", -1, "last_day", "day_last"))


def _alt(words: set[str]) -> str:
    """A regex alternation of ``words`` ("~" ends a stem), longest first."""
    parts = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w[:-1]) + r"\w*" if w.endswith("~") else re.escape(w) for w in parts)


def _day_form(name: str, lang: str) -> str:
    if lang in _DECLINED and len(name) > 4:
        return re.escape(name[:-1]) + r"\w{0,3}"
    return re.escape(name)


Patterns = tuple[tuple[str, re.Pattern[str]], ...]  # (cue name, pattern)


@lru_cache(maxsize=64)
def _patterns(lang: str, extra: tuple[tuple[str, ...], ...]) -> Patterns:
    """(cue name, pattern) of ``lang``; ``extra`` holds the [words] lists, in _SIGNS order."""
    if not lang or not datelex.known_language(lang):
        return ()
    d = datelex.lexicon((lang,))
    names = {fold(n) for n in d.weekdays if n}
    out: list[tuple[str, re.Pattern[str]]] = []
    for i, (name, sign, _, _) in enumerate(_SIGNS):
        before, after = extra[2 * i], extra[2 * i + 1]
        phrases = {fold(p) for p, (_, off) in d.weekday_relative.items() if off == sign}
        pre, post = {fold(w) for w in before}, {fold(w) for w in after}
        if lang not in _UNSPACED:
            for p in phrases:  # "nächsten freitag" -> "nächsten" before any weekday
                day = max((n for n in names if n in p), key=len, default="")
                head, _, tail = p.partition(day) if day else ("", "", "")
                if day and bool(head.strip()) != bool(tail.strip()):
                    (pre if head.strip() else post).add(head.strip() or tail.strip())
        suffix = r"\w*" if lang in datelex.SUFFIXING else ""
        days = "|".join(sorted((_day_form(n, lang) for n in names), key=len, reverse=True))
        alts = [re.escape(p) for p in sorted(phrases, key=len, reverse=True)]
        if pre and names:
            alts.append(rf"(?:{_alt(pre)})\s+(?:{days}){suffix}")
        if post and names:
            alts.append(rf"(?:{days}){suffix}\s+(?:{_alt(post)})")
        if alts:
            edge = "" if lang in _UNSPACED else r"(?<!\w)"
            end = "" if lang in _UNSPACED else r"(?!\w)"
            out.append((name, re.compile(rf"{edge}(?:{'|'.join(alts)}){end}")))
    return tuple(out)


def _extra(lex: LangLex) -> tuple[tuple[str, ...], ...]:
    keys = [k for _, _, before, after in _SIGNS for k in (before, after)]
    return tuple(tuple(sorted(lex.words.get(k, ()))) for k in keys)


# the patterns of a lexicon, by language, found once: building their cache key from its
# [words] lists for every sentence cost more than the patterns' own search
_BY_LEX: IdentityCache[LangLex, dict[str, Patterns]] = IdentityCache(lambda lex: {})


def _patterns_of(lex: LangLex, lang: str) -> Patterns:
    known = _BY_LEX(lex)
    found = known.get(lang)
    if found is None:
        found = known[lang] = _patterns(lang, _extra(lex))
    return found


# a calendar date, or a day of the month written as one (CJK "15日"), not a weekday or
# "tomorrow" (those are read above and by the language's cue lists)
_DATED = frozenset(("full", "month_day", "day"))
_MARGIN = timedelta(days=2)


def _dated(folded: str, lang: str, published: datetime) -> list[Cue]:
    """``future_time`` / ``past_time`` cues of the dates two days or more after / before
    the day of publication."""
    day = published.date()
    out: list[Cue] = []
    for d in find_dates(folded, reference=day, lang=lang or None):
        if d.kind not in _DATED:
            continue
        if d.value >= day + _MARGIN:
            out.append(Cue(d.start, d.end, "future_time"))
        elif d.value <= day - _MARGIN:
            out.append(Cue(d.start, d.end, "past_time"))
    return out


# what ends a sentence of prose; a headline ends without it
_PROSE_END = tuple(".!?।。")


def time_cues(
    folded: str, lang: str, lex: LangLex, published: datetime | None, title: bool = False
) -> list[Cue]:
    """``future_time`` / ``past_time`` cues of the weekdays named with "next" / "last" and,
    in a headline (``title``, or a line with no full stop), of the dates well after /
    before ``published`` (when it is known)."""
    out = [
        Cue(m.start(), m.end(), name)
        for name, rx in _patterns_of(lex, lang)
        for m in rx.finditer(folded)
    ]
    headline = title or not folded.rstrip(" \n\"'”»)").endswith(_PROSE_END)
    if published is not None and headline:
        out += _dated(folded, lang, published)
    return out
