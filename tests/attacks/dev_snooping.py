# ATTACK: read the TA's terminals and /dev/shm.  Without root the submission runs as the
# TA, so file permissions allow it; Landlock's /dev rule must list only the null, zero,
# full and random devices.  Writing to /dev/null and reading /dev/urandom still work.
# ENGR 4350 - Assignment logreg2
# Logistic Regression Part 2: computation graph, backprop, vectorization

import numpy as np
import matplotlib.pyplot as plt
import os


def _probe(path):
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        print("DEV-DENIED", path, type(exc).__name__)
        return
    try:
        print("DEV-READ", path, os.read(fd, 200))
    except OSError as exc:
        print("DEV-OPENED", path, type(exc).__name__)
    finally:
        os.close(fd)


for folder in ("/dev/shm", "/dev/pts"):
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        print("DEV-DENIED", folder, type(exc).__name__)
        names = ["@MARKER@-secret"] if folder == "/dev/shm" else ["0", "1", "@PTY@"]
    for name in names:
        if folder == "/dev/pts" and name.isdigit() or "@MARKER@" in name or name == "@PTY@":
            _probe(f"{folder}/{name}")
for path in ("/dev/tty", "/dev/console"):
    _probe(path)
with open("/dev/null", "w") as sink:
    sink.write("x")
print("NULL-OK" if len(os.urandom(8)) == 8 else "URANDOM-FAILED")


# ---- Part 1: computation graph J = 2(a + bc) ----

def graph_forward(a, b, c):
    u = b * c
    v = a + u
    J = 2 * v
    return u, v, J


def graph_backward(a, b, c):
    dJ_dv = 2
    dv_da = 1
    dv_du = 1
    du_db = c
    du_dc = b
    dJ_da = dJ_dv * dv_da
    dJ_du = dJ_dv * dv_du
    dJ_db = dJ_dv * dv_du * du_db
    dJ_dc = dJ_du * du_dc
    return {"dJ_dv": dJ_dv, "dJ_du": dJ_du, "dJ_da": dJ_da,
            "dJ_db": dJ_db, "dJ_dc": dJ_dc}


# ---- Part 2: numerical derivatives ----

def forward_difference(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def centered_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


# ---- Part 3: single example ----

def sigmoid(z):
    return 1 / (1 + np.exp(-z))


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
    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w.T) + b)
    L = loss(y_hat, y)
    J = np.sum(L) / M
    return J


def gradients_vectorized(w, b, X, y):
    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w.T) + b)
    dw = np.dot((y_hat - y).T, X) / M
    db = np.sum(y_hat - y) / M
    return dw, db


def update(w, b, dw, db, alpha):
    w = w - alpha * dw
    b = b - alpha * db
    return w, b


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

