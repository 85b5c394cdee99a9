"""The item pipeline grading and the self-check share: plans, one run, slices, and judging by an Oracle."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Iterator

import pytest

from grader.checking import checks, pipeline
from grader.checking.checks import Oracle, ReferenceOracle, VariantResult
from grader.checking.inputs import Case
from grader.rubric import parse_check
from grader.sandbox import execution
from grader.sandbox.execution import Call, Outcome
from grader.selfcheck.check import PackOracle

COST = parse_check({"function": "cost", "returns": {"float": "J"}, "literal_cases": [{"x": 1.0}, {"x": 2.0}]})
SIGMOID = parse_check({"function": "sigmoid", "returns": {"float": "s"}, "literal_cases": [{"z": 0.0}]})


class Doubles(Oracle):
    """Truth by hand: the answer is twice the argument; a known slip returns it unchanged."""

    value_items = ["cost"]

    def expected(self, case: Case) -> tuple[Any, float]:
        return 2 * next(iter(case.args.values())), 0.0

    def reference_seconds(self, case: Case, first: float) -> float:
        return 0.001

    def iter_variants(self, case: Case) -> Iterator[VariantResult]:
        yield VariantResult("undoubled", "You forgot to double it.", value=next(iter(case.args.values())))


def cases(*values: float) -> list[Case]:
    return [Case({"x": v}, {}, k) for k, v in enumerate(values)]


def test_the_oracle_is_abstract_and_both_truths_implement_it():
    with pytest.raises(TypeError):
        Oracle()  # type: ignore[abstract]
    assert issubclass(ReferenceOracle, Oracle) and issubclass(PackOracle, Oracle)


def test_judge_takes_its_truth_from_the_oracle_and_names_the_slip_by_id():
    result = checks.judge(COST, cases(1.0, 2.0), [Outcome("ok", value=2.0), Outcome("ok", value=2.0)], Doubles())
    first, second = result.cases
    assert first.ok and not second.ok
    assert (second.diagnosis_id, second.diagnosis, second.reason) == ("undoubled", "You forgot to double it.", "value")


def test_judge_sends_a_failed_call_and_a_returned_value_down_their_own_paths():
    undefined = Outcome.because("undefined")
    failed, found = checks.judge_failed_call(COST, cases(1.0)[0], undefined, Doubles())
    assert failed.reason == "missing" and not found and "does not define cost()" in failed.problem
    returned, _ = checks.judge_returned(COST, cases(1.0)[0], Outcome("ok", value=2.0), Doubles())
    assert returned.ok
    result = checks.judge(COST, cases(1.0, 2.0), [undefined, Outcome("ok", value=4.0)], Doubles())
    assert [c.reason for c in result.cases] == ["missing", None]


def test_one_run_per_item_and_each_plan_gets_its_own_slice(monkeypatch):
    sent: list[list[Call]] = []

    def run_item(session: Any, calls: list[Call], serve: Any, reuse: bool = False) -> list[Outcome]:
        sent.append(calls)
        session.stdout.total += 7
        return [Outcome("ok", value=float(k)) for k in range(len(calls))]

    monkeypatch.setattr(pipeline.execution, "run_item", run_item)
    session = SimpleNamespace(stdout=SimpleNamespace(total=0), stderr=SimpleNamespace(total=3), alive=True)
    plans = [pipeline.plan_check(COST, cases(1.0, 2.0), (), Doubles()),
             pipeline.plan_check(SIGMOID, [Case({"z": 0.0}, {}, 0)], ("cost",), Doubles())]
    run = pipeline.run_plans(session, plans, lambda *a: None)
    assert len(sent) == 1 and [c.fn for c in sent[0]] == ["cost", "cost", "sigmoid"]
    assert sent[0][2].stubs == ("cost",)
    assert [[o.value for o in chunk] for chunk in run.outcomes] == [[0.0, 1.0], [2.0]]
    assert run.printed == 7 and not run.timed_out


def test_run_checks_judges_each_plan_then_its_follow_up_in_order(monkeypatch):
    monkeypatch.setattr(pipeline.execution, "run_item",
                        lambda session, calls, serve, reuse=False: [Outcome("ok", value=2.0), Outcome("ok", value=4.0),
                                                       Outcome.because("deadline", limit_seconds=1.0)])
    session = SimpleNamespace(stdout=SimpleNamespace(total=0), stderr=SimpleNamespace(total=0), alive=True)
    plans = [pipeline.plan_check(COST, cases(1.0, 2.0), (), Doubles()),
             pipeline.plan_check(SIGMOID, [Case({"z": 0.0}, {}, 0)], (), Doubles())]
    seen: list[tuple[int, str, int]] = []

    def follow_up(index: int, judged: checks.CheckResult, done: list[checks.CheckResult]) -> checks.CheckResult:
        seen.append((index, judged.check.function, len(done)))
        return judged

    run, results = pipeline.run_checks(session, plans, lambda *a: None, follow_up)
    assert seen == [(0, "cost", 0), (1, "sigmoid", 1)]
    assert [r.ok for r in results] == [True, False] and results[1].cases[0].reason == "timeout"
    assert run.timed_out


def test_a_checks_keywords_reach_the_wire_and_nothing_else_changes():
    model = parse_check({"function": "model", "returns": {"float": "J"}, "keywords": ["rate"],
                         "literal_cases": [{"x": 1.0, "rate": 0.5}]})
    call = checks.build_calls(model, [Case({"x": 1.0, "rate": 0.5}, {}, 0)], ())[0]
    assert call.keywords == ("rate",) and execution._wire(call)["keywords"] == ["rate"]
    plain = checks.build_calls(COST, cases(1.0), ())[0]
    assert "keywords" not in execution._wire(plain)  # the wire of a check without keywords is as before
