"""Grade one submission against a rubric: load it in a session, run every item, score it.

One item is one score, graded in a child forked from the loaded state or in the
child a clean item left (see ``_grade_item``); a function that hangs, crashes or
lies costs its own item only.  Items judge a function with the reference
versions of its callees (served from here, see ``checks.stub_names``), so a bug
in a helper is charged to the helper's item alone.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator, Literal

import numpy as np

from grader.checking import checks
from grader.checking.feedback import item_output, item_score, verdict_line
from grader.checking.inputs import Case, generate_cases, seed_for, shared_fds
from grader.checking.pipeline import ItemPlan, plan_check, retry_timed, run_checks, run_plans
from grader.checking.standin_answers import Budget, standin_value
from grader.reporting.escaping import markdown_text
from grader.checking.compare import leaves
from grader.rubric import ArgSpec, Check, Item, Rubric
from grader.sandbox import execution
from grader.limits import BUDGETS, CAPS, Limits
from grader.sandbox.zygote import Session, Zygote, make_scratch
from grader.submission.locate import Submission

MAX_CALLBACK_ELEMENTS = CAPS.callback_elements
REUSED_CALL_SECONDS = BUDGETS.reused_call_seconds
COMPUTE_FACTOR = 2  # a stand-in may build arrays twice as large as the rubric's largest input
MIN_COMPUTE_BOUND = 100_000


@dataclass(frozen=True)
class ItemResult:
    item: Item
    score: float
    output: str
    timed_out: bool = False
    checks: tuple[checks.CheckResult, ...] = ()  # what was judged; empty when the item was not graded
    headline: str = ""  # the verdict as one plain line; student text in it is not escaped for any medium

    @property
    def passed(self) -> bool:
        return self.score >= self.item.points - 1e-9


# ``load_error``: nothing could be graded (see ``load_blocker``); ``timeout``: a call, statement or
# the load was stopped at its limit (the rest was graded).
GradeStatus = Literal["graded", "load_error", "timeout"]


@dataclass
class GradeResult:
    submission: Submission
    rubric: Rubric
    items: list[ItemResult] = field(default_factory=list)
    load: execution.LoadResult | None = None
    status: GradeStatus = "graded"
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""
    series: dict[str, dict[str, list[float | str]]] = field(default_factory=dict)
    passed_functions: set[str] = field(default_factory=set)  # functions whose value checks all passed so far

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.items), 4)


def limits_for(rubric: Rubric, overrides: dict[str, Any] | None = None) -> Limits:
    """The rubric's limits, then any overrides (tests and instructors may shorten them)."""
    return Limits().with_overrides(**{**rubric.limits, **(overrides or {})})


def grade(submission: Submission, rubric: Rubric, zygote: Zygote, limits: Limits) -> GradeResult:
    """The full result for one submission; never raises for anything the student did."""
    started = time.monotonic()
    result = GradeResult(submission, rubric)
    if submission.problem is not None:
        result.status = "load_error"
        result.items = [_not_graded(item, f"{submission.problem}.") for item in rubric.items]
    else:
        _grade_loaded(result, zygote, limits)
    result.seconds = time.monotonic() - started
    return result


def _not_graded(item: Item, reason: str) -> ItemResult:
    """Zero for an item nothing could be graded for; the reason may hold file names and
    messages the student wrote, so the Markdown shows it escaped."""
    return ItemResult(item, 0.0, f"Not graded: {markdown_text(reason)}", headline=f"Not graded: {reason}")


def _open(submission: Submission, rubric: Rubric, zygote: Zygote, limits: Limits) -> tuple[Session, execution.LoadResult]:
    session = zygote.spawn(make_scratch(), limits, shared_fds(rubric))
    assert submission.path is not None
    return session, execution.load(session, submission.cells, rubric.module_name, submission.path.name)


