"""Who met whom (PURE): countries and organisations as nodes, meetings as edges (one per
pair: thickness grows with the number of meetings in the window, colour is the status of
the pair's latest meeting), laid out for a server-rendered SVG.

Layout: the nodes sit on a circle in code order (a chord diagram). It is the same for the
same data on every reload and every node of a cluster, needs no iterations (200 nodes cost
microseconds, not a force simulation's seconds), and a new country shifts the others only
by a fraction of a step. Labels sit outside the circle, anchored away from it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

SIZE = 900.0  # the SVG's viewBox is SIZE x SIZE
MARGIN = 150.0  # room for labels around the circle
MAX_WIDTH = 14.0


class Meeting(Protocol):
    """What the graph reads of an event (a summary or a whole record)."""

    @property
    def key(self) -> str: ...
    @property
    def parties(self) -> tuple[str, ...]: ...
    @property
    def status(self) -> str: ...
    @property
    def date(self) -> date: ...
    @property
    def updated_at(self) -> datetime: ...


@dataclass(frozen=True, slots=True)
class Node:
    code: str
    x: float
    y: float
    meetings: int  # meetings in the window this party took part in
    label_x: float
    label_y: float
    anchor: str  # "start" | "end" | "middle"


@dataclass(frozen=True, slots=True)
class Edge:
    a: str
    b: str
    pair: str  # "CN-IN"
    count: int
    status: str  # the latest meeting's status
    statuses: tuple[tuple[str, int], ...]  # (status, meetings) most common first
    width: float
    x1: float
    y1: float
    x2: float
    y2: float
    qx: float  # the control point of the chord's curve
    qy: float


@dataclass(frozen=True, slots=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    size: float = SIZE

    def node(self, code: str) -> Node | None:
        return next((n for n in self.nodes if n.code == code), None)


def edge_width(count: int, most: int) -> float:
    """2 px for one meeting up to ``MAX_WIDTH`` for the busiest pair (square-root scale, so a
    pair that met 40 times does not hide every other line)."""
    if most <= 1:
        return 2.0
    return round(2.0 + (MAX_WIDTH - 2.0) * math.sqrt((count - 1) / (most - 1)), 2)


def _recency(e: Meeting) -> tuple[date, datetime, str]:
    return (e.date, e.updated_at, e.key)


def _most_common(statuses: list[str]) -> list[tuple[str, int]]:
    """``Counter(statuses).most_common()`` (ties in first-seen order), without a Counter
    per pair."""
    if len(statuses) == 1:
        return [(statuses[0], 1)]
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return sorted(counts.items(), key=lambda kv: -kv[1])


def build_graph(events: Sequence[Meeting]) -> Graph:
    """The graph of ``events`` (any order): pairs of exactly two parties only."""
    # Plain dicts and one pass: with 1,000 meetings this runs on every move of the time
    # slider, and Counter or sorted() per event were most of its time.
    per_pair: dict[tuple[str, str], list[Meeting]] = {}
    for event in events:
        parties = event.parties
        if len(parties) != 2:
            continue
        a, b = parties
        if b < a:
            a, b = b, a
        group = per_pair.get((a, b))
        if group is None:
            per_pair[(a, b)] = [event]
        else:
            group.append(event)
    meetings: dict[str, int] = {}
    for (a, b), group in per_pair.items():
        meetings[a] = meetings.get(a, 0) + len(group)
        meetings[b] = meetings.get(b, 0) + len(group)
    codes = sorted(meetings)
    centre = SIZE / 2
    radius = centre - MARGIN
    spots: dict[str, tuple[float, float, float]] = {}
    for i, code in enumerate(codes):
        angle = -math.pi / 2 + 2 * math.pi * i / max(len(codes), 1)
        spots[code] = (
            round(centre + radius * math.cos(angle), 2),
            round(centre + radius * math.sin(angle), 2),
            angle,
        )
    nodes = []
    for code in codes:
        x, y, angle = spots[code]
        cos = math.cos(angle)
        anchor = "middle" if abs(cos) < 0.2 else ("start" if cos > 0 else "end")
        nodes.append(
            Node(
                code=code,
                x=x,
                y=y,
                meetings=meetings[code],
                label_x=round(centre + (radius + 20) * cos, 2),
                label_y=round(centre + (radius + 20) * math.sin(angle) + 8, 2),
                anchor=anchor,
            )
        )
    most = max((len(v) for v in per_pair.values()), default=1)
    edges = []
    for (a, b), group in sorted(per_pair.items()):
        latest = group[0] if len(group) == 1 else max(group, key=_recency)
        counts = _most_common([e.status for e in group])
        (x1, y1, _), (x2, y2, _) = spots[a], spots[b]
        # A chord bowed towards the centre: parallel chords stay apart, and a click on
        # one lands on one pair.
        mx, my = (x1 + x2) / 2, (y1 + y2) / 2
        edges.append(
            Edge(
                a=a,
                b=b,
                pair=f"{a}-{b}",
                count=len(group),
                status=latest.status,
                statuses=tuple(counts),
                width=edge_width(len(group), most),
                x1=x1,
                y1=y1,
                x2=x2,
                y2=y2,
                qx=round(mx + (centre - mx) * 0.5, 2),
                qy=round(my + (centre - my) * 0.5, 2),
            )
        )
    # Thin lines last, so they are drawn on top and stay clickable over thick ones.
    edges.sort(key=lambda e: (-e.width, e.pair))
    return Graph(tuple(nodes), tuple(edges))
