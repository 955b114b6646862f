"""What a process does before its first item: the detector's gazetteer loaded from the
on-disk cache, the rules warmed, the heap settled.

**The gazetteer cache.** Reading and inflecting the language data and compiling the
automatons takes seconds; a ``bilat scan`` of one line, a ``bilat check`` or a worker
process should not pay that each time. The first process to build the gazetteer pickles it
to the user's cache directory under a digest of the data and of the code that reads it
(``rules.bilateral.fingerprint``); later ones load it. A changed lexicon or a new release
changes the digest, so a stale cache is never read. Any failure to read or write the cache
(read-only home, a full disk, a file from another Python) falls back to building: the cache
can only make things faster. The officials roster (``cached_roster``) is kept the same way,
under the same digest. The directory is ``$BILAT_CACHE_DIR``, else
``$XDG_CACHE_HOME/bilat``, else ``~/.cache/bilat``; ``BILAT_CACHE_DIR=""`` turns it off.
Like ``__pycache__``, it trusts files in the user's own cache directory.

**The configuration.** ``tomllib`` is pure Python: a 5,000-source file takes ~75 ms to parse,
at every start of ``bilat once`` (a pass over unchanged feeds is ~2 s of CPU in all).
``cached_toml`` keeps the parsed tables in the same directory as ``marshal`` data under a
digest of the text, read back in ~2 ms. marshal builds values and runs no code (the format
of ``__pycache__``, trusted the same way), and holds every TOML value but dates and times: a
document with one is parsed every time. The parse depends on the text alone, so an edited
file is a new digest; any failure to read or write falls back to parsing.

**The heap.** At startup bilat builds data that lives as long as the process: the
configuration, every rule (the gazetteer alone is tens of thousands of objects), Babel's
locale data. CPython's collector walks all of it again in every full collection, and a poll
allocates enough short-lived objects to trigger collections often: in the polling benchmark
that was a sixth of the CPU of a conditional pass. ``settle_heap`` builds what rules build
lazily, moves everything alive into the permanent generation (``gc.freeze``) and lets more
young objects pile up before a collection. Nothing is leaked: only objects alive at startup
are frozen, and the collector still runs.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import marshal
import os
import pickle
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import structlog

from rules.base import Rule
from rules.bilateral import roster as roster_module
from rules.bilateral.fingerprint import data_fingerprint
from rules.bilateral.loaders import load_with
from rules.bilateral.roster import Roster, load_roster

if TYPE_CHECKING:
    from rules.bilateral.gazetteer import Gazetteer
    from rules.dates.lexicon import DateLexicon

log = structlog.get_logger(__name__)
T = TypeVar("T")


def cache_dir() -> Path | None:
    explicit = os.environ.get("BILAT_CACHE_DIR")
    if explicit is not None:
        return Path(explicit) if explicit.strip() else None
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg else Path.home() / ".cache"
    return base / "bilat"


_fingerprint = cache(data_fingerprint)  # the data cannot change under a running process


def _cached(kind: str, build: Callable[[], T], expected: type[T]) -> T:
    """``build()``, or its pickle from ``kind-<fingerprint>.pickle`` in the cache."""
    where = cache_dir()
    if where is None:
        return build()
    path = where / f"{kind}-{_fingerprint()}.pickle"
    loaded = _load(path)
    if isinstance(loaded, expected):
        return loaded
    built = build()
    _store(built, kind, where, path)
    return built


def _load(path: Path) -> object:
    """The pickle at ``path``, or None when there is none or it cannot be read."""
    try:
        with path.open("rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception as exc:  # a torn or foreign file: rebuild and replace it
        log.warning("detector.cache_unreadable", path=str(path), error=str(exc))
    return None


class CachedDateLexicons:
    """Each language's date vocabulary (``rules.dates.lexicon.build_language``) from one
    pickle in the cache, keyed by the data's digest and Babel's version (it is read from
    CLDR). A language built for the first time rewrites the file; two processes that race
    each keep their own and the loser's language is built again next time."""

    def __init__(self) -> None:
        self._known: dict[str, DateLexicon | None] | None = None

    def __call__(self, lang: str) -> DateLexicon | None:
        from rules.dates.lexicon import build_language

        where = cache_dir()
        if where is None:
            return build_language(lang)
        import babel

        kind = f"dates-{babel.__version__}"
        path = where / f"{kind}-{_fingerprint()}.pickle"
        if self._known is None:
            loaded = _load(path)
            self._known = loaded if isinstance(loaded, dict) else {}
        if lang not in self._known:
            self._known[lang] = build_language(lang)
            _store(dict(self._known), kind, where, path)
        return self._known[lang]


