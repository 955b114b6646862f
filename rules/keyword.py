"""The ``keyword`` rule: terms and regular expressions over an item's title and text.

Pure and self-explaining: every match carries the sentences that contain its hits, as exact
substrings of the item's original title or text.

Matching is Unicode-aware and shares the detector's text handling (``rules.text``):
- text and terms are folded the same way (``rules.text.normalize``: NFKC, casefold unless
  ``case_sensitive``, invisible joiners, soft hyphens and nukta removed, dashes and quotes
  unified), so "फ़्रांस" and "फ्रांस" are one term; an offset map points hits back into the
  original text;
- word boundaries are script-aware (``rules.text.boundary_before/after``): a letter, digit or
  combining mark next to a hit is not a boundary, so a Devanagari vowel sign or virama after
  "भारत" means a longer word ("भारतीय", Indian) and "भारत" does not match it (Python's ``\\b``
  gets this wrong: vowel signs are not ``\\w``); Han, kana, Thai, Lao, Myanmar and Khmer
  need no boundary; Arabic proclitics may precede a term ("والصين"); Hangul terms need none
  on the right, where Korean attaches particles ("인도는");
- evidence sentences come from ``rules.sentences`` (initials, abbreviations, ।, 。, ؟ ...).

``any``: at least one term; ``all``: every term; ``none``: no term; ``regex``: at least one
pattern (searched in the text folded like the terms but keeping case, and matched
case-insensitively unless ``case_sensitive``). The given conditions must all hold.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator, Field, field_validator, model_validator

from monitor.model import Item, Match
from rules.base import RuleOptions
from rules.sentences import SentenceFinder, split_sentences
from rules.text import (
    SCRIPT_HANGUL,
    Normalized,
    boundary_after,
    boundary_before,
    normalize,
    script_of,
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
# Whole-word search in folded text


# Thai, Lao, Myanmar and Khmer are written without spaces between words: a term in them
# needs no boundary (a keyword rule cannot segment them; the detector does not read them).
_NO_SPACE = re.compile("[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]")


def find_term(norm: Normalized, term: str) -> list[tuple[int, int]]:
    """Original-text spans where the (already folded) ``term`` occurs as a whole word."""
    return _Term("", term).find(norm)


class _Term:
    """A folded term with its boundary needs, decided once per rule, not once per item."""

    __slots__ = ("free_end", "free_start", "label", "term")

    def __init__(self, label: str, term: str) -> None:
        self.label = label
        self.term = term
        self.free_start = bool(term) and _NO_SPACE.match(term[0]) is not None
        self.free_end = bool(term) and (
            _NO_SPACE.match(term[-1]) is not None or script_of(term[-1]) == SCRIPT_HANGUL
        )

    def find(self, norm: Normalized) -> list[tuple[int, int]]:
        """Original-text spans where the term occurs as a whole word."""
        term = self.term
        text = norm.folded
        pos = text.find(term) if term else -1
        if pos < 0:
            return []
        return _spans(norm, term, pos, self.free_start, self.free_end)


def _spans(
    norm: Normalized, term: str, pos: int, free_start: bool, free_end: bool
) -> list[tuple[int, int]]:
    hits = []
    text = norm.folded
    while pos >= 0:
        end = pos + len(term)
        if (free_start or boundary_before(text, pos)) and (free_end or boundary_after(text, end)):
            hits.append(norm.span(pos, end))
        pos = text.find(term, pos + 1)
    return hits


# ---------------------------------------------------------------------------------------------
# The rule


class KeywordRule:
    """Matches an item when its terms/patterns say so; one Match per item at most."""

    type_name: ClassVar[str] = "keyword"
    # Built whole in __init__ and fast per item: the daemon may run it on the event loop
    # for a small feed when the worker pool is idle (``monitor.pipeline.feedjob``).
    inline_ok: ClassVar[bool] = True
    Options: ClassVar[type[RuleOptions]] = KeywordOptions

    def __init__(self, options: RuleOptions) -> None:
        if not isinstance(options, KeywordOptions):
            raise TypeError("KeywordRule needs KeywordOptions")
        self.options: RuleOptions = options
        self._case_sensitive = options.case_sensitive
        cf = not options.case_sensitive
        self._any = [_Term(t, normalize(t.strip(), casefold=cf).folded) for t in options.any]
        self._all = [_Term(t, normalize(t.strip(), casefold=cf).folded) for t in options.all]
        self._none = [_Term(t, normalize(t.strip(), casefold=cf).folded) for t in options.none]
        flags = 0 if options.case_sensitive else re.IGNORECASE
        self._regex = [re.compile(p, flags) for p in options.regex]

    def warm(self) -> None:
        return None  # everything is compiled in __init__

    def evaluate(self, item: Item) -> list[Match]:
        # Title and text are searched as one document; a line break keeps sentences apart.
        doc = f"{item.title}\n{item.text}" if item.title else item.text
        folded = normalize(doc, casefold=not self._case_sensitive)
        if any(term.find(folded) for term in self._none):
            return []
        hits: list[tuple[int, int]] = []
        labels: list[str] = []
        if self._any:
            found = [(term.label, spans) for term in self._any if (spans := term.find(folded))]
            if not found:
                return []
            for label, spans in found:
                labels.append(label)
                hits += spans
        for term in self._all:
            spans = term.find(folded)
            if not spans:
                return []
            labels.append(term.label)
            hits += spans
        if self._regex:
            hits_before = len(hits)
            plain = normalize(doc, casefold=False)
            for pattern in self._regex:
                for m in pattern.finditer(plain.folded):
                    if m.end() > m.start():
                        hits.append(plain.span(m.start(), m.end()))
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
    """The sentences holding a hit, in document order, each once. Only the sentences around
    the hits are decided (``SentenceFinder``), not every sentence of the document; a hit that
    starts on punctuation (a regex's) may sit inside a stop, so then every sentence is."""
    if all(doc[h].isalnum() for h, _ in hits):
        finder = SentenceFinder(doc)
        found = {finder.around(h) for h, _ in hits}
        spans = sorted((s.start, s.end) for s in found if s.end > s.start)
    else:
        spans = [
            (s.start, s.end)
            for s in split_sentences(doc)
            if any(s.start <= h < s.end for h, _ in hits)
        ]
    out: list[str] = []
    for start, end in spans:
        if doc[start:end] not in out:
            out.append(doc[start:end])
    return tuple(out)


def _summary(item: Item, labels: list[str]) -> str:
    title = (item.title or item.text).strip().replace("\n", " ")
    if len(title) > 160:
        title = title[:159].rstrip() + "…"
    unique = list(dict.fromkeys(labels))
    return f"{title} [{', '.join(unique)}]"
