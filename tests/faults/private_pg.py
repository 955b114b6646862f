"""A PostgreSQL server of the test's own, to stop and start without touching the machine's
shared one (other tests use it): ``initdb`` into a temporary directory, ``pg_ctl start`` on a
free loopback port, trust authentication for loopback only, no fsync (the test's data is
thrown away). PostgreSQL refuses to run as root, so as root the binaries run as the
``postgres`` user (``runuser``), which then owns the directory."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import pwd
import shutil
import socket
import tempfile
from pathlib import Path

DB_USER = "bilat"


def find_bin(name: str) -> str | None:
    """``name`` from the newest /usr/lib/postgresql/*/bin, else from PATH."""
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version)
    return found[-1] if found else shutil.which(name)


def _version(path: str) -> tuple[int, ...]:
    parts = Path(path).parts
    version = parts[-3] if len(parts) >= 3 else "0"
    return tuple(int(p) for p in version.split(".") if p.isdigit())


def unavailable() -> str | None:
    """Why a private server cannot be made here, or None."""
    for name in ("initdb", "pg_ctl"):
        if find_bin(name) is None:
            return f"{name} not found (/usr/lib/postgresql/*/bin or PATH)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and no 'postgres' user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root and no runuser to run PostgreSQL as 'postgres'"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrivatePostgres:
    """``await start()``, ``url``, ``await stop()`` / ``await start()`` again, ``remove()``."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="bilat-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self.url = f"postgresql://{DB_USER}@127.0.0.1:{self.port}/postgres"
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self._prefix = ["runuser", "-u", "postgres", "--"]

    async def _run(self, *args: str) -> None:
        proc = await asyncio.create_subprocess_exec(
            *self._prefix,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"{' '.join(args)}: exit {proc.returncode}: {out.decode()[-800:]}")

    async def init(self) -> PrivatePostgres:
        initdb = find_bin("initdb")
        assert initdb is not None
        await self._run(
            initdb, "-D", str(self.data), "-U", DB_USER, "-A", "trust", "-E", "UTF8", "--no-sync"
        )
        return self

    async def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
            " -c full_page_writes=off"
        )
        await self._run(
            self._ctl(),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "log"),
            "-w",
            "start",
        )

    async def stop(self) -> None:
        """A fast shutdown: sessions are terminated, as on a service restart."""
        await self._run(self._ctl(), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def _ctl(self) -> str:
        ctl = find_bin("pg_ctl")
        assert ctl is not None
        return ctl

    async def remove(self) -> None:
        with contextlib.suppress(RuntimeError):
            await self.stop()
        shutil.rmtree(self.root, ignore_errors=True)
