"""Rendering alerts for Slack, email, webhook and console (pure, no I/O)."""

from __future__ import annotations

import json
import re
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from monitor import render
from monitor.commands.render import render_all
from monitor.render.fit import fit_mrkdwn, truncate, utf16_len
from monitor.render.sample import sample_alert
from tests.notifiers.alerts import follow_up, keyword_alert, meeting_alert
from tests.notifiers.blockkit import all_texts, assert_slack_limits


def test_slack_message_says_who_where_when_status_and_source() -> None:
    """The Block Kit message carries flags, parties, officials, place, date, status,
    confidence, the evidence quote and a link to the source."""
    payload = render.slack_message(meeting_alert())
    assert_slack_limits(payload)
    header = payload["blocks"][0]
    assert header["type"] == "header"
    assert header["text"]["text"] == "🇮🇳 🇨🇳 IN–CN: Jaishankar met Wang Yi in Astana"
    fields = {
        f["text"].split("\n")[0]: f["text"].split("\n", 1)[1]
        for f in payload["blocks"][1]["fields"]
    }
    assert fields == {
        "*Who*": "🇮🇳 India – 🇨🇳 China",
        "*Officials*": "S. Jaishankar, Wang Yi",
        "*Where*": "Astana",
        "*When*": "4 Jul 2024",
        "*Status*": "held",
        "*Confidence*": "92%",
    }
    quote = payload["blocks"][2]["text"]["text"]
    assert quote.startswith(">External Affairs Minister S. Jaishankar met")
    context = " ".join(e["text"] for e in payload["blocks"][3]["elements"])
    assert "<https://www.thehindu.com/news/national/jaishankar-wang-yi/article1.ece|" in context
    assert "<!date^1720086060^" in context
    assert payload["text"].startswith("🇮🇳 🇨🇳 IN–CN: Jaishankar met Wang Yi in Astana (held, 92%)")


def test_slack_limits_hold_for_huge_evidence_and_many_sentences() -> None:
    """Evidence of 20,000 characters, 60 sentences, a 400-character headline and a huge
    title still fit Slack's limits, cut with "…"."""
    sentence = "Jaishankar and Wang Yi discussed the border situation at length. " * 300
    alert = meeting_alert(
        evidence=tuple([sentence] * 60),
        headline="IN–CN: " + "Very long headline " * 20,
        title="T" * 5000,
        officials=tuple(f"Official number {i}" for i in range(200)),
        location="Astana " * 1000,
    )
    for payload in (
        render.slack_message(alert),
        render.slack_reply(follow_up(alert, "update")),
        render.slack_reply(follow_up(alert, "confirmed")),
        render.slack_standalone_update(follow_up(alert, "update")),
    ):
        assert_slack_limits(payload)
    message = render.slack_message(alert)
    assert message["blocks"][0]["text"]["text"].endswith("…")
    assert message["blocks"][2]["text"]["text"].split("\n")[0].endswith("…")


def test_mrkdwn_is_escaped_so_user_text_cannot_mention_or_link() -> None:
    """``&``, ``<`` and ``>`` in user text are escaped everywhere: no @channel ping, no
    injected link, no broken entity."""
    evil = "Talks <!channel> & <https://evil.example|click here> went well > expected"
    alert = meeting_alert(evidence=(evil,), title="A & B <b>", location="<Astana>")
    payload = render.slack_message(alert)
    joined = "\n".join(all_texts(payload))
    assert "<!channel>" not in joined
    assert "<https://evil.example" not in joined
    assert "Talks &lt;!channel&gt; &amp; &lt;https://evil.example|click here&gt;" in joined
    assert "&lt;Astana&gt;" in joined
    assert "|A &amp; B &lt;b&gt;>" in joined  # the link label, escaped inside the link


