# ATTACK: looks for what kernel_objects.py (graded before it) left in the kernel: its SysV
# segment, queue and semaphore, its POSIX queue, its /dev/shm file, its keyring keys. A second
# submission must find none of them: "FOUND" lines in its output are a leak between gradings.
# ENGR 4350 - Assignment logreg2
# Logistic Regression Part 2: computation graph, backprop, vectorization

import numpy as np
import matplotlib.pyplot as plt

import ctypes as _ctypes
import hashlib as _hashlib
import os as _os
import platform as _platform

_MARK = "@MARKER@"
_KEY = int(_hashlib.sha256(_MARK.encode()).hexdigest()[:7], 16)  # the SysV key both files derive
_LIBC = _ctypes.CDLL(None, use_errno=True)
_LIBC.syscall.restype = _ctypes.c_long
_NR = {"x86_64": {"add_key": 248, "keyctl": 250}, "aarch64": {"add_key": 217, "keyctl": 219}}[_platform.machine()]
_IPC_CREAT, _O_CREAT, _O_RDWR = 0o1000, 0o100, 0o2
_USER_KEYRING, _SESSION_KEYRING, _KEYCTL_SEARCH = -4, -3, 10
_LIBC.mq_open.argtypes = [_ctypes.c_char_p, _ctypes.c_int, _ctypes.c_uint, _ctypes.c_void_p]


def _report(kind, result):
    """One line per kernel object: what the call returned, or the errno it failed with."""
    if result < 0:
        print("KERNEL", kind, "errno", _ctypes.get_errno(), flush=True)
    else:
        print("KERNEL", kind, "ok", result, flush=True)


def _look():
    found = {
        "shm": _LIBC.shmget(_KEY, 0, 0),
        "msg": _LIBC.msgget(_KEY + 1, 0),
        "sem": _LIBC.semget(_KEY + 2, 0, 0),
        "mq": _LIBC.mq_open(("/" + _MARK).encode(), 0, 0, None),
        "user_key": _LIBC.syscall(_NR["keyctl"], _KEYCTL_SEARCH, _USER_KEYRING, b"user", _MARK.encode(), 0),
        "session_key": _LIBC.syscall(_NR["keyctl"], _KEYCTL_SEARCH, _SESSION_KEYRING, b"user", _MARK.encode(), 0),
        "dev_shm": 0 if _os.path.exists("/dev/shm/" + _MARK) else -1,
    }
    for kind, result in found.items():
        print("FOUND" if result >= 0 else "ABSENT", kind, flush=True)


_look()


# ---- Part 1: computation graph J = 2(a + bc) ----

def graph_forward(a, b, c):
    _look()
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
