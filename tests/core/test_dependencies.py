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


# Imported only by a Makefile target that installs them itself (``make train`` fits the status
# model with scikit-learn; the detector reads the weights without it): module -> what the
# target installs.
TARGET_ONLY = {"sklearn": "scikit-learn", "scipy": "scikit-learn"}


def test_target_only_imports_are_installed_by_their_target() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    train = makefile.split("\ntrain:", 1)[1].split("\n\n", 1)[0]
    for module, dist in TARGET_ONLY.items():
        assert f"install --quiet '{dist}" in train, module
        assert module not in _imports("monitor", "adapters", "rules"), module


def test_every_dev_dependency_is_imported_by_the_tests_or_run_as_a_tool() -> None:
    """The dev extra holds what tests and benchmarks import, plus tools the Makefile or the
    pytest configuration run."""
    used = {_distribution(m) for m in _imports("tests", "bench") if m not in TARGET_ONLY}
    for name in sorted(_extras()["dev"]):
        if name in TOOLS:
            where, how = TOOLS[name]
            assert how in (ROOT / where).read_text(encoding="utf-8"), name
        else:
            assert name in used, f"{name} is in the dev extra but nothing imports it"


def _locked() -> dict[str, list[tuple[str, str]]]:
    """requirements.lock as {name: [(version, marker)]}, checking every pin has hashes."""
    pins: dict[str, list[tuple[str, str]]] = {}
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"([A-Za-z0-9._-]+)==([^\s;]+)\s*(?:;\s*([^\\]+?))?\s*\\$", line)
        if m is None:
            assert not re.match(r"[A-Za-z0-9]", line), f"unpinned or unhashed: {line!r}"
            continue
        assert lines[i + 1].strip().startswith("--hash=sha256:"), f"no hash for {line!r}"
        name = m[1].lower().replace("_", "-")
        pins.setdefault(name, []).append((m[2], m[3] or ""))
    return pins


def test_the_lock_pins_every_declared_dependency_inside_its_range() -> None:
    """requirements.lock (``make lock``) pins each dependency of pyproject.toml, runtime,
    dev and postgres, to versions its range allows, each with hashes: a lock not refreshed
    after pyproject changed fails here."""
    from packaging.requirements import Requirement

    pins = _locked()
    runtime, extras = _project()["dependencies"], _project()["optional-dependencies"]
    assert isinstance(runtime, list) and isinstance(extras, dict)
    requirements = [*runtime, *extras["dev"], *extras["postgres"]]
    for text in requirements:
        req = Requirement(text)
        name = req.name.lower().replace("_", "-")
        assert name in pins, f"{name} is declared but not in requirements.lock: run make lock"
        for version, _ in pins[name]:
            assert req.specifier.contains(version, prereleases=True), (name, version)
