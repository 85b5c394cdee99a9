"""Run one rubric check: build its calls, ask the sandbox, judge every answer in the grader.

A check is data (the rubric's spec); this module turns it into calls, computes
expected values with the reference *here*, never in the child, and judges each
case: the value, arguments left unchanged, a gradient check against centered
differences of the reference objective, speed, and known mistakes.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable

import numpy as np

from grader.compare import Part, Tolerance, check_returned, fmt, part_names
from grader.execution import Call, Outcome
from grader.inputs import Case
from grader.protocol import CallableRef
from grader.rubric import Check, Rubric
from grader.testfunctions import TEST_FUNCTIONS

GRADIENT_STEP = 1e-6
GRADIENT_TOL = Tolerance(rtol=1e-5, atol=1e-7)


@dataclass(frozen=True)
class CaseResult:
    case: Case
    parts: tuple[Part, ...]
    problem: str | None = None  # a problem that is not about one part (crash, timeout, mutation)
    diagnosis: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None and all(p.ok for p in self.parts)


@dataclass
class CheckResult:
    check: Check
    cases: list[CaseResult] = field(default_factory=list)
    stubbed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.cases)

    def part_fraction(self) -> float:
        """Share of parts right in every case: four of five derivatives right earn four fifths."""
        if not self.cases:
            return 0.0
        names = [p.name for p in self.cases[0].parts]
        good = sum(all(c.problem is None and c.parts[i].ok for c in self.cases) for i in range(len(names)))
        return good / len(names) if names else float(self.ok)


def reference_args(case: Case) -> list[Any]:
    """Fresh copies of the case's arguments with named test functions made callable."""
    return [TEST_FUNCTIONS[v.name] if isinstance(v, CallableRef) else copy.deepcopy(v) for v in case.args.values()]


def stub_names(rubric: Rubric, check: Check) -> tuple[str, ...]:
    """Callees replaced by the reference while the function runs (defined by the student or not)."""
    return tuple(check.spec.get("stubs", [f for f in rubric.functions if f != check.function]))


def build_calls(check: Check, cases: list[Case], stubs: tuple[str, ...]) -> list[Call]:
    names = list(check.spec.get("args", {})) or (list(cases[0].args) if cases else [])
    unchanged = tuple(names.index(n) for n in check.spec.get("unchanged", []))
    late = [names.index(n) for n in check.spec.get("timing", {}).get("late", [])]
    calls = []
    for case in cases:
        values = list(case.args.values())
        if late:
            late_args = tuple([i, values[i]] for i in late)
            early = tuple(None if i in late else v for i, v in enumerate(values))
            calls.append(Call(check.function, early, stubs, unchanged, late_args, timed=True))
        else:
            calls.append(Call(check.function, tuple(values), stubs, unchanged))
    return calls


def judge(rubric: Rubric, check: Check, cases: list[Case], outcomes: list[Outcome]) -> CheckResult:
    """Decide every case of a check from what came back."""
    spec = check.spec
    tol = Tolerance(**spec.get("tolerance", {}))
    reference = getattr(rubric.reference, check.function)
    result = CheckResult(check)
    for case, outcome in zip(cases, outcomes):
        result.stubbed = tuple(dict.fromkeys(result.stubbed + outcome.callees))
        names = part_names(spec["returns"])
        if outcome.status != "ok":
            problem = _outcome_problem(check.function, outcome)
            result.cases.append(CaseResult(case, tuple(Part(n, problem) for n in names), problem))
            continue
        started = time.perf_counter()
        expected = reference(*reference_args(case))
        ref_seconds = time.perf_counter() - started
        parts = tuple(check_returned(outcome.value, expected, spec["returns"], tol))
        problem = _unchanged_problem(spec, case, outcome) or _timing_problem(spec, outcome, ref_seconds, rubric, case)
        if all(p.ok for p in parts) and "gradient_check" in spec:
            parts = tuple(_gradient_parts(rubric, spec, case, outcome.value, parts))
        diagnosis = None
        if problem is None and not all(p.ok for p in parts):
            diagnosis = _diagnose(rubric, spec, case, outcome.value, tol)
        result.cases.append(CaseResult(case, parts, problem, diagnosis))
    return result


def _outcome_problem(function: str, outcome: Outcome) -> str:
    if outcome.status == "missing":
        return f"your submission does not define {function}()"
    if outcome.status == "error":
        error = outcome.error or {}
        kind = str(error.get("type", "Exception"))
        if kind == "NotImplementedError":
            return f"{function}() raised NotImplementedError: it is still the starter code"
        where = f" (line {error['line']})" if isinstance(error.get("line"), int) else ""
        if kind in ("SystemExit", "KeyboardInterrupt", "GeneratorExit"):
            return f"{function}() raised {kind}{where} instead of returning; graded code must not exit"
        return f"{function}() raised {kind}{where}: {str(error.get('message', ''))[:300]}"
    if outcome.status == "timeout":
        return f"{function}() {outcome.detail} (an endless loop, or a wait?)"
    if outcome.status == "died":
        return f"{function}() ended the process instead of returning ({outcome.detail}); do not call exit() in graded code"
    return f"{function}() was not run: an earlier call of this item did not return"


