"""The desk's web page: meetings, who met whom, an event's timeline, source health, live.

Served by the daemon's HTTP endpoint (``monitor/server``): importing this package registers
``install`` in ``monitor.server.routes.INSTALLERS``, and the server imports it before it builds
its application (``monitor.server.app.PLUGINS``). Read-only: the pages only read the store
(``Store.events_between`` and the other web reads). Imports the store's contracts, the event
layer and the renderers' pure helpers; nothing imports this package but the server.
"""

from aiohttp import web

from monitor.server.context import ServerContext
from monitor.server.routes import INSTALLERS
from monitor.web.app import Site, WebContext, install

__all__ = ["Site", "WebContext", "install"]


def _install(app: web.Application, ctx: ServerContext) -> None:
    install(app, ctx)


INSTALLERS.append(_install)
