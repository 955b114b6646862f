"""Settings: TOML + environment, per-type validation, and errors that locate the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from monitor.config_errors import TomlLocator
from monitor.settings import ConfigError, load_settings
from rules.keyword import KeywordOptions

BASE = """\
[monitor]
state = "sqlite:///state/bilat.db"
allow_private_networks = true

[[sources]]
id = "bbc-world"
type = "feed"
url = "https://feeds.bbci.co.uk/news/world/rss.xml"
interval = "5m"

[[sources]]
id = "bbc-hindi"
type = "feed"
url = "https://feeds.bbci.co.uk/hindi/rss.xml"
{extra_source}

[[rules]]
id = "desk"
type = "keyword"
any = ["Jaishankar", "जयशंकर"]
notify = ["console"]
{extra_rule}

[notifiers.console]
type = "console"
{extra_notifier}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "settings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def base(
    tmp_path: Path, extra_source: str = "", extra_rule: str = "", extra_notifier: str = ""
) -> Path:
    return write(
        tmp_path,
        BASE.format(
            extra_source=extra_source, extra_rule=extra_rule, extra_notifier=extra_notifier
        ),
    )


def line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines) if needle in line) + 1


def error_of(path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    return info.value


def test_valid_file_loads_typed_options(tmp_path: Path) -> None:
    """A valid file gives typed per-type options, resolved state URL and HTTP settings."""
    settings = load_settings(base(tmp_path))
    assert [s.id for s in settings.sources] == ["bbc-world", "bbc-hindi"]
    assert settings.sources[0].interval == 300.0
    assert settings.sources[1].interval == 600.0  # default
    rule = settings.rules[0]
    assert isinstance(rule, KeywordOptions)
    assert rule.any == ["Jaishankar", "जयशंकर"]
    assert settings.state_url == f"sqlite:///{tmp_path / 'state' / 'bilat.db'}"
    assert settings.monitor.http.allow_private_networks is True  # copied from [monitor]
    assert settings.monitor.grace_s == 10.0
    assert settings.monitor.backfill == 86400.0


def test_unknown_key_names_file_line_id_and_field(tmp_path: Path) -> None:
    """An unknown key in a source is an error naming file, line, source id and the key."""
    path = base(tmp_path, extra_source='intervall = "5m"')
    issue = error_of(path).issues[0]
    assert issue.file and issue.file.endswith("settings.toml")
    assert issue.line == line_of(path, "intervall")
    assert issue.id == "bbc-hindi"
    assert issue.field == "intervall"
    assert "unknown key" in issue.reason and 'did you mean "interval"' in issue.reason
    text = str(error_of(path))
    assert f"settings.toml:{issue.line}" in text and 'sources[1] (id "bbc-hindi")' in text


def test_wrong_type_is_located(tmp_path: Path) -> None:
    """A value of the wrong type names the field and its line."""
    path = base(tmp_path, extra_rule='case_sensitive = "sometimes"')
    issue = error_of(path).issues[0]
    assert (issue.table, issue.id, issue.field) == ("rules[0]", "desk", "case_sensitive")
    assert issue.line == line_of(path, "case_sensitive")
    assert "sometimes" in issue.reason


def test_bad_duration_is_located(tmp_path: Path) -> None:
    """A duration that does not parse says what a duration looks like."""
    path = base(tmp_path, extra_source='interval = "soon"')
    issue = error_of(path).issues[0]
    assert (issue.id, issue.field) == ("bbc-hindi", "interval")
    assert issue.line == line_of(path, 'interval = "soon"')
    assert "not a duration" in issue.reason and "'10m'" in issue.reason


def test_duplicate_source_id(tmp_path: Path) -> None:
    """Two sources with one id: the second is reported, pointing at the first."""
    text = BASE.format(extra_source="", extra_rule="", extra_notifier="").replace(
        'id = "bbc-hindi"', 'id = "bbc-world"'
    )
    path = write(tmp_path, text)
    issue = error_of(path).issues[0]
    assert issue.table == "sources[1]" and issue.field == "id"
    assert "duplicate source id" in issue.reason and "sources[0]" in issue.reason
    lines = path.read_text().splitlines()
    assert lines[issue.line - 1].strip() == 'id = "bbc-world"'
    assert issue.line > line_of(path, "feeds.bbci.co.uk/news/world")


def test_notify_to_unknown_notifier(tmp_path: Path) -> None:
    """A rule notifying a notifier that does not exist names it and the configured ones."""
    path = write(
        tmp_path,
        BASE.format(extra_source="", extra_rule="", extra_notifier="").replace(
            'notify = ["console"]', 'notify = ["console", "slack"]'
        ),
    )
    issue = error_of(path).issues[0]
    assert (issue.table, issue.id, issue.field) == ("rules[0]", "desk", "notify")
    assert issue.line == line_of(path, "notify =")
    assert 'no notifier named "slack"' in issue.reason and "console" in issue.reason


def test_rule_sources_filter_must_name_sources(tmp_path: Path) -> None:
    """A rule's ``sources`` filter naming an unknown source id is an error."""
    path = base(tmp_path, extra_rule='sources = ["bbc-world", "nope"]')
    issue = error_of(path).issues[0]
    assert (issue.id, issue.field) == ("desk", "sources")
    assert 'no source with id "nope"' in issue.reason


def test_toml_syntax_error_has_line(tmp_path: Path) -> None:
    """A TOML syntax error reports the file and the line tomllib found."""
    text = BASE.format(extra_source="", extra_rule="", extra_notifier="").replace(
        'interval = "5m"', 'interval = "5m'
    )
    path = write(tmp_path, text)
    error = error_of(path)
    issue = error.issues[0]
    assert issue.line == line_of(path, 'interval = "5m')
    assert "TOML syntax error" in str(error) and f"settings.toml:{issue.line}" in str(error)


def test_missing_secret_env_var_for_enabled_notifier(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An enabled plugin whose ``*_env`` variable is unset fails, naming the variable."""
    from monitor.notifiers import NOTIFIERS
    from monitor.notifiers.console import ConsoleNotifier, ConsoleOptions

    class TokenOptions(ConsoleOptions):
        token_env: str | None = None

    class TokenNotifier(ConsoleNotifier):
        Options = TokenOptions

    monkeypatch.setitem(NOTIFIERS, "token-console", TokenNotifier)
    extra = '\n[notifiers.desk]\ntype = "token-console"\ntoken_env = "BILAT_TEST_TOKEN"\n'
    path = base(tmp_path, extra_notifier=extra)
    monkeypatch.delenv("BILAT_TEST_TOKEN", raising=False)
    issue = error_of(path).issues[0]
    assert (issue.table, issue.field) == ("notifiers.desk", "token_env")
    assert "BILAT_TEST_TOKEN is not set" in issue.reason
    assert issue.line == line_of(path, "token_env")

    # Disabled: no error. Set: the value is kept as a SecretStr and never shown.
    path.write_text(
        path.read_text().replace(
            'type = "token-console"', 'type = "token-console"\nenabled = false'
        )
    )
    assert load_settings(path).secrets == {}
    monkeypatch.setenv("BILAT_TEST_TOKEN", "xoxb-very-secret-value")
    settings = load_settings(path)
    assert isinstance(settings.secrets["BILAT_TEST_TOKEN"], SecretStr)
    assert "very-secret" not in repr(settings)


def test_env_overrides_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BILAT_* variables (nested with __) override the file, deep-merged."""
    path = base(tmp_path)
    monkeypatch.setenv("BILAT_MONITOR__GRACE_S", "3")
    monkeypatch.setenv("BILAT_MONITOR__HTTP__TIMEOUT", "7s")
    monkeypatch.setenv("BILAT_NOTIFIERS__CONSOLE__ENABLED", "false")
    settings = load_settings(path)
    assert settings.monitor.grace_s == 3.0
    assert settings.monitor.http.timeout == 7.0
    assert settings.monitor.http.allow_private_networks is True  # file value kept
    assert settings.notifiers["console"].enabled is False
    assert settings.sources[0].interval == 300.0


def test_env_override_errors_name_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad value from the environment is reported as coming from that variable."""
    monkeypatch.setenv("BILAT_MONITOR__BACKFILL", "yesterday")
    issue = error_of(base(tmp_path)).issues[0]
    assert issue.origin == "environment variable BILAT_MONITOR__BACKFILL"
    assert issue.field == "backfill" and issue.line is None


def test_unknown_type_and_unknown_top_level_table(tmp_path: Path) -> None:
    """Unknown plugin types list the known ones; unknown top-level tables are errors."""
    text = BASE.format(extra_source="", extra_rule="", extra_notifier="")
    text = text.replace('type = "keyword"', 'type = "keywords"') + "\n[monitr]\nx = 1\n"
    path = write(tmp_path, text)
    error = error_of(path)
    reasons = {(i.table, i.field): i for i in error.issues}
    assert len(error.issues) == 2
    monitr = reasons[(None, "monitr")]
    assert "unknown key" in monitr.reason and monitr.line == line_of(path, "[monitr]")
    kind = reasons[("rules[0]", "type")]
    assert 'unknown type "keywords"' in kind.reason and "keyword" in kind.reason
    assert kind.line == line_of(path, 'type = "keywords"')
    assert "2 configuration errors" in str(error)


def test_state_url_checks(tmp_path: Path) -> None:
    """PostgreSQL URLs are taken as written; other schemes are errors."""
    text = BASE.format(extra_source="", extra_rule="", extra_notifier="")
    url = "postgresql://bilat@db:5432/bilat?search_path=bilat"
    path = write(tmp_path, text.replace("sqlite:///state/bilat.db", url))
    assert load_settings(path).state_url == url
    path = write(tmp_path, text.replace("sqlite:///state/bilat.db", "redis://x"))
    assert "unsupported state URL" in error_of(path).issues[0].reason


def test_private_networks_only_on_monitor(tmp_path: Path) -> None:
    """allow_private_networks belongs to [monitor]; setting it on [monitor.http] is an error."""
    text = BASE.format(extra_source="", extra_rule="", extra_notifier="")
    path = write(tmp_path, text + "\n[monitor.http]\nallow_private_networks = true\n")
    error = error_of(path)
    assert "set allow_private_networks on [monitor]" in str(error)


def test_keyword_rule_needs_a_condition(tmp_path: Path) -> None:
    """A keyword rule with only ``none`` terms is rejected with a reason; bad regex too."""
    text = BASE.format(extra_source="", extra_rule="", extra_notifier="")
    path = write(tmp_path, text.replace('any = ["Jaishankar", "जयशंकर"]', 'none = ["x"]'))
    assert "at least one of any, all or regex" in str(error_of(path))
    path = write(tmp_path, text.replace('any = ["Jaishankar", "जयशंकर"]', 'regex = "(unclosed"'))
    issue = error_of(path).issues[0]
    assert issue.field == "regex" and "invalid regular expression" in issue.reason


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is a ConfigError naming it."""
    with pytest.raises(ConfigError, match=r"nope\.toml: file not found"):
        load_settings(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "path", "line"),
    [
        ('[a]\nx = 1\n[[s]]\nid = "1"\n[[s]]\nid = "2"\nurl = "u"\n', ("s", 1, "url"), 7),
        ("[[s]]\nid = 1\n[s.sub]\nk = 2\n[[s]]\nid = 2\n", ("s", 0, "sub", "k"), 4),
        ('x = """\n[[s]]\nid = 3\n"""\n[[s]]\nid = 4\n', ("s", 0, "id"), 6),
        ('a = [\n  "x = 1",\n]\nb = 2 # c = 3\n', ("b",), 4),
        ('[m]\nhttp.timeout = 5\n"quoted key" = 1\n', ("m", "http", "timeout"), 2),
        ("[m]\nhttp = { timeout = 5 }\n", ("m", "http", "timeout"), 2),
    ],
)
def test_toml_locator(text: str, path: tuple[str | int, ...], line: int) -> None:
    """The locator finds keys in arrays of tables, sub-tables and dotted keys, and ignores
    look-alikes inside multi-line strings and arrays."""
    assert TomlLocator(text).line_of(path) == line
