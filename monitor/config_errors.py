"""Configuration errors that name the file, the line, the table's id and the field.

``ConfigError`` carries one ``ConfigIssue`` per problem; ``IssueCollector`` turns pydantic
errors and cross-check failures into located issues. ``TomlLocator`` maps a value's path in
the parsed document (``("sources", 2, "interval")``) back to its line in the TOML text: it
scans the text once, tracking table headers (``[a.b]``, ``[[sources]]`` occurrences, sub-tables
of array elements), dotted keys, and skipping strings, multi-line strings, comments and
multi-line arrays/inline tables so that text inside values is never mistaken for a key.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ValidationError

if TYPE_CHECKING:
    import tomllib

Path_ = tuple[str | int, ...]

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\\n]|\\.)*"'
_LITERAL = r"'[^'\n]*'"
_KEY_PART = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_KEY_PATH = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"\s*(\[\[?)\s*({_KEY_PATH})\s*\]\]?")
_KEY = re.compile(rf"\s*({_KEY_PATH})\s*=")
_PART = re.compile(_KEY_PART)


def _split_key(text: str) -> list[str]:
    parts = []
    for m in _PART.finditer(text):
        part = m.group(0)
        if part[0] == '"':
            part = part[1:-1].encode("utf-8").decode("unicode_escape")
        elif part[0] == "'":
            part = part[1:-1]
        parts.append(part)
    return parts


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One problem in the configuration, located as precisely as the input allows."""

    reason: str
    file: str | None = None
    line: int | None = None
    table: str | None = None  # "sources[2]", "rules[0]", "notifiers.slack", "monitor"
    id: str | None = None  # the source/rule id or notifier name
    field: str | None = None  # dotted field within the table
    origin: str | None = None  # "environment variable BILAT_..." when the value came from env

    def __str__(self) -> str:
        where = self.file or "<config>"
        if self.origin:
            where = f"{where} ({self.origin})"
        elif self.line is not None:
            where = f"{where}:{self.line}"
        what: list[str] = []
        if self.table:
            label = self.table
            if self.id and not self.table.startswith("notifiers."):
                label += f' (id "{self.id}")'
            what.append(label)
        if self.field:
            what.append(f'field "{self.field}"')
        head = ", ".join(what)
        return f"{where}: {head}: {self.reason}" if head else f"{where}: {self.reason}"


