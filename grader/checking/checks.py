"""Run one rubric check: build its calls, ask the sandbox, judge every answer in the grader.

A check is data (the rubric's spec); this module turns it into calls, computes
expected values with the reference *here*, never in the child, and judges each
case: the value, arguments left unchanged, a gradient check against centered
differences of the reference objective, speed, and known mistakes (the rubric's
wrong variants, run on the same inputs, that reproduce a failing answer).
Expected values come from an ``Oracle``: the reference when grading, a pack of
precomputed answers in the student's self-check.
"""

from __future__ import annotations

import copy
import math
import re
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Literal, Union

import numpy as np

from grader.checking.compare import (Part, PartReason, Tolerance, as_scalar, check_returned, coerce_array, coerce_scalar,
                                     fmt, leaves, part_names, scalars_close)
from grader.sandbox.execution import Call, Outcome
from grader.checking.inputs import Case
from grader.checking.standin_answers import Answer, Budget, record
from grader.sandbox.child.protocol import CallableRef
from grader.rubric import Check, MatchRule, Mistake, ReturnSpec, Rubric
from grader.sandbox.child.testfunctions import TEST_FUNCTIONS
from grader.limits import BUDGETS

GRADIENT_STEP = 1e-6
GRADIENT_ATOL = 1e-7  # the rubric's gradient_check sets rtol; atol is the step's own error


# Why a case failed, as data: how the call ended (an outcome status, ``not_callable``), what the
# returned value got wrong (a part's reason), an argument changed in place (``mutated``), a timed
# call too slow (``slow``), or a timed call that raised a known slip's error (``slip_raised``).
CaseReason = Union[PartReason, Literal["error", "missing", "not_callable", "timeout", "died", "limit", "not_run",
                                       "mutated", "slow", "slip_raised"]]


@dataclass(frozen=True)
class CaseResult:
    case: Case
    parts: tuple[Part, ...]
    problem: str | None = None  # a problem that is not about one part (crash, timeout, mutation)
    diagnosis: str | None = None  # the message of the known slip that reproduces this answer
    note: str | None = None  # said even when the case passes (a timing check excusing a known slip)
    diagnosis_id: str | None = None
    reason: CaseReason | None = None  # why it failed, as data (see ``CaseReason``)
    callees: tuple[str, ...] = ()  # the reference stand-ins the call actually used

    @property
    def notes(self) -> tuple[str, ...]:
        """Everything said even when the case passes: the case's note, then its parts'."""
        return tuple(n for n in (self.note, *(p.note for p in self.parts)) if n)

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
    """Fresh copies of the case's arguments with named test functions made callable; a shared input
    is read-only and is passed as it is (copying the speed check's 8 MB matrix cost 3 ms a call)."""
    return [TEST_FUNCTIONS[v.name] if isinstance(v, CallableRef) else v if k in case.shared else _fresh(v)
            for k, v in case.args.items()]


def _fresh(value: Any) -> Any:
    """A copy the reference may change: a plain array copied in its own memory order, as
    ``copy.deepcopy`` copies it, and a number as it is (deepcopy takes ~5 us even for those, ~400
    times a submission)."""
    if type(value) is np.ndarray:
        return value.copy(order="K")
    if type(value) in (float, int, bool, str) or value is None:
        return value
    return copy.deepcopy(value)


def stub_names(rubric: Rubric, check: Check) -> tuple[str, ...]:
    """Callees replaced by the reference while the function runs (defined by the student or not)."""
    return check.stubs if check.stubs is not None else tuple(f for f in rubric.functions if f != check.function)


def build_calls(check: Check, cases: list[Case], stubs: tuple[str, ...],
                answers: list[tuple[Answer, ...]] | None = None) -> list[Call]:
    """One call per case; ``answers`` are each case's stand-in answers sent along (see ``standin_answers``)."""
    names = check.arg_names or (list(cases[0].args) if cases else [])
    unchanged = tuple(names.index(n) for n in check.unchanged)
    late = [names.index(n) for n in check.timing.late] if check.timing else []
    calls = []
    for number, case in enumerate(cases):
        values = [case.shared.get(name, value) for name, value in case.args.items()]
        if late:
            late_args = tuple([i, values[i]] for i in late)
            early = tuple(None if i in late else v for i, v in enumerate(values))
            calls.append(Call(check.function, early, stubs, unchanged, late_args, timed=True, keywords=check.keywords))
        else:
            table = answers[number] if answers else ()
            calls.append(Call(check.function, tuple(values), stubs, unchanged, keywords=check.keywords, answers=table))
    return calls