def cached_gazetteer() -> Gazetteer:
    from rules.bilateral.gazetteer import Gazetteer, build_gazetteer

    return _cached("gazetteer", build_gazetteer, Gazetteer)


def cached_roster() -> Roster:
    """The officials roster (eight TOML files, a tenth of a second to parse) from the cache:
    the headlines of events and the pages name officials' countries with it."""
    return _cached("roster", load_roster, Roster)


def _store(value: object, kind: str, where: Path, path: Path) -> None:
    try:
        where.mkdir(parents=True, exist_ok=True)
        for old in where.glob(f"{kind}-*.pickle"):
            old.unlink(missing_ok=True)  # earlier data versions: never read again
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{kind}-")
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)  # readers see the old file or the whole new one
    except OSError as exc:
        log.info("detector.cache_not_written", path=str(where), error=str(exc))


TOML_MIN_CHARS = 20_000  # below this, parsing costs less than looking for the file
TOML_KEEP = 8  # parsed documents kept (one per configuration text)


def cached_toml(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)`` (raising its ``TOMLDecodeError`` the same way), from the
    cache when this text was parsed before (module docstring)."""
    where = cache_dir()
    if where is None or len(text) < TOML_MIN_CHARS:
        return tomllib.loads(text)
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    path = where / f"toml-{sys.implementation.cache_tag}-{digest}.marshal"
    try:
        cached = marshal.loads(path.read_bytes())
        if isinstance(cached, dict):
            return cached
    except (OSError, ValueError, EOFError, TypeError):
        pass  # absent, torn or foreign: parse and replace it
    data = tomllib.loads(text)
    try:
        blob = marshal.dumps(data)
    except ValueError:  # a date or a time: not a marshal type
        return data
    try:
        where.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=where, prefix=".toml-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(blob)
        os.replace(tmp, path)  # readers see the old file or the whole new one
        _prune_toml(where)
    except OSError:
        pass
    return data


def _prune_toml(where: os.PathLike[str]) -> None:
    """Keep the ``TOML_KEEP`` most recently written documents: each edit of a file is a new one."""
    entries = []
    for entry in os.scandir(where):
        if entry.name.startswith("toml-") and entry.name.endswith(".marshal"):
            with contextlib.suppress(OSError):
                entries.append((entry.stat().st_mtime, entry.path))
    for _, old in sorted(entries, reverse=True)[TOML_KEEP:]:
        with contextlib.suppress(OSError):
            os.unlink(old)


def install() -> None:
    """Route the process's gazetteer, roster and date vocabularies through the cache (called
    once by the CLI)."""
    load_with(cached_gazetteer)  # without importing the detector into every command
    roster_module.load_with(cached_roster)
    from rules.dates import lexicon as dates_lexicon  # Babel: only where dates are read

    dates_lexicon.load_with(CachedDateLexicons())


YOUNG_THRESHOLD = 10_000  # CPython's default is 700 allocations


def settle_heap(rules: Iterable[Rule], *, collect: bool = True) -> None:
    """Warm ``rules``, then freeze the heap and raise the young-generation threshold.

    ``collect=False`` skips the full collection before the freeze (30 ms of every ``bilat
    once``, measured under load): a one-shot process keeps what garbage start-up left until
    it exits."""
    for rule in rules:
        rule.warm()
    if collect:
        gc.collect()
    gc.freeze()
    young, middle, old = gc.get_threshold()
    gc.set_threshold(max(YOUNG_THRESHOLD, young), middle, old)
    gc.enable()  # ``bilat once`` starts with it off (``monitor.cli.main``)
