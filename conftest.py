"""Root pytest plugin: time every notebook nbval runs, print the slowest, enforce the budget.

With ``LABKIT_RECORD_RUNTIMES=curriculum/smoke-runtimes.json`` (``make runtimes``) it also
records each notebook's time into that file, which the phase pages show.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path

import pytest

# Each notebook must run in smoke mode within this many seconds on the 2-core CI machine.
BUDGET_S = float(os.environ.get("LABKIT_NOTEBOOK_BUDGET_S", "90"))
_seconds: defaultdict[str, float] = defaultdict(float)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add each nbval cell's setup, call and teardown time to its notebook's total."""
    path = report.nodeid.split("::", 1)[0]
    if path.endswith(".ipynb"):
        _seconds[path] += report.duration


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the ten slowest notebooks, marking any over the budget."""
    if not _seconds:
        return
    terminalreporter.section("slowest notebooks (smoke mode)")
    for path, seconds in sorted(_seconds.items(), key=lambda kv: -kv[1])[:10]:
        flag = f"  OVER the {BUDGET_S:.0f} s budget" if seconds > BUDGET_S else ""
        terminalreporter.write_line(f"{seconds:7.1f} s  {path}{flag}")
    if any(seconds > BUDGET_S for seconds in _seconds.values()):
        terminalreporter.write_line(
            "FAILED: a notebook is over its time budget (see above)", red=True
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when a notebook exceeds its time budget; record the times if asked."""
    if hasattr(session.config, "workerinput"):
        return  # xdist workers: the controller sees every report and does this once
    over = [path for path, seconds in _seconds.items() if seconds > BUDGET_S]
    if over and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    record = os.environ.get("LABKIT_RECORD_RUNTIMES")
    if record and _seconds:
        _record(Path(session.config.rootpath, record))


def _record(path: Path) -> None:
    """Merge this run's notebook times into ``path`` (rounded to the second, sorted)."""
    times: dict[str, int] = json.loads(path.read_text()) if path.exists() else {}
    times.update({notebook: round(seconds) for notebook, seconds in _seconds.items()})
    path.write_text(json.dumps(dict(sorted(times.items())), indent=1) + "\n")
