"""The self-check: visible checks only, against a pack, with no reference code and no hidden input."""

from __future__ import annotations

import ast
import json
import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from grader.selfcheck import check as student_check
from grader.selfcheck import pack as selfcheck
from grader.rubric import parse_rubric

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "assignments" / "logreg2" / "examples"
PACK = ROOT / "assignments" / "logreg2" / "selfcheck.json"
# Values no generated input can take: they mark the hidden item's literal case.
SECRET = {"a": 271.8281828459, "b": 314.1592653589, "c": 141.4213562373}


def notebook_from(py: Path, out: Path) -> Path:
    """The example as a notebook: one cell per part, ending with the starter's self-check cell."""
    chunks = re.split(r"\n(?=# ---- )", py.read_text())
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Logistic Regression, Part 2")]
    nb.cells += [nbformat.v4.new_code_cell(chunk.strip()) for chunk in chunks]
    nb.cells.append(nbformat.v4.new_code_cell("import sys\n!{sys.executable} -m grader check logreg2.ipynb"))
    nbformat.write(nb, str(out))
    return out


def reference_lines() -> set[str]:
    """Every line of code (not docstrings or comments) of the reference and of its wrong variants."""
    lines = set()
    for name in ("logreg2.py", "logreg2_mistakes.py"):
        source = (ROOT / "reference" / name).read_text()
        docstrings = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node):
                first = node.body[0]
                docstrings.update(range(first.lineno, first.end_lineno + 1))
        for number, line in enumerate(source.splitlines(), 1):
            text = line.split("#", 1)[0].strip()
            if number not in docstrings and len(text) >= 12 and not text.startswith(("from ", "import ")):
                lines.add(text)
    return lines


def test_committed_pack_is_current(logreg2_rubric):
    """`make selfcheck-pack` was run after the last rubric or reference change (timings aside)."""
    def strip_timing(pack):
        for item in pack["items"]:
            for check in item.get("checks", []):
                for case in check["cases"] + check.get("retry", []):
                    case.pop("timing", None)
        return pack

    def same(a, b, where="pack") -> None:
        """Equal structure and strings; floats within 1e-9 (another BLAS may round the last bits differently)."""
        if isinstance(a, float) or isinstance(b, float):
            assert isinstance(a, (int, float)) and isinstance(b, (int, float)), where
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{where}: {a} != {b}; run `make selfcheck-pack`"
        elif isinstance(a, dict):
            assert isinstance(b, dict) and sorted(a) == sorted(b), f"{where}: keys differ; run `make selfcheck-pack`"
            for key in a:
                same(a[key], b[key], f"{where}/{key}")
        elif isinstance(a, list):
            assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths differ; run `make selfcheck-pack`"
            for i, (x, y) in enumerate(zip(a, b)):
                same(x, y, f"{where}/{i}")
        else:
            assert a == b, f"{where}: {a!r} != {b!r}; run `make selfcheck-pack`"

    built = json.loads(json.dumps(selfcheck.build_pack(logreg2_rubric)))
    same(strip_timing(built), strip_timing(json.loads(PACK.read_text())))


def test_committed_pack_holds_no_reference_code():
    text = PACK.read_text()
    leaked = [line for line in reference_lines() if line in text]
    assert not leaked, f"reference source in the pack: {leaked[:5]}"


def test_check_passes_the_correct_py_and_notebook(shared_zygote, tmp_path):
    pack = selfcheck.load_pack(PACK, "logreg2")
    notebook = notebook_from(EXAMPLES / "correct.py", tmp_path / "logreg2.ipynb")
    for path in (EXAMPLES / "correct.py", notebook):
        run = student_check.run_check(path, pack, shared_zygote)
        assert run.problem is None
        assert [r.status for r in run.items] == ["passed"] * len(run.items), student_check.format_run(run)
        text = student_check.format_run(run)
        assert "Visible items: 100/100 points." in text
        assert len([line for line in text.splitlines() if line.startswith("PASS  ")]) == len(run.items)


def test_check_gives_the_graders_diagnosis_on_a_notebook(shared_zygote, logreg2_rubric, tmp_path):
    pack = selfcheck.load_pack(PACK, "logreg2")
    notebook = notebook_from(EXAMPLES / "buggy" / "cost_summed.py", tmp_path / "logreg2.ipynb")
    run = student_check.run_check(notebook, pack, shared_zygote)
    text = student_check.format_run(run)
    by_id = {r.item.id: r for r in run.items}
    assert by_id["cost"].status == "failed" and by_id["gradients_vectorized"].status == "passed"
    message = next(m.message for i in logreg2_rubric.items for c in i.checks
                   for m in c.mistakes if c.function == "cost" and m.id == "summed")
    assert "Likely cause: Your cost is M times too large" in text and message.split(":")[0] in text
    assert re.search(r"^FAIL  cost\s+0/10  Cost J\(w, b\)$", text, re.M)
    # Here gradient_descent runs with the student's own cost(): the verdict says so.
    assert "gradient_descent" in text and "calls cost(), failing above or below" in text


