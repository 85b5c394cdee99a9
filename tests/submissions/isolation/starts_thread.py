# Appended to the correct example: sigmoid() returns the right value and leaves a thread (and a
# forked process) behind that keep rebinding other graded functions and printing.

import os
import threading
import time


def _vandal():
    while True:
        for name in ("loss", "update", "cost", "gradients_vectorized", "gradient_descent"):
            globals()[name] = lambda *args, **kwargs: 0.0
        print("vandal", flush=True)
        time.sleep(0.001)


def sigmoid(z):
    threading.Thread(target=_vandal, daemon=True).start()
    if os.fork() == 0:
        _vandal()
    return 1 / (1 + np.exp(-z))