@dataclass(frozen=True)
class VariantResult:
    """What one known wrong variant gives on a case: a value, or the type of exception it raised."""

    id: str
    message: str
    value: Any = None
    raised: str | None = None
    raised_message: str = ""
    after: dict[str, Any] = field(default_factory=dict)  # the ``unchanged`` arguments after the call
    match: MatchRule | None = None  # a family of slips, matched by a rule instead of by one value


class Oracle(ABC):
    """Where a check's truth comes from.  Grading asks the reference (``ReferenceOracle``);
    the self-check asks a pack of precomputed answers (``grader.selfcheck.pack``), so no
    reference code has to ship to students."""

    value_items: list[str]  # the items that judge the check's function by value (where a slip is charged)

    @abstractmethod
    def expected(self, case: Case) -> tuple[Any, float]:
        """The right return value, and the seconds it took to compute (0 when unknown)."""

    @abstractmethod
    def reference_seconds(self, case: Case, first: float) -> float:
        """A vectorized solution's best time on this case, on this machine."""

    @abstractmethod
    def iter_variants(self, case: Case) -> Iterator[VariantResult]:
        """Every declared wrong variant's answer on this case, in the rubric's order, one at a time
        (a timing check stops at the first match: its inputs are large)."""

    def variants(self, case: Case) -> list[VariantResult]:
        """The same, all at once."""
        return list(self.iter_variants(case))

    def gradient(self, case: Case, objective: str, position: int) -> Any | None:
        """Centered differences of the objective at argument ``position``; None skips the gradient check."""
        return None

    def stub_answers(self, case: Case, stubs: tuple[str, ...], budget: Budget) -> tuple[Answer, ...]:
        """The stand-in calls a solution like the reference makes on this case, with their answers."""
        return ()


def mistakes_for(rubric: Rubric, check: Check) -> list[Mistake]:
    """The check's declared mistakes; a timing check also borrows those declared for the same function."""
    own = list(check.mistakes)
    if check.timing is None:
        return own
    seen = {m.variant for m in own}
    for item in rubric.items:
        for other in item.checks:
            if other.function == check.function and other is not check:
                for mistake in other.mistakes:
                    if mistake.variant not in seen:
                        seen.add(mistake.variant)
                        own.append(mistake)
    return own


def value_items(rubric: Rubric, check: Check) -> list[str]:
    """Items that judge the values of this check's function without timing it (where a slip is charged)."""
    return [item.id for item in rubric.items
            if any(c.function == check.function and c.timing is None for c in item.checks)]


