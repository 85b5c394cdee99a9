"""Tolerance comparisons that explain themselves.

Every ``check_*`` function takes a value already rebuilt by the grader from plain
data (never a student object) and returns ``None`` when it is right, or one
sentence that says what is wrong: expected against got, the worst index and the
errors.  Return specs are the rubric's ``returns`` language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from grader.rubric import ReturnSpec, Tolerance
from grader.sandbox.child.protocol import Unsupported


# Why a part is wrong, as data (the sentence says it to the student).
PartReason = Literal["nonfinite", "type", "shape", "value", "structure", "length"]


@dataclass(frozen=True)
class Part:
    """The verdict on one named part of a return value (``dw``, ``dJ_db``, ``J``...)."""

    name: str
    problem: str | None
    note: str | None = None  # said even when the part is right (a list judged as an array)
    reason: PartReason | None = None  # None for a right part (and a gradient check's verdict)

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
    try:
        if isinstance(value, (int, float, np.integer, np.floating)):
            return float(value)
        if isinstance(value, np.ndarray) and value.shape == () and value.dtype.kind in "fiu":
            return float(value)
    except (OverflowError, ValueError):  # an int too large for a float is no number we can judge
        return None
    return None


def nonfinite_word(x: float) -> str:
    """NaN and the infinities in words, for a student who may never have met ``nan`` printed."""
    return "NaN" if x != x else ("infinity" if x > 0 else "minus infinity")


def _numeric_list(value: Any) -> np.ndarray | None:
    """A list or tuple of real numbers (nested evenly) as a float64 array, else None."""
    if not isinstance(value, (list, tuple)):
        return None
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        return None
    if array.dtype.kind not in "fiu" or array.dtype == object:
        return None
    return array.astype(np.float64)


def coerce_scalar(got: Any, strict: bool = False) -> tuple[float | None, str | None]:
    """``got`` as a number, and a note when it was an array-like that had to be converted."""
    scalar = as_scalar(got)
    if scalar is not None or strict:
        return scalar, None
    array = got if isinstance(got, np.ndarray) else _numeric_list(got)
    if isinstance(array, np.ndarray) and array.size == 1 and array.dtype.kind in "fiu":
        kind = "a one-element array" if isinstance(got, np.ndarray) else f"a one-element {type(got).__name__}"
        return float(array.reshape(-1)[0]), f"{kind} where a single number belongs; it was judged by its value (`float(...)` gives the number)"
    return None, None


def coerce_array(got: Any, shape: tuple[int, ...], strict: bool = False) -> tuple[Any, str | None]:
    """``got`` as an array when it is an array-like of numbers (a list, a tuple, a number where one
    entry is expected), and a note saying so; anything else is returned unchanged."""
    if isinstance(got, np.ndarray) or strict:
        return got, None
    array = _numeric_list(got)
    if array is not None:
        return array, f"{describe_type(got)} where a NumPy array belongs; it was judged as an array (`np.array(...)` returns one)"
    scalar = as_scalar(got)
    if scalar is not None and math.prod(shape) == 1:
        return np.full(shape, scalar), "a single number where a one-entry array belongs; it was judged as one"
    return got, None


def _float_part(got: Any, expected: float, tol: Tolerance, name: str, strict: bool = False) -> Part:
    scalar, note = coerce_scalar(got, strict)
    if scalar is None:
        hint, reason = "", "type"
        if isinstance(got, np.ndarray) and got.size == 1:
            hint = " (use float(...) or .item() to turn a one-element array into a number)"
        elif isinstance(got, np.ndarray):
            hint, reason = " (a single number was expected: did you forget to sum or average?)", "shape"
        return Part(name, f"{name} should be a float, got {describe_type(got)}{hint}", reason=reason)
    note = f"{name} is {note}" if note else None
    if not math.isfinite(scalar):
        return Part(name, f"{name}: returned {nonfinite_word(scalar)}, expected the finite value {fmt(expected)}",
                    note, "nonfinite")
    if not scalars_close(scalar, expected, tol):
        err = abs(scalar - expected)
        rel = err / abs(expected) if expected else float("inf")
        return Part(name, f"{name}: expected {fmt(expected)}, got {fmt(scalar)} (abs err {err:.2e}, rel err {rel:.2e})",
                    note, "value")
    return Part(name, None, note)


def scalars_close(got: float, expected: float, tol: Tolerance) -> bool:
    """``np.isclose`` of two scalars (``|got - expected| <= atol + rtol * |expected|``; an infinity is
    close only to itself, NaN to nothing) without its arrays: a submission makes ~150 of these."""
    got, expected = float(got), float(expected)
    if got == expected:
        return True
    if not (math.isfinite(got) and math.isfinite(expected)):
        return False
    return abs(got - expected) <= tol.atol + tol.rtol * abs(expected)


def check_float(got: Any, expected: float, tol: Tolerance, name: str, strict: bool = False) -> str | None:
    return _float_part(got, expected, tol, name, strict).problem


def _array_part(got: Any, expected: np.ndarray, tol: Tolerance, name: str, strict: bool = False) -> Part:
    got, note = coerce_array(got, expected.shape, strict)
    note = f"{name} is {note}" if note else None
    if not isinstance(got, np.ndarray):
        if as_scalar(got) is not None and expected.size == 1:
            return Part(name, f"{name} should be an array of shape {expected.shape}, got a single number", reason="type")
        return Part(name, f"{name} should be an array of shape {expected.shape}, got {describe_type(got)}", reason="type")
    if got.shape != expected.shape:
        return Part(name, f"{name} has shape {got.shape}, expected {expected.shape}{_shape_hint(got.shape, expected.shape)}",
                    note, "shape")
    if got.dtype.kind not in "fiu":
        return Part(name, f"{name} has dtype {got.dtype}, expected floating-point numbers", note, "type")
    values = got.astype(np.float64)
    bad = ~np.isfinite(values)
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        return Part(name, f"{name}: returned {nonfinite_word(float(values[index]))} at index {index} "
                    f"({int(bad.sum())} of {bad.size} entries are NaN or infinite), expected finite values "
                    f"such as {fmt(expected[index])} there", note, "nonfinite")
    with np.errstate(all="ignore"):
        close = np.isclose(values, expected, rtol=tol.rtol, atol=tol.atol)
    if close.all():
        return Part(name, None, note)
    with np.errstate(all="ignore"):
        err = np.abs(values - expected)
        rel = np.where(expected != 0, err / np.abs(expected), np.inf)
    index = np.unravel_index(int(np.argmax(err)), err.shape)
    index_text = tuple(int(i) for i in index)
    return Part(name, f"{name}: expected {fmt(expected)}, got {fmt(values)}; worst at index {index_text}: "
                f"expected {fmt(expected[index])}, got {fmt(values[index])} "
                f"(max abs err {err.max():.2e}, max rel err {float(np.max(rel)):.2e}; "
                f"{int((~close).sum())} of {close.size} entries off)", note, "value")


def check_array(got: Any, expected: np.ndarray, tol: Tolerance, name: str, strict: bool = False) -> str | None:
    return _array_part(got, expected, tol, name, strict).problem


def _shape_hint(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    if len(expected) == 1 and got in ((1, expected[0]), (expected[0], 1)):
        return (f": a {'row' if got[0] == 1 else 'column'} vector where a 1-D array belongs; "
                f"use 1-D arrays (e.g. (y_hat - y) @ X) or .ravel() the result")
    if len(got) == len(expected) and got == tuple(reversed(expected)):
        return ": transposed (check where X belongs and where Xᵀ does)"
    return ""


def _floats_part(got: Any, expected: list[float], tol: Tolerance, name: str, strict: bool = False) -> Part:
    if isinstance(got, np.ndarray) and got.ndim == 1:
        got = list(got)
    if not isinstance(got, (list, tuple)):
        return Part(name, f"{name} should be a list of floats, got {describe_type(got)}", reason="type")
    if len(got) != len(expected):
        return Part(name, f"{name} has {len(got)} entries, expected {len(expected)}", reason="length")
    notes = []
    for i, (g, e) in enumerate(zip(got, expected)):
        part = _float_part(g, e, tol, f"{name}[{i}]", strict)
        notes.append(part.note)
        if part.problem:
            return part
    note = next((n for n in notes if n), None)
    return Part(name, None, note)


def check_floats(got: Any, expected: list[float], tol: Tolerance, name: str, strict: bool = False) -> str | None:
    return _floats_part(got, expected, tol, name, strict).problem


def check_returned(got: Any, expected: Any, spec: ReturnSpec, tol: Tolerance, strict: bool = False) -> list[Part]:
    """Judge a whole return value; composite values give one part per leaf.

    Values are judged, not container classes: a tuple or dict subclass is a tuple or a
    dict, and (unless ``strict``) a list where an array belongs is judged as an array.  A
    tuple or dict inside one (``propagate``'s ``(grads, cost)``) is judged leaf by leaf.
    """
    return _composite_parts(got, expected, spec, tol, strict, "")


def _composite_parts(got: Any, expected: Any, spec: ReturnSpec, tol: Tolerance, strict: bool,
                     where: str) -> list[Part]:
    """The parts of ``got`` against ``spec``; ``where`` names a nested value ("value 1"), "" the whole."""
    names = part_names(spec)
    lead = f"{where} should be" if where else "should return"
    if spec.kind == "tuple":
        specs = spec.parts
        if not isinstance(got, (tuple, list)) or len(got) != len(specs):
            shown = [_name(s, i) for i, s in enumerate(specs)]
            problem = f"{lead} a tuple of {len(specs)} values ({', '.join(shown)}), got {_count(got)}"
            return [Part(n, problem, reason="structure") for n in names]
        return [p for i, (g, e, s) in enumerate(zip(got, expected, specs))
                for p in _element_parts(g, e, s, tol, strict, _name(s, i), f"{where}[{i}]" if where else f"value {i + 1}")]
    if spec.kind == "dict":
        if not isinstance(got, dict):
            return [Part(n, f"{lead} a dict with keys {', '.join(spec.keys)}, got {describe_type(got)}",
                         reason="structure") for n in names]
        parts = []
        for k, s in zip(spec.keys, spec.parts):
            if k not in got:
                parts += [Part(n, f"the dict has no key {k!r}", reason="structure") for n in part_names(s)]
            else:
                parts += _element_parts(got[k], expected[k], s, tol, strict, k, f"{where}[{k!r}]" if where else f"the dict's {k!r}")
        return parts
    return [_part(got, expected, spec, tol, _name(spec, 0), strict)]


def _element_parts(got: Any, expected: Any, spec: ReturnSpec, tol: Tolerance, strict: bool, name: str,
                   where: str) -> list[Part]:
    """One element of a tuple or dict: a leaf is one part, a nested tuple or dict its leaves."""
    if spec.kind in ("tuple", "dict"):
        return _composite_parts(got, expected, spec, tol, strict, where)
    return [_part(got, expected, spec, tol, name, strict)]


def leaves(spec: ReturnSpec, path: tuple[int | str, ...] = ()) -> list[tuple[tuple[int | str, ...], str, ReturnSpec]]:
    """Every part of a return value as (path, name, spec): the indices and keys that lead to it through
    nested tuples and dicts, its name (its key in a dict), and its own return spec."""
    if spec.kind == "tuple":
        steps: list[tuple[int | str, str]] = [(i, _name(s, i)) for i, s in enumerate(spec.parts)]
    elif spec.kind == "dict":
        steps = [(k, k) for k in spec.keys]
    else:
        return [(path, _name(spec, 0), spec)]
    out = []
    for (step, name), part in zip(steps, spec.parts):
        out += leaves(part, path + (step,)) if part.kind in ("tuple", "dict") else [(path + (step,), name, part)]
    return out


def part_names(spec: ReturnSpec) -> list[str]:
    """The names of a return value's parts (its leaves), as partial credit counts them."""
    return [name for _, name, _ in leaves(spec)]


def _count(got: Any) -> str:
    if isinstance(got, (tuple, list)):
        return f"{len(got)} value{'s' if len(got) != 1 else ''}"
    return describe_type(got)


def _name(spec: ReturnSpec, index: int) -> str:
    """The output's name as the rubric gives it, else its position."""
    return spec.name if spec.name is not None else f"value {index + 1}"


def _part(got: Any, expected: Any, spec: ReturnSpec, tol: Tolerance, name: str, strict: bool) -> Part:
    if spec.kind == "floats":
        return _floats_part(got, [float(e) for e in expected], tol, name, strict)
    if spec.kind == "labels":
        return _labels_part(got, np.asarray(expected, dtype=np.float64), tol, name, strict)
    if spec.kind != "float" and isinstance(expected, np.ndarray):
        return _array_part(got, expected, tol, name, strict)
    part = _float_part(got, float(expected), tol, name, strict)
    if spec.integer == "note" and part.ok and _is_int(got):
        return replace(part, note=f"{name} is the int {int(got)} where a float belongs; it was judged by its value "
                                  f"(write {int(got)}.0 for a float)")
    return part


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _labels_part(got: Any, expected: np.ndarray, tol: Tolerance, name: str, strict: bool) -> Part:
    """0/1 labels: float, int and bool arrays are all labels (True is 1), judged by their values."""
    if isinstance(got, np.ndarray) and got.dtype.kind == "b":
        got = got.astype(np.float64)
    return _array_part(got, expected, tol, name, strict)
