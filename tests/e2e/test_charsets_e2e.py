"""Mislabelled and unlabelled charsets end to end: `bilat once` in a subprocess polls loopback
feeds serving windows-1251 bytes labelled UTF-8 (HTTP header and XML declaration), and
GB2312 and KOI8-R bytes with no label anywhere. Keyword rules in those scripts match only if
the text was decoded right; the stored matches carry the exact item text and the console
alerts show it, with no mojibake anywhere."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import FeedServer, WriteConfig, rss, run_cli

UTF8_DECL = '<?xml version="1.0" encoding="utf-8"?>'

# source id -> (codec of the bytes, Content-Type, keep the XML declaration, title, text)
FEEDS = {
    "cp1251-as-utf8": (
        "cp1251",
        "application/rss+xml; charset=utf-8",
        True,
        "Лавров провёл переговоры с министром иностранных дел Индии",
        "Стороны обсудили подготовку визита и сотрудничество в энергетике.",
    ),
    "gb2312-bare": (
        "gb2312",
        "application/rss+xml",
        False,
        "王毅在北京会见印度外长",
        "双方就中印关系和共同关心的国际地区问题交换了意见。",
    ),
    "koi8r-bare": (
        "koi8-r",
        "text/xml",
        False,
        "Министр обороны встретился с коллегой из Китая",
        "Встреча прошла на полях совещания министров обороны в Циндао.",
    ),
}
TERMS = ["Лавров", "王毅", "Министр"]


def feed_bytes(source_id: str) -> bytes:
    codec, _, keep_decl, title, text = FEEDS[source_id]
    doc = rss({"guid": source_id, "title": title, "description": text}).decode()
    assert doc.startswith(UTF8_DECL)
    if not keep_decl:
        doc = '<?xml version="1.0"?>' + doc.removeprefix(UTF8_DECL)
    return doc.encode(codec)


@pytest.mark.parametrize("source_id", list(FEEDS))
def test_the_feed_bytes_are_not_readable_by_their_label(source_id: str) -> None:
    """The premise: each body fails its label (or has none), and reads as mojibake in
    windows-1252, the fallback without a detector."""
    _, content_type, keep_decl, title, _ = FEEDS[source_id]
    body = feed_bytes(source_id)
    if keep_decl:
        assert "charset=utf-8" in content_type
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
    else:
        assert b"encoding=" not in body and "charset" not in content_type
    assert title not in body.decode("cp1252", errors="replace")


async def test_mislabelled_and_unlabelled_charsets_reach_the_store_as_text(
    feed_server: FeedServer, write_config: WriteConfig, tmp_path: Path
) -> None:
    """Each feed's item matches its keyword and is stored with its exact title and text;
    the console alerts show the titles; nothing stored or printed is mojibake."""
    sources = []
    for source_id, (_, content_type, _, _, _) in FEEDS.items():
        url = feed_server.serve(
            f"/{source_id}.xml", feed_bytes(source_id), content_type=content_type
        )
        sources.append({"id": source_id, "type": "feed", "url": url})
    config = write_config(
        {
            "sources": sources,
            "rules": [{"id": "kw", "type": "keyword", "any": TERMS, "notify": ["console"]}],
        }
    )
    done = await run_cli("once", "-c", str(config))
    assert done.returncode == 0, done.stderr

    with sqlite3.connect(tmp_path / "state" / "bilat.db") as db:
        stored = [json.loads(row[0]) for row in db.execute("SELECT item_json FROM matches")]
    items = {item["source_id"]: item for item in stored}
    assert sorted(items) == sorted(FEEDS), stored  # every item matched: decoded right
    for source_id, (_, _, _, title, text) in FEEDS.items():
        assert items[source_id]["title"] == title
        assert items[source_id]["text"] == text
        assert title in done.stdout
    # Latin-1 letters are what mojibake of these scripts is made of; none of the texts has any.
    mojibake = set("ÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ")
    assert not mojibake.intersection(done.stdout + json.dumps(stored, ensure_ascii=False))
