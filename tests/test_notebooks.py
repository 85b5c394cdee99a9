"""Notebook submissions, end to end: notebooks saved the way real tools save them, graded in-process.

Every notebook is built here from the correct example (one cell per function) and
the one-bug examples, in the JSON layout of the tool that would have saved it, and
graded through the same API as the command line.  Each test asserts the score of
every rubric item, not just the total.
"""

from __future__ import annotations

import ast
import base64
import importlib.util
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grader.checking.grading import grade_path, limits_for
from grader.submission.notebook import notebook_cells, python_cells, translate
from grader.reporting.report import build_report, validate

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "assignments" / "logreg2" / "examples"
CORRECT = EXAMPLES / "correct.py"
BUGGY = EXAMPLES / "buggy"
STARTER = ROOT / "assignments" / "logreg2" / "logreg2.py"
STARTER_NOTEBOOK = ROOT / "assignments" / "logreg2" / "logreg2.ipynb"
GENERATOR = ROOT / "assignments" / "build_starter_notebook.py"

# A 1.5 MB PNG-like payload, as a saved plot or a pasted screenshot would be.
BIG_IMAGE = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 6000).decode()


# --------------------------------------------------------------------------- sources


def function_source(path: Path, name: str) -> str:
    """One top-level function of an example file, verbatim."""
    text = path.read_text(encoding="utf-8")
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return ast.get_source_segment(text, node)
    raise KeyError(f"{path.name} does not define {name}")


def _chunks() -> list[str]:
    text = CORRECT.read_text(encoding="utf-8")
    return [chunk.strip("\n") for chunk in re.split(r"\n{3,}", text) if chunk.strip()]


def correct_cells() -> list[str]:
    """The correct example split as a student's notebook would be: the imports, then one cell per function."""
    return [chunk for chunk in _chunks() if not chunk.startswith("if __name__")]


def demo_cell() -> str:
    """The example's ``if __name__ == "__main__":`` demo (trains and plots); it runs in a notebook, as in Jupyter."""
    return next(chunk for chunk in _chunks() if chunk.startswith("if __name__"))


def with_function(cells: list[str], name: str, source: str) -> list[str]:
    """The cells with the cell defining ``name`` replaced."""
    marker = f"def {name}("
    return [source if marker in cell else cell for cell in cells]


def buggy(file: str, name: str) -> str:
    return function_source(BUGGY / file, name)


def starter(name: str) -> str:
    return function_source(STARTER, name)


# --------------------------------------------------------------------------- notebook layouts


def _lines(source: str, newline: str = "\n") -> list[str]:
    """Jupyter saves a source as a list of lines, each but the last ending in a newline."""
    return [line.replace("\n", newline) for line in source.splitlines(keepends=True)]


