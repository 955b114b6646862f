"""A pytest plugin for `make faults`: after the run, one table row per fault case (a test
function; its parametrised variants counted together), its result, its time and what it
measured (``record_property("measured", ...)`` in the test), as Markdown for RELIABILITY.md."""

from __future__ import annotations

from typing import Any

import pytest

# test function -> [passed, failed, skipped, seconds, measurements]
_CASES: dict[str, list[Any]] = {}


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not (report.when == "call" or (report.when == "setup" and report.outcome != "passed")):
        return
    case = _CASES.setdefault(report.nodeid.split("[", 1)[0], [0, 0, 0, 0.0, []])
    case[("passed", "failed", "skipped").index(report.outcome)] += 1
    case[3] += report.duration
    for key, value in report.user_properties:
        if key == "measured" and value not in case[4]:
            case[4].append(value)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    write = terminalreporter.write_line
    write("")
    write("| case | passed / failed / skipped | time (s) | measured |")
    write("|---|---|---|---|")
    for name, (passed, failed, skipped, seconds, measured) in _CASES.items():
        path, _, test = name.partition("::")
        shown = f"`{path.removeprefix('tests/')}` {test.removeprefix('test_').replace('_', ' ')}"
        write(
            f"| {shown} | {passed} / {failed} / {skipped} | {seconds:.1f} | {'; '.join(measured)} |"
        )
