"""ENGR 4350 Applied Deep Learning -- Assignment logreg2 (Logistic Regression, Part 2).

This is your starter file. Replace every ``raise NotImplementedError`` with your
code and submit this file (or a notebook defining the same functions). Do not
rename the functions or change their parameters: the autograder calls them by name.

Conventions (the lecture's):
    X   array of shape (M, N): M examples, one example per row, N features
    y   array of shape (M,): labels, 0 or 1
    w   array of shape (N,): weights
    b   float: bias
    x   array of shape (N,): a single example (one row of X)

Gradients are returned as ``(dw, db)`` with ``dw`` of shape (N,) and ``db`` a float.
You may import numpy, math and matplotlib (plots are not graded).

Each function is graded on its own: if one is wrong, only its own rubric item loses
points, so a function you cannot finish does not sink the others.
"""

"""
My notes from the lecture (Logistic Regression, Part 2)
=======================================================

1. Computation graph
--------------------
The function J(a, b, c) = 2(a + bc) is computed in three steps:

    u = b * c
    v = a + u
    J = 2 * v

Forward pass: left to right. Backward pass: right to left, and at every node we
multiply the derivative that arrives from the right ("upstream") by the local
derivative of the node. That is just the chain rule written as a picture.

    dJ/dv = 2
    dJ/da = dJ/dv * dv/da = 2 * 1 = 2
    dJ/du = dJ/dv * dv/du = 2 * 1 = 2
    dJ/db = dJ/du * du/db = 2 * c
    dJ/dc = dJ/du * du/dc = 2 * b

Example from the slides: a = 5, b = 3, c = 2 gives u = 6, v = 11, J = 22, and
dJ/db = 4, dJ/dc = 6. If I nudge b by 0.001, J changes by about 0.004.

2. Numerical derivatives
------------------------
    forward:  f'(x) ~ (f(x + h) - f(x)) / h            error O(h)
    centered: f'(x) ~ (f(x + h) - f(x - h)) / (2h)     error O(h^2)
The centered one is much better for the same h. Too small an h is bad too
(round-off: f(x+h) - f(x) loses digits), 1e-5 is a reasonable default.
Gradient checking = compare backprop to the centered difference, one parameter at a time.

3. Logistic regression on one example
-------------------------------------
    z = w . x + b
    y_hat = a = sigma(z) = 1 / (1 + exp(-z))
    L(y_hat, y) = -(y log(y_hat) + (1 - y) log(1 - y_hat))

Derivatives (the "da" and "dz" of the lecture):
    dL/da = -y/a + (1 - y)/(1 - a)
    da/dz = a (1 - a)
    dL/dz = dL/da * da/dz = a - y          <- the nice cancellation
    dL/dw_n = x_n (a - y)
    dL/db = a - y

4. M examples
-------------
    J(w, b) = (1/M) sum_m L(y_hat(m), y(m))
The gradient of the average is the average of the gradients, so we add up the
per-example gradients in a loop and divide by M at the end. Two nested loops
(over m and over the N features) are slow in Python.

5. Vectorization
----------------
    Z = X w + b                (M,)
    A = sigma(Z)               (M,)
    dZ = A - y                 (M,)
    dw = (1/M) X^T dZ          (N,)
    db = (1/M) sum(dZ)
One np.dot replaces a loop that is ~300x slower. Rule from the lecture: whenever
possible, avoid explicit for-loops.

6. Gradient descent
-------------------
    repeat:
        J = cost(w, b)
        w := w - alpha dJ/dw
        b := b - alpha dJ/db
    until J <= epsilon or we ran max_iters iterations.
Learning rate too big -> the cost goes up and can even become nan (log of 0).
Too small -> takes forever.

Worked examples (checked by hand, then with graph_forward / graph_backward)
--------------------------------------------------------------------------
  ex   0: a= -3.0 b=  0.5 c= -2.0 -> u=  -1.000 v=  -4.000 J=  -8.000   dJ/db= -4.000 dJ/dc=  1.000
  ex   1: a= -2.0 b=  1.5 c= -0.5 -> u=  -0.750 v=  -2.750 J=  -5.500   dJ/db= -1.000 dJ/dc=  3.000
  ex   2: a= -1.0 b=  2.5 c=  1.0 -> u=   2.500 v=   1.500 J=   3.000   dJ/db=  2.000 dJ/dc=  5.000
  ex   3: a=  0.0 b=  3.5 c=  2.5 -> u=   8.750 v=   8.750 J=  17.500   dJ/db=  5.000 dJ/dc=  7.000
  ex   4: a=  1.0 b=  4.5 c= -1.5 -> u=  -6.750 v=  -5.750 J= -11.500   dJ/db= -3.000 dJ/dc=  9.000
  ex   5: a=  2.0 b=  0.5 c=  0.0 -> u=   0.000 v=   2.000 J=   4.000   dJ/db=  0.000 dJ/dc=  1.000
  ex   6: a=  3.0 b=  1.5 c=  1.5 -> u=   2.250 v=   5.250 J=  10.500   dJ/db=  3.000 dJ/dc=  3.000
  ex   7: a= -3.0 b=  2.5 c=  3.0 -> u=   7.500 v=   4.500 J=   9.000   dJ/db=  6.000 dJ/dc=  5.000
  ex   8: a= -2.0 b=  3.5 c= -1.0 -> u=  -3.500 v=  -5.500 J= -11.000   dJ/db= -2.000 dJ/dc=  7.000
  ex   9: a= -1.0 b=  4.5 c=  0.5 -> u=   2.250 v=   1.250 J=   2.500   dJ/db=  1.000 dJ/dc=  9.000
  ex  10: a=  0.0 b=  0.5 c=  2.0 -> u=   1.000 v=   1.000 J=   2.000   dJ/db=  4.000 dJ/dc=  1.000
  ex  11: a=  1.0 b=  1.5 c= -2.0 -> u=  -3.000 v=  -2.000 J=  -4.000   dJ/db= -4.000 dJ/dc=  3.000
  ex  12: a=  2.0 b=  2.5 c= -0.5 -> u=  -1.250 v=   0.750 J=   1.500   dJ/db= -1.000 dJ/dc=  5.000
  ex  13: a=  3.0 b=  3.5 c=  1.0 -> u=   3.500 v=   6.500 J=  13.000   dJ/db=  2.000 dJ/dc=  7.000
  ex  14: a= -3.0 b=  4.5 c=  2.5 -> u=  11.250 v=   8.250 J=  16.500   dJ/db=  5.000 dJ/dc=  9.000
  ex  15: a= -2.0 b=  0.5 c= -1.5 -> u=  -0.750 v=  -2.750 J=  -5.500   dJ/db= -3.000 dJ/dc=  1.000
  ex  16: a= -1.0 b=  1.5 c=  0.0 -> u=   0.000 v=  -1.000 J=  -2.000   dJ/db=  0.000 dJ/dc=  3.000
  ex  17: a=  0.0 b=  2.5 c=  1.5 -> u=   3.750 v=   3.750 J=   7.500   dJ/db=  3.000 dJ/dc=  5.000
  ex  18: a=  1.0 b=  3.5 c=  3.0 -> u=  10.500 v=  11.500 J=  23.000   dJ/db=  6.000 dJ/dc=  7.000
  ex  19: a=  2.0 b=  4.5 c= -1.0 -> u=  -4.500 v=  -2.500 J=  -5.000   dJ/db= -2.000 dJ/dc=  9.000
  ex  20: a=  3.0 b=  0.5 c=  0.5 -> u=   0.250 v=   3.250 J=   6.500   dJ/db=  1.000 dJ/dc=  1.000
  ex  21: a= -3.0 b=  1.5 c=  2.0 -> u=   3.000 v=   0.000 J=   0.000   dJ/db=  4.000 dJ/dc=  3.000
  ex  22: a= -2.0 b=  2.5 c= -2.0 -> u=  -5.000 v=  -7.000 J= -14.000   dJ/db= -4.000 dJ/dc=  5.000
  ex  23: a= -1.0 b=  3.5 c= -0.5 -> u=  -1.750 v=  -2.750 J=  -5.500   dJ/db= -1.000 dJ/dc=  7.000
  ex  24: a=  0.0 b=  4.5 c=  1.0 -> u=   4.500 v=   4.500 J=   9.000   dJ/db=  2.000 dJ/dc=  9.000
  ex  25: a=  1.0 b=  0.5 c=  2.5 -> u=   1.250 v=   2.250 J=   4.500   dJ/db=  5.000 dJ/dc=  1.000
  ex  26: a=  2.0 b=  1.5 c= -1.5 -> u=  -2.250 v=  -0.250 J=  -0.500   dJ/db= -3.000 dJ/dc=  3.000
  ex  27: a=  3.0 b=  2.5 c=  0.0 -> u=   0.000 v=   3.000 J=   6.000   dJ/db=  0.000 dJ/dc=  5.000
  ex  28: a= -3.0 b=  3.5 c=  1.5 -> u=   5.250 v=   2.250 J=   4.500   dJ/db=  3.000 dJ/dc=  7.000
  ex  29: a= -2.0 b=  4.5 c=  3.0 -> u=  13.500 v=  11.500 J=  23.000   dJ/db=  6.000 dJ/dc=  9.000
  ex  30: a= -1.0 b=  0.5 c= -1.0 -> u=  -0.500 v=  -1.500 J=  -3.000   dJ/db= -2.000 dJ/dc=  1.000
  ex  31: a=  0.0 b=  1.5 c=  0.5 -> u=   0.750 v=   0.750 J=   1.500   dJ/db=  1.000 dJ/dc=  3.000
  ex  32: a=  1.0 b=  2.5 c=  2.0 -> u=   5.000 v=   6.000 J=  12.000   dJ/db=  4.000 dJ/dc=  5.000
  ex  33: a=  2.0 b=  3.5 c= -2.0 -> u=  -7.000 v=  -5.000 J= -10.000   dJ/db= -4.000 dJ/dc=  7.000
  ex  34: a=  3.0 b=  4.5 c= -0.5 -> u=  -2.250 v=   0.750 J=   1.500   dJ/db= -1.000 dJ/dc=  9.000
  ex  35: a= -3.0 b=  0.5 c=  1.0 -> u=   0.500 v=  -2.500 J=  -5.000   dJ/db=  2.000 dJ/dc=  1.000
  ex  36: a= -2.0 b=  1.5 c=  2.5 -> u=   3.750 v=   1.750 J=   3.500   dJ/db=  5.000 dJ/dc=  3.000
  ex  37: a= -1.0 b=  2.5 c= -1.5 -> u=  -3.750 v=  -4.750 J=  -9.500   dJ/db= -3.000 dJ/dc=  5.000
  ex  38: a=  0.0 b=  3.5 c=  0.0 -> u=   0.000 v=   0.000 J=   0.000   dJ/db=  0.000 dJ/dc=  7.000
  ex  39: a=  1.0 b=  4.5 c=  1.5 -> u=   6.750 v=   7.750 J=  15.500   dJ/db=  3.000 dJ/dc=  9.000
  ex  40: a=  2.0 b=  0.5 c=  3.0 -> u=   1.500 v=   3.500 J=   7.000   dJ/db=  6.000 dJ/dc=  1.000
  ex  41: a=  3.0 b=  1.5 c= -1.0 -> u=  -1.500 v=   1.500 J=   3.000   dJ/db= -2.000 dJ/dc=  3.000
  ex  42: a= -3.0 b=  2.5 c=  0.5 -> u=   1.250 v=  -1.750 J=  -3.500   dJ/db=  1.000 dJ/dc=  5.000
  ex  43: a= -2.0 b=  3.5 c=  2.0 -> u=   7.000 v=   5.000 J=  10.000   dJ/db=  4.000 dJ/dc=  7.000
  ex  44: a= -1.0 b=  4.5 c= -2.0 -> u=  -9.000 v= -10.000 J= -20.000   dJ/db= -4.000 dJ/dc=  9.000
  ex  45: a=  0.0 b=  0.5 c= -0.5 -> u=  -0.250 v=  -0.250 J=  -0.500   dJ/db= -1.000 dJ/dc=  1.000
  ex  46: a=  1.0 b=  1.5 c=  1.0 -> u=   1.500 v=   2.500 J=   5.000   dJ/db=  2.000 dJ/dc=  3.000
  ex  47: a=  2.0 b=  2.5 c=  2.5 -> u=   6.250 v=   8.250 J=  16.500   dJ/db=  5.000 dJ/dc=  5.000
  ex  48: a=  3.0 b=  3.5 c= -1.5 -> u=  -5.250 v=  -2.250 J=  -4.500   dJ/db= -3.000 dJ/dc=  7.000
  ex  49: a= -3.0 b=  4.5 c=  0.0 -> u=   0.000 v=  -3.000 J=  -6.000   dJ/db=  0.000 dJ/dc=  9.000
  ex  50: a= -2.0 b=  0.5 c=  1.5 -> u=   0.750 v=  -1.250 J=  -2.500   dJ/db=  3.000 dJ/dc=  1.000
  ex  51: a= -1.0 b=  1.5 c=  3.0 -> u=   4.500 v=   3.500 J=   7.000   dJ/db=  6.000 dJ/dc=  3.000
  ex  52: a=  0.0 b=  2.5 c= -1.0 -> u=  -2.500 v=  -2.500 J=  -5.000   dJ/db= -2.000 dJ/dc=  5.000
  ex  53: a=  1.0 b=  3.5 c=  0.5 -> u=   1.750 v=   2.750 J=   5.500   dJ/db=  1.000 dJ/dc=  7.000
  ex  54: a=  2.0 b=  4.5 c=  2.0 -> u=   9.000 v=  11.000 J=  22.000   dJ/db=  4.000 dJ/dc=  9.000
  ex  55: a=  3.0 b=  0.5 c= -2.0 -> u=  -1.000 v=   2.000 J=   4.000   dJ/db= -4.000 dJ/dc=  1.000
  ex  56: a= -3.0 b=  1.5 c= -0.5 -> u=  -0.750 v=  -3.750 J=  -7.500   dJ/db= -1.000 dJ/dc=  3.000
  ex  57: a= -2.0 b=  2.5 c=  1.0 -> u=   2.500 v=   0.500 J=   1.000   dJ/db=  2.000 dJ/dc=  5.000
  ex  58: a= -1.0 b=  3.5 c=  2.5 -> u=   8.750 v=   7.750 J=  15.500   dJ/db=  5.000 dJ/dc=  7.000
  ex  59: a=  0.0 b=  4.5 c= -1.5 -> u=  -6.750 v=  -6.750 J= -13.500   dJ/db= -3.000 dJ/dc=  9.000
  ex  60: a=  1.0 b=  0.5 c=  0.0 -> u=   0.000 v=   1.000 J=   2.000   dJ/db=  0.000 dJ/dc=  1.000
  ex  61: a=  2.0 b=  1.5 c=  1.5 -> u=   2.250 v=   4.250 J=   8.500   dJ/db=  3.000 dJ/dc=  3.000
  ex  62: a=  3.0 b=  2.5 c=  3.0 -> u=   7.500 v=  10.500 J=  21.000   dJ/db=  6.000 dJ/dc=  5.000
  ex  63: a= -3.0 b=  3.5 c= -1.0 -> u=  -3.500 v=  -6.500 J= -13.000   dJ/db= -2.000 dJ/dc=  7.000
  ex  64: a= -2.0 b=  4.5 c=  0.5 -> u=   2.250 v=   0.250 J=   0.500   dJ/db=  1.000 dJ/dc=  9.000
  ex  65: a= -1.0 b=  0.5 c=  2.0 -> u=   1.000 v=   0.000 J=   0.000   dJ/db=  4.000 dJ/dc=  1.000
  ex  66: a=  0.0 b=  1.5 c= -2.0 -> u=  -3.000 v=  -3.000 J=  -6.000   dJ/db= -4.000 dJ/dc=  3.000
  ex  67: a=  1.0 b=  2.5 c= -0.5 -> u=  -1.250 v=  -0.250 J=  -0.500   dJ/db= -1.000 dJ/dc=  5.000
  ex  68: a=  2.0 b=  3.5 c=  1.0 -> u=   3.500 v=   5.500 J=  11.000   dJ/db=  2.000 dJ/dc=  7.000
  ex  69: a=  3.0 b=  4.5 c=  2.5 -> u=  11.250 v=  14.250 J=  28.500   dJ/db=  5.000 dJ/dc=  9.000
  ex  70: a= -3.0 b=  0.5 c= -1.5 -> u=  -0.750 v=  -3.750 J=  -7.500   dJ/db= -3.000 dJ/dc=  1.000
  ex  71: a= -2.0 b=  1.5 c=  0.0 -> u=   0.000 v=  -2.000 J=  -4.000   dJ/db=  0.000 dJ/dc=  3.000
  ex  72: a= -1.0 b=  2.5 c=  1.5 -> u=   3.750 v=   2.750 J=   5.500   dJ/db=  3.000 dJ/dc=  5.000
  ex  73: a=  0.0 b=  3.5 c=  3.0 -> u=  10.500 v=  10.500 J=  21.000   dJ/db=  6.000 dJ/dc=  7.000
  ex  74: a=  1.0 b=  4.5 c= -1.0 -> u=  -4.500 v=  -3.500 J=  -7.000   dJ/db= -2.000 dJ/dc=  9.000
  ex  75: a=  2.0 b=  0.5 c=  0.5 -> u=   0.250 v=   2.250 J=   4.500   dJ/db=  1.000 dJ/dc=  1.000
  ex  76: a=  3.0 b=  1.5 c=  2.0 -> u=   3.000 v=   6.000 J=  12.000   dJ/db=  4.000 dJ/dc=  3.000
  ex  77: a= -3.0 b=  2.5 c= -2.0 -> u=  -5.000 v=  -8.000 J= -16.000   dJ/db= -4.000 dJ/dc=  5.000
  ex  78: a= -2.0 b=  3.5 c= -0.5 -> u=  -1.750 v=  -3.750 J=  -7.500   dJ/db= -1.000 dJ/dc=  7.000
  ex  79: a= -1.0 b=  4.5 c=  1.0 -> u=   4.500 v=   3.500 J=   7.000   dJ/db=  2.000 dJ/dc=  9.000
  ex  80: a=  0.0 b=  0.5 c=  2.5 -> u=   1.250 v=   1.250 J=   2.500   dJ/db=  5.000 dJ/dc=  1.000
  ex  81: a=  1.0 b=  1.5 c= -1.5 -> u=  -2.250 v=  -1.250 J=  -2.500   dJ/db= -3.000 dJ/dc=  3.000
  ex  82: a=  2.0 b=  2.5 c=  0.0 -> u=   0.000 v=   2.000 J=   4.000   dJ/db=  0.000 dJ/dc=  5.000
  ex  83: a=  3.0 b=  3.5 c=  1.5 -> u=   5.250 v=   8.250 J=  16.500   dJ/db=  3.000 dJ/dc=  7.000
  ex  84: a= -3.0 b=  4.5 c=  3.0 -> u=  13.500 v=  10.500 J=  21.000   dJ/db=  6.000 dJ/dc=  9.000
  ex  85: a= -2.0 b=  0.5 c= -1.0 -> u=  -0.500 v=  -2.500 J=  -5.000   dJ/db= -2.000 dJ/dc=  1.000
  ex  86: a= -1.0 b=  1.5 c=  0.5 -> u=   0.750 v=  -0.250 J=  -0.500   dJ/db=  1.000 dJ/dc=  3.000
  ex  87: a=  0.0 b=  2.5 c=  2.0 -> u=   5.000 v=   5.000 J=  10.000   dJ/db=  4.000 dJ/dc=  5.000
  ex  88: a=  1.0 b=  3.5 c= -2.0 -> u=  -7.000 v=  -6.000 J= -12.000   dJ/db= -4.000 dJ/dc=  7.000
  ex  89: a=  2.0 b=  4.5 c= -0.5 -> u=  -2.250 v=  -0.250 J=  -0.500   dJ/db= -1.000 dJ/dc=  9.000
  ex  90: a=  3.0 b=  0.5 c=  1.0 -> u=   0.500 v=   3.500 J=   7.000   dJ/db=  2.000 dJ/dc=  1.000
  ex  91: a= -3.0 b=  1.5 c=  2.5 -> u=   3.750 v=   0.750 J=   1.500   dJ/db=  5.000 dJ/dc=  3.000
  ex  92: a= -2.0 b=  2.5 c= -1.5 -> u=  -3.750 v=  -5.750 J= -11.500   dJ/db= -3.000 dJ/dc=  5.000
  ex  93: a= -1.0 b=  3.5 c=  0.0 -> u=   0.000 v=  -1.000 J=  -2.000   dJ/db=  0.000 dJ/dc=  7.000
  ex  94: a=  0.0 b=  4.5 c=  1.5 -> u=   6.750 v=   6.750 J=  13.500   dJ/db=  3.000 dJ/dc=  9.000
  ex  95: a=  1.0 b=  0.5 c=  3.0 -> u=   1.500 v=   2.500 J=   5.000   dJ/db=  6.000 dJ/dc=  1.000
  ex  96: a=  2.0 b=  1.5 c= -1.0 -> u=  -1.500 v=   0.500 J=   1.000   dJ/db= -2.000 dJ/dc=  3.000
  ex  97: a=  3.0 b=  2.5 c=  0.5 -> u=   1.250 v=   4.250 J=   8.500   dJ/db=  1.000 dJ/dc=  5.000
  ex  98: a= -3.0 b=  3.5 c=  2.0 -> u=   7.000 v=   4.000 J=   8.000   dJ/db=  4.000 dJ/dc=  7.000
  ex  99: a= -2.0 b=  4.5 c= -2.0 -> u=  -9.000 v= -11.000 J= -22.000   dJ/db= -4.000 dJ/dc=  9.000
  ex 100: a= -1.0 b=  0.5 c= -0.5 -> u=  -0.250 v=  -1.250 J=  -2.500   dJ/db= -1.000 dJ/dc=  1.000
  ex 101: a=  0.0 b=  1.5 c=  1.0 -> u=   1.500 v=   1.500 J=   3.000   dJ/db=  2.000 dJ/dc=  3.000
  ex 102: a=  1.0 b=  2.5 c=  2.5 -> u=   6.250 v=   7.250 J=  14.500   dJ/db=  5.000 dJ/dc=  5.000
  ex 103: a=  2.0 b=  3.5 c= -1.5 -> u=  -5.250 v=  -3.250 J=  -6.500   dJ/db= -3.000 dJ/dc=  7.000
  ex 104: a=  3.0 b=  4.5 c=  0.0 -> u=   0.000 v=   3.000 J=   6.000   dJ/db=  0.000 dJ/dc=  9.000
  ex 105: a= -3.0 b=  0.5 c=  1.5 -> u=   0.750 v=  -2.250 J=  -4.500   dJ/db=  3.000 dJ/dc=  1.000
  ex 106: a= -2.0 b=  1.5 c=  3.0 -> u=   4.500 v=   2.500 J=   5.000   dJ/db=  6.000 dJ/dc=  3.000
  ex 107: a= -1.0 b=  2.5 c= -1.0 -> u=  -2.500 v=  -3.500 J=  -7.000   dJ/db= -2.000 dJ/dc=  5.000
  ex 108: a=  0.0 b=  3.5 c=  0.5 -> u=   1.750 v=   1.750 J=   3.500   dJ/db=  1.000 dJ/dc=  7.000
  ex 109: a=  1.0 b=  4.5 c=  2.0 -> u=   9.000 v=  10.000 J=  20.000   dJ/db=  4.000 dJ/dc=  9.000
  ex 110: a=  2.0 b=  0.5 c= -2.0 -> u=  -1.000 v=   1.000 J=   2.000   dJ/db= -4.000 dJ/dc=  1.000
  ex 111: a=  3.0 b=  1.5 c= -0.5 -> u=  -0.750 v=   2.250 J=   4.500   dJ/db= -1.000 dJ/dc=  3.000
  ex 112: a= -3.0 b=  2.5 c=  1.0 -> u=   2.500 v=  -0.500 J=  -1.000   dJ/db=  2.000 dJ/dc=  5.000
  ex 113: a= -2.0 b=  3.5 c=  2.5 -> u=   8.750 v=   6.750 J=  13.500   dJ/db=  5.000 dJ/dc=  7.000
  ex 114: a= -1.0 b=  4.5 c= -1.5 -> u=  -6.750 v=  -7.750 J= -15.500   dJ/db= -3.000 dJ/dc=  9.000
  ex 115: a=  0.0 b=  0.5 c=  0.0 -> u=   0.000 v=   0.000 J=   0.000   dJ/db=  0.000 dJ/dc=  1.000
  ex 116: a=  1.0 b=  1.5 c=  1.5 -> u=   2.250 v=   3.250 J=   6.500   dJ/db=  3.000 dJ/dc=  3.000
  ex 117: a=  2.0 b=  2.5 c=  3.0 -> u=   7.500 v=   9.500 J=  19.000   dJ/db=  6.000 dJ/dc=  5.000
  ex 118: a=  3.0 b=  3.5 c= -1.0 -> u=  -3.500 v=  -0.500 J=  -1.000   dJ/db= -2.000 dJ/dc=  7.000
  ex 119: a= -3.0 b=  4.5 c=  0.5 -> u=   2.250 v=  -0.750 J=  -1.500   dJ/db=  1.000 dJ/dc=  9.000
  ex 120: a= -2.0 b=  0.5 c=  2.0 -> u=   1.000 v=  -1.000 J=  -2.000   dJ/db=  4.000 dJ/dc=  1.000
  ex 121: a= -1.0 b=  1.5 c= -2.0 -> u=  -3.000 v=  -4.000 J=  -8.000   dJ/db= -4.000 dJ/dc=  3.000
  ex 122: a=  0.0 b=  2.5 c= -0.5 -> u=  -1.250 v=  -1.250 J=  -2.500   dJ/db= -1.000 dJ/dc=  5.000
  ex 123: a=  1.0 b=  3.5 c=  1.0 -> u=   3.500 v=   4.500 J=   9.000   dJ/db=  2.000 dJ/dc=  7.000
  ex 124: a=  2.0 b=  4.5 c=  2.5 -> u=  11.250 v=  13.250 J=  26.500   dJ/db=  5.000 dJ/dc=  9.000
  ex 125: a=  3.0 b=  0.5 c= -1.5 -> u=  -0.750 v=   2.250 J=   4.500   dJ/db= -3.000 dJ/dc=  1.000
  ex 126: a= -3.0 b=  1.5 c=  0.0 -> u=   0.000 v=  -3.000 J=  -6.000   dJ/db=  0.000 dJ/dc=  3.000
  ex 127: a= -2.0 b=  2.5 c=  1.5 -> u=   3.750 v=   1.750 J=   3.500   dJ/db=  3.000 dJ/dc=  5.000
  ex 128: a= -1.0 b=  3.5 c=  3.0 -> u=  10.500 v=   9.500 J=  19.000   dJ/db=  6.000 dJ/dc=  7.000
  ex 129: a=  0.0 b=  4.5 c= -1.0 -> u=  -4.500 v=  -4.500 J=  -9.000   dJ/db= -2.000 dJ/dc=  9.000
  ex 130: a=  1.0 b=  0.5 c=  0.5 -> u=   0.250 v=   1.250 J=   2.500   dJ/db=  1.000 dJ/dc=  1.000
  ex 131: a=  2.0 b=  1.5 c=  2.0 -> u=   3.000 v=   5.000 J=  10.000   dJ/db=  4.000 dJ/dc=  3.000
  ex 132: a=  3.0 b=  2.5 c= -2.0 -> u=  -5.000 v=  -2.000 J=  -4.000   dJ/db= -4.000 dJ/dc=  5.000
  ex 133: a= -3.0 b=  3.5 c= -0.5 -> u=  -1.750 v=  -4.750 J=  -9.500   dJ/db= -1.000 dJ/dc=  7.000
  ex 134: a= -2.0 b=  4.5 c=  1.0 -> u=   4.500 v=   2.500 J=   5.000   dJ/db=  2.000 dJ/dc=  9.000
  ex 135: a= -1.0 b=  0.5 c=  2.5 -> u=   1.250 v=   0.250 J=   0.500   dJ/db=  5.000 dJ/dc=  1.000
  ex 136: a=  0.0 b=  1.5 c= -1.5 -> u=  -2.250 v=  -2.250 J=  -4.500   dJ/db= -3.000 dJ/dc=  3.000
  ex 137: a=  1.0 b=  2.5 c=  0.0 -> u=   0.000 v=   1.000 J=   2.000   dJ/db=  0.000 dJ/dc=  5.000
  ex 138: a=  2.0 b=  3.5 c=  1.5 -> u=   5.250 v=   7.250 J=  14.500   dJ/db=  3.000 dJ/dc=  7.000
  ex 139: a=  3.0 b=  4.5 c=  3.0 -> u=  13.500 v=  16.500 J=  33.000   dJ/db=  6.000 dJ/dc=  9.000
  ex 140: a= -3.0 b=  0.5 c= -1.0 -> u=  -0.500 v=  -3.500 J=  -7.000   dJ/db= -2.000 dJ/dc=  1.000
  ex 141: a= -2.0 b=  1.5 c=  0.5 -> u=   0.750 v=  -1.250 J=  -2.500   dJ/db=  1.000 dJ/dc=  3.000
  ex 142: a= -1.0 b=  2.5 c=  2.0 -> u=   5.000 v=   4.000 J=   8.000   dJ/db=  4.000 dJ/dc=  5.000
  ex 143: a=  0.0 b=  3.5 c= -2.0 -> u=  -7.000 v=  -7.000 J= -14.000   dJ/db= -4.000 dJ/dc=  7.000
  ex 144: a=  1.0 b=  4.5 c= -0.5 -> u=  -2.250 v=  -1.250 J=  -2.500   dJ/db= -1.000 dJ/dc=  9.000
  ex 145: a=  2.0 b=  0.5 c=  1.0 -> u=   0.500 v=   2.500 J=   5.000   dJ/db=  2.000 dJ/dc=  1.000
  ex 146: a=  3.0 b=  1.5 c=  2.5 -> u=   3.750 v=   6.750 J=  13.500   dJ/db=  5.000 dJ/dc=  3.000
  ex 147: a= -3.0 b=  2.5 c= -1.5 -> u=  -3.750 v=  -6.750 J= -13.500   dJ/db= -3.000 dJ/dc=  5.000
  ex 148: a= -2.0 b=  3.5 c=  0.0 -> u=   0.000 v=  -2.000 J=  -4.000   dJ/db=  0.000 dJ/dc=  7.000
  ex 149: a= -1.0 b=  4.5 c=  1.5 -> u=   6.750 v=   5.750 J=  11.500   dJ/db=  3.000 dJ/dc=  9.000
  ex 150: a=  0.0 b=  0.5 c=  3.0 -> u=   1.500 v=   1.500 J=   3.000   dJ/db=  6.000 dJ/dc=  1.000
  ex 151: a=  1.0 b=  1.5 c= -1.0 -> u=  -1.500 v=  -0.500 J=  -1.000   dJ/db= -2.000 dJ/dc=  3.000
  ex 152: a=  2.0 b=  2.5 c=  0.5 -> u=   1.250 v=   3.250 J=   6.500   dJ/db=  1.000 dJ/dc=  5.000
  ex 153: a=  3.0 b=  3.5 c=  2.0 -> u=   7.000 v=  10.000 J=  20.000   dJ/db=  4.000 dJ/dc=  7.000
  ex 154: a= -3.0 b=  4.5 c= -2.0 -> u=  -9.000 v= -12.000 J= -24.000   dJ/db= -4.000 dJ/dc=  9.000
  ex 155: a= -2.0 b=  0.5 c= -0.5 -> u=  -0.250 v=  -2.250 J=  -4.500   dJ/db= -1.000 dJ/dc=  1.000
  ex 156: a= -1.0 b=  1.5 c=  1.0 -> u=   1.500 v=   0.500 J=   1.000   dJ/db=  2.000 dJ/dc=  3.000
  ex 157: a=  0.0 b=  2.5 c=  2.5 -> u=   6.250 v=   6.250 J=  12.500   dJ/db=  5.000 dJ/dc=  5.000
  ex 158: a=  1.0 b=  3.5 c= -1.5 -> u=  -5.250 v=  -4.250 J=  -8.500   dJ/db= -3.000 dJ/dc=  7.000
  ex 159: a=  2.0 b=  4.5 c=  0.0 -> u=   0.000 v=   2.000 J=   4.000   dJ/db=  0.000 dJ/dc=  9.000
  ex 160: a=  3.0 b=  0.5 c=  1.5 -> u=   0.750 v=   3.750 J=   7.500   dJ/db=  3.000 dJ/dc=  1.000
  ex 161: a= -3.0 b=  1.5 c=  3.0 -> u=   4.500 v=   1.500 J=   3.000   dJ/db=  6.000 dJ/dc=  3.000
  ex 162: a= -2.0 b=  2.5 c= -1.0 -> u=  -2.500 v=  -4.500 J=  -9.000   dJ/db= -2.000 dJ/dc=  5.000
  ex 163: a= -1.0 b=  3.5 c=  0.5 -> u=   1.750 v=   0.750 J=   1.500   dJ/db=  1.000 dJ/dc=  7.000
  ex 164: a=  0.0 b=  4.5 c=  2.0 -> u=   9.000 v=   9.000 J=  18.000   dJ/db=  4.000 dJ/dc=  9.000
  ex 165: a=  1.0 b=  0.5 c= -2.0 -> u=  -1.000 v=   0.000 J=   0.000   dJ/db= -4.000 dJ/dc=  1.000
  ex 166: a=  2.0 b=  1.5 c= -0.5 -> u=  -0.750 v=   1.250 J=   2.500   dJ/db= -1.000 dJ/dc=  3.000
  ex 167: a=  3.0 b=  2.5 c=  1.0 -> u=   2.500 v=   5.500 J=  11.000   dJ/db=  2.000 dJ/dc=  5.000
  ex 168: a= -3.0 b=  3.5 c=  2.5 -> u=   8.750 v=   5.750 J=  11.500   dJ/db=  5.000 dJ/dc=  7.000
  ex 169: a= -2.0 b=  4.5 c= -1.5 -> u=  -6.750 v=  -8.750 J= -17.500   dJ/db= -3.000 dJ/dc=  9.000
  ex 170: a= -1.0 b=  0.5 c=  0.0 -> u=   0.000 v=  -1.000 J=  -2.000   dJ/db=  0.000 dJ/dc=  1.000
  ex 171: a=  0.0 b=  1.5 c=  1.5 -> u=   2.250 v=   2.250 J=   4.500   dJ/db=  3.000 dJ/dc=  3.000
  ex 172: a=  1.0 b=  2.5 c=  3.0 -> u=   7.500 v=   8.500 J=  17.000   dJ/db=  6.000 dJ/dc=  5.000
  ex 173: a=  2.0 b=  3.5 c= -1.0 -> u=  -3.500 v=  -1.500 J=  -3.000   dJ/db= -2.000 dJ/dc=  7.000
  ex 174: a=  3.0 b=  4.5 c=  0.5 -> u=   2.250 v=   5.250 J=  10.500   dJ/db=  1.000 dJ/dc=  9.000
  ex 175: a= -3.0 b=  0.5 c=  2.0 -> u=   1.000 v=  -2.000 J=  -4.000   dJ/db=  4.000 dJ/dc=  1.000
  ex 176: a= -2.0 b=  1.5 c= -2.0 -> u=  -3.000 v=  -5.000 J= -10.000   dJ/db= -4.000 dJ/dc=  3.000
  ex 177: a= -1.0 b=  2.5 c= -0.5 -> u=  -1.250 v=  -2.250 J=  -4.500   dJ/db= -1.000 dJ/dc=  5.000
  ex 178: a=  0.0 b=  3.5 c=  1.0 -> u=   3.500 v=   3.500 J=   7.000   dJ/db=  2.000 dJ/dc=  7.000
  ex 179: a=  1.0 b=  4.5 c=  2.5 -> u=  11.250 v=  12.250 J=  24.500   dJ/db=  5.000 dJ/dc=  9.000
  ex 180: a=  2.0 b=  0.5 c= -1.5 -> u=  -0.750 v=   1.250 J=   2.500   dJ/db= -3.000 dJ/dc=  1.000
  ex 181: a=  3.0 b=  1.5 c=  0.0 -> u=   0.000 v=   3.000 J=   6.000   dJ/db=  0.000 dJ/dc=  3.000
  ex 182: a= -3.0 b=  2.5 c=  1.5 -> u=   3.750 v=   0.750 J=   1.500   dJ/db=  3.000 dJ/dc=  5.000
  ex 183: a= -2.0 b=  3.5 c=  3.0 -> u=  10.500 v=   8.500 J=  17.000   dJ/db=  6.000 dJ/dc=  7.000
  ex 184: a= -1.0 b=  4.5 c= -1.0 -> u=  -4.500 v=  -5.500 J= -11.000   dJ/db= -2.000 dJ/dc=  9.000
  ex 185: a=  0.0 b=  0.5 c=  0.5 -> u=   0.250 v=   0.250 J=   0.500   dJ/db=  1.000 dJ/dc=  1.000
  ex 186: a=  1.0 b=  1.5 c=  2.0 -> u=   3.000 v=   4.000 J=   8.000   dJ/db=  4.000 dJ/dc=  3.000
  ex 187: a=  2.0 b=  2.5 c= -2.0 -> u=  -5.000 v=  -3.000 J=  -6.000   dJ/db= -4.000 dJ/dc=  5.000
  ex 188: a=  3.0 b=  3.5 c= -0.5 -> u=  -1.750 v=   1.250 J=   2.500   dJ/db= -1.000 dJ/dc=  7.000
  ex 189: a= -3.0 b=  4.5 c=  1.0 -> u=   4.500 v=   1.500 J=   3.000   dJ/db=  2.000 dJ/dc=  9.000
  ex 190: a= -2.0 b=  0.5 c=  2.5 -> u=   1.250 v=  -0.750 J=  -1.500   dJ/db=  5.000 dJ/dc=  1.000
  ex 191: a= -1.0 b=  1.5 c= -1.5 -> u=  -2.250 v=  -3.250 J=  -6.500   dJ/db= -3.000 dJ/dc=  3.000
  ex 192: a=  0.0 b=  2.5 c=  0.0 -> u=   0.000 v=   0.000 J=   0.000   dJ/db=  0.000 dJ/dc=  5.000
  ex 193: a=  1.0 b=  3.5 c=  1.5 -> u=   5.250 v=   6.250 J=  12.500   dJ/db=  3.000 dJ/dc=  7.000
  ex 194: a=  2.0 b=  4.5 c=  3.0 -> u=  13.500 v=  15.500 J=  31.000   dJ/db=  6.000 dJ/dc=  9.000
  ex 195: a=  3.0 b=  0.5 c= -1.0 -> u=  -0.500 v=   2.500 J=   5.000   dJ/db= -2.000 dJ/dc=  1.000
  ex 196: a= -3.0 b=  1.5 c=  0.5 -> u=   0.750 v=  -2.250 J=  -4.500   dJ/db=  1.000 dJ/dc=  3.000
  ex 197: a= -2.0 b=  2.5 c=  2.0 -> u=   5.000 v=   3.000 J=   6.000   dJ/db=  4.000 dJ/dc=  5.000
  ex 198: a= -1.0 b=  3.5 c= -2.0 -> u=  -7.000 v=  -8.000 J= -16.000   dJ/db= -4.000 dJ/dc=  7.000
  ex 199: a=  0.0 b=  4.5 c= -0.5 -> u=  -2.250 v=  -2.250 J=  -4.500   dJ/db= -1.000 dJ/dc=  9.000
  ex 200: a=  1.0 b=  0.5 c=  1.0 -> u=   0.500 v=   1.500 J=   3.000   dJ/db=  2.000 dJ/dc=  1.000
  ex 201: a=  2.0 b=  1.5 c=  2.5 -> u=   3.750 v=   5.750 J=  11.500   dJ/db=  5.000 dJ/dc=  3.000
  ex 202: a=  3.0 b=  2.5 c= -1.5 -> u=  -3.750 v=  -0.750 J=  -1.500   dJ/db= -3.000 dJ/dc=  5.000
  ex 203: a= -3.0 b=  3.5 c=  0.0 -> u=   0.000 v=  -3.000 J=  -6.000   dJ/db=  0.000 dJ/dc=  7.000
  ex 204: a= -2.0 b=  4.5 c=  1.5 -> u=   6.750 v=   4.750 J=   9.500   dJ/db=  3.000 dJ/dc=  9.000
  ex 205: a= -1.0 b=  0.5 c=  3.0 -> u=   1.500 v=   0.500 J=   1.000   dJ/db=  6.000 dJ/dc=  1.000
  ex 206: a=  0.0 b=  1.5 c= -1.0 -> u=  -1.500 v=  -1.500 J=  -3.000   dJ/db= -2.000 dJ/dc=  3.000
  ex 207: a=  1.0 b=  2.5 c=  0.5 -> u=   1.250 v=   2.250 J=   4.500   dJ/db=  1.000 dJ/dc=  5.000
  ex 208: a=  2.0 b=  3.5 c=  2.0 -> u=   7.000 v=   9.000 J=  18.000   dJ/db=  4.000 dJ/dc=  7.000
  ex 209: a=  3.0 b=  4.5 c= -2.0 -> u=  -9.000 v=  -6.000 J= -12.000   dJ/db= -4.000 dJ/dc=  9.000
  ex 210: a= -3.0 b=  0.5 c= -0.5 -> u=  -0.250 v=  -3.250 J=  -6.500   dJ/db= -1.000 dJ/dc=  1.000
  ex 211: a= -2.0 b=  1.5 c=  1.0 -> u=   1.500 v=  -0.500 J=  -1.000   dJ/db=  2.000 dJ/dc=  3.000
  ex 212: a= -1.0 b=  2.5 c=  2.5 -> u=   6.250 v=   5.250 J=  10.500   dJ/db=  5.000 dJ/dc=  5.000
  ex 213: a=  0.0 b=  3.5 c= -1.5 -> u=  -5.250 v=  -5.250 J= -10.500   dJ/db= -3.000 dJ/dc=  7.000
  ex 214: a=  1.0 b=  4.5 c=  0.0 -> u=   0.000 v=   1.000 J=   2.000   dJ/db=  0.000 dJ/dc=  9.000
  ex 215: a=  2.0 b=  0.5 c=  1.5 -> u=   0.750 v=   2.750 J=   5.500   dJ/db=  3.000 dJ/dc=  1.000
  ex 216: a=  3.0 b=  1.5 c=  3.0 -> u=   4.500 v=   7.500 J=  15.000   dJ/db=  6.000 dJ/dc=  3.000
  ex 217: a= -3.0 b=  2.5 c= -1.0 -> u=  -2.500 v=  -5.500 J= -11.000   dJ/db= -2.000 dJ/dc=  5.000
  ex 218: a= -2.0 b=  3.5 c=  0.5 -> u=   1.750 v=  -0.250 J=  -0.500   dJ/db=  1.000 dJ/dc=  7.000
  ex 219: a= -1.0 b=  4.5 c=  2.0 -> u=   9.000 v=   8.000 J=  16.000   dJ/db=  4.000 dJ/dc=  9.000
  ex 220: a=  0.0 b=  0.5 c= -2.0 -> u=  -1.000 v=  -1.000 J=  -2.000   dJ/db= -4.000 dJ/dc=  1.000
  ex 221: a=  1.0 b=  1.5 c= -0.5 -> u=  -0.750 v=   0.250 J=   0.500   dJ/db= -1.000 dJ/dc=  3.000
  ex 222: a=  2.0 b=  2.5 c=  1.0 -> u=   2.500 v=   4.500 J=   9.000   dJ/db=  2.000 dJ/dc=  5.000
  ex 223: a=  3.0 b=  3.5 c=  2.5 -> u=   8.750 v=  11.750 J=  23.500   dJ/db=  5.000 dJ/dc=  7.000
  ex 224: a= -3.0 b=  4.5 c= -1.5 -> u=  -6.750 v=  -9.750 J= -19.500   dJ/db= -3.000 dJ/dc=  9.000
  ex 225: a= -2.0 b=  0.5 c=  0.0 -> u=   0.000 v=  -2.000 J=  -4.000   dJ/db=  0.000 dJ/dc=  1.000
  ex 226: a= -1.0 b=  1.5 c=  1.5 -> u=   2.250 v=   1.250 J=   2.500   dJ/db=  3.000 dJ/dc=  3.000
  ex 227: a=  0.0 b=  2.5 c=  3.0 -> u=   7.500 v=   7.500 J=  15.000   dJ/db=  6.000 dJ/dc=  5.000
  ex 228: a=  1.0 b=  3.5 c= -1.0 -> u=  -3.500 v=  -2.500 J=  -5.000   dJ/db= -2.000 dJ/dc=  7.000
  ex 229: a=  2.0 b=  4.5 c=  0.5 -> u=   2.250 v=   4.250 J=   8.500   dJ/db=  1.000 dJ/dc=  9.000
  ex 230: a=  3.0 b=  0.5 c=  2.0 -> u=   1.000 v=   4.000 J=   8.000   dJ/db=  4.000 dJ/dc=  1.000
  ex 231: a= -3.0 b=  1.5 c= -2.0 -> u=  -3.000 v=  -6.000 J= -12.000   dJ/db= -4.000 dJ/dc=  3.000
  ex 232: a= -2.0 b=  2.5 c= -0.5 -> u=  -1.250 v=  -3.250 J=  -6.500   dJ/db= -1.000 dJ/dc=  5.000
  ex 233: a= -1.0 b=  3.5 c=  1.0 -> u=   3.500 v=   2.500 J=   5.000   dJ/db=  2.000 dJ/dc=  7.000
  ex 234: a=  0.0 b=  4.5 c=  2.5 -> u=  11.250 v=  11.250 J=  22.500   dJ/db=  5.000 dJ/dc=  9.000
  ex 235: a=  1.0 b=  0.5 c= -1.5 -> u=  -0.750 v=   0.250 J=   0.500   dJ/db= -3.000 dJ/dc=  1.000
  ex 236: a=  2.0 b=  1.5 c=  0.0 -> u=   0.000 v=   2.000 J=   4.000   dJ/db=  0.000 dJ/dc=  3.000
  ex 237: a=  3.0 b=  2.5 c=  1.5 -> u=   3.750 v=   6.750 J=  13.500   dJ/db=  3.000 dJ/dc=  5.000
  ex 238: a= -3.0 b=  3.5 c=  3.0 -> u=  10.500 v=   7.500 J=  15.000   dJ/db=  6.000 dJ/dc=  7.000
  ex 239: a= -2.0 b=  4.5 c= -1.0 -> u=  -4.500 v=  -6.500 J= -13.000   dJ/db= -2.000 dJ/dc=  9.000
  ex 240: a= -1.0 b=  0.5 c=  0.5 -> u=   0.250 v=  -0.750 J=  -1.500   dJ/db=  1.000 dJ/dc=  1.000
  ex 241: a=  0.0 b=  1.5 c=  2.0 -> u=   3.000 v=   3.000 J=   6.000   dJ/db=  4.000 dJ/dc=  3.000
  ex 242: a=  1.0 b=  2.5 c= -2.0 -> u=  -5.000 v=  -4.000 J=  -8.000   dJ/db= -4.000 dJ/dc=  5.000
  ex 243: a=  2.0 b=  3.5 c= -0.5 -> u=  -1.750 v=   0.250 J=   0.500   dJ/db= -1.000 dJ/dc=  7.000
  ex 244: a=  3.0 b=  4.5 c=  1.0 -> u=   4.500 v=   7.500 J=  15.000   dJ/db=  2.000 dJ/dc=  9.000
  ex 245: a= -3.0 b=  0.5 c=  2.5 -> u=   1.250 v=  -1.750 J=  -3.500   dJ/db=  5.000 dJ/dc=  1.000
  ex 246: a= -2.0 b=  1.5 c= -1.5 -> u=  -2.250 v=  -4.250 J=  -8.500   dJ/db= -3.000 dJ/dc=  3.000
  ex 247: a= -1.0 b=  2.5 c=  0.0 -> u=   0.000 v=  -1.000 J=  -2.000   dJ/db=  0.000 dJ/dc=  5.000
  ex 248: a=  0.0 b=  3.5 c=  1.5 -> u=   5.250 v=   5.250 J=  10.500   dJ/db=  3.000 dJ/dc=  7.000
  ex 249: a=  1.0 b=  4.5 c=  3.0 -> u=  13.500 v=  14.500 J=  29.000   dJ/db=  6.000 dJ/dc=  9.000
  ex 250: a=  2.0 b=  0.5 c= -1.0 -> u=  -0.500 v=   1.500 J=   3.000   dJ/db= -2.000 dJ/dc=  1.000
  ex 251: a=  3.0 b=  1.5 c=  0.5 -> u=   0.750 v=   3.750 J=   7.500   dJ/db=  1.000 dJ/dc=  3.000
  ex 252: a= -3.0 b=  2.5 c=  2.0 -> u=   5.000 v=   2.000 J=   4.000   dJ/db=  4.000 dJ/dc=  5.000
  ex 253: a= -2.0 b=  3.5 c= -2.0 -> u=  -7.000 v=  -9.000 J= -18.000   dJ/db= -4.000 dJ/dc=  7.000
  ex 254: a= -1.0 b=  4.5 c= -0.5 -> u=  -2.250 v=  -3.250 J=  -6.500   dJ/db= -1.000 dJ/dc=  9.000
  ex 255: a=  0.0 b=  0.5 c=  1.0 -> u=   0.500 v=   0.500 J=   1.000   dJ/db=  2.000 dJ/dc=  1.000
  ex 256: a=  1.0 b=  1.5 c=  2.5 -> u=   3.750 v=   4.750 J=   9.500   dJ/db=  5.000 dJ/dc=  3.000
  ex 257: a=  2.0 b=  2.5 c= -1.5 -> u=  -3.750 v=  -1.750 J=  -3.500   dJ/db= -3.000 dJ/dc=  5.000
  ex 258: a=  3.0 b=  3.5 c=  0.0 -> u=   0.000 v=   3.000 J=   6.000   dJ/db=  0.000 dJ/dc=  7.000
  ex 259: a= -3.0 b=  4.5 c=  1.5 -> u=   6.750 v=   3.750 J=   7.500   dJ/db=  3.000 dJ/dc=  9.000

Sigmoid table (z, sigma(z), sigma'(z) = sigma(z)(1 - sigma(z)))
  z= -6.000  sigma=0.002473  dsigma=0.002467
  z= -5.907  sigma=0.002713  dsigma=0.002706
  z= -5.814  sigma=0.002977  dsigma=0.002968
  z= -5.721  sigma=0.003266  dsigma=0.003255
  z= -5.628  sigma=0.003583  dsigma=0.003570
  z= -5.535  sigma=0.003931  dsigma=0.003916
  z= -5.442  sigma=0.004313  dsigma=0.004294
  z= -5.349  sigma=0.004731  dsigma=0.004709
  z= -5.256  sigma=0.005190  dsigma=0.005163
  z= -5.163  sigma=0.005693  dsigma=0.005661
  z= -5.070  sigma=0.006245  dsigma=0.006206
  z= -4.977  sigma=0.006849  dsigma=0.006802
  z= -4.884  sigma=0.007512  dsigma=0.007456
  z= -4.791  sigma=0.008238  dsigma=0.008170
  z= -4.698  sigma=0.009034  dsigma=0.008952
  z= -4.605  sigma=0.009906  dsigma=0.009808
  z= -4.512  sigma=0.010861  dsigma=0.010743
  z= -4.419  sigma=0.011908  dsigma=0.011766
  z= -4.326  sigma=0.013053  dsigma=0.012883
  z= -4.233  sigma=0.014308  dsigma=0.014103
  z= -4.140  sigma=0.015680  dsigma=0.015435
  z= -4.047  sigma=0.017183  dsigma=0.016888
  z= -3.953  sigma=0.018826  dsigma=0.018472
  z= -3.860  sigma=0.020624  dsigma=0.020199
  z= -3.767  sigma=0.022589  dsigma=0.022079
  z= -3.674  sigma=0.024737  dsigma=0.024125
  z= -3.581  sigma=0.027083  dsigma=0.026349
  z= -3.488  sigma=0.029645  dsigma=0.028766
  z= -3.395  sigma=0.032441  dsigma=0.031389
  z= -3.302  sigma=0.035491  dsigma=0.034232
  z= -3.209  sigma=0.038817  dsigma=0.037310
  z= -3.116  sigma=0.042441  dsigma=0.040640
  z= -3.023  sigma=0.046386  dsigma=0.044235
  z= -2.930  sigma=0.050679  dsigma=0.048111
  z= -2.837  sigma=0.055346  dsigma=0.052283
  z= -2.744  sigma=0.060416  dsigma=0.056766
  z= -2.651  sigma=0.065917  dsigma=0.061572
  z= -2.558  sigma=0.071882  dsigma=0.066715
  z= -2.465  sigma=0.078340  dsigma=0.072203
  z= -2.372  sigma=0.085326  dsigma=0.078045
  z= -2.279  sigma=0.092871  dsigma=0.084246
  z= -2.186  sigma=0.101011  dsigma=0.090807
  z= -2.093  sigma=0.109777  dsigma=0.097726
  z= -2.000  sigma=0.119203  dsigma=0.104994
  z= -1.907  sigma=0.129321  dsigma=0.112597
  z= -1.814  sigma=0.140161  dsigma=0.120516
  z= -1.721  sigma=0.151751  dsigma=0.128723
  z= -1.628  sigma=0.164117  dsigma=0.137183
  z= -1.535  sigma=0.177280  dsigma=0.145852
  z= -1.442  sigma=0.191257  dsigma=0.154678
  z= -1.349  sigma=0.206061  dsigma=0.163600
  z= -1.256  sigma=0.221695  dsigma=0.172547
  z= -1.163  sigma=0.238161  dsigma=0.181440
  z= -1.070  sigma=0.255447  dsigma=0.190194
  z= -0.977  sigma=0.273538  dsigma=0.198715
  z= -0.884  sigma=0.292407  dsigma=0.206905
  z= -0.791  sigma=0.312019  dsigma=0.214663
  z= -0.698  sigma=0.332328  dsigma=0.221886
  z= -0.605  sigma=0.353280  dsigma=0.228473
  z= -0.512  sigma=0.374812  dsigma=0.234328
  z= -0.419  sigma=0.396851  dsigma=0.239360
  z= -0.326  sigma=0.419316  dsigma=0.243490
  z= -0.233  sigma=0.442121  dsigma=0.246650
  z= -0.140  sigma=0.465173  dsigma=0.248787
  z= -0.047  sigma=0.488374  dsigma=0.249865
  z=  0.047  sigma=0.511626  dsigma=0.249865
  z=  0.140  sigma=0.534827  dsigma=0.248787
  z=  0.233  sigma=0.557879  dsigma=0.246650
  z=  0.326  sigma=0.580684  dsigma=0.243490
  z=  0.419  sigma=0.603149  dsigma=0.239360
  z=  0.512  sigma=0.625188  dsigma=0.234328
  z=  0.605  sigma=0.646720  dsigma=0.228473
  z=  0.698  sigma=0.667672  dsigma=0.221886
  z=  0.791  sigma=0.687981  dsigma=0.214663
  z=  0.884  sigma=0.707593  dsigma=0.206905
  z=  0.977  sigma=0.726462  dsigma=0.198715
  z=  1.070  sigma=0.744553  dsigma=0.190194
  z=  1.163  sigma=0.761839  dsigma=0.181440
  z=  1.256  sigma=0.778305  dsigma=0.172547
  z=  1.349  sigma=0.793939  dsigma=0.163600
  z=  1.442  sigma=0.808743  dsigma=0.154678
  z=  1.535  sigma=0.822720  dsigma=0.145852
  z=  1.628  sigma=0.835883  dsigma=0.137183
  z=  1.721  sigma=0.848249  dsigma=0.128723
  z=  1.814  sigma=0.859839  dsigma=0.120516
  z=  1.907  sigma=0.870679  dsigma=0.112597
  z=  2.000  sigma=0.880797  dsigma=0.104994
  z=  2.093  sigma=0.890223  dsigma=0.097726
  z=  2.186  sigma=0.898989  dsigma=0.090807
  z=  2.279  sigma=0.907129  dsigma=0.084246
  z=  2.372  sigma=0.914674  dsigma=0.078045
  z=  2.465  sigma=0.921660  dsigma=0.072203
  z=  2.558  sigma=0.928118  dsigma=0.066715
  z=  2.651  sigma=0.934083  dsigma=0.061572
  z=  2.744  sigma=0.939584  dsigma=0.056766
  z=  2.837  sigma=0.944654  dsigma=0.052283
  z=  2.930  sigma=0.949321  dsigma=0.048111
  z=  3.023  sigma=0.953614  dsigma=0.044235
  z=  3.116  sigma=0.957559  dsigma=0.040640
  z=  3.209  sigma=0.961183  dsigma=0.037310
  z=  3.302  sigma=0.964509  dsigma=0.034232
  z=  3.395  sigma=0.967559  dsigma=0.031389
  z=  3.488  sigma=0.970355  dsigma=0.028766
  z=  3.581  sigma=0.972917  dsigma=0.026349
  z=  3.674  sigma=0.975263  dsigma=0.024125
  z=  3.767  sigma=0.977411  dsigma=0.022079
  z=  3.860  sigma=0.979376  dsigma=0.020199
  z=  3.953  sigma=0.981174  dsigma=0.018472
  z=  4.047  sigma=0.982817  dsigma=0.016888
  z=  4.140  sigma=0.984320  dsigma=0.015435
  z=  4.233  sigma=0.985692  dsigma=0.014103
  z=  4.326  sigma=0.986947  dsigma=0.012883
  z=  4.419  sigma=0.988092  dsigma=0.011766
  z=  4.512  sigma=0.989139  dsigma=0.010743
  z=  4.605  sigma=0.990094  dsigma=0.009808
  z=  4.698  sigma=0.990966  dsigma=0.008952
  z=  4.791  sigma=0.991762  dsigma=0.008170
  z=  4.884  sigma=0.992488  dsigma=0.007456
  z=  4.977  sigma=0.993151  dsigma=0.006802
  z=  5.070  sigma=0.993755  dsigma=0.006206
  z=  5.163  sigma=0.994307  dsigma=0.005661
  z=  5.256  sigma=0.994810  dsigma=0.005163
  z=  5.349  sigma=0.995269  dsigma=0.004709
  z=  5.442  sigma=0.995687  dsigma=0.004294
  z=  5.535  sigma=0.996069  dsigma=0.003916
  z=  5.628  sigma=0.996417  dsigma=0.003570
  z=  5.721  sigma=0.996734  dsigma=0.003255
  z=  5.814  sigma=0.997023  dsigma=0.002968
  z=  5.907  sigma=0.997287  dsigma=0.002706
  z=  6.000  sigma=0.997527  dsigma=0.002467
"""

