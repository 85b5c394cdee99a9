"""Tolerance logic and the sentences it produces."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from grader.checking.compare import (Tolerance, check_array, check_float, check_floats, check_returned, part_names,
                                     scalars_close)
from grader.rubric import parse_returns

TOL = Tolerance(rtol=1e-6, atol=1e-9)


def test_float_within_tolerance_passes():
    assert check_float(1.0 + 1e-8, 1.0, TOL, "J") is None
    assert check_float(np.float64(0.5), 0.5, TOL, "J") is None
    assert check_float(np.array(0.5), 0.5, TOL, "J") is None


def test_float_outside_tolerance_says_expected_and_got():
    msg = check_float(1.1, 1.0, TOL, "J")
    assert msg is not None and "expected 1" in msg and "got 1.1" in msg and "rel err" in msg


@pytest.mark.parametrize("value, hint", [(np.array([0.5]), "one-element array"), (np.ones(3), "sum or average"),
                                         (True, "float"), ("0.5", "str"), (None, "None")])
def test_float_of_wrong_type_is_named(value, hint):
    msg = check_float(value, 0.5, TOL, "db", strict=True)
    assert msg is not None and msg.startswith("db should be a float") and hint in msg


def test_nan_is_never_close():
    assert "finite" in check_float(float("nan"), 0.5, TOL, "J")
    assert "finite" in check_array(np.array([1.0, np.inf]), np.array([1.0, 2.0]), TOL, "dw")


def test_array_mismatch_reports_worst_index_and_errors():
    msg = check_array(np.array([1.0, 2.0, 5.0]), np.array([1.0, 2.0, 3.0]), TOL, "dw")
    assert "worst at index (2,)" in msg and "max abs err 2.00e+00" in msg and "1 of 3 entries off" in msg


@pytest.mark.parametrize("shape, words", [((1, 3), "row vector"), ((3, 1), "column vector")])
def test_row_or_column_vector_gets_a_shape_hint(shape, words):
    msg = check_array(np.ones(shape), np.ones(3), TOL, "dw")
    assert f"has shape {shape}, expected (3,)" in msg and words in msg


def test_transposed_matrix_is_named():
    assert "transposed" in check_array(np.ones((3, 2)), np.ones((2, 3)), TOL, "X")


def test_integer_arrays_are_compared_as_numbers_but_bool_is_not_a_float():
    assert check_array(np.array([1, 2]), np.array([1.0, 2.0]), TOL, "a") is None
    assert "dtype bool" in check_array(np.array([True]), np.array([1.0]), TOL, "a")


def test_floats_list_length_is_checked_first():
    assert "has 3 entries, expected 2" in check_floats([1.0, 2.0, 3.0], [1.0, 2.0], TOL, "costs")
    assert check_floats(np.array([1.0, 2.0]), [1.0, 2.0], TOL, "costs") is None


def test_tuple_and_dict_give_one_part_each():
    spec = parse_returns({"tuple": [{"array": "dw", "shape": ["N"]}, {"float": "db"}]})
    parts = check_returned((np.ones(2), 0.3), (np.ones(2), 0.5), spec, TOL)
    assert [p.name for p in parts] == ["dw", "db"] and parts[0].ok and not parts[1].ok
    assert part_names(spec) == ["dw", "db"]
    wrong_count = check_returned((np.ones(2),), (np.ones(2), 0.5), spec, TOL)
    assert all("tuple of 2 values" in p.problem for p in wrong_count)
    dict_spec = parse_returns({"dict": {"a": {"float": "a"}, "b": {"float": "b"}}})
    parts = check_returned({"a": 1.0}, {"a": 1.0, "b": 2.0}, dict_spec, TOL)
    assert parts[0].ok and "no key 'b'" in parts[1].problem


@given(got=st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
       expected=st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True),
       near=st.floats(min_value=-1e-5, max_value=1e-5),
       rtol=st.sampled_from([0.0, 1e-9, 1e-6, 1e-3]), atol=st.sampled_from([0.0, 1e-12, 1e-9, 1e-3]))
def test_scalars_close_is_numpys_isclose(got, expected, near, rtol, atol):
    tol = Tolerance(rtol=rtol, atol=atol)
    with np.errstate(all="ignore"):
        for a, b in ((got, expected), (expected * (1 + near), expected), (np.float64(got), np.float64(expected))):
            assert scalars_close(a, b, tol) == bool(np.isclose(a, b, rtol=rtol, atol=atol)), (a, b, rtol, atol)
