"""``make eval`` (``python -m bench.eval``): score the detector on the labelled dev corpus.

The detector is run through its public contract, ``python -m monitor scan --jsonl``, in a
subprocess, exactly as an external evaluation would. Scores:

* item level, per language and overall: an item is a meeting iff its status is ``held``;
  predicted iff the scan returned at least one held meeting;
* pair level: unordered pairs of held meetings, micro-averaged over items;
* status accuracy: predicted status = held if any held meeting, else the status of the most
  confident meeting, else ``none``;
* the seed article: exactly the expected pairs, Astana where the article says so, and none of
  the pairs it must not produce.

The last six lines are a compact summary (a hook shows ``make -s eval | tail -n 6``).
``-v`` lists every item the detector got wrong.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
DEV = DATA / "meetings-dev.jsonl"
SEED = DATA / "seed-article-hi.txt"
SEED_EXPECTED = DATA / "seed-article-expected.json"


def _scan(objs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    payload = "".join(json.dumps(o, ensure_ascii=False) + "\n" for o in objs)
    proc = subprocess.run(
        [sys.executable, "-m", "monitor", "scan", "--jsonl"],
        input=payload.encode("utf-8"),
        capture_output=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"scan failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    lines = proc.stdout.decode("utf-8").splitlines()
    if len(lines) != len(objs):
        raise SystemExit(f"scan wrote {len(lines)} lines for {len(objs)} inputs")
    return [json.loads(line) for line in lines]


def _pairs(meetings: list[dict[str, Any]], status: str = "held") -> set[frozenset[str]]:
    return {frozenset(m["parties"]) for m in meetings if m["status"] == status}


def _status(meetings: list[dict[str, Any]]) -> str:
    if any(m["status"] == "held" for m in meetings):
        return "held"
    if not meetings:
        return "none"
    return str(max(meetings, key=lambda m: m["confidence"])["status"])


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(verbose: bool) -> int:
    items = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines() if line]
    t0 = time.perf_counter()
    results = _scan([{"id": it["id"], "text": it["text"], "lang": it["lang"]} for it in items])
    seed_text = SEED.read_text(encoding="utf-8")
    seed = _scan([{"id": "seed", "text": seed_text, "lang": "hi"}])[0]
    elapsed = time.perf_counter() - t0

    by_lang: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # tp fp fn n
    ptp = pfp = pfn = 0
    status_ok = 0
    errors: list[str] = []
    for it, res in zip(items, results, strict=True):
        meetings = res.get("meetings", [])
        gold = it["status"] == "held"
        pred = any(m["status"] == "held" for m in meetings)
        row = by_lang[it["lang"]]
        row[3] += 1
        row[0] += gold and pred
        row[1] += pred and not gold
        row[2] += gold and not pred
        gp = {frozenset(p) for p in it["parties"]} if gold else set()
        pp = _pairs(meetings)
        ptp += len(gp & pp)
        pfp += len(pp - gp)
        pfn += len(gp - pp)
        st = _status(meetings)
        status_ok += st == it["status"]
        if verbose and (gold != pred or gp != pp or st != it["status"]):
            got = [f"{'-'.join(sorted(m['parties']))}:{m['status']}" for m in meetings]
            want = ["-".join(sorted(p)) for p in it["parties"]]
            errors.append(
                f"{it['id']} [{it['lang']}] want {it['status']} {want} got {st} {got}\n"
                f"    {it['text'][:220]}\n    ({it['why'][:120]})"
            )

    seed_ok, seed_notes = _check_seed(seed)
    print(f"Dev corpus: {DEV} ({len(items)} items); scan time {elapsed:.1f}s")
    print(f"{'lang':<6}{'n':>4}{'P':>7}{'R':>7}{'F1':>7}")
    low = []
    for lang in sorted(by_lang, key=lambda k: -by_lang[k][3]):
        tp, fp, fn, n = by_lang[lang]
        p, r, f = _f1(tp, fp, fn)
        print(f"{lang:<6}{n:>4}{p:>7.2f}{r:>7.2f}{f:>7.2f}")
        if n >= 5 and f < 0.8:
            low.append(f"{lang}={f:.2f}")
    if verbose:
        print("\n".join(["", "Errors:", *errors]) if errors else "\nNo errors.")
        for note in seed_notes:
            print(f"seed: {note}")
    tp = sum(v[0] for v in by_lang.values())
    fp = sum(v[1] for v in by_lang.values())
    fn = sum(v[2] for v in by_lang.values())
    p, r, f = _f1(tp, fp, fn)
    pp_, pr_, pf_ = _f1(ptp, pfp, pfn)
    acc = status_ok / len(items)
    ok = f >= 0.92 and pf_ >= 0.90 and acc >= 0.85 and not low and seed_ok
    print("--- summary ---")
    print(f"item   P={p:.3f} R={r:.3f} F1={f:.3f}  (target F1>=0.92)")
    print(f"pairs  P={pp_:.3f} R={pr_:.3f} F1={pf_:.3f}  (target >=0.90)")
    print(f"status accuracy {acc:.3f} (target >=0.85); weak languages: {', '.join(low) or 'none'}")
    print(f"seed article: {'OK' if seed_ok else 'FAIL ' + '; '.join(seed_notes)}")
    print(f"overall: {'PASS' if ok else 'BELOW TARGET'} ({len(items)} items, {elapsed:.1f}s)")
    return 0


def _check_seed(res: dict[str, Any]) -> tuple[bool, list[str]]:
    expected = json.loads(SEED_EXPECTED.read_text(encoding="utf-8"))
    meetings = res.get("meetings", [])
    got = _pairs(meetings)
    want = {frozenset(p) for p in expected["pairs"]}
    notes = []
    if got != want:
        notes.append(
            f"pairs {sorted('-'.join(sorted(p)) for p in got)} != "
            f"{sorted('-'.join(sorted(p)) for p in want)}"
        )
    bad = {frozenset(p) for p in expected["must_not_include_pairs"]} & {
        frozenset(m["parties"]) for m in meetings
    }
    if bad:
        notes.append(f"forbidden pairs {sorted('-'.join(sorted(p)) for p in bad)}")
    for exp in expected["meetings"]:
        if exp.get("location_basis") != "explicit":
            continue
        mine = [m for m in meetings if frozenset(m["parties"]) == frozenset(exp["parties"])]
        if not mine or mine[0]["location"] != exp["location"]:
            where = mine[0]["location"] if mine else "missing"
            notes.append(f"{'-'.join(exp['parties'])} location {where} != {exp['location']}")
    return not notes, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.eval")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the errors")
    args = parser.parse_args(argv)
    if not DEV.exists():
        print(
            f"bench.eval needs the dev corpus at {DEV} (../shared/data/meetings-dev.jsonl "
            "relative to the repository root); it is not part of this repository.",
            file=sys.stderr,
        )
        return 2
    return evaluate(args.verbose)


if __name__ == "__main__":
    raise SystemExit(main())
