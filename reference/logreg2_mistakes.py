"""Known wrong versions of the ``logreg2`` reference functions: the lecture's classic slips.

Each variant has the signature of the reference function it imitates and makes
exactly one mistake.  The rubric (``rubrics/logreg2.json``) declares, next to a
check, which variants to try and what to tell a student whose answer one of them
reproduces on the same inputs (``grader.checking.checks`` does the matching).  A variant
may raise where the slip would raise (``X`` where ``Xᵀ`` belongs, with M != N):
a student whose function raises the same way is told the same thing.

Callees are the reference's own (``ref.cost``, ``ref.update``...), as in the
grader, where a student's function runs with reference callees.  Like the
reference, this module stays on the grader's side and never ships to students.
"""

from __future__ import annotations

import math
from typing import Callable, Dict, List, Tuple

import numpy as np

from reference import logreg2 as ref

_DEFAULT_H = 1e-5


# --------------------------------------------------------------------------- computation graph

def graph_backward_swapped(a: float, b: float, c: float) -> Dict[str, float]:
    """du/db and du/dc exchanged: dJ/db = 2b and dJ/dc = 2c."""
    right = ref.graph_backward(a, b, c)
    return {**right, "dJ_db": 2.0 * b, "dJ_dc": 2.0 * c}


def graph_backward_no_2(a: float, b: float, c: float) -> Dict[str, float]:
    """The factor 2 of J = 2v dropped (dJ/dv = 1): every derivative halved."""
    return {k: v / 2.0 for k, v in ref.graph_backward(a, b, c).items()}


def graph_backward_da_not_chained(a: float, b: float, c: float) -> Dict[str, float]:
    """dJ/da set to the local derivative dv/da = 1, without the upstream dJ/dv."""
    return {**ref.graph_backward(a, b, c), "dJ_da": 1.0}


# --------------------------------------------------------------------------- numerical derivatives

