"""``bilat check [-c FILE]``: validate the configuration and print what it sets up.

Exit 0 when the configuration is valid (the summary goes to stdout); exit 2 with every problem
(file, line, source/rule id or notifier name, field, reason) on stderr otherwise. Secrets are
never printed: ``*_env`` options show the variable's name and whether it is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from pydantic import BaseModel

from monitor.commands.common import EXIT_CONFIG, EXIT_OK, add_config_option, load_or_report
from monitor.config_errors import display_path
from monitor.logs import mask_text
from monitor.model import utcnow
from monitor.server.options import ServerSettings
from monitor.settings import Settings
from monitor.store.base import display_url
from monitor.store.checks import StateError, check_sqlite_state
from monitor.units import format_duration as human_seconds

_COMMON = {"id", "type", "enabled", "interval", "notify"}


def _options(options: BaseModel) -> str:
    shown: list[str] = []
    # By alias: the keys as the file spells them (``from``, not the attribute ``from_``).
    for key, value in options.model_dump(exclude_defaults=True, by_alias=True).items():
        if key in _COMMON:
            continue
        if key.endswith("_env") and isinstance(value, str):
            state = "set" if os.environ.get(value) else "not set"
            shown.append(f"{key}={value} ({state})")
        else:
            shown.append(f"{key}={value!r}" if not isinstance(value, str) else f"{key}={value}")
    return mask_text(" ".join(shown))


def _endpoint(server: ServerSettings) -> str:
    if not server.enabled:
        return 'off (listen = "")'
    if server.token_env:
        state = "set" if os.environ.get(server.token_env) else "not set"
        return f"http://{server.listen}, bearer token from {server.token_env} ({state})"
    return f"http://{server.listen}"


def summary(settings: Settings) -> str:
    """The text ``bilat check`` prints for valid settings."""
    m = settings.monitor
    http = m.http
    lines = [
        f"{display_path(settings.path)}: OK",
        f"state:     {display_url(settings.state_url)}",
        f"polling:   up to {m.concurrency} at once, backfill {human_seconds(m.backfill)}, "
        f"retention {human_seconds(m.retention)}, grace {human_seconds(m.grace_s)}",
        f"http:      timeout {human_seconds(http.timeout)}, {http.per_host_limit} per host, "
        f"max body {http.max_body / 1048576:g} MiB, private networks "
        + ("allowed" if m.allow_private_networks else "refused"),
        f"logging:   {m.log_level}, format {m.log_format}",
        f"endpoint:  {_endpoint(m.server)}",
        "",
        f"sources ({len(settings.sources)}):",
    ]
    for s in settings.sources:
        state = "" if s.enabled else "  [disabled]"
        lines.append(
            f"  {s.id:<24} {s.type:<10} every {human_seconds(s.interval):<8} {_options(s)}{state}"
        )
    lines += ["", f"rules ({len(settings.rules)}):"]
    for r in settings.rules:
        state = "" if r.enabled else "  [disabled]"
        notify = ",".join(r.notify) or "(nobody)"
        lines.append(f"  {r.id:<24} {r.type:<18} notify {notify:<16} {_options(r)}{state}")
    lines += ["", f"notifiers ({len(settings.notifiers)}):"]
    for name, n in settings.notifiers.items():
        state = "enabled" if n.enabled else "disabled"
        lines.append(f"  {name:<24} {n.type:<10} {state:<9} {_options(n)}")
    now = utcnow()
    lines += ["", f"silences ({len(settings.silences)}):"]
    for silence in settings.silences:
        state = "active " if silence.active(now) else "expired"
        lines.append(f"  {state}  {silence.describe().removeprefix('silence ')}")
    warnings = _warnings(settings)
    if warnings:
        lines += ["", "warnings:"] + [f"  {w}" for w in warnings]
    return "\n".join(line.rstrip() for line in lines)


def _warnings(settings: Settings) -> list[str]:
    out: list[str] = []
    enabled = {name for name, n in settings.notifiers.items() if n.enabled}
    for r in settings.rules:
        if r.enabled and not any(name in enabled for name in r.notify):
            out.append(f'rule "{r.id}" notifies no enabled notifier: its matches are only stored')
    if not any(s.enabled for s in settings.sources):
        out.append("no enabled sources: nothing will be polled")
    return out


def run(args: argparse.Namespace) -> int:
    settings = load_or_report(args, logging=False)
    if settings is None:
        return EXIT_CONFIG
    print(summary(settings))
    problem = state_problem(settings.state_url)
    if problem:
        print(f"bilat: {problem}", file=sys.stderr)
        return EXIT_CONFIG
    return EXIT_OK


def state_problem(url: str) -> str | None:
    """The state file's problem (garbage, truncated, corrupted pages, read-only), checked
    read-only and bounded in time; None when usable. PostgreSQL is checked when it opens."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    try:
        check_sqlite_state(Path(url[len("sqlite:///") :]))
    except StateError as exc:
        return str(exc)
    return None


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="validate the configuration and print a summary (exit 2 on errors)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    parser.set_defaults(func=run)
