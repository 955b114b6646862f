"""The desk's web page: meetings, who met whom, an event's timeline, source health, live.

Served by the daemon's HTTP server: ``install(app, ctx)`` adds the routes to its aiohttp
application (``ctx`` gives the store and the settings). Read-only: the pages only read the
store (``Store.events_between`` and the other web reads). Imports the store's contracts, the
event layer and the renderers' pure helpers; nothing imports this package but the server.
"""

from monitor.web.app import Site, WebContext, install

__all__ = ["Site", "WebContext", "install"]
