"""The reference solution of ``logreg2`` is right: gradients against finite
differences, convergence orders of the difference formulas, numerical stability,
and the contract's gradient-descent and update semantics."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from reference import logreg2 as ref

H = 1e-5          # step for gradient checks
REL_TOL = 1e-7    # gradient-check tolerance (relative error of the whole gradient)

# (M, N): single example, single feature, M != N both ways, square, larger.
SIZES = [(1, 1), (1, 4), (5, 1), (3, 7), (7, 3), (6, 6), (40, 12)]


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """||a - b|| / (||a|| + ||b||): scale-free, and safe when some components are ~0."""
    a = np.ravel(np.asarray(a, dtype=float))
    b = np.ravel(np.asarray(b, dtype=float))
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if denom == 0 else float(np.linalg.norm(a - b) / denom)


def problem(seed: int, M: int, N: int):
    """A random, non-saturated logistic-regression problem (w, b, X, y)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(M, N))
    y = rng.integers(0, 2, size=M).astype(float)
    w = rng.normal(scale=0.7, size=N)
    b = float(rng.normal())
    return w, b, X, y


def numeric_grad(J, w: np.ndarray, b: float):
    """Centered-difference gradient of J(w, b) w.r.t. every w_n and b."""
    dw = np.empty_like(w)
    for n in range(w.size):
        def J_n(t, n=n):
            w2 = w.copy()
            w2[n] = t
            return J(w2, b)
        dw[n] = ref.centered_difference(J_n, float(w[n]), H)
    db = ref.centered_difference(lambda t: J(w, t), b, H)
    return dw, db


def as_vector(dw, db) -> np.ndarray:
    return np.append(np.ravel(dw), db)


# --------------------------------------------------------------------------
# Gradient checks
# --------------------------------------------------------------------------

@pytest.mark.parametrize("seed", range(5))
def test_graph_backward_matches_centered_differences(seed):
    rng = np.random.default_rng(100 + seed)
    a, b, c = (float(t) for t in rng.normal(scale=2.0, size=3))
    grads = ref.graph_backward(a, b, c)
    assert set(grads) == {"dJ_dv", "dJ_du", "dJ_da", "dJ_db", "dJ_dc"}
    def J(a_, b_, c_):
        return ref.graph_forward(a_, b_, c_)[2]

    u, v, _ = ref.graph_forward(a, b, c)
    numeric = {
        "dJ_da": ref.centered_difference(lambda t: J(t, b, c), a, H),
        "dJ_db": ref.centered_difference(lambda t: J(a, t, c), b, H),
        "dJ_dc": ref.centered_difference(lambda t: J(a, b, t), c, H),
        # Perturb an inner node by feeding it through the graph: with b=t, c=1 the
        # node u equals t; with a=t, b=c=0 the node v equals t.
        "dJ_du": ref.centered_difference(lambda t: J(a, t, 1.0), u, H),
        "dJ_dv": ref.centered_difference(lambda t: J(t, 0.0, 0.0), v, H),
    }
    keys = sorted(numeric)
    assert rel_error([grads[k] for k in keys], [numeric[k] for k in keys]) < REL_TOL
    assert grads["dJ_db"] == pytest.approx(2 * c) and grads["dJ_dc"] == pytest.approx(2 * b)


def test_graph_forward_nodes():
    assert ref.graph_forward(5.0, 3.0, 2.0) == (6.0, 11.0, 22.0)


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("N", [1, 2, 5, 13])
def test_backward_single_matches_centered_differences(seed, N):
    w, b, X, y = problem(seed, 1, N)
    x, y1 = X[0], float(y[0])
    dw, db = ref.backward_single(w, b, x, y1)
    assert dw.shape == (N,) and isinstance(db, float)
    num = numeric_grad(lambda w_, b_: ref.loss(ref.forward_single(w_, b_, x), y1), w, b)
    assert rel_error(as_vector(dw, db), as_vector(*num)) < REL_TOL


@pytest.mark.parametrize("seed", range(3))
@pytest.mark.parametrize("M,N", SIZES)
@pytest.mark.parametrize("grad_fn", [ref.gradients_loop, ref.gradients_vectorized],
                         ids=["loop", "vectorized"])
def test_gradients_match_centered_differences_of_cost(seed, M, N, grad_fn):
    w, b, X, y = problem(seed, M, N)
    dw, db = grad_fn(w, b, X, y)
    assert dw.shape == (N,) and isinstance(db, float)
    num = numeric_grad(lambda w_, b_: ref.cost(w_, b_, X, y), w, b)
    assert rel_error(as_vector(dw, db), as_vector(*num)) < REL_TOL


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("M,N", SIZES)
def test_loop_and_vectorized_agree(seed, M, N):
    w, b, X, y = problem(seed, M, N)
    dw_l, db_l = ref.gradients_loop(w, b, X, y)
    dw_v, db_v = ref.gradients_vectorized(w, b, X, y)
    np.testing.assert_allclose(dw_l, dw_v, rtol=1e-12, atol=1e-12)
    assert db_l == pytest.approx(db_v, rel=1e-12, abs=1e-12)


