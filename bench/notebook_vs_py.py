"""Benchmark: grading a notebook against grading the same code as a .py, and against nbclient.

    make bench-notebook            # or: .venv/bin/python bench/notebook_vs_py.py [--runs 7]

The correct example ``assignments/logreg2/examples/correct.py`` is graded as it is,
and as a notebook of the same text split into cells (JupyterLab 4 layout, a
markdown cell between code cells, its ``if __name__ == "__main__":`` demo included:
it runs in a notebook, as in Jupyter, and trains and plots).  Each grade is a whole
``python -m grader grade FILE --out ...`` process (interpreter start, zygote,
every rubric item, the report), as ``make grade`` runs it.  The same notebook is
then executed by nbclient in an ipykernel kernel, a whole process too, which is
what nbgrader and Otter pay per student before grading anything.

Runs alternate between the three so that machine load drifts affect them alike;
the medians and the ratios are printed.  Targets (issue 4): notebook grade <= 1.25 x
the .py grade, and the notebook's whole grade < nbclient merely executing it.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORRECT = ROOT / "assignments" / "logreg2" / "examples" / "correct.py"
PYTHON = sys.executable

NBCLIENT = """
import sys, nbformat
from nbclient import NotebookClient
notebook = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
"""


def notebook_text(source: str) -> str:
    """The .py split at its blank-line gaps into code cells, with markdown between them (nbformat 4.5)."""
    import nbformat

    chunks = [c.strip("\n") for c in re.split(r"\n{3,}", source) if c.strip()]
    cells = []
    for n, chunk in enumerate(chunks):
        cells.append(nbformat.v4.new_markdown_cell(f"### Step {n + 1}", id=f"md-{n:03d}"))
        cells.append(nbformat.v4.new_code_cell(chunk, id=f"code-{n:03d}"))
    notebook = nbformat.v4.new_notebook(cells=cells, metadata={
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"}})
    return nbformat.writes(notebook)


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"failed: {' '.join(command)}\n{done.stderr[-2000:]}")
    return seconds


def grade_command(path: Path, out: Path) -> list[str]:
    return [PYTHON, "-m", "grader", "grade", str(path), "--out", str(out)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="notebook vs .py grading, and nbclient execution")
    parser.add_argument("--runs", type=int, default=7, help="runs of each (default 7)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-notebook-") as tmp:
        folder = Path(tmp)
        py = folder / "logreg2.py"
        py.write_text(CORRECT.read_text(encoding="utf-8"), encoding="utf-8")
        ipynb = folder / "logreg2.ipynb"
        ipynb.write_text(notebook_text(py.read_text(encoding="utf-8")), encoding="utf-8")
        runs: dict[str, list[float]] = {"py": [], "ipynb": [], "nbclient": []}
        commands = {
            "py": grade_command(py, folder / "py.json"),
            "ipynb": grade_command(ipynb, folder / "ipynb.json"),
            "nbclient": [PYTHON, "-c", NBCLIENT, str(ipynb), str(folder)],
        }
        for name, command in commands.items():  # warm the file cache and check that everything works
            timed(command, ROOT)
        for path in ("py.json", "ipynb.json"):
            score = json.loads((folder / path).read_text())["score"]
            if score != 100:
                sys.exit(f"{path}: the correct example scored {score}, not 100")
        for run in range(args.runs):
            order = list(commands) if run % 2 == 0 else list(reversed(commands))
            for name in order:
                runs[name].append(timed(commands[name], ROOT))
    median = {name: statistics.median(times) for name, times in runs.items()}
    print(f"{'':28}{'median':>9}{'min':>9}{'max':>9}   ({args.runs} runs each, whole processes)")
    for name, label in (("py", "grade correct.py"), ("ipynb", "grade the same as .ipynb"),
                        ("nbclient", "nbclient execute .ipynb")):
        print(f"{label:28}{median[name]:8.3f}s{min(runs[name]):8.3f}s{max(runs[name]):8.3f}s")
    ratio_py = median["ipynb"] / median["py"]
    ratio_nbclient = median["ipynb"] / median["nbclient"]
    print(f"notebook grade / .py grade         = {ratio_py:.2f}   (target <= 1.25: {'met' if ratio_py <= 1.25 else 'NOT met'})")
    print(f"notebook grade / nbclient execute  = {ratio_nbclient:.2f}   (target < 1: {'met' if ratio_nbclient < 1 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
