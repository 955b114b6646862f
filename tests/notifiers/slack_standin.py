"""A Slack stand-in: an aiohttp server on 127.0.0.1 that serves an incoming webhook
(``/services/T0/B0/<secret>``) and the Web API (``/api/chat.postMessage``,
``/api/chat.update``), records every request, and replays queued responses — the real
bodies from ``tests/fixtures/notify/slack/`` — before falling back to success.

Web API success bodies follow Slack's documented shape (``ok``, ``channel``, ``ts``,
``message``); a request without the expected bearer token gets ``not_authed`` or
``invalid_auth`` as Slack answers them (HTTP 200).

For delivery tests it can also
- enforce a rate limit per destination (webhook or channel): at most ``limit`` accepted
  messages per sliding ``window_s``; a message over it gets Slack's recorded 429
  (``web_api_429_ratelimited.http``) with ``Retry-After``. Every request that arrives inside
  a Retry-After window it announced (rate limit or a queued 429) is in ``violations()``;
- hold the answer to the Nth request open until the test releases it (``hold``);
- go down (``down()``: connection refused) and come back on the same port (``up()``).
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "notify" / "slack"
WEBHOOK_PATH = "/services/T0BILAT/B0BILAT/s3cr3tW3bh00kP4th"
TOKEN = "xoxb-0000-1111-s3cr3tT0k3n"
CHANNEL_ID = "C0DESK0001"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    raw: bytes
    at: float = 0.0  # time.monotonic() on arrival
    status: int = 0  # what the stand-in answered (0 while held or unanswered)
    delivered: bool = False  # answered as Slack answers a posted message (ok)

    @property
    def json(self) -> Any:
        return json.loads(self.raw)

    @property
    def text(self) -> str:
        """The message's fallback text (both modes send one)."""
        return str(self.json.get("text", ""))

    @property
    def destination(self) -> str:
        """What Slack rate-limits on: the webhook, or the Web API channel."""
        if self.path.startswith("/api/"):
            return "channel:" + str(self.json.get("channel"))
        return self.path


@dataclass
class RateLimit:
    """A strict sliding window: ``limit`` accepted messages per ``window_s``."""

    limit: int  # accepted messages per window and destination
    window_s: float
    retry_after_s: int  # announced in the 429 (HTTP allows whole seconds)


@dataclass
class Bucket:
    """Slack's documented model, "about one message per second per channel, short bursts
    allowed": a token bucket per destination filling at ``rate_per_s`` up to ``capacity``,
    starting with ``initial`` tokens (0: someone just used the channel's burst). The 429
    announces the whole seconds until the next token."""

    rate_per_s: float
    capacity: float
    initial: float = 0.0


def reply_from_http_file(name: str) -> Reply:
    """A Reply from a recorded ``.http`` file (status line, headers, blank line, body)."""
    raw = (FIXTURES / name).read_bytes()
    head, _, body = raw.replace(b"\r\n", b"\n").partition(b"\n\n")
    lines = head.decode().splitlines()
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        key, _, value = line.partition(":")
        if key.lower() not in ("connection", "content-length"):
            headers[key.strip()] = value.strip()
    return Reply(status, body, headers)


def html_error_page() -> Reply:
    """Slack's "Server Error" page, served as text/html without a charset (as recorded)."""
    body = (FIXTURES / "webhook_500_server_error_page.html").read_bytes()
    return Reply(500, body, {"Content-Type": "text/html"})


