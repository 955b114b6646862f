"""``bilat sources import-opml``: OPML outlines appended as [[sources]] without touching the
rest of the settings file; duplicates skipped; bad input changes nothing (exit 2)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.commands.sources import OpmlError, plan_import, read_opml, slugify
from tests.adapters.socialkit import FIXTURES

OPML = FIXTURES / "opml" / "newsroom_subscriptions.opml"
EXISTING = """\
# My desk's settings — comments and layout must survive the import.
[monitor]
state = "sqlite:///state/bilat.db"   # keep this comment

[[sources]]
id = "reuters-world"
type = "feed"
url = "http://feeds.reuters.com/Reuters/worldNews"
official = false

[notifiers.console]
type = "console"
"""


def _run(*args: str) -> int:
    return main(["sources", "import-opml", *args])


def test_opml_outlines_are_read_with_their_folders() -> None:
    """Every outline with an xmlUrl, in order, with the folder path as category."""
    feeds = read_opml(OPML.read_bytes())
    assert [f.title for f in feeds] == [
        "BBC News - World",
        "Reuters: World News",
        "The Guardian",
        "बीबीसी हिंदी",
        "BBC Urdu",
        "The Hindu - States",
        "The Guardian",
        "Reuters World (duplicate)",
        "Gopher thing",
    ]
    assert feeds[0].category == "World news"
    assert feeds[3].category == "South Asia / Regional"
    assert feeds[5].url == "https://www.thehindu.com/news/national/?service=rss&x=1"


def test_ids_are_ascii_slugs_unique_among_configured_ids() -> None:
    """Titles become slugs; titles without Latin letters use the URL; clashes get -2."""
    assert slugify("BBC News - World", "https://x") == "bbc-news-world"
    assert slugify("बीबीसी हिंदी", "https://feeds.bbci.co.uk/hindi/rss.xml") == (
        "bbci-co-uk-hindi-rss-xml"
    )
    assert slugify("Le Monde — International", "https://x") == "le-monde-international"
    plan = plan_import(read_opml(OPML.read_bytes()), {"the-guardian"}, set())
    ids = [source_id for source_id, _ in plan.added]
    assert "the-guardian-2" in ids and "the-guardian-3" in ids and "the-guardian" not in ids
    assert len(ids) == len(set(ids))
    assert [f.url for f in plan.already] == ["HTTP://FEEDS.REUTERS.COM/Reuters/worldNews#top"]
    assert [f.url for f in plan.invalid] == ["gopher://example.org/feed"]


def test_import_appends_sources_and_leaves_the_file_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The original text is a byte-for-byte prefix; new tables load with tomllib; the
    configured Reuters URL (and its case/fragment variant) is skipped; exit 0."""
    config = tmp_path / "settings.toml"
    config.write_text(EXISTING, encoding="utf-8")
    assert _run(str(OPML), "-c", str(config)) == 0
    text = config.read_text(encoding="utf-8")
    assert text.startswith(EXISTING)
    doc = tomllib.loads(text)
    sources = doc["sources"]
    assert [s["id"] for s in sources] == [
        "reuters-world",
        "bbc-news-world",
        "the-guardian",
        "bbci-co-uk-hindi-rss-xml",
        "bbc-urdu",
        "the-hindu-states",
        "the-guardian-2",
    ]
    assert {s["type"] for s in sources} == {"feed"}
    assert sources[5]["url"] == "https://www.thehindu.com/news/national/?service=rss&x=1"
    assert doc["monitor"] == {"state": "sqlite:///state/bilat.db"}
    assert "# South Asia / Regional — बीबीसी हिंदी" in text
    err = capsys.readouterr().err
    assert "added 6 source(s)" in err and "2 already configured" in err
    assert "gopher://example.org/feed" in err
    assert _run(str(OPML), "-c", str(config)) == 0  # a second import adds nothing
    assert config.read_text(encoding="utf-8") == text
    assert "added 0 source(s)" in capsys.readouterr().err


