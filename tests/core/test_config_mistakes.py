"""Mistakes that used to load and then silently alert on nothing are configuration errors
with "did you mean": country and organisation codes, language codes, officials, silence
pairs, notifier and source references, and BILAT_ variables that override nothing."""

from __future__ import annotations

from typing import Any

import pytest

from monitor.config_errors import ConfigError
from monitor.settings import load_settings
from tests.conftest import WriteConfig, run_cli

FEED = {"id": "news", "type": "feed", "url": "https://feeds.invalid/news.xml"}


def _doc(rule: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    base = {"id": "desk", "type": "bilateral_meeting", "countries": ["IN", "CN"]}
    doc: dict[str, Any] = {"sources": [dict(FEED)], "rules": [{**base, **(rule or {})}]}
    doc.update(extra)
    return doc


def _error(write_config: WriteConfig, doc: dict[str, Any]) -> str:
    with pytest.raises(ConfigError) as err:
        load_settings(write_config(doc))
    return str(err.value)


@pytest.mark.parametrize(
    ("rule", "field", "says"),
    [
        ({"countries": ["India"]}, "countries", '"India" (did you mean "IN"?)'),
        ({"countries": ["IN", "Chine"]}, "countries", '"Chine" (did you mean "CN"?)'),
        ({"any_countries": ["XX"]}, "any_countries", 'unknown country or organisation code "XX"'),
        ({"officials": ["Jaishanker"]}, "officials", '(did you mean "S. Jaishankar"?)'),
        (
            {"languages": ["hindi"]},
            "languages",
            'unknown language code "hindi" (did you mean "hi"?)',
        ),
    ],
)
def test_rule_values_the_detector_never_emits_are_errors(
    write_config: WriteConfig, rule: dict[str, Any], field: str, says: str
) -> None:
    """A bilateral rule naming a country, official or language by a name the detector never
    emits is refused, located, with the code it probably meant."""
    message = _error(write_config, _doc(rule))
    assert f'rules[0] (id "desk"), field "{field}"' in message
    assert says in message


def test_good_codes_any_case_and_organisations_load(write_config: WriteConfig) -> None:
    """Codes in any case, organisation codes, roster names in any case, language tags load."""
    rule = {
        "countries": ["in"],
        "any_countries": ["EU", "AUC", "cn"],
        "officials": ["s. jaishankar", "Wang Yi"],
        "languages": ["hi", "en-GB", "zh-Hant"],
    }
    settings = load_settings(write_config(_doc(rule)))
    assert settings.rules[0].languages == ["hi", "en-GB", "zh-Hant"]


def test_a_source_language_is_checked(write_config: WriteConfig) -> None:
    """A source's lang override must be a language code."""
    doc = _doc()
    doc["sources"][0]["lang"] = "Urdu"
    message = _error(write_config, doc)
    assert 'sources[0] (id "news"), field "lang"' in message
    assert '(did you mean "ur"?)' in message


@pytest.mark.parametrize(
    ("silence", "says"),
    [
        ({"pair": "IN-XX"}, 'unknown country or organisation code "XX"'),
        ({"party": "India"}, '"India" (did you mean "IN"?)'),
        ({"party": "ZZ"}, 'unknown country or organisation code "ZZ"'),
        ({"official": "Jaishanker"}, '(did you mean "S. Jaishankar"?)'),
        ({"rule": "dsek"}, 'no rule "dsek" (did you mean "desk"?)'),
        ({"party": "IN", "notifier": "consol"}, 'no notifier "consol" (did you mean "console"?)'),
    ],
)
def test_silences_that_would_silence_nothing_are_errors(
    write_config: WriteConfig, silence: dict[str, Any], says: str
) -> None:
    """A silence on a code, official, rule or notifier that does not exist is refused."""
    message = _error(write_config, _doc(silences=[silence]))
    assert "silences[0]" in message
    assert says in message


def test_a_misspelt_notifier_name_suggests_the_configured_one(write_config: WriteConfig) -> None:
    """notify = ["consol"] names the notifier it probably meant."""
    message = _error(write_config, _doc({"notify": ["consol"]}))
    assert 'no notifier named "consol" (did you mean "console"?)' in message


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("BILAT_MONITR__LOG_LEVEL", "(did you mean BILAT_MONITOR__…?)"),
        ("BILAT_NOTIFIER__CONSOLE__ENABLED", "(did you mean BILAT_NOTIFIERS__…?)"),
        ("BILAT_SOURCE", "(did you mean BILAT_SOURCES?)"),
        ("BILAT_PROXY__URL", "overrides nothing"),
    ],
)
def test_a_bilat_variable_that_overrides_nothing_is_an_error(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch, name: str, says: str
) -> None:
    """An unknown BILAT_ variable is an error like an unknown key, named with its fix."""
    monkeypatch.setenv(name, "debug")
    message = _error(write_config, _doc())
    assert f"environment variable {name}" in message
    assert says in message


