"""Settings: the TOML file plus ``BILAT_*`` environment overrides, validated once at startup.

``load_settings(path)`` reads the file with ``tomllib``, merges the environment through
pydantic-settings (``BILAT_`` prefix, nesting with ``__``, environment wins), validates
``[monitor]`` here and every ``[[sources]]`` / ``[[rules]]`` / ``[notifiers.NAME]`` table with
the ``Options`` model its ``type`` registered, and every ``[[silences]]`` table
(``alert_options.Silence``), cross-checks ids and references, and reads the secrets that
``*_env`` options name. Every problem becomes a ``ConfigIssue`` naming file, line,
id and field; all of them are raised together as one ``ConfigError``.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from adapters import ADAPTERS
from adapters.base import SourceOptions
from monitor.config_errors import (
    ConfigError,
    ConfigIssue,
    IssueCollector,
    did_you_mean,
    display_path,
    syntax_issue,
    unknown_env_issues,
)
from monitor.contracts import HttpSettings
from monitor.events.options import Silence
from monitor.notifiers import NOTIFIERS
from monitor.notifiers.base import NotifierOptions
from monitor.server.options import ServerSettings, read_server_token
from monitor.state_url import check_state_url
from monitor.units import Seconds
from monitor.warmup import cached_toml
from rules import RULES
from rules.base import RuleOptions

ENV_PREFIX = "BILAT_"
DEFAULT_CONFIG = "settings.toml"
_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$"

__all__ = ["DEFAULT_CONFIG", "ConfigError", "ConfigIssue", "MonitorSettings", "Settings"]
__all__ += ["load_settings"]


class MonitorSettings(BaseModel):
    """``[monitor]``: the store, the daemon's timings, logging and HTTP."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    state: str = "sqlite:///state/bilat.db"
    allow_private_networks: bool = False
    grace_s: Seconds = 10.0  # shutdown: how long in-flight polls and deliveries may finish
    backfill: Seconds = Field(default=86400.0, gt=0)  # items older than this never alert
    retention: Seconds = Field(default=30 * 86400.0, gt=0)  # forget seen items after this
    concurrency: int = Field(default=20, ge=1)  # polls in flight at once
    workers: int | None = Field(default=None, ge=0)  # None: cores - 1; 0: inline
    startup_spread: Seconds = 60.0  # spread first polls over min(this, interval)
    lease: Seconds = Field(default=8.0, ge=1.0, le=3600.0)  # several nodes: lane/stream TTL
    pool_size: int = Field(default=10, ge=2, le=200)  # PostgreSQL connections per node
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["auto", "console", "json"] = "auto"
    operator_notify: str | None = None  # the notifier told about silent sources
    http: HttpSettings = HttpSettings()
    server: ServerSettings = ServerSettings()

    @model_validator(mode="before")
    @classmethod
    def _one_place_for_private_networks(cls, data: Any) -> Any:
        http = data.get("http") if isinstance(data, dict) else None
        if isinstance(http, dict) and "allow_private_networks" in http:
            raise ValueError(
                "set allow_private_networks on [monitor], not on [monitor.http] "
                "(the loader copies it there)"
            )
        return data


@dataclass(frozen=True, slots=True)
class Settings:
    """The validated configuration. ``secrets`` maps env var names to their values."""

    path: Path
    monitor: MonitorSettings
    sources: tuple[SourceOptions, ...] = ()
    rules: tuple[RuleOptions, ...] = ()
    notifiers: Mapping[str, NotifierOptions] = field(default_factory=dict)
    secrets: Mapping[str, SecretStr] = field(default_factory=dict)
    silences: tuple[Silence, ...] = ()

    @property
    def state_url(self) -> str:
        return self.monitor.state

    def source(self, source_id: str) -> SourceOptions:
        return next(s for s in self.sources if s.id == source_id)


class _Document(BaseModel):
    """The raw document's tables (each validated further by the model its kind has)."""

    model_config = ConfigDict(extra="forbid")

    monitor: dict[str, Any] = Field(default_factory=dict)
    sources: list[dict[str, Any]] = Field(default_factory=list)
    rules: list[dict[str, Any]] = Field(default_factory=list)
    notifiers: dict[str, dict[str, Any]] = Field(default_factory=dict)
    silences: list[dict[str, Any]] = Field(default_factory=list)


def _document_model() -> type[_Document]:
    """``_Document``, or with a ``BILAT_<TABLE>…`` variable set, its pydantic-settings twin
    that deep-merges them over the file's values: importing pydantic-settings costs more than
    the rest of reading the configuration, and most runs set none (``BILAT_CACHE_DIR`` and
    secrets override nothing)."""
    tables = {(ENV_PREFIX + t).upper() for t in _Document.model_fields}
    env = any(name.upper().split("__")[0] in tables for name in os.environ)
    return _with_environment() if env else _Document


