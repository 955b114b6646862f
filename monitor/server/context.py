"""``ServerContext``: what the daemon hands the HTTP endpoint — its live parts, by handle.

The server never imports the daemon (the daemon imports the server), so the daemon's own
behaviour arrives as plain callables: ``readiness`` answers why the daemon is not ready (or
None when it is), ``reload`` re-reads the configuration. ``settings`` is the configuration in
force and is replaced by a successful reload, so handlers read ``ctx.settings`` per request.
``handles`` carries further named parts (the poller, the delivery worker...) for pages that
want them, without this dataclass growing a field for each.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from monitor.model import utcnow
from monitor.settings import Settings
from monitor.store.base import Store

# Why the daemon is not ready ("store not writable: ..."), or None when it is.
Readiness = Callable[[], Awaitable[str | None]]
# Re-read and apply the config file: (ok, message). ok=False keeps the old config running.
Reloader = Callable[[], Awaitable[tuple[bool, str]]]


@dataclass(slots=True)
class ServerContext:
    """The daemon's live parts, as the HTTP endpoint and its pages see them."""

    settings: Settings
    store: Store
    started_at: datetime = field(default_factory=utcnow)
    readiness: Readiness | None = None
    reload: Reloader | None = None
    handles: dict[str, Any] = field(default_factory=dict)

    @property
    def token(self) -> str | None:
        """The bearer token requests must carry, or None when the endpoint needs none."""
        server = self.settings.monitor.server
        if not server.needs_token:
            return None
        secret = self.settings.secrets.get(server.token_env)
        return secret.get_secret_value() if secret is not None else None