class SlackStandIn:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.queue: list[Reply] = []
        self.rate: RateLimit | Bucket | None = None
        self._buckets: dict[str, tuple[float, float]] = {}  # destination -> (tokens, at)
        self.holds: dict[int, asyncio.Event] = {}  # request number (1-based) -> release
        self.limited: list[tuple[str, float, float]] = []  # (destination, at, retry_after)
        self._accepted: dict[str, list[float]] = {}
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._ts = 1720086060
        self.port = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def webhook_url(self) -> str:
        return self.base + WEBHOOK_PATH

    @property
    def api_url(self) -> str:
        return self.base + "/api"

    def then(self, *replies: Reply) -> None:
        """Answer the next requests with ``replies``, in order."""
        self.queue.extend(replies)

    def hold(self, request_number: int) -> asyncio.Event:
        """Keep the answer to the ``request_number``-th request (1-based) open until the
        returned event is set."""
        return self.holds.setdefault(request_number, asyncio.Event())

    def texts(self, *, delivered: bool = False) -> list[str]:
        """The fallback texts received, in order (with ``delivered``: only those answered
        as posted)."""
        return [r.text for r in self.received if r.delivered or not delivered]

    def violations(self) -> list[Received]:
        """Requests that arrived inside a Retry-After window this stand-in announced."""
        bad = []
        for got in self.received:
            for destination, at, retry_after in self.limited:
                if got.destination == destination and at < got.at < at + retry_after:
                    bad.append(got)
                    break
        return bad

    async def start(self, port: int = 0) -> SlackStandIn:
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self._webhook)
        app.router.add_post("/api/{method}", self._web_api)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, "127.0.0.1", port, reuse_address=True)
        await self._site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        for event in self.holds.values():
            event.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def down(self) -> None:
        """Stop listening: connections are refused until ``up()``."""
        await self.stop()

    async def up(self) -> None:
        """Listen again on the same port."""
        await self.start(self.port)

    async def _record(self, request: web.Request) -> Received:
        got = Received(request.path, dict(request.headers), await request.read())
        got.at = time.monotonic()
        self.received.append(got)
        release = self.holds.get(len(self.received))
        if release is not None:
            await release.wait()
        return got

    def _rate_limited(self, got: Received) -> web.Response | None:
        if self.rate is None:
            return None
        if isinstance(self.rate, Bucket):
            return self._bucket_limited(got, self.rate)
        window = [
            t for t in self._accepted.get(got.destination, []) if got.at - t < self.rate.window_s
        ]
        self._accepted[got.destination] = window
        if len(window) < self.rate.limit:
            window.append(got.at)
            return None
        recorded = reply_from_http_file("web_api_429_ratelimited.http")
        headers = {**recorded.headers, "retry-after": str(self.rate.retry_after_s)}
        return self._response(Reply(recorded.status, recorded.body, headers))

    def _bucket_limited(self, got: Received, bucket: Bucket) -> web.Response | None:
        tokens, at = self._buckets.get(got.destination, (bucket.initial, got.at))
        tokens = min(bucket.capacity, tokens + (got.at - at) * bucket.rate_per_s)
        if tokens >= 1.0:
            self._buckets[got.destination] = (tokens - 1.0, got.at)
            return None
        self._buckets[got.destination] = (tokens, got.at)
        wait = max(1, math.ceil((1.0 - tokens) / bucket.rate_per_s))
        recorded = reply_from_http_file("web_api_429_ratelimited.http")
        headers = {**recorded.headers, "retry-after": str(wait)}
        return self._response(Reply(recorded.status, recorded.body, headers))

    def _replay(self) -> web.Response | None:
        if not self.queue:
            return None
        return self._response(self.queue.pop(0))

    @staticmethod
    def _response(reply: Reply) -> web.Response:
        headers = dict(reply.headers)
        content_type = headers.pop("Content-Type", headers.pop("content-type", "text/plain"))
        response = web.Response(status=reply.status, body=reply.body, headers=headers)
        response.headers["Content-Type"] = content_type  # verbatim, charset or not
        return response

    async def _webhook(self, request: web.Request) -> web.Response:
        got = await self._record(request)
        response = (
            self._replay()
            or self._rate_limited(got)
            or web.Response(text="ok", content_type="text/plain")
        )
        return self._answer(got, response)

    async def _web_api(self, request: web.Request) -> web.Response:
        got = await self._record(request)
        response = self._replay() or self._rate_limited(got) or self._web_api_ok(request, got)
        return self._answer(got, response)

    def _answer(self, got: Received, response: web.Response) -> web.Response:
        got.status = response.status
        retry_after = response.headers.get("Retry-After")
        if response.status == 429 and retry_after:
            self.limited.append((got.destination, time.monotonic(), float(retry_after)))
        body = response.body if isinstance(response.body, bytes) else b""
        if response.status == 200 and body.strip() == b"ok":
            got.delivered = True
        elif response.status == 200 and body.startswith(b"{"):
            got.delivered = json.loads(body).get("ok") is True
        return response

    def _web_api_ok(self, request: web.Request, got: Received) -> web.Response:
        auth = request.headers.get("Authorization", "")
        if not auth:
            return web.json_response({"ok": False, "error": "not_authed"})
        if auth != f"Bearer {TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        body = got.json
        self._ts += 1
        ts = (
            body.get("ts")
            if request.match_info["method"] == "chat.update"
            else f"{self._ts}.000100"
        )
        return web.json_response(
            {
                "ok": True,
                "channel": CHANNEL_ID,
                "ts": ts,
                "message": {
                    "type": "message",
                    "subtype": "bot_message",
                    "text": body["text"],
                    "ts": ts,
                },
            }
        )