def jupyterlab4(cells: list[Any], outputs: bool = True) -> dict:
    """nbformat 4.5 with cell ids, as JupyterLab 4 and Notebook 7 save it; outputs saved, a big image among them."""
    out = []
    for n, cell in enumerate(cells):
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        entry: dict[str, Any] = {"cell_type": kind, "id": f"{n:08x}-5f3c-4a7e-9b1d", "metadata": {}, "source": _lines(source)}
        if kind == "code":
            entry["execution_count"] = n + 1
            entry["outputs"] = [
                {"name": "stdout", "output_type": "stream", "text": ["ok\n"]},
                {"output_type": "display_data", "metadata": {},
                 "data": {"image/png": BIG_IMAGE, "text/plain": ["<Figure size 640x480 with 1 Axes>"]}},
            ] if outputs and n == 1 else []
        out.append(entry)
    return {"cells": out, "nbformat": 4, "nbformat_minor": 5,
            "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                         "language_info": {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                                           "mimetype": "text/x-python", "name": "python", "version": "3.11.4"}}}


def classic(cells: list[Any], minor: int) -> dict:
    """nbformat 4.2 or 4.4 without cell ids, as the classic Notebook (6.x and earlier) saves it."""
    out = []
    for n, cell in enumerate(cells):
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        entry: dict[str, Any] = {"cell_type": kind, "metadata": {"collapsed": False} if minor == 2 and kind == "code" else {},
                                 "source": _lines(source)}
        if kind == "code":
            entry.update(execution_count=None, outputs=[])
        out.append(entry)
    return {"cells": out, "nbformat": 4, "nbformat_minor": minor,
            "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                         "language_info": {"name": "python", "version": "3.6.9"}}}


def colab(cells: list[Any]) -> dict:
    """Google Colab: nbformat 4.0, colab metadata everywhere, no language in the kernelspec."""
    out = []
    for n, cell in enumerate(cells):
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        entry: dict[str, Any] = {"cell_type": kind, "metadata": {"id": f"Xq{n:04d}abcD"}, "source": _lines(source)}
        if kind == "code":
            entry["metadata"].update(colab={"base_uri": "https://localhost:8080/"}, outputId=f"{n:04x}-out")
            entry.update(execution_count=None, outputs=[])
        out.append(entry)
    return {"nbformat": 4, "nbformat_minor": 0, "cells": out,
            "metadata": {"colab": {"provenance": [], "name": "logreg2.ipynb", "toc_visible": True},
                         "kernelspec": {"name": "python3", "display_name": "Python 3"},
                         "language_info": {"name": "python"}, "accelerator": "GPU"}}


def vscode(cells: list[Any]) -> dict:
    """VS Code's Jupyter extension: nbformat 4.2, vscode metadata, a languageId on each cell."""
    out = []
    for cell in cells:
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        language = "python"
        if kind == "shell":
            kind, language = "code", "shellscript"
        entry: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": _lines(source)}
        if kind == "code":
            entry["metadata"] = {"vscode": {"languageId": language}}
            entry.update(execution_count=None, outputs=[])
        out.append(entry)
    return {"cells": out, "nbformat": 4, "nbformat_minor": 2,
            "metadata": {"kernelspec": {"display_name": ".venv", "language": "python", "name": "python3"},
                         "language_info": {"name": "python", "version": "3.12.1"},
                         "vscode": {"interpreter": {"hash": "3c1e5a0b7f"}}}}


def version3(cells: list[Any]) -> dict:
    """nbformat 3 (IPython 1-3): worksheets, ``input`` instead of ``source``, heading cells."""
    out = []
    for n, cell in enumerate(cells):
        kind, source = cell if isinstance(cell, tuple) else ("code", cell)
        if kind == "code":
            out.append({"cell_type": "code", "collapsed": False, "input": _lines(source), "language": "python",
                        "metadata": {}, "outputs": [], "prompt_number": n + 1})
        else:
            out.append({"cell_type": "heading", "level": 2, "metadata": {}, "source": _lines(source)})
    return {"metadata": {"name": "", "signature": "sha256:0"}, "nbformat": 3, "nbformat_minor": 0,
            "worksheets": [{"cells": out, "metadata": {}}]}


def write(folder: Path, name: str, notebook: dict, indent: int = 1) -> Path:
    path = folder / name
    path.write_text(json.dumps(notebook, indent=indent, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


# --------------------------------------------------------------------------- grading


@pytest.fixture(scope="module")
def rubric(logreg2_rubric):
    return logreg2_rubric


@pytest.fixture(scope="module")
def zygote(shared_zygote):
    return shared_zygote


def grade(path: Path, rubric, zygote, **limits) -> dict:
    result = grade_path(path, rubric, zygote, limits_for(rubric, limits))
    report = build_report(result)
    validate(report, rubric)
    return report


def item_functions(rubric) -> dict[str, set[str]]:
    return {item.id: {check.function for check in item.checks} for item in rubric.items}


def assert_items(report: dict, rubric, broken: set[str] = frozenset()) -> None:
    """Every item passes with full marks, except the items of the ``broken`` functions, which lose points."""
    functions = item_functions(rubric)
    got = {t["extra_data"]["item"]: (t["score"], t["max_score"]) for t in report["tests"]}
    expected_fail = {item for item, names in functions.items() if names & set(broken)}
    wrong = {item: got[item] for item in got
             if (item in expected_fail) != (got[item][0] < got[item][1])}
    details = "\n".join(t["output"] for t in report["tests"] if t["extra_data"]["item"] in wrong)
    assert not wrong, f"unexpected item outcomes {wrong} (expected failing: {sorted(expected_fail)})\n{report['output']}\n{details}"


def assert_not_graded(report: dict, rubric, reason: str) -> None:
    assert report["score"] == 0
    assert all(t["score"] == 0 and t["status"] == "failed" for t in report["tests"])
    assert [t["extra_data"]["item"] for t in report["tests"]] == [i.id for i in rubric.items]
    first = report["tests"][0]["extra_data"]["headline"]
    assert first.startswith("Not graded:") and reason in first and "\n" not in report["tests"][0]["output"], first


# --------------------------------------------------------------------------- tools' layouts


def test_jupyterlab4_with_outputs_and_a_big_image(rubric, zygote, tmp_path):
    cells: list[Any] = [("markdown", "# Logistic regression, part 2\nMy notebook.")]
    for cell in correct_cells() + [demo_cell()]:
        cells.append(cell)
        cells.append(("markdown", "Next function:"))
    # In Jupyter __name__ is "__main__": a definition under that guard must count.
    cells = [c.replace("def graph_forward(", 'if __name__ == "__main__":\n  def graph_forward(').replace(
        "\n    u = b * c\n    v = a + u\n    J = 2 * v\n    return u, v, J", "\n    u = b * c\n    return u, a + u, 2 * (a + u)")
        if isinstance(c, str) else c for c in cells]
    path = write(tmp_path, "logreg2.ipynb", jupyterlab4(cells))
    assert path.stat().st_size > 1_500_000
    nbformat.validate(nbformat.read(path, as_version=4))
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    assert report["score"] == rubric.total
    assert "iterations:" in report["output"] and "raised" not in report["output"], report["output"]  # the demo ran


def test_classic_notebook_4_2_with_one_bug(rubric, zygote, tmp_path):
    cells = with_function(correct_cells(), "sigmoid", buggy("sigmoid_exp_plus.py", "sigmoid"))
    path = write(tmp_path, "logreg2.ipynb", classic(cells, minor=2))
    assert_items(grade(path, rubric, zygote), rubric, broken={"sigmoid"})


def test_classic_notebook_4_4(rubric, zygote, tmp_path):
    cells = with_function(correct_cells(), "cost", buggy("cost_summed.py", "cost"))
    path = write(tmp_path, "logreg2.ipynb", classic(cells, minor=4), indent=2)
    assert_items(grade(path, rubric, zygote), rubric, broken={"cost"})


def test_colab_notebook_with_pip_drive_and_uploads(rubric, zygote, tmp_path):
    cells: list[Any] = [
        ("markdown", "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/)"),
        "!pip install -q numpy matplotlib",
        "from google.colab import drive\ndrive.mount('/content/drive')",
        "from google.colab import files\nuploaded = files.upload()\nfor name in uploaded:\n    print(name)",
        "import google.colab.output\ngoogle.colab.output.enable_custom_widget_manager()",
        "import matplotlib.pyplot as plt\nplt.plot([0, 1], [1, 0])\nplt.show()\ndisplay(plt.gcf())\nfiles.download('plot.png')",
    ] + correct_cells()
    path = write(tmp_path, "Copy_of_logreg2.ipynb", colab(cells), indent=2)
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    assert "!pip install -q numpy matplotlib" in report["output"]
    assert "raised" not in report["output"], report["output"]


def test_vscode_notebook_skips_cells_in_another_language(rubric, zygote, tmp_path):
    cells: list[Any] = [("shell", "ls -la data/"), ("markdown", "## Part 1")] + correct_cells()
    path = write(tmp_path, "logreg2.ipynb", vscode(cells))
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    assert "another language" in report["output"] and "shellscript" in report["output"]


# --------------------------------------------------------------------------- IPython syntax


def test_magics_shell_escapes_and_help(rubric, zygote, tmp_path):
    cells = correct_cells()
    make_update = function_source(CORRECT, "update").replace("\n", "\n    ")
    cells = [
        "%matplotlib inline\n%load_ext autoreload\n%autoreload 2",
        "!ls -la\nfiles = !ls\nprint(len(files))",
        *[c for c in cells if "def update(" not in c and "def sigmoid(" not in c and "def cost(" not in c],
        "%%time\n" + function_source(CORRECT, "sigmoid"),              # the body of %%time runs, as in Jupyter
        "%%capture captured\n" + function_source(CORRECT, "cost"),     # so does the body of %%capture
        f"def _make_update():\n    {make_update}\n    return update",
        "%time update = _make_update()",                               # %time runs its statement
        "%timeit sigmoid(0.5)\nsigmoid?\n??cost",
        "def show():\n    !echo hello\n    return 1\nshow()",
        "%%bash\necho not run",
    ]
    path = write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False))
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    note = next(line for line in report["output"].splitlines() if "IPython commands were not run" in line)
    for command in ("%matplotlib inline", "!ls -la", "!ls", "%timeit sigmoid(0.5)", "%pinfo sigmoid",
                    "!echo hello", "%%bash"):
        assert command in note, note
    assert "raised" not in report["output"], report["output"]


def test_notebook_export_with_get_ipython_calls(rubric, zygote, tmp_path):
    """``jupyter nbconvert --to script`` output: graded as its notebook, cell by cell."""
    cells = ["get_ipython().run_line_magic('matplotlib', 'inline')", "X = np.loadtxt('train.csv')",
             *correct_cells(), "get_ipython().system('pip install numpy')"]
    body = "".join(f"# In[{n}]:\n\n\n{cell}\n\n\n" for n, cell in enumerate(cells, start=1))
    path = tmp_path / "logreg2.py"
    path.write_text("#!/usr/bin/env python\n# coding: utf-8\n\n" + body, encoding="utf-8")
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    assert "logreg2.py, cell In[2] raised NameError: name 'np' is not defined (line 13)" in report["output"], report["output"]


def test_input_returns_at_once(rubric, zygote, tmp_path):
    cells = ['name = input("What is your name? ")\nprint("Hello", name)',
             'alpha = float(input("Learning rate: ") or 0.1)'] + correct_cells()
    path = write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False))
    started = time.monotonic()
    report = grade(path, rubric, zygote, cell_seconds=5)
    assert time.monotonic() - started < 30
    assert_items(report, rubric)
    assert "Hello" in report["output"] and "raised" not in report["output"]