def test_single_example_equals_one_row_batch():
    w, b, X, y = problem(7, 1, 4)
    dw_s, db_s = ref.backward_single(w, b, X[0], y[0])
    dw_v, db_v = ref.gradients_vectorized(w, b, X, y)
    np.testing.assert_allclose(dw_s, dw_v, rtol=1e-12)
    assert db_s == pytest.approx(db_v, rel=1e-12)
    assert ref.loss(ref.forward_single(w, b, X[0]), y[0]) == pytest.approx(
        ref.cost(w, b, X, y), rel=1e-12)


# --------------------------------------------------------------------------
# Orders of the finite-difference formulas
# --------------------------------------------------------------------------

FUNCS = [(math.sin, math.cos, 1.0), (math.exp, math.exp, 0.3)]


def _slope(method, f, df, x):
    hs = np.logspace(-1, -3, 9)
    errors = [abs(method(f, x, float(h)) - df(x)) for h in hs]
    return np.polyfit(np.log(hs), np.log(errors), 1)[0]


@pytest.mark.parametrize("f,df,x", FUNCS, ids=["sin", "exp"])
def test_forward_difference_is_first_order(f, df, x):
    assert _slope(ref.forward_difference, f, df, x) == pytest.approx(1.0, abs=0.15)


@pytest.mark.parametrize("f,df,x", FUNCS, ids=["sin", "exp"])
def test_centered_difference_is_second_order(f, df, x):
    assert _slope(ref.centered_difference, f, df, x) == pytest.approx(2.0, abs=0.15)


def test_difference_formulas_exactly():
    def f(t):
        return t ** 3

    assert ref.forward_difference(f, 2.0, 0.5) == pytest.approx((2.5 ** 3 - 8) / 0.5)
    assert ref.centered_difference(f, 2.0, 0.5) == pytest.approx((2.5 ** 3 - 1.5 ** 3) / 1.0)
    assert ref.forward_difference(f, 2.0) == pytest.approx(12.0, rel=1e-4)  # default h


# --------------------------------------------------------------------------
# Sigmoid, loss, cost: values, types, stability
# --------------------------------------------------------------------------

def test_sigmoid_values_and_types():
    assert type(ref.sigmoid(0.0)) is float and ref.sigmoid(0.0) == 0.5
    assert type(ref.sigmoid(np.array(2.0))) is float
    assert type(ref.sigmoid(3)) is float
    z = np.random.default_rng(3).normal(scale=5, size=(4, 3))
    s = ref.sigmoid(z)
    assert s.shape == z.shape
    np.testing.assert_allclose(s, 1 / (1 + np.exp(-z)), rtol=1e-14)
    np.testing.assert_allclose(s + ref.sigmoid(-z), 1.0, rtol=1e-15)


def test_sigmoid_and_cost_are_stable_up_to_700():
    z = np.concatenate([np.linspace(-700, 700, 2801), [-700.0, 700.0, 0.0, -0.0]])
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        s = ref.sigmoid(z)
        assert np.all(np.isfinite(s)) and np.all((s >= 0) & (s <= 1))
        assert ref.sigmoid(700.0) == pytest.approx(1.0, abs=1e-15)
        assert 0.0 <= ref.sigmoid(-700.0) < 1e-300
        assert ref.sigmoid(-700) >= 0
        # z = ±700 per example, with both labels: the worst cases for log.
        X = np.array([[700.0], [-700.0], [700.0], [-700.0], [1.0]])
        for y in (np.array([1.0, 0.0, 0.0, 1.0, 1.0]), np.ones(5), np.zeros(5)):
            J = ref.cost(np.array([1.0]), 0.0, X, y)
            assert isinstance(J, float) and math.isfinite(J) and J >= 0
        J = ref.cost(np.array([1.0]), 0.0, X[:2], np.array([1.0, 0.0]))
        assert J == pytest.approx(0.0, abs=1e-14)
        dw, db = ref.gradients_vectorized(np.array([1.0]), 0.0, X, np.ones(5))
        assert np.all(np.isfinite(dw)) and math.isfinite(db)


def test_loss_with_saturated_predictions():
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        L = ref.loss(np.array([0.0, 1.0, 0.0, 1.0]), np.array([0.0, 1.0, 1.0, 0.0]))
        assert np.all(np.isfinite(L))
        assert L[0] == pytest.approx(0.0, abs=1e-12) and L[1] == pytest.approx(0.0, abs=1e-12)
        assert L[2] > 30 and L[3] > 30
        assert isinstance(ref.loss(1.0, 1.0), float)


