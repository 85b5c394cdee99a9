"""Decorations of a submission that Python (or Jupyter) treats as the same program.

A decoration is plain data (a frozen dataclass with a short ``repr``), so the
falsifying example Hypothesis prints is readable and can be replayed with
``@example(<that repr>)``; ``render`` turns it into the bytes of a ``.py`` or an
``.ipynb`` deterministically.  Positions are indices into the source's top-level
boundaries taken modulo their number, so one decoration applies to every file:
the correct example and each one-bug example get the same decorations.

``check_rendering`` proves a rendering is the same program before it is graded:
Python compiles the bytes (the rules ``import`` uses: BOM, PEP 263 cookie, any
line ending), and the statements are the original ones plus only the inserted
docstring and prints.  A failure there is a bug in this module, not in the grader.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import io
import json
import re
import tokenize
import warnings
from dataclasses import dataclass
from typing import Literal

import nbformat
from hypothesis import strategies as st

MAX_TEXT = 300_000  # characters of one docstring or comment block
KEPT_CATEGORIES = ("L", "M", "N", "P", "S", "Zs")  # printable: no control characters or line separators
COOKIE_FORMS = ("# -*- coding: {} -*-", "# coding={}", "# vim: set fileencoding={} :")
CODEC_NAMES = {"utf-8": ("utf-8", "utf8"), "latin-1": ("latin-1", "iso-8859-1", "latin1"),
               "cp1252": ("cp1252", "windows-1252")}
NEWLINES = ("\n", "\r\n", "\r")
NOTEBOOK_METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python", "version": "3.11.2", "mimetype": "text/x-python",
                      "file_extension": ".py", "pygments_lexer": "ipython3",
                      "codemirror_mode": {"name": "ipython", "version": 3}, "nbconvert_exporter": "python"},
}


@dataclass(frozen=True)
class Insert:
    """A comment block or a top-level ``print`` at top-level boundary ``at``.

    A comment is ``text`` repeated to ``size`` characters in lines of ``width``;
    a print prints ``text`` repeated ``size`` times.
    """

    at: int
    kind: Literal["comment", "print"]
    text: str
    size: int
    width: int = 79


@dataclass(frozen=True)
class PyFile:
    """How the ``.py`` is saved: codec, optional PEP 263 cookie (on line 1, or 2 after a shebang), BOM, line ending."""

    codec: Literal["utf-8", "latin-1", "cp1252"] = "utf-8"
    cookie: str | None = None
    cookie_line: Literal[1, 2] = 1
    bom: bool = False
    newline: str = "\n"


@dataclass(frozen=True)
class Notebook:
    """The program split into code cells before boundaries ``cuts`` and saved as nbformat 4.``minor``.

    ``source_as="lines"`` is nbformat's own writer (sources as lists of lines, as
    Jupyter saves them); ``"string"`` writes each source as one string, as some
    other tools do.  ``markdown`` puts a markdown cell before each code cell;
    ``executed`` gives cells execution counts and a saved output.
    """

    minor: int = 5
    cuts: tuple[int, ...] = ()
    source_as: Literal["lines", "string"] = "lines"
    markdown: bool = False
    executed: bool = False


@dataclass(frozen=True)
class Decoration:
    """Everything done to a submission; the default changes nothing."""

    docstring: tuple[str, int] | None = None  # (text, size): a module docstring of `size` characters
    inserts: tuple[Insert, ...] = ()
    tabs: bool = False
    container: PyFile | Notebook = PyFile()


@dataclass(frozen=True)
class Rendered:
    """The decorated submission: its file name, its bytes, and its Python text (LF line endings)."""

    name: str
    data: bytes
    text: str
    cells: tuple[str, ...] = ()


# --------------------------------------------------------------------------- strategies


@functools.cache
def _codec_chars(codec: str) -> tuple[str, ...]:
    """Printable characters a one-byte codec can encode (what an editor saving in it could write)."""
    chars = []
    for byte in range(0x20, 0x100):
        try:
            char = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            continue
        if char.isprintable():
            chars.append(char)
    return tuple(chars)


def alphabet(codec: str) -> st.SearchStrategy[str]:
    """Characters for comments and strings: any printable character, or those the file's codec can hold."""
    if codec == "utf-8":
        return st.characters(categories=KEPT_CATEGORIES)
    return st.sampled_from(_codec_chars(codec))


@st.composite
def py_files(draw: st.DrawFn, codecs: tuple[str, ...] = tuple(CODEC_NAMES), newlines: tuple[str, ...] = NEWLINES,
             boms: tuple[bool, ...] = (False, True), utf8_cookie: bool = True) -> PyFile:
    """Ways to save a ``.py``: a codec (any but UTF-8 with its cookie), BOMs (UTF-8 only), line endings."""
    codec = draw(st.sampled_from(codecs))
    bom = codec == "utf-8" and draw(st.sampled_from(boms))
    names = ("utf-8",) if bom else CODEC_NAMES[codec]  # Python refuses a BOM with any other name
    cookie = None
    if codec != "utf-8" or (utf8_cookie and draw(st.booleans())):
        cookie = draw(st.sampled_from(COOKIE_FORMS)).format(draw(st.sampled_from(names)))
    return PyFile(codec=codec, cookie=cookie, cookie_line=draw(st.sampled_from((1, 2))), bom=bom,
                  newline=draw(st.sampled_from(newlines)))


