"""Deployment files, checked as far as this machine allows: the systemd unit passes
`systemd-analyze verify` and is hardened; the image is multi-stage, non-root, with a state
volume and a HEALTHCHECK that really reads /readyz; the compose file's environment loads
with the example settings; LICENSE is the Apache-2.0 text pyproject declares."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from monitor.settings import load_settings
from tests.conftest import ROOT, SERVER_LISTEN_ENV, WriteConfig, require
from tests.server.daemon import Daemon

DEPLOY = ROOT / "deploy"


def test_systemd_unit_verifies_and_is_hardened(tmp_path: Path) -> None:
    """systemd-analyze verify finds nothing to say (ExecStart pointed at this checkout's
    bilat, the one thing that differs on a server), and the hardening is in place."""
    unit = (DEPLOY / "bilat.service").read_text()
    for line in (
        "User=bilat",
        "StateDirectory=bilat",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "Restart=on-failure",
        "RestartPreventExitStatus=2",
        "ExecReload=/bin/kill -HUP $MAINPID",
    ):
        assert line in unit.splitlines(), line
    analyze = shutil.which("systemd-analyze")
    require(analyze is not None, "systemd-analyze is not installed")
    assert analyze is not None
    bilat = Path(sys.executable).parent / "bilat"
    copy = tmp_path / "bilat.service"
    copy.write_text(unit.replace("/opt/bilat/.venv/bin/bilat", str(bilat)))
    done = subprocess.run(
        [analyze, "verify", str(copy)], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


def test_image_is_multi_stage_non_root_with_a_volume_and_healthcheck() -> None:
    """The Dockerfile builds in one stage and runs in another, as a non-root user, with the
    state on a volume and a HEALTHCHECK; the state URL it sets is where the volume is."""
    text = (DEPLOY / "Dockerfile").read_text()
    assert len(re.findall(r"^FROM ", text, re.M)) == 2
    assert "COPY --from=build /opt/bilat /opt/bilat" in text
    assert re.search(r"^USER bilat$", text, re.M)
    assert 'VOLUME ["/var/lib/bilat"]' in text
    assert "BILAT_MONITOR__STATE=sqlite:////var/lib/bilat/bilat.db" in text
    assert re.search(r"^HEALTHCHECK .*\n.*healthcheck\.py", text, re.M)
    assert "--require-hashes -r requirements.lock" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and "state" in ignored


def _compose_environment() -> dict[str, str]:
    """The bilat service's environment in compose.yaml (simple `KEY: value` lines)."""
    text = (DEPLOY / "compose.yaml").read_text()
    block = text.split("  bilat:", 1)[1].split("    environment:", 1)[1]
    env: dict[str, str] = {}
    for line in block.splitlines()[1:]:
        if not line.startswith("      ") or line.strip().startswith("#"):
            if line.strip().startswith("#"):
                continue
            break
        key, _, value = line.strip().partition(": ")
        env[key] = value
    return env


def test_compose_runs_three_nodes_whose_environment_loads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three replicas on PostgreSQL; their environment, with the example settings, is a
    valid configuration: PostgreSQL state, the endpoint beyond loopback with its token."""
    text = (DEPLOY / "compose.yaml").read_text()
    assert "replicas: 3" in text and "image: postgres:" in text
    assert "condition: service_healthy" in text
    env = _compose_environment()
    assert set(env) >= {"BILAT_MONITOR__STATE", "BILAT_MONITOR__SERVER__LISTEN"}
    monkeypatch.delenv(SERVER_LISTEN_ENV)
    values = {
        "${POSTGRES_PASSWORD}": "pw",
        "${BILAT_ENDPOINT_TOKEN:?set BILAT_ENDPOINT_TOKEN}": "tok",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, values.get(value, value.replace("${POSTGRES_PASSWORD}", "pw")))
    settings = load_settings(ROOT / "settings.toml")
    assert settings.state_url == "postgresql://bilat:pw@postgres:5432/bilat"
    server = settings.monitor.server
    assert server.listen == "0.0.0.0:8686" and server.needs_token
    assert settings.secrets[server.token_env].get_secret_value() == "tok"


async def test_healthcheck_script_reads_readyz(write_config: WriteConfig) -> None:
    """deploy/healthcheck.py exits 0 against a ready daemon and 1 when nothing answers."""
    config = write_config({})

    def probe(port: str) -> int:
        env = {"BILAT_MONITOR__SERVER__LISTEN": f"127.0.0.1:{port}", "PATH": "/usr/bin:/bin"}
        return subprocess.run(
            [sys.executable, str(DEPLOY / "healthcheck.py")],
            env=env,
            capture_output=True,
            timeout=30,
            check=False,
        ).returncode

    async with Daemon(config) as daemon:
        port = (await daemon.url()).rpartition(":")[2]
        await daemon.wait_for(lambda e: e["event"] == "daemon.started")
        assert probe(port) == 0
        assert await daemon.stop() == 0
    assert probe(port) == 1


def test_license_is_the_apache_text_pyproject_declares() -> None:
    """LICENSE holds the Apache License 2.0, which pyproject names and ships."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text
