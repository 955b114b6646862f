"""Small pure helpers the social adapters share to turn platform posts into Items.

Times, language tags, a one-line title from a post's text, JSON cursors, and reading a
secret from the environment variable a source names (``*_env`` options) with an error that
says which source and which variable.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime
from typing import Any

_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
# Codes platforms use for "no language" / "undetermined" (X: und, qme, qam, zxx ...).
_NO_LANG = frozenset({"und", "zxx", "qme", "qam", "qct", "qht", "qst", "mul"})
_WS = re.compile(r"\s+")


class SourceConfigError(ValueError):
    """A source's configuration cannot work (a missing secret, contradictory options)."""


def parse_time(value: object) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string ("2020-05-05T21:36:21.000Z", offsets
    allowed); None for anything unreadable. Naive times are taken as UTC."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def norm_lang(value: object) -> str | None:
    """A lower-case BCP 47 tag, or None for missing, malformed or "undetermined" codes."""
    if not isinstance(value, str):
        return None
    tag = value.strip().replace("_", "-").lower()
    if not tag or not _LANG.match(tag) or tag.split("-", 1)[0] in _NO_LANG:
        return None
    return tag


def snippet(text: str, limit: int = 120) -> str:
    """A one-line title for a post that has none: its first non-empty line, cut at a word
    boundary with an ellipsis when longer than ``limit`` characters."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = _WS.sub(" ", line)
    if len(line) <= limit:
        return line
    cut = line[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def load_cursor(text: str | None) -> dict[str, Any]:
    """The JSON object a source stored as its cursor; {} when absent or unreadable (a cursor
    from an older version must not stop the source: it starts over instead)."""
    if not text:
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def dump_cursor(data: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in data.items() if v is not None}, sort_keys=True)


def secret_from_env(env_name: str, *, source_id: str, what: str, hint: str = "") -> str:
    """The value of environment variable ``env_name``; a SourceConfigError naming the source
    and the variable when it is unset or empty. The value itself is never put in messages."""
    value = os.environ.get(env_name, "").strip()
    if not value:
        message = f"source {source_id!r}: environment variable {env_name} is not set ({what})"
        raise SourceConfigError(message + (f"; {hint}" if hint else ""))
    return value


def id_newer(candidate: str, than: str | None) -> bool:
    """Compare numeric post ids (X, Mastodon, Telegram) as numbers without int overflow
    worries: longer is newer, then lexical order."""
    if than is None:
        return True
    return (len(candidate), candidate) > (len(than), than)


def max_id(ids: list[str]) -> str | None:
    return max(ids, key=lambda s: (len(s), s)) if ids else None
