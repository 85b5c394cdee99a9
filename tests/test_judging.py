"""Judging what students' functions return: any value, any container, any helper, any constant.

The files in tests/submissions/judging/ are correct.py with one kind of change each;
line 1 lists the items each must fail (``none``: it must score 100).  Each file is
graded once per run; the tests read the reports.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from grader.checking import checks

from grader.reporting import html_page
from grader.checking.compare import Tolerance, check_float, check_returned
from grader.sandbox.execution import Outcome
from grader.checking.grading import grade_path, limits_for, standin_value
from grader.checking.inputs import generate_cases
from grader.reporting.report import build_report, dumps, validate
from grader.rubric import Check, MatchRule, parse_check, parse_returns
from reference import logreg2 as ref

ROOT = Path(__file__).resolve().parents[1]
JUDGING = ROOT / "tests" / "submissions" / "judging"
BUGGY = ROOT / "assignments" / "logreg2" / "examples" / "buggy"
FILES = sorted(JUDGING.glob("*.py"))
SUMS_OVER_EXAMPLES = ("cost", "gradients_vectorized", "gradient_descent")
# A loop over examples calls a stand-in per example (a round trip to the grader each): it takes no
# log, so no product can underflow, and a hundred examples show every averaging slip.
LOOPS_OVER_EXAMPLES = ("gradients_loop",)

_REPORTS: dict[str, dict] = {}


@pytest.fixture(scope="module")
def report(logreg2_rubric, shared_zygote):
    def run(path: Path) -> dict:
        if str(path) not in _REPORTS:
            built = build_report(grade_path(path, logreg2_rubric, shared_zygote, limits_for(logreg2_rubric)))
            validate(built, logreg2_rubric)
            _REPORTS[str(path)] = built
        return _REPORTS[str(path)]

    return run


def outputs(report: dict) -> dict[str, str]:
    return {t["extra_data"]["item"]: t["output"] for t in report["tests"]}


def expected_failures(path: Path) -> set[str]:
    match = re.fullmatch(r"# expect-fail: ([a-z_ ]+)", path.read_text().splitlines()[0])
    assert match, f"{path.name}: line 1 must be '# expect-fail: <items>|none'"
    return set(match.group(1).split()) - {"none"}


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_submission_fails_exactly_its_items_and_the_report_is_strict_json(path, report):
    got = report(path)
    failed = {t["extra_data"]["item"] for t in got["tests"] if t["status"] != "passed"}
    assert failed == expected_failures(path), "\n\n".join(outputs(got)[k] for k in sorted(failed))
    json.loads(dumps(got))  # allow_nan=False: raises on NaN or infinity anywhere
    html_page.render(got)


# --------------------------------------------------------------------------- any value


def test_diverging_descent_is_reported_in_words_and_plotted_from_strings(report):
    got = report(JUDGING / "gd_diverges_nan.py")
    assert re.search(r"costs\[\d+\]: returned NaN", outputs(got)["gradient_descent"])
    student = got["extra_data"]["series"]["gradient_descent"]["student"]
    assert "nan" in student and all(isinstance(v, float) or v in ("nan", "inf", "-inf") for v in student)
    assert "<svg" in html_page.render(got)


def test_odd_values_are_named_and_never_close(report):
    out = outputs(report(JUDGING / "odd_values.py"))
    assert "J: returned infinity" in out["graph_forward"]
    assert "J: returned NaN" in out["cost"]
    assert "b: returned minus infinity" in out["update"]
    assert check_float(math.nan, math.nan, Tolerance(), "J") is not None
    assert check_float(10 ** 400, 1.0, Tolerance(), "J") is not None  # too large for a float: not a crash


def test_report_writer_makes_any_non_finite_extra_data_a_string(report):
    got = report(JUDGING / "gd_diverges_nan.py")
    series = got["extra_data"]["series"]["gradient_descent"]["student"]
    assert [float(v) for v in series if isinstance(v, str)]  # strings float() reads back


# --------------------------------------------------------------------------- stand-ins


def test_standins_return_numpy_scalars_and_take_a_matrix():
    assert type(standin_value(ref.sigmoid(0.3))) is np.float64
    dw, db = standin_value(ref.gradients_vectorized(np.ones(2), 0.0, np.ones((3, 2)), np.ones(3)))
    assert isinstance(dw, np.ndarray) and type(db) is np.float64
    X, w = np.arange(6.0).reshape(3, 2), np.array([0.1, -0.2])
    rows = ref.forward_single(w, 0.5, X)
    assert rows.shape == (3,) and np.allclose(rows, ref.sigmoid(X @ w + 0.5))
    assert np.allclose(ref.forward_single(w, 0.5, X.T), rows)


def test_code_relying_on_numpy_scalars_and_a_matrix_forward_scores_100(report):
    assert report(JUDGING / "standin_types.py")["score"] == 100


def test_a_caller_passing_with_its_own_passing_callee_gets_the_credit(report):
    got = report(JUDGING / "own_callee_kwarg.py")
    assert got["score"] == 100
    assert "with your own" in outputs(got)["cost"] and "`loss()`" in outputs(got)["cost"]
    assert "with your own `forward_single()`" in outputs(got)["single_example"]  # checked earlier in the same item


# --------------------------------------------------------------------------- values, not classes


def test_subclasses_and_array_likes_are_judged_by_value_with_a_note(report):
    got = report(JUDGING / "subclasses_and_arraylikes.py")
    assert got["score"] == 100
    out = outputs(got)
    assert "is a list where a NumPy array belongs" in out["single_example"]
    assert "one-element array where a single number belongs" in out["update"]


def test_strict_types_refuses_what_conversion_would_accept():
    spec = parse_returns({"tuple": [{"array": "dw", "shape": ["N"]}, {"float": "db"}]})
    expected = (np.array([1.0, 2.0]), 0.5)
    loose = check_returned(([1.0, 2.0], np.array([0.5])), expected, spec, Tolerance())
    assert all(p.ok for p in loose) and all(p.note for p in loose)
    strict = check_returned(([1.0, 2.0], np.array([0.5])), expected, spec, Tolerance(), strict=True)
    assert not any(p.ok for p in strict)
    assert not check_returned(([True, False], 0.5), expected, spec, Tolerance())[0].ok  # bools are no numbers


# --------------------------------------------------------------------------- timed checks


def _vectorization(rubric) -> Check:
    return next(c for i in rubric.items if i.id == "vectorization" for c in i.checks)


def test_a_timing_check_tries_the_slip_its_value_item_found_first(logreg2_rubric, monkeypatch):
    """A slipped answer on the speed input is excused by the first slip that explains it; trying the
    value item's diagnosis first runs one variant there instead of every one before it, and the
    verdict is the same as in rubric order."""
    check = _vectorization(logreg2_rubric)
    case = generate_cases(check, 7, 8, 0)[0]
    answer = logreg2_rubric.mistakes.gradients_sign_flipped(*checks.reference_args(case))
    outcome = Outcome("ok", value=answer, seconds=0.001)
    ran: list[str] = []
    for mistake in checks.mistakes_for(logreg2_rubric, check):
        variant = getattr(logreg2_rubric.mistakes, mistake.variant)
        monkeypatch.setattr(logreg2_rubric.mistakes, mistake.variant,
                            lambda *a, _v=variant, _id=mistake.id: ran.append(_id) or _v(*a))
    in_order = checks.judge(check, [case], [outcome], checks.ReferenceOracle(logreg2_rubric, check))
    assert ran[-1] == "sign_flipped" and len(ran) > 1
    ran.clear()
    found_first = checks.judge(check, [case], [outcome], checks.ReferenceOracle(logreg2_rubric, check, ("sign_flipped",)))
    assert ran == ["sign_flipped"]
    assert found_first.cases == in_order.cases and found_first.ok
    untimed = next(c for i in logreg2_rubric.items for c in i.checks if c.function == "gradients_vectorized" and not c.timing)
    assert [m.id for m in checks.ReferenceOracle(logreg2_rubric, untimed, ("sign_flipped",)).mistakes] == \
        [m.id for m in untimed.mistakes]  # a value check names the slip explaining most cases: its order stays


def test_a_timed_call_that_raised_earns_no_speed_credit(logreg2_rubric):
    check = _vectorization(logreg2_rubric)
    cases = generate_cases(check, 7, 8, 0)
    raised = Outcome("error", error={"type": "ValueError", "message": "shapes (100000,10) and (100000,) not aligned"},
                     seconds=0.001)
    result = checks.judge(check, cases, [raised], checks.ReferenceOracle(logreg2_rubric, check))
    assert not result.ok and result.cases[0].reason == "slip_raised"


def test_a_raising_slip_is_timed_where_its_code_runs(report):
    fast = outputs(report(BUGGY / "x_not_transposed.py"))["vectorization"]
    assert fast.startswith("**PASS") and "M=1,000, N=1,000" in fast
    slow = outputs(report(JUDGING / "x_not_transposed_slow.py"))["vectorization"]
    assert "on an input with M=1,000, N=1,000" in slow and "still loops" in slow


def test_a_timed_call_that_printed_is_told_so(report):
    out = outputs(report(JUDGING / "vectorized_prints.py"))["vectorization"]
    assert re.search(r"It printed [0-9,]+ bytes while it ran", out) and "still loops" not in out


# --------------------------------------------------------------------------- thousands of examples


def test_every_check_that_sums_over_examples_has_thousands_of_them(logreg2_rubric):
    for item in logreg2_rubric.items:
        for check in item.checks:
            if check.function in SUMS_OVER_EXAMPLES and check.timing is None:
                assert max(d.get("M", 0) for d in check.dims) >= 1000, check.function
            if check.function in LOOPS_OVER_EXAMPLES:
                assert max(d.get("M", 0) for d in check.dims) >= 100, check.function


def test_a_cost_from_the_log_of_a_product_fails(report):
    out = outputs(report(JUDGING / "cost_log_of_product.py"))["cost"]
    assert "J: returned infinity" in out and "M=1000" in out


# --------------------------------------------------------------------------- names in feedback


def test_results_are_named_after_the_output_not_the_input(report):
    assert "- sigmoid(z): expected" in outputs(report(BUGGY / "sigmoid_exp_plus.py"))["sigmoid"]
    loss_out = outputs(report(BUGGY / "loss_no_minus.py"))["single_example"]
    assert "- L: expected" in loss_out and "- y_hat:" not in loss_out


def test_a_name_rebound_to_a_value_is_not_called_undefined(report):
    out = outputs(report(JUDGING / "loss_rebound.py"))["single_example"]
    assert "loss is a float, not a function" in out and "does not define" not in out


def test_the_standin_note_is_shown_when_the_call_raised(report):
    out = outputs(report(JUDGING / "cost_raises_after_helper.py"))["cost"]
    assert "raised RuntimeError" in out and "ran with the reference `sigmoid()`" in out


def test_a_slip_is_named_whatever_constant_was_used(report, logreg2_rubric):
    gd = outputs(report(JUDGING / "gd_random_start.py"))["gradient_descent"]
    assert "**Likely cause:** Gradient descent did not start from zeros" in gd
    dw = outputs(report(JUDGING / "dw_divided_by_n_only.py"))["gradients_vectorized"]
    assert "(`dw` ×M/N, `db` ×1)" in dw


def test_a_family_rule_needs_evidence():
    raw = {"function": "f", "args": {"x": {"normal": []}}, "returns": {"tuple": [{"array": "dw", "shape": ["N"]}, {"float": "db"}]}}
    check = parse_check(raw)
    returns = check.returns
    case = generate_cases(check, 1, 0, 0)[0]
    right = (np.array([1.0, -2.0, 0.5]), 0.3)
    rule = MatchRule(proportional=True)
    tol = Tolerance()
    assert checks.family_matches(rule, (right[0] * 3, 0.3), right, returns, tol, case)
    assert not checks.family_matches(rule, (np.zeros(3), 0.0), right, returns, tol, case)  # zeros: no divisor
    assert not checks.family_matches(rule, (right[0] + [0, 1, 0], 0.3), right, returns, tol, case)
    assert not checks.family_matches(rule, (np.array([2.0]), 0.6), (np.array([1.0]), 0.3), returns, tol, case)


def test_the_self_check_times_a_raising_slip_where_its_code_runs(shared_zygote):
    from grader.selfcheck import check as selfcheck
    from grader.selfcheck.pack import load_pack

    pack = load_pack(ROOT / "assignments" / "logreg2" / "selfcheck.json", "logreg2")
    run = selfcheck.run_check(BUGGY / "x_not_transposed.py", pack, shared_zygote)
    by_id = {r.item.id: r for r in run.items}
    assert by_id["gradients_vectorized"].status == "failed"
    timed = by_id["vectorization"]
    assert timed.passed and timed.results[0].cases[0].note, selfcheck.format_run(run)  # timed on the retry input


def _odd_values() -> list:
    """What the protocol can hand the grader: every plain type, at its edges."""
    from grader.sandbox.child.protocol import Unsupported

    deep: object = 1.0
    for _ in range(30):
        deep = [deep]
    return [math.nan, math.inf, -math.inf, 1e308, 5e-324, 2 ** 62, -(2 ** 62), 0, True, None, "0.5", "",
            np.float16(0.5), np.int8(3), np.bool_(True), np.array(math.nan), np.array([]), np.zeros((0, 3)),
            np.ones((2, 2, 2)), np.array([True, False]), np.full(3, np.inf), np.arange(3, dtype=np.uint8),
            [], [math.nan], [[1.0, 2.0], [3.0]], (1.0,), (math.nan, math.inf, []), {}, {"dJ_dv": math.nan},
            {"dJ_dv": [1.0]}, deep, Unsupported("builtins.object"), (np.ones(3), Unsupported("x"), [math.nan])]


@pytest.mark.parametrize("value", _odd_values(), ids=lambda v: type(v).__name__)
def test_no_returned_value_makes_judging_raise(value, logreg2_rubric):
    """Every check of the rubric judges the value (and a tuple of it) without raising, and says why it fails."""
    for index, item in enumerate(logreg2_rubric.items):
        for j, check in enumerate(item.checks):
            if check.timing is not None:
                continue
            case = generate_cases(check, 3, index, j)[0]
            oracle = checks.ReferenceOracle(logreg2_rubric, check)
            for got in (value, (value, value), (value, value, value)):
                after = tuple(got for _ in check.unchanged)
                result = checks.judge(check, [case], [Outcome("ok", value=got, args_after=after)], oracle)
                assert not result.ok and result.cases[0].reason, (check.function, got)


def test_a_call_that_raises_on_the_retry_input_too_is_not_credited(logreg2_rubric):
    check = _vectorization(logreg2_rubric)
    again = checks.retry_check(check)
    raised = Outcome("error", error={"type": "ValueError", "message": "shapes (100000,10) and (100000,) not aligned"},
                     seconds=0.001)
    first = checks.judge(check, generate_cases(check, 7, 8, 0), [raised], checks.ReferenceOracle(logreg2_rubric, check)).cases[0]
    retry_cases = generate_cases(again, 7, 8, 1000)
    still = Outcome("error", error={"type": "RuntimeError", "message": "no"}, seconds=0.001)
    retried = checks.judge(again, retry_cases, [still], checks.ReferenceOracle(logreg2_rubric, again)).cases[0]
    merged = checks.merge_retry(first, retried, check.function, ["gradients_vectorized"])
    assert not merged.ok and merged.reason == "slip_raised" and "could not be measured" in merged.note
