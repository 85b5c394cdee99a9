"""Known wrong versions of the ``logreg_nn`` reference functions: what students of the
"neural network mindset" assignment get wrong.

Each variant has the signature of the reference function it imitates (its name starts
with that function's name) and makes exactly one mistake, named in its docstring. As
in ``reference.logreg2_mistakes``, callees are the reference's own, since a grader runs
a student's function with reference callees; a variant may raise where the slip would
raise (``w`` not transposed with ``n_x > 1``, ``12288`` hard-coded on other data).
This module stays on the grader's side and never ships to students.
"""

from __future__ import annotations

import copy
from typing import Any, Dict, List, Tuple

import numpy as np

from reference import logreg_nn as ref

# The cat data set's flattened image size, 64 * 64 * 3, which students copy from its shapes.
CAT_PIXELS = 12288
# The seed the assignment's other notebooks use; a random initialisation with it is reproducible.
_RANDOM_INIT_SEED = 1


# --------------------------------------------------------------------------- sigmoid

def sigmoid_exp_plus(z):
    """The minus of the exponent lost: 1 / (1 + e^z), which is σ(-z)."""
    return 1.0 / (1.0 + np.exp(np.asarray(z, dtype=float)))


# --------------------------------------------------------------------------- initialize_with_zeros

def initialize_with_zeros_random(dim: int) -> Tuple[np.ndarray, float]:
    """``w`` initialised randomly (``np.random.randn(dim, 1) * 0.01``, seeded) instead of zeros."""
    return np.random.RandomState(_RANDOM_INIT_SEED).randn(dim, 1) * 0.01, 0.0


def initialize_with_zeros_flat(dim: int) -> Tuple[np.ndarray, float]:
    """``np.zeros(dim)``: a flat vector where the column ``(dim, 1)`` belongs."""
    return np.zeros(dim), 0.0


# --------------------------------------------------------------------------- propagate

def propagate_db_from_dw(w, b, X, Y):
    """``db`` copied from the ``dw`` line: ``db = (1/m) X (A - Y)ᵀ``."""
    grads, cost = ref.propagate(w, b, X, Y)
    return {"dw": grads["dw"], "db": grads["dw"].copy()}, cost


def propagate_w_not_transposed(w, b, X, Y):
    """``np.dot(w, X)`` where ``wᵀX`` belongs: raises for ``n_x > 1``."""
    m = X.shape[1]
    A = ref.sigmoid(np.dot(w, X) + b)
    cost = -np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m
    dw = np.dot(X, (A - Y).T) / m
    return {"dw": dw, "db": np.sum(A - Y) / m}, np.squeeze(cost)


def propagate_cost_summed(w, b, X, Y):
    """The cost summed over examples, not averaged: m times too large."""
    grads, cost = ref.propagate(w, b, X, Y)
    return grads, cost * X.shape[1]


def propagate_cost_no_minus(w, b, X, Y):
    """The minus of the cross-entropy dropped: the cost is negative."""
    grads, cost = ref.propagate(w, b, X, Y)
    return grads, -cost


def propagate_dw_not_averaged(w, b, X, Y):
    """``dw = X (A - Y)ᵀ`` without the 1/m."""
    grads, cost = ref.propagate(w, b, X, Y)
    return {"dw": grads["dw"] * X.shape[1], "db": grads["db"]}, cost


def propagate_dw_row(w, b, X, Y):
    """``dw = (1/m) (A - Y) Xᵀ``: shape ``(1, n_x)`` instead of the shape of ``w``."""
    grads, cost = ref.propagate(w, b, X, Y)
    return {"dw": grads["dw"].T, "db": grads["db"]}, cost


# --------------------------------------------------------------------------- optimize

def _descend(w, b, X, Y, num_iterations, learning_rate, record) -> Tuple[Dict, Dict, List[float]]:
    """Gradient descent with the reference's propagate; ``record(i, w, b, cost)`` says what to append."""
    w = copy.deepcopy(w)
    costs: List[float] = []
    grads: Dict[str, Any] = {}
    for i in range(num_iterations):
        grads, cost = ref.propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        costs.extend(record(i, w, b, cost))
    return {"w": w, "b": b}, {"dw": grads["dw"], "db": grads["db"]}, costs


