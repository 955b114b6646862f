"""``make eval`` (``python -m bench.eval``): score the detector on the labelled corpus.

The detector is run through its public contract, ``python -m monitor scan --jsonl``, in a
subprocess, exactly as an external evaluation would. Scores:

* item level, per language and overall: an item is a meeting iff its status is ``held``;
  predicted iff the scan returned at least one held meeting;
* pair level: unordered pairs of held meetings, micro-averaged over items;
* status accuracy: predicted status = held if any held meeting, else the status of the most
  confident meeting, else ``none``;
* the seed article: exactly the expected pairs, Astana where the article says so, and none of
  the pairs it must not produce.

The corpus is ``data/meetings/`` (see its README). Figures are printed per block: the items
the lexicons were developed on (and the model trained on), a held-out half of
``meetings-dev-2`` split by publisher (``bench.evalscore.held_out``), and the blind sets
labelled last (``bench.evalscore.blind``), which neither the grammar nor the model saw; the
summary is over the held-out and blind blocks together. Earlier blind sets the model now
trains on (``bench.evalscore.unread``) get a block of their own and are never listed.

The last six lines are a compact summary (a hook shows ``make -s eval | tail -n 6``).
``-v`` lists every item the detector got wrong.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.evalscore import BLIND_SETS, UNREAD_SETS, Score, blind, held_out, load_items, unread

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "meetings"
SEED = CORPUS / "seed-article-hi.txt"
SEED_EXPECTED = CORPUS / "seed-article-expected.json"


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


def _block(item: dict[str, Any], tuned: Score, held: Score, fresh: Score, trained: Score) -> Score:
    if held_out(item):
        return held
    if unread(item):
        return trained
    return fresh if blind(item) else tuned


def evaluate(verbose: bool) -> int:
    items = load_items(CORPUS)
    t0 = time.perf_counter()
    # No language given: the detector must find it, as it does on a feed without one.
    results = _scan([{"id": it["id"], "text": it["text"]} for it in items])
    seed = _scan([{"id": "seed", "text": SEED.read_text(encoding="utf-8")}])[0]
    elapsed = time.perf_counter() - t0
    tuned, held, fresh, unseen, trained = Score(), Score(), Score(), Score(), Score()
    by_set: dict[str, Score] = {}  # each blind set alone: a new set's first reading
    errors: list[str] = []
    for it, res in zip(items, results, strict=True):
        meetings = res.get("meetings", [])
        block = _block(it, tuned, held, fresh, trained)
        ok = block.add(it, meetings)
        if block is held or block is fresh:
            unseen.add(it, meetings)
        if block is fresh:
            by_set.setdefault(it["id"].split("-")[0], Score()).add(it, meetings)
        # only the tuned block's items are listed: reading the blind or held-out errors would
        # tune on them (the held-out block was listed until 2026-12-07, and rose more than blind)
        if verbose and not ok and block is tuned:
            got = [f"{'-'.join(sorted(m['parties']))}:{m['status']}" for m in meetings]
            want = ["-".join(sorted(p)) for p in it["parties"]]
            errors.append(
                f"{it['id']} [{it['lang']}] want {it['status']} {want} got {got}\n"
                f"    {it['text'][:220]}\n    ({it['why'][:120]})"
            )
    seed_ok, seed_notes = _check_seed(seed)
    print(f"Corpus: {CORPUS} ({len(items)} items, no language given); scan time {elapsed:.1f}s")
    print("\n".join(tuned.lines("Tuned and trained on (all but the three blocks below)")))
    if trained.n:
        title = f"TRAINED ON, NEVER READ ({', '.join(UNREAD_SETS)}: the model's, not the grammar's)"
        print("\n".join(trained.lines(title)))
    print("\n".join(held.lines("HELD-OUT (half of meetings-dev-2 by publisher)")))
    if fresh.n:
        title = f"BLIND ({', '.join(BLIND_SETS)}: never developed or trained on)"
        print("\n".join(fresh.lines(title)))
        for name, score in sorted(by_set.items()):
            print(
                f"  {name} alone ({score.n}): item F1 {score.item[2]:.3f} "
                f"pair F1 {score.pair[2]:.3f} status {score.status:.3f} ECE {score.ece:.3f}"
            )
    if verbose:
        print("\n".join(["", "Errors:", *errors]) if errors else "\nNo errors.")
        for note in seed_notes:
            print(f"seed: {note}")
    hf, tf = unseen.item[2], tuned.item[2]
    ok = hf >= 0.93 and unseen.pair[2] >= 0.90 and unseen.status >= 0.88 and seed_ok
    print(f"--- summary (held-out + blind: {unseen.n} items never tuned on) ---")
    print(f"item   P={unseen.item[0]:.3f} R={unseen.item[1]:.3f} F1={hf:.3f}  (target F1>=0.93)")
    pp, pr, pf = unseen.pair
    print(f"pairs  P={pp:.3f} R={pr:.3f} F1={pf:.3f}  (target >=0.90)")
    gap = f"tuned-minus-held item F1 gap {tf - hf:+.3f}"
    print(f"status accuracy {unseen.status:.3f} (target >=0.88); ECE {unseen.ece:.3f}; {gap}")
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
    return evaluate(args.verbose)


if __name__ == "__main__":
    raise SystemExit(main())
