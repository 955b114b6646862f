"""Text normalisation with an offset map, and script-aware word boundaries.

One fold is applied to both the gazetteer's patterns and the text it scans: NFKC, casefold,
then a small table that removes what spelling varies on (Devanagari/Bengali nukta, ZWJ/ZWNJ,
soft hyphens, Arabic harakat and tatweel), unifies letter variants (Arabic alef/yeh/kaf/heh,
Devanagari chandrabindu) and punctuation (all dashes to "-", curly quotes to "'").
``Normalized.span()`` maps a folded span back to the original text, so evidence quoted to
users is always an exact substring of what they gave us.

Speed matters (the detector sees every item of every feed), so the common cases avoid any
per-character Python loop: ASCII text is only lower-cased, NFKC-clean text is casefolded and
has its deletions mapped with a regex; only text that needs compatibility decomposition
(fullwidth letters, presentation forms) takes the per-character path.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

from rules import unitables

# --- the fold -------------------------------------------------------------------------------

# Length-preserving replacements applied before anything else.
_PRE: dict[int, str] = {
    0x00A0: " ",  # no-break spaces become spaces
    0x202F: " ",
    0x2007: " ",
    0x2009: " ",
    0x200A: " ",
    0x3000: " ",
    0x0130: "I",  # Turkish dotted capital I: casefold would give "i̇" (two code points)
    0x0901: "\u0902",  # Devanagari chandrabindu -> anusvara (हाँ / हां)
    # precomposed nukta letters -> base letter (the nukta itself is dropped below)
    0x0929: "\u0928",
    0x0931: "\u0930",
    0x0934: "\u0933",
    0x0958: "\u0915",
    0x0959: "\u0916",
    0x095A: "\u0917",
    0x095B: "\u091c",
    0x095C: "\u0921",
    0x095D: "\u0922",
    0x095E: "\u092b",
    0x095F: "\u092f",
    0x09DC: "\u09a1",
    0x09DD: "\u09a2",
    0x09DF: "\u09af",
    0x0A59: "\u0a16",
    0x0A5A: "\u0a17",
    0x0A5B: "\u0a1c",
    0x0A5E: "\u0a2b",
    # Gujarati news writes the i and u of foreign names short or long at will ("ઇટાલી",
    # "ઈટાલી"; "નાઇજેરિયા", "નાઈજીરીયા"): one letter each
    0x0A88: "\u0a87",
    0x0AC0: "\u0abf",
    0x0A8A: "\u0a89",
    0x0AC2: "\u0ac1",
    # Arabic-script letter variants (Arabic, Urdu, Persian spellings of the same name)
    0x0622: "\u0627",
    0x0623: "\u0627",
    0x0625: "\u0627",
    0x0671: "\u0627",
    0x0649: "\u064a",
    0x06CC: "\u064a",
    0x06D0: "\u064a",
    0x06A9: "\u0643",
    0x06C1: "\u0647",
    0x06C3: "\u0647",
    0x06D5: "\u0647",
    0x0629: "\u0647",
}
for _cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D):
    _PRE[_cp] = "-"
for _cp in (0x2018, 0x2019, 0x201A, 0x201B, 0x2032, 0x02B9, 0x02BC, 0x00B4, 0x0060, 0xFF07):
    _PRE[_cp] = "'"
for _cp in (0x201C, 0x201D, 0x201E, 0x201F, 0x00AB, 0x00BB, 0x2033, 0xFF02):
    _PRE[_cp] = '"'
_PRE_TABLE = str.maketrans(_PRE)
_PRE_RE = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_PRE)) + "]")
_PRE_BY_CHAR = {chr(c): r for c, r in _PRE.items()}


def _pre(text: str) -> str:
    """``text.translate(_PRE_TABLE)``: the few distinct characters a text has to replace are
    replaced one ``str.replace`` each (a dict-mapped ``translate`` looks up every character
    of the text, which cost a fifth of the keyword rule)."""
    found = _PRE_RE.findall(text)
    if not found:
        return text
    for char in set(found):
        text = text.replace(char, _PRE_BY_CHAR[char])
    return text


# Code points deleted from the folded text (and from patterns).
_DROP_CHARS = (
    "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"  # soft hyphen, zero-width, marks
    "\u093c\u09bc\u0a3c\u0abc\u0b3c"  # nukta (Devanagari, Bengali, Gurmukhi, Gujarati, Oriya)
    "\u0640"  # Arabic tatweel
    + "".join(chr(c) for c in range(0x064B, 0x0660))  # Arabic harakat
    + "\u0670"
    + "".join(chr(c) for c in range(0x06D6, 0x06EE))  # Quranic annotation marks
)
_DROP_RE = re.compile(f"[{re.escape(_DROP_CHARS)}]")


@lru_cache(maxsize=8192)
def _fold_char(cluster: str, casefold: bool = True) -> str:
    """The fold of one character (or base + combining marks), used by the slow path."""
    s = unicodedata.normalize("NFKC", cluster.translate(_PRE_TABLE)).translate(_PRE_TABLE)
    if casefold:
        s = s.casefold().translate(_PRE_TABLE)
    return _DROP_RE.sub("", s)


def fold(text: str) -> str:
    """The folded form of ``text`` (what patterns are stored as); no offset map."""
    if text.isascii():
        return text.lower()
    s = _pre(text)
    if _nfkc_changes().search(s) is not None and not unicodedata.is_normalized("NFKC", s):
        return _slow(text).folded
    return _DROP_RE.sub("", s.casefold())


# A Latin/Greek/Cyrillic base letter followed by combining marks composes under NFKC; the
# slow path folds such clusters together so "Co\u0302te" folds like "Côte".
_CLUSTER = re.compile(r"[^\u0300-\u036f][\u0300-\u036f]+|.", re.S)


@dataclass(frozen=True, slots=True)
class Normalized:
    """``folded`` plus the map back to ``original`` (``None`` when positions are identical)."""

    original: str
    folded: str
    starts: array[int] | None = None  # original index of each folded char (+ sentinel)
    ends: array[int] | None = None  # original end index of each folded char

    def pos(self, i: int) -> int:
        """Original index of folded position ``i`` (``len(folded)`` maps to the end)."""
        return i if self.starts is None else self.starts[i]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering the folded span ``[start, end)``."""
        starts = self.starts
        if starts is None:
            return start, end
        if end <= start:
            p = starts[start]
            return p, p
        return starts[start], (self.ends[end - 1] if self.ends is not None else starts[end - 1] + 1)


