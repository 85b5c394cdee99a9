"""Grade one submission against a rubric: load it in a session, run every item, score it.

One item is one forked child and one score; a function that hangs, crashes or
lies costs its own item only.  Items judge a function with the reference
versions of its callees (served from here, see ``checks.stub_names``), so a bug
in a helper is charged to the helper's item alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from grader import checks, execution
from grader.feedback import item_output, item_score
from grader.inputs import generate_cases, seed_for
from grader.rubric import Item, Rubric
from grader.sandbox import Limits, Session, Zygote, make_scratch
from grader.submission import Submission

MAX_CALLBACK_ELEMENTS = 1_000_000


@dataclass(frozen=True)
class ItemResult:
    item: Item
    score: float
    output: str
    timed_out: bool = False

    @property
    def passed(self) -> bool:
        return self.score >= self.item.points - 1e-9


@dataclass
class GradeResult:
    submission: Submission
    rubric: Rubric
    items: list[ItemResult] = field(default_factory=list)
    load: execution.LoadResult | None = None
    status: str = "graded"
    seconds: float = 0.0
    stdout: str = ""
    stderr: str = ""
    series: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.items), 4)


def limits_for(rubric: Rubric, overrides: dict[str, Any] | None = None) -> Limits:
    """The rubric's limits, then any overrides (tests and instructors may shorten them)."""
    return Limits().replace(**{**rubric.limits, **(overrides or {})})


def grade(submission: Submission, rubric: Rubric, zygote: Zygote, limits: Limits) -> GradeResult:
    """The full result for one submission; never raises for anything the student did."""
    started = time.monotonic()
    result = GradeResult(submission, rubric)
    if submission.problem is not None:
        result.status = "load_error"
        result.items = [ItemResult(item, 0.0, f"Not graded: {submission.problem}.") for item in rubric.items]
    else:
        _grade_loaded(result, zygote, limits)
    result.seconds = time.monotonic() - started
    return result


def _open(submission: Submission, rubric: Rubric, zygote: Zygote, limits: Limits) -> tuple[Session, execution.LoadResult]:
    session = zygote.spawn(make_scratch(), limits)
    assert submission.path is not None
    return session, execution.load(session, submission.cells, rubric.module_name, submission.path.name)


def _grade_loaded(result: GradeResult, zygote: Zygote, limits: Limits) -> None:
    submission, rubric = result.submission, result.rubric
    session, load = _open(submission, rubric, zygote, limits)
    result.load = load
    printed: list[tuple[str, str]] = []  # what each session printed; a hang restarts the session
    try:
        blocker = _load_blocker(submission, load)
        if blocker is not None:
            result.status = "load_error" if "did not finish" not in blocker else "timeout"
            result.items = [ItemResult(item, 0.0, f"Not graded: {blocker}") for item in rubric.items]
            return
        seed = seed_for(rubric.assignment, submission.data)
        for index, item in enumerate(rubric.items):
            if not session.alive:
                session.close()
                printed.append((session.stdout.text(), session.stderr.text()))
                session, _ = _open(submission, rubric, zygote, limits)
            result.items.append(_grade_item(session, rubric, item, index, seed, load, result))
        if any(r.timed_out for r in result.items):
            result.status = "timeout"
    finally:
        session.close()
        printed.append((session.stdout.text(), session.stderr.text()))
        result.stdout = "".join(out for out, _ in printed)
        result.stderr = "".join(err for _, err in printed)


def _load_blocker(submission: Submission, load: execution.LoadResult) -> str | None:
    """Why nothing can be graded: a .py that fails to import, or a sandbox that did not start."""
    if load.fatal:
        return f"the submission could not be run: {load.fatal}."
    if submission.kind == "py" and len(submission.cells) == 1 and load.problems:
        problem = load.problems[0]
        line = f" at line {problem.line}" if problem.line else ""
        if problem.kind == "error":
            return f"{problem.label} could not be imported: {problem.message}{line}. Fix this first: no function can be graded."
        return f"{problem.label}'s top-level code {problem.message}. Move long-running code under if __name__ == \"__main__\":."
    return None


def _grade_item(session: Session, rubric: Rubric, item: Item, index: int, seed: int,
                load: execution.LoadResult, result: GradeResult) -> ItemResult:
    plans = []
    for j, check in enumerate(item.checks):
        cases = generate_cases(check, seed, index, j)
        plans.append((check, cases, checks.build_calls(check, cases, checks.stub_names(rubric, check))))
    calls = [call for plan in plans for call in plan[2]]
    outcomes = execution.run_item(session, calls, _serve(rubric))
    check_results, position = [], 0
    for check, cases, plan_calls in plans:
        chunk = outcomes[position:position + len(plan_calls)]
        position += len(plan_calls)
        check_results.append(checks.judge(rubric, check, cases, chunk))
    curve = _series(rubric, plans[0], outcomes)
    if curve:
        result.series[item.id] = curve
    return ItemResult(item, item_score(item, check_results), item_output(item, check_results, load),
                      timed_out=any(o.status == "timeout" for o in outcomes))


def _serve(rubric: Rubric) -> execution.CallbackServer:
    """Reference callees for stubs; bounded so a student cannot make the grader work forever."""
    def serve(name: str, args: list, kwargs: dict) -> Any:
        size = sum(np.size(a) for a in list(args) + list(kwargs.values()) if isinstance(a, np.ndarray))
        if size > MAX_CALLBACK_ELEMENTS:
            raise ValueError(f"arguments with {size:,} numbers are more than the grader serves")
        return getattr(rubric.reference, name)(*args, **kwargs)

    return serve


def _series(rubric: Rubric, plan: tuple, outcomes: list[execution.Outcome]) -> dict[str, list[float]]:
    """A returned list of floats (a cost history) from the first case, with the reference's, for plots."""
    check, cases, _ = plan
    parts = check.returns.get("tuple", [check.returns])
    position = next((i for i, part in enumerate(parts) if "floats" in part), None)
    if position is None or not cases or outcomes[0].status != "ok":
        return {}
    expected = getattr(rubric.reference, check.function)(*checks.reference_args(cases[0]))
    value = outcomes[0].value
    if "tuple" in check.returns:
        expected = expected[position]
        value = value[position] if isinstance(value, (tuple, list)) and len(value) == len(parts) else None
    try:
        student = [float(v) for v in value][:10_000] if value is not None else []
    except (TypeError, ValueError):
        student = []
    return {"reference": [float(v) for v in expected], "student": student}


def grade_path(path: Path, rubric: Rubric, zygote: Zygote, limits: Limits) -> GradeResult:
    from grader.submission import read_submission

    return grade(read_submission(path), rubric, zygote, limits)
