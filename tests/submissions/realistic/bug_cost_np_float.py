"""ENGR 4350 Applied Deep Learning -- Assignment logreg2 (Logistic Regression, Part 2).

This is your starter file. Replace every ``raise NotImplementedError`` with your
code and submit this file (or a notebook defining the same functions). Do not
rename the functions or change their parameters: the autograder calls them by name.

Conventions (the lecture's):
    X   array of shape (M, N): M examples, one example per row, N features
    y   array of shape (M,): labels, 0 or 1
    w   array of shape (N,): weights
    b   float: bias
    x   array of shape (N,): a single example (one row of X)

Gradients are returned as ``(dw, db)`` with ``dw`` of shape (N,) and ``db`` a float.
You may import numpy, math and matplotlib (plots are not graded).

Each function is graded on its own: if one is wrong, only its own rubric item loses
points, so a function you cannot finish does not sink the others.
"""

import numpy as np


# ---------------------------------------------------------------------------
# Part 1: computation graph  J = 2(a + bc),  with  u = bc,  v = a + u,  J = 2v
# ---------------------------------------------------------------------------

def graph_forward(a, b, c):
    """Forward pass through the computation graph.

    u = b c
    v = a + u
    J = 2 v

    Returns the tuple (u, v, J).
    """
    u = b * c
    v = a + u
    J = 2 * v
    return u, v, J


def graph_backward(a, b, c):
    """Backward pass through the same graph, using the chain rule.

    Returns a dict with keys "dJ_dv", "dJ_du", "dJ_da", "dJ_db", "dJ_dc":
        dJ/dv
        dJ/da = dJ/dv · dv/da
        dJ/du = dJ/dv · dv/du
        dJ/db = dJ/dv · dv/du · du/db
        dJ/dc = dJ/du · du/dc
    """
    # local derivatives of each node
    dJ_dv = 2.0
    dv_da = 1.0
    dv_du = 1.0
    du_db = c
    du_dc = b
    # chain rule, right to left
    dJ_da = dJ_dv * dv_da
    dJ_du = dJ_dv * dv_du
    dJ_db = dJ_dv * dv_du * du_db
    dJ_dc = dJ_du * du_dc
    return {"dJ_dv": dJ_dv, "dJ_du": dJ_du, "dJ_da": dJ_da, "dJ_db": dJ_db, "dJ_dc": dJ_dc}


# ---------------------------------------------------------------------------
# Part 2: numerical derivatives
# ---------------------------------------------------------------------------

def forward_difference(f, x, h=1e-5):
    """Forward-difference estimate of f'(x) for a scalar function f at a float x.

    f'(x) ≈ (f(x + h) - f(x)) / h
    """
    return (f(x + h) - f(x)) / h


def centered_difference(f, x, h=1e-5):
    """Centered-difference estimate of f'(x) for a scalar function f at a float x.

    f'(x) ≈ (f(x + h) - f(x - h)) / (2h)
    """
    return (f(x + h) - f(x - h)) / (2 * h)


# ---------------------------------------------------------------------------
# Part 3: logistic regression on a single example
# ---------------------------------------------------------------------------

def sigmoid(z):
    """The logistic function σ(z) = 1 / (1 + e^(-z)).

    Works elementwise: an array z gives an array of the same shape, a number
    gives a number.
    """
    return 1.0 / (1.0 + np.exp(-z))


def forward_single(w, b, x):
    """Prediction for one example x of shape (N,).

    z = w1 x1 + w2 x2 + ... + wN xN + b
    ŷ = σ(z)

    Returns ŷ (a number).
    """
    z = np.dot(w, x) + b
    y_hat = sigmoid(z)
    return y_hat


def loss(y_hat, y):
    """Cross-entropy loss, elementwise.

    L(ŷ, y) = -(y log ŷ + (1 - y) log(1 - ŷ))

    y_hat and y are numbers or arrays of the same shape; returns the same shape.
    """
    return -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


def backward_single(w, b, x, y):
    """Gradient of L(ŷ, y) for one example x of shape (N,) with label y.

    dL/dz = ŷ - y
    dL/dw_n = (ŷ - y) x_n       (for n = 1..N)
    dL/db = ŷ - y

    Returns (dw, db): dw of shape (N,), db a float.
    """
    y_hat = forward_single(w, b, x)
    dz = y_hat - y
    dw = dz * x
    db = dz
    return dw, db


# ---------------------------------------------------------------------------
# Part 4: M examples -- the back-propagation loop, the cost, vectorization
# ---------------------------------------------------------------------------

def gradients_loop(w, b, X, y):
    """Gradients of the cost J with the lecture's back-propagation loop.

    Initialize dJ/dw_1 = ... = dJ/dw_N = 0 and dJ/db = 0
    For m = 1 to M:
        ŷ(m) = σ(w · x(m) + b)
        For n = 1 to N:
            dJ/dw_n = dJ/dw_n + (ŷ(m) - y(m)) x_n(m)
        dJ/db = dJ/db + (ŷ(m) - y(m))
    For n = 1 to N:
        dJ/dw_n = (1/M) dJ/dw_n
    dJ/db = (1/M) dJ/db

    Use Python loops here. Returns (dw, db): dw of shape (N,), db a float.
    """
    M, N = X.shape
    dw = np.zeros(N)
    db = 0.0
    for m in range(M):
        y_hat_m = sigmoid(np.dot(w, X[m]) + b)
        for n in range(N):
            dw[n] = dw[n] + (y_hat_m - y[m]) * X[m, n]
        db = db + (y_hat_m - y[m])
    for n in range(N):
        dw[n] = dw[n] / M
    db = db / M
    return dw, db


def cost(w, b, X, y):
    """The cost: the average loss over the M examples.

    ŷ = σ(X wᵀ + b)
    J(w, b) = (1/M) Σ L(ŷ(m), y(m))

    Returns J as a float.
    """
    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w) + b)
    J = np.sum(loss(y_hat, y)) / M
    return np.float(J)


def gradients_vectorized(w, b, X, y):
    """The same gradients as gradients_loop, vectorized (no Python loops).

    ŷ = σ(X wᵀ + b)
    dJ/dw = (1/M) (ŷ - y)ᵀ X        (np.matmul or np.dot)
    dJ/db = (1/M) Σ (ŷ - y)         (np.sum)

    Returns (dw, db): dw of shape (N,), db a float.
    """
    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w) + b)
    dw = np.matmul((y_hat - y).T, X) / M
    db = np.sum(y_hat - y) / M
    return dw, db


def update(w, b, dw, db, alpha):
    """One gradient-descent step with learning rate alpha.

    w = w - α dJ/dw
    b = b - α dJ/db

    Returns the new (w, b). Do not modify the w you were given: return a new array.
    """
    w = w - alpha * dw
    b = b - alpha * db
    return w, b


def gradient_descent(X, y, alpha, epsilon, max_iters):
    """Vectorized gradient descent.

    Start at w = zeros(N), b = 0.0, with an empty list costs. Then repeat:
        J = cost(w, b, X, y) and append J to costs
        stop if J <= ε, or if costs now holds max_iters values
        otherwise: dw, db = gradients_vectorized(w, b, X, y)
                   w, b = update(w, b, dw, db, alpha)

    Returns (w, b, costs).
    """
    N = X.shape[1]
    w = np.zeros(N)
    b = 0.0
    costs = []
    while True:
        J = cost(w, b, X, y)
        costs.append(J)
        if J <= epsilon or len(costs) >= max_iters:
            break
        dw, db = gradients_vectorized(w, b, X, y)
        w, b = update(w, b, dw, db, alpha)
    return w, b, costs
