"""pyproject.toml declares what the code imports, and nothing it does not; the lock pins it."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = frozenset({"monitor", "adapters", "rules", "tests", "bench"})
# Imported directly, but part of a declared dependency's own API (aiohttp returns yarl URLs
# and multidict headers, and takes an aiohappyeyeballs resolver hook): they come with it.
COMES_WITH = {"yarl": "aiohttp", "multidict": "aiohttp", "aiohappyeyeballs": "aiohttp"}
# Development tools that are run, not imported: the file that runs them and how.
TOOLS = {
    "ruff": ("Makefile", "$(BIN)/ruff check"),
    "mypy": ("Makefile", "$(BIN)/mypy"),
    "pytest-asyncio": ("pyproject.toml", 'asyncio_mode = "auto"'),
}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0].lower().replace("_", "-")


@cache
def _project() -> dict[str, object]:
    doc = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project: dict[str, object] = doc["project"]
    return project


def _imports(*folders: str) -> set[str]:
    """Top-level names of the third-party modules imported anywhere under ``folders``
    (imports inside functions included)."""
    found: set[str] = set()
    for folder in folders:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    found.update(alias.name.split(".")[0] for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    found.add(node.module.split(".")[0])
    return {m for m in found if m not in sys.stdlib_module_names and m not in OURS}


@cache
def _providers() -> dict[str, list[str]]:
    return dict(metadata.packages_distributions())


def _distribution(module: str) -> str:
    names = _providers().get(module, [])
    assert names, f"{module} is imported but no installed distribution provides it"
    return names[0].lower().replace("_", "-")


def _runtime() -> set[str]:
    deps = _project()["dependencies"]
    assert isinstance(deps, list)
    return {_name(d) for d in deps}


def _extras() -> dict[str, set[str]]:
    extras = _project()["optional-dependencies"]
    assert isinstance(extras, dict)
    return {key: {_name(d) for d in deps} for key, deps in extras.items()}


def test_every_runtime_dependency_is_imported_by_the_code() -> None:
    """No dependency is declared that monitor/, adapters/ or rules/ never import."""
    used = {_distribution(m) for m in _imports("monitor", "adapters", "rules")}
    assert _runtime() - used == set()


def test_everything_the_code_imports_is_declared() -> None:
    """Every third-party import of the package is a declared dependency (an optional extra
    counts), or comes with one that declares it itself."""
    declared = _runtime() | set().union(*_extras().values())
    for module in sorted(_imports("monitor", "adapters", "rules")):
        dist = _distribution(module)
        if module in COMES_WITH:
            owner = COMES_WITH[module]
            assert owner in declared
            assert dist in {_name(r) for r in metadata.requires(owner) or []}, (module, owner)
            continue
        assert dist in declared, f"{module} ({dist}) is imported but not in pyproject.toml"


def test_every_dev_dependency_is_imported_by_the_tests_or_run_as_a_tool() -> None:
    """The dev extra holds what tests and benchmarks import, plus tools the Makefile or the
    pytest configuration run."""
    used = {_distribution(m) for m in _imports("tests", "bench")}
    for name in sorted(_extras()["dev"]):
        if name in TOOLS:
            where, how = TOOLS[name]
            assert how in (ROOT / where).read_text(encoding="utf-8"), name
        else:
            assert name in used, f"{name} is in the dev extra but nothing imports it"
