"""The ``keyword`` rule: terms and regular expressions over an item's title and text.

Pure and self-explaining: every match carries the sentences that contain its hits, as exact
substrings of the item's original title or text.

Matching is Unicode-aware:
- text and terms are normalised the same way: NFKC, casefold (unless ``case_sensitive``), and
  invisible joiners (ZWJ, ZWNJ, soft hyphen, word joiner) and the Devanagari nukta removed, so
  "फ़्रांस" and "फ्रांस" are one term; an offset map points hits back into the original text;
- word boundaries are script-aware: a letter, digit or combining mark (Unicode L*, N*, M*) next
  to a hit is not a boundary, so a Devanagari vowel sign or virama after "भारत" means a longer
  word ("भारतीय", Indian) and "भारत" does not match it (Python's ``\\b`` gets this wrong:
  vowel signs are not ``\\w``);
- scripts written without spaces (Han, Kana, Thai, Lao, Khmer, Myanmar) need no boundary, and
  Hangul terms need none on the right, where Korean attaches particles ("인도는").

``any``: at least one term; ``all``: every term; ``none``: no term; ``regex``: at least one
pattern (searched in the NFKC text, case-insensitive unless ``case_sensitive``). The given
conditions must all hold.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, field_validator, model_validator

from monitor.model import Item, Match
from rules.base import RuleOptions

# Removed before matching: ZWNJ, ZWJ, soft hyphen, word joiner, BOM, Devanagari nukta.
_DROP = dict.fromkeys(map(ord, "\u200c\u200d\u00ad\u2060\ufeff\u093c"))
_SENTENCE_END = "।॥。！？؟!?"
_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "st", "jr", "sr", "no", "vs", "gen", "col", "lt", "sgt"}
    | {"prof", "rep", "sen", "gov", "pres", "hon", "capt", "mt", "ft"}
)


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


Terms = Annotated[list[str], BeforeValidator(_as_list)]


class KeywordOptions(RuleOptions):
    """``[[rules]]`` with ``type = "keyword"``."""

    any: Terms = Field(default_factory=list)
    all: Terms = Field(default_factory=list)
    none: Terms = Field(default_factory=list)
    regex: Terms = Field(default_factory=list)
    case_sensitive: bool = False

    @field_validator("any", "all", "none")
    @classmethod
    def _terms_not_blank(cls, terms: list[str]) -> list[str]:
        if any(not t.strip() for t in terms):
            raise ValueError("terms cannot be empty strings")
        return terms

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regular expression {pattern!r}: {exc}") from None
        return patterns

    @model_validator(mode="after")
    def _needs_a_condition(self) -> KeywordOptions:
        if not (self.any or self.all or self.regex):
            raise ValueError("a keyword rule needs at least one of any, all or regex")
        return self


# ---------------------------------------------------------------------------------------------
# Normalisation with an offset map


@dataclass(frozen=True, slots=True)
class Folded:
    """Normalised text; ``spans[i]`` is the original (start, end) of normalised char ``i``
    (``None`` when the normalisation changed nothing and offsets are the identity)."""

    text: str
    spans: list[tuple[int, int]] | None

    def original(self, start: int, end: int) -> tuple[int, int]:
        if self.spans is None:
            return start, end
        return self.spans[start][0], self.spans[end - 1][1]


def _continues_cluster(ch: str) -> bool:
    # Combining marks, joiners and Hangul medial/final jamo belong to the preceding base
    # character; NFKC must see them together to compose correctly.
    return (
        unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or ch in "\u200c\u200d"
        or "\u1160" <= ch <= "\u11ff"
    )


def fold(text: str, *, casefold: bool = True) -> Folded:
    """NFKC (+ casefold) and drop invisible joiners/nukta, keeping a map to ``text``."""
    quick = unicodedata.normalize("NFKC", text)
    if casefold:
        quick = quick.casefold()
    # Common case: nothing changed length and nothing to drop -> offsets are the identity.
    if len(quick) == len(text) and quick.translate(_DROP) == quick:
        return Folded(quick, None)
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and _continues_cluster(text[j]):
            j += 1
        chunk = unicodedata.normalize("NFKC", text[i:j])
        if casefold:
            chunk = chunk.casefold()
        for ch in chunk.translate(_DROP):
            out.append(ch)
            spans.append((i, j))
        i = j
    return Folded("".join(out), spans)


def _no_space_script(ch: str) -> bool:
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF  # CJK radicals, kana, CJK unified ideographs
        or 0xF900 <= o <= 0xFAFF
        or 0x20000 <= o <= 0x3FFFF
        or 0x0E00 <= o <= 0x0EFF  # Thai, Lao
        or 0x1000 <= o <= 0x109F  # Myanmar
        or 0x1780 <= o <= 0x17FF  # Khmer
        or 0xFF66 <= o <= 0xFF9F  # halfwidth katakana
    )


def _hangul(ch: str) -> bool:
    return 0xAC00 <= ord(ch) <= 0xD7AF or 0x1100 <= ord(ch) <= 0x11FF


def _wordish(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LMN" and not _no_space_script(ch)


def _bounded(text: str, start: int, end: int, term: str) -> bool:
    if start > 0 and not _no_space_script(term[0]) and _wordish(text[start - 1]):
        return False
    last = term[-1]
    return not (
        end < len(text) and not _no_space_script(last) and not _hangul(last) and _wordish(text[end])
    )


def find_term(folded: Folded, term: str) -> list[tuple[int, int]]:
    """Original-text spans where the (already folded) ``term`` occurs as a whole word."""
    hits = []
    text = folded.text
    pos = text.find(term)
    while pos >= 0:
        end = pos + len(term)
        if _bounded(text, pos, end, term):
            hits.append(folded.original(pos, end))
        pos = text.find(term, pos + 1)
    return hits


# ---------------------------------------------------------------------------------------------
# Sentences


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence: split at line breaks, ।॥。！？؟!? and at a full stop
    followed by a space unless it ends an abbreviation or an initial ("Mr.", "U.S.", "एस.")."""
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    for i, ch in enumerate(text):
        cut = False
        if ch == "\n" or ch in _SENTENCE_END:
            cut = True
        elif ch == "." and (i + 1 == n or text[i + 1].isspace()):
            word = re.search(r"(\w+)$", text[start:i])
            token = word.group(1) if word else ""
            letters = [c for c in token if unicodedata.category(c)[0] == "L"]
            cut = not (len(letters) <= 2 and token and not token.isdigit()) and (
                token.lower() not in _ABBREVIATIONS
            )
        if cut:
            end = i if ch == "\n" else i + 1
            spans.append((start, end))
            start = i + 1
    spans.append((start, n))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


