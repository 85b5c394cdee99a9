"""Packaging: the locks follow pyproject.toml, Gradescope gets the runtime alone, the checkout is
installed rather than put on the path by hand, and the ``sandbox`` marker finds the tests that need one.

The runtime lock of the running Python (3.10 has its own) must be exactly the closure of
``[project].dependencies`` (read from the installed distributions' metadata, markers evaluated for
the running Python), so nothing a test needs reaches the Gradescope image and nothing grading needs
is missing from it.
"""

from __future__ import annotations

import ast
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.requirements import Requirement

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: the same parser, as pytest's own dependency
    import tomli as tomllib

from conftest import marked_functions

ROOT = Path(__file__).resolve().parents[1]
RUNTIME_LOCK = ROOT / "requirements.lock"
RUNTIME_LOCK_310 = ROOT / "gradescope" / "requirements-py310.lock"
DEV_LOCK = ROOT / "requirements-dev.lock"
DEV_LOCK_310 = ROOT / "requirements-dev-py310.lock"
TEST_ONLY = {"pytest", "hypothesis", "ipykernel", "debugpy", "psutil", "nbclient", "iniconfig", "pluggy", "ruff", "uv"}
RUNNING_LOCK = RUNTIME_LOCK_310 if sys.version_info < (3, 11) else RUNTIME_LOCK
CHILD = ROOT / "grader" / "sandbox" / "child"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            found[canonical(name)] = version.strip()
    return found


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def closure(requirements: list[str]) -> set[str]:
    """Every distribution the requirements pull in on this Python, from the installed metadata."""
    seen: set[str] = set()
    todo = [Requirement(r) for r in requirements]
    while todo:
        requirement = todo.pop()
        name = canonical(requirement.name)
        if name in seen or (requirement.marker is not None and not requirement.marker.evaluate({"extra": ""})):
            continue
        seen.add(name)
        todo += [Requirement(r) for r in importlib.metadata.requires(name) or ()]
    return seen


def providers() -> dict[str, set[str]]:
    """Top-level module -> the distributions that install it.  Python 3.10's ``packages_distributions``
    reads only ``top_level.txt``, which NumPy's wheels lack, so the installed files are read too."""
    found: dict[str, set[str]] = {}
    for module, names in importlib.metadata.packages_distributions().items():
        found.setdefault(module, set()).update(canonical(n) for n in names)
    for distribution in importlib.metadata.distributions():
        for file in distribution.files or ():
            top = file.parts[0] if file.parts else ""
            module = top[:-3] if top.endswith(".py") else top
            if module.isidentifier():
                found.setdefault(module, set()).add(canonical(distribution.metadata["Name"]))
    return found


def third_party_imports(folder: Path) -> set[str]:
    """Top-level modules imported anywhere in ``folder`` that are neither stdlib, nor ours, nor child siblings."""
    siblings = {p.stem for p in CHILD.glob("*.py")}
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - siblings - {"grader", "reference"}


def test_the_runtime_lock_is_exactly_the_closure_of_the_runtime_dependencies() -> None:
    locked = pins(RUNNING_LOCK)
    assert set(locked) == closure(project()["dependencies"]), RUNNING_LOCK.name
    for name, version in locked.items():
        assert importlib.metadata.version(name) == version, name  # the tests run on the pins Gradescope installs


def test_no_test_only_package_reaches_the_gradescope_image() -> None:
    for lock in (RUNTIME_LOCK, RUNTIME_LOCK_310):
        assert not pins(lock).keys() & TEST_ONLY, lock.name
    # pillow is there only because matplotlib requires it, not for the tests that import it
    assert "pillow" in {canonical(Requirement(r).name) for r in importlib.metadata.requires("matplotlib")}


def test_every_import_of_the_grader_is_a_runtime_pin_on_both_pythons() -> None:
    provided = providers()
    imported = third_party_imports(ROOT / "grader")
    assert {"numpy", "yaml", "jsonschema", "nbformat"} <= imported
    for module in imported:
        distributions = provided.get(module, set())
        assert distributions, f"{module}: no installed distribution provides it"
        for lock in (RUNTIME_LOCK, RUNTIME_LOCK_310):
            assert distributions & pins(lock).keys(), f"{module} is imported by grader/ but not pinned in {lock.name}"


