"""Turn a notebook (or a notebook exported to .py) into cells the sandbox runs in order.

No Jupyter kernel is started: the cells run in the same confined process as a
``.py`` submission, which is what makes a notebook cost about as much as a file.

- Notebooks are read with ``nbformat`` (any 4.x; version 3 and older upgraded by
  its converter) without its schema validation: a notebook a tool saved a little
  off-schema still has code worth grading.  Only the code cells' sources are
  used; saved outputs (images included) are never looked at.
- A cell that is plain Python is sent as it is.  A cell with IPython syntax
  (magics, ``!`` commands, ``?`` help) is translated by IPython's own input
  transformers, exactly as Jupyter does, and the runner's stand-in
  ``get_ipython()`` neutralises what cannot run in a sandbox.  The transformer
  module is loaded on its own, without importing the IPython package (which
  would cost most of a second per grade).
- ``%%time`` and ``%%capture`` cells run their body as a normal cell, so errors
  in them name the right cell and line.
- A first setup cell sets ``__name__ = "__main__"``, as in Jupyter.

Nothing here runs student code: sources are only decoded, parsed and compiled.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import sys
import types
from typing import Any, Callable

from grader.limits import CAPS
from grader.submission.cell import Cell

EXPORT_MARKER = re.compile(r"^# In\[([ 0-9]*)\]:[ \t]*$", re.MULTILINE)  # nbconvert --to script
BODY_CELL_MAGIC = re.compile(r"\A\s*%%(time|capture)\b[^\n]*(\n|\Z)")
ASSIGNED_ESCAPE = re.compile(r"=[ \t]*[!%]")  # files = !ls, x = %timeit -o f()
# Parsing and translating run in the grader, so they are bounded per source and per submission
# (a few hundred kilobytes of pathological code cost seconds).  Beyond the bounds a source is
# sent as it is, and runs (or fails) in the sandbox like any other.
MAX_PARSED = CAPS.cell_parse_chars  # characters of one source that may be compiled here
MAX_TRANSLATED = CAPS.cell_translate_chars  # characters of one source that may go through IPython's transformer
MAX_PARSED_TOTAL = CAPS.parse_chars  # characters compiled here per submission
MAX_TRANSLATED_TOTAL = CAPS.translate_chars  # characters translated per submission
SETUP_SOURCE = '__name__ = "__main__"\n'
SNIPPET = 40

Result = tuple[list[Cell], "str | None", list[str], str]


def cell_filename(filename: str, number: int) -> str:
    """How a cell is named in tracebacks: ``File "logreg2.ipynb, code cell 3", line 2``."""
    return f"{filename}, code cell {number}"


def setup_cell(filename: str) -> Cell:
    """Make the notebook's namespace look like Jupyter's: ``__name__ == "__main__"``."""
    return Cell(SETUP_SOURCE, f"{filename}, setup", "notebook setup")


# --------------------------------------------------------------------------- IPython syntax


_TRANSFORM: Callable[[str], str] | None = None


def _load_transformer() -> Callable[[str], str]:
    """IPython's ``TransformerManager().transform_cell``, loaded cheaply.

    ``inputtransformer2`` needs nothing of IPython but ``utils/tokenutil``; loading
    those two files alone takes about 15 ms where ``import IPython`` takes most of a
    second.  If the files are not what we expect (another IPython version), the
    ordinary import is used; without IPython, sources are left as they are.
    """
    global _TRANSFORM
    if _TRANSFORM is not None:
        return _TRANSFORM
    transform: Callable[[str], str] = lambda source: source  # noqa: E731
    try:
        if "IPython" in sys.modules:
            raise LookupError("already imported: use it")
        spec = importlib.util.find_spec("IPython")
        if spec is None or spec.origin is None:
            raise LookupError("IPython is not installed")
        root = os.path.dirname(spec.origin)
        tokenutil = _load_file("_grader_ipython_tokenutil", os.path.join(root, "utils", "tokenutil.py"), {})
        path = os.path.join(root, "core", "inputtransformer2.py")
        module = _load_file("_grader_ipython_inputtransformer2", path,
                            {"from IPython.utils import tokenutil\n": "\n"}, tokenutil=tokenutil)
        transform = module.TransformerManager().transform_cell
    except Exception:  # noqa: BLE001 (any surprise: fall back to the regular import)
        try:
            from IPython.core.inputtransformer2 import TransformerManager

            transform = TransformerManager().transform_cell
        except Exception:  # noqa: BLE001 (no IPython at all: cells are run as written)
            pass
    _TRANSFORM = transform
    return transform


def _load_file(name: str, path: str, replace: dict[str, str], **preset: Any) -> types.ModuleType:
    with open(path, encoding="utf-8") as f:
        source = f.read()
    for old, new in replace.items():
        if old not in source:
            raise LookupError(f"{path} has changed")
        source = source.replace(old, new, 1)
    if re.search(r"^\s*(from|import)\s+IPython\b", source, re.MULTILINE):
        raise LookupError(f"{path} imports more of IPython")
    module = types.ModuleType(name)
    module.__file__ = path
    module.__dict__.update(preset)
    exec(compile(source, path, "exec"), module.__dict__)  # IPython's own file, not student code
    return module


def _may_be_ipython(source: str) -> bool:
    """Whether a source shows any IPython-only form; one without any is Python (or a plain error).

    Every such form starts a line with an escape (``% %% ! !! ? ?? , ; /``), ends
    one with ``?``, assigns from ``!`` or ``%``, indents the whole cell, or starts
    with a prompt (``>>>``, ``In [1]:``).
    """
    if source.lstrip("\n")[:1] in (" ", "\t"):
        return True
    for line in source.split("\n"):
        text = line.strip(" \t")
        if text and (text[0] in "%!?,;/" or text[-1] == "?" or text.startswith((">>>", "In ["))):
            return True
    return ("!" in source or "%" in source) and ASSIGNED_ESCAPE.search(source) is not None


def _compiles(source: str) -> bool:
    """Whether ``source`` is valid Python (callers bound its size: see ``Budget``)."""
    try:
        compile(source, "<cell>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
        return False
    return True


class Budget:
    """How much more source the grader will parse, and translate, for one submission."""

    def __init__(self) -> None:
        self.parse = MAX_PARSED_TOTAL
        self.translate = MAX_TRANSLATED_TOTAL

    def take_parse(self, source: str) -> bool:
        if len(source) > MAX_PARSED or len(source) > self.parse:
            return False
        self.parse -= len(source)
        return True

    def take_translate(self, source: str) -> bool:
        if len(source) > MAX_TRANSLATED or len(source) > self.translate:
            return False
        self.translate -= len(source)
        return True


def translate(source: str, budget: Budget | None = None) -> str:
    """Plain Python for one cell: valid Python as is, otherwise IPython's translation.

    Every IPython-only form (``%magic``, ``%%magic``, ``!cmd``, ``x = !cmd``,
    ``name?``, an indented cell) is a syntax error in Python and shows in the
    text (``_may_be_ipython``), so a cell without such a hint, or one that
    compiles, needs no translation; only the others pay for IPython.  A cell that
    does not compile either way is sent unchanged and fails with Python's own
    ``SyntaxError`` in the sandbox.
    """
    budget = budget or Budget()
    if not _may_be_ipython(source) or not budget.take_parse(source) or _compiles(source):
        return source
    stripped = source.lstrip("\n")
    lead = "\n" * (len(source) - len(stripped))  # IPython drops leading blank lines; keep line numbers
    body = BODY_CELL_MAGIC.match(stripped)
    if body:
        # %%time / %%capture run their body in the notebook's namespace: run it as the cell.
        return lead + "\n" + translate(stripped[body.end():], budget)
    if not budget.take_translate(stripped):
        return source
    try:
        translated = lead + _load_transformer()(stripped)
    except Exception:  # noqa: BLE001 (a cell IPython cannot tokenize is run as is, and fails as is)
        return source
    return translated if budget.take_parse(translated) and _compiles(translated) else source


# --------------------------------------------------------------------------- notebooks


def notebook_cells(data: bytes, filename: str) -> Result:
    """Code cells of a notebook, or a one-line reason it cannot be read.

    Returns ``(cells, problem, notes, kind)``; ``kind`` is ``"ipynb"``, or ``"py"``
    when the file is Python text saved under a notebook's name.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return [], f"{filename} is not UTF-8 text (byte {exc.start}), so it is not a notebook; re-save it from Jupyter", [], "ipynb"
    if not text.strip():
        size = "empty (0 bytes)" if not data else "blank (only whitespace)"
        return [], f"{filename} is {size}; save the notebook in Jupyter and submit it again", [], "ipynb"
    try:
        raw = json.loads(text)
    except RecursionError:
        return [], f"{filename} is JSON nested too deeply to be a notebook; re-save it from Jupyter", [], "ipynb"
    except ValueError as exc:
        return _not_json(text, filename, exc)
    if not isinstance(raw, dict) or not isinstance(raw.get("cells", raw.get("worksheets")), list):
        return [], f"{filename} is JSON but not a notebook (it has no list of cells)", [], "ipynb"
    notes: list[str] = []
    try:
        cells_data = _read_cells(text, raw, filename, notes)
    except Exception as exc:  # noqa: BLE001 (nbformat raises many kinds of errors on odd files)
        return [], f"{filename} could not be read as a notebook ({type(exc).__name__}: {str(exc)[:120]})", [], "ipynb"
    language = _language(raw)
    if language and "python" not in language.lower():
        notes.append(f"{filename} says its language is {language}; its cells were run as Python")
    cells, skipped, budget = [setup_cell(filename)], [], Budget()
    defined: dict[str, list[int]] = {}
    number = 0
    for cell in cells_data:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        number += 1
        source = _source_text(cell.get("source", cell.get("input", "")))
        if not source.strip():
            continue
        other = _other_language(cell)
        if other:
            skipped.append(f"code cell {number} ({other})")
            continue
        code = translate(source, budget)
        cells.append(Cell(code, cell_filename(filename, number), _label(number, source)))
        for name in _top_level_functions(code) if budget.take_parse(code) else []:
            defined.setdefault(name, []).append(number)
    if skipped:
        notes.append("cells in another language were not run: " + ", ".join(skipped[:5]))
    notes.extend(_redefinition_notes(defined))
    if len(cells) == 1:
        return [], f"{filename} has no code (its {number} code cell{'s are' if number != 1 else ' is'} empty)" if number else \
            f"{filename} has no code cells", notes, "ipynb"
    return cells, None, notes, "ipynb"


