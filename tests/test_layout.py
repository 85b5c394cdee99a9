"""The package layout carries rules: what the sandbox child may import, what reading may import,
and that everything which names files of the grader (the batch fingerprint, the Gradescope zip,
the README's table) sees every subpackage."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader._fs import shipped_files
from grader.batch import fingerprint
from grader.rubric import load_rubric
from grader.limits import Limits
from grader.sandbox.zygote import RUNNER, _readable_roots

ROOT = Path(__file__).resolve().parents[1]
GRADER = ROOT / "grader"
CHILD = GRADER / "sandbox" / "child"


def imported_modules(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports, at any depth of the file (lazy imports too)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.add("." * node.level + (node.module or ""))
            else:
                names.add(node.module or "")
    return names


# What student code may use, imported once before the forks so that every session has it warm.
PRELOADED_FOR_STUDENTS = {"numpy", "matplotlib"}


def test_the_sandbox_child_imports_only_the_standard_library_numpy_and_its_siblings() -> None:
    siblings = {path.stem for path in CHILD.glob("*.py")}
    modules = sorted(CHILD.glob("*.py"))
    assert {"runner", "protocol", "landlock", "netblock", "cell_loader", "student_namespace"} <= siblings
    for path in modules:
        for name in imported_modules(path):
            top = name.split(".")[0]
            allowed = top in sys.stdlib_module_names or top in PRELOADED_FOR_STUDENTS or top in siblings
            assert allowed, f"{path.relative_to(ROOT)} imports {name!r}: the sandbox child may import only the " \
                            f"standard library, what students may use (NumPy, Matplotlib) and its own siblings"


def test_the_import_rule_test_catches_a_grader_import(tmp_path: Path) -> None:
    """The control for the test above: the parser sees a lazy ``from grader...`` inside a function."""
    path = tmp_path / "bad.py"
    path.write_text("import os\n\ndef f():\n    from grader.checking import checks\n    import reference.logreg2\n")
    assert imported_modules(path) == {"os", "grader.checking", "reference.logreg2"}


def test_reading_a_submission_imports_nothing_that_runs_or_judges_it() -> None:
    for path in sorted((GRADER / "submission").glob("*.py")):
        for name in imported_modules(path):
            assert not name.startswith(("grader.sandbox", "grader.checking", "grader.reporting", "numpy")), \
                f"{path.relative_to(ROOT)} imports {name}"


def test_landlock_lets_the_child_read_its_own_folder_and_nothing_else_of_the_grader() -> None:
    roots = [Path(p) for p in _readable_roots()]
    assert RUNNER.parent == CHILD and CHILD in roots
    assert not [r for r in roots if r != CHILD and (r == GRADER or GRADER in r.parents or r in GRADER.parents)]


def tracked_grader_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "grader"], cwd=ROOT, capture_output=True, text=True, check=True)
    return sorted(ROOT / line for line in listed.stdout.splitlines())


@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="needs the git checkout to list tracked files")
def test_shipped_files_are_every_tracked_file_of_the_grader_at_any_depth() -> None:
    shipped = shipped_files(GRADER)
    assert shipped == tracked_grader_files()
    assert CHILD / "runner.py" in shipped and GRADER / "reporting" / "schemas" / "results.schema.json" in shipped


def test_the_batch_fingerprint_changes_when_a_file_deep_in_a_subpackage_changes(monkeypatch) -> None:
    rubric, limits = load_rubric("logreg2"), Limits()
    before = fingerprint.grader_fingerprint(rubric, limits)
    assert fingerprint.grader_fingerprint(rubric, limits) == before
    deep = CHILD / "student_namespace.py"
    original = Path.read_bytes

    def changed(path: Path) -> bytes:
        return original(path) + b"\n# changed" if path == deep else original(path)

    monkeypatch.setattr(Path, "read_bytes", changed)
    assert fingerprint.grader_fingerprint(rubric, limits) != before


def test_the_readme_layout_table_names_every_subpackage_and_no_module_that_is_gone() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for package in sorted(p.parent for p in GRADER.rglob("__init__.py") if p.parent != GRADER):
        assert f"`{package.relative_to(ROOT).as_posix()}/`" in readme, f"README does not name {package}"
    for named in re.findall(r"`(grader/[\w/]+\.py)`", readme):
        assert (ROOT / named).is_file(), f"README names {named}, which does not exist"
