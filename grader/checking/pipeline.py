"""One item, planned, run and judged: the pipeline grading and the self-check share.

An item's checks become ``ItemPlan``s (a check, its cases, their calls, and the
``Oracle`` that knows the answers); every plan's calls run in one item child, the
outcomes are sliced back per plan and judged.  What differs between grading and
the self-check is only where plans and truth come from (the reference, or the
pack) and the follow-ups grading adds after a check is judged.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, Sequence

from grader.checking import checks
from grader.checking.checks import CheckResult, Oracle
from grader.checking.inputs import Case
from grader.checking.standin_answers import Budget
from grader.rubric import Check
from grader.sandbox import execution
from grader.sandbox.execution import Call, CallbackServer, Outcome
from grader.sandbox.zygote import Session


@dataclass(frozen=True)
class ItemPlan:
    """One check of an item, ready to run: its cases, one call per case, and the truth to judge by."""

    check: Check
    cases: tuple[Case, ...]
    calls: tuple[Call, ...]
    oracle: Oracle


def plan_check(check: Check, cases: Sequence[Case], stubs: tuple[str, ...], oracle: Oracle,
               budget: Budget | None = None) -> ItemPlan:
    """The plan of ``check`` on ``cases``, with ``stubs`` served by the grader during each call (from
    the answers sent along where the oracle knows them, within ``budget``, one table per item)."""
    budget = budget or Budget()
    answers = [oracle.stub_answers(case, stubs, budget) for case in cases]
    calls = checks.build_calls(check, list(cases), stubs, answers)
    if check.timing is not None:  # stopped once its speed verdict is known
        calls = [replace(call, seconds=checks.speed_stop(check, case, oracle)) for call, case in zip(calls, cases)]
    return ItemPlan(check, tuple(cases), tuple(calls), oracle)


@dataclass(frozen=True)
class ItemRun:
    """What one run of an item's plans gave: each plan's outcomes, and bytes the calls printed."""

    plans: tuple[ItemPlan, ...]
    outcomes: tuple[tuple[Outcome, ...], ...]
    printed: int

    @property
    def timed_out(self) -> bool:
        """A call reached the call limit (not a shorter limit of its own, ``Call.seconds``)."""
        return any(o.reason == "deadline" for chunk in self.outcomes for o in chunk)


def printed_bytes(session: Session) -> int:
    """Bytes the submission has written to stdout and stderr so far (counted, not only kept)."""
    return session.stdout.total + session.stderr.total


def run_plans(session: Session, plans: Sequence[ItemPlan], serve: CallbackServer, reuse: bool = False) -> ItemRun:
    """Every plan's calls in one item child (with ``reuse``, the one held from the last item), the
    outcomes sliced back per plan."""
    before = printed_bytes(session)
    outcomes = execution.run_item(session, [call for plan in plans for call in plan.calls], serve, reuse)
    printed = printed_bytes(session) - before
    chunks, position = [], 0
    for plan in plans:
        chunks.append(tuple(outcomes[position:position + len(plan.calls)]))
        position += len(plan.calls)
    return ItemRun(tuple(plans), tuple(chunks), printed)


# After a check is judged: its position, its result, the results before it; gives the final result.
FollowUp = Callable[[int, CheckResult, list[CheckResult]], CheckResult]


def run_checks(session: Session, plans: Sequence[ItemPlan], serve: CallbackServer,
               follow_up: FollowUp, reuse: bool = False) -> tuple[ItemRun, list[CheckResult]]:
    """Run and judge an item's plans in order; ``follow_up`` may run more after each check."""
    run = run_plans(session, plans, serve, reuse)
    results: list[CheckResult] = []
    for index, (plan, outcomes) in enumerate(zip(run.plans, run.outcomes)):
        judged = checks.judge(plan.check, list(plan.cases), list(outcomes), plan.oracle, run.printed)
        results.append(follow_up(index, judged, results))
    return run, results


def retry_timed(session: Session, judged: CheckResult, value_items: list[str], serve: CallbackServer,
                plan_again: Callable[[int], ItemPlan | None]) -> CheckResult:
    """A timed call that raised a known slip's error is timed again where that code runs.

    ``plan_again(n)`` gives the plan of the first ``n`` retry cases, or None when the
    check has none; ``value_items`` are the items the slip is charged to.
    """
    raised = [k for k, c in enumerate(judged.cases) if c.reason == "slip_raised"]
    if not raised or not session.alive:
        return judged
    plan = plan_again(len(raised))
    if plan is None:
        return judged
    run = run_plans(session, [plan], serve)
    again = checks.judge(plan.check, list(plan.cases), list(run.outcomes[0]), plan.oracle, run.printed)
    for k, retried in zip(raised, again.cases):
        judged.cases[k] = checks.merge_retry(judged.cases[k], retried, judged.check.function, value_items)
    return judged
