"""Helpers shared by the detector's table-driven tests."""

from __future__ import annotations

from pathlib import Path

from rules.bilateral.detector import detect

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"


def outcome(text: str, lang: str | None = None, **kwargs: object) -> list[str]:
    """The detector's answer as sorted "AA-BB:status" strings."""
    meetings = detect(text, lang=lang, **kwargs)  # type: ignore[arg-type]
    return sorted(f"{'-'.join(sorted(m.parties))}:{m.status}" for m in meetings)


def load_cases(name: str) -> list[tuple[str, str, list[str]]]:
    """(language, text, sorted expected meetings) rows of a TSV case table."""
    rows = []
    for line in (FIXTURES / name).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        lang, want, text = line.split("\t")
        rows.append((lang, text, sorted(w for w in want.split(",") if w)))
    return rows
