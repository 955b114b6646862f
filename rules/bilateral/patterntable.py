"""The gazetteer's per-pattern data, stored compactly.

About 180,000 folded patterns (every name with its case forms in 30 languages) map to a few
tens of thousands of distinct record lists: the forms of one name share theirs. So a pattern
keeps only two small integers (``array``): the index of its records and of its plain entries
in tables of distinct values. The pattern strings are kept as UTF-8 blobs, compressed (zlib,
fastest level: 9 MB of names shrink to 1.4 MB, and a group's blob is read only when its
automaton is compiled, once per process; decompressing them all takes about 50 ms), which the
pickle carries and the automaton is compiled from; nothing looks a pattern up by its text (the
automaton itself answers that, ``Gazetteer._lookup``). The patterns are numbered group by
group, one blob per group, so that one group's automaton is compiled from its own blob
without walking the others (``rules.bilateral.automata``: a group per script).

``compacted`` copies the long-lived state once the build's garbage is gone: the build
allocates about 100 MiB of short-lived objects, and the few survivors scattered among them
would otherwise keep most of that memory in the process (CPython's allocator returns a 1 MiB
arena only when nothing in it is alive).
"""

from __future__ import annotations

import gc
import pickle
import zlib
from array import array
from collections.abc import Callable, Iterator, Mapping

from rules.bilateral.records import Entry

# One record per (pattern, entry): flags and, for case-checked entries, the surface form.
Rec = tuple[Entry, int, str]


class PatternTable:
    """Records and plain entries per pattern id, and the patterns themselves."""

    def __init__(
        self,
        table: Mapping[str, Rec | list[Rec]],
        group: Callable[[str], int] = lambda _: 0,
        groups: int = 1,
    ) -> None:
        """``table``: pattern -> its record, or its records when it has several. ``group``
        puts each pattern in one of ``groups`` groups; the ids run group by group, in
        ``table``'s order within a group."""
        if any("\0" in key for key in table):
            raise ValueError("a pattern holds the separator NUL")
        members: list[list[str]] = [[] for _ in range(groups)]
        for key in table:
            members[group(key)].append(key)
        rec_ids: dict[tuple[Rec, ...], int] = {}
        plain_ids: dict[tuple[Entry, ...] | None, int] = {None: 0}
        self.rec_of = array("i")
        self.plain_of = array("i")
        # first id of each group, and the end of the last: group g holds ids starts[g]:starts[g+1]
        self.starts = array("i", [0])
        self.blobs: list[bytes] = []
        for keys in members:
            for key in keys:
                value = table[key]
                recs = tuple(value) if isinstance(value, list) else (value,)
                self.rec_of.append(rec_ids.setdefault(recs, len(rec_ids)))
                self.plain_of.append(plain_ids.setdefault(plain_entries(recs), len(plain_ids)))
            self.starts.append(self.starts[-1] + len(keys))
            self.blobs.append(zlib.compress("\0".join(keys).encode(), 1))
        self.recs: list[tuple[Rec, ...]] = list(rec_ids)
        # entries of patterns with no flags at all: kept as soon as the word boundaries hold
        self.plain: list[tuple[Entry, ...] | None] = list(plain_ids)
        self.count = len(table)

    def patterns(self) -> list[str]:
        """The patterns in id order."""
        return list(self.iter_patterns())

    def iter_patterns(self) -> Iterator[str]:
        """The patterns in id order, one fresh string at a time: the automaton's compiler
        copies each, so no list of 200,000 strings (and of the UTF-8 copy it attaches to
        each string it reads) is held while it runs."""
        for g in range(len(self.blobs)):
            yield from self.group_patterns(g)

    def group_patterns(self, g: int) -> Iterator[str]:
        """Group ``g``'s patterns in id order (ids ``starts[g]`` on), read from its blob alone."""
        if self.starts[g] == self.starts[g + 1]:
            return  # an empty blob is no pattern, not one empty pattern
        blob, start = zlib.decompress(self.blobs[g]), 0
        while (end := blob.find(b"\0", start)) >= 0:
            yield blob[start:end].decode()
            start = end + 1
        yield blob[start:].decode()


def plain_entries(recs: tuple[Rec, ...]) -> tuple[Entry, ...] | None:
    """The entries of a pattern whose records carry no flags (``None`` if any does)."""
    if any(flags for _, flags, _ in recs):
        return None
    return tuple(r[0] for r in recs)


def compacted(state: dict[str, object]) -> dict[str, object]:
    """``state``'s values, moved to freshly allocated objects (see the module's note).

    ``state`` is emptied before the copy is made: once the originals and the build's garbage
    cycles are freed, the arenas they filled go back to the system and the copy is packed
    into few."""
    data = pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    state.clear()
    gc.collect()
    copy: dict[str, object] = pickle.loads(data)
    return copy
