# expect: every item 0, feedback names the syntax error's line
# ENGR 4350 - Assignment logreg2
# Logistic Regression Part 2: computation graph, backprop, vectorization

import numpy as np
import matplotlib.pyplot as plt


# ---- Part 1: computation graph J = 2(a + bc) ----

def graph_forward(a, b, c):
    u = b * c
    v = a + u
    J = 2 * v
    return u, v, J


def graph_backward(a, b, c):
    dJ_dv = 2
    dv_da = 1
    dv_du = 1
def cost(w, b, X, y)
    return 0.0
