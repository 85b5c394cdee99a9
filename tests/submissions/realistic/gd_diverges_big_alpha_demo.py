import numpy as np


def graph_forward(a, b, c):
    u = b * c
    v = a + u
    return u, v, 2 * v


def graph_backward(a, b, c):
    return dict(dJ_dv=2.0, dJ_du=2.0, dJ_da=2.0, dJ_db=2.0 * c, dJ_dc=2.0 * b)


def forward_difference(f, x, h=1e-5):
    return (f(x + h) - f(x)) / h


def centered_difference(f, x, h=1e-5):
    return (f(x + h) - f(x - h)) / (2 * h)


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def forward_single(w, b, x):
    return sigmoid(w @ x + b)


def loss(y_hat, y):
    return -y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat)


def backward_single(w, b, x, y):
    e = forward_single(w, b, x) - y
    return e * x, e


def gradients_loop(w, b, X, y):
    M, N = X.shape
    dw, db = np.zeros(N), 0.0
    for m in range(M):
        e = sigmoid(w @ X[m] + b) - y[m]
        for n in range(N):
            dw[n] += e * X[m, n]
        db += e
    return dw / M, db / M


def cost(w, b, X, y):
    return np.mean(loss(sigmoid(X @ w + b), y))


def gradients_vectorized(w, b, X, y):
    r = sigmoid(X @ w + b) - y
    return r @ X / len(y), r.mean()


def update(w, b, dw, db, alpha):
    return w - alpha * dw, b - alpha * db


def gradient_descent(X, y, alpha, epsilon, max_iters):
    w, b, costs = np.zeros(X.shape[1]), 0.0, []
    for _ in range(max_iters):
        J = cost(w, b, X, y)
        costs.append(J)
        if J <= epsilon or len(costs) == max_iters:
            break
        w, b = update(w, b, *gradients_vectorized(w, b, X, y), alpha)
    return w, b, costs


# what happens with a huge learning rate?
X_sep = np.array([[-2.0], [-1.0], [1.0], [2.0]])
y_sep = np.array([0.0, 0.0, 1.0, 1.0])
for lr in [0.1, 1.0, 1e3, 1e6]:  # the last two blow up: nan
    w_lr, b_lr, costs_lr = gradient_descent(X_sep, y_sep, lr, 0.0, 50)
    print(lr, costs_lr[:3], costs_lr[-1])
