"""``python -m bench.detectdiff OUT.jsonl [BEFORE.jsonl]``: the detector's output on every item
of the labelled corpus, for checking that a change to the matcher finds exactly the same.

Writes one JSON line per item of ``data/meetings`` (every item of the dev and extra
sets, not the agreement relabellings): ``detect()``'s meetings and the gazetteer's mentions
(with and without the item's language). With ``BEFORE``, prints how many lines differ and the
first few ids. The gazetteer is built, not loaded from the cache, so the code under test is
the code that runs.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from rules.bilateral.detector import detect
from rules.bilateral.gazetteer import gazetteer
from rules.text import normalize

_CORPUS = Path(__file__).resolve().parent.parent / "data" / "meetings"
_FILES = (
    "meetings-dev.jsonl",
    "meetings-dev-2.jsonl",
    *(f"extra-lab{i}.jsonl" for i in range(1, 7)),
)


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = [_plain(x) for x in obj]
        return sorted(items, key=repr) if isinstance(obj, (set, frozenset)) else items
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)


def _mentions(text: str, lang: str | None) -> list[Any]:
    norm = normalize(text)
    return [
        [m.start, m.end, m.ostart, m.oend, [tuple(e) for e in m.entries]]
        for m in gazetteer().scan(norm, lang=lang)
    ]


def dump(out: Path) -> int:
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        for name in _FILES:
            for line in (_CORPUS / name).read_text(encoding="utf-8").splitlines():
                item = json.loads(line)
                text, lang = item["text"], item.get("lang")
                row = {
                    "id": item["id"],
                    "meetings": _plain(detect(text, lang=lang)),
                    "mentions": _mentions(text, None),
                    "mentions_lang": _mentions(text, lang),
                }
                fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True, default=str) + "\n")
                n += 1
    return n


def diff(after: Path, before: Path) -> list[str]:
    a = after.read_text(encoding="utf-8").splitlines()
    b = before.read_text(encoding="utf-8").splitlines()
    if len(a) != len(b):
        return [f"line count {len(a)} != {len(b)}"]
    return [json.loads(x)["id"] for x, y in zip(a, b, strict=True) if x != y]


def main(argv: list[str]) -> int:
    out = Path(argv[0])
    print(f"{dump(out)} items written to {out}")
    if len(argv) > 1:
        ids = diff(out, Path(argv[1]))
        print(f"{len(ids)} items differ" + (f": {', '.join(ids[:20])}" if ids else ""))
        return 1 if ids else 0
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