def test_dry_run_prints_and_changes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run writes the tables to stdout only."""
    config = tmp_path / "settings.toml"
    config.write_text(EXISTING, encoding="utf-8")
    assert _run(str(OPML), "-c", str(config), "--dry-run") == 0
    assert config.read_text(encoding="utf-8") == EXISTING
    out = capsys.readouterr().out
    assert out.count("[[sources]]") == 6 and 'id = "bbc-urdu"' in out


def test_a_missing_config_is_created(tmp_path: Path) -> None:
    """No settings file yet: one with just the imported sources is written."""
    config = tmp_path / "new.toml"
    assert _run(str(OPML), "-c", str(config)) == 0
    assert len(tomllib.loads(config.read_text(encoding="utf-8"))["sources"]) == 7


@pytest.mark.parametrize(
    "opml",
    [
        b"<html><body>not opml</body></html>",
        b"<opml version='2.0'><body><outline",
        b"""<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<opml version="2.0"><body><outline text="&x;" xmlUrl="https://e.org/f"/></body></opml>""",
    ],
)
def test_bad_opml_is_refused_and_nothing_changes(
    tmp_path: Path, opml: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not OPML, truncated, or with an external entity: exit 2, a message, file unchanged."""
    config = tmp_path / "settings.toml"
    config.write_text(EXISTING, encoding="utf-8")
    source = tmp_path / "in.opml"
    source.write_bytes(opml)
    assert _run(str(source), "-c", str(config)) == 2
    assert config.read_text(encoding="utf-8") == EXISTING
    assert "in.opml" in capsys.readouterr().err
    with pytest.raises(OpmlError):
        read_opml(opml)


@pytest.mark.parametrize(
    "existing",
    [
        "[monitor\nbroken = ",  # not TOML
        'sources = [{ id = "a", type = "feed", url = "https://e.org/a" }]\n',  # inline array
    ],
)
def test_a_config_that_cannot_take_the_tables_is_left_alone(
    tmp_path: Path, existing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Invalid TOML, or an inline ``sources`` array [[sources]] cannot extend: exit 2."""
    config = tmp_path / "settings.toml"
    config.write_text(existing, encoding="utf-8")
    assert _run(str(OPML), "-c", str(config)) == 2
    assert config.read_text(encoding="utf-8") == existing
    assert "nothing changed" in capsys.readouterr().err


def test_a_missing_opml_file_is_exit_2(tmp_path: Path) -> None:
    """A wrong path is a usage error, not a traceback."""
    assert _run(str(tmp_path / "nope.opml"), "-c", str(tmp_path / "s.toml")) == 2
    assert not (tmp_path / "s.toml").exists()


AWKWARD = (
    "# crlf, tabs, a table after [[sources]], multi-line strings, no final newline\r\n"
    "[[sources]]\r\n"
    'id\t=\t"a"   # aligned with tabs\r\n'
    'type = "feed"\r\n'
    "url = 'https://example.org/a.xml'\r\n"
    "\r\n"
    "[notifiers.mail]\r\n"
    'type = "email"\r\n'
    'note = """two\r\nlines"""\r\n'
    "extra = { a = 1, b = [ 2, 3 ] }  # ünïcödé comment"
)
HOSTILE_OPML = b"""<?xml version="1.0"?>
<opml version="2.0"><body><outline text="Folder &quot;]&#10;[monitor]">
<outline text="Quote &quot; back\\slash &#9; tab&#10;[monitor]&#10;x = 1"
  xmlUrl="https://example.org/f?q=&quot;a&quot;&amp;b=\\1"/>
</outline></body></opml>
"""


def test_an_awkward_file_stays_byte_for_byte_and_keeps_crlf(tmp_path: Path) -> None:
    """CRLF endings, tabs, comments, a table after [[sources]] and no final newline: the old
    bytes are an exact prefix, the new tables use CRLF too, the whole file loads."""
    config = tmp_path / "settings.toml"
    config.write_bytes(AWKWARD.encode("utf-8"))
    assert _run(str(OPML), "-c", str(config)) == 0
    data = config.read_bytes()
    assert data.startswith(AWKWARD.encode("utf-8"))
    added = data[len(AWKWARD.encode("utf-8")) :]
    assert added.startswith(b"\r\n") and b"\n" not in added.replace(b"\r\n", b"")
    doc = tomllib.loads(data.decode("utf-8"))
    assert [s["id"] for s in doc["sources"]][:2] == ["a", "bbc-news-world"]
    assert doc["notifiers"]["mail"]["extra"] == {"a": 1, "b": [2, 3]}


def test_hostile_titles_and_urls_stay_values_and_comments(tmp_path: Path) -> None:
    """Quotes, backslashes, tabs and TOML-looking text in an OPML title or URL cannot add
    keys or tables: the URL reads back exactly, the title stays a one-line comment."""
    config = tmp_path / "settings.toml"
    config.write_text(EXISTING, encoding="utf-8")
    source = tmp_path / "hostile.opml"
    source.write_bytes(HOSTILE_OPML)
    assert _run(str(source), "-c", str(config)) == 0
    text = config.read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    assert set(doc) == {"monitor", "sources", "notifiers"}
    assert doc["monitor"] == {"state": "sqlite:///state/bilat.db"}
    new = doc["sources"][-1]
    assert new == {
        "id": "quote-back-slash-tab-monitor-x-1",
        "type": "feed",
        "url": 'https://example.org/f?q="a"&b=\\1',
    }
    assert '# Folder "] [monitor] — Quote " back\\slash tab [monitor] x = 1\n' in text
