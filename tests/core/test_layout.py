"""The house's layout, read from the code: rooms, the one-way flow of imports, module sizes.

Imports are read with ``ast`` from every module of ``monitor``, ``adapters`` and ``rules``,
including imports inside functions and under ``TYPE_CHECKING`` (a cycle hidden in a function
is still a cycle a reader has to untangle).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("monitor", "adapters", "rules")
MAX_LINES = 400
MAX_TOP_LEVEL_MONITOR_MODULES = 20

# Libraries that do I/O (network, files as state, processes). Pure code never imports them.
IO_LIBRARIES = (
    "aiohttp",
    "aiosqlite",
    "asyncpg",
    "aiosmtplib",
    "apscheduler",
    "socket",
    "ssl",
    "smtplib",
    "sqlite3",
    "subprocess",
    "urllib.request",
    "http.client",
    "requests",
)
# Rooms of monitor/ that do I/O or run the daemon: pure code and adapters stay out of them.
DAEMON_ROOMS = (
    "monitor.daemon",
    "monitor.scheduler",
    "monitor.poller",
    "monitor.delivery",
    "monitor.pipeline",
    "monitor.store",
    "monitor.commands",
    "monitor.notifiers",
    "monitor.leases",
    "monitor.cli",
)


# Modules that are contracts (protocols, option models, outcomes) any layer may name.
CONTRACTS = ("monitor.contracts", "monitor.notifiers.base", "monitor.store.base")


@dataclass(frozen=True, slots=True)
class Import:
    importer: str
    target: str  # the dotted name as written (resolved when relative)
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path) -> Iterator[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(name, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield Import(name, f"{base}.{alias.name}", node.lineno)


@cache
def _all_imports() -> list[Import]:
    return [imp for name, path in _modules().items() for imp in _imports(name, path)]


def _project_target(target: str) -> str | None:
    """The project module an import names (``from pkg import name`` may name a module or an
    attribute of the package), or None for a third-party import."""
    modules = _modules()
    while target:
        if target in modules:
            return target
        target = target.rpartition(".")[0]
    return None


def _within(name: str, rooms: tuple[str, ...]) -> bool:
    return any(name == room or name.startswith(room + ".") for room in rooms)


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {name: set() for name in _modules()}
    for imp in _all_imports():
        target = _project_target(imp.target)
        if target and target != imp.importer:
            graph[imp.importer].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_reader_finds_imports_inside_functions() -> None:
    """The import reader sees function-level imports (so the other checks cannot pass by
    looking only at the top of each file)."""
    source = "def f():\n    from monitor.store.base import Store\n"
    tree = ast.parse(source)
    names = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert [n.module for n in names] == ["monitor.store.base"]
    pipeline = _modules()["monitor.pipeline.process"]
    assert any(imp.target.startswith("monitor.store") for imp in _imports("x", pipeline))


def test_no_import_cycles_between_project_modules() -> None:
    """No two project modules import each other, directly or through others, anywhere in
    their code (function-level imports included)."""
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    """The cycle check can fail: a made-up graph with a loop is reported."""
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("room", ["rules", "monitor.render", "monitor.events"])
def test_pure_rooms_never_import_io(room: str) -> None:
    """rules/, monitor/render/ and monitor/events/ are pure: no I/O library, and nothing
    of the daemon, the store, the network or the notifiers' senders."""
    offences = [
        f"{imp.importer}:{imp.line} imports {imp.target}"
        for imp in _all_imports()
        if _within(imp.importer, (room,))
        and (
            _within(imp.target, IO_LIBRARIES)
            or _within(_project_target(imp.target) or "", (*DAEMON_ROOMS, "monitor.net"))
        )
        # contracts (option models, protocols) are data, not I/O
        and (_project_target(imp.target) or "") not in CONTRACTS
    ]
    assert offences == []


def test_rules_know_only_the_model_of_the_daemon() -> None:
    """rules/ imports from monitor/ only the vocabulary (model, units, alert options)."""
    allowed = ("monitor.model", "monitor.units", "monitor.events.options")
    offences = [
        f"{imp.importer}:{imp.line} imports {imp.target}"
        for imp in _all_imports()
        if imp.importer.startswith("rules")
        and (target := _project_target(imp.target))
        and target.startswith("monitor")
        and not _within(target, allowed)
    ]
    assert offences == []


def test_adapters_never_import_the_daemon() -> None:
    """Sources plug into the daemon through contracts; they never import its machinery."""
    offences = [
        f"{imp.importer}:{imp.line} imports {imp.target}"
        for imp in _all_imports()
        if imp.importer.startswith("adapters")
        and _within(_project_target(imp.target) or "", DAEMON_ROOMS)
    ]
    assert offences == []


def test_lower_rooms_never_import_higher_ones() -> None:
    """The flow runs one way: commands -> daemon -> scheduler/poller/delivery/pipeline ->
    store, events, notifiers -> render -> model. Nothing imports upwards."""
    layers = [
        ("monitor.commands", "monitor.cli"),
        ("monitor.daemon",),
        ("monitor.scheduler",),
        ("monitor.poller", "monitor.delivery"),
        ("monitor.pipeline", "monitor.leases"),
        ("monitor.store", "monitor.notifiers", "monitor.net"),
        ("monitor.events",),
        ("monitor.render",),
    ]
    rank = {room: depth for depth, rooms in enumerate(layers) for room in rooms}

    def depth(module: str) -> int | None:
        if module in CONTRACTS:
            return None
        for room, d in rank.items():
            if _within(module, (room,)):
                return d
        return None

    offences = []
    for imp in _all_imports():
        source, target = depth(imp.importer), depth(_project_target(imp.target) or "")
        if source is not None and target is not None and target < source:
            offences.append(f"{imp.importer}:{imp.line} imports {imp.target}")
    assert offences == []


def test_every_package_says_what_it_owns() -> None:
    """Each package opens with a docstring (what it owns, what it may import)."""
    missing = [
        name
        for name, path in _modules().items()
        if path.name == "__init__.py" and not ast.get_docstring(ast.parse(path.read_text()))
    ]
    assert missing == []


def test_modules_stay_small() -> None:
    """No module is longer than 400 lines."""
    long = {
        name: n
        for name, path in _modules().items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def test_monitor_has_rooms_not_a_hall() -> None:
    """At most 20 modules sit directly in monitor/; the rest live in rooms."""
    top = sorted(p.name for p in (ROOT / "monitor").glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MONITOR_MODULES, top


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("the HTTP client's SSRF policy", "monitor/net/ssrf.py"),
        ("event clustering", "monitor/events/cluster.py"),
        ("the outbox worker", "monitor/delivery/worker.py"),
        ("Slack rendering", "monitor/render/slack.py"),
        ("the SQLite store", "monitor/store/sqlite.py"),
        ("the bilateral detector", "rules/bilateral/detector.py"),
        ("the one retry policy", "monitor/retry.py"),
    ],
)
def test_where_things_live(question: str, answer: str) -> None:
    """The README's map of the house points at files that exist."""
    assert (ROOT / answer).is_file(), question
    assert answer in (ROOT / "README.md").read_text(encoding="utf-8"), question
