"""Logging: structlog configured once per process, secrets masked on the way out.

Human console lines in a terminal, one JSON object per line otherwise (``log_format`` forces
either). Logs go to stderr: stdout belongs to the console notifier's alerts. ``source_id`` and
other per-task context travel in structlog contextvars. Third-party stdlib logging (aiohttp,
apscheduler) is rendered through the same processors.

The masking processor is defensive: it replaces values of the secret environment variables
named in config, Slack webhook URLs, bearer tokens, ``Authorization`` headers, passwords in URLs
and common token parameters, wherever they appear in an event's values.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any, Literal, TextIO
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

LogFormat = Literal["auto", "console", "json"]
LogLevel = Literal["debug", "info", "warning", "error"]

MASK = "***"
_SECRET_KEY = re.compile(
    r"(authorization|password|passwd|secret|token|api[_-]?key|webhook_url|cookie)$", re.I
)
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Slack incoming webhooks / workflow triggers: the path is the secret.
    (re.compile(r"(https?://hooks\.slack\.com/)[^\s\"'<>]+", re.I), r"\1" + MASK),
    # Slack tokens (bot, user, app, refresh, config).
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"), MASK),
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), MASK),
    # Authorization headers and bearer/basic credentials anywhere in text.
    (
        re.compile(
            r"(?i)(authorization\s*[:=]\s*)(?:\"[^\"]*\"|'[^']*'|[^\s,;}]+(?:\s+[^\s,;}]+)?)"
        ),
        r"\1" + MASK,
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + MASK),
    # user:password@ in URLs.
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^/\s:@]+:)[^@\s/]+@"), r"\1" + MASK + "@"),
    # token-like query or form parameters.
    (
        re.compile(
            r"(?i)\b((?:access_|refresh_|api_|auth_)?(?:token|key|secret|password|sig|signature)=)"
            r"[^&\s\"']+"
        ),
        r"\1" + MASK,
    ),
)

# One pass that finds whether any pattern could apply: most logged values (statuses, ids,
# counts, event names) contain nothing to mask, and running every substitution on each of them
# was half the cost of a log line. Case-insensitive, so it matches at least what the
# patterns match.
_ANY_PATTERN = re.compile(
    "|".join(f"(?:{p.pattern.removeprefix('(?i)')})" for p, _ in _PATTERNS), re.I
)

_secret_values: set[str] = set()
# scheme://host of each secret URL -> (the URL with anything after it, scheme://host/***)
_secret_urls: dict[str, tuple[re.Pattern[str], str]] = {}


_TOKEN_MIN = 6  # path segments and query values at least this long are treated as tokens


def url_secret_parts(url: str) -> set[str]:
    """The pieces of a secret URL that may be quoted alone: path segments and query values
    long enough to be tokens, raw and percent-decoded."""
    parts = urlsplit(url)
    pieces = [seg for seg in parts.path.split("/") if seg]
    pieces += [value for _, value in parse_qsl(parts.query, keep_blank_values=False)]
    found: set[str] = set()
    for piece in pieces:
        for form in (piece, unquote(piece), quote(unquote(piece), safe="")):
            if len(form) >= _TOKEN_MIN:
                found.add(form)
    return found


# Values under these keys are identifiers, names and timestamps that bilat itself makes (or
# config ids): nothing in them can be a secret, so they skip the masker, as do numbers and
# booleans. Every other key is masked: reasons, errors, URLs, notes, headers, and ``event``
# (a library's stdlib log message lands there).
_PLAIN_KEYS = frozenset(
    {
        *("level", "timestamp", "logger", "source_id", "rule_id", "item_key"),
        *("event_key", "alert_id", "notifier", "status", "action", "outcome", "kind"),
        *("date_source", "migration", "parent_id", "signal", "state"),
    }
)

# The level configure_logging set, and the wrapper class it installed: ``HotLogger`` drops a
# line below that level before structlog builds anything, while that configuration is in
# force (a test may reset structlog to its defaults, which filter nothing).
_level = 0
_wrapper: Any = None


def register_secrets(values: Iterable[str]) -> None:
    """Remember secret values (read from the environment at startup) so logs never show them.
    A URL's path segments and query values are remembered too: a library may quote a secret
    URL re-encoded or in pieces."""
    for value in values:
        # Very short values would mask ordinary words; config secrets are never that short.
        if value and len(value) >= 4:
            _secret_values.add(value)
            parts = urlsplit(value)
            if parts.scheme and parts.netloc:
                _secret_values.update(url_secret_parts(value))
                prefix = f"{parts.scheme}://{parts.netloc}"
                _secret_urls[prefix.lower()] = (
                    re.compile(re.escape(prefix) + r"""[^\s"'<>]*""", re.I),
                    f"{parts.scheme}://{parts.hostname or '?'}"
                    + (f":{parts.port}" if parts.port else "")
                    + "/"
                    + MASK,
                )