class ReferenceOracle(Oracle):
    """The truth from the reference and the mistakes module, computed here in the grader."""

    def __init__(self, rubric: Rubric, check: Check, found: tuple[str, ...] = ()) -> None:
        """``found``: ids of slips already diagnosed in this function's value items; a timing check,
        which stops at the first slip that explains its answer, tries those first (each other one
        costs a run of the reference on its large input, ~4 ms on the logreg2 speed check)."""
        self.rubric, self.check = rubric, check
        self.function = getattr(rubric.reference, check.function)
        self.mistakes = mistakes_for(rubric, check)
        if check.timing is not None and found:
            rank = {mistake_id: n for n, mistake_id in enumerate(found)}
            self.mistakes.sort(key=lambda m: rank.get(m.id, len(rank)))  # stable: the rest stay in rubric order
        self.value_items = value_items(rubric, check)
        self._recorded: dict[int, Any] = {}  # id(case) -> the reference's result from recording its stand-ins

    def expected(self, case: Case) -> tuple[Any, float]:
        if id(case) in self._recorded:  # never a timed case: its seconds are not needed
            return copy.deepcopy(self._recorded[id(case)]), 0.0  # each caller its own, as a fresh run gives
        started = time.perf_counter()
        value = self.function(*reference_args(case))
        return value, time.perf_counter() - started

    # Best reference time per (function, input dimensions) seen by this process.  A batch
    # worker grades hundreds of submissions: timing the reference twice more on 32 MB of
    # fresh copies for each of them cost ~90 ms per submission and measured the same thing.
    _best_seconds: dict[tuple[str, str, tuple], float] = {}

    def reference_seconds(self, case: Case, first: float) -> float:
        key = (self.rubric.assignment, self.check.function, tuple(sorted(case.dims.items())))
        known = self._best_seconds.get(key)
        if known is not None:
            best = min(known, first)
        else:
            best, args = first, reference_args(case)
            for _ in range(2):
                started = time.perf_counter()
                self.function(*args)
                best = min(best, time.perf_counter() - started)
        self._best_seconds[key] = best
        return best

    def iter_variants(self, case: Case) -> Iterator[VariantResult]:
        if self.rubric.mistakes is None:
            return
        names = list(case.args)
        for mistake in self.mistakes:
            variant = getattr(self.rubric.mistakes, mistake.variant)
            args = reference_args(case)
            try:
                with np.errstate(all="ignore"):
                    value = variant(*args)
            except Exception as exc:  # noqa: BLE001 (a variant raises where the slip raises)
                yield VariantResult(mistake.id, mistake.message, raised=type(exc).__name__,
                                    raised_message=str(exc)[:300], match=mistake.match)
                continue
            after = {n: args[names.index(n)] for n in self.check.unchanged if n in names}
            yield VariantResult(mistake.id, mistake.message, value=value, after=after, match=mistake.match)

    def gradient(self, case: Case, objective: str, position: int) -> Any | None:
        return _centered_gradient(getattr(self.rubric.reference, objective), reference_args(case), position)

    def stub_answers(self, case: Case, stubs: tuple[str, ...], budget: Budget) -> tuple[Answer, ...]:
        if not stubs or self.check.timing is not None:  # a timed call's stand-ins stay where the clock runs
            return ()
        recording = record(self.rubric.reference, self.check.function, stubs, reference_args(case), budget)
        if recording.returned:  # the same result a plain run gives: it need not run again
            self._recorded[id(case)] = recording.value
        return recording.answers


class PassOnlyOracle(Oracle):
    """Another oracle's truth without its slips: enough to tell whether every case passes (no slip
    is ever asked for one that does), for an item tried first in a reused child."""

    def __init__(self, oracle: Oracle) -> None:
        self.oracle, self.value_items = oracle, oracle.value_items

    def expected(self, case: Case) -> tuple[Any, float]:
        return self.oracle.expected(case)

    def reference_seconds(self, case: Case, first: float) -> float:
        return self.oracle.reference_seconds(case, first)

    def iter_variants(self, case: Case) -> Iterator[VariantResult]:
        return iter(())

    def gradient(self, case: Case, objective: str, position: int) -> Any | None:
        return self.oracle.gradient(case, objective, position)


PRINT_HEAVY_BYTES = 100_000  # a timed call that printed this much spent its time printing


def judge(check: Check, cases: list[Case], outcomes: list[Outcome], oracle: Oracle,
          printed: int = 0) -> CheckResult:
    """Decide every case of a check from what came back, against ``oracle``'s truth.

    A call that did not return is judged by ``judge_failed_call``, a returned value by
    ``judge_returned``; then the known slip that reproduces the most failing cases names the
    likely cause of each (``_name_causes``).  ``printed`` is how many bytes the item's calls
    wrote to stdout and stderr: a slow timed call that printed that much is told so.
    """
    result = CheckResult(check)
    matches: list[list[tuple[VariantResult, bool]]] = []
    for case, outcome in zip(cases, outcomes):
        result.stubbed = tuple(dict.fromkeys(result.stubbed + outcome.callees))
        decide = judge_returned if outcome.status == "ok" else judge_failed_call
        one, found = decide(check, case, outcome, oracle, printed)
        result.cases.append(replace(one, callees=outcome.callees))
        matches.append(found)
    _name_causes(result, matches)
    return result


