"""Bluesky stand-ins for loopback tests: an AppView (getAuthorFeed, resolveHandle,
getProfiles) and a Jetstream websocket that replays the recorded production events,
filtering by wantedDids and the microsecond cursor as Jetstream does."""

from __future__ import annotations

import asyncio
import copy
import json
import time
from typing import Any

from aiohttp import WSMsgType, web

from tests.adapters.socialkit import fixture, fixture_json

WINDOW = "social/bluesky/jetstream_v1_window_152events.jsonl"


class FakeAppView:
    def __init__(self) -> None:
        self.feeds: dict[str, list[dict[str, Any]]] = {
            "test.marshal.dev": fixture_json("social/bluesky/getAuthorFeed_marshal_derived.json")[
                "feed"
            ],
            "did:plc:u4lmvw4wwzaql3z5kcf3r7h4": fixture_json(
                "social/bluesky/getAuthorFeed_thread_derived.json"
            )["feed"],
        }
        # Made-up handles and names for Jetstream DIDs (the real ones are unknown to us).
        self.handles: dict[str, str] = {"ru-poster.example": "did:plc:6aw7u7xjbaiznddugigmdhvc"}
        self.profiles: dict[str, tuple[str, str]] = {}
        self.remaining: int | None = None
        self.requests: list[tuple[str, list[tuple[str, str]]]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/xrpc/app.bsky.feed.getAuthorFeed", self.author_feed)
        app.router.add_get("/xrpc/com.atproto.identity.resolveHandle", self.resolve)
        app.router.add_get("/xrpc/app.bsky.actor.getProfiles", self.get_profiles)
        return app

    def _log(self, request: web.Request) -> None:
        self.requests.append((request.path.rsplit("/", 1)[1], list(request.query.items())))

    @staticmethod
    def _bad(message: str) -> web.Response:
        return web.json_response({"error": "InvalidRequest", "message": message}, status=400)

    async def author_feed(self, request: web.Request) -> web.Response:
        self._log(request)
        feed = self.feeds.get(request.query["actor"])
        if feed is None:
            return self._bad("Profile not found")
        start = int(request.query.get("cursor", "0"))
        limit = int(request.query.get("limit", "50"))
        page = feed[start : start + limit]
        body: dict[str, Any] = {"feed": page}
        if start + limit < len(feed):
            body["cursor"] = str(start + limit)
        headers = {}
        if self.remaining is not None:
            headers = {
                "ratelimit-limit": "3000",
                "ratelimit-remaining": str(self.remaining),
                "ratelimit-reset": str(int(time.time()) + 300),
            }
        return web.json_response(body, headers=headers)

    def add_post(self, actor: str, rkey: str, text: str, indexed_at: str) -> None:
        """A new post at the top of an actor's feed (derived from their newest one)."""
        entry = copy.deepcopy(self.feeds[actor][0])
        post = entry["post"]
        post["uri"] = post["uri"].rsplit("/", 1)[0] + f"/{rkey}"
        post["record"] = {**post["record"], "text": text, "createdAt": indexed_at}
        post["record"].pop("reply", None)
        post["indexedAt"] = indexed_at
        self.feeds[actor].insert(0, entry)

    async def resolve(self, request: web.Request) -> web.Response:
        self._log(request)
        did = self.handles.get(request.query["handle"])
        return web.json_response({"did": did}) if did else self._bad("Unable to resolve handle")

    async def get_profiles(self, request: web.Request) -> web.Response:
        self._log(request)
        actors = request.query.getall("actors")
        if len(actors) > 25:
            return self._bad("too many actors")
        out = []
        for did in actors:
            handle, name = self.profiles.get(did, (f"{did.rsplit(':', 1)[1][:8]}.example", ""))
            out.append({"did": did, "handle": handle, "displayName": name})
        return web.json_response({"profiles": out})


class FakeJetstream:
    """Replays the window. ``cut_after`` events into the first connection, the socket is
    dropped without a close frame; later connections replay from the cursor and then stay
    open. With ``filter_dids = False`` it sends everything (an unfiltered relay)."""

    def __init__(self, cut_after: int | None = None, filter_dids: bool = True) -> None:
        self.lines = fixture(WINDOW).splitlines()
        self.events = [json.loads(line) for line in self.lines]
        self.cut_after = cut_after
        self.filter_dids = filter_dids
        self.connections: list[dict[str, list[str]]] = []
        self.sent_time_us: list[list[int]] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/subscribe", self.subscribe)
        return app

    async def subscribe(self, request: web.Request) -> web.WebSocketResponse:
        query = {k: request.query.getall(k) for k in set(request.query.keys())}
        self.connections.append(query)
        sent: list[int] = []
        self.sent_time_us.append(sent)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        wanted = set(query.get("wantedDids", []))
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        first = len(self.connections) == 1
        count = 0
        for line, event in zip(self.lines, self.events, strict=True):
            if self.filter_dids and wanted and event["did"] not in wanted:
                continue
            if cursor is not None and event["time_us"] < cursor:
                continue
            if first and self.cut_after is not None and count == self.cut_after:
                await asyncio.sleep(0.2)  # let the client read what was sent, then cut
                assert request.transport is not None
                request.transport.close()
                return ws
            await ws.send_str(line.decode())
            sent.append(event["time_us"])
            count += 1
        async for msg in ws:  # stay open until the client goes away
            if msg.type == WSMsgType.CLOSE:
                break
        return ws
