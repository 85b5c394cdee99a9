"""Build a starter notebook from an assignment's .py starter, so the two cannot drift.

    python assignments/build_starter_notebook.py            # writes assignments/logreg2/logreg2.ipynb
    python assignments/build_starter_notebook.py --check    # exit 1 if the committed notebook is stale

The .py starter is the single source of the code: its module docstring becomes
the introduction, each ``# Part N: ...`` banner a section heading followed by
the lecture's explanation of that part (below, from the lecture "Logistic
Regression: Part 2"), and each function its own code cell, verbatim.  The
output is deterministic (fixed cell ids, nbformat 4.5), and
``tests/test_notebooks.py`` checks the committed notebook equals it.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

ROOT = Path(__file__).resolve().parent
DEFAULT_STARTER = ROOT / "logreg2" / "logreg2.py"
BANNER = re.compile(r"^#\s*(Part\s+(\d+)\s*:.*?)\s*$")
RULE = re.compile(r"^#\s*-{5,}\s*$")

# The lecture's words for each part of the starter, keyed by the part number in its banner.
LECTURE: dict[str, dict[int, str]] = {
    "logreg2": {
        1: r"""The lecture builds the computation graph of

$$J = 2(a + bc)$$

from three steps: $u = bc$, then $v = a + u$, then $J = 2v$.
The **forward pass** evaluates the graph from left to right. The **backward pass** goes
from right to left and multiplies local derivatives (the chain rule):

$$\frac{dJ}{dv} = 2 \qquad
\frac{dJ}{da} = \frac{dJ}{dv}\cdot\frac{dv}{da} = 2 \qquad
\frac{dJ}{du} = \frac{dJ}{dv}\cdot\frac{dv}{du} = 2$$

$$\frac{dJ}{db} = \frac{dJ}{dv}\cdot\frac{dv}{du}\cdot\frac{du}{db} = 2c \qquad
\frac{dJ}{dc} = \frac{dJ}{du}\cdot\frac{du}{dc} = 2b$$""",
        2: r"""The analytic derivative $f'(x) = \lim_{h \to 0} \frac{f(x+h) - f(x)}{h}$ is fast and
accurate, but error-prone to derive by hand. A **numerical derivative** is slow and
approximate, but easy to code, which makes it the standard way to check an analytic one:

$$f'(x) \approx \frac{f(x+h) - f(x)}{h} \qquad\qquad f'(x) \approx \frac{f(x+h) - f(x-h)}{2h}$$

The centered difference on the right is the more accurate of the two.""",
        3: r"""Logistic regression is a computation graph too. For one example $x$ with $N$ features:

$$z = w_1 x_1 + w_2 x_2 + \ldots + w_N x_N + b \qquad
\hat{y} = \sigma(z) = \frac{1}{1 + e^{-z}}$$

$$\mathcal{L}(\hat{y}, y) = -\big(y \log \hat{y} + (1 - y) \log(1 - \hat{y})\big)$$

**Back-propagation** through this graph gives $\frac{\partial \mathcal{L}}{\partial z} = \hat{y} - y$, hence

$$\frac{\partial \mathcal{L}}{\partial w_n} = (\hat{y} - y)\, x_n \qquad
\frac{\partial \mathcal{L}}{\partial b} = \hat{y} - y$$""",
        4: r"""With $M$ examples (the rows of $X$), the cost is the average loss,
$J(w, b) = \frac{1}{M} \sum_{m=1}^{M} \mathcal{L}(\hat{y}^{(m)}, y^{(m)})$, and its gradients
are averages too. The lecture's **back-propagation loop**:

- **Initialize** $\frac{\partial J}{\partial w_1} = \dots = \frac{\partial J}{\partial w_N} = 0$ and $\frac{\partial J}{\partial b} = 0$
- **For** $m = 1$ to $M$:
    - $\hat{y}^{(m)} = \sigma(w \cdot x^{(m)} + b)$
    - **for** $n = 1$ to $N$: $\frac{\partial J}{\partial w_n} = \frac{\partial J}{\partial w_n} + (\hat{y}^{(m)} - y^{(m)})\, x_n^{(m)}$
    - $\frac{\partial J}{\partial b} = \frac{\partial J}{\partial b} + (\hat{y}^{(m)} - y^{(m)})$
- **Then** divide every $\frac{\partial J}{\partial w_n}$, and $\frac{\partial J}{\partial b}$, by $M$.

**Vectorization** replaces both loops with array operations (`np.matmul()` or `np.dot()`, `np.sum()`):

$$\frac{\partial J}{\partial \mathbf{w}} = \frac{1}{M} (\hat{\mathbf{y}} - \mathbf{y})^T \cdot \mathbf{X}
\qquad \frac{\partial J}{\partial b} = \frac{1}{M} \sum (\hat{\mathbf{y}} - \mathbf{y})$$

