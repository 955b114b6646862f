"""Character classes ``rules.text`` derives from the Unicode database, stored per version.

Deriving them means asking ``unicodedata`` about every character of the Basic Multilingual
Plane: about 45 ms at every start of a process that folds non-ASCII text, for a result that
only changes with Python's Unicode version. The classes for the versions listed in
``STORED`` are kept here as code-point ranges (``python -m rules.unitables`` prints the entry
for the running Python); any other version derives them as before.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# Unicode version -> (NFKC may change, casefolds to several), each "start-end start ..." in hex.
STORED: dict[str, tuple[str, str]] = {
    "14.0.0": (
        (
            "a0 a8 aa af b2-b5 b8-ba bc-be 132-133 13f-140 149 17f 1c4-1cc 1f1-1f3 2b0-2b8 "
            "2d8-2dd 2e0-2e4 300-304 306-30c 30f 311 313-314 31b 323-328 32d-32e 330-331 338 "
            "340-345 374 37a 37e 384-385 387 3d0-3d6 3f0-3f2 3f4-3f5 3f9 587 653-655 675-678 "
            "93c 958-95f 9be 9d7 9dc-9dd 9df a33 a36 a59-a5b a5e b3e b56-b57 b5c-b5d bbe bd7 "
            "c56 cc2 cd5-cd6 d3e d57 dca dcf ddf e33 eb3 edc-edd f0c f43 f4d f52 f57 f5c f69 "
            "f73 f75-f79 f81 f93 f9d fa2 fa7 fac fb9 102e 10fc 1b35 1d2c-1d2e 1d30-1d3a "
            "1d3c-1d4d 1d4f-1d6a 1d78 1d9b-1dbf 1e9a-1e9b 1f71 1f73 1f75 1f77 1f79 1f7b 1f7d "
            "1fbb 1fbd-1fc1 1fc9 1fcb 1fcd-1fcf 1fd3 1fdb 1fdd-1fdf 1fe3 1feb 1fed-1fef 1ff9 "
            "1ffb 1ffd-1ffe 2000-200a 2011 2017 2024-2026 202f 2033-2034 2036-2037 203c 203e "
            "2047-2049 2057 205f 2070-2071 2074-208e 2090-209c 20a8 2100-2103 2105-2107 "
            "2109-2113 2115-2116 2119-211d 2120-2122 2124 2126 2128 212a-212d 212f-2131 "
            "2133-2139 213b-2140 2145-2149 2150-217f 2189 222c-222d 222f-2230 2329-232a "
            "2460-24ea 2a0c 2a74-2a76 2adc 2c7c-2c7d 2d6f 2e9f 2ef3 2f00-2fd5 3000 3036 "
            "3038-303a 3099-309c 309f 30ff 3131-318e 3192-319f 3200-321e 3220-3247 3250-327e "
            "3280-33ff a69c-a69d a770 a7f2-a7f4 a7f8-a7f9 ab5c-ab5f ab69 f900-fa0d fa10 fa12 "
            "fa15-fa1e fa20 fa22 fa25-fa26 fa2a-fa6d fa70-fad9 fb00-fb06 fb13-fb17 fb1d "
            "fb1f-fb36 fb38-fb3c fb3e fb40-fb41 fb43-fb44 fb46-fbb1 fbd3-fd3d fd50-fd8f "
            "fd92-fdc7 fdf0-fdfc fe10-fe19 fe30-fe44 fe47-fe52 fe54-fe66 fe68-fe6b fe70-fe72 "
            "fe74 fe76-fefc ff01-ffbe ffc2-ffc7 ffca-ffcf ffd2-ffd7 ffda-ffdc ffe0-ffe6 "
            "ffe8-ffee "
        ),
        (
            "df 130 149 1f0 390 3b0 587 1e96-1e9a 1e9e 1f50 1f52 1f54 1f56 1f80-1faf "
            "1fb2-1fb4 1fb6-1fb7 1fbc 1fc2-1fc4 1fc6-1fc7 1fcc 1fd2-1fd3 1fd6-1fd7 1fe2-1fe4 "
            "1fe6-1fe7 1ff2-1ff4 1ff6-1ff7 1ffc fb00-fb06 fb13-fb17 "
        ),
    ),
}


def derive_nfkc_changes() -> set[int]:
    """BMP characters NFKC may change: those with a compatibility or canonical decomposition,
    plus the marks that can compose with the character before them (NFC "maybe")."""
    chars: set[int] = set()
    for cp in range(0x80, 0x10000):
        if 0xD800 <= cp < 0xE000:
            continue
        c = chr(cp)
        if unicodedata.normalize("NFKC", c) != c:
            chars.add(cp)
        parts = unicodedata.decomposition(c).split()
        if len(parts) == 2 and not parts[0].startswith("<"):
            second = chr(int(parts[1], 16))
            if unicodedata.normalize("NFC", chr(int(parts[0], 16)) + second) == c:
                chars.add(ord(second))
    return chars


def derive_expands() -> set[int]:
    """BMP characters that casefold to more than one character ("ß" -> "ss")."""
    return {cp for cp in range(0x80, 0x10000) if len(chr(cp).casefold()) > 1}


def _encode(chars: set[int]) -> str:
    ordered = sorted(chars)
    runs: list[str] = []
    start = prev = ordered[0]
    for cp in [*ordered[1:], -1]:
        if cp != prev + 1:
            runs.append(f"{start:x}-{prev:x}" if prev > start else f"{start:x}")
            start = cp
        prev = cp
    return " ".join(runs)


def _decode(runs: str) -> set[int]:
    out: set[int] = set()
    for run in runs.split():
        first, _, last = run.partition("-")
        out.update(range(int(first, 16), int(last or first, 16) + 1))
    return out


@lru_cache(maxsize=1)
def nfkc_changes() -> frozenset[int]:
    stored = STORED.get(unicodedata.unidata_version)
    return frozenset(_decode(stored[0]) if stored else derive_nfkc_changes())


@lru_cache(maxsize=1)
def expands() -> frozenset[int]:
    stored = STORED.get(unicodedata.unidata_version)
    return frozenset(_decode(stored[1]) if stored else derive_expands())


def entry() -> str:
    """The ``STORED`` entry for the running Python's Unicode version."""
    lines = [f'    "{unicodedata.unidata_version}": (']
    for chars in (derive_nfkc_changes(), derive_expands()):
        quoted = [f'            "{chunk} "' for chunk in _chunks(_encode(chars))]
        lines += ["        (", *quoted, "        ),"]
    return "\n".join([*lines, "    ),"])


def _chunks(runs: str, width: int = 80) -> list[str]:
    out: list[str] = []
    for run in runs.split():
        if out and len(out[-1]) + len(run) < width:
            out[-1] += " " + run
        else:
            out.append(run)
    return out


if __name__ == "__main__":
    print(entry())