def judge_failed_call(check: Check, case: Case, outcome: Outcome, oracle: Oracle,
                      printed: int = 0) -> tuple[CaseResult, list[tuple[VariantResult, bool]]]:
    """A call that raised, hung, died or was not run: what went wrong, and which raising slip explains it.

    A timed call that raised computed nothing, so it earns no speed credit here
    (``reason == "slip_raised"`` asks the item pipeline to time it again on an input
    where that code runs).
    """
    timing = check.timing
    names = part_names(check.returns)
    problem = _outcome_problem(check.function, outcome)
    reason = "not_callable" if outcome.reason == "not_callable" else outcome.status
    if timing and outcome.status == "timeout":
        problem = _timeout_problem(check, outcome, oracle.reference_seconds(case, math.inf), case, printed)
    found: list[VariantResult] = []
    if outcome.status == "error" and (not timing or _shape_error(outcome)):
        found = _error_matches(oracle.iter_variants(case), outcome, first=bool(timing))
    if timing and found:
        # The same slip as in the value item, raised by NumPy on whole arrays: nothing was
        # computed, so nothing was fast.  The pipeline may time it where that code runs.
        where = ", ".join(oracle.value_items) or "its own item"
        problem = (f"{problem}. That is the error of a known slip, charged to item `{where}`; as it returned "
                   f"nothing on the timed input, its speed could not be measured there")
        reason, found = "slip_raised", []
    one = CaseResult(case, tuple(Part(n, problem) for n in names), problem, reason=reason)
    return one, [(v, True) for v in found]


def judge_returned(check: Check, case: Case, outcome: Outcome, oracle: Oracle,
                   printed: int = 0) -> tuple[CaseResult, list[tuple[VariantResult, bool]]]:
    """A call that returned: its values, the arguments it must leave alone, its gradient and its speed.

    In a timing check, an answer a known slip explains counts as consistent for the speed
    verdict: the slip is charged to the item that checks the values, not twice.
    """
    timing = check.timing
    tol = check.tolerance
    expected, ref_seconds = oracle.expected(case)
    parts = tuple(check_returned(outcome.value, expected, check.returns, tol, check.strict_types))
    mutated = _unchanged_problem(check, case, outcome)
    found: list[tuple[VariantResult, bool]] = []
    note = None
    problem, reason = mutated, ("mutated" if mutated else None)
    if not all(p.ok for p in parts) or mutated:
        for variant in oracle.iter_variants(case):
            how = _variant_matches(outcome, variant, check, tol, expected, case)
            if how:
                found.append((_with_factors(variant, outcome.value, expected, check.returns, tol, case), how == "exact"))
                if timing:
                    break
    if timing and problem is None and (found or all(p.ok for p in parts)):
        # Values right, or wrong in a way a known slip explains: the speed decides.
        problem = _timing_problem(check, outcome, oracle.reference_seconds(case, ref_seconds), case, printed)
        reason = "slow" if problem else None
        if found:
            parts, found = tuple(Part(p.name, None) for p in parts), []
            note = _consistent_note(check.function, oracle.value_items, fast=problem is None)
    if all(p.ok for p in parts) and problem is None and check.gradient_check is not None:
        parts = tuple(_gradient_parts(oracle, check, case, outcome.value, parts))
    if mutated and not found:
        problem = mutated + _IN_PLACE_HINT.format(name=_mutated_name(check, case, outcome))
    if reason is None and not all(p.ok for p in parts):
        reason = next(p.reason for p in parts if not p.ok) or "value"
    return CaseResult(case, parts, problem, None, note, reason=reason), found


def retry_check(check: Check) -> Check | None:
    """The timed check again on ``timing.retry_dims``: where a slip that raises on the timed input runs."""
    dims = check.timing.retry_dims if check.timing else ()
    return replace(check, dims=dims, literal_cases=()) if dims else None


