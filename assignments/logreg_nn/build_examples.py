"""Build the ``logreg_nn`` starter, the correct example, the one-bug examples and the real-style notebooks.

    python assignments/logreg_nn/build_examples.py            # (re)write every file below
    python assignments/logreg_nn/build_examples.py --check    # exit 1 if a committed file is stale

Writes, deterministically (fixed cell ids, no timestamps):

- ``logreg_nn.ipynb``: the starter (graded cells with ``None`` between the START/END markers);
- ``examples/correct.ipynb`` and ``examples/correct.py`` (nbconvert's ``--to script`` export of it);
- ``examples/buggy/<slip>.ipynb``: the correct notebook with one slip of
  ``reference/logreg_nn_mistakes.py``; the first code cell starts with
  ``# expect-fail: <item>`` and ``# slip: <variant>``;
- ``examples/real/*.ipynb`` and ``labels.json``: notebooks as real tools and students save
  them (see ``REAL``), each labelled with the items it must fail (``{"score": 100}`` when none),
  ``"noted"`` for items that pass only with a note (an int ``b``, a 1-element ``db``), and
  ``"nbformat_valid": false`` on the ones deliberately off nbformat's schema.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional

import nbformat
from nbconvert import ScriptExporter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import logreg_nn_text as S  # noqa: E402  (a sibling module, not a package)

Cell = dict[str, Any]

# --------------------------------------------------------------------------- kernels and tools

PY3 = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
       "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                         "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                         "pygments_lexer": "ipython3", "version": "3.8.10"}}
PY2 = {"kernelspec": {"display_name": "Python 2", "language": "python", "name": "python2"},
       "language_info": {"codemirror_mode": {"name": "ipython", "version": 2}, "file_extension": ".py",
                         "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                         "pygments_lexer": "ipython2", "version": "2.7.13"}}
COLAB = {"colab": {"name": "Logistic_Regression_with_a_Neural_Network_mindset.ipynb", "provenance": [],
                   "collapsed_sections": []},
         "kernelspec": {"display_name": "Python 3", "name": "python3"}, "language_info": {"name": "python"}}
COURSERA = {"coursera": {"course_slug": "neural-networks-deep-learning", "graded_item_id": "XaIWT",
                         "launcher_item_id": "zAgPl"}}
VSCODE = {"vscode": {"interpreter": {"hash": "916dbcbb3f70747c44a77c7bcd40155683ae19c65e1c03b4aa3499c5328201f1"}},
          "orig_nbformat": 4}
PYCHARM = {"pycharm": {"stem_cell": {"cell_type": "raw", "metadata": {"collapsed": False}, "source": []}}}
LAB = {"toc-autonumbering": True, "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {},
                                                                                              "version_major": 2,
                                                                                              "version_minor": 0}}}

# A 1x1 PNG, standing in for the plots a saved notebook carries.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


def py3(version: str) -> dict:
    """Python 3 kernel metadata with a given language version."""
    meta = copy.deepcopy(PY3)
    meta["language_info"]["version"] = version
    return meta


# --------------------------------------------------------------------------- cells

def lines(text: str) -> list[str]:
    """Source as Jupyter stores it: a list of lines, each but the last ending in a newline."""
    return text.splitlines(keepends=True)


def markdown(text: str) -> Cell:
    return {"cell_type": "markdown", "metadata": {}, "source": text}


def code(text: str, role: str = "", outputs: Optional[list] = None) -> Cell:
    """A code cell; ``role`` says what it is (``graded:<name>``, ``test:<name>``, ``imports``...)."""
    return {"cell_type": "code", "metadata": {}, "source": text, "outputs": outputs or [],
            "execution_count": None, "_role": role}


def stream(text: str) -> dict:
    return {"name": "stdout", "output_type": "stream", "text": lines(text)}


def error(ename: str, evalue: str, frames: list[str]) -> dict:
    """A saved traceback, with the ANSI colours Jupyter stores."""
    trace = ["\u001b[0;31m---------------------------------------------------------------------------\u001b[0m",
             f"\u001b[0;31m{ename}\u001b[0m                         Traceback (most recent call last)", *frames,
             f"\u001b[0;31m{ename}\u001b[0m: {evalue}"]
    return {"ename": ename, "evalue": evalue, "output_type": "error", "traceback": trace}


def figure() -> dict:
    """A saved plot."""
    return {"data": {"image/png": PNG, "text/plain": ["<Figure size 432x288 with 1 Axes>"]},
            "metadata": {"needs_background": "light"}, "output_type": "display_data"}


def base_cells(version: str, functions: Optional[dict[str, str]] = None,
               inline_h5: bool = False, py2_print: bool = False) -> list[Cell]:
    """The assignment's notebook, top to bottom, in one of its versions."""
    fns = {**S.FUNCTIONS[version], **(functions or {})}
    md = S.MARKDOWN
    cells = [markdown(md["intro"]), markdown(md["packages"]), code(S.IMPORTS[version], "imports"),
             markdown(md["data"]), code(S.LOAD_H5_INLINE if inline_h5 else S.LOAD_DATASET, "load"),
             code(S.SHOW_PICTURE_PY2 if py2_print else S.SHOW_PICTURE, "show"),
             code(S.SHAPES, "shapes"), markdown(md["reshape"]), code(S.FLATTEN, "flatten"),
             code(S.STANDARDIZE, "standardize")]
    for name in S.GRADED:
        cells += [markdown(md[name]), code(fns[name], f"graded:{name}")]
        test = S.TESTS[version][name]
        if test:
            cells.append(code(test, f"test:{name}"))
    cells += [markdown(md["train"]), code(S.TRAIN[version], "train"), code(S.WRONG_PICTURE[version], "wrong"),
              markdown(md["curve"]), code(S.CURVE[version], "curve"), markdown(md["rates"]),
              code(S.LEARNING_RATES[version], "rates"), markdown(md["own_image"]),
              code(S.OWN_IMAGE[version], "own_image")]
    return cells


