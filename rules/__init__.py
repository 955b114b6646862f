"""Rule modules (pure: text in, matches out), registered here by ``type`` name.

Each module is imported when its type is first looked up (``rules.registry``): a config of
keyword rules never builds the bilateral detector's imports."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rules.registry import Registry

if TYPE_CHECKING:
    from rules.base import RuleType

# type name -> rule class. Adding a rule type = one module + one line here.
RULES: Registry[RuleType] = Registry(
    {
        "bilateral_meeting": "rules.bilateral.detector:BilateralMeetingRule",
        "keyword": "rules.keyword:KeywordRule",
    }
)
