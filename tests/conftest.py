"""Fixtures shared by the test modules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.rubric import Rubric, load_rubric
from grader.sandbox.zygote import Zygote

PROJECT_ROOT = Path(__file__).resolve().parents[1]
GRADING_TIMES = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def logreg2_rubric() -> Rubric:
    """The shipped logreg2 rubric, loaded once."""
    return load_rubric("logreg2")


@pytest.fixture(scope="session")
def shared_zygote() -> Iterator[Zygote]:
    """One zygote for the whole run: forking a session from it costs milliseconds."""
    zygote = Zygote()
    zygote.start()
    yield zygote
    zygote.close()


@pytest.fixture(scope="session")
def grading_times(pytestconfig: pytest.Config) -> dict[str, float]:
    """Seconds per grading, by name; printed at the end of the run (slowest first)."""
    return pytestconfig.stash.setdefault(GRADING_TIMES, {})


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    times = config.stash.get(GRADING_TIMES, {})
    if times:
        terminalreporter.section("grading time (s)")
        for name, seconds in sorted(times.items(), key=lambda kv: -kv[1]):
            terminalreporter.write_line(f"{seconds:7.2f}  {name}")