def role_index(cells: list[Cell], role: str) -> int:
    return next(i for i, c in enumerate(cells) if c.get("_role") == role)


def replace_in(source: str, old: str, new: str) -> str:
    """``str.replace`` that insists the text was there (a stale slip must not build silently)."""
    if old not in source:
        raise ValueError(f"not in source: {old!r}")
    return source.replace(old, new)


# --------------------------------------------------------------------------- notebooks

@dataclass
class Style:
    """How one tool saves a notebook."""

    minor: int
    metadata: dict
    ids: bool = False                   # top-level cell ids (nbformat 4.5, or a tool that writes them anyway)
    cell_metadata: Callable[[int, Cell], dict] = lambda i, c: {}
    source_as_string: bool = False
    counts: bool = True                 # execution counts of a notebook that was run
    drop_count_key: bool = False        # off-schema: code cells without "execution_count"


def cell_id(seed: str, i: int) -> str:
    return hashlib.sha1(f"{seed}:{i}".encode()).hexdigest()[:8]


def render(cells: list[Cell], style: Style, seed: str) -> dict:
    """The notebook as the tool writes it: nbformat 4.<minor>, metadata, ids, counts."""
    out = []
    count = 0
    for i, cell in enumerate(copy.deepcopy(cells)):
        c = {k: v for k, v in cell.items() if not k.startswith("_")}
        c["metadata"] = {**style.cell_metadata(i, cell), **c["metadata"]}
        c["source"] = c["source"] if style.source_as_string else lines(c["source"])
        if style.ids:
            c = {"cell_type": c["cell_type"], "id": cell_id(seed, i), **{k: v for k, v in c.items() if k != "cell_type"}}
        if c["cell_type"] == "code":
            if style.counts:
                count += 1
                c["execution_count"] = count
                for o in c["outputs"]:
                    if o["output_type"] == "execute_result":
                        o["execution_count"] = count
            if style.drop_count_key:
                del c["execution_count"]
        out.append(c)
    return {"cells": out, "metadata": style.metadata, "nbformat": 4, "nbformat_minor": style.minor}


