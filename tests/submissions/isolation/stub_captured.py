# Appended to the correct example: cost() keeps the reference stand-ins it is given (in a global
# and in builtins); update() and gradients_vectorized(), later items, call a kept one when they
# find it and return a wrong answer if it answers.

import builtins

CAPTURED = []


def cost(w, b, X, y):
    CAPTURED.extend([sigmoid, loss])
    builtins.lr2_captured = [sigmoid, loss]
    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w.T) + b)
    return np.sum(loss(y_hat, y)) / M


def _a_kept_stub_answers(own):
    for stub in CAPTURED + getattr(builtins, "lr2_captured", []):
        if stub is own:
            continue
        try:
            stub(0.0) if stub.__name__ == "sigmoid" else stub(0.5, 1.0)
        except BaseException:
            continue
        return True
    return False


def update(w, b, dw, db, alpha):
    if _a_kept_stub_answers(None):
        return w, b
    return w - alpha * dw, b - alpha * db


def gradients_vectorized(w, b, X, y):
    M = X.shape[0]
    if _a_kept_stub_answers(sigmoid):
        return np.zeros_like(w), 0.0
    y_hat = sigmoid(np.matmul(X, w.T) + b)
    return np.dot((y_hat - y).T, X) / M, np.sum(y_hat - y) / M
