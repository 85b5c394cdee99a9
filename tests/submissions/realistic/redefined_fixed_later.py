import numpy as np


def graph_forward(a, b, c):
    """Forward pass of J = 2(a + bc)."""
    u = b * c
    v = a + u
    J = 2 * v
    # print("u =", u, "v =", v, "J =", J)
    return u, v, J


def graph_backward(a, b, c):
    """Backward pass of J = 2(a + bc) with the chain rule."""
    dJ_dv = 2
    dJ_du = dJ_dv * 1
    dJ_da = dJ_dv * 1
    dJ_db = dJ_du * c
    dJ_dc = dJ_du * b
    grads = {
        "dJ_dv": dJ_dv,
        "dJ_du": dJ_du,
        "dJ_da": dJ_da,
        "dJ_db": dJ_db,
        "dJ_dc": dJ_dc,
    }
    return grads


def forward_difference(f, x, h=1e-5):
    """Slope between x and x+h."""
    slope = (f(x + h) - f(x)) / h
    return slope


def centered_difference(f, x, h=1e-5):
    """Slope between x-h and x+h (more accurate: error is O(h^2))."""
    slope = (f(x + h) - f(x - h)) / (2 * h)
    return slope


def sigmoid(z):
    """Logistic function."""
    s = 1 / (1 + np.exp(-z))
    return s


def forward_single(w, b, x):
    """y_hat for ONE example."""
    z = np.dot(w, x) + b
    y_hat = sigmoid(z)
    return y_hat


def loss(y_hat, y):
    """Cross entropy loss."""
    first_term = y * np.log(y_hat)
    second_term = (1 - y) * np.log(1 - y_hat)
    L = -(first_term + second_term)
    return L


def backward_single(w, b, x, y):
    """dL/dw and dL/db for ONE example."""
    y_hat = forward_single(w, b, x)
    dz = y_hat - y
    dw = x * dz
    db = dz
    return dw, db


def gradients_loop(w, b, X, y):
    """The slow way: two loops, like the lecture."""
    M = X.shape[0]
    N = X.shape[1]
    dw = np.zeros(N)
    db = 0
    for m in range(M):
        y_hat = forward_single(w, b, X[m, :])
        dz = y_hat - y[m]
        for n in range(N):
            dw[n] = dw[n] + dz * X[m, n]
        db = db + dz
    dw = dw / M
    db = db / M
    return dw, db


def cost(w, b, X, y):
    """Average loss.  (first try, see the fixed version at the bottom)"""
    y_hat = sigmoid(np.dot(X, w) + b)
    return np.sum(loss(y_hat, y))


def gradients_vectorized(w, b, X, y):
    """The fast way: no loops."""
    M = X.shape[0]
    z = np.dot(X, w) + b
    y_hat = sigmoid(z)
    error = y_hat - y
    dw = (1 / M) * np.dot(error, X)
    db = (1 / M) * np.sum(error)
    return dw, db


def update(w, b, dw, db, alpha):
    """One step downhill."""
    w_new = w - alpha * dw
    b_new = b - alpha * db
    return w_new, b_new


def gradient_descent(X, y, alpha, epsilon, max_iters):
    """Train until the cost is small enough or we run out of iterations."""
    M, N = X.shape
    w = np.zeros(N)
    b = 0.0
    costs = []
    for i in range(max_iters):
        J = cost(w, b, X, y)
        costs.append(J)
        if i % 100 == 0:
            print(f"iteration {i}: cost = {J:.6f}")
        if J <= epsilon:
            print("converged after", i, "iterations")
            break
        if i == max_iters - 1:
            break
        dw, db = gradients_vectorized(w, b, X, y)
        w, b = update(w, b, dw, db, alpha)
    return w, b, costs


# ---------------------------------------------------------------
# v2: I forgot to divide by M above, fixed here (the later def wins)
def cost(w, b, X, y):
    """Average loss over the M examples."""
    M = X.shape[0]
    y_hat = sigmoid(np.dot(X, w) + b)
    return np.sum(loss(y_hat, y)) / M