def merge_retry(original: CaseResult, retried: CaseResult, function: str, value_ids: list[str]) -> CaseResult:
    """The verdict of a timed case whose call raised a known slip's error, from its retry on another input."""
    where = ", ".join(value_ids) or "its own item"
    said = (f"Your `{function}()` raised the error of a known slip on the timed input ({_dims_text(original.case)}); "
            f"that slip is charged to item `{where}` only. Its speed was measured instead on an input where that "
            f"code runs ({_dims_text(retried.case)})")
    if retried.reason in ("error", "slip_raised"):
        return replace(original, note=(f"Your `{function}()` raised on the timed input and again on "
                                       f"{_dims_text(retried.case)}: it computed nothing, so its speed could not be measured."))
    if retried.ok:
        return replace(original, parts=tuple(Part(p.name, None) for p in original.parts), problem=None,
                       reason=None, note=said + ", and it is fine.")
    return replace(original, parts=retried.parts, problem=retried.problem, reason=retried.reason,
                   note=said + ":")


_IN_PLACE_HINT = (": compute a new array ({name} = {name} - alpha * d{name}) "
                  "instead of updating it in place ({name} -= ...)")
_SHAPE_ERROR = re.compile(r"not aligned|mismatch in its core dimension|could not be broadcast|shapes? \(")


def _consistent_note(function: str, value_ids: list[str], fast: bool = True) -> str:
    where = ", ".join(value_ids) or "its own item"
    what = "returns wrong values, but a known slip explains them"
    verdict = "and the speed is fine" if fast else "and the speed is what fails it here"
    return (f"Your `{function}()` {what}; that is charged to item `{where}` only, "
            f"so this item judges its speed alone, {verdict}.")


def _name_causes(result: CheckResult, matches: list[list[tuple[VariantResult, bool]]]) -> None:
    """Give each failing case the known slip that explains the most failing cases; ties go to the
    slip whose own value reproduced the answers (not only its family's rule), then to rubric order."""
    counts: dict[str, int] = {}
    exact: dict[str, int] = {}
    order: dict[str, int] = {}
    for found in matches:
        for rank, (variant, is_exact) in enumerate(found):
            counts[variant.id] = counts.get(variant.id, 0) + 1
            exact[variant.id] = exact.get(variant.id, 0) + int(is_exact)
            order.setdefault(variant.id, rank)
    if not counts:
        return
    best = max(counts, key=lambda i: (counts[i], exact[i], -order[i]))
    for index, (case, found) in enumerate(zip(result.cases, matches)):
        if case.ok or not found:
            continue
        chosen = next((v for v, _ in found if v.id == best), found[0][0])
        result.cases[index] = replace(case, diagnosis=chosen.message, diagnosis_id=chosen.id)


def _variant_matches(outcome: Outcome, variant: VariantResult, check: Check, tol: Tolerance,
                     expected: Any, case: Case) -> str | None:
    """``"exact"`` when the variant reproduces the answer (the same values and the same arguments
    left changed), ``"family"`` when its family's rule does (any constant), else None."""
    if variant.raised is None and same_value(outcome.value, variant.value, tol) and all(
            name not in variant.after or same_value(after, variant.after[name], Tolerance(0.0, 0.0))
            for name, after in zip(check.unchanged, outcome.args_after)):
        return "exact"
    if variant.match and family_matches(variant.match, outcome.value, expected, check.returns, tol, case):
        return "family"
    return None


def family_matches(rule: MatchRule, got: Any, expected: Any, returns: ReturnSpec, tol: Tolerance,
                   case: Case) -> bool:
    """A family of slips, as data: ``proportional`` (every numeric part is the right value times a
    constant of its own, not all of them 1) or ``first_differs: PART`` (the list PART has the right
    length but its first entry is wrong, as when a loop starts from the wrong point)."""
    try:
        if rule.proportional:
            # One number per part fits a factor per part whatever it is: the rule needs more.
            informative = any(np.size(named_part(expected, returns, n)) > 1 for n in part_names(returns))
            factors = _factors(got, expected, returns, tol) if informative else None
            return factors is not None and any(not math.isclose(f, 1.0, rel_tol=1e-6) for f in factors.values())
        if rule.first_differs is not None:
            mine, right = named_part(got, returns, rule.first_differs), named_part(expected, returns, rule.first_differs)
            if mine is None or right is None or len(mine) != len(right) or not len(right):
                return False
            first = as_scalar(mine[0])
            return first is not None and math.isfinite(first) and not same_value(first, right[0], tol)
    except (TypeError, ValueError, KeyError, IndexError, OverflowError):
        return False
    return False


