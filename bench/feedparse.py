"""Feed parsing throughput: ``parse_feed`` against raw fastfeedparser and raw feedparser.

Workloads: a generated RSS 2.0 feed of 50 items x 400 words (HTML descriptions), and the
real-world fixture feeds in ``tests/fixtures/feeds`` (news, gov, encoding, quirks, large).
Each document gets a unique trailing comment per repetition: fastfeedparser memoises its
last parses by content (``lru_cache``), which would otherwise turn repeats into cache hits.
``parse_feed`` does more than either parser (decoding, the entity check, a well-formedness
check, dates, HTML -> text, ids, links); the ratios say what that costs.
"""

from __future__ import annotations

import random
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import fastfeedparser
import feedparser

from adapters.feed import FeedError, ParsedFeed, parse_feed

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "feeds"
FAMILIES = ("news", "gov", "encoding", "quirks", "large")
_WORDS = [
    *("minister", "meeting", "bilateral", "talks", "foreign", "delegation", "summit"),
    *("trade", "border", "security", "cooperation", "agreement", "visit", "capital"),
    *("statement", "press", "officials", "counterpart", "defence", "energy", "climate"),
]


def generated_feed(items: int = 50, words: int = 400, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        "<title>Generated</title><link>https://news.example/</link><language>en</language>"
    ]
    for n in range(items):
        text = " ".join(rng.choice(_WORDS) for _ in range(words))
        half = len(text) // 2
        parts.append(
            f"<item><title>Item {n}: {' '.join(rng.choice(_WORDS) for _ in range(8))}</title>"
            f"<link>https://news.example/story/{n}</link><guid>https://news.example/story/{n}</guid>"
            f"<pubDate>Tue, 05 Apr 2022 10:{n % 60:02d}:42 GMT</pubDate>"
            f"<description><![CDATA[<p>{text[:half]}</p><p><b>{text[half:]}</b></p>]]>"
            "</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def _variants(doc: bytes, count: int) -> list[bytes]:
    return [doc + f"<!-- {n} -->".encode() for n in range(count)]


def _time_per_doc(fn: Callable[[bytes], object], docs: list[bytes]) -> float:
    """Median CPU seconds of this process per call over ``docs`` (each used once): on a
    machine shared with other work, wall time counts their turns on the cores too."""
    times: list[float] = []
    for doc in docs:
        start = time.process_time()
        fn(doc)
        times.append(time.process_time() - start)
    return statistics.median(times)


def _ours(doc: bytes) -> ParsedFeed:
    return parse_feed(doc, url="https://news.example/feed.xml", source_id="bench")


def _ffp(doc: bytes) -> object:
    return fastfeedparser.parse(doc)


def _fp(doc: bytes) -> object:
    return feedparser.parse(doc)


def _real_documents() -> list[tuple[str, bytes]]:
    docs: list[tuple[str, bytes]] = []
    for family in FAMILIES:
        for path in sorted((FIXTURES / family).glob("*.xml")):
            docs.append((f"{family}/{path.name}", path.read_bytes()))
    return docs


def run(quick: bool = False) -> str:
    reps, slow_reps = (5, 2) if quick else (41, 5)
    warnings.simplefilter("ignore")  # feedparser and dateutil chatter; not what we measure
    lines = ["## Feed parsing (`bench/feedparse.py`)", ""]
    lines.append(
        "Items per CPU second (median CPU time of the process per document; each repetition "
        "parses a distinct copy). "
        "`parse_feed` = decode + entity check + well-formedness check + fastfeedparser (or "
        "feedparser) + dates + HTML to text + ids and links."
    )
    lines.append("")
    lines.append(
        "| workload | items | parse_feed items/s | fastfeedparser items/s | feedparser items/s "
        "| parse_feed vs feedparser | parse_feed vs fastfeedparser |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|---:|")

    generated = generated_feed()
    n_items = len(_ours(generated).items)
    ours = _time_per_doc(_ours, _variants(generated, reps))
    ffp = _time_per_doc(_ffp, _variants(generated, reps))
    fp = _time_per_doc(_fp, _variants(generated, slow_reps))
    lines.append(
        f"| generated 50 items x 400 words ({len(generated) // 1024} KB) | {n_items} | "
        f"{n_items / ours:,.0f} | {n_items / ffp:,.0f} | {n_items / fp:,.0f} | "
        f"{fp / ours:.1f}x faster | {ours / ffp:.2f}x the time |"
    )

    totals = {"ours": 0.0, "ffp": 0.0, "fp": 0.0}
    items = 0
    fallbacks: list[str] = []
    readable = 0
    overhead_us: list[float] = []
    for name, doc in _real_documents():
        try:
            parsed = _ours(doc)
        except FeedError:
            continue  # not a feed (the HTML page): nothing to compare
        readable += 1
        count = len(parsed.items)
        if parsed.parser != "fastfeedparser":
            fallbacks.append(name)
        t_ours = _time_per_doc(_ours, _variants(doc, max(3, reps // 4)))
        t_ffp = _time_per_doc(_ffp, _variants(doc, max(3, reps // 4)))
        t_fp = _time_per_doc(_fp, _variants(doc, slow_reps))
        totals["ours"] += t_ours
        totals["ffp"] += t_ffp
        totals["fp"] += t_fp
        items += count
        overhead_us.append((t_ours - t_ffp) * 1e6)
    lines.append(
        f"| {readable} real fixture feeds, summed | {items} | {items / totals['ours']:,.0f} | "
        f"{items / totals['ffp']:,.0f} | {items / totals['fp']:,.0f} | "
        f"{totals['fp'] / totals['ours']:.1f}x faster | "
        f"{totals['ours'] / totals['ffp']:.2f}x the time |"
    )
    lines.append("")
    lines.append(
        f"Fallback rate on the real fixtures: {len(fallbacks)} of {readable} documents "
        f"({100 * len(fallbacks) / max(readable, 1):.0f}%) went to feedparser: "
        + (", ".join(f"`{n}`" for n in fallbacks) or "none")
        + "."
    )
    lines.append(
        f"Per-document cost of `parse_feed` over raw fastfeedparser on those feeds: median "
        f"{statistics.median(overhead_us):,.0f} µs of CPU."
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run(quick=True))