# --------------------------------------------------------------------------- cells that fail


def test_erroring_cells_before_correct_definitions(rubric, zygote, tmp_path):
    cells = correct_cells()
    cells = ["print(X_train.shape)", cells[0], "data = np.loadtxt('train.csv', delimiter=',')", *cells[1:]]
    path = write(tmp_path, "logreg2.ipynb", classic(cells, minor=4))
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    out = report["output"]
    assert 'code cell 1 ("print(X_train.shape)") raised NameError' in out, out
    assert "code cell 3 (\"data = np.loadtxt('train.csv', delimi...\") raised FileNotFoundError" in out, out


def test_cell_that_raises_keeps_what_it_defined_before(rubric, zygote, tmp_path):
    """As in Jupyter: a function defined above the failing line of its cell is defined."""
    cells = with_function(correct_cells(), "sigmoid",
                          function_source(CORRECT, "sigmoid") + "\n\nprint(sigmoid(np.array(z_values)))")
    path = write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False))
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    assert "NameError: name 'z_values' is not defined (line 4)" in report["output"], report["output"]


def test_endless_cell_after_definitions_is_stopped(rubric, zygote, tmp_path):
    cells = correct_cells()
    late = next(c for c in cells if "def gradient_descent(" in c)
    cells = [c for c in cells if c is not late]
    cells += ["# train until it converges\nw, b = np.zeros(2), 0.0\nwhile True:\n"
              "    dw, db = gradients_vectorized(w, b, np.ones((4, 2)), np.ones(4))\n    w, b = update(w, b, dw, db, 0.1)",
              late]  # a definition after the endless cell still counts
    path = write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False))
    started = time.monotonic()
    report = grade(path, rubric, zygote, cell_seconds=2, call_seconds=2)
    assert time.monotonic() - started < 30
    assert_items(report, rubric)
    assert 'code cell 14 ("# train until it converges") did not finish within 2 s' in report["output"], report["output"]
    assert report["extra_data"]["status"] == "timeout"  # the README's status for a cell that ran out of time