import numpy as np


# ---------------------------------------------------------------------------
# Part 1: computation graph  J = 2(a + bc),  with  u = bc,  v = a + u,  J = 2v
# ---------------------------------------------------------------------------

def graph_forward(a, b, c):
    """Forward pass through the computation graph.

    u = b c
    v = a + u
    J = 2 v

    Returns the tuple (u, v, J).
    """
    u = b * c
    v = a + u
    J = 2 * v
    return u, v, J


def graph_backward(a, b, c):
    """Backward pass through the same graph, using the chain rule.

    Returns a dict with keys "dJ_dv", "dJ_du", "dJ_da", "dJ_db", "dJ_dc":
        dJ/dv
        dJ/da = dJ/dv · dv/da
        dJ/du = dJ/dv · dv/du
        dJ/db = dJ/dv · dv/du · du/db
        dJ/dc = dJ/du · du/dc
    """
    # local derivatives of each node
    dJ_dv = 2.0
    dv_da = 1.0
    dv_du = 1.0
    du_db = c
    du_dc = b
    # chain rule, right to left
    dJ_da = dJ_dv * dv_da
    dJ_du = dJ_dv * dv_du
    dJ_db = dJ_dv * dv_du * du_db
    dJ_dc = dJ_du * du_dc
    return {"dJ_dv": dJ_dv, "dJ_du": dJ_du, "dJ_da": dJ_da, "dJ_db": dJ_db, "dJ_dc": dJ_dc}


