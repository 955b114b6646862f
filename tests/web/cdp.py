"""A real Chromium (Debian's ``chromium``) driven over the DevTools protocol with aiohttp's
websocket client: no selenium, no playwright, nothing but the browser and a socket.

``Browser.start()`` launches headless Chromium on a fresh profile, reads the DevTools
address it prints, and opens one page target. Every host but 127.0.0.1 resolves to nothing
(``--host-resolver-rules``), so the browser cannot reach beyond loopback.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

CHROMIUM = os.environ.get("BILAT_CHROMIUM", "/usr/bin/chromium")
_LISTENING = re.compile(rb"DevTools listening on (ws://\S+)")


def chromium_path() -> str | None:
    """The Chromium binary, or None when it is not installed."""
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class CdpError(Exception):
    pass


class Browser:
    """One headless Chromium with one page; ``send`` runs a DevTools command on the page."""

    def __init__(self, proc: asyncio.subprocess.Process, profile: str) -> None:
        self.proc = proc
        self.profile = profile
        self.http = aiohttp.ClientSession()
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)
        self._waiting: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self.console: list[str] = []  # console messages and exceptions of the page

    @classmethod
    async def start(cls, width: int = 1280, height: int = 1000) -> Browser:
        binary = chromium_path()
        if binary is None:
            raise CdpError("chromium is not installed (apt-get install -y chromium)")
        profile = tempfile.mkdtemp(prefix="bilat-chromium-")
        proc = await asyncio.create_subprocess_exec(
            binary,
            "--headless=new",
            "--no-sandbox",  # CI runs as root
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            f"--window-size={width},{height}",
            f"--user-data-dir={profile}",
            "--remote-debugging-port=0",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        browser = cls(proc, profile)
        try:
            await browser._attach()
        except BaseException:
            await browser.close()
            raise
        return browser

    async def _attach(self) -> None:
        assert self.proc.stderr is not None
        ws_url = None
        async with asyncio.timeout(30):
            while ws_url is None:
                line = await self.proc.stderr.readline()
                if not line:
                    raise CdpError("chromium exited before DevTools listened")
                found = _LISTENING.search(line)
                if found:
                    ws_url = found.group(1).decode()
        # Keep draining stderr so the browser never blocks on a full pipe.
        self._drain = asyncio.create_task(self._drain_stderr())
        port = ws_url.split("//", 1)[1].split("/", 1)[0]
        async with self.http.get(f"http://{port}/json/list") as resp:
            targets = await resp.json()
        page = next(t for t in targets if t["type"] == "page")
        self.ws = await self.http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        self._reader = asyncio.create_task(self._read())
        await self.send("Page.enable")
        await self.send("Runtime.enable")

    async def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        while await self.proc.stderr.read(65536):
            pass

    async def _read(self) -> None:
        assert self.ws is not None
        async for msg in self.ws:
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self._waiting:
                self._waiting.pop(data["id"]).set_result(data)
            elif data.get("method") == "Runtime.consoleAPICalled":
                args = data["params"].get("args", [])
                self.console.append(" ".join(str(a.get("value", "")) for a in args))
            elif data.get("method") == "Runtime.exceptionThrown":
                self.console.append("exception: " + json.dumps(data["params"])[:500])
        for future in self._waiting.values():
            future.set_exception(CdpError("the DevTools connection closed"))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        assert self.ws is not None
        ident = next(self._ids)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        await self.ws.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise CdpError(f"{method}: {reply['error']}")
        result = reply.get("result", {})
        assert isinstance(result, dict)
        return result

    async def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        reply = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in reply:
            raise CdpError(f"{expression[:80]}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    async def wait_for(self, expression: str, within_s: float = 10.0) -> Any:
        """Poll ``expression`` until it is truthy; its value (CdpError after ``within_s``)."""
        try:
            async with asyncio.timeout(within_s):
                while True:
                    value = await self.evaluate(expression)
                    if value:
                        return value
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise CdpError(f"not true within {within_s} s: {expression}") from None

    async def goto(self, url: str) -> None:
        await self.send("Page.navigate", url=url)
        await self.wait_for(
            f"location.href === {json.dumps(url)} && document.readyState === 'complete'"
        )

    async def click(self, x: float, y: float) -> None:
        """A real mouse click (press and release) at page coordinates."""
        for kind in ("mousePressed", "mouseReleased"):
            await self.send(
                "Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1
            )

    async def screenshot(self, path: Path, *, full_page: bool = True) -> None:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": full_page}
        if full_page:
            size = await self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
        shot = await self.send("Page.captureScreenshot", **params)
        data = base64.b64decode(shot["data"])
        await asyncio.to_thread(_write, path, data)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await self._reader
        await self.http.close()
        if self.proc.returncode is None:
            self.proc.terminate()
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        drain = getattr(self, "_drain", None)
        if drain is not None:
            drain.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await drain
        shutil.rmtree(self.profile, ignore_errors=True)