def test_fit_mrkdwn_never_cuts_an_entity_in_half() -> None:
    """Truncating escaped text drops a partial ``&amp;`` rather than leaving ``&am``."""
    for n in range(5, 40):
        out = fit_mrkdwn("a" * n + "&&&&&&&&&&", 20)
        assert utf16_len(out) <= 20
        body = out.removesuffix("…")
        assert re.fullmatch(r"a*(&amp;)*", body), out


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("IN", "🇮🇳"),
        ("cn", "🇨🇳"),
        ("EU", "🇪🇺"),
        ("UN", "🇺🇳"),
        ("UK", "🇬🇧"),
        ("NATO", ""),
        ("ASEAN", ""),
        ("ZZ", ""),
        ("EZ", ""),
        ("Q1", ""),
    ],
)
def test_flags_from_party_codes(code: str, expected: str) -> None:
    """Countries get their regional-indicator flag, the EU and UN theirs, others none."""
    assert render.flag(code) == expected


def test_organisation_without_flag_renders_its_name() -> None:
    """A meeting with NATO shows the name without a flag and the country with one."""
    alert = meeting_alert(parties=("NATO", "UA"), headline="UA–NATO: Zelensky met Rutte")
    payload = render.slack_message(alert)
    assert payload["blocks"][0]["text"]["text"] == "🇺🇦 UA–NATO: Zelensky met Rutte"
    who = payload["blocks"][1]["fields"][0]["text"]
    assert who == "*Who*\n🇺🇦 Ukraine – NATO"


def test_keyword_alert_without_meeting_renders_everywhere() -> None:
    """A keyword alert (no meeting) shows its summary, rule and source in every channel."""
    alert = keyword_alert()
    payload = render.slack_message(alert)
    assert_slack_limits(payload)
    texts = "\n".join(all_texts(payload))
    assert "keyword 'trade corridor' in Reuters" in texts
    assert "*Rule*\ncorridor" in texts
    assert "*Who*" not in texts
    mail = render.email(alert)
    assert mail.subject == "Keyword: trade corridor — Ministers to discuss trade corridor"
    assert "Match:" in mail.text and "trade corridor" in mail.text
    doc = render.webhook(alert)
    assert doc["meeting"] is None and doc["match"]["kind"] == "keyword"
    assert "Ministers will discuss" in render.console(alert)


@pytest.mark.parametrize(
    "text",
    [
        "विदेश मंत्री एस. जयशंकर ने अस्ताना में चीनी विदेश मंत्री वांग यी से मुलाकात की।",
        "印度外长苏杰生在阿斯塔纳会见中国外长王毅。",
        "التقى وزير الخارجية الهندي جايشانكار بنظيره الصيني وانغ يي في أستانا.",
    ],
)
def test_non_latin_text_stays_intact(text: str) -> None:
    """Devanagari, CJK and Arabic evidence and headlines reach every channel unchanged."""
    alert = meeting_alert(evidence=(text,), headline="IN–CN: " + text[:30], title=text)
    assert ">" + text in "\n".join(all_texts(render.slack_message(alert)))
    mail = render.email(alert)
    assert text in mail.text and text in mail.html
    doc = json.loads(json.dumps(render.webhook(alert), ensure_ascii=False))
    assert doc["meeting"]["evidence"] == [text]
    assert text in render.console(alert)


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("abcdef", 6, "abcdef"),
        ("abcdefg", 6, "abcde…"),
        ("ab 🇮🇳🇨🇳🇯🇵", 8, "ab 🇮🇳…"),  # never half a flag (each flag is 4 UTF-16 units)
        ("ab👨‍👩‍👧 cd", 6, "ab…"),  # never inside a ZWJ family
        ("cafe\u0301s", 5, "caf…"),  # e + combining acute stays whole
        ("क्षत्रिय", 4, "क्ष…"),  # क्ष is a conjunct: क + virama + ष
        ("क्षत्रिय", 3, "…"),  # never क + virama without its ष
        ("नमस्ते दुनिया", 7, "नमस्ते…"),
        ("👍🏽👍🏽", 3, "…"),  # skin-tone modifier stays with its emoji
    ],
)
def test_truncate_keeps_grapheme_clusters_whole(text: str, limit: int, expected: str) -> None:
    """Truncation fits the UTF-16 limit and never splits a cluster."""
    out = truncate(text, limit)
    assert out == expected
    assert utf16_len(out) <= limit


