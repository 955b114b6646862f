"""A summit-day burst to Slack at Slack's real pace: 100 alerts queued at once for one
channel, delivered through the outbox worker, against the simplest correct client.

Two Slack stand-ins (``tests/notifiers/slack_standin.py``) on 127.0.0.1 model Slack's
documented limit for posting: about one message per second per channel, short bursts
allowed — a token bucket per channel (1 token/s, capacity 3) that starts empty, as if another
app had just used the channel's burst. Beyond it they answer Slack's recorded 429
(``web_api_429_ratelimited.http``) with ``Retry-After``.

- bilat: the alerts are written to the outbox (SQLite in a temporary directory) in one
  transaction; ``DeliveryWorker.drain`` sends them with the Slack notifier in bot mode
  (``min_interval = 1s``, its default).
- baseline: an aiohttp loop posting each message with the same token, sleeping
  ``Retry-After`` and retrying on a 429, then sleeping the interval.

Both run at the same time, each against its own stand-in. Reported per client: time from
the first request to the last accepted message, 429s received, requests that arrived inside
an announced Retry-After window (must be 0), and whether every message arrived exactly once
in order. Goal: all 100 within 120 s with no unhonoured 429, bilat/baseline time <= 1.1.
``--quick`` runs 30 alerts at 10 messages/s.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from monitor.contracts import HttpSettings
from monitor.delivery import DeliveryWorker
from monitor.logs import configure_logging
from monitor.net.client import Http
from monitor.notifiers.slack import SlackNotifier, SlackOptions
from monitor.store import open_store
from tests.notifiers.alerts import meeting_alert
from tests.notifiers.slack_standin import TOKEN, Bucket, SlackStandIn

TOKEN_ENV = "BILAT_BENCH_SLACK_TOKEN"
CAPACITY = 3.0
GOAL_S = 120.0  # the issue: 100 alerts to one channel within 2 minutes


@dataclass(frozen=True)
class Result:
    name: str
    elapsed_s: float
    requests: int
    limited: int
    violations: int
    in_order_once: bool


def _measure(name: str, slack: SlackStandIn, n: int) -> Result:
    texts = slack.texts(delivered=True)
    expected = [f"Alert {i:03d}" for i in range(n)]
    in_order = [next((e for e in expected if e in t), "?") for t in texts] == expected
    accepted = [r.at for r in slack.received if r.delivered]
    elapsed = (accepted[-1] - slack.received[0].at) if accepted else float("nan")
    return Result(
        name, elapsed, len(slack.received), len(slack.limited), len(slack.violations()), in_order
    )


async def _bilat(slack: SlackStandIn, n: int, interval: float, workdir: Path) -> Result:
    store = await open_store(f"sqlite:///{workdir / 'bench.db'}")
    created = datetime.now(UTC) - timedelta(seconds=1)
    alerts = [
        meeting_alert(headline=f"Alert {i:03d}", event_key=f"ev-{i}", created_at=created)
        for i in range(n)
    ]
    async with store.transaction() as tx:
        await tx.add_alerts(alerts)
    options = SlackOptions(
        type="slack",
        token_env=TOKEN_ENV,
        channel="#desk",
        api_url=slack.api_url,
        min_interval=interval,
    )
    async with Http(HttpSettings(allow_private_networks=True, timeout=10)) as http:
        notifier = SlackNotifier("desk", options, http)
        worker = DeliveryWorker(store, {"desk": (notifier, options)})
        report = await worker.drain(deadline_s=n * interval * 3 + 30)
    await store.close()
    assert report.sent == n, report
    return _measure("bilat (outbox worker)", slack, n)


async def _baseline(slack: SlackStandIn, n: int, interval: float) -> Result:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    url = slack.api_url + "/chat.postMessage"
    async with aiohttp.ClientSession() as session:
        for i in range(n):
            while True:
                payload = {"channel": "#desk", "text": f"Alert {i:03d}"}
                async with session.post(url, json=payload, headers=headers) as resp:
                    await resp.read()
                    if resp.status != 429:
                        break
                    await asyncio.sleep(float(resp.headers.get("Retry-After", "1")))
            await asyncio.sleep(interval)
    return _measure("baseline (aiohttp loop)", slack, n)


async def _run(n: int, interval: float) -> list[Result]:
    stand_ins = [await SlackStandIn().start() for _ in range(2)]
    for slack in stand_ins:
        slack.rate = Bucket(rate_per_s=1 / interval, capacity=CAPACITY)
    os.environ[TOKEN_ENV] = TOKEN
    try:
        with tempfile.TemporaryDirectory() as tmp:
            return list(
                await asyncio.gather(
                    _bilat(stand_ins[0], n, interval, Path(tmp)),
                    _baseline(stand_ins[1], n, interval),
                )
            )
    finally:
        os.environ.pop(TOKEN_ENV, None)
        for slack in stand_ins:
            await slack.stop()


def run(quick: bool = False) -> str:
    n, interval = (30, 0.1) if quick else (100, 1.0)
    configure_logging("warning")  # one line per delivery would drown the report
    started = time.monotonic()
    bilat, baseline = asyncio.run(_run(n, interval))
    wall = time.monotonic() - started
    rows = [
        f"| {r.name} | {r.elapsed_s:.1f} s | {r.requests} | {r.limited} | {r.violations} | "
        f"{'yes' if r.in_order_once else 'NO'} |"
        for r in (bilat, baseline)
    ]
    ratio = bilat.elapsed_s / baseline.elapsed_s
    ideal = (n - 1) * interval
    correct = bilat.violations == 0 and bilat.in_order_once
    if quick:  # whole-second Retry-Afters dominate a 3 s schedule: time is not judged
        verdict = f"no unhonoured 429, all once in order: **{'yes' if correct else 'NO'}**"
    else:
        met = correct and bilat.elapsed_s <= GOAL_S
        verdict = (
            f"goal: all within {GOAL_S:.0f} s, no unhonoured 429: **{'met' if met else 'NOT met'}**"
        )
    return "\n".join(
        [
            "## Delivery: a burst of alerts to one Slack channel",
            "",
            f"{n} alerts queued at once, one channel limited to {1 / interval:g} message/s "
            f"(token bucket, bursts of {CAPACITY:g}, starting empty); the 429s carry "
            "Slack's recorded body and Retry-After. Both clients ran at the same time, each "
            f"against its own stand-in ({wall:.0f} s wall).",
            "",
            "| client | first request → last delivered | requests | 429s | requests inside "
            "a Retry-After window | all delivered once, in order |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"bilat / baseline time: **{ratio:.3f}**; ideal schedule {ideal:.0f} s; {verdict}.",
        ]
    )


if __name__ == "__main__":
    print(run())
