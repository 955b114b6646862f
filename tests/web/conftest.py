"""A real aiohttp server on 127.0.0.1 with the desk's pages installed, over a store the
headline scenario (three meetings, 31 reports in six languages) filled through the real
pipeline."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer

from monitor.settings import Settings, load_settings
from monitor.store import Store
from monitor.web import Site, install
from tests.conftest import WriteConfig
from tests.events.desk import Desk, live, open_desk_at
from tests.events.scenario import CHRONO

SECRET_HOOK = "https://hooks.slack.com/services/T000/B000/verysecretvalue123"
SECRET_FEED = "http://127.0.0.1:9/feed.xml?token=feedtokensecret456"


@dataclass
class Ctx:
    """What the daemon's server hands ``install``: the store and the settings."""

    store: Store
    settings: Settings


@dataclass
class Page:
    """The pages on a loopback server, the desk that fills their store, an HTTP client."""

    url: str
    desk: Desk
    site: Site
    http: ClientSession

    async def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        async with self.http.get(self.url + path) as resp:
            return resp.status, await resp.text(), dict(resp.headers)


def desk_settings(write_config: WriteConfig, state_url: str) -> Settings:
    """Sources named like the scenario's (one with a secret in its URL), the scenario's rule
    id, and a Slack notifier whose webhook comes from the environment."""
    sources = [
        {"id": s, "type": "feed", "url": f"http://127.0.0.1:9/{s}.xml", "expect_every": "7d"}
        for s in ("mea", "tass", "reuters")
    ]
    sources.append({"id": "quiet-wire", "type": "feed", "url": SECRET_FEED})
    config = write_config(
        {
            "monitor": {"state": state_url},
            "sources": sources,
            "rules": [
                {"id": "india-desk", "type": "keyword", "any": ["Jaishankar"], "notify": ["desk"]}
            ],
            "notifiers": {"desk": {"type": "slack", "webhook_url_env": "WEB_TEST_HOOK"}},
        }
    )
    return load_settings(config)


@pytest.fixture
async def page(
    tmp_path: Path, write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Page]:
    monkeypatch.setenv("WEB_TEST_HOOK", SECRET_HOOK)
    state_url = f"sqlite:///{tmp_path / 'state' / 'bilat.db'}"
    settings = desk_settings(write_config, state_url)
    desk = await open_desk_at(state_url)
    for it, now in live(CHRONO):
        await desk.feed(it, now)
    app = web.Application()
    site = install(app, Ctx(desk.store, settings), live_poll_s=0.2)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    http = ClientSession()
    try:
        yield Page(str(server.make_url("")).rstrip("/"), desk, site, http)
    finally:
        await http.close()
        await server.close()
        await desk.close()
