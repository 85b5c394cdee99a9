# ATTACK: Returns objects that lie: a float subclass whose comparisons and arithmetic
# always agree, an ndarray subclass overriding __eq__ and __array_ufunc__, an
# object with lying __float__/__array__/__len__, a dict subclass claiming every
# key, and a numpy.float64 subclass posing as a NumPy type.
# ENGR 4350 - Assignment logreg2
# Logistic Regression Part 2: computation graph, backprop, vectorization

import numpy as np
import matplotlib.pyplot as plt

class _AlwaysEqualFloat(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __gt__(self, other): return False
    def __ge__(self, other): return True
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return 0.0
    def __float__(self): return 0.0
    __hash__ = float.__hash__


class _AlwaysEqualArray(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), dtype=bool)
    def __ne__(self, other): return np.zeros(np.shape(other), dtype=bool)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        shape = np.broadcast_shapes(*(np.shape(i) for i in inputs))
        if ufunc in (np.equal, np.less_equal, np.isclose, np.greater_equal, np.isfinite):
            return np.ones(shape, dtype=bool)
        return np.zeros(shape)


class _Chameleon:
    def __float__(self): return 42.0
    def __array__(self, dtype=None, copy=None): return np.zeros(3)
    def __len__(self): return 3
    def __getitem__(self, i): return 0.0
    def __eq__(self, other): return True
    def __iter__(self): return iter([0.0, 0.0, 0.0])


class _EveryKey(dict):
    def __contains__(self, key): return True
    def __getitem__(self, key): return _AlwaysEqualFloat(0.0)
    def keys(self): return ["dJ_dv", "dJ_du", "dJ_da", "dJ_db", "dJ_dc"]


class _PosingScalar(np.float64):
    __module__ = "numpy"
    def __float__(self): return 42.0


# ---- Part 1: computation graph J = 2(a + bc) ----

def graph_forward(a, b, c):
    return _Chameleon(), _AlwaysEqualFloat(0.0), _PosingScalar(0.0)


def graph_backward(a, b, c):
    return _EveryKey()


# ---- Part 2: numerical derivatives ----

def forward_difference(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def centered_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


# ---- Part 3: single example ----

def sigmoid(z):
    return np.zeros(np.shape(z)).view(_AlwaysEqualArray)


def forward_single(w, b, x):
    z = np.dot(w, x) + b
    y_hat = sigmoid(z)
    return y_hat


def loss(y_hat, y):
    return -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


def backward_single(w, b, x, y):
    y_hat = forward_single(w, b, x)
    dz = y_hat - y
    dw = dz * x
    db = dz
    return dw, db


# ---- Part 4: M examples ----

def gradients_loop(w, b, X, y):
    M = X.shape[0]
    N = X.shape[1]
    dw = np.zeros(N)
    db = 0
    for m in range(M):
        z = np.dot(w, X[m]) + b
        y_hat = sigmoid(z)
        for n in range(N):
            dw[n] += (y_hat - y[m]) * X[m, n]
        db += y_hat - y[m]
    for n in range(N):
        dw[n] = dw[n] / M
    db = db / M
    return dw, db


def cost(w, b, X, y):
    return _AlwaysEqualFloat(0.0)


def gradients_vectorized(w, b, X, y):
    return np.zeros(X.shape[1]).view(_AlwaysEqualArray), _PosingScalar(0.0)


def update(w, b, dw, db, alpha):
    return _Chameleon(), _Chameleon()


def gradient_descent(X, y, alpha, epsilon, max_iters):
    M, N = X.shape
    w = np.zeros(N)
    b = 0.0
    costs = []
    while len(costs) < max_iters:
        J = cost(w, b, X, y)
        costs.append(J)
        if J <= epsilon or len(costs) == max_iters:
            break
        dw, db = gradients_vectorized(w, b, X, y)
        w, b = update(w, b, dw, db, alpha)
    return w, b, costs
