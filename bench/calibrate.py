"""The status model's thresholds and calibration, from out-of-fold predictions (``make train``).

Every training report gets the probabilities of a model that did not see its publisher
(``bench.train``: group folds by site). With those, each training item is read as the
detector would read it, so the choices below are made on predictions like the ones unseen
text gets:

* ``none_at`` (drop a report the model calls no meeting) and ``min_confidence`` (report a
  meeting from here up) maximise item F1 + pair F1 + status accuracy together; the surface
  is flat near its top (differences of a few thousandths are noise), so of the choices within
  ``TOLERANCE`` of the best the strictest is taken: a wrong alert costs a desk more than a
  missed report of a meeting other outlets also cover;
* one isotonic curve per status (pooled where a status has too few meetings) maps the raw
  probability of a meeting's status to the share of such meetings that were right.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from bench.evalscore import Score
from rules.bilateral.detector import _merge
from rules.bilateral.reader import DocState
from rules.bilateral.statusmodel import Curve, StatusModel, interpolate

NONE_AT_GRID = (0.5, 0.6, 0.7, 0.8, 0.9)
MIN_CONFIDENCE_GRID = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)
MIN_PER_CURVE = 80  # meetings a status needs for a curve of its own
TOLERANCE = 0.01


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


Docs = list[tuple[dict[str, Any], DocState | None]]


def _meetings(docs: Docs, model: StatusModel) -> list[list[dict]]:
    return [
        [
            {"parties": list(m.parties), "status": m.status, "confidence": m.confidence}
            for m in (_merge(doc, model) if doc is not None else [])
        ]
        for _, doc in docs
    ]


def _fit_curves(points: list[tuple[str, float, bool]]) -> dict[str, Curve]:
    from sklearn.isotonic import IsotonicRegression

    def fit(rows: list[tuple[str, float, bool]]) -> Curve:
        iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
        iso.fit([p for _, p, _ in rows], [float(ok) for _, _, ok in rows])
        xs = [round(float(x), 4) for x in iso.X_thresholds_]
        ys = [round(float(y), 4) for y in iso.y_thresholds_]
        return tuple(xs), tuple(ys)

    curves = {"*": fit(points)}
    for status in {s for s, _, _ in points}:
        mine = [p for p in points if p[0] == status]
        if len(mine) >= MIN_PER_CURVE:
            curves[status] = fit(mine)
    return curves


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
        points = []
        for (item, _), meetings in zip(docs, raw, strict=True):
            labelled = {frozenset(p) for p in item["parties"]}
            for m in meetings:
                right = frozenset(m["parties"]) in labelled and m["status"] == item["status"]
                points.append((m["status"], m["confidence"], right))
        curves = _fit_curves(points)
        calibrated = [_calibrate(ms, curves) for ms in raw]
        for floor in MIN_CONFIDENCE_GRID:
            score = Score()
            for (item, _), meetings in zip(docs, calibrated, strict=True):
                score.add(item, [m for m in meetings if m["confidence"] >= floor])
            objective = score.item[2] + score.pair[2] + score.status
            choices.append(Choice(none_at, floor, curves, objective, score))
    top = max(c.objective for c in choices)
    near = [c for c in choices if c.objective >= top - TOLERANCE]
    return max(near, key=lambda c: (c.min_confidence, -c.none_at))
