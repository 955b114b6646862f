"""Settings for events: [[silences]], per-rule realert, per-notifier quiet hours and updates,
and how each notifier type's ``updates`` option becomes the alert policy."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.commands.check import summary
from monitor.events.alerts import NotifierPolicy
from monitor.model import Alert
from monitor.notifiers import NOTIFIERS
from monitor.pipeline.decide import EventDecide
from monitor.render.sample import sample_alert
from monitor.settings import ConfigError, load_settings

CONFIG = """\
[monitor]
state = "sqlite:///state/bilat.db"

[[sources]]
id = "mea"
type = "feed"
url = "https://www.mea.gov.in/rss.xml"
official = true

[[rules]]
id = "desk"
type = "keyword"
any = ["Jaishankar"]
notify = ["console"]
{rule}

[notifiers.console]
type = "console"
{notifier}
{silences}
"""


def write(tmp_path: Path, *, rule: str = "", notifier: str = "", silences: str = "") -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(
        CONFIG.format(rule=rule, notifier=notifier, silences=silences), encoding="utf-8"
    )
    return path


def errors(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_settings(path)
    return [str(issue) for issue in exc.value.issues]


SILENCES = """
[[silences]]
pair = "in-cn"
until = "2099-01-01T00:00:00+05:30"
reason = "embargoed summit coverage"

[[silences]]
party = "PK"
rule = "desk"
until = "2020-01-01T00:00:00Z"

[[silences]]
source = "mea"
official = "Wang Yi"
"""


def test_silences_realert_and_quiet_hours_load(tmp_path: Path) -> None:
    """Silences are normalised, ``realert`` and quiet hours reach the event decide."""
    path = write(
        tmp_path,
        rule='realert = "2h"',
        notifier='quiet_hours = "22:00-07:00"\ntimezone = "Asia/Kolkata"',
        silences=SILENCES,
    )
    settings = load_settings(path)
    pair, party, source = settings.silences
    assert (pair.pair, pair.reason) == ("CN-IN", "embargoed summit coverage")
    assert (party.party, party.rule) == ("PK", "desk")
    assert (source.source, source.official, source.until) == ("mea", "Wang Yi", None)
    decide = EventDecide.from_settings(settings)
    assert decide.silences == settings.silences
    assert decide.rules["desk"].realert_s == 7200.0
    quiet = decide.notifiers["console"].quiet
    assert quiet is not None and quiet.contains(datetime(2025, 7, 1, 17, 0, tzinfo=UTC))


def test_check_lists_silences_as_active_or_expired(tmp_path: Path) -> None:
    """``bilat check`` shows every silence with what it selects and whether it is active."""
    text = summary(load_settings(write(tmp_path, silences=SILENCES)))
    section = text.split("silences (3):\n", 1)[1].splitlines()[:3]
    assert section[0].split()[:4] == ["active", "pair=CN-IN", "until", "2098-12-31T18:30:00+00:00"]
    assert section[0].endswith("(embargoed summit coverage)")
    assert section[1].split()[:3] == ["expired", "party=PK", "rule=desk"]
    assert section[2].split() == ["active", "official=Wang", "Yi", "source=mea"]


@pytest.mark.parametrize(
    ("silence", "expected"),
    [
        ('pair = "IN"', 'settings.toml:{line}: silences[0], field "pair": not a pair'),
        ('party = "IN"\nuntil = "tomorrow"', 'silences[0], field "until": Input should be'),
        ('reason = "x"', "silences[0]: a silence needs party, pair, official, source or rule"),
        (
            'rule = "dessk"',
            'field "rule": no rule "dessk" (did you mean "desk"?) (configured: desk)',
        ),
        ('source = "pib"', 'field "source": no source "pib" (configured: mea)'),
        ('party = "IN"\ncolour = "red"', 'field "colour": unknown key "colour"'),
    ],
)
def test_bad_silences_name_the_file_line_and_key(
    tmp_path: Path, silence: str, expected: str
) -> None:
    """Every problem in a [[silences]] table is an error located like the rest."""
    path = write(tmp_path, silences=f"\n[[silences]]\n{silence}\n")
    line = path.read_text().splitlines().index(silence.splitlines()[0]) + 1
    (message,) = errors(path)
    assert expected.format(line=line) in message, message
    assert "settings.toml:" in message


def test_bad_quiet_hours_and_realert_are_errors(tmp_path: Path) -> None:
    """A malformed quiet window, an unknown zone and a bad realert name their tables."""
    path = write(tmp_path, notifier='quiet_hours = "late"', rule='realert = "soon"')
    found = errors(path)
    assert any('rules[0] (id "desk"), field "realert": not a duration' in m for m in found)
    assert any("notifiers.console: quiet_hours must look like" in m for m in found)
    path = write(tmp_path, notifier='timezone = "Mars/Olympus"')
    assert any("unknown time zone 'Mars/Olympus'" in m for m in errors(path))


def _update() -> Alert:
    return sample_alert(notifier="n", kind="update")


MAIL = {"type": "email", "host": "h", "from": "a@b.org", "to": ["c@d.org"]}


@pytest.mark.parametrize(
    ("table", "sends"),
    [
        ({"type": "console"}, True),
        ({"type": "slack", "token_env": "T", "channel": "#desk"}, True),  # bot: threads
        ({"type": "slack", "webhook_url_env": "W"}, False),  # webhooks cannot thread
        ({"type": "slack", "webhook_url_env": "W", "updates": True}, True),
        (MAIL, True),
        ({**MAIL, "updates": False}, False),
        ({**MAIL, "updates": False, "digest": "15m"}, True),  # a digest takes updates
        ({"type": "webhook", "url": "https://x.org/h"}, False),
        ({"type": "webhook", "url": "https://x.org/h", "updates": True}, True),
    ],
)  # fmt: skip
def test_update_policy_agrees_with_what_each_notifier_accepts(
    monkeypatch: pytest.MonkeyPatch, table: dict[str, object], sends: bool
) -> None:
    """The alert policy sends follow-ups exactly when the notifier itself would deliver an
    "update" (the notifiers' own ``updates`` defaults keep their meaning)."""
    monkeypatch.setenv("T", "xoxb-test")
    monkeypatch.setenv("W", "https://hooks.slack.com/services/T/B/x")
    kind = NOTIFIERS[str(table["type"])]
    options = kind.Options.model_validate(table)
    policy = NotifierPolicy.of("n", options)
    assert policy.sends_updates is sends
    notifier = kind("n", options, None)  # type: ignore[arg-type]
    accepts = getattr(notifier, "accepts", None)  # the console takes everything
    assert (accepts(_update()) if accepts else True) is sends