def _not_json(text: str, filename: str, exc: ValueError) -> Result:
    """A file named .ipynb that is not JSON: Python source, a truncated notebook, or garbage."""
    if _looks_like_python(text):
        return python_cells(text, filename), None, [
            f"{filename} holds Python source, not notebook JSON; it was graded as a .py file"], "py"
    if _truncated(text, exc):
        return [], (f"{filename} ends in the middle of the notebook (the file is truncated, "
                    f"{len(text.encode('utf-8')):,} bytes); re-save it from Jupyter and submit it again"), [], "ipynb"
    where = f" at line {exc.lineno} column {exc.colno}" if hasattr(exc, "lineno") else ""
    message = getattr(exc, "msg", str(exc))
    return [], f"{filename} is not a valid notebook (invalid JSON{where}: {message}); re-save it from Jupyter", [], "ipynb"


def _truncated(text: str, exc: ValueError) -> bool:
    """Whether the JSON parser ran out of text (a file cut short), rather than met a mistake in it."""
    message, position = getattr(exc, "msg", ""), getattr(exc, "pos", None)
    if not text.lstrip().startswith("{") or position is None:
        return False
    if message.startswith("Unterminated string"):  # a string runs to the end of the file
        return True
    tail = text[position:].rstrip()
    return not tail or any(word.startswith(tail) for word in ("true", "false", "null"))


