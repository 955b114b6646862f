"""Headlines a person can scan: "IN–CN: S. Jaishankar met Wang Yi in Astana" for a new
alert, "IN–CN: now held, +12 reports, confirmed by MEA and by @DrSJaishankar" for an
update. PURE."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.events.record import EventRecord, OfficialCountry
from monitor.events.threads import Announced


def pair_label(parties: Sequence[str], countries: Sequence[str] = ()) -> str:
    """ "IN–CN": the rule's own countries first, then the rest in code order."""
    first = [c for c in countries if c in parties]
    return "–".join([*dict.fromkeys(first), *sorted(p for p in parties if p not in first)])


def _sides(
    officials: Sequence[str], parties: Sequence[str], official_country: OfficialCountry | None
) -> tuple[list[str], list[str]]:
    if not officials:
        return [], []
    if official_country is not None and parties:
        home = [o for o in officials if official_country(o) == parties[0]]
        away = [o for o in officials if o not in home]
        if home and away:
            return home, away
    return [officials[0]], list(officials[1:])


def _names(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def headline(
    event: EventRecord,
    countries: Sequence[str] = (),
    official_country: OfficialCountry | None = None,
) -> str:
    """ "IN–CN: S. Jaishankar met Wang Yi in Astana" — who, what, where, at a glance."""
    if event.family == "item":
        report = event.reports[0]
        return report.match.summary or report.ref.title or "match"
    label = pair_label(event.parties, countries)
    ordered = [p for p in label.split("–")]
    home, away = _sides(event.officials, ordered, official_country)
    verb = {"held": "met", "scheduled": "to meet", "call": "spoke with"}
    if home and away and event.status in verb:
        body = f"{_names(home)} {verb[event.status]} {_names(away)}"
    elif home and away:
        body = f"{_names(home)}–{_names(away)} meeting {event.status}"
    elif home:
        noun = "call" if event.status == "call" else "meeting"
        body = f"{noun} with {home[0]} {event.status}"
    else:
        body = f"{'call' if event.status == 'call' else 'meeting'} {event.status}"
    if event.place:
        body += f" in {event.place}"
    return f"{label}: {body}"


def by_labels(labels: Sequence[str]) -> str:
    return " and ".join(f"by {label}" for label in labels)


def update_text(announced: Announced, event: EventRecord, countries: Sequence[str] = ()) -> str:
    """ "IN–CN: now held, +12 reports, confirmed by MEA and by @DrSJaishankar"."""
    parts: list[str] = []
    if event.status != announced.status:
        parts.append({"held": "now held", "cancelled": "cancelled"}.get(event.status, event.status))
    added = event.report_count - announced.report_count
    if added > 0:
        parts.append(f"+{added} report{'s' if added != 1 else ''}")
    known = {o.casefold() for o in announced.officials}
    new_officials = [o for o in event.officials if o.casefold() not in known]
    if new_officials:
        parts.append(f"with {_names(new_officials)}")
    if event.place and event.place != announced.place:
        parts.append(f"in {event.place}")
    confirmed = {c.casefold() for c in announced.confirmed_by}
    new_confirmers = [c for c in event.confirmed_by if c.casefold() not in confirmed]
    if new_confirmers:
        parts.append(f"confirmed {by_labels(new_confirmers)}")
    label = pair_label(event.parties, countries) if event.parties else event.key
    return f"{label}: {', '.join(parts) or 'no change'}"
