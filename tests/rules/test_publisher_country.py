"""A source's ``country``: unqualified officials belong to the publisher's country, not to the
country the language usually implies (many Urdu outlets are Indian, many French ones are not
in France). Written sentences; none is taken from the corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from adapters.base import with_country
from adapters.feed import FeedOptions
from monitor.commands.scan import scan_line
from monitor.config_errors import ConfigError
from monitor.model import Item
from monitor.settings import load_settings
from rules.bilateral.detector import BilateralMeetingOptions, BilateralMeetingRule, detect

URDU = "وزیر خارجہ نے مالدیپ کے وزیر خارجہ سے ملاقات کی۔"  # "the FM met the Maldives' FM"
FRENCH = "Le ministre des Affaires étrangères a reçu l'ambassadeur du Mali."


def _pairs(meetings: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [m.parties for m in meetings]


def test_the_language_decides_when_the_publisher_is_unknown() -> None:
    assert _pairs(detect(URDU)) == [("MV", "PK")]
    assert _pairs(detect(FRENCH)) == [("FR", "ML")]


def test_the_publisher_country_decides_when_given() -> None:
    assert _pairs(detect(URDU, home="IN")) == [("IN", "MV")]
    assert _pairs(detect(FRENCH, home="sn")) == [("ML", "SN")]


def test_named_officials_keep_their_own_country() -> None:
    text = "External Affairs Minister S. Jaishankar met Maldives Foreign Minister Abdulla Khaleel."
    assert _pairs(detect(text, home="PK")) == [("IN", "MV")]


def test_the_rule_reads_the_items_country() -> None:
    rule = BilateralMeetingRule(BilateralMeetingOptions(id="b", type="bilateral_meeting"))
    item = Item(id="1", source_id="urdu-in", title="", text=URDU, country="IN")
    assert [m.meeting.parties for m in rule.evaluate(item) if m.meeting] == [("IN", "MV")]


def test_a_source_stamps_its_items_without_overriding_their_own() -> None:
    opts = FeedOptions(id="s", type="feed", url="https://news.example/feed", country="IN")
    mine = Item(id="1", source_id="s", title="", text="x")
    theirs = Item(id="2", source_id="s", title="", text="y", country="BD")
    assert [i.country for i in with_country([mine, theirs], opts.country)] == ["IN", "BD"]
    plain = FeedOptions(id="s", type="feed", url="https://news.example/feed")
    assert with_country([mine], plain.country) == [mine]
    assert Item.from_json(with_country([mine], opts.country)[0].to_json()).country == "IN"


def test_scan_jsonl_takes_a_country_field() -> None:
    line = json.dumps({"id": "u1", "text": URDU, "country": "IN"}).encode()
    out = scan_line(line)
    assert [m["parties"] for m in out["meetings"]] == [["IN", "MV"]]
    bad = scan_line(json.dumps({"id": "u2", "text": URDU, "country": 7}).encode())
    assert bad == {"id": "u2", "error": '"country" must be a string'}


def test_a_country_that_is_no_code_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        '[[sources]]\nid = "urdu"\ntype = "feed"\nurl = "https://news.example/feed"\n'
        'country = "India"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as err:
        load_settings(path)
    assert "India" in str(err.value) and "IN" in str(err.value)
