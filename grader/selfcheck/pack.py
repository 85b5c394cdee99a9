"""Self-check before submitting: the visible checks, on the student's machine, without the reference.

Two halves:

* ``build_pack`` (instructor side, ``make selfcheck-pack``) runs the reference and
  the rubric's wrong variants on fixed inputs for every *visible* check and
  writes the answers as plain JSON: inputs, expected outputs, each known slip's
  output and message.  Hidden items contribute nothing but their id, title and
  points, so the pack holds neither their inputs nor any reference code.
* ``run_check`` (student side, ``python -m grader check PATH``) runs the
  student's file in the same sandbox as grading (``grader.sandbox.zygote`` zygote,
  ``grader.sandbox.execution`` conversations) and judges the answers against the pack
  with the grader's own ``checks.judge`` and ``feedback``: the same verdicts and
  the same likely causes.  It never imports ``reference`` or the rubric.

What differs from grading: inputs are fixed (grading draws new ones per
submission), a function runs with the student's own helpers (grading serves
reference helpers; a note says when a failing helper may be the reason), the
gradient check is skipped (the expected values already decide), and the speed
limit of a timing check is calibrated on the student's machine from a NumPy
baseline (the pack stores the reference's time as a multiple of it).
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from grader._fs import write_atomically
from grader.checking import checks

from grader.sandbox import execution
from grader.checking.checks import CheckResult, Oracle, VariantResult
from grader.checking.feedback import Block, item_blocks, item_score, to_text
from grader.checking.inputs import Case, generate_cases
from grader.sandbox.child.protocol import CallableRef
from grader.rubric import PROJECT_ROOT, Check, Item
from grader.sandbox.zygote import Limits, Zygote, make_scratch
from grader.submission.locate import read_submission

PACK_FORMAT = "grader-selfcheck/1"
PACK_SEED = 20_240_917  # fixed: the self-check's inputs never change; grading draws its own per submission
GENERATE_ABOVE = 5_000  # arrays with more numbers than this are regenerated from a seed, not stored
PACK_NAME = "selfcheck.json"


class PackError(Exception):
    """The pack is missing, unreadable or for another assignment; the message is one line."""


# --------------------------------------------------------------------------- plain-JSON values


def encode(value: Any) -> Any:
    """A value as JSON that keeps its type: floats, ints, arrays, tuples, dicts, test functions."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, np.ndarray):
        flat = [encode(float(v)) for v in value.astype(np.float64).ravel()]
        return {"array": flat, "shape": list(value.shape)}
    if isinstance(value, tuple):
        return {"tuple": [encode(v) for v in value]}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {"dict": {str(k): encode(v) for k, v in value.items()}}
    if isinstance(value, CallableRef):
        return {"callable": value.name}
    raise TypeError(f"cannot store a {type(value).__name__} in a self-check pack")


def decode(data: Any) -> Any:
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    if "array" in data:
        flat = [decode(v) for v in data["array"]]
        return np.asarray(flat, dtype=np.float64).reshape(data["shape"])
    if "generated" in data:
        return _generate(data["generated"], data.get("sha256"))
    if "tuple" in data:
        return tuple(decode(v) for v in data["tuple"])
    if "dict" in data:
        return {k: decode(v) for k, v in data["dict"].items()}
    if "callable" in data:
        return CallableRef(data["callable"])
    if "float" in data:
        return float(data["float"])
    raise PackError(f"unknown value in the pack: {sorted(data)}")


def _generate(spec: dict[str, Any], digest: str | None) -> np.ndarray:
    """A large input rebuilt from a seed (PCG64 bits, stable across NumPy versions), verified by its hash."""
    rng = np.random.Generator(np.random.PCG64(int(spec["seed"])))
    shape = tuple(spec["shape"])
    if spec["kind"] == "labels":
        array = (rng.random(shape) < 0.5).astype(np.float64)
    else:
        low, high = spec["low"], spec["high"]
        array = low + (high - low) * rng.random(shape)
    if digest and _digest(array) != digest:
        raise PackError("a generated input does not match the pack on this NumPy version")
    return array


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array, dtype="<f8").tobytes()).hexdigest()


# --------------------------------------------------------------------------- building the pack


def build_pack(rubric: Any, seed: int = PACK_SEED) -> dict[str, Any]:
    """The self-check pack of ``rubric``: answers for the visible checks only (needs the reference)."""
    items = []
    for index, item in enumerate(rubric.items):
        entry: dict[str, Any] = {"id": item.id, "title": item.title, "points": item.points,
                                 "visibility": item.visibility, "credit": item.credit}
        if item.visibility != "visible":
            items.append(entry)  # nothing about its checks: no inputs, no answers
            continue
        entry["checks"] = [_pack_check(rubric, check, seed, index, j) for j, check in enumerate(item.checks)]
        items.append(entry)
    return {"format": PACK_FORMAT, "assignment": rubric.assignment, "title": rubric.title,
            "module_name": rubric.module_name, "functions": list(rubric.functions),
            "limits": dict(rubric.limits), "items": items}