@lru_cache(maxsize=1)
def _with_environment() -> type[_Document]:
    from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

    class _EnvDocument(BaseSettings, _Document):
        """The raw document: file values with environment overrides deep-merged on top."""

        model_config = SettingsConfigDict(
            env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", case_sensitive=False
        )

        @classmethod
        def settings_customise_sources(
            cls,
            settings_cls: type[BaseSettings],
            init_settings: PydanticBaseSettingsSource,
            env_settings: PydanticBaseSettingsSource,
            dotenv_settings: PydanticBaseSettingsSource,
            file_secret_settings: PydanticBaseSettingsSource,
        ) -> tuple[PydanticBaseSettingsSource, ...]:
            # The TOML file arrives as init values; the environment overrides it.
            return (env_settings, init_settings)

    return _EnvDocument


@cache
def _env_fields(model: type[BaseModel]) -> tuple[str, ...]:
    """The ``*_env`` options of a model (found once per class, not per source)."""
    return tuple(name for name in model.model_fields if name.endswith("_env"))


def load_settings(path: str | os.PathLike[str] = DEFAULT_CONFIG) -> Settings:
    """Load, merge, validate and cross-check the configuration; raise ConfigError."""
    cfg_path = Path(path)
    file = display_path(cfg_path)
    try:
        text = cfg_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigIssue("file not found", file=file)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(f"cannot read: {exc}", file=file)]) from None
    try:
        data = cached_toml(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([syntax_issue(file, exc)]) from None

    col = IssueCollector(cfg_path, text, ENV_PREFIX)
    col.issues += unknown_env_issues(ENV_PREFIX, list(_Document.model_fields), data, file)
    model = _document_model()
    try:
        doc = model(**data)
    except ValidationError as exc:
        col.add_validation((), exc, model=model)
        # Report problems inside the valid tables too: retry without the broken top level.
        bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
        try:
            doc = model(**{k: v for k, v in data.items() if k not in bad})
        except ValidationError:
            raise ConfigError(col.issues) from None

    monitor = _load_monitor(doc, col, cfg_path.resolve().parent)
    sources = _load_plugins(col, "sources", doc.sources, ADAPTERS)
    rules = _load_plugins(col, "rules", doc.rules, RULES)
    notifiers = _load_notifiers(col, doc.notifiers)
    # A notifier whose table has errors is already reported: references to it are not
    # errors of their own (one bad field is one error, not one per rule naming it).
    named = set(notifiers) | set(doc.notifiers)
    _cross_check(col, sources, rules, notifiers, named)
    if monitor is not None:
        _check_operator_notify(col, monitor, notifiers, named)
    silences = _load_silences(col, doc.silences, sources, rules, notifiers, named)
    secrets = _read_secrets(col, sources, notifiers)
    if monitor is not None:
        read_server_token(col, monitor.server, secrets)
    if col.issues or monitor is None:
        raise ConfigError(col.issues)
    return Settings(
        path=cfg_path.resolve(),
        monitor=monitor,
        sources=tuple(o for _, o in sources),
        rules=tuple(o for _, o in rules),
        notifiers=dict(notifiers),
        secrets=secrets,
        silences=silences,
    )


def _load_monitor(doc: _Document, col: IssueCollector, base: Path) -> MonitorSettings | None:
    try:
        monitor = MonitorSettings.model_validate(doc.monitor)
    except ValidationError as exc:
        col.add_validation(("monitor",), exc, model=MonitorSettings)
        return None
    url, error = check_state_url(monitor.state, base)
    if error:
        col.add(("monitor", "state"), error)
        return None
    private = monitor.allow_private_networks
    http = monitor.http.model_copy(update={"allow_private_networks": private})
    return monitor.model_copy(update={"state": url, "http": http})


def _validate_plugin(
    col: IssueCollector,
    loc: tuple[str | int, ...],
    raw: dict[str, Any],
    registry: Mapping[str, Any],
    ident: str | None,
) -> Any | None:
    """``raw`` validated by the Options model its ``type`` registered, or None (reported)."""
    type_name = raw.get("type")
    if type_name is None:
        col.add(loc, 'required key "type" is missing', id=ident)
        return None
    plugin = registry.get(type_name) if isinstance(type_name, str) else None
    if plugin is None:
        known = ", ".join(sorted(registry)) or "none registered"
        col.add((*loc, "type"), f'unknown type "{type_name}" (known: {known})', id=ident)
        return None
    try:
        return plugin.Options.model_validate(raw)
    except ValidationError as exc:
        col.add_validation(loc, exc, model=plugin.Options, id=ident)
        return None


def _load_plugins(
    col: IssueCollector, kind: str, tables: list[dict[str, Any]], registry: Mapping[str, Any]
) -> list[tuple[int, Any]]:
    out: list[tuple[int, Any]] = []
    for index, raw in enumerate(tables):
        ident = raw.get("id") if isinstance(raw.get("id"), str) else None
        options = _validate_plugin(col, (kind, index), raw, registry, ident)
        if options is not None:
            out.append((index, options))
    return out


def _load_notifiers(
    col: IssueCollector, tables: dict[str, dict[str, Any]]
) -> dict[str, NotifierOptions]:
    out: dict[str, NotifierOptions] = {}
    for name, raw in tables.items():
        loc: tuple[str | int, ...] = ("notifiers", name)
        if not re.match(_NAME, name):
            col.add(loc, "a notifier name uses letters, digits and _ . : -", id=name)
            continue
        options = _validate_plugin(col, loc, raw, NOTIFIERS, name)
        if options is not None:
            out[name] = options
    return out


def _unique_ids(col: IssueCollector, kind: str, entries: list[tuple[int, Any]]) -> set[str]:
    first: dict[str, int] = {}
    for index, options in entries:
        if options.id in first:
            col.add(
                (kind, index, "id"),
                f'duplicate {kind[:-1]} id "{options.id}" (also {kind}[{first[options.id]}])',
                id=options.id,
            )
        first.setdefault(options.id, index)
    return set(first)


def _cross_check(
    col: IssueCollector,
    sources: list[tuple[int, SourceOptions]],
    rules: list[tuple[int, RuleOptions]],
    notifiers: Mapping[str, NotifierOptions],
    named: set[str],
) -> None:
    source_ids = _unique_ids(col, "sources", sources)
    _unique_ids(col, "rules", rules)
    for index, rule in rules:
        for name in rule.notify:
            if name not in named:
                known = ", ".join(sorted(notifiers)) or "none configured"
                col.add(
                    ("rules", index, "notify"),
                    f'no notifier named "{name}"{did_you_mean(name, set(notifiers))} '
                    f"(configured: {known})",
                    id=rule.id,
                )
        for sid in rule.sources:
            if sid not in source_ids:
                hint = did_you_mean(sid, source_ids)
                col.add(("rules", index, "sources"), f'no source with id "{sid}"{hint}', id=rule.id)


def _check_operator_notify(
    col: IssueCollector,
    monitor: MonitorSettings,
    notifiers: Mapping[str, NotifierOptions],
    named: set[str],
) -> None:
    name = monitor.operator_notify
    if name is not None and name not in named:
        known = ", ".join(sorted(notifiers)) or "none configured"
        hint = did_you_mean(name, set(notifiers))
        col.add(
            ("monitor", "operator_notify"),
            f'no notifier named "{name}"{hint} (configured: {known})',
        )


def _load_silences(
    col: IssueCollector,
    tables: list[dict[str, Any]],
    sources: list[tuple[int, SourceOptions]],
    rules: list[tuple[int, RuleOptions]],
    notifiers: Mapping[str, NotifierOptions],
    named: set[str],
) -> tuple[Silence, ...]:
    """``[[silences]]``; a silence naming a rule, source or notifier that is not configured is
    an error (a typo there would leave the desk believing something is silenced)."""
    known = {
        "rule": {o.id for _, o in rules},
        "source": {o.id for _, o in sources},
        "notifier": named,
    }
    out: list[Silence] = []
    for index, raw in enumerate(tables):
        try:
            silence = Silence.model_validate(raw)
        except ValidationError as exc:
            col.add_validation(("silences", index), exc, model=Silence)
            continue
        bad = False
        for key, ids in known.items():
            value = getattr(silence, key)
            if value is not None and value not in ids:
                listed = ", ".join(sorted(ids)) or "none configured"
                hint = did_you_mean(value, ids)
                col.add(
                    ("silences", index, key), f'no {key} "{value}"{hint} (configured: {listed})'
                )
                bad = True
        if not bad:
            out.append(silence)
    return tuple(out)


def _read_secrets(
    col: IssueCollector,
    sources: list[tuple[int, SourceOptions]],
    notifiers: Mapping[str, NotifierOptions],
) -> dict[str, SecretStr]:
    tables: list[tuple[tuple[str | int, ...], str, BaseModel, bool]] = [
        (("sources", i), o.id, o, o.enabled) for i, o in sources if _env_fields(type(o))
    ]
    tables += [(("notifiers", n), n, o, o.enabled) for n, o in notifiers.items()]
    secrets: dict[str, SecretStr] = {}
    for loc, ident, options, enabled in tables:
        for fld in _env_fields(type(options)):
            env_name = getattr(options, fld)
            if not isinstance(env_name, str) or not env_name:
                continue  # names no variable
            value = os.environ.get(env_name)
            if value:
                secrets[env_name] = SecretStr(value)
            elif enabled:
                col.add(
                    (*loc, fld),
                    f"environment variable {env_name} is not set (it holds the secret; "
                    "export it, or set enabled = false)",
                    id=ident,
                )
    return secrets