def named_part(value: Any, returns: ReturnSpec, name: str) -> Any:
    """The part called ``name`` of a return value, through nested tuples and dicts (the first leaf of
    that name); None when the value does not have the structure that leads to it."""
    if returns.kind not in ("tuple", "dict"):
        return value
    path = next((path for path, leaf, _ in leaves(returns) if leaf == name), None)
    if path is None:
        return None
    shape = returns
    for step in path:
        if shape.kind == "tuple":
            if not isinstance(value, (tuple, list)) or len(value) != len(shape.parts):
                return None
            value, shape = value[step], shape.parts[step]
        else:
            if not isinstance(value, dict):
                return None
            value, shape = value.get(step), shape.parts[shape.keys.index(step)]
    return value


def _factors(got: Any, expected: Any, returns: ReturnSpec, tol: Tolerance) -> dict[str, float] | None:
    """Each part's constant factor against the right value, or None when some part is not c times it."""
    factors = {}
    for name in part_names(returns):
        mine, right = named_part(got, returns, name), named_part(expected, returns, name)
        right_arr = np.asarray(right, dtype=np.float64)
        mine_arr = np.asarray(mine, dtype=np.float64) if mine is not None else None
        if mine_arr is None or mine_arr.shape != right_arr.shape or not np.all(np.isfinite(mine_arr)):
            return None
        scale = float(np.max(np.abs(right_arr))) if right_arr.size else 0.0
        if scale <= tol.atol:
            continue  # a zero part fits every factor
        factor = float(np.vdot(mine_arr, right_arr) / np.vdot(right_arr, right_arr))
        if abs(factor) < 1e-9:  # zeros are no divisor's doing
            return None
        if not np.allclose(mine_arr, factor * right_arr, rtol=tol.rtol * 10, atol=tol.atol * 10):
            return None
        factors[name] = factor
    return factors or None


def _with_factors(variant: VariantResult, got: Any, expected: Any, returns: ReturnSpec, tol: Tolerance,
                  case: Case) -> VariantResult:
    """The slip's message with ``{factors}`` filled in from the answer (``dw ×M/N, db ×1``)."""
    if "{factors}" not in variant.message:
        return variant
    factors = _factors(got, expected, returns, tol) or {}
    text = ", ".join(f"`{name}` ×{_factor_text(f, case.dims)}" for name, f in factors.items())
    return replace(variant, message=variant.message.replace("{factors}", text or "a constant"))


def _factor_text(factor: float, dims: dict[str, int]) -> str:
    """A factor in the case's own terms when it is one (M, 1/N, M/N...), else as a number."""
    names = {"1": 1.0, **{k: float(v) for k, v in dims.items()}}
    for top, a in names.items():
        for bottom, b in names.items():
            if top != bottom and (top, bottom) != ("1", "1") and math.isclose(factor, a / b, rel_tol=1e-6):
                return top if bottom == "1" else f"{top}/{bottom}"
    return f"{factor:.4g}"


def _error_matches(variants: Iterable[VariantResult], outcome: Outcome, first: bool = False) -> list[VariantResult]:
    """Variants that raise the same type of exception as the student's call did (only the first one if asked).

    When a reference stand-in could not answer during the call, the student's call raised the stub's
    error because of it: a variant (which runs with the reference's own callees) that raises what the
    stand-in raised explains it too (``initialize_with_zeros(12288)`` then ``optimize`` on other data).
    """
    kind = str((outcome.error or {}).get("type", ""))
    shape = _shape_error(outcome)
    found = []
    for variant in variants:
        # A shape slip explains only a shape error, not any exception of the same type.
        same = variant.raised == kind and (shape or not _SHAPE_ERROR.search(variant.raised_message))
        if same or (outcome.callee_error is not None and variant.raised == outcome.callee_error):
            found.append(variant)
            if first:
                break
    return found


