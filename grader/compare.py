"""Tolerance comparisons that explain themselves.

Every ``check_*`` function takes a value already rebuilt by the grader from plain
data (never a student object) and returns ``None`` when it is right, or one
sentence that says what is wrong: expected against got, the worst index and the
errors.  Return specs are the rubric's ``returns`` language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.protocol import Unsupported


@dataclass(frozen=True)
class Tolerance:
    rtol: float = 1e-6
    atol: float = 1e-9


@dataclass(frozen=True)
class Part:
    """The verdict on one named part of a return value (``dw``, ``dJ_db``, ``J``...)."""

    name: str
    problem: str | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def fmt(value: Any) -> str:
    """A short, readable rendering of a plain value."""
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=6, threshold=8, edgeitems=3, max_line_width=100)
    if isinstance(value, (float, np.floating)):
        return f"{float(value):.6g}"
    if isinstance(value, tuple):
        return "(" + ", ".join(fmt(v) for v in value) + ")"
    if isinstance(value, list):
        return "[" + ", ".join(fmt(v) for v in value[:8]) + (", ..." if len(value) > 8 else "") + "]"
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def describe_type(value: Any) -> str:
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, Unsupported):
        return f"a {value.type_name} object"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


def as_scalar(value: Any) -> float | None:
    """A float when ``value`` is a real scalar (Python, NumPy or 0-d array), else None."""
    if isinstance(value, bool) or isinstance(value, np.bool_):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "fiu":
        return float(value)
    return None


def check_float(got: Any, expected: float, tol: Tolerance, name: str) -> str | None:
    scalar = as_scalar(got)
    if scalar is None:
        hint = ""
        if isinstance(got, np.ndarray) and got.size == 1:
            hint = " (use float(...) or .item() to turn a one-element array into a number)"
        elif isinstance(got, np.ndarray):
            hint = " (a single number was expected: did you forget to sum or average?)"
        return f"{name} should be a float, got {describe_type(got)}{hint}"
    if not np.isfinite(scalar):
        return f"{name} is {scalar}, expected the finite value {fmt(expected)}"
    if not np.isclose(scalar, expected, rtol=tol.rtol, atol=tol.atol):
        err = abs(scalar - expected)
        rel = err / abs(expected) if expected else float("inf")
        return f"{name}: expected {fmt(expected)}, got {fmt(scalar)} (abs err {err:.2e}, rel err {rel:.2e})"
    return None


def check_array(got: Any, expected: np.ndarray, tol: Tolerance, name: str) -> str | None:
    if not isinstance(got, np.ndarray):
        if as_scalar(got) is not None and expected.size == 1:
            return f"{name} should be an array of shape {expected.shape}, got a single number"
        return f"{name} should be an array of shape {expected.shape}, got {describe_type(got)}"
    if got.shape != expected.shape:
        return f"{name} has shape {got.shape}, expected {expected.shape}{_shape_hint(got.shape, expected.shape)}"
    if got.dtype.kind not in "fiu":
        return f"{name} has dtype {got.dtype}, expected floating-point numbers"
    values = got.astype(np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        return f"{name} contains {values[index]} at index {index}, expected finite values"
    close = np.isclose(values, expected, rtol=tol.rtol, atol=tol.atol)
    if close.all():
        return None
    err = np.abs(values - expected)
    index = np.unravel_index(int(np.argmax(err)), err.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(expected != 0, err / np.abs(expected), np.inf)
    index_text = tuple(int(i) for i in index)
    return (f"{name}: expected {fmt(expected)}, got {fmt(values)}; worst at index {index_text}: "
            f"expected {fmt(expected[index])}, got {fmt(values[index])} "
            f"(max abs err {err.max():.2e}, max rel err {float(np.max(rel)):.2e}; "
            f"{int((~close).sum())} of {close.size} entries off)")


def _shape_hint(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    if len(expected) == 1 and got in ((1, expected[0]), (expected[0], 1)):
        return (f": a {'row' if got[0] == 1 else 'column'} vector where a 1-D array belongs; "
                f"use 1-D arrays (e.g. (y_hat - y) @ X) or .ravel() the result")
    if len(got) == len(expected) and got == tuple(reversed(expected)):
        return ": transposed (check where X belongs and where Xᵀ does)"
    return ""


def check_floats(got: Any, expected: list[float], tol: Tolerance, name: str) -> str | None:
    if isinstance(got, np.ndarray) and got.ndim == 1:
        got = list(got)
    if not isinstance(got, (list, tuple)):
        return f"{name} should be a list of floats, got {describe_type(got)}"
    if len(got) != len(expected):
        return f"{name} has {len(got)} entries, expected {len(expected)}"
    for i, (g, e) in enumerate(zip(got, expected)):
        problem = check_float(g, e, tol, f"{name}[{i}]")
        if problem:
            return problem
    return None


def check_returned(got: Any, expected: Any, spec: dict[str, Any], tol: Tolerance) -> list[Part]:
    """Judge a whole return value; composite values give one part per element."""
    if "tuple" in spec:
        specs = spec["tuple"]
        names = [_name(s, i) for i, s in enumerate(specs)]
        if not isinstance(got, (tuple, list)) or len(got) != len(specs):
            problem = f"should return a tuple of {len(specs)} values ({', '.join(names)}), got {_count(got)}"
            return [Part(n, problem) for n in names]
        return [Part(n, _check_one(g, e, s, tol, n)) for n, g, e, s in zip(names, got, expected, specs)]
    if "dict" in spec:
        keys = list(spec["dict"])
        if not isinstance(got, dict):
            return [Part(k, f"should return a dict with keys {', '.join(keys)}, got {describe_type(got)}") for k in keys]
        return [Part(k, f"the dict has no key {k!r}" if k not in got else _check_one(got[k], expected[k], spec["dict"][k], tol, k))
                for k in keys]
    name = _name(spec, 0)
    return [Part(name, _check_one(got, expected, spec, tol, name))]


def part_names(spec: dict[str, Any]) -> list[str]:
    """The names of a return value's parts, as partial credit counts them."""
    if "tuple" in spec:
        return [_name(s, i) for i, s in enumerate(spec["tuple"])]
    if "dict" in spec:
        return list(spec["dict"])
    return [_name(spec, 0)]


def _count(got: Any) -> str:
    if isinstance(got, (tuple, list)):
        return f"{len(got)} value{'s' if len(got) != 1 else ''}"
    return describe_type(got)


def _name(spec: dict[str, Any], index: int) -> str:
    for key in ("float", "floats", "array", "like"):
        if key in spec:
            return str(spec[key])
    return f"value {index + 1}"


def _check_one(got: Any, expected: Any, spec: dict[str, Any], tol: Tolerance, name: str) -> str | None:
    if "float" in spec:
        return check_float(got, float(expected), tol, name)
    if "floats" in spec:
        return check_floats(got, [float(e) for e in expected], tol, name)
    if isinstance(expected, np.ndarray):
        return check_array(got, expected, tol, name)
    return check_float(got, float(expected), tol, name)