def _read_cells(text: str, raw: dict[str, Any], filename: str, notes: list[str]) -> list[Any]:
    """The cells as nbformat 4 sees them, upgrading older versions with nbformat's converter."""
    major = raw.get("nbformat")
    if major is None and isinstance(raw.get("cells"), list):
        major = 4  # some tools write the cells and nothing else
    if not isinstance(major, int) or isinstance(major, bool) or major < 1:
        raise ValueError(f"unknown nbformat version {major!r}")
    if major > 4:
        notes.append(f"{filename} says it is nbformat {major}; it was read as version 4")
        major = 4
    import nbformat

    if major == 4:  # outputs are never looked at: leave them out rather than convert them
        cells = raw.get("cells")
        notebook = nbformat.from_dict({**raw, "cells": [
            {k: v for k, v in c.items() if k != "outputs"} if isinstance(c, dict) else c for c in cells]})
    else:
        notebook = nbformat.convert(nbformat.reader.reads(text), 4)
        notes.append(f"{filename} is an nbformat {major} notebook; it was upgraded to version 4 to be graded")
    cells = notebook.get("cells")
    if not isinstance(cells, list):
        raise ValueError("the notebook has no list of cells")
    return cells


def _source_text(source: Any) -> str:
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    elif not isinstance(source, str):
        return ""
    return source.replace("\r\n", "\n").replace("\r", "\n")


