"""The unit of student code the reader hands to the sandbox: data only, so reading never imports running."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

CellMode = Literal["cell", "statements"]


@dataclass(frozen=True)
class Cell:
    """A unit of student code: one notebook cell, or a whole .py file.

    ``mode`` says what a failing statement ends: in a notebook cell (``cell``) the
    rest of the cell, as in Jupyter; in a .py (``statements``) only itself.
    """

    source: str
    filename: str
    label: str
    mode: CellMode = "cell"