def normalize(text: str, *, casefold: bool = True) -> Normalized:
    """Fold ``text`` for matching and keep the offset map.

    ``casefold=False`` keeps letter case and does everything else (the keyword rule's
    case-sensitive terms and its regular expressions).
    """
    if text.isascii():
        return Normalized(text, text.lower() if casefold else text)
    s = _pre(text)
    if _nfkc_changes().search(s) is not None and not unicodedata.is_normalized("NFKC", s):
        return _slow(text, casefold)
    f = s.casefold() if casefold else s
    if len(f) != len(s):
        return _slow(text, casefold)
    if _DROP_RE.search(f) is None:
        return Normalized(text, f)
    starts: array[int] = array("i")
    prev = 0
    for m in _DROP_RE.finditer(f):
        starts.extend(range(prev, m.start()))
        prev = m.end()
    starts.extend(range(prev, len(f)))
    starts.append(len(text))
    return Normalized(text, _DROP_RE.sub("", f), starts)


@lru_cache(maxsize=1)
def _nfkc_changes() -> re.Pattern[str]:
    """Characters NFKC may change, as one regex class (``rules.unitables``).

    ``unicodedata.is_normalized`` costs as much as the rest of the fold on Indic text; this
    class lets clean text skip it. Basic Multilingual Plane; astral characters always take
    the slow check.
    """
    chars = set(unitables.nfkc_changes())
    chars -= {ord(c) for c in _DROP_CHARS}  # nukta composes, but the fold drops it anyway
    return re.compile("[" + _char_class(chars) + "\U00010000-\U0010ffff]")


