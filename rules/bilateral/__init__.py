"""The bilateral-meeting detector: text in, meetings out (pure, no I/O).

Owns the gazetteer (country, organisation, official and role names in many languages, one
automaton), the officials roster, and the reading of sentences into meetings with a status.
May import ``rules.text``, ``rules.sentences``, ``rules.dates`` (shared language tools),
``rules.base`` and ``monitor.model``; never anything that does I/O.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rules.bilateral.detector import BilateralMeetingOptions, BilateralMeetingRule, detect

__all__ = ["BilateralMeetingOptions", "BilateralMeetingRule", "detect"]


def __getattr__(name: str) -> Any:
    # The detector is imported on first use: the event layer reads the roster module of
    # this package without needing the detector (and its gazetteer imports) at start-up.
    if name in __all__:
        from rules.bilateral import detector

        return getattr(detector, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