def test_function_defined_twice_last_definition_counts(rubric, zygote, tmp_path):
    cells = correct_cells()
    cells = [buggy("b_updated_with_dw.py", "update") if "def update(" in c else c for c in cells]
    cells += [buggy("sigmoid_exp_plus.py", "sigmoid"),      # correct, then buggy: the bug counts
              function_source(CORRECT, "update")]            # buggy, then correct: the fix counts
    path = write(tmp_path, "logreg2.ipynb", jupyterlab4(cells, outputs=False))
    report = grade(path, rubric, zygote)
    assert_items(report, rubric, broken={"sigmoid"})
    assert "sigmoid() is defined in code cells 6 and 15" in report["output"], report["output"]
    assert "update() is defined in code cells 13 and 16" in report["output"], report["output"]


def test_not_implemented_left_in_some_cells(rubric, zygote, tmp_path):
    cells = correct_cells()
    for name in ("graph_backward", "loss", "gradients_loop"):
        cells = with_function(cells, name, starter(name))
    path = write(tmp_path, "logreg2.ipynb", classic(cells, minor=4))
    report = grade(path, rubric, zygote)
    assert_items(report, rubric, broken={"graph_backward", "loss", "gradients_loop"})
    graded = {t["extra_data"]["item"]: t["output"] for t in report["tests"]}
    assert "NotImplementedError" in graded["graph_backward"]