def test_the_python_310_locks_cover_the_tested_ones_and_every_direct_dependency() -> None:
    direct = {canonical(Requirement(r).name) for r in project()["dependencies"]}
    extras = {canonical(Requirement(r).name) for group in project()["optional-dependencies"].values() for r in group}
    for runtime, dev in ((RUNTIME_LOCK, DEV_LOCK), (RUNTIME_LOCK_310, DEV_LOCK_310)):
        assert direct <= pins(runtime).keys(), runtime.name
        assert direct | extras <= pins(dev).keys(), dev.name
        assert pins(runtime).items() <= pins(dev).items(), f"{dev.name} must keep {runtime.name}'s pins"
    assert pins(RUNTIME_LOCK).keys() <= pins(RUNTIME_LOCK_310).keys()


def test_the_zip_builder_refuses_a_python_310_lock_that_lacks_a_package() -> None:
    from gradescope.build import _check_locks

    main = RUNTIME_LOCK.read_bytes()
    _check_locks(main, RUNTIME_LOCK_310.read_bytes())
    without_numpy = b"\n".join(line for line in RUNTIME_LOCK_310.read_bytes().splitlines()
                               if not line.startswith(b"numpy=="))
    with pytest.raises(SystemExit, match="numpy"):
        _check_locks(main, without_numpy)


@pytest.fixture
def gradescope_folder() -> Iterator[Path]:
    """A folder every user may traverse, as / is on Gradescope: setup.sh gives each folder above its venv
    o+x, which pytest's own root-only temporary folders should not get."""
    folder = Path(tempfile.mkdtemp(prefix="lr2-packaging-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.sandbox  # run_autograder grades (named here only as a file, which conftest does not follow)
@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="setup.sh creates the sandbox users, as root does on Gradescope")
def test_setup_sh_installs_the_runtime_lock_alone_and_that_grades(gradescope_folder: Path) -> None:
    """Gradescope's build step for real (PyPI, as on Gradescope): a venv of the runtime lock only, in a
    folder of its own, and run_autograder with it gives the correct example full marks."""
    from gradescope.build import build

    tmp_path = gradescope_folder
    root = tmp_path / "autograder"
    for name in ("source", "submission", "results"):
        (root / name).mkdir(parents=True)
    root.chmod(0o755)  # the sandbox user must be able to name source/grader/sandbox/child
    with zipfile.ZipFile(build(tmp_path / "gradescope.zip")) as archive:
        for info in archive.infolist():
            archive.extract(info, root / "source")
            (root / "source" / info.filename).chmod(info.external_attr >> 16 & 0o777)
    venv = tmp_path / "venv"
    setup = subprocess.run(["bash", str(root / "source" / "setup.sh")], env={**os.environ, "LOGREG2_VENV": str(venv)},
                           capture_output=True, text=True, timeout=600)
    assert setup.returncode == 0, setup.stdout[-2000:] + setup.stderr[-2000:]
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
                            capture_output=True, text=True, timeout=120).stdout
    installed = {canonical(line.partition("==")[0]) for line in listed.splitlines() if "==" in line}
    assert installed - {"pip", "setuptools"} == set(pins(RUNTIME_LOCK))
    (root / "submission" / "logreg2.py").write_bytes((ROOT / "assignments" / "logreg2" / "examples" /
                                                       "correct.py").read_bytes())
    shutil.copy(root / "source" / "run_autograder", root / "run_autograder")
    graded = subprocess.run([str(root / "run_autograder")], cwd=root, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "AUTOGRADER_ROOT": str(root), "LOGREG2_PYTHON": str(venv / "bin" / "python")})
    report = json.loads((root / "results" / "results.json").read_text())
    assert (report["score"], report["extra_data"]["status"]) == (100, "graded"), graded.stdout + graded.stderr


