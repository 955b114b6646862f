"""Source adapters: one module per kind of source, registered here by ``type`` name."""

from __future__ import annotations

from adapters.base import SourceType
from adapters.feed import FeedSource

# type name -> source class. Adding a source type = one module + one line here.
ADAPTERS: dict[str, type[SourceType]] = {"feed": FeedSource}
