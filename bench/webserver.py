"""The desk's pages in a process of their own, started the way the daemon starts them, for
``bench/webpage.py``'s first page after a start.

``python -m bench.webserver STATE_URL``: opens the store, builds the application with the
desk's pages (``monitor.web.install``, warming on, as ``bilat run`` builds it; the on-disk
caches routed as the CLI routes them: ``monitor.warmup.install``), binds
127.0.0.1 on a free port and prints ``READY <port>`` as soon as it listens (nothing waits for
the warming), then ``WARMED <seconds>`` when the background warming is done; runs until its
stdin closes. ``started(state_url)`` runs one for a bench (``bench/webpage.py``,
``bench/webgraph.py``) and stops it afterwards.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

from aiohttp import web

from monitor import warmup
from monitor.logs import configure_logging
from monitor.settings import Settings, load_settings
from monitor.store import Store, open_store
from monitor.web import install

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Served:
    """A running ``bench.webserver`` process: its base URL, listening."""

    base: str
    proc: asyncio.subprocess.Process

    async def warmed(self) -> float:
        """Wait for its background warming; seconds from the process's start to its end."""
        return float(await _said(self.proc, "WARMED"))


async def _said(proc: asyncio.subprocess.Process, word: str) -> str:
    assert proc.stdout is not None
    text = (await proc.stdout.readline()).decode()
    if not text.startswith(word + " "):
        raise RuntimeError(f"bench.webserver: expected {word}, got {text!r}")
    return text.split()[1]


@asynccontextmanager
async def started(state_url: str) -> AsyncIterator[Served]:
    """A ``bench.webserver`` process over ``state_url``, from the moment it listens (its
    warming may still run: ``Served.warmed``); stopped on the way out (its stdin closed,
    killed after 10 s)."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.webserver", state_url, cwd=ROOT,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdin is not None
    try:
        yield Served(f"http://127.0.0.1:{await _said(proc, 'READY')}", proc)
    finally:
        proc.stdin.close()
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


@dataclass
class _Ctx:
    store: Store
    settings: Settings


async def _serve(state_url: str) -> None:
    warmup.install()  # the on-disk caches, as the CLI routes every command through them
    configure_logging(level="warning", fmt="json")
    loop = asyncio.get_running_loop()
    started = loop.time()
    with TemporaryDirectory() as tmp:
        config = Path(tmp) / "settings.toml"
        config.write_text(
            f'[monitor]\nstate = "{state_url}"\n\n[notifiers.console]\ntype = "console"\n'
        )
        settings = load_settings(config)
        store = await open_store(settings.state_url)
        app = web.Application()
        site = install(app, _Ctx(store, settings))
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        try:
            tcp = web.TCPSite(runner, "127.0.0.1", 0)
            await tcp.start()
            print(f"READY {runner.addresses[0][1]}", flush=True)
            assert site.warming is not None
            await site.warming
            print(f"WARMED {loop.time() - started:.3f}", flush=True)
            await loop.run_in_executor(None, sys.stdin.read)  # until the bench closes it
        finally:
            await runner.cleanup()
            await store.close()


if __name__ == "__main__":
    asyncio.run(_serve(sys.argv[1]))
