"""Redirect policy shared by every request kind: which statuses are followed, where the next
hop goes (http/https only) and which headers may travel to another origin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from yarl import URL

from monitor.contracts import BlockedAddress, ClientError
from monitor.net.errors import redact_url
from monitor.net.ssrf import HTTP_SCHEMES

REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# A POST is only re-sent on the method-preserving redirects; a webhook answered with
# 301/302/303 was not delivered, and the caller must see that status.
POST_FOLLOWS: Final = frozenset({307, 308})
# Headers that must not travel to another origin.
_CREDENTIAL_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie"})


def next_hop(source: URL, location: str, first: URL) -> URL:
    """The absolute URL a ``Location`` header on ``source`` points to; ClientError when it
    is unusable, BlockedAddress when it leaves http/https (``first`` names the request)."""
    try:
        target = source.join(URL(location)).with_fragment(None)
    except (ValueError, TypeError) as exc:
        raise ClientError(
            f"{redact_url(first)}: unusable redirect Location", url=redact_url(first)
        ) from exc
    if target.scheme not in HTTP_SCHEMES:
        raise BlockedAddress(
            f"{redact_url(first)}: redirect to a {target.scheme or 'schemeless'} URL refused",
            url=redact_url(first),
        )
    return target


def loop_error(first: URL, target: URL, status: int) -> ClientError:
    return ClientError(
        f"{redact_url(first)}: redirect loop at {redact_url(target)}",
        status=status,
        url=redact_url(first),
    )


def too_many_error(first: URL, limit: int, status: int) -> ClientError:
    return ClientError(
        f"{redact_url(first)}: more than {limit} redirects", status=status, url=redact_url(first)
    )


def same_origin(a: URL, b: URL) -> bool:
    return (a.scheme, a.host, a.port) == (b.scheme, b.host, b.port)


def without_credentials(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of ``headers`` without credentials (any spelling), for a hop to another
    origin."""
    return {k: v for k, v in headers.items() if k.lower() not in _CREDENTIAL_HEADERS}