def _language(raw: dict[str, Any]) -> str | None:
    metadata = raw.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        section = metadata.get(key)
        if isinstance(section, dict) and isinstance(section.get(field), str) and section[field].strip():
            return section[field].strip()
    return None


def _other_language(cell: dict[str, Any]) -> str | None:
    """VS Code marks a code cell written in another language (``%%bash`` is IPython's business)."""
    metadata = cell.get("metadata")
    vscode = metadata.get("vscode") if isinstance(metadata, dict) else None
    language = vscode.get("languageId") if isinstance(vscode, dict) else None
    if isinstance(language, str) and language.lower() not in ("python", ""):
        return language
    return None


def _label(number: int, source: str) -> str:
    """``code cell 4 ("X = np.loadtxt(...")``: a number and the cell's first line, to find it."""
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    if len(first) > SNIPPET:
        first = first[:SNIPPET - 3] + "..."
    return f'code cell {number} ("{first}")'


def _top_level_functions(code: str) -> list[str]:
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
        return []
    return [node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _redefinition_notes(defined: dict[str, list[int]]) -> list[str]:
    twice = [(name, numbers) for name, numbers in defined.items() if len(set(numbers)) > 1]
    notes = [f"{name}() is defined in code cells {', '.join(map(str, numbers[:-1]))} and {numbers[-1]}; "
             f"as when the notebook runs top to bottom, the last definition (code cell {numbers[-1]}) is graded"
             for name, numbers in twice[:5]]
    if len(twice) > 5:
        notes.append(f"{len(twice) - 5} more functions are defined in more than one cell")
    return notes


def _looks_like_python(text: str) -> bool:
    stripped = text.lstrip()
    if not stripped or stripped.startswith(("{", "[")):
        return False
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_PARSED:
        return False
    return _compiles(text) or _compiles(translate(text))


# --------------------------------------------------------------------------- .py files


def python_cells(text: str, filename: str) -> list[Cell]:
    """A .py file is one cell whose statements count one by one, unless it is a notebook
    export (``# In[ ]:`` markers).

    An export is graded as its notebook would be: one cell per marker, run as
    notebook cells, with ``__name__ == "__main__"``.  IPython syntax left in a
    .py (a Colab download keeps ``!pip`` lines) is translated only when the file
    is not valid Python as written; a plain syntax error is left to fail.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not EXPORT_MARKER.search(text):
        return [Cell(translate(text), filename, filename, "statements")]
    pieces = EXPORT_MARKER.split(text)  # [before the first marker, number, cell, number, cell, ...]
    cells, budget = [setup_cell(filename)], Budget()
    offset = 0
    for position in range(0, len(pieces), 2):
        piece = pieces[position]
        number = pieces[position - 1].strip() if position else ""
        code = translate(piece, budget)
        if not budget.take_parse(code) or _has_statements(code):
            label = f"{filename}, cell In[{number}]" if number else \
                f"{filename}, cell {position // 2}" if position else f"{filename}, before the first cell"
            # Pad after translating (IPython drops leading blank lines) so line numbers are the file's.
            cells.append(Cell("\n" * offset + code, filename, label))
        offset += piece.count("\n")  # a marker line holds no newline of its own: it ends the previous piece
    return cells if len(cells) > 1 else [Cell(translate(text), filename, filename, "statements")]


def _has_statements(code: str) -> bool:
    """False for a piece that is only comments and blank lines (nothing to run); True if it may fail."""
    try:
        return bool(ast.parse(code).body)
    except (SyntaxError, ValueError, OverflowError, MemoryError, RecursionError):
        return True
