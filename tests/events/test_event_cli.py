"""``bilat events``, ``bilat replay`` and silences through the real CLI in a subprocess."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from monitor.settings import load_settings
from monitor.store import open_store
from tests.conftest import FIXTURES, FeedServer, WriteConfig, rss, run_cli
from tests.events.desk import live, open_desk_at
from tests.events.scenario import CHRONO

TERMS = ["Jaishankar", "जयशंकर", "Джайшанкар", "苏杰生"]
# Items of the scenario whose text has one of TERMS as a whole word (a keyword rule matches
# "Джайшанкар" but not the inflected "Джайшанкаром"; no meeting of C names Jaishankar).
KEYWORD_HITS = {"a01", "a02", "a03", "a04", "a06", "a07", "a08", "a09", "a10", "a13", "a14"}
KEYWORD_HITS |= {"b01", "b02", "b04", "b06", "b07"}


def desk_config(**extra: Any) -> dict[str, Any]:
    rule = {"id": "india-desk", "type": "keyword", "any": TERMS, "notify": ["console"]}
    return {"rules": [rule], **extra}


def write_items(path: Path) -> Path:
    """The scenario's 31 items as JSON Lines (``Item.to_json()``), in no particular order."""
    lines = [json.dumps(it.to_json(), ensure_ascii=False) for it, _ in reversed(CHRONO)]
    path.write_text("# the scenario\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def sent_headers(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("→ ")]


async def test_events_lists_events_with_their_reports(write_config: WriteConfig) -> None:
    """`bilat events --pair` shows that pair's events with every report, official ones
    marked; `--json` gives one object per event; a bad pair exits 2."""
    config = write_config(desk_config())
    desk = await open_desk_at(load_settings(config).state_url)
    try:
        for it, now in live(CHRONO):
            await desk.feed(it, now)
    finally:
        await desk.close()

    shown = await run_cli("events", "-c", str(config), "--since", "5000d", "--pair", "in-cn")
    assert shown.returncode == 0, shown.stderr
    blocks = shown.stdout.strip().split("\n\n")
    assert [b.split()[0] for b in blocks] == ["CN-IN@2025-07-03", "CN-IN@2025-07-02"]
    first = blocks[0].splitlines()
    # the roster says whose official is whose: each side's official under its code
    assert first[0] == "CN-IN@2025-07-03  CN–IN: Wang Yi met S. Jaishankar in Astana"
    assert first[1].startswith("  held · 2025-07-03 · Astana · ")
    assert "14 reports · confirmed by MEA and by @DrSJaishankar and by MFA China" in first[1]
    reports = first[2:]
    assert len(reports) == 14
    official = sorted(line.split()[2] for line in reports if " ✓ " in line)
    assert official == ["mea", "mfa-china", "x"]
    assert "2025-07-03 10:30  x" in blocks[0] and "https://x.example/a05" in blocks[0]

    as_json = await run_cli("events", "-c", str(config), "--since", "5000d", "--json")
    docs = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert sorted(d["key"] for d in docs) == [
        "CN-IN@2025-07-02",
        "CN-IN@2025-07-03",
        "IN-RU@2025-07-02",
    ]
    b = next(d for d in docs if d["key"] == "IN-RU@2025-07-02")
    assert len(b["reports"]) == 9 and b["confirmed_by"] == ["MID Russia", "@DrSJaishankar"]
    assert sum(r["official"] for r in b["reports"]) == 1  # mid-ru; @DrSJaishankar via roster

    recent = await run_cli("events", "-c", str(config), "--since", "1d")
    assert recent.returncode == 0 and recent.stdout.startswith("no events since 1d ago")
    bad = await run_cli("events", "-c", str(config), "--pair", "India")
    assert bad.returncode == 2 and "not a pair of two party codes" in bad.stderr


async def test_replay_dry_run_prints_alerts_and_writes_nothing(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """`bilat replay --dry-run FILE.jsonl` prints one alert per keyword hit, in published
    order, and leaves no state behind."""
    config = write_config(desk_config())
    items = write_items(tmp_path / "items.jsonl")
    result = await run_cli("replay", str(items), "--dry-run", "-c", str(config))
    assert result.returncode == 0, result.stderr
    headers = sent_headers(result.stdout)
    assert len(headers) == len(KEYWORD_HITS) == 16
    assert all(h.startswith("→ console  NEW  ") for h in headers)
    assert headers == sorted(headers)  # created at each item's (published) time
    assert "would send 16 alert(s) — console: 16 new" in result.stdout
    assert "Jaishankar to meet Wang Yi in Astana on Thursday." in result.stdout
    assert not (tmp_path / "state").exists()


async def test_replay_into_the_store_queues_once(write_config: WriteConfig, tmp_path: Path) -> None:
    """Without --dry-run the alerts are queued in the configured store; replaying the same
    items again queues nothing (they are seen)."""
    config = write_config(desk_config())
    items = write_items(tmp_path / "items.jsonl")
    first = await run_cli("replay", str(items), "-c", str(config))
    assert first.returncode == 0, first.stderr
    assert "16 alert(s) queued" in first.stderr
    again = await run_cli("replay", str(items), "-c", str(config))
    assert again.returncode == 0 and "0 alert(s) queued" in again.stderr
    store = await open_store(load_settings(config).state_url)
    try:
        rows = await store.outbox(limit=100)
        events = await store.events(since=None, kind="keyword")
    finally:
        await store.close()
    assert len(rows) == 16 and {r.state for r in rows} == {"pending"}
    assert {r.alert.report.item_key.split(":")[1] for r in rows} == KEYWORD_HITS
    assert len(events) == 16


async def test_replay_a_directory_of_feeds_and_jsonl(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """A directory mixes JSONL and feed files; a feed file's items take its name as source
    id and that source's ``official`` flag; one feed file replays on its own too."""
    config = write_config(
        desk_config(
            sources=[{"id": "seed-hi", "type": "feed", "url": "https://x.org/f", "official": True}]
        )
    )
    folder = tmp_path / "dump"
    folder.mkdir()
    write_items(folder / "scenario.jsonl")
    shutil.copy(FIXTURES / "feeds" / "seed_hindi.rss.xml", folder / "seed-hi.rss.xml")
    (folder / "notes.txt").write_text("not an input file\n")
    result = await run_cli("replay", str(folder), "--dry-run", "-c", str(config))
    assert result.returncode == 0, result.stderr
    assert "would send 17 alert(s)" in result.stdout
    seed = [block for block in result.stdout.split("\n\n") if "seed-hi" in block]
    assert len(seed) == 1 and "जयशंकर" in seed[0] and "Confirmed by seed-hi" in seed[0]
    alone = await run_cli("replay", str(folder / "seed-hi.rss.xml"), "--dry-run", "-c", str(config))
    assert alone.returncode == 0 and "would send 1 alert(s)" in alone.stdout, alone.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "1", "source_id": "s"}\n{"id": 2}\n', "items.jsonl:2: not an item (missing key"),
        (
            '{"id": "1", "source_id": "s", "published_at": "yesterday"}\n',
            "items.jsonl:1: not an item",
        ),
        ("[1, 2]\n", "items.jsonl:1: not an item (not a JSON object)"),
    ],
)
async def test_replay_refuses_bad_input_and_processes_nothing(
    write_config: WriteConfig, tmp_path: Path, content: str, message: str
) -> None:
    """A malformed line is an error naming file and line; nothing is processed."""
    config = write_config(desk_config())
    items = tmp_path / "items.jsonl"
    items.write_text(content, encoding="utf-8")
    result = await run_cli("replay", str(items), "-c", str(config))
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert not (tmp_path / "state").exists()