def _shape_error(outcome: Outcome) -> bool:
    """NumPy refused whole arrays of mismatched shapes: the code does work with whole arrays."""
    return bool(_SHAPE_ERROR.search(str((outcome.error or {}).get("message", ""))))


def same_value(got: Any, wrong: Any, tol: Tolerance) -> bool:
    """``got`` equals ``wrong`` in structure, shape and value (within ``tol``); never raises."""
    try:
        return _same(got, wrong, tol)
    except (TypeError, ValueError, KeyError, IndexError, OverflowError):
        return False


def _same(got: Any, wrong: Any, tol: Tolerance) -> bool:
    if isinstance(wrong, dict):
        return isinstance(got, dict) and all(k in got and _same(got[k], v, tol) for k, v in wrong.items())
    if isinstance(wrong, (tuple, list)):
        if isinstance(got, np.ndarray) and got.ndim == 1 and all(as_scalar(w) is not None for w in wrong):
            got = list(got)
        return (isinstance(got, (tuple, list)) and len(got) == len(wrong)
                and all(_same(g, w, tol) for g, w in zip(got, wrong)))
    if isinstance(wrong, np.ndarray) and wrong.ndim > 0:
        got, _ = coerce_array(got, wrong.shape)
        if isinstance(got, np.ndarray) and got.dtype.kind == "b":  # labels as booleans are their 0/1 values
            got = got.astype(np.float64)
        if not isinstance(got, np.ndarray) or got.shape != wrong.shape or got.dtype.kind not in "fiu":
            return False
        values = got.astype(np.float64)
        return bool(np.all(np.isfinite(values)) and np.allclose(values, wrong, rtol=tol.rtol, atol=tol.atol))
    expected, (scalar, _) = as_scalar(wrong), coerce_scalar(got)
    if expected is None or scalar is None or not math.isfinite(scalar):
        return False
    return scalars_close(scalar, expected, tol)


def _outcome_problem(function: str, outcome: Outcome) -> str:
    if outcome.status == "missing":
        if outcome.reason == "not_callable":  # the name exists, bound to something that cannot be called
            kind = outcome.detail.removeprefix("builtins.")
            return f"{function} is {_article(kind)} {kind}, not a function: was the name reused for a value?"
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
    if outcome.status == "limit":
        return (f"{function}() sent back {outcome.detail}, beyond what the grader accepts; "
                "return plain numbers and NumPy arrays of the expected shape")
    if outcome.status == "died":
        if outcome.reason == "disk":
            return f"{function}() was stopped: {outcome.detail}"
        return f"{function}() ended the process instead of returning ({outcome.detail}); do not call exit() in graded code"
    return f"{function}() was not run: an earlier call of this item did not return"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _mutated_name(check: Check, case: Case, outcome: Outcome) -> str | None:
    """The first argument the check wants unchanged that the call changed."""
    for name, after in zip(check.unchanged, outcome.args_after):
        before = case.args[name]
        if not isinstance(after, np.ndarray) or after.shape != np.shape(before) or not np.array_equal(after, before):
            return name
    return None


def _unchanged_problem(check: Check, case: Case, outcome: Outcome) -> str | None:
    """The fact only; the fix comes from the matching known slip, or ``_IN_PLACE_HINT``."""
    name = _mutated_name(check, case, outcome)
    if name is None:
        return None
    after = outcome.args_after[check.unchanged.index(name)]
    return f"the caller's {name} was changed by the call (before {fmt(case.args[name])}, after {fmt(after)})"


