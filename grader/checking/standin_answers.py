"""The stand-in answers a correct solution would ask for, computed before an item runs.

A correct ``gradients_loop`` asks the ``sigmoid`` stand-in once per example, and a correct
``gradient_descent`` asks ``cost``, ``gradients_vectorized`` and ``update`` once per iteration:
~200 round trips to the grader per submission, ~190 us of CPU each on the two sides, a third of
a correct submission's CPU.  Running the reference of the graded function with recorders in place
of its callees gives, for each case, the calls a solution written like it makes and their
answers; they go to the item child with the call, which answers a stand-in call whose arguments
have the same digest (``protocol.call_key``) from the table and asks the grader for any other.

The table holds nothing a student's code could not get in that item anyway: the answers of the
stand-ins it may call, for arguments it could pass them.  A call it answers is reported back
(``used``), so the feedback and the retry with the student's own helpers see every stand-in used.
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Callable

import numpy as np

from grader.sandbox.child import protocol

# What a table may hold per item: beyond it, calls go to the grader as before.
MAX_ENTRIES = 2000
MAX_ARRAY_BYTES = 8 << 20
NESTED_ARRAY_BYTES = 8 << 10  # a helper's own calls (forward_single's sigmoid) only when this small
_UNKNOWN_BYTES = 1 << 62  # a value of another type never goes into a table


@dataclass(frozen=True)
class Answer:
    """One stand-in call, as the key the item child's stub computes for it (``protocol.call_key``),
    and its answer."""

    name: str
    key: bytes
    value: Any


def standin_value(value: Any) -> Any:
    """A reference result as a student's NumPy code returns it: Python floats become ``np.float64``
    (so ``.item()``, ``.shape`` and ``np.isscalar`` work on it), inside tuples, lists and dicts too."""
    if isinstance(value, float) and not isinstance(value, np.floating):
        return np.float64(value)
    if isinstance(value, tuple):
        return tuple(standin_value(v) for v in value)
    if isinstance(value, list):
        return [standin_value(v) for v in value]
    if isinstance(value, dict):
        return {k: standin_value(v) for k, v in value.items()}
    return value


class Budget:
    """What is left of one item's table."""

    def __init__(self) -> None:
        self.entries, self.array_bytes = MAX_ENTRIES, MAX_ARRAY_BYTES

    def fits(self, array_bytes: int, nested: bool) -> bool:
        """Whether arguments holding this many array bytes may still go in (checked before they are
        hashed into a key: a training set of images is tens of MB, and the child hashes each call
        it looks up)."""
        return self.entries > 0 and array_bytes <= (NESTED_ARRAY_BYTES if nested else self.array_bytes)

    def take(self, key: bytes, value_bytes: int) -> bool:
        size = len(key) + value_bytes
        if self.entries <= 0 or size > self.array_bytes:
            return False
        self.entries, self.array_bytes = self.entries - 1, self.array_bytes - size
        return True


@dataclass(frozen=True)
class Recording:
    """What one recorded run of the reference gave: the stand-in calls it made, and its own result
    (``returned`` False when it raised), which is the expected value of the case: the recorders
    hand the reference the same values its callees would, as ``np.float64`` where they give floats."""

    answers: tuple[Answer, ...]
    value: Any = None
    returned: bool = False


def record(reference: ModuleType, function: str, stubs: tuple[str, ...], args: list[Any],
           budget: Budget) -> Recording:
    """The stand-in calls ``reference.function(*args)`` makes, each with the value a stub returns;
    the recorders return those values to the reference, so its later calls carry the types a
    student's code receives (``np.float64``, not ``float``).  No calls when the reference raises."""
    answers: list[Answer] = []
    depth = [0]
    originals = {name: getattr(reference, name) for name in stubs if callable(getattr(reference, name, None))}

    def recorder(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def call(*call_args: Any, **call_kwargs: Any) -> Any:
            nested = depth[0] > 0
            fits = budget.fits(_arrays_bytes((*call_args, *call_kwargs.values())), nested)
            key = protocol.call_key(name, call_args, call_kwargs) if fits else None  # the arguments as they are now
            depth[0] += 1
            try:
                value = standin_value(original(*call_args, **call_kwargs))
            finally:
                depth[0] -= 1
            kept, size = _snapshot(value)
            if key is not None and budget.take(key, size):
                answers.append(Answer(name, key, kept))
            return value

        return call

    try:
        for name, original in originals.items():
            setattr(reference, name, recorder(name, original))
        with np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()), \
                contextlib.redirect_stderr(io.StringIO()):  # the grader's own output may be the report
            value = getattr(reference, function)(*args)
    except Exception:  # noqa: BLE001 (an input the reference refuses: its calls are asked one by one)
        return Recording(())
    finally:
        for name, original in originals.items():
            setattr(reference, name, original)
    return Recording(tuple(answers), value, True)


def _arrays_bytes(values: tuple) -> int:
    """The array bytes in some arguments (arrays, and arrays inside lists, tuples and dicts)."""
    total = 0
    for value in values:
        if isinstance(value, np.ndarray):
            total += value.nbytes
        elif isinstance(value, (list, tuple)):
            total += _arrays_bytes(tuple(value))
        elif isinstance(value, dict):
            total += _arrays_bytes(tuple(value.values()))
    return total


def _snapshot(value: Any) -> tuple[Any, int]:
    """A copy of a stand-in's answer that later changes to the original cannot reach, and its array
    bytes (a value of another type is never kept: its size counts as the whole budget)."""
    if isinstance(value, np.ndarray):
        return value.copy(), value.nbytes
    if isinstance(value, (tuple, list)):
        parts = [_snapshot(v) for v in value]
        return type(value)(p for p, _ in parts), sum(n for _, n in parts)
    if isinstance(value, dict):
        parts = {k: _snapshot(v) for k, v in value.items()}
        return {k: p for k, (p, _) in parts.items()}, sum(n for _, n in parts.values())
    if isinstance(value, (int, float, np.generic, str, type(None))):
        return value, 0
    return value, _UNKNOWN_BYTES
