"""Two trees' ``parse_feed`` side by side in one process: outputs compared, CPU alternated.

Not a ``make bench`` module (it needs a second tree). ``python bench/feedab.py BEFORE AFTER
compare`` loads ``adapters.feedreader`` from each tree (module caches emptied in between, so
each function keeps its own tree's modules) and diffs what they give on every fixture feed
under ``tests/fixtures/feeds`` and on variants of each (truncated, junk after the root,
HTML entities added to the text) plus the generated feed of ``bench/feedparse.py``, and
``html_to_text`` / ``html_to_texts`` on fragments taken from those feeds.
``... time [ROUNDS]`` alternates the two trees and fastfeedparser document by document
(a distinct copy of each document per call: fastfeedparser memoises by content) and prints,
per round, the CPU summed over the 32 real feeds and over the generated feed, then medians.
``... tight [ROUNDS]`` measures as ``bench/feedparse.py`` does (copies of one document in a
row, the median call), the trees taking turns document by document. The two modes differ:
interleaved, each parser starts with caches the others filled.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_TOPS = ("adapters", "monitor", "rules", "bench")
FETCHED = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _purge() -> None:
    for name in [m for m in sys.modules if m.split(".", 1)[0] in _TOPS]:
        del sys.modules[name]


def load(tree: str) -> dict[str, Any]:
    """The functions of ``tree``, imported afresh."""
    _purge()
    sys.path.insert(0, tree)
    try:
        feedreader = importlib.import_module("adapters.feedreader")
        htmltext = importlib.import_module("adapters.htmltext")
        bench = importlib.import_module("bench.feedparse")
        return {
            "parse_feed": feedreader.parse_feed,
            "FeedError": importlib.import_module("adapters.feedtypes").FeedError,
            "html_to_text": htmltext.html_to_text,
            "html_to_texts": htmltext.html_to_texts,
            "generated": bench.generated_feed(),
            "real": bench._real_documents(),
        }
    finally:
        sys.path.remove(tree)
        _purge()


def _outcome(fns: dict[str, Any], doc: bytes, **kw: Any) -> Any:
    try:
        parsed = fns["parse_feed"](
            doc, url="https://news.example/feed.xml", source_id="ab", fetched_at=FETCHED, **kw
        )
    except fns["FeedError"] as exc:
        return {"error": str(exc)}
    return {
        "title": parsed.title,
        "lang": parsed.lang,
        "ttl_s": parsed.ttl_s,
        "entries": parsed.entries,
        "notes": list(parsed.notes),
        "parser": parsed.parser,
        "link": parsed.link,
        "items": [i.to_json() for i in parsed.items],
    }


_TEXT = re.compile(rb">([^<>]{12,})<")


def variants(name: str, doc: bytes) -> list[tuple[str, bytes]]:
    out = [(name, doc)]
    for frac in (0.3, 0.5, 0.8, 0.97):
        out.append((f"{name} [cut {frac}]", doc[: int(len(doc) * frac)]))
    out.append((f"{name} [junk after]", doc.rstrip() + b"\n<p>trailing junk</p>&nbsp;"))
    out.append((f"{name} [comment after]", doc.rstrip() + b"\n<!-- cached 0.2 s -->\n"))
    ents = (b"&nbsp;", b"&eacute;", b" & ", b"&amp;", b"&#8217;", b"&hellip;", b"&lt;b&gt;")
    count = 0

    def add(m: re.Match[bytes]) -> bytes:
        nonlocal count
        count += 1
        return b">" + m.group(1)[:6] + ents[count % len(ents)] + m.group(1)[6:] + b"<"

    out.append((f"{name} [entities]", _TEXT.sub(add, doc)))
    out.append((f"{name} [cdata entities]", doc.replace(b"<![CDATA[", b"<![CDATA[&eacute;&amp; ")))
    return out


def _fixture_docs(tree: str) -> list[tuple[str, bytes]]:
    root = Path(tree) / "tests" / "fixtures" / "feeds"
    return [
        (str(p.relative_to(root)), p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.suffix in (".xml", ".json")
    ]


def _fragments(docs: list[tuple[str, bytes]], fns: dict[str, Any]) -> list[list[str]]:
    """Each document's descriptions/titles as fastfeedparser reads them (HTML fragments)."""
    import fastfeedparser

    groups: list[list[str]] = []
    for _, doc in docs:
        try:
            parsed = fastfeedparser.parse(doc)
        except Exception:
            continue
        group: list[str] = []
        for e in parsed.get("entries") or ():
            for key in ("title", "description"):
                if isinstance(e.get(key), str):
                    group.append(e[key])
            for c in e.get("content") or ():
                if isinstance(c, dict) and isinstance(c.get("value"), str):
                    group.append(c["value"])
        groups.append(group)
    return groups


def compare(before: str, after: str) -> int:
    warnings.simplefilter("ignore")
    a, b = load(before), load(after)
    docs = [*_fixture_docs(after), ("generated", b["generated"])]
    cases = [v for name, doc in docs for v in variants(name, doc)]
    diffs = 0
    for name, doc in cases:
        for kw in ({}, {"force_feedparser": True}):
            x, y = _outcome(a, doc, **kw), _outcome(b, doc, **kw)
            if x != y:
                diffs += 1
                print(f"DIFF {name} {kw}:")
                print(f"  before {json.dumps(x)[:600]}\n  after  {json.dumps(y)[:600]}")
    groups = _fragments(docs, a)
    frags = 0
    for group in groups:
        frags += len(group)
        if a["html_to_texts"](group) != b["html_to_texts"](group):
            diffs += 1
            print(f"DIFF html_to_texts on a group of {len(group)}")
        for f in group:
            if a["html_to_text"](f) != b["html_to_text"](f):
                diffs += 1
                print(f"DIFF html_to_text {f[:200]!r}")
    print(
        f"{len(cases)} documents x 2 paths, {frags} fragments (html_to_text and in {len(groups)}"
        f" groups html_to_texts): {diffs} differences"
    )
    return 1 if diffs else 0


