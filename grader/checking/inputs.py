"""Inputs the grader generates for a check, from the rubric's argument specs.

Seeded from the submission's own bytes: grading the same file twice gives the
same inputs (reproducible reports), while a student who changes the file to
replay answers recorded from an earlier report meets new inputs.  A ``shared``
argument (the speed check's large matrix) is the exception: made once per
process from its spec alone, see ``shared_inputs``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.checking.shared_inputs import SHARED, SharedArray
from grader.sandbox.child.protocol import CallableRef, SharedRef
from grader.rubric import ArgSpec, Check, Rubric, Shape


@dataclass(frozen=True)
class Case:
    """One set of arguments for a check, in the function's positional order."""

    args: dict[str, Any]
    dims: dict[str, int]
    number: int
    shared: dict[str, SharedRef] = field(default_factory=dict)  # arguments the session holds: sent by name

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
                args, shared = {}, {}
                for name, arg in check.args.items():
                    if arg.shared:
                        made = _shared(check, name, arg, dims)
                        args[name] = made.array
                        if made.ref is not None:
                            shared[name] = made.ref
                    else:
                        args[name] = _generate(arg, dims, rng, number)
                cases.append(Case(args, dict(dims), number, shared))
    specs = check.args or {}
    for literal in check.literal_cases:
        args = {name: _literal(value, specs[name].dtype if name in specs else "float64")
                for name, value in literal.items()}
        cases.append(Case(args, {}, len(cases)))
    return cases


def shared_fds(rubric: Rubric) -> list[int]:
    """Every shared input of the rubric made (its timed and retry dimensions alike), as the memfds a
    session is spawned with: a session cannot be handed one later."""
    for item in rubric.items:
        for check in item.checks:
            retry = check.timing.retry_dims if check.timing else ()
            for dims in (*check.dims, *retry):
                for name, arg in (check.args or {}).items():
                    if arg.shared:
                        _shared(check, name, arg, dims)
    return SHARED.fds()


def _shared(check: Check, name: str, arg: ArgSpec, dims: dict[str, int]) -> SharedArray:
    key = (check.function, name, arg, tuple(sorted(dims.items())))
    return SHARED.get(key, lambda rng: _generate(arg, dims, rng, 0))


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
