"""``bilat sources import-opml FILE [-c settings.toml]``: add a feed reader's subscriptions.

Every OPML outline with an ``xmlUrl`` becomes a ``[[sources]]`` table (``type = "feed"``) with
an id made from its title (ASCII, unique among the configured ids), appended to the end of the
TOML file: the rest of the file is left byte for byte as it was, comments included. URLs the
file already has (or that appear twice in the OPML) are skipped and listed. The new tables are
written by tomlkit (quoting and escaping are its job); they are appended rather than merged
into the parsed document because tomlkit would place them after the last existing
``[[sources]]``, in the middle of the file. The config is read with ``tomllib`` (the daemon's
parser) for its ids and URLs, and the combined text is parsed again before anything is
written, so a file that would not load is never produced. OPML is parsed with
defusedxml (no entities, no external DTDs).

Exit codes: 0 done (also when there was nothing to add), 2 bad input (unreadable OPML or
TOML, a missing OPML file). ``--dry-run`` prints the tables instead of writing them.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from xml.etree.ElementTree import Element

import tomlkit
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

EXIT_OK = 0
EXIT_USAGE = 2
DEFAULT_CONFIG = "settings.toml"
_MAX_ID = 60
_SLUG_JUNK = re.compile(r"[^a-z0-9]+")


class OpmlError(ValueError):
    """The OPML file cannot be read."""


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    title: str
    url: str
    category: str | None = None


@dataclass(slots=True)
class ImportPlan:
    added: list[tuple[str, OpmlFeed]] = field(default_factory=list)  # (new id, feed)
    already: list[OpmlFeed] = field(default_factory=list)  # URL already configured
    invalid: list[OpmlFeed] = field(default_factory=list)  # not an http(s) URL


def _text(outline: Element) -> str:
    return (outline.get("title") or outline.get("text") or "").strip()


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds of an OPML subscription list, in document order, each with the path of
    folder outlines above it as its category."""
    try:
        root = fromstring(data)
    except (ParseError, DefusedXmlException) as exc:
        raise OpmlError(f"not a readable OPML file: {exc}") from exc
    if root.tag.lower() != "opml":
        raise OpmlError(f"not an OPML file: the root element is <{root.tag}>")
    body = next((child for child in root if child.tag.lower() == "body"), None)
    if body is None:
        raise OpmlError("not an OPML file: no <body>")
    feeds: list[OpmlFeed] = []

    def walk(node: Element, path: tuple[str, ...]) -> None:
        for outline in node:
            if outline.tag.lower() != "outline":
                continue
            url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
            if url:
                feeds.append(OpmlFeed(_text(outline), url, " / ".join(path) or None))
            walk(outline, (*path, _text(outline)) if not url and _text(outline) else path)

    walk(body, ())
    return feeds


def normalise_url(url: str) -> str:
    """For duplicate detection: scheme and host lower-cased, fragment dropped."""
    parts = urlsplit(url.strip())
    return urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, "")
    )