def mask_text(text: str) -> str:
    """``text`` with known secrets and secret-looking substrings replaced by ``***``; a
    secret URL, however quoted, by its scheme and host."""
    lowered = text.lower() if _secret_urls else ""
    for prefix, (pattern, masked) in _secret_urls.items():
        if prefix in lowered:
            text = pattern.sub(masked, text)
    for value in _secret_values:
        if value in text:
            text = text.replace(value, MASK)
    if _ANY_PATTERN.search(text) is None:
        return text
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def _mask_value(key: str, value: Any) -> Any:
    if isinstance(value, str):
        if _SECRET_KEY.search(key) and not key.endswith("_env"):
            return MASK if value else value
        return mask_text(value)
    if isinstance(value, Mapping):
        return {k: _mask_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_mask_value(key, v) for v in value)
    if isinstance(value, BaseException):
        return mask_text(f"{type(value).__name__}: {value}")
    return value


def mask_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """structlog processor: mask secrets in every value that can hold one (and in rendered
    tracebacks); numbers, booleans and bilat's own identifiers pass as they are."""
    for key, value in list(event_dict.items()):
        if key in _PLAIN_KEYS or value is None or type(value) in (int, float, bool):
            continue
        event_dict[key] = _mask_value(key, value)
    return event_dict


class HotLogger:
    """A logger for lines written per poll, item or alert: a ``debug`` call below the
    configured level returns after one comparison. (structlog's lazy proxy builds a bound
    logger per call, even for a line the level then drops; caching it would stop
    ``structlog.testing.capture_logs`` from seeing lines.)"""

    __slots__ = ("_log",)

    def __init__(self, name: str) -> None:
        self._log = structlog.get_logger(name)

    def debug(self, event: str, **fields: Any) -> None:
        if debug_enabled():
            self._log.debug(event, **fields)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._log, name)


def debug_enabled() -> bool:
    """Whether debug lines are written (skip building costly fields when not)."""
    return _level <= logging.DEBUG or structlog.get_config()["wrapper_class"] is not _wrapper


def _mask_rendered(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # Tracebacks are rendered by format_exc_info into the "exception" key; mask that text too.
    exc = event_dict.get("exception")
    if isinstance(exc, str):
        event_dict["exception"] = mask_text(exc)
    return event_dict


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.ExtraAdder(),
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        mask_secrets,
    ]


def configure_logging(
    level: LogLevel = "info",
    fmt: LogFormat = "auto",
    *,
    stream: TextIO | None = None,
) -> None:
    """Configure structlog and stdlib logging for this process (idempotent)."""
    out = stream or sys.stderr
    use_console = fmt == "console" or (fmt == "auto" and out.isatty())
    renderer: Processor
    if use_console:
        renderer = structlog.dev.ConsoleRenderer(colors=out.isatty(), sort_keys=False)
        exc_processors: list[Processor] = [_mask_rendered]
    else:
        renderer = structlog.processors.JSONRenderer(ensure_ascii=False)
        exc_processors = [structlog.processors.format_exc_info, _mask_rendered]
    global _level, _wrapper
    numeric = logging.getLevelNamesMapping()[level.upper()]
    _level = numeric
    _wrapper = structlog.make_filtering_bound_logger(numeric)
    shared = _shared_processors()

    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *exc_processors,
            renderer,
        ],
    )
    handler = logging.StreamHandler(out)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for old in list(root.handlers):
        if getattr(old, "_bilat", False):
            root.removeHandler(old)
    handler._bilat = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(numeric)
    # Chatty libraries: their INFO lines ("Running job ...") are noise for a desk.
    for name in ("apscheduler", "aiosqlite", "asyncio"):
        logging.getLogger(name).setLevel(max(numeric, logging.WARNING))

    # bilat's own events go straight to the stream through the same processors; the stdlib
    # detour (a LogRecord, the handler and the formatter per line) cost as much as the
    # rendering, on a line every poll writes.
    structlog.configure(
        processors=[*shared, *exc_processors, renderer],
        logger_factory=structlog.WriteLoggerFactory(out),
        wrapper_class=_wrapper,
        # Not cached: structlog.testing.capture_logs() must be able to swap processors.
        cache_logger_on_first_use=False,
    )
