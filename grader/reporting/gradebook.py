"""The gradebook of a batch: one row per student, read back from the reports, written as ``grades.csv``.

The CSV holds nothing that changes between two gradings of the same inputs (no
times, no paths), is sorted by student, and uses fixed number formatting, so
grading the same folder twice gives byte-identical files.  Cells that a
spreadsheet could read as a formula are prefixed with an apostrophe and quoted: a cell
that starts with a trigger (``=HYPERLINK(...)``), and a cell holding a trigger right
after a separator a spreadsheet may split on (``x;=1+2;`` with ``;`` as separator), with
``,``, ``;`` or tab as the separator.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader._fs import write_atomically
from grader.rubric import Rubric

# A trigger at the start, or after any separator LibreOffice or Excel may be set to split on.
_FORMULA_ANYWHERE = re.compile(r"(?:^|[,;\t])[=+\-@\t\r]")
_AFTER_SEPARATOR = re.compile(r"([,;\t])(?=[=+\-@\t\r])")


@dataclass
class Row:
    """One student's line of the gradebook, and the report it came from."""

    key: str
    student: str
    total: float
    scores: dict[str, float]
    status: str
    sid: str = ""
    email: str = ""
    report: dict[str, Any] | None = None
    path: Path | None = None
    submitters: list[dict[str, str]] = field(default_factory=list)

    @property
    def sort_key(self) -> tuple[str, str, str]:
        return (self.student.casefold(), self.student, self.key)


def number(value: float) -> str:
    """Scores as the CSV shows them: at most four decimals, no trailing zeros (``96``, ``4.1667``)."""
    text = f"{round(float(value), 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def read_report(path: Path) -> dict[str, Any] | None:
    """A report written by this grader, or None when the file is missing or is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("tests"), list) \
            or not isinstance(data.get("extra_data"), dict) or "assignment" not in data["extra_data"]:
        return None
    return data


def row_from_report(key: str, report: dict[str, Any], path: Path | None = None) -> Row:
    extra = report.get("extra_data", {})
    scores = {}
    for test in report.get("tests", []):
        item = (test.get("extra_data") or {}).get("item")
        if isinstance(item, str):
            scores[item] = float(test.get("score", 0))
    submitters = [s for s in extra.get("submitters") or [] if isinstance(s, dict)]
    return Row(
        key=key,
        student=str(extra.get("student") or key),
        total=float(report.get("score", 0)),
        scores=scores,
        status=str(extra.get("status") or "graded"),
        sid=" ".join(str(s.get("sid") or "") for s in submitters).strip(),
        email=" ".join(str(s.get("email") or "") for s in submitters).strip(),
        report=report,
        path=path,
        submitters=submitters,
    )


def missing_row(key: str, student: str, rubric: Rubric, status: str = "missing") -> Row:
    """A student whose report is not there (a shard that did not finish): zero, with a status that says so."""
    return Row(key, student, 0.0, {item.id: 0.0 for item in rubric.items}, status)


def _field(text: str) -> str:
    """One CSV field: quoted when it holds a comma, a quote or a line break (as ``csv`` does).

    When a spreadsheet could read a formula in it, it is quoted and prefixed with an
    apostrophe, and every trigger right after a separator gets one too: a spreadsheet that
    splits on ``;`` or tab ignores quotes that do not close before its separator, and then
    sees ``'=1+2``, text, where ``=1+2`` would be a formula.
    """
    if _FORMULA_ANYWHERE.search(text):
        text = "'" + _AFTER_SEPARATOR.sub(r"\1'", text)
    elif not re.search(r'[,"\r\n]', text):
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_text(rows: list[Row], rubric: Rubric) -> str:
    """``student, [sid, email,] total, <one column per rubric item>, status``, sorted by student.

    The ``sid`` and ``email`` columns appear when any row has them (a Gradescope export).
    """
    ids = [item.id for item in rubric.items]
    contact = any(r.sid or r.email for r in rows)
    header = ["student"] + (["sid", "email"] if contact else []) + ["total"] + ids + ["status"]
    lines = [header]
    for row in sorted(rows, key=lambda r: r.sort_key):
        line = [row.student] + ([row.sid, row.email] if contact else [])
        lines.append(line + [number(row.total)] + [number(row.scores.get(i, 0.0)) for i in ids] + [row.status])
    return "".join(",".join(_field(cell) for cell in line) + "\n" for line in lines)


def write_csv(rows: list[Row], rubric: Rubric, path: Path) -> None:
    write_atomically(path, csv_text(rows, rubric))