def _grade_loaded(result: GradeResult, zygote: Zygote, limits: Limits) -> None:
    submission, rubric = result.submission, result.rubric
    session, load = _open(submission, rubric, zygote, limits)
    result.load = load
    printed: list[tuple[str, str]] = []  # what each session printed; a hang restarts the session
    try:
        blocker = load_blocker(submission, load)
        if blocker is not None:
            result.status = "load_error"
            result.items = [_not_graded(item, blocker) for item in rubric.items]
            return
        seed = seed_for(rubric.assignment, submission.data)
        reuse = False
        for index, item in enumerate(rubric.items):
            graded: ItemResult | None = None
            for last_try in (False, True):  # again in a new session when the item found its session ended
                if not session.alive:
                    session.close()
                    printed.append((session.stdout.text(), session.stderr.text()))
                    session, _ = _open(submission, rubric, zygote, limits)
                    reuse = False
                graded, reuse = _grade_item(session, rubric, item, index, seed, load, result, reuse, last_try)
                if graded is not None:
                    break
            assert graded is not None
            result.items.append(graded)
        if any(r.timed_out for r in result.items) or any(p.kind in ("timeout", "budget") for p in load.problems):
            result.status = "timeout"
    finally:
        session.close()
        printed.append((session.stdout.text(), session.stderr.text()))
        result.stdout = "".join(out for out, _ in printed)
        result.stderr = "".join(err for _, err in printed)


SYNTAX_ERRORS = ("SyntaxError", "IndentationError", "TabError")


def load_blocker(submission: Submission, load: execution.LoadResult) -> str | None:
    """Why nothing can be graded: a .py Python would not compile, or a sandbox that did not start.

    Anything else that went wrong while loading costs only itself (the contract's loading rules).
    """
    if load.fatal:
        return f"the submission could not be run: {load.fatal}."
    if submission.kind == "py" and len(submission.cells) == 1:
        for problem in load.problems:
            if problem.kind == "error" and problem.error_type in SYNTAX_ERRORS:
                line = f" at line {problem.line}" if problem.line else ""
                return (f"{problem.label} could not be imported: {problem.message}{line}. "
                        "Fix this first: no function can be graded.")
    return None


def _grade_item(session: Session, rubric: Rubric, item: Item, index: int, seed: int,
                load: execution.LoadResult, result: GradeResult, reuse: bool,
                last_try: bool = True) -> tuple[ItemResult | None, bool]:
    """The item's result, and whether the next item may reuse its child (None, unless ``last_try``:
    grade it again in a new session, as this one ended before the item's fresh child could start:
    in its try in a reused child, or earlier, when an item killed the mainline its child came from).

    With ``reuse``, the item is first tried in the child the last item left (it passed cleanly and
    its child saw no change, see ``Session.reusable``), judged without slips: a clean pass there is
    the verdict a fresh child gives, as no slip is asked for a case that passes.  Anything else is
    graded again from the start in a fresh child from the loaded state, so a leftover the child
    did not see can cost no points.  A fork per item cost about 3 ms of CPU on this 2-core VM.
    """
    budget = Budget()
    plans = [_plan(rubric, check, generate_cases(check, seed, index, j), budget, _slips_found(result, check))
             for j, check in enumerate(item.checks)]
    serve = _serve(rubric)
    if reuse and session.reusable():
        passed_before = set(result.passed_functions)
        quick = [_quick(plan) for plan in plans]
        tried = _judged_item(session, rubric, item, quick, serve, load, result, reuse=True)
        if _clean(tried):
            return tried, session.reusable()
        result.passed_functions.clear()
        result.passed_functions.update(passed_before)
        result.series.pop(item.id, None)
        if not session.alive:
            return None, False
    execution.release(session)  # the fresh child is forked by the mainline, if it is still there
    if not session.alive and not last_try:
        return None, False
    graded = _judged_item(session, rubric, item, plans, serve, load, result, reuse=False,
                          follow=lambda j, judged: _follow_up(session, rubric, judged, plans[j], seed, index, j,
                                                              serve, result))
    return graded, _clean(graded) and session.reusable()


def _quick(plan: ItemPlan) -> ItemPlan:
    """A plan for a try in a reused child: no slips, and calls stopped at ``REUSED_CALL_SECONDS``, a
    timed one once it has taken what it may take and pass.  Only a clean pass is kept from there: a
    call slower than that is graded again in a fresh child, with its whole limit."""
    allowed = [checks.speed_allowed(plan.check, case, plan.oracle) for case in plan.cases]
    calls = tuple(replace(call, seconds=REUSED_CALL_SECONDS if passes is None else min(REUSED_CALL_SECONDS, passes))
                  for call, passes in zip(plan.calls, allowed))
    return replace(plan, calls=calls, oracle=checks.PassOnlyOracle(plan.oracle))


