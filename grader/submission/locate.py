"""Find the student's file and turn it into cells, without running any of it.

A submission is one ``.py`` or ``.ipynb`` file, or a folder holding exactly one of
them (a Gradescope upload).  Symlinks, special files and oversized files are
refused: a symlink named ``logreg2.py`` could otherwise make the grader read the
reference solution.  Problems are returned as a student-facing reason, never
raised, because every submission gets a report.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import os
import stat
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from grader.limits import CAPS
from grader.submission.cell import Cell
from grader.submission.names import shown

MAX_BYTES = CAPS.submission_bytes
# Code is sent to the sandbox whole, as JSON text inside one frame header (64 MB at most:
# see protocol.MAX_REQUEST_HEADER_BYTES); a character escapes to at most 12 bytes, and each
# cell adds its name.
MAX_CODE_CHARS = CAPS.code_chars
IGNORED_DIRS = {"__pycache__", "__MACOSX", ".ipynb_checkpoints", ".git"}
SUFFIXES = (".py", ".ipynb")


@dataclass(frozen=True)
class Submission:
    """What the grader knows of a submission before running it."""

    name: str
    path: Path | None
    kind: str  # "py" | "ipynb" | "none"
    data: bytes = b""
    cells: tuple[Cell, ...] = ()
    problem: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def student_name(path: Path) -> str:
    """A folder is named after the student; a file by its name without the extension."""
    return shown(path.name if path.is_dir() else path.stem)


def locate(path: Path) -> tuple[Path | None, str | None]:
    """The one gradable file under ``path``, or a reason why there is none."""
    try:
        info = os.lstat(path)
    except OSError:
        return None, f"{shown(path.name)}: no such file or folder"
    if stat.S_ISLNK(info.st_mode):
        return None, f"{shown(path.name)} is a symbolic link; submit the file itself"
    if stat.S_ISDIR(info.st_mode):
        found = _candidates(path)
        if not found:
            return None, "the submission holds no .py or .ipynb file"
        if len(found) > 1:
            names = ", ".join(shown(str(p.relative_to(path))) for p in found[:6])
            return None, f"the submission holds several gradable files ({names}); submit exactly one"
        return _check_file(found[0])
    return _check_file(path)


def _candidates(folder: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(folder, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS and not d.startswith("."))
        found.extend(Path(root) / f for f in sorted(files) if f.endswith(SUFFIXES) and not f.startswith("."))
    return found


def _check_file(path: Path) -> tuple[Path | None, str | None]:
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return None, f"{shown(path.name)} is a symbolic link; submit the file itself"
    if not stat.S_ISREG(info.st_mode):
        return None, f"{shown(path.name)} is not a regular file"
    if path.suffix not in SUFFIXES:
        return None, f"{shown(path.name)} is neither a .py file nor a .ipynb notebook"
    if info.st_size > MAX_BYTES:
        return None, f"{shown(path.name)} is {info.st_size / 1e6:.0f} MB; the limit is {MAX_BYTES / 1e6:.0f} MB"
    return path, None


def read_submission(path: Path) -> Submission:
    """Locate, read and split the submission into cells; never raises for student mistakes."""
    name = student_name(path)
    found, problem = locate(path)
    if found is None:
        return Submission(name, None, "none", problem=problem)
    fd = os.open(found, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, "rb") as f:
        data = f.read(MAX_BYTES + 1)
    filename = shown(found.name)  # cells are labelled for people: see grader.submission.names
    if found.suffix == ".ipynb":
        from grader.submission.notebook import notebook_cells

        cells, problem, notes, kind = notebook_cells(data, filename)
        return _sized(Submission(name, found, kind, data, tuple(cells), problem, tuple(notes)))
    text, problem = decode_source(data, filename)
    if text is None:
        return Submission(name, found, "py", data, problem=problem)
    from grader.submission.notebook import python_cells

    return _sized(Submission(name, found, "py", data, tuple(python_cells(text, filename))))


def _sized(submission: Submission) -> Submission:
    """Refuse, with a reason, code too long to send whole: it is never cut."""
    size = sum(len(cell.source) for cell in submission.cells)
    if size <= MAX_CODE_CHARS:
        return submission
    where = shown(submission.path.name if submission.path else submission.name)
    return Submission(submission.name, submission.path, submission.kind, submission.data, (),
                      f"{where} holds {size:,} characters of code; the limit is {MAX_CODE_CHARS:,}", submission.notes)


def decode_source(data: bytes, filename: str) -> tuple[str | None, str | None]:
    """Source text as Python reads it (a BOM, a PEP 263 coding cookie, UTF-8 otherwise), with
    every line ending made ``\\n``; or why Python could not read it either."""
    try:
        # Python finds the cookie on the first two lines whatever ends them (CR alone included).
        lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        encoding, _ = tokenize.detect_encoding(io.BytesIO(lines).readline)
    except SyntaxError as exc:  # not UTF-8 and no cookie, a cookie naming an unknown codec, or a BOM against it
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            return None, f"{filename} is not UTF-8 text (byte {bad.start}) and declares no other encoding; save it as UTF-8"
        return None, f"{filename} cannot be read as Python source ({exc.msg})"
    if encoding == "utf-8-sig" and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8" if encoding == "utf-8-sig" else encoding)
    except UnicodeDecodeError as exc:
        return None, (f"{filename} is not valid {encoding} text (byte {exc.start}); "
                      "save it as UTF-8 or declare its encoding in a coding line")
    if "\x00" in text:
        return None, f"{filename} contains NUL bytes; it is not a text file"
    return text.replace("\r\n", "\n").replace("\r", "\n"), None
