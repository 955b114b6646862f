"""How HTTP outcomes become ``FetchError``s, and how URLs appear in them.

Every message and log line shows a *redacted* URL (no userinfo, secret-looking query values
masked, Telegram bot tokens and long token-like path segments masked); request headers never
appear at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import aiohttp
import structlog
from yarl import URL

from monitor.contracts import (
    BlockedAddress,
    ClientError,
    FetchError,
    NetworkError,
    RateLimited,
    ResponseTooLarge,
    ServerError,
)
from monitor.net.serverhints import retry_after_s
from monitor.net.ssrf import AddressPolicy, refused_connect

log = structlog.get_logger("monitor.http")

_SECRET_PARAM = re.compile(
    r"token|key|secret|pass|pwd|sig|auth|session|credential|code", re.IGNORECASE
)
_TELEGRAM_BOT_TOKEN = re.compile(r"/bot\d+:[\w-]+")
# Capability URLs carry their secret in the path: Slack webhooks (/services/T…/B…/<secret>),
# Discord/Teams-style webhooks, signed links. A long segment mixing letters and digits is
# treated as a secret; short ids and hyphenated article slugs stay readable.
_SECRET_SEGMENT = re.compile(r"(?<=/)(?=[A-Za-z0-9_]{20,}(?:[/?]|$))(?=\w*\d)(?=\w*[A-Za-z])\w+")


def redact_url(url: URL | str) -> str:
    """The URL as it may appear in logs and error messages: no userinfo, secret-looking
    query values replaced by ``***``, Telegram bot tokens masked."""
    try:
        parsed = url if isinstance(url, URL) else URL(url)
    except (ValueError, TypeError):
        return "<unparseable URL>"
    if parsed.user is not None or parsed.password is not None:
        parsed = parsed.with_user(None)
    if parsed.query_string and any(_SECRET_PARAM.search(k) for k in parsed.query):
        parsed = parsed.with_query(
            [(k, "***" if _SECRET_PARAM.search(k) else v) for k, v in parsed.query.items()]
        )
    text = _TELEGRAM_BOT_TOKEN.sub("/bot***", str(parsed.with_fragment(None)))
    return _SECRET_SEGMENT.sub("***", text)


def parse_url(url: str) -> URL:
    """``url`` as a yarl URL; ClientError when it cannot be parsed."""
    try:
        return URL(url)
    except (ValueError, TypeError) as exc:
        raise ClientError(f"not a URL: {redact_url(url)}") from exc


def check_target(policy: AddressPolicy, url: URL, schemes: frozenset[str]) -> None:
    """Apply the URL part of the address policy; a refusal is logged and raised as
    BlockedAddress naming the (redacted) URL."""
    try:
        policy.check_url(url, schemes=schemes)
    except BlockedAddress as exc:
        safe = redact_url(url)
        log.warning("http.blocked", url=safe, reason=str(exc))
        raise BlockedAddress(f"{safe}: {exc}", url=safe) from None


def status_error(status: int, headers: Mapping[str, str], url: URL) -> FetchError | None:
    """The FetchError for a final response status, or None for 2xx/304."""
    if 200 <= status < 300 or status == 304:
        return None
    safe_url = redact_url(url)
    wait = retry_after_s(headers)
    if status == 429:
        return RateLimited(
            f"{safe_url}: 429 Too Many Requests", status=429, retry_after_s=wait, url=safe_url
        )
    if status >= 500:
        return ServerError(
            f"{safe_url}: server error {status}", status=status, retry_after_s=wait, url=safe_url
        )
    return ClientError(f"{safe_url}: HTTP {status}", status=status, url=safe_url)


def too_large(url: URL, status: int, limit: int, what: str = "body") -> ResponseTooLarge:
    safe = redact_url(url)
    return ResponseTooLarge(f"{safe}: {what} larger than {limit} bytes", status=status, url=safe)


def _describe(exc: BaseException) -> str:
    """A short description of a transport error without secrets (aiohttp's own ``str`` of
    some errors embeds the full URL)."""
    if isinstance(exc, TimeoutError):
        return "timed out"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__}: {exc.status} {exc.message}"
    return f"{type(exc).__name__}: {exc}"


def transport_error(exc: BaseException, url: URL) -> FetchError:
    """The FetchError for an aiohttp/OS error on the way to ``url``: BlockedAddress when the
    connect-time guard refused, ClientError for an invalid URL, else NetworkError."""
    safe = redact_url(url)
    refusal = refused_connect(exc)
    if refusal is not None:
        log.warning("http.blocked", url=safe, reason=refusal)
        return BlockedAddress(f"{safe}: {refusal}", url=safe)
    if isinstance(exc, aiohttp.InvalidURL):
        return ClientError(f"{safe}: invalid URL", url=safe)
    return NetworkError(f"{safe}: {_describe(exc)}", url=safe)


def error_cause(exc: BaseException) -> BaseException | None:
    """The exception to chain under a FetchError: aiohttp's response/URL errors embed the
    full URL in ``str``, so they are not chained (secrets may sit in a query string)."""
    if isinstance(exc, aiohttp.ClientResponseError | aiohttp.InvalidURL):
        return None
    return exc
