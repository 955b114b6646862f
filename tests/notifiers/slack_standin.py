"""A Slack stand-in: an aiohttp server on 127.0.0.1 that serves an incoming webhook
(``/services/T0/B0/<secret>``) and the Web API (``/api/chat.postMessage``,
``/api/chat.update``), records every request, and replays queued responses — the real
bodies from ``tests/fixtures/notify/slack/`` — before falling back to success.

Web API success bodies follow Slack's documented shape (``ok``, ``channel``, ``ts``,
``message``); a request without the expected bearer token gets ``not_authed`` or
``invalid_auth`` as Slack answers them (HTTP 200).
"""

from __future__ import annotations

import json
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

    @property
    def json(self) -> Any:
        return json.loads(self.raw)


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
        self._runner: web.AppRunner | None = None
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

    async def start(self) -> SlackStandIn:
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self._webhook)
        app.router.add_post("/api/{method}", self._web_api)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _record(self, request: web.Request) -> Received:
        got = Received(request.path, dict(request.headers), await request.read())
        self.received.append(got)
        return got

    def _replay(self) -> web.Response | None:
        if not self.queue:
            return None
        reply = self.queue.pop(0)
        headers = dict(reply.headers)
        content_type = headers.pop("Content-Type", headers.pop("content-type", "text/plain"))
        response = web.Response(status=reply.status, body=reply.body, headers=headers)
        response.headers["Content-Type"] = content_type  # verbatim, charset or not
        return response

    async def _webhook(self, request: web.Request) -> web.Response:
        await self._record(request)
        return self._replay() or web.Response(text="ok", content_type="text/plain")

    async def _web_api(self, request: web.Request) -> web.Response:
        got = await self._record(request)
        replayed = self._replay()
        if replayed is not None:
            return replayed
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
