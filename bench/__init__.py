"""Reproducible benchmarks. ``make bench`` runs them all and rewrites BENCHMARKS.md.

Each benchmark module exposes ``run(quick: bool = False) -> str`` returning a Markdown section
(``## Title`` + method + a table). Every figure that is a goal is a ratio against a baseline
measured in the same run, so results travel between machines.
"""

# Module names under bench/, in the order their sections appear in BENCHMARKS.md.
BENCHES: list[str] = [
    "detector", "polling", "pollpath", "feedparse", "jetstream", "delivery", "events",
    "webpage",
]  # fmt: skip
