"""Templates and static files of the desk's page.

Jinja2 with autoescaping on for every template: headlines, places and officials come from
the internet, and nothing from a feed is ever marked safe. The meetings list's cards and the
graph's SVG arrive as ``Markup`` written by ``monitor/web/markup.py`` (escaped there). Static files
(one stylesheet, one script, no library, no CDN, no web font) are read once from the package
and served from memory under a name that carries their content hash, so a browser may cache
them for a year and still picks up a new version at once.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

import jinja2

from monitor.render.facts import party_name
from monitor.warmup import cache_dir
from monitor.web.present import ago

TEMPLATES = (
    "base.html",
    "meetings.html",
    "_meetings_main.html",
    "_meetings_graph.html",
    "_meetings_list.html",
    "event.html",
    "sources.html",
)
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True, slots=True)
class Asset:
    name: str  # "app.3f2a9c1e.css"
    body: bytes
    content_type: str
    etag: str


def load_assets() -> dict[str, Asset]:
    """Every file of ``monitor/web/static`` by its hashed name (and its plain name)."""
    out: dict[str, Asset] = {}
    for entry in (resources.files("monitor.web") / "static").iterdir():
        suffix = "." + entry.name.rsplit(".", 1)[-1]
        if suffix not in STATIC_TYPES:
            continue
        body = entry.read_bytes()
        digest = hashlib.sha256(body).hexdigest()[:10]
        stem = entry.name.rsplit(".", 1)[0]
        asset = Asset(f"{stem}.{digest}{suffix}", body, STATIC_TYPES[suffix], f'"{digest}"')
        out[asset.name] = asset
        out[entry.name] = asset
    return out


def duration(value: timedelta | None) -> str:
    """ "40 min", "6 h", "3 d"; "–" for None."""
    if value is None:
        return "–"
    seconds = value.total_seconds()
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} d"


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Compiled templates in the user's cache directory (like the gazetteer's pickle,
    ``monitor/warmup.py``): compiling the pages' templates was a tenth of a first page.
    Jinja checks each file against its template's source; the directory's name carries
    Jinja's version and the options that shape the compiled code, so another release or
    another option never reads them. A failure to read or write only costs time."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:  # e.g. the cache "directory" is a file: compile instead
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


# The options that shape the compiled code: (autoescape, trim_blocks, lstrip_blocks).
_OPTIONS = (True, True, True)


def _compiled_templates() -> jinja2.BytecodeCache | None:
    where = cache_dir()
    if where is None:
        return None
    shape = hashlib.sha256(repr(_OPTIONS).encode()).hexdigest()[:10]
    return _CompiledTemplates(str(where / f"templates-jinja{jinja2.__version__}-{shape}"))


def environment(assets: dict[str, Asset]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("monitor.web", "templates"),
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_compiled_templates(),
        autoescape=_OPTIONS[0],
        trim_blocks=_OPTIONS[1],
        lstrip_blocks=_OPTIONS[2],
    )
    env.globals["asset"] = lambda name: assets[name].name
    env.globals["name"] = party_name
    env.globals["duration"] = duration
    env.filters["party_name"] = party_name
    return env


def render(env: jinja2.Environment, template: str, now: datetime, **context: Any) -> str:
    return env.get_template(template).render(now=now, ago=lambda t: ago(t, now), **context)