def run_isolated(args: list[str], home: Path) -> subprocess.CompletedProcess:
    """Python in ``home`` with nothing of the project on its path: `-m` finds the copied grader there."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}
    proc = subprocess.run([sys.executable, *args], cwd=home, env=env, capture_output=True, text=True, timeout=120)
    assert "grader" not in proc.stderr or "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_check_reports_a_slow_loop_with_its_slowdown(shared_zygote):
    pack = selfcheck.load_pack(PACK, "logreg2")
    limits = student_check.Limits().with_overrides(**{**pack["limits"], "call_seconds": 2})
    run = student_check.run_check(EXAMPLES / "buggy" / "vectorized_with_loops.py", pack, shared_zygote, limits)
    assert [r.item.id for r in run.items if r.status == "failed"] == ["vectorization"]
    text = student_check.format_run(run)
    assert re.search(r"took (more than )?[0-9.]+ s on an input with M=100,000, N=10(,| and was stopped:)? (about|over) [0-9]+x", text)


def hidden_rubric(tmp_path: Path) -> Path:
    """The real rubric with two items made hidden, one of them holding a literal case of secret values."""
    data = json.loads((ROOT / "rubrics" / "logreg2.json").read_text())
    for item in data["items"]:
        if item["id"] == "graph_forward":
            item["visibility"] = "after_due_date"
            item["checks"][0]["literal_cases"] = [SECRET]
        if item["id"] == "gradient_descent":
            item["visibility"] = "hidden"
    path = tmp_path / "logreg2.json"
    path.write_text(json.dumps(data))
    return path


def test_isolated_check_reveals_no_hidden_input_and_no_reference(tmp_path):
    """`check` runs from a copy of the grader and a pack alone; importing `reference` fails there."""
    (tmp_path / "rubric").mkdir()
    rubric = parse_rubric(hidden_rubric(tmp_path / "rubric"))
    home = tmp_path / "student"
    shutil.copytree(ROOT / "grader", home / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    (home / "reference").mkdir()
    (home / "reference" / "__init__.py").write_text("raise ImportError('the self-check imported reference')\n")
    selfcheck.write_pack(rubric, home / "selfcheck.json")
    shutil.copy(EXAMPLES / "buggy" / "cost_summed.py", home / "logreg2.py")
    assert not (home / "rubrics").exists()

    proc = run_isolated(["-m", "grader", "check", "logreg2.py"], home)
    assert proc.returncode == 1, proc.stderr  # cost fails; nothing else went wrong
    assert "Traceback" not in proc.stderr and "imported reference" not in proc.stderr + proc.stdout
    out = proc.stdout
    assert re.search(r"^----  graph_forward\s+checked after submission$", out, re.M)
    assert re.search(r"^----  gradient_descent\s+checked after submission$", out, re.M)
    assert re.search(r"^FAIL  cost\b", out, re.M) and "Likely cause: Your cost is M times too large" in out
    assert "2 more item(s), 20 points, are checked after submission" in out

    pack_text = (home / "selfcheck.json").read_text()
    pack = json.loads(pack_text)
    hidden = [i for i in pack["items"] if i["visibility"] != "visible"]
    assert {i["id"] for i in hidden} == {"graph_forward", "gradient_descent"}
    assert all(set(i) == {"id", "title", "points", "visibility", "credit"} for i in hidden)
    for value in SECRET.values():
        for shown in (repr(value), f"{value:.6g}", f"{value:g}"):
            assert shown not in pack_text and shown not in out
    for line in reference_lines():
        assert line not in pack_text and line not in out, line


def test_missing_pack_is_one_line_and_exit_2(tmp_path):
    home = tmp_path / "alone"
    shutil.copytree(ROOT / "grader", home / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(EXAMPLES / "correct.py", home / "logreg2.py")
    proc = run_isolated(["-m", "grader", "check", "logreg2.py"], home)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "selfcheck.json" in proc.stderr


def test_pack_values_round_trip():
    import numpy as np

    from grader.sandbox.child.protocol import CallableRef

    value = {"a": (np.arange(6.0).reshape(2, 3), 1.5, 3, [float("inf"), -0.0]), "f": CallableRef("sin")}
    back = selfcheck.decode(json.loads(json.dumps(selfcheck.encode(value), allow_nan=False)))
    assert isinstance(back["a"], tuple) and back["a"][0].shape == (2, 3) and back["a"][2] == 3
    assert back["a"][3][0] == float("inf") and isinstance(back["f"], CallableRef)
    with pytest.raises(selfcheck.PackError):
        selfcheck.decode({"generated": {"kind": "uniform", "low": 0, "high": 1, "seed": 1, "shape": [3]},
                          "sha256": "0" * 64})