def _clean(graded: ItemResult) -> bool:
    """Full marks, every case passed and nothing said beside: what a reused child may give."""
    return graded.passed and not graded.timed_out and all(
        case.ok and case.note is None for check in graded.checks for case in check.cases)


def _follow_up(session: Session, rubric: Rubric, judged: checks.CheckResult, plan: ItemPlan, seed: int,
               index: int, position: int, serve: execution.CallbackServer, result: GradeResult) -> checks.CheckResult:
    """A failing case again with the student's own callees that passed their items, and a timed call
    that raised a known slip's error again where that code runs (each in a fresh child)."""
    judged = _with_own_callees(session, rubric, judged, result.passed_functions)
    return retry_timed(session, judged, plan.oracle.value_items, serve,
                       lambda n: _retry_plan(rubric, judged.check, seed, index, position, n))


def _judged_item(session: Session, rubric: Rubric, item: Item, plans: list[ItemPlan], serve: execution.CallbackServer,
                 load: execution.LoadResult, result: GradeResult, reuse: bool,
                 follow: Callable[[int, checks.CheckResult], checks.CheckResult] | None = None) -> ItemResult:
    """Plan every check's calls, run them in one child, judge them, then ``follow`` each check up."""

    def follow_up(j: int, judged: checks.CheckResult, done: list[checks.CheckResult]) -> checks.CheckResult:
        if follow is not None:
            judged = follow(j, judged)
        _record_passed(result.passed_functions, [*done, judged], [p.check for p in plans[j + 1:]])
        return judged

    run, check_results = run_checks(session, plans, serve, follow_up, reuse)
    curve = _series(rubric, plans[0], run.outcomes[0])
    if curve:
        result.series[item.id] = curve
    return ItemResult(item, item_score(item, check_results), item_output(item, check_results, load),
                      timed_out=run.timed_out, checks=tuple(check_results),
                      headline=verdict_line(item, check_results))


def _plan(rubric: Rubric, check: Check, cases: list[Case], budget: Budget | None = None,
          found: tuple[str, ...] = ()) -> ItemPlan:
    oracle = checks.ReferenceOracle(rubric, check, found)
    return plan_check(check, cases, checks.stub_names(rubric, check), oracle, budget)


def _slips_found(result: GradeResult, check: Check) -> tuple[str, ...]:
    """The slips diagnosed so far in the items that judge a timed check's function by value."""
    if check.timing is None:
        return ()
    return tuple(dict.fromkeys(case.diagnosis_id for graded in result.items for judged in graded.checks
                               if judged.check.function == check.function and judged.check.timing is None
                               for case in judged.cases if case.diagnosis_id))


def _retry_plan(rubric: Rubric, check: Check, seed: int, index: int, position: int, count: int) -> ItemPlan | None:
    """The timed check again on ``timing.retry_dims``, its first ``count`` cases."""
    again = checks.retry_check(check)
    if again is None:
        return None
    return _plan(rubric, again, generate_cases(again, seed, index, position + 1000)[:count])


def _record_passed(passed: set[str], judged: list[checks.CheckResult], later: list[Check]) -> None:
    """Once a function's last value check of an item is judged, it has passed when all of them did;
    a later check of the same item (``backward_single`` after ``forward_single``) may then use it."""
    function = judged[-1].check.function
    if judged[-1].check.timing is not None or any(c.function == function and c.timing is None for c in later):
        return
    if all(r.ok for r in judged if r.check.function == function and r.check.timing is None):
        passed.add(function)
    else:
        passed.discard(function)


