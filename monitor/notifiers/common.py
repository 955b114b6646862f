"""What the HTTP notifiers (Slack, webhook) and email share: secrets from the environment,
masking, Retry-After parsing, and turning a failed request into a ``Delivery``.

Secrets are read once, at construction, from the variable named in config (``*_env``) and
held as ``SecretStr``; anything that may reach a log or ``Delivery.detail`` goes through
``Scrubber`` so a secret that shows up in a library's error message is replaced by ``***``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import urlsplit

from pydantic import SecretStr

from monitor.contracts import BlockedAddress, FetchError, NetworkError
from monitor.logs import url_secret_parts
from monitor.notifiers.base import Delivery, NotifierOptions, Outcome

MASK = "***"

OptionsT = TypeVar("OptionsT", bound=NotifierOptions)


class NotifierConfigError(ValueError):
    """A notifier cannot start: a missing secret or inconsistent options. The message names
    the notifier and the key, never a secret value."""


def coerce_options(cls: type[OptionsT], options: NotifierOptions) -> OptionsT:
    """``options`` as ``cls`` (the registry may hand over the base model)."""
    if isinstance(options, cls):
        return options
    return cls.model_validate(options.model_dump(by_alias=True))


def read_secret(env: str, *, notifier: str, key: str) -> SecretStr:
    """The value of environment variable ``env``; NotifierConfigError if unset or empty."""
    value = os.environ.get(env, "").strip()
    if not value:
        raise NotifierConfigError(
            f"notifier {notifier!r}: environment variable {env} (from {key}) is not set"
        )
    return SecretStr(value)


def mask_url(url: str) -> str:
    """Scheme and host only: ``https://hooks.slack.com/***`` (paths and queries hold tokens)."""
    parts = urlsplit(url)
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme or 'http'}://{host}{port}/{MASK}"


class Scrubber:
    """Replaces every known secret in a text: a secret URL by its masked form
    (``https://hooks.slack.com/***``), its path alone by ``/***``, any other secret by
    ``***``.

    A URL from a secret is matched by its scheme and host followed by anything up to a
    space or quote, not by its exact text: an error message may quote it re-encoded, with
    its query already half-masked, or cut short. Its path, and each path segment and query
    value long enough to be a token, are masked wherever they appear alone."""

    def __init__(self, *secrets: SecretStr | None) -> None:
        replacements: dict[str, str] = {}
        patterns: list[tuple[re.Pattern[str], str]] = []
        for secret in secrets:
            if secret is None:
                continue
            raw = secret.get_secret_value()
            parts = urlsplit(raw)
            if parts.scheme and parts.netloc:
                prefix = re.escape(f"{parts.scheme}://{parts.netloc}")
                patterns.append((re.compile(prefix + _URL_TAIL, re.I), mask_url(raw)))
                for piece in url_secret_parts(raw):
                    replacements[piece] = MASK
                # The path of a webhook URL is the credential; a library may quote it alone.
                if len(parts.path) > 8:
                    patterns.append((re.compile(re.escape(parts.path) + _URL_TAIL), "/" + MASK))
            else:
                replacements[raw] = MASK
        self._patterns = patterns
        self._pairs = sorted(
            ((k, v) for k, v in replacements.items() if len(k) >= 4),
            key=lambda kv: len(kv[0]),
            reverse=True,
        )

    def __call__(self, text: str) -> str:
        for pattern, masked in self._patterns:
            text = pattern.sub(masked, text)
        for value, masked in self._pairs:
            text = text.replace(value, masked)
        return text


_URL_TAIL = r"""[^\s"'<>]*"""


def retry_after(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date), else None."""
    raw = headers.get("Retry-After") or headers.get("retry-after")
    if not raw:
        return None
    raw = raw.strip()
    try:
        return max(0.0, float(raw))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def failed_request(exc: Exception, what: str, scrub: Scrubber) -> Delivery:
    """A request that got no (usable) response, as a Delivery. Blocked addresses are a
    configuration error (dead); network trouble and timeouts are transient (retry)."""
    message = scrub(str(exc)) or type(exc).__name__
    if isinstance(exc, BlockedAddress):
        return Delivery(
            "dead",
            f"{what}: address refused by the network policy ({message}); "
            "set allow_private_networks only for a trusted private endpoint",
        )
    if isinstance(exc, NetworkError):
        return Delivery("retry", f"{what}: network error: {message}")
    if isinstance(exc, FetchError):
        outcome: Outcome = "retry" if exc.transient else "dead"
        return Delivery(outcome, f"{what}: {type(exc).__name__}: {message}", exc.retry_after_s)
    return Delivery("retry", f"{what}: {type(exc).__name__}: {message}")


def body_snippet(body: bytes, limit: int = 120) -> str:
    """The start of a response body as one printable line (for details of odd replies)."""
    text = body[: limit * 4].decode("utf-8", "replace")
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def looks_like_html(body: bytes, content_type: str | None) -> bool:
    head = body[:200].lstrip().lower()
    return bool(content_type and "html" in content_type.lower()) or head.startswith(
        (b"<!doctype html", b"<html")
    )
