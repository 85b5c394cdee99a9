# ATTACK: replays reference answers from an earlier grading. update() records the inputs it is
# given and answers wrongly; gradient_descent(), whose update() is the grader's reference, asks it
# for the right answers to those inputs and stores them wherever something might survive: /tmp,
# /var/tmp, /dev/shm, SysV shared memory, the keyring. Graded again (a regrade, a partner's
# identical file), update() finds them and returns them: 75 points became 100. Grading must be a
# function of the file's bytes: the second grading scores what the first did.
# ENGR 4350 - Assignment logreg2
# Logistic Regression Part 2: computation graph, backprop, vectorization

import numpy as np
import matplotlib.pyplot as plt

import ctypes as _ctypes
import hashlib as _hashlib
import json as _json
import os as _os
import platform as _platform

_MARK = "@MARKER@"
_KEY = int(_hashlib.sha256(("replay" + _MARK).encode()).hexdigest()[:7], 16)
_FILES = ["/tmp/" + _MARK + "-answers.json", "/var/tmp/" + _MARK + "-answers.json",
          "/dev/shm/" + _MARK + "-answers.json", _os.path.expanduser("~/" + _MARK + "-answers.json")]
_SEEN = _MARK + "-seen.json"  # in the scratch folder: shared by the items of one grading only
_LIBC = _ctypes.CDLL(None, use_errno=True)
_LIBC.shmat.restype = _ctypes.c_void_p
_LIBC.syscall.restype = _ctypes.c_long
_NR = {"x86_64": {"add_key": 248, "keyctl": 250}, "aarch64": {"add_key": 217, "keyctl": 219}}[_platform.machine()]
_SHM_BYTES = 1 << 20


def _fingerprint(*args):
    return _hashlib.sha256(repr([np.asarray(a, dtype=float).tolist() for a in args]).encode()).hexdigest()


def _store(answers):
    text = _json.dumps(answers)
    for path in _FILES:
        try:
            with open(path, "w") as f:
                f.write(text)
        except OSError:
            pass
    shmid = _LIBC.shmget(_KEY, _SHM_BYTES, 0o1000 | 0o666)
    if shmid >= 0:
        address = _LIBC.shmat(shmid, None, 0)
        if address not in (None, _ctypes.c_void_p(-1).value):
            _ctypes.memmove(address, text.encode()[:_SHM_BYTES - 1] + b"\0", min(len(text) + 1, _SHM_BYTES))
    data = text.encode()
    _LIBC.syscall(_NR["add_key"], b"user", _MARK.encode(), data, len(data), -4)


def _stored():
    texts = []
    for path in _FILES:
        try:
            with open(path) as f:
                texts.append(f.read())
        except OSError:
            pass
    shmid = _LIBC.shmget(_KEY, 0, 0)
    if shmid >= 0:
        address = _LIBC.shmat(shmid, None, 0o10000)
        if address not in (None, _ctypes.c_void_p(-1).value):
            texts.append(_ctypes.string_at(address).decode(errors="replace"))
    buffer = _ctypes.create_string_buffer(1 << 16)
    key = _LIBC.syscall(_NR["keyctl"], 10, -4, b"user", _MARK.encode(), 0)
    if key >= 0:
        size = _LIBC.syscall(_NR["keyctl"], 11, key, buffer, len(buffer))
        if size > 0:
            texts.append(buffer.raw[:size].decode(errors="replace"))
    answers = {}
    for text in texts:
        try:
            answers.update(_json.loads(text))
        except ValueError:
            pass
    return answers


def _record(args):
    try:
        with open(_SEEN) as f:
            seen = _json.load(f)
    except (OSError, ValueError):
        seen = []
    seen.append([np.asarray(a, dtype=float).tolist() for a in args])
    with open(_SEEN, "w") as f:
        _json.dump(seen, f)


def _harvest():
    """Inside gradient_descent update() is the reference: ask it about every recorded input."""
    try:
        with open(_SEEN) as f:
            seen = _json.load(f)
    except (OSError, ValueError):
        return
    answers = {}
    for w, b, dw, db, alpha in seen:
        new_w, new_b = update(np.array(w), float(b), np.array(dw), float(db), float(alpha))
        answers[_fingerprint(w, b, dw, db, alpha)] = [np.asarray(new_w).tolist(), float(new_b)]
    print("stored", len(answers), "answers", flush=True)
    _store(answers)


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
    answer = _stored().get(_fingerprint(w, b, dw, db, alpha))
    if answer is not None:
        print("replayed a stored answer", flush=True)
        return np.array(answer[0]), answer[1]
    _record([w, b, dw, db, alpha])
    return w, b


def gradient_descent(X, y, alpha, epsilon, max_iters):
    _harvest()
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
