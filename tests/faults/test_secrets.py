"""Every secret in every failure path: a webhook URL from ``url_env`` (a token in its path, a
key in its query) must never appear in stdout, stderr (at debug), the state's tables or
``bilat outbox [--json]``, whatever failed: a refused connection, a 500 with the URL echoed
back, a 404, a redirect. It is shown as scheme://host/*** only."""

from __future__ import annotations

import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from tests.conftest import WriteConfig, rss, run_cli

ENV = "BILAT_TEST_SECRET_HOOK"
TOKEN = "tok3nXYZ9secretpath"
KEY = "k3yQUERYsecret77"


class Hostile:
    """A receiver whose answers quote the request URL back (as many servers' errors do)."""

    def __init__(self) -> None:
        self.runner: web.AppRunner | None = None
        self.base = ""

    async def start(self) -> Hostile:
        app = web.Application()
        app.router.add_get("/feed.xml", self.feed)
        app.router.add_post("/500/{tail:.*}", self.fail)
        app.router.add_post("/404/{tail:.*}", self.missing)
        app.router.add_post("/redirect/{tail:.*}", self.redirect)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        return self

    async def feed(self, request: web.Request) -> web.Response:
        body = rss({"guid": "g1", "title": "Jaishankar meets envoy"})
        return web.Response(body=body, content_type="application/rss+xml")

    async def fail(self, request: web.Request) -> web.Response:
        return web.Response(status=500, text=f"boom at {request.url} ({request.path_qs})")

    async def missing(self, request: web.Request) -> web.Response:
        return web.Response(status=404, text=f"no hook {request.path_qs}")

    async def redirect(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{self.base}/elsewhere/{TOKEN}?key={KEY}")


@pytest.fixture
async def hostile() -> AsyncIterator[Hostile]:
    server = await Hostile().start()
    yield server
    assert server.runner is not None
    await server.runner.cleanup()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _leaks(text: str) -> list[str]:
    return [secret for secret in (TOKEN, KEY) if secret in text]


@pytest.mark.parametrize("failure", ["refused", "500", "404", "redirect"])
async def test_a_secret_webhook_url_never_shows(
    failure: str,
    hostile: Hostile,
    write_config: WriteConfig,
    tmp_path: Path,
    record_property: Any,
) -> None:
    """Whatever fails, the URL is shown as scheme://host/*** in the outbox's last_error,
    `bilat outbox` (text and --json), every log line at debug, and nowhere in the state."""
    base = f"http://127.0.0.1:{_closed_port()}" if failure == "refused" else hostile.base
    secret_url = f"{base}/{failure}/hook/{TOKEN}?key={KEY}"
    config = write_config(
        {
            "monitor": {"startup_spread": 0, "grace_s": 1},
            "sources": [{"id": "desk", "type": "feed", "url": f"{hostile.base}/feed.xml"}],
            "rules": [{"id": "kw", "type": "keyword", "any": ["Jaishankar"], "notify": ["hook"]}],
            "notifiers": {
                "hook": {"type": "webhook", "url_env": ENV, "retry_for": "0s", "timeout": 2}
            },
        }
    )
    env = {ENV: secret_url}
    once = await run_cli("once", "-c", str(config), env=env)
    assert once.returncode == 1  # the alert could not be delivered
    listing = await run_cli("outbox", "-c", str(config), "--state", "dead", env=env)
    as_json = await run_cli("outbox", "-c", str(config), "--state", "dead", "--json", env=env)
    assert listing.returncode == 0 and as_json.returncode == 0, listing.stderr
    for out in (once, listing, as_json):
        assert _leaks(out.stdout + out.stderr) == [], out.stdout + out.stderr
    assert "webhook: " in as_json.stdout, as_json.stdout  # the error is there, masked
    if failure in {"refused", "500"}:  # these errors quote the URL: scheme and host only
        assert f"{base}/***" in as_json.stdout, as_json.stdout
    db = tmp_path / "state" / "bilat.db"
    dump = "\n".join(sqlite3.connect(db).iterdump())
    for suffix in ("-wal", "-shm"):
        side = db.with_name(db.name + suffix)
        if side.exists():
            dump += side.read_bytes().decode("latin-1")
    assert _leaks(dump + db.read_bytes().decode("latin-1")) == []
    record_property("measured", "0 leaks in stdout, stderr (debug), outbox [--json], state file")