def _char_class(chars: set[int]) -> str:
    """The inside of a regex class matching ``chars``, as ranges."""
    ordered = sorted(chars)
    ranges: list[str] = []
    start = prev = ordered[0]
    for cp in [*ordered[1:], -1]:
        if cp != prev + 1:
            tail = "-" + re.escape(chr(prev)) if prev > start else ""
            ranges.append(re.escape(chr(start)) + tail)
            start = cp
        prev = cp
    return "".join(ranges)


def _slow(text: str, casefold: bool = True) -> Normalized:
    """Cluster by cluster (``_fold_char``), but runs of characters that NFKC leaves alone, that
    casefold to one character and that carry no combining mark are folded a run at a time:
    most text that needs this path (Chinese with fullwidth brackets) has only a few others.
    In such a run each character folds to ``_DROP(_PRE(casefold(_PRE(c))))``, so only the
    dropped ones leave gaps in the offset map."""
    pieces: list[str] = []
    starts: array[int] = array("i")
    ends: array[int] = array("i")

    def clusters(begin: int, stop: int) -> None:
        for m in _CLUSTER.finditer(text, begin, stop):
            out = _fold_char(m.group(), casefold)
            if out:
                pieces.append(out)
                starts.extend([m.start()] * len(out))
                ends.extend([m.end()] * len(out))

    def run(begin: int, stop: int) -> None:
        plain = _pre(text[begin:stop])
        folded = _pre(plain.casefold()) if casefold else plain
        if len(folded) != len(plain):  # cannot happen (``_needs_cluster``); stay correct
            clusters(begin, stop)
            return
        prev = 0
        for m in _DROP_RE.finditer(folded):
            starts.extend(range(begin + prev, begin + m.start()))
            ends.extend(range(begin + prev + 1, begin + m.start() + 1))
            prev = m.end()
        starts.extend(range(begin + prev, stop))
        ends.extend(range(begin + prev + 1, stop + 1))
        pieces.append(_DROP_RE.sub("", folded) if prev else folded)

    at = 0
    for m in _needs_cluster().finditer(text):
        if m.start() > at:
            run(at, m.start())
        clusters(m.start(), m.end())
        at = m.end()
    if at < len(text):
        run(at, len(text))
    starts.append(len(text))
    return Normalized(text, "".join(pieces), starts, ends)


@lru_cache(maxsize=1)
def _needs_cluster() -> re.Pattern[str]:
    """A character NFKC may change, one that casefolds to several ("ß" -> "ss"), or a base
    character with its combining marks: the clusters ``_slow`` folds one by one."""
    changes = _nfkc_changes().pattern
    expands = _char_class(set(unitables.expands()) - {0x130})  # "İ" becomes "I" first
    return re.compile(f"[^\u0300-\u036f][\u0300-\u036f]+|{changes}|[{expands}]", re.S)


# --- scripts and boundaries -----------------------------------------------------------------

SCRIPT_LATIN = 1
SCRIPT_CYRILLIC = 2
SCRIPT_GREEK = 3
SCRIPT_ARABIC = 4
SCRIPT_INDIC = 5  # Devanagari .. Malayalam, Sinhala: one class per block, see indic_block()
SCRIPT_HANGUL = 6
SCRIPT_CJK = 7  # Han, kana: no word boundaries
SCRIPT_THAI = 8
SCRIPT_OTHER_WORD = 9
SCRIPT_KANA = 10  # katakana: a word needs katakana-free neighbours ("タイ" is not in "タイトル")
SCRIPT_NONE = 0  # digits are treated as word characters by the boundary test


_SCRIPT_CACHE: dict[str, int] = {}
_WORD_CACHE: dict[str, bool] = {}


def script_of(ch: str) -> int:
    """Coarse script class of one (folded) character, or 0 for non-letters."""
    sc = _SCRIPT_CACHE.get(ch)
    if sc is None:
        sc = _SCRIPT_CACHE[ch] = _script_of(ch)
    return sc


