"""Fixtures shared by the test modules, and the ``sandbox`` marker put on the tests that need one.

A test is marked ``sandbox`` when it, a fixture it uses, or a function of its module that either
calls (at any depth) names something that starts student code in the sandbox: a zygote, a grading,
the batch, Gradescope's ``run_autograder``, Landlock or the network filter, or the grader's command
line (``cli.main``, ``[..., "-m", "grader", ...]``, ``make``), also in a script it runs in a fresh
interpreter.  It is also ``slow`` when what it reaches is a whole process tree (the command line, a
batch, ``run_autograder``).  ``make test-fast`` runs the tests not marked ``sandbox``.
"""

from __future__ import annotations

import ast
import functools
import inspect
import shutil
import tempfile
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


@pytest.fixture(scope="module")
def folder() -> Iterator[Path]:
    """A folder for one module's submissions: the sandbox user must read them, and cannot enter
    pytest's tmp_path (a module may define its own)."""
    made = Path(tempfile.mkdtemp(prefix="lr2-tests-"))
    made.chmod(0o755)
    yield made
    shutil.rmtree(made, ignore_errors=True)


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
# ... and those that run a whole grader process tree (a batch, Gradescope's script): seconds each.
SLOW_NAMES = frozenset({"run_batch", "run_autograder"})
GRADING_TARGETS = frozenset({"grade", "batch", "gradescope", "selfcheck-pack"})


def _grader_command(node: ast.AST) -> bool:
    """``[python, "-m", "grader", ...]`` (``grader`` or ``grader.gradescope``) or ``["make", ..., "grade"]``: the
    grader's command line, or a make target that grades."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return False
    words = [e.value if isinstance(e, ast.Constant) else None for e in node.elts]
    if words[:1] == ["make"]:
        return bool(GRADING_TARGETS & set(words))
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


def _uses(function: ast.AST) -> tuple[set[str], set[str]]:
    """The markers ``function`` itself earns (``sandbox``, ``slow``), and every name it uses (to follow)."""
    names: set[str] = set()
    command = False
    nodes = list(ast.walk(function))
    nodes += [inner for node in nodes if (code := _embedded_code(node)) is not None for inner in ast.walk(code)]
    for node in nodes:
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
            command |= node.attr == "main" and isinstance(node.value, ast.Name) and node.value.id == "cli"
        elif isinstance(node, ast.arg):
            names.add(node.arg)  # a fixture requested by a parameter
        command |= _grader_command(node)
    markers = {"sandbox"} if command or names & SANDBOX_NAMES else set()
    if command or names & SLOW_NAMES:
        markers.add("slow")
    return markers, names


@functools.lru_cache(maxsize=None)
def marked_functions(source: str) -> dict[str, frozenset[str]]:
    """Marker -> the functions of a module (at any depth: fixtures, helpers, tests, methods) and its
    constants that reach what the marker stands for, directly or through each other."""
    graph: dict[str, set[str]] = {}
    reached: dict[str, set[str]] = {"sandbox": set(), "slow": set()}
    tree = ast.parse(source)
    named = [(node.name, node) for node in ast.walk(tree) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    named += [(target.id, node.value) for node in tree.body if isinstance(node, ast.Assign)
              for target in node.targets if isinstance(target, ast.Name)]  # a script kept in a constant
    for name, node in named:
        markers, names = _uses(node)
        graph.setdefault(name, set()).update(names)
        for marker in markers:
            reached[marker].add(name)
    for found in reached.values():
        changed = True
        while changed:
            before = len(found)
            found.update(name for name, used in graph.items() if used & found)
            changed = len(found) != before
    return {marker: frozenset(found) for marker, found in reached.items()}


def markers_for(item: pytest.Item) -> set[str]:
    fixtures = set(getattr(item, "fixturenames", ()))
    markers = {"sandbox"} if fixtures & SANDBOX_NAMES else set()
    try:
        source = inspect.getsource(item.module)
    except (AttributeError, OSError, TypeError):
        return markers
    names = {getattr(item, "originalname", item.name), *fixtures}
    return markers | {marker for marker, found in marked_functions(source).items() if names & found}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for marker in sorted(markers_for(item)):
            item.add_marker(getattr(pytest.mark, marker))
