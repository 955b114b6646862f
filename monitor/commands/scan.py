"""``bilat scan``: run the bilateral-meeting detector on text, without a config file.

``bilat scan --jsonl`` reads one JSON object per line on stdin (``{"id": ..., "text": ...}``,
optional ``title``, ``author``, ``lang``, ``published``) and writes exactly one JSON line per
input line: ``{"id": ..., "meetings": [...]}`` or ``{"id": ..., "error": "..."}``. It never
stops on a bad line and flushes after every line, so it can sit in a pipe.

``bilat scan FILE|URL|-`` prints a readable report for a person trying the detector on an
article. A URL is fetched with the daemon's HTTP client (``monitor.net.client.Http``: timeouts,
size cap, redirects by policy, the SSRF guard); loopback and private addresses are refused
unless ``--allow-private`` is given (for a local test server). HTML is reduced to text. A
feed (RSS, Atom, JSON Feed; from a URL, a file or stdin) is read with the daemon's feed parser
and each item is scanned on its own, its title as the headline, its summary as the text and
its date as the publication date, so evidence never runs a title into a link or a date. A
file or stdin must be UTF-8 (a feed may declare its own encoding): other bytes are one error
line and exit 2, from either.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from adapters.htmldecode import decode_html
from adapters.htmltext import html_to_text, looks_like_html
from monitor.model import Meeting

MAX_FETCH_BYTES = 5 * 1024 * 1024
FETCH_TIMEOUT_S = 20.0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "scan",
        help="detect bilateral meetings in text (JSONL on stdin, or a file/URL)",
        description="Run the bilateral-meeting detector. No config file needed.",
    )
    p.add_argument("source", nargs="?", default=None, help="FILE, http(s) URL, or - for stdin")
    p.add_argument("--jsonl", action="store_true", help="JSON objects in, one JSON line out each")
    p.add_argument("--title", default=None, help="headline of the text (report mode)")
    p.add_argument("--lang", default=None, help="language code of the text, e.g. hi, en, zh")
    p.add_argument(
        "--author", default=None, help='author handle of a social post, e.g. "@MEAIndia"'
    )
    p.add_argument("--published", default=None, help="publication time, ISO 8601")
    p.add_argument(
        "--allow-private",
        action="store_true",
        help="let a URL point at loopback/private addresses (a local test server)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.jsonl:
        if args.source not in (None, "-"):
            print("bilat scan: --jsonl reads stdin; do not give a FILE", file=sys.stderr)
            return 2
        return scan_jsonl(sys.stdin.buffer, sys.stdout)
    if args.source is None:
        print("bilat scan: give FILE, URL or - (or use --jsonl)", file=sys.stderr)
        return 2
    try:
        published = _parse_time(args.published) if args.published else None
        docs = _read_source(args.source, allow_private=args.allow_private)
    except (OSError, ValueError, _FetchFailed) as exc:
        print(f"bilat scan: {exc}", file=sys.stderr)
        return 2
    from rules.bilateral.detector import detect

    found = [
        (
            doc,
            detect(
                doc.text,
                title=args.title or doc.title,
                author=args.author,
                lang=args.lang or doc.lang,
                published=published or doc.published,
            ),
        )
        for doc in docs
    ]
    if len(found) == 1 and not docs[0].item:
        print(report(found[0][1]))
    else:
        print(feed_report(found))
    return 0


# --- JSONL contract -------------------------------------------------------------------------


def meeting_json(m: Meeting) -> dict[str, Any]:
    return {
        "parties": sorted(m.parties),
        "status": m.status,
        "officials": list(m.officials),
        "location": m.location,
        "confidence": round(m.confidence, 3),
        "evidence": list(m.evidence),
    }


def scan_line(raw: bytes) -> dict[str, Any]:
    """The output object for one input line (never raises)."""
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return {"id": None, "error": f"input is not UTF-8: {exc.reason} at byte {exc.start}"}
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"bad JSON: {exc.msg} at column {exc.colno}"}
    if not isinstance(obj, dict):
        return {"id": None, "error": f"expected a JSON object, got {type(obj).__name__}"}
    ident = obj.get("id")
    text = obj.get("text")
    if not isinstance(text, str):
        what = "missing" if text is None else f"not a string ({type(text).__name__})"
        return {"id": ident, "error": f'"text" is {what}'}
    kwargs: dict[str, Any] = {}
    for key in ("title", "author", "lang", "country"):
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            return {"id": ident, "error": f'"{key}" must be a string'}
        kwargs["home" if key == "country" else key] = value
    if obj.get("published") is not None:
        try:
            kwargs["published"] = _parse_time(obj["published"])
        except ValueError as exc:
            return {"id": ident, "error": f'"published": {exc}'}
    try:
        from rules.bilateral.detector import detect

        meetings = detect(text, **kwargs)
    except Exception as exc:  # the contract is one line out per line in, whatever happens
        return {"id": ident, "error": f"detector failed: {type(exc).__name__}: {exc}"}
    return {"id": ident, "meetings": [meeting_json(m) for m in meetings]}


def scan_jsonl(stdin: BinaryIO, stdout: TextIO) -> int:
    out = stdout.buffer if hasattr(stdout, "buffer") else None
    for raw in stdin:
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        result = json.dumps(scan_line(raw), ensure_ascii=False) + "\n"
        if out is not None:
            out.write(result.encode("utf-8"))
            out.flush()
        else:
            stdout.write(result)
            stdout.flush()
    return 0


def _parse_time(value: object) -> datetime:
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 string")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not an ISO 8601 date-time: {value!r}") from None


# --- report mode ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScanDoc:
    """One text to scan: a page or file, or one item of a feed."""

    title: str | None
    text: str
    published: datetime | None = None
    lang: str | None = None
    item: bool = False  # one item of a feed


_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"jsonfeed.org/version")


def _is_feed(body: bytes, ctype: str) -> bool:
    head = body[:4000].lower()
    if "html" in ctype or b"<html" in head:
        return False
    return any(root in head for root in _FEED_ROOTS)


def _utf8(body: bytes, name: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{name}: not UTF-8 text (byte 0x{body[exc.start]:02x} at offset {exc.start})"
        ) from None


def _feed_docs(body: bytes, base: str, ctype: str) -> list[ScanDoc]:
    from adapters.feedreader import parse_feed
    from adapters.feedtypes import FeedError

    try:
        feed = parse_feed(body, url=base, source_id="scan", content_type=ctype or None)
    except FeedError as exc:
        raise ValueError(f"not a feed: {exc}") from None
    return [ScanDoc(i.title or None, i.text, i.published_at, i.lang, item=True) for i in feed.items]


def _read_source(source: str, *, allow_private: bool = False) -> list[ScanDoc]:
    """The texts ``source`` holds: one for a page, file or stdin, one per item of a feed."""
    base = "https://scan.invalid/"
    if source.startswith(("http://", "https://")):
        body, ctype = _fetch_url(source, allow_private=allow_private)
        base = source
    elif "://" in source:
        raise ValueError(f"only http and https URLs are supported: {source}")
    else:
        body = sys.stdin.buffer.read() if source == "-" else Path(source).read_bytes()
        ctype = "text/html" if source.lower().endswith((".html", ".htm")) else ""
    if _is_feed(body, ctype):
        return _feed_docs(body, base, ctype)
    if base == source:
        text = decode_html(body, ctype)
    else:
        text = _utf8(body, "stdin" if source == "-" else source)
    if "html" in ctype or looks_like_html(text[:4000]):
        text = html_to_text(text)
    return [ScanDoc(None, text)]


class _FetchFailed(Exception):
    """A URL that could not be fetched; the message is the line to show."""


def _fetch_url(url: str, *, allow_private: bool) -> tuple[bytes, str]:
    """``fetch`` in an event loop of its own, a failure as ``_FetchFailed``. Only a URL
    needs asyncio, the HTTP client, its settings model and logging (imported here: a tenth
    of a second of every ``bilat scan FILE`` otherwise)."""
    import asyncio

    from monitor.contracts import BlockedAddress, FetchError
    from monitor.logs import configure_logging

    configure_logging("warning")  # the client's log lines go to stderr, not the report
    try:
        return asyncio.run(fetch(url, allow_private=allow_private))
    except BlockedAddress as exc:
        hint = "" if allow_private else " (--allow-private lets it reach a local server)"
        raise _FetchFailed(f"{exc}{hint}") from exc
    except FetchError as exc:
        raise _FetchFailed(str(exc)) from exc


async def fetch(url: str, *, allow_private: bool = False) -> tuple[bytes, str]:
    """GET ``url`` with the daemon's client: (body, Content-Type). Raises ``FetchError``
    (``BlockedAddress`` for a loopback/private target unless ``allow_private``)."""
    from monitor.contracts import HttpSettings
    from monitor.net.client import Http  # aiohttp: only a URL needs it

    settings = HttpSettings(
        timeout=FETCH_TIMEOUT_S,
        max_body=MAX_FETCH_BYTES,
        allow_private_networks=allow_private,
    )
    async with Http(settings, retry_attempts=2) as http:
        resp = await http.get(url)
    return resp.body, resp.content_type or ""


def report(meetings: list[Meeting]) -> str:
    if not meetings:
        return "No bilateral meetings found."
    lines = [f"{len(meetings)} bilateral meeting(s):"]
    for m in meetings:
        where = f"  at {m.location}" if m.location else ""
        lines.append(
            f"\n  {'–'.join(sorted(m.parties))}  {m.status}  confidence {m.confidence:.2f}{where}"
        )
        if m.officials:
            lines.append(f"    officials: {', '.join(m.officials)}")
        for ev in m.evidence:
            lines.append(f"    evidence: {ev}")
    return "\n".join(lines)


def feed_report(found: list[tuple[ScanDoc, list[Meeting]]]) -> str:
    """One block per feed item that reports a meeting, and how many items were read."""
    hits = [(doc, meetings) for doc, meetings in found if meetings]
    lines = [f"{len(found)} feed item(s), {len(hits)} with bilateral meetings."]
    for doc, meetings in hits:
        lines += ["", f"item: {doc.title or '(untitled)'}", report(meetings)]
    return "\n".join(lines)
