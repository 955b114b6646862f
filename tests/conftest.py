"""Shared fixtures: a loopback feed server, a config writer, the CLI in a subprocess, CI rules.

``feed_server`` is a real aiohttp server on 127.0.0.1 that serves the files under
``tests/fixtures`` (or bodies a test gives it) with ETag/Last-Modified and 304s, and plays
scripted replies per path: 429 + Retry-After, 500, slow answers, oversized bodies, redirects,
wrong content types, malformed XML. It records every request's headers, so tests can prove a
conditional GET was really sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import sys
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import structlog
from aiohttp import web
from multidict import CIMultiDictProxy
from structlog.contextvars import merge_contextvars
from structlog.testing import capture_logs

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CI = os.environ.get("CI", "").lower() == "true"
# Every daemon a test starts serves its HTTP endpoint on a free port, never the default 8686.
SERVER_LISTEN_ENV = "BILAT_MONITOR__SERVER__LISTEN"
ANY_PORT = "127.0.0.1:0"

# PostgreSQL fixtures (pg_database, pg_url) for any directory's store tests.
pytest_plugins = ["tests.postgres"]


def require(condition: bool, reason: str) -> None:
    """Skip when a prerequisite is missing on a laptop; fail instead when ``CI=true``."""
    if condition:
        return
    if CI:
        pytest.fail(f"{reason} (CI=true: this test must run, not skip)")
    pytest.skip(reason)


def captured_logs() -> Any:
    """``structlog.testing.capture_logs`` that also records contextvars such as source_id."""
    return capture_logs(processors=[merge_contextvars])


# ---------------------------------------------------------------------------------------------
# Feed bodies

_RSS_DATE = re.compile(rb"(<pubDate>\s*(?:<!\[CDATA\[)?)(.*?)((?:\]\]>)?\s*</pubDate>)", re.S)
_ATOM_DATE = re.compile(rb"(<(updated|published)>)(.*?)(</\2>)", re.S)


def freshen(body: bytes, now: datetime | None = None) -> bytes:
    """Rewrite every item date in an RSS/Atom body to the last hours (newest first), so a real
    fixture from years ago looks like today's news (inside the backfill window)."""
    base = now or datetime.now(UTC)
    counter = iter(range(10_000))

    def rss(m: re.Match[bytes]) -> bytes:
        when = base - timedelta(minutes=5 * next(counter) + 1)
        return m.group(1) + format_datetime(when, usegmt=True).encode() + m.group(3)

    def atom(m: re.Match[bytes]) -> bytes:
        when = base - timedelta(minutes=5 * next(counter) + 1)
        return m.group(1) + when.strftime("%Y-%m-%dT%H:%M:%SZ").encode() + m.group(4)

    return _ATOM_DATE.sub(atom, _RSS_DATE.sub(rss, body))


def rss(*items: Mapping[str, Any], lang: str = "en", title: str = "test feed") -> bytes:
    """A small RSS 2.0 document; each item maps guid/title/description/link/published."""
    from xml.sax.saxutils import escape

    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>{escape(title)}</title><link>https://bilat.invalid/</link>",
        f"<language>{lang}</language>",
    ]
    for item in items:
        published = item.get("published", datetime.now(UTC) - timedelta(minutes=10))
        parts.append(
            "<item>"
            f'<guid isPermaLink="false">{escape(str(item["guid"]))}</guid>'
            f"<title>{escape(item.get('title', ''))}</title>"
            f"<link>{escape(item.get('link', 'https://bilat.invalid/' + str(item['guid'])))}</link>"
            f"<description>{escape(item.get('description', ''))}</description>"
            + (f"<pubDate>{format_datetime(published, usegmt=True)}</pubDate>" if published else "")
            + "</item>"
        )
    parts.append("</channel></rss>\n")
    return "".join(parts).encode()


# ---------------------------------------------------------------------------------------------
# The loopback feed server


@dataclass
class Reply:
    """One scripted answer. ``body=None`` serves the route's own body (with validators)."""

    status: int = 200
    body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    content_type: str | None = None


@dataclass
class Route:
    body: bytes
    content_type: str = "application/rss+xml; charset=utf-8"
    validators: bool = True
    last_modified: str = field(
        default_factory=lambda: format_datetime(datetime.now(UTC), usegmt=True)
    )
    delay_s: float = 0.0
    script: list[Reply] = field(default_factory=list)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'


@dataclass(frozen=True)
class Recorded:
    path: str
    headers: CIMultiDictProxy[str]
    at: float


