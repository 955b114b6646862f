"""The lexicon's record types: the kinds of entry, the flags on a surface form, the entry
itself, and the reader of the TOML files in ``rules/data/``. Kept apart from the loaders
(``rules.bilateral.lexicon``, ``rules.bilateral.lexicon_actors``) so that both can use them.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any, NamedTuple

# Entry kinds.
COUNTRY = 1
DEMONYM = 2
CAPITAL = 3
CITY = 4
BUILDING = 5
REGION = 6
ORG = 7
FORUM = 8
PERSON = 9
HANDLE = 10
ROLE = 11
TRIGGER = 12
CUE = 13
BLOCK = 14
COMPOUND = 15
FLAG = 16

# Surface flags.
CASE_EXACT = 1  # acronyms: "US" matches, "us"/"Us" do not
CAP_INITIAL = 2  # Latin proper names: "Turkey" and "TURKEY", not "turkey"
OPEN_END = 4  # stems and agglutinating scripts: letters may follow
NEED_NEXT = 8  # CJK country-pair compounds: a diplomatic noun must follow
SAME_CASE = 16  # false friends ("Russia Today", "Times of India") match only as written
NAME_PART = 32  # also a given name (vi "Đức", "Nga", "Anh"): not after a capitalised word
BEFORE_HYPHEN = 64  # a combining form ("franco-", "sino-"): only joined to the next word


class Entry(NamedTuple):
    kind: int
    value: str  # a party code, role class, trigger status, cue name or person id
    lang: str  # language of the lexicon it came from ("" = any)
    extra: str  # role: implied country; place: canonical name; org: "party"/""


def data_file(path: str) -> dict[str, Any]:
    text = resources.files("rules").joinpath(f"data/{path}").read_text(encoding="utf-8")
    return tomllib.loads(text)
