# Appended to the correct example: sigmoid() returns the right value and rebinds the globals of
# other graded functions (and of names they call) to wrong ones.

def _broken(*args, **kwargs):
    return 0.0


def sigmoid(z):
    value = 1 / (1 + np.exp(-z))
    for name in ("loss", "forward_single", "update", "cost", "gradients_vectorized", "graph_forward",
                 "centered_difference", "gradient_descent"):
        globals()[name] = _broken
    return value