def test_loss_values():
    y_hat = np.array([0.2, 0.7, 0.5])
    y = np.array([0.0, 1.0, 1.0])
    expected = -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    np.testing.assert_allclose(ref.loss(y_hat, y), expected, rtol=1e-15)
    assert ref.loss(0.5, 1.0) == pytest.approx(math.log(2))


def test_cost_is_mean_loss():
    w, b, X, y = problem(11, 9, 4)
    expected = np.mean([ref.loss(ref.forward_single(w, b, X[m]), y[m]) for m in range(9)])
    J = ref.cost(w, b, X, y)
    assert type(J) is float and J == pytest.approx(expected, rel=1e-13)


# --------------------------------------------------------------------------
# update and gradient descent
# --------------------------------------------------------------------------

def test_update_returns_new_values_and_leaves_w_alone():
    w = np.array([1.0, -2.0, 3.0])
    dw = np.array([0.5, 0.5, -1.0])
    w_before, dw_before = w.copy(), dw.copy()
    new_w, new_b = ref.update(w, 2.0, dw, 0.25, 0.1)
    np.testing.assert_array_equal(w, w_before)
    np.testing.assert_array_equal(dw, dw_before)
    assert new_w is not w and not np.shares_memory(new_w, w)
    np.testing.assert_allclose(new_w, [0.95, -2.05, 3.1])
    assert type(new_b) is float and new_b == pytest.approx(2.0 - 0.025)


def classification_data(seed: int, M: int = 60, N: int = 3):
    """Overlapping classes: cost is bounded away from 0 and strictly decreasing."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(M, N))
    true_w = rng.normal(size=N)
    y = (X @ true_w + rng.normal(scale=1.5, size=M) > 0).astype(float)
    return X, y


@pytest.mark.parametrize("seed", range(3))
def test_gradient_descent_costs_never_increase(seed):
    X, y = classification_data(seed)
    w, b, costs = ref.gradient_descent(X, y, alpha=0.1, epsilon=0.0, max_iters=300)
    assert len(costs) == 300
    assert all(type(c) is float for c in costs)
    assert costs[0] == pytest.approx(math.log(2))
    assert np.all(np.diff(costs) <= 1e-15)
    assert costs[-1] < costs[0] - 0.05
    # The returned parameters are the ones whose cost was recorded last.
    assert w.shape == (X.shape[1],) and isinstance(b, float)
    assert ref.cost(w, b, X, y) == pytest.approx(costs[-1], rel=1e-12)


@pytest.mark.parametrize("k", [1, 7, 40])
def test_gradient_descent_stops_as_soon_as_cost_reaches_epsilon(k):
    X, y = classification_data(5)
    _, _, path = ref.gradient_descent(X, y, 0.2, -1.0, 100)
    assert np.all(np.diff(path) < 0)
    epsilon = path[k]
    _, _, costs = ref.gradient_descent(X, y, 0.2, epsilon, 1000)
    assert len(costs) == k + 1
    assert costs[-1] <= epsilon
    assert all(c > epsilon for c in costs[:-1])
    np.testing.assert_array_equal(costs, path[:k + 1])


def test_gradient_descent_stops_at_start_when_epsilon_is_large():
    X, y = classification_data(2)
    w, b, costs = ref.gradient_descent(X, y, 0.1, 1.0, 50)
    assert costs == [pytest.approx(math.log(2))]
    np.testing.assert_array_equal(w, np.zeros(X.shape[1]))
    assert b == 0.0


@pytest.mark.parametrize("epsilon", [0.0, -1.0])
@pytest.mark.parametrize("max_iters", [1, 2, 5, 37])
def test_gradient_descent_records_exactly_max_iters(epsilon, max_iters):
    X, y = classification_data(9, M=20, N=2)
    w, b, costs = ref.gradient_descent(X, y, 0.1, epsilon, max_iters)
    assert len(costs) == max_iters
    if max_iters == 1:
        np.testing.assert_array_equal(w, np.zeros(2))
        assert b == 0.0


def test_gradient_descent_separable_data_never_reaches_zero_cost():
    # Separable data drive the cost towards 0; with epsilon = 0 it must still run
    # to max_iters (and without warnings, even as the sigmoid saturates).
    X = np.array([[-3.0], [-1.0], [1.0], [3.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        _, _, costs = ref.gradient_descent(X, y, 50.0, 0.0, 200)
    assert len(costs) == 200 and all(math.isfinite(c) for c in costs)


def test_gradient_descent_starts_from_zeros():
    X, y = classification_data(4)
    w, b, costs = ref.gradient_descent(X, y, 0.1, -1.0, 2)
    dw0, db0 = ref.gradients_vectorized(np.zeros(3), 0.0, X, y)
    np.testing.assert_allclose(w, -0.1 * dw0, rtol=1e-14)
    assert b == pytest.approx(-0.1 * db0, rel=1e-14)
