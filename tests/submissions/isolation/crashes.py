# Appended to the correct example: three functions change a global the loaded file set, then
# crash their process (os._exit, a segfault through ctypes, memory exhausted); every other
# function uses that global, so it is graded right only on the state loading left.

import ctypes
import os

SCALE = 1.0


def graph_forward(a, b, c):
    global SCALE
    SCALE = 0.0
    os._exit(3)


def sigmoid(z):
    global SCALE
    SCALE = 0.0
    ctypes.string_at(0)


def forward_difference(f, x, h=1e-5):
    global SCALE
    SCALE = 0.0
    hoard = [np.ones(1 << 24) for _ in range(1 << 12)]
    return hoard


def graph_backward(a, b, c):
    return {"dJ_dv": 2 * SCALE, "dJ_du": 2 * SCALE, "dJ_da": 2 * SCALE, "dJ_db": 2 * c * SCALE, "dJ_dc": 2 * b * SCALE}


def loss(y_hat, y):
    return -SCALE * (y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


def update(w, b, dw, db, alpha):
    return w - SCALE * alpha * dw, b - SCALE * alpha * db
