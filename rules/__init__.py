"""Rule modules (pure: text in, matches out), registered here by ``type`` name."""

from __future__ import annotations

from rules.base import RuleType
from rules.bilateral import BilateralMeetingRule

# type name -> rule class. Adding a rule type = one module + one line here.
RULES: dict[str, RuleType] = {
    # mypy cannot match a class object against a Protocol with ClassVar members (RuleType)
    "bilateral_meeting": BilateralMeetingRule,  # type: ignore[dict-item]
}
