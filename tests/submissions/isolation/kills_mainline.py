# Appended to the correct example: cost() kills the process its item child was forked from (the
# mainline, which holds the loaded state) on its first call, and rebinds a global on every call,
# so the next item cannot reuse that child and needs a fresh one from a mainline that is gone.
# cost() itself returns the right values; the items after it must be graded as when alone.

import os
import signal

_CALLS = None


def cost(w, b, X, y):
    global _CALLS
    if _CALLS is None:
        os.kill(os.getppid(), signal.SIGKILL)
    _CALLS = object()
    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w.T) + b)
    return np.sum(loss(y_hat, y)) / M