def notebooks() -> st.SearchStrategy[Notebook]:
    return st.builds(Notebook, minor=st.integers(0, 5), cuts=st.lists(st.integers(0, 10_000), max_size=12).map(tuple),
                     source_as=st.sampled_from(("lines", "string")), markdown=st.booleans(), executed=st.booleans())


def inserts(chars: st.SearchStrategy[str], kinds: tuple[str, ...], max_text: int,
            max_inserts: int = 4) -> st.SearchStrategy[tuple[Insert, ...]]:
    one = st.sampled_from(kinds).flatmap(lambda kind: st.builds(
        Insert, at=st.integers(0, 10_000), kind=st.just(kind), text=st.text(chars, min_size=1, max_size=24),
        size=st.integers(0, max_text) if kind == "comment" else st.integers(0, 1_000),
        width=st.integers(1, 400)))
    return st.lists(one, max_size=max_inserts).map(tuple)


@st.composite
def decorations(draw: st.DrawFn, *, docstring: bool = True, comments: bool = True, prints: bool = True,
                tabs: st.SearchStrategy[bool] = st.booleans(),
                container: st.SearchStrategy[PyFile | Notebook] | None = None, max_text: int = MAX_TEXT) -> Decoration:
    """Decorations with the chosen kinds switched on: by default all of them, composed."""
    saved = draw(container if container is not None else st.one_of(py_files(), notebooks()))
    chars = alphabet(saved.codec if isinstance(saved, PyFile) else "utf-8")
    kinds = tuple(k for k, on in (("comment", comments), ("print", prints)) if on)
    text = st.none() | st.tuples(st.text(chars, min_size=1, max_size=24), st.integers(0, max_text))
    return Decoration(docstring=draw(text) if docstring else None,
                      inserts=draw(inserts(chars, kinds, max_text)) if kinds else (),
                      tabs=draw(tabs), container=saved)


# --------------------------------------------------------------------------- rendering


def render(decoration: Decoration, source: str) -> Rendered:
    """The decorated submission's bytes (``source`` is a correct or one-bug example, LF line endings)."""
    text = _with_inserts(indent_with_tabs(source) if decoration.tabs else source, decoration)
    container = decoration.container
    if isinstance(container, Notebook):
        cells = split_cells(text, container.cuts)
        return Rendered("logreg2.ipynb", write_notebook(cells, container).encode("utf-8"), text, tuple(cells))
    header = ""
    if container.cookie is not None:
        header = ("#!/usr/bin/env python3\n" if container.cookie_line == 2 else "") + container.cookie + "\n"
    data = (header + text).replace("\n", container.newline).encode(container.codec)
    return Rendered("logreg2.py", (b"\xef\xbb\xbf" if container.bom else b"") + data, header + text)


def boundaries(text: str) -> list[int]:
    """0-based line numbers a new top-level line may go before (between top-level statements; len = at the end)."""
    lines = text.splitlines(keepends=True)
    inside: set[int] = set()
    for stmt in ast.parse(text).body:
        start = min([stmt.lineno] + [d.lineno for d in getattr(stmt, "decorator_list", [])])
        inside.update(range(start, stmt.end_lineno or start))
    return [i for i in range(len(lines) + 1) if i not in inside]


