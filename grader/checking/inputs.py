"""Inputs the grader generates for a check, from the rubric's argument specs.

Seeded from the submission's own bytes: grading the same file twice gives the
same inputs (reproducible reports), while a student who changes the file to
replay answers recorded from an earlier report meets new inputs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.sandbox.child.protocol import CallableRef
from grader.rubric import ArgSpec, Check, Shape


@dataclass(frozen=True)
class Case:
    """One set of arguments for a check, in the function's positional order."""

    args: dict[str, Any]
    dims: dict[str, int]
    number: int

    def describe(self) -> str:
        """The call with argument shapes, e.g. ``cost(w (3,), b float, X (7, 3), y (7,))``."""
        return ", ".join(f"{name} {_shape_text(value)}" for name, value in self.args.items())


def _shape_text(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"shape {value.shape}"
    if isinstance(value, CallableRef):
        return f"= {value.name}"
    return f"= {value!r}"


def seed_for(assignment: str, submission_bytes: bytes) -> int:
    digest = hashlib.sha256(assignment.encode() + b"\0" + submission_bytes).digest()
    return int.from_bytes(digest[:8], "big")


def generate_cases(check: Check, seed: int, item_index: int, check_index: int) -> list[Case]:
    """Random cases over every ``dims`` entry (times ``repeat``), then the literal ones."""
    rng = np.random.default_rng([seed, item_index, check_index])
    cases: list[Case] = []
    if check.args is not None:
        for dims in check.dims:
            for _ in range(check.repeat):
                number = len(cases)
                args = {name: _generate(arg, dims, rng, number) for name, arg in check.args.items()}
                cases.append(Case(args, dict(dims), number))
    specs = check.args or {}
    for literal in check.literal_cases:
        args = {name: _literal(value, specs[name].dtype if name in specs else "float64")
                for name, value in literal.items()}
        cases.append(Case(args, {}, len(cases)))
    return cases


def _literal(value: Any, dtype: str = "float64") -> Any:
    """Lists become arrays of the argument's dtype (float64 unless its spec says ``int64`` labels)
    and floats stay floats; an integer in the rubric (``max_iters``) stays an int, so
    ``range(max_iters)`` works as the contract's signature promises."""
    if isinstance(value, list):
        return np.asarray(value, dtype=dtype)
    return float(value) if isinstance(value, float) else value


def _shape(shape: Shape, dims: dict[str, int]) -> tuple[int, ...]:
    return tuple(dims[d] if isinstance(d, str) else int(d) for d in shape)


def _generate(arg: ArgSpec, dims: dict[str, int], rng: np.random.Generator, number: int) -> Any:
    if arg.kind == "value":
        return _literal(arg.value)
    if arg.kind == "choice":
        return _literal(arg.choices[number % len(arg.choices)])
    if arg.kind == "callable":
        return CallableRef(arg.choices[number % len(arg.choices)])
    if arg.kind == "size":
        return int(dims[arg.dim])
    shape = _shape(arg.shape, dims)
    if arg.kind == "normal":
        values = rng.normal(arg.loc, arg.scale, size=shape)
    elif arg.kind == "uniform":
        values = rng.uniform(arg.low, arg.high, size=shape)
    else:
        values = _labels(rng, shape)
    if shape == ():
        return float(values) if arg.dtype == "float64" else np.dtype(arg.dtype).type(values)
    return np.asarray(values, dtype=arg.dtype)


def _labels(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """0/1 labels with both classes present whenever there are at least two."""
    labels = rng.integers(0, 2, size=shape).astype(np.float64)
    flat = labels.reshape(-1)
    if flat.size >= 2:
        flat[0], flat[1] = 0.0, 1.0
        rng.shuffle(flat)
    return flat.reshape(shape) if shape else float(flat[0])
