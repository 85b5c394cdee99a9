"""Reference solution for assignment ``logreg_nn`` ("Logistic Regression with a Neural
Network mindset").

Conventions (the assignment's, not ``logreg2``'s): ``X`` has shape ``(n_x, m)``, one
example per **column**; ``w`` has shape ``(n_x, 1)``; ``b`` is a scalar; ``Y`` has shape
``(1, m)`` and holds int64 labels 0/1, as the assignment's data set does.

The grader judges one student function at a time, so that a bug costs points only in
the item where it lives. While a graded function runs, the item child in the sandbox
replaces the callees its check lists in the rubric's ``stubs`` (``sigmoid`` inside
``propagate``; ``propagate`` inside ``optimize``; ``initialize_with_zeros``, ``optimize``
and ``predict`` inside ``model``) in the student's own namespace with stubs
(``_make_stub`` in ``grader/sandbox/child/runner.py``) that send their arguments to the
grader and return its answer; the student's functions are put back after the call. The
grader answers each stub with the function of that name here, called in its own process.
Nothing in this module is patched or sent into the sandbox: its functions call each
other directly, so every answer is the reference's all the way down.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Tuple, Union

import numpy as np

Number = Union[float, np.ndarray]

# The assignment prints and records the cost every this many iterations.
COST_EVERY = 100


def sigmoid(z: Number) -> Number:
    """σ(z) = 1/(1+e^(-z)) elementwise; a number (or 0-d array) gives a NumPy float64.

    Written with e^(-|z|), which lies in (0, 1], so neither branch can overflow. A
    scalar comes back as ``np.float64``, the type a student's ``1/(1+np.exp(-z))`` returns.
    """
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    s = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    if s.ndim == 0:
        return np.float64(s)
    return s


def initialize_with_zeros(dim: int) -> Tuple[np.ndarray, float]:
    """``w = zeros((dim, 1))`` and ``b = 0.0``: logistic regression needs no symmetry breaking."""
    return np.zeros((dim, 1)), 0.0


def _logits(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """z = wᵀX + b, shape (1, m)."""
    return np.dot(np.asarray(w, dtype=float).T, X) + b


def cost_from_logits(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray) -> np.float64:
    """J = -(1/m) Σ (Y log A + (1-Y) log(1-A)), computed as mean(log(1+e^z) - Y z).

    The two are equal for A = σ(z); the logit form never takes log(0) when the sigmoid
    saturates and keeps the digits that centered differences of J magnify.
    """
    z = _logits(w, b, X)
    return np.float64(np.mean(np.logaddexp(0.0, z) - Y * z))


def propagate(w: np.ndarray, b: float, X: np.ndarray,
              Y: np.ndarray) -> Tuple[Dict[str, Any], np.float64]:
    """Forward and backward pass: ``({"dw": dw, "db": db}, cost)``.

    ``A = σ(wᵀX + b)``; ``dw = (1/m) X (A - Y)ᵀ`` has the shape of ``w``; ``db = (1/m) Σ(A - Y)``
    is a float64, and so is the cost (what the newer assignment's tests ask for).
    """
    m = X.shape[1]
    A = sigmoid(_logits(w, b, X))
    dz = A - Y
    dw = np.dot(X, dz.T) / m
    db = np.float64(np.sum(dz) / m)
    return {"dw": dw, "db": db}, cost_from_logits(w, b, X, Y)


def optimize(w: np.ndarray, b: float, X: np.ndarray, Y: np.ndarray,
             num_iterations: int = 100, learning_rate: float = 0.009,
             print_cost: bool = False) -> Tuple[Dict[str, Any], Dict[str, Any], List[float]]:
    """``num_iterations`` gradient steps from (w, b): ``(params, grads, costs)``.

    At iterations 0, 100, 200, ... the cost of the parameters *before* that step is
    recorded, so ``costs`` has ``ceil(num_iterations / 100)`` entries. ``grads`` come
    from the last ``propagate`` call. A copy of ``w`` is stepped, so the caller's array
    is never changed.
    """
    if num_iterations < 1:
        raise ValueError("optimize needs at least one iteration: grads come from the last step")
    w = copy.deepcopy(w)
    costs: List[float] = []
    grads: Dict[str, Any] = {}
    for i in range(num_iterations):
        grads, cost = propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % COST_EVERY == 0:
            costs.append(float(cost))
            if print_cost:
                print("Cost after iteration %i: %f" % (i, cost))
    return {"w": w, "b": b}, {"dw": grads["dw"], "db": grads["db"]}, costs


def predict(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """Labels of shape (1, m): 1.0 where σ(wᵀX + b) > 0.5, else 0.0 (floats, as the assignment)."""
    w = np.asarray(w, dtype=float).reshape(X.shape[0], 1)
    A = sigmoid(_logits(w, b, X))
    return (A > 0.5).astype(float)


def model(X_train: np.ndarray, Y_train: np.ndarray, X_test: np.ndarray, Y_test: np.ndarray,
          num_iterations: int = 2000, learning_rate: float = 0.5,
          print_cost: bool = False) -> Dict[str, Any]:
    """Train from zeros on the training set with the given hyper-parameters, predict both sets."""
    w, b = initialize_with_zeros(X_train.shape[0])
    params, _, costs = optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    w, b = params["w"], params["b"]
    Y_prediction_test = predict(w, b, X_test)
    Y_prediction_train = predict(w, b, X_train)
    if print_cost:
        print("train accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_train - Y_train)) * 100))
        print("test accuracy: {} %".format(100 - np.mean(np.abs(Y_prediction_test - Y_test)) * 100))
    return {"costs": costs,
            "Y_prediction_test": Y_prediction_test,
            "Y_prediction_train": Y_prediction_train,
            "w": w,
            "b": b,
            "learning_rate": learning_rate,
            "num_iterations": num_iterations}