def slugify(title: str, url: str) -> str:
    """An id from a title ("BBC News - World" -> "bbc-news-world"); from the URL's host and
    path when the title has no ASCII letters (e.g. a Hindi or Urdu title)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = _SLUG_JUNK.sub("-", ascii_title.lower()).strip("-")
    if not re.search(r"[a-z]", slug):
        parts = urlsplit(url)
        host = (parts.hostname or "feed").removeprefix("www.").removeprefix("feeds.")
        slug = _SLUG_JUNK.sub("-", f"{host} {parts.path}".lower()).strip("-")
    slug = slug[:_MAX_ID].rstrip("-")
    return slug or "feed"


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"-{n}"
        candidate = base[: _MAX_ID - len(suffix)] + suffix
        n += 1
    return candidate


def plan_import(
    feeds: list[OpmlFeed], existing_ids: set[str], existing_urls: set[str]
) -> ImportPlan:
    plan = ImportPlan()
    taken = set(existing_ids)
    urls = {normalise_url(u) for u in existing_urls}
    for feed in feeds:
        if urlsplit(feed.url).scheme.lower() not in ("http", "https"):
            plan.invalid.append(feed)
            continue
        key = normalise_url(feed.url)
        if key in urls:
            plan.already.append(feed)
            continue
        urls.add(key)
        source_id = _unique(slugify(feed.title, feed.url), taken)
        taken.add(source_id)
        plan.added.append((source_id, feed))
    return plan


def _comment(text: str) -> str:
    return " ".join(text.split())  # one line, whatever the OPML had


def render_tables(plan: ImportPlan, *, opml_name: str, today: str) -> str:
    """The TOML text to append, written by tomlkit: a header comment, then one
    ``[[sources]]`` per feed whose first line is a comment naming its folder and title."""
    if not plan.added:
        return ""
    doc = tomlkit.document()
    doc.add(tomlkit.nl())
    doc.add(
        tomlkit.comment(
            f"Imported from {_comment(opml_name)} by `bilat sources import-opml` on {today}."
        )
    )
    tables = tomlkit.aot()
    for source_id, feed in plan.added:
        table = tomlkit.table()
        label = " — ".join(_comment(t) for t in (feed.category or "", feed.title) if t.strip())
        if label:
            table.add(tomlkit.comment(label))
        table.add("id", source_id)
        table.add("type", "feed")
        table.add("url", feed.url)
        tables.append(table)
    doc.add("sources", tables)
    text = tomlkit.dumps(doc)
    return text if text.endswith("\n") else text + "\n"


def configured(doc: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Ids and URLs of the ``[[sources]]`` already in a parsed config."""
    sources = doc.get("sources")
    ids: set[str] = set()
    urls: set[str] = set()
    for table in sources if isinstance(sources, list) else ():
        if isinstance(table, dict):
            if isinstance(table.get("id"), str):
                ids.add(table["id"])
            for key in ("url", "rss_url"):
                if isinstance(table.get(key), str):
                    urls.add(table[key])
    return ids, urls


def import_opml(opml_path: Path, config_path: Path, *, dry_run: bool = False) -> int:
    try:
        feeds = read_opml(opml_path.read_bytes())
    except OSError as exc:
        print(f"bilat: cannot read {opml_path}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except OpmlError as exc:
        print(f"bilat: {opml_path}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    original = config_path.read_bytes() if config_path.exists() else b""
    try:
        text = original.decode("utf-8")
        doc = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        print(f"bilat: {config_path}: not valid TOML, nothing changed: {exc}", file=sys.stderr)
        return EXIT_USAGE
    plan = plan_import(feeds, *configured(doc))
    addition = render_tables(plan, opml_name=opml_path.name, today=f"{datetime.now(UTC):%Y-%m-%d}")
    newline = "\r\n" if "\r\n" in text else "\n"  # a CRLF file stays CRLF
    addition = addition.replace("\n", newline)
    separator = "" if not text or text.endswith("\n") else newline
    combined = text + separator + addition
    try:
        tomllib.loads(combined)
    except tomllib.TOMLDecodeError as exc:
        # e.g. the file defines ``sources = [...]`` inline, which [[sources]] cannot extend.
        print(
            f"bilat: {config_path}: appending [[sources]] would make it invalid ({exc}); "
            "nothing changed",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if dry_run:
        sys.stdout.write(addition)
    elif addition:
        with config_path.open("ab") as out:
            out.write((separator + addition).encode("utf-8"))
    verb = "would add" if dry_run else "added"
    print(
        f"{config_path}: {verb} {len(plan.added)} source(s) from {opml_path.name}; "
        f"{len(plan.already)} already configured, {len(plan.invalid)} not http(s)",
        file=sys.stderr,
    )
    for feed in plan.already:
        print(f"  skipped (already configured): {feed.url}", file=sys.stderr)
    for feed in plan.invalid:
        print(f"  skipped (not an http(s) URL): {feed.url}", file=sys.stderr)
    return EXIT_OK


def _run_import(args: argparse.Namespace) -> int:
    return import_opml(Path(args.file), Path(args.config), dry_run=args.dry_run)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "sources", help="manage [[sources]] in the settings file (import-opml)"
    )
    actions = parser.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    opml = actions.add_parser(
        "import-opml",
        help="append a feed reader's OPML subscriptions as [[sources]] (type feed)",
        description="Append every OPML outline with an xmlUrl as a [[sources]] table; URLs "
        "already configured are skipped; the rest of the file is not touched.",
    )
    opml.add_argument("file", metavar="FILE", help="the OPML file")
    opml.add_argument(
        "-c",
        "--config",
        default=DEFAULT_CONFIG,
        metavar="FILE",
        help=f"the TOML settings file to append to (default: {DEFAULT_CONFIG})",
    )
    opml.add_argument("--dry-run", action="store_true", help="print the tables, change nothing")
    opml.set_defaults(func=_run_import)
