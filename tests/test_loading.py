"""The contract's loading rules, end to end: what a statement or cell that fails costs, and what it keeps.

Each submission is built from the correct example plus the habit under test,
graded through the same API as the command line, and judged item by item.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from test_notebooks import CORRECT, assert_items, correct_cells, grade, jupyterlab4, write

CORRECT_TEXT = CORRECT.read_text(encoding="utf-8")


def py(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@pytest.fixture(scope="module")
def rubric(logreg2_rubric):
    return logreg2_rubric


@pytest.fixture(scope="module")
def zygote(shared_zygote):
    return shared_zygote


def notes(report: dict) -> list[str]:
    return [line for line in report["output"].splitlines() if line.startswith("Note:")]


# --------------------------------------------------------------------------- .py: statement by statement


def test_a_statement_that_raises_costs_only_itself(rubric, zygote, tmp_path):
    path = py(tmp_path, "logreg2.py", 'import numpy as np\nraise ValueError("not yet")\n' + CORRECT_TEXT)
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    assert report["extra_data"]["status"] == "graded"
    assert [n for n in notes(report) if "ValueError: not yet" in n and "(line 2)" in n], report["output"]


def test_an_unguarded_slow_demo_after_the_definitions_costs_only_itself(rubric, zygote, tmp_path):
    demo = "\nimport time\nfor _ in range(200):\n    time.sleep(0.1)\nprint('demo done')\n"
    path = py(tmp_path, "logreg2.py", CORRECT_TEXT + demo)
    report = grade(path, rubric, zygote, cell_seconds=2)
    assert_items(report, rubric)
    assert report["extra_data"]["status"] == "timeout"
    line = CORRECT_TEXT.count("\n") + 3
    assert [n for n in notes(report) if "did not finish within 2 s" in n and f"(line {line})" in n], report["output"]


@pytest.mark.parametrize("ending", ["import os\nos._exit(3)\n", "import sys\nsys.exit(1)\n",
                                    "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"])
def test_an_exit_between_definitions_keeps_both_sides(rubric, zygote, tmp_path, ending):
    half = CORRECT_TEXT.index("\ndef cost(")
    path = py(tmp_path, "logreg2.py", CORRECT_TEXT[:half] + "\n" + ending + CORRECT_TEXT[half:])
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)


def test_missing_modules_become_placeholders_and_are_named(rubric, zygote, tmp_path):
    head = "import pandas as pd\nimport h5py\nfrom lr_utils import load_dataset\ndata = load_dataset()\n"
    report = grade(py(tmp_path, "logreg2.py", head + CORRECT_TEXT), rubric, zygote)
    assert_items(report, rubric)
    said = [n for n in notes(report) if "pandas, h5py, lr_utils" in n]
    assert said and "numpy, math, matplotlib" in said[0], report["output"]
    assert [n for n in notes(report) if "MissingModuleError" in n and "(line 4)" in n], report["output"]


def test_a_missing_module_used_inside_a_graded_function_fails_that_item_only(rubric, zygote, tmp_path):
    text = CORRECT_TEXT.replace("def sigmoid(z):\n", "def sigmoid(z):\n    import scipy.special\n    return scipy.special.expit(z)\n", 1)
    report = grade(py(tmp_path, "logreg2.py", text), rubric, zygote)
    assert_items(report, rubric, broken={"sigmoid"})


def test_a_long_file_is_run_whole(rubric, zygote, tmp_path):
    docstring = '"""' + "\n".join("x" * 79 for _ in range(600)) + '\n"""\n'
    text = docstring + CORRECT_TEXT + "\n# " + "y" * 20_000 + "\nLAST = 1\n"
    assert len(text) > 60_000
    report = grade(py(tmp_path, "logreg2.py", text), rubric, zygote)
    assert_items(report, rubric)
    assert not notes(report), report["output"]


def test_a_coding_cookie_is_honoured(rubric, zygote, tmp_path):
    text = "# -*- coding: cp1252 -*-\n# R\u00e9sum\u00e9 \u2013 caf\u00e9\nNAME = 'Ren\u00e9e'\n" + CORRECT_TEXT
    report = grade(py(tmp_path, "logreg2.py", text.encode("cp1252")), rubric, zygote)
    assert_items(report, rubric)


def test_future_imports_apply_to_the_statements_after_them(rubric, zygote, tmp_path):
    text = "from __future__ import annotations\n" + CORRECT_TEXT.replace(
        "def update(w, b, dw, db, alpha):", "def update(w: Undefined, b, dw, db, alpha) -> Undefined:", 1)
    report = grade(py(tmp_path, "logreg2.py", text), rubric, zygote)
    assert_items(report, rubric)
    assert not notes(report), report["output"]


def test_choosing_a_matplotlib_backend_is_harmless(rubric, zygote, tmp_path):
    head = "import matplotlib\nmatplotlib.use('TkAgg')\nimport matplotlib.pyplot as plt\nplt.switch_backend('TkAgg')\nplt.plot([1, 2])\nplt.show()\n"
    report = grade(py(tmp_path, "logreg2.py", head + CORRECT_TEXT), rubric, zygote)
    assert_items(report, rubric)
    assert not notes(report), report["output"]


def test_code_too_long_to_send_is_refused_with_its_size(rubric, zygote, tmp_path):
    text = CORRECT_TEXT + "\n" + ("# " + "z" * 98 + "\n") * 41_000
    report = grade(py(tmp_path, "logreg2.py", text), rubric, zygote)
    assert report["score"] == 0 and report["extra_data"]["status"] == "load_error"
    assert "the limit is 4,000,000" in report["tests"][0]["output"].replace("\\", "")  # Markdown-escaped


# --------------------------------------------------------------------------- notebooks: cell by cell


def test_a_cell_that_raises_keeps_what_it_defined_before(rubric, zygote, tmp_path):
    cells = correct_cells()
    index = next(i for i, c in enumerate(cells) if "def sigmoid(" in c)
    cost = next(i for i, c in enumerate(cells) if "def cost(" in c)
    cells[index] = cells[index] + "\nraise RuntimeError('half done')\n" + cells[cost]
    del cells[cost]
    report = grade(write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False)), rubric, zygote)
    # As in Jupyter: sigmoid (before the exception) is defined; cost (after it, same cell) is not.
    assert_items(report, rubric, broken={"cost"})


def test_a_cell_that_hangs_keeps_what_it_defined_before(rubric, zygote, tmp_path):
    cells = correct_cells()
    index = next(i for i, c in enumerate(cells) if "def update(" in c)
    cells[index] = cells[index] + "\nwhile True:\n    pass\n"
    report = grade(write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False)), rubric, zygote, cell_seconds=1)
    assert_items(report, rubric)
    assert report["extra_data"]["status"] == "timeout"


def test_a_first_cell_with_numpy_and_a_missing_module_keeps_numpy(rubric, zygote, tmp_path):
    cells = correct_cells()
    cells[0] = "import numpy as np\nimport h5py\nimport scipy\nfrom PIL import Image\nfrom lr_utils import load_dataset\n" + cells[0]
    cells.insert(1, "train_x, train_y, test_x, test_y, classes = load_dataset()")
    report = grade(write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False)), rubric, zygote)
    assert_items(report, rubric)
    assert [n for n in notes(report) if "h5py, scipy, lr_utils" in n], report["output"]


@pytest.mark.parametrize("second", ["import logreg2", "from logreg2 import *", "import logreg2 as lr"])
def test_colab_writefile_then_import(rubric, zygote, tmp_path, second):
    cells = ["%%writefile logreg2.py\n" + CORRECT_TEXT, second, "print(logreg2.sigmoid(0.0)) if 'logreg2' in dir() else None"]
    report = grade(write(tmp_path, "Copy_of_logreg2.ipynb", jupyterlab4(cells, outputs=False)), rubric, zygote)
    assert_items(report, rubric)


def test_the_load_budget_ends_a_notebook_of_slow_cells(rubric, zygote, tmp_path):
    cells = correct_cells() + ["import time\ntime.sleep(0.8)"] * 40 + ["LATE = 1\ndef late():\n    return 1"]
    started = time.monotonic()
    report = grade(write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False)), rubric, zygote,
                   cell_seconds=2, load_seconds=3)
    assert time.monotonic() - started < 20
    assert_items(report, rubric)
    assert report["extra_data"]["status"] == "timeout"
    assert [n for n in notes(report) if "limit of 3 s" in n], report["output"]


def test_many_trivial_cells_load_quickly(rubric, zygote, tmp_path):
    cells = correct_cells() + [f"x{i} = {i}" for i in range(20_000)]
    started = time.monotonic()
    report = grade(write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False)), rubric, zygote)
    assert time.monotonic() - started < 30
    assert_items(report, rubric)


def test_a_notebook_nested_too_deeply_gets_a_one_line_reason(rubric, zygote, tmp_path):
    path = tmp_path / "logreg2.ipynb"
    path.write_text('{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}")
    report = grade(path, rubric, zygote)
    assert report["score"] == 0 and report["extra_data"]["status"] == "load_error"
    assert "nested too deeply" in report["tests"][0]["output"]
    json.dumps(report, allow_nan=False)
