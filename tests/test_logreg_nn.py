"""Assignment ``logreg_nn`` graded end to end, and proof that adding it was data, not grader code.

The examples say what they must get (``assignments/logreg_nn/examples``): the correct
notebook and its nbconvert export get full marks; each one-bug notebook fails exactly the
item its first line names, with the slip its second line names when the rubric declares it;
each real-style notebook gets the score, failing items and noted items of ``labels.json``.
The grader itself may only have learned general words: nothing under ``grader/`` names the
assignment, and no string in its code is an item id or a function name of any rubric.
"""

from __future__ import annotations

import ast
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest

from grader.checking.grading import GradeResult, grade_path, limits_for
from grader.reporting.report import build_report, validate
from grader.rubric import Rubric, load_rubric
from grader.sandbox.zygote import Zygote
from grader.selfcheck import check as student_check
from grader.selfcheck import pack as selfcheck

ROOT = Path(__file__).resolve().parents[1]
ASSIGNMENT = ROOT / "assignments" / "logreg_nn"
EXAMPLES = ASSIGNMENT / "examples"
CORRECT = [EXAMPLES / "correct.ipynb", EXAMPLES / "correct.py"]
BUGGY = sorted((EXAMPLES / "buggy").glob("*.ipynb"))
REAL = EXAMPLES / "real"
LABELS: dict[str, dict] = json.loads((REAL / "labels.json").read_text(encoding="utf-8"))
PACK = ASSIGNMENT / "selfcheck.json"
HEADER = re.compile(r"# expect-fail: (?P<item>\w+)\n# slip: (?P<slip>\w+)\n")


@pytest.fixture(scope="module")
def rubric() -> Rubric:
    return load_rubric("logreg_nn")


@pytest.fixture(scope="module")
def zygote():
    with Zygote() as z:
        yield z


def graded(path: Path, rubric: Rubric, zygote: Zygote) -> tuple[GradeResult, dict]:
    """The result and its report, validated against the report schema and the rubric."""
    result = grade_path(path, rubric, zygote, limits_for(rubric))
    report = build_report(result)
    validate(report, rubric)
    return result, report


def failed_items(report: dict) -> list[str]:
    return [t["extra_data"]["item"] for t in report["tests"] if t["status"] != "passed"]


def noted_items(result: GradeResult) -> list[str]:
    """Items that passed only with a note (an int ``b``, a one-element ``db``): notes are data on the cases."""
    return [r.item.id for r in result.items
            if r.passed and any(case.notes for check in r.checks for case in check.cases)]


def header(path: Path) -> dict[str, str]:
    """The item a one-bug notebook must fail and the slip it holds, from its first code cell."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    source = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    match = HEADER.match(source)
    assert match, f"{path.name} does not start with its expect-fail and slip lines"
    return match.groupdict()


def declared_mistake(rubric: Rubric, item_id: str, variant: str) -> str | None:
    """The rubric's mistake id for ``variant`` in item ``item_id``, if it declares one."""
    item = next(i for i in rubric.items if i.id == item_id)
    return next((m.id for c in item.checks for m in c.mistakes if m.variant == variant), None)


# --------------------------------------------------------------------------- the examples


@pytest.mark.parametrize("path", CORRECT, ids=lambda p: p.name)
def test_correct_example_gets_full_marks_without_notes(path, rubric, zygote):
    result, report = graded(path, rubric, zygote)
    assert report["score"] == rubric.total == 100, failed_items(report)
    assert failed_items(report) == []
    assert noted_items(result) == []
    assert result.status == "graded"


def test_the_starter_notebook_is_graded_and_scores_nothing(rubric, zygote):
    result, report = graded(ASSIGNMENT / "logreg_nn.ipynb", rubric, zygote)
    assert result.status == "graded" and report["score"] == 0
    assert failed_items(report) == [i.id for i in rubric.items]


