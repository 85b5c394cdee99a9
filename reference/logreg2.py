"""Reference solution for assignment ``logreg2`` (Logistic Regression, Part 2).

Conventions (the lecture's): ``X`` has shape ``(M, N)``, one example per row;
``y`` has shape ``(M,)`` with values 0 or 1; ``w`` has shape ``(N,)``; ``b`` is a
float.

The grader judges one student function at a time, so that a bug costs points only
in the item where it lives. While a graded function runs, the item child in the
sandbox replaces the callees its check lists in the rubric's ``stubs`` (``sigmoid``
and ``loss`` inside ``cost``; ``cost``, ``gradients_vectorized`` and ``update``
inside ``gradient_descent``, ...) in the student's own namespace with stubs
(``_make_stub`` in ``grader/sandbox/child/runner.py``) that send their arguments to
the grader and return its answer; the student's functions are put back after the
call. The grader answers each stub with the function of that name here, called in
its own process. Nothing in this module is patched or sent into the sandbox: its
functions call each other directly, so every answer is the reference's all the way
down.
"""

from __future__ import annotations

from typing import Callable, Dict, List, Tuple, Union

import numpy as np

Number = Union[float, np.ndarray]

# Probabilities are kept this far from 0 and 1 inside ``loss`` so that log(0) and
# 0 * log(0) never happen; it changes nothing for y_hat in [1e-15, 1 - 1e-15].
_CLIP = 1e-15


# --------------------------------------------------------------------------
# Computation graph J = 2(a + bc), with u = bc and v = a + u
# --------------------------------------------------------------------------

def graph_forward(a: float, b: float, c: float) -> Tuple[float, float, float]:
    """Forward pass of the lecture's graph; returns every node so it can be checked."""
    u = b * c
    v = a + u
    J = 2 * v
    return u, v, J


def graph_backward(a: float, b: float, c: float) -> Dict[str, float]:
    """Backward pass: each derivative is the upstream one times a local one (chain rule)."""
    dJ_dv = 2.0               # J = 2v
    dJ_da = dJ_dv * 1.0       # v = a + u
    dJ_du = dJ_dv * 1.0       # v = a + u
    dJ_db = dJ_du * c         # u = bc
    dJ_dc = dJ_du * b         # u = bc
    return {"dJ_dv": dJ_dv, "dJ_du": dJ_du, "dJ_da": dJ_da,
            "dJ_db": dJ_db, "dJ_dc": dJ_dc}


# --------------------------------------------------------------------------
# Numerical derivatives (used to check analytic gradients)
# --------------------------------------------------------------------------

