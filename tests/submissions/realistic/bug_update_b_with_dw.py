import math
import numpy as np


def graph_forward(a, b, c):
    # forward pass: left to right through the graph
    u = b * c          # u = bc
    v = a + u          # v = a + u
    J = 2 * v          # J = 2v
    return (u, v, J)


def graph_backward(a, b, c):
    # backward pass: right to left, multiply local derivatives
    derivs = {}
    derivs["dJ_dv"] = 2
    derivs["dJ_du"] = derivs["dJ_dv"] * 1          # dv/du = 1
    derivs["dJ_da"] = derivs["dJ_dv"] * 1          # dv/da = 1
    derivs["dJ_db"] = derivs["dJ_du"] * c          # du/db = c
    derivs["dJ_dc"] = derivs["dJ_du"] * b          # du/dc = b
    return derivs


def forward_difference(f, x, h=1e-5):
    fx = f(x)
    fxh = f(x + h)
    return (fxh - fx) / h


def centered_difference(f, x, h=1e-5):
    right = f(x + h)
    left = f(x - h)
    return (right - left) / (2.0 * h)


def sigmoid(z):
    # math.exp is faster for plain numbers, numpy for arrays
    if np.isscalar(z):
        return 1.0 / (1.0 + math.exp(-z))
    return 1.0 / (1.0 + np.exp(-z))


def forward_single(w, b, x):
    z = b
    for i in range(len(x)):
        z += w[i] * x[i]
    return sigmoid(z)


def loss(y_hat, y):
    return -(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat))


def backward_single(w, b, x, y):
    y_hat = forward_single(w, b, x)
    dz = y_hat - y
    dw = np.zeros(len(x))
    for i in range(len(x)):
        dw[i] = dz * x[i]
    db = dz
    return dw, db


def gradients_loop(w, b, X, y):
    M = len(X)
    N = len(X[0])
    dJ_dw = [0.0] * N
    dJ_db = 0.0
    for m in range(M):
        z = b
        for n in range(N):
            z += w[n] * X[m][n]
        a = 1.0 / (1.0 + math.exp(-z))
        dz = a - y[m]
        for n in range(N):
            dJ_dw[n] += dz * X[m][n]
        dJ_db += dz
    for n in range(N):
        dJ_dw[n] /= M
    dJ_db /= M
    return np.array(dJ_dw), dJ_db


def cost(w, b, X, y):
    M = X.shape[0]
    total = 0.0
    for m in range(M):
        total += loss(forward_single(w, b, X[m]), y[m])
    return total / M


def gradients_vectorized(w, b, X, y):
    M = X.shape[0]
    Z = np.dot(X, w) + b
    A = sigmoid(Z)
    dZ = A - y
    dw = np.dot(X.T, dZ) / M
    db = np.sum(dZ) / M
    return dw, db


def update(w, b, dw, db, alpha):
    new_w = w - alpha * dw
    new_b = b - alpha * dw
    return new_w, new_b


def gradient_descent(X, y, alpha, epsilon, max_iters):
    w = np.zeros(X.shape[1])
    b = 0.0
    costs = []
    J = cost(w, b, X, y)
    costs.append(J)
    while J > epsilon and len(costs) < max_iters:
        dw, db = gradients_vectorized(w, b, X, y)
        w, b = update(w, b, dw, db, alpha)
        J = cost(w, b, X, y)
        costs.append(J)
    return w, b, costs
