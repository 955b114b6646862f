"""Reproducible benchmarks. ``make bench`` runs them all and rewrites BENCHMARKS.md.

Each benchmark module exposes ``run(quick: bool = False) -> str`` returning a Markdown section
(``## Title`` + method + a table). Every figure that is a goal is a ratio against a baseline
measured in the same run, so results travel between machines. A benchmark that cannot run
on this machine raises ``Skipped``.
"""

# Module names under bench/, in the order their sections appear in BENCHMARKS.md.
BENCHES: list[str] = [
    "detector", "polling", "pollpath", "startup", "daemonmem", "alertlatency", "pgscale",
    "feedparse", "jetstream", "delivery", "events", "webpage", "webgraph",
]  # fmt: skip


class Skipped(Exception):
    """Raised by a benchmark's ``run`` that cannot run here (a tool it drives is missing):
    ``python -m bench`` prints the reason and leaves its section of BENCHMARKS.md as it was."""
