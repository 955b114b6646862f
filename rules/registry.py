"""A plugin registry that imports a plugin's module when its type is first looked up.

``ADAPTERS``, ``RULES`` and ``NOTIFIERS`` stay explicit dicts of type name -> class, written
as ``"module:Class"``: a config that uses feeds, a keyword rule and the console does not pay
for importing the bilateral detector, the press-page date finder, the social adapters or the
e-mail templates (together most of a start-up's imports). Iterating over the values imports
them all. ``registry[name] = cls`` registers a class directly (tests do that).

It lives in ``rules/`` because rules may import nothing of the daemon, while adapters and
notifiers may import from rules; it imports nothing itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any, TypeVar

T = TypeVar("T")


class Registry(MutableMapping[str, T]):
    """type name -> plugin class, each imported on first lookup."""

    def __init__(self, paths: Mapping[str, str]) -> None:
        self._paths = dict(paths)  # name -> "package.module:Class"
        self._loaded: dict[str, T] = {}

    def __getitem__(self, name: str) -> T:
        loaded = self._loaded.get(name)
        if loaded is not None:
            return loaded
        module, _, attr = self._paths[name].partition(":")
        value: T = getattr(importlib.import_module(module), attr)
        self._loaded[name] = value
        return value

    def __setitem__(self, name: str, value: T) -> None:
        self._paths[name] = f"{getattr(value, '__module__', '?')}:{name}"
        self._loaded[name] = value

    def __delitem__(self, name: str) -> None:
        del self._paths[name]
        self._loaded.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)

    def __contains__(self, name: Any) -> bool:
        return name in self._paths

    def __repr__(self) -> str:
        return f"Registry({sorted(self._paths)})"