def _pack_check(rubric: Any, check: Check, seed: int, item_index: int, check_index: int) -> dict[str, Any]:
    spec = check.spec
    small = {k: spec[k] for k in ("function", "returns", "tolerance", "unchanged", "timing", "strict_types") if k in spec}
    if "timing" in spec:
        small["value_items"] = checks.value_items(rubric, check)
    packed = {"function": check.function, "spec": small,
              "cases": _pack_cases(rubric, check, generate_cases(check, seed, item_index, check_index), seed)}
    again = checks.retry_check(check)
    if again is not None:  # where a slip that raises on the timed input is timed instead: only those slips matter
        raising = {v["id"] for case in packed["cases"] for v in case["variants"] if "raised" in v}
        retry_cases = generate_cases(again, seed, item_index, check_index + 1000)
        packed["retry"] = _pack_cases(rubric, again, retry_cases, seed, raising)
    return packed


def _pack_cases(rubric: Any, check: Check, cases: list[Case], seed: int,
                only: set[str] | None = None) -> list[dict[str, Any]]:
    """The cases with their answers and every known slip's (or only the slips named in ``only``)."""
    spec = check.spec
    packed = []
    for case in cases:
        args, stored = _pack_args(check, case, seed)
        case = Case(args, case.dims, case.number)
        oracle = checks.ReferenceOracle(rubric, check)
        expected, _ = oracle.expected(case)
        variants = []
        for v in oracle.variants(case):
            if only is not None and v.id not in only:
                continue
            entry: dict[str, Any] = {"id": v.id, "message": v.message, **({"match": v.match} if v.match else {})}
            if v.raised is not None:
                entry.update(raised=v.raised, raised_message=v.raised_message)
            else:
                entry.update(value=encode(v.value), after={k: encode(a) for k, a in v.after.items()})
            variants.append(entry)
        one = {"number": case.number, "dims": case.dims, "args": stored, "expected": encode(expected),
               "variants": variants}
        if "timing" in spec:
            one["timing"] = _calibrate(oracle, case)
        packed.append(one)
    return packed


def _pack_args(check: Check, case: Case, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case's arguments, and how the pack stores them: literally, or as a seed for large arrays."""
    args, stored = {}, {}
    for k, (name, value) in enumerate(case.args.items()):
        if isinstance(value, np.ndarray) and value.size > GENERATE_ABOVE:
            arg_spec = check.spec.get("args", {}).get(name, {})
            spec = {"kind": "labels"} if "labels" in arg_spec else {"kind": "uniform", "low": -2.0, "high": 2.0}
            spec.update(seed=int(seed + 1000 * case.number + k), shape=list(value.shape))
            value = _generate(spec, None)
            stored[name] = {"generated": spec, "sha256": _digest(value)}
        else:
            stored[name] = encode(value)
        args[name] = value
    return args, stored


def _calibrate(oracle: checks.ReferenceOracle, case: Case) -> dict[str, float]:
    """The reference's time as a multiple of a NumPy baseline, so the limit can be rebuilt on any machine."""
    reference = oracle.reference_seconds(case, oracle.expected(case)[1])
    baseline = baseline_seconds(case)
    return {"ratio": reference / baseline if baseline else 0.0, "reference_seconds": reference}


def baseline_seconds(case: Case) -> float:
    """Best of three: the two matrix-vector products of the largest 2-D argument (X·v and u·X)."""
    matrices = [v for v in case.args.values() if isinstance(v, np.ndarray) and v.ndim == 2]
    if not matrices:
        return 0.0
    X = max(matrices, key=lambda a: a.size)
    right, left = np.ones(X.shape[1]), np.ones(X.shape[0])
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        X @ right
        left @ X
        best = min(best, time.perf_counter() - started)
    return best


def write_pack(rubric: Any, path: Path) -> None:

    write_atomically(path, json.dumps(build_pack(rubric), ensure_ascii=False, indent=1) + "\n")
    path.chmod(0o644)  # students read it


# --------------------------------------------------------------------------- checking against the pack


class PackOracle(Oracle):
    """Answers from the pack: no reference code involved."""

    def __init__(self, cases: list[dict[str, Any]]) -> None:
        self.cases = {c["number"]: c for c in cases}
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
                              after={k: decode(a) for k, a in v.get("after", {}).items()}, match=v.get("match"))
                for v in self.cases[case.number]["variants"]]
        return self._variants[case.number]


@dataclass
class ItemCheck:
    item: Item
    results: list[CheckResult] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    score: float = 0.0
    status: str = "passed"  # "passed" | "failed" | "after_submission" | "not_checked"
    blocked_by: list[str] = field(default_factory=list)  # failing helpers it calls (self-check only)

    @property
    def passed(self) -> bool:
        return self.status == "passed"


@dataclass
class CheckRun:
    file: str
    items: list[ItemCheck]
    problem: str | None = None


