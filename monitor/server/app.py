"""The aiohttp application and its lifetime: ``make_app`` builds it from the route registry,
``serve`` binds it to ``[monitor.server] listen`` for as long as the daemon runs.

A bearer token (``token_env``) guards every route but ``/healthz`` when the endpoint is bound
beyond loopback; it is compared in constant time and never logged.
"""

from __future__ import annotations

import hmac
import importlib
import importlib.util
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog
from aiohttp import web
from aiohttp.typedefs import Middleware

from monitor.config_errors import ConfigError, ConfigIssue, display_path
from monitor.server import ops, routes
from monitor.server.context import ServerContext
from monitor.server.options import split_listen

log = structlog.get_logger("monitor.server")

# Packages that add pages to the endpoint by appending to ``routes.INSTALLERS`` when imported;
# each is imported (when it exists) before the app is built.
PLUGINS: tuple[str, ...] = ("monitor.web",)
OPEN_PATHS = frozenset({"/healthz"})  # answered without a token: liveness probes carry none

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _load_plugins() -> None:
    for name in PLUGINS:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def _auth_middleware(ctx: ServerContext) -> Middleware:
    @web.middleware
    async def auth(request: web.Request, handler: Handler) -> web.StreamResponse:
        token = ctx.token
        if token is not None and request.path not in OPEN_PATHS:
            given = request.headers.get("Authorization", "")
            expected = f"Bearer {token}"
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return web.Response(
                    status=401,
                    text="bearer token required\n",
                    headers={"WWW-Authenticate": 'Bearer realm="bilat"'},
                )
        return await handler(request)

    return auth


def make_app(ctx: ServerContext) -> web.Application:
    """The application: the operations routes, then every registered installer in order."""
    _load_plugins()
    app = web.Application(middlewares=[_auth_middleware(ctx)])
    ops.install(app, ctx)
    for installer in routes.INSTALLERS:
        installer(app, ctx)
    return app


@dataclass(frozen=True, slots=True)
class Bound:
    """Where the endpoint listens (the real port when ``listen`` asked for port 0)."""

    host: str
    port: int

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


@asynccontextmanager
async def serve(ctx: ServerContext) -> AsyncIterator[Bound | None]:
    """Serve the endpoint while inside; yields None when ``listen = ""`` turned it off.
    A listen address that cannot be bound is a ConfigError (exit 2), naming the address."""
    server = ctx.settings.monitor.server
    if not server.enabled:
        yield None
        return
    host, port = split_listen(server.listen)
    runner = web.AppRunner(make_app(ctx), access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            reason = (
                f"cannot listen on {server.listen}: {exc.strerror or exc}"
                " (another bilat node on this host needs its own port)"
            )
            issue = ConfigIssue(
                reason, file=display_path(ctx.settings.path), table="monitor", field="server.listen"
            )
            raise ConfigError([issue]) from None
        addresses = runner.addresses  # the socket's own (host, port): the real port for port 0
        bound = Bound(host, int(addresses[0][1]) if addresses else port)
        log.info("server.listening", url=bound.url, token=ctx.token is not None)
        yield bound
    finally:
        await runner.cleanup()
