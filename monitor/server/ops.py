"""The operations routes: ``/healthz`` (the process answers), later ``/readyz``, ``/metrics``
and ``POST /-/reload``. Installed first, through the same registry as any other page."""

from __future__ import annotations

from aiohttp import web

from monitor.server.context import ServerContext


def install(app: web.Application, ctx: ServerContext) -> None:
    """Add the operations routes to ``app``."""

    async def healthz(request: web.Request) -> web.Response:
        # Alive: the event loop runs and answers. Whether it does useful work is /readyz.
        return web.Response(text="ok\n")

    app.router.add_get("/healthz", healthz)
