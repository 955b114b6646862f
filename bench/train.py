"""``make train`` (``python -m bench.train``): fit the status model from the labelled corpus.

The grammar reads every item of the training split (``data/meetings/``, all but the held-out
half of ``meetings-dev-2`` chosen by publisher, ``bench.evalscore.held_out``) with no
language given, as ``scan --jsonl`` would; each (pair, sentence) report it proposes becomes a
training example labelled with the item's status when the pair is one of the item's labelled
pairs, and ``none`` otherwise. A multinomial logistic regression (scikit-learn; installed by
this target only) is fitted on the hashed features of ``rules.bilateral.statusmodel`` with its
regularisation chosen on log-loss by 5-fold cross-validation grouped by publisher (a site's
reports never straddle folds, as unseen text comes from unseen sites). The out-of-fold
probabilities then choose the thresholds and fit the calibration (``bench.calibrate``), and
everything is written to ``rules/data/status-model.bin``. Deterministic: fixed folds, a
deterministic solver. The blind sets (``bench.evalscore.blind``) are never trained on; the
earlier blind sets in ``bench.evalscore.unread`` are, though nobody reads their items.
"""

from __future__ import annotations

import argparse
import time
from array import array
from pathlib import Path
from typing import Any

from bench.calibrate import OutOfFold, choose
from bench.evalscore import blind, held_out, load_items, site
from monitor.commands.progress import Progress
from rules.bilateral.detector import read_document
from rules.bilateral.reader import DocState
from rules.bilateral.statusmodel import CLASSES, vector, write_model

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "meetings"
OUT = ROOT / "rules" / "data" / "status-model.bin"
BUCKETS = 1 << 16


Docs = list[tuple[dict[str, Any], DocState | None]]
Examples = tuple[list[tuple[str, ...]], list[str], list[str], Docs]


def examples(items: list[dict[str, Any]]) -> Examples:
    """Each report's features, label and publisher, and every item's reading."""
    feats: list[tuple[str, ...]] = []
    labels: list[str] = []
    groups: list[str] = []
    docs: Docs = []
    with Progress("train: reading the corpus", len(items)) as progress:
        for it in items:
            progress.advance()
            docs.append((it, read_document(it["text"])))
    for it, doc in docs:
        if doc is None:
            continue
        gold = {frozenset(p) for p in it["parties"]}
        for r in doc.reports:
            feats.append(r.features)
            labels.append(it["status"] if frozenset(r.pair) in gold else "none")
            groups.append(site(it["source"]))
    return feats, labels, groups, docs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.train")
    parser.add_argument("--all", action="store_true", help="train on the held-out half too")
    args = parser.parse_args(argv)
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import log_loss
    from sklearn.model_selection import GroupKFold, cross_val_predict

    t0 = time.perf_counter()
    items = load_items(CORPUS)
    train = [it for it in items if not blind(it) and (args.all or not held_out(it))]
    feats, labels, groups, docs = examples(train)
    rows, cols, vals = [], [], []
    for i, f in enumerate(feats):
        idx, values = vector(f, BUCKETS)
        rows.extend([i] * len(idx))
        cols.extend(idx.tolist())
        vals.extend(values.tolist())
    x = csr_matrix((vals, (rows, cols)), shape=(len(feats), BUCKETS))
    classes = list(CLASSES)
    y = [classes.index(label) for label in labels]
    folds = GroupKFold(n_splits=5)
    best: tuple[float, float, Any] | None = None
    for c in (0.5, 2.0):
        model = LogisticRegression(C=c, max_iter=3000)
        proba = cross_val_predict(model, x, y, cv=folds, groups=groups, method="predict_proba")
        loss = log_loss(y, proba, labels=list(range(len(classes))))
        acc = sum(int(p.argmax() == t) for p, t in zip(proba, y, strict=True)) / len(y)
        print(f"C={c:<5} cv log-loss {loss:.4f} accuracy {acc:.3f}")
        if best is None or loss < best[0]:
            best = (loss, c, proba)
    assert best is not None
    table = {
        f: dict(zip(classes, map(float, p), strict=True))
        for f, p in zip(feats, best[2], strict=True)
    }
    oof = OutOfFold(tuple(classes), BUCKETS, array("f"), (0.0,) * len(classes), table=table)
    choice = choose(docs, oof)
    print(
        f"out of fold: none_at {choice.none_at} min_confidence {choice.min_confidence}; "
        f"item F1 {choice.score.item[2]:.3f} pair F1 {choice.score.pair[2]:.3f} "
        f"status {choice.score.status:.3f}; calibration {choice.method} "
        f"(ECE across site halves: "
        + ", ".join(f"{k} {v:.3f}" for k, v in choice.eces.items())
        + ")"
    )
    model = LogisticRegression(C=best[1], max_iter=3000).fit(x, y)
    coef = [[0.0] * BUCKETS for _ in classes]
    bias = [0.0] * len(classes)
    for row, ci in enumerate(model.classes_):
        coef[int(ci)] = [float(w) for w in model.coef_[row]]
        bias[int(ci)] = float(model.intercept_[row])
    meta = {
        "trained_on": len(train),
        "examples": len(feats),
        "C": best[1],
        "cv_log_loss": best[0],
        "none_at": choice.none_at,
        "min_confidence": choice.min_confidence,
        "calibration": choice.method,
        "curves": {s: [list(xs), list(ys)] for s, (xs, ys) in choice.curves.items()},
    }
    write_model(str(OUT), classes, BUCKETS, coef, bias, meta)
    print(
        f"{len(feats)} examples from {len(train)} items; C={best[1]}; wrote {OUT} "
        f"({OUT.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.0f}s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
