"""``bilat scan``: the JSONL contract (run as a real subprocess) and the report mode."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from tests.conftest import FeedServer, rss

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


PAGE = (
    "<html><head><meta charset='windows-1252'><title>x</title>"
    "<script>var meet='Modi met Xi';</script></head><body>"
    "<h1>Albanese hosts Luxon</h1><p>Anthony Albanese received Christopher Luxon "
    "in Canberra on Monday – their third meeting.</p></body></html>"
).encode("cp1252")


@pytest.fixture
async def article_server() -> AsyncIterator[tuple[str, list[str]]]:
    """A loopback server with an article at /article (windows-1252, no HTTP charset) and
    a 404 elsewhere; yields its base URL and the paths it was asked for."""
    asked: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        asked.append(request.path)
        if request.path != "/article":
            return web.Response(status=404, text="not found")
        return web.Response(body=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/{tail:.*}", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}", asked
    await runner.cleanup()


async def scan_async(*args: str) -> tuple[int, str, str]:
    """``python -m monitor scan ARGS`` in a subprocess while this loop keeps serving."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "monitor",
        "scan",
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=120)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


async def test_report_mode_fetches_a_url(article_server: tuple[str, list[str]]) -> None:
    """``bilat scan --allow-private URL`` GETs an HTML page from a loopback server with the
    daemon's HTTP client, decodes it by its meta charset and reads its text."""
    base, asked = article_server
    code, out, err = await scan_async("--allow-private", f"{base}/article")
    assert code == 0, err
    assert "AU–NZ  held" in out and "at Canberra" in out
    assert "Monday – their third meeting" in out  # windows-1252 en dash decoded
    assert "Modi" not in out  # script contents are not article text
    assert asked == ["/article"]


async def test_url_to_a_private_address_is_refused(article_server: tuple[str, list[str]]) -> None:
    """Without ``--allow-private`` a loopback or private URL is refused before any request
    is sent (exit 2, a message naming the flag); an HTTP error exits 2 with its status."""
    base, asked = article_server
    code, out, err = await scan_async(f"{base}/article")
    assert code == 2 and out == ""
    assert "refus" in err and "loopback" in err and "--allow-private" in err
    code, _, err = await scan_async("http://10.20.30.40/article")
    assert code == 2 and "private" in err and "--allow-private" in err
    assert asked == []  # the guard stopped both before a byte was sent
    code, _, err = await scan_async("--allow-private", f"{base}/missing")
    assert code == 2 and "404" in err and asked == ["/missing"]


def _meeting_feed() -> bytes:
    return rss(
        {
            "guid": "a1",
            "title": "Jaishankar meets Wang Yi in Astana",
            "description": "External Affairs Minister S. Jaishankar met Chinese Foreign "
            "Minister Wang Yi in Astana",
            "link": "http://news.invalid/2026/12/06/astana",
        },
        {"guid": "a2", "title": "Weather report", "description": "Sunny in Delhi"},
    )


def _evidence(out: str) -> list[str]:
    return [line.split("evidence: ", 1)[1] for line in out.splitlines() if "evidence: " in line]


async def test_a_feed_is_scanned_item_by_item_without_gluing_fields(
    feed_server: FeedServer,
) -> None:
    """A feed URL (and the same feed on stdin) is read item by item: title, summary, link and
    date never run together in the evidence ("Astanahttp://…Sun, 06 Dec…")."""
    url = feed_server.serve("/news.xml", _meeting_feed())
    code, out, err = await scan_async("--allow-private", url)
    assert code == 0, err
    assert out.startswith("2 feed item(s), 1 with bilateral meetings.")
    assert "CN–IN  held" in out and "item: Jaishankar meets Wang Yi in Astana" in out
    evidence = _evidence(out)
    assert evidence and all("http" not in e and "GMT" not in e for e in evidence), evidence
    assert any(e.endswith("Wang Yi in Astana") for e in evidence), evidence
    piped = run_scan(["-"], _meeting_feed())
    assert piped.returncode == 0 and _evidence(piped.stdout.decode()) == evidence


def test_bytes_that_are_not_utf8_fail_alike_from_a_file_and_from_stdin(tmp_path: Path) -> None:
    """The same non-UTF-8 bytes: one line naming the byte and exit 2, from a file and from
    stdin alike (no traceback, no half-decoded text)."""
    raw = b"Modi met Putin \xff\xfe in Delhi.\n"
    path = tmp_path / "bad.txt"
    path.write_bytes(raw)
    for args, name in (([str(path)], str(path)), (["-"], "stdin")):
        proc = run_scan(args, raw)
        err = proc.stderr.decode()
        assert proc.returncode == 2 and proc.stdout == b"", err
        assert err == f"bilat scan: {name}: not UTF-8 text (byte 0xff at offset 15)\n"