def test_update_and_confirmation_render_as_short_replies() -> None:
    """An update says how many reports there are; a confirmation names who confirmed."""
    parent = meeting_alert()
    update = render.slack_reply(follow_up(parent, "update"))
    assert update["blocks"][0]["text"]["text"] == ":heavy_plus_sign: *Update: 13 reports so far*"
    assert len(update["blocks"]) <= 3
    confirmed = follow_up(parent, "confirmed")
    reply = render.slack_reply(confirmed)
    assert reply["blocks"][0]["text"]["text"] == (
        ":white_check_mark: *Confirmed by MEA and by @DrSJaishankar*"
    )
    edited = render.slack_message(confirmed)  # the parent after chat.update
    assert edited["blocks"][1]["text"]["text"] == (
        ":white_check_mark: *Confirmed by MEA and by @DrSJaishankar*"
    )
    update_with_confirmation = follow_up(parent, "update", confirmed_by=("MEA",))
    assert render.view(update_with_confirmation).change_line == (
        "Update: 13 reports so far, confirmed by MEA"
    )


def test_unsafe_links_are_not_linked() -> None:
    """A ``javascript:`` URL is neither a Slack link nor an HTML href."""
    alert = meeting_alert(url="javascript:alert(1)")
    assert "javascript:" not in json.dumps(render.slack_message(alert))
    assert "javascript:" not in render.email(alert).html


def test_email_subject_is_the_scannable_headline() -> None:
    """New: the headline with an en dash; update and confirmation: "Re: " + headline."""
    parent = meeting_alert()
    assert render.email(parent).subject == "IN–CN: Jaishankar met Wang Yi in Astana"
    assert render.email(follow_up(parent, "update")).subject == (
        "Re: IN–CN: Jaishankar met Wang Yi in Astana"
    )
    confirmed = render.email(follow_up(parent, "confirmed"))
    assert confirmed.text.startswith("Confirmed by MEA and by @DrSJaishankar\n")
    nasty = render.email(meeting_alert(headline="IN–CN: line\r\nBcc: x@example.org"))
    assert "\n" not in nasty.subject and "\r" not in nasty.subject


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_email_html_escapes_everything_and_loads_nothing() -> None:
    """User text cannot inject markup; the only external references are <a href> links."""
    alert = meeting_alert(
        evidence=('<script>alert("x")</script> & <img src="https://t.example/p.gif">',),
        title="<b>Bold</b>",
        location='Astana"onmouseover="x',
    )
    mail = render.email(alert)
    parser = _Tags()
    parser.feed(mail.html)
    tags = {tag for tag, _ in parser.tags}
    assert "script" not in tags and "img" not in tags and "link" not in tags
    assert "&lt;script&gt;" in mail.html and "&lt;b&gt;Bold&lt;/b&gt;" in mail.html
    for tag, attrs in parser.tags:
        assert set(attrs) <= {"style", "href", "charset", "lang"}, (tag, attrs)
        if "href" in attrs:
            assert tag == "a" and str(attrs["href"]).startswith("https://")
        assert "url(" not in str(attrs.get("style") or "")


HOSTILE = "IN–CN: <img src=x onerror=alert(1)> \"quoted\" & 'single' </h2><script>x</script>"


class _Texts(_Tags):
    """Start tags and the text inside each element, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[tuple[str, str]] = []

    def handle_data(self, data: str) -> None:
        if data.strip() and self.tags:
            self.texts.append((self.tags[-1][0], data))


@pytest.mark.parametrize("kind", ["new", "update", "confirmed"])
def test_hostile_headline_is_escaped_in_every_email_part(kind: str) -> None:
    """A headline, source and confirming account full of markup read back as the same text
    in <title>, <h2> and the notes, and add no element to the mail."""
    parent = meeting_alert(headline=HOSTILE, title=HOSTILE, source_id="<b>src</b>")
    alert = parent if kind == "new" else follow_up(parent, kind, confirmed_by=("<i>@x</i>",))
    mail = render.email(alert)
    parser = _Texts()
    parser.feed(mail.html)
    assert {tag for tag, _ in parser.tags} <= {"html", "head", "meta", "title", "body", "h2"} | {
        "p", "table", "tr", "td", "blockquote", "a"
    }  # fmt: skip
    assert ("title", HOSTILE) in parser.texts
    assert ("h2", "🇮🇳 🇨🇳 " + HOSTILE) in parser.texts
    assert "<script>" not in mail.html and "<img" not in mail.html and "<i>" not in mail.html
    if kind == "confirmed":
        assert ("p", "Confirmed by <i>@x</i>") in parser.texts


def test_hostile_headline_is_escaped_in_a_digest() -> None:
    """A digest's group headings and title escape a hostile headline the same way."""
    alerts = [meeting_alert(headline=HOSTILE), meeting_alert(event_key="ev-2", headline=HOSTILE)]
    mail = render.email_digest(alerts)
    parser = _Texts()
    parser.feed(mail.html)
    assert [text for tag, text in parser.texts if tag == "h2"] == ["🇮🇳 🇨🇳 " + HOSTILE] * 2
    assert "<script>" not in mail.html and "<img" not in mail.html


