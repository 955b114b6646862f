"""What every source type shares: its options model and the registry contract.

A source type is a class with ``type_name``, an ``Options`` pydantic model (subclass of
``SourceOptions``, unknown keys forbidden) and ``from_options(options)``. Polled sources
implement ``monitor.contracts.PolledSource``; streams implement ``PushSource``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import ClassVar, Protocol

from pydantic import BaseModel, ConfigDict, Field, field_validator

from monitor.contracts import PolledSource, PushSource
from monitor.model import Item
from monitor.units import Seconds
from rules.vocabulary import check_language, check_party


class SourceOptions(BaseModel):
    """Keys every ``[[sources]]`` table accepts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$", max_length=100)
    type: str
    interval: Seconds = 600.0  # how often to poll; the server may ask for longer
    enabled: bool = True
    official: bool = False  # a ministry's feed or an official's own account
    lang: str | None = None  # override when the source does not say its language
    label: str | None = None  # how alerts name an official source ("confirmed by MEA")
    # the publisher's country, for unqualified officials ("the foreign minister") in its
    # items, instead of the language's usual country (many Urdu outlets are Indian)
    country: str | None = None
    # a silent-source alarm after this long without anything new (monitor/watch/silence.py);
    # unset: the source's own history decides
    expect_every: Seconds | None = Field(default=None, gt=0)

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        reason = check_party(value) if value is not None else None
        if reason:
            raise ValueError(reason)
        return value

    @field_validator("lang")
    @classmethod
    def _known_language(cls, value: str | None) -> str | None:
        reason = check_language(value) if value is not None else None
        if reason:
            raise ValueError(reason)
        return value


class SourceType(Protocol):
    type_name: ClassVar[str]
    Options: ClassVar[type[SourceOptions]]
    min_interval: ClassVar[float]  # never poll faster than this (platform etiquette)

    @classmethod
    def from_options(cls, options: SourceOptions) -> PolledSource | PushSource: ...


def with_country(items: Sequence[Item], country: str | None) -> list[Item]:
    """The source's ``country`` on each item that does not carry one of its own (the poller,
    the push streams and the feed job in the worker process all stamp items this one way)."""
    if country is None:
        return list(items)
    return [i if i.country else dataclasses.replace(i, country=country) for i in items]