**Vectorized gradient descent**: while $J > \varepsilon$,

$$\begin{split}
\hat{\mathbf{y}} &= \sigma\left(\mathbf{X}\mathbf{w}^{\mathrm{T}} + b\right) \\
J(\mathbf{w}, b) &= \frac{1}{M} \sum \mathcal{L}(\hat{\mathbf{y}}, \mathbf{y}) \\
\mathbf{w} &= \mathbf{w} - \alpha \frac{\partial J}{\partial \mathbf{w}} \qquad
b = b - \alpha \frac{\partial J}{\partial b}
\end{split}$$""",
    },
}

TRY_IT_MARKDOWN = """## Try it

This cell is for you: it trains on a small made-up data set and plots the cost, as in the
lecture. It is not graded (plots are discarded), and a cell that fails or runs long is skipped
when grading without costing the functions above."""

TRY_IT_CODE = """import matplotlib.pyplot as plt

rng = np.random.default_rng(0)
X = rng.normal(size=(200, 2))
y = (X[:, 0] + X[:, 1] > 0).astype(float)
w, b, costs = gradient_descent(X, y, alpha=0.5, epsilon=0.05, max_iters=1000)
print("w =", w, " b =", b, " iterations:", len(costs))

plt.plot(costs)
plt.xlabel("iteration")
plt.ylabel("cost J")
plt.show()"""


CHECK_MARKDOWN = """## Check your work

If your course gave you the self-check (a `grader/` folder and `selfcheck.json` next to this
notebook), save the notebook (Ctrl+S), then run this cell: it runs the visible checks on the
saved file. Grading never runs it."""

CHECK_CODE = """import sys
!{sys.executable} -m grader check logreg2.ipynb"""


def _intro(docstring: str) -> str:
    """The starter's module docstring as markdown: first line a title, ``code`` as `code`."""
    title, _, rest = docstring.strip().partition("\n")
    text = re.sub(r"``([^`]+)``", r"`\1`", rest.strip())
    return f"# {title.strip()}\n\n{text}"


class _Builder:
    def __init__(self) -> None:
        self.cells: list[dict[str, Any]] = []

    def add(self, kind: str, source: str) -> None:
        source = source.strip("\n")
        if not source.strip():
            return
        cell: dict[str, Any] = {"cell_type": kind, "id": f"{kind}-{len(self.cells) + 1:02d}", "metadata": {},
                                "source": source}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        self.cells.append(cell)


def build(starter: Path = DEFAULT_STARTER) -> str:
    """The notebook's text for a .py starter."""
    source = starter.read_text(encoding="utf-8")
    assignment = starter.stem
    lecture = LECTURE.get(assignment, {})
    lines = source.splitlines()
    tree = ast.parse(source)
    docstring = ast.get_docstring(tree, clean=True)
    body = tree.body[1:] if docstring is not None else tree.body
    out = _Builder()
    if docstring:
        out.add("markdown", _intro(docstring))
    previous = tree.body[0].end_lineno if docstring is not None else 0
    pending: list[str] = []
    for node in body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        carried = []
        for line in lines[previous:start - 1]:
            banner = BANNER.match(line)
            if banner:
                out.add("code", "\n\n".join(pending))
                pending = []
                heading = re.sub(r"\s{2,}", " ", banner.group(1))
                out.add("markdown", f"## {heading}\n\n{lecture.get(int(banner.group(2)), '')}")
            elif line.strip() and not RULE.match(line):
                carried.append(line)  # any other comment stays with the code that follows it
        segment = "\n".join(carried + lines[start - 1:node.end_lineno])
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add("code", "\n\n".join(pending))
            pending = []
            out.add("code", segment)
        else:
            pending.append(segment)
        previous = node.end_lineno
    out.add("code", "\n\n".join(pending))
    if assignment in LECTURE:
        out.add("markdown", TRY_IT_MARKDOWN)
        out.add("code", TRY_IT_CODE)
        out.add("markdown", CHECK_MARKDOWN)
        out.add("code", CHECK_CODE.replace("logreg2.ipynb", f"{assignment}.ipynb"))
    notebook = nbformat.from_dict({
        "nbformat": 4, "nbformat_minor": 5, "cells": out.cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "pygments_lexer": "ipython3"},
        },
    })
    nbformat.validate(notebook)
    return nbformat.writes(notebook)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("starter", nargs="?", type=Path, default=DEFAULT_STARTER, help="the .py starter")
    parser.add_argument("--check", action="store_true", help="only check that the notebook is up to date")
    args = parser.parse_args(argv)
    target = args.starter.with_suffix(".ipynb")
    text = build(args.starter)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{target} is out of date; run: python {Path(__file__).name}", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