class ConfigError(Exception):
    """The configuration cannot be used. ``str()`` is the message to show the user."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = tuple(issues)
        if len(self.issues) == 1:
            message = str(self.issues[0])
        else:
            lines = [f"{len(self.issues)} configuration errors:"]
            lines += [f"  {issue}" for issue in self.issues]
            message = "\n".join(lines)
        super().__init__(message)


class TomlLocator:
    """Line numbers of tables and keys in a TOML text, addressed by document path."""

    def __init__(self, text: str) -> None:
        self.lines: dict[Path_, int] = {}
        self._array_counts: dict[Path_, int] = {}
        self._scan(text)

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path`` or of its nearest located ancestor (1-based), if any."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def _resolve(self, parts: Sequence[str]) -> Path_:
        # Insert the current element index after every prefix that names an array of tables,
        # so "[sources.headers]" after the 3rd "[[sources]]" is ("sources", 2, "headers").
        out: list[str | int] = []
        for part in parts:
            out.append(part)
            key = tuple(out)
            if key in self._array_counts:
                out.append(self._array_counts[key] - 1)
        return tuple(out)

    def _scan(self, text: str) -> None:
        table: Path_ = ()
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            lineno = i + 1
            header = _HEADER.match(line) if not line.lstrip().startswith("#") else None
            if header and _rest_is_blank(line[header.end() :]):
                parts = _split_key(header.group(2))
                if header.group(1) == "[[":
                    base = (*self._resolve(parts[:-1]), parts[-1])
                    self._array_counts[base] = self._array_counts.get(base, 0) + 1
                    table = (*base, self._array_counts[base] - 1)
                    self.lines.setdefault(base, lineno)
                else:
                    table = self._resolve(parts)
                self.lines[table] = lineno
                i += 1
                continue
            key = _KEY.match(line)
            if key:
                path = table + tuple(_split_key(key.group(1)))
                self.lines.setdefault(path, lineno)
                for n in range(len(table) + 1, len(path)):
                    self.lines.setdefault(path[:n], lineno)
                # Skip the continuation lines of a multi-line value.
                i = _value_end(lines, i, key.end())
            i += 1


def _rest_is_blank(rest: str) -> bool:
    rest = rest.strip()
    return not rest or rest.startswith("#")


def _value_end(lines: list[str], start: int, col: int) -> int:
    """Index of the last line of the value that starts at ``lines[start][col:]``."""
    depth = 0
    quote: str | None = None
    i, j = start, col
    while i < len(lines):
        line = lines[i]
        while j < len(line):
            if quote:
                if quote in ('"""', "'''"):
                    if line.startswith(quote, j):
                        quote = None
                        j += 3
                        continue
                elif line[j] == "\\" and quote == '"':
                    j += 2
                    continue
                elif line[j] == quote:
                    quote = None
                j += 1
                continue
            ch = line[j]
            if ch == "#":
                break
            if line.startswith('"""', j) or line.startswith("'''", j):
                quote = line[j : j + 3]
                j += 3
                continue
            if ch in "\"'":
                quote = ch
            elif ch in "[{":
                depth += 1
            elif ch in "]}":
                depth -= 1
            j += 1
        if quote in ('"', "'"):
            quote = None  # single-line strings cannot span lines; TOML already rejected it
        if depth <= 0 and quote is None:
            return i
        i, j = i + 1, 0
    return len(lines) - 1


class IssueCollector:
    """Turns pydantic errors and cross-check failures into located ConfigIssues."""

    def __init__(self, path: Path, text: str, env_prefix: str) -> None:
        self.file = display_path(path)
        self.env_prefix = env_prefix
        self._text = text
        self._locator: TomlLocator | None = None
        self.issues: list[ConfigIssue] = []

    @property
    def locator(self) -> TomlLocator:
        # Built on the first issue: scanning a 5,000-source file for line numbers cost more
        # than validating it, and a valid file never needs them.
        if self._locator is None:
            self._locator = TomlLocator(self._text)
        return self._locator

    def add(
        self,
        loc: tuple[str | int, ...],
        reason: str,
        *,
        id: str | None = None,
    ) -> None:
        table, fld = _table_and_field(loc)
        origin = env_origin(loc, self.env_prefix, os.environ)
        self.issues.append(
            ConfigIssue(
                reason=reason,
                file=self.file,
                line=None if origin else self.locator.line_of(loc),
                table=table,
                id=id,
                field=fld,
                origin=origin,
            )
        )

    def add_validation(
        self,
        prefix: tuple[str | int, ...],
        error: ValidationError,
        *,
        model: type[BaseModel] | None = None,
        id: str | None = None,
    ) -> None:
        for err in error.errors(include_url=False):
            loc = prefix + tuple(err["loc"])
            self.add(loc, _reason(err, model, prefix), id=id)


def _table_and_field(loc: tuple[str | int, ...]) -> tuple[str | None, str | None]:
    if not loc:
        return None, None
    head = str(loc[0])
    if head in ("sources", "rules", "silences") and len(loc) >= 2 and isinstance(loc[1], int):
        rest = loc[2:]
        table = f"{head}[{loc[1]}]"
    elif head == "notifiers" and len(loc) >= 2:
        rest = loc[2:]
        table = f"notifiers.{loc[1]}"
    elif head == "monitor":
        rest = loc[1:]
        table = "monitor"
    else:
        return None, ".".join(str(p) for p in loc)
    return table, (".".join(str(p) for p in rest) or None)