def test_starter_notebook_grades_to_zero(rubric, zygote):
    report = grade(STARTER_NOTEBOOK, rubric, zygote)
    assert report["score"] == 0
    missing = [t["output"] for t in report["tests"] if "NotImplementedError" not in t["output"]]
    assert not missing, missing


def test_completed_starter_notebook_scores_full_marks(rubric, zygote, tmp_path):
    """A student fills in every function of the shipped starter notebook and submits it."""
    notebook = json.loads(STARTER_NOTEBOOK.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        name = re.match(r"def (\w+)\(", source)
        if cell["cell_type"] == "code" and name:
            cell["source"] = function_source(CORRECT, name.group(1))
    path = write(tmp_path, "logreg2.ipynb", notebook)
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    assert "iterations:" in report["output"] and "raised" not in report["output"], report["output"]
    assert "-m grader check logreg2.ipynb" in report["output"]  # the self-check cell is not run when grading


# --------------------------------------------------------------------------- files that are not (quite) notebooks


def test_version_3_notebook_is_upgraded(rubric, zygote, tmp_path):
    cells: list[Any] = [("heading", "Logistic regression")] + with_function(
        correct_cells(), "update", buggy("update_in_place.py", "update"))
    path = write(tmp_path, "logreg2.ipynb", version3(cells))
    report = grade(path, rubric, zygote)
    assert_items(report, rubric, broken={"update"})
    assert "nbformat 3 notebook; it was upgraded to version 4" in report["output"]


def test_non_ascii_names_and_windows_line_endings(rubric, zygote, tmp_path):
    cells = correct_cells()
    cells = with_function(cells, "sigmoid", "def σ(z):\n    # σ(z) = 1 / (1 + e^(−z)), « naïve »\n"
                                            "    return 1 / (1 + np.exp(-z))\n\n\ndef sigmoid(z):\n    return σ(z)")
    cells.insert(1, 'α = 0.5  # taux d\'apprentissage\nétiquette = "élève"\nprint(f"α = {α}, {étiquette}")')
    notebook = jupyterlab4([("markdown", "# Régression logistique — partie 2")] + cells, outputs=False)
    for cell in notebook["cells"]:
        cell["source"] = [line.replace("\n", "\r\n") for line in cell["source"]]
    path = write(tmp_path, "élève_tâche.ipynb", notebook)
    assert b"\\r\\n" in path.read_bytes()
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    assert report["extra_data"]["student"] == "élève_tâche"
    assert "α = 0.5, élève" in report["output"]


def test_python_text_saved_as_ipynb_is_graded_as_python(rubric, zygote, tmp_path):
    path = tmp_path / "logreg2.ipynb"
    path.write_text(CORRECT.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")
    report = grade(path, rubric, zygote)
    assert_items(report, rubric)
    assert "holds Python source, not notebook JSON; it was graded as a .py file" in report["output"]


@pytest.mark.parametrize("content, reason", [
    (b"", "is empty (0 bytes)"),
    (b"  \n\n", "is blank"),
    (b'{"cells": [{"cell_type": "code", "source": "import numpy as np", "metadata": {}',
     "is truncated"),
    (b"<html><body>404 Not Found</body></html>", "invalid JSON at line 1 column 1"),
    (b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5,}', "invalid JSON"),
    (b'["not", "a", "notebook"]', "is JSON but not a notebook"),
    (b"\xff\xfe{\x00}\x00", "is not UTF-8 text"),
    (json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "# only text"}], "metadata": {},
                 "nbformat": 4, "nbformat_minor": 5}).encode(), "has no code cells"),
    (json.dumps(classic(["", "   \n"], minor=4)).encode(), "has no code (its 2 code cells are empty)"),
    (json.dumps({"nbformat": "four", "cells": []}).encode(), "could not be read as a notebook"),
])
def test_unreadable_notebooks_get_a_report_with_one_reason(content, reason, rubric, zygote, tmp_path):
    path = tmp_path / "logreg2.ipynb"
    path.write_bytes(content)
    assert_not_graded(grade(path, rubric, zygote), rubric, reason)