def _script_of(ch: str) -> int:
    o = ord(ch)
    if o < 0x80:
        return SCRIPT_LATIN if ch.isalpha() else SCRIPT_NONE
    if o < 0x0250 or 0x1E00 <= o < 0x1F00:
        return SCRIPT_LATIN if ch.isalpha() else SCRIPT_NONE
    if 0x0370 <= o < 0x0400 or 0x1F00 <= o < 0x2000:
        return SCRIPT_GREEK
    if 0x0400 <= o < 0x0530:
        return SCRIPT_CYRILLIC
    if 0x0600 <= o < 0x0700 or 0x0750 <= o < 0x0780 or 0xFB50 <= o < 0xFE00:
        return SCRIPT_ARABIC
    if 0x0900 <= o < 0x0E00:
        return SCRIPT_INDIC
    if 0x0E00 <= o < 0x0E80:
        return SCRIPT_THAI
    if 0xAC00 <= o < 0xD7B0 or 0x1100 <= o < 0x1200 or 0x3130 <= o < 0x3190:
        return SCRIPT_HANGUL
    if o == 0x30FB:
        # the katakana middle dot separates the words of a foreign name ("ドナルド・トランプ")
        return SCRIPT_NONE
    if 0x30A0 <= o < 0x3100:
        return SCRIPT_KANA
    if 0x3040 <= o < 0x3100 or 0x3400 <= o < 0xA000 or 0xF900 <= o < 0xFB00 or o >= 0x20000:
        return SCRIPT_CJK
    if ch.isalpha() or unicodedata.category(ch).startswith("M"):
        return SCRIPT_OTHER_WORD
    return SCRIPT_NONE


def is_word_char(ch: str) -> bool:
    """True for letters, combining marks (vowel signs, virama) and digits."""
    w = _WORD_CACHE.get(ch)
    if w is None:
        w = _WORD_CACHE[ch] = ch.isalnum() or ch == "_" or unicodedata.category(ch)[0] == "M"
    return w


# Arabic proclitics that may precede a name without a space: و ب ل ف ك and pairs of them.
ARABIC_PROCLITICS = frozenset(["و", "ب", "ل", "ف", "ك", "وب", "ول", "فب", "فل", "وك", "لل", "ولل"])


# letters written only at the end of a word (Urdu and Punjabi bari ye, with and without its
# hamza): the word after them is often set without a space, and still a word of its own
_FINAL_ONLY = frozenset("\u06d2\u06d3")


def boundary_before(text: str, start: int) -> bool:
    """Is there a word boundary just before ``text[start]``?"""
    if start == 0:
        return True
    first = text[start]
    sc = script_of(first)
    if sc == SCRIPT_KANA:
        return script_of(text[start - 1]) != SCRIPT_KANA
    if sc == SCRIPT_CJK or (sc == SCRIPT_NONE and not first.isalnum()):
        return True
    prev = text[start - 1]
    if not is_word_char(prev):
        return True
    if sc == SCRIPT_CJK:
        return True
    if prev in _FINAL_ONLY:
        return True  # Urdu "سےملاقات", "نےبیجنگ": a word-final letter, the space left out
    if sc == SCRIPT_ARABIC and script_of(prev) == SCRIPT_ARABIC:
        # allow one or two proclitic letters that themselves start a word
        for n in (1, 2, 3):
            if start - n < 0:
                break
            chunk = text[start - n : start]
            if chunk in ARABIC_PROCLITICS and (
                start - n == 0 or not is_word_char(text[start - n - 1])
            ):
                return True
        return False
    psc = script_of(prev)
    if sc == SCRIPT_HANGUL and prev.isdigit():
        return True  # a Korean noun after a numeral: "1차관", "3자 회담"
    # a CJK character right before a Latin/other word is a boundary ("访华G20"); same for
    # other scripts meeting each other without a space
    return psc != sc and psc in (SCRIPT_CJK,)


def boundary_after(text: str, end: int) -> bool:
    """Is there a word boundary just after ``text[end - 1]``?"""
    if end >= len(text):
        return True
    last = text[end - 1]
    sc = script_of(last)
    nxt = text[end]
    if sc == SCRIPT_KANA:
        return script_of(nxt) != SCRIPT_KANA
    if sc == SCRIPT_CJK:
        return True
    if not is_word_char(nxt) or last in _FINAL_ONLY:
        return True
    if sc == SCRIPT_NONE and not last.isalnum():
        return True
    nsc = script_of(nxt)
    return nsc == SCRIPT_CJK and sc != SCRIPT_CJK