# ---------------------------------------------------------------------------
# Part 2: numerical derivatives
# ---------------------------------------------------------------------------

def forward_difference(f, x, h=1e-5):
    """Forward-difference estimate of f'(x) for a scalar function f at a float x.

    f'(x) ≈ (f(x + h) - f(x)) / h
    """
    return (f(x + h) - f(x)) / h


def centered_difference(f, x, h=1e-5):
    """Centered-difference estimate of f'(x) for a scalar function f at a float x.

    f'(x) ≈ (f(x + h) - f(x - h)) / (2h)
    """
    return (f(x + h) - f(x - h)) / (2 * h)


# ---------------------------------------------------------------------------
# Part 3: logistic regression on a single example
# ---------------------------------------------------------------------------

def sigmoid(z):
    """The logistic function σ(z) = 1 / (1 + e^(-z)).

    Works elementwise: an array z gives an array of the same shape, a number
    gives a number.
    """
    return 1.0 / (1.0 + np.exp(-z))


def forward_single(w, b, x):
    """Prediction for one example x of shape (N,).

    z = w1 x1 + w2 x2 + ... + wN xN + b
    ŷ = σ(z)

    Returns ŷ (a number).
    """
    z = np.dot(w, x) + b
    y_hat = sigmoid(z)
    return y_hat