def _cpu(fn: Callable[[bytes], object], doc: bytes) -> float:
    start = time.process_time()
    fn(doc)
    return time.process_time() - start


def _contenders(
    before: str, after: str
) -> tuple[list[bytes], bytes, dict[str, Callable[[bytes], object]]]:
    """The real feeds the new tree parses, the generated one, and the three parsers to time."""
    import fastfeedparser

    warnings.simplefilter("ignore")
    a, b = load(before), load(after)
    real = []
    for _, doc in b["real"]:
        try:
            b["parse_feed"](doc, url="https://news.example/feed.xml", source_id="ab")
        except b["FeedError"]:
            continue
        real.append(doc)
    fns: dict[str, Callable[[bytes], object]] = {
        "before": lambda d: a["parse_feed"](d, url="https://news.example/feed.xml", source_id="x"),
        "after": lambda d: b["parse_feed"](d, url="https://news.example/feed.xml", source_id="x"),
        "ffp": fastfeedparser.parse,
    }
    return real, b["generated"], fns


def timing(before: str, after: str, rounds: int) -> None:
    real, generated, fns = _contenders(before, after)
    order = list(fns)
    stamp = 0
    results: dict[str, list[dict[str, float]]] = {"real": [], "generated": []}
    for r in range(rounds + 1):
        for workload, docs in (("real", real), ("generated", [generated] * 5)):
            sums = dict.fromkeys(fns, 0.0)
            for doc in docs:
                for key in order:
                    stamp += 1
                    sums[key] += _cpu(fns[key], doc + f"<!-- {stamp} -->".encode())
                order = order[1:] + order[:1]  # rotate who goes first
            results[workload].append(sums)
        load_avg = os.getloadavg()[0]
        if r == 0:  # a warm-up round: first calls fill caches (stylesheets, regexes, dates)
            results = {w: [] for w in results}
            continue
        line = "; ".join(f"{w}: {_ratios(s[-1])}" for w, s in results.items())
        print(f"round {r}: load {load_avg:.2f}; {line}", flush=True)
    for workload, rows in results.items():
        med = {k: statistics.median(r[k] for r in rows) * 1e3 for k in fns}
        ratios = {
            "after/before": statistics.median(r["after"] / r["before"] for r in rows),
            "before/ffp": statistics.median(r["before"] / r["ffp"] for r in rows),
            "after/ffp": statistics.median(r["after"] / r["ffp"] for r in rows),
        }
        print(
            f"median {workload} ({len(rows)} rounds): "
            + "; ".join(f"{k} {v:.3f}" for k, v in ratios.items())
            + "; CPU ms per round "
            + ", ".join(f"{k} {v:.1f}" for k, v in med.items())
        )
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _ratios(sums: dict[str, float]) -> str:
    return (
        f"after/before {sums['after'] / sums['before']:.3f}, "
        f"before/ffp {sums['before'] / sums['ffp']:.2f}x, "
        f"after/ffp {sums['after'] / sums['ffp']:.2f}x"
    )


def tight(before: str, after: str, rounds: int) -> None:
    """As ``bench/feedparse.py`` measures (the median CPU of one call over copies of one
    document parsed in a row, summed over the documents), the two trees and fastfeedparser
    taking turns document by document."""
    real, generated, fns = _contenders(before, after)
    stamp = 0

    def median_cpu(fn: Callable[[bytes], object], doc: bytes, copies: int) -> float:
        nonlocal stamp
        times = []
        for _ in range(copies):
            stamp += 1
            times.append(_cpu(fn, doc + f"<!-- {stamp} -->".encode()))
        return statistics.median(times)

    results: dict[str, list[dict[str, float]]] = {"real": [], "generated": []}
    order = list(fns)
    for r in range(rounds + 1):
        for workload, docs, copies in (("real", real, 7), ("generated", [generated], 21)):
            sums = dict.fromkeys(fns, 0.0)
            for doc in docs:
                for key in order:
                    sums[key] += median_cpu(fns[key], doc, copies)
                order = order[1:] + order[:1]
            results[workload].append(sums)
        if r == 0:
            results = {w: [] for w in results}
            continue
        line = "; ".join(f"{w}: {_ratios(s[-1])}" for w, s in results.items())
        print(f"round {r}: load {os.getloadavg()[0]:.2f}; {line}", flush=True)
    for workload, rows in results.items():
        print(
            f"median {workload} ({len(rows)} rounds): "
            f"after/before {statistics.median(r['after'] / r['before'] for r in rows):.3f}; "
            f"before/ffp {statistics.median(r['before'] / r['ffp'] for r in rows):.3f}; "
            f"after/ffp {statistics.median(r['after'] / r['ffp'] for r in rows):.3f}"
        )
    print(f"load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    before_tree, after_tree, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    if mode == "compare":
        sys.exit(compare(before_tree, after_tree))
    rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 12
    (tight if mode == "tight" else timing)(before_tree, after_tree, rounds)
