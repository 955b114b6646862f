"""The status model's thresholds and calibration, from out-of-fold predictions (``make train``).

Every training report gets the probabilities of a model that did not see its publisher
(``bench.train``: group folds by site). With those, each training item is read as the
detector would read it, so the choices below are made on predictions like the ones unseen
text gets:

* ``none_at`` (drop a report the model calls no meeting) and ``min_confidence`` (report a
  meeting from here up) maximise item F1 + pair F1 + status accuracy together, the stricter
  choice winning an exact tie. (Until 2026-12-07 the strictest choice within 0.01 of the best
  was taken, on the view that a wrong alert costs a desk more than a missed report: it gave
  up 0.01 out of fold by construction, and a retrain that moved it from 0.4 to 0.45 dropped
  plain held meetings of the hand-written case tables, "王毅会见布林肯" among them.)
* one curve per status (pooled where a status has too few meetings) maps the raw probability
  of a meeting's status to the share of such meetings that were right: isotonic (steps) or
  logistic over the logit (Platt, smooth), whichever has the lower calibration error on
  publishers it was not fitted on (fitted on half of the sites, read on the other half, both
  ways round).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from bench.evalscore import Score, site
from rules.bilateral.detector import _merge
from rules.bilateral.reader import DocState
from rules.bilateral.statusmodel import Curve, StatusModel, interpolate

NONE_AT_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
MIN_CONFIDENCE_GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
MIN_PER_CURVE = 80  # meetings a status needs for a curve of its own


@dataclass(frozen=True)
class OutOfFold(StatusModel):
    """A model whose probabilities are the out-of-fold ones looked up by features."""

    table: dict[tuple[str, ...], dict[str, float]] = field(default_factory=dict)

    def probabilities(self, features: tuple[str, ...]) -> dict[str, float]:
        return self.table[features]


@dataclass
class Choice:
    none_at: float
    min_confidence: float
    curves: dict[str, Curve]
    objective: float
    score: Score
    method: str = "isotonic"
    eces: dict[str, float] = field(default_factory=dict)  # by method, across site halves


Docs = list[tuple[dict[str, Any], DocState | None]]


def _meetings(docs: Docs, model: StatusModel) -> list[list[dict]]:
    return [
        [
            {"parties": list(m.parties), "status": m.status, "confidence": m.confidence}
            for m in (_merge(doc, model) if doc is not None else [])
        ]
        for _, doc in docs
    ]


Point = tuple[str, float, bool, str]  # status, raw probability, right, publisher


def _isotonic(rows: list[Point]) -> Curve:
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    iso.fit([p for _, p, _, _ in rows], [float(ok) for _, _, ok, _ in rows])
    xs = [round(float(x), 4) for x in iso.X_thresholds_]
    ys = [round(float(y), 4) for y in iso.y_thresholds_]
    return tuple(xs), tuple(ys)


def _platt(rows: list[Point]) -> Curve:
    """A logistic curve over the logit of the raw probability, written as 51 knots."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    def logit(p: np.ndarray) -> np.ndarray:
        q = np.clip(p, 1e-4, 1 - 1e-4)
        return np.log(q / (1 - q))

    x = logit(np.array([p for _, p, _, _ in rows])).reshape(-1, 1)
    y = [int(ok) for _, _, ok, _ in rows]
    if len(set(y)) < 2:
        return (0.0, 1.0), (float(y[0]), float(y[0]))
    fit = LogisticRegression(C=100.0).fit(x, y)
    grid = np.linspace(0.0, 1.0, 51)
    ys = fit.predict_proba(logit(grid).reshape(-1, 1))[:, 1]
    return tuple(round(float(g), 4) for g in grid), tuple(round(float(v), 4) for v in ys)


METHODS = {"isotonic": _isotonic, "platt": _platt}


def _fit_curves(points: list[Point], method: str = "isotonic") -> dict[str, Curve]:
    fit = METHODS[method]
    curves = {"*": fit(points)}
    for status in {s for s, _, _, _ in points}:
        mine = [p for p in points if p[0] == status]
        if len(mine) >= MIN_PER_CURVE:
            curves[status] = fit(mine)
    return curves


def _ece(points: list[Point], curves: dict[str, Curve]) -> float:
    score = Score()
    score.calibration = [(interpolate(curves.get(s, curves["*"]), p), ok) for s, p, ok, _ in points]
    return score.ece


def _method(points: list[Point]) -> tuple[str, dict[str, float]]:
    """The calibration that holds best on publishers it was not fitted on: each method is
    fitted on one half of the sites and its ECE read on the other, both ways round."""
    halves = ([p for p in points if hash_half(p[3])], [p for p in points if not hash_half(p[3])])
    eces = {
        name: sum(_ece(b, _fit_curves(a, name)) for a, b in (halves, halves[::-1])) / 2
        for name in METHODS
    }
    return min(eces, key=lambda k: eces[k]), eces


def hash_half(site_name: str) -> bool:
    return hashlib.sha1(site_name.encode()).digest()[0] % 2 == 0


def _calibrate(meetings: list[dict], curves: dict[str, Curve]) -> list[dict]:
    out = []
    for m in meetings:
        curve = curves.get(m["status"], curves["*"])
        out.append({**m, "confidence": interpolate(curve, m["confidence"])})
    return out


def choose(docs: Docs, table: OutOfFold) -> Choice:
    """The thresholds and curves that serve the out-of-fold reading of ``docs`` best."""
    choices: list[Choice] = []
    for none_at in NONE_AT_GRID:
        raw = _meetings(docs, replace(table, none_at=none_at, min_confidence=0.0, curves=()))
        points: list[Point] = []
        for (item, _), meetings in zip(docs, raw, strict=True):
            labelled = {frozenset(p) for p in item["parties"]}
            for m in meetings:
                right = frozenset(m["parties"]) in labelled and m["status"] == item["status"]
                points.append((m["status"], m["confidence"], right, site(item["source"])))
        method, eces = _method(points)
        curves = _fit_curves(points, method)
        calibrated = [_calibrate(ms, curves) for ms in raw]
        for floor in MIN_CONFIDENCE_GRID:
            score = Score()
            for (item, _), meetings in zip(docs, calibrated, strict=True):
                score.add(item, [m for m in meetings if m["confidence"] >= floor])
            objective = score.item[2] + score.pair[2] + score.status
            choices.append(Choice(none_at, floor, curves, objective, score, method, eces))
    return max(choices, key=lambda c: (round(c.objective, 6), c.min_confidence, -c.none_at))
