"""Feedback a student can act on: every known slip, in a real submission file, gets its message.

Each file in assignments/logreg2/examples/buggy/ is a copy of correct.py with one
bug; line 1 names the one item it must fail.  Every file is graded once (a
module-wide cache, one shared zygote) and the tests read the reports.
"""

from __future__ import annotations

import re
from pathlib import Path

import mistune
import numpy as np
import pytest

from grader.checking import checks
from grader.checking.compare import Tolerance
from grader.checking.feedback import code_block, code_span
from grader.checking.grading import grade_path, limits_for
from grader.checking.inputs import generate_cases
from grader.reporting.report import build_report, validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "assignments" / "logreg2" / "examples"
BUGGY_FILES = sorted((EXAMPLES / "buggy").glob("*.py"))

# file -> (item, mistake id declared in the rubric) whose message the file must get
DIAGNOSES = {
    "no_1_over_m.py": ("gradients_vectorized", "not_averaged"),
    "db_not_divided.py": ("gradients_vectorized", "db_not_averaged"),
    "loop_no_1_over_m.py": ("gradients_loop", "not_averaged"),
    "divides_by_n.py": ("gradients_vectorized", "divided_by_n"),
    "sign_flipped.py": ("gradients_vectorized", "sign_flipped"),
    "x_not_transposed.py": ("gradients_vectorized", "x_not_transposed"),
    "dw_shape_1xN.py": ("gradients_vectorized", "dw_row"),
    "dw_shape_Nx1.py": ("gradients_vectorized", "dw_column"),
    "b_updated_with_dw.py": ("update", "b_with_dw"),
    "update_in_place.py": ("update", "in_place"),
    "cost_summed.py": ("cost", "summed"),
    "loss_no_minus.py": ("single_example", "no_minus"),
    "loss_terms_swapped.py": ("single_example", "terms_swapped"),
    "sigmoid_exp_plus.py": ("sigmoid", "exp_plus"),
    "forward_diff_backwards.py": ("numerical_derivatives", "at_x_minus_h"),
    "centered_no_2.py": ("numerical_derivatives", "over_h"),
    "graph_backward_swapped.py": ("graph_backward", "swapped_db_dc"),
    "graph_backward_no_2.py": ("graph_backward", "no_factor_2"),
    "graph_backward_da_not_chained.py": ("graph_backward", "da_not_chained"),
    "gd_not_from_zeros.py": ("gradient_descent", "not_from_zeros"),
    "gd_cost_after_update.py": ("gradient_descent", "cost_after_update"),
    "gd_one_short.py": ("gradient_descent", "one_short"),
    "gd_off_by_one.py": ("gradient_descent", "one_long"),
    "gd_ignores_epsilon.py": ("gradient_descent", "ignores_epsilon"),
    "gd_extra_step.py": ("gradient_descent", "extra_step"),
}

# The slips the issue lists, as (function, mistake id): each must be declared and exercised above.
REQUIRED = [
    ("gradients_vectorized", "not_averaged"), ("gradients_vectorized", "db_not_averaged"),
    ("gradients_loop", "not_averaged"), ("gradients_vectorized", "divided_by_n"),
    ("gradients_vectorized", "sign_flipped"), ("gradients_vectorized", "x_not_transposed"),
    ("gradients_vectorized", "dw_row"), ("gradients_vectorized", "dw_column"), ("update", "b_with_dw"),
    ("update", "in_place"), ("cost", "summed"), ("loss", "no_minus"), ("loss", "terms_swapped"),
    ("sigmoid", "exp_plus"), ("forward_difference", "at_x_minus_h"), ("centered_difference", "over_h"),
    ("graph_backward", "swapped_db_dc"), ("graph_backward", "no_factor_2"),
    ("gradient_descent", "not_from_zeros"), ("gradient_descent", "cost_after_update"),
    ("gradient_descent", "one_short"), ("gradient_descent", "one_long"), ("gradient_descent", "ignores_epsilon"),
]

_REPORTS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def grade(logreg2_rubric, shared_zygote):
    """Grade a file once per module run; later calls reuse the report."""
    def run(path: Path) -> dict:
        key = str(path)
        if key not in _REPORTS:
            result = grade_path(path, logreg2_rubric, shared_zygote, limits_for(logreg2_rubric))
            report = build_report(result)
            validate(report, logreg2_rubric)
            _REPORTS[key] = report
        return _REPORTS[key]

    return run


def by_item(report: dict) -> dict[str, dict]:
    return {t["extra_data"]["item"]: t for t in report["tests"]}


def message(rubric, function: str, mistake_id: str) -> str:
    for item in rubric.items:
        for check in item.checks:
            if check.function == function:
                for mistake in check.mistakes:
                    if mistake.id == mistake_id:
                        return mistake.message
    raise AssertionError(f"no mistake {mistake_id!r} declared for {function}")