def _reason(err: Any, model: type[BaseModel] | None, prefix: tuple[str | int, ...]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(err["loc"][-1]) if err["loc"] else "?"
        known = list(model.model_fields) if model and len(err["loc"]) == 1 else []
        close = difflib.get_close_matches(key, known, n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        return f'unknown key "{key}"{hint}'
    if kind == "missing":
        return "required key is missing"
    msg = str(err["msg"])
    msg = msg.removeprefix("Value error, ")
    if "input" in err and kind not in ("value_error",) and not isinstance(err["input"], dict):
        msg += f" (got {err['input']!r})"
    return msg


def env_origin(path: Sequence[str | int], prefix: str, environ: Mapping[str, str]) -> str | None:
    """``environment variable NAME`` when ``path`` (or an ancestor) was set from the environment."""
    upper = {k.upper() for k in environ}
    parts = [str(p).upper() for p in path]
    while parts:
        name = prefix + "__".join(parts)
        if name.upper() in upper:
            return f"environment variable {name}"
        parts.pop()
    return None


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as the user gave it when relative to the working directory, else absolute."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(p.resolve())


def _env_names(data: Any) -> set[str]:
    """Every value of a ``*_env`` key anywhere in the raw document (secret variable names)."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if str(key).endswith("_env") and isinstance(value, str):
                found.add(value.upper())
            found |= _env_names(value)
    elif isinstance(data, list):
        for value in data:
            found |= _env_names(value)
    return found


def unknown_env_issues(
    prefix: str,
    tables: Sequence[str],
    data: Any,
    file: str,
    environ: Mapping[str, str] | None = None,
) -> list[ConfigIssue]:
    """A ``PREFIX…`` variable that overrides nothing is an error, like an unknown key: an
    override (``PREFIX<TABLE>__<KEY>``) must name a known table, and a variable without the
    ``__`` that looks like a table's name misspelt (``BILAT_MONITR``) is refused too. Other
    plain variables (``BILAT_SLACK_TOKEN``) may hold secrets that ``*_env`` options name, and
    are left alone; the ones this file names are never questioned."""
    known = [t.upper() for t in tables]
    suspects = []
    for name in sorted(os.environ if environ is None else environ):
        upper = name.upper()
        if not upper.startswith(prefix):
            continue
        head, nested, _ = upper[len(prefix) :].partition("__")
        if head in known:
            continue
        close = difflib.get_close_matches(head, known, n=1, cutoff=0.7)
        if nested or close:
            suspects.append((name, nested, close))
    # The walk over every table for the ``*_env`` names only for a suspect: most runs have
    # none (``BILAT_CACHE_DIR`` is not one), and a 5,000-source file is 20,000 values.
    secrets = _env_names(data) if suspects else set()
    issues = []
    for name, nested, close in suspects:
        if name.upper() in secrets:
            continue
        hint = f" (did you mean {prefix}{close[0]}{'__…' if nested else ''}?)" if close else ""
        tables_list = ", ".join(prefix + t + "__…" for t in known)
        issues.append(
            ConfigIssue(
                f"overrides nothing: {prefix}<TABLE>__<KEY> names one of {tables_list}{hint}",
                file=file,
                origin=f"environment variable {name}",
            )
        )
    return issues


def did_you_mean(value: str, known: Sequence[str] | set[str]) -> str:
    """' (did you mean "x"?)' for the closest of ``known``, or ''."""
    close = difflib.get_close_matches(value, sorted(known), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def syntax_issue(file: str, exc: tomllib.TOMLDecodeError) -> ConfigIssue:
    # tomllib says "... (at line 12, column 5)"; keep the reason and lift the line out.
    msg = str(exc)
    line = getattr(exc, "lineno", None)
    if line is None and "(at line " in msg:
        try:
            line = int(msg.rsplit("(at line ", 1)[1].split(",")[0].rstrip(")"))
        except ValueError:
            line = None
    reason = msg.split(" (at line ")[0].split(" (at end of document)")[0]
    return ConfigIssue(f"TOML syntax error: {reason}", file=file, line=line)
