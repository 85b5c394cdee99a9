"""Fixtures shared by the test modules, and the ``sandbox`` marker put on the tests that need one.

A test is marked ``sandbox`` when it, a fixture it uses, or a function of its module that either
calls (at any depth) names something that starts student code in the sandbox: a zygote, a grading,
the batch, Gradescope's ``run_autograder``, Landlock or the network filter, or the grader's command
line (``cli.main``, ``[..., "-m", "grader", ...]``).  ``make test-fast`` runs the others.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
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


# Names whose use means the sandbox runs: fixtures, classes and functions that start a zygote or confine a process.
SANDBOX_NAMES = frozenset({
    "shared_zygote", "Zygote", "Session", "grade", "grade_path", "run_batch", "run_autograder",
    "restrict_filesystem", "block_network",
})


def _grader_command(node: ast.AST) -> bool:
    """``[python, "-m", "grader", ...]`` (``grader`` or ``grader.gradescope``) or ``["make", ...]``: the grader's
    command line, or a make target, which builds the venv and grades."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return False
    words = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
    if words[:1] == ["make"]:
        return True
    return any(a == "-m" and isinstance(b, str) and b.split(".")[0] == "grader" for a, b in zip(words, words[1:]))


def _embedded_code(node: ast.AST) -> ast.AST | None:
    """A string (or f-string, its fields read as ``_``) that is a Python script run in a fresh interpreter."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        text = node.value
    elif isinstance(node, ast.JoinedStr):
        text = "".join(v.value if isinstance(v, ast.Constant) else "_" for v in node.values)
    else:
        return None
    if "\n" not in text:
        return None
    try:
        return ast.parse(textwrap.dedent(text))
    except SyntaxError:
        return None


def _uses(function: ast.AST) -> tuple[bool, set[str]]:
    """Whether ``function`` itself names the sandbox, and every name it uses (to follow into the module)."""
    names: set[str] = set()
    direct = False
    nodes = list(ast.walk(function))
    nodes += [inner for node in nodes if (code := _embedded_code(node)) is not None for inner in ast.walk(code)]
    for node in nodes:
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            direct |= node.attr == "main" and isinstance(node.value, ast.Name) and node.value.id == "cli"
        elif isinstance(node, ast.arg):
            names.add(node.arg)  # a fixture requested by a parameter
        direct |= _grader_command(node)
    return direct or bool(names & SANDBOX_NAMES), names


@functools.lru_cache(maxsize=None)
def sandbox_functions(source: str) -> frozenset[str]:
    """The functions of a module (at any depth: fixtures, helpers, tests, methods) and its constants that
    reach the sandbox."""
    graph: dict[str, set[str]] = {}
    reached: set[str] = set()
    tree = ast.parse(source)
    named = [(node.name, node) for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    named += [(target.id, node.value) for node in tree.body if isinstance(node, ast.Assign)
              for target in node.targets if isinstance(target, ast.Name)]  # a script kept in a constant
    for name, node in named:
        direct, names = _uses(node)
        graph.setdefault(name, set()).update(names)
        if direct:
            reached.add(name)
    changed = True
    while changed:
        changed = False
        for name, used in graph.items():
            if name not in reached and used & reached:
                reached.add(name)
                changed = True
    return frozenset(reached)


def needs_sandbox(item: pytest.Item) -> bool:
    if SANDBOX_NAMES & set(getattr(item, "fixturenames", ())):
        return True
    try:
        source = inspect.getsource(item.module)
    except (AttributeError, OSError, TypeError):
        return False
    reached = sandbox_functions(source)
    names = {getattr(item, "originalname", item.name), *getattr(item, "fixturenames", ())}
    return bool(names & reached)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if needs_sandbox(item):
            item.add_marker(pytest.mark.sandbox)
