"""``bilat run`` as a real subprocess for the endpoint's tests: its JSON log lines collected
as they come, its endpoint's URL read from ``daemon.started``, a graceful stop."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import aiohttp

from tests.conftest import ROOT, cli_env

Event = dict[str, Any]


class Daemon:
    """One ``bilat run -c CONFIG`` process; use ``async with Daemon(config) as d``."""

    def __init__(self, config: Path, env: Mapping[str, str] | None = None) -> None:
        self.config = config
        self.env = dict(env or {})
        self.events: list[Event] = []
        self.proc: asyncio.subprocess.Process | None = None
        self.stdout = ""
        self.returncode: int | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Daemon:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "monitor",
            "run",
            "-c",
            str(self.config),
            cwd=ROOT,
            env=cli_env(self.env),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        async for raw in self.proc.stderr:
            if raw.startswith(b"{"):
                self.events.append(json.loads(raw))
            else:
                self.events.append({"event": "<text>", "text": raw.decode().rstrip()})

    async def wait_for(
        self, predicate: Callable[[Event], bool], *, limit_s: float = 20.0, after: int = 0
    ) -> Event:
        """The first logged event (from index ``after`` on) that satisfies ``predicate``."""
        deadline = time.monotonic() + limit_s
        while True:
            for event in self.events[after:]:
                if predicate(event):
                    return event
            if self.proc is not None and self.proc.returncode is not None:
                raise AssertionError(f"daemon exited {self.proc.returncode}: {self.events}")
            assert time.monotonic() < deadline, self.events
            await asyncio.sleep(0.05)

    async def url(self) -> str:
        """The endpoint's base URL, from the ``daemon.started`` line."""
        started = await self.wait_for(lambda e: e["event"] == "daemon.started")
        return str(started["endpoint"])

    async def get(self, path: str, **kwargs: Any) -> tuple[int, str]:
        async with (
            aiohttp.ClientSession() as session,
            session.get(await self.url() + path, **kwargs) as resp,
        ):
            return resp.status, await resp.text()

    async def post(self, path: str, **kwargs: Any) -> tuple[int, str]:
        async with (
            aiohttp.ClientSession() as session,
            session.post(await self.url() + path, **kwargs) as resp,
        ):
            return resp.status, await resp.text()

    def signal(self, signum: int) -> None:
        assert self.proc is not None
        self.proc.send_signal(signum)

    async def stop(self) -> int:
        """SIGTERM, wait for the exit; the exit status (killed after 15 s)."""
        proc = self.proc
        assert proc is not None
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(proc.wait(), 15)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        if self._reader is not None:
            await self._reader
        assert proc.stdout is not None
        self.stdout += (await proc.stdout.read()).decode()
        self.returncode = proc.returncode
        return proc.returncode if proc.returncode is not None else -1