def _with_own_callees(session: Session, rubric: Rubric, judged: checks.CheckResult,
                      passed: set[str]) -> checks.CheckResult:
    """A case that failed with reference stand-ins is run again with the student's own versions
    of the stand-ins it used that passed their own items; when it passes then, it earns the credit
    (the student's helpers may accept inputs the reference's do not)."""
    check = judged.check
    if check.timing is not None or not session.alive:
        return judged
    retry = [(k, c) for k, c in enumerate(judged.cases)
             if not c.ok and c.reason in ("error", "value", "type", "shape", "structure", "length", "nonfinite")
             and set(c.callees) & passed]
    if not retry:
        return judged
    cases = [c.case for _, c in retry]
    stubs = tuple(s for s in checks.stub_names(rubric, check) if s not in passed)
    plan = plan_check(check, cases, stubs, checks.ReferenceOracle(rubric, check))
    again = checks.judge(check, cases, list(run_plans(session, [plan], _serve(rubric)).outcomes[0]), plan.oracle)
    for (k, first), second in zip(retry, again.cases):
        if second.ok:
            own = ", ".join(f"`{n}()`" for n in first.callees if n in passed)
            judged.cases[k] = replace(second, note=(
                f"Some cases failed with the reference's stand-ins for the functions `{check.function}()` calls; "
                f"with your own {own}, which passed {'its' if ',' not in own else 'their'} own checks, they pass, "
                f"so they get the credit."))
    return judged


def _serve(rubric: Rubric) -> execution.CallbackServer:
    """Reference stand-ins for stubs, bounded so a student cannot make the grader work forever, and
    returning what a correct student function returns (NumPy scalars, see ``standin_value``).
    What the reference prints (``optimize(..., print_cost=True)`` called inside ``model``) goes
    nowhere: the grader's own output may be the report."""
    bound = _compute_bound(rubric)

    def serve(name: str, args: list, kwargs: dict) -> Any:
        values = list(args) + list(kwargs.values())
        size = sum(np.size(a) for a in values if isinstance(a, np.ndarray))
        if size > MAX_CALLBACK_ELEMENTS:
            raise ValueError(f"arguments with {size:,} numbers are more than the grader serves")
        _refuse_large_results(name, values, bound, _declared_size(rubric, name, args, kwargs))
        with np.errstate(all="ignore"), _silenced():
            return standin_value(getattr(rubric.reference, name)(*args, **kwargs))

    return serve