class FeedServer:
    """A real HTTP server on 127.0.0.1 for feeds; see the module docstring."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Recorded] = []
        self.port = 0
        self._runner: web.AppRunner | None = None

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes, **options: Any) -> str:
        """Serve ``body`` at ``path`` (replacing what was there); returns its URL."""
        script = self.routes[path].script if path in self.routes else []
        self.routes[path] = Route(body=body, script=script, **options)
        return self.url(path)

    def serve_fixture(self, path: str, fixture: str, *, fresh: bool = False, **options: Any) -> str:
        """Serve ``tests/fixtures/<fixture>``; ``fresh`` rewrites its dates to recent ones."""
        body = (FIXTURES / fixture).read_bytes()
        return self.serve(path, freshen(body) if fresh else body, **options)

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next requests for ``path`` with ``replies``, in order, then normally."""
        self.routes[path].script.extend(replies)

    def requests_for(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.path == path]

    async def start(self) -> FeedServer:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        loop = asyncio.get_running_loop()
        self.requests.append(Recorded(request.path, request.headers, loop.time()))
        route = self.routes.get(request.path)
        if route is None:
            return web.Response(status=404, text="not found")
        reply = route.script.pop(0) if route.script else Reply()
        delay = reply.delay_s or route.delay_s
        if delay:
            await asyncio.sleep(delay)
        if reply.body is not None or reply.status != 200:
            return web.Response(
                status=reply.status,
                body=reply.body or b"",
                headers=dict(reply.headers),
                content_type=None
                if "Content-Type" in reply.headers
                else (reply.content_type or "text/plain"),
            )
        headers = dict(reply.headers)
        if route.validators:
            headers["ETag"] = route.etag
            headers["Last-Modified"] = route.last_modified
            # RFC 9110: If-None-Match, when present, decides; If-Modified-Since otherwise.
            if_none_match = request.headers.get("If-None-Match")
            if (if_none_match is not None and if_none_match == route.etag) or (
                if_none_match is None
                and request.headers.get("If-Modified-Since") == route.last_modified
            ):
                return web.Response(status=304, headers=headers)
        headers["Content-Type"] = reply.content_type or route.content_type
        return web.Response(status=200, body=route.body, headers=headers)


@pytest.fixture
async def feed_server() -> AsyncIterator[FeedServer]:
    server = await FeedServer().start()
    yield server
    await server.stop()


# ---------------------------------------------------------------------------------------------
# Config files


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON strings are TOML basic strings
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _toml_table(header: str, table: Mapping[str, Any]) -> list[str]:
    lines = [header] if header else []
    nested = []
    for key, value in table.items():
        if isinstance(value, Mapping):
            nested.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for key, value in nested:
        name = f"{header[1:-1]}.{key}" if header else key
        lines += ["", *_toml_table(f"[{name}]", value)]
    return lines


def toml_dumps(doc: Mapping[str, Any]) -> str:
    """TOML for the simple documents tests write (tables, arrays of tables, scalars, lists)."""
    lines: list[str] = []
    for key, value in doc.items():
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            for table in value:
                lines += ["", *_toml_table(f"[[{key}]]", table)]
        elif key == "notifiers":
            for name, table in value.items():
                lines += ["", *_toml_table(f"[notifiers.{name}]", table)]
        elif isinstance(value, Mapping):
            lines += ["", *_toml_table(f"[{key}]", value)]
        else:
            lines.insert(0, f"{key} = {_toml_value(value)}")
    return "\n".join(lines).strip() + "\n"


WriteConfig = Callable[..., Path]


@pytest.fixture
def write_config(tmp_path: Path) -> WriteConfig:
    """``write_config(doc_or_text, name="settings.toml") -> path`` in a per-test directory.
    A dict gets test defaults: state in the directory, loopback allowed, JSON logs."""

    def write(doc: Mapping[str, Any] | str, name: str = "settings.toml") -> Path:
        path = tmp_path / name
        if isinstance(doc, str):
            path.write_text(doc, encoding="utf-8")
            return path
        full = dict(doc)
        monitor = {
            "state": "sqlite:///state/bilat.db",
            "allow_private_networks": True,
            "log_format": "json",
            **full.get("monitor", {}),
        }
        full["monitor"] = monitor
        full.setdefault("notifiers", {"console": {"type": "console"}})
        path.write_text(toml_dumps(full), encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def _no_bilat_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests start without BILAT_* overrides from the developer's shell, except that every
    daemon's HTTP endpoint takes a free port (tests never collide on 8686)."""
    for name in list(os.environ):
        if name.upper().startswith("BILAT_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv(SERVER_LISTEN_ENV, ANY_PORT)


@pytest.fixture(autouse=True)
def _fresh_logging() -> Iterator[None]:
    """A test that runs a command in-process configures logging for the process; undo it so
    the next test sees structlog's defaults (every level, nothing filtered)."""
    yield
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_bilat", False):
            root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    structlog.reset_defaults()


# ---------------------------------------------------------------------------------------------
# The CLI in a subprocess


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def events(self) -> list[dict[str, Any]]:
        """The JSON log lines on stderr."""
        out = []
        for line in self.stderr.splitlines():
            if line.startswith("{"):
                out.append(json.loads(line))
        return out


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("BILAT_")}
    env["PYTHONUNBUFFERED"] = "1"
    env[SERVER_LISTEN_ENV] = ANY_PORT  # every test daemon's endpoint on a free port
    # The suite reads the per-poll and per-alert lines (source.polled, alert.decided,
    # alert.delivered), which are debug lines.
    env["BILAT_MONITOR__LOG_LEVEL"] = "debug"
    env.update(extra or {})
    return env


async def start_cli(*args: str) -> asyncio.subprocess.Process:
    """Start ``python -m monitor ARGS`` (for the daemon), stdout and stderr piped."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "monitor",
        *args,
        cwd=ROOT,
        env=cli_env(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def run_cli(
    *args: str, limit_s: float = 60.0, env: Mapping[str, str] | None = None
) -> CliResult:
    """Run ``python -m monitor ARGS`` to completion (the event loop keeps serving meanwhile)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "monitor",
        *args,
        cwd=ROOT,
        env=cli_env(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), limit_s)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    assert proc.returncode is not None
    return CliResult(proc.returncode, out.decode(), err.decode())