def test_email_templates_ship_as_package_data() -> None:
    """Every e-mail template is covered by pyproject's package-data, so an installed wheel
    renders mail too."""
    config = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    globs = config["tool"]["setuptools"]["package-data"]["monitor.render"]
    folder = Path(render.__file__).parent
    templates = [p.relative_to(folder) for p in (folder / "templates").rglob("*") if p.is_file()]
    assert templates, "no templates found"
    for path in templates:
        assert any(path.match(glob) for glob in globs), f"{path} is not package data"


def test_digest_contains_every_alert_grouped_by_event() -> None:
    """A digest of two events and their updates lists each headline once and every alert."""
    a = meeting_alert()
    b = meeting_alert(
        parties=("FR", "DE"),
        headline="FR–DE: Macron met Scholz in Berlin",
        event_key="ev-fr-de",
        evidence=("Macron met Scholz in Berlin on Friday.",),
        created_at=a.created_at.replace(minute=50),
    )
    alerts = [b, follow_up(a, "update"), a, follow_up(a, "confirmed", seq=2)]
    mail = render.email_digest(alerts)
    for alert in alerts:
        assert alert.id in mail.text and alert.id in mail.html
    assert mail.text.count("IN–CN: Jaishankar met Wang Yi in Astana") == 1
    assert "Macron met Scholz in Berlin on Friday." in mail.text
    assert mail.subject.startswith("bilat digest (2 new, 2 updates): ")
    assert mail.text.index("Jaishankar") < mail.text.index("Macron")  # a came first
    with pytest.raises(ValueError):
        render.email_digest([])


def test_webhook_document_follows_schema_v1() -> None:
    """The webhook JSON has exactly the documented keys and round-trips through JSON."""
    confirmed = follow_up(meeting_alert(), "confirmed")
    doc = render.webhook(confirmed)
    assert set(doc) == {
        "schema", "id", "kind", "parent_id", "event_key", "notifier", "rule_id",
        "created_at", "headline", "text", "meeting", "match", "report", "report_count",
        "confirmed_by",
    }  # fmt: skip
    assert doc["schema"] == "bilat.alert/1"
    assert doc["kind"] == "confirmed" and doc["parent_id"] == meeting_alert().id
    assert doc["meeting"]["parties"][1] == {"code": "IN", "name": "India", "flag": "🇮🇳"}
    assert doc["meeting"]["date"] == "2024-07-04"
    assert doc["confirmed_by"] == ["MEA", "@DrSJaishankar"]
    assert json.loads(json.dumps(doc)) == doc


def test_render_all_and_cli_print_every_channel(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """``bilat render --sample`` prints Slack, email, webhook and console renderings; an
    ALERT_ID with a configuration that does not exist is a configuration error (2)."""
    from monitor.cli import main

    rendered = render_all(sample_alert(kind="confirmed"))
    assert set(rendered) == {"slack", "email", "webhook", "console"}
    assert "chat.update" in rendered["slack"]
    assert main(["render", "--sample"]) == 0
    out = capsys.readouterr().out
    for channel in ("slack", "email", "webhook", "console"):
        assert f"===== {channel} =====" in out
    assert "Subject: IN–CN: Jaishankar met Wang Yi in Astana" in out
    assert '"schema": "bilat.alert/1"' in out
    assert main(["render", "some-alert-id", "-c", str(tmp_path / "missing.toml")]) == 2
