"""The daemon's HTTP endpoint: ``[monitor.server]`` settings, the route registry, the bearer
token beyond loopback, and ``bilat run`` serving ``/healthz`` on its own port."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from monitor.config_errors import ConfigError
from monitor.server import routes
from monitor.server.app import make_app, serve
from monitor.server.context import ServerContext
from monitor.server.options import DEFAULT_LISTEN
from monitor.settings import Settings, load_settings
from monitor.store import open_store
from tests.conftest import SERVER_LISTEN_ENV, WriteConfig
from tests.server.daemon import Daemon


def _settings(write_config: WriteConfig, **server: str) -> Settings:
    return load_settings(write_config({"monitor": {"server": server}}))


def test_default_listens_on_loopback_8686(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without [monitor.server] the endpoint listens on 127.0.0.1:8686, needing no token."""
    monkeypatch.delenv(SERVER_LISTEN_ENV)
    server = load_settings(write_config({})).monitor.server
    assert (server.listen, server.enabled, server.needs_token) == (DEFAULT_LISTEN, True, False)
    assert DEFAULT_LISTEN == "127.0.0.1:8686"


def test_empty_listen_turns_the_endpoint_off(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """listen = "" disables the endpoint."""
    monkeypatch.delenv(SERVER_LISTEN_ENV)
    assert not _settings(write_config, listen="").monitor.server.enabled


@pytest.mark.parametrize(
    ("listen", "reason"),
    [
        ("8686", 'not "host:port"'),
        ("127.0.0.1:http", "port is not a number"),
        ("127.0.0.1:70000", "port out of range"),
    ],
)
def test_a_bad_listen_address_is_a_config_error(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, listen: str, reason: str
) -> None:
    """A listen value that is not host:port names the field and the reason."""
    monkeypatch.delenv(SERVER_LISTEN_ENV)
    with pytest.raises(ConfigError) as err:
        _settings(write_config, listen=listen)
    assert 'monitor, field "server.listen"' in str(err.value)
    assert reason in str(err.value)


def test_beyond_loopback_a_token_is_required(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bound to all interfaces, the endpoint needs token_env, and that variable set."""
    monkeypatch.delenv(SERVER_LISTEN_ENV)
    with pytest.raises(ConfigError, match="needs a bearer token"):
        _settings(write_config, listen="0.0.0.0:8686")
    with pytest.raises(ConfigError, match="BILAT_TEST_ENDPOINT_TOKEN is not set"):
        _settings(write_config, listen="0.0.0.0:8686", token_env="BILAT_TEST_ENDPOINT_TOKEN")
    monkeypatch.setenv("BILAT_TEST_ENDPOINT_TOKEN", "s3cret")
    settings = _settings(write_config, listen="0.0.0.0:8686", token_env="BILAT_TEST_ENDPOINT_TOKEN")
    assert settings.monitor.server.needs_token
    assert "s3cret" not in repr(settings)


@asynccontextmanager
async def _app_on_loopback(ctx: ServerContext) -> AsyncIterator[str]:
    """``make_app(ctx)`` served on 127.0.0.1 whatever ``listen`` says (tests bind nothing else)."""
    runner = web.AppRunner(make_app(ctx), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


async def test_a_token_guards_every_route_but_healthz(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With a token, requests without "Authorization: Bearer <token>" get 401 (healthz stays
    open for liveness probes); the right token passes."""
    monkeypatch.delenv(SERVER_LISTEN_ENV)
    monkeypatch.setenv("BILAT_TEST_ENDPOINT_TOKEN", "s3cret")
    settings = _settings(write_config, listen="0.0.0.0:8686", token_env="BILAT_TEST_ENDPOINT_TOKEN")

    def install(app: web.Application, ctx: ServerContext) -> None:
        async def page(request: web.Request) -> web.Response:
            return web.Response(text="page")

        app.router.add_get("/page", page)

    store = await open_store(f"sqlite:///{tmp_path / 's.db'}")
    monkeypatch.setattr(routes, "INSTALLERS", [install])
    try:
        async with (
            _app_on_loopback(ServerContext(settings, store)) as base,
            aiohttp.ClientSession() as session,
        ):
            async with session.get(base + "/healthz") as resp:
                assert resp.status == 200
            async with session.get(base + "/page") as resp:
                assert resp.status == 401
                assert resp.headers["WWW-Authenticate"].startswith("Bearer")
            bad = {"Authorization": "Bearer wrong"}
            async with session.get(base + "/page", headers=bad) as resp:
                assert resp.status == 401
            good = {"Authorization": "Bearer s3cret"}
            async with session.get(base + "/page", headers=good) as resp:
                assert (resp.status, await resp.text()) == (200, "page")
    finally:
        await store.close()


async def test_installers_add_routes_and_serve_binds_a_free_port(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A package appends an installer to routes.INSTALLERS and its route is served next to
    /healthz; the installer receives the context; port 0 reports the port really bound."""
    seen: list[ServerContext] = []

    def install(app: web.Application, ctx: ServerContext) -> None:
        seen.append(ctx)

        async def hello(request: web.Request) -> web.Response:
            return web.Response(text=f"store {ctx.store.url.split(':')[0]}")

        app.router.add_get("/hello", hello)

    monkeypatch.setattr(routes, "INSTALLERS", [*routes.INSTALLERS, install])
    settings = load_settings(write_config({}))
    store = await open_store(f"sqlite:///{tmp_path / 's.db'}")
    ctx = ServerContext(settings, store)
    try:
        async with serve(ctx) as bound, aiohttp.ClientSession() as session:
            assert bound is not None and bound.port != 0
            async with session.get(bound.url + "/healthz") as resp:
                assert (resp.status, await resp.text()) == (200, "ok\n")
            async with session.get(bound.url + "/hello") as resp:
                assert await resp.text() == "store sqlite"
        assert seen == [ctx]
    finally:
        await store.close()


async def test_run_serves_healthz_and_stops_with_the_daemon(write_config: WriteConfig) -> None:
    """`bilat run` serves /healthz on its endpoint (named in daemon.started) until it stops."""
    config = write_config({})
    async with Daemon(config) as daemon:
        assert await daemon.get("/healthz") == (200, "ok\n")
        url = await daemon.url()
        assert await daemon.stop() == 0
    with pytest.raises(aiohttp.ClientConnectionError):
        async with aiohttp.ClientSession() as session, session.get(url + "/healthz"):
            pass


async def test_a_port_in_use_is_one_line_and_exit_2(write_config: WriteConfig) -> None:
    """A second node on the same port exits 2 with one line naming the address."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        listen = f"127.0.0.1:{taken.getsockname()[1]}"
        config = write_config({})
        async with Daemon(config, env={SERVER_LISTEN_ENV: listen}) as daemon:
            assert daemon.proc is not None
            code = await daemon.proc.wait()
    assert code == 2
    lines = [e["text"] for e in daemon.events if e["event"] == "<text>"]
    assert len(lines) == 1, daemon.events
    assert f"cannot listen on {listen}" in lines[0]
    assert 'monitor, field "server.listen"' in lines[0]
