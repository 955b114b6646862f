"""The route registry: every package that serves something on the daemon's endpoint appends an
installer here, so a new page never edits the server's own modules.

An installer is ``(app, ctx) -> None``: it adds routes to the aiohttp ``app`` and may keep
``ctx`` (the daemon's live parts) in its handlers' closures. ``app.make_app`` calls every
installer in list order. The operations routes (health, readiness, metrics, reload) are the
first installer; another package registers itself at import time, e.g. in its ``__init__``::

    from monitor.server.routes import INSTALLERS
    INSTALLERS.append(install_web_page)

and the daemon imports that package before it builds the app (``monitor.server.app.PLUGINS``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from monitor.server.context import ServerContext

Installer = Callable[[web.Application, "ServerContext"], None]

INSTALLERS: list[Installer] = []