def forward_difference_at_x_minus_h(f: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    """Stepping back to x - h: (f(x) - f(x - h)) / h, the backward difference."""
    return (f(x) - f(x - h)) / h


def forward_difference_reversed(f: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    """f evaluated at x - h in place of x + h: (f(x - h) - f(x)) / h, about -f'(x)."""
    return (f(x - h) - f(x)) / h


def forward_difference_fixed_h(f: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    """The argument h ignored: always the default step."""
    return (f(x + _DEFAULT_H) - f(x)) / _DEFAULT_H


def centered_difference_over_h(f: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    """Divided by h instead of 2h: twice the derivative."""
    return (f(x + h) - f(x - h)) / h


def centered_difference_times_h(f: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    """``/ 2 * h`` without parentheses: divided by 2, then multiplied by h."""
    return (f(x + h) - f(x - h)) / 2 * h


def centered_difference_fixed_h(f: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    """The argument h ignored: always the default step."""
    return (f(x + _DEFAULT_H) - f(x - _DEFAULT_H)) / (2 * _DEFAULT_H)


# --------------------------------------------------------------------------- one example

def sigmoid_exp_plus(z):
    """1 / (1 + e^z): the sign of the exponent lost, which is σ(-z)."""
    return ref.sigmoid(-np.asarray(z, dtype=float))


def forward_single_no_sigmoid(w: np.ndarray, b: float, x: np.ndarray) -> float:
    """z = w·x + b returned without the sigmoid."""
    return float(np.dot(w, x) + b)


def forward_single_no_b(w: np.ndarray, b: float, x: np.ndarray) -> float:
    """σ(w·x): the bias left out."""
    return ref.sigmoid(np.dot(w, x))


def loss_no_minus(y_hat, y):
    """The log-likelihood, without the leading minus of the cross-entropy."""
    return -ref.loss(y_hat, y)


def loss_terms_swapped(y_hat, y):
    """y paired with log(1 - ŷ) and 1 - y with log ŷ."""
    return ref.loss(y_hat, 1.0 - np.asarray(y, dtype=float))


def backward_single_sign_flipped(w: np.ndarray, b: float, x: np.ndarray, y: float) -> Tuple[np.ndarray, float]:
    """dz = y - ŷ instead of ŷ - y."""
    dw, db = ref.backward_single(w, b, x, y)
    return -dw, -db


def backward_single_dw_times_w(w: np.ndarray, b: float, x: np.ndarray, y: float) -> Tuple[np.ndarray, float]:
    """dw = dz·w: the weight where the input x belongs (dz/dw_n = x_n)."""
    _, db = ref.backward_single(w, b, x, y)
    return db * np.asarray(w, dtype=float), db


# --------------------------------------------------------------------------- M examples: gradients

def _scaled_gradients(w, b, X, y, dw_scale: float, db_scale: float) -> Tuple[np.ndarray, float]:
    dw, db = ref.gradients_vectorized(w, b, X, y)
    return dw * dw_scale, float(db * db_scale)


def gradients_not_averaged(w, b, X, y):
    """Neither dw nor db divided by M."""
    M = X.shape[0]
    return _scaled_gradients(w, b, X, y, M, M)


def gradients_dw_not_averaged(w, b, X, y):
    """db divided by M, dw not."""
    return _scaled_gradients(w, b, X, y, X.shape[0], 1.0)


def gradients_db_not_averaged(w, b, X, y):
    """dw divided by M, db not."""
    return _scaled_gradients(w, b, X, y, 1.0, X.shape[0])


def gradients_divided_by_n(w, b, X, y):
    """Averaged over the N features (X.shape[1]) instead of the M examples."""
    M, N = X.shape
    return _scaled_gradients(w, b, X, y, M / N, M / N)


def gradients_dw_divided_by_n(w, b, X, y):
    """dw averaged over the N features, db over the M examples (one of a family: any wrong constant)."""
    M, N = X.shape
    return _scaled_gradients(w, b, X, y, M / N, 1.0)


def gradients_sign_flipped(w, b, X, y):
    """dz = y - ŷ instead of ŷ - y: the gradient points uphill."""
    return _scaled_gradients(w, b, X, y, -1.0, -1.0)


def gradients_dw_row(w, b, X, y):
    """ŷ - y made a (1, M) row before the product: dw of shape (1, N)."""
    dw, db = ref.gradients_vectorized(w, b, X, y)
    return dw.reshape(1, -1), db


def gradients_dw_column(w, b, X, y):
    """ŷ - y made an (M, 1) column, Xᵀ·(ŷ - y): dw of shape (N, 1)."""
    dw, db = ref.gradients_vectorized(w, b, X, y)
    return dw.reshape(-1, 1), db


def gradients_x_not_transposed(w, b, X, y):
    """X·(ŷ - y) where (ŷ - y)ᵀ·X belongs: raises unless M == N, as the student's code does."""
    M = X.shape[0]
    dz = ref.sigmoid(X @ w + b) - y
    return np.dot(X, dz) / M, float(np.sum(dz) / M)


# --------------------------------------------------------------------------- cost

def cost_summed(w, b, X, y):
    """The losses summed, not averaged."""
    return ref.cost(w, b, X, y) * X.shape[0]


def cost_divided_by_n(w, b, X, y):
    """The losses averaged over the N features instead of the M examples."""
    return ref.cost(w, b, X, y) * X.shape[0] / X.shape[1]


def cost_no_minus(w, b, X, y):
    """The loss written without its leading minus: the cost is negative."""
    return -ref.cost(w, b, X, y)


# --------------------------------------------------------------------------- update

def update_b_with_dw(w, b, dw, db, alpha):
    """b stepped with dJ/dw, as on the lecture's slide (a typo there)."""
    return w - alpha * dw, b - alpha * dw


def update_in_place(w, b, dw, db, alpha):
    """w -= alpha * dw: the right values, but the caller's w is changed too."""
    w -= alpha * dw
    return w, b - alpha * db


def update_uphill(w, b, dw, db, alpha):
    """w + alpha*dw: a step up the cost instead of down."""
    return w + alpha * dw, float(b + alpha * db)


# --------------------------------------------------------------------------- gradient descent

def _descend(X, y, alpha, epsilon, max_iters, w, b, extra_step: bool = False):
    """The reference loop from a given start; ``extra_step`` also steps after the last recorded cost."""
    costs: List[float] = []
    for _ in range(max(int(max_iters), 0)):
        J = ref.cost(w, b, X, y)
        costs.append(float(J))
        if J <= epsilon:
            break
        if len(costs) >= max_iters and not extra_step:
            break
        dw, db = ref.gradients_vectorized(w, b, X, y)
        w, b = ref.update(w, b, dw, db, alpha)
    return w, float(b), costs


def gradient_descent_from_ones(X, y, alpha, epsilon, max_iters):
    """Started at w = ones(N) instead of zeros(N)."""
    return _descend(X, y, alpha, epsilon, max_iters, np.ones(X.shape[1]), 0.0)


def gradient_descent_b_from_one(X, y, alpha, epsilon, max_iters):
    """Started at b = 1 instead of 0."""
    return _descend(X, y, alpha, epsilon, max_iters, np.zeros(X.shape[1]), 1.0)


def gradient_descent_cost_after_update(X, y, alpha, epsilon, max_iters):
    """Each iteration steps first and records the cost of the new parameters."""
    w, b = np.zeros(X.shape[1]), 0.0
    costs: List[float] = []
    while len(costs) < max_iters:
        dw, db = ref.gradients_vectorized(w, b, X, y)
        w, b = ref.update(w, b, dw, db, alpha)
        J = ref.cost(w, b, X, y)
        costs.append(float(J))
        if J <= epsilon:
            break
    return w, float(b), costs


def gradient_descent_one_short(X, y, alpha, epsilon, max_iters):
    """Stops one iteration early: max_iters - 1 costs."""
    return ref.gradient_descent(X, y, alpha, epsilon, max_iters - 1)


def gradient_descent_one_long(X, y, alpha, epsilon, max_iters):
    """One iteration too many: max_iters + 1 costs (the initial cost, then one after every step)."""
    return ref.gradient_descent(X, y, alpha, epsilon, max_iters + 1)


def gradient_descent_extra_step(X, y, alpha, epsilon, max_iters):
    """The right costs, but one more step after the last one: (w, b) no longer match costs[-1]."""
    return _descend(X, y, alpha, epsilon, max_iters, np.zeros(X.shape[1]), 0.0, extra_step=True)


def gradient_descent_ignores_epsilon(X, y, alpha, epsilon, max_iters):
    """Never stops at J <= ε: always max_iters iterations."""
    return ref.gradient_descent(X, y, alpha, -math.inf, max_iters)
