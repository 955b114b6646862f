"""Sentences: where one ends, for every script the detector reads.

A sentence ends at "।", "॥", "。", "！", "？", "?", "!", "؟", "۔", a line break, or a "." that is
not part of an abbreviation ("Dr.", "U.S."), an initial ("S. Jaishankar", "एस. जयशंकर",
"ఎస్. జైశంకర్") or a number ("7.45"); two or three dots before a word that is not
capitalised are a pause, and so is an ellipsis written solid between two words ("방미…정상회담").
``SentenceFinder`` decides only the stops next to the offsets it is asked about, so a long
article costs little when only a few sentences matter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# --- sentences ------------------------------------------------------------------------------

# Terminators that always end a sentence; "." only under the conditions in _is_stop().
_HARD_END = "।॥。！？!?؟۔"
_SENT_END = re.compile(r"[.।॥。！？!?؟۔…]+['\"’”»)\]」』]*|\n")
# the Swahili press's honorifics: Mhe. (Mheshimiwa), Dkt./Dk. (Daktari), Bw. (Bwana), Bi.
_ABBREV = frozenset(
    """mr mrs ms dr st gen lt col maj capt sgt gov sen rep prof jr sr no nos vs etc inc ltd co
    corp jan feb mar apr jun jul aug sep sept oct nov dec u.s u.n u.k e.g i.e approx dept
    p.m a.m rs mt ft hon h.e amb adm brig cdr sh smt shri km vol art fig ca op cf pp mme
    mlle sra dra lic ing av hrs govt dy retd rt dt pres dipl nr tel ggf bzw vgl z.b usw डॉ
    श्री सं mhe dkt dk bw bi""".split()  # noqa: SIM905
)
_OPENERS = frozenset("(\"'“‘«")
_QUOTE_CLOSE = frozenset("\"'”’」』")
# German writes ordinals with a dot: "am 9. Juni", "der 21. Tagung", "zum 3. Mal"
_ORDINAL = re.compile(
    r"(?:^|\s)(?:(am|vom|bis|zum|zur|im|beim|seit|der|die|das|den|dem|des|ihrem|seinem)\s+)?"
    r"\d{1,3}$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int  # original offsets, stripped of surrounding whitespace
    end: int


_COMPOUND_JOIN = re.compile(r"[-–—/]")


def _is_stop(text: str, m: re.Match[str]) -> bool:
    tok = m.group()
    end = m.end()
    if tok.startswith("…") and end < len(text) and text[end].isalnum() and m.start() > 0:
        # "방미…트럼프와 정상회담": an ellipsis written solid between two words joins the
        # parts of one headline (the Korean press's colon), also after a quoted part
        # ("정상 "타결"…백악관서 회담"); a sentence ends before a space
        prev = text[m.start() - 1]
        return not (prev.isalnum() or prev in _QUOTE_CLOSE)
    if tok == "\n" and _wrapped(text, m.start(), end):
        return False
    if tok == "\n" or any(c in _HARD_END for c in tok) or "…" in tok:
        return True
    if end < len(text) and not text[end].isspace():
        return False  # 7.45, U.S.-led, example.com
    dots = m.start()
    while dots > 0 and text[dots - 1] == ".":
        dots -= 1  # a search that starts inside a run of dots sees only its tail
    if text.startswith("..", dots):
        # "మోదీ.. శ్రీలంక అధ్యక్షుడితో": the South Asian press writes a pause as two or three
        # dots inside a sentence; before a capital it may still end one ("... He said")
        nxt = text[end:].lstrip()
        if nxt[:1].isalpha() and not nxt[:1].isupper():
            return False
    i = m.start()
    if tok == ".":
        num = _ORDINAL.search(text, max(0, i - 12), i)
        if num is not None:
            nxt_word = text[end:].split(maxsplit=1)[:1]
            if num.group(1) or (nxt_word and _german_month(nxt_word[0].strip(".,;:"))):
                return False  # a German ordinal, not the end of a sentence
    j = i
    while j > 0 and i - j < 40 and not text[j - 1].isspace() and text[j - 1] not in _OPENERS:
        j -= 1
    if j < i:
        word = text[j:i].lstrip(".")
        # the last member of a compound is the word the dot belongs to: "Japan-U.S. talks"
        word = _COMPOUND_JOIN.split(word)[-1] or word
        if word.lower() in _ABBREV:
            return False
        if _is_initial(word):
            return False  # "S. Jaishankar", "एस. जयशंकर"
        if "." in word and all(len(p) <= 2 or _is_initial(p) for p in word.split(".")):
            return False  # U.S., U.N., a.m., "వై.ఎస్."
    nxt = text[end:].lstrip()
    return not nxt[:1].islower()


def _wrapped(text: str, start: int, end: int) -> bool:
    """A line break inside a sentence that a page hard-wrapped ("Rais Nyusi alielekea Ikulu,
    ambako\nalipokewa rasmi na ..."): a word or comma before it, a lower-case word after it."""
    return (
        start > 0
        and (text[start - 1].isalnum() or text[start - 1] == ",")
        and end < len(text)
        and text[end].islower()
    )


# Telugu, Tamil, Malayalam and Sinhala write a Latin letter's name with a virama ("ఎస్.
# జైశంకర్", "எஸ்.", "എസ്.", "එස්.") or as one syllable ("కె.", "വി.", "ഡോ."); their
# sentences end in verbs, not in a one-syllable word
_SYLLABLE_INITIAL = re.compile(
    r"[\u0c05-\u0c14\u0b85-\u0b94\u0d05-\u0d14\u0d85-\u0d96][\u0c15-\u0c39\u0b95-\u0bb9"
    r"\u0d15-\u0d3a\u0d9a-\u0dc6][\u0c4d\u0bcd\u0d4d\u0dca]"  # vowel, consonant, virama
    r"|[\u0c05-\u0c14\u0b85-\u0b94\u0d05-\u0d14\u0d85-\u0d96\u0c15-\u0c39\u0b95-\u0bb9"
    r"\u0d15-\u0d3a\u0d9a-\u0dc6][\u0c3e-\u0c40\u0c46-\u0c4c\u0c02\u0bbe-\u0bc0\u0bc6-\u0bcc"
    r"\u0d3e-\u0d40\u0d46-\u0d4c\u0d02\u0dcf-\u0dd2\u0dd9-\u0ddf\u0d82]?"
)  # one letter, bare or with a vowel sign other than u/uu (a word cut in two: "కలుసుకున్నా రు.")
# Malayalam "ആണ്" ("is") has the shape of a letter's name and ends sentences
_NOT_INITIALS = frozenset(("ആണ്",))


# Devanagari, Bengali and Gurmukhi write the names of Latin letters that carry a vowel sign
# ("सी. पी. राधाकृष्णन", "के.पी. ओली", "জে.", "ਵੀ. ਪੀ. ਸਿੰਘ"); the same shape also spells
# short words that end sentences ("की", "थी", "है"), so only the letter names count
_INDIC_LETTER_NAMES = frozenset(
    """सी पी बी डी जी के टी वी जे यू क्यू डब्ल्यू वाई जेड ज़ेड
    সি পি বি ডি জি কে টি ভি জে ইউ
    কিউ ডব্লিউ ওয়াই জেড ਸੀ ਪੀ ਬੀ ਡੀ ਜੀ ਕੇ ਟੀ ਵੀ ਜੇ ਯੂ ਕਿਊ ਵਾਈ ਜ਼ੈੱਡ""".split()  # noqa: SIM905
)


def _german_month(word: str) -> bool:
    """A German month name (CLDR, through the date vocabulary); imported here because only a
    number with a dot asks, and the date vocabulary loads Babel."""
    from rules.dates import lexicon as datelex

    return datelex.fold(word) in datelex.lexicon(("de",)).months


def _is_initial(word: str) -> bool:
    if _SYLLABLE_INITIAL.fullmatch(word) and word not in _NOT_INITIALS:
        return True
    if word in _INDIC_LETTER_NAMES:
        return True
    if not word[:1].isalpha() or len(word) > 2:
        return False
    if word.isascii():
        return word[0].isupper() and (len(word) == 1 or word[1].islower() is False)
    # an Indic initial ("एस") has no vowel sign; "है" does
    return not any(unicodedata.category(c)[0] == "M" for c in word)


class SentenceFinder:
    """Sentence spans on demand: only the sentences around given offsets are decided.

    Candidate stops come from one regex pass (C speed); the Python test of whether a "." ends
    a sentence runs only for the candidates next to the offsets asked about.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._stop: dict[int, bool] = {}  # candidate start -> does it end a sentence?

    def _is(self, m: re.Match[str]) -> bool:
        hit = self._stop.get(m.start())
        if hit is None:
            hit = self._stop[m.start()] = _is_stop(self.text, m)
        return hit

    def around(self, pos: int) -> Sentence:
        """The sentence containing original offset ``pos``."""
        text = self.text
        end = len(text)
        for m in _SENT_END.finditer(text, pos):
            if self._is(m):
                end = m.end()
                break
        start = 0
        lo = pos
        while lo > 0:  # look back in windows; most sentences are short
            w = max(0, lo - 400)
            stops = []
            for m in _SENT_END.finditer(text, w):  # whole runs: "met..." cut at lo is not "met."
                if m.start() >= lo:
                    break
                if m.end() <= pos:
                    stops.append(m)
            hit = next((m for m in reversed(stops) if self._is(m)), None)
            if hit is not None:
                start = hit.end()
                break
            lo = w
        return _strip(text, start, end)

    def first(self, n: int) -> list[Sentence]:
        """The first ``n`` sentences."""
        out: list[Sentence] = []
        pos = 0
        while len(out) < n and pos < len(self.text):
            sent = self.around(pos)
            if sent.end > sent.start:
                out.append(sent)
            nxt = self._next_start(sent.end, pos)
            if nxt <= pos:
                break
            pos = nxt
        return out

    def _next_start(self, end: int, pos: int) -> int:
        for m in _SENT_END.finditer(self.text, max(end - 1, pos)):
            if m.end() > pos and self._is(m):
                return m.end()
        return len(self.text)


def _strip(text: str, start: int, end: int) -> Sentence:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(start, end)


def split_sentences(text: str) -> list[Sentence]:
    """Sentence spans of ``text`` (original offsets), headlines and list lines included."""
    out: list[Sentence] = []
    start = 0
    for m in _SENT_END.finditer(text):
        if not _is_stop(text, m):
            continue
        _add(text, start, m.end(), out)
        start = m.end()
    _add(text, start, len(text), out)
    return out


def _add(text: str, start: int, end: int, out: list[Sentence]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append(Sentence(start, end))