def loss(y_hat, y):
    """Cross-entropy loss, elementwise.

    L(ŷ, y) = -(y log ŷ + (1 - y) log(1 - ŷ))

    y_hat and y are numbers or arrays of the same shape; returns the same shape.
    """
    return -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))


def backward_single(w, b, x, y):
    """Gradient of L(ŷ, y) for one example x of shape (N,) with label y.

    dL/dz = ŷ - y
    dL/dw_n = (ŷ - y) x_n       (for n = 1..N)
    dL/db = ŷ - y

    Returns (dw, db): dw of shape (N,), db a float.
    """
    y_hat = forward_single(w, b, x)
    dz = y_hat - y
    dw = dz * x
    db = dz
    return dw, db


# ---------------------------------------------------------------------------
# Part 4: M examples -- the back-propagation loop, the cost, vectorization
# ---------------------------------------------------------------------------

def gradients_loop(w, b, X, y):
    """Gradients of the cost J with the lecture's back-propagation loop.

    Initialize dJ/dw_1 = ... = dJ/dw_N = 0 and dJ/db = 0
    For m = 1 to M:
        ŷ(m) = σ(w · x(m) + b)
        For n = 1 to N:
            dJ/dw_n = dJ/dw_n + (ŷ(m) - y(m)) x_n(m)
        dJ/db = dJ/db + (ŷ(m) - y(m))
    For n = 1 to N:
        dJ/dw_n = (1/M) dJ/dw_n
    dJ/db = (1/M) dJ/db

    Use Python loops here. Returns (dw, db): dw of shape (N,), db a float.
    """
    M, N = X.shape
    dw = np.zeros(N)
    db = 0.0
    for m in range(M):
        y_hat_m = sigmoid(np.dot(w, X[m]) + b)
        for n in range(N):
            dw[n] = dw[n] + (y_hat_m - y[m]) * X[m, n]
        db = db + (y_hat_m - y[m])
    for n in range(N):
        dw[n] = dw[n] / M
    db = db / M
    return dw, db


