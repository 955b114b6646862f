"""The event layer's view of the detector's officials roster (``roster_officials``)."""

from __future__ import annotations

from adapters.feed import FeedOptions
from monitor.events.cluster import official_resolver
from monitor.model import ReportRef
from monitor.pipeline.decide import EventDecide, roster_officials
from tests.events.factory import item


def test_handles_map_to_their_country() -> None:
    """Officials in office and office accounts map to their country; former officials'
    accounts do not confirm anything."""
    officials = roster_officials()
    handles = {h.casefold(): c for h, c in officials.handles.items()}
    assert handles["@drsjaishankar"] == "IN"
    assert handles["@rajnathsingh"] == "IN"
    assert handles["@pmoindia"] == "IN"
    assert handles["@mfa_russia"] == "RU"
    assert "@joebiden" not in handles  # left office in January 2025


def test_country_of_a_canonical_name() -> None:
    """A canonical name resolves to the country of that person's latest office."""
    country_of = roster_officials().country_of
    assert country_of is not None
    assert country_of("Wang Yi") == "CN"
    assert country_of("Dong Jun") == "CN"
    assert country_of("Mark Rutte") == "NATO"  # the Dutch PM's latest office
    assert country_of("Nobody Atall") is None


def test_an_officials_post_confirms_only_their_countrys_meetings() -> None:
    """@DrSJaishankar's post confirms an IN–CN meeting, not a CN–RU one; a source marked
    official confirms under its label."""
    officials = roster_officials(
        [FeedOptions(id="mea", type="feed", url="https://x.org/f", label="MEA")]
    )
    resolve = official_resolver(officials.handles, officials.source_labels)
    post = ReportRef.of(
        item("p1", "x", text="Good meeting with FM Wang Yi.", handle="@DrSJaishankar")
    )
    assert resolve(post, ("CN", "IN")) == "@DrSJaishankar"
    assert resolve(post, ("CN", "RU")) is None
    release = ReportRef.of(item("r1", "mea", text="EAM met FM Wang Yi.", official=True))
    assert resolve(release, ("CN", "IN")) == "MEA"


def test_event_decide_from_settings_uses_the_roster(tmp_path: object) -> None:
    """The daemon's decide gets the roster (not an empty hook) and the sources' labels."""
    from monitor.settings import load_settings

    path = tmp_path / "settings.toml"  # type: ignore[operator]
    path.write_text(
        "[[sources]]\nid = 'mea'\ntype = 'feed'\nurl = 'https://mea.gov.in/rss'\n"
        "official = true\nlabel = 'MEA'\n\n"
        "[[rules]]\nid = 'bilats'\ntype = 'bilateral_meeting'\nnotify = ['console']\n\n"
        "[notifiers.console]\ntype = 'console'\n",
        encoding="utf-8",
    )
    decide = EventDecide.from_settings(load_settings(path))
    post = ReportRef.of(item("p1", "x", text="Met FM Wang Yi.", handle="@DrSJaishankar"))
    assert decide.policy.official(post, ("CN", "IN")) == "@DrSJaishankar"
    release = ReportRef.of(item("r1", "mea", text="EAM met FM Wang Yi.", official=True))
    assert decide.policy.official(release, ("CN", "IN")) == "MEA"
    assert decide.policy.official_country is not None
    assert decide.policy.official_country("S. Jaishankar") == "IN"
