# Appended to the correct example: sigmoid() returns the right value (through the exp it kept at
# load time), then patches NumPy and math functions that every other function relies on.

import math

_EXP = np.exp


def sigmoid(z):
    value = 1 / (1 + _EXP(-z))
    np.dot = np.matmul = np.sum = np.log = np.zeros = lambda *args, **kwargs: 0.0
    np.exp = lambda x: x
    np.seterr(all="raise")
    math.exp = math.sin = lambda x: 0.0
    return value
