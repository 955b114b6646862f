"""Where the process's gazetteer comes from when it is not built from the data
(``gazetteer.load_with``). Kept apart so the edge (``monitor.warmup``) can route it through its
cache at start-up without importing the gazetteer's modules, which a configuration without a
bilateral rule never needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

LOADERS: dict[str, Callable[[], Any]] = {}