def test_truncated_real_notebook(rubric, zygote, tmp_path):
    text = json.dumps(jupyterlab4(correct_cells()), indent=1)
    path = tmp_path / "logreg2.ipynb"
    path.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    assert_not_graded(grade(path, rubric, zygote), rubric, "ends in the middle of the notebook (the file is truncated")


# --------------------------------------------------------------------------- commands and the starter


def test_make_grade_grades_a_notebook(tmp_path):
    name = f"nb_make_grade_{int(time.time() * 1000)}"
    path = write(tmp_path, f"{name}.ipynb", colab(["!pip install numpy"] + correct_cells()))
    report_path = ROOT / "reports" / f"{name}.json"
    try:
        done = subprocess.run(["make", "-s", "grade", f"STUDENT={path}"], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        assert "100/100" in done.stdout, done.stdout
        report = json.loads(report_path.read_text(encoding="utf-8"))
        assert report["score"] == 100 and report["extra_data"]["file"] == f"{name}.ipynb"
    finally:
        report_path.unlink(missing_ok=True)


def _generator():
    spec = importlib.util.spec_from_file_location("build_starter_notebook", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_starter_notebook_is_generated_from_the_py_starter():
    generated = _generator().build(STARTER)
    assert STARTER_NOTEBOOK.read_text(encoding="utf-8") == generated, \
        "assignments/logreg2/logreg2.ipynb is stale: run `python assignments/build_starter_notebook.py`"
    notebook = nbformat.reads(generated, as_version=4)
    nbformat.validate(notebook)
    code = "\n".join(c.source for c in notebook.cells if c.cell_type == "code")
    for node in ast.parse(STARTER.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef):
            assert function_source(STARTER, node.name) in code
    markdown = "\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    assert "## Part 4" in markdown and r"\frac{\partial J}{\partial b}" in markdown


# --------------------------------------------------------------------------- translation (no sandbox)


def test_plain_python_cells_are_not_touched():
    source = "\n\nx = 1  # %matplotlib is only a comment here\ns = '!ls'\n"
    assert translate(source) == source


def test_ipython_cells_keep_their_line_numbers():
    assert translate("\n\n!ls\nx = 1\n").splitlines()[:4] == ["", "", "get_ipython().system('ls')", "x = 1"]
    body = translate("%%time\ndef f():\n    !ls\n    return 1\n")
    assert body.splitlines()[1] == "def f():" and "get_ipython().system('ls')" in body
    assert translate("def f(:\n") == "def f(:\n"  # a real syntax error is left to fail as itself


def test_transformer_does_not_import_ipython():
    code = ("import sys\nfrom grader.submission.notebook import translate\n"
            "assert 'run_line_magic' in translate('%matplotlib inline')\n"
            "assert 'IPython' not in sys.modules, 'IPython was imported'\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_export_markers_split_cells_with_file_line_numbers():
    cells = python_cells("# coding: utf-8\n\n# In[1]:\n\n\nx = 1\n\n\n# In[ ]:\n\n\n!ls\ny = 2\n", "sub.py")
    assert [c.label for c in cells] == ["notebook setup", "sub.py, cell In[1]", "sub.py, cell 2"]
    assert cells[2].source.splitlines()[11:13] == ["get_ipython().system('ls')", "y = 2"]


def test_notebook_cells_skip_outputs_and_markdown():
    data = json.dumps(jupyterlab4([("markdown", "# t"), "import numpy as np", "!pip install x"])).encode()
    cells, problem, notes, kind = notebook_cells(data, "n.ipynb")
    assert problem is None and kind == "ipynb" and notes == []
    assert [c.label for c in cells] == ["notebook setup", 'code cell 1 ("import numpy as np")', 'code cell 2 ("!pip install x")']
    assert cells[2].source.strip() == "get_ipython().system('pip install x')"