def cost(w, b, X, y):
    """The cost: the average loss over the M examples.

    ŷ = σ(X wᵀ + b)
    J(w, b) = (1/M) Σ L(ŷ(m), y(m))

    Returns J as a float.
    """
    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w) + b)
    J = np.sum(loss(y_hat, y)) / M
    return J


def gradients_vectorized(w, b, X, y):
    """The same gradients as gradients_loop, vectorized (no Python loops).

    ŷ = σ(X wᵀ + b)
    dJ/dw = (1/M) (ŷ - y)ᵀ X        (np.matmul or np.dot)
    dJ/db = (1/M) Σ (ŷ - y)         (np.sum)

    Returns (dw, db): dw of shape (N,), db a float.
    """
    M = X.shape[0]
    y_hat = sigmoid(np.matmul(X, w) + b)
    dw = np.matmul((y_hat - y).T, X) / M
    db = np.sum(y_hat - y) / M
    return dw, db


def update(w, b, dw, db, alpha):
    """One gradient-descent step with learning rate alpha.

    w = w - α dJ/dw
    b = b - α dJ/db

    Returns the new (w, b). Do not modify the w you were given: return a new array.
    """
    w = w - alpha * dw
    b = b - alpha * db
    return w, b


def gradient_descent(X, y, alpha, epsilon, max_iters):
    """Vectorized gradient descent.

    Start at w = zeros(N), b = 0.0, with an empty list costs. Then repeat:
        J = cost(w, b, X, y) and append J to costs
        stop if J <= ε, or if costs now holds max_iters values
        otherwise: dw, db = gradients_vectorized(w, b, X, y)
                   w, b = update(w, b, dw, db, alpha)

    Returns (w, b, costs).
    """
    N = X.shape[1]
    w = np.zeros(N)
    b = 0.0
    costs = []
    while True:
        J = cost(w, b, X, y)
        costs.append(J)
        if J <= epsilon or len(costs) >= max_iters:
            break
        dw, db = gradients_vectorized(w, b, X, y)
        w, b = update(w, b, dw, db, alpha)
    return w, b, costs


# ---- testing my functions ----
print(graph_forward(5, 3, 2))
print(graph_backward(5, 3, 2))
print(forward_difference(np.exp, 0.0), centered_difference(np.exp, 0.0))
X_test = np.array([[1.0, 2.0], [2.0, -1.0], [-1.5, 0.5], [0.3, 0.8]])
y_test = np.array([1.0, 0.0, 0.0, 1.0])
w_test = np.array([0.1, -0.2])
print("cost:", cost(w_test, 0.1, X_test, y_test))
print("loop:", gradients_loop(w_test, 0.1, X_test, y_test))
print("vec: ", gradients_vectorized(w_test, 0.1, X_test, y_test))
w_fit, b_fit, J_hist = gradient_descent(X_test, y_test, 0.5, 0.01, 200)
print("trained:", w_fit, b_fit, J_hist[-1], len(J_hist))
