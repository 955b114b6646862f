"""The operations routes: ``/healthz`` (the process answers), ``/readyz`` (it can do its work),
``/metrics`` (Prometheus text format) and ``POST /-/reload``. Installed first, through the
same registry as any other page.

``/readyz`` asks the daemon (``ctx.readiness``): the store takes a write, the scheduler ticks,
the daemon is not stopping. It answers 200 ``ready`` or 503 with the reason, so an operator
(or a load balancer's log) sees *why*. ``/metrics`` refreshes the state gauges from the store
before rendering (``monitor.metrics``).
"""

from __future__ import annotations

import structlog
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from monitor import metrics
from monitor.model import utcnow
from monitor.server.context import ServerContext
from monitor.watch.watcher import watch_sources

log = structlog.get_logger("monitor.server")


async def refresh_gauges(ctx: ServerContext) -> None:
    """Outbox depth, seconds since each configured source's last success, leases held, silent
    sources (the same verdicts as ``bilat status`` and the operator's alerts)."""
    now = utcnow()
    store = ctx.store
    try:
        outbox = await store.outbox_counts()
        states = await store.source_states()
        leases = [h.name for h in await store.lease_holders(now) if h.mine]
        watched = await watch_sources(store, ctx.settings.sources, now)
    except Exception as exc:
        metrics.store_error("metrics")
        log.warning("server.metrics_store_failed", error=f"{type(exc).__name__}: {exc}")
        return
    settings = ctx.settings
    configured = [s.id for s in settings.sources if s.enabled]
    last_ok = {sid: states[sid].last_ok_at if sid in states else None for sid in configured}
    notifiers = [name for name, o in settings.notifiers.items() if o.enabled]
    metrics.set_state(notifiers, outbox, last_ok, leases, now)
    metrics.silent_sources(sum(1 for w in watched.values() if w.verdict.silent))


def install(app: web.Application, ctx: ServerContext) -> None:
    """Add the operations routes to ``app``."""

    async def healthz(request: web.Request) -> web.Response:
        # Alive: the event loop runs and answers. Whether it does useful work is /readyz.
        return web.Response(text="ok\n")

    async def readyz(request: web.Request) -> web.Response:
        reason = await ctx.readiness() if ctx.readiness is not None else None
        if reason is None:
            return web.Response(text="ready\n")
        return web.Response(status=503, text=f"not ready: {reason}\n")

    async def metrics_page(request: web.Request) -> web.Response:
        await refresh_gauges(ctx)
        body = generate_latest(REGISTRY)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    async def reload(request: web.Request) -> web.Response:
        if ctx.reload is None:
            return web.Response(status=501, text="reload is not available here\n")
        ok, message = await ctx.reload()
        return web.Response(status=200 if ok else 400, text=message + "\n")

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_page)
    app.router.add_post("/-/reload", reload)