def test_cost_curves_are_recorded_from_nested_returns(rubric, zygote):
    """optimize's costs are the third value of a tuple, model's sit in a dict: both are plotted."""
    result, _ = graded(CORRECT[0], rubric, zygote)
    for item in ("optimize", "model"):
        curve = result.series[item]
        assert curve["student"] == pytest.approx(curve["reference"]) and len(curve["reference"]) >= 2


def test_buggy_examples_cover_every_item_and_ten_slips(rubric):
    items = {header(p)["item"] for p in BUGGY}
    assert items == {i.id for i in rubric.items}
    named = [p for p in BUGGY if declared_mistake(rubric, header(p)["item"], header(p)["slip"])]
    assert len(named) >= 10


@pytest.mark.parametrize("path", BUGGY, ids=lambda p: p.stem)
def test_buggy_example_fails_exactly_its_item_and_names_its_slip(path, rubric, zygote):
    expect = header(path)
    _, report = graded(path, rubric, zygote)
    assert failed_items(report) == [expect["item"]]
    test = next(t for t in report["tests"] if t["extra_data"]["item"] == expect["item"])
    assert test["score"] == 0
    mistake = declared_mistake(rubric, expect["item"], expect["slip"])
    if mistake is not None:
        assert mistake in test["extra_data"]["mistakes"], test["output"]


@pytest.mark.parametrize("name", sorted(LABELS), ids=lambda n: n.removesuffix(".ipynb"))
def test_real_notebook_gets_its_label(name, rubric, zygote):
    label = LABELS[name]
    result, report = graded(REAL / name, rubric, zygote)
    assert failed_items(report) == [i.id for i in rubric.items if i.id in label.get("fail", [])], label.get("why")
    if "score" in label:
        assert report["score"] == label["score"]
    assert noted_items(result) == [i.id for i in rubric.items if i.id in label.get("noted", [])], label.get("why")


def test_every_real_notebook_has_a_label():
    assert sorted(LABELS) == sorted(p.name for p in REAL.glob("*.ipynb"))
    assert len(LABELS) >= 25


# --------------------------------------------------------------------------- commands


