"""Where the process's gazetteer comes from when it is not built from the data. Kept apart
so the edge (``monitor.warmup``) can route it through its cache at start-up without
importing the gazetteer's modules, which a configuration without a bilateral rule never
needs."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

_loader: list[Callable[[], Any]] = []  # the one loader set, if any


def load_with(loader: Callable[[], Any]) -> None:
    """Have ``gazetteer()`` obtain its instance from ``loader`` (a cache at the edge); a
    gazetteer already obtained is dropped."""
    _loader[:] = [loader]
    built = sys.modules.get("rules.bilateral.gazetteer")
    if built is not None:
        built.gazetteer.cache_clear()


def loader_or(default: Callable[[], Any]) -> Callable[[], Any]:
    return _loader[0] if _loader else default
