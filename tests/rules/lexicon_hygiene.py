"""Which lexicon phrases match exactly one item of the labelled corpus.

A phrase that only one labelled text contains is either a word the corpus is too small to
show twice or a phrase lifted from that text; the second learns the item, not the language.
Shared by the hygiene test and by whoever refreshes its baseline
(``python -m tests.rules.lexicon_hygiene > tests/rules/lexicon_singletons.txt``).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.evalscore import blind, load_items

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "data" / "meetings"
LANG_DIR = ROOT / "rules" / "data" / "lang"
BASELINE = Path(__file__).with_name("lexicon_singletons.txt")


def corpus_texts() -> list[str]:
    """The texts phrases could have been learnt from: every set but the blind block.

    The blind block is never read while the lexicons are written, so it can neither have
    taught a phrase nor be allowed to excuse one; counting it would also make each new
    labelling round move this test's verdicts.
    """
    return [item["text"].casefold() for item in load_items(CORPUS) if not blind(item)]


def _strings(table: dict[str, Any], path: str) -> Iterator[tuple[str, str]]:
    for key, value in table.items():
        where = f"{path}.{key}" if path else key
        if isinstance(value, dict):
            yield from _strings(value, where)
        elif isinstance(value, list):
            yield from ((where, v) for v in value if isinstance(v, str))


def lexicon_phrases() -> Iterator[tuple[str, str]]:
    """(``lang:key``, phrase) for every phrase of every language file."""
    for path in sorted(LANG_DIR.glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for key, phrase in _strings(data, ""):
            yield f"{path.stem}:{key}", phrase


def matches(phrase: str, texts: list[str]) -> int:
    """Items containing ``phrase``; Latin phrases only as whole words ("met" is not in "metro")."""
    p = phrase.casefold().strip()
    hits = [t for t in texts if p in t]
    if not hits or not p.isascii():
        return len(hits)
    rx = re.compile(r"(?<![\w])" + re.escape(p) + r"(?![\w])")
    return sum(1 for t in hits if rx.search(t))


def singletons() -> list[str]:
    texts = corpus_texts()
    found = {
        f"{where}\t{phrase}"
        for where, phrase in lexicon_phrases()
        if len(phrase.strip()) >= 2 and matches(phrase, texts) == 1
    }
    return sorted(found)


if __name__ == "__main__":
    print("\n".join(singletons()))