def test_the_venv_has_the_checkout_on_its_path_through_a_relative_pth() -> None:
    pth = Path(sys.prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages" \
        / "logreg2_grader.pth"
    line = pth.read_text().strip()
    assert not os.path.isabs(line)  # a checkout copied or moved with its venv still imports itself
    assert (pth.parent / line).resolve() == ROOT
    where = subprocess.run([sys.executable, "-c", "import grader, reference; print(grader.__file__)"], cwd="/",
                           capture_output=True, text=True, timeout=60)
    assert where.returncode == 0 and Path(where.stdout.strip()) == ROOT / "grader" / "__init__.py", where.stderr


def _path_edits(tree: ast.AST) -> list[int]:
    """Lines that change ``sys.path`` (insert, append, slice or assign) or name ``PYTHONPATH``."""
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == "PYTHONPATH":
            lines.append(node.lineno)
        if not (isinstance(node, ast.Attribute) and node.attr == "path" and isinstance(node.value, ast.Name)
                and node.value.id == "sys"):
            continue
        parent = parents.get(node)
        if isinstance(node.ctx, ast.Store) or (isinstance(parent, ast.Attribute) and parent.attr in
                                                ("insert", "append", "extend", "remove")) \
                or (isinstance(parent, ast.Subscript) and isinstance(parent.ctx, ast.Store)):
            lines.append(node.lineno)
    return sorted(lines)


def test_no_host_side_code_edits_sys_path_or_pythonpath() -> None:
    """Only the sandbox child, loaded by path, puts its own folder (and the student's scratch) on sys.path."""
    offenders = {}
    for folder in ("grader", "gradescope", "bench"):
        for path in (ROOT / folder).rglob("*.py"):
            if CHILD in path.parents:
                continue
            edits = _path_edits(ast.parse(path.read_text(encoding="utf-8")))
            if edits:
                offenders[str(path.relative_to(ROOT))] = edits
    assert offenders == {}
    assert _path_edits(ast.parse("import sys\nsys.path.insert(0, 'x')\nsys.path[:0] = ['y']\nos.environ['PYTHONPATH'] = 'z'"
                                 "\nfor p in sys.path: pass\n")) == [2, 3, 4]


def test_the_venv_stamp_is_older_than_pyproject_or_a_lock_means_rebuild(tmp_path: Path) -> None:
    for name in ("Makefile", "pyproject.toml", "requirements.lock", "requirements-dev.lock",
                 "requirements-dev-py310.lock", "gradescope/requirements-py310.lock"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes((ROOT / name).read_bytes())
    (tmp_path / ".venv").mkdir()
    stamp = tmp_path / ".venv" / ".stamp"
    stamp.touch()
    later = stamp.stat().st_mtime + 10
    up_to_date = subprocess.run(["make", "-q", "venv"], cwd=tmp_path, capture_output=True, timeout=60)
    assert up_to_date.returncode == 0, up_to_date.stderr
    for name in ("pyproject.toml", "requirements.lock", "requirements-dev.lock"):
        os.utime(tmp_path / name, (later, later))
        assert subprocess.run(["make", "-q", "venv"], cwd=tmp_path, capture_output=True, timeout=60).returncode == 1
        os.utime(stamp, (later + 1, later + 1))
        later += 10


# One line a string, so that this module's own scan does not read the example as a script it runs.
MODULE = "\n".join((
    "import subprocess, sys",
    "from grader.sandbox.zygote import Zygote",
    "SCRIPT = 'from grader.sandbox.child.landlock import restrict_filesystem' + chr(10) + 'restrict_filesystem([])'",
    "def start():",
    "    return Zygote()",
    "def helper():",
    "    return start()",
    "def confine():",
    "    subprocess.run([sys.executable, '-c', 'import x\\nrestrict_filesystem([])'])",
    "def command():",
    "    subprocess.run([sys.executable, '-m', 'grader', 'grade', 'x.py'])",
    "def build():",
    "    subprocess.run(['make', '-q', 'venv'])",
    "def pure():",
    "    return 1 + 1",
    "def test_a():",
    "    helper()",
    "def test_b(shared_zygote):",
    "    pass",
    "def test_c():",
    "    confine()",
    "def test_d():",
    "    assert pure() == 2 and build() is None",
))


def test_the_sandbox_marker_follows_helpers_embedded_scripts_and_commands() -> None:
    marked = marked_functions(MODULE)
    assert {"start", "helper", "test_a", "test_b", "confine", "test_c", "command"} <= marked["sandbox"]
    assert not {"pure", "build", "test_d", "SCRIPT"} & marked["sandbox"]  # SCRIPT is one line: not a script
    assert marked["slow"] == {"command"}


def test_make_test_fast_selects_no_test_that_reaches_the_sandbox() -> None:
    collected = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--collect-only", "-q",
                                "-m", "not sandbox", "tests/test_sandbox.py", "tests/test_compare.py"],
                               cwd=ROOT, capture_output=True, text=True, timeout=120)
    ids = [line for line in collected.stdout.splitlines() if "::" in line]
    assert any(i.startswith("tests/test_compare.py::") for i in ids), collected.stdout
    fast_sandbox = {i.split("::")[1].split("[")[0] for i in ids if i.startswith("tests/test_sandbox.py::")}
    assert fast_sandbox and not fast_sandbox & {"test_a_call_timeout_keeps_the_mainline_and_later_items_run",
                                                "test_a_fork_bomb_does_not_starve_another_submission",
                                                "test_when_the_grader_dies_the_zygote_sweeps_the_submission"}