def test_secret_variables_are_not_overrides(
    write_config: WriteConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A BILAT_ variable a *_env option names, or a plain one without "__", is left alone."""
    monkeypatch.setenv("BILAT_HOOK_URL", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("BILAT_SOME_TOKEN", "x")
    doc = _doc(
        {"notify": ["hook"]}, notifiers={"hook": {"type": "webhook", "url_env": "BILAT_HOOK_URL"}}
    )
    assert load_settings(write_config(doc)).notifiers["hook"].enabled


async def test_check_reports_the_mistakes_of_the_issue_with_exit_2(
    write_config: WriteConfig,
) -> None:
    """`bilat check` on the issue's file: every mistake listed, exit 2."""
    doc = _doc(
        {"countries": ["India"], "officials": ["Jaishanker"], "languages": ["hindi"]},
        silences=[{"pair": "IN-XX"}],
    )
    result = await run_cli(
        "check", "-c", str(write_config(doc)), env={"BILAT_MONITR__LOG_LEVEL": "x"}
    )
    assert result.returncode == 2
    for says in ('"IN"?', '"S. Jaishankar"?', '"hi"?', '"XX"', "BILAT_MONITR__LOG_LEVEL"):
        assert says in result.stderr, result.stderr


def test_operator_notify_and_expect_every_are_checked(write_config: WriteConfig) -> None:
    """``operator_notify`` must name a configured notifier (with "did you mean"), and
    ``expect_every`` must be a positive duration; good values load."""
    notifiers = {"ops-slack": {"type": "console"}}
    message = _error(
        write_config,
        _doc(monitor={"operator_notify": "ops-slak"}, notifiers=notifiers),
    )
    assert 'field "operator_notify"' in message
    assert 'no notifier named "ops-slak" (did you mean "ops-slack"?)' in message
    bad = {**FEED, "expect_every": "soon"}
    message = _error(write_config, {"sources": [bad], "notifiers": notifiers})
    assert 'sources[0] (id "news"), field "expect_every": not a duration' in message
    zero = {**FEED, "expect_every": 0}
    assert 'field "expect_every"' in _error(write_config, {"sources": [zero]})
    good = {**FEED, "expect_every": "6h"}
    doc = {"sources": [good], "notifiers": notifiers, "monitor": {"operator_notify": "ops-slack"}}
    settings = load_settings(write_config(doc))
    assert settings.monitor.operator_notify == "ops-slack"
    assert settings.sources[0].expect_every == 6 * 3600


def test_one_bad_notifier_field_is_one_error(write_config: WriteConfig) -> None:
    """A notifier with one bad field is one error: the rule, the silence and
    ``operator_notify`` naming it are not reported as naming no notifier."""
    doc = _doc(
        {"notify": ["hook"]},
        notifiers={
            "hook": {"type": "webhook", "url": "https://hooks.invalid/x", "timeout": "soon"}
        },
        silences=[{"notifier": "hook", "source": "news"}],
        monitor={"operator_notify": "hook"},
    )
    with pytest.raises(ConfigError) as err:
        load_settings(write_config(doc))
    assert len(err.value.issues) == 1, str(err.value)
    assert 'notifiers.hook, field "timeout": not a duration' in str(err.value)
    typo = _doc({"notify": ["hok"]}, notifiers=doc["notifiers"])
    assert 'no notifier named "hok"' in _error(write_config, typo)  # a real miss still is
