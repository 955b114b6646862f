"""The bilateral-meeting detector: text in, meetings out (pure, no I/O).

Owns the gazetteer (country, organisation, official and role names in many languages, one
automaton), the officials roster, and the reading of sentences into meetings with a status.
May import ``rules.text``, ``rules.sentences``, ``rules.dates`` (shared language tools),
``rules.base`` and ``monitor.model``; never anything that does I/O.
"""

from __future__ import annotations

from rules.bilateral.detector import BilateralMeetingOptions, BilateralMeetingRule, detect

__all__ = ["BilateralMeetingOptions", "BilateralMeetingRule", "detect"]
