"""``python -m bench [NAME ...] [--quick] [--no-write]``: run benchmarks, update BENCHMARKS.md."""

from __future__ import annotations

import argparse
import importlib
import platform
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from bench import BENCHES, Skipped

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "BENCHMARKS.md"
_SECTION = re.compile(
    r"^<!-- bench:(?P<name>[\w.]+) -->$.*?^<!-- /bench:(?P=name) -->$", re.S | re.M
)


def _header() -> str:
    return (
        "# Benchmarks\n\n"
        "Produced by `make bench` (`python -m bench`); each section is rewritten when its "
        "benchmark runs. Goals are ratios against a baseline measured in the same run; "
        "absolute figures depend on the machine.\n"
    )


def merge_section(text: str, name: str, block: str) -> str:
    """``text`` with bench ``name``'s section replaced by ``block``, or ``block`` appended."""
    if any(m["name"] == name for m in _SECTION.finditer(text)):
        return _SECTION.sub(lambda m: block if m["name"] == name else m[0], text)
    return text.rstrip() + "\n\n" + block + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default: all of {BENCHES})")
    parser.add_argument("--quick", action="store_true", help="smaller workloads, for a smoke run")
    parser.add_argument("--no-write", action="store_true", help="print only; leave BENCHMARKS.md")
    args = parser.parse_args(argv)
    names = args.names or BENCHES
    unknown = [n for n in names if n not in BENCHES]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    text = OUT.read_text(encoding="utf-8") if OUT.exists() else _header()
    machine = (
        f"{platform.machine()}, {platform.python_implementation()} {platform.python_version()}"
    )
    for name in names:
        print(f"== bench {name}", file=sys.stderr, flush=True)
        try:
            body = importlib.import_module(f"bench.{name}").run(quick=args.quick).rstrip()
        except Skipped as skipped:
            print(f"== bench {name} skipped: {skipped}", file=sys.stderr, flush=True)
            continue
        stamp = f"_Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine}._"
        block = f"<!-- bench:{name} -->\n{body}\n\n{stamp}\n<!-- /bench:{name} -->"
        print(block)
        text = merge_section(text, name, block)
    if not args.no_write:
        OUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