def _grade_command(path: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "grade", str(path), "--assignment", "logreg_nn", *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_grade_command_writes_a_full_marks_report_and_the_feedback_page(tmp_path, rubric):
    out, page = tmp_path / "nn.json", tmp_path / "nn.html"
    done = _grade_command(CORRECT[0], "--out", str(out), "--html", str(page))
    assert done.returncode == 0, done.stderr
    report = json.loads(out.read_text())
    validate(report, rubric)
    assert report["score"] == 100
    html = page.read_text()
    assert "<svg" in html and "optimize" in html


def test_a_stand_in_that_prints_does_not_corrupt_the_report_on_stdout(rubric):
    """A real notebook's model calls optimize(..., print_cost=True): the reference stand-in prints
    in the grader's process, and the report is written to standard output."""
    done = _grade_command(REAL / "coursera_bug_model_hardcoded.ipynb")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    validate(report, rubric)
    assert failed_items(report) == ["model"]


def test_batch_grades_the_real_notebooks_with_a_summary(tmp_path, rubric):
    from grader.batch.commands import run_batch

    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("coursera_hub_2021.ipynb", "colab_bug_predict_b_sign.ipynb", "b_int_zero.ipynb"):
        shutil.copy(REAL / name, folder / name)
    out = tmp_path / "out"
    assert run_batch(folder, out, jobs=1, assignment="logreg_nn", html=True) == 0
    rows = (out / "grades.csv").read_text().splitlines()
    header = rows[0].split(",")
    assert header[header.index("total") + 1:-1] == [i.id for i in rubric.items]
    assert len(rows) == 4
    assert "The sign of b is flipped" in (out / "summary.html").read_text()  # the diagnosis, in the rubric's words


def _same_pack(a, b, where: str = "pack") -> None:
    """Equal structure, strings and ints; floats within 1e-9 (another BLAS may round the last bits)."""
    if isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{where}: {a} != {b}; run make selfcheck-pack"
    elif isinstance(a, dict):
        assert isinstance(b, dict) and sorted(a) == sorted(b), f"{where}: keys differ; run make selfcheck-pack"
        for key in a:
            _same_pack(a[key], b[key], f"{where}/{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), f"{where}: lengths differ; run make selfcheck-pack"
        for i, (x, y) in enumerate(zip(a, b)):
            _same_pack(x, y, f"{where}/{i}")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}; run make selfcheck-pack"


def test_committed_self_check_pack_is_current_and_keeps_int_labels(rubric):
    committed = json.loads(PACK.read_text())
    _same_pack(json.loads(json.dumps(selfcheck.build_pack(rubric))), committed)
    propagate = next(i for i in committed["items"] if i["id"] == "propagate")["checks"][0]
    assert propagate["cases"][0]["args"]["Y"]["dtype"] == "<i8"
    assert isinstance(selfcheck.decode(propagate["cases"][0]["args"]["Y"])[0, 0].item(), int)


def test_self_check_passes_the_correct_notebook_and_names_a_slip(zygote):
    pack = selfcheck.load_pack(PACK, "logreg_nn")
    run = student_check.run_check(CORRECT[0], pack, zygote)
    assert run.problem is None and [r.status for r in run.items] == ["passed"] * 6, student_check.format_run(run)
    run = student_check.run_check(EXAMPLES / "buggy" / "predict_b_sign_flipped.ipynb", pack, zygote)
    predict = next(r for r in run.items if r.item.id == "predict")
    assert predict.status == "failed"
    assert "b_sign_flipped" in {c.diagnosis_id for result in predict.results for c in result.cases}


def test_gradescope_zip_grades_the_correct_notebook(rubric):
    """``make gradescope ASSIGNMENT=logreg_nn``'s zip, unpacked as Gradescope does, grades this assignment."""
    import test_gradescope as gs

    from gradescope import build

    folder = Path(tempfile.mkdtemp(prefix="lr2-nn-gradescope-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        zip_path = build.build(folder / "gradescope-logreg_nn.zip", "logreg_nn")
        root = gs.make_root(folder, zip_path)
        shutil.copy(CORRECT[0], root / "submission" / "Logistic_Regression_with_a_Neural_Network_mindset.ipynb")
        report, log, _ = gs.run_autograder(root)
        validate(report, rubric)
        assert report["extra_data"]["assignment"] == "logreg_nn"
        assert report["score"] == 100, log
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- the general words, one by one


def _check(rubric: Rubric, item_id: str):
    return next(i for i in rubric.items if i.id == item_id).checks[0]


def test_int64_labels_in_random_and_literal_cases_and_size_arguments(rubric):
    from grader.checking.inputs import generate_cases

    cases = generate_cases(_check(rubric, "propagate"), seed=1, item_index=2, check_index=0)
    assert all(c.args["Y"].dtype == np.int64 and c.args["X"].dtype == np.float64 for c in cases)
    assert cases[-1].args["Y"].tolist() == [[1, 0, 1]]  # the notebook's literal case
    sizes = generate_cases(_check(rubric, "initialize_with_zeros"), seed=1, item_index=1, check_index=0)
    assert [c.args["dim"] for c in sizes] == [1, 2, 7, 400] and all(type(c.args["dim"]) is int for c in sizes)


def test_nested_returns_are_judged_leaf_by_leaf_with_the_old_top_level_words(rubric):
    from grader.checking.compare import check_returned, part_names

    spec = _check(rubric, "optimize").returns
    assert part_names(spec) == ["w", "b", "dw", "db", "costs"]
    right = ({"w": np.ones((2, 1)), "b": 0.5}, {"dw": np.zeros((2, 1)), "db": 0.1}, [0.69, 0.5])
    assert all(p.ok for p in check_returned(right, right, spec, rubric.items[0].checks[0].tolerance))
    wrong = ({"w": np.ones((2, 1)), "b": 0.5}, 3.0, [0.69, 0.5])
    parts = {p.name: p for p in check_returned(wrong, right, spec, rubric.items[0].checks[0].tolerance)}
    assert parts["w"].ok and parts["costs"].ok
    assert parts["dw"].reason == parts["db"].reason == "structure"
    assert parts["dw"].problem == "value 2 should be a dict with keys dw, db, got a float"
    short = check_returned((1.0,), right, spec, rubric.items[0].checks[0].tolerance)
    assert short[0].problem == "should return a tuple of 3 values (value 1, value 2, costs), got 1 value"


def test_labels_may_be_bool_int_or_float_and_an_int_b_passes_with_a_note(rubric):
    from grader.checking.compare import check_returned

    tol = rubric.items[0].checks[0].tolerance
    labels = _check(rubric, "predict").returns
    expected = np.array([[1.0, 0.0, 1.0]])
    for got in (expected > 0.5, expected.astype(np.int64), expected):
        assert check_returned(got, expected, labels, tol)[0].ok and check_returned(got, expected, labels, tol)[0].note is None
    assert check_returned(np.array([[0.9, 0.1, 0.8]]), expected, labels, tol)[0].reason == "value"
    init = _check(rubric, "initialize_with_zeros").returns
    w, b = check_returned((np.zeros((3, 1)), 0), (np.zeros((3, 1)), 0.0), init, tol)
    assert w.ok and w.note is None and b.ok and b.note is not None
    assert check_returned((np.zeros((3, 1)), 0.0), (np.zeros((3, 1)), 0.0), init, tol)[1].note is None


def test_a_stand_in_called_with_its_declared_shapes_is_bounded_by_their_dimensions(rubric):
    from grader.checking.grading import _declared_size

    w, X, Y = np.zeros((12288, 1)), np.zeros((12288, 3)), np.zeros((1, 3), dtype=np.int64)
    assert _declared_size(rubric, "propagate", [w, 0.0, X, Y], {}) == 12288 * 3
    assert _declared_size(rubric, "optimize", [w, 0.0, X, Y], {"num_iterations": 5, "learning_rate": 0.1}) == 12288 * 3
    assert _declared_size(rubric, "initialize_with_zeros", [10**9], {}) == 10**9
    assert _declared_size(rubric, "propagate", [w, 0.0, np.zeros((2, 3)), Y], {}) is None  # n_x twice
    assert _declared_size(rubric, "propagate", [w.ravel(), 0.0, X, Y], {}) is None  # a flat w
    assert _declared_size(rubric, "propagate", [w, 0.0, X], {"Z": Y}) is None  # no such argument


def test_the_pack_keeps_int_and_bool_arrays():
    for value in (np.array([[1, 0, 1]]), np.array([[True, False]]), np.array([0.5, 1.5])):
        back = selfcheck.decode(json.loads(json.dumps(selfcheck.encode(value))))
        assert back.dtype == value.dtype and np.array_equal(back, value)


# --------------------------------------------------------------------------- data, not code


def _rubric_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "rubrics").glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        names |= {item["id"] for item in data["items"]} | set(data["functions"]) | {data["assignment"]}
    return names


def _code_strings(tree: ast.AST) -> list[ast.Constant]:
    """String constants that are not docstrings."""
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_nothing_under_grader_names_the_assignment():
    hits = [str(p.relative_to(ROOT)) for p in (ROOT / "grader").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and b"logreg_nn" in p.read_bytes()]
    assert hits == []


def test_no_item_id_or_function_name_of_a_rubric_is_a_string_in_grader_code():
    names = _rubric_names() - {"logreg2"}  # the default of --assignment
    assert {"optimize", "gradient_descent", "vectorization"} <= names
    hits = [f"{p.relative_to(ROOT)}:{node.lineno}: {node.value!r}" for p in (ROOT / "grader").rglob("*.py")
            for node in _code_strings(ast.parse(p.read_text(encoding="utf-8"))) if node.value in names]
    assert hits == []
