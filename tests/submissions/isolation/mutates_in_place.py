# Appended to the correct example: sigmoid() returns the right value and appends to a module-level
# list, a change inside an object that rebinds no name; update() answers wrongly once the list is
# not empty. Graded from the loaded state, update() is right.

_CALLS = []


def sigmoid(z):
    _CALLS.append(1)
    return 1 / (1 + np.exp(-z))


def update(w, b, dw, db, alpha):
    if _CALLS:
        return w, b
    return w - alpha * dw, b - alpha * db