# ---------------------------------------------------------------------------------------------
# The rule


class KeywordRule:
    """Matches an item when its terms/patterns say so; one Match per item at most."""

    type_name: ClassVar[str] = "keyword"
    Options: ClassVar[type[RuleOptions]] = KeywordOptions

    def __init__(self, options: RuleOptions) -> None:
        if not isinstance(options, KeywordOptions):
            raise TypeError("KeywordRule needs KeywordOptions")
        self.options: RuleOptions = options
        self._case_sensitive = options.case_sensitive
        cf = not options.case_sensitive
        self._any = [(t, fold(t.strip(), casefold=cf).text) for t in options.any]
        self._all = [(t, fold(t.strip(), casefold=cf).text) for t in options.all]
        self._none = [fold(t.strip(), casefold=cf).text for t in options.none]
        flags = 0 if options.case_sensitive else re.IGNORECASE
        self._regex = [re.compile(p, flags) for p in options.regex]

    def evaluate(self, item: Item) -> list[Match]:
        # Title and text are searched as one document; a line break keeps sentences apart.
        doc = f"{item.title}\n{item.text}" if item.title else item.text
        folded = fold(doc, casefold=not self._case_sensitive)
        if any(find_term(folded, term) for term in self._none):
            return []
        hits: list[tuple[int, int]] = []
        labels: list[str] = []
        if self._any:
            found = [(label, find_term(folded, term)) for label, term in self._any]
            found = [(label, spans) for label, spans in found if spans]
            if not found:
                return []
            for label, spans in found:
                labels.append(label)
                hits += spans
        for label, term in self._all:
            spans = find_term(folded, term)
            if not spans:
                return []
            labels.append(label)
            hits += spans
        if self._regex:
            hits_before = len(hits)
            plain = fold(doc, casefold=False)
            for pattern in self._regex:
                for m in pattern.finditer(plain.text):
                    if m.end() > m.start():
                        hits.append(plain.original(m.start(), m.end()))
                        labels.append(f"/{pattern.pattern}/")
            if len(hits) == hits_before:
                return []
        evidence = _evidence(doc, hits)
        return [
            Match(
                rule_id=self.options.id,
                item_key=item.key,
                kind="keyword",
                summary=_summary(item, labels),
                evidence=evidence,
            )
        ]


def _evidence(doc: str, hits: list[tuple[int, int]]) -> tuple[str, ...]:
    out: list[str] = []
    for start, end in sentence_spans(doc):
        if any(start <= h < end for h, _ in hits) and doc[start:end] not in out:
            out.append(doc[start:end])
    return tuple(out)


def _summary(item: Item, labels: list[str]) -> str:
    title = (item.title or item.text).strip().replace("\n", " ")
    if len(title) > 160:
        title = title[:159].rstrip() + "…"
    unique = list(dict.fromkeys(labels))
    return f"{title} [{', '.join(unique)}]"