def _unchanged_problem(spec: dict[str, Any], case: Case, outcome: Outcome) -> str | None:
    for name, after in zip(spec.get("unchanged", []), outcome.args_after):
        before = case.args[name]
        if not isinstance(after, np.ndarray) or after.shape != np.shape(before) or not np.array_equal(after, before):
            return (f"the caller's {name} was changed by the call (before {fmt(before)}, after {fmt(after)}): "
                    f"compute a new array ({name} = {name} - alpha * d{name}) instead of updating it in place ({name} -= ...)")
    return None


def _timing_problem(spec: dict[str, Any], outcome: Outcome, ref_seconds: float, rubric: Rubric, case: Case) -> str | None:
    timing = spec.get("timing")
    if not timing or outcome.seconds is None:
        return None
    reference = getattr(rubric.reference, spec["function"])
    best = ref_seconds
    for _ in range(2):
        started = time.perf_counter()
        reference(*reference_args(case))
        best = min(best, time.perf_counter() - started)
    allowed = timing["factor"] * best + timing["slack_seconds"]
    if outcome.seconds > allowed:
        return (f"{spec['function']}() took {outcome.seconds:.3f} s on an input with {_dims_text(case)}, "
                f"about {outcome.seconds / max(best, 1e-6):.0f}x a vectorized solution's time "
                f"(at most {allowed:.3f} s allowed): replace Python loops over examples or features by NumPy "
                f"operations such as X @ w, (y_hat - y) @ X and np.sum")
    return None


def _dims_text(case: Case) -> str:
    return ", ".join(f"{k}={v:,}" for k, v in case.dims.items()) or "these arguments"


def _gradient_parts(rubric: Rubric, spec: dict[str, Any], case: Case, got: Any, parts: tuple[Part, ...]) -> list[Part]:
    """Check each gradient output against centered differences of the reference objective."""
    gradient = spec["gradient_check"]
    objective: Callable[..., float] = getattr(rubric.reference, gradient["objective"])
    names = list(case.args)
    out = list(parts)
    for key, arg in gradient["outputs"].items():
        index = int(key) if key.isdigit() else next(i for i, p in enumerate(parts) if p.name == key)
        value = got[int(key)] if key.isdigit() else got[key]
        numeric = _centered_gradient(objective, reference_args(case), names.index(arg))
        tol = Tolerance(rtol=gradient.get("rtol", GRADIENT_TOL.rtol), atol=GRADIENT_TOL.atol)
        mine = np.asarray(value, dtype=np.float64).reshape(np.shape(numeric))
        if not np.allclose(mine, numeric, rtol=tol.rtol, atol=tol.atol):
            out[index] = Part(parts[index].name, f"{parts[index].name} fails the gradient check: centered differences of "
                              f"{gradient['objective']} give {fmt(numeric)}, you returned {fmt(mine)}")
    return out


def _centered_gradient(objective: Callable[..., float], args: list[Any], position: int) -> Any:
    point = args[position]
    if np.ndim(point) == 0:
        up, down = list(args), list(args)
        up[position], down[position] = float(point) + GRADIENT_STEP, float(point) - GRADIENT_STEP
        return (objective(*up) - objective(*down)) / (2 * GRADIENT_STEP)
    grad = np.zeros_like(point, dtype=np.float64)
    for index in np.ndindex(point.shape):
        up, down = point.copy(), point.copy()
        up[index] += GRADIENT_STEP
        down[index] -= GRADIENT_STEP
        grad[index] = (objective(*_with(args, position, up)) - objective(*_with(args, position, down))) / (2 * GRADIENT_STEP)
    return grad


def _with(args: list[Any], position: int, value: Any) -> list[Any]:
    out = list(args)
    out[position] = value
    return out


def _diagnose(rubric: Rubric, spec: dict[str, Any], case: Case, got: Any, tol: Tolerance) -> str | None:
    """The message of the first known wrong variant that reproduces the student's answer."""
    for mistake in spec.get("mistakes", []):
        variant = getattr(rubric.mistakes, mistake["variant"])
        try:
            wrong = variant(*reference_args(case))
        except Exception:  # noqa: BLE001 (a variant may not apply to every input)
            continue
        if _matches(got, wrong, spec["returns"], tol):
            return mistake["message"]
    return None


def _matches(got: Any, wrong: Any, returns: dict[str, Any], tol: Tolerance) -> bool:
    try:
        return all(p.ok for p in check_returned(got, wrong, returns, tol))
    except (TypeError, KeyError, IndexError, ValueError):
        return False
