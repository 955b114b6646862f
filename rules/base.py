"""What every rule type shares: options, the registry contract, and the common filters.

Rules are pure: an Item in, Matches out, no I/O, no clock (the item carries its times).
A rule type is a class with ``type_name``, an ``Options`` model (subclass of ``RuleOptions``,
unknown keys forbidden) and ``evaluate(item) -> list[Match]``.
"""

from __future__ import annotations

from typing import ClassVar, Protocol

from pydantic import ConfigDict, Field, field_validator

from monitor.events.options import RealertOptions
from monitor.model import Item, Match
from rules.vocabulary import check_all, check_language


class RuleOptions(RealertOptions):
    """Keys every ``[[rules]]`` table accepts (``realert`` comes from ``RealertOptions``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$", max_length=100)
    type: str
    notify: list[str] = Field(default_factory=list)
    languages: list[str] = Field(default_factory=list)  # only items in these languages
    sources: list[str] = Field(default_factory=list)  # only items from these source ids
    enabled: bool = True

    @field_validator("languages")
    @classmethod
    def _known_languages(cls, value: list[str]) -> list[str]:
        return check_all(value, check_language)

    def accepts(self, item: Item) -> bool:
        """The common source/language filters, applied before a rule looks at the text."""
        if self.sources and item.source_id not in self.sources:
            return False
        if self.languages:
            lang = (item.lang or "").lower().split("-")[0]
            if lang not in {code.lower().split("-")[0] for code in self.languages}:
                return False
        return True


class Rule(Protocol):
    type_name: ClassVar[str]
    Options: ClassVar[type[RuleOptions]]
    options: RuleOptions

    def warm(self) -> None:
        """Build now whatever the rule would otherwise build on its first item (the daemon
        calls this at startup)."""
        ...

    def evaluate(self, item: Item) -> list[Match]: ...


class RuleType(Protocol):
    # Plain members, not ClassVar: mypy never matches a ClassVar protocol member with a
    # class object, and the registry holds classes.
    type_name: str
    Options: type[RuleOptions]

    def __call__(self, options: RuleOptions) -> Rule: ...
