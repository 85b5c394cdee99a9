# Logistic Regression part 2 -- graded functions

import numpy as np


# GRADED FUNCTION: graph_forward

def graph_forward(a, b, c):
    """Forward pass of J = 2(a + bc)."""
    ### START CODE HERE ### (≈ 4 lines of code)
    u = b * c
    v = a + u
    J = 2 * v
    # print("u =", u, "v =", v, "J =", J)
    ### END CODE HERE ###
    return u, v, J


# GRADED FUNCTION: graph_backward

def graph_backward(a, b, c):
    """Backward pass of J = 2(a + bc) with the chain rule."""
    ### START CODE HERE ### (≈ 12 lines of code)
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
    ### END CODE HERE ###
    return grads


# GRADED FUNCTION: forward_difference

def forward_difference(f, x, h=1e-5):
    """Slope between x and x+h."""
    ### START CODE HERE ### (≈ 1 lines of code)
    slope = (f(x + h) - f(x)) / h
    ### END CODE HERE ###
    return slope


# GRADED FUNCTION: centered_difference

def centered_difference(f, x, h=1e-5):
    """Slope between x-h and x+h (more accurate: error is O(h^2))."""
    ### START CODE HERE ### (≈ 1 lines of code)
    slope = (f(x + h) - f(x - h)) / (2 * h)
    ### END CODE HERE ###
    return slope


# GRADED FUNCTION: sigmoid

def sigmoid(z):
    """Logistic function."""
    ### START CODE HERE ### (≈ 1 lines of code)
    s = 1 / (1 + np.exp(-z))
    ### END CODE HERE ###
    return s


# GRADED FUNCTION: forward_single

def forward_single(w, b, x):
    """y_hat for ONE example."""
    ### START CODE HERE ### (≈ 2 lines of code)
    z = np.dot(w, x) + b
    y_hat = sigmoid(z)
    ### END CODE HERE ###
    return y_hat


# GRADED FUNCTION: loss

def loss(y_hat, y):
    """Cross entropy loss."""
    ### START CODE HERE ### (≈ 3 lines of code)
    first_term = y * np.log(y_hat)
    second_term = (1 - y) * np.log(1 - y_hat)
    L = -(first_term + second_term)
    ### END CODE HERE ###
    return L


# GRADED FUNCTION: backward_single

def backward_single(w, b, x, y):
    """dL/dw and dL/db for ONE example."""
    ### START CODE HERE ### (≈ 4 lines of code)
    y_hat = forward_single(w, b, x)
    dz = y_hat - y
    dw = x * dz
    db = dz
    ### END CODE HERE ###
    return dw, db


# GRADED FUNCTION: gradients_loop

def gradients_loop(w, b, X, y):
    """The slow way: two loops, like the lecture."""
    ### START CODE HERE ### (≈ 12 lines of code)
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
    ### END CODE HERE ###
    return dw, db


# GRADED FUNCTION: cost

def cost(w, b, X, y):
    """Average loss."""
    ### START CODE HERE ### (≈ 5 lines of code)
    M = X.shape[0]
    z = np.dot(X, w) + b
    y_hat = sigmoid(z)
    losses = loss(y_hat, y)
    J = (1 / M) * np.sum(losses)
    ### END CODE HERE ###
    return J


# GRADED FUNCTION: gradients_vectorized

def gradients_vectorized(w, b, X, y):
    """The fast way: no loops."""
    ### START CODE HERE ### (≈ 6 lines of code)
    M = X.shape[0]
    z = np.dot(X, w) + b
    y_hat = sigmoid(z)
    error = y_hat - y
    dw = (1 / M) * np.dot(error, X)
    db = (1 / M) * np.sum(error)
    ### END CODE HERE ###
    return dw, db


# GRADED FUNCTION: update

def update(w, b, dw, db, alpha):
    """One step downhill."""
    ### START CODE HERE ### (≈ 2 lines of code)
    w_new = w - alpha * dw
    b_new = b - alpha * db
    ### END CODE HERE ###
    return w_new, b_new


# GRADED FUNCTION: gradient_descent

def gradient_descent(X, y, alpha, epsilon, max_iters):
    """Train until the cost is small enough or we run out of iterations."""
    ### START CODE HERE ### (≈ 16 lines of code)
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
    ### END CODE HERE ###
    return w, b, costs