def expected_item(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    match = re.fullmatch(r"# expect-fail: ([a-z_]+)", first.strip())
    assert match, f"{path.name}: line 1 must be '# expect-fail: <item>'"
    return match.group(1)


@pytest.mark.parametrize("path", BUGGY_FILES, ids=[p.name for p in BUGGY_FILES])
def test_buggy_example_fails_exactly_its_item(path, grade, logreg2_rubric):
    item = expected_item(path)
    assert item in {i.id for i in logreg2_rubric.items}
    failed = {k for k, t in by_item(grade(path)).items() if t["status"] != "passed"}
    outputs = "\n\n".join(by_item(grade(path))[k]["output"] for k in sorted(failed - {item}))
    assert failed == {item}, f"{path.name} should fail {item} only, failed {sorted(failed)}\n{outputs}"


@pytest.mark.parametrize("name", sorted(DIAGNOSES))
def test_buggy_example_gets_its_diagnosis(name, grade, logreg2_rubric):
    item, mistake_id = DIAGNOSES[name]
    function = next(c.function for i in logreg2_rubric.items if i.id == item for c in i.checks
                    if any(m.id == mistake_id for m in c.mistakes))
    output = by_item(grade(EXAMPLES / "buggy" / name))[item]["output"]
    assert f"**Likely cause:** {message(logreg2_rubric, function, mistake_id)}" in output, output


def test_every_listed_slip_is_declared_and_has_a_submission(logreg2_rubric):
    for function, mistake_id in REQUIRED:
        message(logreg2_rubric, function, mistake_id)
    exercised = {mistake_id for _, mistake_id in DIAGNOSES.values()}
    assert {m for _, m in REQUIRED} <= exercised
    assert set(DIAGNOSES) <= {p.name for p in BUGGY_FILES}


def test_slow_loop_reports_the_measured_slowdown(grade):
    report = grade(EXAMPLES / "buggy" / "vectorized_with_loops.py")
    output = by_item(report)["vectorization"]["output"]
    assert re.search(r"took (more than )?[0-9.]+ s on an input with M=100,000, N=10", output)
    assert re.search(r"(over |about )[0-9]+x the time of a vectorized solution", output)
    assert "np.dot or np.matmul" in output


def test_a_slow_loop_is_stopped_once_its_speed_verdict_is_known(logreg2_rubric, shared_zygote):
    """Past twice what the speed check allows (at least ``SPEED_STOP_SECONDS``) the call has failed
    whatever it returns: it is stopped there, not at the call limit, and the student reached no limit."""
    limits = limits_for(logreg2_rubric).with_overrides(call_seconds=30.0)
    result = grade_path(EXAMPLES / "buggy" / "vectorized_with_loops.py", logreg2_rubric, shared_zygote, limits)
    assert result.status == "graded"
    item = next(r for r in result.items if r.item.id == "vectorization")
    assert item.score == 0 and not item.timed_out
    [case] = item.checks[0].cases
    assert case.reason == "timeout"
    stopped = re.search(r"took more than ([0-9.]+) s on an input with M=100,000, N=10 and was stopped", case.problem)
    assert stopped and checks.SPEED_STOP_SECONDS <= float(stopped.group(1)) < limits.call_seconds, case.problem
    assert next(r for r in result.items if r.item.id == "gradients_vectorized").passed  # its values are right


@pytest.mark.parametrize("name", ["divides_by_n.py", "dw_shape_1xN.py", "sign_flipped.py", "x_not_transposed.py"])
def test_a_known_slip_is_not_charged_twice(name, grade):
    tests = by_item(grade(EXAMPLES / "buggy" / name))
    assert tests["gradients_vectorized"]["score"] == 0
    vectorization = tests["vectorization"]
    assert vectorization["score"] == vectorization["max_score"], vectorization["output"]
    assert "charged to item `gradients_vectorized` only" in vectorization["output"]


def test_wrong_values_fast_still_fail_vectorization_and_student_text_is_escaped(grade, tmp_path):
    source = (EXAMPLES / "correct.py").read_text()
    source = source.replace("    dw = np.dot((y_hat - y).T, X) / M\n    db = np.sum(y_hat - y) / M\n",
                            "    dw = np.zeros(X.shape[1])\n    db = 0.0\n")
    source = source.replace("    M = X.shape[0]\n    y_hat = sigmoid(np.matmul(X, w.T) + b)\n    L = loss(y_hat, y)",
                            "    raise ValueError('**bold** <b>tag</b> ``` _x_ [link](http://x.invalid)')\n"
                            "    M = X.shape[0]\n    y_hat = sigmoid(np.matmul(X, w.T) + b)\n    L = loss(y_hat, y)")
    path = tmp_path / "zeros.py"
    path.write_text(source)
    report = grade(path)
    tests = by_item(report)
    assert tests["gradients_vectorized"]["score"] == 0 and tests["vectorization"]["score"] == 0
    assert report["test_output_format"] == "md"
    rendered = mistune.create_markdown(escape=True)(tests["cost"]["output"])
    assert "&lt;b&gt;tag&lt;/b&gt;" in rendered and "<b>tag</b>" not in rendered
    assert "<strong>bold</strong>" not in rendered and "<a href" not in rendered
    assert "**bold** &lt;b&gt;" in rendered  # shown literally, inside the code block


def test_partial_credit_per_part_and_per_check(grade):
    def score(name: str, item: str) -> float:
        return by_item(grade(EXAMPLES / "buggy" / name))[item]["score"]

    assert score("graph_backward_da_not_chained.py", "graph_backward") == 8  # 4 of 5 derivatives
    assert score("graph_backward_swapped.py", "graph_backward") == 6  # 3 of 5
    assert score("graph_backward_no_2.py", "graph_backward") == 0
    assert score("loss_no_minus.py", "single_example") == 10  # 2 of 3 functions
    assert score("centered_no_2.py", "numerical_derivatives") == 5  # 1 of 2 differences
    output = by_item(grade(EXAMPLES / "buggy" / "graph_backward_da_not_chained.py"))["graph_backward"]["output"]
    assert output.startswith("**FAIL graph_backward()** (8/10 points)")
    assert "4 of 5 parts right in every case (wrong: `dJ_da`)" in output


def test_correct_example_passes_with_short_verdicts(grade):
    report = grade(EXAMPLES / "correct.py")
    assert report["score"] == 100
    for test in report["tests"]:
        assert test["output"].startswith("**PASS"), test["output"]
        assert "Likely cause" not in test["output"]


@pytest.mark.parametrize("path", BUGGY_FILES, ids=[p.name for p in BUGGY_FILES])
def test_each_likely_cause_shown_is_a_mistake_id_in_the_data(path, grade, logreg2_rubric):
    """``extra_data.mistakes`` holds the id of every slip the output names (a summary counts these ids)."""
    messages = {(m.id, m.message.split("{factors}")[0]) for i in logreg2_rubric.items for c in i.checks
                for m in checks.mistakes_for(logreg2_rubric, c)}  # ids are unique per function only
    for test in grade(path)["tests"]:
        shown = [re.sub(r"^\(as in case \d+\) ", "", line.removeprefix("**Likely cause:** "))
                 for line in test["output"].split("\n\n") if line.startswith("**Likely cause:** ")]
        shown = [text for text in shown if text != "the same as above."]
        named = {i for text in shown for i, message in messages if text.startswith(message)}
        assert len(named) >= len(set(shown)) and named <= set(test["extra_data"]["mistakes"]), test["output"]
        if test["status"] == "passed":
            assert test["extra_data"]["mistakes"] == []
    item, mistake = DIAGNOSES.get(path.name, (None, None))
    if item:
        assert mistake in next(t for t in grade(path)["tests"] if t["extra_data"]["item"] == item)["extra_data"]["mistakes"]


def test_every_declared_variant_differs_from_the_reference(logreg2_rubric):
    """A variant equal to the reference on every case would be a useless (or misleading) diagnosis."""
    for index, item in enumerate(logreg2_rubric.items):
        for j, check in enumerate(item.checks):
            if check.timing is not None:
                continue
            oracle = checks.ReferenceOracle(logreg2_rubric, check)
            cases = generate_cases(check, 12345, index, j)
            for mistake in check.mistakes:
                differs = False
                for case in cases:
                    expected, _ = oracle.expected(case)
                    variant = next(v for v in oracle.variants(case) if v.id == mistake.id)
                    if variant.raised or not checks.same_value(expected, variant.value, Tolerance(1e-6, 1e-9)):
                        differs = True
                    if variant.after and any(not np.array_equal(case.args[k], a) for k, a in variant.after.items()):
                        differs = True
                assert differs, f"{check.function}: variant {mistake.id} equals the reference on every case"


def test_same_value_is_structural_and_never_raises():
    tol = Tolerance(1e-6, 1e-9)
    assert checks.same_value((np.ones((1, 3)), 2.0), (np.ones((1, 3)), 2.0), tol)
    assert not checks.same_value((np.ones(3), 2.0), (np.ones((1, 3)), 2.0), tol)
    assert checks.same_value([1.0, 2.0], np.array([1.0, 2.0]).tolist(), tol)
    assert checks.same_value({"a": 1.0, "b": 2.0}, {"a": 1.0}, tol)
    assert not checks.same_value({"a": "x"}, {"a": 1.0}, tol)
    assert not checks.same_value(float("nan"), 1.0, tol)
    assert not checks.same_value(object(), np.ones(2), tol)


def test_code_spans_and_blocks_cannot_be_closed_by_student_text():
    render = mistune.create_markdown(escape=True)
    span = code_span("a ``` b ` c")
    assert render(span).count("<code>") == 1
    block = code_block("x\n```\n<script>alert(1)</script>\n````")
    html = render(block)
    assert "<script>" not in html and html.count("<pre>") == 1