def dumps(nb: dict) -> str:
    """Jupyter's own layout: one-space indent, sorted keys, non-ASCII kept, final newline."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


CLEAN = Style(minor=5, metadata=py3("3.10.12"), ids=True, counts=True)
STARTER = Style(minor=5, metadata=py3("3.10.12"), ids=True, counts=False)


# --------------------------------------------------------------------------- starter, correct, buggy

BLOCK_LINE = re.compile(r"^(\s*)([^=#][^=]*?)\s*=(?!=)\s*(.+)$")


def blank_blocks(source: str) -> str:
    """Every assignment between START/END markers becomes ``target = None`` (the starter's form)."""
    out, inside = [], False
    for line in source.splitlines():
        if S.START in line:
            inside = True
        elif S.END in line:
            inside = False
        elif inside and BLOCK_LINE.match(line):
            m = BLOCK_LINE.match(line)
            line = f"{m.group(1)}{m.group(2)} = None"
        out.append(line)
    return "\n".join(out)


def starter_cells() -> list[Cell]:
    fns = {name: blank_blocks(src) for name, src in S.FUNCTIONS["v2021"].items()}
    cells = base_cells("v2021", fns)
    cells[role_index(cells, "shapes")]["source"] = blank_blocks(S.SHAPES)
    cells[role_index(cells, "flatten")]["source"] = blank_blocks(S.FLATTEN)
    return cells


@dataclass
class Slip:
    """One bug put into the correct notebook: the item it must fail and the variant it equals."""

    item: str
    variant: str
    old: str
    new: str
    also: tuple[tuple[str, str], ...] = ()


SLIPS = [
    Slip("sigmoid", "sigmoid_exp_plus", "np.exp(-z)", "np.exp(z)"),
    Slip("initialize_with_zeros", "initialize_with_zeros_random", "w = np.zeros((dim, 1))",
         "np.random.seed(1)\n    w = np.random.randn(dim, 1) * 0.01"),
    Slip("initialize_with_zeros", "initialize_with_zeros_flat", "np.zeros((dim, 1))", "np.zeros(dim)"),
    Slip("propagate", "propagate_db_from_dw", "db = 1 / m * np.sum(A - Y)", "db = 1 / m * np.dot(X, (A - Y).T)"),
    Slip("propagate", "propagate_w_not_transposed", "np.dot(w.T, X)", "np.dot(w, X)"),
    Slip("propagate", "propagate_cost_summed", "cost = -1 / m * np.sum(", "cost = -np.sum("),
    Slip("propagate", "propagate_cost_no_minus", "cost = -1 / m * np.sum(", "cost = 1 / m * np.sum("),
    Slip("propagate", "propagate_dw_not_averaged", "dw = 1 / m * np.dot(X, (A - Y).T)", "dw = np.dot(X, (A - Y).T)"),
    Slip("propagate", "propagate_dw_row", "dw = 1 / m * np.dot(X, (A - Y).T)", "dw = 1 / m * np.dot(A - Y, X.T)"),
    Slip("optimize", "optimize_cost_every_iteration", "        if i % 100 == 0:\n            costs.append(cost)\n",
         "        costs.append(cost)\n        if i % 100 == 0:\n"),
    Slip("optimize", "optimize_cost_after_update",
         "        # Record the costs\n        if i % 100 == 0:\n",
         "        # Record the costs\n        _, cost = propagate(w, b, X, Y)\n        if i % 100 == 0:\n"),
    Slip("optimize", "optimize_in_place", "w = w - learning_rate * dw", "w -= learning_rate * dw",
         also=(("    w = copy.deepcopy(w)\n    b = copy.deepcopy(b)\n", ""),)),
    Slip("optimize", "optimize_uphill", "w = w - learning_rate * dw\n        b = b - learning_rate * db",
         "w = w + learning_rate * dw\n        b = b + learning_rate * db"),
    Slip("optimize", "optimize_b_not_updated", "        b = b - learning_rate * db\n", ""),
    Slip("predict", "predict_b_sign_flipped", "np.dot(w.T, X) + b", "np.dot(w.T, X) - b"),
    Slip("predict", "predict_probabilities", "    return Y_prediction", "    return A"),
    Slip("predict", "predict_w_not_transposed", "np.dot(w.T, X) + b", "np.dot(w, X) + b"),
    Slip("model", "model_hardcoded_hyperparameters", "X_train, Y_train, num_iterations, learning_rate, print_cost)",
         "X_train, Y_train, 2000, 0.5, print_cost)"),
    Slip("model", "model_optimize_without_hyperparameters",
         "X_train, Y_train, num_iterations, learning_rate, print_cost)", "X_train, Y_train)"),
    Slip("model", "model_trains_on_test_set", "optimize(w, b, X_train, Y_train,", "optimize(w, b, X_test, Y_test,"),
    Slip("model", "model_predictions_swapped",
         "Y_prediction_test = predict(w, b, X_test)\n    Y_prediction_train = predict(w, b, X_train)",
         "Y_prediction_test = predict(w, b, X_train)\n    Y_prediction_train = predict(w, b, X_test)"),
    Slip("model", "model_dim_hardcoded", "initialize_with_zeros(X_train.shape[0])", "initialize_with_zeros(12288)"),
]


def with_slip(slip: Slip) -> list[Cell]:
    """The correct notebook with one slip and the header naming it."""
    buggy = replace_in(S.FUNCTIONS["v2021"][slip.item], slip.old, slip.new)
    for old, new in slip.also:
        buggy = replace_in(buggy, old, new)
    cells = base_cells("v2021", {slip.item: buggy})
    imports = cells[role_index(cells, "imports")]
    imports["source"] = f"# expect-fail: {slip.item}\n# slip: {slip.variant}\n" + imports["source"]
    return cells


def script_export(nb_text: str) -> str:
    """What ``jupyter nbconvert --to script`` writes for the notebook."""
    body, _ = ScriptExporter().from_notebook_node(nbformat.reads(nb_text, as_version=4))
    return body


# --------------------------------------------------------------------------- real-style notebooks

def classic_meta(i: int, cell: Cell) -> dict:
    return {"collapsed": False} if cell["cell_type"] == "code" else {}


def colab_meta(i: int, cell: Cell) -> dict:
    meta: dict[str, Any] = {"id": cell_id("colab", i)}
    if cell["cell_type"] == "code":
        meta["colab"] = {"base_uri": "https://localhost:8080/", "height": 35}
        meta["outputId"] = cell_id("colab-out", i) + "-0b1e-4c2f"
    return meta


def pycharm_meta(i: int, cell: Cell) -> dict:
    return {"collapsed": False, "pycharm": {"name": "#%%\n"}} if cell["cell_type"] == "code" else {
        "collapsed": False, "pycharm": {"name": "#%% md\n"}}


def coursera_meta(i: int, cell: Cell) -> dict:
    role = cell.get("_role", "")
    if role.startswith("graded:"):
        return {"deletable": False, "nbgrader": {"cell_type": "code", "checksum": cell_id("sum", i) * 4,
                                                 "grade": False, "grade_id": f"cell-{cell_id('grade', i)}",
                                                 "locked": False, "schema_version": 3, "solution": True,
                                                 "task": False}}
    if role.startswith("test:"):
        return {"deletable": False, "editable": False}
    return {}


def lab_meta(i: int, cell: Cell) -> dict:
    return {"tags": []} if cell["cell_type"] == "code" else {}


STYLES = {
    "classic_2017_py2": Style(2, {**PY2}, cell_metadata=classic_meta),
    "classic_2018": Style(3, py3("3.6.0"), cell_metadata=classic_meta),
    "classic_40": Style(0, py3("3.5.2")),
    "classic_41": Style(1, py3("3.6.4"), cell_metadata=classic_meta),
    "lab3": Style(5, {**py3("3.9.7"), **LAB}, ids=True, cell_metadata=lab_meta),
    "lab_44": Style(4, py3("3.8.5"), cell_metadata=lab_meta),
    "colab": Style(0, COLAB, cell_metadata=colab_meta, counts=False),
    "vscode_44_ids": Style(4, {**py3("3.10.12"), **VSCODE}, ids=True),
    "vscode_45": Style(5, {**py3("3.11.4"), **VSCODE}, ids=True),
    "pycharm": Style(0, {**py3("3.7.3"), **PYCHARM}, cell_metadata=pycharm_meta),
    "pycharm_strings": Style(1, {**py3("3.7.3"), **PYCHARM}, cell_metadata=pycharm_meta, source_as_string=True),
    "coursera_2017": Style(2, {**COURSERA, **PY3}, cell_metadata=coursera_meta),
    "coursera_2021": Style(4, {**COURSERA, **py3("3.7.6")}, cell_metadata=coursera_meta),
    "no_count_key": Style(4, py3("3.8.10"), drop_count_key=True),
}


@dataclass
class Real:
    """One real-style notebook: its tool, its version of the assignment, and its habits."""

    name: str
    style: str
    version: str = "v2021"
    functions: dict[str, str] = field(default_factory=dict)
    edit: Callable[[list[Cell]], None] = lambda cells: None
    fail: tuple[str, ...] = ()
    inline_h5: bool = False
    py2_print: bool = False
    why: str = ""


def fn(version: str, name: str, *pairs: tuple[str, str]) -> str:
    """A graded function of one version with some text replaced."""
    src = S.FUNCTIONS[version][name]
    for old, new in pairs:
        src = replace_in(src, old, new)
    return src


def set_source(role: str, text: str) -> Callable[[list[Cell]], None]:
    def edit(cells: list[Cell]) -> None:
        cells[role_index(cells, role)]["source"] = text
    return edit


def prepend_cells(*new: Cell, before: str = "imports") -> Callable[[list[Cell]], None]:
    def edit(cells: list[Cell]) -> None:
        i = role_index(cells, before)
        cells[i:i] = list(new)
    return edit


def chain(*edits: Callable[[list[Cell]], None]) -> Callable[[list[Cell]], None]:
    def edit(cells: list[Cell]) -> None:
        for e in edits:
            e(cells)
    return edit


def outputs(role: str, *outs: dict) -> Callable[[list[Cell]], None]:
    def edit(cells: list[Cell]) -> None:
        cells[role_index(cells, role)]["outputs"] = list(outs)
    return edit


def stale_outputs(version: str) -> Callable[[list[Cell]], None]:
    """Outputs from the student's own run: prints, a plot, the course's tests passing."""
    v21 = version == "v2021"
    return chain(
        outputs("show", stream("y = [1], it's a 'cat' picture.\n"), figure()),
        outputs("shapes", stream("Number of training examples: m_train = 209\nNumber of testing examples: m_test = 50\n"
                                 "Height/Width of each image: num_px = 64\n")),
        outputs("flatten", stream("train_set_x_flatten shape: (12288, 209)\ntrain_set_y shape: (1, 209)\n")),
        outputs("test:sigmoid", stream("sigmoid([0, 2]) = [0.5        0.88079708]\n"
                                       + ("\u001b[92mAll tests passed!\n" if v21 else ""))),
        outputs("test:propagate", stream("dw = [[0.99845601]\n [2.39507239]]\ndb = 0.001455578136784208\n"
                                         "cost = 5.801545319394553\n")),
        outputs("train", stream("Cost after iteration 0: 0.693147\nCost after iteration 100: 0.584508\n"
                                "train accuracy: 99.04306220095694 %\ntest accuracy: 70.0 %\n")),
        outputs("curve", figure()),
    )


TRACE_FRAMES = ["\u001b[0;32m<ipython-input-3-1a2b3c4d>\u001b[0m in \u001b[0;36m<module>\u001b[0;34m\u001b[0m",
                "\u001b[0;32m----> 1\u001b[0;31m \u001b[0mtrain_set_x_orig\u001b[0m\u001b[0;34m,\u001b[0m "
                "\u001b[0mtrain_set_y\u001b[0m \u001b[0;34m=\u001b[0m \u001b[0mload_dataset\u001b[0m\u001b[0;34m(\u001b[0m"
                "\u001b[0;34m)\u001b[0m\u001b[0;34m\u001b[0m\u001b[0m"]

saved_tracebacks = chain(
    outputs("load", error("OSError", "Unable to open file (unable to open file: name = 'datasets/train_catvnoncat.h5', "
                                     "errno = 2, error message = 'No such file or directory')", TRACE_FRAMES)),
    outputs("show", error("NameError", "name 'train_set_x_orig' is not defined", TRACE_FRAMES)),
    outputs("own_image", error("FileNotFoundError", "[Errno 2] No such file or directory: 'images/my_image.jpg'",
                               TRACE_FRAMES)),
)

COLAB_MOUNT = code("""from google.colab import drive
drive.mount('/content/drive')""", "mount", [stream("Mounted at /content/drive\n")])
COLAB_CD = code("""%cd /content/drive/MyDrive/Deep Learning/Week 2/W2A2
!ls datasets""", "cd", [stream("/content/drive/MyDrive/Deep Learning/Week 2/W2A2\ntest_catvnoncat.h5  train_catvnoncat.h5\n")])
COLAB_PIP = code("""!pip install h5py
import sys
sys.path.append('/content/drive/MyDrive/Deep Learning/Week 2/W2A2')""", "pip")

WRITEFILE_LR_UTILS = code("""%%writefile lr_utils.py
import numpy as np
import h5py


def load_dataset():
    train_dataset = h5py.File('datasets/train_catvnoncat.h5', "r")
    train_set_x_orig = np.array(train_dataset["train_set_x"][:])
    train_set_y_orig = np.array(train_dataset["train_set_y"][:])
    test_dataset = h5py.File('datasets/test_catvnoncat.h5', "r")
    test_set_x_orig = np.array(test_dataset["test_set_x"][:])
    test_set_y_orig = np.array(test_dataset["test_set_y"][:])
    classes = np.array(test_dataset["list_classes"][:])
    return (train_set_x_orig, train_set_y_orig.reshape((1, -1)),
            test_set_x_orig, test_set_y_orig.reshape((1, -1)), classes)""", "writefile")

OLD_NUMPY_DISPLAY = """# Example of a picture
index = np.int(25)
plt.imshow(train_set_x_orig[index])
print ("y = " + str(train_set_y[:, index]))
assert np.alltrue(train_set_y >= 0)
train_set_y = train_set_y.astype(np.float)"""

OLD_NUMPY_TEST = """w, b, X, Y = np.array([[1.],[2.]]), 2., np.array([[1.,2.,-1.],[3.,4.,-3.2]]), np.array([[1,0,1]])
grads, cost = propagate(w, b, X, Y)
assert np.alltrue(np.isfinite(grads["dw"]))
assert isinstance(cost, np.float)
print ("dw = " + str(grads["dw"]))
print ("db = " + str(grads["db"]))
print ("cost = " + str(cost))"""

# optimize's parameters renamed, but its body still reads the X and Y the propagate test cell left behind.
OPTIMIZE_READS_GLOBALS = fn("v2017", "optimize",
                            ("def optimize(w, b, X, Y, num_iterations, learning_rate, print_cost = False):",
                             "def optimize(w, b, X_train, Y_train, num_iterations, learning_rate, print_cost = False):"))
# model sizes w from num_px, which the data cells compute: right on the cat data, undefined without it.
MODEL_READS_GLOBALS = fn("v2017", "model", ("initialize_with_zeros(X_train.shape[0])",
                                            "initialize_with_zeros(num_px * num_px * 3)"))
# predict sizes its output from the global X of the predict test cell.
PREDICT_READS_GLOBALS = fn("v2021", "predict", ("def predict(w, b, X):", "def predict(w, b, X_in):"),
                           ("    m = X.shape[1]\n", "    m = X_in.shape[1]\n"))

REAL = [
    Real("classic_2017_python2.ipynb", "classic_2017_py2", "v2017", edit=stale_outputs("v2017"),
         why="Python 2 kernel, nbformat 4.2, the 2017 version (no defaults in optimize, b = 0)"),
    Real("classic_2017_python2_print_statement.ipynb", "classic_2017_py2", "v2017", py2_print=True,
         why="a Python 2 print statement in a display cell: only that cell is a syntax error"),
    Real("classic_2018_stale_outputs.ipynb", "classic_2018", "v2017", edit=stale_outputs("v2017")),
    Real("classic_nbformat40.ipynb", "classic_40", "v2017", inline_h5=True,
         why="nbformat 4.0, load_dataset written out with h5py.File('datasets/...h5')"),
    Real("classic_41_saved_tracebacks.ipynb", "classic_41", "v2017", edit=saved_tracebacks),
    Real("classic_scipy_imread.ipynb", "classic_2018", edit=set_source("own_image", S.OWN_IMAGE["v2017"].replace(
        'd["w"], d["b"]', 'logistic_regression_model["w"], logistic_regression_model["b"]')),
         why="the 'try your own image' cell with scipy.ndimage.imread and scipy.misc.imresize"),
    Real("jupyterlab3_45.ipynb", "lab3", edit=stale_outputs("v2021")),
    Real("jupyterlab_44_tracebacks.ipynb", "lab_44", edit=saved_tracebacks),
    Real("jupyterlab_writefile_lr_utils.ipynb", "lab3", edit=prepend_cells(WRITEFILE_LR_UTILS)),
    Real("colab_drive_mount.ipynb", "colab", edit=prepend_cells(COLAB_MOUNT, COLAB_CD)),
    Real("colab_pip_sys_path.ipynb", "colab", edit=prepend_cells(COLAB_MOUNT, COLAB_PIP, COLAB_CD)),
    Real("vscode_44_cell_ids.ipynb", "vscode_44_ids", why="VS Code wrote cell ids into nbformat 4.4: off-schema"),
    Real("vscode_45.ipynb", "vscode_45", edit=stale_outputs("v2021")),
    Real("pycharm_40.ipynb", "pycharm", "v2017"),
    Real("pycharm_source_strings.ipynb", "pycharm_strings", why="sources saved as one string each"),
    Real("coursera_hub_2017.ipynb", "coursera_2017", "v2017", edit=stale_outputs("v2017")),
    Real("coursera_hub_2021.ipynb", "coursera_2021", edit=stale_outputs("v2021")),
    Real("coursera_hub_2021_tracebacks.ipynb", "coursera_2021", edit=saved_tracebacks),
    Real("no_execution_count_key.ipynb", "no_count_key",
         why="code cells without an execution_count key, as a hand-edited notebook has: off-schema"),
    Real("old_numpy_aliases_in_test_cells.ipynb", "classic_2018", "v2017",
         edit=chain(set_source("show", OLD_NUMPY_DISPLAY), set_source("test:propagate", OLD_NUMPY_TEST)),
         why="np.int, np.float, np.alltrue outside the graded functions: those cells fail, nothing else"),
    Real("b_int_zero.ipynb", "lab_44", functions={"initialize_with_zeros": fn(
        "v2021", "initialize_with_zeros", ("b = 0.0", "b = 0"))}, why="b = 0 (int): accepted with a note"),
    Real("db_one_element_array.ipynb", "lab3", functions={"propagate": fn(
        "v2021", "propagate", ("db = 1 / m * np.sum(A - Y)", "db = 1 / m * np.sum(A - Y, axis=1, keepdims=True)"))},
         why="db of shape (1, 1): accepted with a note"),
    Real("predict_bool_vectorized.ipynb", "vscode_45", functions={"predict": fn(
        "v2021", "predict", ("    return Y_prediction", "    return A > 0.5"))},
         why="boolean predictions"),
    Real("predict_int_astype.ipynb", "classic_41", functions={"predict": fn(
        "v2021", "predict", ("    return Y_prediction", "    return (A > 0.5).astype(int)"))},
         why="int predictions"),
    Real("cost_plain_float.ipynb", "coursera_2021", functions={"propagate": fn(
        "v2021", "propagate", ("cost = np.squeeze(np.array(cost))", "cost = float(cost)"))}),
    Real("np_float_in_initialize.ipynb", "classic_2018", "v2017", functions={"initialize_with_zeros": fn(
        "v2017", "initialize_with_zeros", ("b = 0\n", "b = np.float(0)\n"))}, fail=("initialize_with_zeros",),
         why="np.float inside a graded function: removed from NumPy, so that function fails"),
    Real("globals_optimize_uses_test_cell_X_Y.ipynb", "classic_2018", "v2017",
         functions={"optimize": OPTIMIZE_READS_GLOBALS}, fail=("optimize",),
         why="optimize's body reads the X, Y a test cell left behind"),
    Real("globals_model_uses_num_px.ipynb", "coursera_2017", "v2017",
         functions={"model": MODEL_READS_GLOBALS}, fail=("model",),
         why="model sizes w from the global num_px of the data cells, which need the course's files"),
    Real("globals_predict_uses_test_cell_X.ipynb", "lab3", functions={"predict": PREDICT_READS_GLOBALS},
         fail=("predict",), why="predict's body reads the global X of the predict test cell"),
    Real("colab_bug_predict_b_sign.ipynb", "colab", functions={"predict": fn(
        "v2021", "predict", ("np.dot(w.T, X) + b", "np.dot(w.T, X) - b"))}, fail=("predict",),
         edit=prepend_cells(COLAB_MOUNT, COLAB_CD)),
    Real("coursera_bug_model_hardcoded.ipynb", "coursera_2021", functions={"model": fn(
        "v2021", "model", ("X_train, Y_train, num_iterations, learning_rate, print_cost)",
                           "X_train, Y_train, num_iterations=2000, learning_rate=0.005, print_cost=True)"))},
         fail=("model",), edit=stale_outputs("v2021")),
    Real("lab_bug_cost_every_iteration_and_db.ipynb", "lab3", functions={
        "optimize": fn("v2021", "optimize", ("        if i % 100 == 0:\n            costs.append(cost)\n",
                                             "        costs.append(cost)\n        if i % 100 == 0:\n")),
        "propagate": fn("v2021", "propagate", ("db = 1 / m * np.sum(A - Y)", "db = 1 / m * np.sum(dw)"))},
         fail=("propagate", "optimize"), why="two bugs, two items"),
]


def real_cells(real: Real) -> list[Cell]:
    cells = base_cells(real.version, real.functions, inline_h5=real.inline_h5, py2_print=real.py2_print)
    real.edit(cells)
    return cells


INT_B = re.compile(r"^\s*b = 0$", re.M)


def noted_items(real: Real) -> list[str]:
    """Items that pass only through the contract's leniency, so their output must carry a note:
    ``b = 0`` (an int) from ``initialize_with_zeros``, a 1-element ``db`` from ``propagate``."""
    fns = {**S.FUNCTIONS[real.version], **real.functions}
    noted = []
    if INT_B.search(fns["initialize_with_zeros"]):
        noted.append("initialize_with_zeros")
    if "keepdims=True" in fns["propagate"]:
        noted.append("propagate")
    return [item for item in noted if item not in real.fail]


def real_label(real: Real) -> dict[str, Any]:
    label: dict[str, Any] = {"fail": list(real.fail)} if real.fail else {"score": 100}
    if noted_items(real):
        label["noted"] = noted_items(real)
    if STYLES[real.style].drop_count_key or (STYLES[real.style].ids and STYLES[real.style].minor < 5):
        label["nbformat_valid"] = False
    if real.why:
        label["why"] = real.why
    return label


# --------------------------------------------------------------------------- all files

def all_files() -> dict[str, str]:
    """Every generated file, by path relative to this folder."""
    files = {"logreg_nn.ipynb": dumps(render(starter_cells(), STARTER, "starter"))}
    correct = dumps(render(base_cells("v2021"), CLEAN, "correct"))
    files["examples/correct.ipynb"] = correct
    files["examples/correct.py"] = script_export(correct)
    for slip in SLIPS:
        files[f"examples/buggy/{slip.variant}.ipynb"] = dumps(render(with_slip(slip), CLEAN, slip.variant))
    labels = {}
    for real in REAL:
        files[f"examples/real/{real.name}"] = dumps(render(real_cells(real), STYLES[real.style], real.name))
        labels[real.name] = real_label(real)
    files["examples/real/labels.json"] = json.dumps(labels, indent=1, sort_keys=True) + "\n"
    return files


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed file differs")
    args = parser.parse_args(argv)
    stale = []
    for rel, text in all_files().items():
        path = HERE / rel
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(rel)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