def optimize_cost_every_iteration(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """The cost recorded at every iteration, not every 100th: ``num_iterations`` entries."""
    return _descend(w, b, X, Y, num_iterations, learning_rate, lambda i, w_, b_, c: [float(c)])


def optimize_cost_after_update(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """The cost recorded after the step (of the updated w, b), not before it."""
    def after(i, w_, b_, c):
        return [float(ref.propagate(w_, b_, X, Y)[1])] if i % 100 == 0 else []
    return _descend(w, b, X, Y, num_iterations, learning_rate, after)


def optimize_in_place(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """``w -= learning_rate * dw`` on the caller's array: right values, but the caller's w changes."""
    costs: List[float] = []
    grads: Dict[str, Any] = {}
    for i in range(num_iterations):
        grads, cost = ref.propagate(w, b, X, Y)
        w -= learning_rate * grads["dw"]
        b = b - learning_rate * grads["db"]
        if i % 100 == 0:
            costs.append(float(cost))
    return {"w": w, "b": b}, {"dw": grads["dw"], "db": grads["db"]}, costs


def optimize_uphill(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """``w + learning_rate * dw``: a step up the gradient, so the cost grows."""
    return ref.optimize(w, b, X, Y, num_iterations, -learning_rate, print_cost)


def optimize_b_not_updated(w, b, X, Y, num_iterations=100, learning_rate=0.009, print_cost=False):
    """Only ``w`` is stepped; ``b`` keeps its starting value."""
    w = copy.deepcopy(w)
    costs: List[float] = []
    grads: Dict[str, Any] = {}
    for i in range(num_iterations):
        grads, cost = ref.propagate(w, b, X, Y)
        w = w - learning_rate * grads["dw"]
        if i % 100 == 0:
            costs.append(float(cost))
    return {"w": w, "b": b}, {"dw": grads["dw"], "db": grads["db"]}, costs


# --------------------------------------------------------------------------- predict

def predict_b_sign_flipped(w, b, X):
    """``σ(wᵀX - b)``: the sign of ``b`` flipped."""
    return ref.predict(w, -b, X)


def predict_probabilities(w, b, X):
    """The probabilities ``A`` returned, never thresholded at 0.5."""
    return ref.sigmoid(np.dot(np.reshape(w, (X.shape[0], 1)).T, X) + b)


def predict_w_not_transposed(w, b, X):
    """``np.dot(w, X)`` where ``wᵀX`` belongs: raises for ``n_x > 1``."""
    A = ref.sigmoid(np.dot(w, X) + b)
    return (A > 0.5).astype(float)


# --------------------------------------------------------------------------- model

def model_hardcoded_hyperparameters(X_train, Y_train, X_test, Y_test, num_iterations=2000,
                                    learning_rate=0.5, print_cost=False):
    """``optimize(..., 2000, 0.5)`` hard-coded inside ``model``: the arguments are ignored."""
    d = ref.model(X_train, Y_train, X_test, Y_test, 2000, 0.5, print_cost)
    return {**d, "learning_rate": learning_rate, "num_iterations": num_iterations}


def model_training_cell_hyperparameters(X_train, Y_train, X_test, Y_test, num_iterations=2000,
                                        learning_rate=0.5, print_cost=False):
    """``optimize(..., num_iterations=2000, learning_rate=0.005)``: the notebook's training cell's values
    copied into ``model``, so the arguments are ignored."""
    d = ref.model(X_train, Y_train, X_test, Y_test, 2000, 0.005, print_cost)
    return {**d, "learning_rate": learning_rate, "num_iterations": num_iterations}


def model_optimize_without_hyperparameters(X_train, Y_train, X_test, Y_test, num_iterations=2000,
                                           learning_rate=0.5, print_cost=False):
    """``optimize(w, b, X_train, Y_train)`` without the hyper-parameters: optimize's defaults run."""
    d = ref.model(X_train, Y_train, X_test, Y_test, 100, 0.009, print_cost)
    return {**d, "learning_rate": learning_rate, "num_iterations": num_iterations}


def model_trains_on_test_set(X_train, Y_train, X_test, Y_test, num_iterations=2000,
                             learning_rate=0.5, print_cost=False):
    """``optimize`` called with ``X_test, Y_test``: the model is trained on the test set."""
    w, b = ref.initialize_with_zeros(X_test.shape[0])
    params, _, costs = ref.optimize(w, b, X_test, Y_test, num_iterations, learning_rate, print_cost)
    return _model_dict(params, costs, ref.predict(params["w"], params["b"], X_test),
                       ref.predict(params["w"], params["b"], X_train), learning_rate, num_iterations)


def model_predictions_swapped(X_train, Y_train, X_test, Y_test, num_iterations=2000,
                              learning_rate=0.5, print_cost=False):
    """The training set's predictions stored under ``Y_prediction_test`` and the other way round."""
    d = ref.model(X_train, Y_train, X_test, Y_test, num_iterations, learning_rate, print_cost)
    return {**d, "Y_prediction_test": d["Y_prediction_train"], "Y_prediction_train": d["Y_prediction_test"]}


def model_dim_hardcoded(X_train, Y_train, X_test, Y_test, num_iterations=2000,
                        learning_rate=0.5, print_cost=False):
    """``initialize_with_zeros(12288)`` instead of ``X_train.shape[0]``: only the cat data fit."""
    w, b = ref.initialize_with_zeros(CAT_PIXELS)
    params, _, costs = ref.optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost)
    return _model_dict(params, costs, ref.predict(params["w"], params["b"], X_test),
                       ref.predict(params["w"], params["b"], X_train), learning_rate, num_iterations)


def _model_dict(params, costs, Y_prediction_test, Y_prediction_train, learning_rate, num_iterations):
    """The dict ``model`` returns, under the assignment's keys."""
    return {"costs": costs, "Y_prediction_test": Y_prediction_test,
            "Y_prediction_train": Y_prediction_train, "w": params["w"], "b": params["b"],
            "learning_rate": learning_rate, "num_iterations": num_iterations}
