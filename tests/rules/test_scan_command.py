"""``bilat scan``: the JSONL contract (run as a real subprocess) and the report mode."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "rules" / "seed-article-hi.txt"


def run_scan(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", "scan", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def jsonl_result() -> tuple[list[bytes], list[dict[str, object]]]:
    lines = [
        json.dumps({"id": 1, "text": "Modi met Putin in Moscow on Tuesday."}).encode(),
        json.dumps(
            {"id": "b", "text": "प्रधानमंत्री मोदी ने पेरिस में राष्ट्रपति मैक्रों से मुलाकात की।", "lang": "hi"},
            ensure_ascii=False,
        ).encode(),
        b"{not json",
        b"[1, 2, 3]",
        json.dumps({"id": 5}).encode(),
        json.dumps({"id": 6, "text": 42}).encode(),
        json.dumps({"id": 7, "text": "Trade rose 5%.", "published": "yesterday"}).encode(),
        b"",
        b"\xff\xfe broken utf-8",
        json.dumps({"id": 10, "text": "Nothing to see here."}).encode(),
        json.dumps(
            {
                "id": 11,
                "text": "Glad to meet FM Wang Yi today.",
                "author": "@DrSJaishankar",
                "title": "EAM in Astana",
                "published": "2024-07-04T10:00:00Z",
            }
        ).encode(),
    ]
    proc = run_scan(["--jsonl"], b"\n".join(lines) + b"\n")
    assert proc.returncode == 0, proc.stderr.decode()
    out = proc.stdout.decode("utf-8").splitlines()
    return lines, [json.loads(line) for line in out]


def test_one_output_line_per_input_line(
    jsonl_result: tuple[list[bytes], list[dict[str, object]]],
) -> None:
    """Exactly one JSON line out for every line in, good or bad, in order, ids echoed."""
    lines, out = jsonl_result
    assert len(out) == len(lines)
    assert [o.get("id") for o in out] == [1, "b", None, None, 5, 6, 7, None, None, 10, 11]


def test_meetings_have_the_contract_shape(
    jsonl_result: tuple[list[bytes], list[dict[str, object]]],
) -> None:
    """Each meeting has sorted parties, status, officials, location, confidence and evidence."""
    _, out = jsonl_result
    (m,) = out[0]["meetings"]  # type: ignore[misc]
    assert set(m) == {"parties", "status", "officials", "location", "confidence", "evidence"}
    assert m["parties"] == ["IN", "RU"] and m["status"] == "held" and m["location"] == "Moscow"
    assert m["officials"] == ["Narendra Modi", "Vladimir Putin"]
    assert 0 < m["confidence"] <= 1 and m["evidence"] == ["Modi met Putin in Moscow on Tuesday."]
    assert [x["parties"] for x in out[1]["meetings"]] == [["FR", "IN"]]  # type: ignore[index]
    assert out[9] == {"id": 10, "meetings": []}
    assert [x["parties"] for x in out[10]["meetings"]] == [["CN", "IN"]]  # type: ignore[index]


def test_bad_lines_get_clear_errors(
    jsonl_result: tuple[list[bytes], list[dict[str, object]]],
) -> None:
    """Bad JSON, non-objects, missing or non-string text, bad dates and bad UTF-8 are errors."""
    _, out = jsonl_result
    errors = {i: o["error"] for i, o in enumerate(out) if "error" in o}
    assert set(errors) == {2, 3, 4, 5, 6, 7, 8}
    assert "bad JSON" in str(errors[2])
    assert "JSON object" in str(errors[3])
    assert '"text" is missing' in str(errors[4])
    assert "not a string" in str(errors[5])
    assert "published" in str(errors[6])
    assert "not UTF-8" in str(errors[8])


def test_report_mode_on_a_file(tmp_path: Path) -> None:
    """``bilat scan FILE`` prints a readable report of every meeting found."""
    proc = run_scan(["--lang", "hi", str(SEED)], b"")
    text = proc.stdout.decode("utf-8")
    assert proc.returncode == 0
    assert "5 bilateral meeting(s)" in text
    assert "CN–IN  held" in text and "at Astana" in text
    empty = tmp_path / "empty.txt"
    empty.write_text("The weather was fine.", encoding="utf-8")
    assert run_scan([str(empty)], b"").stdout.decode().strip() == "No bilateral meetings found."


def test_report_mode_reads_stdin_and_refuses_bad_sources() -> None:
    """``-`` reads stdin; unsupported URL schemes and missing files exit 2 with a message."""
    proc = run_scan(["-"], b"Macron received Meloni at the Elysee.")
    assert proc.returncode == 0 and "FR–IT  held" in proc.stdout.decode()
    bad = run_scan(["ftp://example.org/x"], b"")
    assert bad.returncode == 2 and "http and https" in bad.stderr.decode()
    missing = run_scan(["/nonexistent/file.txt"], b"")
    assert missing.returncode == 2 and "bilat scan:" in missing.stderr.decode()


async def test_report_mode_fetches_a_url(tmp_path: Path) -> None:
    """``bilat scan URL`` GETs an HTML page from a real (loopback) server and reads its text."""
    page = (
        "<html><head><title>x</title><script>var meet='Modi met Xi';</script></head><body>"
        "<h1>Albanese hosts Luxon</h1><p>Anthony Albanese received Christopher Luxon "
        "in Canberra on Monday.</p></body></html>"
    )

    async def handler(request: web.Request) -> web.Response:
        return web.Response(text=page, content_type="text/html")

    app = web.Application()
    app.router.add_get("/article", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        import asyncio

        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "monitor",
            "scan",
            f"http://127.0.0.1:{port}/article",
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    finally:
        await runner.cleanup()
    text = out.decode()
    assert proc.returncode == 0, err.decode()
    assert "AU–NZ  held" in text and "at Canberra" in text
    assert "Modi" not in text  # script contents are not article text
