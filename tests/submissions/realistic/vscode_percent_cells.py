# %% [markdown]
# # logreg2 in VS Code interactive mode

# %%
import numpy as np

# %%
def graph_forward(a: float, b: float, c: float) -> tuple[float, float, float]:
    """Forward pass through J = 2(a + bc).

    Parameters
    ----------
    a, b, c : float
        Inputs of the graph.

    Returns
    -------
    (u, v, J) : tuple of float
    """
    u = b * c
    v = a + u
    J = 2.0 * v
    return u, v, J

# %%
def graph_backward(a: float, b: float, c: float) -> dict[str, float]:
    """Backward pass through J = 2(a + bc).

    Returns
    -------
    dict
        ``dJ_dv``, ``dJ_du``, ``dJ_da``, ``dJ_db``, ``dJ_dc``.
    """
    dJ_dv = 2.0
    dJ_du = dJ_dv * 1.0
    return {
        "dJ_dv": dJ_dv,
        "dJ_du": dJ_du,
        "dJ_da": dJ_dv * 1.0,
        "dJ_db": dJ_du * c,
        "dJ_dc": dJ_du * b,
    }

# %%
def forward_difference(f: object, x: float, h: float = 1e-5) -> float:
    """Forward difference (f(x+h) - f(x)) / h."""
    return (f(x + h) - f(x)) / h

# %%
def centered_difference(f: object, x: float, h: float = 1e-5) -> float:
    """Centered difference (f(x+h) - f(x-h)) / 2h."""
    return (f(x + h) - f(x - h)) / (2.0 * h)

# %%
def sigmoid(z: np.ndarray) -> np.ndarray:
    """Elementwise logistic function."""
    return 1.0 / (1.0 + np.exp(-z))

# %%
def _logit(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """z = Xw + b for one example (N,) or many (M, N)."""
    return X @ w + b


def forward_single(w: np.ndarray, b: float, x: np.ndarray) -> float:
    """Prediction y_hat = sigma(w.x + b) for one example."""
    return sigmoid(_logit(w, b, x))

# %%
def loss(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Elementwise binary cross-entropy."""
    return -(y * np.log(y_hat) + (1.0 - y) * np.log(1.0 - y_hat))

# %%
def backward_single(w: np.ndarray, b: float, x: np.ndarray, y: float) -> tuple[np.ndarray, float]:
    """Gradient of the loss for a single example."""
    dz = forward_single(w, b, x) - y
    return dz * x, dz

# %%
def gradients_loop(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Gradients with explicit loops over examples and features."""
    M, N = X.shape
    dw = np.zeros(N)
    db = 0.0
    for m in range(M):
        dz = sigmoid(float(np.dot(w, X[m])) + b) - y[m]
        for n in range(N):
            dw[n] += dz * X[m, n]
        db += dz
    dw /= M
    db /= M
    return dw, db

# %%
def cost(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy over the M examples."""
    y_hat = sigmoid(_logit(w, b, X))
    return float(np.mean(loss(y_hat, y)))

# %%
cost(w_try, 0.0, X_try, y_try)  # NameError: I ran the cell that defines these later

# %%
def gradients_vectorized(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float]:
    """Vectorized gradients: no Python loops."""
    M = X.shape[0]
    residual = sigmoid(_logit(w, b, X)) - y
    return X.T @ residual / M, float(np.sum(residual) / M)

# %%
def update(w: np.ndarray, b: float, dw: np.ndarray, db: float, alpha: float) -> tuple[np.ndarray, float]:
    """Return new parameters; the caller's w is not modified."""
    return w - alpha * dw, b - alpha * db

# %%
def gradient_descent(X: np.ndarray, y: np.ndarray, alpha: float, epsilon: float,
                     max_iters: int) -> tuple[np.ndarray, float, list[float]]:
    """Batch gradient descent from zeros; stops at J <= epsilon or after max_iters costs."""
    w = np.zeros(X.shape[1])
    b = 0.0
    costs: list[float] = []
    while len(costs) < max_iters:
        J = cost(w, b, X, y)
        costs.append(J)
        if J <= epsilon or len(costs) == max_iters:
            break
        dw, db = gradients_vectorized(w, b, X, y)
        w, b = update(w, b, dw, db, alpha)
    return w, b, costs

# %%
X_try = np.eye(3)
y_try = np.array([1.0, 0.0, 1.0])
w_try = np.zeros(3)
print(cost(w_try, 0.0, X_try, y_try))