def load_pack(path: Path, assignment: str | None = None) -> dict[str, Any]:
    try:
        pack = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackError(f"no self-check pack at {path}") from None
    except (OSError, ValueError) as exc:
        raise PackError(f"the self-check pack {path} is unreadable ({type(exc).__name__})") from None
    if not isinstance(pack, dict) or pack.get("format") != PACK_FORMAT:
        raise PackError(f"{path} is not a self-check pack of this grader version")
    if assignment and pack.get("assignment") != assignment:
        raise PackError(f"{path} is the pack of {pack.get('assignment')!r}, not {assignment!r}")
    return pack


def find_pack(student: Path, assignment: str) -> Path:
    """The pack next to the grader (``assignments/ID/``), next to the student's file, or in the current folder."""
    root = PROJECT_ROOT
    folder = student if student.is_dir() else student.parent
    for candidate in (root / "assignments" / assignment / PACK_NAME, root / PACK_NAME,
                      folder / PACK_NAME, Path.cwd() / PACK_NAME):
        if candidate.is_file():
            return candidate
    raise PackError(f"no {PACK_NAME} found for {assignment!r}: pass --pack FILE")


def _items(pack: dict[str, Any]) -> list[tuple[Item, list[dict[str, Any]]]]:
    out = []
    for raw in pack["items"]:
        entries = raw.get("checks", [])
        checks_ = tuple(Check(function=c["function"], spec=c["spec"]) for c in entries)
        item = Item(id=raw["id"], title=raw["title"], points=float(raw["points"]), visibility=raw["visibility"],
                    credit=raw.get("credit", "all_or_nothing"), checks=checks_)
        out.append((item, entries))
    return out


def run_check(path: Path, pack: dict[str, Any], zygote: Zygote, limits: Limits | None = None) -> CheckRun:
    """Run the pack's visible checks on the student's file in the sandbox and judge them against the pack."""
    from grader.checking.grading import _load_blocker

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
        blocker = _load_blocker(submission, load)
        if blocker is not None:
            return CheckRun(name, runs, blocker)
        for run, (item, entries) in zip(runs, items):
            if item.visibility != "visible":
                continue
            if not session.alive:
                session.close()
                session = zygote.spawn(make_scratch(), limits)
                execution.load(session, submission.cells, pack["module_name"], submission.path.name)
            _check_item(session, run, item, entries, load)
    finally:
        session.close()
    _helper_notes(runs, _callees(submission.cells))
    return CheckRun(name, runs)


def _refuse(name: str, args: list, kwargs: dict) -> Any:
    raise ValueError("the self-check serves no reference functions")


def _check_item(session: Any, run: ItemCheck, item: Item, entries: list[dict[str, Any]],
                load: execution.LoadResult) -> None:
    plans = []
    for check, entry in zip(item.checks, entries):
        cases = [Case({k: decode(v) for k, v in c["args"].items()}, dict(c["dims"]), c["number"])
                 for c in entry["cases"]]
        plans.append((check, cases, entry, checks.build_calls(check, cases, ())))
    outcomes = execution.run_item(session, [call for plan in plans for call in plan[3]], _refuse)
    position = 0
    for check, cases, entry, calls in plans:
        chunk = outcomes[position:position + len(calls)]
        position += len(calls)
        judged = checks.judge(None, check, cases, chunk, oracle=PackOracle(entry["cases"]))
        run.results.append(_retry_timed(session, judged, entry))
    run.score = item_score(item, run.results)
    run.status = "passed" if run.score >= item.points - 1e-9 else "failed"
    run.blocks = item_blocks(item, run.results, load, stub_note=False)


def _retry_timed(session: Any, judged: CheckResult, entry: dict[str, Any]) -> CheckResult:
    """As in grading: a timed call that raised a known slip's error is timed on the pack's retry input."""
    raised = [k for k, c in enumerate(judged.cases) if c.reason == "slip_raised"]
    if not raised or not entry.get("retry") or not session.alive:
        return judged
    packed = entry["retry"][:len(raised)]
    cases = [Case({k: decode(v) for k, v in c["args"].items()}, dict(c["dims"]), c["number"]) for c in packed]
    outcomes = execution.run_item(session, checks.build_calls(judged.check, cases, ()), _refuse)
    again = checks.judge(None, judged.check, cases, outcomes, oracle=PackOracle(packed))
    value_ids = list(judged.check.spec.get("value_items", []))
    for k, retried in zip(raised, again.cases):
        judged.cases[k] = checks.merge_retry(judged.cases[k], retried, judged.check.function, value_ids)
    return judged


def _callees(cells: Any) -> dict[str, set[str]]:
    """Which names each top-level function of the submission calls (read with ``ast``, never run)."""
    import ast

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


def main(argv: list[str] | None = None) -> int:
    """``python -m grader.selfcheck.pack [--assignment ID] [--out FILE]``: build a pack (needs the reference)."""
    import argparse

    from grader.rubric import RubricError, load_rubric

    parser = argparse.ArgumentParser(prog="python -m grader.selfcheck.pack", description="Build a self-check pack.")
    parser.add_argument("--assignment", default="logreg2")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    try:
        rubric = load_rubric(args.assignment)
    except RubricError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    out = args.out or PROJECT_ROOT / "assignments" / args.assignment / PACK_NAME
    write_pack(rubric, out)
    print(f"self-check pack: {out}")
    return 0