def _timing_problem(check: Check, outcome: Outcome, best: float, case: Case, printed: int = 0) -> str | None:
    """Too slow against a vectorized solution: the measured slowdown, and what vectorization means."""
    timing = check.timing
    if not timing or outcome.seconds is None:
        return None
    allowed = timing.allowed(best)
    if outcome.seconds > allowed:
        return (f"{check.function}() took {outcome.seconds:.3f} s on an input with {_dims_text(case)}, "
                f"about {outcome.seconds / max(best, 1e-6):.0f}x the time of a vectorized solution "
                f"({best:.3f} s; at most {allowed:.3f} s allowed). " + _slow_cause(printed))
    return None


SPEED_STOP_SECONDS = BUDGETS.speed_stop_seconds


def speed_allowed(check: Check, case: Case, oracle: Oracle) -> float | None:
    """The seconds a timed call may take and pass here (``Timing.allowed`` of the reference's best
    time).  The best time only falls as this process measures it again, so what is allowed when
    the call is judged is no more than this."""
    return None if check.timing is None else check.timing.allowed(oracle.reference_seconds(case, math.inf))


def speed_stop(check: Check, case: Case, oracle: Oracle) -> float | None:
    """How long a timed call may run (``Budgets.speed_stop_seconds``): twice what it may take and
    pass, past which it has failed whatever it returns."""
    allowed = speed_allowed(check, case, oracle)
    return None if allowed is None else max(SPEED_STOP_SECONDS, 2 * allowed)


def _timeout_problem(check: Check, outcome: Outcome, best: float, case: Case, printed: int = 0) -> str:
    """A timed call stopped at the time limit: at least that slow, which is the slowdown to report."""
    seconds = outcome.limit_seconds
    took = f"more than {seconds:g} s" if seconds else "longer than the time limit"
    factor = f"over {seconds / max(best, 1e-6):.0f}x" if seconds else "many times"
    return (f"{check.function}() took {took} on an input with {_dims_text(case)} and was stopped: "
            f"{factor} the time of a vectorized solution ({best:.3f} s). " + _slow_cause(printed))


def _slow_cause(printed: int) -> str:
    """Why a timed call was slow: printing, when it printed a lot, else loops."""
    if printed >= PRINT_HEAVY_BYTES:
        return (f"It printed {printed:,} bytes while it ran, and printing that much takes time of its own: "
                f"remove the print calls from the function (or print only a summary) and the time is its code's")
    return _VECTORIZE


_VECTORIZE = ("It still loops over the examples or features in Python. Vectorization replaces the loops over "
              "m and n by whole-array operations: dJ/dw = (1/M)(ŷ - y)ᵀ·X with np.dot or np.matmul, and "
              "dJ/db = (1/M) Σ(ŷ - y) with np.sum")


def _dims_text(case: Case) -> str:
    return ", ".join(f"{k}={v:,}" for k, v in case.dims.items()) or "these arguments"


def _gradient_parts(oracle: Oracle, check: Check, case: Case, got: Any, parts: tuple[Part, ...]) -> list[Part]:
    """Check each gradient output against centered differences of the reference objective."""
    gradient = check.gradient_check
    assert gradient is not None
    names = list(case.args)
    out = list(parts)
    tol = Tolerance(rtol=gradient.rtol, atol=GRADIENT_ATOL)
    for key, arg in gradient.outputs:
        numeric = oracle.gradient(case, gradient.objective, names.index(arg))
        if numeric is None:
            continue
        index = int(key) if key.isdigit() else next(i for i, p in enumerate(parts) if p.name == key)
        value = got[int(key)] if key.isdigit() else named_part(got, check.returns, key)
        mine = np.asarray(value, dtype=np.float64).reshape(np.shape(numeric))
        if not np.allclose(mine, numeric, rtol=tol.rtol, atol=tol.atol):
            out[index] = Part(parts[index].name, f"{parts[index].name} fails the gradient check: centered differences of "
                              f"{gradient.objective} give {fmt(numeric)}, you returned {fmt(mine)}")
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


def item_fraction(credit: str, results: list[CheckResult]) -> float:
    """The share of an item's points earned: all or nothing, per check, or per part of one check."""
    if not results:
        return 0.0
    if credit == "per_part":
        return results[0].part_fraction()
    if credit == "per_check":
        return sum(r.ok for r in results) / len(results)
    return float(all(r.ok for r in results))
