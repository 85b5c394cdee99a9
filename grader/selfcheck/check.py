"""The student's half of the self-check: run the visible checks against the pack, and say how it went.

``run_check`` (``python -m grader check PATH``) runs the student's file in the same
sandbox as grading and judges every visible check with the grader's own item
pipeline (``grader.checking.pipeline``) and ``feedback``, the truth coming from the
pack (``PackOracle``) instead of the reference.  It never imports ``reference`` or
the rubric; see ``grader.selfcheck.pack`` for what the pack holds and what differs
from grading.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator, Literal

from grader.checking.checks import CheckResult, Oracle, VariantResult
from grader.checking.feedback import Block, item_blocks, item_score, to_text
from grader.checking.grading import load_blocker
from grader.checking.inputs import Case
from grader.checking.pipeline import ItemPlan, plan_check, retry_timed, run_checks
from grader.rubric import Check, Item, parse_check, parse_item, parse_match
from grader.sandbox import execution
from grader.limits import Limits
from grader.sandbox.zygote import Session, Zygote, make_scratch
from grader.selfcheck.pack import PackError, baseline_seconds, decode, find_pack, load_pack
from grader.submission.cell import Cell
from grader.submission.locate import read_submission

ItemStatus = Literal["passed", "failed", "after_submission", "not_checked"]


@dataclass(frozen=True)
class PackedCheck:
    """A visible check as the pack holds it: the check (typed from the rubric fields the pack
    copied), the items its function's slips are charged to, and the packed cases (and retry cases)."""

    check: Check
    value_items: tuple[str, ...]
    cases: tuple[dict[str, Any], ...]
    retry: tuple[dict[str, Any], ...] = ()

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> PackedCheck:
        spec = dict(raw["spec"])
        value_items = tuple(spec.pop("value_items", ()))
        return cls(parse_check(spec), value_items, tuple(raw["cases"]), tuple(raw.get("retry", ())))


class PackOracle(Oracle):
    """Answers from the pack: no reference code involved."""

    def __init__(self, cases: tuple[dict[str, Any], ...], value_items: tuple[str, ...]) -> None:
        self.cases = {c["number"]: c for c in cases}
        self.value_items = list(value_items)
        self._variants: dict[int, list[VariantResult]] = {}

    def expected(self, case: Case) -> tuple[Any, float]:
        return decode(self.cases[case.number]["expected"]), 0.0

    def reference_seconds(self, case: Case, first: float) -> float:
        timing = self.cases[case.number].get("timing", {})
        baseline = baseline_seconds(case)
        if baseline and timing.get("ratio"):
            return timing["ratio"] * baseline
        return float(timing.get("reference_seconds", 0.0))

    def iter_variants(self, case: Case) -> Iterator[VariantResult]:
        return iter(self.variants(case))

    def variants(self, case: Case) -> list[VariantResult]:
        if case.number not in self._variants:
            self._variants[case.number] = [
                VariantResult(v["id"], v["message"], value=decode(v.get("value")), raised=v.get("raised"),
                              raised_message=v.get("raised_message", ""),
                              after={k: decode(a) for k, a in v.get("after", {}).items()},
                              match=parse_match(v.get("match")))
                for v in self.cases[case.number]["variants"]]
        return self._variants[case.number]


@dataclass
class ItemCheck:
    item: Item
    results: list[CheckResult] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    score: float = 0.0
    status: ItemStatus = "passed"
    blocked_by: list[str] = field(default_factory=list)  # failing helpers it calls (self-check only)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class CheckRun:
    file: str
    items: list[ItemCheck]
    problem: str | None = None


def _items(pack: dict[str, Any]) -> list[tuple[Item, tuple[PackedCheck, ...]]]:
    out = []
    for raw in pack["items"]:
        packed = tuple(PackedCheck.parse(c) for c in raw.get("checks", ()))
        item = replace(parse_item({**raw, "checks": ()}), checks=tuple(p.check for p in packed))
        out.append((item, packed))
    return out


def run_check(path: Path, pack: dict[str, Any], zygote: Zygote, limits: Limits | None = None) -> CheckRun:
    """Run the pack's visible checks on the student's file in the sandbox and judge them against the pack."""
    limits = limits or Limits().with_overrides(**pack.get("limits", {}))
    items = _items(pack)
    submission = read_submission(path)
    name = submission.path.name if submission.path else path.name
    runs = [ItemCheck(item, status="after_submission" if item.visibility != "visible" else "not_checked")
            for item, _ in items]
    if submission.problem is not None:
        return CheckRun(name, runs, submission.problem)
    session = zygote.spawn(make_scratch(), limits)
    try:
        assert submission.path is not None
        load = execution.load(session, submission.cells, pack["module_name"], submission.path.name)
        blocker = load_blocker(submission, load)
        if blocker is not None:
            return CheckRun(name, runs, blocker)
        for run, (item, packed) in zip(runs, items):
            if item.visibility != "visible":
                continue
            if not session.alive:
                session.close()
                session = zygote.spawn(make_scratch(), limits)
                execution.load(session, submission.cells, pack["module_name"], submission.path.name)
            _check_item(session, run, item, packed, load)
    finally:
        session.close()
    _helper_notes(runs, _callees(submission.cells))
    return CheckRun(name, runs)


