"""A Mastodon stand-in for loopback tests, built on the recorded statuses, headers, SSE
capture and error bodies: account lookup, account statuses with max_id/min_id/since_id and
Link headers, home/tag timelines for gap filling, and the SSE streaming endpoints."""

from __future__ import annotations

import asyncio
import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from tests.adapters.socialkit import fixture, fixture_json, recorded_headers

PAGES = (
    "social/mastodon/account_statuses_page1.json",
    "social/mastodon/account_statuses_page2_max_id.json",
)
SSE = "social/mastodon/streaming_user.sse.txt"


def _key(status_id: str) -> tuple[int, str]:
    return (len(status_id), status_id)


class FakeMastodon:
    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.statuses: list[dict[str, Any]] = sorted(
            (s for page in PAGES for s in fixture_json(page)),
            key=lambda s: _key(s["id"]),
            reverse=True,
        )
        self.account = copy.deepcopy(self.statuses[0]["account"])
        self.remaining = 299
        self.reset_in_s = 120.0
        self.too_many = False
        self.requests: list[tuple[str, dict[str, str], str | None]] = []
        # Streaming: one script per connection; each is (bytes to send, then close?).
        self.stream_scripts: list[tuple[bytes, bool]] = []
        self.timeline: list[dict[str, Any]] = []  # served by the home/tag timelines
        self.stream_connections = 0

    # -- helpers ------------------------------------------------------------------------

    def limits(self) -> dict[str, str]:
        headers = recorded_headers("social/mastodon/account_statuses_page1.response.json")
        for name in ("content-type", "link"):
            headers.pop(name)
        reset = datetime.now(UTC) + timedelta(seconds=self.reset_in_s)
        headers["x-ratelimit-remaining"] = str(self.remaining)
        headers["x-ratelimit-reset"] = reset.isoformat().replace("+00:00", "Z")
        return headers

    def _denied(self, request: web.Request) -> web.Response | None:
        if self.token is None:
            return None
        if request.headers.get("Authorization") == f"Bearer {self.token}":
            return None
        headers = recorded_headers("social/mastodon/error_401_invalid_token.response.json")
        return web.Response(
            body=fixture("social/mastodon/error_401_invalid_token.json"),
            status=401,
            headers=headers,
        )

    def _log(self, request: web.Request) -> web.Response | None:
        self.requests.append(
            (request.path, dict(request.query), request.headers.get("Authorization"))
        )
        if self.too_many:
            return web.json_response(
                {"error": "Too many requests"},
                status=429,
                headers={**self.limits(), "x-ratelimit-remaining": "0"},
            )
        return self._denied(request)

    @staticmethod
    def select(statuses: list[dict[str, Any]], query: dict[str, str]) -> list[dict[str, Any]]:
        """Mastodon's paging: newest first; min_id = the page right after it."""
        limit = int(query.get("limit", "20"))
        chosen = statuses
        if "max_id" in query:
            chosen = [s for s in chosen if _key(s["id"]) < _key(query["max_id"])]
        if "since_id" in query:
            chosen = [s for s in chosen if _key(s["id"]) > _key(query["since_id"])]
        if "min_id" in query:
            newer = [s for s in chosen if _key(s["id"]) > _key(query["min_id"])]
            return newer[-limit:]
        return chosen[:limit]

    # -- app ----------------------------------------------------------------------------

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/api/v1/accounts/lookup", self.lookup)
        app.router.add_get("/api/v1/accounts/{id}/statuses", self.account_statuses)
        app.router.add_get("/api/v1/timelines/home", self.timelines)
        app.router.add_get("/api/v1/timelines/tag/{tag}", self.timelines)
        app.router.add_get("/api/v1/streaming/user", self.stream)
        app.router.add_get("/api/v1/streaming/hashtag", self.stream)
        return app

    async def lookup(self, request: web.Request) -> web.Response:
        if (early := self._log(request)) is not None:
            return early
        if request.query.get("acct") != self.account["acct"]:
            return web.json_response({"error": "Record not found"}, status=404)
        return web.json_response(self.account, headers=self.limits())

    async def account_statuses(self, request: web.Request) -> web.Response:
        if (early := self._log(request)) is not None:
            return early
        page = self.select(self.statuses, dict(request.query))
        headers = self.limits()
        if page:
            base = f"{request.url.origin()}{request.path}?limit={request.query.get('limit', '20')}"
            older, newer = f"{base}&max_id={page[-1]['id']}", f"{base}&min_id={page[0]['id']}"
            headers["Link"] = f'<{older}>; rel="next", <{newer}>; rel="prev"'
        return web.json_response(page, headers=headers)

    async def timelines(self, request: web.Request) -> web.Response:
        if (early := self._log(request)) is not None:
            return early
        return web.json_response(
            self.select(self.timeline, dict(request.query)), headers=self.limits()
        )

    async def stream(self, request: web.Request) -> web.StreamResponse:
        if (early := self._log(request)) is not None:
            return early
        index = self.stream_connections
        self.stream_connections += 1
        body, close = (
            self.stream_scripts[index] if index < len(self.stream_scripts) else (b":)\n", False)
        )
        headers = recorded_headers("social/mastodon/streaming_user.response.json")
        response = web.StreamResponse(headers={"Content-Type": headers["Content-Type"]})
        await response.prepare(request)
        await response.write(body)
        if close:
            # Cut the connection mid-stream, as a proxy or a restart would.
            assert request.transport is not None
            request.transport.close()
            return response
        try:
            while True:  # hold the stream open with heartbeats until the client leaves
                await asyncio.sleep(0.05)
                await response.write(b":)\n")
        except ConnectionResetError:
            return response


def update_event(status: dict[str, Any]) -> bytes:
    return f"event: update\ndata: {json.dumps(status)}\n\n".encode()


def status_like(template: dict[str, Any], status_id: str, text: str) -> dict[str, Any]:
    """A status derived from a recorded one with a new id and text (for events after the
    capture)."""
    status = copy.deepcopy(template)
    status["id"] = status_id
    status["content"] = f"<p>{text}</p>"
    status["url"] = f"{status['account']['url']}/{status_id}"
    return status