def forward_difference(f: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    """One-sided estimate of f'(x); its error shrinks like h."""
    return (f(x + h) - f(x)) / h


def centered_difference(f: Callable[[float], float], x: float, h: float = 1e-5) -> float:
    """Symmetric estimate of f'(x); the h-terms cancel, so its error shrinks like h**2."""
    return (f(x + h) - f(x - h)) / (2 * h)


# --------------------------------------------------------------------------
# Logistic regression, one example
# --------------------------------------------------------------------------

def sigmoid(z: Number) -> Number:
    """σ(z) = 1/(1+e^(-z)), elementwise; a scalar (or 0-d array) gives a Python float.

    Written with e^(-|z|), which lies in (0, 1], so neither branch can overflow:
    σ(z) = 1/(1+e^(-|z|)) for z >= 0 and e^(-|z|)/(1+e^(-|z|)) for z < 0.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if s.ndim == 0:
        return float(s)
    return s


def forward_single(w: np.ndarray, b: float, x: np.ndarray) -> Number:
    """ŷ = σ(w·x + b) for one example x of shape (N,).

    Also for a matrix of examples, one per row (M, N) or per column (N, M), as a student's
    ``np.dot`` version accepts: as a stand-in for theirs it must not refuse what theirs takes.
    """
    x = np.asarray(x, dtype=float)
    w = np.asarray(w, dtype=float)
    rows = x.ndim < 2 or x.shape[-1] == w.shape[0]
    z = (np.dot(x, w) if rows else np.dot(w, x)) + b
    return sigmoid(z)


def loss(y_hat: Number, y: Number) -> Number:
    """Cross-entropy L(ŷ, y) = -(y log ŷ + (1-y) log(1-ŷ)), elementwise.

    ŷ is clipped to [1e-15, 1-1e-15] so a saturated sigmoid (ŷ exactly 0 or 1)
    gives a large finite loss instead of inf/nan and a warning.
    """
    y_hat = np.clip(np.asarray(y_hat, dtype=float), _CLIP, 1.0 - _CLIP)
    y = np.asarray(y, dtype=float)
    L = -(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat))
    if L.ndim == 0:
        return float(L)
    return L


def backward_single(w: np.ndarray, b: float, x: np.ndarray,
                    y: float) -> Tuple[np.ndarray, float]:
    """Gradient of L(σ(w·x+b), y): dz = ŷ - y, then dw = dz·x and db = dz."""
    y_hat = forward_single(w, b, x)
    dz = y_hat - y
    dw = dz * np.asarray(x, dtype=float)
    db = float(dz)
    return dw, db


# --------------------------------------------------------------------------
# Logistic regression, M examples
# --------------------------------------------------------------------------

def gradients_loop(w: np.ndarray, b: float, X: np.ndarray,
                   y: np.ndarray) -> Tuple[np.ndarray, float]:
    """The lecture's back-propagation loop: accumulate over m and n, then divide by M.

    Kept deliberately unvectorized; it is the slow, obviously-correct version that
    ``gradients_vectorized`` must agree with.
    """
    M, N = X.shape
    dw = np.zeros(N)
    db = 0.0
    for m in range(M):
        y_hat = forward_single(w, b, X[m])
        dz = y_hat - y[m]
        for n in range(N):
            dw[n] = dw[n] + dz * X[m, n]
        db = db + dz
    for n in range(N):
        dw[n] = dw[n] / M
    db = db / M
    return dw, float(db)


def cost(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> float:
    """J(w, b) = (1/M) Σ L(ŷ, y) with ŷ = σ(Xw + b); a Python float."""
    M = X.shape[0]
    y_hat = sigmoid(X @ w + b)
    return float(np.sum(loss(y_hat, y)) / M)


def gradients_vectorized(w: np.ndarray, b: float, X: np.ndarray,
                         y: np.ndarray) -> Tuple[np.ndarray, float]:
    """dJ/dw = (1/M)(ŷ - y)ᵀX and dJ/db = (1/M)Σ(ŷ - y), with no Python loop."""
    M = X.shape[0]
    y_hat = sigmoid(X @ w + b)
    dz = y_hat - y
    dw = dz @ X / M
    db = np.sum(dz) / M
    return dw, float(db)


def update(w: np.ndarray, b: float, dw: np.ndarray, db: float,
           alpha: float) -> Tuple[np.ndarray, float]:
    """One gradient step; returns new values so the caller's w is never modified."""
    new_w = w - alpha * dw
    new_b = b - alpha * db
    return new_w, float(new_b)


def gradient_descent(X: np.ndarray, y: np.ndarray, alpha: float, epsilon: float,
                     max_iters: int) -> Tuple[np.ndarray, float, List[float]]:
    """Vectorized gradient descent from w = 0, b = 0 while J > ε.

    Each iteration records J first; it stops as soon as J <= ε or ``max_iters``
    costs are recorded, and only otherwise takes a step, so the returned (w, b)
    are the parameters whose cost is ``costs[-1]``.
    """
    N = X.shape[1]
    w = np.zeros(N)
    b = 0.0
    costs: List[float] = []
    while len(costs) < max_iters:
        J = cost(w, b, X, y)
        costs.append(float(J))
        if J <= epsilon or len(costs) >= max_iters:
            break
        dw, db = gradients_vectorized(w, b, X, y)
        w, b = update(w, b, dw, db, alpha)
    return w, b, costs


def graph_J(a: float, b: float, c: float) -> float:
    """J of the computation graph alone: the objective ``graph_backward`` differentiates."""
    return float(graph_forward(a, b, c)[2])


def single_loss(w: np.ndarray, b: float, x: np.ndarray, y: float) -> float:
    """Loss of one example from its logit: the objective ``backward_single`` differentiates.

    Written as log(1 + e^z) - y z rather than through ŷ, because log(1 - ŷ) loses
    digits when ŷ is near 1, and centered differences would magnify that error.
    """
    z = float(np.dot(w, x) + b)
    return float(np.logaddexp(0.0, z) - y * z)


def cost_from_logits(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> float:
    """The cost J computed stably from the logits: the objective the gradient checks differentiate."""
    z = X @ w + b
    return float(np.mean(np.logaddexp(0.0, z) - y * z))
