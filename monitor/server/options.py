"""``[monitor.server]``: where the daemon's HTTP endpoint listens and how it is protected.

``listen = "127.0.0.1:8686"`` by default; ``""`` turns the endpoint off. Bound to anything but
a loopback address the endpoint requires a bearer token, read from the environment variable
that ``token_env`` names (a token in the file would sit in backups and version control).
"""

from __future__ import annotations

import ipaddress
import os

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from monitor.config_errors import IssueCollector

DEFAULT_LISTEN = "127.0.0.1:8686"


def split_listen(listen: str) -> tuple[str, int]:
    """``"host:port"`` / ``"[::1]:port"`` -> (host, port); ValueError with the reason."""
    host, sep, port_text = listen.rpartition(":")
    if not sep or not host:
        raise ValueError(f'not "host:port": {listen!r} (e.g. "127.0.0.1:8686"; "" turns it off)')
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(f"port is not a number: {port_text!r}") from None
    if not 0 <= port <= 65535:
        raise ValueError(f"port out of range: {port}")
    return host, port


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach (127.0.0.0/8, ::1, "localhost")."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


class ServerSettings(BaseModel):
    """``[monitor.server]``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    listen: str = DEFAULT_LISTEN
    # The environment variable holding the bearer token; required when ``listen`` is not a
    # loopback address (and then checked on every request but /healthz).
    token_env: str = ""

    @field_validator("listen")
    @classmethod
    def _valid_listen(cls, value: str) -> str:
        value = value.strip()
        if value:
            split_listen(value)
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.listen)

    @property
    def needs_token(self) -> bool:
        return self.enabled and not is_loopback(split_listen(self.listen)[0])


def read_server_token(
    col: IssueCollector, server: ServerSettings, secrets: dict[str, SecretStr]
) -> None:
    """Bound beyond loopback, the endpoint needs a bearer token from the environment."""
    if not server.needs_token:
        return
    if not server.token_env:
        col.add(
            ("monitor", "server", "listen"),
            f"listening on {server.listen} (beyond loopback) needs a bearer token: set "
            'token_env = "NAME" and export NAME',
        )
        return
    value = os.environ.get(server.token_env)
    if not value:
        col.add(
            ("monitor", "server", "token_env"),
            f"environment variable {server.token_env} is not set (it holds the endpoint's "
            "bearer token)",
        )
        return
    secrets[server.token_env] = SecretStr(value)
