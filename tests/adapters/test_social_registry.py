"""The social and press-page source types are registered under their type names."""

from __future__ import annotations

import inspect

import pytest

from adapters import ADAPTERS

MINIMAL: dict[str, dict[str, object]] = {
    "x": {"rss_url": "https://rsshub.example/twitter/user/examplemfa"},
    "mastodon": {"instance": "https://mastodon.example", "account": "mfa"},
    "mastodon_stream": {"instance": "https://mastodon.example", "stream": "hashtag", "tag": "g20"},
    "bluesky": {"actor": "mfa.example"},
    "bluesky_jetstream": {"actors": ["mfa.example"]},
    "telegram": {"channel": "examplemfa"},
    "html_list": {"url": "https://mfa.example/press", "item": "li"},
}
PUSH = {"mastodon_stream", "bluesky_jetstream"}


@pytest.mark.parametrize("type_name", sorted(MINIMAL))
def test_each_type_is_registered_and_builds_from_minimal_options(type_name: str) -> None:
    """ADAPTERS[name] has that type_name, validates minimal options, and builds a source
    with the right entry point (poll for polled sources, run for streams)."""
    cls = ADAPTERS[type_name]
    assert cls.type_name == type_name
    options = cls.Options.model_validate(
        {"id": f"s-{type_name}", "type": type_name, **MINIMAL[type_name]}
    )
    source = cls.from_options(options)
    assert source.id == f"s-{type_name}"
    entry = "run" if type_name in PUSH else "poll"
    assert inspect.iscoroutinefunction(getattr(source, entry))
    assert cls.min_interval >= (0 if type_name in PUSH else 60)