async def test_replay_with_the_detector_makes_three_alerts(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """With the real detector the scenario's 31 texts are three meetings: three new alerts,
    each naming its own pair, officials and place (the defence ministers' meeting C is not
    folded into A, and no report is lost to a misread name)."""
    rule = {
        "id": "india-desk",
        "type": "bilateral_meeting",
        "countries": ["IN"],
        "notify": ["console"],
    }
    config = write_config({"rules": [rule]})
    items = write_items(tmp_path / "items.jsonl")
    result = await run_cli("replay", str(items), "--dry-run", "-c", str(config))
    assert result.returncode == 0, result.stderr
    kinds = [h.split()[2] for h in sent_headers(result.stdout)]
    assert kinds.count("NEW") == 3
    news = [b for b in result.stdout.split("\n\n") if b.startswith("→ console  NEW")]
    # the desk's country first, each side's official under its code (the roster says whose)
    assert sorted(b.splitlines()[1].split(" ", 2)[2] for b in news) == [
        "IN–CN: Rajnath Singh met Dong Jun in Qingdao",
        "IN–CN: S. Jaishankar met Wang Yi in Astana",
        "IN–RU: S. Jaishankar met Sergey Lavrov in Astana",
    ]
    # every report of the scenario is read as a meeting: 31 reports, 3 new + updates and
    # confirmations (the two "scheduled" reports of A teach the event but do not alert)
    assert len(kinds) + 2 == 31, kinds


async def test_replay_warms_the_detector_before_its_first_item(
    write_config: WriteConfig, tmp_path: Path
) -> None:
    """Building the gazetteer (no disk cache here) happens before the first item, so the
    first item is not reported as a slow rule."""
    rule = {"id": "desk", "type": "bilateral_meeting", "notify": ["console"]}
    config = write_config({"rules": [rule]})
    items = write_items(tmp_path / "items.jsonl")
    result = await run_cli(
        "replay", str(items), "--dry-run", "-c", str(config), env={"BILAT_CACHE_DIR": ""}
    )
    assert result.returncode == 0, result.stderr
    assert "rule.slow" not in result.stderr


async def test_once_respects_silences_and_check_lists_them(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """A silenced rule prints no alert in `bilat once` and logs why; `bilat check` lists
    the active and the expired silence."""
    url = feed_server.serve(
        "/wire.xml",
        rss({"guid": "1", "title": "Jaishankar meets Wang Yi", "description": "They met."}),
    )
    config = write_config(
        desk_config(
            sources=[{"id": "wire", "type": "feed", "url": url}],
            silences=[
                {"rule": "india-desk", "reason": "desk on leave"},
                {"party": "PK", "until": "2020-01-01T00:00:00Z"},
            ],
        )
    )
    result = await run_cli("once", "-c", str(config))
    assert result.returncode == 0, result.stderr
    assert "Jaishankar" not in result.stdout
    decided = [e for e in result.events() if e["event"] == "alert.decided"]
    assert [(e["outcome"], e["reason"]) for e in decided] == [
        ("silenced", "silence rule=india-desk (desk on leave)")
    ]
    check = await run_cli("check", "-c", str(config))
    assert check.returncode == 0, check.stderr
    listed = check.stdout.split("silences (2):\n", 1)[1].splitlines()[:2]
    assert listed[0].split() == ["active", "rule=india-desk", "(desk", "on", "leave)"]
    assert listed[1].split()[:2] == ["expired", "party=PK"]
