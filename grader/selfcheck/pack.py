"""The self-check pack: what the self-check knows instead of the reference, and how it is stored.

The self-check (``grader.selfcheck.check``) has two halves; this is the instructor's one, plus
the plain-JSON codec both halves read:

* ``build_pack`` (instructor side, ``make selfcheck-pack``) runs the reference and
  the rubric's wrong variants on fixed inputs for every *visible* check and
  writes the answers as plain JSON: inputs, expected outputs, each known slip's
  output and message.  Hidden items contribute nothing but their id, title and
  points, so the pack holds neither their inputs nor any reference code.
* ``check.run_check`` (student side, ``python -m grader check PATH``) runs the
  student's file in the same sandbox as grading (``grader.sandbox.zygote`` zygote,
  ``grader.sandbox.execution`` conversations) and judges the answers against the pack
  with the grader's own item pipeline and ``feedback``: the same verdicts and
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
from pathlib import Path
from typing import Any

import numpy as np

from grader._fs import write_atomically
from grader.checking import checks
from grader.checking.inputs import Case, generate_cases
from grader.rubric import PROJECT_ROOT, Check, Rubric
from grader.sandbox.child.protocol import CallableRef

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
    if isinstance(value, np.ndarray) and value.dtype.kind in "biu":  # int labels, bool predictions: as they are
        return {"array": value.ravel().tolist(), "shape": list(value.shape), "dtype": value.dtype.str}
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
        return np.asarray(flat, dtype=np.dtype(data.get("dtype", "<f8"))).reshape(data["shape"])
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
    array = array.astype(spec.get("dtype", "float64"))
    if digest and _digest(array) != digest:
        raise PackError("a generated input does not match the pack on this NumPy version")
    return array


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array, dtype="<f8").tobytes()).hexdigest()


# --------------------------------------------------------------------------- building the pack


def build_pack(rubric: Rubric, seed: int = PACK_SEED) -> dict[str, Any]:
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


# The parts of a check's rubric entry the self-check judges by, copied verbatim into the pack.
PACKED_SPEC = ("function", "returns", "tolerance", "unchanged", "timing", "strict_types", "keywords")


def _pack_check(rubric: Rubric, check: Check, seed: int, item_index: int, check_index: int) -> dict[str, Any]:
    small = {k: check.source[k] for k in PACKED_SPEC if k in check.source}
    if check.timing is not None:
        small["value_items"] = checks.value_items(rubric, check)
    packed = {"function": check.function, "spec": small,
              "cases": _pack_cases(rubric, check, generate_cases(check, seed, item_index, check_index), seed)}
    again = checks.retry_check(check)
    if again is not None:  # where a slip that raises on the timed input is timed instead: only those slips matter
        raising = {v["id"] for case in packed["cases"] for v in case["variants"] if "raised" in v}
        retry_cases = generate_cases(again, seed, item_index, check_index + 1000)
        packed["retry"] = _pack_cases(rubric, again, retry_cases, seed, raising)
    return packed


def _pack_cases(rubric: Rubric, check: Check, cases: list[Case], seed: int,
                only: set[str] | None = None) -> list[dict[str, Any]]:
    """The cases with their answers and every known slip's (or only the slips named in ``only``)."""
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
            entry: dict[str, Any] = {"id": v.id, "message": v.message, **({"match": v.match.as_json()} if v.match else {})}
            if v.raised is not None:
                entry.update(raised=v.raised, raised_message=v.raised_message)
            else:
                entry.update(value=encode(v.value), after={k: encode(a) for k, a in v.after.items()})
            variants.append(entry)
        one = {"number": case.number, "dims": case.dims, "args": stored, "expected": encode(expected),
               "variants": variants}
        if check.timing is not None:
            one["timing"] = _calibrate(oracle, case)
        packed.append(one)
    return packed


def _pack_args(check: Check, case: Case, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The case's arguments, and how the pack stores them: literally, or as a seed for large arrays."""
    args, stored = {}, {}
    for k, (name, value) in enumerate(case.args.items()):
        if isinstance(value, np.ndarray) and value.size > GENERATE_ABOVE:
            arg = (check.args or {}).get(name)
            spec = {"kind": "labels"} if arg and arg.kind == "labels" else {"kind": "uniform", "low": -2.0, "high": 2.0}
            if arg and arg.dtype != "float64":
                spec["dtype"] = arg.dtype
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


def write_pack(rubric: Rubric, path: Path) -> None:
    write_atomically(path, json.dumps(build_pack(rubric), ensure_ascii=False, indent=1) + "\n")
    path.chmod(0o644)  # students read it


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

