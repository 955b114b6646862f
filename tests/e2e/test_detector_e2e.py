"""The detector end to end: `bilat once` in a subprocess polls loopback feeds (and an X API
stand-in), runs the real ``bilateral_meeting`` rule, clusters events in the store and prints
console alerts. Nothing here replaces a part of the daemon."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from tests.adapters.socialkit import fixture_json
from tests.conftest import FeedServer, WriteConfig, rss, run_cli

SEPARATOR = "─" * 72


def blocks(stdout: str) -> list[list[str]]:
    """Each console alert as its lines (the separator dropped)."""
    out: list[list[str]] = []
    for chunk in stdout.split(SEPARATOR)[1:]:
        lines = [line for line in chunk.strip("\n").splitlines() if line.strip()]
        if lines:
            out.append(lines)
    return out


def new_alerts(stdout: str) -> list[list[str]]:
    """Alerts that open a thread: the first line is the headline (updates and
    confirmations start with "Update: …" / "Confirmed …")."""
    return [b for b in blocks(stdout) if not b[0].startswith(("Update", "Confirmed"))]


def headline_of(block: list[str]) -> str:
    """ "IN–CN: S. Jaishankar met Wang Yi in Astana" (the flags before it dropped)."""
    return block[0].split(" ", 2)[2]


def decided(events: list[dict[str, Any]], item_key: str) -> list[tuple[str, str, str]]:
    """(rule, notifier, outcome) of every alert decision about one item."""
    return [
        (e["rule_id"], e["notifier"], e["outcome"])
        for e in events
        if e["event"] == "alert.decided" and e.get("item_key") == item_key
    ]


def bilats(**options: Any) -> dict[str, Any]:
    return {
        "id": "bilats",
        "type": "bilateral_meeting",
        "statuses": ["held"],
        "notify": ["console"],
        **options,
    }


def day_label(when: datetime) -> str:
    return f"{when.day} {when.strftime('%b %Y')}"


async def test_a_reported_meeting_alerts_once_across_outlets_and_languages(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """An English wire report makes one console alert saying who met whom, where, when, the
    status, the evidence and the link; a Hindi outlet's report of the same meeting later
    makes no second NEW alert (it joins the event: an update, folded inside ``realert``)."""
    published = datetime.now(UTC) - timedelta(minutes=20)
    sentence = (
        "External Affairs Minister S. Jaishankar met Chinese Foreign Minister Wang Yi in "
        "Astana today."
    )
    wire = feed_server.serve(
        "/wire.xml",
        rss(
            {
                "guid": "w1",
                "title": "Jaishankar meets Wang Yi in Astana",
                "description": sentence + " The two ministers discussed the border.",
                "link": "https://wire.example/jaishankar-wang-yi",
                "published": published,
            }
        ),
    )
    hindi = feed_server.serve("/hindi.xml", rss(lang="hi"))
    config = write_config(
        {
            "sources": [
                {"id": "wire", "type": "feed", "url": wire},
                {"id": "hindi-daily", "type": "feed", "url": hindi},
            ],
            "rules": [bilats(countries=["IN"])],
        }
    )

    first = await run_cli("once", "-c", str(config))
    assert first.returncode == 0, first.stderr
    (alert,) = blocks(first.stdout)
    assert headline_of(alert) == "IN–CN: S. Jaishankar met Wang Yi in Astana"
    assert alert[1].split(" · ")[0] == "  held"  # the status
    assert f" · {day_label(published)} · Astana · " in alert[1]  # when and where
    assert alert[1].endswith("S. Jaishankar, Wang Yi")  # who
    # the evidence, quoted from the item (its headline says it first)
    assert alert[2] in ("  “Jaishankar meets Wang Yi in Astana”", f"  “{sentence}”")
    assert alert[3].endswith("https://wire.example/jaishankar-wang-yi")  # the link

    feed_server.serve(
        "/hindi.xml",
        rss(
            {
                "guid": "h1",
                "title": "अस्ताना में जयशंकर और वांग यी की मुलाकात",
                "description": "विदेश मंत्री एस. जयशंकर ने आज अस्ताना में चीन के विदेश मंत्री "
                "वांग यी से मुलाकात की।",
                "published": published + timedelta(minutes=12),
            },
            lang="hi",
        ),
    )
    second = await run_cli("once", "-c", str(config))
    assert second.returncode == 0, second.stderr
    assert new_alerts(second.stdout) == []
    assert decided(second.events(), "hindi-daily:h1") == [("bilats", "console", "folded")]

    shown = await run_cli("events", "-c", str(config), "--json")
    (event,) = [json.loads(line) for line in shown.stdout.splitlines()]
    assert event["parties"] == ["CN", "IN"] and event["status"] == "held"
    assert sorted(r["item_key"] for r in event["reports"]) == ["hindi-daily:h1", "wire:w1"]


async def test_the_seed_article_alerts_for_exactly_its_five_meetings(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """The Hindi seed article makes one alert per meeting it reports (IN–CN, IN–BY, IN–TJ,
    IN–UN, IN–RU, all in Astana) and none for the SCO member list."""
    url = feed_server.serve_fixture("/seed.xml", "feeds/seed_hindi.rss.xml", fresh=True)
    config = write_config(
        {
            "sources": [{"id": "seed-hi", "type": "feed", "url": url}],
            "rules": [bilats(countries=["IN"])],
        }
    )
    result = await run_cli("once", "-c", str(config))
    assert result.returncode == 0, result.stderr
    alerts = new_alerts(result.stdout)
    assert len(alerts) == len(blocks(result.stdout)) == 5
    pairs = sorted(headline_of(b).split(":")[0] for b in alerts)
    assert pairs == ["IN–BY", "IN–CN", "IN–RU", "IN–TJ", "IN–UN"]
    russia = next(b for b in alerts if headline_of(b).startswith("IN–RU"))
    assert " · Astana · " in russia[1]


class XStandIn:
    """X API v2 on loopback: user lookup and one user's timeline, in the recorded shapes
    (``tests/fixtures/social/x``) with the post the test gives."""

    def __init__(self, token: str, user: dict[str, str], text: str, created: datetime) -> None:
        recorded = fixture_json("social/x/users_783214_tweets_no_expansions.json")
        tweet = dict(recorded["data"][0])
        tweet.update(
            id="1941000000000000001",
            text=text,
            author_id=user["id"],
            lang="en",
            created_at=created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        )
        for key in ("entities", "referenced_tweets", "attachments"):
            tweet.pop(key, None)
        self.timeline = {
            "data": [tweet],
            "includes": {"users": [user]},
            "meta": {"newest_id": tweet["id"], "oldest_id": tweet["id"], "result_count": 1},
        }
        self.user = user
        self.token = token
        self.authorized: list[bool] = []

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/2/users/by/username/{username}", self.lookup)
        app.router.add_get("/2/users/{id}/tweets", self.tweets)
        return app

    def _ok(self, request: web.Request) -> bool:
        ok = request.headers.get("Authorization") == f"Bearer {self.token}"
        self.authorized.append(ok)
        return ok

    async def lookup(self, request: web.Request) -> web.Response:
        if not self._ok(request):
            return web.json_response({"title": "Unauthorized"}, status=401)
        return web.json_response({"data": self.user})

    async def tweets(self, request: web.Request) -> web.Response:
        if not self._ok(request) or request.match_info["id"] != self.user["id"]:
            return web.json_response({"title": "Unauthorized"}, status=401)
        return web.json_response(self.timeline)


async def test_an_officials_post_becomes_an_alert_with_both_parties(
    write_config: WriteConfig,
) -> None:
    """A post by a known official (X API, bearer token from the environment) naming only
    the person met is an alert with both parties, the author as one of them, and counts
    as the official confirmation of the meeting."""
    token = "dummy-bearer-for-tests"
    user = {"id": "1234567", "username": "DrSJaishankar", "name": "Dr. S. Jaishankar"}
    text = "Glad to meet FM Wang Yi today in Astana. Discussed our ties and the border."
    stand_in = XStandIn(token, user, text, datetime.now(UTC) - timedelta(minutes=5))
    runner = web.AppRunner(stand_in.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        source = {
            "id": "x-jaishankar",
            "type": "x",
            "username": "DrSJaishankar",
            "api_url": f"http://127.0.0.1:{port}/2",
            "bearer_token_env": "BILAT_TEST_X_TOKEN",
        }
        config = write_config({"sources": [source], "rules": [bilats(countries=["IN"])]})
        result = await run_cli("once", "-c", str(config), env={"BILAT_TEST_X_TOKEN": token})
    finally:
        await runner.cleanup()
    assert result.returncode == 0, result.stderr
    assert stand_in.authorized and all(stand_in.authorized)
    (alert,) = blocks(result.stdout)
    assert headline_of(alert) == "IN–CN: S. Jaishankar met Wang Yi in Astana"
    assert alert[1].endswith("Confirmed by @DrSJaishankar")
    assert "S. Jaishankar, Wang Yi" in alert[1]
    assert alert[-1].endswith("https://x.com/DrSJaishankar/status/1941000000000000001")
    assert token not in result.stderr and token not in result.stdout


async def test_near_misses_make_no_alert(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """A cricket "bilateral series" is no meeting and a phone call is not held: with
    ``statuses = ["held"]`` only the real meeting in the same feed alerts."""
    url = feed_server.serve(
        "/mixed.xml",
        rss(
            {
                "guid": "cricket",
                "title": "India and Australia to resume bilateral series",
                "description": "India and Australia will play a five-match bilateral series "
                "in Perth, the cricket boards of both countries announced.",
            },
            {
                "guid": "call",
                "title": "Modi speaks to Putin",
                "description": "Prime Minister Narendra Modi spoke by phone with Russian "
                "President Vladimir Putin on Tuesday.",
            },
            {
                "guid": "met",
                "title": "Marles meets Rajnath Singh",
                "description": "Australian Defence Minister Richard Marles met Indian "
                "Defence Minister Rajnath Singh in Canberra today.",
            },
        ),
    )
    config = write_config(
        {"sources": [{"id": "mixed", "type": "feed", "url": url}], "rules": [bilats()]}
    )
    result = await run_cli("once", "-c", str(config))
    assert result.returncode == 0, result.stderr
    assert [headline_of(b).split(":")[0] for b in blocks(result.stdout)] == ["AU–IN"]
    events = result.events()
    assert decided(events, "mixed:cricket") == []  # not even a match
    assert decided(events, "mixed:call") == [("bilats", "console", "skipped")]
    polled = next(e for e in events if e["event"] == "source.polled")
    assert polled["matched"] == 2 and polled["alerts"] == 1


async def test_statuses_decide_alerts_while_every_status_reaches_the_event(
    feed_server: FeedServer, write_config: WriteConfig
) -> None:
    """A "will meet" report is learned by a held-only rule (no alert), so the later "held"
    report is its first alert; a rule that also takes "scheduled" alerts on the plan and
    sends the held report as an update of the same thread. A cancellation is recorded."""
    url = feed_server.serve(
        "/wire.xml",
        rss(
            {
                "guid": "plan",
                "title": "Modi to meet Albanese",
                "description": "Prime Minister Narendra Modi will meet Australian Prime "
                "Minister Anthony Albanese in Canberra later today.",
            },
            {
                "guid": "plan2",
                "title": "Lula to visit Jakarta",
                "description": "Brazilian President Luiz Inácio Lula da Silva will meet "
                "Indonesian President Prabowo Subianto in Jakarta tomorrow.",
            },
        ),
    )
    config = write_config(
        {
            "sources": [{"id": "wire", "type": "feed", "url": url}],
            "rules": [
                bilats(notify=["desk"]),
                bilats(id="plans", statuses=["held", "scheduled"], notify=["plans"]),
            ],
            "notifiers": {"desk": {"type": "console"}, "plans": {"type": "console"}},
        }
    )
    first = await run_cli("once", "-c", str(config))
    assert first.returncode == 0, first.stderr
    assert sorted(decided(first.events(), "wire:plan")) == [
        ("bilats", "desk", "skipped"),
        ("plans", "plans", "new"),
    ]

    feed_server.serve(
        "/wire.xml",
        rss(
            {
                "guid": "held",
                "title": "Modi and Albanese hold talks",
                "description": "Prime Minister Narendra Modi met Australian Prime Minister "
                "Anthony Albanese in Canberra today.",
            },
            {
                "guid": "off",
                "title": "Lula trip called off",
                "description": "Lula's meeting with Prabowo Subianto was cancelled.",
            },
        ),
    )
    second = await run_cli("once", "-c", str(config))
    assert second.returncode == 0, second.stderr
    assert sorted(decided(second.events(), "wire:held")) == [
        ("bilats", "desk", "new"),
        ("plans", "plans", "update"),  # the status changed: never folded
    ]
    shown = await run_cli("events", "-c", str(config), "--json")
    events = {"-".join(e["parties"]): e for e in map(json.loads, shown.stdout.splitlines())}
    assert events["AU-IN"]["status"] == "held" and len(events["AU-IN"]["reports"]) == 2
    assert events["BR-ID"]["status"] == "cancelled" and len(events["BR-ID"]["reports"]) == 2
