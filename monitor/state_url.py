"""The ``state`` setting: which store a URL names, and whether this installation can open it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from urllib.parse import urlsplit


def check_state_url(url: str, base: Path) -> tuple[str | None, str | None]:
    """(resolved URL, error). Relative SQLite paths are relative to the config's directory."""
    scheme = urlsplit(url).scheme.lower()
    if scheme == "sqlite":
        rest = url[len("sqlite://") :]
        if not rest.startswith("/"):
            return None, 'a SQLite URL looks like "sqlite:///state/bilat.db"'
        target = rest[1:]
        if target in ("", ":memory:"):
            return url, None
        p = Path(target)
        if not p.is_absolute():
            p = (base / p).resolve()
        return f"sqlite:///{p}", None
    if scheme in ("postgresql", "postgres"):
        if importlib.util.find_spec("asyncpg") is None:
            return (
                None,
                "PostgreSQL state needs asyncpg: pip install -e '.[postgres]' (in the checkout)",
            )
        return url, None  # the rest is checked when connecting (monitor.store.postgres)
    return None, (
        f'unsupported state URL scheme "{scheme or url}"'
        " (use sqlite:///path/state.db or postgresql://user@host/dbname)"
    )
