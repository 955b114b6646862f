"""Traditional Chinese read as simplified.

A text from Taipei or Hong Kong writes 會談, 視頻, 老撾 where the lexicons and CLDR's
``zh`` names have 会谈, 视频, 老挝. A Chinese text is read with its traditional characters
folded to simplified ones (OpenCC's one-to-one table, ``rules/data/zh-hant.txt``), and every
pattern with Han characters outside the Japanese lexicon is also stored in that fold.
Japanese keeps its own characters: its texts are never folded so, and its patterns get no
folded copy, so a Japanese word never collides with the Chinese one it resembles.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rules.text import Normalized

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff]")


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    path = Path(__file__).resolve().parent.parent / "data" / "zh-hant.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return {ord(line[0]): line[1] for line in lines if line and not line.startswith("#")}


def has_han(text: str) -> bool:
    return not text.isascii() and _HAN.search(text) is not None


def simplified_text(text: str) -> str:
    """``text`` with its traditional characters replaced, letter for letter."""
    return text.translate(_table()) if has_han(text) else text


def simplified(norm: Normalized) -> Normalized:
    """The same fold with traditional characters simplified (offsets are unchanged)."""
    folded = simplified_text(norm.folded)
    if folded == norm.folded:
        return norm  # the same object: callers test identity to skip a second pass
    return Normalized(norm.original, folded, norm.starts, norm.ends)


def reads_simplified(lang: str | None) -> bool:
    return lang is not None and lang.split("-")[0] == "zh"
