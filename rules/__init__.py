"""Rule modules (pure: text in, matches out), registered here by ``type`` name."""

from __future__ import annotations

from rules.base import RuleType
from rules.bilateral.detector import BilateralMeetingRule
from rules.keyword import KeywordRule

# type name -> rule class. Adding a rule type = one module + one line here.
RULES: dict[str, RuleType] = {
    "bilateral_meeting": BilateralMeetingRule,
    "keyword": KeywordRule,
}
