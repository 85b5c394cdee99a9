"""Turn a notebook (or a notebook exported to .py) into cells the sandbox runs in order.

No Jupyter kernel is started: the cells run in the same confined process as a
``.py`` submission, which is what makes a notebook cost about as much as a file.
IPython syntax is translated by IPython's own input transformers (magics become
``get_ipython().run_line_magic(...)`` calls, ``!cmd`` becomes ``.system(...)``),
and the runner's stand-in ``get_ipython()`` neutralises them.
"""

from __future__ import annotations

import json
import re
from grader.execution import Cell

EXPORT_MARKER = re.compile(r"^# In\[[ 0-9]*\]:\s*$", re.MULTILINE)


def cell_filename(filename: str, number: int) -> str:
    """How a cell is named in tracebacks and feedback."""
    return f"{filename}, cell {number}"


def _transform(source: str) -> str:
    """IPython syntax to plain Python; falls back to the raw text if IPython is absent."""
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    try:
        return TransformerManager().transform_cell(source)
    except Exception:  # noqa: BLE001 (a cell IPython cannot parse is run as is, and fails as is)
        return source


def notebook_cells(data: bytes, filename: str) -> tuple[list[Cell], str | None, list[str], str]:
    """Code cells of a notebook, or a reason it cannot be read; ``kind`` is ``ipynb`` or ``py``."""
    import nbformat

    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], f"{filename} is not UTF-8 text, so it is not a notebook", [], "ipynb"
    try:
        raw = json.loads(text)
    except ValueError as exc:
        if _looks_like_python(text):
            return python_cells(text.replace("\r\n", "\n"), filename), None, [
                f"{filename} is Python source, not notebook JSON; it was graded as a .py file"], "py"
        return [], f"{filename} is not a valid notebook (invalid JSON: {str(exc)[:120]}); re-save it from Jupyter", [], "ipynb"
    if not isinstance(raw, dict) or "cells" not in raw and "worksheets" not in raw:
        return [], f"{filename} is JSON but not a notebook (no cells)", [], "ipynb"
    notes: list[str] = []
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 (nbformat raises many kinds of errors on bad files)
        return [], f"{filename} could not be read as a notebook ({type(exc).__name__}: {str(exc)[:120]})", [], "ipynb"
    if raw.get("nbformat", 4) < 4:
        notes.append(f"{filename} is an nbformat {raw.get('nbformat')} notebook; it was upgraded to version 4")
    cells = []
    for number, cell in enumerate(notebook.cells, start=1):
        if cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        source = source.replace("\r\n", "\n")
        if source.strip():
            cells.append(Cell(_transform(source), cell_filename(filename, number), f"cell {number}"))
    if not cells:
        return [], f"{filename} has no code cells", notes, "ipynb"
    return cells, None, notes, "ipynb"


def _looks_like_python(text: str) -> bool:
    try:
        compile(text, "<check>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return bool(text.strip()) and not text.lstrip().startswith(("{", "["))


def python_cells(text: str, filename: str) -> list[Cell]:
    """A .py file is one cell, unless it is a notebook export (``# In[ ]:`` markers)."""
    if not EXPORT_MARKER.search(text):
        return [Cell(text, filename, filename)]
    cells = []
    pieces = EXPORT_MARKER.split(text)
    offset = 0
    for number, piece in enumerate(pieces):
        if piece.strip():
            padded = "\n" * offset + piece
            cells.append(Cell(padded, filename, f"{filename} (exported cell {number})"))
        offset += piece.count("\n") + 1
    return cells or [Cell(text, filename, filename)]
