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

Extra notes I added while working:

    My notes from the lecture (Logistic Regression, Part 2)
    =======================================================
    
    1. Computation graph
    --------------------
    The function J(a, b, c) = 2(a + bc) is computed in three steps:
    
        u = b * c
        v = a + u
        J = 2 * v
    
    Forward pass: left to right. Backward pass: right to left, and at every node we
    multiply the derivative that arrives from the right ("upstream") by the local
    derivative of the node. That is just the chain rule written as a picture.
    
        dJ/dv = 2
        dJ/da = dJ/dv * dv/da = 2 * 1 = 2
        dJ/du = dJ/dv * dv/du = 2 * 1 = 2
        dJ/db = dJ/du * du/db = 2 * c
        dJ/dc = dJ/du * du/dc = 2 * b
    
    Example from the slides: a = 5, b = 3, c = 2 gives u = 6, v = 11, J = 22, and
    dJ/db = 4, dJ/dc = 6. If I nudge b by 0.001, J changes by about 0.004.
    
    2. Numerical derivatives
    ------------------------
        forward:  f'(x) ~ (f(x + h) - f(x)) / h            error O(h)
        centered: f'(x) ~ (f(x + h) - f(x - h)) / (2h)     error O(h^2)
    The centered one is much better for the same h. Too small an h is bad too
    (round-off: f(x+h) - f(x) loses digits), 1e-5 is a reasonable default.
    Gradient checking = compare backprop to the centered difference, one parameter at a time.
    
    3. Logistic regression on one example
    -------------------------------------
        z = w . x + b
        y_hat = a = sigma(z) = 1 / (1 + exp(-z))
        L(y_hat, y) = -(y log(y_hat) + (1 - y) log(1 - y_hat))
    
    Derivatives (the "da" and "dz" of the lecture):
        dL/da = -y/a + (1 - y)/(1 - a)
        da/dz = a (1 - a)
        dL/dz = dL/da * da/dz = a - y          <- the nice cancellation
        dL/dw_n = x_n (a - y)
        dL/db = a - y
    
    4. M examples
    -------------
        J(w, b) = (1/M) sum_m L(y_hat(m), y(m))
    The gradient of the average is the average of the gradients, so we add up the
    per-example gradients in a loop and divide by M at the end. Two nested loops
    (over m and over the N features) are slow in Python.
    
    5. Vectorization
    ----------------
        Z = X w + b                (M,)
        A = sigma(Z)               (M,)
        dZ = A - y                 (M,)
        dw = (1/M) X^T dZ          (N,)
        db = (1/M) sum(dZ)
    One np.dot replaces a loop that is ~300x slower. Rule from the lecture: whenever
    possible, avoid explicit for-loops.
    
    6. Gradient descent
    -------------------
        repeat:
            J = cost(w, b)
            w := w - alpha dJ/dw
            b := b - alpha dJ/db
        until J <= epsilon or we ran max_iters iterations.
    Learning rate too big -> the cost goes up and can even become nan (log of 0).
    Too small -> takes forever.
    

    Worked examples (checked by hand, then with graph_forward / graph_backward)
    --------------------------------------------------------------------------
      ex   0: a= -3.0 b=  0.5 c= -2.0 -> u=  -1.000 v=  -4.000 J=  -8.000   dJ/db= -4.000 dJ/dc=  1.000
      ex   1: a= -2.0 b=  1.5 c= -0.5 -> u=  -0.750 v=  -2.750 J=  -5.500   dJ/db= -1.000 dJ/dc=  3.000
      ex   2: a= -1.0 b=  2.5 c=  1.0 -> u=   2.500 v=   1.500 J=   3.000   dJ/db=  2.000 dJ/dc=  5.000
      ex   3: a=  0.0 b=  3.5 c=  2.5 -> u=   8.750 v=   8.750 J=  17.500   dJ/db=  5.000 dJ/dc=  7.000
      ex   4: a=  1.0 b=  4.5 c= -1.5 -> u=  -6.750 v=  -5.750 J= -11.500   dJ/db= -3.000 dJ/dc=  9.000
      ex   5: a=  2.0 b=  0.5 c=  0.0 -> u=   0.000 v=   2.000 J=   4.000   dJ/db=  0.000 dJ/dc=  1.000
      ex   6: a=  3.0 b=  1.5 c=  1.5 -> u=   2.250 v=   5.250 J=  10.500   dJ/db=  3.000 dJ/dc=  3.000
      ex   7: a= -3.0 b=  2.5 c=  3.0 -> u=   7.500 v=   4.500 J=   9.000   dJ/db=  6.000 dJ/dc=  5.000
      ex   8: a= -2.0 b=  3.5 c= -1.0 -> u=  -3.500 v=  -5.500 J= -11.000   dJ/db= -2.000 dJ/dc=  7.000
      ex   9: a= -1.0 b=  4.5 c=  0.5 -> u=   2.250 v=   1.250 J=   2.500   dJ/db=  1.000 dJ/dc=  9.000
      ex  10: a=  0.0 b=  0.5 c=  2.0 -> u=   1.000 v=   1.000 J=   2.000   dJ/db=  4.000 dJ/dc=  1.000
      ex  11: a=  1.0 b=  1.5 c= -2.0 -> u=  -3.000 v=  -2.000 J=  -4.000   dJ/db= -4.000 dJ/dc=  3.000
      ex  12: a=  2.0 b=  2.5 c= -0.5 -> u=  -1.250 v=   0.750 J=   1.500   dJ/db= -1.000 dJ/dc=  5.000
      ex  13: a=  3.0 b=  3.5 c=  1.0 -> u=   3.500 v=   6.500 J=  13.000   dJ/db=  2.000 dJ/dc=  7.000
      ex  14: a= -3.0 b=  4.5 c=  2.5 -> u=  11.250 v=   8.250 J=  16.500   dJ/db=  5.000 dJ/dc=  9.000
      ex  15: a= -2.0 b=  0.5 c= -1.5 -> u=  -0.750 v=  -2.750 J=  -5.500   dJ/db= -3.000 dJ/dc=  1.000
      ex  16: a= -1.0 b=  1.5 c=  0.0 -> u=   0.000 v=  -1.000 J=  -2.000   dJ/db=  0.000 dJ/dc=  3.000
      ex  17: a=  0.0 b=  2.5 c=  1.5 -> u=   3.750 v=   3.750 J=   7.500   dJ/db=  3.000 dJ/dc=  5.000
      ex  18: a=  1.0 b=  3.5 c=  3.0 -> u=  10.500 v=  11.500 J=  23.000   dJ/db=  6.000 dJ/dc=  7.000
      ex  19: a=  2.0 b=  4.5 c= -1.0 -> u=  -4.500 v=  -2.500 J=  -5.000   dJ/db= -2.000 dJ/dc=  9.000
      ex  20: a=  3.0 b=  0.5 c=  0.5 -> u=   0.250 v=   3.250 J=   6.500   dJ/db=  1.000 dJ/dc=  1.000
      ex  21: a= -3.0 b=  1.5 c=  2.0 -> u=   3.000 v=   0.000 J=   0.000   dJ/db=  4.000 dJ/dc=  3.000
      ex  22: a= -2.0 b=  2.5 c= -2.0 -> u=  -5.000 v=  -7.000 J= -14.000   dJ/db= -4.000 dJ/dc=  5.000
      ex  23: a= -1.0 b=  3.5 c= -0.5 -> u=  -1.750 v=  -2.750 J=  -5.500   dJ/db= -1.000 dJ/dc=  7.000
      ex  24: a=  0.0 b=  4.5 c=  1.0 -> u=   4.500 v=   4.500 J=   9.000   dJ/db=  2.000 dJ/dc=  9.000
      ex  25: a=  1.0 b=  0.5 c=  2.5 -> u=   1.250 v=   2.250 J=   4.500   dJ/db=  5.000 dJ/dc=  1.000
      ex  26: a=  2.0 b=  1.5 c= -1.5 -> u=  -2.250 v=  -0.250 J=  -0.500   dJ/db= -3.000 dJ/dc=  3.000
      ex  27: a=  3.0 b=  2.5 c=  0.0 -> u=   0.000 v=   3.000 J=   6.000   dJ/db=  0.000 dJ/dc=  5.000
      ex  28: a= -3.0 b=  3.5 c=  1.5 -> u=   5.250 v=   2.250 J=   4.500   dJ/db=  3.000 dJ/dc=  7.000
      ex  29: a= -2.0 b=  4.5 c=  3.0 -> u=  13.500 v=  11.500 J=  23.000   dJ/db=  6.000 dJ/dc=  9.000
      ex  30: a= -1.0 b=  0.5 c= -1.0 -> u=  -0.500 v=  -1.500 J=  -3.000   dJ/db= -2.000 dJ/dc=  1.000
      ex  31: a=  0.0 b=  1.5 c=  0.5 -> u=   0.750 v=   0.750 J=   1.500   dJ/db=  1.000 dJ/dc=  3.000
      ex  32: a=  1.0 b=  2.5 c=  2.0 -> u=   5.000 v=   6.000 J=  12.000   dJ/db=  4.000 dJ/dc=  5.000
      ex  33: a=  2.0 b=  3.5 c= -2.0 -> u=  -7.000 v=  -5.000 J= -10.000   dJ/db= -4.000 dJ/dc=  7.000
      ex  34: a=  3.0 b=  4.5 c= -0.5 -> u=  -2.250 v=   0.750 J=   1.500   dJ/db= -1.000 dJ/dc=  9.000
      ex  35: a= -3.0 b=  0.5 c=  1.0 -> u=   0.500 v=  -2.500 J=  -5.000   dJ/db=  2.000 dJ/dc=  1.000
      ex  36: a= -2.0 b=  1.5 c=  2.5 -> u=   3.750 v=   1.750 J=   3.500   dJ/db=  5.000 dJ/dc=  3.000
      ex  37: a= -1.0 b=  2.5 c= -1.5 -> u=  -3.750 v=  -4.750 J=  -9.500   dJ/db= -3.000 dJ/dc=  5.000
      ex  38: a=  0.0 b=  3.5 c=  0.0 -> u=   0.000 v=   0.000 J=   0.000   dJ/db=  0.000 dJ/dc=  7.000
      ex  39: a=  1.0 b=  4.5 c=  1.5 -> u=   6.750 v=   7.750 J=  15.500   dJ/db=  3.000 dJ/dc=  9.000
      ex  40: a=  2.0 b=  0.5 c=  3.0 -> u=   1.500 v=   3.500 J=   7.000   dJ/db=  6.000 dJ/dc=  1.000
      ex  41: a=  3.0 b=  1.5 c= -1.0 -> u=  -1.500 v=   1.500 J=   3.000   dJ/db= -2.000 dJ/dc=  3.000
      ex  42: a= -3.0 b=  2.5 c=  0.5 -> u=   1.250 v=  -1.750 J=  -3.500   dJ/db=  1.000 dJ/dc=  5.000
      ex  43: a= -2.0 b=  3.5 c=  2.0 -> u=   7.000 v=   5.000 J=  10.000   dJ/db=  4.000 dJ/dc=  7.000
      ex  44: a= -1.0 b=  4.5 c= -2.0 -> u=  -9.000 v= -10.000 J= -20.000   dJ/db= -4.000 dJ/dc=  9.000
      ex  45: a=  0.0 b=  0.5 c= -0.5 -> u=  -0.250 v=  -0.250 J=  -0.500   dJ/db= -1.000 dJ/dc=  1.000
      ex  46: a=  1.0 b=  1.5 c=  1.0 -> u=   1.500 v=   2.500 J=   5.000   dJ/db=  2.000 dJ/dc=  3.000
      ex  47: a=  2.0 b=  2.5 c=  2.5 -> u=   6.250 v=   8.250 J=  16.500   dJ/db=  5.000 dJ/dc=  5.000
      ex  48: a=  3.0 b=  3.5 c= -1.5 -> u=  -5.250 v=  -2.250 J=  -4.500   dJ/db= -3.000 dJ/dc=  7.000
      ex  49: a= -3.0 b=  4.5 c=  0.0 -> u=   0.000 v=  -3.000 J=  -6.000   dJ/db=  0.000 dJ/dc=  9.000
      ex  50: a= -2.0 b=  0.5 c=  1.5 -> u=   0.750 v=  -1.250 J=  -2.500   dJ/db=  3.000 dJ/dc=  1.000
      ex  51: a= -1.0 b=  1.5 c=  3.0 -> u=   4.500 v=   3.500 J=   7.000   dJ/db=  6.000 dJ/dc=  3.000
      ex  52: a=  0.0 b=  2.5 c= -1.0 -> u=  -2.500 v=  -2.500 J=  -5.000   dJ/db= -2.000 dJ/dc=  5.000
      ex  53: a=  1.0 b=  3.5 c=  0.5 -> u=   1.750 v=   2.750 J=   5.500   dJ/db=  1.000 dJ/dc=  7.000
      ex  54: a=  2.0 b=  4.5 c=  2.0 -> u=   9.000 v=  11.000 J=  22.000   dJ/db=  4.000 dJ/dc=  9.000
      ex  55: a=  3.0 b=  0.5 c= -2.0 -> u=  -1.000 v=   2.000 J=   4.000   dJ/db= -4.000 dJ/dc=  1.000
      ex  56: a= -3.0 b=  1.5 c= -0.5 -> u=  -0.750 v=  -3.750 J=  -7.500   dJ/db= -1.000 dJ/dc=  3.000
      ex  57: a= -2.0 b=  2.5 c=  1.0 -> u=   2.500 v=   0.500 J=   1.000   dJ/db=  2.000 dJ/dc=  5.000
      ex  58: a= -1.0 b=  3.5 c=  2.5 -> u=   8.750 v=   7.750 J=  15.500   dJ/db=  5.000 dJ/dc=  7.000
      ex  59: a=  0.0 b=  4.5 c= -1.5 -> u=  -6.750 v=  -6.750 J= -13.500   dJ/db= -3.000 dJ/dc=  9.000
    
    Sigmoid table (z, sigma(z), sigma'(z) = sigma(z)(1 - sigma(z)))
      z= -6.000  sigma=0.002473  dsigma=0.002467
      z= -5.586  sigma=0.003735  dsigma=0.003721
      z= -5.172  sigma=0.005639  dsigma=0.005607
      z= -4.759  sigma=0.008504  dsigma=0.008432
      z= -4.345  sigma=0.012808  dsigma=0.012644
      z= -3.931  sigma=0.019246  dsigma=0.018875
      z= -3.517  sigma=0.028826  dsigma=0.027995
      z= -3.103  sigma=0.042965  dsigma=0.041119
      z= -2.690  sigma=0.063587  dsigma=0.059543
      z= -2.276  sigma=0.093142  dsigma=0.084466
      z= -1.862  sigma=0.134462  dsigma=0.116382
      z= -1.448  sigma=0.190267  dsigma=0.154066
      z= -1.034  sigma=0.262216  dsigma=0.193459
      z= -0.621  sigma=0.349625  dsigma=0.227387
      z= -0.207  sigma=0.448460  dsigma=0.247344
      z=  0.207  sigma=0.551540  dsigma=0.247344
      z=  0.621  sigma=0.650375  dsigma=0.227387
      z=  1.034  sigma=0.737784  dsigma=0.193459
      z=  1.448  sigma=0.809733  dsigma=0.154066
      z=  1.862  sigma=0.865538  dsigma=0.116382
      z=  2.276  sigma=0.906858  dsigma=0.084466
      z=  2.690  sigma=0.936413  dsigma=0.059543
      z=  3.103  sigma=0.957035  dsigma=0.041119
      z=  3.517  sigma=0.971174  dsigma=0.027995
      z=  3.931  sigma=0.980754  dsigma=0.018875
      z=  4.345  sigma=0.987192  dsigma=0.012644
      z=  4.759  sigma=0.991496  dsigma=0.008432
      z=  5.172  sigma=0.994361  dsigma=0.005607
      z=  5.586  sigma=0.996265  dsigma=0.003721
      z=  6.000  sigma=0.997527  dsigma=0.002467
    

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
    return J


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


if __name__ == "__main__":
    # quick sanity checks I ran before submitting
    print("graph_forward(5, 3, 2) =", graph_forward(5, 3, 2))
    print("graph_backward(5, 3, 2) =", graph_backward(5, 3, 2))
    print("d/dx sin at 1:", forward_difference(np.sin, 1.0), centered_difference(np.sin, 1.0), np.cos(1.0))
    rng = np.random.default_rng(42)
    X = rng.normal(size=(300, 3))
    y = (X @ np.array([1.5, -2.0, 0.5]) + 0.3 > 0).astype(float)
    w0 = np.zeros(3)
    print("loop vs vectorized:", gradients_loop(w0, 0.0, X, y), gradients_vectorized(w0, 0.0, X, y))
    w, b, costs = gradient_descent(X, y, alpha=0.5, epsilon=1e-3, max_iters=500)
    print("final cost", costs[-1], "after", len(costs), "iterations")
    import matplotlib.pyplot as plt
    plt.plot(costs)
    plt.xlabel("iteration")
    plt.ylabel("J")
    plt.show()