def indent_with_tabs(source: str) -> str:
    """Every four spaces of indentation become a tab (lines inside multi-line strings are left alone)."""
    in_string: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.STRING:
            in_string.update(range(token.start[0] + 1, token.end[0] + 1))
    lines = source.splitlines(keepends=True)
    for number, line in enumerate(lines, start=1):
        indent = re.match(r"(?: {4})*", line).group(0)
        if number not in in_string and indent:
            lines[number - 1] = "\t" * (len(indent) // 4) + line[len(indent):]
    return "".join(lines)


def _with_inserts(source: str, decoration: Decoration) -> str:
    lines = source.splitlines(keepends=True)
    points = boundaries(source)
    blocks: dict[int, list[str]] = {}
    for insert in decoration.inserts:
        blocks.setdefault(points[insert.at % len(points)], []).append(insert_source(insert))
    out = [docstring_source(*decoration.docstring)] if decoration.docstring else []
    for number in range(len(lines) + 1):
        out.extend(blocks.get(number, []))
        if number < len(lines):
            out.append(lines[number])
    return "".join(out)


def _repeated(text: str, size: int) -> str:
    return (text * (size // len(text) + 1))[:size]


def _wrapped(text: str, width: int) -> list[str]:
    return [text[i:i + width] for i in range(0, len(text), width)]


def docstring_source(text: str, size: int) -> str:
    """A module docstring of ``size`` characters (no backslashes or quotes, so it is taken literally)."""
    body = _repeated(text.replace("\\", "/").replace('"', "'"), size)
    return '"""' + "\n".join(_wrapped(body, 79)) + '"""\n'


def insert_source(insert: Insert) -> str:
    if insert.kind == "comment":
        return "".join(f"# {line}\n" for line in _wrapped(_repeated(insert.text, insert.size), insert.width))
    times = "" if insert.size == 1 else f" * {insert.size}"
    return f"print({insert.text!r}{times})\n"


def split_cells(text: str, cuts: tuple[int, ...]) -> list[str]:
    """The text cut before the chosen top-level boundaries; sources without trailing newlines, as Jupyter saves them."""
    lines = text.splitlines(keepends=True)
    points = boundaries(text)
    edges = sorted({0, len(lines)} | {points[c % len(points)] for c in cuts})
    return ["".join(lines[a:b]).rstrip("\n") for a, b in zip(edges, edges[1:])]


def write_notebook(cells: list[str], notebook: Notebook) -> str:
    """The notebook's JSON with exactly the fields its minor version has (cell ids only from 4.5), validated."""
    raw_cells = []
    for number, source in enumerate(cells, start=1):
        if notebook.markdown:
            raw_cells.append({"cell_type": "markdown", "metadata": {}, "source": f"## Step {number}"})
        raw_cells.append({
            "cell_type": "code", "metadata": {}, "source": source,
            "execution_count": number if notebook.executed else None,
            "outputs": [{"name": "stdout", "output_type": "stream", "text": "ran\n"}] if notebook.executed else [],
        })
    if notebook.minor >= 5:
        for number, cell in enumerate(raw_cells):
            cell["id"] = hashlib.sha256(f"cell {number}".encode()).hexdigest()[:8]
    raw = {"cells": raw_cells, "metadata": NOTEBOOK_METADATA, "nbformat": 4, "nbformat_minor": notebook.minor}
    node = nbformat.from_dict(raw)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nbformat only warns about some schema violations
        nbformat.validate(node)
    if notebook.source_as == "lines":
        return nbformat.writes(node, version=nbformat.NO_CONVERT)
    return json.dumps(raw, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- checks and descriptions


def check_rendering(rendered: Rendered, decoration: Decoration, source: str) -> None:
    """Raise AssertionError unless the rendering is, to Python, the original program plus the inserted statements."""
    if rendered.name.endswith(".py"):
        compile(rendered.data, rendered.name, "exec", dont_inherit=True)  # exactly what import does with the bytes
        program = rendered.text
    else:
        notebook = nbformat.reads(rendered.data.decode("utf-8"), as_version=nbformat.NO_CONVERT)
        sources = [c.source for c in notebook.cells if c.cell_type == "code"]
        assert sources == list(rendered.cells), "the notebook does not hold the cells it was given"
        for number, cell in enumerate(sources, start=1):
            compile(cell, f"cell {number}", "exec", dont_inherit=True)
        program = "\n".join(sources)
    added = {ast.dump(s) for s in _added_statements(decoration)}
    kept = [d for d in map(ast.dump, ast.parse(program).body) if d not in added]
    assert kept == [ast.dump(s) for s in ast.parse(source).body], "decorating changed the program's statements"


def _added_statements(decoration: Decoration) -> list[ast.stmt]:
    pieces = [insert_source(i) for i in decoration.inserts if i.kind == "print"]
    if decoration.docstring:
        pieces.append(docstring_source(*decoration.docstring))
    return [stmt for piece in pieces for stmt in ast.parse(piece).body]


def describe(decoration: Decoration, rendered: Rendered) -> str:
    """One line a person can read: what was done to the file."""
    parts = [f"{rendered.name} of {len(rendered.data):,} bytes"]
    container = decoration.container
    if isinstance(container, Notebook):
        parts.append(f"nbformat 4.{container.minor}, {len(rendered.cells)} code cells, sources as {container.source_as}"
                     + (", markdown cells" if container.markdown else "") + (", executed" if container.executed else ""))
    else:
        parts.append(f"{container.codec}" + (" with BOM" if container.bom else "")
                     + (f", cookie {container.cookie!r} on line {container.cookie_line}" if container.cookie else "")
                     + f", line ending {container.newline!r}")
    if decoration.tabs:
        parts.append("tab indentation")
    if decoration.docstring:
        parts.append(f"module docstring of {decoration.docstring[1]:,} chars")
    for insert in decoration.inserts:
        what = f"comment of {insert.size:,} chars" if insert.kind == "comment" else f"print of {insert.size} x {insert.text!r}"
        parts.append(f"{what} at boundary {insert.at}")
    return "; ".join(parts)