def _refuse(name: str, args: list, kwargs: dict) -> Any:
    raise ValueError("the self-check serves no reference functions")


def _plan(packed: PackedCheck, cases: tuple[dict[str, Any], ...]) -> ItemPlan:
    """The plan of a packed check on packed cases; the student's own helpers run (no stubs)."""
    decoded = [Case({k: decode(v) for k, v in c["args"].items()}, dict(c["dims"]), c["number"]) for c in cases]
    return plan_check(packed.check, decoded, (), PackOracle(cases, packed.value_items))


def _retry_plan(packed: PackedCheck, count: int) -> ItemPlan | None:
    """As in grading: a timed call that raised a known slip's error is timed on the pack's retry input."""
    return _plan(packed, packed.retry[:count]) if packed.retry else None


def _check_item(session: Session, run: ItemCheck, item: Item, packed: tuple[PackedCheck, ...],
                load: execution.LoadResult) -> None:
    plans = [_plan(p, p.cases) for p in packed]

    def follow_up(j: int, judged: CheckResult, done: list[CheckResult]) -> CheckResult:
        return retry_timed(session, judged, list(packed[j].value_items), _refuse, lambda n: _retry_plan(packed[j], n))

    _, run.results = run_checks(session, plans, _refuse, follow_up)
    run.score = item_score(item, run.results)
    run.status = "passed" if run.score >= item.points - 1e-9 else "failed"
    run.blocks = item_blocks(item, run.results, load, stub_note=False)


def _callees(cells: list[Cell]) -> dict[str, set[str]]:
    """Which names each top-level function of the submission calls (read with ``ast``, never run)."""
    calls: dict[str, set[str]] = {}
    for cell in cells:
        try:
            tree = ast.parse(cell.source)
        except (SyntaxError, ValueError):
            continue
        for node in tree.body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                calls[node.name] = {n.func.id for n in ast.walk(node)
                                    if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return calls


def _helper_notes(runs: list[ItemCheck], callees: dict[str, set[str]]) -> None:
    """Here a function runs with the student's own helpers: say which failing helpers it calls."""
    failing = {r.check.function for run in runs for r in run.results if not r.ok}
    for run in runs:
        if run.status != "failed":
            continue
        own = {r.check.function for r in run.results if not r.ok}
        helpers = sorted({h for fn in own for h in callees.get(fn, set())} & failing - own)
        if helpers:
            names = ", ".join(f"`{h}()`" for h in helpers)
            one = len(helpers) == 1
            run.blocked_by = helpers
            run.blocks.append(Block("note", f"here your functions run with your own helpers, and this one calls "
                                    f"{names}, which {'fails its own check' if one else 'fail their own checks'}: "
                                    f"fix {'that' if one else 'those'} first. When graded, each function runs with "
                                    f"correct helpers, so only its own code counts."))


def format_run(run: CheckRun) -> str:
    """A one-line verdict per item, then the feedback of each item that failed."""
    lines = [f"Self-check of {run.file}: visible checks only, on fixed inputs; nothing is submitted."]
    if run.problem:
        lines.append(f"Not checked: {run.problem}")
    width = max(len(r.item.id) for r in run.items)
    score_width = max(len(f"{r.item.points:g}") for r in run.items) * 2 + 1
    for r in run.items:
        points = f"{r.item.points:g}"
        if r.status == "after_submission":
            verdict = f"{'----':4}  {r.item.id:<{width}}  {'':>{score_width}}  checked after submission"
        elif r.status == "not_checked":
            verdict = f"{'----':4}  {r.item.id:<{width}}  {'':>{score_width}}  not checked"
        else:
            verdict = (f"{'PASS' if r.passed else 'FAIL':4}  {r.item.id:<{width}}  "
                       f"{f'{r.score:g}/{points}':>{score_width}}  {r.item.title}")
            if r.blocked_by:
                verdict += f" (calls {', '.join(h + '()' for h in r.blocked_by)}, failing above or below)"
        lines.append(verdict)
        if r.status == "failed":
            lines.extend("      " + line for line in to_text(r.blocks).splitlines())
    visible = [r for r in run.items if r.item.visibility == "visible"]
    hidden = [r for r in run.items if r.item.visibility != "visible"]
    total = sum(r.item.points for r in visible)
    lines.append(f"Visible items: {sum(r.score for r in visible):g}/{total:g} points."
                 + (f" {len(hidden)} more item(s), {sum(r.item.points for r in hidden):g} points, "
                    f"are checked after submission." if hidden else ""))
    lines.append("Grading uses new inputs for every submission, so passing here is necessary, not a guarantee.")
    return "\n".join(lines)


def check_main(path: Path, assignment: str, pack_path: Path | None, call_seconds: float | None = None) -> int:
    """``python -m grader check``: 0 when every visible item passes, 1 when one fails (or the file
    cannot run), 2 without a usable pack."""
    try:
        pack = load_pack(pack_path or find_pack(path, assignment), assignment)
    except PackError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    limits = Limits().with_overrides(**{**pack.get("limits", {}), "call_seconds": call_seconds})
    with Zygote() as zygote:
        run = run_check(path, pack, zygote, limits)
    print(format_run(run))
    if run.problem:
        return 1
    return 0 if all(r.passed or r.status == "after_submission" for r in run.items) else 1