@contextlib.contextmanager
def _silenced() -> Iterator[None]:
    """The reference's prints and warnings text go nowhere while it answers a stand-in call."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


_bounds: dict[int, tuple[tuple[Item, ...], int]] = {}  # by id(rubric.items), kept alive here


def _compute_bound(rubric: Rubric) -> int:
    """The most numbers a stand-in call may build, once per rubric (``_serve`` is made for every item)."""
    known = _bounds.get(id(rubric.items))
    if known is None or known[0] is not rubric.items:
        known = (rubric.items, COMPUTE_FACTOR * max(_largest_input(rubric), MIN_COMPUTE_BOUND // COMPUTE_FACTOR))
        _bounds[id(rubric.items)] = known
    return known[1]


def _largest_input(rubric: Rubric) -> int:
    """The most numbers in one argument the rubric's own cases hold (the vectorization item's ``X``)."""
    largest = 1
    for item in rubric.items:
        for check in item.checks:
            for dims in check.dims:
                for arg in (check.args or {}).values():
                    shape = arg.shape
                    if all(isinstance(d, int) or d in dims for d in shape):
                        largest = max(largest, int(np.prod([dims[d] if isinstance(d, str) else d for d in shape])))
    return largest


def _declared_size(rubric: Rubric, name: str, args: list, kwargs: dict) -> int | None:
    """The most numbers stand-in ``name`` can build when its arguments have the shapes one of its own
    checks declares: the product of the dimensions they bind (``(12288, 1)``, ``(12288, 3)``, ``(1, 3)``
    bind n_x and m, so 36,864), as the reference is written for those shapes.  None when no check of
    ``name`` declares these shapes."""
    bound = [_bind(check.args, args, kwargs) for item in rubric.items for check in item.checks
             if check.function == name and check.args is not None]
    sizes = [math.prod(dims.values()) for dims in bound if dims is not None]
    return min(sizes) if sizes else None


def _bind(specs: dict[str, ArgSpec], args: list, kwargs: dict) -> dict[str, int] | None:
    """The dimensions the arguments give the specs' named axes (a ``size`` argument binds its own), or
    None when some argument has another number of axes, a literal axis differs, or a name takes two sizes."""
    names = list(specs)
    if len(args) > len(names) or any(k not in names[len(args):] for k in kwargs):
        return None
    dims: dict[str, int] = {}
    for name, value in {**dict(zip(names, args)), **kwargs}.items():
        spec = specs[name]
        if spec.kind == "size":
            if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
                return None
            declared, shape = (spec.dim,), (int(value),)
        else:
            declared, shape = spec.shape, _shape_of(value)
        if len(declared) != len(shape):
            return None
        for axis, length in zip(declared, shape):
            if (axis != length) if isinstance(axis, int) else dims.setdefault(axis, length) != length:
                return None
    return dims


def _refuse_large_results(name: str, values: list, bound: int, declared: int | None = None) -> None:
    """Refuse, before computing anything, a stand-in call whose intermediate arrays could exceed ``bound``.

    ``declared`` is the size the stand-in's own checks give these shapes (``_declared_size``),
    when they match.  Otherwise: a reference helper combines its arguments elementwise
    (broadcasting) and by matrix products; for arguments of at most two dimensions every array
    it builds has at most two axes, each as long as some axis of an argument, so the two
    longest axes bound its size (a ``(18001, 1)`` array against a ``(1, 18001)`` one: 18001 x
    18001), and vectors alone give vectors.  Beyond two dimensions the product of every axis is the bound.
    """
    shapes = [_shape_of(v) for v in values]
    axes = sorted((d for shape in shapes for d in shape), reverse=True)
    matrices = [shape for shape in shapes if len(shape) == 2]
    if declared is not None:
        size = declared
    elif any(len(shape) > 2 for shape in shapes):
        size = int(np.prod(axes, dtype=float))
    elif all(len(shape) <= 1 for shape in shapes):  # vectors only combine into vectors
        size = axes[0] if axes else 1
    elif len(matrices) == 1 and 1 not in matrices[0]:
        # One full matrix (X) with vectors: products give vectors, broadcasting gives X's shape;
        # only a column or row (an axis of 1) or a second matrix can build an (M, M) array.
        size = max(int(np.prod(matrices[0], dtype=float)), axes[0])
    else:
        size = int(np.prod(axes[:2], dtype=float))
    if size > bound:
        described = ", ".join(str(shape) for shape in shapes if shape) or "scalars"
        raise execution.CallbackRefused(
            f"was not computed: with arguments of shapes {described} its arrays could hold {size:,} numbers, "
            f"more than the {bound:,} this assignment ever needs. Check the shapes you pass: an (M,) array "
            "combined with an (M, 1) one broadcasts to (M, M)")


def _shape_of(value: Any) -> tuple[int, ...]:
    """The shape NumPy would give an argument (lists included), without converting it."""
    if isinstance(value, np.ndarray):
        return value.shape
    if isinstance(value, (list, tuple)):
        try:
            return np.shape(value)
        except ValueError:  # ragged: its length is what counts
            return (len(value),)
    return ()


def _series(rubric: Rubric, plan: ItemPlan, outcomes: tuple[execution.Outcome, ...]) -> dict[str, list[float | str]]:
    """A returned list of floats (a cost history) from the first case, with the reference's, for plots.

    NaN and the infinities are written as the strings ``"nan"``, ``"inf"``, ``"-inf"``
    (``float()`` reads them back): the report is strict JSON, and a diverging descent is
    exactly what the plot must show.
    """
    check, cases = plan.check, plan.cases
    name = next((leaf for _, leaf, spec in leaves(check.returns) if spec.kind == "floats"), None)
    if name is None or not cases or outcomes[0].status != "ok":
        return {}
    with _silenced():
        expected = checks.named_part(getattr(rubric.reference, check.function)(*checks.reference_args(cases[0])),
                                     check.returns, name)
    value = checks.named_part(outcomes[0].value, check.returns, name)
    try:
        student = [json_number(v) for v in list(value)[:CAPS.series_points]] if value is not None else []
    except (TypeError, ValueError, OverflowError):
        student = []
    return {"reference": [json_number(v) for v in expected], "student": student}


def json_number(value: Any) -> float | str:
    """A number for strict JSON: finite floats as they are, NaN and infinities as strings."""
    x = float(value)
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def grade_path(path: Path, rubric: Rubric, zygote: Zygote, limits: Limits) -> GradeResult:
    from grader.submission.locate import read_submission

    return grade(read_submission(path), rubric, zygote, limits)
